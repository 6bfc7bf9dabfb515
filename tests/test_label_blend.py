"""The blended label source rules+llm:MODEL: the rules decide the AI type where they are sure,
the model where they doubt, and the report says how many postings each decided."""

import sqlite3

import pytest

from analysis.blend import llm_source
from analysis.build import LabelsError, build
from analysis.report import render_report
from jobcrawler.storage import finish_label_run, label_row, open_db, save_labels, start_label_run, transaction
from tests.helpers import build_fixture_db

MODEL = "llm:test-model"
BLEND = "rules+" + MODEL
# The fixture's rule labels, with a confidence: four sure, three doubted, the other seven unknown.
RULE_CONFIDENCE = {"9001": 0.9, "9002": 0.95, "9003": 0.9, "9004": 0.85, "9005": 0.5, "9006": 0.6, "9007": 0.75}
# The model's answers: 9001 is one the rules are sure of, so its answer never counts.
LLM_ANSWERS = {"9001": ("ml", None), "9005": ("ai-first", None), "9006": ("ai-support", "data/pipelines"),
               "9007": ("ai-first", None)}


def blended_db(tmp_path, below: float | None) -> str:
    path = build_fixture_db(tmp_path / "jobs.db")
    db = open_db(path)
    with transaction(db):
        db.conn.executemany("UPDATE job_labels SET ai_type_confidence = ? WHERE job_id = ? AND labels = 'rules'",
                            [(confidence, job_id) for job_id, confidence in RULE_CONFIDENCE.items()])
    save_labels(db, [(job_id, label_row({"ai_type": ai_type, "support_category": category, "is_management": True},
                                        MODEL, "p1"), [])
                     for job_id, (ai_type, category) in LLM_ANSWERS.items()])
    if below is not None:
        run_id = start_label_run(db, MODEL, "test-model", "p1", {"below": below, "city": None})
        finish_label_run(db, run_id, {"status": "ok"})
    db.close()
    return str(path)


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
    assert llm_source(name) == expected


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
