"""Pages a crawl must give up on (redirect loops, endless redirects, several jobs redirected to
one page, gzip bombs, oversize pages), served by the replay site: each is counted once by
reason in ``crawl_runs.gave_up``, fetched no more than it takes to see it (never retried),
and its job, still listed, is recorded as seen, so a complete listing does not close it. Also
a job whose page redirects to another job's: recorded as seen beside the job stored."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from jobcrawler.items import JobItem, JobSighting
from jobcrawler.parsing.listing import ListingJob
from jobcrawler.replay import ReplaySite
from tests.helpers import POSTINGS, Harness, crawl, last_run, page, query_faulting_pages, rows

# fault kind -> the reason its job is given up under
GIVE_UPS = {
    "redirect_loop": "redirect_loop",
    "redirect_endless": "too_many_redirects",
    "gzip_bomb": "size_limit",
    "oversize": "size_limit",
    "oversize_unsized": "size_limit",
}
BOMB_BYTES = 300 * 2**20  # inflates to 300 MiB, as in issue 17
FAULTS = "redirect_loop:0.08:all,redirect_endless:0.06:all,redirect_expired:0.12:all," \
         "gzip_bomb:0.08:all,oversize:0.06:all,oversize_unsized:0.06:all"


@pytest.fixture(scope="module")
def crawled_before(tmp_path_factory):
    """A database holding a complete, fault-free crawl of berlin (45 jobs)."""
    db = tmp_path_factory.mktemp("before") / "jobs.db"
    with ReplaySite(jobs_per_city=45, seed=5) as clean:
        assert clean.listing("berlin")
        assert crawl(clean.base_url, db, "city=berlin").returncode == 0
    return db


@pytest.fixture(scope="module")
def faulty_recrawl(crawled_before, tmp_path_factory):
    """The same site re-crawled with detail pages that can only be given up on."""
    folder = tmp_path_factory.mktemp("after")
    for part in crawled_before.parent.glob(crawled_before.name + "*"):  # with any -wal / -shm
        shutil.copy(part, folder / part.name)
    db = folder / crawled_before.name
    with ReplaySite(jobs_per_city=45, seed=5, faults=FAULTS, bomb_bytes=BOMB_BYTES) as site:
        query = query_faulting_pages(site, {1: False, 2: False, 3: False})
        result = crawl(site.base_url, db, "city=berlin", f"query={query}", "refresh_days=0", RETRY_TIMES="2")
        peak_rss_mib = result.peak_rss_mib
        listed = [p.job_id for p in site.listing("berlin")]
        planned = {job_id: rule.kind for job_id in listed if (rule := site.planned_fault(site.detail_url(job_id)))}
        yield {"db": db, "result": result, "site": site, "listed": listed, "planned": planned,
               "peak_rss_mib": peak_rss_mib, "log": site.request_log}


@pytest.mark.slow
def test_every_fault_kind_is_hit(faulty_recrawl):
    kinds = Counter(faulty_recrawl["planned"].values())
    assert set(kinds) == {*GIVE_UPS, "redirect_expired"}, kinds
    assert kinds["redirect_expired"] >= 2  # several jobs redirected to one page: duplicates


@pytest.mark.slow
def test_each_give_up_is_counted_once_by_reason(faulty_recrawl):
    planned = faulty_recrawl["planned"]
    expired = sum(kind == "redirect_expired" for kind in planned.values())
    expected = Counter(GIVE_UPS[kind] for kind in planned.values() if kind in GIVE_UPS)
    # The first job redirected to the search page gets it, shows no posting there and is given up
    # after its retries; the dupefilter drops the others' redirects to that page, now counted.
    expected.update({"no_job_posting": 1, "duplicate_after_redirect": expired - 1})
    run = last_run(faulty_recrawl["db"])
    assert run["gave_up"] == dict(expected)
    assert faulty_recrawl["result"].returncode == 2 and run["status"] == "degraded"  # a tenth of the jobs lost


@pytest.mark.slow
def test_jobs_given_up_on_are_seen_not_closed(faulty_recrawl):
    db, listed, planned = faulty_recrawl["db"], faulty_recrawl["listed"], faulty_recrawl["planned"]
    run = last_run(db)
    assert run["cities_complete"] == ["berlin"]  # a complete listing: it would close what it missed
    seen = {r["job_id"] for r in rows(db, "SELECT job_id FROM sightings WHERE run_id = ?", [run["run_id"]])}
    assert seen == set(listed)
    assert rows(db, "SELECT count(*) n FROM jobs WHERE closed_at IS NOT NULL")[0]["n"] == 0
    assert run["jobs_closed"] == 0
    assert run["items_stored"] == len(listed) - len(planned)  # none of the faulted pages stored


@pytest.mark.slow
def test_pages_given_up_are_not_retried(faulty_recrawl):
    site, planned, log = faulty_recrawl["site"], faulty_recrawl["planned"], faulty_recrawl["log"]
    fetches = Counter(e["path"] for e in log if e["path"].startswith("/job/"))
    for job_id, kind in planned.items():
        path = site.postings[job_id].path
        if kind in ("gzip_bomb", "oversize", "oversize_unsized", "redirect_expired"):
            assert fetches[path] == 1, (kind, fetches[path])
        elif kind == "redirect_loop":
            assert fetches[path] == 2, fetches[path]  # A, then A?redirect=back, which points to A
        else:  # redirect_endless: the first request and REDIRECT_MAX_TIMES (20) redirects
            assert fetches[path] == 21, fetches[path]


@pytest.mark.slow
def test_a_gzip_bomb_inflates_no_further_than_the_size_limit(faulty_recrawl):
    """The crawl's peak memory stays far below the 300 MiB the bomb inflates to."""
    assert faulty_recrawl["peak_rss_mib"] < 250, faulty_recrawl["peak_rss_mib"]
    stats = last_run(faulty_recrawl["db"])["stats"]
    assert stats.get("httpcompression/response_bytes", 0) < 2**20  # no bomb's inflated bytes


def test_a_job_redirected_to_another_jobs_page_is_still_seen(tmp_path):
    """The listed job's page redirected to another job's: that job is stored, and the listed
    one recorded as seen (it is still listed), not left to look gone."""
    harness = Harness(tmp_path / "jobs.db")
    listed, shown = POSTINGS[0], POSTINGS[1]
    listed_url, shown_url = "https://builtin.com" + listed.path, "https://builtin.com" + shown.path
    meta = {"city": "berlin", "job_id": listed.job_id, "redirect_urls": [listed_url],
            "listing_job": ListingJob(job_id=listed.job_id, url=listed_url, title="T", company="C")}
    response = HtmlResponse(shown_url, body=page(shown).encode(), request=Request(shown_url, meta=meta))
    item, sighting = harness.spider.parse_detail_page(response)
    assert isinstance(item, JobItem) and item.job_id == shown.job_id
    assert sighting == JobSighting(job_id=listed.job_id, city="berlin", url=listed_url)
    assert harness.stats["listing/redirected_to_other_job"] == 1
    response = HtmlResponse(listed_url, body=page(listed).encode(), request=Request(listed_url, meta=meta))
    assert [type(output) for output in harness.spider.parse_detail_page(response)] == [JobItem]
