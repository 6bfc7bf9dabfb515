"""When and how a page is rendered in a real browser (scrapy-playwright)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import urllib.request
from urllib.parse import unquote, urlsplit

from scrapy_playwright.page import PageMethod

from jobcrawler.middlewares import configured_proxies

RENDER_MODES = ("auto", "always", "never")
PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"


def configure_rendering(settings, mode: str, logger: logging.LoggerAdapter | logging.Logger) -> bool:
    """Install Playwright's download handlers when this run may render; say whether it can.

    ``never`` installs nothing. ``always`` without a browser is an error before the crawl
    starts. ``auto`` without a browser crawls plain HTTP and warns; a page that would have
    needed the browser then fails the run as an unrecognized page.
    """
    if mode == "never":
        return False
    executable = settings.get("BROWSER_EXECUTABLE_PATH") or None
    if executable and not os.access(executable, os.X_OK):
        if mode == "always":
            raise ValueError(
                f"-a render=always needs a browser, and there is none at {executable}: install it "
                "(apt-get install chromium) or set -s BROWSER_EXECUTABLE_PATH=/path/to/chromium")
        logger.warning("No browser at %s: pages that need JavaScript cannot be rendered in this run", executable)
        return False
    handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))
    handlers.update(http=PLAYWRIGHT_HANDLER, https=PLAYWRIGHT_HANDLER)
    settings.set("DOWNLOAD_HANDLERS", handlers, priority="spider")
    launch = dict(settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"))
    if executable:
        launch["executable_path"] = executable
    if os.geteuid() != 0:  # Chromium refuses its sandbox only as root: keep it everywhere else
        launch["args"] = [arg for arg in launch.get("args", []) if arg != "--no-sandbox"]
    contexts = proxy_contexts(settings)
    if contexts:
        # Chromium takes a context's proxy only if it was launched with one; each context overrides it.
        launch["proxy"] = contexts["proxy0"]["proxy"]
        settings.set("PLAYWRIGHT_CONTEXTS", {**settings.getdict("PLAYWRIGHT_CONTEXTS"), **contexts}, priority="spider")
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch, priority="spider")
    return True


def proxy_contexts(settings) -> dict:
    """One browser context per proxy of ``PROXY_URL`` / ``PROXY_LIST`` (``proxy0``, ``proxy1``...),
    so a rendered page goes through the proxy ProxyMiddleware picked for its request. Without
    either setting, the browser uses the proxy of the ``https_proxy`` / ``http_proxy`` environment
    variables that plain downloads use."""
    proxies = configured_proxies(settings)
    if not proxies:
        from_environment = urllib.request.getproxies()
        scheme = urlsplit(settings.get("BUILTIN_BASE_URL")).scheme
        proxies = [from_environment[scheme]] if from_environment.get(scheme) else []
    contexts = {}
    for index, url in enumerate(proxies):
        parts = urlsplit(url)
        proxy = {"server": f"{parts.scheme}://{parts.hostname}:{parts.port}"}
        if parts.username:
            proxy.update(username=unquote(parts.username), password=unquote(parts.password or ""))
        contexts[f"proxy{index}"] = {"proxy": proxy}
    return contexts


def browser_broken(failure, stats) -> bool:
    """Whether a failed rendered download means the browser cannot work in this run.

    It is when the browser never launched (not a browser, missing libraries, sandbox refused
    as root...) or died under the crawl. Any other failure (a timeout, a refused connection)
    loses that page only, like any other download error.
    """
    if not stats.get_value("playwright/browser_count"):
        return True
    return type(failure.value).__name__ == "TargetClosedError"


_HEAVY_RESOURCES = frozenset({"image", "media", "font"})


def skip_heavy_resources(request) -> bool:
    """``PLAYWRIGHT_ABORT_REQUEST``: a rendered page needs its scripts, not its pictures."""
    return request.resource_type in _HEAVY_RESOURCES


# What "the page shows jobs" means in the browser, as the spider's parsers see it: listing
# cards or a JSON-LD ItemList on a result page, a JSON-LD JobPosting on a detail page.
_SHOWS_JOBS = {
    "listing": """() => !!document.querySelector("div[data-id='job-card']") ||
        Array.from(document.querySelectorAll('script[type="application/ld+json"]'))
             .some(s => s.textContent.includes('"ItemList"'))""",
    "detail": """() => Array.from(document.querySelectorAll('script[type="application/ld+json"]'))
             .some(s => s.textContent.includes('"JobPosting"'))""",
}
SETTLE_TIMEOUT_MS = 10_000


async def settle(page, kind: str = "listing", timeout_ms: int = SETTLE_TIMEOUT_MS) -> str:
    """Wait until the page shows jobs or its network has gone idle, whichever comes first.

    Waiting for the jobs alone would hang until the timeout on a page that has none (the
    page after a listing's last, a block page); waiting for network idle alone costs at
    least 500 ms on every page. After ``timeout_ms`` the page is taken as it is, and the
    spider decides (a page without jobs is retried or ends the listing): a page whose
    scripts never stop polling must not fail the run. Returns what ended the wait.
    """
    waits = {
        asyncio.ensure_future(page.wait_for_function(_SHOWS_JOBS[kind], timeout=timeout_ms)): "jobs",
        asyncio.ensure_future(page.wait_for_load_state("networkidle", timeout=timeout_ms)): "networkidle",
    }
    pending = set(waits)
    outcome = "timeout"
    try:
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            ok = [task for task in done if task.exception() is None]
            if ok:
                outcome = waits[ok[0]]
                break
    finally:
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(BaseException):
                await task
    return outcome


# Meta keys the downloader sets on a request; a rendered copy of a plain request starts afresh.
_DOWNLOAD_META_KEYS = frozenset({
    "download_latency", "download_slot", "retry_times", "redirect_times", "redirect_ttl", "redirect_urls",
    "redirect_reasons", "cache_timestamp", "_dont_cache", "_auth_proxy", "_scheme_proxy",
})


def rendered_request(request, kind: str):
    """The same request (callback, meta, priority), to be downloaded by the browser."""
    meta = {key: value for key, value in request.meta.items() if key not in _DOWNLOAD_META_KEYS}
    return request.replace(meta={**meta, **render_meta(kind)})


def render_meta(kind: str = "listing") -> dict:
    """Request meta for a rendered download of a ``listing`` or ``detail`` page.

    scrapy-playwright loads the page (up to its ``load`` event), runs ``settle``, and hands the
    spider ``page.content()``: the DOM after the page's scripts ran, not the HTML it was sent.
    """
    if kind not in _SHOWS_JOBS:
        raise ValueError(f"kind must be one of {', '.join(_SHOWS_JOBS)}, got {kind!r}")
    return {
        "playwright": True,
        "playwright_page_methods": [PageMethod(settle, kind)],
    }
