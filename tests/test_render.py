"""JavaScript rendering end to end: `scrapy crawl builtin -a render=...` with Debian's real Chromium.

The replay site's ``js_listings`` variant sends listing pages without cards or ItemList; a
script inserts the cards after the page loads, so only a browser sees the jobs. Detail pages
always carry their JSON-LD in the HTML.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from pathlib import Path

import pytest

from jobcrawler.replay import ReplaySite
from jobcrawler.replay import pages as replay_pages
from tests.helpers import crawl, last_run, rows

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                       reason=f"no browser at {CHROMIUM}: apt-get install chromium to run the rendering tests"),
]

JOBS = 10  # one listing page of cards, then an empty page 2 that ends the listing
FEW = 4  # where every detail page is rendered too
# The spider retries a listing page without jobs before taking it as the listing's end; on the
# JavaScript site each retry of that empty page is one more render (~1 s: load, then network
# idle). No retries here: rendering does not need them, and the module stays well under a minute.
QUICK = {"RETRY_TIMES": "0"}


@pytest.fixture(scope="module")
def js_site():
    with ReplaySite(jobs_per_city=JOBS, seed=11, js_listings=True) as replay:
        yield replay


@pytest.fixture(scope="module")
def plain_site():
    with ReplaySite(jobs_per_city=JOBS, seed=11) as replay:
        yield replay


def fresh(site: ReplaySite) -> ReplaySite:
    """A module's site with an empty request log, for one test."""
    site.reset()
    return site


def requests_by_path(site) -> Counter:
    """How many times each listing page (path + query) and detail page was requested."""
    return Counter(f"{e['path']}?{e['query']}" if e["query"] else e["path"]
                   for e in site.request_log if e["path"] != "/robots.txt")


def listing_requests(site) -> Counter:
    return Counter({url: n for url, n in requests_by_path(site).items() if url.startswith("/jobs")})


def detail_requests(site) -> Counter:
    return Counter({url: n for url, n in requests_by_path(site).items() if url.startswith("/job/")})


def stored_ids(db: Path) -> set[str]:
    return {r["job_id"] for r in rows(db, "SELECT job_id FROM jobs")}


def listed_ids(site) -> set[str]:
    return {p.job_id for p in site.listing("berlin")}


def test_auto_renders_the_javascript_listing_and_stores_its_postings(js_site, tmp_path):
    site, db = fresh(js_site), tmp_path / "jobs.db"
    result = crawl(site.base_url, db, "city=berlin", "render=auto", **QUICK)
    assert result.returncode == 0, result.stderr[-3000:]
    assert stored_ids(db) == listed_ids(site)
    run = last_run(db)
    assert run["status"] == "ok" and run["finish_reason"] == "finished"
    # Both listing pages (the cards, then the empty page that ends the listing) were fetched
    # plain, found without jobs, and fetched again by the browser (the empty one maybe more than
    # once: the spider retries a page without jobs); detail pages only plain.
    listings = listing_requests(site)
    assert len(listings) == 2 and min(listings.values()) >= 2
    rendered = sum(listings.values()) - len(listings)
    assert run["rendered_pages"] == run["stats"]["render/pages"] == rendered
    assert run["stats"]["render/requested"] == 2
    assert run["stats"]["playwright/request_count/navigation"] == rendered
    assert set(detail_requests(site).values()) == {1} and len(detail_requests(site)) == JOBS
    assert "rendering it in the browser" in result.stderr
    assert "render/failures" not in run["stats"]


def test_auto_renders_nothing_on_a_plain_site(plain_site, tmp_path):
    site, db = fresh(plain_site), tmp_path / "jobs.db"
    result = crawl(site.base_url, db, "city=berlin", "render=auto", **QUICK)
    assert result.returncode == 0, result.stderr[-3000:]
    assert stored_ids(db) == listed_ids(site)
    run = last_run(db)
    assert run["rendered_pages"] == 0
    assert not {key for key in run["stats"] if key.startswith(("render/", "playwright/"))}  # no browser launched
    assert set(requests_by_path(site).values()) == {1}


def test_always_renders_every_listing_page_and_no_detail_page(js_site, tmp_path):
    site, db = fresh(js_site), tmp_path / "jobs.db"
    result = crawl(site.base_url, db, "city=berlin", "render=always", **QUICK)
    assert result.returncode == 0, result.stderr[-3000:]
    assert stored_ids(db) == listed_ids(site)
    run = last_run(db)
    listings = listing_requests(site)
    assert len(listings) == 2 and "render/requested" not in run["stats"]  # rendered from the start
    assert run["rendered_pages"] == run["stats"]["playwright/request_count/navigation"] == sum(listings.values())
    assert set(detail_requests(site).values()) == {1}


def test_always_with_render_details_renders_detail_pages_too(tmp_path):
    db = tmp_path / "jobs.db"
    with ReplaySite(jobs_per_city=FEW, seed=11) as site:
        result = crawl(site.base_url, db, "city=berlin", "render=always", "render_details=1", **QUICK)
        assert result.returncode == 0, result.stderr[-3000:]
        assert stored_ids(db) == listed_ids(site)
        assert set(requests_by_path(site).values()) == {1}
    run = last_run(db)
    assert run["rendered_pages"] == 2 + FEW
    assert run["stats"]["playwright/request_count/navigation"] == 2 + FEW


def test_never_on_the_javascript_site_fails_the_run(js_site, tmp_path):
    site, db = fresh(js_site), tmp_path / "jobs.db"
    result = crawl(site.base_url, db, "city=berlin", "render=never", **QUICK)
    assert result.returncode == 1
    assert "shows no recognizable jobs" in result.stderr
    assert "cannot render it (-a render=never)" in result.stderr
    run = last_run(db)
    assert run["status"] == "failed" and run["finish_reason"] == "unrecognized_listing"
    assert run["rendered_pages"] == 0 and not stored_ids(db)


@pytest.mark.parametrize("executable", ["/bin/false", "not-a-browser.sh"])
def test_a_browser_that_cannot_start_fails_the_run_loudly(js_site, tmp_path, executable):
    if executable.endswith(".sh"):  # an executable that starts, says something, and is no browser
        script = tmp_path / executable
        script.write_text("#!/bin/sh\necho 'I am not chromium' >&2\nexit 0\n")
        script.chmod(0o755)
        executable = str(script)
    site, db = fresh(js_site), tmp_path / "jobs.db"
    result = crawl(site.base_url, db, "city=berlin", "render=auto", **QUICK, BROWSER_EXECUTABLE_PATH=executable)
    assert result.returncode == 1, result.stderr[-3000:]
    assert f"Rendering {site.base_url}/jobs?" in result.stderr and "BrowserType.launch" in result.stderr
    assert "crawl failed" in result.stderr
    run = last_run(db)
    assert run["status"] == "failed" and run["finish_reason"] == "browser_failed"
    assert run["stats"]["render/failures"] >= 1 and run["rendered_pages"] == 0
    assert not stored_ids(db)


def test_always_without_a_browser_is_an_error_before_crawling(js_site, tmp_path):
    site, db = fresh(js_site), tmp_path / "jobs.db"
    result = crawl(site.base_url, db, "city=berlin", "render=always", **QUICK,
                   BROWSER_EXECUTABLE_PATH="/nonexistent/chromium")
    assert result.returncode == 1
    assert "error: -a render=always needs a browser, and there is none at /nonexistent/chromium" in result.stderr
    assert "Traceback" not in result.stderr
    assert not site.request_log


def test_auto_without_a_browser_says_why_the_javascript_listing_failed(js_site, tmp_path):
    site, db = fresh(js_site), tmp_path / "jobs.db"
    result = crawl(site.base_url, db, "city=berlin", "render=auto", **QUICK,
                   BROWSER_EXECUTABLE_PATH="/nonexistent/chromium")
    assert result.returncode == 1
    assert "No browser at /nonexistent/chromium" in result.stderr
    assert "cannot render it (no browser)" in result.stderr
    assert last_run(db)["status"] == "failed"


def test_http_cache_keeps_rendered_and_plain_responses_apart(tmp_path):
    cache = {"HTTPCACHE_ENABLED": "1", "HTTPCACHE_DIR": str(tmp_path / "httpcache")}
    with ReplaySite(jobs_per_city=JOBS, seed=11, js_listings=True) as site:
        first = crawl(site.base_url, tmp_path / "first.db", "city=berlin", "render=auto", **QUICK, **cache)
        assert first.returncode == 0, first.stderr[-3000:]
        listed, base_url = listed_ids(site), site.base_url
        fetched = sum(requests_by_path(site).values())
    run = last_run(tmp_path / "first.db")
    rendered, responses = run["rendered_pages"], run["stats"].get("httpcache/hit", 0) + run["stats"]["httpcache/miss"]
    # The plain and the rendered copy of each listing URL are separate cache entries (retries of
    # a request are answered from its entry): robots.txt, 2 listing pages x 2, the detail pages.
    assert rendered >= 2 and run["stats"]["httpcache/store"] == fetched + 1 == 1 + 2 * 2 + JOBS

    # The site is gone: the second run reads everything, rendered pages included, from the cache.
    second = crawl(base_url, tmp_path / "second.db", "city=berlin", "render=auto", **QUICK, **cache)
    assert second.returncode == 0, second.stderr[-3000:]
    assert stored_ids(tmp_path / "second.db") == listed
    run = last_run(tmp_path / "second.db")
    assert run["rendered_pages"] == rendered
    assert run["stats"]["httpcache/hit"] == responses and "httpcache/miss" not in run["stats"]
    assert "playwright/browser_count" not in run["stats"]  # the browser was never needed


def test_auto_passes_a_challenge_page_with_the_browser(tmp_path):
    # Every URL answers its first request with a 200 challenge page (no jobs), then the real page.
    with ReplaySite(jobs_per_city=FEW, seed=11, js_listings=True, faults="challenge:1.0:1") as site:
        db = tmp_path / "jobs.db"
        result = crawl(site.base_url, db, "city=berlin", "render=auto", **QUICK)
        assert result.returncode == 0, result.stderr[-3000:]
        assert stored_ids(db) == listed_ids(site)
        log = [e for e in site.request_log if e["path"] != "/robots.txt"]
    # Each page: a plain request got the challenge, the browser got the page (listing and detail).
    first_attempts = [e for e in log if e["attempt"] == 1]
    assert len(first_attempts) == 2 + FEW and {e["fault"] for e in first_attempts} == {"challenge"}
    assert {e["fault"] for e in log if e["attempt"] > 1} == {None}
    details = [e for e in log if e["path"].startswith("/job/")]
    assert Counter(e["attempt"] for e in details) == {1: FEW, 2: FEW}
    run = last_run(db)
    assert run["stats"]["render/requested"] == 2 + FEW
    assert run["rendered_pages"] == len(log) - len(first_attempts)
    assert "retry/reason_count/no_job_posting" not in run["stats"]


def test_settle_waits_for_the_script_built_cards_not_for_network_idle(js_site):
    """The rendered response is the DOM after scripts ran; a page without jobs ends on network idle."""
    from playwright.async_api import async_playwright

    from jobcrawler.rendering import settle
    from jobcrawler.settings import PLAYWRIGHT_LAUNCH_OPTIONS

    async def render_both() -> list[tuple[str, str]]:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, **PLAYWRIGHT_LAUNCH_OPTIONS)
            try:
                results = []
                for goto in (js_site.listing_url("berlin"), None):
                    page = await browser.new_page()
                    if goto:
                        await page.goto(goto)
                    else:
                        await page.set_content(replay_pages.challenge_page())
                    outcome = await settle(page, "listing", timeout_ms=5_000)
                    results.append((outcome, await page.content()))
                return results
            finally:
                await browser.close()

    (listing_outcome, listing_html), (challenge_outcome, challenge_html) = asyncio.run(render_both())
    assert listing_outcome == "jobs"
    assert listing_html.count('data-id="job-card"') == JOBS
    assert challenge_outcome == "networkidle" and "Checking your browser" in challenge_html


def test_only_a_browser_that_never_worked_stops_the_crawl():
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import TimeoutError as PlaywrightTimeout
    from twisted.python.failure import Failure

    from jobcrawler.rendering import browser_broken

    class Stats(dict):
        def get_value(self, key, default=None):
            return self.get(key, default)

    from playwright._impl._errors import TargetClosedError  # not re-exported by playwright.async_api

    launch_failed, timeout = Failure(PlaywrightError("BrowserType.launch: ...")), Failure(PlaywrightTimeout("goto"))
    refused = Failure(PlaywrightError("net::ERR_CONNECTION_REFUSED"))
    closed = Failure(TargetClosedError("Target page, context or browser has been closed"))
    assert browser_broken(launch_failed, Stats())  # never launched
    assert browser_broken(timeout, Stats())  # a timeout of the launch itself
    launched = Stats({"playwright/browser_count": 1})
    assert browser_broken(closed, launched)  # the browser died under the crawl
    assert not browser_broken(refused, launched)  # the site refused one page, even the first
    assert not browser_broken(timeout, launched)  # one slow page
