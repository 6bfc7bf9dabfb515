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

``/-/databases.json`` lists each database with its absolute file path; served here, it lists
the same without the path (Datasette matches a plugin's routes before its own).

Loaded by ``analysis serve`` (``--plugins-dir analysis/datasette_plugins``); publish with the
same option (README, Reports).
"""

from __future__ import annotations

import sqlite3

from datasette import hookimpl
from datasette.views.special import JsonDataView

MAX_VALUE_BYTES = 8 * 2**20


@hookimpl
def prepare_connection(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)


@hookimpl
def register_routes(datasette):
    return [(r"/-/databases(\.(?P<format>json))?$",
             JsonDataView.as_view(datasette, "databases.json", lambda: databases_without_paths(datasette)))]


def databases_without_paths(datasette) -> list[dict]:
    """What Datasette's own ``/-/databases.json`` shows, but the file path."""
    return [
        {"name": name, "route": db.route, "size": db.size, "is_mutable": db.is_mutable,
         "is_memory": db.is_memory, "hash": db.hash}
        for name, db in datasette.databases.items()
        if name != "_internal"
    ]
