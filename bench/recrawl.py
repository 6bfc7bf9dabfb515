"""Incremental re-crawl of an unchanged replay site: requests per posting on the second crawl.

    python bench/recrawl.py [--postings 1000] [--json OUT]

Crawls the replay site (its own process, ``city=all``, politeness off as in
``bench/crawl_speed.py``) into a fresh database, then runs the same command again (default
``refresh_days=7``) and counts, from the replay site's request log (``GET /__log``), the
requests each crawl made by kind: listing pages, detail pages, robots.txt, other.
Target: the second crawl fetches listing pages only.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench._common import machine, replay_process, request_log, write_json  # noqa: E402
from bench.crawl_speed import crawl_command, jobs_per_city  # noqa: E402


def kinds(entries: list[dict]) -> dict[str, int]:
    counts = {"listing": 0, "detail": 0, "robots": 0, "other": 0}
    for entry in entries:
        path = entry["path"]
        kind = ("listing" if path.startswith("/jobs") else "detail" if path.startswith("/job/")
                else "robots" if path == "/robots.txt" else "other")
        counts[kind] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postings", type=int, default=1000)
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    per_city = jobs_per_city(args.postings)
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    crawls = []
    with tempfile.TemporaryDirectory(prefix="bench-recrawl-") as tmp, replay_process(per_city) as (base_url, _):
        db = Path(tmp) / "jobs.db"
        seen = 0
        for attempt in (1, 2):
            started = time.perf_counter()
            result = subprocess.run(crawl_command(base_url, db, per_city, {"LOG_LEVEL": "WARNING"}),
                                    cwd=REPO, env=env, capture_output=True, text=True)
            wall = time.perf_counter() - started
            entries = request_log(base_url, since=seen)
            seen += len(entries)
            with sqlite3.connect(db) as conn:
                postings = conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
                twice = conn.execute("SELECT count(*) FROM jobs WHERE times_seen >= ?", [attempt]).fetchone()[0]
            counts = kinds(entries)
            crawls.append({"crawl": attempt, "returncode": result.returncode, "wall_s": wall, "postings": postings,
                           "requests": len(entries), **counts, "requests_per_posting": len(entries) / max(1, postings),
                           "detail_requests_per_posting": counts["detail"] / max(1, postings),
                           "jobs_seen_this_often": twice})
            print(f"crawl {attempt}: {len(entries)} requests for {postings} postings = "
                  f"{len(entries) / max(1, postings):.3f} requests/posting ({counts['listing']} listing, "
                  f"{counts['detail']} detail, {counts['robots']} robots.txt, {counts['other']} other) in {wall:.1f} s; "
                  f"exit {result.returncode}; jobs with times_seen >= {attempt}: {twice}")
    second = crawls[-1]
    verdict = "listing pages only" if second["detail"] == 0 else f"{second['detail']} detail pages re-fetched"
    print(f"re-crawl: {verdict} (target: listing pages only)")
    write_json(args.json, {"crawls": crawls, "machine": machine()})
    return 0 if all(c["returncode"] == 0 for c in crawls) else 1


if __name__ == "__main__":
    sys.exit(main())
