"""The Field Guide importer on a small dataset written here, in the repository's own layout."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from jobcrawler import fieldguide
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
