"""``scrapy crawl`` whose exit status tells a scheduler (cron, CI) whether the crawl worked.

Scrapy exits 0 for any crawl that started, even one that stopped on a block page or
whose data-quality checks failed. Here: 0 for an ``ok`` run, 1 for ``failed`` (or a
spider that could not start, e.g. an unknown city), 2 for ``degraded``, 3 for
``interrupted`` (Ctrl-C / SIGTERM: run it again with the same ``-s JOBDIR`` to resume).
"""

from __future__ import annotations

import difflib
import functools
import logging
import math
import os
import signal
import sqlite3
import sys
import tempfile
from contextlib import closing
from datetime import datetime, timezone
from urllib.parse import urlsplit

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.conf import closest_scrapy_cfg

from jobcrawler.extensions.crawl_run import JobdirError, check_settings, how_to_resume
from jobcrawler import crawl_start, storage
from jobcrawler.middlewares import configured_proxies
from jobcrawler.storage import StorageError, being_served

logger = logging.getLogger(__name__)
EXIT_CODES = {"ok": 0, "failed": 1, "degraded": 2, "interrupted": 3}


class Command(ScrapyCrawlCommand):
    def process_options(self, args, opts):
        """A mistyped spider name or spider argument is one line and exit 1, said before Scrapy
        starts logging or anything is written (Scrapy's own answer to a wrong spider name is a
        traceback, and unknown arguments pass silently)."""
        crawl_start.install()  # a virtualenv made without `make install` did not install it at startup
        if why := command_line_error(args, opts):
            _refuse(self.settings, why, log=False)
        super().process_options(args, opts)
        if why := log_file_error(self.settings):
            _refuse(self.settings, why, log=False)
        if why := log_level_error(self.settings) or jobdir_error(self.settings):
            _refuse(self.settings, why)
        _database_in_the_checkout(self.settings)
        try:
            configured_proxies(self.settings)
        except ValueError as error:
            _refuse(self.settings, str(error))
        try:
            check_settings(self.settings)
        except ValueError as error:
            _refuse(self.settings, f"-s {error}")
        if why := typed_setting_error(self.settings) or base_url_error(self.settings):
            _refuse(self.settings, why)
        if why := being_served(self.settings.get("SQLITE_PATH"), "crawl"):
            _refuse(self.settings, why)
        loader = get_spider_loader(self.settings)
        if args[0] not in loader.list():
            close = difflib.get_close_matches(args[0], loader.list(), n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            _refuse(self.settings, f"no spider called {args[0]!r}: {hint}(spiders: {', '.join(loader.list())})")
        check = getattr(loader.load(args[0]), "check_arguments", None)
        if check is not None:
            try:
                check(opts.spargs, self.settings)
            except ValueError as error:
                _refuse(self.settings, str(error))

    def run(self, args, opts):
        crawler = self._create_crawler(args[0])
        started = self.crawler_process.crawl(crawler, **opts.spargs)
        if hasattr(started, "add_done_callback"):  # asyncio Task (AsyncCrawlerProcess)
            started.add_done_callback(functools.partial(_report_bad_arguments, crawler))
        _hand_ctrl_c_to_scrapy()
        self.crawler_process.start()
        # Scrapy ignores stop signals after a second one (SIG_IGN); after one, its handler is a killer
        forced = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        # The crawl has ended and its run is recorded: a stop signal now (a supervisor's SIGTERM
        # right after "crawl ok") must not turn the run's exit status into 143.
        for stop in (signal.SIGTERM, signal.SIGINT):
            signal.signal(stop, signal.SIG_IGN)
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        stats = crawler.stats.get_stats()
        status = stats.get("jobcrawler/run_status")
        if status is None and "jobcrawler/run_id" in stats:  # begun, never closed: stopped at once
            status = record_forced_stop(crawler.settings, stats, forced)
        status = status or "failed"  # None: the run never started
        self.exitcode = EXIT_CODES.get(status, 1)
        if "jobcrawler/run_id" in stats:
            cities = [city.key for city in getattr(crawler.spider, "cities", ())]
            print(summary(stats, status, crawler.settings.get("SQLITE_PATH"), cities), file=sys.stderr, flush=True)


def _hand_ctrl_c_to_scrapy() -> None:
    """Scrapy's reactor starts next and installs Scrapy's Ctrl-C handler as it does: a Ctrl-C in
    between (``crawl_start``'s exit would surface inside the reactor's startup) is kept, and sent
    again once Scrapy's handler is in place, which stops the crawl as it stops any."""
    from twisted.internet import reactor

    kept = []
    signal.signal(signal.SIGINT, lambda signum, frame: kept.append(signum))
    reactor.callWhenRunning(reactor.callLater, 0, lambda: kept and signal.raise_signal(signal.SIGINT))


# SIGKILL never reaches here: a later run finds that run's process gone and marks it killed.
FORCED_STOP = ("stopped at once by a second Ctrl-C or SIGTERM before it could close: the jobs fetched since "
               "the last write were not stored, nothing was closed; {resume}")
# A second Ctrl-C asks to stop now: recording the run waits this long at most for a write lock
# (a write of the run's left unfinished may hold it; the next run then marks the run killed).
FORCED_STOP_BUSY_TIMEOUT = 5.0
# One Ctrl-C while the spider was opening: Scrapy stops a crawl whose engine is not running yet
# without closing it, as it does on a second one.
STOPPED_STARTING = ("stopped by Ctrl-C or SIGTERM as it was starting, before its first request: nothing was "
                    "fetched; {resume}")


def record_forced_stop(settings, stats: dict, forced: bool = True) -> str:
    """A second Ctrl-C makes Scrapy stop at once, without closing the spider: the run was never
    judged nor recorded (it stayed ``running``, and the line said "failed ... 0.0 s"). It is
    recorded ``killed`` now, as a later run finds a run whose process is gone (its JOBDIR queue
    is not trusted: the same command resumes it from its listings), and said as interrupted. So is
    a run that one stop signal (not ``forced``) ended as its spider was opening."""
    said = FORCED_STOP if forced else STOPPED_STARTING
    reason = said.format(resume=how_to_resume(settings.get("JOBDIR")))
    busy_timeout = min(settings.getfloat("SQLITE_BUSY_TIMEOUT", storage.BUSY_TIMEOUT), FORCED_STOP_BUSY_TIMEOUT)
    if failure := _finish_unclosed_run(settings, stats["jobcrawler/run_id"], {
            "status": "killed", "finish_reason": "killed", "finished_at": storage.utc_now(),
            "status_reasons": [reason]}, busy_timeout):
        reason += f" (not recorded: {failure}; the next run marks it killed)"
    started = stats.get("start_time")
    if started:
        stats["elapsed_time_seconds"] = (datetime.now(timezone.utc) - started).total_seconds()
    stats["jobcrawler/stored"] = stats.get("items/stored", 0)
    stats["jobcrawler/status_reasons"] = [reason]
    return "interrupted"


def summary(stats: dict, status: str, database: str, cities: list[str] | None = None) -> str:
    """The run in one line: what a person (or a cron mail) reads first. ``cities``: those the run
    was asked for; else those whose listing it read."""
    cities = cities or sorted(key[len("listing/pages/"):] for key in stats if key.startswith("listing/pages/"))
    where = (f"{len(cities)} cities" if len(cities) > 3 else ", ".join(cities)) or "no city"
    gave_up = sum(value for key, value in stats.items() if key.startswith("retry/gave_up/"))
    stored, already = stats.get("jobcrawler/stored", 0), stats.get("listing/already_stored", 0)
    # A re-crawl within refresh_days fetches no job it stored lately: say so, rather than "0 stored".
    kept = f"{already} already stored (not fetched again)"
    new = stats.get("jobcrawler/new")  # none when the run's end could not be recorded
    written = f"{stored} stored" + (f" ({new} new)" if new is not None else "")
    stored_part = kept if already and not stored else f"{written}, {kept}" if already else written
    if old := stats.get("items/filtered/older_than_days"):  # else "60 listed, 0 stored" would not add up
        stored_part += f", {old} older than -a days (left out)"
    line = (f"crawl {status} (run {stats['jobcrawler/run_id']}): {where}, {stats.get('listing/jobs', 0)} listed, "
            f"{stored_part}, "
            f"{stats.get('jobcrawler/closed', 0)} closed, {gave_up} gave up, "
            f"{stats.get('elapsed_time_seconds', 0):.1f} s -> {database}")
    reasons = stats.get("jobcrawler/status_reasons")
    if stats.get("jobcrawler/unreachable"):  # said in words rather than as a finish reason
        reasons = [stats["jobcrawler/unreachable"]]
    if status != "ok" and reasons:
        line += " | " + "; ".join(reasons)
    return line


def command_line_error(args: list[str], opts) -> str | None:
    """Why the command line is not one spider name with ``-a NAME=VALUE`` / ``-s NAME=VALUE``
    options, or None: ``--city berlin``, ``-a city berlin`` and ``scrapy crawl builtin berlin``
    printed Scrapy's usage and a line about the spider name or the -a value, after Scrapy's banner."""
    for flag, given, example in (("-a", opts.spargs, "city=berlin"), ("-s", opts.set, "LOG_LEVEL=INFO")):
        if bad := next((value for value in given if "=" not in value), None):
            return f"{flag} {bad} is not NAME=VALUE: write it as e.g. {flag} {example}"
    if unknown := next((argument for argument in args if argument.startswith("-")), None):
        return (f"unknown option {unknown}: spider arguments are -a NAME=VALUE (-a city=berlin), settings "
                "-s NAME=VALUE")
    if len(args) != 1:
        got = f" (got {' '.join(args)}: a city is -a city=<key>)" if args else ""
        return f"give exactly one spider name, e.g. `scrapy crawl builtin -a city=berlin`{got}"
    return None


# Settings whose default is a whole number though Scrapy reads them as seconds, a float (grep
# Scrapy's getfloat calls): 30.5 is a value of theirs. Every other whole-number setting is read
# with getint, which takes no fraction ("1.5", "2.0").
READ_AS_FLOAT = frozenset({"DOWNLOAD_TIMEOUT", "DNS_TIMEOUT", "CLOSESPIDER_TIMEOUT", "LOGSTATS_INTERVAL"})
# Delays, timeouts, intervals and counts: a finite number in range (nan and -1 read as numbers,
# and then made the crawl wait forever, not at all, never retry, or fail in Twisted naming no
# setting). Each is (lowest, whether the lowest itself is refused, highest or None, the range said).
# Settings with no range here may be negative: Scrapy's DEPTH_PRIORITY, RETRY_PRIORITY_ADJUST.
FROM_0 = (0, False, None, "from 0")
ABOVE_0 = (0, True, None, "above 0")
FROM_1 = (1, False, None, "from 1")
VALUE_RANGE = {
    **dict.fromkeys(("DOWNLOAD_DELAY", "AUTOTHROTTLE_START_DELAY", "AUTOTHROTTLE_MAX_DELAY", "CLOSESPIDER_TIMEOUT",
                     "CLOSESPIDER_TIMEOUT_NO_ITEM", "LOGSTATS_INTERVAL", "PROGRESS_INTERVAL", "STORE_BATCH_SECONDS",
                     "SQLITE_BUSY_TIMEOUT", "RETRY_BACKOFF_BASE", "RETRY_BACKOFF_MAX", "RETRY_AFTER_MAX",
                     "RETRY_TIMES"), FROM_0),
    **dict.fromkeys(("AUTOTHROTTLE_TARGET_CONCURRENCY", "DOWNLOAD_TIMEOUT", "DNS_TIMEOUT"), ABOVE_0),
    **dict.fromkeys(("CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "CONCURRENT_ITEMS"), FROM_1),
    "DOWNLOAD_DELAY_JITTER": (0, False, 1, "from 0 to 1"),
}


def typed_setting_error(settings) -> str | None:
    """Why a ``-s NAME=VALUE`` whose setting is a number or an on/off switch (its default in
    Scrapy's or this project's settings says which) cannot be read as one, or None. Read later,
    ``-s DOWNLOAD_DELAY=abc`` stopped the crawl with "could not convert string to float: 'abc'",
    and ``-s CONCURRENT_REQUESTS=1.5`` with "invalid literal for int()", naming no setting and
    leaving the run begun."""
    from scrapy.settings import default_settings

    from jobcrawler import settings as project

    for name, value in settings.items():
        if settings.getpriority(name) != SETTINGS_PRIORITIES["cmdline"] or not isinstance(value, str):
            continue
        default = getattr(project, name, getattr(default_settings, name, None))
        if isinstance(default, bool):
            kind = (settings.getbool, "0 or 1 (False or True)")
        elif isinstance(default, int) and name not in READ_AS_FLOAT:
            kind = (settings.getint, "a whole number")
        elif isinstance(default, (int, float)):
            kind = (settings.getfloat, "a number")
        else:
            continue
        read, described = kind
        try:
            number = read(name)
        except ValueError:
            return f"-s {name} must be {described}, got {value!r}"
        if name in VALUE_RANGE:
            lowest, lowest_refused, highest, said = VALUE_RANGE[name]
            if (not math.isfinite(number) or number < lowest or (lowest_refused and number == lowest)
                    or (highest is not None and number > highest)):
                return f"-s {name} must be {described} {said}, got {value!r}"
    return None


def log_file_error(settings) -> str | None:
    """Why ``-s LOG_FILE`` cannot be appended to (a folder, a missing folder), or None: Scrapy
    answered it with a traceback."""
    path = settings.get("LOG_FILE")
    if not path:
        return None
    try:
        open(path, "a", encoding="utf-8").close()
    except OSError as error:
        return f"-s LOG_FILE {path} cannot be written: {error.strerror or error}"
    return None


def log_level_error(settings) -> str | None:
    """Why ``-s LOG_LEVEL`` is no level Python's logging knows (``LOUD``), or None; ``debug`` is
    taken as ``DEBUG``. Scrapy answered both with a traceback."""
    level = settings.get("LOG_LEVEL")
    if isinstance(level, int) or level in logging.getLevelNamesMapping():
        return None
    if str(level).strip().upper() in logging.getLevelNamesMapping():
        settings.set("LOG_LEVEL", str(level).strip().upper(), priority=settings.getpriority("LOG_LEVEL"))
        return None
    return f"-s LOG_LEVEL must be a level name (DEBUG, INFO, WARNING, ERROR, CRITICAL), got {level!r}"


def jobdir_error(settings) -> str | None:
    """Why ``-s JOBDIR`` cannot be the folder a resumable crawl keeps its state in, or None. A
    file there, or a folder that cannot be made or written into (a read-only mount), was a
    traceback once the run had begun. Checked without making it (a command refused later, an
    unknown city, left it behind; Scrapy makes it as the crawl starts): the nearest folder that
    is there is written into for real, since ``os.access`` says yes to root."""
    path = settings.get("JOBDIR")
    if not path:
        return None
    if os.path.islink(path) and not os.path.exists(path):
        return f"-s JOBDIR {path} is a broken symlink (to {os.readlink(path)})"
    if os.path.exists(path) and not os.path.isdir(path):
        return f"-s JOBDIR {path} is a file, not a folder"
    wanted = existing = os.path.abspath(path)
    while not os.path.lexists(existing):
        existing = os.path.dirname(existing)
    done = "written" if existing == wanted else "made"
    if os.path.islink(existing) and not os.path.exists(existing):
        return f"-s JOBDIR {path} cannot be made: {existing} is a broken symlink (to {os.readlink(existing)})"
    if not os.path.isdir(existing):
        return f"-s JOBDIR {path} cannot be made: {existing} is a file"
    try:
        tempfile.TemporaryFile(dir=existing).close()
    except OSError as error:
        return f"-s JOBDIR {path} cannot be {done}: {error.strerror or error}"
    return None


def base_url_error(settings) -> str | None:
    """Why ``BUILTIN_BASE_URL`` (builtin.com, or a replay site) is no site to crawl, or None: a
    value without http(s):// and a host (``127.0.0.1:8765``), or with a port past 65535, ended the
    run as a bare 'start_error', a failed run recorded in the database."""
    value = settings.get("BUILTIN_BASE_URL")
    try:
        url = urlsplit(str(value))
        port_usable = url.port is None or url.port > 0  # reading a port past 65535 raises ValueError
    except ValueError:
        port_usable = False
    if not port_usable or url.scheme not in ("http", "https") or not url.hostname:
        return f"-s BUILTIN_BASE_URL must be an http(s):// address (https://builtin.com, http://127.0.0.1:8765), " \
               f"got {value!r}"
    return None


def _database_in_the_checkout(settings) -> None:
    """Run from a folder inside the checkout (Scrapy finds scrapy.cfg upward), the default
    ``data/jobs.db`` would be a second, new database there: it stays the checkout's."""
    path = settings.get("SQLITE_PATH")
    config = closest_scrapy_cfg()
    if settings.getpriority("SQLITE_PATH") > SETTINGS_PRIORITIES["project"] or os.path.isabs(path) or not config:
        return
    root = os.path.dirname(config)
    if os.path.realpath(root) != os.path.realpath(os.getcwd()):
        settings.set("SQLITE_PATH", os.path.join(root, path), priority="project")


def _refuse(settings, message: str, log: bool = True) -> None:
    """Stop before the crawl starts with one line on stderr, and in LOG_FILE when there is one
    (a Scrapyd job's log, where whoever scheduled it looks) and ``log`` (it can be written)."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    if log and settings.get("LOG_FILE"):
        with open(settings.get("LOG_FILE"), "a", encoding="utf-8") as log:
            log.write(f"ERROR: The crawl did not start: {message}\n")
    sys.exit(1)


def _report_bad_arguments(crawler, task) -> None:
    """Say what stopped the crawl before it started (bad spider arguments, a database or JOBDIR
    it cannot use) in one line, not a traceback; a run row begun meanwhile is closed."""
    error = None if task.cancelled() else task.exception()
    if error is not None:
        _close_the_run_that_did_not_start(crawler, error)
    if isinstance(error, (ValueError, StorageError, JobdirError)):
        logger.error("The crawl did not start: %s", error)  # into LOG_FILE too (a Scrapyd job's log)
        print(f"error: {error}", file=sys.stderr)
    elif error is not None:
        raise error


def _close_the_run_that_did_not_start(crawler, error: BaseException) -> None:
    """The run's row is written as the crawl starts (the CrawlRun extension), before the
    pipelines and middlewares that may then fail: left ``running``, it would stay so until a later
    run found this process gone. A new run ends ``failed`` saying why; a resumed one is
    ``interrupted`` again, so the same command resumes it once the cause is fixed."""
    try:
        stats = crawler.stats
    except RuntimeError:  # stopped before Scrapy made its stats (a spider argument): no run was begun
        return
    run_id = stats.get_value("jobcrawler/run_id")
    if run_id is None:
        return
    status = "interrupted" if stats.get_value("jobcrawler/resumed") else "failed"
    if failure := _finish_unclosed_run(crawler.settings, run_id, {
            "finished_at": storage.utc_now(), "finish_reason": "start_error", "status": status,
            "status_reasons": [f"the crawl did not start: {error}"]}):
        logger.error("Crawl run %d could not be closed: %s", run_id, failure)  # a later run finds this process gone


def _finish_unclosed_run(settings, run_id: int, values: dict, busy_timeout: float | None = None) -> str | None:
    """Record ``values`` for a run the CrawlRun extension began but never closed, if it is still
    running; why it could not be, or None. The database is opened as the crawl opens it (its
    SQLITE_JOURNAL_MODE: a DELETE-journal file on a network folder must not turn WAL)."""
    if busy_timeout is None:
        busy_timeout = settings.getfloat("SQLITE_BUSY_TIMEOUT", storage.BUSY_TIMEOUT)
    try:
        with closing(storage.open_db(settings.get("SQLITE_PATH"), busy_timeout,
                                     settings.get("SQLITE_JOURNAL_MODE", "WAL"))) as db:
            storage.finish_run(db, run_id, values, only_if_running=True)
    except (StorageError, sqlite3.Error) as failure:  # a write of the run's left unfinished holds the lock
        return str(failure)
    return None
