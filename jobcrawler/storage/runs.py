"""Crawl runs: one ``crawl_runs`` row per crawl, from start to finish, and what a killed one left."""

from __future__ import annotations

import json
import os
import socket
import uuid

import sqlite_utils

from jobcrawler.storage.schema import CRAWL_RUN_COLUMNS
from jobcrawler.storage.transaction import transaction, utc_now


def start_run(db: sqlite_utils.Database, spider: str, city: str, query: str, args: dict, site: str | None = None,
              jobdir: str | None = None) -> int:
    """A new ``running`` crawl run; its ``run_uid`` tells it from every other run wherever it is
    merged (two crawls of one city begun in the same second have the same arguments and start)."""
    mark_killed_runs(db)
    with transaction(db):
        cursor = db.execute(
            "INSERT INTO crawl_runs (spider, city, query, site, args, started_at, status, host, pid, jobdir, run_uid) "
            "VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)",
            [spider, city, query, site, json.dumps(args, sort_keys=True), utc_now(), socket.gethostname(),
             os.getpid(), jobdir, uuid.uuid4().hex],
        )
    return cursor.lastrowid


def mark_killed_runs(db: sqlite_utils.Database) -> list[int]:
    """Runs still ``running`` whose process on this host is gone (killed, crashed, power cut)
    become ``killed``, so crawl_runs does not claim a crawl is under way. A ``-s JOBDIR`` run
    marked so can still be resumed."""
    return mark_killed(db, "crawl_runs", "finish_reason = 'killed', "
                                          "status_reasons = '[\"its process ended without closing the run\"]'")


def mark_killed(db: sqlite_utils.Database, table: str, why: str) -> list[int]:
    """Rows of ``table`` (crawl_runs or label_runs) still ``running`` whose process on this host
    is gone become ``killed``, with ``why`` (an SQL assignment list) saying so."""
    dead = [(run_id, pid) for run_id, pid in db.execute(
        f"SELECT run_id, pid FROM {table} WHERE status = 'running' AND host = ? AND pid IS NOT NULL",
        [socket.gethostname()]).fetchall() if pid != os.getpid() and not process_alive(pid)]
    killed = []
    if dead:
        with transaction(db):  # a run resumed meanwhile has another pid: it stays running
            for run_id, pid in dead:
                if db.execute(f"UPDATE {table} SET status = 'killed', {why} WHERE run_id = ? AND status = 'running' "
                              "AND pid = ?", [run_id, pid]).rowcount:
                    killed.append(run_id)
    return killed


def process_alive(pid: int) -> bool:
    """Whether a process of this machine is still there."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def last_run_in(db: sqlite_utils.Database, jobdir: str) -> tuple[int, str] | None:
    """``(run_id, status)`` of the newest run made in this JOBDIR, or None."""
    mark_killed_runs(db)
    row = db.execute("SELECT run_id, status FROM crawl_runs WHERE jobdir = ? ORDER BY run_id DESC LIMIT 1",
                     [jobdir]).fetchone()
    return (row[0], row[1]) if row else None


RESUMABLE = ("running", "interrupted", "killed")


def resume_run(db: sqlite_utils.Database, run_id: int) -> dict:
    """Reopen an interrupted or killed run (its JOBDIR crawl goes on): its row is ``running``
    again, and the Scrapy stats it recorded when it stopped are returned, to be carried on."""
    row = db.execute("SELECT stats FROM crawl_runs WHERE run_id = ?", [run_id]).fetchone()
    with transaction(db):
        db.execute("UPDATE crawl_runs SET status = 'running', finished_at = NULL, finish_reason = NULL, "
                   "status_reasons = NULL, host = ?, pid = ? WHERE run_id = ?",
                   [socket.gethostname(), os.getpid(), run_id])
    try:
        stats = json.loads(row[0]) if row and row[0] else {}
    except ValueError:
        stats = {}
    return stats if isinstance(stats, dict) else {}


def finish_run(db: sqlite_utils.Database, run_id: int, values: dict, *, only_if_running: bool = False) -> bool:
    """Record how run ``run_id`` ended; whether it was written. ``only_if_running`` leaves a run
    that has ended already as it ended (a crawl closing a run that did not start must not
    overwrite one a finishing spider recorded)."""
    row = {k: (json.dumps(v, sort_keys=True, default=str) if isinstance(v, (dict, list)) else v)
           for k, v in values.items() if k in CRAWL_RUN_COLUMNS}
    if not row:  # nothing of a run's to record
        return False
    assignments = ", ".join(f"[{column}] = ?" for column in row)
    still_running = " AND status = 'running'" if only_if_running else ""
    with transaction(db):
        cursor = db.execute(f"UPDATE crawl_runs SET {assignments} WHERE run_id = ?{still_running}",
                            [*row.values(), run_id])
    return cursor.rowcount > 0


# What one run holds, for its quality check: jobs it saw, how many of them it stored (fetched
# their page: a resumed run counts the jobs of all its parts, each once), how many no other run
# had seen before it, and how many carry each field. Sightings carry whole seconds: within one
# second the sighting stored first (the lower rowid: transactions commit one at a time) came first,
# whichever run is older.
_RUN_COVERAGE = """
SELECT
  count(*) AS jobs,
  sum(j.fetched_run_id = :run_id) AS stored,
  sum(NOT EXISTS (SELECT 1 FROM sightings e WHERE e.job_id = j.job_id AND e.run_id != :run_id
      AND (e.seen_at, e.rowid) < (SELECT m.seen_at, m.rowid FROM sightings m WHERE m.job_id = j.job_id
                                  AND m.run_id = :run_id ORDER BY m.seen_at, m.rowid LIMIT 1))) AS new,
  (SELECT count(*) FROM sightings WHERE run_id = :run_id) AS sightings,
  sum(j.company IS NOT NULL AND j.company != '') AS company,
  sum(j.posted_date IS NOT NULL) AS posted_date,
  sum(j.country IS NOT NULL OR j.location IS NOT NULL) AS location,
  sum(j.description IS NOT NULL AND j.description != '') AS description,
  sum(j.salary_text IS NOT NULL) AS salary_expected,
  sum(j.salary_text IS NOT NULL AND (j.salary_min IS NOT NULL OR j.salary_max IS NOT NULL)) AS salary
FROM jobs j
WHERE j.job_id IN (SELECT job_id FROM sightings WHERE run_id = :run_id)
"""


def run_coverage(db: sqlite_utils.Database, run_id: int) -> dict:
    """Counts over the jobs one run saw: ``jobs``, ``stored``, ``new`` (first seen by it: no other run
    saw it before, so two crawls at once do not both count a job, nor the later none), ``sightings``
    (a job listed under two cities counts twice, as listings do) and one per checked field."""
    cursor = db.execute(_RUN_COVERAGE, {"run_id": run_id})
    return {column[0]: value or 0 for column, value in zip(cursor.description, cursor.fetchone())}
