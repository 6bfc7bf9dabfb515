"""Jobs and their sightings: a crawled posting stored whole (its row, locations, rule labels,
skills, city and run sighting in the same transaction), and the jobs a complete listing closes.

A job's ``first_seen`` / ``times_seen`` survive re-crawls."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import sqlite_utils

from jobcrawler.cities import city_key
from jobcrawler.storage.labels import INSERT_SKILL, skill_rows, write_labelled, write_labels
from jobcrawler.storage.schema import CONTENT_COLUMNS, RULES, sqlite_value
from jobcrawler.storage.transaction import transaction


def has_jobs(conn) -> bool:
    """Whether the database holds any job (``conn``: a sqlite3 connection or a Database)."""
    return conn.execute("SELECT EXISTS (SELECT 1 FROM jobs)").fetchone()[0] == 1


def listed_city_key(db: sqlite_utils.Database, city: str) -> str:
    """The key postings are listed under in the database that ``city`` names (in any case, or by
    the city's name: ``cities.city_key``); ValueError naming the keys it holds when it names none.
    Read through the caller's connection: a file a site serves is opened read-only, immutable."""
    keys = [row[0] for row in db.execute("SELECT DISTINCT city FROM job_cities WHERE city IS NOT NULL ORDER BY city")]
    key = city_key(city, keys)
    if key is None:
        raise ValueError(f"no posting is listed under city {city!r}; this database has: {', '.join(keys) or 'no city yet'}")
    return key


def job_exists(db: sqlite_utils.Database, job_id: str) -> bool:
    return db.execute("SELECT 1 FROM jobs WHERE job_id = ?", [job_id]).fetchone() is not None


def job_row(values: dict) -> dict:
    """The ``jobs`` content columns of one posting, lists as JSON text, every column present."""
    row = {column: sqlite_value(values.get(column)) for column in CONTENT_COLUMNS}
    row["job_id"] = values["job_id"]
    return row


def save_job(
    db: sqlite_utils.Database,
    row: dict,
    *,
    city: str | None,
    run_id: int | None,
    locations: list[dict],
    skills: list[dict],
    seen_at: str,
    labels: dict | None = None,
) -> None:
    """Insert or refresh one job with its locations, labels, skills and the sighting, in one
    transaction. ``labels`` is a ``label_row`` (the crawl's: source ``rules``); ``skills`` are
    that source's skills."""
    with transaction(db):
        _write_job(db, row, city=city, run_id=run_id, locations=locations, skills=skills, seen_at=seen_at,
                   labels=labels)


def save_jobs(db: sqlite_utils.Database, jobs: list[dict], labelled: list[tuple[str, dict, list[dict]]] = ()) -> None:
    """``save_job`` for many jobs in one transaction; each dict holds ``save_job``'s keyword
    arguments (``row``, ``city``, ``run_id``, ``locations``, ``skills``, ``seen_at``, ``labels``).
    ``labelled`` adds labels of other sources in the same transaction, as ``save_labels`` takes them.

    One commit per batch rather than per job roughly halves the cost of storing a job: the
    full-text index and the index pages the jobs share are written once per batch.
    """
    with transaction(db):
        for job in jobs:
            _write_job(db, **job)
        write_labelled(db, list(labelled))


def _write_job(db, row: dict, *, city, run_id, locations: list[dict], skills: list[dict], seen_at: str,
               labels: dict | None = None) -> None:
    job_id = row["job_id"]
    content = [c for c in CONTENT_COLUMNS if c in row]
    columns = ["job_id", *content, "first_seen", "last_seen", "times_seen", "last_run_id", "fetched_run_id"]
    updates = ", ".join(f"{c} = excluded.{c}" for c in content)
    sql = (
        f"INSERT INTO jobs ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
        f"ON CONFLICT(job_id) DO UPDATE SET {updates}, last_seen = excluded.last_seen, "
        "times_seen = jobs.times_seen + (jobs.last_run_id IS NOT excluded.last_run_id), "
        "last_run_id = excluded.last_run_id, fetched_run_id = excluded.fetched_run_id, closed_at = NULL"
    )
    params = [job_id, *(row[c] for c in content), seen_at, seen_at, 1, run_id, run_id]
    db.execute(sql, params)
    db.execute("DELETE FROM job_locations WHERE job_id = ?", [job_id])
    db.conn.executemany(
        "INSERT INTO job_locations (job_id, position, label, locality, region, country, postal_code) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (job_id, i, loc.get("label"), loc.get("locality"), loc.get("region"),
             loc.get("country"), loc.get("postal_code"))
            for i, loc in enumerate(locations)
        ],
    )
    if labels is not None:
        write_labels(db, [{**labels, "job_id": job_id}])
    source = labels["labels"] if labels is not None else RULES
    db.execute("DELETE FROM job_skills WHERE job_id = ? AND labels = ?", [job_id, source])
    db.conn.executemany(INSERT_SKILL, [(job_id, source, *row) for row in skill_rows(skills)])
    if city:
        _record_sighting(db, job_id, city, run_id, seen_at)


def _record_sighting(db, job_id: str, city: str, run_id: int | None, seen_at: str) -> None:
    db.execute(
        "INSERT INTO job_cities (job_id, city, first_seen, last_seen) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(job_id, city) DO UPDATE SET last_seen = excluded.last_seen",
        [job_id, city, seen_at, seen_at],
    )
    if run_id is not None:
        db.execute(
            "INSERT OR IGNORE INTO sightings (run_id, job_id, city, seen_at) VALUES (?, ?, ?, ?)",
            [run_id, job_id, city, seen_at],
        )


def record_sighting(db: sqlite_utils.Database, job_id: str, city: str, run_id: int | None, seen_at: str) -> None:
    """A job listed again without re-fetching its detail page: move ``last_seen`` on."""
    with transaction(db):
        db.execute(
            "UPDATE jobs SET last_seen = ?, closed_at = NULL, "
            "times_seen = times_seen + (last_run_id IS NOT ?), last_run_id = ? WHERE job_id = ?",
            [seen_at, run_id, run_id, job_id],
        )
        _record_sighting(db, job_id, city, run_id, seen_at)


def fresh_job_ids(path: str | Path, since: datetime) -> set[str]:
    """Open jobs whose detail page was fetched at or after ``since`` and that are stored whole
    (their rule labels, a city and a sighting): a re-crawl skips them. A job missing any of its
    parts (a batch a full disk or a kill cut short, in a version that did not write it in one
    transaction) is fetched again, and so repaired."""
    if not Path(path).exists():
        return set()
    db = sqlite_utils.Database(path)
    try:
        rows = db.execute(
            "SELECT job_id FROM jobs AS j WHERE fetched_at >= ? AND closed_at IS NULL "
            "AND EXISTS (SELECT 1 FROM job_labels AS l WHERE l.job_id = j.job_id AND l.labels = ?) "
            "AND EXISTS (SELECT 1 FROM job_cities AS c WHERE c.job_id = j.job_id) "
            "AND EXISTS (SELECT 1 FROM sightings AS s WHERE s.job_id = j.job_id)",
            [since.replace(microsecond=0).isoformat(), RULES],
        )
        return {row[0] for row in rows}
    except sqlite3.OperationalError:  # no such table or column: a database of an older version, fetch all
        return set()
    finally:
        db.close()


# Jobs these runs (a crawl, or every run of one merged cycle) could have listed but did not:
# every place the job was ever listed (city and search query) was listed completely by them, they
# saw it nowhere, and no run that started after them saw it (:since, for runs merged out of order;
# NULL for a crawl, which is the newest run). A job also listed under a city or query these runs
# did not read completely stays open.
_UNLISTED = """
FROM jobs
WHERE closed_at IS NULL
  AND job_id NOT IN (SELECT job_id FROM sightings WHERE run_id IN (SELECT value FROM json_each(:runs)))
  AND job_id IN (SELECT job_id FROM job_cities WHERE city IN (SELECT value FROM json_each(:cities)))
  AND NOT EXISTS (
    SELECT 1 FROM sightings s JOIN crawl_runs r ON r.run_id = s.run_id
    WHERE s.job_id = jobs.job_id
      AND (r.query IS NOT :query OR s.city NOT IN (SELECT value FROM json_each(:cities))
           OR (:since IS NOT NULL AND r.started_at > :since
               AND r.run_id NOT IN (SELECT value FROM json_each(:runs)))))
"""


def close_unlisted(db: sqlite_utils.Database, run_id: int, cities: list[str], closed_at: str,
                   max_share: float = 1.0) -> int | None:
    """Close the jobs a crawl's complete listing no longer shows; how many, or None when withheld."""
    query = db.execute("SELECT query FROM crawl_runs WHERE run_id = ?", [run_id]).fetchone()
    return close_unlisted_of(db, [run_id], cities, query[0] if query else None, closed_at, max_share)


def close_unlisted_of(db: sqlite_utils.Database, run_ids: list[int], cities, query: str | None, closed_at: str,
                    max_share: float, since: str | None = None) -> int | None:
    """Closing more than ``max_share`` of the open jobs of those cities at once more likely means
    the site changed (another search, a broken pager) than that the market did: nothing is closed
    then (None), and the caller reports it."""
    if not cities:
        return 0
    params = {"runs": json.dumps(list(run_ids)), "cities": json.dumps(sorted(cities)), "query": query,
              "closed_at": closed_at, "since": since}
    with transaction(db):  # the share is judged on what is closed
        candidates = db.execute("SELECT count(*) " + _UNLISTED, params).fetchone()[0]
        open_jobs = db.execute(
            "SELECT count(*) FROM jobs WHERE closed_at IS NULL AND job_id IN "
            "(SELECT job_id FROM job_cities WHERE city IN (SELECT value FROM json_each(:cities)))", params,
        ).fetchone()[0]
        if candidates and candidates > max_share * open_jobs:
            return None
        cursor = db.execute("UPDATE jobs SET closed_at = :closed_at WHERE job_id IN (SELECT job_id " + _UNLISTED + ")",
                            params)
    return cursor.rowcount
