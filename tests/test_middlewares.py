"""BackoffRetryMiddleware in isolation: Retry-After, exponential backoff, host pauses, give-ups."""

from __future__ import annotations

import email.utils
import gzip
import time
import zlib

import brotli
import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from twisted.internet.error import TimeoutError as TxTimeoutError

from jobcrawler.middlewares import (
    BackoffRetryMiddleware,
    GiveUp,
    GiveUpRedirectMiddleware,
    SizeLimitedCompressionMiddleware,
    retry_after_seconds,
)

pytestmark = pytest.mark.anyio


def middleware(**settings) -> BackoffRetryMiddleware:
    crawler = get_crawler(Spider, settings_dict={"RETRY_TIMES": 2, "RETRY_BACKOFF_BASE": 0.0, **settings})
    crawler.spider = crawler._create_spider("test")
    return BackoffRetryMiddleware.from_crawler(crawler)


def response(request: Request, status: int, **headers) -> Response:
    return Response(request.url, status=status, headers=headers, request=request)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (b"", None),
        ("   ", None),
        ("7", 7.0),
        (b" 12 ", 12.0),
        ("1.5", 1.5),
        ("-3", 0.0),  # a negative delay is no delay
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # a date in the past
    ],
)
def test_retry_after_seconds(value, expected):
    assert retry_after_seconds(value) == expected


def test_retry_after_http_date_in_the_future():
    now = 1_700_000_000.0
    header = email.utils.formatdate(now + 90, usegmt=True)
    assert retry_after_seconds(header, now=now) == pytest.approx(90, abs=1)


def test_backoff_delay_is_exponential_capped_and_retry_after_wins():
    mw = middleware(RETRY_BACKOFF_BASE=1.0, RETRY_BACKOFF_MAX=5.0, RETRY_AFTER_MAX=30.0)
    assert [mw.backoff_delay(n, None) for n in (1, 2, 3, 4, 5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert mw.backoff_delay(4, 2.0) == 2.0
    assert mw.backoff_delay(1, 3600.0) == 30.0


async def test_429_waits_the_retry_after_then_returns_the_retry():
    mw = middleware()
    request = Request("http://a.test/job/x/1")
    started = time.monotonic()
    retry = await mw.process_response(request, response(request, 429, **{"Retry-After": "0.3"}))
    assert time.monotonic() - started >= 0.3
    assert isinstance(retry, Request) and retry.url == request.url and retry.meta["retry_times"] == 1
    stats = mw.crawler.stats.get_stats()
    assert stats["retry/retry_after_honoured"] == 1 and stats["retry/backoff_seconds"] == pytest.approx(0.3)


async def test_retry_after_pauses_the_whole_host_but_not_others():
    mw = middleware()
    faulted = Request("http://a.test/job/x/1")
    other_on_host = Request("http://a.test/job/y/2")
    other_host = Request("http://b.test/job/z/3")
    await mw.process_response(faulted, response(faulted, 429, **{"Retry-After": "0.4"}))
    started = time.monotonic()
    assert await mw.process_request(other_host) is None
    assert time.monotonic() - started < 0.1
    # The pause started with the 429 and ran while process_response waited: nearly over now.
    mw.paused_until["a.test"] = time.monotonic() + 0.3
    started = time.monotonic()
    assert await mw.process_request(other_on_host) is None
    assert time.monotonic() - started >= 0.29
    assert mw.crawler.stats.get_value("retry/host_paused_requests") == 1


async def test_retry_after_is_capped_by_setting():
    mw = middleware(RETRY_AFTER_MAX=0.1)
    request = Request("http://a.test/x")
    started = time.monotonic()
    await mw.process_response(request, response(request, 503, **{"Retry-After": "100"}))
    assert time.monotonic() - started < 1.0


async def test_without_retry_after_the_backoff_grows():
    mw = middleware(RETRY_BACKOFF_BASE=0.05, RETRY_TIMES=3)
    request = Request("http://a.test/x")
    waits = []
    for _ in range(3):
        started = time.monotonic()
        request = await mw.process_response(request, response(request, 503))
        waits.append(time.monotonic() - started)
    assert waits[0] >= 0.05 and waits[1] >= 0.1 and waits[2] >= 0.2
    assert mw.crawler.stats.get_value("retry/backoff_seconds") == pytest.approx(0.35)


async def test_give_up_is_counted_once_by_reason_and_marked_on_the_request():
    mw = middleware(RETRY_TIMES=1)
    request = Request("http://a.test/x")
    retry = await mw.process_response(request, response(request, 503))
    final = response(retry, 503)
    assert await mw.process_response(retry, final) is final
    assert retry.meta["jobcrawler_gave_up"] == "status_503"
    assert mw.crawler.stats.get_value("retry/gave_up/status_503") == 1


async def test_statuses_not_retried_pass_through():
    mw = middleware()
    request = Request("http://a.test/x")
    for status in (200, 404, 403):
        page = response(request, status)
        assert await mw.process_response(request, page) is page
    request = Request("http://a.test/y", meta={"dont_retry": True})
    page = response(request, 503)
    assert await mw.process_response(request, page) is page
    assert not any(key.startswith("retry/") for key in mw.crawler.stats.get_stats())


async def test_exceptions_retried_then_given_up_by_name():
    mw = middleware(RETRY_TIMES=1)
    request = Request("http://a.test/x")
    retry = await mw.process_exception(request, TxTimeoutError())
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1
    assert await mw.process_exception(retry, TxTimeoutError()) is None
    assert mw.crawler.stats.get_value("retry/gave_up/TimeoutError") == 1
    assert await mw.process_exception(Request("http://a.test/z"), IgnoreRequest()) is None  # not retryable


async def test_spider_scheduled_retry_backs_off_once():
    """A retry the spider made itself (get_retry_request on a 200 block page) waits before download;
    one this middleware made has waited already and is not held twice."""
    mw = middleware(RETRY_BACKOFF_BASE=0.2)
    own = Request("http://a.test/x", meta={"retry_times": 2})
    started = time.monotonic()
    await mw.process_request(own)
    assert time.monotonic() - started >= 0.4  # 0.2 * 2**(2-1)
    started = time.monotonic()
    await mw.process_request(own)  # the same request again (e.g. after a redirect): no second wait
    assert time.monotonic() - started < 0.1
    request = Request("http://a.test/y")
    retry = await mw.process_response(request, response(request, 500))
    started = time.monotonic()
    await mw.process_request(retry)
    assert time.monotonic() - started < 0.1


async def test_a_shorter_retry_after_does_not_shorten_a_longer_pause():
    mw = middleware()
    long_pause = time.monotonic() + 10
    mw.paused_until["a.test"] = long_pause
    request = Request("http://a.test/1")
    await mw.process_response(request, response(request, 429, **{"Retry-After": "0.1"}))
    assert mw.paused_until["a.test"] == long_pause
    other = Request("http://b.test/1")
    await mw.process_response(other, response(other, 429, **{"Retry-After": "0.1"}))
    assert time.monotonic() - 0.2 < mw.paused_until["b.test"] <= time.monotonic()


async def test_retries_honour_scrapy_meta_keys_and_stats():
    """What Scrapy's RetryMiddleware does, kept now that retries go through get_retry_request:
    per-request max_retry_times and priority_adjust, RETRY_PRIORITY_ADJUST, and its stats."""
    mw = middleware(RETRY_TIMES=1, RETRY_PRIORITY_ADJUST=-3)
    request = Request("http://a.test/x", priority=10, meta={"max_retry_times": 3})
    for attempt in (1, 2, 3):
        request = await mw.process_response(request, response(request, 503))
        assert isinstance(request, Request) and request.meta["retry_times"] == attempt
        assert request.dont_filter and request.priority == 10 - 3 * attempt
    final = response(request, 503)
    assert await mw.process_response(request, final) is final
    adjusted = await mw.process_response(
        Request("http://a.test/y", priority=5, meta={"priority_adjust": 2}), response(request, 500))
    assert adjusted.priority == 7
    stats = mw.crawler.stats.get_stats()
    assert stats["retry/count"] == 4
    assert stats["retry/reason_count/503 Service Unavailable"] == 3
    assert stats["retry/reason_count/500 Internal Server Error"] == 1
    assert stats["retry/max_reached"] == 1 and stats["retry/gave_up/status_503"] == 1


async def test_exception_retries_are_counted_by_exception_path():
    mw = middleware()
    request = Request("http://a.test/x")
    await mw.process_exception(request, TxTimeoutError())
    assert mw.crawler.stats.get_value("retry/reason_count/twisted.internet.error.TimeoutError") == 1


def redirect_middleware(**settings) -> GiveUpRedirectMiddleware:
    crawler = get_crawler(Spider, settings_dict=settings)
    crawler.spider = crawler._create_spider("test")
    return GiveUpRedirectMiddleware.from_crawler(crawler)


def redirect(request: Request, location: str) -> Response:
    return Response(request.url, status=302, headers={"Location": location}, request=request)


def test_a_redirect_back_into_its_own_chain_is_given_up_as_a_loop():
    mw = redirect_middleware()
    a = Request("http://a.test/job/x/1", dont_filter=True)  # a retry: the dupefilter never sees it
    b = mw.process_response(a, redirect(a, "/job/x/1?step=b"))
    assert isinstance(b, Request) and b.url == "http://a.test/job/x/1?step=b"
    with pytest.raises(GiveUp) as given_up:
        mw.process_response(b, redirect(b, "http://a.test/job/x/1"))
    assert given_up.value.reason == "redirect_loop"
    with pytest.raises(GiveUp):  # to itself, with a fragment (the same page for the dupefilter too)
        mw.process_response(a, redirect(a, "/job/x/1#top"))


def test_too_many_redirects_are_given_up_by_name():
    mw = redirect_middleware(REDIRECT_MAX_TIMES=2)
    request = Request("http://a.test/0")
    for hop in (1, 2):
        request = mw.process_response(request, redirect(request, f"/{hop}"))
    with pytest.raises(GiveUp) as given_up:
        mw.process_response(request, redirect(request, "/3"))
    assert given_up.value.reason == "too_many_redirects"


def test_a_redirect_the_dupefilter_drops_comes_back_to_be_given_up():
    mw = redirect_middleware()
    sent = []
    mw.crawler.engine = type("Engine", (), {"crawl": staticmethod(sent.append)})()
    a = Request("http://a.test/job/x/1", errback=lambda failure: None)
    target = mw.process_response(a, redirect(a, "/jobs"))
    mw.request_dropped(target)
    mw.request_dropped(Request("http://a.test/jobs?page=1", errback=lambda failure: None))  # no redirect
    mw.request_dropped(Request("http://a.test/jobs", meta={"redirect_urls": ["http://a.test/y"]}))  # no errback
    assert len(sent) == 1 and sent[0].dont_filter and sent[0].url == "http://a.test/jobs"
    with pytest.raises(GiveUp) as given_up:
        mw.process_request(sent[0])
    assert given_up.value.reason == "duplicate_after_redirect"
    assert mw.process_request(a) is None and mw.process_request(target) is None
    mw.request_dropped(sent[0])  # dropped again (it cannot be: dont_filter): not re-sent
    assert len(sent) == 1


COMPRESSIONS = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}


@pytest.mark.parametrize("encoding", list(COMPRESSIONS))
def test_decompression_stops_at_the_size_limit_and_gives_up(encoding):
    crawler = get_crawler(Spider, settings_dict={"DOWNLOAD_MAXSIZE": 2**20})
    mw = SizeLimitedCompressionMiddleware.from_crawler(crawler)
    request = Request("http://a.test/x")
    compress = COMPRESSIONS[encoding]
    bomb = compress(b" " * (64 * 2**20))
    page = Response(request.url, body=bomb, headers={"Content-Encoding": encoding}, request=request)
    with pytest.raises(GiveUp) as given_up:
        mw.process_response(request, page)
    assert given_up.value.reason == "size_limit"
    small = Response(request.url, body=compress(b"<html></html>"), headers={"Content-Encoding": encoding},
                     request=request)
    assert mw.process_response(request, small).body == b"<html></html>"
