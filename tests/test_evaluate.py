"""The evaluator's label normalisation and scoring, on tiny hand-made data."""

from __future__ import annotations

import json

import pytest

from analysis.evaluate import (
    ADJUDICATION_PATH,
    Adjudication,
    LabelAliases,
    Prediction,
    accuracy_line,
    employees,
    main,
    micro_interval,
    named,
    read_adjudication,
    read_db,
    report,
    skill_table,
)


@pytest.fixture(scope="module")
def aliases() -> LabelAliases:
    return LabelAliases.load()


@pytest.mark.parametrize(
    "label, skills",
    [
        ("Postgres", {"PostgreSQL"}),
        ("Retrieval-Augmented Generation", {"RAG"}),
        ("RAG (Retrieval-Augmented Generation)", {"RAG"}),
        ("AI agents", {"agents"}),
        ("Golang", {"Go"}),
        ("Vector Databases", {"vector databases"}),
        ("Model training and fine-tuning", {"model training", "fine-tuning"}),
        ("JavaScript", set()),
        ("NoSQL", set()),
        ("Google Cloud Platform (GCP)", {"GCP"}),
        ("Machine Learning Operations", {"MLOps"}),
        ("Generative AI Operations", {"MLOps"}),
        ("LLM-based agent workflows", {"LLMs", "agents"}),
        ("Voice agents", {"agents"}),
        ("Multi-modal LLM systems", {"LLMs"}),
        ("Prompt evaluation frameworks", {"model evaluation"}),
        ("Elastic vector search", {"vector databases"}),
        ("Agent space", set()),
        ("Embedded systems", set()),
        ("TensorRT-LLM", set()),
        ("SageMaker", {"AWS"}),
        ("Google Vertex AI", {"GCP"}),
        ("Containerization", {"Docker"}),
        ("Containers", {"Docker"}),
        ("Azure Container Apps", {"Azure"}),
    ],
)
def test_label_names_map_to_canonical_skills(aliases, label, skills):
    assert aliases.skills_of_name(label) == skills


def test_sql_counts_from_any_label_list(aliases):
    assert "SQL" in aliases.skills({"databases": ["SQL"], "languages": []})


@pytest.mark.parametrize(
    "stage, expected",
    [("Public", "Public"), ("Series B+", "Series B"), ("Series D", "Series D+"), ("Unknown", "Private/unknown"),
     (None, "Private/unknown"), ("Public Benefit Corporation", "Private/unknown"), ("Seed", "Seed")],
)  # fmt: skip
def test_stages(aliases, stage, expected):
    assert aliases.stage(stage) == expected


def test_ai_types(aliases):
    assert aliases.ai_type("ml-first") == "ml"
    assert aliases.ai_type("unknown") is None


def test_skill_table_counts():
    truth = {"1": {"Python", "Go"}, "2": {"Python"}, "3": set()}
    ours = {"1": {"Python"}, "2": {"Python", "Go"}, "3": {"Go"}}
    rows, micro, macro = skill_table(truth, ours, ["Python", "Go"])
    by_skill = {row[0]: row for row in rows}
    assert by_skill["Python"][1:5] == (1.0, 1.0, 1.0, 2)
    assert by_skill["Go"][1:5] == (0.0, 0.0, 0.0, 1)
    assert micro == pytest.approx(2 * 2 / (2 * 2 + 2 + 1))
    assert macro == pytest.approx(0.5)


def test_employees():
    assert employees("1,200 Employees") == 1200
    assert employees(None) is None


def one_job_db(path, description: str, skills: list[str], customer_facing: int = 0):
    """A crawl database holding job 1 with its rule labels, written as the crawler writes it."""
    from jobcrawler import storage

    db = storage.open_db(path)
    storage.save_job(db, storage.job_row({"job_id": "1", "title": "AI Engineer", "description": description}),
                     city=None, run_id=None, locations=[], seen_at="2026-02-01T00:00:00+00:00",
                     skills=[{"skill": skill} for skill in skills],
                     labels=storage.label_row({"ai_type": "ai-first", "company_stage": "Public",
                                               "is_customer_facing": customer_facing, "is_management": 0}))
    db.close()
    return path


def test_report_on_a_database(tmp_path, aliases, capsys):
    db_path = one_job_db(tmp_path / "jobs.db", "text", ["Python", "RAG"], customer_facing=1)
    labels = tmp_path / "labels.jsonl"
    label = {
        "job_id": "1", "title": "AI Engineer", "ai_type": "ai-first", "stage": "Public",
        "is_customer_facing": True, "is_management": False, "skills": {"languages": ["Python"], "genai": ["RAG"]},
    }  # fmt: skip
    labels.write_text(json.dumps(label) + "\n")

    predictions = read_db(db_path)
    assert predictions["1"] == Prediction({"Python", "RAG"}, predictions["1"].categories, {}, "text")
    assert predictions["1"].categories["is_customer_facing"] is True

    assert main(["--labels", str(labels), "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "micro F1 1.000" in out
    assert "ai_type accuracy 1.000" in out
    assert "is_customer_facing accuracy 1.000" in out


def test_report_lists_disagreements(aliases):
    labels = {"1": {"title": "AI Engineer", "skills": {"languages": ["Go"]}, "ai_type": "ai-first"}}
    evidence = {"Python": {"source": "description", "matched": "Python"}}
    predictions = {"1": Prediction({"Python"}, {"ai_type": "ai-first"}, evidence)}
    out = report(labels, predictions, ["Python", "Go"], aliases, ["Python", "Go"])
    assert "ours only  1 'AI Engineer' description: 'Python'" in out
    assert "labels only 1 'AI Engineer'" in out
    untitled = report({"1": {**labels["1"], "title": None}}, predictions, ["Python", "Go"], aliases, ["Go"])
    assert "labels only 1 ''" in untitled


@pytest.mark.parametrize(
    "skill, text, expected",
    [
        ("MLOps", "Strong MLOps practices", True),
        ("model training", "owns Model-Training end to end", True),
        ("model training", "model trainings", False),
        ("Go", "services in Go and Rust", True),
        ("Go", "go-to-market", False),
        ("RAG", "RAG pipelines", True),
        ("RAG", "a storage rag", False),  # names of four letters or fewer count in their own case only
        ("CI/CD", "CI/CD pipelines", True),
    ],
)
def test_named(skill, text, expected):
    assert named(skill, text) is expected


def test_report_measures_how_consistently_labels_carry_named_skills(aliases):
    labels = {str(n): {"title": "t", "skills": {"ops": ["MLOps"] if n < 3 else []}} for n in range(6)}
    predictions = {j: Prediction({"MLOps"}, {}, {}, "Experience with MLOps.") for j in labels}
    out = report(labels, predictions, ["MLOps"], aliases)
    assert "of 6 skills a description names outright, the labels carry 50.0%" in out
    assert "MLOps              labelled in   3 of   6 postings that name it (50%), reference F1 0.67" in out
    assert "reference tagger (keeps what postings name outright, else agrees with the labels): micro F1 0.667" in out


def test_reference_tagger_agrees_with_the_labels_on_anything_the_posting_mentions(aliases):
    """It keeps outright names and follows the labels on paraphrases, never on what the text lacks."""
    labels = {
        "1": {"title": "t", "skills": {"ops": ["MLOps"]}},  # paraphrased: counted for the best tagger
        "2": {"title": "t", "skills": {"ops": ["MLOps"]}},  # never mentioned: missed by any reader
        "3": {"title": "t", "skills": {"ops": []}},  # named outright, not labelled: kept
    }
    predictions = {
        "1": Prediction(set(), {}, {}, "ML ops practices", mentioned={"MLOps"}),
        "2": Prediction(set(), {}, {}, "nothing"),
        "3": Prediction({"MLOps"}, {}, {}, "MLOps practices", mentioned={"MLOps"}),
    }
    out = report(labels, predictions, ["MLOps"], aliases)
    assert "reference tagger (keeps what postings name outright, else agrees with the labels): micro F1 0.500" in out


@pytest.mark.parametrize(
    "line, problem",
    [
        ("{not json", "not JSON"),
        ('["a list"]', "each line must be an object with a job_id"),
        ('{"title": "no id"}', "each line must be an object with a job_id"),
        ('{"job_id": true}', "each line must be an object with a job_id"),
        ('{"job_id": "1", "skills": ["Python"]}', "skills must map each category to a list of names"),
        ('{"job_id": "1", "skills": {"languages": "Python"}}', "skills must map each category to a list of names"),
        ('{"job_id": "1", "stage": 7}', "stage must be text or null"),
        ('{"job_id": "1", "is_management": "yes"}', "is_management must be true, false or null"),
    ],
)
def test_unreadable_label_rows_stop_the_run_with_their_line(tmp_path, capsys, line, problem):
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"job_id": "0", "skills": {}}\n\n' + line + "\n")
    assert main(["--labels", str(labels), "--pages", str(tmp_path)]) == 1
    assert f"labels.jsonl:3: {problem}" in capsys.readouterr().err


def test_missing_sources_are_named(tmp_path, capsys):
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"job_id": "1"}\n')
    assert main(["--labels", str(labels), "--db", str(tmp_path / "none.db")]) == 1
    assert "no database at" in capsys.readouterr().err
    assert main(["--labels", str(labels), "--pages", str(tmp_path / "none")]) == 1
    assert "is not a directory of pages" in capsys.readouterr().err
    assert main(["--labels", str(tmp_path / "none.jsonl")]) == 1
    assert "none.jsonl" in capsys.readouterr().err


@pytest.mark.parametrize("which, content, says", [
    ("labels", b"\x1f\x8b\x08\x00gzip", "labels.jsonl: not UTF-8 text (invalid start byte at byte 1 of a line)"),
    ("db", b"not a database" * 100, "cannot read the labels of {db}: file is not a database"),
    ("db", b"", "cannot read the labels of {db}: no such table: job_skills"),
])
def test_a_source_that_cannot_be_read_is_one_line(tmp_path, capsys, which, content, says):
    files = {"labels": tmp_path / "labels.jsonl", "db": tmp_path / "jobs.db"}
    files["labels"].write_text('{"job_id": "1"}\n')
    files[which].write_bytes(content)
    assert main(["--labels", str(files["labels"]), "--db", str(files["db"])]) == 1
    assert capsys.readouterr().err.endswith(says.format(db=files["db"]) + "\n")


def test_jobs_left_out_are_counted(aliases):
    labels = {
        "1": {"title": "t", "skills": {"languages": ["Python"]}},
        "2": {"title": "t", "skills": None},  # said nothing about skills
        "3": {"title": "t", "skills": {}},  # no page
    }
    predictions = {j: Prediction({"Go"}, {}, {}) for j in ("1", "2")}
    out = report(labels, predictions, ["Python", "Go"], aliases)
    assert "jobs scored: 2 (1 labelled jobs have no page or row and are left out)" in out
    assert "labels without skills (left out of the skill scores): 1" in out
    assert "micro F1 0.000" in out


def test_sources_without_any_labelled_job_are_an_error(tmp_path, capsys):
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"job_id": "1", "skills": {}}\n')
    pages = tmp_path / "pages"
    pages.mkdir()
    assert main(["--labels", str(labels), "--pages", str(pages)]) == 1
    assert "none of the 1 labelled jobs is in" in capsys.readouterr().err


def test_errors_takes_headline_skills_only(tmp_path, capsys):
    # checked before any file is read: the labels named here do not exist
    assert main(["--labels", str(tmp_path / "absent.jsonl"), "--errors", "Python", "nonsense"]) == 1
    err = capsys.readouterr().err
    assert "unknown: nonsense" in err and "absent.jsonl" not in err


def test_micro_interval_brackets_the_score_and_is_reproducible():
    truth = {str(n): {"Python"} if n % 3 else {"Go"} for n in range(60)}
    ours = {str(n): {"Python"} for n in range(60)}
    _, micro, _ = skill_table(truth, ours, ["Python", "Go"])
    low, high = micro_interval(truth, ours, ["Python", "Go"])
    assert low < micro < high
    assert (low, high) == micro_interval(truth, ours, ["Python", "Go"])
    assert micro_interval({"1": {"Go"}}, {"1": {"Go"}}, ["Go"]) == (1.0, 1.0)


def test_accuracy_line_gives_the_interval():
    pairs = [("yes", "yes")] * 90 + [("yes", "no")] * 10
    line = accuracy_line("is_management", pairs)
    low, high = (float(x) for x in line.split("interval ")[1].split(")")[0].split("-"))
    assert line.startswith("is_management accuracy 0.900 (95% interval ")
    assert line.endswith(") over 100 jobs")
    assert 0.8 < low < 0.9 < high < 0.97


def test_adjudicated_disagreements_correct_the_labels(aliases):
    labels = {
        "1": {"title": "t", "skills": {"languages": ["Python"]}},
        "2": {"title": "t", "skills": {"languages": ["Python", "Go"]}},
        "3": {"title": "t", "skills": {"languages": []}},
    }
    predictions = {
        "1": Prediction({"Python", "Go"}, {}, {}),  # Go: the labels missed it
        "2": Prediction({"Python"}, {}, {}),  # Go: the posting never asks for it
        "3": Prediction({"Python"}, {}, {}),  # not read again
    }
    verdicts = {("1", "Go"): True, ("2", "Go"): False, ("3", "Go"): None, ("9", "Go"): True}
    readings = [[True, True], [False, False], [True, None], [True, True]]  # one per verdict, in order
    out = report(labels, predictions, ["Python", "Go"], aliases, adjudication=Adjudication(verdicts, readings))
    assert "(adjudication.jsonl: 2 settled, 2 labels corrected):" in out
    assert "  micro F1 0.857   macro F1 0.900   lowest: Python 0.80, Go 1.00" in out
    assert "  disagreements not read again yet: 1" in out
    assert "micro F1 0.571" in out  # the raw score is unchanged
    assert "two independent readings agree on 75.0% of 4 rows read twice (Cohen's kappa 0.56)" in out


def test_no_adjudication_section_without_verdicts(aliases):
    labels = {"1": {"title": "t", "skills": {"languages": ["Python"]}}}
    out = report(labels, {"1": Prediction({"Python"}, {}, {})}, ["Python"], aliases,
                 adjudication=Adjudication({("1", "Go"): None}))  # fmt: skip
    assert "read again by hand" not in out


def test_adjudication_file(tmp_path):
    path = tmp_path / "adjudication.jsonl"
    path.write_text('{"job_id": 7, "skill": "Go", "asks_for_skill": false, "readings": [false, false]}\n\n'
                    '{"job_id": "8", "skill": "Go", "asks_for_skill": null, "readings": [true, null]}\n'
                    '{"job_id": "9", "skill": "Go", "asks_for_skill": null, "readings": []}\n')  # fmt: skip
    adjudication = read_adjudication(path)
    assert adjudication.verdicts == {("7", "Go"): False, ("8", "Go"): None}  # 9 is not read yet
    assert adjudication.agreement()[:2] == (2, 0.5)
    assert adjudication.name == "adjudication.jsonl"


@pytest.mark.parametrize(
    "row, problem",
    [
        ('{"job_id": "7"}', "not an adjudication row"),
        ('{"job_id": "7", "skill": "Go", "asks_for_skill": "no"}', "asks_for_skill must be true, false or null"),
        ('{"job_id": "7", "skill": "Go", "asks_for_skill": 1}', "asks_for_skill must be true, false or null"),
        ('{"job_id": "7", "skill": "Go", "asks_for_skill": true, "readings": "ab"}', "readings must be a list"),
        ('{"job_id": "7", "skill": "Go", "asks_for_skill": true, "readings": [[true]]}', "readings must be a list"),
        ('{"job_id": "7", "skill": "Go", "asks_for_skill": true, "readings": [true, false]}',
         "asks_for_skill must be what the readings agree on"),
        ('{"job_id": "7", "skill": "Go", "asks_for_skill": null, "readings": [true, true]}',
         "asks_for_skill must be what the readings agree on"),
        ('{"job_id": "1", "skill": "Go", "asks_for_skill": true}', "1 / Go is settled on an earlier line"),
    ],
)  # fmt: skip
def test_unreadable_adjudication_rows_stop_with_their_line(tmp_path, row, problem):
    path = tmp_path / "adjudication.jsonl"
    path.write_text('{"job_id": "1", "skill": "Go", "asks_for_skill": false}\n' + row + "\n")
    with pytest.raises(ValueError, match=f"adjudication.jsonl:2: {problem}"):
        read_adjudication(path)


def test_kappa_is_not_a_number_when_chance_agrees_on_everything():
    assert Adjudication({("1", "Go"): True}, [[True, True]]).agreement() == (1, 1.0, None)


def test_adjudication_options(tmp_path, capsys):
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"job_id": "1", "skills": {}}\n')
    assert main(["--labels", str(labels), "--adjudication", str(tmp_path / "typo.jsonl")]) == 1
    assert "typo.jsonl" in capsys.readouterr().err
    same = tmp_path / "adjudication.jsonl"
    same.write_text("")
    assert main(["--labels", str(labels), "--adjudication", str(same), "--to-read", str(same)]) == 1
    assert "give it another file than the adjudication" in capsys.readouterr().err


def test_the_committed_adjudication_names_headline_skills_and_sample_jobs():
    from jobcrawler.tagging import Tagger

    headline = set(Tagger.load().headline_skills)
    adjudication = read_adjudication(ADJUDICATION_PATH)
    verdicts = adjudication.verdicts
    assert verdicts and all(skill in headline for _, skill in verdicts)
    assert all(job_id.isdigit() for job_id, _ in verdicts)
    assert all(len(readings) == 2 for readings in adjudication.readings)  # every row read twice


def test_disagreements_to_read_are_written_as_rows_to_fill_in(tmp_path, capsys):
    db_path = one_job_db(tmp_path / "jobs.db", "Python and Go", ["Python", "Go"])
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"job_id": "1", "skills": {"languages": ["Python", "SQL"]}}\n')
    adjudication = tmp_path / "adjudication.jsonl"
    adjudication.write_text('{"job_id": "1", "skill": "Go", "asks_for_skill": true, "readings": [true, true]}\n')
    to_read = tmp_path / "to_read.jsonl"
    args = ["--labels", str(labels), "--db", str(db_path), "--adjudication", str(adjudication), "--to-read", str(to_read)]
    assert main(args) == 0
    assert "1 disagreements to read written to" in capsys.readouterr().err
    rows = [json.loads(line) for line in to_read.read_text().splitlines()]
    assert rows == [{"job_id": "1", "skill": "SQL", "asks_for_skill": None, "readings": [], "reason": "",
                     "labels_say": True, "we_matched": None}]  # fmt: skip


def test_against_compares_two_label_sources_on_the_jobs_both_labelled(tmp_path, capsys):
    from analysis.evaluate import main
    from jobcrawler import storage

    path = tmp_path / "jobs.db"
    db = storage.open_db(path)
    seen = "2026-02-04T00:00:00+00:00"
    for job_id in ("1", "2", "3"):
        storage.save_job(db, storage.job_row({"job_id": job_id, "title": "AI Engineer"}), city=None, run_id=None,
                         locations=[], skills=[], seen_at=seen)
    rules = {"1": ("ai-first", ["RAG", "Python"]), "2": ("ai-support", ["Python"]), "3": ("ai-first", ["RAG"])}
    imported = {"1": ("ai-first", ["RAG"]), "2": ("ai-first", ["Python", "RAG"])}  # job 3 not labelled
    use_cases = {"rules": {"1": ["domain knowledge"], "2": []}, "fieldguide": {"1": ["domain knowledge", "style/tone"]}}
    for source, labels in (("rules", rules), ("fieldguide", imported)):
        storage.save_labels(db, [(job_id, storage.label_row(
            {"ai_type": ai_type, "fine_tuning_use_cases": use_cases[source].get(job_id, []),
             "is_tech_lead": (job_id == "1") if source == "rules" else None}, source), [{"skill": s} for s in skills])
            for job_id, (ai_type, skills) in labels.items()])
    db.close()
    assert main(["--db", str(path), "--labels", "rules", "--against", "fieldguide"]) == 0
    out = capsys.readouterr().out
    assert "2 jobs labelled by both (rules: 3, fieldguide: 2)" in out
    rag = next(line for line in out.splitlines() if line.startswith("RAG "))
    assert rag.split()[1:5] == ["1.00", "0.50", "0.67", "2"]  # rules found RAG in 1 of fieldguide's 2
    assert "ai_type accuracy 0.500" in out
    table = out[out.index("ai_type accuracy"):].splitlines()
    assert table[2].split() == ["ai-first", "1", "1"]  # both fieldguide ai-first: rules says ai-first once, ai-support once
    assert "is_tech_lead         n/a: fieldguide does not label it" in out  # not scored as 0 against nothing
    cases = out[out.index("fine_tuning_use_cases (each use case"):].splitlines()
    assert cases[2].split() == ["domain", "knowledge", "1.00", "1.00", "1.00", "1"]  # one row per use case
    assert cases[3].split() == ["style/tone", "0.00", "0.00", "0.00", "1"]
    assert main(["--db", str(path), "--labels", "rules", "--against", "llm:none"]) == 1
    assert "no job in" in capsys.readouterr().err
