"""Downloader middlewares."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.response import response_status_message

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
    The wait happens while the request still holds its download slot, so the whole host
    is left alone meanwhile, which is what a 429 asks for.
    """

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 300.0)

    def backoff_delay(self, retry_times: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.retry_after_max)
        return min(self.backoff_base * 2 ** max(retry_times - 1, 0), self.backoff_max)

    async def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            self._count_give_up(f"status_{response.status}")
            return response
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        await self._wait(retry, retry_after)
        return retry

    async def process_exception(self, request, exception, spider=None):
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is None:
            self._count_give_up(type(exception).__name__)
            return None
        await self._wait(retry, None)
        return retry

    async def _wait(self, retry, retry_after: float | None) -> None:
        delay = self.backoff_delay(retry.meta.get("retry_times", 1), retry_after)
        stats = self.crawler.stats
        stats.inc_value("retry/backoff_seconds", delay)
        if retry_after is not None:
            stats.inc_value("retry/retry_after_honoured")
        if delay > 0:
            logger.debug("Waiting %.1fs before retrying %s", delay, retry)
            await asyncio.sleep(delay)

    def _count_give_up(self, reason: str) -> None:
        self.crawler.stats.inc_value(f"retry/gave_up/{reason}")
