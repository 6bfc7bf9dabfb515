"""End to end: `scrapy crawl builtin` in a subprocess against the local replay site."""

from __future__ import annotations

import pytest

from tests.helpers import crawl, expected_row, last_run, rows

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def berlin(site, tmp_path_factory):
    db = tmp_path_factory.mktemp("berlin") / "jobs.db"
    result = crawl(site.base_url, db, "city=berlin")
    assert result.returncode == 0, result.stderr[-3000:]
    return db


def test_every_listed_berlin_job_is_stored_once_with_its_fields(site, berlin):
    listed = {p.job_id for p in site.listing("berlin")}
    stored = {r["job_id"]: r for r in rows(berlin, "SELECT * FROM jobs")}
    assert set(stored) == listed
    columns = list(expected_row(site.expected(next(iter(listed)))))
    mismatches = {
        (job_id, column): (stored[job_id][column], want)
        for job_id in listed
        for column, want in expected_row(site.expected(job_id)).items()
        if stored[job_id][column] != want
    }
    assert not mismatches, f"{len(mismatches)} mismatches over {columns}: {list(mismatches.items())[:5]}"


def test_berlin_rows_carry_text_locations_skills_and_run(site, berlin):
    job = rows(berlin, "SELECT * FROM jobs ORDER BY job_id LIMIT 1")[0]
    assert "<" not in job["description"] and len(job["description"]) > 200
    assert job["first_seen"] == job["last_seen"] and job["times_seen"] == 1
    locations = rows(berlin, "SELECT count(*) n FROM job_locations")[0]["n"]
    assert locations == sum(len(site.expected(p.job_id)["locations"]) for p in site.listing("berlin"))
    assert rows(berlin, "SELECT count(*) n FROM job_skills")[0]["n"] > 3 * len(site.listing("berlin"))
    labelled = rows(berlin, "SELECT labels, count(*) n, count(ai_type) typed, count(version) versioned "
                            "FROM job_labels GROUP BY labels")  # the tagger's labels: source rules, every job
    assert labelled == [{"labels": "rules", "n": len(site.listing("berlin")), "typed": len(site.listing("berlin")),
                         "versioned": len(site.listing("berlin"))}]
    assert {r["labels"] for r in rows(berlin, "SELECT DISTINCT labels FROM job_skills")} == {"rules"}
    assert {r["city"] for r in rows(berlin, "SELECT DISTINCT city FROM job_cities")} == {"berlin"}
    run = last_run(berlin)
    assert run["status"] == "ok" and run["finish_reason"] == "finished"
    assert run["listed_jobs"] == run["items_stored"] == len(site.listing("berlin"))
    assert run["cities_complete"] == ["berlin"]
    hits = rows(berlin, "SELECT count(*) n FROM jobs_fts WHERE jobs_fts MATCH 'engineer'")[0]["n"]
    assert hits > 0


def test_all_cities_dedupe_jobs_listed_under_several(site, tmp_path):
    db = tmp_path / "all.db"
    site.reset()
    result = crawl(site.base_url, db, "city=all")
    assert result.returncode == 0, result.stderr[-3000:]
    listings = {(p.job_id, city) for p in site.postings.values() for city in p.cities}
    shared = [p for p in site.postings.values() if len(p.cities) > 1]
    assert shared, "the replay site should list some jobs under several cities"
    assert {r["job_id"] for r in rows(db, "SELECT job_id FROM jobs")} == set(site.postings)
    assert {(r["job_id"], r["city"]) for r in rows(db, "SELECT job_id, city FROM job_cities")} == listings
    detail_requests = [e for e in site.request_log if e["path"].startswith("/job/")]
    assert len(detail_requests) == len(site.postings)  # one fetch per job, whatever its cities
    plausible_to_a_reader(db)


def plausible_to_a_reader(db) -> None:
    """The demo's figures must not puzzle the people reading them: stated pay rises with level,
    and data engineering roles read mostly as AI-support, as on the real site."""
    from analysis.build import build

    build(db)
    median = {r["group_value"]: r["median"] for r in rows(db, (
        "SELECT group_value, median FROM report_pay WHERE labels = 'rules' AND city = 'all' AND period = 'all' "
        "AND group_by = 'level' AND currency = 'USD'"))}
    assert median["Internship"] < median["Entry level"] < median["Mid level"] < median["Senior level"], median
    data_engineers = rows(db, "SELECT l.ai_type, count(*) n FROM jobs j JOIN job_labels l USING (job_id) "
                              "WHERE l.labels = 'rules' AND j.title LIKE '%Data Engineer%' GROUP BY l.ai_type")
    counts = {r["ai_type"]: r["n"] for r in data_engineers}
    assert counts.get("ai-support", 0) > sum(counts.values()) / 2, counts


def test_second_crawl_is_idempotent_and_moves_last_seen(site, tmp_path):
    db = tmp_path / "twice.db"
    assert crawl(site.base_url, db, "city=london").returncode == 0
    content = "SELECT * FROM jobs ORDER BY job_id"
    lifecycle = {"last_seen", "times_seen", "last_run_id", "fetched_at", "fetched_run_id"}
    first = rows(db, content)
    assert crawl(site.base_url, db, "city=london", "refresh_days=0").returncode == 0
    second = rows(db, content)
    assert [{k: v for k, v in r.items() if k not in lifecycle} for r in first] == \
           [{k: v for k, v in r.items() if k not in lifecycle} for r in second]
    assert all(r["times_seen"] == 2 and r["last_seen"] >= r["first_seen"] for r in second)
    for table in ("job_cities", "job_locations", "job_skills"):
        assert rows(db, f"SELECT count(*) n FROM {table}") == rows(db, f"SELECT count(*) n FROM {table}")
    assert rows(db, "SELECT count(*) n FROM crawl_runs")[0]["n"] == 2
    assert rows(db, "SELECT DISTINCT site FROM crawl_runs") == [{"site": site.base_url.rstrip("/")}]


def test_unknown_city_is_a_clear_error(site, tmp_path):
    result = crawl(site.base_url, tmp_path / "x.db", "city=atlantis")
    assert result.returncode == 1
    assert "unknown city 'atlantis'" in result.stderr and "berlin" in result.stderr


def test_unrecognizable_first_listing_page_fails_the_run(tmp_path):
    from jobcrawler.replay import ReplaySite

    with ReplaySite(jobs_per_city=5, seed=3, faults="challenge:1.0:all") as blocked:
        result = crawl(blocked.base_url, tmp_path / "blocked.db", "city=berlin", RETRY_TIMES="1")
    assert result.returncode == 1
    assert "shows no recognizable jobs" in result.stderr
    run = last_run(tmp_path / "blocked.db")
    assert run["status"] == "failed" and run["finish_reason"] == "unrecognized_listing"
    assert rows(tmp_path / "blocked.db", "SELECT count(*) n FROM jobs")[0]["n"] == 0


def test_empty_first_listing_page_fails_the_run(site, tmp_path):
    cities = tmp_path / "cities.yaml"
    cities.write_text("nowhere: {name: Nowhere, city: Nowhere, state: Nowhere, country: ATA}\n")
    result = crawl(site.base_url, tmp_path / "empty.db", "city=nowhere", CITIES_FILE=str(cities))
    assert result.returncode == 1
    run = last_run(tmp_path / "empty.db")
    assert run["status"] == "failed" and "no job was listed" in run["status_reasons"]
