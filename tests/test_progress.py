"""What a crawl shows on the terminal: per-city progress with an ETA, a note when the replay
site is crawled with polite delays, and one summary line at the end of every run."""

from __future__ import annotations

import io

import pytest
from scrapy.settings import Settings

from jobcrawler.commands.crawl import summary
from jobcrawler.extensions.progress import _duration, warn_if_polite_to_loopback
from jobcrawler.replay import ReplaySite
from tests.helpers import crawl

STATS = {"jobcrawler/run_id": 4, "listing/pages/berlin": 3, "listing/jobs": 60, "jobcrawler/stored": 58,
         "jobcrawler/new": 12, "jobcrawler/closed": 2, "retry/gave_up/status_404": 1,
         "retry/gave_up/TimeoutError": 1, "elapsed_time_seconds": 61.25}


@pytest.mark.parametrize("status, stats, expected", [
    ("ok", STATS, "crawl ok (run 4): berlin, 60 listed, 58 stored (12 new), 2 closed, 2 gave up, 61.2 s -> db.sqlite"),
    ("degraded", {**STATS, "jobcrawler/status_reasons": ["salary on 80.0% of jobs (< 90%)", "x"]},
     "crawl degraded (run 4): berlin, 60 listed, 58 stored (12 new), 2 closed, 2 gave up, 61.2 s -> db.sqlite"
     " | salary on 80.0% of jobs (< 90%); x"),
    ("ok", {**STATS, "listing/pages/london": 1, "listing/pages/la": 2},
     "crawl ok (run 4): berlin, la, london, 60 listed, 58 stored (12 new), 2 closed, 2 gave up, 61.2 s -> db.sqlite"),
    ("ok", {**STATS, **{f"listing/pages/c{i}": 1 for i in range(4)}},
     "crawl ok (run 4): 5 cities, 60 listed, 58 stored (12 new), 2 closed, 2 gave up, 61.2 s -> db.sqlite"),
    ("failed", {"jobcrawler/run_id": 1, "jobcrawler/stored": 0, "jobcrawler/new": 0,
                "jobcrawler/status_reasons": ["no job was listed"]},
     "crawl failed (run 1): no city, 0 listed, 0 stored (0 new), 0 closed, 0 gave up, 0.0 s -> db.sqlite"
     " | no job was listed"),
    # the run's end could not be recorded (a lock past the busy timeout): what it stored, not how many were new
    ("failed", {"jobcrawler/run_id": 1, "listing/pages/berlin": 4, "listing/jobs": 60, "jobcrawler/stored": 60,
                "jobcrawler/status_reasons": ["the run could not be recorded: database is locked"]},
     "crawl failed (run 1): berlin, 60 listed, 60 stored, 0 closed, 0 gave up, 0.0 s -> db.sqlite"
     " | the run could not be recorded: database is locked"),
    ("ok", {**STATS, "jobcrawler/stored": 0, "jobcrawler/new": 0, "listing/already_stored": 60},
     "crawl ok (run 4): berlin, 60 listed, 60 already stored (not fetched again), 2 closed, 2 gave up, 61.2 s -> db.sqlite"),
    ("ok", {**STATS, "jobcrawler/stored": 10, "jobcrawler/new": 10, "listing/already_stored": 50},
     "crawl ok (run 4): berlin, 60 listed, 10 stored (10 new), 50 already stored (not fetched again), 2 closed, 2 gave up,"
     " 61.2 s -> db.sqlite"),
    ("ok", {**STATS, "jobcrawler/stored": 0, "jobcrawler/new": 0, "items/filtered/older_than_days": 58},
     "crawl ok (run 4): berlin, 60 listed, 0 stored (0 new), 58 older than -a days (left out), 2 closed, 2 gave up,"
     " 61.2 s -> db.sqlite"),
])
def test_summary_line(status, stats, expected):
    assert summary(stats, status, "db.sqlite") == expected


@pytest.mark.parametrize("base_url, settings, warned", [
    ("http://127.0.0.1:8765", {"DOWNLOAD_DELAY": 1.5, "AUTOTHROTTLE_ENABLED": True}, True),
    ("http://localhost:8765", {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": True}, True),
    ("http://[::1]:8765", {"DOWNLOAD_DELAY": 0.5, "AUTOTHROTTLE_ENABLED": False}, True),
    ("http://127.0.0.1:8765", {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False}, False),
    ("https://builtin.com", {"DOWNLOAD_DELAY": 1.5, "AUTOTHROTTLE_ENABLED": True}, False),
    ("https://10.0.0.1", {"DOWNLOAD_DELAY": 1.5, "AUTOTHROTTLE_ENABLED": True}, False),
])
def test_polite_delays_against_this_machine_are_pointed_out(base_url, settings, warned):
    out = io.StringIO()
    warn_if_polite_to_loopback(Settings(settings), base_url, out)
    assert ("-s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=0" in out.getvalue()) is warned


@pytest.mark.parametrize("seconds, text", [(0, "0 s"), (59.4, "59 s"), (61, "1 min 01 s"), (3725, "1 h 02 min")])
def test_durations_read_as_people_say_them(seconds, text):
    assert _duration(seconds) == text


@pytest.mark.slow
def test_a_crawl_shows_progress_per_city_and_ends_with_its_summary(tmp_path):
    db = tmp_path / "jobs.db"
    with ReplaySite(jobs_per_city=30, seed=7) as site:
        result = crawl(site.base_url, db, "city=berlin", PROGRESS_INTERVAL="0.2", DOWNLOAD_DELAY="0.02",
                       LOG_LEVEL="WARNING")
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"note: {site.base_url} is this machine, crawled with polite delays")
    assert any(line.startswith("  berlin: ") and "jobs listed" in line for line in lines)
    assert any("pages to go, about" in line for line in lines)  # an ETA once the listing is known
    assert lines[-1].startswith("crawl ok (run 1): berlin, 30 listed, 30 stored (30 new), 0 closed, 0 gave up, ")
    assert lines[-1].endswith(f"-> {db}")
