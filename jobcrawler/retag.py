"""Re-tag a crawled database after a taxonomy or category-rule change, without re-crawling.

    python -m jobcrawler.retag --db data/jobs.db          # jobs tagged by another version, or never
    python -m jobcrawler.retag --db data/jobs.db --all    # every job

The tagger's labels are label source ``rules``: a re-tag replaces those and no other source's.

Rows are read and written in batches, one transaction per batch, so an interrupted re-tag
leaves every job either fully old or fully new, and running it again finishes the work.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from jobcrawler import storage
from jobcrawler.settings import SQLITE_PATH
from jobcrawler.tagging import Tagger

BATCH = 2000
CHUNK = 250  # rows per task handed to a worker: small enough to keep every worker busy to the end

_tagger: Tagger | None = None


def _tag_rows(rows: list[tuple], tagger: Tagger | None = None) -> list[tuple[str, dict, list[dict]]]:
    """(job_id, label row of source ``rules``, skills) per row; without ``tagger``, this worker
    process's own (loaded on its first batch)."""
    global _tagger
    if tagger is None:
        if _tagger is None:
            _tagger = Tagger.load()
        tagger = _tagger
    tagged, now = [], storage.utc_now()
    for job_id, title, description, top_skills, industries, level, company_size in rows:
        tags = tagger.tag(title or "", description or "", top_skills=_list(top_skills),
                          industries=_list(industries), level=level, company_size=company_size)
        tagged.append((job_id, storage.label_row(tags.categories, storage.RULES, tagger.version, now, tags.evidence),
                       tags.skills))
    return tagged


def _list(value) -> list:
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


def retag(db_path: str | Path, everything: bool = False, workers: int = 1) -> int:
    """Re-tag and return how many jobs were written.

    With several workers the next batch is already being tagged while this process writes
    the previous one, so neither the workers nor the writer wait on each other.
    """
    db = storage.open_db(db_path)
    tagger = Tagger.load()  # its version picks the jobs; one worker tags with it too
    version = tagger.version
    done = 0
    try:
        if workers <= 1:
            for rows in _batches(db, everything, version):
                storage.save_labels(db, _tag_rows(rows, tagger))
                done += len(rows)
            return done
        with ProcessPoolExecutor(workers) as pool:
            in_flight: deque = deque()
            for rows in _batches(db, everything, version):
                in_flight.append([pool.submit(_tag_rows, chunk) for chunk in _chunks(rows, CHUNK)])
                if len(in_flight) > 1:
                    done += _write(db, in_flight.popleft())
            while in_flight:
                done += _write(db, in_flight.popleft())
        return done
    finally:
        db.close()


def _write(db, futures: list) -> int:
    """Wait for one batch's tags and store them in one transaction; how many jobs it held."""
    tagged = [job for future in futures for job in future.result()]
    storage.save_labels(db, tagged)
    return len(tagged)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobcrawler.retag", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=SQLITE_PATH, help=f"the crawl database (default: {SQLITE_PATH})")
    parser.add_argument("--all", action="store_true", help="re-tag every job, not only those of another version")
    cores = len(os.sched_getaffinity(0))
    parser.add_argument("--workers", type=int, default=cores,
                        help=f"tagging processes (default: the cores this process may use, {cores})")
    args = parser.parse_args(argv)
    if not Path(args.db).exists():
        print(f"error: no database at {args.db}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    count = retag(args.db, everything=args.all, workers=args.workers)
    seconds = time.perf_counter() - started
    rate = f" ({count / seconds:,.0f} jobs/s)" if count and seconds else ""
    print(f"re-tagged {count} jobs in {seconds:.2f} s{rate}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
