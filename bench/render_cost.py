"""What JavaScript rendering costs, measured on the local replay site.

    .venv/bin/python bench/render_cost.py [--pages 8] [--runs 3] [--wait settle|networkidle|load]

Prints:
  * ms per listing page fetched plain vs rendered in Chromium (pages fetched one after the
    other, browser already running; the first rendered page, which launches the browser, is
    reported apart), for the wait the spider uses (`settle`: until the page shows jobs or its
    network is idle) and, by default, for the alternatives: `networkidle` (500 ms without
    network traffic) and `load` (no wait after the load event);
  * the fixed cost per crawl of the Playwright download handlers: `scrapy crawl builtin` of a
    plain (no-JavaScript) site with `-a render=never` vs `-a render=auto` (auto installs the
    handlers but renders nothing there);
  * a whole crawl of the JavaScript variant of the site with `-a render=auto`, for scale.

Needs Chromium at BROWSER_EXECUTABLE_PATH (default /usr/bin/chromium). Per-page figures
come from a child process running a minimal spider with jobcrawler's settings.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "0", "RETRY_BACKOFF_BASE": "0", "LOG_LEVEL": "WARNING"}


# --- child: fetch listing pages one after another, plain or rendered ------------------------------
def child(urls: list[str], rendered: bool, wait: str, out: str) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings
    from scrapy_playwright.page import PageMethod

    from jobcrawler import settings as project_settings
    from jobcrawler.parsing.listing import parse_listing
    from jobcrawler.rendering import configure_rendering, render_meta

    def meta() -> dict:
        if not rendered:
            return {}
        if wait == "settle":
            return render_meta("listing")
        if wait == "networkidle":
            return {"playwright": True, "playwright_page_methods": [PageMethod("wait_for_load_state", "networkidle")]}
        return {"playwright": True}  # "load": what page.goto waits for anyway

    timings: list[dict] = []

    class Sequential(scrapy.Spider):
        name = "render_cost"

        async def start(self):
            self.started = time.perf_counter()
            yield scrapy.Request(urls[0], meta={**meta(), "i": 0}, dont_filter=True)

        def parse(self, response):
            now = time.perf_counter()
            i = response.meta["i"]
            timings.append({"i": i, "ms": (now - self.started) * 1000,
                            "jobs": len(parse_listing(response.text, response.url).jobs)})
            self.started = now
            if i + 1 < len(urls):
                yield scrapy.Request(urls[i + 1], meta={**meta(), "i": i + 1}, dont_filter=True)

    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.update({**FAST, "ROBOTSTXT_OBEY": False, "ITEM_PIPELINES": {}, "CONCURRENT_REQUESTS": 1,
                     "HTTPCACHE_ENABLED": False}, priority="cmdline")
    if rendered:
        import logging
        configure_rendering(settings, "always", logging.getLogger("render_cost"))
    process = CrawlerProcess(settings)
    process.crawl(Sequential)
    process.start()
    Path(out).write_text(json.dumps(timings))


def fetch_pages(urls: list[str], rendered: bool, wait: str) -> list[dict]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = handle.name
    command = [sys.executable, __file__, "--child", out, "--wait", wait] + (["--rendered"] if rendered else []) + urls
    subprocess.run(command, cwd=REPO, check=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    timings = json.loads(Path(out).read_text())
    os.unlink(out)
    return timings


# --- parent ---------------------------------------------------------------------------------------
def crawl_seconds(base_url: str, render: str, db: Path) -> tuple[float, dict]:
    """Wall time of `scrapy crawl builtin` (process start to exit) and the run's crawl_runs row."""
    from tests.conftest import crawl, last_run

    started = time.perf_counter()
    result = crawl(base_url, db, "city=berlin", f"render={render}", **FAST)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"crawl render={render} failed:\n{result.stderr[-3000:]}")
    return seconds, last_run(db)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=8, help="listing pages fetched per mode")
    parser.add_argument("--runs", type=int, default=3, help="crawls per mode for the handler overhead")
    parser.add_argument("--wait", choices=("settle", "networkidle", "load"), default="settle",
                        help="how a rendered page is waited for (settle: what the spider uses)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--rendered", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("urls", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.urls, args.rendered, args.wait, args.child)
        return

    from jobcrawler import settings as project_settings
    from jobcrawler.replay import ReplaySite

    browser = os.environ.get("BROWSER_EXECUTABLE_PATH", project_settings.BROWSER_EXECUTABLE_PATH)
    if not os.access(browser, os.X_OK):
        raise SystemExit(f"no browser at {browser}: apt-get install chromium")

    jobs = 20 * args.pages  # 20 cards per listing page
    with ReplaySite(jobs_per_city=jobs, seed=5) as plain, \
            ReplaySite(jobs_per_city=jobs, seed=5, js_listings=True) as js:
        plain_urls = [plain.listing_url("berlin", page=n) for n in range(1, args.pages + 1)]
        js_urls = [js.listing_url("berlin", page=n) for n in range(1, args.pages + 1)]
        print(f"Listing pages of 20 cards fetched one after another, {args.pages} per row; ms/page: median over"
              " all pages but the first, which in Chromium includes launching it:")
        cases = [("plain HTTP", plain_urls, False, "settle")]
        waits = (args.wait,) if args.wait != "settle" else ("settle", "networkidle", "load")
        for wait in waits:
            cases.append((f"Chromium, JS page, wait={wait}", js_urls, True, wait))
        cases.append((f"Chromium, plain page, wait={waits[0]}", plain_urls, True, waits[0]))
        for label, urls, rendered, wait in cases:
            timings = fetch_pages(urls, rendered, wait)
            assert all(t["jobs"] == 20 for t in timings), (label, timings)
            rest = [t["ms"] for t in timings[1:]]
            print(f"  {label:36s} {statistics.median(rest):7.1f} ms/page (min {min(rest):6.1f});"
                  f" first page {timings[0]['ms']:5.0f} ms")

    print(f"\n`scrapy crawl builtin -a city=berlin`, 10 postings, {args.runs} crawls per row (rows interleaved);"
          " process start to exit, min and median (the crawl itself, median):")
    with ReplaySite(jobs_per_city=10, seed=5) as small_plain, \
            ReplaySite(jobs_per_city=10, seed=5, js_listings=True) as small_js, \
            tempfile.TemporaryDirectory() as tmp:
        cases = (("plain site, render=never", small_plain, "never"),
                 ("plain site, render=auto", small_plain, "auto"),
                 ("JavaScript site, render=auto", small_js, "auto"))
        runs: dict[str, list] = {label: [] for label, _, _ in cases}
        for i in range(args.runs):  # interleaved, so a busy moment does not hit one row only
            for label, site, render in cases:
                runs[label].append(crawl_seconds(site.base_url, render, Path(tmp) / f"{render}-{i}-{id(site)}.db"))
        best = {}
        for label, _, _ in cases:
            seconds = [r[0] for r in runs[label]]
            elapsed = statistics.median(r[1]["stats"].get("elapsed_time_seconds", 0) for r in runs[label])
            best[label] = min(seconds)
            print(f"  {label:30s} {min(seconds):5.2f} s, {statistics.median(seconds):5.2f} s ({elapsed:.2f} s);"
                  f" rendered pages: {runs[label][-1][1]['rendered_pages']}")
        overhead = best["plain site, render=auto"] - best["plain site, render=never"]
        print(f"\nPlaywright handlers' fixed cost per crawl (auto vs never on the plain site, nothing rendered;"
              f" difference of the minima): {overhead:+.2f} s")


if __name__ == "__main__":
    main()
