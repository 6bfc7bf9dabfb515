"""Build the ``report_*`` tables: one per table of the AI engineering jobs report.

Each ``analysis/reports/<name>.sql`` file is one SELECT; its rows become table
``report_<name>``. ``reports/_scope.sql`` runs first and sets up the temporary tables the
SELECTs read (the city/period cells, skill ids, ...); analysis/cell_counts.py then counts the
names jobs list into four of them (numpy), and ``reports/_scope_profile.sql`` makes the rest (job
profiles, title, company and pay counts).

Label source, city and period, one design for every table: each report table starts with the
columns

* ``labels`` -- the label source the rows were built from (``rules``, ``fieldguide``,
  ``llm:<model>``; see jobcrawler/storage/; or ``rules+llm:<model>``, the rules with the
  model's AI type where they doubt: analysis/blend.py); ``build --labels SOURCE`` replaces that source's
  rows only, so one database holds the reports of every source side by side;
* ``city``   -- a city key of ``jobcrawler/cities.yaml`` (the listing the job was seen in),
  or ``'all'``;
* ``period`` -- the month of the crawl run that saw the job, ``'YYYY-MM'``, or ``'all'``;

and holds a complete set of rows for every (city, period) cell: ``('all', 'all')`` is the
whole database (the document's numbers), ``(city, 'all')`` one city over every crawl,
``('all', '2026-02')`` one crawl month over every city, and ``(city, month)`` both. A job
seen under two cities, or in two monthly crawls, counts once in each of those cells and
once in the rollups. Percentages are shares of the jobs in the same cell, rounded to one
decimal. Filtering ``labels = 'rules' AND city = 'all' AND period = 'all'`` gives the document;
keeping the city and letting period vary gives the trend. Only jobs the source labelled count.

Re-running is safe: a source's rows are replaced in one transaction, so readers see the old
set or the new one, never a mix. The same transaction drops ``report_*`` tables whose ``.sql``
file is gone, and records the build in ``report_build`` (one row per label source: when, the
version of the report queries, and a fingerprint of the crawl data), which ``python -m
analysis report`` compares to rebuild tables that a later crawl, re-tag, import or query change
made stale. When the queries change, every source's rows go (their columns may have changed)
and each source is rebuilt when next asked for.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from contextlib import nullcontext
from datetime import datetime, timezone
from pathlib import Path

import yaml

from jobcrawler.normalize.salary import currency_in_text
from analysis import blend, build_parallel, cell_counts
from analysis.datasette_plugins import label_blend
from jobcrawler.storage import BUSY_TIMEOUT, RULES, label_sources

REPORTS_DIR = Path(__file__).parent / "reports"
SCOPE_SQL = REPORTS_DIR / "_scope.sql"
SCOPE_PROFILE_SQL = REPORTS_DIR / "_scope_profile.sql"  # after _scope.sql
BUILD_TABLE = "report_build"  # the build record; not a report table
METHODS_PATH = Path(__file__).with_name("methods.yaml")
METHODS_TABLE = "report_methods"  # the definitions the tables use (methods.yaml); not a report table
DEFAULT_LABELS = "rules"  # the rule tagger's labels (jobcrawler.storage.RULES)
SCOPE = "the scope tables"  # keys of build()'s seconds beside the report tables
SIDE_SCOPE = "the second process's scope tables"  # (build_parallel.py)

# The tables the report queries read, and cheap aggregates that change when a crawl or a
# re-tag writes them (count(*) reads the smallest index; max(rowid) is one b-tree descent).
SOURCE_TABLES = ("jobs", "job_labels", "job_skills", "job_cities", "sightings", "crawl_runs")


def report_queries() -> dict[str, str]:
    """Table name -> SELECT, for every report file (files starting with ``_`` are helpers)."""
    queries = {
        f"report_{path.stem}": path.read_text()
        for path in sorted(REPORTS_DIR.glob("*.sql"))
        if not path.name.startswith("_")
    }
    for reserved in (BUILD_TABLE, METHODS_TABLE):
        if reserved in queries:
            raise ValueError(f"{reserved} is no report query's table: rename reports/{reserved.removeprefix('report_')}.sql")
    return queries


def report_tables() -> list[str]:
    return list(report_queries())


def missing_report_tables(conn: sqlite3.Connection) -> list[str]:
    existing = table_names(conn)
    return [name for name in report_tables() if name not in existing]


def queries_version() -> str:
    """A digest of every report file (helpers included) and of the counting in Python
    (cell_counts.py): it changes when a query does."""
    digest = hashlib.sha256()
    for path in [*sorted(REPORTS_DIR.glob("*.sql")), Path(cell_counts.__file__)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def source_fingerprint(conn: sqlite3.Connection) -> str:
    """Row counts and highest rowids of the crawl tables, and the newest finished crawl run:
    a new crawl, a resumed or finished run, or a re-tag that rewrites skills changes it."""
    parts = ", ".join(f"(SELECT count(*) FROM {t}), (SELECT max(rowid) FROM {t})" for t in SOURCE_TABLES)
    values = conn.execute(f"SELECT {parts}, (SELECT max(finished_at) FROM crawl_runs)").fetchone()
    names = [f"{t}.{what}" for t in SOURCE_TABLES for what in ("rows", "max_rowid")] + ["crawl_runs.max_finished_at"]
    return json.dumps(dict(zip(names, values)), separators=(",", ":"))


def sql_statements(script: str) -> list[str]:
    """The statements of an SQL script, each whole (SQLite's own idea of where one ends)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if any(line.strip() and not line.strip().startswith("--") for line in current.splitlines()):
        statements.append(current.strip())
    return statements


def scope_steps() -> list[build_parallel.ScopeStep]:
    """The scope tables' statements in the order they run (_scope.sql's, then _scope_profile.sql's),
    each counting of analysis/cell_counts.py as soon as the tables it fills are made; each step with
    the tables it writes and reads."""
    steps: list[build_parallel.ScopeStep] = []
    waiting, made = list(cell_counts.COUNTINGS), set()
    for script in (SCOPE_SQL, SCOPE_PROFILE_SQL):
        for statement in sql_statements(script.read_text()):  # not executescript, which commits first
            steps.append(build_parallel.sql_step(statement, made))
            made |= steps[-1].writes
            for counting in [counting for counting in waiting if counting.writes <= made]:
                steps.append(build_parallel.ScopeStep(f"cell_counts.{counting.run.__name__}", *counting))
                waiting.remove(counting)
    if waiting:
        raise ValueError(f"no scope script makes the tables of {', '.join(c.run.__name__ for c in waiting)}")
    return steps


def labelled_select(select: str) -> str:
    """A report query with the label source (the parameter) as its first column."""
    return f"SELECT ? AS labels, * FROM ({select.rstrip().rstrip(';')})"


def prepare(conn: sqlite3.Connection, labels: str) -> None:
    """What a build's connection needs before the scope statements: their SQL function, settings
    and the source views of the label source."""
    # pay.sql: the currency a posting's text writes against its pay, where the pay data names none
    conn.create_function("currency_in_text", 3, currency_in_text, deterministic=True)
    # The reports are mostly GROUP BY sorts; helper threads let SQLite's sorter use the other
    # cores (100,000 postings on 2 cores: ~9.6 s -> ~8.7 s).
    conn.execute(f"PRAGMA threads = {min(4, _cores())}")
    # The scope tables and sorts stay in memory (100,000 postings: peak RSS ~220 MB instead of ~100 MB) rather than
    # temporary files: ~600 MB less written to disk.
    conn.execute("PRAGMA temp_store = MEMORY")
    # Large pages for the scope tables (set before the first one is made): their ~1,000,000-row
    # tables and upserts walk shallower b-trees (100,000 postings: ~0.4 s less CPU of ~10).
    conn.execute("PRAGMA temp.page_size = 65536")
    blend.create_source_views(conn, labels)


def _empty(conn: sqlite3.Connection, table: str, labels: str) -> None:
    """Removes a report table's rows of a label source: the whole table at once (SQLite's truncate,
    ~0.04 s less at 100,000 postings than deleting ~88,000 rows through the index) when they are
    all its rows, as the table's own rows say (its first and last label source, read off its index)."""
    if set(conn.execute(f"SELECT min(labels), max(labels) FROM {table}").fetchone()) <= {labels, None}:
        conn.execute(f"DELETE FROM {table}")
    else:
        conn.execute(f"DELETE FROM {table} WHERE labels = ?", (labels,))


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def table_names(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


class LabelsError(ValueError):
    """A label source no job in the database carries; the message names the ones it holds."""


def _build_records(conn: sqlite3.Connection) -> dict[str, tuple] | None:
    """Label source -> (built_at, queries_version, source fingerprint); None when the build record
    is missing or was written before label sources."""
    if BUILD_TABLE not in table_names(conn):
        return None
    columns = [row[1] for row in conn.execute(f"PRAGMA table_info({BUILD_TABLE})")]
    if "labels" not in columns:
        return None
    return {row[0]: row[1:] for row in conn.execute(f"SELECT labels, built_at, queries_version, source FROM {BUILD_TABLE}")}


def stale_reason(conn: sqlite3.Connection, labels: str = DEFAULT_LABELS) -> str | None:
    """Why the report tables of one label source must be (re)built before reading them, or None
    if they are current."""
    missing = missing_report_tables(conn)
    if missing:
        return f"{len(missing)} missing report tables"
    record = (_build_records(conn) or {}).get(labels)
    if record is None:
        return "no record of when the report tables were built" + (
            "" if labels == DEFAULT_LABELS else f" from labels {labels!r}")
    built_at, version, source = record
    if version != queries_version():
        return f"the report queries changed since the build at {built_at}"
    if source != source_fingerprint(conn):
        return f"the crawl data changed since the build at {built_at}"
    return None


def labels_error(sources: dict[str, int], labels: str, db_path: str | Path) -> str | None:
    """Why no report can be built from label source ``labels``, given the database's ``sources``
    (``label_sources``: source -> jobs), or None (the default source of a database without any
    labels yet builds empty tables)."""
    held = ", ".join(f"{name} ({jobs} jobs)" for name, jobs in sources.items()) or "none"
    if missing := label_blend.missing_parts(labels, sources):
        return (f"label source {labels!r} blends {RULES!r} and {label_blend.llm_source(labels)!r}, but no job has "
                f"labels of {' or '.join(map(repr, missing))}; label sources in {db_path}: {held}")
    if labels not in sources and not label_blend.llm_source(labels) and (sources or labels != DEFAULT_LABELS):
        return f"no job has labels of source {labels!r}; label sources in {db_path}: {held}"
    return None


def build(db_path: str | Path, labels: str = DEFAULT_LABELS, seconds: dict[str, float] | None = None,
          side_tables: list[str] | None = None, left_out: dict[str, int] | None = None) -> dict[str, int]:
    """(Re)build every report table's rows of one label source; returns table -> its row count.

    ``seconds``, when given, receives how long the scope tables (``SCOPE``: the scope scripts and
    the countings) and each report table took: where a slow build spends its time (with a second
    process, build_parallel.py, also its scope tables' seconds, ``SIDE_SCOPE``); ``side_tables``
    receives the tables the second process builds; ``left_out`` what the reports leave out of
    the labelled jobs as no data (LEFT_OUT: what, how many). LabelsError when no job carries labels of
    that source (the default source of a database without any labels yet builds empty tables)."""
    seconds = {} if seconds is None else seconds
    side_tables = [] if side_tables is None else side_tables
    left_out = {} if left_out is None else left_out
    conn = sqlite3.connect(db_path, isolation_level=None, timeout=BUSY_TIMEOUT)  # waits out a writer
    try:
        # One transaction from the first read to the last write: the label sources, the label
        # state prepare() bakes into its views (a blend's threshold, job_labels' columns), the
        # fingerprint, the scope tables and every report read one state of the data (a crawl,
        # re-tag or label run writing meanwhile waits for the build, up to its busy timeout); a
        # second process starts reading under this lock too. The write lock is taken up front,
        # so the build never has to upgrade a read snapshot another writer made stale.
        conn.execute("BEGIN IMMEDIATE")
        sources = label_sources(conn)
        if unknown := labels_error(sources, labels, db_path):
            raise LabelsError(unknown)
        prepare(conn, labels)
        queries = report_queries()
        version = queries_version()
        steps = scope_steps()
        side_tables[:] = _second_process_tables(conn, steps, queries, sources, labels)
        own_tables = [table for table in queries if table not in side_tables]
        source = source_fingerprint(conn)
        with build_parallel.SideBuild(db_path, labels, side_tables) if side_tables else nullcontext() as side:
            started = time.perf_counter()
            if side_tables:  # only the scope tables this process's reports read, and job_base (LEFT_OUT reads it)
                steps = build_parallel.steps_for(
                    steps, build_parallel.tables_read([queries[t] for t in own_tables], steps) | {"job_base"})
            for step in steps:
                step.run(conn)
            seconds[SCOPE] = time.perf_counter() - started
            left_out.update(count_left_out(conn))
            records = _build_records(conn)
            existing = table_names(conn)
            start_over = (records is None or any(record[1] != version for record in records.values())
                          or any(table not in existing for table in queries))
            for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'report_*'").fetchall():
                # every table when starting over; else only those of report files removed or renamed
                if start_over or table not in queries and table not in (BUILD_TABLE, METHODS_TABLE):
                    conn.execute(f'DROP TABLE "{table}"')
            if start_over:
                conn.execute(f"CREATE TABLE {BUILD_TABLE} (labels TEXT PRIMARY KEY, built_at TEXT NOT NULL, "
                             "queries_version TEXT NOT NULL, source TEXT NOT NULL)")
            for table in own_tables:
                started = time.perf_counter()
                if start_over:
                    conn.execute(f"CREATE TABLE {table} AS {labelled_select(queries[table])}", (labels,))
                    conn.execute(f"CREATE INDEX {table}_scope ON {table} (labels, city, period)")
                else:
                    _empty(conn, table, labels)
                    conn.execute(f"INSERT INTO {table} {labelled_select(queries[table])}", (labels,))
                seconds[table] = time.perf_counter() - started
            if side_tables:
                side_source, built, seconds[SIDE_SCOPE] = side.results()
                if side_source != source:
                    raise RuntimeError("the build's second process read another state of the database")
                for table, (create, rows, took) in built.items():
                    started = time.perf_counter()
                    if start_over:
                        conn.execute(create)  # the CREATE TABLE ... AS above would make the same columns
                        conn.execute(f"CREATE INDEX {table}_scope ON {table} (labels, city, period)")
                    else:
                        _empty(conn, table, labels)
                    if rows:
                        conn.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
                    seconds[table] = took + time.perf_counter() - started
        counts = {table: conn.execute(f"SELECT count(*) FROM {table} WHERE labels = ?", (labels,)).fetchone()[0]
                  for table in queries}
        _write_methods(conn)
        built_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        conn.execute(f"INSERT OR REPLACE INTO {BUILD_TABLE} VALUES (?, ?, ?, ?)", (labels, built_at, version, source))
        conn.execute("COMMIT")
        # Datasette opens the file immutable (-i), which ignores a write-ahead log.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return counts
    finally:
        conn.close()


# What the scope statements (reports/_scope.sql) read as no data, which the crawl never writes (a
# hand-edited or merged database): a city listing without a city has no cell; a pay bound stored as
# text ('100k': the jobs table's REAL column keeps as text only what reads as no number) is no bound.
# Counted over the jobs of the label source built, once the scope tables are made (job_base, one row
# a job of the source, counts the pay bounds as it reads the jobs): (one, more) -> the SQL counting them.
LEFT_OUT = {
    ("city listing without a city", "city listings without a city"): """
        SELECT (SELECT count(*) FROM sightings AS s JOIN source_labels AS l USING (job_id) WHERE s.city IS NULL)
             + (SELECT count(*) FROM job_cities AS c JOIN source_labels AS l USING (job_id) WHERE c.city IS NULL)""",
    ("pay bound that is no number", "pay bounds that are no number"): """
        SELECT coalesce(sum(unread_pay_bounds), 0) FROM job_base""",
}


def count_left_out(conn: sqlite3.Connection) -> dict[str, int]:
    """LEFT_OUT's counts above 0, each under its words for that many."""
    counts = {words: conn.execute(sql).fetchone()[0] for words, sql in LEFT_OUT.items()}
    return {(one if count == 1 else more): count for (one, more), count in counts.items() if count}


def _second_process_tables(conn: sqlite3.Connection, steps: list[build_parallel.ScopeStep], queries: dict[str, str],
                           sources: dict[str, int], labels: str) -> list[str]:
    """The report tables a second process builds (build_parallel.py): those that need no listed
    name, when the label source labelled build_parallel.MIN_JOBS jobs or more and there are two
    cores and a write-ahead log (which lets the second process read beside this one's write
    lock); else none."""
    jobs = sources.get(labels, sources.get(RULES, 0))  # a blend's jobs are the rules'
    if (_cores() < 2 or jobs < build_parallel.MIN_JOBS
            or conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal"):
        return []
    return build_parallel.name_free_reports(steps, queries, next(step for step in steps if step.run is cell_counts.fill_names))


def methods() -> list[dict]:
    """How the report tables count: the published definitions, and ours where printed beside."""
    return yaml.safe_load(METHODS_PATH.read_text(encoding="utf-8"))


def _write_methods(conn: sqlite3.Connection) -> None:
    conn.execute(f"DROP TABLE IF EXISTS {METHODS_TABLE}")
    conn.execute(f"CREATE TABLE {METHODS_TABLE} (position INTEGER PRIMARY KEY, topic TEXT NOT NULL, "
                 "published TEXT NOT NULL, choice TEXT NOT NULL, why TEXT NOT NULL)")
    conn.executemany(f"INSERT INTO {METHODS_TABLE} VALUES (?, ?, ?, ?, ?)",
                     [(i, m["topic"], m["published"], m["choice"], m["why"]) for i, m in enumerate(methods(), 1)])


def main(db_path: str, labels: str = DEFAULT_LABELS) -> None:
    started, seconds, side_tables, left_out = time.perf_counter(), {}, [], {}
    counts = build(db_path, labels, seconds, side_tables, left_out)
    print(f"{SCOPE}: {seconds[SCOPE]:.1f}s")
    if SIDE_SCOPE in seconds:
        print(f"{SIDE_SCOPE}: {seconds[SIDE_SCOPE]:.1f}s, meanwhile")
    for table, rows in counts.items():
        beside = ", second process" if table in side_tables else ""
        print(f"{table}: {rows} rows ({seconds[table]:.2f}s{beside})")
    print(f"built {len(counts)} report tables from labels {labels!r} in {time.perf_counter() - started:.1f}s"
          + "".join(f"; left out {count} {what}" for what, count in left_out.items()))
