"""The Field Guide importer on a small dataset written here, in the repository's own layout."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from jobcrawler import fieldguide, storage
from jobcrawler.fieldguide import DatasetError, LabelReader, import_dataset, place_of, reindent_blocks, unwrap
from tests.helpers import REPO

INDEX = """title,company,location,work_type,level,compensation,link,id,scraped_date
AI Engineer,Acme,"Berlin, DEU",Hybrid,Senior level,,https://builtin.com/job/ai-engineer/101,101,2026-02-04
AI Platform Engineer,Beta,"New York, USA",Remote,Mid level,150K-200K Annually,https://builtin.com/job/ai-platform-engineer/102,102,2026-02-04
Broken Posting,Gamma,USA,In-Office,Senior level,,https://builtin.com/job/broken/103,103,2026-02-04
Research Scientist,Delta,GBR,Hybrid,Senior level,,https://builtin.com/job/research-scientist/104,104,2026-02-27
"""

RAW = """job_id: {id}
title: {title}
company: {company}
location: {location}
work_type: FULL_TIME
level: Senior level
skills:
  - Python
company_size: 1,200 Employees
description: |
  We build retrieval-augmented generation systems with LangChain and
  Python for our customers.

  - Ship RAG pipelines to production and evaluate them with care every
    single week
posted_date: 2026-01-20
url: https://builtin.com/job/x/{id}
source: Built In
"""

STRUCTURED = """company:
  name: {company}
  stage: {stage}
  focus: Things
position:
  title: {title}
  ai_type:
    type: {ai_type}
    reasoning: Because.
  responsibilities:
  - {responsibility}
  use_cases:
  - Fine-tuning models on medical records
  - Agents that follow instructions
  skills:
    genai: [RAG, Retrieval-Augmented Generation, LangChain]
    ml: [fine-tuning, LoRA]
    web: [React, FastAPI]
    databases: [Postgres, PostgreSQL]
    data: []
    cloud: [Google Cloud]
    ops: []
    languages: [Python]
    domains: [healthcare]
    other: [Mystery Tool]
  is_customer_facing: true
  is_management: false
meta:
  job_id: '{id}'
  extracted_at: '2026-02-05T09:25:23'
"""


def write_dataset(root: Path) -> Path:
    market = root / "job-market"
    (market / "_internal").mkdir(parents=True)
    (market / "data_raw").mkdir()
    (market / "data_structured").mkdir()
    (market / "_internal" / "all_jobs_dedup.csv").write_text(INDEX)
    jobs = {
        "101": dict(title="AI Engineer", company="Acme", location="Berlin, DEU", stage="Series B", ai_type="ai-first",
                    responsibility="Fine-tune LLMs with LoRA for clinical notes"),
        "102": dict(title="AI Platform Engineer", company="Beta", location="New York, USA", stage="Series B+",
                    ai_type="ai-support", responsibility="Run the GPU platform"),
        "104": dict(title="Research Scientist", company="Delta", location="GBR", stage="Public (FTSE 100)",
                    ai_type="ml-first", responsibility="Publish papers"),
    }
    for job_id, values in jobs.items():
        (market / "data_raw" / f"{job_id}_x.yaml").write_text(RAW.format(id=job_id, **values))
        (market / "data_structured" / f"{job_id}_x.yaml").write_text(STRUCTURED.format(id=job_id, **values))
    # 103: a description line lost its indentation (repairable) in data_raw, and an unreadable label
    broken = RAW.format(id="103", title="Broken Posting", company="Gamma", location="USA")
    (market / "data_raw" / "103_broken.yaml").write_text(broken.replace("  Python for our customers.", "Python for our customers."))
    (market / "data_structured" / "103_broken.yaml").write_text("company: [unclosed\n")
    return root


def dump(path: Path) -> dict:
    with sqlite3.connect(path) as conn:
        return {table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
                for table in ("jobs", "job_labels", "job_skills", "job_cities", "job_locations", "sightings", "crawl_runs")}


def test_unwrap_joins_wrapped_lines_and_keeps_paragraphs_and_bullets():
    text = ("The mission of Speechify is to make sure that reading is\nnever a barrier.\n\nWhat You'll Do\n\n"
            "- Researching and implementing state-of-the-art in NLP and TTS\n  or CV with a focus\n- Short one\n"
            "Next line")
    assert unwrap(text) == ("The mission of Speechify is to make sure that reading is never a barrier.\n\n"
                            "What You'll Do\n\n- Researching and implementing state-of-the-art in NLP and TTS or CV with a focus\n"
                            "- Short one\nNext line")


def test_reindent_blocks_repairs_lines_that_left_their_block():
    text = "description: |\n  first line\nSecond line lost its indent\n  third\nposted_date: 2026-01-01\n"
    assert reindent_blocks(text) == "description: |\n  first line\n  Second line lost its indent\n  third\nposted_date: 2026-01-01\n"


def test_place_of_reads_builtin_location_labels():
    assert place_of("New York, USA") == {"locality": "New York", "region": None, "country": "USA"}
    assert place_of("GBR") == {"locality": None, "region": None, "country": "GBR"}
    assert place_of(None) is None


def test_label_reader_maps_skills_and_stages():
    reader, unknown = LabelReader.load(), Counter()
    skills = reader.skills({"databases": ["Postgres", "PostgreSQL"], "other": ["Mystery Tool"], "cloud": ["Google Cloud"]},
                           unknown)
    assert [(s["skill"], s["category"], s["matched"]) for s in skills] == [
        ("PostgreSQL", "databases", "Postgres"), ("PostgreSQL", "databases", "PostgreSQL"),
        ("Mystery Tool", "other", "Mystery Tool"), ("GCP", "cloud", "Google Cloud")]
    assert unknown == {"Mystery Tool": 1}
    assert [reader.stage(s) for s in ("Series B", "series b", "Series B+", "Public (FTSE 100)", None, "Series E")] == [
        "Series B", "Series B", "Private/unknown", "Private/unknown", "Private/unknown", "Series D+"]


def test_import_writes_jobs_both_label_sources_and_a_run_per_batch(tmp_path):
    root = write_dataset(tmp_path / "guide")
    db = tmp_path / "jobs.db"
    report = import_dataset(root, db)
    assert report.batches == {"2026-02-04": 3, "2026-02-27": 1}
    assert report.repaired == ["data_raw/103_broken.yaml"]
    assert report.unreadable == ["data_structured/103_broken.yaml"] and report.unlabelled == 1
    assert report.unknown_skills == {"healthcare": 3, "Mystery Tool": 3}
    with sqlite3.connect(db) as conn:
        runs = conn.execute("SELECT spider, started_at, status, items_stored FROM crawl_runs ORDER BY run_id").fetchall()
        assert runs == [("fieldguide", "2026-02-04T00:00:00+00:00", "ok", 3), ("fieldguide", "2026-02-27T00:00:00+00:00", "ok", 1)]
        assert conn.execute("SELECT count(*) FROM sightings").fetchone()[0] == 4
        job = conn.execute("SELECT title, company, country, work_type, employment_type, company_size, salary_min, "
                           "posted_date, description FROM jobs WHERE job_id = '102'").fetchone()
        assert job[:8] == ("AI Platform Engineer", "Beta", "USA", "Remote", "FULL_TIME", 1200, 150000.0, "2026-01-20")
        assert "generation systems with LangChain and Python for our customers" in job[8]  # unwrapped
        assert "Python for our customers" in conn.execute("SELECT description FROM jobs WHERE job_id = '103'").fetchone()[0]
        sources = conn.execute("SELECT labels, count(*) FROM job_labels GROUP BY labels").fetchall()
        assert sources == [("fieldguide", 3), ("rules", 4)]  # 103's labels file is unreadable
        labels = conn.execute(
            "SELECT job_id, ai_type, company_stage, company_stage_raw, is_customer_facing, is_research, fine_tuning, "
            "fine_tuning_use_cases, support_category FROM job_labels WHERE labels = 'fieldguide' ORDER BY job_id").fetchall()
        assert labels == [
            ("101", "ai-first", "Series B", "Series B", 1, 0, "primary", '["domain knowledge", "instruction following"]', None),
            ("102", "ai-support", "Private/unknown", "Series B+", 1, 0, "none", "[]", "platform/infrastructure"),
            ("104", "ml", "Private/unknown", "Public (FTSE 100)", 1, 1, "none", "[]", None),
        ]
        skills = conn.execute("SELECT skill FROM job_skills WHERE labels = 'fieldguide' AND job_id = '101' ORDER BY skill").fetchall()
        # canonical names, one row each ("Postgres" and "PostgreSQL"; "LoRA" is fine-tuning); unknown names as written
        assert [s for (s,) in skills] == ["FastAPI", "GCP", "LangChain", "Mystery Tool", "PostgreSQL", "Python", "RAG",
                                          "React", "fine-tuning", "healthcare"]
        assert conn.execute("SELECT count(*) FROM job_skills WHERE labels = 'rules'").fetchone()[0] > 0
    before = dump(db)
    again = import_dataset(root, db)
    assert again.batches == report.batches
    assert dump(db) == before  # a second import changes nothing


def test_one_batch_and_clear_errors(tmp_path):
    root = write_dataset(tmp_path / "guide")
    db = tmp_path / "jobs.db"
    assert import_dataset(root / "job-market", db, batch="2026-02-27").batches == {"2026-02-27": 1}
    with pytest.raises(DatasetError, match="no batch 2026-03-01 .*batches: 2026-02-04, 2026-02-27"):
        import_dataset(root, db, batch="2026-03-01")
    result = subprocess.run([sys.executable, "-m", "jobcrawler.fieldguide", str(tmp_path), "--db", str(db)],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 2 and "is no Field Guide checkout" in result.stderr


def test_command_line_reports_what_it_did(tmp_path):
    root = write_dataset(tmp_path / "guide")
    result = subprocess.run([sys.executable, "-m", "jobcrawler.fieldguide", str(root), "--db", str(tmp_path / "j.db")],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "batch 2026-02-04: 3 jobs" in result.stdout and "imported 4 jobs" in result.stdout
    assert "skipped unreadable file: data_structured/103_broken.yaml" in result.stdout
    assert "batch 2026-02-04: 3/3 jobs" in result.stderr  # progress
    assert fieldguide.SOURCE == "fieldguide"


def test_a_posting_the_crawl_would_drop_is_counted_not_stored(tmp_path):
    root = write_dataset(tmp_path / "guide")
    market = root / "job-market"
    with (market / "_internal" / "all_jobs_dedup.csv").open("a") as index:
        index.write("Odd,Epsilon,USA,Remote,,,https://builtin.com/job/odd/x9,x9,2026-02-27\n")
    (market / "data_raw" / "x9_odd.yaml").write_text(RAW.format(id="x9", title="Odd", company="Epsilon", location="USA"))
    report = import_dataset(root, tmp_path / "jobs.db", batch="2026-02-27")
    assert report.batches == {"2026-02-27": 1} and report.dropped == {"invalid_job_id": 1}
    assert "dropped 1 jobs: invalid_job_id" in report.lines()


# --- Older or newer than the database: the import never rewinds what a crawl stored ----------

LIFECYCLE = "title, fetched_at, first_seen, last_seen, times_seen, closed_at"
RUN = "CASE spider WHEN 'fieldguide' THEN started_at ELSE spider END"  # a batch by its date, the crawl as builtin


def crawl_job(db_path: Path, job_id: str, title: str, day: str, closed_at: str | None = None) -> int:
    """A crawl run on ``day`` that fetched ``job_id`` (closed at ``closed_at`` afterwards, as a later
    complete listing without it would); its run id."""
    db = storage.open_db(db_path)
    try:
        run_id = storage.start_run(db, "builtin", "berlin", "AI Engineer", {}, "https://builtin.com")
        seen = f"{day}T10:00:00+00:00"
        storage.save_job(db, storage.job_row({"job_id": job_id, "title": title, "fetched_at": seen}), city="berlin",
                         run_id=run_id, locations=[], skills=[], seen_at=seen)
        if closed_at:
            with db.conn:
                db.execute("UPDATE jobs SET closed_at = ? WHERE job_id = ?", [closed_at, job_id])
        return run_id
    finally:
        db.close()


def job_state(db_path: Path, job_id: str = "101") -> dict:
    with sqlite3.connect(db_path) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute(
            f"SELECT {LIFECYCLE}, (SELECT {RUN} FROM crawl_runs WHERE run_id = last_run_id) AS last_run, "
            f"(SELECT {RUN} FROM crawl_runs WHERE run_id = fetched_run_id) AS fetched_run, "
            "(SELECT count(*) FROM job_locations l WHERE l.job_id = jobs.job_id) AS locations "
            "FROM jobs WHERE job_id = ?", [job_id]).fetchone()
        return dict(row)


def test_import_after_a_later_crawl_keeps_the_crawl_s_content_and_lifecycle(tmp_path):
    root, db = write_dataset(tmp_path / "guide"), tmp_path / "jobs.db"
    crawl_job(db, "101", "December title", "2026-12-01", closed_at="2026-12-20T00:00:00+00:00")
    import_dataset(root, db, batch="2026-02-04")
    assert job_state(db) == {
        "title": "December title", "fetched_at": "2026-12-01T10:00:00+00:00",
        "first_seen": "2026-02-04T00:00:00+00:00", "last_seen": "2026-12-01T10:00:00+00:00", "times_seen": 2,
        "closed_at": "2026-12-20T00:00:00+00:00",  # the crawl closed it after the batch saw it: still closed
        "last_run": "builtin", "fetched_run": "builtin", "locations": 0}  # the crawl's run and its (no) locations
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT labels FROM job_labels WHERE job_id = '101' ORDER BY labels").fetchall() == [
            ("fieldguide",)]  # the import's own labels; no rule labels of the older text
        assert conn.execute("SELECT city, first_seen, last_seen FROM job_cities WHERE job_id = '101' "
                            "ORDER BY city").fetchall() == [
            ("berlin", "2026-12-01T10:00:00+00:00", "2026-12-01T10:00:00+00:00"),
            ("fieldguide", "2026-02-04T00:00:00+00:00", "2026-02-04T00:00:00+00:00")]
    before = dump(db)
    import_dataset(root, db, batch="2026-02-04")
    assert dump(db) == before  # importing it again changes nothing


def test_import_after_an_older_crawl_updates_and_reopens(tmp_path):
    root, db = write_dataset(tmp_path / "guide"), tmp_path / "jobs.db"
    crawl_job(db, "101", "January title", "2026-01-10", closed_at="2026-01-20T00:00:00+00:00")
    import_dataset(root, db, batch="2026-02-04")
    state = job_state(db)
    assert state == {"title": "AI Engineer", "fetched_at": "2026-02-04T00:00:00+00:00",
                     "first_seen": "2026-01-10T10:00:00+00:00", "last_seen": "2026-02-04T00:00:00+00:00",
                     "times_seen": 2, "closed_at": None,  # seen after the closing: open again
                     "last_run": "2026-02-04T00:00:00+00:00", "fetched_run": "2026-02-04T00:00:00+00:00",
                     "locations": 1}
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT labels FROM job_labels WHERE job_id = '101' ORDER BY labels").fetchall() == [
            ("fieldguide",), ("rules",)]


def test_crawl_after_an_import_moves_the_job_on(tmp_path):
    root, db = write_dataset(tmp_path / "guide"), tmp_path / "jobs.db"
    import_dataset(root, db, batch="2026-02-04")
    assert job_state(db) == {"title": "AI Engineer", "fetched_at": "2026-02-04T00:00:00+00:00",
                             "first_seen": "2026-02-04T00:00:00+00:00", "last_seen": "2026-02-04T00:00:00+00:00",
                             "times_seen": 1, "closed_at": None, "last_run": "2026-02-04T00:00:00+00:00",
                             "fetched_run": "2026-02-04T00:00:00+00:00", "locations": 1}
    crawl_job(db, "101", "December title", "2026-12-01")
    state = job_state(db)
    assert {k: state[k] for k in LIFECYCLE.split(", ")} == {
        "title": "December title", "fetched_at": "2026-12-01T10:00:00+00:00",
        "first_seen": "2026-02-04T00:00:00+00:00", "last_seen": "2026-12-01T10:00:00+00:00", "times_seen": 2,
        "closed_at": None}


def test_batches_imported_in_either_order_give_the_same_job(tmp_path):
    """Job 101 in both batches (same files): the later batch's fetch and sighting win in either order."""
    states = []
    for order in (["2026-02-04", "2026-02-27"], ["2026-02-27", "2026-02-04"]):
        root, db = write_dataset(tmp_path / "-".join(order)), tmp_path / f"{'-'.join(order)}.db"
        with (root / "job-market" / "_internal" / "all_jobs_dedup.csv").open("a") as index:
            index.write("AI Engineer,Acme,\"Berlin, DEU\",Hybrid,Senior level,,https://builtin.com/job/a/101,101,2026-02-27\n")
        for day in order:
            import_dataset(root, db, batch=day)
        states.append(job_state(db))
        import_dataset(root, db)  # both again: nothing moves
        assert job_state(db) == states[-1]
    assert states[0] == states[1] == {
        "title": "AI Engineer", "fetched_at": "2026-02-27T00:00:00+00:00",
        "first_seen": "2026-02-04T00:00:00+00:00", "last_seen": "2026-02-27T00:00:00+00:00", "times_seen": 2,
        "closed_at": None, "last_run": "2026-02-27T00:00:00+00:00", "fetched_run": "2026-02-27T00:00:00+00:00",
        "locations": 1}


@pytest.mark.parametrize("first, second", [("Older", "Newer"), ("Newer", "Older")])
def test_imported_content_is_replaced_only_by_a_newer_fetch(tmp_path, first, second):
    db = storage.open_db(tmp_path / "jobs.db")
    days = {"Older": "2026-02-04T00:00:00+00:00", "Newer": "2026-02-27T00:00:00+00:00"}
    for title in (first, second):
        run_id = storage.imported_run(db, "fieldguide", days[title], "AI Engineer", {"batch": title}, None)
        storage.save_imported_jobs(db, [dict(row=storage.job_row({"job_id": "1", "title": title,
                                                                   "fetched_at": days[title]}),
                                              city="fieldguide", run_id=run_id, locations=[], skills=[],
                                              seen_at=days[title])])
    assert db.execute("SELECT title, first_seen, last_seen, times_seen FROM jobs").fetchall() == [
        ("Newer", days["Older"], days["Newer"], 2)]
    db.close()


# --- Files of unexpected shapes: reported by name and skipped, never a crash --------------------

def rewrite(root: Path, name: str, old: str, new: str) -> None:
    path = root / "job-market" / name
    text = path.read_text()
    assert old in text, (name, old)
    path.write_text(text.replace(old, new))


RAW_101, LABEL_101 = "data_raw/101_x.yaml", "data_structured/101_x.yaml"


@pytest.mark.parametrize("name, old, new, problem", [
    (RAW_101, "location: Berlin, DEU", "location: 5", "location: expected text, found int"),
    (RAW_101, "title: AI Engineer", "title: {x: 1}", "title: expected text, found dict"),
    (RAW_101, "description: |", "description:\n- one\n- two\nold_description: |",
     "description: expected text, found a list of str"),
    (RAW_101, "skills:\n  - Python", "skills:\n  - {a: 1}", "skills: expected text or a list of text, found a list of dict"),
    (RAW_101, "job_id: 101", "job_id: [101]", "job_id: expected text, found a list of int"),
])
def test_a_posting_file_of_an_unexpected_shape_is_reported_and_its_job_skipped(tmp_path, name, old, new, problem):
    root, db = write_dataset(tmp_path / "guide"), tmp_path / "jobs.db"
    rewrite(root, name, old, new)
    report = import_dataset(root, db, batch="2026-02-04")
    assert report.batches == {"2026-02-04": 2} and name in report.unreadable
    assert report.reasons[name] == problem
    assert f"skipped unreadable file: {name} ({problem})" in report.lines()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM jobs WHERE job_id = '101'").fetchone()[0] == 0
        assert conn.execute("SELECT status, items_stored FROM crawl_runs").fetchall() == [("ok", 2)]


@pytest.mark.parametrize("old, new, problem", [
    ("  skills:\n    genai", "  skills:\n  - RAG\n  old_skills:\n    genai", "position.skills: expected a mapping, found a list of str"),
    ("position:\n  title", "position: x\nold_position:\n  title", "position: expected a mapping, found str"),
    ("    type: ai-first", "    type: [ai-first, ml-first]", "position.ai_type.type: expected text, found a list of str"),
    ("  is_customer_facing: true", "  is_customer_facing: 'yes'", "position.is_customer_facing: expected true/false, found str"),
    ("    ml: [fine-tuning, LoRA]", "    ml: [[fine-tuning], LoRA]", "position.skills.ml: expected text or a list of text, found a list of list, str"),
    ("company:\n  name", "company: [Acme]\nold_company:\n  name", "company: expected a mapping, found a list of str"),
])
def test_a_label_file_of_an_unexpected_shape_is_reported_and_its_job_kept_unlabelled(tmp_path, old, new, problem):
    root, db = write_dataset(tmp_path / "guide"), tmp_path / "jobs.db"
    rewrite(root, LABEL_101, old, new)
    report = import_dataset(root, db, batch="2026-02-04")
    assert report.batches == {"2026-02-04": 3} and report.unlabelled == 2  # 101 and 103
    assert report.reasons[LABEL_101] == problem
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT labels FROM job_labels WHERE job_id = '101'").fetchall() == [("rules",)]
        assert conn.execute("SELECT status FROM crawl_runs").fetchall() == [("ok",)]


def test_a_single_name_where_a_list_belongs_is_a_list_of_one(tmp_path):
    root, db = write_dataset(tmp_path / "guide"), tmp_path / "jobs.db"
    rewrite(root, LABEL_101, "    genai: [RAG, Retrieval-Augmented Generation, LangChain]", '    genai: "rag"')
    rewrite(root, LABEL_101, "  responsibilities:\n  - Fine-tune", "  responsibilities: Fine-tune")
    rewrite(root, RAW_101, "skills:\n  - Python", "skills: Python")
    report = import_dataset(root, db, batch="2026-02-04")
    assert report.unreadable == ["data_structured/103_broken.yaml"]
    with sqlite3.connect(db) as conn:
        skills = conn.execute("SELECT skill, matched FROM job_skills WHERE labels = 'fieldguide' AND job_id = '101' "
                              "AND source = 'skills.genai'").fetchall()
        assert skills == [("RAG", "rag")]  # not R, a, g
        assert conn.execute("SELECT responsibilities FROM job_labels WHERE labels = 'fieldguide' AND job_id = '101'"
                            ).fetchone() == ('["Fine-tune LLMs with LoRA for clinical notes"]',)
        assert conn.execute("SELECT top_skills FROM jobs WHERE job_id = '101'").fetchone() == ('["Python"]',)


def test_an_unexpected_error_on_one_job_skips_that_job_only(tmp_path, monkeypatch):
    root, db = write_dataset(tmp_path / "guide"), tmp_path / "jobs.db"
    real = fieldguide.place_of
    monkeypatch.setattr(fieldguide, "place_of", lambda label: 1 / 0 if label == "GBR" else real(label))
    report = import_dataset(root, db)
    assert report.batches == {"2026-02-04": 3, "2026-02-27": 0}
    assert report.reasons["data_raw/104_x.yaml"] == "ZeroDivisionError: division by zero"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT status, items_stored, items_dropped FROM crawl_runs ORDER BY run_id").fetchall() == [
            ("ok", 3, 0), ("ok", 0, 1)]


def test_an_import_that_stops_leaves_no_run_running_and_completes_when_run_again(tmp_path, monkeypatch):
    root, db = write_dataset(tmp_path / "guide"), tmp_path / "jobs.db"

    def disk_full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    with monkeypatch.context() as patch:
        patch.setattr(storage, "save_imported_jobs", disk_full)
        with pytest.raises(sqlite3.OperationalError):
            import_dataset(root, db, batch="2026-02-04")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT status, finish_reason, items_stored FROM crawl_runs").fetchall() == [
            ("interrupted", "OperationalError: database or disk is full", 0)]
        assert conn.execute("SELECT count(*) FROM jobs").fetchone()[0] == 0  # nothing half-written
    assert import_dataset(root, db, batch="2026-02-04").batches == {"2026-02-04": 3}
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT status, finish_reason, items_stored FROM crawl_runs").fetchall() == [
            ("ok", "finished", 3)]


def _not_a_database(db: Path) -> None:
    db.write_text("# notes, not a database\n" * 100)


def _another_programs_database(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE jobs (id INTEGER PRIMARY KEY, name TEXT)")


def _refuse(error: BaseException):
    def save(*args, **kwargs):
        raise error
    return save


@pytest.mark.parametrize("prepare, refusal, code, says", [
    (_not_a_database, None, 2, "error: cannot open the database {db}: file is not a database"),
    (_another_programs_database, None, 2, "error: {db} is not a jobcrawler database (its tables: jobs)"),
    (None, sqlite3.OperationalError("database or disk is full"), 1,
     "error: importing into {db} stopped: database or disk is full (the chunks written stay; run it again to finish)"),
    (None, KeyboardInterrupt(), 130, "interrupted: the chunks written stay; run it again to finish"),
])
def test_an_import_that_cannot_go_on_says_why_in_one_line(tmp_path, monkeypatch, capsys, prepare, refusal, code,
                                                          says):
    root, db = write_dataset(tmp_path / "guide"), tmp_path / "jobs.db"
    if prepare:
        prepare(db)
    if refusal:
        monkeypatch.setattr(storage, "save_imported_jobs", _refuse(refusal))
    with pytest.raises(SystemExit) as stopped:
        fieldguide.main([str(root), "--db", str(db)])
    err = capsys.readouterr().err
    assert stopped.value.code == code
    assert err.splitlines()[-1].startswith(f"python -m jobcrawler.fieldguide: {says.format(db=db)}")
    assert "Traceback" not in err


@pytest.mark.parametrize("url, link, stored", [
    ("javascript:alert(1)", "https://builtin.com/job/a/101", "https://builtin.com/job/a/101"),
    ("/job/ai-engineer/101", "", "https://builtin.com/job/ai-engineer/101"),
    ("data:text/html,hi", "javascript:void(0)", None),
])
def test_only_web_addresses_are_stored_as_the_job_s_url(tmp_path, url, link, stored):
    root, db = write_dataset(tmp_path / "guide"), tmp_path / "jobs.db"
    rewrite(root, RAW_101, "url: https://builtin.com/job/x/101", f"url: '{url}'")
    rewrite(root, "_internal/all_jobs_dedup.csv", "https://builtin.com/job/ai-engineer/101", link)
    import_dataset(root, db, batch="2026-02-04")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT url FROM jobs WHERE job_id = '101'").fetchone() == (stored,)


# --- Files an attacker or an accident could leave: each reported by name and skipped ------------

def test_bad_files_are_reported_by_name_and_skipped_and_the_rest_imported(tmp_path):
    """An impossible date, a job listed twice in one batch, a file that is a link to /dev/zero and a
    file whose job_id is another job's: the import goes on, each named with what is wrong."""
    root, db = write_dataset(tmp_path / "guide"), tmp_path / "jobs.db"
    market = root / "job-market"
    rewrite(root, RAW_101, "posted_date: 2026-01-20", "posted_date: 2026-02-30")
    (market / "data_raw" / "104_x.yaml").unlink()
    (market / "data_raw" / "104_x.yaml").symlink_to("/dev/zero")
    rewrite(root, "data_raw/103_broken.yaml", "job_id: 103", "job_id: 102")  # would overwrite job 102
    with (market / "_internal" / "all_jobs_dedup.csv").open("a") as index:  # 102 twice in one batch
        index.write("AI Platform Engineer,Beta,\"New York, USA\",Remote,Mid level,,"
                    "https://builtin.com/job/ai-platform-engineer/102,102,2026-02-04\n")
    report = import_dataset(root, db)
    assert report.batches == {"2026-02-04": 1, "2026-02-27": 0}
    assert set(report.unreadable) >= {RAW_101, "data_raw/103_broken.yaml", "data_raw/104_x.yaml"}
    assert report.reasons[RAW_101] == "posted_date: 2026-02-30 is no date (day is out of range for month)"
    assert report.reasons["data_raw/103_broken.yaml"] == "job_id 102 is not the one its file name says (103)"
    assert report.reasons["data_raw/104_x.yaml"] == "not a regular file"
    assert report.duplicates == ["102 (batch 2026-02-04)"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT job_id, title FROM jobs").fetchall() == [("102", "AI Platform Engineer")]
        assert conn.execute("SELECT status, items_stored FROM crawl_runs ORDER BY run_id").fetchall() == [
            ("ok", 1), ("ok", 0)]


def test_a_file_larger_than_the_cap_is_refused_unread(tmp_path, monkeypatch):
    root, db = write_dataset(tmp_path / "guide"), tmp_path / "jobs.db"
    monkeypatch.setattr(fieldguide, "MAX_FILE_BYTES", 2000)
    rewrite(root, RAW_101, "  Python for our customers.", "  Python for our customers." + " x" * 1000)
    report = import_dataset(root, db, batch="2026-02-04")
    assert report.reasons[RAW_101] == "larger than 2,000 bytes"
    assert report.batches == {"2026-02-04": 2}


def test_a_job_sqlite_refuses_is_reported_and_the_rest_of_its_chunk_stored(tmp_path, monkeypatch):
    root, db = write_dataset(tmp_path / "guide"), tmp_path / "jobs.db"
    real = storage.save_imported_jobs

    def refuse_102(db, jobs, labelled=()):
        if any(job["row"]["job_id"] == "102" for job in jobs):
            raise sqlite3.IntegrityError("UNIQUE constraint failed: job_label_evidence.job_id")
        return real(db, jobs, labelled)

    monkeypatch.setattr(storage, "save_imported_jobs", refuse_102)
    report = import_dataset(root, db, batch="2026-02-04")
    assert report.batches == {"2026-02-04": 2}
    assert report.reasons["data_raw/102_x.yaml"] == (
        "cannot be stored: IntegrityError: UNIQUE constraint failed: job_label_evidence.job_id")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT job_id FROM jobs ORDER BY job_id").fetchall() == [("101",), ("103",)]


def test_an_imported_value_over_the_cap_is_dropped_and_counted(tmp_path, monkeypatch):
    from jobcrawler import pipelines

    root, db = write_dataset(tmp_path / "guide"), tmp_path / "jobs.db"
    monkeypatch.setattr(pipelines, "MAX_VALUE_CHARS", 5_000)
    rewrite(root, RAW_101, "  Python for our customers.", "  Python for our customers." + " word" * 2_000)
    report = import_dataset(root, db, batch="2026-02-04")
    assert report.batches == {"2026-02-04": 2} and report.dropped == {"oversize_value": 1}
    assert "dropped 1 jobs: oversize_value" in report.lines()


@pytest.mark.parametrize("name, skill", [
    ("ReAct", "ReAct"),  # the agent pattern keeps its name
    ("React", "React"),
    ("react.js", "React"),
    ("Claude Code", "Claude Code"),  # the coding assistant is not the Anthropic API
    ("Claude API", "Anthropic API"),
    ("LLM fine-tuning", "fine-tuning"),
    ("RLHF", "fine-tuning"),
])
def test_imported_skill_names_merge_only_into_the_skill_they_are(name, skill):
    unknown = Counter()
    found = LabelReader.load().skills({"genai": [name]}, unknown)
    assert [row["skill"] for row in found] == [skill]
    assert bool(unknown) == (name == skill and name in ("ReAct", "Claude Code"))


@pytest.mark.parametrize("made, says", [(False, "no folder at {path}"), (True, "{path} is a file, not a folder")],
                         ids=["missing", "a-file"])
def test_a_path_that_is_no_folder_is_said_so(tmp_path, made, says):
    """A mistyped path (or ../ai-engineering-field-guide not cloned yet) was "is no Field Guide
    checkout: no _internal/all_jobs_dedup.csv in it", as if a folder were there; a file given was
    "no folder at" it, as if nothing were there."""
    path = tmp_path / "ai-engineering-field-guide"
    if made:
        path.write_text("job_id\n")
    result = subprocess.run([sys.executable, "-m", "jobcrawler.fieldguide", str(path), "--db", str(tmp_path / "j.db")],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr == (f"python -m jobcrawler.fieldguide: error: {says.format(path=path)}: give the path of a "
                             "clone of alexeygrigorev/ai-engineering-field-guide\n")
    assert not (tmp_path / "j.db").exists()
