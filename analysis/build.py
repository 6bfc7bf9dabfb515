"""Build the ``report_*`` tables: one per table of the AI engineering jobs report.

Each ``analysis/reports/<name>.sql`` file is one SELECT; its rows become table
``report_<name>``. ``reports/_scope.sql`` runs first and sets up the temporary tables the
SELECTs read (job profiles, skill counts, the city/period cells).

City and period, one design for every table: each report table starts with the columns

* ``city``   -- a city key of ``jobcrawler/cities.yaml`` (the listing the job was seen in),
  or ``'all'``;
* ``period`` -- the month of the crawl run that saw the job, ``'YYYY-MM'``, or ``'all'``;

and holds a complete set of rows for every (city, period) cell: ``('all', 'all')`` is the
whole database (the document's numbers), ``(city, 'all')`` one city over every crawl,
``('all', '2026-02')`` one crawl month over every city, and ``(city, month)`` both. A job
seen under two cities, or in two monthly crawls, counts once in each of those cells and
once in the rollups. Percentages are shares of the jobs in the same cell, rounded to one
decimal. Filtering ``city = 'all' AND period = 'all'`` gives the document; keeping the city
and letting period vary gives the trend.

Re-running is safe: the tables are replaced in one transaction, so readers see the old set
or the new one, never a mix. The same transaction drops ``report_*`` tables whose ``.sql``
file is gone, and records the build in ``report_build`` (one row: when, the version of the
report queries, and a fingerprint of the crawl data), which ``python -m analysis report``
compares to rebuild tables that a later crawl, re-tag or query change made stale.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path

REPORTS_DIR = Path(__file__).parent / "reports"
SCOPE_SQL = REPORTS_DIR / "_scope.sql"
BUILD_TABLE = "report_build"  # the build record; not a report table

# The tables the report queries read, and cheap aggregates that change when a crawl or a
# re-tag writes them (count(*) reads the smallest index; max(rowid) is one b-tree descent).
SOURCE_TABLES = ("jobs", "job_skills", "job_cities", "sightings", "crawl_runs")


def report_queries() -> dict[str, str]:
    """Table name -> SELECT, for every report file (files starting with ``_`` are helpers)."""
    queries = {
        f"report_{path.stem}": path.read_text()
        for path in sorted(REPORTS_DIR.glob("*.sql"))
        if not path.name.startswith("_")
    }
    if BUILD_TABLE in queries:
        raise ValueError(f"{BUILD_TABLE} is the build record: rename reports/{BUILD_TABLE.removeprefix('report_')}.sql")
    return queries


def report_tables() -> list[str]:
    return list(report_queries())


def missing_report_tables(conn: sqlite3.Connection) -> list[str]:
    existing = table_names(conn)
    return [name for name in report_tables() if name not in existing]


def queries_version() -> str:
    """A digest of every report file (helpers included): it changes when a query does."""
    digest = hashlib.sha256()
    for path in sorted(REPORTS_DIR.glob("*.sql")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def source_fingerprint(conn: sqlite3.Connection) -> str:
    """Row counts and highest rowids of the crawl tables, and the newest finished crawl run:
    a new crawl, a resumed or finished run, or a re-tag that rewrites skills changes it."""
    parts = ", ".join(f"(SELECT count(*) FROM {t}), (SELECT max(rowid) FROM {t})" for t in SOURCE_TABLES)
    values = conn.execute(f"SELECT {parts}, (SELECT max(finished_at) FROM crawl_runs)").fetchone()
    names = [f"{t}.{what}" for t in SOURCE_TABLES for what in ("rows", "max_rowid")] + ["crawl_runs.max_finished_at"]
    return json.dumps(dict(zip(names, values)), separators=(",", ":"))


def table_names(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def stale_reason(conn: sqlite3.Connection) -> str | None:
    """Why the report tables must be (re)built before reading them, or None if they are current."""
    missing = missing_report_tables(conn)
    if missing:
        return f"{len(missing)} missing report tables"
    if BUILD_TABLE not in table_names(conn):
        return "no record of when the report tables were built"
    record = conn.execute(f"SELECT built_at, queries_version, source FROM {BUILD_TABLE}").fetchone()
    if record is None:
        return "no record of when the report tables were built"
    built_at, version, source = record
    if version != queries_version():
        return f"the report queries changed since the build at {built_at}"
    if source != source_fingerprint(conn):
        return f"the crawl data changed since the build at {built_at}"
    return None


def build(db_path: str | Path) -> dict[str, int]:
    """(Re)create every report table in the database; returns table -> row count."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        # The reports are mostly GROUP BY sorts; helper threads let SQLite's sorter use the other
        # cores (100,000 postings on 2 cores: ~9.6 s -> ~8.7 s).
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        conn.execute(f"PRAGMA threads = {min(4, cores)}")
        # Taken before the scope tables read the data: a crawl writing during the build makes
        # the recorded fingerprint older than the tables, so the next check rebuilds (never the reverse).
        source = source_fingerprint(conn)
        conn.executescript(SCOPE_SQL.read_text())
        counts = {}
        queries = report_queries()
        conn.execute("BEGIN IMMEDIATE")
        for table, select in queries.items():
            conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.execute(f"CREATE TABLE {table} AS {select.rstrip().rstrip(';')}")
            conn.execute(f"CREATE INDEX {table}_scope ON {table} (city, period)")
            counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        # Tables of report files that were removed or renamed since the last build.
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'report_*'").fetchall():
            if table not in queries and table != BUILD_TABLE:
                conn.execute(f'DROP TABLE "{table}"')
        conn.execute(f"DROP TABLE IF EXISTS {BUILD_TABLE}")
        conn.execute(f"CREATE TABLE {BUILD_TABLE} (built_at TEXT NOT NULL, queries_version TEXT NOT NULL, source TEXT NOT NULL)")
        built_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        conn.execute(f"INSERT INTO {BUILD_TABLE} VALUES (?, ?, ?)", (built_at, queries_version(), source))
        conn.execute("COMMIT")
        # Datasette opens the file immutable (-i), which ignores a write-ahead log.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return counts
    finally:
        conn.close()


def main(db_path: str) -> None:
    started = time.perf_counter()
    counts = build(db_path)
    for table, rows in counts.items():
        print(f"{table}: {rows} rows")
    print(f"built {len(counts)} report tables in {time.perf_counter() - started:.1f}s")
