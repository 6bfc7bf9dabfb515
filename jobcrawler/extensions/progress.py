"""What a crawl is doing, on the terminal: per city, every ``PROGRESS_INTERVAL`` seconds.

Replaces Scrapy's once-a-minute LogStats line, whose "items" count sightings too and so ends
above the number of jobs. Printed to stderr whatever ``LOG_LEVEL`` is (``make demo`` logs only
warnings), since a person waiting for a crawl wants to see it move.
"""

from __future__ import annotations

import ipaddress
import logging
import sys
import time
from collections import Counter
from urllib.parse import urlparse

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from jobcrawler.items import JobSighting

logger = logging.getLogger(__name__)


class Progress:
    def __init__(self, crawler, interval: float, stream=None):
        self.crawler = crawler
        self.interval = interval
        self.stream = stream or sys.stderr
        self.fetched: Counter = Counter()  # city -> jobs read from their pages and handed to the store
        self.seen_again: Counter = Counter()  # city -> listings of jobs stored already (not fetched again)
        self.dropped: Counter = Counter()
        self.started = time.monotonic()
        self.last = (self.started, 0)  # (when, responses then): the recent rate, for the ETA
        self.shown: dict[str, str] = {}  # city -> its line last printed: a city that did not move is not repeated
        self.loop = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        return cls(crawler, interval)

    def spider_opened(self, spider):
        warn_if_polite_to_loopback(self.crawler.settings, getattr(spider, "base_url", ""), self.stream)
        self.loop = task.LoopingCall(self.report, spider)
        self.loop.start(self.interval, now=False)

    def spider_closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()

    def item_scraped(self, item, response, spider):
        city = ItemAdapter(item).get("city")
        (self.seen_again if isinstance(item, JobSighting) else self.fetched)[city] += 1

    def item_dropped(self, item, response, exception, spider):
        self.dropped[ItemAdapter(item).get("city")] += 1

    def report(self, spider) -> None:
        for line in self.lines(spider):
            print(line, file=self.stream, flush=True)

    def lines(self, spider) -> list[str]:
        """One line per city that moved since the last report, then the whole crawl with its ETA."""
        stats = self.crawler.stats
        lines = []
        for city_key, listed in getattr(spider, "listed", {}).items():
            pages = stats.get_value(f"listing/pages/{city_key}", 0)
            if not pages:
                continue
            if city_key in spider.complete_cities:
                state = "listing complete"
            elif city_key in spider.listings_ended:
                state = "listing incomplete"
            else:
                state = "reading the listing"
            line = (f"  {city_key}: {pages} listing pages, {len(listed)} jobs listed, {self.fetched[city_key]} "
                    f"fetched, {self.seen_again[city_key]} already stored, {self.dropped[city_key]} dropped; {state}")
            if self.shown.get(city_key) != line:
                self.shown[city_key] = line
                lines.append(line)
        now = time.monotonic()
        responses = stats.get_value("response_received_count", 0)
        total = (f"crawl: {responses} pages fetched, {stats.get_value('items/stored', 0)} jobs stored "
                 f"in {_duration(now - self.started)}")
        waiting = self._requests_waiting()
        cities = getattr(spider, "cities", ())
        if waiting is not None and cities and len(spider.listings_ended) >= len(cities):
            when, before = self.last
            rate = (responses - before) / (now - when) if now > when else 0
            total += f"; {waiting} pages to go" + (f", about {_duration(waiting / rate)} left" if rate > 0 else "")
        self.last = (now, responses)
        return [*lines, total]

    def _requests_waiting(self) -> int | None:
        engine = self.crawler.engine
        try:
            return len(engine._slot.scheduler) + len(engine.downloader.active)
        except (AttributeError, TypeError):  # not running, or a scheduler without a length
            return None


def warn_if_polite_to_loopback(settings, base_url: str, stream) -> None:
    """Crawling the local replay site with builtin.com's polite delays takes minutes for what
    takes seconds: say how to crawl it fast."""
    host = urlparse(base_url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if loopback and (settings.getfloat("DOWNLOAD_DELAY") > 0 or settings.getbool("AUTOTHROTTLE_ENABLED")):
        throttle = "on" if settings.getbool("AUTOTHROTTLE_ENABLED") else "off"
        print(f"note: {base_url} is this machine, crawled with polite delays (DOWNLOAD_DELAY="
              f"{settings.getfloat('DOWNLOAD_DELAY')}, AutoThrottle {throttle}); "
              "add -s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=0 to crawl it fast", file=stream, flush=True)


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
