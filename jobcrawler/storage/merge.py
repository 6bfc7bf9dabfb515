"""Merging run databases into the main one.

A crawl scheduled on Scrapyd writes a database of its own; ``jobcrawler.merge`` folds such
run databases into the main one, attached as schema ``run``, with a direct crawl's semantics:
jobs keep their first_seen, their newest fetch (content, locations) and their newest labels
of each source; last_seen moves forward; sightings and job_cities are added; times_seen counts
sighting occasions (a run, or all runs of one cycle); closed_at is decided in the main
database by close_unlisted's rule. Merging is keyed by each run's origin, so merging a run
database again changes nothing, and the order run databases are merged in does not matter.
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from jobcrawler.storage.jobs import close_unlisted_of
from jobcrawler.storage.schema import CONTENT_COLUMNS
from jobcrawler.storage.transaction import transaction, utc_now


# A run an older version began has no run_uid: it is known by these (not host and pid: a resumed
# run (-s JOBDIR) takes its new process's, and stays the same run), as merged_runs has it.
_ORIGIN_COLUMNS = ("spider", "city", "query", "site", "args", "started_at")


class MergeError(Exception):
    """A run database that cannot be merged: said in one line, nothing of it written."""


def run_origin(run: dict) -> str:
    """What identifies a run wherever it ran: its ``run_uid``; for a run an older version began,
    its arguments and start (two such runs begun in the same second were taken for one)."""
    if run.get("run_uid"):
        return run["run_uid"]
    return json.dumps([run.get(column) for column in _ORIGIN_COLUMNS], sort_keys=True, default=str)


def attach_run_db(db: sqlite_utils.Database, path: str | Path) -> None:
    """Attach a run database as schema ``run`` (outside any transaction, as SQLite requires)."""
    db.execute("ATTACH DATABASE ? AS run", [str(path)])


def detach_run_db(db: sqlite_utils.Database) -> None:
    db.execute("DETACH DATABASE run")


def _columns(db: sqlite_utils.Database, schema: str, table: str) -> list[str]:
    return [row[1] for row in db.execute(f'PRAGMA {schema}.table_info("{table}")').fetchall()]


def _shared_columns(db: sqlite_utils.Database, table: str) -> list[str]:
    """Columns of ``table`` both databases have, in the main table's order: a run database of an
    older or newer version merges what it shares."""
    theirs = set(_columns(db, "run", table))
    return [c for c in _columns(db, "main", table) if c in theirs]


def run_db_runs(db: sqlite_utils.Database) -> list[dict]:
    """The attached run database's crawl runs, oldest first."""
    if "crawl_runs" not in {row[0] for row in db.execute("SELECT name FROM run.sqlite_master WHERE type = 'table'")}:
        return []
    cursor = db.execute("SELECT * FROM run.crawl_runs ORDER BY started_at, run_id")
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def merged_run_id(db: sqlite_utils.Database, origin: str) -> int | None:
    row = db.execute("SELECT run_id FROM merged_runs WHERE origin = ?", [origin]).fetchone()
    return row[0] if row else None


def merge_attached_run_db(db: sqlite_utils.Database, runs: list[dict], cycle: str | None, source: str) -> dict:
    """Fold the attached run database into the main one, in one transaction. ``runs`` are its
    crawl runs (``run_db_runs``); one merged before keeps its id here and its row is brought up
    to date (a run resumed since goes on where it was), so merging again adds nothing twice.
    Returns ``{"runs": {source run id: run id here}, "new_runs": [...], "jobs": n, "new_jobs": n}``."""
    now = utc_now()
    with transaction(db):
        db.execute("DROP TABLE IF EXISTS temp.run_map")
        db.execute("CREATE TEMP TABLE run_map (old_id INTEGER PRIMARY KEY, new_id INTEGER)")
        run_columns = [c for c in _shared_columns(db, "crawl_runs") if c not in ("run_id", "jobs_new", "jobs_closed")]
        mapped, new_runs = {}, []
        for run in runs:
            values = {c: run[c] for c in run_columns}
            found = merged_run_id(db, run_origin(run))
            if found is None:  # jobs_new and jobs_closed are this database's, decided below and by close_occasion
                cursor = db.execute(
                    f"INSERT INTO crawl_runs ({', '.join(values)}, jobs_new, jobs_closed) "
                    f"VALUES ({', '.join('?' * len(values))}, 0, 0)", list(values.values()))
                found = cursor.lastrowid
                db.execute("INSERT INTO merged_runs (run_id, origin, cycle, source, source_run_id, merged_at) "
                           "VALUES (?, ?, ?, ?, ?, ?)", [found, run_origin(run), cycle, source, run["run_id"], now])
                new_runs.append(found)
            else:
                db.execute(f"UPDATE crawl_runs SET {', '.join(f'{c} = ?' for c in values)} WHERE run_id = ?",
                           [*values.values(), found])
            db.execute("INSERT INTO temp.run_map VALUES (?, ?)", [run["run_id"], found])
            mapped[run["run_id"]] = found
        jobs = _merge_jobs(db)
        _merge_labels(db)
        new_jobs = 0
        for run in runs:  # oldest first: the run that first saw a job counts it as new
            run_id = mapped[run["run_id"]]
            cycle_of_run = merged_run_cycle(db, run_id)
            new_jobs += _merge_run_sightings(db, run["run_id"], run_id, cycle_of_run, run_id in new_runs)
        db.execute(
            "INSERT INTO job_cities (job_id, city, first_seen, last_seen) SELECT job_id, city, first_seen, last_seen "
            "FROM run.job_cities WHERE true ON CONFLICT(job_id, city) DO UPDATE SET "
            "first_seen = min(coalesce(job_cities.first_seen, excluded.first_seen), "
            "coalesce(excluded.first_seen, job_cities.first_seen)), "
            "last_seen = max(coalesce(job_cities.last_seen, excluded.last_seen), "
            "coalesce(excluded.last_seen, job_cities.last_seen))")
        db.execute("DROP TABLE temp.run_map")
    return {"runs": mapped, "new_runs": new_runs, "jobs": jobs, "new_jobs": new_jobs}


def occasions_since(db: sqlite_utils.Database, since: str) -> list[tuple]:
    """The sighting occasions of merged runs that started at ``since`` or later, oldest first, as
    ``occasion_runs`` takes them: ``(cycle,)`` or ``(None, run_id)``. An older run merged after
    them changes what they no longer list, so their closing is decided again."""
    rows = db.execute(
        "SELECT m.cycle, min(r.run_id), min(r.started_at) AS start FROM merged_runs m "
        "JOIN crawl_runs r ON r.run_id = m.run_id WHERE r.started_at >= ? "
        "GROUP BY coalesce(m.cycle, 'run ' || r.run_id) ORDER BY start", [since]).fetchall()
    return [(cycle,) if cycle else (None, run_id) for cycle, run_id, _ in rows]


def merged_run_cycle(db: sqlite_utils.Database, run_id: int) -> str | None:
    """The cycle a run was merged under (the first merge decides)."""
    row = db.execute("SELECT cycle FROM merged_runs WHERE run_id = ?", [run_id]).fetchone()
    return row[0] if row else None


def _mapped(column: str, shared: set[str]) -> str:
    """The run id here of the run database's ``column``; NULL when its schema has no such column."""
    return f"(SELECT new_id FROM temp.run_map WHERE old_id = j.{column})" if column in shared else "NULL"


def _merge_jobs(db: sqlite_utils.Database) -> int:
    """Upsert every job of the run database: its content, locations and fetch (fetched_at,
    fetched_run_id) where its fetch is at least as new as ours; first_seen the earliest, last_seen
    and last_run_id the latest; a job seen after we closed it is open again. times_seen is
    counted per sighting occasion afterwards (``_merge_run_sightings``)."""
    db.execute("DROP TABLE IF EXISTS temp.newer_fetch")
    db.execute(
        "CREATE TEMP TABLE newer_fetch AS SELECT j.job_id FROM run.jobs j LEFT JOIN main.jobs m ON m.job_id = j.job_id "
        "WHERE m.job_id IS NULL OR coalesce(j.fetched_at, '') >= coalesce(m.fetched_at, '')")
    shared = set(_shared_columns(db, "jobs"))
    content = [c for c in CONTENT_COLUMNS if c in shared]
    newer = "jobs.job_id IN (SELECT job_id FROM temp.newer_fetch)"
    later = "coalesce(excluded.last_seen, '') >= coalesce(jobs.last_seen, '')"
    updates = [f"{c} = CASE WHEN {newer} THEN excluded.{c} ELSE jobs.{c} END" for c in content]
    updates += [
        f"fetched_run_id = CASE WHEN {newer} THEN excluded.fetched_run_id ELSE jobs.fetched_run_id END",
        "first_seen = min(coalesce(jobs.first_seen, excluded.first_seen), "
        "coalesce(excluded.first_seen, jobs.first_seen))",
        f"last_run_id = CASE WHEN {later} THEN excluded.last_run_id ELSE jobs.last_run_id END",
        f"last_seen = CASE WHEN {later} THEN excluded.last_seen ELSE jobs.last_seen END",
        "closed_at = CASE WHEN jobs.closed_at IS NOT NULL AND coalesce(excluded.last_seen, '') >= jobs.closed_at "
        "THEN NULL ELSE jobs.closed_at END",
    ]
    columns = ["job_id", *content, "first_seen", "last_seen", "times_seen", "last_run_id", "fetched_run_id"]
    select = ["j.job_id", *(f"j.{c}" for c in content), "j.first_seen", "j.last_seen", "0",
              _mapped("last_run_id", shared), _mapped("fetched_run_id", shared)]
    cursor = db.execute(
        f"INSERT INTO jobs ({', '.join(columns)}) SELECT {', '.join(select)} FROM run.jobs j WHERE true "
        f"ON CONFLICT(job_id) DO UPDATE SET {', '.join(updates)}")
    location_columns = _shared_columns(db, "job_locations")
    db.execute("DELETE FROM job_locations WHERE job_id IN (SELECT job_id FROM temp.newer_fetch)")
    db.execute(f"INSERT INTO job_locations ({', '.join(location_columns)}) SELECT {', '.join(location_columns)} "
               "FROM run.job_locations WHERE job_id IN (SELECT job_id FROM temp.newer_fetch)")
    db.execute("DROP TABLE temp.newer_fetch")
    return cursor.rowcount


def _merge_labels(db: sqlite_utils.Database) -> None:
    """Each (job, label source) of the run database replaces ours, with its skills and evidence,
    when it was labelled at least as recently; other sources and older labels are left alone."""
    db.execute("DROP TABLE IF EXISTS temp.newer_labels")
    db.execute(
        "CREATE TEMP TABLE newer_labels AS SELECT r.job_id, r.labels FROM run.job_labels r "
        "LEFT JOIN main.job_labels m ON m.job_id = r.job_id AND m.labels = r.labels "
        "WHERE m.job_id IS NULL OR coalesce(r.labelled_at, '') >= coalesce(m.labelled_at, '')")
    wanted = "(job_id, labels) IN (SELECT job_id, labels FROM temp.newer_labels)"
    label_columns = _shared_columns(db, "job_labels")
    db.execute(f"INSERT OR REPLACE INTO job_labels ({', '.join(label_columns)}) "
               f"SELECT {', '.join(label_columns)} FROM run.job_labels WHERE {wanted}")
    skill_columns = _shared_columns(db, "job_skills")
    db.execute(f"DELETE FROM job_skills WHERE {wanted}")
    db.execute(f"INSERT INTO job_skills ({', '.join(skill_columns)}) SELECT {', '.join(skill_columns)} "
               f"FROM run.job_skills WHERE {wanted} ORDER BY rowid")
    db.execute(f"DELETE FROM job_label_evidence WHERE {wanted}")
    if _columns(db, "run", "job_label_evidence"):  # a run database written before evidence was kept has none
        evidence_columns = _shared_columns(db, "job_label_evidence")
        db.execute(f"INSERT INTO job_label_evidence ({', '.join(evidence_columns)}) "
                   f"SELECT {', '.join(evidence_columns)} FROM run.job_label_evidence WHERE {wanted}")
    db.execute("DROP TABLE temp.newer_labels")


def _merge_run_sightings(db: sqlite_utils.Database, old_id: int, new_id: int, cycle: str | None, new: bool) -> int:
    """One run's sightings: each job it saw that its occasion (the run, or every run of its
    cycle) had not seen here yet counts once more in times_seen, as a crawl counts a job once per
    run; then the sightings are added. A new run records its jobs_new (jobs no run here had seen);
    returns it (0 for a run merged before)."""
    params = {"old": old_id, "new": new_id, "cycle": cycle}
    jobs_new = db.execute(
        "SELECT count(DISTINCT job_id) FROM run.sightings s WHERE run_id = :old "
        "AND NOT EXISTS (SELECT 1 FROM main.sightings e WHERE e.job_id = s.job_id)", params).fetchone()[0] if new else 0
    db.execute(
        "UPDATE jobs SET times_seen = times_seen + 1 "
        "WHERE job_id IN (SELECT job_id FROM run.sightings WHERE run_id = :old) "
        "AND NOT EXISTS (SELECT 1 FROM main.sightings e WHERE e.job_id = jobs.job_id AND (e.run_id = :new OR "
        "e.run_id IN (SELECT run_id FROM merged_runs WHERE cycle = :cycle)))", params)
    db.execute("INSERT OR IGNORE INTO sightings (run_id, job_id, city, seen_at) "
               "SELECT :new, job_id, city, seen_at FROM run.sightings WHERE run_id = :old", params)
    if new:
        db.execute("UPDATE crawl_runs SET jobs_new = :jobs_new WHERE run_id = :new", {**params, "jobs_new": jobs_new})
    return jobs_new


# Jobs a sighting occasion (its runs: one, or every run of a cycle) could have listed but did
# not: close_unlisted's rule with the occasion's runs in place of one run, and the cities some
# run of it listed completely with this search.
def occasion_runs(db: sqlite_utils.Database, cycle: str | None, run_id: int | None = None) -> list[dict]:
    """The runs of one sighting occasion: every merged run of ``cycle``, or run ``run_id`` alone."""
    where, params = ("run_id IN (SELECT run_id FROM merged_runs WHERE cycle = ?)", [cycle]) if cycle else (
        "run_id = ?", [run_id])
    cursor = db.execute(f"SELECT run_id, query, status, cities_complete, quality, finished_at, started_at "
                        f"FROM crawl_runs WHERE {where} ORDER BY started_at, run_id", params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def close_occasion(db: sqlite_utils.Database, runs: list[dict], max_share: float = 1.0) -> dict[str, int | None]:
    """Close what an occasion's complete listings no longer show, per search query: how many were
    closed per query, None where more than ``max_share`` of those cities' open jobs would close
    (then none is, as a crawl does). Only ok or degraded runs without store errors count their
    complete cities (a crawl that failed or lost writes closes nothing); every run's sightings
    count as seen, and a job a later run saw stays open (runs may be merged in any order).
    closed_at is the occasion's last finish, so re-merging gives the same value."""
    run_ids = [run["run_id"] for run in runs]
    closed_at = max((run["finished_at"] or run["started_at"] or "" for run in runs), default="") or utc_now()
    cities_by_query: dict[str | None, set[str]] = {}
    for run in runs:
        quality = json.loads(run["quality"] or "{}")
        if run["status"] not in ("ok", "degraded") or quality.get("store_errors"):
            continue
        cities_by_query.setdefault(run["query"], set()).update(json.loads(run["cities_complete"] or "[]"))
    since = min((run["started_at"] or "" for run in runs), default="")
    results: dict[str, int | None] = {}
    with transaction(db):  # the jobs closed and their count on the run, together
        for query, cities in cities_by_query.items():
            if not cities:
                continue
            closed = close_unlisted_of(db, run_ids, cities, query, closed_at, max_share, since)
            if closed:  # counted on the occasion's last run of this search
                last = [run for run in runs if run["query"] == query][-1]
                db.execute("UPDATE crawl_runs SET jobs_closed = coalesce(jobs_closed, 0) + ? WHERE run_id = ?",
                           [closed, last["run_id"]])
            results[query] = closed
    return results


def withhold_closing(db: sqlite_utils.Database, runs: list[dict], reason: str) -> None:
    """Mark an occasion's runs degraded, with the reason, when its closing was withheld."""
    with transaction(db):
        for run in runs:
            reasons = json.loads(db.execute("SELECT coalesce(status_reasons, '[]') FROM crawl_runs WHERE run_id = ?",
                                            [run["run_id"]]).fetchone()[0])
            if reason not in reasons:
                db.execute("UPDATE crawl_runs SET status = CASE WHEN status = 'ok' THEN 'degraded' ELSE status END, "
                           "status_reasons = ? WHERE run_id = ?", [json.dumps([*reasons, reason]), run["run_id"]])
