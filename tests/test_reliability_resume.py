"""Resumption and re-crawls: a crawl stopped with Ctrl-C and resumed from its JOBDIR, a crawl
killed outright, and incremental re-crawls that fetch only what is new or stale and close
what a complete listing no longer shows."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from jobcrawler.cities import load_cities
from jobcrawler.replay import ReplaySite
from tests.helpers import crawl, last_run, rows, start_crawl

pytestmark = pytest.mark.slow

# Slow enough to stop mid-way, fast enough for a test: one request at a time, 50 ms apart.
PACED = {"DOWNLOAD_DELAY": "0.05", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
# Columns that hold the time of a crawl (or the tagger's version), not what it found.
WHEN = {"first_seen", "last_seen", "fetched_at", "seen_at", "version", "labelled_at"}
TABLES = {
    "jobs": "SELECT * FROM jobs ORDER BY job_id",
    "job_cities": "SELECT job_id, city FROM job_cities ORDER BY 1, 2",
    "job_locations": "SELECT * FROM job_locations ORDER BY 1, 2",
    "job_labels": "SELECT * FROM job_labels ORDER BY 1, 2",
    "job_skills": "SELECT * FROM job_skills ORDER BY 1, 2, 3",
    "sightings": "SELECT run_id, job_id, city FROM sightings ORDER BY 1, 2, 3",
    "crawl_runs": "SELECT run_id, status, finish_reason, listed_jobs, items_stored, detail_requests, "
                  "jobs_closed, cities_complete FROM crawl_runs ORDER BY 1",
}


def contents(db: Path) -> dict[str, list[dict]]:
    return {name: [{k: v for k, v in row.items() if k not in WHEN} for row in rows(db, sql)]
            for name, sql in TABLES.items()}


def wait_for(site, condition, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition(site.request_log):
        assert process.poll() is None, "the crawl ended before it could be stopped:\n" + process.stderr.read()[-3000:]
        assert time.monotonic() < deadline, "the crawl did not get far enough"
        time.sleep(0.01)


def details(log) -> list[dict]:
    return [e for e in log if e["path"].startswith("/job/")]


@pytest.fixture(scope="module")
def three_cities(tmp_path_factory):
    """A replay site, a registry of three of its searches whose listings share some jobs (seed 5,
    15 per city), and the database of one uninterrupted crawl of them."""
    known = load_cities()
    folder = tmp_path_factory.mktemp("three")
    cities = folder / "cities.yaml"
    cities.write_text(yaml.safe_dump({
        key: {k: v for k, v in vars(known[key]).items() if k != "key" and v}
        for key in ("london", "amsterdam", "newyork")
    }))
    with ReplaySite(jobs_per_city=15, seed=5) as site:
        whole = folder / "whole.db"
        assert crawl(site.base_url, whole, "city=all", **PACED, CITIES_FILE=str(cities)).returncode == 0
        yield site, cities, whole


# --- Ctrl-C and JOBDIR ---------------------------------------------------------------------


@pytest.mark.parametrize("stop_after_details", [3, 20])
def test_interrupted_and_resumed_crawl_equals_an_uninterrupted_one(stop_after_details, three_cities, tmp_path):
    site, cities, whole = three_cities
    settings = {**PACED, "CITIES_FILE": str(cities)}
    listings = [p.job_id for city in ("london", "amsterdam", "newyork") for p in site.listing(city)]
    jobs = set(listings)
    assert len(jobs) < len(listings), "some jobs should be listed under two of the cities"
    site.reset()
    resumed, jobdir = tmp_path / "resumed.db", tmp_path / "job"
    process = start_crawl(site.base_url, resumed, "city=all", JOBDIR=str(jobdir), **settings)
    wait_for(site, lambda log: len(details(log)) >= stop_after_details, process)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 3, stderr[-3000:]  # interrupted
    first = last_run(resumed)
    assert first["status"] == "interrupted" and first["finish_reason"] == "shutdown"
    assert first["items_stored"] < len(jobs)
    # Every request went through the disk queue: their meta (City, ListingJob) pickles.
    assert first["stats"]["scheduler/enqueued/disk"] > 0 and "scheduler/unserializable" not in first["stats"]
    fetched_before = len(details(site.request_log))

    process = start_crawl(site.base_url, resumed, "city=all", JOBDIR=str(jobdir), **settings)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr[-3000:]
    assert "Resuming crawl run" in stderr
    fetched = [e["path"] for e in details(site.request_log)]
    assert len(fetched) == len(set(fetched)) == len(jobs), "each detail page fetched once in all"
    assert len(fetched) > fetched_before
    assert contents(resumed) == contents(whole)
    run = last_run(resumed)
    assert run["status"] == "ok" and run["items_stored"] == len(jobs) and run["listed_jobs"] == len(listings)
    assert {r["job_id"] for r in rows(resumed, "SELECT job_id FROM jobs")} == jobs


def test_an_interrupted_run_closes_nothing_and_its_resumption_closes_what_is_gone(tmp_path):
    db, jobdir = tmp_path / "jobs.db", tmp_path / "job"
    with ReplaySite(jobs_per_city=30, seed=7) as before:
        assert crawl(before.base_url, db, "city=berlin").returncode == 0
    with ReplaySite(jobs_per_city=30, seed=7) as site:
        gone = site.catalog.listings["berlin"][5:10]
        site.catalog.listings["berlin"] = [j for j in site.catalog.listings["berlin"] if j not in gone]
        process = start_crawl(site.base_url, db, "city=berlin", "refresh_days=0", JOBDIR=str(jobdir), **PACED)
        # Listing pages go first (higher priority): once details follow the last (short) page,
        # the listing is complete and an uninterrupted run would close the jobs it lost.
        wait_for(site, lambda log: any("page=2" in e["query"] for e in log) and len(details(log)) >= 5, process)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 3, stderr[-3000:]
        run = last_run(db)
        assert run["status"] == "interrupted" and run["cities_complete"] == ["berlin"]
        assert run["jobs_closed"] == 0
        assert rows(db, "SELECT count(*) n FROM jobs WHERE closed_at IS NOT NULL")[0]["n"] == 0
        interrupted_uid = run["run_uid"]

        process = start_crawl(site.base_url, db, "city=berlin", "refresh_days=0", JOBDIR=str(jobdir), **PACED)
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr[-3000:]
    run = last_run(db)
    assert run["status"] == "ok" and run["jobs_closed"] == len(gone)
    assert {r["job_id"] for r in rows(db, "SELECT job_id FROM jobs WHERE closed_at IS NOT NULL")} == set(gone)
    assert rows(db, "SELECT count(*) n FROM crawl_runs")[0]["n"] == 2  # the resumed run is one run
    assert interrupted_uid and run["run_uid"] == interrupted_uid  # one run wherever it is merged
    assert {r["times_seen"] for r in rows(db, "SELECT times_seen FROM jobs WHERE closed_at IS NULL")} == {2}


# --- kill -9 ---------------------------------------------------------------------------------


def without_detail_requests(tables: dict) -> dict:
    """A resumed run's detail_requests counts what its last part requested; the rest must match."""
    return {**tables, "crawl_runs": [{k: v for k, v in run.items() if k != "detail_requests"}
                                     for run in tables["crawl_runs"]]}


@pytest.mark.parametrize("stops", [["kill"], ["interrupt", "kill"], ["kill", "interrupt"], ["kill", "kill"]])
def test_jobdir_crawl_stopped_any_way_resumes_to_the_uninterrupted_database(stops, three_cities, tmp_path):
    """kill -9 leaves a JOBDIR whose queue and seen-requests file are half-written and no
    spider.state: the same command resumes the run from its listings all the same."""
    site, cities, whole = three_cities
    settings = {**PACED, "CITIES_FILE": str(cities)}
    resumed, jobdir = tmp_path / "resumed.db", tmp_path / "job"
    site.reset()
    for stop in stops:
        before = len(details(site.request_log))
        process = start_crawl(site.base_url, resumed, "city=all", JOBDIR=str(jobdir), **settings)
        wait_for(site, lambda log: len(details(log)) >= before + 6, process)
        if stop == "kill":
            process.kill()
            process.communicate(timeout=30)
        else:
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=60)
            assert process.returncode == 3, stderr[-3000:]
    process = start_crawl(site.base_url, resumed, "city=all", JOBDIR=str(jobdir), **settings)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr[-3000:]
    if stops[-1] == "kill":
        assert "cannot be trusted" in stderr and "Resuming crawl run 1 from its listings" in stderr
    assert without_detail_requests(contents(resumed)) == without_detail_requests(contents(whole))
    assert rows(resumed, "SELECT count(*) n FROM crawl_runs")[0]["n"] == 1  # one run, resumed


def test_a_jobdir_in_use_or_of_an_ended_run_is_refused_in_one_line(tmp_path):
    db, jobdir = tmp_path / "jobs.db", tmp_path / "job"
    with ReplaySite(jobs_per_city=30, seed=7) as site:
        # slow enough to be running still when the second crawl (a process start) looks, on a busy machine:
        # at PACED's 0.05 s a request it had often ended, and the second was refused as of an ended run
        slow = {**PACED, "DOWNLOAD_DELAY": "0.5"}
        process = start_crawl(site.base_url, db, "city=berlin", JOBDIR=str(jobdir), **slow)
        wait_for(site, lambda log: len(details(log)) >= 2, process)
        second = crawl(site.base_url, db, "city=berlin", JOBDIR=str(jobdir))
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr[-3000:]
        assert second.returncode == 1
        assert f"error: JOBDIR {jobdir} is in use by crawl run 1, still running" in second.stderr
        again = crawl(site.base_url, db, "city=berlin", JOBDIR=str(jobdir))
    assert again.returncode == 1
    assert f"error: JOBDIR {jobdir} holds crawl run 1, which ended (ok): use a new JOBDIR" in again.stderr
    assert "Traceback" not in second.stderr + again.stderr
    assert rows(db, "SELECT count(*) n FROM crawl_runs")[0]["n"] == 1


def test_a_killed_crawl_leaves_a_consistent_database_that_a_recrawl_completes(tmp_path):
    db = tmp_path / "jobs.db"
    with ReplaySite(jobs_per_city=30, seed=7) as site:
        # Batches of 5 jobs a transaction: the kill lands between and within batches.
        process = start_crawl(site.base_url, db, "city=berlin", STORE_BATCH_SIZE="5", **PACED)
        wait_for(site, lambda log: len(details(log)) >= 12, process)
        process.kill()  # SIGKILL: no shutdown, no closing of anything
        process.communicate(timeout=30)
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        stored = {r["job_id"] for r in rows(db, "SELECT job_id FROM jobs")}
        assert 0 < len(stored) < 30
        for table in ("job_cities", "job_locations", "sightings"):  # every job stored whole
            orphans = rows(db, f"SELECT count(*) n FROM jobs WHERE job_id NOT IN (SELECT job_id FROM {table})")
            assert orphans[0]["n"] == 0, table
        assert rows(db, "SELECT count(*) n FROM jobs_fts")[0]["n"] == len(stored)
        assert [r["status"] for r in rows(db, "SELECT status FROM crawl_runs")] == ["running"]

        site.reset()
        result = crawl(site.base_url, db, "city=berlin")
        assert result.returncode == 0, result.stderr[-3000:]
        listed = {p.job_id for p in site.listing("berlin")}
        refetched = {e["path"] for e in details(site.request_log)}
        assert refetched == {site.postings[j].path for j in listed - stored}  # only what was missing
    assert {r["job_id"] for r in rows(db, "SELECT job_id FROM jobs")} == listed
    assert {r["job_id"] for r in rows(db, "SELECT job_id FROM job_cities")} == listed
    run = last_run(db)
    assert run["status"] == "ok" and run["jobs_closed"] == 0
    # the next run found the killed one's process gone and said so
    assert [r["status"] for r in rows(db, "SELECT status FROM crawl_runs ORDER BY run_id")] == ["killed", "ok"]


# --- incremental re-crawls -----------------------------------------------------------------


@pytest.fixture(scope="module")
def berlin_once(tmp_path_factory):
    """A replay site and a database holding one crawl of its berlin listing."""
    with ReplaySite(jobs_per_city=30, seed=7) as site:
        db = tmp_path_factory.mktemp("incremental") / "jobs.db"
        assert crawl(site.base_url, db, "city=berlin").returncode == 0
        yield site, db


def copy_db(db: Path, folder: Path) -> Path:
    copy = folder / db.name
    with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return copy


def test_recrawl_of_an_unchanged_site_requests_only_listing_pages(berlin_once, tmp_path):
    site, first_db = berlin_once
    db = copy_db(first_db, tmp_path)
    before = {r["job_id"]: r for r in rows(db, "SELECT * FROM jobs")}
    site.reset()
    result = crawl(site.base_url, db, "city=berlin")
    assert result.returncode == 0, result.stderr[-3000:]
    paths = {e["path"] for e in site.request_log}
    assert paths == {"/robots.txt", "/jobs"}, paths
    after = {r["job_id"]: r for r in rows(db, "SELECT * FROM jobs")}
    assert set(after) == set(before)
    for job_id, row in after.items():
        assert row["times_seen"] == 2 and row["closed_at"] is None
        assert row["first_seen"] == before[job_id]["first_seen"]
        assert row["fetched_at"] == before[job_id]["fetched_at"]  # not fetched again
        assert row["last_seen"] >= before[job_id]["last_seen"]
    run = last_run(db)
    assert run["status"] == "ok" and run["detail_requests"] == 0 and run["items_stored"] == 0
    assert run["stats"]["listing/sightings_without_fetch"] == len(before)


def test_recrawl_fetches_postings_not_seen_within_refresh_days(berlin_once, tmp_path):
    site, first_db = berlin_once
    db = copy_db(first_db, tmp_path)
    stale = [r["job_id"] for r in rows(db, "SELECT job_id FROM jobs ORDER BY job_id LIMIT 4")]
    eight_days_ago = (datetime.now(timezone.utc) - timedelta(days=8)).replace(microsecond=0).isoformat()
    with sqlite3.connect(db) as conn:
        conn.executemany("UPDATE jobs SET fetched_at = ? WHERE job_id = ?", [(eight_days_ago, j) for j in stale])
    site.reset()
    assert crawl(site.base_url, db, "city=berlin").returncode == 0  # refresh_days=7
    assert {e["path"] for e in details(site.request_log)} == {site.postings[j].path for j in stale}
    site.reset()
    assert crawl(site.base_url, db, "city=berlin", "refresh_days=30").returncode == 0
    assert details(site.request_log) == []
    site.reset()
    assert crawl(site.base_url, db, "city=berlin", "refresh_days=0").returncode == 0
    assert len(details(site.request_log)) == 30
    assert {r["times_seen"] for r in rows(db, "SELECT times_seen FROM jobs")} == {4}


def test_complete_listing_closes_the_jobs_it_no_longer_shows_and_a_relisting_reopens_them(berlin_once, tmp_path):
    site, first_db = berlin_once
    db = copy_db(first_db, tmp_path)
    before = {r["job_id"]: r for r in rows(db, "SELECT * FROM jobs")}
    with ReplaySite(jobs_per_city=30, seed=7) as shrunk:  # same postings, five no longer listed
        gone = shrunk.catalog.listings["berlin"][20:25]
        shrunk.catalog.listings["berlin"] = [j for j in shrunk.catalog.listings["berlin"] if j not in gone]
        assert crawl(shrunk.base_url, db, "city=berlin", "max_pages=1").returncode == 0
        assert last_run(db)["cities_complete"] == [] and last_run(db)["jobs_closed"] == 0  # not read to its end
        assert crawl(shrunk.base_url, db, "city=berlin").returncode == 0
    run = last_run(db)
    assert run["cities_complete"] == ["berlin"] and run["jobs_closed"] == len(gone)
    after = {r["job_id"]: r for r in rows(db, "SELECT * FROM jobs")}
    assert {j for j, r in after.items() if r["closed_at"]} == set(gone)
    listed = shrunk.catalog.listings["berlin"]
    seen_times = {**{j: 3 for j in listed[:20]}, **{j: 2 for j in listed[20:]}, **{j: 1 for j in gone}}
    assert {j: r["times_seen"] for j, r in after.items()} == seen_times  # page 1 was seen by both crawls
    assert all(row["first_seen"] == before[job_id]["first_seen"] for job_id, row in after.items())
    assert crawl(site.base_url, db, "city=berlin").returncode == 0  # listed again
    assert rows(db, "SELECT count(*) n FROM jobs WHERE closed_at IS NOT NULL")[0]["n"] == 0


def test_ctrl_c_twice_records_the_run_killed_says_interrupted_and_the_same_command_resumes_it(tmp_path):
    """A second Ctrl-C stops Scrapy at once, before the spider closes: the run was left
    ``running``, and the crawl said ``crawl failed (run 1): ... 0.0 s`` and exited 1. Now the run is
    recorded ``killed`` (as a later run would find it), the line says interrupted and why, exit 3,
    and the same command resumes it to the end."""
    db, jobdir = tmp_path / "jobs.db", tmp_path / "job"
    # Every page's first request answers after 10 s: the first Ctrl-C waits for it, the second forces.
    with ReplaySite(jobs_per_city=5, seed=7, faults="slow:1.0", slow_seconds=10) as site:
        process = start_crawl(site.base_url, db, "city=berlin", JOBDIR=str(jobdir))
        wait_for(site, lambda log: len(log) >= 1, process)
        process.send_signal(signal.SIGINT)
        for line in process.stderr:  # the first is being handled: a graceful stop, waiting for the page
            if "shutting down gracefully" in line:
                break
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
        assert process.returncode == 3, stderr[-3000:]
        last_line = stderr.splitlines()[-1]
        assert last_line.startswith("crawl interrupted (run 1): berlin, 0 listed, 0 stored") and \
            "stopped at once by a second Ctrl-C" in last_line, last_line
        run = last_run(db)
        assert run["status"] == "killed" and run["finished_at"] is not None
        assert "stopped at once by a second Ctrl-C" in run["status_reasons"][0]

        process = start_crawl(site.base_url, db, "city=berlin", JOBDIR=str(jobdir))
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr[-3000:]
    run = last_run(db)
    assert run["run_id"] == 1 and run["status"] == "ok" and run["items_stored"] == 5


def test_a_forced_stop_records_the_run_killed_in_the_crawls_journal_mode(tmp_path):
    """A second Ctrl-C recorded the run through a WAL connection whatever SQLITE_JOURNAL_MODE
    said: a DELETE-journal run database (a Scrapyd one on a network folder) turned WAL."""
    from scrapy.settings import Settings

    from jobcrawler import storage
    from jobcrawler.commands.crawl import record_forced_stop

    db_path = tmp_path / "jobs.db"
    db = storage.open_db(db_path, journal_mode="DELETE")
    run_id = storage.start_run(db, "builtin", "berlin", None, {})
    db.close()
    settings = Settings({"SQLITE_PATH": str(db_path), "SQLITE_JOURNAL_MODE": "DELETE"})
    assert record_forced_stop(settings, {"jobcrawler/run_id": run_id}) == "interrupted"
    assert last_run(db_path)["status"] == "killed"
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


@pytest.mark.parametrize("jobdir, says", [
    (None, "; it cannot be resumed without -s JOBDIR"),
    ("job", "; run the same command again to resume it"),
], ids=["no-jobdir", "jobdir"])
def test_a_forced_stop_says_it_resumes_only_with_a_jobdir(tmp_path, jobdir, says):
    """A forced stop always said "the same command (and -s JOBDIR) resumes it": without a JOBDIR
    the same command starts a new run and this one stays killed."""
    from scrapy.settings import Settings

    from jobcrawler import storage
    from jobcrawler.commands.crawl import record_forced_stop

    db_path = tmp_path / "jobs.db"
    with closing(storage.open_db(db_path)) as db:
        run_id = storage.start_run(db, "builtin", "berlin", None, {})
    settings = Settings({"SQLITE_PATH": str(db_path), **({"JOBDIR": str(tmp_path / jobdir)} if jobdir else {})})
    stats = {"jobcrawler/run_id": run_id}
    record_forced_stop(settings, stats)
    assert stats["jobcrawler/status_reasons"][0].endswith(says)
    assert last_run(db_path)["status_reasons"][0].endswith(says)
    assert stats["jobcrawler/status_reasons"][0].startswith("stopped at once by a second Ctrl-C or SIGTERM before")


def test_a_run_stopped_before_its_spider_opened_is_not_said_to_be_a_second_ctrl_c(tmp_path):
    """A single Ctrl-C while the spider was opening (Scrapy stops an engine not yet running without
    closing it) was recorded as "stopped at once by a second Ctrl-C" (tests/test_crawl_start.py
    sends it to a crawl)."""
    from scrapy.settings import Settings

    from jobcrawler import storage
    from jobcrawler.commands.crawl import record_forced_stop

    db_path = tmp_path / "jobs.db"
    with closing(storage.open_db(db_path)) as db:
        run_id = storage.start_run(db, "builtin", "berlin", None, {})
    stats = {"jobcrawler/run_id": run_id}
    assert record_forced_stop(Settings({"SQLITE_PATH": str(db_path)}), stats, forced=False) == "interrupted"
    run = last_run(db_path)
    assert run["status"] == "killed" and run["status_reasons"] == stats["jobcrawler/status_reasons"]
    assert run["status_reasons"][0].startswith("stopped by Ctrl-C or SIGTERM as it was starting, before its first "
                                               "request: nothing was fetched;")
