"""The builtin.com spider: routes listing and detail requests, parses nothing itself."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urlparse

import scrapy
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import CloseSpider

from jobcrawler.cities import listing_url, load_cities
from jobcrawler.rendering import RENDER_MODES, configure_rendering, render_meta
from jobcrawler.items import JobItem, JobSighting
from jobcrawler.parsing.detail import has_job_posting, is_complete_document, job_id_from_url, parse_detail
from jobcrawler.parsing.listing import parse_listing
from jobcrawler.storage import fresh_job_ids


class BuiltinSpider(scrapy.Spider):
    """``scrapy crawl builtin -a city=berlin [-a query=..] [-a max_pages=50] [-a days=N]
    [-a refresh_days=7] [-a render=auto|always|never] [-a render_details=0|1]``."""

    name = "builtin"

    def __init__(self, city=None, query="AI Engineer", max_pages=50, days=None, refresh_days=7,
                 render="auto", render_details=0, **kwargs):
        super().__init__(**kwargs)
        self.render = str(render).strip().lower()
        if self.render not in RENDER_MODES:
            raise ValueError(f"-a render must be one of {', '.join(RENDER_MODES)}, got {render!r}")
        self.render_details = str(render_details).strip().lower() in ("1", "true", "yes")
        self.city_arg = (city or "").strip().lower()
        self.query = str(query).strip() or "AI Engineer"
        self.max_pages = _positive_int("max_pages", max_pages)
        self.days = None if days in (None, "") else _positive_int("days", days)
        self.refresh_days = _non_negative_int("refresh_days", refresh_days)
        self.complete_cities: set[str] = set()  # cities whose listing was read to its end
        self.listed: dict[str, set[str]] = {}  # city -> job ids its listing showed
        self.requested: set[str] = set()  # job ids whose detail page is requested this run
        self.fresh: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        known = load_cities(settings.get("CITIES_FILE"))
        if spider.city_arg == "all":
            spider.cities = list(known.values())
        elif spider.city_arg in known:
            spider.cities = [known[spider.city_arg]]
        else:
            given = f"unknown city {spider.city_arg!r}" if spider.city_arg else "no city given"
            raise ValueError(f"{given}: use -a city=<key> with one of: all, {', '.join(known)}")
        spider.base_url = settings.get("BUILTIN_BASE_URL").rstrip("/")
        spider.base_host = urlparse(spider.base_url).hostname
        spider.builtin_hosts = re.compile(settings.get("BUILTIN_HOST_PATTERN"))
        spider.can_render = configure_rendering(settings, spider.render, spider.logger)
        return spider

    @property
    def run_arguments(self) -> dict:
        return {"city": self.city_arg, "query": self.query, "max_pages": self.max_pages,
                "days": self.days, "refresh_days": self.refresh_days, "render": self.render,
                "render_details": self.render_details}

    async def start(self):
        if self.refresh_days:
            since = datetime.now(timezone.utc) - timedelta(days=self.refresh_days)
            self.fresh = fresh_job_ids(self.settings.get("SQLITE_PATH"), since)
        for city in self.cities:
            self.listed[city.key] = set()
            yield self.listing_request(city, 1, previous_ids=())

    def listing_request(self, city, page: int, previous_ids: tuple, url: str | None = None):
        meta = {"city": city, "page": page, "previous_ids": previous_ids}
        if self.render == "always":
            meta.update(render_meta())
        return scrapy.Request(
            url or listing_url(self.base_url, city, self.query, page),
            callback=self.parse_listing_page,
            errback=self.render_failed,
            meta=meta,
            priority=10,  # read listings ahead of details: they decide what exists
        )

    def parse_listing_page(self, response):
        city, page = response.meta["city"], response.meta["page"]
        self._count_rendered(response)
        listing = parse_listing(response.text, response.url)
        stats = self.crawler.stats
        stats.inc_value("listing/pages")
        if not listing.recognized:
            if self._needs_render(response):
                yield self._rendered(response)
                return
            if page == 1:
                yield from self._retry_or_fail(response, "unrecognized_listing")
                return
            self.logger.info("%s: page %d has no jobs; listing complete", city.key, page)
            self.complete_cities.add(city.key)
            return
        ids = tuple(job.job_id for job in listing.jobs)
        if ids and ids == response.meta["previous_ids"]:
            if not response.meta.get("repeat_checked"):
                stats.inc_value("listing/repeated_page_retries")
                yield response.request.replace(dont_filter=True, meta={**response.meta, "repeat_checked": True})
                return
            self.logger.warning("%s: page %d repeats page %d; stopping this listing", city.key, page, page - 1)
            stats.inc_value("listing/repeated_pages")
            self.complete_cities.add(city.key)
            return
        if not ids:
            self.complete_cities.add(city.key)
            return
        for job in listing.jobs:
            yield from self._follow_job(job, city, response)
        if page >= self.max_pages:
            self.logger.info("%s: stopped at max_pages=%d", city.key, self.max_pages)
            stats.inc_value("listing/max_pages_reached")
            return
        yield self.listing_request(city, page + 1, previous_ids=ids, url=listing.next_url)

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
        if job.job_id in self.requested or job.job_id in self.fresh:
            stats.inc_value("listing/sightings_without_fetch")
            yield JobSighting(job_id=job.job_id, city=city.key, url=job.url)
            return
        self.requested.add(job.job_id)
        meta = {"city": city.key, "job_id": job.job_id, "listing_job": job}
        if self.render == "always" and self.render_details:
            meta.update(render_meta())
        yield response.follow(job.url, callback=self.parse_detail_page, errback=self.render_failed, meta=meta)

    def parse_detail_page(self, response):
        self._count_rendered(response)
        if not has_job_posting(response.text):
            if self._needs_render(response):
                yield self._rendered(response)
                return
            yield from self._retry_or_fail(response, "no_job_posting")
            return
        if not is_complete_document(response.text):
            # Retry a page cut short; once retries are spent, store what could be read.
            retry = get_retry_request(response.request, spider=self, reason="truncated_page")
            if retry is not None:
                yield retry
                return
            self.crawler.stats.inc_value("items/stored_from_truncated_page")
        listing_job = response.meta["listing_job"]
        page = parse_detail(response.text, response.url)
        yield JobItem(
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
        return self.render == "auto" and self.can_render and not response.meta.get("playwright")

    def _rendered(self, response):
        self.crawler.stats.inc_value("render/requested")
        self.logger.info("No jobs in the plain page %s: rendering it in the browser", response.url)
        return response.request.replace(meta={**response.meta, **render_meta()})

    def render_failed(self, failure):
        """A browser that cannot start ends the crawl as failed, never as an empty success."""
        request = failure.request
        if request.meta.get("playwright"):
            self.logger.error("Rendering %s failed: %s", request.url, failure.value)
            self.crawler.stats.inc_value("render/failures")
            if not self.crawler.stats.get_value("render/pages"):
                raise CloseSpider("browser_failed")
        else:
            self.logger.error("Request %s failed: %r", request.url, failure.value)

    def _retry_or_fail(self, response, reason: str):
        """A 200 page without the expected content is a block, challenge or truncated page."""
        retry = get_retry_request(response.request, spider=self, reason=reason)
        if retry is not None:
            yield retry
            return
        self.crawler.stats.inc_value(f"retry/gave_up/{reason}")
        if reason == "unrecognized_listing":
            self.logger.error(
                "The first listing page %s shows no recognizable jobs (no job cards, no ItemList): "
                "the layout changed or the site served a block page. Stopping.", response.url)
            raise CloseSpider("unrecognized_listing")
        self.logger.error("Gave up on %s: %s", response.url, reason)


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
