"""A crawl of the replay site under a mix of injected faults: does it lose nothing?

    python bench/fault_run.py [--city all] [--jobs-per-city 60] [--faults SPEC] [--resume] [--json PATH]

Runs ``scrapy crawl builtin`` (a subprocess, as a user runs it) against the replay site (in
this process, so its request log is at hand) injecting 429 with Retry-After, 503, 500,
truncated pages, connections dropped mid-body, responses slower than the download timeout
and 200 challenge pages, then prints: postings listed, stored, duplicates, share stored,
retries and give-ups by reason, whether Retry-After was honoured (the shortest gap, in the
request log, between a 429 and the next request for that URL, against the Retry-After sent),
and the elapsed time. ``--resume`` also stops a second crawl with Ctrl-C half-way, resumes it
from its JOBDIR, and says whether its database equals the uninterrupted one.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench._common import PYTHON, machine, write_json  # noqa: E402
from jobcrawler.cities import load_cities  # noqa: E402
from jobcrawler.replay import ReplaySite  # noqa: E402

MIX = "429:0.05,503:0.05:2,500:0.04,truncate:0.04,drop:0.04,slow:0.03,challenge:0.04"
# Columns that record when, not what: left out when two databases are compared.
WHEN = {"first_seen", "last_seen", "fetched_at", "seen_at", "version", "labelled_at"}
TABLES = {
    "jobs": "SELECT * FROM jobs ORDER BY job_id",
    "job_cities": "SELECT job_id, city FROM job_cities ORDER BY 1, 2",
    "job_locations": "SELECT * FROM job_locations ORDER BY 1, 2",
    "job_labels": "SELECT * FROM job_labels ORDER BY 1, 2",
    "job_skills": "SELECT * FROM job_skills ORDER BY 1, 2, 3",
    "sightings": "SELECT job_id, city FROM sightings ORDER BY 1, 2",
}


def crawl_command(base_url: str, db: Path, city: str, settings: dict) -> list[str]:
    command = [PYTHON, "-m", "scrapy", "crawl", "builtin", "-a", f"city={city}", "-a", "render=never"]
    for name, value in {**settings, "BUILTIN_BASE_URL": base_url, "SQLITE_PATH": str(db)}.items():
        command += ["-s", f"{name}={value}"]
    return command


def run_crawl(command: list[str], stop_when=None) -> tuple[int, str]:
    """Run a crawl to its end, or until ``stop_when()`` holds, then stop it with SIGINT."""
    process = subprocess.Popen(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if stop_when is not None:
        while process.poll() is None and not stop_when():
            time.sleep(0.05)
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    _, stderr = process.communicate()
    return process.returncode, stderr


def query(db: Path, sql: str, params=()) -> list[dict]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute(sql, params)]


def contents(db: Path) -> dict:
    return {name: [{k: v for k, v in row.items() if k not in WHEN} for row in query(db, sql)]
            for name, sql in TABLES.items()}


def last_run(db: Path) -> dict:
    run = query(db, "SELECT * FROM crawl_runs ORDER BY run_id DESC LIMIT 1")[0]
    for key in ("stats", "gave_up", "status_reasons"):
        run[key] = json.loads(run[key]) if run[key] else {}
    return run


def retry_after_gaps(log: list[dict]) -> list[float]:
    """Seconds between each 429 and the next request for the same URL."""
    gaps = []
    for i, entry in enumerate(log):
        if entry["status"] != 429:
            continue
        url = (entry["path"], entry["query"])
        following = next((e for e in log[i + 1:] if (e["path"], e["query"]) == url), None)
        if following is not None:
            gaps.append(following["timestamp"] - entry["timestamp"])
    return gaps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--city", default="all")
    parser.add_argument("--jobs-per-city", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--faults", default=MIX, help=f"KIND:RATE[:ATTEMPTS|all],... (default {MIX})")
    parser.add_argument("--retry-after", type=int, default=1, help="Retry-After seconds the site sends with 429")
    parser.add_argument("--slow-seconds", type=float, default=3.0, help="delay of a slow response")
    parser.add_argument("--download-timeout", type=float, default=2.0)
    parser.add_argument("--backoff-base", type=float, default=0.25, help="RETRY_BACKOFF_BASE (production: 1.0)")
    parser.add_argument("--resume", action="store_true", help="also compare an interrupted, resumed crawl")
    parser.add_argument("--json", help="write the figures here too")
    args = parser.parse_args()

    settings = {
        "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "0", "LOG_LEVEL": "INFO",
        "DOWNLOAD_TIMEOUT": str(args.download_timeout), "RETRY_BACKOFF_BASE": str(args.backoff_base),
    }
    cities = list(load_cities()) if args.city == "all" else [args.city]
    work = Path(tempfile.mkdtemp(prefix="fault_run-"))
    db = work / "jobs.db"
    print(f"machine: {machine()}")
    print(f"faults: {args.faults} (Retry-After {args.retry_after} s, slow {args.slow_seconds} s, "
          f"DOWNLOAD_TIMEOUT {args.download_timeout} s, RETRY_BACKOFF_BASE {args.backoff_base} s)")
    with ReplaySite(args.jobs_per_city, args.seed, faults=args.faults, retry_after=args.retry_after,
                    slow_seconds=args.slow_seconds) as site:
        started = time.perf_counter()
        code, stderr = run_crawl(crawl_command(site.base_url, db, args.city, settings))
        elapsed = time.perf_counter() - started
        log = site.request_log
        listed = {p.job_id for city in cities for p in site.listing(city)}
        resumed = None
        if args.resume:
            resumed = compare_resumed(site, work, args.city, settings, db)

    run = last_run(db)
    stored_jobs = {r["job_id"] for r in query(db, "SELECT job_id FROM jobs")}
    stored = len(stored_jobs & listed)
    intact_fetches = Counter(e["path"] for e in log
                             if e["path"].startswith("/job/") and e["status"] == 200 and e["fault"] is None)
    duplicates = (run["stats"].get("items/stored", 0) - len(stored_jobs)) + sum(
        n - 1 for n in intact_fetches.values() if n > 1)
    gaps = retry_after_gaps(log)
    figures = {
        "postings_listed": len(listed),
        "postings_stored": stored,
        "duplicates": duplicates,
        "share_stored": stored / len(listed) if listed else 0.0,
        "faults_injected": dict(Counter(e["fault"] for e in log if e["fault"])),
        "requests": len(log),
        "retries_by_reason": {k.removeprefix("retry/reason_count/"): v for k, v in sorted(run["stats"].items())
                              if k.startswith("retry/reason_count/")},
        "gave_up_by_reason": run["gave_up"],
        "retry_after_sent": args.retry_after,
        "retry_after_min_gap": min(gaps) if gaps else None,
        "retry_after_honoured": bool(gaps) and min(gaps) >= args.retry_after,
        "throttled_429": len(gaps),
        "run_status": run["status"],
        "status_reasons": run["status_reasons"],
        "exit_code": code,
        "elapsed_s": round(elapsed, 1),
        "resumed_equals_uninterrupted": resumed,
    }
    print(f"postings listed:   {figures['postings_listed']}")
    print(f"stored:            {stored}")
    print(f"duplicates:        {duplicates}")
    print(f"share stored:      {figures['share_stored']:.2%}")
    print(f"faults injected:   {figures['faults_injected']} over {len(log)} requests")
    print(f"retries by reason: {figures['retries_by_reason']}")
    print(f"given up, by reason: {figures['gave_up_by_reason'] or 'none'}")
    honoured = "yes" if figures["retry_after_honoured"] else "NO"
    min_gap = f"{min(gaps):.3f} s" if gaps else "n/a"
    print(f"Retry-After honoured: {honoured} (min gap 429 -> next request for that URL {min_gap} "
          f"over {len(gaps)} 429s; Retry-After {args.retry_after} s)")
    print(f"run status:        {run['status']} (exit {code}) {'; '.join(run['status_reasons'])}")
    print(f"elapsed:           {elapsed:.1f} s")
    if resumed is not None:
        print(f"interrupted + resumed crawl equals the uninterrupted one: {'yes' if resumed else 'NO'}")
    if code not in (0, 2):
        print(stderr[-3000:], file=sys.stderr)
    write_json(args.json, figures)
    ok = figures["share_stored"] >= 0.99 and duplicates == 0 and figures["retry_after_honoured"] is not False
    return 0 if ok and resumed is not False else 1


def compare_resumed(site, work: Path, city: str, settings: dict, uninterrupted: Path) -> bool:
    """Crawl again under the same faults, stop it with Ctrl-C half-way, resume it from its JOBDIR."""
    site.reset()  # faults fire again
    db, jobdir = work / "resumed.db", work / "job"
    command = crawl_command(site.base_url, db, city, {**settings, "JOBDIR": str(jobdir)})
    cities = list(load_cities()) if city == "all" else [city]
    half = len({p.job_id for key in cities for p in site.listing(key)}) // 2

    def halfway() -> bool:
        return sum(1 for e in site.request_log if e["path"].startswith("/job/")) >= half

    code, _ = run_crawl(command, stop_when=halfway)
    print(f"resume: stopped with Ctrl-C after {len(site.request_log)} requests (exit {code}); resuming")
    code, stderr = run_crawl(command)
    if code not in (0, 2):
        print(stderr[-3000:], file=sys.stderr)
    return contents(db) == contents(uninterrupted)


if __name__ == "__main__":
    sys.exit(main())
