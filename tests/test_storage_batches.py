"""Storage's batch writes and index maintenance (the speed-ups bench/ measures) change no result."""

from __future__ import annotations

import os
import signal
import sqlite3

import pytest
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
                for table in ("jobs", "job_locations", "job_skills", "job_cities")} | {
            "job_labels": conn.execute("SELECT job_id, labels, ai_type, version FROM job_labels ORDER BY 1, 2").fetchall()}


def test_save_jobs_stores_what_save_job_stores(tmp_path):
    one, many = storage.open_db(tmp_path / "one.db"), storage.open_db(tmp_path / "many.db")
    jobs = [_job("1"), _job("2", title="ML Engineer"), _job("1", title="AI Engineer II")]  # the last one updates
    for job in jobs:
        storage.save_job(one, **job)
    storage.save_jobs(many, jobs)
    one.close(), many.close()
    assert _dump(tmp_path / "one.db") == _dump(tmp_path / "many.db")


def _labels(categories: dict, source: str = storage.RULES, version: str = "v2") -> dict:
    return storage.label_row(categories, source, version, SEEN)


def test_save_labels_rewrites_only_changed_skills(tmp_path):
    db = storage.open_db(tmp_path / "jobs.db")
    storage.save_jobs(db, [_job("1"), _job("2"), _job("3")])
    rowids = dict(db.execute("SELECT job_id || '/' || skill, rowid FROM job_skills").fetchall())
    same = _job("1")["skills"]
    changed = [{"skill": "Python", "category": "languages", "matched": "python", "source": "title"}]
    duplicated = [{"skill": "RAG", "category": "genai", "matched": "RAG", "source": "title"},
                  {"skill": "RAG", "category": "genai", "matched": "rag", "source": "description"}]
    storage.save_labels(db, [("1", _labels({"ai_type": "ai-first"}), same), ("2", _labels({"ai_type": "ml"}), changed),
                             ("3", _labels({}), duplicated)])
    rows = db.execute("SELECT job_id, skill, category, matched, source, rowid FROM job_skills ORDER BY job_id, rowid").fetchall()
    assert [r[:5] for r in rows] == [
        ("1", "Python", "languages", "Python", "description"), ("1", "RAG", "genai", "RAG", "description"),
        ("2", "Python", "languages", "python", "title"),
        ("3", "RAG", "genai", "RAG", "title"),  # INSERT OR IGNORE: the first of a repeated skill stays
    ]
    assert [r[5] for r in rows[:2]] == [rowids["1/Python"], rowids["1/RAG"]]  # untouched rows
    tags = db.execute("SELECT job_id, labels, ai_type, version FROM job_labels ORDER BY job_id").fetchall()
    assert tags == [("1", "rules", "ai-first", "v2"), ("2", "rules", "ml", "v2"), ("3", "rules", None, "v2")]


def test_save_labels_compares_each_job_with_its_own_stored_rows_in_any_order(tmp_path):
    """Stored rows are matched to the batch's jobs by place: a batch out of job order, with a job
    that has no rows and a job of another source, still changes exactly the rows that differ."""
    db = storage.open_db(tmp_path / "jobs.db")
    storage.save_jobs(db, [_job("1"), _job("2"), _job("3")])
    python = {"skill": "Python", "category": "languages", "matched": "Python", "source": "description"}
    rag = {"skill": "RAG", "category": "genai", "matched": "RAG", "source": "description"}
    first = {"ai_type": [{"rule": "r1", "condition": "c", "matched": "m", "section": "role"}]}
    third = {"ai_type": [{"rule": "r3", "condition": None, "matched": None, "section": None}]}
    storage.save_labels(db, [("1", storage.label_row({}, evidence=first), [python, rag]),
                             ("2", storage.label_row({}, evidence={}), []),
                             ("3", storage.label_row({}, evidence=third), [{**rag, "matched": "rag"}])])
    rowids = dict(db.execute("SELECT job_id || '/' || skill, rowid FROM job_skills").fetchall())
    second = {"ai_type": [{"rule": "r2", "condition": None, "matched": None, "section": None}]}
    storage.save_labels(db, [("3", storage.label_row({}, evidence=third), [rag]),  # RAG as written changed
                             ("2", storage.label_row({}, evidence=second), [python]),  # had none
                             ("1", _labels({}, "fieldguide"), [python]),  # another source: the rules' rows stay
                             ("1", storage.label_row({}, evidence=first), [python, rag])])  # unchanged
    skills = db.execute("SELECT job_id, labels, skill, matched, rowid FROM job_skills "
                        "ORDER BY job_id, labels, skill").fetchall()
    assert [row[:4] for row in skills] == [
        ("1", "fieldguide", "Python", "Python"), ("1", "rules", "Python", "Python"), ("1", "rules", "RAG", "RAG"),
        ("2", "rules", "Python", "Python"), ("3", "rules", "RAG", "RAG")]
    assert [row[4] for row in skills[1:3]] == [rowids["1/Python"], rowids["1/RAG"]]  # untouched
    evidence = db.execute("SELECT job_id, rule FROM job_label_evidence WHERE labels = 'rules' ORDER BY job_id")
    assert evidence.fetchall() == [("1", "r1"), ("2", "r2"), ("3", "r3")]


def test_a_label_source_replaces_only_its_own_labels(tmp_path):
    db = storage.open_db(tmp_path / "jobs.db")
    storage.save_jobs(db, [_job("1")])
    storage.save_labels(db, [("1", _labels({"ai_type": "ai-first", "is_management": True}), _job("1")["skills"])])
    imported = [{"skill": "Postgres", "category": "databases", "matched": "Postgres", "source": "labels"}]
    storage.save_labels(db, [("1", _labels({"ai_type": "ml"}, "fieldguide", "2026-02-04"), imported)])
    storage.save_labels(db, [("1", _labels({"ai_type": "ai-support"}), [])])  # a re-tag: rules only
    labels = db.execute("SELECT labels, ai_type, is_management FROM job_labels ORDER BY labels").fetchall()
    assert labels == [("fieldguide", "ml", None), ("rules", "ai-support", None)]
    assert db.execute("SELECT labels, skill FROM job_skills").fetchall() == [("fieldguide", "Postgres")]
    assert storage.label_sources(db) == {"fieldguide": 1, "rules": 1}


def test_a_source_keeps_the_evidence_of_each_category_and_the_section_of_each_skill(tmp_path):
    db = storage.open_db(tmp_path / "jobs.db")
    storage.save_jobs(db, [_job("1")])
    evidence = {"ai_type": [{"rule": "model work outweighs enabling work", "condition": "share: 0.7",
                             "matched": None, "section": None},
                            {"rule": "model work outweighs enabling work", "condition": "line_kind: model_work",
                             "matched": "build RAG pipelines", "section": "role"}],
                "is_management": [{"rule": "default", "condition": None, "matched": None, "section": None}]}
    skills = [{"skill": "RAG", "category": "genai", "matched": "RAG", "source": "description", "section": "role"}]
    storage.save_labels(db, [("1", storage.label_row({"ai_type": "ai-first"}, evidence=evidence), skills)])
    storage.save_labels(db, [("1", _labels({"ai_type": "ml"}, "fieldguide"), [])])  # another source: no evidence
    rows = db.execute("SELECT labels, category, position, rule, condition, matched, section FROM job_label_evidence "
                      "ORDER BY category, position").fetchall()
    assert rows == [("rules", "ai_type", 0, "model work outweighs enabling work", "share: 0.7", None, None),
                    ("rules", "ai_type", 1, "model work outweighs enabling work", "line_kind: model_work",
                     "build RAG pipelines", "role"),
                    ("rules", "is_management", 0, "default", None, None, None)]
    assert db.execute("SELECT skill, section FROM job_skills WHERE labels = 'rules'").fetchall() == [("RAG", "role")]
    retagged = {"ai_type": [{"rule": "no AI content beyond the title", "condition": None, "matched": None,
                             "section": None}]}
    storage.save_labels(db, [("1", storage.label_row({"ai_type": "unknown"}, evidence=retagged), [])])
    assert db.execute("SELECT category, rule FROM job_label_evidence").fetchall() == [
        ("ai_type", "no AI content beyond the title")]  # replaced whole, never mixed with the old


def test_label_columns_are_the_categories_of_categories_yaml():
    from jobcrawler.tagging import CATEGORIES_PATH
    import yaml
    declared = list(yaml.safe_load(CATEGORIES_PATH.read_text())["categories"])
    assert list(storage.LABEL_COLUMNS) == declared
    assert not set(declared) & set(storage.JOB_COLUMNS)  # labels live per source, not in jobs
    assert storage.LABEL_COLUMNS["is_management"] is int and storage.LABEL_COLUMNS["fine_tuning_use_cases"] is str


def test_a_database_with_tags_in_jobs_moves_them_to_source_rules(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    old["jobs"].create({**storage.JOB_COLUMNS, "ai_type": str, "is_management": int, "tagger_version": str},
                       pk="job_id", not_null={"times_seen"}, defaults={"times_seen": 0})
    old["jobs"].create_index(["ai_type"])
    old["jobs"].enable_fts(["title", "description"], create_triggers=True, tokenize="porter")
    old["job_skills"].create({"job_id": str, "skill": str, "category": str, "matched": str, "source": str},
                             pk=("job_id", "skill"))
    old["jobs"].insert({"job_id": "7", "title": "AI Engineer", "description": "RAG", "ai_type": "ml",
                        "is_management": 1, "tagger_version": "old", "times_seen": 1})
    old["job_skills"].insert({"job_id": "7", "skill": "RAG", "category": "genai", "matched": "RAG", "source": "title"})
    old.close()
    db = storage.open_db(path)
    assert "ai_type" not in db["jobs"].columns_dict and "tagger_version" not in db["jobs"].columns_dict
    assert db.execute("SELECT job_id, labels, ai_type, is_management, version FROM job_labels").fetchall() == [
        ("7", "rules", "ml", 1, "old")]
    assert db["job_skills"].pks == ["job_id", "labels", "skill"]
    assert db.execute("SELECT labels, skill FROM job_skills").fetchall() == [("rules", "RAG")]
    storage.save_job(db, **_job("7", title="Quantum Wrangler"))  # the full-text index still follows the jobs
    assert db.execute("SELECT count(*) FROM jobs_fts WHERE jobs_fts MATCH 'wrangler'").fetchone()[0] == 1
    db.close()
    storage.open_db(path).close()  # a second open changes nothing


def test_full_text_index_follows_title_and_description_only(tmp_path):
    db = storage.open_db(tmp_path / "jobs.db")
    trigger = db.execute("SELECT sql FROM sqlite_master WHERE name = 'jobs_au'").fetchone()[0]
    assert 'UPDATE OF "title", "description"' in trigger
    storage.save_job(db, **_job("1"))
    storage.record_sighting(db, "1", "london", None, "2026-03-01T00:00:00+00:00")
    storage.save_job(db, **_job("1", title="Quantum Wrangler"))
    storage.save_labels(db, [("1", _labels({"ai_type": "ml"}), [])])
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


@pytest.mark.parametrize("table, key, older_lacks", [
    ("jobs", {"job_id": "8"}, "fetched_run_id"),
    ("crawl_runs", {"run_id": 1}, "jobdir"),
    ("label_runs", {"run_id": 1}, "pid"),
])
def test_open_db_keeps_a_column_no_version_declares_as_it_is(tmp_path, table, key, older_lacks):
    """A column a user added (their notes on a posting) or a newer version declared survives
    opening the database, declared type, constraints and values byte for byte, also when a column
    declared since is added (sqlite-utils' rebuild turned an untyped 42 into '42', NUMERIC '1.50'
    into 1.5, DATETIME into REAL)."""
    path = tmp_path / "jobs.db"
    storage.open_db(path).close()
    mine = ["notes", "seen DATETIME", "amount NUMERIC", "prio INTEGER NOT NULL DEFAULT 3"]
    rows = [(42, "2026-01-01", "1.50", 5), ("applied", 1767225600, "x", 7), (b"\x00\x01", None, 2, 3), (None, 1.5, None, 0)]

    def user_columns(conn):
        info = [row[1:] for row in conn.execute(f"PRAGMA table_info({table})") if row[1] in ("notes", "seen", "amount", "prio")]
        values = conn.execute(f"SELECT notes, typeof(notes), seen, typeof(seen), amount, typeof(amount), prio FROM {table} "
                              "ORDER BY rowid").fetchall()
        return info, values

    with sqlite3.connect(path) as conn:
        conn.execute(f'ALTER TABLE {table} DROP COLUMN "{older_lacks}"')  # as an older version made it
        for column in mine:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
        for number, row in enumerate(rows):
            values = [f"{value}{number}" if isinstance(value, str) else value + number for value in key.values()]
            conn.execute(f"INSERT INTO {table} ({', '.join(key)}, notes, seen, amount, prio) VALUES "
                         f"({', '.join('?' * (len(key) + 4))})", [*values, *row])
        before = user_columns(conn)
    storage.open_db(path).close()
    with sqlite3.connect(path) as conn:
        assert user_columns(conn) == before
        assert [row[1] for row in before[0]] == ["", "DATETIME", "NUMERIC", "INTEGER"] and before[0][3][2:4] == (1, "3")
        assert older_lacks in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


@pytest.mark.parametrize("table, key", [
    ("job_labels", {"job_id": "7", "labels": "rules"}),
    ("job_skills", {"job_id": "7", "labels": "rules", "skill": "RAG"}),
])
def test_open_db_drops_a_column_no_version_declares_from_the_tables_the_tagger_rewrites(tmp_path, table, key):
    """A category removed from (or renamed in) categories.yaml leaves a column of job_labels no
    version fills; the job page shows every column of it, so it goes, as the rest of the table
    is rebuilt by the next tagging anyway. A declared column missing is added back."""
    path = tmp_path / "jobs.db"
    storage.open_db(path).close()
    declared = {row[1] for row in sqlite3.connect(path).execute(f"PRAGMA table_info({table})")}
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO jobs (job_id) VALUES ('7')")
        conn.execute(f'ALTER TABLE {table} DROP COLUMN "version"' if table == "job_labels"
                     else f'ALTER TABLE {table} DROP COLUMN "section"')
        conn.execute(f"ALTER TABLE {table} ADD COLUMN retired_category TEXT")
        conn.execute(f"INSERT INTO {table} ({', '.join(key)}, retired_category) VALUES ({', '.join('?' * len(key))}, 'x')",
                     list(key.values()))
    storage.open_db(path).close()
    with sqlite3.connect(path) as conn:
        assert {row[1] for row in conn.execute(f"PRAGMA table_info({table})")} == declared
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (1,)


def _schema(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()


def test_open_db_brings_an_older_databases_evidence_and_indexes_up_to_date(tmp_path):
    """A database made before: evidence in a rowid table without its section column, job_skills
    indexed by (skill), (category, skill) and (labels, skill), idx_jobs_newest without job_id. Opening
    it keeps every evidence row, makes the table WITHOUT ROWID with the declared columns, and leaves
    only the indexes declared now; opening it again changes nothing."""
    path = tmp_path / "old.db"
    storage.open_db(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE job_label_evidence")
        conn.execute("CREATE TABLE job_label_evidence (job_id TEXT REFERENCES jobs(job_id), labels TEXT, category TEXT, "
                     "position INTEGER, rule TEXT, condition TEXT, matched TEXT, "
                     "PRIMARY KEY (job_id, labels, category, position))")
        conn.execute("INSERT INTO jobs (job_id, title, times_seen) VALUES ('7', 'AI Engineer', 1)")
        conn.executemany("INSERT INTO job_label_evidence VALUES ('7', 'rules', 'ai_type', ?, 'rule', 'cond', ?)",
                         [(0, "RAG"), (1, "LLM")])
        for index, columns in (("idx_job_skills_skill", "skill"), ("idx_job_skills_category_skill", "category, skill")):
            conn.execute(f"CREATE INDEX {index} ON job_skills ({columns})")
        conn.execute("DROP INDEX idx_job_skills_labels_skill")
        conn.execute("CREATE INDEX idx_job_skills_labels_skill ON job_skills (labels, skill)")
        conn.execute("DROP INDEX idx_jobs_newest")
        conn.execute("CREATE INDEX idx_jobs_newest ON jobs (posted_date DESC, title, company)")
    db = storage.open_db(path)
    evidence = db.execute("SELECT sql FROM sqlite_master WHERE name = 'job_label_evidence'").fetchone()[0]
    assert evidence.rstrip().endswith("WITHOUT ROWID")
    assert list(db["job_label_evidence"].columns_dict) == list(storage.EVIDENCE_COLUMNS)
    assert db.execute("SELECT job_id, category, position, matched, section FROM job_label_evidence").fetchall() == [
        ("7", "ai_type", 0, "RAG", None), ("7", "ai_type", 1, "LLM", None)]
    indexes = {index.name: index.columns for table in ("jobs", "job_skills", "job_cities") for index in db[table].indexes}
    assert "idx_job_skills_skill" not in indexes and "idx_job_skills_category_skill" not in indexes
    assert indexes["idx_job_skills_labels_skill"] == ["labels", "skill", "job_id"]
    assert indexes["idx_jobs_newest"] == ["posted_date", "title", "company", "job_id"]
    assert "idx_job_cities_city" not in indexes
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    db.close()
    upgraded = _schema(path)
    storage.open_db(path).close()
    assert _schema(path) == upgraded
    storage.open_db(tmp_path / "new.db").close()
    assert _schema(path) == _schema(tmp_path / "new.db")  # as a database made today


def test_site_search_finds_hyphenated_and_quoted_words(tmp_path):
    """Datasette's search box quotes each word ('fine-tuning' becomes the phrase "fine-tuning"):
    the full-text index must keep positions (FTS5 detail=full) for every such search to answer."""
    from datasette.utils import escape_fts

    db = storage.open_db(tmp_path / "jobs.db")
    storage.save_job(db, **_job("1", description="LLM fine-tuning with scikit-learn and CI/CD."))
    storage.save_job(db, **_job("2", description="Tuning fine wines."))
    for typed in ("fine-tuning", "scikit-learn", "CI/CD", '"fine-tuning" llm'):
        assert db.execute("SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?", [escape_fts(typed)]).fetchall() == [(1,)], typed


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
        assert retag.retag(path, everything=True, workers=workers) == retag.RetagResult(written=40)
        paths.append(path)
    assert _dump(paths[0]) == _dump(paths[1])


_TAG_ROWS = retag._tag_rows


def _tag_rows_under_ctrl_c(rows, tagger=None):
    """A worker's task as Ctrl-C reaches it: the terminal signals every process of its group."""
    os.kill(os.getpid(), signal.SIGINT)
    return _TAG_ROWS(rows, tagger)


def test_ctrl_c_during_a_retag_is_one_line_and_running_it_again_finishes(tmp_path, monkeypatch, capfd):
    """The workers leave Ctrl-C to the writer, which stops in one line (no worker's traceback or
    error); the batches written stay, and a second run leaves what one uninterrupted run does."""
    paths = [tmp_path / "stopped.db", tmp_path / "whole.db"]
    for path in paths:
        db = storage.open_db(path)
        storage.save_jobs(db, [_job(str(i), description=f"Build RAG pipelines, team {i}.") for i in range(40)])
        db.close()
    monkeypatch.setattr(retag, "BATCH", 10)
    monkeypatch.setattr(retag, "CHUNK", 5)
    write, writes = retag._write, []

    def ctrl_c_at_the_second_batch(*args):
        writes.append(args)
        if len(writes) == 2:
            raise KeyboardInterrupt
        write(*args)

    with monkeypatch.context() as patch:
        patch.setattr(retag, "_tag_rows", _tag_rows_under_ctrl_c)
        patch.setattr(retag, "_write", ctrl_c_at_the_second_batch)
        assert retag.main(["--db", str(paths[0]), "--all", "--workers", "2"]) == 130
    assert len(writes) == 2  # the first batch was written: the workers tagged on
    assert capfd.readouterr().err == "interrupted: the batches written stay; run it again to finish\n"
    assert retag.main(["--db", str(paths[0]), "--all", "--workers", "2"]) == 0
    assert retag.main(["--db", str(paths[1]), "--all", "--workers", "2"]) == 0
    assert _dump(paths[0]) == _dump(paths[1])
