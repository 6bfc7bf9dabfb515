"""Pipelines that depend on the crawl's date or its arguments."""

from __future__ import annotations

from datetime import date, datetime, timezone

import time_machine

from scrapy import Request
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse

from jobcrawler.parsing.listing import ListingJob
from tests.test_reliability_input import POSTINGS, Harness, page


def kept(harness, posting) -> bool:
    """Whether the posting's page, through the spider and every pipeline, is stored."""
    (item,) = harness.spider.parse_detail_page(detail_response(posting))
    try:
        harness.process(item)
    except DropItem as drop:
        assert str(drop).startswith("older_than_days"), drop
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
