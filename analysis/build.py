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
or the new one, never a mix.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

REPORTS_DIR = Path(__file__).parent / "reports"
SCOPE_SQL = REPORTS_DIR / "_scope.sql"


def report_queries() -> dict[str, str]:
    """Table name -> SELECT, for every report file (files starting with ``_`` are helpers)."""
    return {
        f"report_{path.stem}": path.read_text()
        for path in sorted(REPORTS_DIR.glob("*.sql"))
        if not path.name.startswith("_")
    }


def report_tables() -> list[str]:
    return list(report_queries())


def missing_report_tables(conn: sqlite3.Connection) -> list[str]:
    existing = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return [name for name in report_tables() if name not in existing]


def build(db_path: str | Path) -> dict[str, int]:
    """(Re)create every report table in the database; returns table -> row count."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        conn.executescript(SCOPE_SQL.read_text())
        counts = {}
        conn.execute("BEGIN IMMEDIATE")
        for table, select in report_queries().items():
            conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.execute(f"CREATE TABLE {table} AS {select.rstrip().rstrip(';')}")
            conn.execute(f"CREATE INDEX {table}_scope ON {table} (city, period)")
            counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
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
