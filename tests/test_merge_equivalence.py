"""Per-city runs merged equal one city=all crawl, row for row, over two monthly cycles.

Two timelines over the same replay site: a direct ``city=all`` crawl into one database, and
one crawl per city into its own database merged with ``--cycle``. A month later some jobs are
gone: one from one city only (still listed elsewhere: stays open), one listed only there
(closed), and one listed under two cities and gone from both (closed, which only the cycle's
cities together can decide). Timestamps and run ids necessarily differ; nothing else may.
"""

from __future__ import annotations

import json

import pytest
import yaml

from jobcrawler import merge
from jobcrawler.cities import CITIES_FILE
from jobcrawler.replay import ReplaySite
from tests.helpers import crawl, database_content, rows

pytestmark = pytest.mark.slow

CITY_KEYS = ("berlin", "london", "amsterdam")


def replay(cities: dict, gone: dict[str, set[str]] | None = None) -> ReplaySite:
    site = ReplaySite(jobs_per_city=20, seed=7, cities=cities)
    for city, job_ids in (gone or {}).items():
        site.catalog.listings[city] = [job_id for job_id in site.catalog.listings[city] if job_id not in job_ids]
    return site


def crawl_both_ways(site: ReplaySite, tmp_path, cities_file, cycle: str) -> list:
    direct = crawl(site.base_url, tmp_path / "direct.db", "city=all", CITIES_FILE=str(cities_file))
    assert direct.returncode == 0, direct.stderr[-2000:]
    runs = []
    for city in CITY_KEYS:
        run_db = tmp_path / f"{cycle}-{city}.db"
        result = crawl(site.base_url, run_db, f"city={city}", CITIES_FILE=str(cities_file))
        assert result.returncode == 0, result.stderr[-2000:]
        runs.append(run_db)
    return runs


def test_merged_per_city_runs_equal_a_direct_crawl_and_merging_again_changes_nothing(tmp_path):
    registry = yaml.safe_load(CITIES_FILE.read_text())
    cities = {key: registry[key] for key in CITY_KEYS}
    cities_file = tmp_path / "cities.yaml"
    cities_file.write_text(yaml.safe_dump(cities))
    merged = tmp_path / "merged.db"

    with replay(cities) as site:
        first = crawl_both_ways(site, tmp_path, cities_file, "2026-11")
    assert merge.merge(reversed(first), merged, cycle="2026-11", log=lambda line: None).exit_code == 0
    assert database_content(merged) == database_content(tmp_path / "direct.db")

    listing = {city: site.listing(city) for city in CITY_KEYS}
    moved = next(p for p in listing["berlin"] if sorted(p.cities) == ["berlin", "london"])
    alone = next(p for p in listing["berlin"] if p.cities == ["berlin"])
    everywhere = next(p for p in listing["london"] if sorted(p.cities) == ["berlin", "london"] and p is not moved)
    gone = {"berlin": {moved.job_id, alone.job_id, everywhere.job_id}, "london": {everywhere.job_id}}
    with replay(cities, gone) as site:
        second = crawl_both_ways(site, tmp_path, cities_file, "2026-12")
    result = merge.merge(second, merged, cycle="2026-12", log=lambda line: None)
    assert result.exit_code == 0 and result.closed == 2

    direct_content = database_content(tmp_path / "direct.db")
    assert database_content(merged) == direct_content
    closed = {r["job_id"] for r in rows(merged, "SELECT job_id FROM jobs WHERE closed_at IS NOT NULL")}
    assert closed == {alone.job_id, everywhere.job_id}
    assert {r["times_seen"] for r in rows(merged, "SELECT times_seen FROM jobs")} == {1, 2}

    # What differs by construction: one run per city instead of one run, the same totals.
    direct_runs = rows(tmp_path / "direct.db", "SELECT * FROM crawl_runs ORDER BY run_id")
    merged_runs = rows(merged, "SELECT * FROM crawl_runs ORDER BY run_id")
    assert (len(direct_runs), len(merged_runs)) == (2, 6)
    for field in ("listed_jobs", "jobs_new", "jobs_closed"):
        assert sum(r[field] for r in merged_runs) == sum(r[field] for r in direct_runs), field
    assert {r["status"] for r in merged_runs} == {"ok"}
    assert sorted(json.loads(r["cities_complete"])[0] for r in merged_runs) == sorted(CITY_KEYS * 2)

    before = database_content(merged), rows(merged, "SELECT * FROM crawl_runs"), rows(merged, "SELECT * FROM jobs")
    again = merge.merge([*first, *second], merged, cycle="2026-12", log=lambda line: None)
    assert (again.runs_added, again.runs_known, again.closed) == (0, 6, 0)
    assert (database_content(merged), rows(merged, "SELECT * FROM crawl_runs"), rows(merged, "SELECT * FROM jobs")) \
        == before


def test_a_job_listed_under_two_cities_whose_page_is_gone_closes_alike_both_ways(tmp_path):
    """Month two: a job still listed under berlin and london answers 404. A city=all crawl reads
    both listings in one run; the per-city runs each fetch the page. Both close it."""
    from jobcrawler.replay.server import FaultRule

    registry = yaml.safe_load(CITIES_FILE.read_text())
    cities = {key: registry[key] for key in CITY_KEYS}
    cities_file = tmp_path / "cities.yaml"
    cities_file.write_text(yaml.safe_dump(cities))
    merged = tmp_path / "merged.db"

    def both_ways(site, cycle: str) -> None:
        refetch = "refresh_days=0"  # every listed job's page is fetched again, as a month later it would be
        settings = {"CITIES_FILE": str(cities_file), "QUALITY_MAX_GAVE_UP_RATIO": "0.1"}  # 1 gone of 20: still ok
        assert crawl(site.base_url, tmp_path / "direct.db", "city=all", refetch, **settings).returncode == 0
        runs = []
        for city in CITY_KEYS:
            run = tmp_path / f"{cycle}-{city}.db"
            assert crawl(site.base_url, run, f"city={city}", refetch, **settings).returncode == 0
            runs.append(run)
        assert merge.merge(runs, merged, cycle=cycle, log=lambda line: None).exit_code == 0

    with replay(cities) as site:
        both_ways(site, "2026-11")
        gone = next(p for p in site.listing("berlin") if sorted(p.cities) == ["berlin", "london"])
    with replay(cities) as site:
        path = site.detail_url(gone.job_id).removeprefix(site.base_url)
        find = site._fault_rule
        site._fault_rule = lambda page_type, key, page_number: (
            FaultRule("404", 1.0, None) if key.startswith(path + "?") else find(page_type, key, page_number))
        both_ways(site, "2026-12")
    for db in (tmp_path / "direct.db", merged):
        assert rows(db, "SELECT closed_at IS NOT NULL AS closed FROM jobs WHERE job_id = ?", [gone.job_id]) == [
            {"closed": 1}], db
    assert database_content(merged) == database_content(tmp_path / "direct.db")
