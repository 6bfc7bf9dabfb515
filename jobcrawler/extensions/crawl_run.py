"""The crawl run: its ``crawl_runs`` row from start (or resumption) through the quality gate and
the closing of jobs no longer listed to its finish and the exit status.

Run-level state lives in an extension, as Scrapy keeps its own (``corestats``): the item
pipelines only store jobs. The row is started before the engine opens, so a database that
cannot be written stops the crawl before its first request, in one readable line.
"""

from __future__ import annotations

import logging
import pickle
import shutil
import sqlite3
from pathlib import Path

from scrapy import signals
from scrapy.utils.job import job_dir

from jobcrawler import number_input, quality, storage

logger = logging.getLogger(__name__)

# What Scrapy keeps in a JOBDIR: the pending requests, the fingerprints of requests made, the
# spider's bookkeeping. Only a crawl that stopped cleanly leaves them consistent.
JOBDIR_FILES = ("requests.queue", "requests.seen", "spider.state")


def how_to_resume(jobdir: str | None) -> str:
    """What an interrupted run's message says next: only a crawl with a JOBDIR resumes its run
    (without one, the same command starts a new run)."""
    return "run the same command again to resume it" if jobdir else "it cannot be resumed without -s JOBDIR"


class JobdirError(Exception):
    """A JOBDIR this crawl cannot use: said in one line, before the crawl starts."""


# Shares the run reads only when it ends (the quality gate, the closing of unlisted jobs):
# ``check_settings`` reads them before the crawl starts.
SHARE_SETTINGS = ("QUALITY_MIN_STORED_RATIO", "QUALITY_MAX_GAVE_UP_RATIO", "CLOSE_MAX_SHARE")


def check_settings(settings) -> dict:
    """The share settings as numbers (``QUALITY_MIN_COVERAGE`` a dict of them), read before the
    first request and again where the run's end uses them; ValueError naming one that is no number
    from 0 up (``-s CLOSE_MAX_SHARE=half``, ``nan``): at the run's end it would fail a whole
    crawl's record, or let a vanished listing close every job."""
    try:
        coverage = settings.getdict("QUALITY_MIN_COVERAGE")
    except ValueError:
        raise ValueError(f"QUALITY_MIN_COVERAGE must be a JSON object of field shares, "
                         f"got {settings.get('QUALITY_MIN_COVERAGE')!r}") from None
    named = {name: settings.get(name) for name in SHARE_SETTINGS}
    named |= {f"QUALITY_MIN_COVERAGE {field!r}": value for field, value in coverage.items()}
    shares = {}
    for name, value in named.items():
        try:
            shares[name] = number_input.share(value)
        except ValueError:
            raise ValueError(f"{name} must be a share (a number from 0: 0.95 for 95%), got {value!r}") from None
    return {**{name: shares[name] for name in SHARE_SETTINGS},
            "QUALITY_MIN_COVERAGE": {field: shares[f"QUALITY_MIN_COVERAGE {field!r}"] for field in coverage}}


class CrawlRun:
    """Starts or resumes the run, judges it when the spider closes, closes the jobs a complete
    listing no longer shows, and records how it ended (``jobcrawler/run_status``, which
    ``scrapy crawl`` turns into its exit status)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.path = settings.get("SQLITE_PATH")
        jobdir = job_dir(settings)
        self.jobdir = str(Path(jobdir).resolve()) if jobdir else None
        self.db = storage.open_db(self.path, settings.getfloat("SQLITE_BUSY_TIMEOUT", storage.BUSY_TIMEOUT),
                                  settings.get("SQLITE_JOURNAL_MODE", "WAL"))
        try:
            self.run_id = self._start_or_resume(crawler.spider)
        except sqlite3.Error as error:
            self.db.close()
            raise storage.StorageError(f"cannot start the crawl run in {self.path}: {error}") from error
        except JobdirError:
            self.db.close()
            raise
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _start_or_resume(self, spider) -> int:
        """A ``-s JOBDIR`` crawl whose last run there did not end resumes that run: after a
        Ctrl-C with the queue and state Scrapy saved, after a kill (or an unreadable state)
        from the listings again, since a killed process leaves its queue half-written."""
        last = storage.last_run_in(self.db, self.jobdir) if self.jobdir else None
        if last is None:
            self._discard_jobdir("it belongs to no run of this database")
            run_id = storage.start_run(self.db, spider.name, getattr(spider, "city_arg", None),
                                       getattr(spider, "query", None), getattr(spider, "run_arguments", {}),
                                       getattr(spider, "base_url", None), self.jobdir)
            self.stats.set_value("jobcrawler/run_id", run_id)
            return run_id
        run_id, status = last
        if status == "running":
            raise JobdirError(f"JOBDIR {self.jobdir} is in use by crawl run {run_id}, still running")
        if status not in storage.RESUMABLE:
            raise JobdirError(f"JOBDIR {self.jobdir} holds crawl run {run_id}, which ended ({status}): "
                              "use a new JOBDIR for a new crawl")
        carried = storage.resume_run(self.db, run_id)
        # at once: a JOBDIR that cannot be emptied below stops the crawl, which closes this run
        self.stats.set_value("jobcrawler/run_id", run_id)
        self.stats.set_value("jobcrawler/resumed", True)
        if status == "killed" or not self._state_readable():
            self._discard_jobdir(f"crawl run {run_id} was killed before it could save it")
            logger.warning("Resuming crawl run %d from its listings: jobs it stored are not fetched again", run_id)
        else:
            for key, value in carried.items():
                if _cumulative(key, value):
                    self.stats.inc_value(key, value)
            logger.info("Resuming crawl run %d", run_id)
        return run_id

    def _state_readable(self) -> bool:
        state = Path(self.jobdir, "spider.state")
        try:
            with state.open("rb") as file:
                pickle.load(file)
        except FileNotFoundError:
            return True
        except Exception:  # a truncated or foreign pickle: any error unpickling it
            return False
        return True

    def _discard_jobdir(self, why: str) -> None:
        """Empty the JOBDIR of what Scrapy left there, so the crawl does not skip requests nobody
        made (``requests.seen``) or read a half-written queue."""
        if not self.jobdir:
            return
        found = [Path(self.jobdir, name) for name in JOBDIR_FILES if Path(self.jobdir, name).exists()]
        if not found:
            return
        logger.warning("JOBDIR %s holds a request queue that cannot be trusted (%s): starting it afresh",
                       self.jobdir, why)
        try:
            for path in found:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        except OSError as error:
            raise JobdirError(f"JOBDIR {self.jobdir} cannot be emptied: {error}") from error

    def spider_closed(self, spider, reason):
        """Judge and finish the run. Any failure here fails the run: Scrapy only logs what a
        signal handler raises, so it is caught, said in one line and turned into the status."""
        try:
            status = self._finish(spider, reason)
        except Exception as error:  # noqa: BLE001 - a locked database mostly; a bug must fail the run too
            logger.error("Crawl run %d could not be recorded in %s: %s", self.run_id, self.path, error,
                         exc_info=not isinstance(error, sqlite3.Error))
            status = "failed"
            # the summary line says why, and what this part stored, instead of "0 stored" and nothing
            self.stats.set_value("jobcrawler/status_reasons", [f"the run could not be recorded: {error}"])
            self.stats.set_value("jobcrawler/stored", self.stats.get_value("items/stored", 0))
            try:  # at least not `running`: a later run would take it for a killed one and resume it
                storage.finish_run(self.db, self.run_id, {"finished_at": storage.utc_now(), "finish_reason": reason,
                                                          "status": status, "status_reasons": [str(error)]})
            except sqlite3.Error:
                pass  # still locked: the row stays `running` until a later run finds this process gone
        finally:
            self.db.close()
        self.stats.set_value("jobcrawler/run_status", status)

    def _finish(self, spider, reason: str) -> str:
        shares = check_settings(self.crawler.settings)
        report = quality.evaluate(
            quality.run_metrics(self.db, self.run_id, self.stats.get_stats()),
            reason,
            min_coverage=shares["QUALITY_MIN_COVERAGE"],
            min_stored_ratio=shares["QUALITY_MIN_STORED_RATIO"],
            max_gave_up_ratio=shares["QUALITY_MAX_GAVE_UP_RATIO"],
        )
        complete = sorted(getattr(spider, "complete_cities", ()))
        closed = 0
        if report.status in ("ok", "degraded"):  # an interrupted or failed run closes no job
            closed = self._close_unlisted(complete, report)
        if report.status == "interrupted":
            logger.warning("Crawl run %d was interrupted: %s", self.run_id, how_to_resume(self.jobdir))
        elif report.status != "ok":
            logger.error("Crawl run %d is %s: %s", self.run_id, report.status, "; ".join(report.reasons))
        stats = self.stats.get_stats()
        drops = _suffixes(stats, "items/dropped/")
        storage.finish_run(self.db, self.run_id, {
            "finished_at": storage.utc_now(),
            "finish_reason": reason,
            "status": report.status,
            "status_reasons": report.reasons,
            "quality": report.metrics,
            "cities_complete": complete,
            "listing_pages": stats.get("listing/pages", 0),
            "listed_jobs": stats.get("listing/jobs", 0),
            "detail_requests": len(getattr(spider, "requested", ())),
            "items_stored": report.metrics.get("stored", 0),
            "items_dropped": sum(drops.values()),  # each lost item once, whoever dropped it
            "drop_reasons": drops,
            "retries": stats.get("retry/count", 0),
            "gave_up": _suffixes(stats, "retry/gave_up/"),
            "errors": stats.get("log_count/ERROR", 0),
            "rendered_pages": stats.get("render/pages", 0),
            "jobs_new": report.metrics.get("new", 0),
            "jobs_closed": closed,
            "stats": {**stats, "jobcrawler/run_status": report.status},
        })
        for name, value in (("stored", report.metrics.get("stored", 0)), ("new", report.metrics.get("new", 0)),
                            ("closed", closed), ("status_reasons", report.reasons)):
            self.stats.set_value(f"jobcrawler/{name}", value)
        return report.status

    def _close_unlisted(self, complete: list[str], report: quality.QualityReport) -> int:
        """Close what the complete listings no longer show, unless a job or sighting of this run
        could not be written: a listed job whose sighting is missing would look gone."""
        if report.metrics.get("store_errors"):
            report.status = "degraded"
            report.reasons.append("no job was marked closed, since some of what this run saw is not stored")
            return 0
        max_share = check_settings(self.crawler.settings)["CLOSE_MAX_SHARE"]
        closed = storage.close_unlisted(self.db, self.run_id, complete, storage.utc_now(), max_share)
        if closed is None:
            report.status = "degraded"
            report.reasons.append(f"more than {max_share:.0%} of the open jobs of {', '.join(complete)} "
                                  "were no longer listed: none was closed (did the site or the search change?)")
            return 0
        return closed


# Stats of one part of a run, not added up over its parts: what the run's end derives again
# (stored, new, closed, status) and what describes a process (time, memory, rates).
_PER_PART = ("elapsed_time", "memusage/", "items_per_minute", "responses_per_minute", "jobcrawler/run_id",
             "jobcrawler/run_status", "jobcrawler/resumed", "jobcrawler/stored", "jobcrawler/new", "jobcrawler/closed")


def _cumulative(key: str, value) -> bool:
    """Whether a recorded Scrapy stat adds up over the parts of an interrupted, resumed run (the
    store errors of a part before a Ctrl-C do: a job they lost must not look gone at the end)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return not key.startswith(_PER_PART)


def _suffixes(stats: dict, prefix: str) -> dict:
    return {key[len(prefix):]: value for key, value in stats.items() if key.startswith(prefix)}
