"""Every write of storage is whole or not at all: the SQL a crawl batch, an import batch, a label
batch and a merge send, traced, runs in one transaction each, started with BEGIN IMMEDIATE
(a writer takes the write lock before it reads, so it waits for another writer instead of
failing with SQLITE_BUSY_SNAPSHOT)."""

from __future__ import annotations

import re
import sqlite3
import threading

from jobcrawler import merge, storage
from tests.test_merge import run_db
from tests.test_storage_batches import SEEN, _job

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP)\b", re.I)


def transactions(statements: list[str]) -> tuple[list[list[str]], list[str]]:
    """The statements split into transactions (each from BEGIN to COMMIT or ROLLBACK, its writes),
    and the writes sent outside any transaction (each committed alone)."""
    found, outside, current = [], [], None
    for sql in statements:
        keyword = sql.strip().split()[0].upper()
        if keyword == "BEGIN":
            assert current is None, "a transaction began inside another"
            current = [sql.strip()]
        elif keyword in ("COMMIT", "END", "ROLLBACK") and current is not None and not sql.upper().startswith(
                "ROLLBACK TO"):
            found.append([*current, keyword])
            current = None
        elif WRITE.match(sql):
            (current if current is not None else outside).append(sql.strip())
    assert current is None, "a transaction was left open"
    return [t for t in found if any(WRITE.match(s) for s in t[1:-1])], outside


def traced(db: storage.sqlite_utils.Database, write) -> list[str]:
    """Every statement SQLite runs for ``write(db)`` (sqlite3's trace: what the library sends too)."""
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        write(db)
    finally:
        db.conn.set_trace_callback(None)
    return statements


def assert_one_transaction(statements: list[str]) -> None:
    found, outside = transactions(statements)
    assert outside == [], f"written outside a transaction: {outside[:3]}"
    assert len(found) == 1, f"{len(found)} transactions"
    assert found[0][0] == "BEGIN IMMEDIATE" and found[0][-1] == "COMMIT"


def test_a_crawl_batch_is_one_transaction(tmp_path):
    db = storage.open_db(tmp_path / "jobs.db")
    run_id = storage.start_run(db, "builtin", "berlin", "AI Engineer", {}, None)
    jobs = [{**_job(str(n)), "run_id": run_id,
             "labels": storage.label_row({"ai_type": "ai-first"}, storage.RULES, "v1", SEEN)} for n in range(5)]
    statements = traced(db, lambda db: storage.save_jobs(db, jobs))
    assert_one_transaction(statements)
    assert db.execute("SELECT count(*) FROM sightings").fetchone()[0] == 5


def test_an_import_batch_is_one_transaction(tmp_path):
    db = storage.open_db(tmp_path / "jobs.db")
    run_id = storage.imported_run(db, "fieldguide", SEEN, "AI Engineer", {"batch": "b"}, None)
    jobs = [{**_job(str(n)), "run_id": run_id, "labels": storage.label_row({}, storage.RULES, "v1", SEEN)}
            for n in range(5)]
    labelled = [(str(n), storage.label_row({"ai_type": "ml"}, "fieldguide", "b", SEEN), []) for n in range(5)]
    assert_one_transaction(traced(db, lambda db: storage.save_imported_jobs(db, jobs, labelled)))
    assert db.execute("SELECT count(*) FROM job_labels").fetchone()[0] == 10


def test_a_label_batch_is_one_transaction(tmp_path):
    db = storage.open_db(tmp_path / "jobs.db")
    storage.save_jobs(db, [_job(str(n)) for n in range(3)])
    call = {"job_id": "0", "model": "m", "prompt_version": "p", "posting_hash": "h", "attempt": 1, "outcome": "ok"}
    answers = [([{**call, "job_id": str(n)}], {"model": "m", "prompt_version": "p", "posting_hash": f"h{n}",
                                                "job_id": str(n), "answer": "{}"},
                (str(n), storage.label_row({"ai_type": "ml"}, "llm:m", "p", SEEN), [])) for n in range(3)]
    assert_one_transaction(traced(db, lambda db: storage.save_label_answers(db, answers)))
    assert_one_transaction(traced(db, lambda db: storage.save_labels(
        db, [(str(n), storage.label_row({"ai_type": "ai-first"}), []) for n in range(3)])))


def test_merging_a_run_database_is_one_transaction_and_nothing_is_written_outside_one(tmp_path):
    run = run_db(tmp_path / "run.db", "berlin", "2026-12-01T00:00:00+00:00",
                 {"1": {"title": "AI Engineer"}, "2": {"title": "ML Engineer"}})
    main = storage.open_db(tmp_path / "jobs.db")
    storage.ensure_merge_schema(main)
    runs = merge.inspect(main, run)
    storage.attach_run_db(main, run)
    assert_one_transaction(traced(main, lambda db: storage.merge_attached_run_db(db, runs, "2026-12", str(run))))
    storage.detach_run_db(main)
    main.close()
    main = storage.open_db(tmp_path / "again.db")
    statements = traced(main, lambda db: merge.merge([run], tmp_path / "again.db", log=lambda line: None))
    assert transactions(statements)[1] == []


def test_a_writer_waits_for_another_writer_instead_of_failing(tmp_path):
    """Two connections that read before they write: with a deferred transaction the second fails
    at once (it cannot upgrade its snapshot); BEGIN IMMEDIATE makes it wait for the lock."""
    path = tmp_path / "jobs.db"
    storage.save_jobs(storage.open_db(path), [_job("1")])
    first, second = storage.open_db(path), storage.open_db(path, busy_timeout=30)
    holding, release, errors = threading.Event(), threading.Event(), []

    def hold():
        with storage.transaction(first):
            first.execute("UPDATE jobs SET title = 'first' WHERE job_id = '1'")
            holding.set()
            release.wait(30)

    def write_second():
        try:
            with storage.transaction(second):
                title = second.execute("SELECT title FROM jobs WHERE job_id = '1'").fetchone()[0]
                second.execute("UPDATE jobs SET title = ? WHERE job_id = '1'", [title + " then second"])
        except sqlite3.Error as error:  # what a deferred transaction does (SQLITE_BUSY at once)
            errors.append(error)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(30)
    writer = threading.Thread(target=write_second)
    writer.start()
    writer.join(0.5)
    assert writer.is_alive(), "the second writer did not wait for the lock"
    release.set()
    holder.join(30), writer.join(30)
    assert errors == []
    assert second.execute("SELECT title FROM jobs").fetchone()[0] == "first then second"


def test_a_transaction_inside_one_is_a_savepoint_of_it(tmp_path):
    """What a nested write undoes is its own part; an error out of the outer block undoes all."""
    db = storage.open_db(tmp_path / "jobs.db")
    with storage.transaction(db):
        storage.save_jobs(db, [_job("1")])
        try:
            with storage.transaction(db):
                storage.save_jobs(db, [_job("2")])
                raise RuntimeError("the inner part fails")
        except RuntimeError:
            pass
    assert db.execute("SELECT job_id FROM jobs").fetchall() == [("1",)]
    try:
        with storage.transaction(db):
            storage.save_jobs(db, [_job("3")])
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert db.execute("SELECT job_id FROM jobs").fetchall() == [("1",)] and not db.conn.in_transaction
