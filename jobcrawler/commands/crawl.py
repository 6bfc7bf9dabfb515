"""``scrapy crawl`` whose exit status tells a scheduler (cron, CI) whether the crawl worked.

Scrapy exits 0 for any crawl that started, even one that stopped on a block page or
whose data-quality checks failed. Here: 0 for an ``ok`` run, 1 for ``failed`` (or a
spider that could not start, e.g. an unknown city), 2 for ``degraded``, 3 for
``interrupted`` (Ctrl-C / SIGTERM: run it again with the same ``-s JOBDIR`` to resume).
"""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from jobcrawler.extensions.crawl_run import JobdirError
from jobcrawler.storage import StorageError

EXIT_CODES = {"ok": 0, "failed": 1, "degraded": 2, "interrupted": 3}


class Command(ScrapyCrawlCommand):
    def run(self, args, opts):
        if len(args) != 1:
            raise UsageError("give exactly one spider name, e.g. `scrapy crawl builtin -a city=berlin`")
        crawler = self._create_crawler(args[0])
        started = self.crawler_process.crawl(crawler, **opts.spargs)
        if hasattr(started, "add_done_callback"):  # asyncio Task (AsyncCrawlerProcess)
            started.add_done_callback(_report_bad_arguments)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        status = crawler.stats.get_value("jobcrawler/run_status") or "failed"  # None: the run never started
        self.exitcode = EXIT_CODES.get(status, 1)
        if self.exitcode:
            print(f"crawl {status}: see the log above and the crawl_runs table", file=sys.stderr)


def _report_bad_arguments(task) -> None:
    """Say what stopped the crawl before it started (bad spider arguments, a database or JOBDIR
    it cannot use) in one line, not a traceback."""
    error = None if task.cancelled() else task.exception()
    if isinstance(error, (ValueError, StorageError, JobdirError)):
        print(f"error: {error}", file=sys.stderr)
    elif error is not None:
        raise error
