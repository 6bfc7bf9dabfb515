"""Which jobs a complete listing closes: only those it could have listed and did not."""

from __future__ import annotations

import pytest

from jobcrawler.replay import ReplaySite
from tests.helpers import crawl, last_run, rows

pytestmark = pytest.mark.slow


def closed(db) -> set[str]:
    return {r["job_id"] for r in rows(db, "SELECT job_id FROM jobs WHERE closed_at IS NOT NULL")}


def without(city: str, job_ids) -> ReplaySite:
    """The same replay site (seed 7), whose listing of ``city`` no longer shows ``job_ids``
    (a new site: a running one keeps the pages it rendered)."""
    site = ReplaySite(jobs_per_city=30, seed=7)
    site.catalog.listings[city] = [job_id for job_id in site.catalog.listings[city] if job_id not in job_ids]
    return site


def test_a_job_gone_from_one_city_stays_open_while_another_city_lists_it(tmp_path):
    db = tmp_path / "jobs.db"
    with ReplaySite(jobs_per_city=30, seed=7) as site:
        assert crawl(site.base_url, db, "city=all").returncode == 0
    shared = next(p for p in site.listing("berlin") if len(p.cities) > 1)
    alone = next(p for p in site.listing("berlin") if p.cities == ["berlin"])
    with without("berlin", {shared.job_id, alone.job_id}) as site:
        assert crawl(site.base_url, db, "city=berlin").returncode == 0
    assert closed(db) == {alone.job_id}


def test_a_listing_of_another_search_closes_nothing_of_this_one(tmp_path):
    db = tmp_path / "jobs.db"
    with ReplaySite(jobs_per_city=30, seed=7) as site:
        assert crawl(site.base_url, db, "city=berlin").returncode == 0
    gone = {p.job_id for p in site.listing("berlin")[:3]}
    with without("berlin", gone) as site:
        assert crawl(site.base_url, db, "city=berlin", "query=ML Engineer").returncode == 0
        assert closed(db) == set()
        assert crawl(site.base_url, db, "city=berlin").returncode == 0  # the same search again
    assert closed(db) == gone


def test_a_listing_that_lost_most_of_its_jobs_closes_none_and_is_degraded(tmp_path):
    db = tmp_path / "jobs.db"
    with ReplaySite(jobs_per_city=30, seed=7) as site:
        assert crawl(site.base_url, db, "city=berlin").returncode == 0
    with without("berlin", {p.job_id for p in site.listing("berlin")[5:]}) as site:
        result = crawl(site.base_url, db, "city=berlin")
    assert result.returncode == 2
    run = last_run(db)
    assert run["status"] == "degraded" and run["jobs_closed"] == 0
    assert any("none was closed" in reason for reason in run["status_reasons"])
    assert closed(db) == set()


def test_a_page_linked_from_the_previous_one_that_repeats_it_closes_nothing(tmp_path):
    db = tmp_path / "jobs.db"
    with ReplaySite(jobs_per_city=50, seed=7) as site:
        assert crawl(site.base_url, db, "city=berlin").returncode == 0
    with ReplaySite(jobs_per_city=50, seed=7, faults="repeat:1.0:all") as repeating:
        result = crawl(repeating.base_url, db, "city=berlin")
    assert result.returncode == 0, result.stderr[-2000:]
    assert last_run(db)["cities_complete"] == [] and closed(db) == set()


def test_the_http_cache_does_not_serve_a_challenge_page_to_its_retry(tmp_path):
    db, cache = tmp_path / "jobs.db", tmp_path / "cache"
    with ReplaySite(jobs_per_city=30, seed=7, faults="challenge:0.3:1") as site:
        result = crawl(site.base_url, db, "city=berlin", HTTPCACHE_ENABLED="1", HTTPCACHE_DIR=str(cache))
    assert result.returncode == 0, result.stderr[-2000:]
    run = last_run(db)
    assert run["status"] == "ok" and run["gave_up"] == {}
    assert rows(db, "SELECT count(*) n FROM jobs")[0]["n"] == len(site.listing("berlin"))
