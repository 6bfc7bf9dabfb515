"""Faults injected by the replay site: the crawl finishes, stores every reachable posting once,
honours Retry-After (measured from the site's request log), never stores a half-read page, and
counts what it gave up on in ``crawl_runs``."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest

from jobcrawler.replay import ReplaySite
from tests.helpers import crawl, expected_row, last_run, query_faulting_pages, rows

pytestmark = pytest.mark.slow


def detail_fetches(site) -> Counter:
    """Detail paths answered with an intact page (no fault), counted."""
    return Counter(e["path"] for e in site.request_log
                   if e["path"].startswith("/job/") and e["status"] == 200 and e["fault"] is None)


def faulted(site, kind: str, page: str) -> list[dict]:
    prefix = "/job/" if page == "detail" else "/jobs"
    return [e for e in site.request_log if e["fault"] == kind and e["path"].startswith(prefix)]


def assert_stored_once_and_whole(site, db, job_ids):
    stored = {r["job_id"]: r for r in rows(db, "SELECT * FROM jobs")}
    assert set(stored) == set(job_ids)
    mismatches = {(job_id, column): (stored[job_id][column], want)
                  for job_id in job_ids for column, want in expected_row(site.expected(job_id)).items()
                  if stored[job_id][column] != want}
    assert not mismatches, list(mismatches.items())[:5]
    fetched = detail_fetches(site)
    assert all(fetched[site.postings[j].path] == 1 for j in job_ids), "a posting was fetched twice"
    run = last_run(db)
    assert run["items_stored"] == len(job_ids)
    cities = {(r["job_id"], r["city"]) for r in rows(db, "SELECT job_id, city FROM job_cities")}
    assert cities == {(j, "berlin") for j in job_ids}


# --- recoverable faults: each hits a URL on its first attempts, a retry gets the page ---------

RECOVERABLE = {
    # kind: (spec, ReplaySite options, crawl settings)
    "429": ("429:0.1", {"retry_after": 1}, {}),
    "500": ("500:0.2", {}, {}),
    "503": ("503:0.2:2", {}, {}),
    "slow": ("slow:0.1", {"slow_seconds": 2.5}, {"DOWNLOAD_TIMEOUT": "1"}),
    "drop": ("drop:0.2", {}, {}),
    "truncate": ("truncate:0.2", {}, {}),
    "challenge": ("challenge:0.2", {}, {}),
    "repeat": ("repeat:0.5", {}, {}),
}


@pytest.mark.parametrize("kind", list(RECOVERABLE))
def test_recoverable_fault_loses_nothing_and_stores_each_posting_once(kind, tmp_path):
    spec, options, settings = RECOVERABLE[kind]
    with ReplaySite(jobs_per_city=30, seed=7, faults=spec, **options) as site:
        query = query_faulting_pages(site, {2: True})  # a listing page is hit too, not only details
        db = tmp_path / "jobs.db"
        result = crawl(site.base_url, db, "city=berlin", f"query={query}", **settings)
        assert result.returncode == 0, result.stderr[-3000:]
        listed = [p.job_id for p in site.listing("berlin")]
        assert faulted(site, kind, "listing")
        if kind != "repeat":
            assert faulted(site, kind, "detail"), f"{spec} should hit a detail page"
        assert_stored_once_and_whole(site, db, listed)
        log = site.request_log
    run = last_run(db)
    assert run["status"] == "ok" and run["finish_reason"] == "finished"
    assert run["gave_up"] == {} and run["listed_jobs"] == len(listed)
    assert run["cities_complete"] == ["berlin"]
    if kind == "repeat":
        assert run["stats"]["listing/repeated_page_retries"] >= 1
    else:
        assert run["retries"] >= len([e for e in log if e["fault"]])
    if kind == "429":
        assert_retry_after_honoured(log, options["retry_after"])


def assert_retry_after_honoured(log: list[dict], retry_after: float) -> None:
    """From the site's request log: no URL is asked again sooner than its 429's Retry-After, and
    no request at all starts well inside that wait (the whole host is paused; requests already
    in flight when the 429 arrived may land early, hence the margin)."""
    throttled = [i for i, e in enumerate(log) if e["status"] == 429]
    assert len(throttled) >= 2
    gaps = []
    for i in throttled:
        entry = log[i]
        retry = next(e for e in log[i + 1:] if (e["path"], e["query"]) == (entry["path"], entry["query"]))
        gaps.append(retry["timestamp"] - entry["timestamp"])
    assert min(gaps) >= retry_after, gaps
    margin = 0.3
    for i in throttled:
        start = log[i]["timestamp"]
        early = [e for e in log if start + margin < e["timestamp"] < start + retry_after - margin]
        assert not early, (log[i], early)


def test_detail_page_404_is_counted_as_given_up_and_degrades_the_run(tmp_path):
    with ReplaySite(jobs_per_city=30, seed=7, faults="404:0.2") as site:
        db = tmp_path / "jobs.db"
        result = crawl(site.base_url, db, "city=berlin")
        listed = [p.job_id for p in site.listing("berlin")]
        gone = {j for j in listed if site.planned_fault(site.detail_url(j))}
        assert 0 < len(gone) < len(listed)
        assert_stored_once_and_whole(site, db, [j for j in listed if j not in gone])
        requests_of_gone = Counter(e["path"] for e in site.request_log if e["status"] == 404)
        assert requests_of_gone == {site.postings[j].path: 1 for j in gone}  # a 404 is not retried
    run = last_run(db)
    assert run["gave_up"] == {"status_404": len(gone)}
    assert run["finish_reason"] == "finished" and run["status"] == "degraded"
    assert result.returncode == 2
    stored = f"stored {len(listed) - len(gone)} of {len(listed)} listed jobs"
    assert any(stored in reason for reason in run["status_reasons"]), run["status_reasons"]


@pytest.mark.parametrize(("kind", "reason"), [("challenge", "no_job_posting"), ("truncate", "truncated_page")])
def test_a_detail_page_that_stays_bad_is_given_up_never_stored_half_read(kind, reason, tmp_path):
    with ReplaySite(jobs_per_city=30, seed=11, faults=f"{kind}:0.2:all") as site:
        query = query_faulting_pages(site, {1: False, 2: False, 3: False})
        db = tmp_path / "jobs.db"
        result = crawl(site.base_url, db, "city=berlin", f"query={query}", RETRY_TIMES="2")
        listed = [p.job_id for p in site.listing("berlin")]
        bad = {j for j in listed if site.planned_fault(site.detail_url(j))}
        assert bad
        assert_stored_once_and_whole(site, db, [j for j in listed if j not in bad])
        attempts = Counter(e["path"] for e in site.request_log if e["fault"] == kind)
        assert attempts == {site.postings[j].path: 3 for j in bad}  # first try + RETRY_TIMES
    run = last_run(db)
    assert run["gave_up"] == {reason: len(bad)}
    assert run["stats"]["items/sightings_of_unstored_jobs"] == len(bad)
    assert run["status"] == "degraded" and result.returncode == 2


@pytest.fixture(scope="module")
def crawled_before(tmp_path_factory):
    """A database holding a complete earlier crawl of berlin (45 jobs, 3 listing pages)."""
    db = tmp_path_factory.mktemp("before") / "jobs.db"
    with ReplaySite(jobs_per_city=45, seed=11) as clean:
        assert crawl(clean.base_url, db, "city=berlin").returncode == 0
    return db


@pytest.mark.parametrize(("spec", "reason"), [
    ("challenge:0.2:all", "unrecognized_listing"),
    ("truncate:0.2:all", "truncated_listing"),
    ("503:0.2:all", "status_503"),
])
def test_a_lost_listing_page_is_counted_skipped_and_closes_nothing(spec, reason, crawled_before, tmp_path):
    """Page 2 of 3 stays bad: the crawl goes on to page 3, counts the loss, and, the listing
    being incomplete, marks none of the jobs it did not see closed."""
    db = tmp_path / "jobs.db"
    for part in crawled_before.parent.glob(crawled_before.name + "*"):  # with any -wal / -shm
        shutil.copy(part, tmp_path / part.name)
    with ReplaySite(jobs_per_city=45, seed=11, faults=spec) as site:
        query = query_faulting_pages(site, {1: False, 2: True, 3: False})
        result = crawl(site.base_url, db, "city=berlin", f"query={query}", RETRY_TIMES="2")
        jobs = [p.job_id for p in site.listing("berlin")]
        page_3 = jobs[40:]
        page_2_requests = [e for e in site.request_log if "page=2" in e["query"]]
        assert len(page_2_requests) == 3
    run = last_run(db)
    assert run["gave_up"].get(reason) == 1, run["gave_up"]
    assert run["cities_complete"] == [] and run["jobs_closed"] == 0
    assert rows(db, "SELECT count(*) n FROM jobs WHERE closed_at IS NOT NULL")[0]["n"] == 0
    seen = {r["job_id"] for r in rows(db, "SELECT job_id FROM sightings WHERE run_id = ?", [run["run_id"]])}
    assert set(page_3) <= seen and not (set(jobs[20:40]) & seen)
    assert result.returncode == 2 and run["status"] == "degraded"

