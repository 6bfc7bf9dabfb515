"""Imported datasets (``jobcrawler.fieldguide``): batches that may be older or newer than
what the database holds."""

from __future__ import annotations

import json

import sqlite_utils

from jobcrawler.storage.labels import write_labelled
from jobcrawler.storage.schema import CONTENT_COLUMNS
from jobcrawler.storage.transaction import transaction


def imported_run(db: sqlite_utils.Database, spider: str, started_at: str, query: str | None, args: dict,
                 site: str | None) -> int:
    """The ``crawl_runs`` row of one imported batch (a dataset's scrape dated ``started_at``):
    the row an earlier import of the same batch made, else a new one, so re-importing adds no run."""
    with transaction(db):  # looked up and added together: two imports of one batch make one run
        found = db.execute("SELECT run_id FROM crawl_runs WHERE spider = ? AND started_at = ? AND args = ?",
                           [spider, started_at, json.dumps(args, sort_keys=True)]).fetchone()
        if found:
            return found[0]
        cursor = db.execute(
            "INSERT INTO crawl_runs (spider, query, site, args, started_at, status) VALUES (?, ?, ?, ?, ?, 'running')",
            [spider, query, site, json.dumps(args, sort_keys=True), started_at])
    return cursor.lastrowid


def save_imported_jobs(db: sqlite_utils.Database, jobs: list[dict],
                       labelled: list[tuple[str, dict, list[dict]]] = ()) -> None:
    """Store a batch of an imported dataset, which may be older or newer than what the
    database holds (a crawl may have run before it): ``jobs`` as ``save_jobs`` takes them, in
    one transaction, with ``labelled`` (the dataset's own label source, replaced).

    A job's content, locations and rule labels are replaced only when the batch's fetch is at
    least as new as the stored one (``fetched_at``); ``first_seen`` becomes the earliest
    sighting and ``last_seen`` the latest; ``times_seen`` counts the batch once, only when the
    batch's run had not seen the job yet; a job closed before this sighting stays closed.
    """
    with transaction(db):
        rules = []
        for job in jobs:
            if _write_imported_job(db, **{k: v for k, v in job.items() if k != "labels"}) and job.get("labels"):
                rules.append((job["row"]["job_id"], job["labels"], job.get("skills") or []))
        write_labelled(db, [*rules, *labelled])


def _write_imported_job(db, row: dict, *, city: str | None, run_id: int | None, locations: list[dict],
                        skills: list[dict], seen_at: str) -> bool:
    """Upsert one imported job; whether its content was replaced (the incoming fetch is newer)."""
    job_id = row["job_id"]
    stored = db.execute("SELECT fetched_at FROM jobs WHERE job_id = ?", [job_id]).fetchone()
    newer = stored is None or (row.get("fetched_at") or "") >= (stored[0] or "")
    content = [c for c in CONTENT_COLUMNS if c in row]
    columns = ["job_id", *content, "first_seen", "last_seen", "times_seen", "last_run_id", "fetched_run_id"]
    later = "excluded.last_seen > coalesce(jobs.last_seen, '')"
    updates = [f"{c} = CASE WHEN :newer THEN excluded.{c} ELSE jobs.{c} END" for c in content]
    updates += [
        "fetched_run_id = CASE WHEN :newer THEN excluded.fetched_run_id ELSE jobs.fetched_run_id END",
        "first_seen = min(coalesce(jobs.first_seen, excluded.first_seen), excluded.first_seen)",
        f"last_run_id = CASE WHEN {later} THEN excluded.last_run_id ELSE jobs.last_run_id END",
        f"last_seen = CASE WHEN {later} THEN excluded.last_seen ELSE jobs.last_seen END",
        ("times_seen = jobs.times_seen + NOT EXISTS "
         "(SELECT 1 FROM sightings WHERE run_id IS :run_id AND job_id = excluded.job_id)"),
        "closed_at = CASE WHEN excluded.last_seen > jobs.closed_at THEN NULL ELSE jobs.closed_at END",
    ]
    values = {f"v{i}": value for i, value in enumerate([job_id, *(row[c] for c in content), seen_at, seen_at, 1,
                                                         run_id, run_id])}
    db.execute(
        f"INSERT INTO jobs ({', '.join(columns)}) VALUES ({', '.join(':' + name for name in values)}) "
        f"ON CONFLICT(job_id) DO UPDATE SET {', '.join(updates)}",
        {**values, "newer": newer, "run_id": run_id})
    if newer:
        db.execute("DELETE FROM job_locations WHERE job_id = ?", [job_id])
        db.conn.executemany(
            "INSERT INTO job_locations (job_id, position, label, locality, region, country, postal_code) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(job_id, i, loc.get("label"), loc.get("locality"), loc.get("region"), loc.get("country"),
              loc.get("postal_code")) for i, loc in enumerate(locations)])
    if city:
        db.execute(
            "INSERT INTO job_cities (job_id, city, first_seen, last_seen) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(job_id, city) DO UPDATE SET first_seen = min(coalesce(first_seen, excluded.first_seen), "
            "excluded.first_seen), last_seen = max(coalesce(last_seen, excluded.last_seen), excluded.last_seen)",
            [job_id, city, seen_at, seen_at])
        if run_id is not None:
            db.execute("INSERT OR IGNORE INTO sightings (run_id, job_id, city, seen_at) VALUES (?, ?, ?, ?)",
                       [run_id, job_id, city, seen_at])
    return newer
