"""End-of-crawl data-quality checks: ``quality.evaluate`` table-driven, ``run_metrics`` on a small
database, and end to end: a breach marks the run in ``crawl_runs``, logs an error and makes
``scrapy crawl`` exit non-zero."""

from __future__ import annotations

import json

import pytest
import yaml

from jobcrawler import quality, settings, storage
from jobcrawler.cities import load_cities
from jobcrawler.replay import ReplaySite
from tests.helpers import crawl, last_run, rows

THRESHOLDS = {
    "min_coverage": dict(settings.QUALITY_MIN_COVERAGE),
    "min_stored_ratio": 0.95,
    "max_gave_up_ratio": 0.02,
}
GOOD = {
    "jobs": 100, "listed": 100, "sighted": 100, "filtered": 0, "gave_up": 0, "errors": 0, "retries": 3,
    "dropped": 0, "coverage": {"company": 1.0, "posted_date": 1.0, "location": 1.0, "description": 1.0, "salary": 1.0},
}

# (case, metric changes, finish reason, threshold changes, status, text expected among the reasons)
CASES = [
    ("all good", {}, "finished", {}, "ok", None),
    ("interrupted by Ctrl-C", {}, "shutdown", {}, "interrupted", "shutdown"),
    ("stopped on a block page", {}, "unrecognized_listing", {}, "failed", "unrecognized_listing"),
    ("browser failed", {}, "browser_failed", {}, "failed", "browser_failed"),
    ("cancelled", {}, "cancelled", {}, "failed", "cancelled"),
    ("nothing listed", {"listed": 0, "sighted": 0, "jobs": 0}, "finished", {}, "failed", "no job was listed"),
    ("stored just enough", {"sighted": 95}, "finished", {}, "ok", None),
    ("stored too few", {"sighted": 94}, "finished", {}, "degraded", "stored 94 of 100"),
    ("stored under half the minimum", {"sighted": 47}, "finished", {}, "failed", "stored 47 of 100"),
    ("filtered by -a days count as accounted for", {"sighted": 60, "filtered": 40}, "finished", {}, "ok", None),
    ("gave up on a few", {"gave_up": 2}, "finished", {}, "ok", None),
    ("gave up on too many", {"gave_up": 3}, "finished", {}, "degraded", "gave up on 3 requests"),
    ("a field thin", {"coverage": {**GOOD["coverage"], "description": 0.5}}, "finished", {}, "degraded",
     "description on 50.0%"),
    ("salary unknown (no pay shown)", {"coverage": {**GOOD["coverage"], "salary": None}}, "finished", {}, "ok", None),
    ("threshold from settings", {}, "finished", {"min_coverage": {"salary": 1.01}}, "degraded", "salary on 100.0%"),
    ("stricter stored ratio", {"sighted": 97}, "finished", {"min_stored_ratio": 0.99}, "degraded", "stored 97"),
    ("looser gave-up ratio", {"gave_up": 10}, "finished", {"max_gave_up_ratio": 0.2}, "ok", None),
]


@pytest.mark.parametrize(("case", "changes", "finish_reason", "thresholds", "status", "reason"), CASES,
                         ids=[case[0] for case in CASES])
def test_evaluate(case, changes, finish_reason, thresholds, status, reason):
    metrics = {**GOOD, **changes}
    report = quality.evaluate(metrics, finish_reason, **{**THRESHOLDS, **thresholds})
    assert report.status == status, report.reasons
    if reason is None:
        assert report.reasons == []
    else:
        assert any(reason in text for text in report.reasons), report.reasons
    assert report.metrics is metrics


def test_evaluate_lists_every_breach():
    metrics = {**GOOD, "sighted": 90, "gave_up": 5, "coverage": {**GOOD["coverage"], "company": 0.5, "salary": 0.1}}
    report = quality.evaluate(metrics, "finished", **THRESHOLDS)
    assert report.status == "degraded" and len(report.reasons) == 4
    assert metrics["stored_ratio"] == 0.9


def test_run_metrics_counts_this_runs_jobs_only(tmp_path):
    db = storage.open_db(tmp_path / "jobs.db")
    old = storage.start_run(db, "builtin", "berlin", "q", {})
    run = storage.start_run(db, "builtin", "berlin", "q", {})

    def save(job_id, run_id, **values):
        row = storage.job_row({"job_id": job_id, "company": "Co", "description": "text", **values})
        storage.save_job(db, row, city="berlin", run_id=run_id, locations=[], skills=[], seen_at=storage.utc_now())

    save("1", old, salary_text="100K-120K Annually", salary_min=100_000)
    save("2", run, posted_date="2026-01-01", country="DEU", salary_text="100K-120K Annually", salary_min=1)
    save("3", run, salary_text="junk")  # pay shown, not read
    save("4", run, company=None)
    stats = {"listing/jobs": 5, "retry/count": 7, "retry/gave_up/status_404": 1, "retry/gave_up/no_job_posting": 2,
             "item_dropped_count": 1, "items/filtered_listings": 1, "log_count/ERROR": 3}
    metrics = quality.run_metrics(db, run, stats)
    assert metrics["jobs"] == 3 and metrics["sighted"] == 3 and metrics["listed"] == 5
    assert metrics["coverage"] == {"company": 2 / 3, "posted_date": 1 / 3, "location": 1 / 3,
                                   "description": 1.0, "salary": 0.5}
    assert (metrics["gave_up"], metrics["retries"], metrics["dropped"], metrics["filtered"], metrics["errors"]) == \
           (3, 7, 1, 1, 3)


# --- end to end -----------------------------------------------------------------------------


@pytest.mark.slow
def test_a_breached_threshold_degrades_the_run_logs_an_error_and_exits_2(site, tmp_path):
    db = tmp_path / "jobs.db"
    result = crawl(site.base_url, db, "city=berlin", QUALITY_MIN_COVERAGE=json.dumps({"salary": 1.01}))
    assert result.returncode == 2
    assert "crawl degraded" in result.stderr
    assert "ERROR: Crawl run 1 is degraded: salary on 100.0% of jobs (< 101%)" in result.stderr
    run = last_run(db)
    assert run["status"] == "degraded" and run["status_reasons"] == ["salary on 100.0% of jobs (< 101%)"]
    assert run["quality"]["coverage"]["salary"] == 1.0 and run["quality"]["stored_ratio"] == 1.0
    assert run["finish_reason"] == "finished"
    assert rows(db, "SELECT count(*) n FROM jobs")[0]["n"] == len(site.listing("berlin"))  # data kept


@pytest.mark.slow
def test_thresholds_from_settings_can_accept_a_run_the_defaults_degrade(tmp_path):
    with ReplaySite(jobs_per_city=30, seed=7, faults="404:0.2") as site:
        strict = crawl(site.base_url, tmp_path / "strict.db", "city=berlin")
        loose = crawl(site.base_url, tmp_path / "loose.db", "city=berlin",
                      QUALITY_MIN_STORED_RATIO="0.7", QUALITY_MAX_GAVE_UP_RATIO="0.3")
    assert (strict.returncode, last_run(tmp_path / "strict.db")["status"]) == (2, "degraded")
    assert (loose.returncode, last_run(tmp_path / "loose.db")["status"]) == (0, "ok")


@pytest.mark.slow
def test_a_city_whose_first_page_lists_nothing_closes_none_of_its_jobs(tmp_path):
    """The search for one city comes back empty (the site changed, or a parameter): its jobs are
    not marked closed on that evidence; the run says so."""
    known = load_cities()
    cities = tmp_path / "cities.yaml"
    cities.write_text(yaml.safe_dump({key: {k: v for k, v in vars(known[key]).items() if k != "key" and v}
                                      for key in ("berlin", "london")}))
    db = tmp_path / "jobs.db"
    with ReplaySite(jobs_per_city=20, seed=7) as site:
        assert crawl(site.base_url, db, "city=all", CITIES_FILE=str(cities)).returncode == 0
        berlin = set(site.catalog.listings["berlin"])
    changed = ReplaySite(jobs_per_city=20, seed=7)  # the same site, but berlin's search comes back empty
    changed.catalog.listings["berlin"] = []
    with changed:
        result = crawl(changed.base_url, db, "city=all", CITIES_FILE=str(cities))
    run = last_run(db)
    assert run["stats"]["listing/empty_first_pages"] == 1
    assert "berlin" not in run["cities_complete"] and "london" in run["cities_complete"]
    closed = {r["job_id"] for r in rows(db, "SELECT job_id FROM jobs WHERE closed_at IS NOT NULL")}
    assert not (closed & berlin)
    assert "the first listing page" in result.stderr and "shows no job" in result.stderr


@pytest.mark.parametrize("key, value, carried", [
    ("jobcrawler/store_errors", 2, True),  # a job lost before a Ctrl-C must keep the resumed run from closing
    ("items/stored", 10, True),
    ("retry/gave_up/status_404", 1, True),
    ("listing/jobs", 30, True),
    ("jobcrawler/run_id", 4, False),
    ("jobcrawler/stored", 10, False),  # derived again from the database at the end
    ("jobcrawler/run_status", "interrupted", False),
    ("elapsed_time_seconds", 12.5, False),
    ("memusage/max", 10**8, False),
    ("jobcrawler/resumed", True, False),
])
def test_what_a_resumed_run_carries_over(key, value, carried):
    from jobcrawler.extensions.crawl_run import _cumulative

    assert _cumulative(key, value) is carried
