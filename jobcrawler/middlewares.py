"""Downloader middlewares."""

from __future__ import annotations

import asyncio
import email.utils
import itertools
import logging
import re
import time
from urllib.parse import urlsplit, urlunsplit

from scrapy import Request, signals
from scrapy.core.downloader.handlers.http11 import TunnelError
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError, IgnoreRequest, NotConfigured
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message
from twisted.internet.error import ConnectionRefusedError as TwistedConnectionRefusedError
from twisted.internet.error import DNSLookupError
from w3lib.url import canonicalize_url

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    value = value.strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, waiting before each one.

    Scrapy's RetryMiddleware ignores ``Retry-After`` and retries at once. Here a retried
    status waits what the server asks (capped by ``RETRY_AFTER_MAX``) or, without the
    header, ``RETRY_BACKOFF_BASE * 2**(n-1)`` seconds (capped by ``RETRY_BACKOFF_MAX``).
    A ``Retry-After`` pauses the whole host, which is what a 429 asks for: every request to
    it waits here until the pause is over (Scrapy frees the download slot before this
    middleware sees the response, so holding the slot would not do it).
    """

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 300.0)
        self.paused_until: dict[str, float] = {}  # host -> time.monotonic() its Retry-After ends

    def backoff_delay(self, retry_times: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.retry_after_max)
        return min(self.backoff_base * 2 ** max(retry_times - 1, 0), self.backoff_max)

    async def process_request(self, request, spider=None):
        """Hold a request to a host paused by a ``Retry-After``; and back off before a retry the
        spider scheduled itself (a 200 block, challenge or cut-short page, via
        ``get_retry_request``) as before one decided here."""
        host = urlparse_cached(request).hostname or ""
        pause = self.paused_until.get(host, 0.0) - time.monotonic()
        if pause > 0:
            self.crawler.stats.inc_value("retry/host_paused_requests")
            await asyncio.sleep(pause)
        retry_times = request.meta.get("retry_times", 0)
        if retry_times and request.meta.get("backoff_done") != retry_times:
            request.meta["backoff_done"] = retry_times
            await self._wait(request, None)
        return None

    async def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry_request(request, response_status_message(response.status))
        if retry is None:
            self._count_give_up(request, f"status_{response.status}")
            return response
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        if retry_after:
            host = urlparse_cached(request).hostname or ""
            until = time.monotonic() + min(retry_after, self.retry_after_max)
            self.paused_until[host] = max(self.paused_until.get(host, 0.0), until)
        await self._wait(retry, retry_after)
        return retry

    async def process_exception(self, request, exception, spider=None):
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry_request(request, exception)
        if retry is None:
            self._count_give_up(request, type(exception).__name__)
            return None
        await self._wait(retry, None)
        return retry

    def _retry_request(self, request, reason):
        """The retry of ``request``, or None once its retries are spent: Scrapy's public
        ``get_retry_request`` with the per-request meta keys its RetryMiddleware honours."""
        meta = request.meta
        return get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=reason,
            max_retry_times=meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=meta.get("priority_adjust", self.priority_adjust),
            give_up_log_level=meta.get("give_up_log_level", self.give_up_log_level),
        )

    async def _wait(self, retry, retry_after: float | None) -> None:
        retry.meta["backoff_done"] = retry.meta.get("retry_times", 1)
        delay = self.backoff_delay(retry.meta.get("retry_times", 1), retry_after)
        stats = self.crawler.stats
        stats.inc_value("retry/backoff_seconds", delay)
        if retry_after is not None:
            stats.inc_value("retry/retry_after_honoured")
        if delay > 0:
            logger.debug("Waiting %.1fs before retrying %s", delay, retry)
            await asyncio.sleep(delay)

    def _count_give_up(self, request, reason: str) -> None:
        """Counted here, once: the spider's errback sees the mark and does not count it again."""
        request.meta["jobcrawler_gave_up"] = reason
        self.crawler.stats.inc_value(f"retry/gave_up/{reason}")


class GiveUp(IgnoreRequest):
    """A request the crawl gives up on, with the reason the spider's errback counts it under
    (``retry/gave_up/<reason>``). Not retried: retrying would end the same way."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class GiveUpRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirects, where a redirect that cannot end in a page gives the request up by
    name, through its errback.

    Scrapy itself ends a long chain with a bare IgnoreRequest, and sends a redirect to a URL
    already fetched (a loop, A -> B -> A, or many jobs redirected to one page) to the
    dupefilter, which drops it without calling any errback: the request vanished, and a listed
    job whose page did that looked gone. Here a loop is caught before the dupefilter
    (``redirect_loop``, also for retried requests the dupefilter never filters), a chain past
    ``REDIRECT_MAX_TIMES`` is ``too_many_redirects``, and a redirect the dupefilter drops comes
    back, marked, so that ``process_request`` gives it up as ``duplicate_after_redirect``.
    """

    DROPPED = "jobcrawler_dropped_redirect"  # meta key: why a re-sent dropped redirect is given up

    @classmethod
    def from_crawler(cls, crawler):
        middleware = super().from_crawler(crawler)
        crawler.signals.connect(middleware.request_dropped, signal=signals.request_dropped)
        return middleware

    def process_request(self, request, spider=None):
        reason = request.meta.get(self.DROPPED)
        if reason:
            raise GiveUp(reason, f"{request.url} was fetched already; redirected from "
                                 f"{request.meta['redirect_urls'][0]}")
        return None

    def process_response(self, request, response, spider=None):
        try:
            result = super().process_response(request, response)
        except IgnoreRequest as error:  # the only one it raises: REDIRECT_MAX_TIMES reached
            raise GiveUp("too_many_redirects", f"{request.url}: {error}") from error
        if isinstance(result, Request):
            chain = {canonicalize_url(url) for url in (*request.meta.get("redirect_urls", ()), request.url)}
            if canonicalize_url(result.url) in chain:
                raise GiveUp("redirect_loop", f"{request.url} redirects back to {result.url}")
        return result

    def request_dropped(self, request, spider=None):
        """The dupefilter dropped a redirect: send the request back past it, to be given up
        through its errback (a signal handler cannot hand the pipelines the job's sighting)."""
        if "redirect_urls" not in request.meta or request.errback is None or self.DROPPED in request.meta:
            return
        self.crawler.engine.crawl(
            request.replace(dont_filter=True, meta={**request.meta, self.DROPPED: "duplicate_after_redirect"}))


class SizeLimitedCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, which stops at ``DOWNLOAD_MAXSIZE`` (a gzip bomb inflates no
    further than that); a page it stops is given up as ``size_limit``, like a download that
    passed the limit, rather than as a bare IgnoreRequest."""

    def process_response(self, request, response, spider=None):
        try:
            return super().process_response(request, response)
        except IgnoreRequest as error:  # the only one it raises: DOWNLOAD_MAXSIZE passed
            raise GiveUp("size_limit", str(error)) from error


# --- Proxies and a site that cannot be reached ------------------------------------------------

def masked(proxy_url: str) -> str:
    """A proxy URL fit to print: its password replaced by ``***``."""
    parts = urlsplit(proxy_url)
    if parts.password is None:
        return proxy_url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def configured_proxies(settings) -> list[str]:
    """``PROXY_LIST`` (rotated per request), else ``PROXY_URL``, else none. A proxy URL that is
    not ``http(s)://[user:password@]host:port`` is a ValueError naming it (password masked)."""
    proxies = [url.strip() for url in settings.getlist("PROXY_LIST") if url.strip()]
    if not proxies and (settings.get("PROXY_URL") or "").strip():
        proxies = [settings.get("PROXY_URL").strip()]
    for url in proxies:
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            port = None
        if parts.scheme not in ("http", "https") or not parts.hostname or not port:
            raise ValueError(f"proxy {masked(url)!r} is not http(s)://[user:password@]host:port")
    return proxies


class ProxyMiddleware:
    """Sends every request through ``PROXY_URL``, or through the proxies of ``PROXY_LIST`` in
    turn (a residential pool: each request, retries included, takes the next one). Scrapy's
    HttpProxyMiddleware then turns a URL's user and password into a Proxy-Authorization header;
    a rendered request gets the browser context of the same proxy (``playwright_context``,
    see ``rendering.proxy_contexts``). Without either setting, Scrapy's own reading of the
    ``http_proxy`` / ``https_proxy`` environment variables applies."""

    def __init__(self, proxies: list[str]):
        self.proxies = proxies
        self.turn = itertools.cycle(range(len(proxies)))

    @classmethod
    def from_crawler(cls, crawler):
        proxies = configured_proxies(crawler.settings)
        if not proxies:
            raise NotConfigured
        return cls(proxies)

    def process_request(self, request, spider=None):
        index = next(self.turn)
        request.meta["proxy"] = self.proxies[index]
        if request.meta.get("playwright"):
            request.meta["playwright_context"] = f"proxy{index}"


class UnreachableSiteMiddleware:
    """Stops the crawl in one line when the site or its proxy cannot be reached at all, rather
    than after minutes of retries and tracebacks ending in "no job was listed".

    Before any response came back, a DNS failure or a refused connection is no passing trouble
    (no network, a mistyped host, a proxy that is down); a proxy that refuses its credentials
    (407, or a refused CONNECT tunnel) never is. Once the site has answered, such errors are left
    to the retries. The run ends ``failed`` with finish reason ``site_unreachable``."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.proxies = configured_proxies(crawler.settings)
        self.answered = False
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        if response.status == 407:
            self._stop(request, "407 Proxy Authentication Required (check the user and password of the proxy URL)")
        self.answered = True
        return response

    def process_exception(self, request, exception, spider=None):
        if isinstance(exception, TunnelError):
            self._stop(request, f"the proxy refused the connection: {_tunnel_status(exception)}")
        if self.answered:
            return None
        if isinstance(exception, (DNSLookupError, CannotResolveHostError)):
            self._stop(request, "DNS lookup failed" + (" at the proxy" if self._proxy(request) else ""))
        if isinstance(exception, _REFUSED):
            self._stop(request, "connection refused")
        return None

    def _proxy(self, request) -> str | None:
        """The proxy the request went through, as configured (Scrapy moves its credentials out
        of the request's meta)."""
        used = request.meta.get("_auth_proxy") or request.meta.get("proxy")
        if not used:
            return None
        server = urlsplit(used)
        for url in self.proxies:
            if (urlsplit(url).hostname, urlsplit(url).port) == (server.hostname, server.port):
                return url
        return used

    def _stop(self, request, why: str):
        if not self.stopping:
            self.stopping = True
            host = urlparse_cached(request).hostname
            proxy = self._proxy(request)
            via = f" through the proxy {masked(proxy)}" if proxy else ""
            cities = ", ".join(city.key for city in getattr(self.crawler.spider, "cities", ())) or "no city"
            logger.error("Cannot reach %s%s: %s; stopping the crawl of %s", host, via, why, cities)
            self.crawler.stats.set_value("jobcrawler/unreachable", f"cannot reach {host}{via}: {why}")
            asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="site_unreachable"))
        raise GiveUp("site_unreachable", why)


_REFUSED = (DownloadConnectionRefusedError, TwistedConnectionRefusedError, ConnectionRefusedError)


def _tunnel_status(error: TunnelError) -> str:
    """'407 Proxy Authentication Required' out of Scrapy's TunnelError text, else its text."""
    found = re.search(r"'status': (\d+), 'reason': b?'([^']*)'", str(error))
    return f"{found.group(1)} {found.group(2)}" if found else str(error)
