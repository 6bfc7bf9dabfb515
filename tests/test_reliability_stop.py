"""A stop signal once the crawl has ended (a supervisor's SIGTERM right after "crawl ok") leaves
the exit status the run earned, not 143."""

from __future__ import annotations

import os
import signal
import time

import pytest

from jobcrawler.replay import ReplaySite
from tests.helpers import last_run, start_crawl

pytestmark = pytest.mark.slow


def test_sigterm_after_the_summary_line_keeps_exit_status_0(tmp_path):
    with ReplaySite(jobs_per_city=10, seed=7) as site:
        process = start_crawl(site.base_url, tmp_path / "jobs.db", "city=berlin")
        for line in process.stderr:
            if line.startswith("crawl ok"):
                time.sleep(0.1)  # the interpreter is tearing down (it takes longer): the signal lands there
                try:
                    os.kill(process.pid, signal.SIGTERM)
                except ProcessLookupError:  # already gone: nothing to stop
                    pass
                break
        process.communicate(timeout=60)
    assert process.returncode == 0
    assert last_run(tmp_path / "jobs.db")["status"] == "ok"
