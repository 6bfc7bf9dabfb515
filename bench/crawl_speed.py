"""End-to-end crawl of the local replay site, politeness off: detail pages/s and peak memory.

    python bench/crawl_speed.py [--postings 1000,10000] [--keep DIR] [--json OUT]

For each size the replay site runs in its own process (``python -m jobcrawler.replay``) with
``--jobs-per-city`` chosen so that ``city=all`` (12 cities, ~19% of jobs listed under two)
lists about that many distinct postings; then ``scrapy crawl builtin -a city=all
-a render=never -a max_pages=<enough>`` runs in a subprocess with ``DOWNLOAD_DELAY=0``,
AutoThrottle off and 8 concurrent requests (``CONCURRENT_REQUESTS=8``,
``CONCURRENT_REQUESTS_PER_DOMAIN=8``); every other setting is the project default.

Figures: detail pages/s over the whole ``scrapy crawl`` process (start-up included) and over
the span of its requests in the replay log; peak RSS of the scrapy process (``wait4``
``ru_maxrss``, exact) and its RSS sampled every 0.25 s; CPU seconds used by scrapy and by the
replay site. Targets: >= 150 pages/s; peak RSS < 300 MB at 10,000 postings, growing less
than linearly.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench._common import PYTHON, machine, replay_process, request_log, write_json  # noqa: E402
from jobcrawler.replay.postings import SHARED_PER_PAIR  # noqa: E402

CITIES = 12
PAGE_SIZE = 20
SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "0",
    "CONCURRENT_REQUESTS": "8",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
}


def jobs_per_city(postings: int) -> int:
    """``--jobs-per-city`` whose 12-city catalog holds about ``postings`` distinct jobs."""
    return max(1, round(postings / (CITIES * (1 - SHARED_PER_PAIR))))


def crawl_command(base_url: str, db: Path, per_city: int, extra: dict | None = None) -> list[str]:
    command = [PYTHON, "-m", "scrapy", "crawl", "builtin", "-a", "city=all", "-a", "render=never",
               "-a", f"max_pages={math.ceil(per_city / PAGE_SIZE) + 2}"]
    for name, value in {**SETTINGS, "BUILTIN_BASE_URL": base_url, "SQLITE_PATH": str(db), **(extra or {})}.items():
        command += ["-s", f"{name}={value}"]
    return command


def _cpu_seconds(pid: int) -> float | None:
    """utime + stime of a live process, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def run_measured(command: list[str], log_path: Path, interval: float = 0.25) -> dict:
    """Run a command; its wall time, exit code, exact peak RSS (wait4) and sampled RSS series."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    samples: list[tuple[float, int]] = []
    with open(log_path, "w") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        done = threading.Event()

        def sample():
            while not done.wait(interval):
                try:
                    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            samples.append((time.perf_counter() - started, int(line.split()[1])))
                except OSError:
                    return

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall_s": wall,
        "returncode": process.returncode,
        "peak_rss_mb": usage.ru_maxrss / 1024,  # KB on Linux
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "rss_series_mb": [(round(t, 2), round(kb / 1024, 1)) for t, kb in samples],
    }


def crawl_once(postings: int, workdir: Path, seed: int = 1) -> dict:
    per_city = jobs_per_city(postings)
    db = workdir / f"crawl_{postings}.db"
    with replay_process(per_city, seed) as (base_url, replay_pid):
        run = run_measured(crawl_command(base_url, db, per_city), workdir / f"crawl_{postings}.log")
        entries = request_log(base_url)
        replay_cpu = _cpu_seconds(replay_pid)
    details = [e for e in entries if e["path"].startswith("/job/") and e["status"] == 200]
    listings = [e for e in entries if e["path"].startswith("/jobs")]
    span = entries[-1]["timestamp"] - entries[0]["timestamp"] if len(entries) > 1 else float("nan")
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
        status = conn.execute("SELECT status FROM crawl_runs ORDER BY run_id DESC LIMIT 1").fetchone()[0]
    return {
        "postings": stored,
        "jobs_per_city": per_city,
        "detail_pages": len(details),
        "listing_pages": len(listings),
        "requests": len(entries),
        "status": status,
        "returncode": run["returncode"],
        "wall_s": run["wall_s"],
        "pages_per_s": len(details) / run["wall_s"],
        "request_span_s": span,
        "pages_per_s_steady": len(details) / span if span else float("nan"),
        "peak_rss_mb": run["peak_rss_mb"],
        "scrapy_cpu_s": run["cpu_s"],
        "scrapy_cpu_ms_per_page": 1000 * run["cpu_s"] / max(1, len(details)),
        "replay_cpu_s": replay_cpu,
        "rss_series_mb": run["rss_series_mb"],
        "db": str(db),
        "db_mb": db.stat().st_size / 2**20,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postings", default="1000,10000", help="comma-separated catalog sizes")
    parser.add_argument("--keep", type=Path, help="copy each crawled database into this folder")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.postings.split(",") if size.strip()]

    results = []
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
        for size in sizes:
            result = crawl_once(size, Path(tmp))
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                kept = args.keep / Path(result["db"]).name
                shutil.copy(result["db"], kept)
                result["db"] = str(kept)
            results.append(result)
            ok = "ok" if result["returncode"] == 0 and result["postings"] == result["detail_pages"] else "CHECK"
            print(f"{result['postings']:>6} postings ({result['jobs_per_city']}/city, {result['listing_pages']} listing "
                  f"pages): {result['detail_pages']} detail pages in {result['wall_s']:.1f} s = "
                  f"{result['pages_per_s']:.0f} pages/s end to end ({result['pages_per_s_steady']:.0f}/s over the "
                  f"request span); peak RSS {result['peak_rss_mb']:.0f} MB; scrapy CPU "
                  f"{result['scrapy_cpu_ms_per_page']:.2f} ms/page, replay site CPU {result['replay_cpu_s'] or 0:.1f} s; "
                  f"run {result['status']} [{ok}]")
    if len(results) > 1:
        small, large = results[0], results[-1]
        growth = large["peak_rss_mb"] / small["peak_rss_mb"]
        print(f"peak RSS grows {growth:.2f}x for {large['postings'] / small['postings']:.1f}x the postings "
              f"(targets: >= 150 pages/s, < 300 MB at 10,000, sub-linear growth)")
    write_json(args.json, {"crawls": results, "machine": machine()})
    return 0 if all(r["returncode"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
