"""Tagging speed: descriptions per second on one core, over the sample's saved pages.

    python bench/tag_speed.py [--pages DIR | --db DB] [--seconds N]

Pages are parsed once up front (or, with ``--db``, a database's jobs read as ``retag`` reads
them: a Field Guide import has real text of builtin's length, a replay crawl short synthetic
text); only ``Tagger.tag`` is timed, repeatedly, so the figure is the tag pipeline's own cost
(target: >= 2,000 descriptions per CPU second on the sample's pages). It also prints the rate in
this process's CPU time, which other work on a shared machine does not slow down.
"""

from __future__ import annotations

import argparse
import gzip
import sqlite3
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from analysis.evaluate import SAMPLE, employees  # noqa: E402
from jobcrawler.normalize.text import html_to_text  # noqa: E402
from jobcrawler.normalize.titles import clean_title  # noqa: E402
from jobcrawler.parsing.detail import parse_detail  # noqa: E402
from jobcrawler.retag import json_list  # noqa: E402
from jobcrawler.tagging import Tagger  # noqa: E402


def load_jobs(pages: Path) -> list[dict]:
    jobs = []
    for page in sorted(pages.glob("*.html.gz")):
        with gzip.open(page, "rt", encoding="utf-8") as handle:
            fields = parse_detail(handle.read(), "")
        jobs.append(
            {
                "title": clean_title(fields.get("title")),
                "description": html_to_text(fields.get("description_html")),
                "top_skills": fields.get("top_skills") or [],
                "industries": fields.get("industries") or [],
                "level": fields.get("level"),
                "company_size": employees(fields.get("company_size")),
            }
        )
    return jobs


def db_jobs(path: Path) -> list[tuple[str, dict]]:
    """(job id, ``Tagger.tag`` arguments) of every job of a database, its lists read as ``retag`` reads them."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT job_id, title, description, top_skills, industries, level, company_size "
                            "FROM jobs ORDER BY job_id").fetchall()
    return [(job_id, {"title": title or "", "description": description or "", "top_skills": json_list(top_skills),
                      "industries": json_list(industries), "level": level, "company_size": size})
            for job_id, title, description, top_skills, industries, level, size in rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, default=SAMPLE / "pages")
    parser.add_argument("--db", type=Path, help="tag this database's jobs instead of the pages")
    parser.add_argument("--seconds", type=float, default=3.0, help="how long to keep tagging")
    args = parser.parse_args()

    started = time.perf_counter()
    tagger = Tagger.load()
    load_seconds = time.perf_counter() - started
    if args.db is not None and not args.db.is_file():
        print(f"error: no database at {args.db}", file=sys.stderr)
        return 1
    jobs = [job for _, job in db_jobs(args.db)] if args.db is not None else load_jobs(args.pages)
    if not jobs:
        print(f"no jobs in {args.db}" if args.db is not None else f"no pages in {args.pages}", file=sys.stderr)
        return 1

    tagged, started, cpu_started = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - started < args.seconds:
        for job in jobs:
            tagger.tag(**job)
        tagged += len(jobs)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    mean_chars = sum(len(job["description"]) for job in jobs) / len(jobs)
    print(f"tagger load: {load_seconds * 1000:.0f} ms (taxonomy {tagger.version})")
    print(f"tagged {tagged} descriptions ({len(jobs)} distinct, mean {mean_chars:.0f} chars) in {elapsed:.2f} s")
    print(f"{tagged / cpu:.0f} descriptions per CPU second")
    print(f"{tagged / elapsed:.0f} descriptions/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
