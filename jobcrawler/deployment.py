"""What a crawl scheduled on Scrapyd needs beyond a hand-run one: a database of its own.

Several crawls writing one SQLite file from several processes (or machines) would wait on
each other's write lock, and a file shared over the network is not safe for SQLite's WAL.
So a scheduled crawl writes its own file, named from a pattern in ``SQLITE_PATH``, and
``python -m jobcrawler.merge`` folds the files into the main database afterwards.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone

# {city}: the city argument (``all`` for every city); {date}: the UTC day the crawl started
# (YYYY-MM-DD); {month}: YYYY-MM; {job}: Scrapyd's job id (``_job``), ``pid<N>`` when run by hand.
PLACEHOLDERS = ("city", "date", "month", "job")
_PLACEHOLDER = re.compile(r"\{(\w*)\}")


def database_path(pattern: str, city: str, job: str | None = None, now: datetime | None = None) -> str:
    """``SQLITE_PATH`` with its placeholders filled in; a path without any is returned as is.

    >>> database_path("runs/{month}/{city}-{job}.db", "berlin", "5f3a", datetime(2026, 12, 1))
    'runs/2026-12/berlin-5f3a.db'
    """
    now = now or datetime.now(timezone.utc)
    values = {"city": city or "none", "date": now.strftime("%Y-%m-%d"), "month": now.strftime("%Y-%m"),
              "job": job or f"pid{os.getpid()}"}
    unknown = sorted({name for name in _PLACEHOLDER.findall(pattern) if name not in values})
    if unknown:
        raise ValueError(f"SQLITE_PATH {pattern!r}: unknown placeholder {', '.join('{' + n + '}' for n in unknown)}; "
                         f"known: {', '.join('{' + n + '}' for n in PLACEHOLDERS)}")
    return _PLACEHOLDER.sub(lambda match: _safe(values[match.group(1)]), pattern)


def _safe(value: str) -> str:
    """A value fit for a file name: a job id or a city never adds a folder."""
    return re.sub(r"[^\w.-]+", "_", value)
