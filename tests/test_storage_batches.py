"""Storage's batch writes and index maintenance (the speed-ups bench/ measures) change no result."""

from __future__ import annotations

import sqlite3

import sqlite_utils

from jobcrawler import retag, storage

SEEN = "2026-02-01T00:00:00+00:00"


def _job(job_id: str, title: str = "AI Engineer", description: str = "Build RAG pipelines with Python and LangChain."):
    row = storage.job_row({"job_id": job_id, "title": title, "company": "Acme", "description": description,
                           "top_skills": ["Python"], "industries": ["Software"], "posted_date": "2026-01-20"})
    return {"row": row, "city": "berlin", "run_id": None, "seen_at": SEEN,
            "locations": [{"label": "Berlin, DEU", "locality": "Berlin", "country": "DEU"}],
            "skills": [{"skill": "Python", "category": "languages", "matched": "Python", "source": "description"},
                       {"skill": "RAG", "category": "genai", "matched": "RAG", "source": "description"}]}


def _dump(path) -> dict:
    with sqlite3.connect(path) as conn:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
                for table in ("jobs", "job_locations", "job_skills", "job_cities")}


def test_save_jobs_stores_what_save_job_stores(tmp_path):
    one, many = storage.open_db(tmp_path / "one.db"), storage.open_db(tmp_path / "many.db")
    jobs = [_job("1"), _job("2", title="ML Engineer"), _job("1", title="AI Engineer II")]  # the last one updates
    for job in jobs:
        storage.save_job(one, **job)
    storage.save_jobs(many, jobs)
    one.close(), many.close()
    assert _dump(tmp_path / "one.db") == _dump(tmp_path / "many.db")


def test_save_tags_batch_rewrites_only_changed_skills(tmp_path):
    db = storage.open_db(tmp_path / "jobs.db")
    storage.save_jobs(db, [_job("1"), _job("2"), _job("3")])
    rowids = dict(db.execute("SELECT job_id || '/' || skill, rowid FROM job_skills").fetchall())
    same = _job("1")["skills"]
    changed = [{"skill": "Python", "category": "languages", "matched": "python", "source": "title"}]
    duplicated = [{"skill": "RAG", "category": "genai", "matched": "RAG", "source": "title"},
                  {"skill": "RAG", "category": "genai", "matched": "rag", "source": "description"}]
    storage.save_tags_batch(db, [("1", {"ai_type": "ai-first"}, same), ("2", {"ai_type": "ml"}, changed),
                                 ("3", {}, duplicated)], "v2")
    rows = db.execute("SELECT job_id, skill, category, matched, source, rowid FROM job_skills ORDER BY job_id, rowid").fetchall()
    assert [r[:5] for r in rows] == [
        ("1", "Python", "languages", "Python", "description"), ("1", "RAG", "genai", "RAG", "description"),
        ("2", "Python", "languages", "python", "title"),
        ("3", "RAG", "genai", "RAG", "title"),  # INSERT OR IGNORE: the first of a repeated skill stays
    ]
    assert [r[5] for r in rows[:2]] == [rowids["1/Python"], rowids["1/RAG"]]  # untouched rows
    tags = db.execute("SELECT job_id, ai_type, tagger_version FROM jobs ORDER BY job_id").fetchall()
    assert tags == [("1", "ai-first", "v2"), ("2", "ml", "v2"), ("3", None, "v2")]


def test_full_text_index_follows_title_and_description_only(tmp_path):
    db = storage.open_db(tmp_path / "jobs.db")
    trigger = db.execute("SELECT sql FROM sqlite_master WHERE name = 'jobs_au'").fetchone()[0]
    assert 'UPDATE OF "title", "description"' in trigger
    storage.save_job(db, **_job("1"))
    storage.record_sighting(db, "1", "london", None, "2026-03-01T00:00:00+00:00")
    storage.save_job(db, **_job("1", title="Quantum Wrangler"))
    storage.save_tags_batch(db, [("1", {"ai_type": "ml"}, [])], "v2")
    assert db.execute("SELECT count(*) FROM jobs_fts WHERE jobs_fts MATCH 'wrangler'").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM jobs_fts WHERE jobs_fts MATCH 'engineer'").fetchone()[0] == 0
    with db.conn:
        db.execute("INSERT INTO jobs_fts (jobs_fts) VALUES ('integrity-check')")


def test_open_db_narrows_the_update_trigger_of_an_older_database(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    old["jobs"].create(storage.JOB_COLUMNS, pk="job_id", not_null={"times_seen"}, defaults={"times_seen": 0})
    old["jobs"].enable_fts(["title", "description"], create_triggers=True, tokenize="porter")
    old.close()
    db = storage.open_db(path)
    assert "UPDATE OF" in db.execute("SELECT sql FROM sqlite_master WHERE name = 'jobs_au'").fetchone()[0]
    assert db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'idx_jobs_newest'").fetchone()[0] == 1


def test_retag_with_two_workers_writes_what_one_worker_writes(tmp_path):
    descriptions = ["Build RAG pipelines with LangChain and Python on AWS.",
                    "Train PyTorch models; deploy on Kubernetes.",
                    "React and TypeScript front end for an LLM product."]
    paths = []
    for workers in (1, 2):
        path = tmp_path / f"w{workers}.db"
        db = storage.open_db(path)
        storage.save_jobs(db, [_job(str(i), description=descriptions[i % 3]) for i in range(40)])
        db.close()
        assert retag.retag(path, everything=True, workers=workers) == 40
        paths.append(path)
    assert _dump(paths[0]) == _dump(paths[1])
