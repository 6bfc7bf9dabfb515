"""SQLite trouble during a crawl reaches the run: a lock held by another process (a second
connection here) is waited for, what still fails is counted and fails or degrades the run with
a non-zero exit, no job is closed on a sighting that could not be written, and trouble at the
run's start or finish is one readable line with exit 1."""

from __future__ import annotations

import os
import sqlite3
import threading
import time

import pytest

from jobcrawler import storage
from jobcrawler.replay import ReplaySite
from tests.helpers import crawl, last_run, rows

pytestmark = pytest.mark.slow


def hold_write_lock(db_path, seconds: float, when=lambda: True, until=lambda: True,
                    timeout: float = 60) -> threading.Thread:
    """Another process's write transaction on the database, taken once ``when()`` holds and
    released once it was held ``seconds`` and ``until()`` holds (both waits bounded by ``timeout``)."""
    taken = threading.Event()

    def run():
        deadline = time.monotonic() + timeout
        while not when() and time.monotonic() < deadline:
            time.sleep(0.005)
        conn = sqlite3.connect(db_path, timeout=30)
        conn.execute("BEGIN IMMEDIATE")
        taken.set()
        time.sleep(seconds)
        deadline = time.monotonic() + timeout
        while not until() and time.monotonic() < deadline:
            time.sleep(0.005)
        conn.rollback()
        conn.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.taken = taken
    return thread


def details(site) -> int:
    return sum(e["path"].startswith("/job/") for e in site.request_log)


@pytest.fixture
def berlin(tmp_path):
    """A replay site and a database holding one complete crawl of its berlin listing."""
    with ReplaySite(jobs_per_city=30, seed=7) as site:
        db = tmp_path / "jobs.db"
        assert crawl(site.base_url, db, "city=berlin").returncode == 0
        site.reset()
        yield site, db


def test_a_lock_held_at_the_start_fails_the_crawl_in_one_line(berlin):
    site, db = berlin
    lock = hold_write_lock(db, 3)
    assert lock.taken.wait(10)
    result = crawl(site.base_url, db, "city=berlin", SQLITE_BUSY_TIMEOUT="0.5")
    assert result.returncode == 1
    assert f"error: cannot start the crawl run in {db}: database is locked" in result.stderr
    assert "Traceback" not in result.stderr
    assert site.request_log == []  # stopped before its first request
    lock.join()
    assert rows(db, "SELECT count(*) n FROM crawl_runs")[0]["n"] == 1


def test_a_lock_shorter_than_the_busy_timeout_is_waited_for(berlin):
    site, db = berlin
    lock = hold_write_lock(db, 2, when=lambda: details(site) >= 5)
    result = crawl(site.base_url, db, "city=berlin", "refresh_days=0", SQLITE_BUSY_TIMEOUT="20",
                   STORE_BATCH_SIZE="5", DOWNLOAD_DELAY="0.05")
    lock.join()
    assert lock.taken.is_set()
    assert result.returncode == 0, result.stderr[-3000:]
    run = last_run(db)
    assert run["status"] == "ok" and run["items_stored"] == 30
    assert "store_errors" not in str(run["stats"])


def test_a_lock_past_the_busy_timeout_degrades_the_run_and_closes_nothing(berlin):
    _, db = berlin
    with ReplaySite(jobs_per_city=30, seed=7) as site:  # the same postings, three no longer listed
        gone = site.catalog.listings["berlin"][-3:]
        site.catalog.listings["berlin"] = site.catalog.listings["berlin"][:-3]
        # Held over several batches (busy timeout 0.3 s), released while the crawl still fetches,
        # so the run itself is recorded whatever the machine's speed.
        lock = hold_write_lock(db, 1, when=lambda: details(site) >= 5, until=lambda: details(site) >= 15)
        result = crawl(site.base_url, db, "city=berlin", "refresh_days=0", SQLITE_BUSY_TIMEOUT="0.3",
                       STORE_BATCH_SIZE="5", DOWNLOAD_DELAY="0.1")
        lock.join()
        assert result.returncode in (1, 2), result.stderr[-3000:]
        assert "Traceback" not in result.stderr
        run = last_run(db)
        errors = run["stats"]["jobcrawler/store_errors"]
        assert errors > 0 and run["drop_reasons"]["store_error"] == errors
        assert run["status"] in ("degraded", "failed") and run["jobs_closed"] == 0
        assert any("could not be written" in reason for reason in run["status_reasons"])
        assert rows(db, "SELECT count(*) n FROM jobs WHERE closed_at IS NOT NULL")[0]["n"] == 0
        # The next run, unhindered, closes what is really gone.
        assert crawl(site.base_url, db, "city=berlin").returncode == 0
    run = last_run(db)
    assert run["status"] == "ok" and run["jobs_closed"] == len(gone)
    assert {r["job_id"] for r in rows(db, "SELECT job_id FROM jobs WHERE closed_at IS NOT NULL")} == set(gone)


def test_a_lock_at_the_finish_fails_the_run_in_one_line(berlin):
    site, db = berlin
    # Nothing is written before the end (one batch of 50, 30 s): the lock, taken before the last
    # pages are fetched and held well past the crawl's end, meets the final batch and the finish.
    lock = hold_write_lock(db, 8, when=lambda: details(site) >= 20)
    result = crawl(site.base_url, db, "city=berlin", "refresh_days=0", SQLITE_BUSY_TIMEOUT="0.3",
                   STORE_BATCH_SECONDS="30", STORE_BATCH_SIZE="50", DOWNLOAD_DELAY="0.05")
    assert lock.is_alive(), "the crawl outlasted the lock: the test did not test the finish"
    lock.join()
    assert result.returncode == 1, result.stderr[-3000:]
    assert "could not be recorded" in result.stderr or "could not be written" in result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.splitlines()[-1]  # the summary says why the run failed
    assert last.startswith("crawl failed") and ("could not be recorded: database is locked" in last
                                                or "no job was marked closed" in last), last


def test_a_database_that_refuses_every_job_fails_the_run(berlin):
    site, db = berlin
    with sqlite3.connect(db) as conn:  # as a read-only file does for a user who is not root
        conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON jobs BEGIN SELECT RAISE(ABORT, 'refused'); END")
        conn.execute("DELETE FROM sightings")
        conn.execute("DELETE FROM job_skills")
        conn.execute("DELETE FROM job_locations")
        conn.execute("DELETE FROM job_cities")
        conn.execute("DELETE FROM jobs")
    result = crawl(site.base_url, db, "city=berlin")
    assert result.returncode == 1, result.stderr[-3000:]
    run = last_run(db)
    assert run["status"] == "failed" and run["stats"]["jobcrawler/store_errors"] == 30


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only files: run as another user to check it")
def test_a_read_only_database_fails_the_crawl_in_one_line(berlin):
    site, db = berlin
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        if path.exists():
            path.chmod(0o444)
    db.parent.chmod(0o555)
    try:
        result = crawl(site.base_url, db, "city=berlin")
    finally:
        db.parent.chmod(0o755)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "error: cannot" in result.stderr


def test_whole_database_errors_are_told_from_errors_of_one_row(tmp_path):
    db = storage.open_db(tmp_path / "jobs.db", busy_timeout=0)
    other = sqlite3.connect(tmp_path / "jobs.db")
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError) as locked:
        with db.conn:
            db.execute("INSERT INTO crawl_runs (spider) VALUES ('x')")
    other.rollback()
    with pytest.raises(sqlite3.IntegrityError) as duplicate:
        with db.conn:
            db.execute("INSERT INTO job_cities (job_id, city) VALUES ('1', 'x')")  # no such job: foreign key
    assert storage.whole_database_error(locked.value)
    assert not storage.whole_database_error(duplicate.value)
    assert not storage.whole_database_error(ValueError("not SQLite's"))
