"""When and how a page is rendered in a real browser (scrapy-playwright)."""

from __future__ import annotations

import logging
import os

from scrapy_playwright.page import PageMethod

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
                f"-a render=always needs a browser, and {executable} does not exist: install it "
                "(apt-get install chromium) or set -s BROWSER_EXECUTABLE_PATH=/path/to/chromium")
        logger.warning("No browser at %s: pages that need JavaScript cannot be rendered in this run", executable)
        return False
    handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))
    handlers.update(http=PLAYWRIGHT_HANDLER, https=PLAYWRIGHT_HANDLER)
    settings.set("DOWNLOAD_HANDLERS", handlers, priority="spider")
    launch = dict(settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"))
    if executable:
        launch["executable_path"] = executable
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch, priority="spider")
    return True


def render_meta() -> dict:
    """Request meta for a rendered download: load the page and let its scripts settle."""
    return {
        "playwright": True,
        "playwright_page_methods": [PageMethod("wait_for_load_state", "networkidle")],
    }
