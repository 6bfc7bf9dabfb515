"""Datasette plugin: bounds on what one request to the published site can cost or reveal.

Datasette's SQL time limit (``sql_time_limit_ms``) is checked between SQLite's steps, but one
value is made in one step: ``select zeroblob(1000000000)`` asked for a gigabyte at once, which
Datasette then base64-encodes into its JSON (the process grew to 23 GB). SQLite's length limit,
set on every connection Datasette opens, makes any value (or row) over ``MAX_VALUE_BYTES`` an
error, "string or blob too big", answered at once. Many smaller values in one answer stay bound
by the time limit and the row cap.

``MAX_VALUE_BYTES`` is far above any stored value: the longest field parsed from the 154 sample
pages is 21 KB (a job's locations; the longest ``description_html`` 17 KB, a whole parsed row
31 KB), and the crawler gives up on pages over its ``DOWNLOAD_MAXSIZE`` (4 MiB), so no stored
value reaches 4 MiB and no row 8 MiB.

One function works a whole value in one step and past that limit: ``printf('%.*c', 2147483647,
'x')`` keeps counting characters it no longer stores (9 s on one core), out of reach of the time
limit. ``printf`` and its alias ``format`` are replaced here by one that refuses a width or
precision over ``MAX_VALUE_BYTES`` ("string or blob too big", answered at once) and formats the rest with SQLite's
own, so every other call gives what it gave.

``/-/databases.json`` lists each database with its absolute file path; served here, it lists
the same without the path (Datasette matches a plugin's routes before its own). The path is
also kept out of ``pragma_database_list()`` (its ``file`` column reads NULL) and out of
``/-/threads.json`` (whose task descriptions name the server's source files): only the numbers
of threads and tasks and the threads' names are shown.

Loaded by ``analysis serve`` (``--plugins-dir analysis/datasette_plugins``); publish with the
same option (README, Reports).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import threading

from datasette import hookimpl
from datasette.views.special import JsonDataView

MAX_VALUE_BYTES = 8 * 2**20
# One conversion of printf's format: flags, width, precision (a number, or * taking an argument).
_CONVERSION = re.compile(r"%([-+ 0#,!]*)(\*|\d+)?(?:\.(\*|\d*))?l{0,2}(.)", re.DOTALL)
_formatter = threading.local()  # a private connection per thread, for SQLite's own printf


@hookimpl
def prepare_connection(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    for name in ("printf", "format"):
        conn.create_function(name, -1, bounded_printf, deterministic=True)
    conn.set_authorizer(_without_file_paths)


def _without_file_paths(action, table, column, database, source):
    """``pragma_database_list``'s ``file`` reads as NULL; everything else is allowed."""
    if action == sqlite3.SQLITE_READ and table == "pragma_database_list" and column == "file":
        return sqlite3.SQLITE_IGNORE
    return sqlite3.SQLITE_OK


def bounded_printf(*args):
    """SQLite's printf, refusing a width or precision over MAX_VALUE_BYTES before any work (with
    SQLite's "string or blob too big", by handing it a value one byte over its limit)."""
    if not args or args[0] is None:
        return None
    position = 1  # the next argument a conversion takes
    for _flags, width, precision, kind in _CONVERSION.findall(str(args[0])):
        if kind == "%":
            continue
        for part in (width, precision):
            if part == "*":
                size = _integer(args[position]) if position < len(args) else 0
                position += 1
            else:
                size = int(part) if part else 0
            if abs(size) > MAX_VALUE_BYTES:  # answered as any value over the limit is: "too big"
                return bytes(MAX_VALUE_BYTES + 1)
        position += 1
    conn = getattr(_formatter, "conn", None)
    if conn is None:
        conn = _formatter.conn = sqlite3.connect(":memory:", check_same_thread=False)
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    return conn.execute(f"SELECT printf({', '.join('?' * len(args))})", args).fetchone()[0]


def _integer(value) -> int:
    """An argument as printf reads a width: its integer value, 0 when it has none."""
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return 0


@hookimpl
def register_routes(datasette):
    return [(r"/-/databases(\.(?P<format>json))?$",
             JsonDataView.as_view(datasette, "databases.json", lambda: databases_without_paths(datasette))),
            (r"/-/threads(\.(?P<format>json))?$", JsonDataView.as_view(datasette, "threads.json", threads_without_paths))]


def threads_without_paths() -> dict:
    """What Datasette's ``/-/threads.json`` shows, without its task descriptions (file paths)."""
    threads = threading.enumerate()
    try:
        tasks = len(asyncio.all_tasks())
    except RuntimeError:  # no loop in this thread
        tasks = 0
    return {"num_threads": len(threads), "threads": [{"name": t.name, "daemon": t.daemon} for t in threads],
            "num_tasks": tasks}


def databases_without_paths(datasette) -> list[dict]:
    """What Datasette's own ``/-/databases.json`` shows, but the file path."""
    return [
        {"name": name, "route": db.route, "size": db.size, "is_mutable": db.is_mutable,
         "is_memory": db.is_memory, "hash": db.hash}
        for name, db in datasette.databases.items()
        if name != "_internal"
    ]
