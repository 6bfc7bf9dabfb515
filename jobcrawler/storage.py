"""The SQLite database: schema, idempotent upserts, per-source labels and crawl-run bookkeeping.

Only this module writes SQL for the crawl. Rows are written with explicit column lists
(never sqlite-utils ``upsert_all`` over rows with differing keys, which nulls the missing
columns), and a job's ``first_seen`` / ``times_seen`` survive re-crawls.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils
from sqlite_utils.db import DescIndex

from jobcrawler.tagging import category_columns

# Column name -> SQLite type, in table order. JSON lists are stored as JSON text.
JOB_COLUMNS: dict[str, type] = {
    "job_id": str,
    "url": str,
    "title": str,
    "title_raw": str,
    "company": str,
    "company_url": str,
    "posted_date": str,
    "valid_through": str,
    "reposted": int,
    "employment_type": str,
    "work_type": str,
    "level": str,
    "months_of_experience": int,
    "salary_min": float,
    "salary_max": float,
    "salary_currency": str,
    "salary_period": str,
    "salary_text": str,
    "country": str,
    "countries": str,
    "location": str,
    "remote": int,
    "remote_hiring": int,
    "company_size": int,
    "company_hq": str,
    "year_founded": int,
    "industries": str,
    "top_skills": str,
    "description": str,
    "description_html": str,
    "easy_apply": int,
    "template": str,
    "jsonld_identifier": str,
    # lifecycle
    "first_seen": str,
    "last_seen": str,
    "times_seen": int,
    "closed_at": str,
    "last_run_id": int,
    "fetched_at": str,
    "fetched_run_id": int,  # the run that fetched the page last (last_run_id: the last that listed it)
}
LIFECYCLE_COLUMNS = ("first_seen", "last_seen", "times_seen", "closed_at", "last_run_id", "fetched_run_id")
CONTENT_COLUMNS = tuple(c for c in JOB_COLUMNS if c not in LIFECYCLE_COLUMNS and c != "job_id")
CRAWL_RUN_COLUMNS: dict[str, type] = {
    "run_id": int,
    "spider": str,
    "city": str,
    "query": str,
    "site": str,  # BUILTIN_BASE_URL of the run: builtin.com, or a local replay
    "args": str,
    "started_at": str,
    "finished_at": str,
    "finish_reason": str,
    "status": str,
    "status_reasons": str,
    "cities_complete": str,
    "listing_pages": int,
    "listed_jobs": int,
    "detail_requests": int,
    "items_stored": int,
    "items_dropped": int,
    "drop_reasons": str,
    "retries": int,
    "gave_up": str,
    "errors": int,
    "rendered_pages": int,
    "jobs_new": int,
    "jobs_closed": int,
    "quality": str,
    "stats": str,
    "host": str,  # where and as which process the run ran: a run whose process is gone
    "pid": int,  # while its row says `running` was killed (see mark_killed_runs)
    "jobdir": str,  # the -s JOBDIR it runs in (absolute): the same command resumes this run
}
BUSY_TIMEOUT = 60.0  # seconds; the SQLITE_BUSY_TIMEOUT setting


class StorageError(Exception):
    """The database cannot be opened or written: said in one line, the crawl stops as failed."""


# SQLite errors of the database as a whole (locked past the busy timeout, read-only, full, I/O,
# corrupt), not of one row: retrying job by job would fail the same way.
_WHOLE_DATABASE_ERRORS = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_READONLY", "SQLITE_FULL", "SQLITE_IOERR",
                          "SQLITE_CANTOPEN", "SQLITE_CORRUPT", "SQLITE_NOTADB")


def whole_database_error(error: BaseException) -> bool:
    return str(getattr(error, "sqlite_errorname", "")).startswith(_WHOLE_DATABASE_ERRORS)


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def open_db(path: str | Path, busy_timeout: float = BUSY_TIMEOUT, journal_mode: str = "WAL") -> sqlite_utils.Database:
    """Open (creating folder, file and schema as needed) the crawl database.

    ``busy_timeout``: seconds a write waits for another process's lock (a Datasette, a re-tag,
    a backup) before it fails; a realistic lock is shorter, so the crawl waits rather than loses.
    ``journal_mode``: WAL lets readers (the site, a report) read while the crawl writes; a file
    on a folder several machines mount (a Scrapyd run database) wants DELETE, since WAL's shared
    memory does not work over a network file system.
    """
    path = Path(path)
    if journal_mode.upper() not in ("WAL", "DELETE", "TRUNCATE", "PERSIST"):
        raise StorageError(f"SQLITE_JOURNAL_MODE must be WAL, DELETE, TRUNCATE or PERSIST, not {journal_mode!r}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(sqlite3.connect(path, timeout=busy_timeout, check_same_thread=False))
        db.conn.execute(f"PRAGMA journal_mode={journal_mode.upper()}")
        db.conn.execute("PRAGMA synchronous=NORMAL")
        db.conn.execute("PRAGMA foreign_keys=ON")
        ensure_schema(db)
    except (OSError, sqlite3.Error) as error:
        raise StorageError(f"cannot open the database {path}: {error}") from error
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create or bring up to date every table, index and the full-text search; a no-op when the
    database already has this schema, so it is safe to call every run.

    ``transform=True`` adds a column a newer version declares (rebuilding the table only then);
    the rebuild drops the table's triggers, so the full-text index is re-created after it.
    """
    _move_job_tags_to_labels(db)  # first: the transform below drops the columns it reads
    db["jobs"].create(JOB_COLUMNS, pk="job_id", not_null={"times_seen"}, defaults={"times_seen": 0},
                      transform=True)
    db["crawl_runs"].create(CRAWL_RUN_COLUMNS, pk="run_id", transform=True)
    db["job_cities"].create(
        {"job_id": str, "city": str, "first_seen": str, "last_seen": str},
        pk=("job_id", "city"),
        foreign_keys=[("job_id", "jobs", "job_id")],
        if_not_exists=True,
    )
    db["job_locations"].create(
        {
            "job_id": str,
            "position": int,
            "label": str,
            "locality": str,
            "region": str,
            "country": str,
            "postal_code": str,
        },
        pk=("job_id", "position"),
        foreign_keys=[("job_id", "jobs", "job_id")],
        if_not_exists=True,
    )
    ensure_label_schema(db)
    ensure_llm_label_schema(db)
    db["sightings"].create(
        {"run_id": int, "job_id": str, "city": str, "seen_at": str},
        pk=("run_id", "job_id", "city"),
        foreign_keys=[("job_id", "jobs", "job_id"), ("run_id", "crawl_runs", "run_id")],
        if_not_exists=True,
    )
    for table, columns in (
        ("jobs", ["company"]),
        ("jobs", ["posted_date"]),
        ("jobs", ["country"]),
        ("job_skills", ["skill"]),
        ("job_skills", ["category", "skill"]),
        ("job_cities", ["city"]),
        ("job_locations", ["country"]),
        ("sightings", ["job_id"]),
    ):
        db[table].create_index(columns, if_not_exists=True)
    # Newest postings first with the columns a substring search filters on: Datasette's
    # "company_jobs" (company LIKE '%x%' ORDER BY posted_date DESC, title) reads this index
    # in order instead of visiting every row through the posted_date index (100k jobs: 15 ms, not 200).
    db["jobs"].create_index([DescIndex("posted_date"), "title", "company"], index_name="idx_jobs_newest",
                            if_not_exists=True)
    if not db["jobs"].detect_fts():
        db["jobs"].enable_fts(["title", "description"], create_triggers=True, tokenize="porter")
    elif not any(trigger.name == "jobs_ai" for trigger in db["jobs"].triggers):  # the table was rebuilt
        db["jobs"].enable_fts(["title", "description"], create_triggers=True, tokenize="porter", replace=True)
        db["jobs"].rebuild_fts()
    _narrow_fts_update_trigger(db)


# sqlite-utils' update trigger re-indexes a job in jobs_fts on every UPDATE of the row; only
# title and description feed the index, so a sighting (last_seen) or a re-tag need not.
_FTS_UPDATE_TRIGGER = """CREATE TRIGGER "jobs_au" AFTER UPDATE OF "title", "description" ON "jobs" BEGIN
  INSERT INTO "jobs_fts" ("jobs_fts", rowid, "title", "description") VALUES('delete', old.rowid, old."title", old."description");
  INSERT INTO "jobs_fts" (rowid, "title", "description") VALUES (new.rowid, new."title", new."description");
END"""


def _narrow_fts_update_trigger(db: sqlite_utils.Database) -> None:
    row = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'jobs_au'").fetchone()
    if row and " UPDATE OF " not in row[0].upper():
        with db.conn:
            db.execute('DROP TRIGGER "jobs_au"')
            db.execute(_FTS_UPDATE_TRIGGER)


def start_run(db: sqlite_utils.Database, spider: str, city: str, query: str, args: dict, site: str | None = None,
              jobdir: str | None = None) -> int:
    mark_killed_runs(db)
    with db.conn:
        cursor = db.execute(
            "INSERT INTO crawl_runs (spider, city, query, site, args, started_at, status, host, pid, jobdir) "
            "VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)",
            [spider, city, query, site, json.dumps(args, sort_keys=True), utc_now(), socket.gethostname(),
             os.getpid(), jobdir],
        )
    return cursor.lastrowid


def mark_killed_runs(db: sqlite_utils.Database) -> list[int]:
    """Runs still ``running`` whose process on this host is gone (killed, crashed, power cut)
    become ``killed``, so crawl_runs does not claim a crawl is under way. A ``-s JOBDIR`` run
    marked so can still be resumed."""
    return _mark_killed(db, "crawl_runs", "finish_reason = 'killed', "
                                          "status_reasons = '[\"its process ended without closing the run\"]'")


def _mark_killed(db: sqlite_utils.Database, table: str, why: str) -> list[int]:
    """Rows of ``table`` (crawl_runs or label_runs) still ``running`` whose process on this host
    is gone become ``killed``, with ``why`` (an SQL assignment list) saying so."""
    killed = [run_id for run_id, pid in db.execute(
        f"SELECT run_id, pid FROM {table} WHERE status = 'running' AND host = ? AND pid IS NOT NULL",
        [socket.gethostname()]).fetchall() if pid != os.getpid() and not _process_alive(pid)]
    if killed:
        with db.conn:
            db.conn.executemany(f"UPDATE {table} SET status = 'killed', {why} WHERE run_id = ?",
                                [(run_id,) for run_id in killed])
    return killed


def _process_alive(pid: int) -> bool:
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
    with db.conn:
        db.execute("UPDATE crawl_runs SET status = 'running', finished_at = NULL, finish_reason = NULL, "
                   "status_reasons = NULL, host = ?, pid = ? WHERE run_id = ?",
                   [socket.gethostname(), os.getpid(), run_id])
    try:
        stats = json.loads(row[0]) if row and row[0] else {}
    except ValueError:
        stats = {}
    return stats if isinstance(stats, dict) else {}


def finish_run(db: sqlite_utils.Database, run_id: int, values: dict) -> None:
    row = {k: (json.dumps(v, sort_keys=True, default=str) if isinstance(v, (dict, list)) else v)
           for k, v in values.items() if k in CRAWL_RUN_COLUMNS}
    with db.conn:
        db["crawl_runs"].update(run_id, row)


# What one run holds, for its quality check: jobs it saw, how many of them it stored (fetched
# their page: a resumed run counts the jobs of all its parts, each once), and how many carry
# each field.
_RUN_COVERAGE = """
SELECT
  count(*) AS jobs,
  sum(j.fetched_run_id = :run_id) AS stored,
  sum(NOT EXISTS (SELECT 1 FROM sightings e WHERE e.job_id = j.job_id AND e.run_id < :run_id)) AS new,
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
    """Counts over the jobs one run saw: ``jobs``, ``stored``, ``new`` (first seen by it), ``sightings`` (a job listed under two
    cities counts twice, as listings do) and one per checked field."""
    cursor = db.execute(_RUN_COVERAGE, {"run_id": run_id})
    return {column[0]: value or 0 for column, value in zip(cursor.description, cursor.fetchone())}


def has_jobs(conn) -> bool:
    """Whether the database holds any job (``conn``: a sqlite3 connection or a Database)."""
    return conn.execute("SELECT EXISTS (SELECT 1 FROM jobs)").fetchone()[0] == 1


def job_exists(db: sqlite_utils.Database, job_id: str) -> bool:
    return db.execute("SELECT 1 FROM jobs WHERE job_id = ?", [job_id]).fetchone() is not None


def _json(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def job_row(values: dict) -> dict:
    """The ``jobs`` content columns of one posting, lists as JSON text, every column present."""
    row = {column: _sqlite_value(values.get(column)) for column in CONTENT_COLUMNS}
    row["job_id"] = values["job_id"]
    return row


def _sqlite_value(value):
    """A value as SQLite stores it here: lists and objects as JSON text, true/false as 1/0."""
    if isinstance(value, (list, dict)):
        return _json(value)
    return int(value) if isinstance(value, bool) else value


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
    with db.conn:
        _write_job(db, row, city=city, run_id=run_id, locations=locations, skills=skills, seen_at=seen_at,
                   labels=labels)


def save_jobs(db: sqlite_utils.Database, jobs: list[dict], labelled: list[tuple[str, dict, list[dict]]] = ()) -> None:
    """``save_job`` for many jobs in one transaction; each dict holds ``save_job``'s keyword
    arguments (``row``, ``city``, ``run_id``, ``locations``, ``skills``, ``seen_at``, ``labels``).
    ``labelled`` adds labels of other sources in the same transaction, as ``save_labels`` takes them.

    One commit per batch rather than per job roughly halves the cost of storing a job: the
    full-text index and the index pages the jobs share are written once per batch.
    """
    with db.conn:
        for job in jobs:
            _write_job(db, **job)
        _write_labelled(db, list(labelled))


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
        _write_labels(db, [{**labels, "job_id": job_id}])
    source = labels["labels"] if labels is not None else RULES
    db.execute("DELETE FROM job_skills WHERE job_id = ? AND labels = ?", [job_id, source])
    db.conn.executemany(_INSERT_SKILL, [(job_id, source, *row) for row in _skill_rows(skills)])
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
    with db.conn:
        db.execute(
            "UPDATE jobs SET last_seen = ?, closed_at = NULL, "
            "times_seen = times_seen + (last_run_id IS NOT ?), last_run_id = ? WHERE job_id = ?",
            [seen_at, run_id, run_id, job_id],
        )
        _record_sighting(db, job_id, city, run_id, seen_at)


def fresh_job_ids(path: str | Path, since: datetime) -> set[str]:
    """Jobs whose detail page was fetched at or after ``since``: a re-crawl skips them."""
    if not Path(path).exists():
        return set()
    db = sqlite_utils.Database(path)
    try:
        if not db["jobs"].exists() or "fetched_at" not in db["jobs"].columns_dict:
            return set()
        rows = db.execute(
            "SELECT job_id FROM jobs WHERE fetched_at >= ? AND closed_at IS NULL",
            [since.replace(microsecond=0).isoformat()],
        )
        return {row[0] for row in rows}
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
    return _close_unlisted(db, [run_id], cities, query[0] if query else None, closed_at, max_share)


def _close_unlisted(db: sqlite_utils.Database, run_ids: list[int], cities, query: str | None, closed_at: str,
                    max_share: float, since: str | None = None) -> int | None:
    """Closing more than ``max_share`` of the open jobs of those cities at once more likely means
    the site changed (another search, a broken pager) than that the market did: nothing is closed
    then (None), and the caller reports it."""
    if not cities:
        return 0
    params = {"runs": json.dumps(list(run_ids)), "cities": json.dumps(sorted(cities)), "query": query,
              "closed_at": closed_at, "since": since}
    candidates = db.execute("SELECT count(*) " + _UNLISTED, params).fetchone()[0]
    open_jobs = db.execute(
        "SELECT count(*) FROM jobs WHERE closed_at IS NULL AND job_id IN "
        "(SELECT job_id FROM job_cities WHERE city IN (SELECT value FROM json_each(:cities)))", params,
    ).fetchone()[0]
    if candidates and candidates > max_share * open_jobs:
        return None
    with db.conn:
        cursor = db.execute("UPDATE jobs SET closed_at = :closed_at WHERE job_id IN (SELECT job_id " + _UNLISTED + ")",
                            params)
    return cursor.rowcount


# --- Labels ---------------------------------------------------------------------------------
# Every per-job label (the categories of categories.yaml, and skills with their evidence) is
# stored per label source: ``rules`` (the tagger, written by the crawl and by retag),
# ``fieldguide`` (the published analysis' labels, imported), ``llm:<model>``. A job may hold
# labels from several sources; writing one source never touches another's rows.

RULES = "rules"
LABEL_COLUMNS: dict[str, type] = category_columns()  # one declaration: categories.yaml
# What a label source may say beyond the categories (the rule tagger leaves them empty): the
# stage text as the source wrote it (company_stage is its normalized value), and the reading
# behind the labels.
LABEL_DETAIL_COLUMNS: dict[str, type] = {
    "company_stage_raw": str,
    "company_focus": str,
    "ai_type_reasoning": str,
    "responsibilities": str,  # JSON list
    "use_cases": str,  # JSON list
    "skill_lists": str,  # JSON {list: [names as the source wrote them]}: what the published lists counted
}
JOB_LABEL_COLUMNS: dict[str, type] = {
    "job_id": str,
    "labels": str,  # the label source
    **LABEL_COLUMNS,
    **LABEL_DETAIL_COLUMNS,
    "version": str,  # tagger version, prompt hash, or the imported dataset's batch
    "labelled_at": str,
}
SKILL_COLUMNS: dict[str, type] = {
    "job_id": str, "labels": str, "skill": str, "category": str, "matched": str, "source": str,
    "section": str,  # the part of the description the evidence stands in (role, requirements, ...)
}
_INSERT_SKILL = ("INSERT OR IGNORE INTO job_skills (job_id, labels, skill, category, matched, source, section) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?)")
# Why a job's category has its value, as the source says: the rule that decided, what it weighed
# (its condition), the phrase and the section it stands in; one row per piece, in order.
EVIDENCE_COLUMNS: dict[str, type] = {
    "job_id": str, "labels": str, "category": str, "position": int,
    "rule": str, "condition": str, "matched": str, "section": str,
}


def ensure_label_schema(db: sqlite_utils.Database) -> None:
    """``job_labels`` and ``job_skills`` keyed by label source; a category added to
    categories.yaml becomes a column (``transform=True``)."""
    _create_job_labels(db)
    skills = db["job_skills"]
    if skills.exists() and "labels" not in skills.columns_dict:  # before label sources: all the tagger's
        skills.add_column("labels", str, not_null_default=RULES)
    skills.create(SKILL_COLUMNS, pk=("job_id", "labels", "skill"), foreign_keys=[("job_id", "jobs", "job_id")],
                  transform=True)
    db["job_label_evidence"].create(EVIDENCE_COLUMNS, pk=("job_id", "labels", "category", "position"),
                                    foreign_keys=[("job_id", "jobs", "job_id")], transform=True)
    db["job_labels"].create_index(["labels", "ai_type"], if_not_exists=True)
    db["job_skills"].create_index(["labels", "skill"], if_not_exists=True)


def _create_job_labels(db: sqlite_utils.Database) -> None:
    db["job_labels"].create(JOB_LABEL_COLUMNS, pk=("job_id", "labels"), foreign_keys=[("job_id", "jobs", "job_id")],
                            transform=True)


def _move_job_tags_to_labels(db: sqlite_utils.Database) -> None:
    """A database written before label sources kept the tagger's labels as columns of ``jobs``:
    they become ``job_labels`` rows of source ``rules``, and the indexes on them go, so that
    ``ensure_schema`` can drop the columns. A no-op on any other database."""
    columns = db["jobs"].columns_dict if db["jobs"].exists() else {}
    old = [c for c in LABEL_COLUMNS if c in columns]
    if not old:
        return
    _create_job_labels(db)
    version = "tagger_version" if "tagger_version" in columns else "NULL"
    with db.conn:
        db.execute(
            f"INSERT OR IGNORE INTO job_labels (job_id, labels, {', '.join(old)}, version) "
            f"SELECT job_id, ?, {', '.join(old)}, {version} FROM jobs", [RULES])
        for index in db["jobs"].indexes:
            if set(index.columns) & {*old, "tagger_version"}:
                db.execute(f'DROP INDEX "{index.name}"')


def label_row(categories: dict, source: str = RULES, version: str | None = None,
              labelled_at: str | None = None, evidence: dict | None = None) -> dict:
    """A ``job_labels`` row (without ``job_id``): lists as JSON text, flags as 0/1, every column
    present; keys of ``categories`` that are no label column are left out. ``evidence``
    (category -> [{rule, condition, matched, section}, ...]) rides along and replaces the
    source's evidence rows when the row is written."""
    row = {"labels": source, "version": version, "labelled_at": labelled_at or utc_now()}
    if evidence is not None:
        row["evidence"] = evidence
    for column in (*LABEL_COLUMNS, *LABEL_DETAIL_COLUMNS):
        row[column] = _sqlite_value(categories.get(column))
    return row


def _write_labels(db: sqlite_utils.Database, rows: list[dict]) -> None:
    """Insert or replace ``job_labels`` rows (each with ``job_id`` and ``labels``), and the
    evidence of those that carry it; evidence that would come out exactly as stored is kept
    (a re-tag changes few decisions, and ~17 evidence rows a job are most of what it writes)."""
    if not rows:
        return
    columns = list(JOB_LABEL_COLUMNS)
    db.conn.executemany(
        f"INSERT OR REPLACE INTO job_labels ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [[row.get(c) for c in columns] for row in rows],
    )
    with_evidence = [row for row in rows if "evidence" in row]
    if not with_evidence:
        return
    stored = _stored_evidence(db, [(row["job_id"], row["labels"]) for row in with_evidence])
    changed = []
    for row in with_evidence:
        pieces = [(category, position, piece.get("rule"), piece.get("condition"), piece.get("matched"),
                   piece.get("section"))
                  for category, found in (row["evidence"] or {}).items() for position, piece in enumerate(found)]
        key = (row["job_id"], row["labels"])
        if sorted(pieces, key=_evidence_order) != stored.get(key, []):
            changed.append((key, pieces))
    db.conn.executemany("DELETE FROM job_label_evidence WHERE job_id = ? AND labels = ?", [key for key, _ in changed])
    db.conn.executemany(
        "INSERT INTO job_label_evidence (job_id, labels, category, position, rule, condition, matched, section) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(*key, *piece) for key, pieces in changed for piece in pieces],
    )


def _evidence_order(piece: tuple) -> tuple:
    """(category, position): the order of ``job_label_evidence``'s primary key."""
    return piece[0], piece[1]


def _stored_evidence(db: sqlite_utils.Database, keys: list[tuple[str, str]]) -> dict[tuple[str, str], list[tuple]]:
    """(job id, source) -> its evidence rows (category, position, rule, condition, matched, section)
    by category and position: what a new decision is compared with before it is rewritten."""
    return _rows_by_job_and_source(db, "job_label_evidence", "category, position, rule, condition, matched, section",
                                   "category, position", keys)


def _rows_by_job_and_source(db: sqlite_utils.Database, table: str, columns: str, order: str,
                            keys: list[tuple[str, str]]) -> dict[tuple[str, str], list[tuple]]:
    """(job id, label source) -> ``columns`` of its ``table`` rows, ordered by ``order``."""
    stored: dict[tuple[str, str], list[tuple]] = {}
    rows = db.execute(
        f"SELECT t.job_id, t.labels, {', '.join('t.' + c.strip() for c in columns.split(','))} FROM {table} AS t "
        "JOIN (SELECT value ->> 0 AS job_id, value ->> 1 AS labels FROM json_each(?)) AS wanted "
        f"ON wanted.job_id = t.job_id AND wanted.labels = t.labels "
        f"ORDER BY t.job_id, t.labels, {', '.join('t.' + c.strip() for c in order.split(','))}",
        [json.dumps(keys)],
    )
    for job_id, source, *row in rows:
        stored.setdefault((job_id, source), []).append(tuple(row))
    return stored


def _skill_rows(skills: list[dict]) -> list[tuple]:
    """(skill, category, matched, source, section) per skill, the first of a repeated skill kept."""
    rows, seen = [], set()
    for skill in skills:
        if skill["skill"] not in seen:
            seen.add(skill["skill"])
            rows.append((skill["skill"], skill.get("category"), skill.get("matched"), skill.get("source"),
                         skill.get("section")))
    return rows


def save_labels(db: sqlite_utils.Database, labelled: list[tuple[str, dict, list[dict]]]) -> None:
    """Replace one or more jobs' labels, ``(job_id, label_row, skills)`` each, in one
    transaction; each row's ``labels`` names the source whose rows it replaces.

    A job whose skill rows would come out exactly as stored (same rows, same order) keeps
    them: after a taxonomy change most jobs' skills do not move, and rewriting them is most
    of the cost of a re-tag.
    """
    with db.conn:
        _write_labelled(db, labelled)


def _write_labelled(db: sqlite_utils.Database, labelled: list[tuple[str, dict, list[dict]]]) -> None:
    if not labelled:
        return
    _write_labels(db, [{**row, "job_id": job_id} for job_id, row, _ in labelled])
    stored = _stored_skills(db, [(job_id, row["labels"]) for job_id, row, _ in labelled])
    changed = []
    for job_id, row, skills in labelled:
        rows = _skill_rows(skills)
        if stored.get((job_id, row["labels"]), []) != rows:
            changed.append((job_id, row["labels"], rows))
    db.conn.executemany("DELETE FROM job_skills WHERE job_id = ? AND labels = ?",
                        [(job_id, source) for job_id, source, _ in changed])
    db.conn.executemany(_INSERT_SKILL, [(job_id, source, *row) for job_id, source, rows in changed for row in rows])


def _stored_skills(db: sqlite_utils.Database, keys: list[tuple[str, str]]) -> dict[tuple[str, str], list[tuple]]:
    """(job id, source) -> its job_skills rows (skill, category, matched, source, section) in stored order."""
    return _rows_by_job_and_source(db, "job_skills", "skill, category, matched, source, section", "rowid", keys)


def jobs_to_tag(db: sqlite_utils.Database, version: str, everything: bool, after: str, limit: int,
                source: str = RULES) -> list[tuple]:
    """The next ``limit`` jobs after job id ``after`` whose labels of ``source`` are missing or of
    another version (every job with ``everything``), as (job_id, title, description, top_skills,
    industries, level, company_size): what the tagger reads. Keyset paging, so writes between
    pages do not shift them."""
    return db.execute(
        "SELECT j.job_id, j.title, j.description, j.top_skills, j.industries, j.level, j.company_size FROM jobs AS j "
        "LEFT JOIN job_labels AS l ON l.job_id = j.job_id AND l.labels = :source "
        "WHERE (:all OR l.version IS NOT :version) AND j.job_id > :after ORDER BY j.job_id LIMIT :limit",
        {"source": source, "all": everything, "version": version, "after": after, "limit": limit},
    ).fetchall()


def label_sources(conn) -> dict[str, int]:
    """Label source -> how many jobs it labelled (``conn``: a sqlite3 connection or a Database;
    none before the label tables exist)."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'job_labels'").fetchone():
        return {}
    return dict(conn.execute("SELECT labels, count(*) FROM job_labels GROUP BY labels ORDER BY labels").fetchall())


# --- Imported datasets ------------------------------------------------------------------------

def imported_run(db: sqlite_utils.Database, spider: str, started_at: str, query: str | None, args: dict,
                 site: str | None) -> int:
    """The ``crawl_runs`` row of one imported batch (a dataset's scrape dated ``started_at``):
    the row an earlier import of the same batch made, else a new one, so re-importing adds no run."""
    found = db.execute("SELECT run_id FROM crawl_runs WHERE spider = ? AND started_at = ? AND args = ?",
                       [spider, started_at, json.dumps(args, sort_keys=True)]).fetchone()
    if found:
        return found[0]
    with db.conn:
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
    with db.conn:
        rules = []
        for job in jobs:
            if _write_imported_job(db, **{k: v for k, v in job.items() if k != "labels"}) and job.get("labels"):
                rules.append((job["row"]["job_id"], job["labels"], job.get("skills") or []))
        _write_labelled(db, [*rules, *labelled])


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


# --- LLM label runs and their cache -----------------------------------------------------------
# ``python -m jobcrawler.label`` (label source ``llm:<model>``): one ``label_runs`` row per run
# with its totals, one ``label_calls`` row per request sent to the model (tokens in and out, the
# outcome), ``label_cache`` holding every valid answer by (model, prompt version, posting text
# hash) so that a re-run or a resumed run asks the model nothing it already answered, and
# ``label_failures`` the postings whose answer stayed unusable after the retries.

LABEL_RUN_COLUMNS: dict[str, type] = {
    "run_id": int,
    "labels": str,  # the label source written: llm:<model id>
    "model": str,
    "prompt_version": str,
    "args": str,
    "started_at": str,
    "finished_at": str,
    "status": str,  # running, ok, interrupted, failed, killed
    "status_reason": str,
    "selected": int,  # postings the run's filters selected
    "cached": int,  # of them, answered from the cache
    "calls": int,  # postings sent to the model
    "requests": int,  # requests made (calls and their retries)
    "retries": int,
    "labelled": int,  # postings whose labels were stored
    "failed": int,  # postings whose answer stayed unusable
    "unknown_skills": str,  # JSON: skill name -> mentions no taxonomy skill matched
    "input_tokens": int,
    "output_tokens": int,
    "host": str,
    "pid": int,
}
LABEL_CALL_COLUMNS: dict[str, type] = {
    "call_id": int,
    "run_id": int,
    "job_id": str,
    "model": str,
    "prompt_version": str,
    "posting_hash": str,
    "attempt": int,
    "outcome": str,  # ok, or why the answer could not be used (http 429, invalid JSON, schema ...)
    "input_tokens": int,
    "output_tokens": int,
    "duration_ms": int,
    "called_at": str,
}
LABEL_CACHE_COLUMNS: dict[str, type] = {
    "model": str, "prompt_version": str, "posting_hash": str, "job_id": str, "answer": str,
    "input_tokens": int, "output_tokens": int, "run_id": int, "cached_at": str,
}
LABEL_FAILURE_COLUMNS: dict[str, type] = {
    "run_id": int, "job_id": str, "model": str, "prompt_version": str, "posting_hash": str,
    "reason": str, "attempts": int, "failed_at": str,
}


def ensure_llm_label_schema(db: sqlite_utils.Database) -> None:
    db["label_runs"].create(LABEL_RUN_COLUMNS, pk="run_id", transform=True)
    db["label_calls"].create(LABEL_CALL_COLUMNS, pk="call_id", if_not_exists=True)
    db["label_cache"].create(LABEL_CACHE_COLUMNS, pk=("model", "prompt_version", "posting_hash"), if_not_exists=True)
    db["label_failures"].create(LABEL_FAILURE_COLUMNS, pk=("run_id", "job_id"), if_not_exists=True)
    db["label_calls"].create_index(["run_id"], if_not_exists=True)


def label_candidates(db: sqlite_utils.Database, city: str | None = None, since: str | None = None,
                     limit: int | None = None) -> list[tuple]:
    """(job_id, title, company, description) of the postings a label run reads, in job id order:
    those with a description, listed under ``city``, posted (or first seen) on or after ``since``."""
    return db.execute(
        "SELECT j.job_id, coalesce(j.title_raw, j.title), j.company, j.description FROM jobs AS j "
        "WHERE j.description IS NOT NULL AND trim(j.description) != '' "
        "AND (:city IS NULL OR j.job_id IN (SELECT job_id FROM job_cities WHERE city = :city)) "
        "AND (:since IS NULL OR coalesce(j.posted_date, substr(j.first_seen, 1, 10)) >= :since) "
        "ORDER BY j.job_id LIMIT coalesce(:limit, -1)",
        {"city": city, "since": since, "limit": limit},
    ).fetchall()


def start_label_run(db: sqlite_utils.Database, labels: str, model: str, prompt_version: str, args: dict) -> int:
    mark_killed_label_runs(db)
    with db.conn:
        cursor = db.execute(
            "INSERT INTO label_runs (labels, model, prompt_version, args, started_at, status, host, pid) "
            "VALUES (?, ?, ?, ?, ?, 'running', ?, ?)",
            [labels, model, prompt_version, json.dumps(args, sort_keys=True), utc_now(), socket.gethostname(),
             os.getpid()])
    return cursor.lastrowid


def finish_label_run(db: sqlite_utils.Database, run_id: int, values: dict) -> None:
    row = {k: (json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else v)
           for k, v in values.items() if k in LABEL_RUN_COLUMNS}
    with db.conn:
        db["label_runs"].update(run_id, {**row, "finished_at": utc_now()})


def mark_killed_label_runs(db: sqlite_utils.Database) -> list[int]:
    """Label runs still ``running`` whose process on this host is gone become ``killed`` (their
    answers are cached: running the same command again resumes them)."""
    return _mark_killed(db, "label_runs", "status_reason = 'its process ended without closing the run'")


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


def save_label_answers(db: sqlite_utils.Database, answers: list[tuple[list[dict], dict | None, tuple]]) -> None:
    """Postings' answers, each whole, in one transaction: per posting the requests it took, its
    cache row (None when it came from the cache) and its labels and skills (``save_labels``'
    tuple). A label that comes out as stored keeps its ``labelled_at``: a re-run changes nothing."""
    cache_columns = list(LABEL_CACHE_COLUMNS)
    label_columns = [c for c in JOB_LABEL_COLUMNS if c != "job_id"]
    with db.conn:
        labelled = []
        for calls, cache, (job_id, row, skills) in answers:
            _insert_label_calls(db, calls)
            if cache is not None:
                db.execute(f"INSERT OR REPLACE INTO label_cache ({', '.join(cache_columns)}) "
                           f"VALUES ({', '.join('?' * len(cache_columns))})", [cache.get(c) for c in cache_columns])
            stored = db.execute(f"SELECT {', '.join(label_columns)} FROM job_labels WHERE job_id = ? AND labels = ?",
                                [job_id, row["labels"]]).fetchone()
            if stored and all(old == row.get(c) for old, c in zip(stored, label_columns) if c != "labelled_at"):
                row = {**row, "labelled_at": stored[label_columns.index("labelled_at")]}
            labelled.append((job_id, row, skills))
        _write_labelled(db, labelled)


def save_label_failure(db: sqlite_utils.Database, calls: list[dict], failure: dict) -> None:
    """A posting whose answer stayed unusable: its requests and the reason; no label is written."""
    with db.conn:
        _insert_label_calls(db, calls)
        columns = list(LABEL_FAILURE_COLUMNS)
        db.execute(f"INSERT OR REPLACE INTO label_failures ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                   [failure.get(c) for c in columns])


# --- Merging run databases ------------------------------------------------------------------
# A crawl scheduled on Scrapyd writes a database of its own; ``jobcrawler.merge`` folds such
# run databases into the main one, attached as schema ``run``, with a direct crawl's semantics:
# jobs keep their first_seen, their newest fetch (content, locations) and their newest labels
# of each source; last_seen moves forward; sightings and job_cities are added; times_seen counts
# sighting occasions (a run, or all runs of one cycle); closed_at is decided in the main
# database by close_unlisted's rule. Merging is keyed by each run's origin, so merging a run
# database again changes nothing, and the order run databases are merged in does not matter.

MERGED_RUN_COLUMNS: dict[str, type] = {
    "run_id": int,  # the run's id in this database
    "origin": str,  # what identifies the run wherever it ran: spider, arguments, site and start
    "cycle": str,  # runs of one cycle (a month's crawl) are one sighting occasion; NULL: the run alone
    "source": str,  # the run database it came from, as given
    "source_run_id": int,  # its id there
    "merged_at": str,
}
# Not host and pid: a resumed run (-s JOBDIR) takes its new process's, and stays the same run.
_ORIGIN_COLUMNS = ("spider", "city", "query", "site", "args", "started_at")


class MergeError(Exception):
    """A run database that cannot be merged: said in one line, nothing of it written."""


def ensure_merge_schema(db: sqlite_utils.Database) -> None:
    db["merged_runs"].create(MERGED_RUN_COLUMNS, pk="run_id", foreign_keys=[("run_id", "crawl_runs", "run_id")],
                             if_not_exists=True)
    db["merged_runs"].create_index(["origin"], unique=True, if_not_exists=True)
    db["merged_runs"].create_index(["cycle"], if_not_exists=True)


def run_origin(run: dict) -> str:
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
    with db.conn:
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


def _mapped(column: str) -> str:
    return f"(SELECT new_id FROM temp.run_map WHERE old_id = j.{column})"


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
              _mapped("last_run_id"), _mapped("fetched_run_id")]
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
    for query, cities in cities_by_query.items():
        if not cities:
            continue
        closed = _close_unlisted(db, run_ids, cities, query, closed_at, max_share, since)
        if closed:  # counted on the occasion's last run of this search
            last = [run for run in runs if run["query"] == query][-1]
            with db.conn:
                db.execute("UPDATE crawl_runs SET jobs_closed = coalesce(jobs_closed, 0) + ? WHERE run_id = ?",
                           [closed, last["run_id"]])
        results[query] = closed
    return results


def withhold_closing(db: sqlite_utils.Database, runs: list[dict], reason: str) -> None:
    """Mark an occasion's runs degraded, with the reason, when its closing was withheld."""
    with db.conn:
        for run in runs:
            reasons = json.loads(db.execute("SELECT coalesce(status_reasons, '[]') FROM crawl_runs WHERE run_id = ?",
                                            [run["run_id"]]).fetchone()[0])
            if reason not in reasons:
                db.execute("UPDATE crawl_runs SET status = CASE WHEN status = 'ok' THEN 'degraded' ELSE status END, "
                           "status_reasons = ? WHERE run_id = ?", [json.dumps([*reasons, reason]), run["run_id"]])
