"""Pipelines that depend on the crawl's date or its arguments."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone

import pytest
import time_machine
from itemadapter import ItemAdapter

from scrapy import Request
from scrapy.http import HtmlResponse

from jobcrawler.items import JobItem, JobSighting
from jobcrawler.parsing.listing import ListingJob
from jobcrawler.pipelines import PostingAdapter
from tests.helpers import POSTINGS, Harness, crawl, last_run, page, rows


def kept(harness, posting) -> bool:
    """Whether the posting's page, through the spider and every pipeline, is stored; a posting
    left out by ``days`` must come out as a sighting marked filtered."""
    (item,) = harness.spider.parse_detail_page(detail_response(posting))
    result = harness.process(item)
    if isinstance(result, JobSighting):
        assert result.filtered and result.job_id == posting.job_id and result.city == "berlin"
        return False
    return True


def detail_response(posting):
    url = "https://builtin.com" + posting.path
    job = ListingJob(job_id=posting.job_id, url=url, title="t", company="c")
    request = Request(url, meta={"city": "berlin", "job_id": posting.job_id, "listing_job": job})
    return HtmlResponse(url, body=page(posting).encode(), request=request, encoding="utf-8")


def test_days_keeps_only_recent_postings_and_counts_the_rest(tmp_path):
    harness = Harness(tmp_path / "jobs.db")
    harness.spider.days = 7
    today = date(2026, 3, 5)
    with time_machine.travel(datetime(2026, 3, 5, 12, tzinfo=timezone.utc), tick=False):
        stored = {p.job_id for p in POSTINGS if kept(harness, p)}
    recent = {p.job_id for p in POSTINGS if (today - p.date_posted).days <= 7}
    assert recent and len(recent) < len(POSTINGS), "the sample needs postings on both sides of the cut"
    assert stored == recent
    assert harness.stats.get("items/filtered/older_than_days") == len(POSTINGS) - len(recent)


def test_without_days_every_posting_is_kept(tmp_path):
    harness = Harness(tmp_path / "jobs.db")
    with time_machine.travel(datetime(2026, 11, 25, tzinfo=timezone.utc), tick=False):
        outcomes = [harness.fetch(p, page(p))[0] for p in POSTINGS]
    assert outcomes == ["stored"] * len(POSTINGS)


def test_a_posting_met_twice_becomes_a_sighting_of_its_second_city(tmp_path):
    harness = Harness(tmp_path / "jobs.db")
    posting = POSTINGS[0]
    assert harness.fetch(posting, page(posting))[0] == "stored"
    outcome = harness.fetch(posting, page(posting))
    assert outcome[0] == "stored"  # the same row: stored once
    assert harness.stats.get("items/duplicates") == 1
    assert harness.stats.get("items/stored") == 1


def test_days_on_a_crawl_counts_old_listings_as_accounted_and_closes_none(site, tmp_path):
    """`-a days=N` leaves old postings out of the database without degrading the run, and a
    re-crawl with it does not close the jobs it left out."""
    db = tmp_path / "jobs.db"
    assert crawl(site.base_url, db, "city=berlin").returncode == 0
    stored = rows(db, "SELECT count(*) n FROM jobs")[0]["n"]
    posted = sorted(p.date_posted for p in site.listing("berlin"))
    days = (date.today() - posted[len(posted) // 2]).days  # about half the postings are older
    result = crawl(site.base_url, db, "city=berlin", f"days={days}", "refresh_days=0")
    assert result.returncode == 0, result.stderr[-2000:]
    run = last_run(db)
    assert run["status"] == "ok" and run["quality"]["stored_ratio"] == 1.0
    assert run["stats"]["items/filtered/older_than_days"] > 0
    assert rows(db, "SELECT count(*) n FROM jobs WHERE closed_at IS NOT NULL")[0]["n"] == 0
    assert rows(db, "SELECT count(*) n FROM jobs")[0]["n"] == stored


def test_days_on_a_first_crawl_stores_recent_postings_only_and_stays_ok(site, tmp_path):
    db = tmp_path / "jobs.db"
    posted = sorted(p.date_posted for p in site.listing("berlin"))
    days = (date.today() - posted[len(posted) // 2]).days
    result = crawl(site.base_url, db, "city=berlin", f"days={days}")
    assert result.returncode == 0, result.stderr[-2000:]
    recent = {p.job_id for p in site.listing("berlin") if (date.today() - p.date_posted).days <= days}
    assert {r["job_id"] for r in rows(db, "SELECT job_id FROM jobs")} == recent
    run = last_run(db)
    assert run["status"] == "ok" and run["stats"]["items/filtered_listings"] == len(site.listing("berlin")) - len(recent)


def test_jobs_wait_in_a_batch_and_a_failing_batch_loses_only_its_bad_job(tmp_path, monkeypatch):
    import sqlite3

    from jobcrawler import storage

    harness = Harness(tmp_path / "jobs.db")
    store = harness.pipelines[-1]
    store.batch_size, store.batch_seconds = 100, 3600
    for posting in POSTINGS:
        (item,) = harness.spider.parse_detail_page(detail_response(posting))
        harness.process(item)
    assert rows(tmp_path / "jobs.db", "SELECT count(*) n FROM jobs")[0]["n"] == 0  # waiting in the batch

    bad = POSTINGS[0].job_id
    save_job = storage.save_job

    def failing_batch(db, jobs):
        raise sqlite3.OperationalError("database or disk is full")

    def save_one(db, row, **job):
        if row["job_id"] == bad:
            raise sqlite3.IntegrityError("constraint failed")
        save_job(db, row, **job)

    monkeypatch.setattr(storage, "save_jobs", failing_batch)
    monkeypatch.setattr(storage, "save_job", save_one)
    store.flush()
    stored = {r["job_id"] for r in rows(tmp_path / "jobs.db", "SELECT job_id FROM jobs")}
    assert stored == {p.job_id for p in POSTINGS} - {bad}
    assert harness.stats.get("items/dropped/store_error") == 1
    assert harness.stats.get("items/stored") == len(POSTINGS) - 1


def test_a_sighting_flushes_the_batch_only_when_its_job_waits_there(tmp_path, monkeypatch):
    from jobcrawler import storage

    harness = Harness(tmp_path / "jobs.db")
    store = harness.pipelines[-1]
    store.batch_size, store.batch_seconds = 100, 3600
    first, *rest = POSTINGS
    (item,) = harness.spider.parse_detail_page(detail_response(first))
    harness.process(item)
    store.flush()  # stored: sightings of it need no batch written
    batches = []
    save_jobs = storage.save_jobs
    monkeypatch.setattr(storage, "save_jobs", lambda db, jobs: (batches.append(len(jobs)), save_jobs(db, jobs)))
    for posting in rest:
        (item,) = harness.spider.parse_detail_page(detail_response(posting))
        harness.process(item)
        harness.process(JobSighting(job_id=first.job_id, city="london", url="u"))
    assert batches == []  # one batch still waits, whatever the sightings in between
    harness.process(JobSighting(job_id=rest[0].job_id, city="london", url="u"))  # its job waits: written first
    assert batches == [len(rest)]
    cities = rows(tmp_path / "jobs.db", "SELECT city FROM job_cities WHERE job_id = ?", [rest[0].job_id])
    assert {row["city"] for row in cities} == {"berlin", "london"}


def test_a_posting_with_a_value_over_the_cap_is_dropped_and_counted(tmp_path, monkeypatch):
    """A value the site could not serve (10 MB of description) never enters the database."""
    from jobcrawler import pipelines

    monkeypatch.setattr(pipelines, "MAX_VALUE_CHARS", 50_000)
    harness = Harness(tmp_path / "jobs.db")
    posting = POSTINGS[0]
    huge = page(posting, lambda node: node.update(description="<p>" + "word " * 20_000 + "</p>"))
    assert harness.fetch(posting, huge) == ("dropped", "oversize_value")
    assert harness.stats.get("items/dropped/oversize_value") == 1
    assert rows(harness.db, "SELECT count(*) AS n FROM jobs") == [{"n": 0}]
    assert harness.fetch(POSTINGS[1], page(POSTINGS[1]))[0] == "stored"


@dataclasses.dataclass
class _Other:
    job_id: str = "7"
    note: str | None = None


def test_the_pipelines_adapter_reads_and_writes_postings_as_itemadapter_does():
    """``PostingAdapter`` keeps one table of fields per dataclass: a ``JobItem``, another dataclass
    and a dict read and write as through ``ItemAdapter``, and an unknown field is refused alike."""
    for make in (lambda: JobItem(job_id="1", title="AI Engineer"), _Other, lambda: {"job_id": "3"}):
        ours, theirs = PostingAdapter(make()), ItemAdapter(make())
        assert dict(ours.items()) == dict(theirs.items()) and list(ours.field_names()) == list(theirs.field_names())
        ours["job_id"], theirs["job_id"] = "9", "9"
        assert ours.asdict() == theirs.asdict()
        if not isinstance(ours.item, dict):
            with pytest.raises(KeyError):
                ours["no_such_field"] = 1
    assert "note" in PostingAdapter(_Other()).field_names() and "note" not in PostingAdapter(JobItem()).field_names()
