"""A second process for ``analysis build`` on a large database: it builds the report tables that
need no listed name (the title, company and pay tables and those of job_base's columns: ~45% of
a build) while the build's own process counts the names and builds the rest.

Why a process: SQLite runs one statement on one core, and the build is ~20 passes of ~0.5 µs a
row; two processes on two cores halve what is left to wait for. The second process opens the
database read-only and starts reading after the build took the write lock (``BEGIN
IMMEDIATE``), so it reads the same state of the data (a write-ahead log: no writer can commit
meanwhile, and both processes check the same fingerprint). Its scope tables stay in its memory;
it sends its report tables' rows back through a pipe, and the build writes them in its own
transaction: readers see the old set of rows or the new one, never a mix, and nothing is left
on disk when either process stops.

Which statements each process runs is read off the SQL (``steps_for``): the scope statements
that write the tables its reports read, and those that write what those statements read.
"""

from __future__ import annotations

import os
import pickle
import re
import sqlite3
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]

# Below this many labelled jobs one process builds everything: a second Python (~0.3 s to start)
# and the cells made twice cost about what they save (10,000 postings: 1.5-1.6 s with two
# processes, 1.75-1.8 s with one, for ~0.45 s more CPU; 100,000: ~5 s against ~7 s).
MIN_JOBS = 20_000


class ScopeStep(NamedTuple):
    """One statement of the scope scripts (or the counting in Python), with the tables it writes
    and the tables of earlier steps it reads."""
    label: str
    run: Callable[[sqlite3.Connection], None]
    writes: frozenset[str]
    reads: frozenset[str]


_WRITTEN = re.compile(r"\b(?:CREATE\s+(?:TEMP\s+|TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?|"
                      r"(?:INSERT(?:\s+OR\s+\w+)?|REPLACE)\s+INTO\s+|UPDATE\s+(?:OR\s+\w+\s+)?|DELETE\s+FROM\s+|"
                      r"CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:\w+\.)?\w+\s+ON\s+)"
                      r"(?:\w+\.)?(?!SET\b)(\w+)\s*[(\s]", re.IGNORECASE)
# What _code reads past: comments, string literals and quoted identifiers (SQLite's four quotes)
_SKIPPED = re.compile(r"--[^\n]*|/\*.*?(?:\*/|\Z)|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`(?:[^`]|``)*`|\[[^\]]*\]", re.DOTALL)


def sql_step(statement: str, known: Iterable[str]) -> ScopeStep:
    """A scope statement as a step: the table it writes (creates, fills, updates, deletes from or
    indexes) and the names of ``known`` tables it holds (a name that is only a column reads a table
    needlessly, which costs time, never a row). ValueError for a statement whose table it cannot
    read: every build reads the scope scripts this way, so that fails loudly, not by a wrong guess."""
    code = _code(statement)
    written = _WRITTEN.search(code + " ")
    if written is None:
        raise ValueError(f"cannot tell which table this scope statement writes: {statement[:80]!r}")
    words = set(re.findall(r"\w+", code))
    return ScopeStep(written.group(0).strip(), lambda conn: conn.execute(statement), frozenset({written.group(1)}),
                     frozenset(words & set(known)) - {written.group(1)})


def tables_read(selects: Iterable[str], steps: list[ScopeStep]) -> set[str]:
    """The scope tables some SELECTs name."""
    words = {word for select in selects for word in re.findall(r"\w+", _code(select))}
    return {table for step in steps for table in step.writes if table in words}


def _code(sql: str) -> str:
    """SQL as names and keywords: comments dropped, string literals emptied (a table's name in one
    is no read), quoted identifiers unquoted (one that is no plain word, which no scope table's name
    is, emptied like a literal)."""
    def plain(token: re.Match) -> str:
        text = token.group(0)
        if text.startswith(("--", "/*")):
            return " "
        if text.startswith("'"):
            return "''"
        name = text[1:-1].replace(text[0] * 2, text[0]) if text[0] in "\"`" else text[1:-1]
        return f" {name} " if re.fullmatch(r"\w+", name) else "''"
    return _SKIPPED.sub(plain, sql)


def steps_for(steps: list[ScopeStep], tables: Iterable[str]) -> list[ScopeStep]:
    """The steps, in order, that the given tables need: those writing them, then those writing what
    those read, and so on."""
    needed, chosen = set(tables), []
    for step in reversed(steps):
        if step.writes & needed:
            chosen.append(step)
            needed |= step.reads
    return chosen[::-1]


def name_free_reports(steps: list[ScopeStep], queries: dict[str, str], names_step: ScopeStep) -> list[str]:
    """The report tables whose scope tables need no listed name (the step counting them): the
    second process's share."""
    return [table for table, select in queries.items() if names_step not in steps_for(steps, tables_read([select], steps))]


class SideBuild:
    """The second process, building ``tables`` of one label source (``with``: it is stopped and
    waited for however the block ends). A plain ``python -m analysis.build_parallel``: no module
    of the caller is imported again, and no SQLite state is inherited. It runs this checkout's code
    whatever the working directory holds: ``-P`` keeps the working directory off ``sys.path``, and
    this repository comes first on it."""

    def __init__(self, db_path: str | Path, labels: str, tables: list[str]):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (str(REPO), os.environ.get("PYTHONPATH")))))
        self._process = subprocess.Popen([sys.executable, "-P", "-m", "analysis.build_parallel", str(db_path), labels, *tables],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)

    def results(self) -> tuple[str, dict[str, tuple[str, list[tuple], float]], float]:
        """(the fingerprint of the data it read, table -> (its CREATE TABLE, its rows, seconds),
        the seconds its scope tables took); RuntimeError when it failed. Waits as long as it
        builds (Ctrl-C stops the wait, and ``with`` stops the process)."""
        sent, errors = self._process.communicate()
        said = errors.decode(errors="replace").strip()[-2000:]
        if self._process.returncode != 0:  # stopped before it could say why: a signal, or the interpreter itself
            raise RuntimeError(f"the build's second process stopped (exit code {self._process.returncode}): {said}")
        try:
            outcome = pickle.loads(sent)
        except Exception as error:
            raise RuntimeError(f"the build's second process exited but sent no outcome ({error}; "
                               f"{len(sent)} bytes, starting {sent[:60]!r}): {said}") from None
        if outcome[0] == "failed":
            raise RuntimeError(f"the build's second process failed:\n{outcome[1]}")
        return outcome[1:]

    def __enter__(self) -> SideBuild:
        return self

    def __exit__(self, *exc) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.communicate()


def _build_side(db_path: str, labels: str, tables: list[str]) -> tuple:
    """In the second process: the scope tables ``tables`` need, then ``tables`` themselves, as
    temporary tables, returned whole."""
    from analysis import build  # here, not above: build imports this module

    conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                           timeout=build.BUSY_TIMEOUT)
    try:
        build.prepare(conn, labels)
        conn.execute("BEGIN")
        source = build.source_fingerprint(conn)
        steps, queries = build.scope_steps(), build.report_queries()
        started = time.perf_counter()
        for step in steps_for(steps, tables_read([queries[table] for table in tables], steps)):
            step.run(conn)
        scope_seconds = time.perf_counter() - started
        built = {}
        for table in tables:
            started = time.perf_counter()
            conn.execute(f"CREATE TEMP TABLE {table} AS {build.labelled_select(queries[table])}", (labels,))
            create = conn.execute("SELECT sql FROM sqlite_temp_master WHERE name = ?", (table,)).fetchone()[0]
            rows = conn.execute(f"SELECT * FROM temp.{table} ORDER BY rowid").fetchall()
            built[table] = (create, rows, time.perf_counter() - started)
        return "built", source, built, scope_seconds
    finally:
        conn.close()


if __name__ == "__main__":  # SideBuild's process: DB LABELS TABLE... -> the outcome, pickled, on stdout
    sent, sys.stdout = sys.stdout.buffer, sys.stderr  # stdout carries the outcome alone: a print goes to stderr
    try:
        outcome = _build_side(sys.argv[1], sys.argv[2], sys.argv[3:])
    except BaseException:  # Ctrl-C included: the build raises it as a failure of this process
        outcome = ("failed", traceback.format_exc())
    sent.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
