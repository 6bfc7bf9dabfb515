"""The blended label source rules+llm:MODEL: the rules decide the AI type where they are sure,
the model where they doubt, and the report says how many postings each decided."""

import sqlite3

import pytest

from analysis.build import LabelsError, build
from analysis.datasette_plugins import label_blend
from analysis.report import render_report
from jobcrawler import storage
from tests.helpers import BLEND, build_fixture_db, with_model_answers


def blended_db(tmp_path, below: float | None) -> str:
    return with_model_answers(build_fixture_db(tmp_path / "jobs.db"), below)


def table(path: str, name: str, columns: str, labels: str = BLEND) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT {columns} FROM {name} WHERE labels = ? AND city = 'all' AND period = 'all' "
                            "ORDER BY rowid", (labels,)).fetchall()


@pytest.mark.parametrize("name, expected", [
    ("rules+llm:gpt-4o-mini", "llm:gpt-4o-mini"),
    ("rules+llm:", None),
    ("rules+fieldguide", None),
    ("llm:gpt-4o-mini", None),
    ("rules", None),
])
def test_llm_source_of_a_name(name, expected):
    assert label_blend.llm_source(name) == expected


def test_the_site_plugins_copy_of_the_storage_names_is_the_same():
    """label_blend.py holds its own copy (a packaged site cannot import jobcrawler)."""
    assert (label_blend.RULES, label_blend.LLM_PREFIX, label_blend.UNCERTAIN_BELOW) == (
        storage.RULES, storage.LLM_PREFIX, storage.UNCERTAIN_BELOW)


@pytest.mark.parametrize("sources, expected", [
    (["rules", "fieldguide", "llm:a", "llm:b"], ["rules+llm:a", "rules+llm:b"]),
    (["rules", "llm:"], []),
    (["fieldguide", "llm:a"], []),  # no rules to blend with
])
def test_the_blends_the_stored_sources_allow(sources, expected):
    assert label_blend.blends(sources) == expected


def test_the_model_decides_where_the_rules_doubt_below_the_runs_threshold(tmp_path):
    path = blended_db(tmp_path, below=0.8)
    build(path, BLEND)
    # 9005, 9006, 9007 (0.75 < 0.8) from the model; 9001 stays the rules' though the model said ml
    assert table(path, "report_label_deciders", "decided_by, doubted, below, jobs, pct") == [
        ("rules", 0, 0.8, 4, 28.6), ("llm:test-model", 1, 0.8, 3, 21.4), ("rules", 1, 0.8, 7, 50.0)]
    assert table(path, "report_ai_types", "ai_type, jobs") == [("ai-first", 9), ("ai-support", 3), ("ml", 1)]
    # the model's AI-support category comes with its AI type: 9006 (platform by the rules) and 9014
    assert table(path, "report_support_categories", "support_category, jobs") == [
        ("data/pipelines", 2), ("backend/general SWE", 1)]
    # every other category stays the rules': the model's management answers do not count
    build(path)
    assert table(path, "report_roles", "*", BLEND)[0][1:] == table(path, "report_roles", "*", "rules")[0][1:]


def test_without_a_run_the_default_threshold_counts(tmp_path):
    path = blended_db(tmp_path, below=None)
    build(path, BLEND)
    assert table(path, "report_label_deciders", "decided_by, doubted, below, jobs") == [
        ("rules", 0, 0.7, 5, ), ("llm:test-model", 1, 0.7, 2), ("rules", 1, 0.7, 7)]


def test_the_report_says_who_decided(tmp_path):
    path = blended_db(tmp_path, below=0.8)
    build(path, BLEND)
    build(path)
    with sqlite3.connect(path) as conn:
        blended = render_report(conn, labels=BLEND)
        rules = render_report(conn)
    assert ("Who decided the AI type of these 14 jobs: the rules, on 4 jobs (29%) where their confidence reaches 0.8; "
            "`llm:test-model`, on 3 jobs (21%) where it is below 0.8; and the rules still, on 7 jobs (50%) below 0.8 "
            "that `llm:test-model` has not labelled yet (`python -m jobcrawler.label --model test-model --only-uncertain "
            "--below 0.8` sends them).") in blended
    assert "rules+llm:test-model` (the rule tagger of this project, with the AI type of `llm:test-model`" in blended
    assert ("The rules decided every posting. On 9 jobs (64%) their AI type's confidence is below 0.7 "
            "(or not recorded)") in rules


def test_a_blend_needs_both_sources(tmp_path):
    path = build_fixture_db(tmp_path / "jobs.db")
    with pytest.raises(LabelsError, match="blends 'rules' and 'llm:test-model', but no job has labels of "
                                          "'llm:test-model'; label sources in .*: rules \\(14 jobs\\)"):
        build(path, BLEND)


def test_the_learning_path_of_a_blend_reads_its_ai_types(tmp_path):
    from analysis.path import main as path_main

    path = blended_db(tmp_path, below=0.8)
    text, _ = path_main(path, "python", ai_type="ai-first", labels=BLEND)
    rules_text, _ = path_main(path, "python", ai_type="ai-first")
    # 9005 and 9007 are AI-first in the blend only: two more AI-first postings to fit
    assert "Scope: ai-first postings, labels rules+llm:test-model: 9 postings," in text
    assert "Scope: ai-first postings, labels rules: 7 postings," in rules_text


@pytest.mark.parametrize("args, expected", [
    ('{"below": 0.8}', 0.8),
    ('{"below": 1}', 1.0),
    ('{"below": true}', label_blend.UNCERTAIN_BELOW),  # a bool is no threshold
    ('{"below": 1e999}', label_blend.UNCERTAIN_BELOW),  # infinity, as json.loads reads it
    ('{"below": -0.5}', label_blend.UNCERTAIN_BELOW),
    ('not json', label_blend.UNCERTAIN_BELOW),
])
def test_a_hand_edited_run_threshold_falls_back_to_the_default(args, expected):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE label_runs (run_id INTEGER PRIMARY KEY, labels TEXT, args TEXT)")
    conn.execute("INSERT INTO label_runs (labels, args) VALUES ('llm:m', ?)", (args,))
    assert label_blend.threshold(conn, "llm:m") == expected


def test_a_table_without_confidences_lets_the_model_decide_every_posting_it_labelled():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE job_labels (job_id TEXT, labels TEXT, ai_type TEXT, support_category TEXT, "
                 "ai_type_reasoning TEXT, is_management INTEGER)")
    conn.executemany("INSERT INTO job_labels VALUES (?, ?, ?, NULL, NULL, ?)", [
        ("1", "rules", "ai-support", 0), ("1", "llm:m", "ai-first", 1), ("2", "rules", "ml", 0)])
    rows = conn.execute(label_blend.labels_select(conn, "rules+llm:m", 0.7) + " ORDER BY r.job_id").fetchall()
    assert [(row[0], row[2], row[5], row[-2], row[-1]) for row in rows] == [
        ("1", "ai-first", 0, "llm:m", 1), ("2", "ml", 0, "rules", 1)]
