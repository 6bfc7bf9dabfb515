"""The one way this package writes: ``transaction(db)``, and what every module shares.

sqlite-utils 4 commits a statement run through ``Database.execute()`` at once when no
transaction is open, and Python's ``with conn:`` opens one only at the first INSERT it sees
itself; so a block of writes is whole only inside an explicit transaction. ``transaction``
follows sqlite-utils' ``db.atomic()`` (a savepoint when nested, rolled back on any exception)
but starts with ``BEGIN IMMEDIATE``: a writer takes the write lock before it reads anything, so
it waits out the busy timeout for another writer instead of failing with SQLITE_BUSY when a
read snapshot cannot be upgraded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

import sqlite_utils

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


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Run the block as one write transaction: all of it is committed, or none of it.

    Outside a transaction: ``BEGIN IMMEDIATE`` (the write lock, waiting up to the busy timeout),
    the block, then COMMIT, or ROLLBACK when anything (an error, Ctrl-C, a failed COMMIT) stops
    it: ``db.atomic()``'s own rules, with the lock taken up front (``atomic`` begins with a plain,
    deferred BEGIN). Inside one: ``db.atomic()``, a savepoint of it, so a helper that writes in a
    transaction of its own composes into a larger one. (The outer transaction is no savepoint:
    a savepoint makes SQLite keep every changed page's old content, ~30% of a crawl batch's time.)
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.conn.execute("COMMIT")
    except BaseException:
        db.rollback()  # a no-op when the error already ended the transaction
        raise
