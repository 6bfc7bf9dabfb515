"""Which files open_db takes for its own: every database jobcrawler ever made (the schema each
version's open_db left, tests/fixtures/older_schemas/<commit>.sql), never another program's,
not even one with a jobs table keyed by job_id."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from analysis.__main__ import main as analysis_main
from jobcrawler import storage
from tests.helpers import build_fixture_db

OLDER_SCHEMAS = sorted((Path(__file__).parent / "fixtures" / "older_schemas").glob("*.sql"))


JOBCRAWLER = 0x4A6F6243  # storage.schema.APPLICATION_ID, "JobC"


def application_id(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA application_id").fetchone()[0]


def test_a_new_database_is_marked_as_jobcrawler_s(tmp_path):
    storage.open_db(tmp_path / "jobs.db").close()
    assert application_id(tmp_path / "jobs.db") == JOBCRAWLER


@pytest.mark.parametrize("schema", OLDER_SCHEMAS, ids=[path.stem for path in OLDER_SCHEMAS])
def test_a_database_an_older_version_made_opens_up_to_date_with_its_rows(tmp_path, schema):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(schema.read_text())
        conn.execute("INSERT INTO jobs (job_id, title, description, times_seen) VALUES ('7', 'AI Engineer', 'RAG', 1)")
        conn.execute("INSERT INTO crawl_runs (run_id, spider, city, started_at, status) "
                     "VALUES (1, 'builtin', 'berlin', '2026-01-01T00:00:00+00:00', 'ok')")
    db = storage.open_db(path)
    assert set(storage.JOB_COLUMNS) <= set(db["jobs"].columns_dict)
    assert db.execute("SELECT job_id, title, times_seen FROM jobs").fetchall() == [("7", "AI Engineer", 1)]
    assert db.execute("SELECT run_id, status FROM crawl_runs").fetchall() == [(1, "ok")]
    assert db.execute("SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH 'rag'").fetchall() != []
    db.close()
    assert application_id(path) == JOBCRAWLER
    storage.open_db(path).close()  # and again


def _their_jobs_keyed_by_job_id(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE jobs (job_id TEXT PRIMARY KEY, title TEXT, company TEXT, url TEXT)")
    conn.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY, started TEXT)")
    conn.execute("INSERT INTO jobs VALUES ('a1', 'Gardener', 'Parks', 'https://example.org/a1')")


def _our_schema_marked_by_another_program(conn: sqlite3.Connection) -> None:
    conn.executescript(OLDER_SCHEMAS[-1].read_text())
    conn.execute(f"PRAGMA application_id = {0x47504B47}")  # "GPKG": a GeoPackage


@pytest.mark.parametrize("made, says", [
    (_their_jobs_keyed_by_job_id, "is not a jobcrawler database (its tables: jobs, runs)"),
    (_our_schema_marked_by_another_program,
     "is another program's database (its application_id is 0x47504b47, not jobcrawler's 0x4a6f6243)"),
])
def test_another_programs_database_is_refused_and_its_bytes_kept(tmp_path, made, says):
    path = tmp_path / "theirs.db"
    with sqlite3.connect(path) as conn:
        made(conn)
    before = path.read_bytes()
    with pytest.raises(storage.StorageError) as refused:
        storage.open_db(path)
    assert says in str(refused.value) and "\n" not in str(refused.value)
    assert path.read_bytes() == before and not Path(f"{path}-wal").exists()


def test_opening_an_up_to_date_unmarked_database_writes_nothing_and_takes_no_write_lock(tmp_path):
    """A file an older version made whose schema is already today's (its application_id unset):
    a reader (report, path, serve) opening it neither rewrites its header nor waits for the write
    lock, which a crawl may hold; it stays accepted by its jobs table and is marked when a schema
    change writes it anyway."""
    path = tmp_path / "jobs.db"
    storage.open_db(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA application_id = 0")
    before = path.read_bytes()
    writer = sqlite3.connect(path)
    writer.execute("BEGIN IMMEDIATE")  # a crawl's batch holds the write lock
    try:
        storage.open_db(path, busy_timeout=0.1).close()
    finally:
        writer.rollback()
        writer.close()
    assert path.read_bytes() == before and application_id(path) == 0
    with sqlite3.connect(path) as conn:
        conn.execute("DROP INDEX idx_jobs_newest")  # a declaration this file lacks
    storage.open_db(path).close()
    assert application_id(path) == JOBCRAWLER


def test_a_city_the_database_lacks_is_named_beside_the_cities_it_holds_even_with_a_null_city(tmp_path):
    """A listing without a city (a NULL city row, from an older crawl or another tool) made the
    message's join raise TypeError instead of naming the cities there are."""
    db = storage.open_db(tmp_path / "jobs.db")
    db.execute("INSERT INTO jobs (job_id) VALUES ('1'), ('2')")
    db.execute("INSERT INTO job_cities (job_id, city) VALUES ('1', 'berlin'), ('2', NULL)")
    with pytest.raises(ValueError, match=r"^no posting is listed under city 'paris'; this database has: berlin$"):
        storage.listed_city_key(db, "paris")
    assert storage.listed_city_key(db, "berlin") == "berlin"
    db.close()


def _older_database(path: Path, schema: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.executescript(schema.read_text())
        conn.execute("INSERT INTO jobs (job_id, title, description, times_seen) VALUES ('7', 'AI Engineer', 'RAG', 1)")
    sqlite3.connect(path).close()


def _file_state(path: Path) -> tuple[list[str], int]:
    with closing(sqlite3.connect(path)) as conn:
        return list(conn.iterdump()), conn.execute("PRAGMA application_id").fetchone()[0]


class Crash(Exception):
    """The process dying at this point (power cut, kill -9) as far as the file can tell."""


@pytest.mark.parametrize("where", ["_mark_as_ours", "_narrow_fts_update_trigger"])
@pytest.mark.parametrize("schema", OLDER_SCHEMAS, ids=[path.stem for path in OLDER_SCHEMAS])
def test_a_crash_while_bringing_an_older_database_up_to_date_leaves_it_as_it_was(tmp_path, monkeypatch, schema, where):
    """The migration and the mark are one transaction: a crash after the schema changed but before
    the application_id was written (or midway through the changes) left a half-migrated or an
    unmarked file; now its contents, schema and mark are as they were (its journal mode may be WAL
    already), and the next open brings it up to date and marks it. The migration is written to the
    WAL: in the rollback journal (the mode switched after it) a kill mid-commit left a main file an
    immutable reader or a backup without the -journal read as damaged."""
    path = tmp_path / "old.db"
    _older_database(path, schema)
    before = _file_state(path)
    assert before[1] == 0
    journal_modes = []

    def crash_noting_the_journal_mode(db, *args):
        journal_modes.append(db.execute("PRAGMA journal_mode").fetchone()[0])
        raise Crash

    monkeypatch.setattr(storage.schema, where, crash_noting_the_journal_mode)
    with pytest.raises(Crash):
        storage.open_db(path, journal_mode="WAL")  # as the crawl opens it
    assert _file_state(path) == before
    # Brought up to date in the WAL (switched before the transaction; the file may stay in WAL): a
    # kill midway leaves the main file whole, as an immutable reader or a copy without -wal reads it.
    assert journal_modes == ["wal"]
    monkeypatch.undo()
    storage.open_db(path).close()
    migrated, marked = _file_state(path)
    assert marked == JOBCRAWLER and migrated != before[0]
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT job_id, title FROM jobs").fetchall() == [("7", "AI Engineer")]


def test_an_older_database_another_process_writes_while_it_is_brought_up_to_date_still_is(tmp_path, monkeypatch):
    """The schema is read in a deferred transaction (an up-to-date file takes no write lock); when
    another process commits between that read and the first change, SQLite refuses the stale read
    its write (SQLITE_BUSY_SNAPSHOT, without waiting): it is done again under the write lock."""
    path = tmp_path / "old.db"
    _older_database(path, OLDER_SCHEMAS[0])
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
    first_step = storage.schema._move_job_tags_to_labels
    writes = []

    def another_process_writes_after_the_first_read(db):
        first_step(db)
        if not writes:
            with closing(sqlite3.connect(path)) as other:
                other.execute("INSERT INTO jobs (job_id, title) VALUES ('8', 'ML Engineer')")
                other.commit()
            writes.append("8")

    monkeypatch.setattr(storage.schema, "_move_job_tags_to_labels", another_process_writes_after_the_first_read)
    storage.open_db(path).close()
    assert writes == ["8"]
    assert _file_state(path)[1] == JOBCRAWLER
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT job_id FROM jobs ORDER BY job_id").fetchall() == [("7",), ("8",)]
        assert set(storage.JOB_COLUMNS) <= {row[1] for row in conn.execute("PRAGMA table_info(jobs)")}


def test_reading_a_missing_database_creates_no_file(tmp_path):
    """connect_to_read (analysis path, report, compare_published) was sqlite3.connect: a mistyped
    path was left behind as an empty database file."""
    from analysis import path

    missing = tmp_path / "missing.db"
    with pytest.raises(path.PathError, match="cannot read the postings of .*missing.db: unable to open"):
        path.main(missing, "python")
    assert not missing.exists()


def test_opening_a_database_keeps_its_journal_mode_unless_one_is_asked_for(tmp_path):
    """Every command but the crawl opened with WAL by default, so a report, a re-tag or a merge
    turned a DELETE-journal copy (one kept on a folder several machines mount) into WAL; now only
    a mode asked for (the crawl's SQLITE_JOURNAL_MODE) is set, and a new file gets WAL."""
    kept, new, asked = tmp_path / "kept.db", tmp_path / "new.db", tmp_path / "asked.db"
    for path in (kept, asked):
        storage.open_db(path, journal_mode="DELETE").close()
    storage.open_db(kept).close()
    storage.open_db(new).close()
    storage.open_db(asked, journal_mode="WAL").close()
    modes = {}
    for path in (kept, new, asked):
        with closing(sqlite3.connect(path)) as conn:
            modes[path.name] = conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert modes == {"kept.db": "delete", "new.db": "wal", "asked.db": "wal"}


@pytest.mark.parametrize("kept_mode", ["delete", "wal"])  # only WAL stays with the file; else a connection's
@pytest.mark.parametrize("asked", [None, "DELETE", "TRUNCATE", "PERSIST", "WAL"])
def test_every_opened_database_syncs_as_its_actual_journal_mode_needs(tmp_path, kept_mode, asked):
    """synchronous=NORMAL was set whatever the journal mode: safe in WAL, but with a rollback
    journal (a file that keeps DELETE, which every command but the crawl now keeps) a power loss
    may corrupt the file. FULL for DELETE, TRUNCATE and PERSIST, NORMAL for WAL, read from the mode
    the file ends up in (kept, or the one asked for)."""
    path = tmp_path / "jobs.db"
    storage.open_db(path, journal_mode="DELETE").close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA journal_mode={kept_mode}")
    db = storage.open_db(path, journal_mode=asked)
    try:
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
        synchronous = db.execute("PRAGMA synchronous").fetchone()[0]
    finally:
        db.close()
    assert mode == (asked or kept_mode).lower()
    assert synchronous == (1 if mode == "wal" else 2)  # 1 NORMAL, 2 FULL


def test_an_analysis_command_on_a_delete_journal_database_leaves_it_in_that_mode(tmp_path):
    """`python -m analysis build` (as report, path, serve) on a DELETE-journal file switched it to WAL."""
    db = build_fixture_db(tmp_path / "jobs.db")
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
    assert analysis_main(["build", "--db", str(db)]) in (0, None)
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
