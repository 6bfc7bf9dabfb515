"""The builtin.com spider: routes listing and detail requests, parses nothing itself."""

from __future__ import annotations

import difflib
import logging
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urlparse

import scrapy
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import CloseSpider, DownloadCancelledError
from scrapy.spidermiddlewares.httperror import HttpError

from jobcrawler.cities import City, city_key, listing_url, load_cities
from jobcrawler.deployment import database_path
from jobcrawler.rendering import RENDER_MODES, browser_broken, configure_rendering, render_meta, rendered_request
from jobcrawler.items import JobItem, JobSighting
from jobcrawler.middlewares import GiveUp
from jobcrawler.parsing.detail import has_job_posting, is_complete_document, job_id_from_url, parse_detail
from jobcrawler.parsing.listing import parse_listing
from jobcrawler.storage import fresh_job_ids


class BuiltinSpider(scrapy.Spider):
    """``scrapy crawl builtin -a city=berlin [-a query=..] [-a max_pages=50] [-a days=N]
    [-a refresh_days=7] [-a render=auto|always|never] [-a render_details=0|1]``."""

    name = "builtin"

    def __init__(self, city=None, query="AI Engineer", max_pages=50, days=None, refresh_days=7,
                 render="auto", render_details=0, **kwargs):
        _refuse_unknown_arguments(kwargs)
        super().__init__(**kwargs)
        self.render = str(render).strip().lower()
        if self.render not in RENDER_MODES:
            raise ValueError(f"-a render must be one of {', '.join(RENDER_MODES)}, got {render!r}")
        self.render_details = _switch("render_details", render_details)
        self.city_arg = str(city or "").strip()  # as given until from_crawler names its key
        self.query = str(query).strip() or "AI Engineer"
        self.max_pages = _positive_int("max_pages", max_pages)
        self.days = None if days in (None, "") else _positive_int("days", days)
        self.refresh_days = _non_negative_int("refresh_days", refresh_days)
        self.complete_cities: set[str] = set()  # cities whose listing was read to its end
        self.listed: dict[str, set[str]] = {}  # city -> job ids its listing showed
        self.requested: set[str] = set()  # job ids whose detail page is requested this run
        self.gaps: set[str] = set()  # cities with a listing page given up on: never complete
        self.listings_ended: set[str] = set()  # cities whose listing was read as far as it goes
        self.fresh: set[str] = set()  # job ids fetched within refresh_days before this run
        self.unchanged: set[str] = set()  # fresh job ids this run listed
        # Listings of a job met while its page is being fetched: sightings once the page is read,
        # none if it is gone (404), as a crawl of each of those cities alone would find.
        self.held: dict[str, list[tuple[str, str]]] = {}
        self.gone: set[str] = set()  # jobs whose page answered 404 in this run

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        # "BERLIN", "New York": the key, in the run and the path
        spider.city_arg, spider.cities = registry_city_key(spider.city_arg, settings)
        # A pattern (runs/{city}-{date}-{job}.db) gives each scheduled crawl its own database.
        path = settings.get("SQLITE_PATH")
        resolved = database_path(path, spider.city_arg, getattr(spider, "_job", None))
        if resolved != path:
            settings.set("SQLITE_PATH", resolved, priority="cmdline")
        spider.base_url = settings.get("BUILTIN_BASE_URL").rstrip("/")
        spider.base_host = urlparse(spider.base_url).hostname
        spider.builtin_hosts = re.compile(settings.get("BUILTIN_HOST_PATTERN"))
        spider.can_render = configure_rendering(settings, spider.render, spider.logger)
        return spider

    @classmethod
    def check_arguments(cls, arguments: dict, settings) -> None:
        """Raise ValueError naming the first bad spider argument (unknown name, unknown city, a
        value of the wrong kind). ``scrapy crawl`` calls it before anything starts or is written."""
        spider = cls(**arguments)
        registry_city_key(spider.city_arg, settings)

    @property
    def run_arguments(self) -> dict:
        return {"city": self.city_arg, "query": self.query, "max_pages": self.max_pages,
                "days": self.days, "refresh_days": self.refresh_days, "render": self.render,
                "render_details": self.render_details}

    async def start(self):
        self._keep_state()
        if self.refresh_days:
            since = datetime.now(timezone.utc) - timedelta(days=self.refresh_days)
            self.fresh = fresh_job_ids(self.settings.get("SQLITE_PATH"), since)
        for city in self.cities:
            self.listed.setdefault(city.key, set())
            yield self.listing_request(city, 1, previous_ids=())

    def _keep_state(self) -> None:
        """With ``-s JOBDIR``, keep the run's bookkeeping in ``self.state``, which Scrapy saves
        when the crawl stops and restores when it resumes: a resumed crawl then fetches no job
        twice, and still knows which cities it listed completely and which jobs they showed."""
        state = getattr(self, "state", None)  # set by Scrapy's SpiderState, only with JOBDIR
        if state is None:
            return
        self.complete_cities = state.setdefault("complete_cities", self.complete_cities)
        self.listed = state.setdefault("listed", self.listed)
        self.requested = state.setdefault("requested", self.requested)
        self.gaps = state.setdefault("gaps", self.gaps)
        self.listings_ended = state.setdefault("listings_ended", self.listings_ended)
        self.held = state.setdefault("held_sightings", self.held)
        self.gone = state.setdefault("gone", self.gone)

    def listing_request(self, city, page: int, previous_ids: tuple, url: str | None = None, *,
                        promised: bool = True, after_gap: bool = False, page_size: int | None = None):
        """``promised``: the previous page linked to this one (page 1 always exists);
        ``after_gap``: the previous page was given up on; ``page_size``: jobs on a full page."""
        meta = {"city": city, "page": page, "previous_ids": previous_ids, "promised": promised,
                "after_gap": after_gap, "page_size": page_size}
        if self.render == "always":
            meta.update(render_meta())
        return scrapy.Request(
            url or listing_url(self.base_url, city, self.query, page),
            callback=self.parse_listing_page,
            errback=self.request_failed,
            meta=meta,
            priority=10,  # read listings ahead of details: they decide what exists
        )

    def parse_listing_page(self, response):
        city, page = response.meta["city"], response.meta["page"]
        self._count_rendered(response)
        listing = parse_listing(response.text, response.url)
        stats = self.crawler.stats
        stats.inc_value("listing/pages")
        stats.inc_value(f"listing/pages/{city.key}")
        if not listing.recognized:
            if self._needs_render(response):
                yield self._rendered(response)
                return
            complete = is_complete_document(response.text)
            if complete and not response.meta.get("promised"):
                # No page linked to this one: a probe past the last results, which ends the listing.
                stats.inc_value("listing/unrecognized_end_pages")
                self.logger.info("%s: page %d shows no jobs; listing complete", city.key, page)
                self._listing_complete(city)
                return
            # A block, challenge or cut-short page: retried like any failed page (see _give_up).
            yield from self._retry_or_fail(response, "unrecognized_listing" if complete else "truncated_listing")
            return
        if not is_complete_document(response.text):
            # A page cut short may lack cards and the pager: retried; once retries are spent,
            # the jobs it shows are followed but the city's listing counts as incomplete.
            retry = self._retry(response, "truncated_listing")
            if retry is not None:
                yield retry
                return
            stats.inc_value("retry/gave_up/truncated_listing")
            self.logger.error("Gave up on %s: truncated_listing", response.url)
            self.gaps.add(city.key)
        ids = tuple(job.job_id for job in listing.jobs)
        if ids and ids == response.meta["previous_ids"]:
            if not response.meta.get("repeat_checked"):
                stats.inc_value("listing/repeated_page_retries")
                yield response.request.replace(
                    dont_filter=True, meta={**response.meta, "repeat_checked": True, "dont_cache": True})
                return
            self.logger.warning("%s: page %d repeats page %d; stopping this listing", city.key, page, page - 1)
            stats.inc_value("listing/repeated_pages")
            self._end_of_listing(city, response.meta)
            return
        if not ids:
            if page == 1:  # a search gone empty more likely changed than lost every job: close none
                stats.inc_value("listing/empty_first_pages")
                self.logger.warning("%s: the first listing page %s shows no job", city.key, response.url)
                self.listings_ended.add(city.key)
                return
            self._end_of_listing(city, response.meta)
            return
        for job in listing.jobs:
            yield from self._follow_job(job, city, response)
        if page >= self.max_pages:
            self.logger.info("%s: stopped at max_pages=%d", city.key, self.max_pages)
            stats.inc_value("listing/max_pages_reached")
            self.listings_ended.add(city.key)
            return
        page_size = max(response.meta.get("page_size") or 0, len(ids))
        if not listing.next_url and len(ids) < page_size:
            # A short page that links to no next one is the last: no need to probe past it.
            self._listing_complete(city)
            return
        yield self.listing_request(city, page + 1, previous_ids=ids, url=listing.next_url,
                                   promised=bool(listing.next_url), page_size=page_size)

    def _end_of_listing(self, city, meta) -> None:
        """A page that repeats the previous one or shows no job ends the listing. If the previous
        page linked to it, jobs may lie beyond it: the listing ends, incomplete, closing nothing."""
        self.listings_ended.add(city.key)
        if meta.get("promised") and meta["page"] > 1:
            self.logger.warning("%s: page %d, linked from page %d, shows no new job: listing incomplete",
                                city.key, meta["page"], meta["page"] - 1)
            self.gaps.add(city.key)
            return
        self._listing_complete(city)

    def _listing_complete(self, city) -> None:
        """A listing read to its end. Only a complete listing closes the jobs it no longer shows,
        so a listing with a page given up on never counts as complete."""
        self.listings_ended.add(city.key)
        if city.key in self.gaps:
            self.logger.warning("%s: listing read to its end, but a page of it was lost: "
                                "no job of this city is marked closed", city.key)
            return
        self.complete_cities.add(city.key)

    def _follow_job(self, job, city, response):
        stats = self.crawler.stats
        host = urlparse(job.url).hostname or ""
        if not job.job_id or not (host == self.base_host or self.builtin_hosts.search(host)):
            stats.inc_value("listing/skipped_links")
            self.logger.warning("Not following %r (not a Built In job URL) from %s", job.url, response.url)
            return
        if job.job_id not in self.listed[city.key]:
            self.listed[city.key].add(job.job_id)
            stats.inc_value("listing/jobs")
        if job.job_id in self.held:  # its page is being fetched: the sighting waits for what it says
            stats.inc_value("listing/sightings_without_fetch")
            self.held[job.job_id].append((city.key, job.url))
            return
        if job.job_id in self.gone:  # listed, but its page is gone: no sighting, as for its first city
            stats.inc_value("listing/sightings_of_gone_jobs")
            return
        if job.job_id in self.requested or job.job_id in self.fresh:
            stats.inc_value("listing/sightings_without_fetch")
            if job.job_id in self.fresh and job.job_id not in self.unchanged:
                self.unchanged.add(job.job_id)
                stats.inc_value("listing/already_stored")  # fetched within refresh_days: not again
            yield JobSighting(job_id=job.job_id, city=city.key, url=job.url)
            return
        self.requested.add(job.job_id)
        self.held[job.job_id] = []
        meta = {"city": city.key, "job_id": job.job_id, "listing_job": job}
        if self.render == "always" and self.render_details:
            meta.update(render_meta("detail"))
        yield response.follow(job.url, callback=self.parse_detail_page, errback=self.request_failed, meta=meta)

    def parse_detail_page(self, response):
        self._count_rendered(response)
        if not has_job_posting(response.text):
            if self._needs_render(response):
                yield self._rendered(response)
                return
            complete = is_complete_document(response.text)
            page = parse_detail(response.text, response.url) if complete else None
            if page and page["description_html"]:
                # A whole job page whose JSON-LD cannot be read: a retry would not mend it, and its
                # HTML holds the posting. (Block and challenge pages have no job body.)
                self.crawler.stats.inc_value("items/without_jsonld")
                self.logger.warning("No readable JSON-LD in %s: storing what its HTML shows", response.url)
                yield from self._job_outputs(response, page)
                return
            yield from self._retry_or_fail(response, "no_job_posting" if complete else "truncated_page")
            return
        if not is_complete_document(response.text):
            # A page cut short is retried, and never stored half-read.
            yield from self._retry_or_fail(response, "truncated_page")
            return
        yield from self._job_outputs(response, parse_detail(response.text, response.url))

    def _job_outputs(self, response, page: dict):
        """The job read from the page; and when the listed job's page redirected to another job's,
        a sighting of the listed job too: it is still listed, and must not look gone."""
        item = self._job_item(response, page)
        yield item
        listed_id = response.meta["job_id"]
        for city, url in self.held.pop(listed_id, ()):  # its other listings, met while it was fetched
            yield JobSighting(job_id=listed_id, city=city, url=url)
        if item.job_id != listed_id:
            self.crawler.stats.inc_value("listing/redirected_to_other_job")
            self.logger.warning("Job %s redirected to job %s (%s)", listed_id, item.job_id, response.url)
            yield JobSighting(job_id=listed_id, city=response.meta["city"],
                              url=response.meta.get("redirect_urls", [response.url])[0])

    def _job_item(self, response, page: dict) -> JobItem:
        listing_job = response.meta["listing_job"]
        return JobItem(
            job_id=job_id_from_url(response.url) or response.meta["job_id"],
            source_url=response.url,
            city=response.meta["city"],
            query=self.query,
            listing_title=listing_job.title,
            listing_company=listing_job.company,
            **page,
        )

    def _count_rendered(self, response) -> None:
        if response.meta.get("playwright"):
            self.crawler.stats.inc_value("render/pages")

    def _needs_render(self, response) -> bool:
        """In ``auto`` mode, a plain page without recognizable jobs gets one rendered try."""
        if response.meta.get("playwright"):
            return False
        if self.render == "auto" and self.can_render:
            return True
        if not getattr(self, "_said_cannot_render", False):
            self._said_cannot_render = True
            why = "-a render=never" if self.render == "never" else "no browser"
            self.logger.log(
                logging.INFO if self.render == "never" else logging.WARNING,
                "The plain page %s shows no jobs and this run cannot render it (%s): if the site builds its "
                "results with JavaScript, crawl with -a render=auto and a browser (BROWSER_EXECUTABLE_PATH)",
                response.url, why)
        return False

    def _rendered(self, response):
        self.crawler.stats.inc_value("render/requested")
        self.logger.info("No jobs in the plain page %s: rendering it in the browser", response.url)
        return rendered_request(response.request, "detail" if "job_id" in response.meta else "listing")

    def render_failed(self, failure):
        """A browser that cannot start ends the crawl as failed, never as an empty success."""
        request = failure.request
        if request.meta.get("playwright"):
            self.logger.error("Rendering %s failed: %s", request.url, failure.value)
            self.crawler.stats.inc_value("render/failures")
            if browser_broken(failure, self.crawler.stats):
                raise CloseSpider("browser_failed")
        elif not (failure.check(GiveUp) and failure.value.reason == "site_unreachable"):  # said once already
            self.logger.error("Request %s failed: %r", request.url, failure.value)

    def _retry(self, response, reason: str):
        """A retry of a 200 page that lacked its content, or None once retries are spent. The
        retry bypasses the HTTP cache, which holds the bad page under the same fingerprint."""
        retry = get_retry_request(response.request, spider=self, reason=reason)
        if retry is not None:
            retry.meta["dont_cache"] = True
        return retry

    def _retry_or_fail(self, response, reason: str):
        """A 200 page without the expected content is a block, challenge or truncated page."""
        retry = self._retry(response, reason)
        if retry is not None:
            yield retry
            return
        meta = response.meta
        if "job_id" not in meta and meta["page"] == 1:
            self.crawler.stats.inc_value(f"retry/gave_up/{reason}")
            self.logger.error(
                "The first listing page %s shows no recognizable jobs (no job cards, no ItemList): "
                "the layout changed or the site served a block page. Stopping.", response.url)
            raise CloseSpider("unrecognized_listing")
        self.logger.error("Gave up on %s: %s", response.url, reason)
        yield from self._give_up(response.request, reason)

    def request_failed(self, failure):
        """Errback of every request: a request given up on (retries spent, 404, dropped...)."""
        self.render_failed(failure)  # logs it; a browser that cannot start stops the crawl
        yield from self._give_up(failure.request, _failure_reason(failure))

    def _give_up(self, request, reason: str):
        """Count a request given up on by its reason (once: the retry middleware may have), and
        limit the damage: a lost listing page makes its city's listing incomplete (so none of
        its jobs is closed) and the listing goes on past it; a job whose page could not be read
        is still recorded as listed (in every city that listed it), unless its page is gone (404)."""
        meta = request.meta
        if not meta.get("jobcrawler_gave_up"):
            meta["jobcrawler_gave_up"] = reason
            self.crawler.stats.inc_value(f"retry/gave_up/{reason}")
        if "job_id" in meta:
            held = self.held.pop(meta["job_id"], [])
            if reason == "status_404":
                self.gone.add(meta["job_id"])
                return
            yield JobSighting(job_id=meta["job_id"], city=meta["city"], url=request.url)
            for city, url in held:
                yield JobSighting(job_id=meta["job_id"], city=city, url=url)
            return
        city, page = meta["city"], meta["page"]
        self.gaps.add(city.key)
        if not meta.get("after_gap") and page < self.max_pages:
            yield self.listing_request(city, page + 1, previous_ids=(), promised=False, after_gap=True)
        else:
            self.listings_ended.add(city.key)


def registry_city_key(city_arg: str, settings) -> tuple[str, list[City]]:
    """The key ``-a city=`` names (``all``, or one of the registry's, in any case or by the city's
    name: ``cities.city_key``) and the cities it stands for; ValueError listing the keys when it
    names none."""
    known = load_cities(settings.get("CITIES_FILE"))
    key = city_key(city_arg, ["all", *known], known)
    if key is None:
        given = f"unknown city {city_arg!r}" if city_arg else "no city given"
        raise ValueError(f"{given}: use -a city=<key> with one of: all, {', '.join(known)}")
    return key, list(known.values()) if key == "all" else [known[key]]


SPIDER_ARGUMENTS = ("city", "query", "max_pages", "days", "refresh_days", "render", "render_details")


def _refuse_unknown_arguments(kwargs: dict) -> None:
    """A mistyped ``-a max_page=1`` would otherwise be kept as an attribute no one reads, and the
    crawl run without it. Scrapyd's own arguments (``_job``, ``_version``...) start with ``_``."""
    unknown = sorted(name for name in kwargs if not name.startswith("_"))
    if not unknown:
        return
    name = unknown[0]
    close = difflib.get_close_matches(name, SPIDER_ARGUMENTS, n=1)
    hint = f"did you mean -a {close[0]}? " if close else ""
    raise ValueError(f"unknown spider argument -a {name}: {hint}(known: {', '.join(SPIDER_ARGUMENTS)})")


def _failure_reason(failure) -> str:
    """``status_404``-style for HTTP errors; the middlewares' reason for a request they gave up
    (redirect_loop, size_limit...); ``size_limit`` for a download Scrapy cancelled (its HTTP
    handlers cancel one only past DOWNLOAD_MAXSIZE); else the exception's name (as the retry
    middleware)."""
    if failure.check(HttpError):
        return f"status_{failure.value.response.status}"
    if failure.check(GiveUp):
        return failure.value.reason
    if failure.check(DownloadCancelledError):
        return "size_limit"
    return type(failure.value).__name__


def _switch(name: str, value) -> bool:
    """An on/off spider argument: ``maybe`` (or ``2``) was read as off, silently."""
    text = str(value).strip().lower()
    if text not in ("0", "1", "true", "false", "yes", "no"):
        raise ValueError(f"-a {name} must be 0 or 1, got {value!r}")
    return text in ("1", "true", "yes")


def _positive_int(name: str, value) -> int:
    number = _non_negative_int(name, value)
    if number < 1:
        raise ValueError(f"-a {name} must be at least 1, got {value!r}")
    return number


def _non_negative_int(name: str, value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"-a {name} must be a whole number, got {value!r}") from None
    if number < 0:
        raise ValueError(f"-a {name} must not be negative, got {value!r}")
    return number
