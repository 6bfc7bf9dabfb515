"""What a person sees: a real headless Chromium on the site served by `python -m analysis
serve` (which becomes a real `datasette` process), on the fixture database."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.build import build
from tests.helpers import XSS_COMPANY, XSS_TITLE, build_fixture_db, free_port, serve_command, start_server, wait_until_up

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium (apt-get install -y chromium)"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    db = build_fixture_db(folder / "jobs.db")
    build(db)
    port = free_port()
    log = folder / "datasette.log"
    server = start_server(serve_command(db, port), log)  # becomes the datasette process
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/-/versions.json", server, log)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


def injected_script_ran(page) -> bool:
    return page.evaluate("() => window.__xss !== undefined")


def test_canned_query_shows_rows_and_escaped_titles(site, page):
    page.goto(f"{site}/jobs/top_titles?city=&period=")
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() == 13
    assert rows.first.is_visible()
    assert page.locator("td.col-title", has_text="AI Engineer").first.is_visible()
    assert page.locator("td.col-title", has_text=XSS_TITLE).inner_text() == XSS_TITLE
    assert page.locator("td.col-title img, td.col-title script").count() == 0
    assert not injected_script_ran(page)


def test_jobs_table_links_postings_and_escapes_markup(site, page):
    page.goto(f"{site}/jobs/jobs")
    assert page.locator("table.rows-and-columns tbody tr").count() == 14
    link = page.locator('a[href="https://builtin.com/job/fixture-1/9001"]')
    assert link.is_visible()
    assert page.get_by_text(XSS_COMPANY, exact=True).is_visible()
    page.goto(f"{site}/jobs/jobs/9012")
    assert page.get_by_text('<b>bold?</b> <img src=x onerror="window.__xss=3">').is_visible()
    assert page.locator("table img").count() == 0
    assert not injected_script_ran(page)


def test_dashboard_draws_charts(site, page):
    page.goto(f"{site}/-/dashboards/ai-engineering-jobs")
    assert "city=all" in page.url  # the default filters were applied
    for chart in ("ai-types", "top-skills", "stage-mix", "ai-type-trend", "genai-skill-trend"):
        drawing = page.locator(f"#chart-{chart} canvas, #chart-{chart} svg").first
        drawing.wait_for(state="visible", timeout=20_000)
        box = drawing.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, chart
    assert page.locator("#chart-jobs-count").inner_text().strip() == "14 jobs"
    assert not injected_script_ran(page)


def test_dashboard_filters_by_city(site, page):
    page.goto(f"{site}/-/dashboards/ai-engineering-jobs?city=london&period=2026-02")
    page.locator("#chart-jobs-count p").wait_for(timeout=20_000)
    assert page.locator("#chart-jobs-count").inner_text().strip() == "5 jobs"
    assert page.locator("select#city").input_value() == "london"
