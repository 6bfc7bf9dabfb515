"""Every table of the database, declared once, and how a database is opened and brought up to date.

A table's columns are a dict here (column -> type); ``ensure_schema`` brings every existing
database up to them the next time it is opened (a label source's new column: add it to
``JOB_LABEL_COLUMNS`` and nothing else). Tables that hold a user's data (``jobs``, ``crawl_runs``,
``label_runs``) only gain declared columns by ALTER TABLE, keeping every other column as it is;
the tables the tagger rewrites (``job_labels``, ``job_skills``) are rebuilt with ``transform=True``
to their declaration, dropping a column no version declares (a category removed from
categories.yaml). Rows are written with explicit column lists (never
sqlite-utils ``upsert_all`` over rows with differing keys, which nulls the missing columns).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import sqlite_utils
from sqlite_utils.db import DescIndex

from jobcrawler.settings import SQLITE_PATH
from jobcrawler.storage.transaction import BUSY_TIMEOUT, StorageError, transaction
from jobcrawler.tagging import category_columns

CHECKOUT = Path(__file__).resolve().parents[2]
DEMO_DB = "data/demo.db"  # what `make demo` crawls into (the Makefile's DEMO_DB)

# --- Jobs and crawl runs ----------------------------------------------------------------------
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
    "run_uid": str,  # the run's own id wherever it ran (a merge keys runs by it); NULL: a run an older version began
}


# --- Labels, per label source ----------------------------------------------------------------
RULES = "rules"
LLM_PREFIX = "llm:"  # an LLM labeller's source: llm:<model id>
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
    "ai_type_confidence": float,  # the rule tagger's: how often its deciding rule agreed with a careful reading
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
# Why a job's category has its value, as the source says: the rule that decided, what it weighed
# (its condition), the phrase and the section it stands in; one row per piece, in order.
EVIDENCE_COLUMNS: dict[str, type] = {
    "job_id": str, "labels": str, "category": str, "position": int,
    "rule": str, "condition": str, "matched": str, "section": str,
}


# --- LLM label runs and their cache -----------------------------------------------------------
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


# --- Merged run databases -----------------------------------------------------------------------
MERGED_RUN_COLUMNS: dict[str, type] = {
    "run_id": int,  # the run's id in this database
    "origin": str,  # what identifies the run wherever it ran: its run_uid (older runs: spider, arguments, site, start)
    "cycle": str,  # runs of one cycle (a month's crawl) are one sighting occasion; NULL: the run alone
    "source": str,  # the run database it came from, as given
    "source_run_id": int,  # its id there
    "merged_at": str,
}


def database_file_error(path: str | Path, may_be_made: bool = False) -> str | None:
    """Why ``path`` names no database file to read (or, ``may_be_made``, to make), in the words a
    command's one line uses, or None: a folder was answered "no database at" (or SQLite's "unable
    to open database file"), a FIFO, socket or device (/dev/null) "no database at" or "disk I/O
    error", a path inside a file, or below a broken symlink, "[Errno 17] File exists"."""
    path = Path(path)
    if path.is_dir():
        return f"{path} is a folder, not a database file"
    if path.exists() and not path.is_file():
        return f"{path} is not a regular file (a FIFO, socket or device)"
    if path.is_file():
        return None
    if not may_be_made:
        return no_database_at(path)
    folder = path.absolute().parent
    while not os.path.lexists(folder):
        folder = folder.parent
    if folder.is_symlink() and not folder.exists():
        return f"{path} cannot be made: {folder} is a broken symlink (to {os.readlink(folder)})"
    return None if folder.is_dir() else f"{path} cannot be made: {folder} is a file"


def no_database_at(path: Path) -> str:
    """"no database at PATH", and where one is to be had: the checkout's file of that name when the
    command runs in another folder, else, for the crawl's default database, a crawl or the demo's."""
    said = f"no database at {path}"
    if path.is_absolute():
        return said
    away = Path.cwd().resolve() != CHECKOUT
    if away and (CHECKOUT / path).is_file():
        option = "--db " if path == Path(SQLITE_PATH) else "its full path, "
        return f"{said} (run from the checkout, {CHECKOUT}, or give {option}{CHECKOUT / path})"
    if path != Path(SQLITE_PATH):
        return f"{said} (did you mean {path}.db?)" if Path(f"{path}.db").is_file() else said
    hints = ["run a crawl first: scrapy crawl builtin -a city=berlin" + (f", in {CHECKOUT}" if away else "")]
    if demo := the_demos_database(path):
        hints.append(demo)
    return f"{said} ({'; '.join(hints)})"


def the_demos_database(path: str | Path) -> str | None:
    """For the crawl's default database (missing, or holding no jobs: a first crawl blocked by
    builtin.com), where ``make demo``'s is, if it made one; else None."""
    if Path(path) != Path(SQLITE_PATH):
        return None
    demo = next((demo for demo in (Path(DEMO_DB), CHECKOUT / DEMO_DB) if demo.is_file()), None)
    return f"the demo's database is {demo}: add --db {demo}" if demo else None


def open_db(path: str | Path, busy_timeout: float = BUSY_TIMEOUT,
            journal_mode: str | None = None) -> sqlite_utils.Database:
    """Open (creating folder, file and schema as needed) the crawl database.

    ``busy_timeout``: seconds a write waits for another process's lock (a Datasette, a re-tag,
    a backup) before it fails; a realistic lock is shorter, so the crawl waits rather than loses.
    ``journal_mode``: WAL lets readers (the site, a report) read while the crawl writes; a file
    on a folder several machines mount (a Scrapyd run database) wants DELETE, since WAL's shared
    memory does not work over a network file system. None (every command but the crawl, which
    passes SQLITE_JOURNAL_MODE) keeps an existing file's mode, so a report on a DELETE-journal
    copy does not turn it WAL, and gives a new file WAL.

    An open killed or failing while it brings an older file up to date leaves the file's contents,
    schema and mark as they were; its journal mode may already be the one asked for.
    """
    path = Path(path)
    if journal_mode is not None and journal_mode.upper() not in ("WAL", "DELETE", "TRUNCATE", "PERSIST"):
        raise StorageError(f"SQLITE_JOURNAL_MODE must be WAL, DELETE, TRUNCATE or PERSIST, not {journal_mode!r}")
    if why := database_file_error(path, may_be_made=True):
        raise StorageError(f"cannot open the database: {why}")
    if journal_mode is None and (not path.exists() or path.stat().st_size == 0):  # new: empty until written
        journal_mode = "WAL"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(sqlite3.connect(path, timeout=busy_timeout, check_same_thread=False))
        _refuse_another_programs(db, path)  # first: even the journal mode is written into the file
        # Before the schema's transaction (SQLite cannot switch into or out of WAL inside one): an
        # older file opened for WAL is brought up to date in the WAL, so a kill midway leaves its
        # main file whole for a reader that ignores the -wal (an immutable site, a copy), in WAL.
        if journal_mode:
            _set_journal_mode(db.conn, journal_mode.upper(), busy_timeout)
        _set_synchronous(db.conn)
        db.conn.execute("PRAGMA foreign_keys=ON")
        ensure_schema(db)
    except (OSError, sqlite3.Error) as error:
        raise StorageError(f"cannot open the database {path}: {error}") from error
    return db


# What marks a database as jobcrawler's: SQLite's application_id (the header's "file format" field,
# `file` reads it), set when open_db creates the file or brings its schema up to date (never by
# itself: opening an up-to-date unmarked file, as a report does, writes nothing). A file without it is
# ours only if its jobs table is keyed by job_id alone and has every column jobs has had in every
# version (since the first crawl): another program's own jobs(job_id, ...) table is not.
APPLICATION_ID = 0x4A6F6243  # "JobC"
# Columns of jobs in every version: those declared today, less those added since the first (a
# column added to JOB_COLUMNS later is left out here too).
JOBS_SIGNATURE = frozenset(JOB_COLUMNS) - {"fetched_run_id"}


def open_db_read_only(path: str | Path) -> sqlite_utils.Database:
    """The database opened to be read, never written: a file a site serves immutable, which a
    dry run reads as it is (checked to be ours; nothing brought up to date, not even the journal
    mode). Opened immutable, as the site reads it: a WAL file's ``-wal`` and ``-shm`` are neither
    made beside it nor needed (``mode=ro`` alone made them, or failed in a read-only folder)."""
    path = Path(path)
    try:
        db = sqlite_utils.Database(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                                                   check_same_thread=False))
        _refuse_another_programs(db, path)
    except sqlite3.Error as error:
        raise StorageError(f"cannot open the database {path}: {error}") from error
    return db


def connect_to_read(path: str | Path, served: str | None) -> sqlite3.Connection:
    """A connection for a command that only reads (``analysis report``, compare_published): when
    a site serves the file (``served`` says so), immutable as the site reads it, so no ``-wal``
    or ``-shm`` appears beside it and closing checkpoints nothing into it; a plain one otherwise,
    which never creates the file (a mistyped path was left behind as an empty database).
    StorageError when the served file is not ours; sqlite3.Error when there is none."""
    if served:
        return open_db_read_only(path).conn
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=rw", uri=True)


def _refuse_another_programs(db: sqlite_utils.Database, path: Path) -> None:
    """Stop before a write at a database another program made: ensure_schema would add this
    schema's tables to it, or widen a ``jobs`` table of its own. Ours is an empty file, one marked
    with ``APPLICATION_ID``, or an unmarked one an older version made (``_is_ours_unmarked``)."""
    marked = db.execute("PRAGMA application_id").fetchone()[0]
    if marked == APPLICATION_ID:
        return
    tables = [name for name in db.table_names() if not name.startswith("sqlite_")]  # SQLite's own: any file
    if not marked and (not tables or _is_ours_unmarked(db)):
        return
    db.close()
    if marked:
        raise StorageError(f"{path} is another program's database (its application_id is {marked:#x}, not "
                           f"jobcrawler's {APPLICATION_ID:#x}); give a new file or one a crawl or an import wrote")
    shown = ", ".join(tables[:5]) + (f" and {len(tables) - 5} more" if len(tables) > 5 else "")
    raise StorageError(f"{path} is not a jobcrawler database (its tables: {shown}); "
                       "give a new file or one a crawl or an import wrote")


def _is_ours_unmarked(db: sqlite_utils.Database) -> bool:
    """Whether a file without the application_id is one an older version of jobcrawler made: a
    ``jobs`` table keyed by ``job_id`` alone with every column of ``JOBS_SIGNATURE``."""
    jobs = db["jobs"]
    return jobs.exists() and jobs.pks == ["job_id"] and JOBS_SIGNATURE <= set(jobs.columns_dict)


def _mark_as_ours(db: sqlite_utils.Database) -> None:
    """Set the application_id, in the transaction that creates the file or changes its schema."""
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def _set_synchronous(conn: sqlite3.Connection) -> None:
    """NORMAL for a file in WAL (a power loss may drop the last commits, never corrupts it); FULL
    for a rollback journal (DELETE, TRUNCATE, PERSIST), where NORMAL may corrupt the file. Read
    from the file's actual mode: a file opened without asking for one keeps its own."""
    wal = conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    conn.execute(f"PRAGMA synchronous={'NORMAL' if wal else 'FULL'}")


def _set_journal_mode(conn: sqlite3.Connection, mode: str, busy_timeout: float) -> None:
    """Switching a file's journal mode needs every other connection off it, and SQLite answers
    "database is locked" at once instead of calling the busy handler (processes opening a new file
    together): retry within the busy timeout, as every other lock is waited for."""
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            conn.execute(f"PRAGMA journal_mode={mode}")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create or bring up to date every table, index and the full-text search; a no-op when the
    database already has this schema, so it is safe to call every run.

    All of it is one transaction, with the mark (``APPLICATION_ID``) of a file it creates or
    changes: a crash or a failure midway leaves an older version's file as it was, never half
    brought up to date or changed but unmarked. A new file's transaction takes the write lock at
    once (two processes creating it at once create it once, the second waiting for the first);
    an existing file's is deferred, so opening one that has this schema only reads (no write lock,
    which a crawl may hold) and writes nothing. When that read cannot become a write (another
    process wrote since it began), it is done again under the write lock.
    """
    new = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    if new:
        with transaction(db):
            _bring_up_to_date(db)
        return
    try:
        with db.atomic():  # BEGIN DEFERRED
            _bring_up_to_date(db)
    except sqlite3.OperationalError as error:
        if not str(getattr(error, "sqlite_errorname", "")).startswith("SQLITE_BUSY"):
            raise
        with transaction(db):  # BEGIN IMMEDIATE: the busy timeout is waited out, the checks read again
            _bring_up_to_date(db)


def _bring_up_to_date(db: sqlite_utils.Database) -> None:
    """The changes of ``ensure_schema``, inside its transaction; each step a no-op when done.

    A rebuild (``transform=True``) drops a table's triggers, so the full-text index of ``jobs``
    is re-created if its triggers are missing.
    """
    schema_before = db.execute("PRAGMA schema_version").fetchone()[0]
    _move_job_tags_to_labels(db)  # first: jobs' declaration below drops the columns it reads
    _declare_keeping_the_rest(db, "jobs", JOB_COLUMNS, pk="job_id", defaults={"times_seen": 0},
                              retired=RETIRED_JOB_COLUMNS)
    _declare_keeping_the_rest(db, "crawl_runs", CRAWL_RUN_COLUMNS, pk="run_id")
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
        ("job_cities", ["city", "job_id"]),  # a city's jobs off the index alone ("jobs_with_skill")
        ("job_locations", ["country"]),
        ("sightings", ["job_id"]),
    ):
        db[table].create_index(columns, if_not_exists=True)
    # Newest postings first with the columns a search filters on: "company_jobs" (company LIKE
    # '%x%' ORDER BY posted_date DESC, title) reads this index in order instead of visiting every
    # row through the posted_date index (100k jobs: 15 ms, not 200), and "jobs_with_skill" walks
    # it matching job_id against the skill's jobs, so its first 1,000 rows need no sort of them all.
    _ensure_index(db, "jobs", [DescIndex("posted_date"), "title", "company", "job_id"], "idx_jobs_newest")
    for index in RETIRED_INDEXES:
        if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", [index]).fetchone():
            db.execute(f'DROP INDEX "{index}"')
    if not db["jobs"].detect_fts():
        db["jobs"].enable_fts(["title", "description"], create_triggers=True, tokenize="porter")
    elif not any(trigger.name == "jobs_ai" for trigger in db["jobs"].triggers):  # the table was rebuilt
        db["jobs"].enable_fts(["title", "description"], create_triggers=True, tokenize="porter", replace=True)
        db["jobs"].rebuild_fts()
    _narrow_fts_update_trigger(db)
    changed = db.execute("PRAGMA schema_version").fetchone()[0] != schema_before
    if changed and db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        _mark_as_ours(db)  # created now, or an older version's file: marked in the same transaction


# sqlite-utils' update trigger re-indexes a job in jobs_fts on every UPDATE of the row; only
# title and description feed the index, so a sighting (last_seen) or a re-tag need not.
_FTS_UPDATE_TRIGGER = """CREATE TRIGGER "jobs_au" AFTER UPDATE OF "title", "description" ON "jobs" BEGIN
  INSERT INTO "jobs_fts" ("jobs_fts", rowid, "title", "description") VALUES('delete', old.rowid, old."title", old."description");
  INSERT INTO "jobs_fts" (rowid, "title", "description") VALUES (new.rowid, new."title", new."description");
END"""


def _narrow_fts_update_trigger(db: sqlite_utils.Database) -> None:
    row = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'jobs_au'").fetchone()
    if row and " UPDATE OF " not in row[0].upper():
        with transaction(db):  # never a moment without the trigger
            db.execute('DROP TRIGGER "jobs_au"')
            db.execute(_FTS_UPDATE_TRIGGER)


def ensure_label_schema(db: sqlite_utils.Database) -> None:
    """``job_labels`` and ``job_skills`` keyed by label source; a category added to
    categories.yaml becomes a column (``transform=True``)."""
    _create_job_labels(db)
    skills = db["job_skills"]
    if skills.exists() and "labels" not in skills.columns_dict:  # before label sources: all the tagger's
        skills.add_column("labels", str, not_null_default=RULES)
    skills.create(SKILL_COLUMNS, pk=("job_id", "labels", "skill"),
                  foreign_keys=[("job_id", "jobs", "job_id")], transform=True)
    _create_evidence(db)
    db["job_labels"].create_index(["labels", "ai_type"], if_not_exists=True)
    # A skill's jobs of one source, read off the index alone ("jobs_with_skill", the learning path);
    # the names a source gives, one seek each (the skill parameter's choices).
    _ensure_index(db, "job_skills", ["labels", "skill", "job_id"], "idx_job_skills_labels_skill")


# Indexes no query reads (EXPLAIN QUERY PLAN of the canned queries, the site, the report build):
# (skill) and (category, skill) on job_skills, ~430 bytes a posting; the (labels, skill, job_id)
# index answers what they did. job_cities (city) became (city, job_id).
RETIRED_INDEXES = ("idx_job_skills_skill", "idx_job_skills_category_skill", "idx_job_cities_city")


def _ensure_index(db: sqlite_utils.Database, table: str, columns: list, name: str) -> None:
    """Create index ``name`` on these columns, or re-create it where an older version declared it
    on other columns (a no-op when it is as declared; a process that opened the file at the same
    time and did it first leaves nothing to do)."""
    wanted = [(str(c), isinstance(c, DescIndex)) for c in columns]

    def current() -> bool:
        return [(row[2], bool(row[3])) for row in db.execute(f'PRAGMA index_xinfo("{name}")') if row[5]] == wanted

    if current():
        return
    with transaction(db):
        if not current():
            db.execute(f'DROP INDEX IF EXISTS "{name}"')
            db[table].create_index(columns, index_name=name)


# Columns of jobs an older version declared and ensure_schema drops on purpose: the tagger's labels
# and version, which _move_job_tags_to_labels copies to job_labels first.
RETIRED_JOB_COLUMNS = frozenset({*LABEL_COLUMNS, "tagger_version"})


def _declare_keeping_the_rest(db: sqlite_utils.Database, table: str, declared: dict[str, type], pk: str,
                              defaults: dict[str, object] | None = None, retired: frozenset[str] = frozenset()) -> None:
    """Create a table that holds a user's data, or add the declared columns it lacks (NOT NULL
    with its default where ``defaults`` gives one) and drop the ``retired`` ones, by ALTER TABLE
    alone. Every other column stays as it is, type string, constraints and values byte for byte
    (a user's notes, a newer version's column): sqlite-utils' ``transform`` rebuilds the table
    with its own type names (an untyped 42 came back '42', NUMERIC '1.50' as 1.5) and drops each
    column it is not given."""
    defaults = defaults or {}
    if not db[table].exists():
        db[table].create(declared, pk=pk, not_null=set(defaults), defaults=defaults)
        return

    def changes() -> tuple[list[str], list[str]]:
        existing = {name.lower() for name in db[table].columns_dict}
        return ([name for name in declared if name.lower() not in existing],
                [name for name in db[table].columns_dict if name in retired])

    if not any(changes()):  # the usual case: no write lock taken
        return
    with transaction(db):
        missing, dropped = changes()  # another process opening the file at the same time may have done it
        for name in missing:
            db[table].add_column(name, declared[name], not_null_default=defaults.get(name))
        for name in dropped:
            db.execute(f'ALTER TABLE "{table}" DROP COLUMN "{name}"')


def _create_evidence(db: sqlite_utils.Database) -> None:
    """``job_label_evidence`` WITHOUT ROWID: ~20 short rows a job, always read by their primary
    key, which then holds the rows themselves instead of repeating their keys beside a rowid
    table (~0.6 KB a posting less). A table an older version made (with a rowid, or without a
    column declared since) is copied into the declared one once, in one transaction: sqlite-utils'
    ``transform`` would copy rowids, which such a table has none of."""
    evidence = db["job_label_evidence"]

    def current() -> bool:
        return (evidence.exists() and list(evidence.columns_dict) == list(EVIDENCE_COLUMNS)
                and " WITHOUT ROWID" in " ".join(evidence.schema.upper().split()))

    if current():
        return
    with transaction(db):
        if current():  # another process opening the file at the same time did it first
            return
        sql = db.create_table_sql("job_label_evidence_new", EVIDENCE_COLUMNS, pk=("job_id", "labels", "category", "position"),
                                  foreign_keys=[("job_id", "jobs", "job_id")])
        db.execute(sql.rstrip().rstrip(";") + " WITHOUT ROWID")
        if evidence.exists():
            columns = ", ".join(f'"{c}"' for c in evidence.columns_dict if c in EVIDENCE_COLUMNS)
            db.execute(f"INSERT INTO job_label_evidence_new ({columns}) SELECT {columns} FROM job_label_evidence")
            db.execute("DROP TABLE job_label_evidence")
        db.execute("ALTER TABLE job_label_evidence_new RENAME TO job_label_evidence")


def _create_job_labels(db: sqlite_utils.Database) -> None:
    db["job_labels"].create(JOB_LABEL_COLUMNS, pk=("job_id", "labels"),
                            foreign_keys=[("job_id", "jobs", "job_id")], transform=True)


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
    with transaction(db):
        db.execute(
            f"INSERT OR IGNORE INTO job_labels (job_id, labels, {', '.join(old)}, version) "
            f"SELECT job_id, ?, {', '.join(old)}, {version} FROM jobs", [RULES])
        for index in db["jobs"].indexes:
            if set(index.columns) & {*old, "tagger_version"}:
                db.execute(f'DROP INDEX "{index.name}"')


def ensure_llm_label_schema(db: sqlite_utils.Database) -> None:
    _declare_keeping_the_rest(db, "label_runs", LABEL_RUN_COLUMNS, pk="run_id")
    db["label_calls"].create(LABEL_CALL_COLUMNS, pk="call_id", if_not_exists=True)
    db["label_cache"].create(LABEL_CACHE_COLUMNS, pk=("model", "prompt_version", "posting_hash"), if_not_exists=True)
    db["label_failures"].create(LABEL_FAILURE_COLUMNS, pk=("run_id", "job_id"), if_not_exists=True)
    db["label_calls"].create_index(["run_id"], if_not_exists=True)


def ensure_merge_schema(db: sqlite_utils.Database) -> None:
    db["merged_runs"].create(MERGED_RUN_COLUMNS, pk="run_id", foreign_keys=[("run_id", "crawl_runs", "run_id")],
                             if_not_exists=True)
    db["merged_runs"].create_index(["origin"], unique=True, if_not_exists=True)
    db["merged_runs"].create_index(["cycle"], if_not_exists=True)


def json_text(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def sqlite_value(value):
    """A value as SQLite stores it here: lists and objects as JSON text, true/false as 1/0."""
    if isinstance(value, (list, dict)):
        return json_text(value)
    return int(value) if isinstance(value, bool) else value
