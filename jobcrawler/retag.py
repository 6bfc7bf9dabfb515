"""Re-tag a crawled database after a taxonomy or category-rule change, without re-crawling.

    python -m jobcrawler.retag --db data/jobs.db          # jobs tagged by another version, or never
    python -m jobcrawler.retag --db data/jobs.db --all    # every job

The tagger's labels are label source ``rules``: a re-tag replaces those and no other source's.

Rows are read and written in batches, one transaction per batch, so an interrupted re-tag
leaves every job either fully old or fully new, and running it again finishes the work. A job
whose text changed between its read and its write (a crawl beside the re-tag) keeps the labels
the crawl gave its new text.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import sys
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from jobcrawler import number_input, storage
from jobcrawler.settings import SQLITE_PATH
from jobcrawler.tagging import Tagger

BATCH = 2000
CHUNK = 250  # rows per task handed to a worker: small enough to keep every worker busy to the end

_tagger: Tagger | None = None


def _tag_rows(rows: list[tuple], tagger: Tagger | None = None) -> list[tuple[str, dict, list[dict]]]:
    """(job_id, label row of source ``rules``, skills) per row; without ``tagger``, this worker
    process's own (the one ``retag`` loaded when the worker was forked from it, else loaded on
    its first batch)."""
    global _tagger
    if tagger is None:
        if _tagger is None:
            _tagger = Tagger.load()
        tagger = _tagger
    tagged, now = [], storage.utc_now()
    for job_id, title, description, top_skills, industries, level, company_size in rows:
        tags = tagger.tag(title or "", description or "", top_skills=json_list(top_skills),
                          industries=json_list(industries), level=level, company_size=company_size)
        tagged.append((job_id, storage.label_row(tags.categories, storage.RULES, tagger.version, now, tags.evidence),
                       tags.skills))
    return tagged


def json_list(value) -> list:
    """A JSON list column as a list; anything else (empty, not JSON, not a list) as none."""
    try:
        parsed = json.loads(value) if value else []
    except ValueError:
        return []
    return parsed if isinstance(parsed, list) else []


def _chunks(rows: list, size: int) -> list[list]:
    return [rows[i:i + size] for i in range(0, len(rows), max(1, size))]


def _batches(db, everything: bool, version: str):
    """Rows to re-tag, BATCH at a time, in job_id order (keyset paging: writes do not shift it)."""
    after = ""
    while True:
        rows = storage.jobs_to_tag(db, version, everything, after, BATCH)
        if not rows:
            return
        yield rows
        after = rows[-1][0]


@dataclass
class RetagResult:
    written: int = 0  # jobs whose labels were written
    changed: int = 0  # jobs whose text a crawl changed while they were tagged: they keep the crawl's labels


def retag(db_path: str | Path, everything: bool = False, workers: int = 1) -> RetagResult:
    """Re-tag the jobs and say how many were written.

    Each batch's labels are written only for jobs whose text is still the one tagged: a crawl
    that re-fetched a job meanwhile gave it labels of its new text, which stay. With several
    workers the next batch is already being tagged while this process writes the previous one,
    so neither the workers nor the writer wait on each other.
    """
    global _tagger
    db = storage.open_db(db_path)
    # its version picks the jobs; one worker tags with it, and workers forked from this process
    # start with it (no load of their own, ~0.15 s of CPU each)
    tagger = _tagger = Tagger.load()
    version = tagger.version
    result = RetagResult()
    try:
        if workers <= 1:
            for rows in _batches(db, everything, version):
                _write(db, rows, [_tag_rows(rows, tagger)], result)
            return result
        # imported here: multiprocessing's modules are ~15 ms of a one-worker re-tag's start-up
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(workers, initializer=_leave_interrupts_to_the_writer)
        try:
            in_flight: deque = deque()
            for rows in _batches(db, everything, version):
                in_flight.append((rows, [pool.submit(_tag_rows, chunk) for chunk in _chunks(rows, CHUNK)]))
                if len(in_flight) > 1:
                    _write(db, *in_flight.popleft(), result)
            while in_flight:
                _write(db, *in_flight.popleft(), result)
        finally:  # stopped (Ctrl-C, a refused batch): the chunks not started yet are not tagged for nothing
            pool.shutdown(cancel_futures=True)
        return result
    finally:
        db.close()


def _leave_interrupts_to_the_writer() -> None:
    """A worker ignores Ctrl-C (the terminal sends it to every process of the group): the writer
    stops the re-tag, saying so in one line, instead of each worker printing a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _write(db, rows: list[tuple], tagged: list, result: RetagResult) -> None:
    """Store one batch's tags (lists of them, or futures of those) in one transaction, where the
    job's text is still the one read (``rows``)."""
    labelled = [job for part in tagged for job in (part.result() if hasattr(part, "result") else part)]
    changed = storage.save_labels(db, labelled, read={row[0]: tuple(row[1:]) for row in rows})
    result.written += len(labelled) - len(changed)
    result.changed += len(changed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobcrawler.retag", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=SQLITE_PATH, help=f"the crawl database (default: {SQLITE_PATH})")
    parser.add_argument("--all", action="store_true", help="re-tag every job, not only those of another version")
    cores = len(os.sched_getaffinity(0))
    parser.add_argument("--workers", type=number_input.positive_whole, default=cores,
                        help=f"tagging processes (default: the cores this process may use, {cores})")
    args = parser.parse_args(argv)
    if why := storage.database_file_error(args.db):
        print(f"error: {why}", file=sys.stderr)
        return 1
    if why := storage.being_served(args.db, "re-tag"):
        print(f"error: {why}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    try:
        result = retag(args.db, everything=args.all, workers=args.workers)
    except storage.StorageError as error:  # not a database, or another program's
        print(f"error: {error}", file=sys.stderr)
        return 1
    except sqlite3.Error as error:  # a batch refused: locked past the busy timeout, a full disk
        print(f"error: re-tagging {args.db} stopped: {error} (the batches written stay; run it again to finish)",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: the batches written stay; run it again to finish", file=sys.stderr)
        return 130
    seconds = time.perf_counter() - started
    rate = f" ({result.written / seconds:,.0f} jobs/s)" if result.written and seconds else ""
    print(f"re-tagged {result.written} jobs in {seconds:.2f} s{rate}")
    if result.changed:
        print(f"left {result.changed} jobs a crawl re-fetched while they were tagged: they keep the labels of "
              "their new text")
    return 0


if __name__ == "__main__":
    sys.exit(main())
