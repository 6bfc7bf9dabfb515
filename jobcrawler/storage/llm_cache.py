"""LLM label runs, the requests they make and the cache of the answers they paid for.

``python -m jobcrawler.label`` (label source ``llm:<model>``): one ``label_runs`` row per run
with its totals, one ``label_calls`` row per request sent to the model (tokens in and out, the
outcome), ``label_cache`` holding every valid answer by (model, prompt version, posting text
hash) so that a re-run or a resumed run asks the model nothing it already answered, and
``label_failures`` the postings whose answer stayed unusable after the retries.
"""

from __future__ import annotations

import json
import os
import socket

import sqlite_utils

from jobcrawler.storage.labels import LLM_INPUT, changed_since_read, write_labelled
from jobcrawler.storage.runs import mark_killed
from jobcrawler.storage.schema import (RULES, JOB_LABEL_COLUMNS, LABEL_CACHE_COLUMNS, LABEL_CALL_COLUMNS,
                                       LABEL_FAILURE_COLUMNS, LABEL_RUN_COLUMNS)
from jobcrawler.storage.transaction import transaction, utc_now

# --only-uncertain's default: about a third of postings, where the rules agree with a reading ~6 times in 10
UNCERTAIN_BELOW = 0.7


def label_candidates(db: sqlite_utils.Database, city: str | None = None, since: str | None = None,
                     limit: int | None = None, below: float | None = None) -> list[tuple]:
    """(job_id, title, company, description) of the postings a label run reads, in job id order:
    those with a description, listed under ``city``, posted (or first seen) on or after ``since``,
    and with ``below``, whose rule-tagger AI type has a confidence below it (or none yet)."""
    return db.execute(
        f"SELECT j.job_id, {', '.join(LLM_INPUT)} FROM jobs AS j "
        "WHERE j.description IS NOT NULL AND trim(j.description) != '' "
        "AND (:below IS NULL OR NOT EXISTS (SELECT 1 FROM job_labels AS r WHERE r.job_id = j.job_id "
        "AND r.labels = :rules AND r.ai_type_confidence >= :below)) "
        "AND (:city IS NULL OR j.job_id IN (SELECT job_id FROM job_cities WHERE city = :city)) "
        "AND (:since IS NULL OR coalesce(j.posted_date, substr(j.first_seen, 1, 10)) >= :since) "
        "ORDER BY j.job_id LIMIT coalesce(:limit, -1)",
        {"city": city, "since": since, "limit": limit, "below": below, "rules": RULES},
    ).fetchall()


class LabelRunBusy(Exception):
    """Another run of the same label source is under way: a second one would pay for every answer twice."""


def start_label_run(db: sqlite_utils.Database, labels: str, model: str, prompt_version: str, args: dict) -> int:
    """A new ``running`` label run of source ``labels``; LabelRunBusy when one of that source is
    running already (its process alive: on another host it counts as alive). Checked and started
    in one transaction, so of two runs started at once one starts."""
    mark_killed_label_runs(db)
    with transaction(db):
        running = db.execute("SELECT run_id, host, pid FROM label_runs WHERE labels = ? AND status = 'running' "
                             "ORDER BY run_id LIMIT 1", [labels]).fetchone()
        if running:
            raise LabelRunBusy(f"label run {running[0]} of {labels} is running (process {running[2]} on "
                               f"{running[1]}): wait for it to end; then this run takes only what it left")
        cursor = db.execute(
            "INSERT INTO label_runs (labels, model, prompt_version, args, started_at, status, host, pid) "
            "VALUES (?, ?, ?, ?, ?, 'running', ?, ?)",
            [labels, model, prompt_version, json.dumps(args, sort_keys=True), utc_now(), socket.gethostname(),
             os.getpid()])
    return cursor.lastrowid


def finish_label_run(db: sqlite_utils.Database, run_id: int, values: dict) -> None:
    row = {k: (json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else v)
           for k, v in values.items() if k in LABEL_RUN_COLUMNS}
    with transaction(db):
        db["label_runs"].update(run_id, {**row, "finished_at": utc_now()})


def mark_killed_label_runs(db: sqlite_utils.Database) -> list[int]:
    """Label runs still ``running`` whose process on this host is gone become ``killed`` (their
    answers are cached: running the same command again resumes them)."""
    return mark_killed(db, "label_runs", "status_reason = 'its process ended without closing the run'")


def cached_label_answers(db: sqlite_utils.Database, model: str, prompt_version: str,
                         posting_hashes: list[str]) -> dict[str, str]:
    """Posting hash -> the cached answer (JSON text) of this model and prompt version."""
    rows = db.execute(
        "SELECT posting_hash, answer FROM label_cache WHERE model = ? AND prompt_version = ? "
        "AND posting_hash IN (SELECT value FROM json_each(?))",
        [model, prompt_version, json.dumps(posting_hashes)])
    return dict(rows.fetchall())


def label_cache_mean_output(db: sqlite_utils.Database, model: str, prompt_version: str) -> float | None:
    """Mean output tokens of the cached answers of this model and prompt version (None: none yet)."""
    return db.execute("SELECT avg(output_tokens) FROM label_cache WHERE model = ? AND prompt_version = ?",
                      [model, prompt_version]).fetchone()[0]


def _insert_label_calls(db: sqlite_utils.Database, calls: list[dict]) -> None:
    columns = [c for c in LABEL_CALL_COLUMNS if c != "call_id"]
    db.conn.executemany(f"INSERT INTO label_calls ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                        [[call.get(c) for c in columns] for call in calls])


def save_label_answers(db: sqlite_utils.Database, answers: list[tuple[list[dict], dict | None, tuple]],
                       read: dict[str, tuple] | None = None) -> set[str]:
    """Postings' answers, each whole, in one transaction: per posting the requests it took, its
    cache row (None when it came from the cache) and its labels and skills (``save_labels``'
    tuple). A label that comes out as stored keeps its ``labelled_at``: a re-run changes nothing.

    ``read``: job id -> what the model read of it (``LLM_INPUT``). A job whose stored text differs
    by now gets no label from this answer (its requests and the cached answer, paid for, are
    kept); the ids of those jobs are returned."""
    cache_columns = list(LABEL_CACHE_COLUMNS)
    label_columns = [c for c in JOB_LABEL_COLUMNS if c != "job_id"]
    with transaction(db):
        stale = changed_since_read(db, LLM_INPUT, read) if read is not None else set()
        labelled = []
        for calls, cache, (job_id, row, skills) in answers:
            _insert_label_calls(db, calls)
            if cache is not None:
                db.execute(f"INSERT OR REPLACE INTO label_cache ({', '.join(cache_columns)}) "
                           f"VALUES ({', '.join('?' * len(cache_columns))})", [cache.get(c) for c in cache_columns])
            if job_id in stale:
                continue
            stored = db.execute(f"SELECT {', '.join(label_columns)} FROM job_labels WHERE job_id = ? AND labels = ?",
                                [job_id, row["labels"]]).fetchone()
            if stored and all(old == row.get(c) for old, c in zip(stored, label_columns) if c != "labelled_at"):
                row = {**row, "labelled_at": stored[label_columns.index("labelled_at")]}
            labelled.append((job_id, row, skills))
        write_labelled(db, labelled)
    return stale


def save_label_calls(db: sqlite_utils.Database, calls: list[dict]) -> None:
    """Requests of a posting that got neither an answer nor a failure (the run stopped on them):
    counted all the same."""
    with transaction(db):
        _insert_label_calls(db, calls)


def save_label_failure(db: sqlite_utils.Database, calls: list[dict], failure: dict) -> None:
    """A posting whose answer stayed unusable: its requests and the reason; no label is written."""
    with transaction(db):
        _insert_label_calls(db, calls)
        columns = list(LABEL_FAILURE_COLUMNS)
        db.execute(f"INSERT OR REPLACE INTO label_failures ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                   [failure.get(c) for c in columns])
