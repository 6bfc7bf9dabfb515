"""What a person sees: a real headless Chromium, in a 1366 px wide window, on the site served by
`python -m analysis serve` (a real Datasette server process), on the fixture database with pay
stated on some jobs: pages without sideways scrolling, forms with their choices, alias lookups,
charts, escaped data, and no console errors."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from analysis.build import build
from analysis.serve import METADATA_DATABASE, metadata_for
from tests.helpers import (
    XSS_COMPANY, XSS_TITLE, build_fixture_db, free_port, serve_command, start_server, wait_until_up, with_pay,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium (apt-get install -y chromium)"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    db = with_pay(build_fixture_db(folder / "jobs.db"))
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


WIDTH = 1366  # the narrowest common laptop screen


@pytest.fixture
def page(browser):
    """A page in a 1366 px window; the test fails on any console error it logs."""
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], errors


def sideways_overflow(page) -> list:
    """What scrolls sideways: the page itself, or any table wrapper wider than its box."""
    return page.evaluate("""() => {
        const found = [];
        const root = document.documentElement;
        if (root.scrollWidth > window.innerWidth) found.push(['page', root.scrollWidth]);
        for (const wrapper of document.querySelectorAll('.table-wrapper, .job-page, table')) {
            if (wrapper.scrollWidth > wrapper.clientWidth + 1) found.push([wrapper.className || wrapper.tagName, wrapper.scrollWidth]);
        }
        return found;
    }""")


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
    assert page.get_by_text(XSS_COMPANY, exact=True).is_visible()
    page.goto(f"{site}/jobs/jobs/9001")
    assert page.locator('a[href="https://builtin.com/job/fixture-1/9001"]').is_visible()
    page.goto(f"{site}/jobs/jobs/9012")
    assert page.locator(".job-description").get_by_text('<b>bold?</b> <img src=x onerror="window.__xss=3">').is_visible()
    assert page.locator("img").count() == 0
    assert not injected_script_ran(page)


def test_every_page_from_the_index_fits_the_window_without_sideways_scrolling(site, page):
    """The home page, the dashboard, the database page, every table and canned query listed
    there (with its default parameters), and job pages."""
    with urllib.request.urlopen(f"{site}/jobs.json") as response:
        listing = json.load(response)
    paths = ["/", "/-/dashboards/ai-engineering-jobs", "/jobs", "/jobs/jobs/9001", "/jobs/jobs/9012",
             "/jobs/crawl_runs/1", "/jobs/job_labels/9001,rules", "/jobs/report_pay/1",
             "/jobs/jobs_with_skill?skill=llm&city=&labels=", "/jobs/pay?city=&period=&labels="]
    paths += [f"/jobs/{table['name']}" for table in listing["tables"] if not table["hidden"]]
    paths += [f"/jobs/{query['name']}" for query in listing["queries"]]
    assert len(paths) > 50
    wide = {}
    for path in paths:
        page.goto(f"{site}{path}")
        overflow = sideways_overflow(page)
        if overflow:
            wide[path] = overflow
    assert wide == {}


def test_the_job_page_reads_as_a_page(site, page):
    page.goto(f"{site}/jobs/jobs/9001")
    assert page.title() == "AI Engineer at Acme"
    assert page.locator("h1").inner_text() == "AI Engineer"
    facts = page.locator("dl.job-facts")
    assert "USD 100,000 – 140,000 per year" in facts.inner_text()
    assert page.locator("table.categories tr.tag-ai_type td").nth(1).inner_text() == "ai-first"
    assert page.locator("table.skills td q", has_text="RAG").is_visible()
    page.get_by_role("link", name="other jobs at Acme").click()
    page.wait_for_load_state()
    assert "company__exact=Acme" in page.url
    assert page.locator("table.rows-and-columns tbody tr").count() == 3  # Acme's 3 jobs
    assert "show all columns" in page.locator(".columns-note").inner_text()


def test_jobs_table_reads_flags_lists_and_headers(site, page):
    page.goto(f"{site}/jobs/job_labels?labels=rules")
    header = page.locator("th[data-column=is_customer_facing]")
    assert header.inner_text().strip() == "Customer facing"
    cells = {text.strip() for text in page.locator("td.col-is_customer_facing").all_inner_texts()}
    assert cells <= {"yes", "no", ""} and "yes" in cells
    page.locator(".columns-note a", has_text="show all columns").click()
    page.wait_for_load_state()
    assert page.locator("th[data-column=fine_tuning_use_cases]").count() == 1
    assert page.locator("td.col-fine_tuning_use_cases", has_text="instruction following, domain knowledge").count() >= 1


def canned_queries() -> dict:
    return metadata_for(METADATA_DATABASE)["databases"][METADATA_DATABASE]["queries"]


def test_every_canned_query_form_renders_with_its_choices(site, page):
    for name, query in canned_queries().items():
        page.goto(f"{site}/jobs/{name}")
        assert page.title() == f"{query['title']} · {METADATA_DATABASE}", name
        assert page.locator("form.sql").is_visible()
        for param in query["params"]:
            field = page.locator(f'form.sql [name="{param}"]')
            assert field.is_visible(), (name, param)
            if field.evaluate("e => e.tagName") == "SELECT":
                assert field.locator("option").count() >= 1, (name, param)
            else:
                choices = field.get_attribute("list")
                assert choices and page.locator(f"datalist#{choices} option").count() >= 1, (name, param)
            assert page.locator(f'p.param-{param} .param-hint').is_visible(), (name, param)


@pytest.mark.parametrize("typed, skill", [("k8s", "Kubernetes"), ("large language models", "LLMs"), ("LLM", "LLMs")])
def test_a_skill_typed_as_people_say_it_answers(site, page, typed, skill):
    page.goto(f"{site}/jobs/jobs_with_skill")
    page.locator('form.sql [name="skill"]').fill(typed)
    page.locator('form.sql input[type="submit"]').click()
    page.wait_for_load_state()
    skills = {text.strip() for text in page.locator("td.col-skill").all_inner_texts()}
    assert skills == {skill}


def test_an_unknown_skill_says_so_and_names_the_closest(site, page):
    page.goto(f"{site}/jobs/jobs_with_skill?skill=kubernets&city=&labels=")
    message = page.locator("td.col-title").first.inner_text()
    assert message.startswith("No skill is called 'kubernets'. Closest: Kubernetes")


def test_home_page_leads_to_the_dashboard(site, page):
    page.goto(site)
    page.get_by_role("link", name="AI engineering jobs at a glance").click()
    page.locator("#chart-jobs-count p").wait_for(timeout=20_000)
    assert page.locator("#chart-jobs-count").inner_text().strip() == "14 jobs"


def test_dashboard_draws_charts(site, page):
    page.goto(f"{site}/-/dashboards/ai-engineering-jobs")
    assert "city=all" in page.url  # the default filters were applied
    for chart in ("ai-types", "top-skills", "stage-mix", "ai-type-trend", "genai-skill-trend", "pay-by-level",
                  "pay-by-ai-type"):
        drawing = page.locator(f"#chart-{chart} canvas, #chart-{chart} svg").first
        drawing.wait_for(state="visible", timeout=20_000)
        box = drawing.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, chart
    assert page.locator("#chart-jobs-count").inner_text().strip() == "14 jobs"
    assert not injected_script_ran(page)


def test_dashboard_loads_without_vega_warnings(site, browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    page = context.new_page()
    warnings = []
    page.on("console", lambda message: warnings.append(message.text) if message.type == "warning" else None)
    page.goto(f"{site}/-/dashboards/ai-engineering-jobs")
    drawing = page.locator("#chart-pay-by-ai-type canvas, #chart-pay-by-ai-type svg").first
    drawing.wait_for(state="visible", timeout=20_000)
    page.wait_for_load_state("networkidle")
    context.close()
    assert warnings == []


def test_the_first_job_rows_and_tag_values_are_on_the_first_screen_unbroken(site, page):
    page.goto(f"{site}/jobs/jobs")
    first_row = page.locator("table.rows-and-columns tbody tr").first.bounding_box()
    assert first_row["y"] + first_row["height"] <= 900
    page.goto(f"{site}/jobs/jobs/9001")
    lines = page.evaluate("""() => [...document.querySelectorAll('table.categories td:nth-child(-n+2)')].map(td => {
        const range = document.createRange(); range.selectNodeContents(td);
        return [td.innerText, new Set([...range.getClientRects()].map(r => Math.round(r.top))).size];
    })""")
    assert lines and all(count == 1 for _, count in lines), [cell for cell in lines if cell[1] != 1]


def test_dashboard_filters_by_city(site, page):
    page.goto(f"{site}/-/dashboards/ai-engineering-jobs?city=london&period=2026-02")
    page.locator("#chart-jobs-count p").wait_for(timeout=20_000)
    assert page.locator("#chart-jobs-count").inner_text().strip() == "5 jobs"
    assert page.locator("select#city").input_value() == "london"


def test_dashboard_charts_draw_for_a_database_named_with_a_space_and_a_dot(tmp_path, browser):
    """dashboards.js fetches a chart's rows from ``<database name>.json`` as it is: served from
    ``my jobs.2026.db`` (named ``my jobs.2026``) every chart stayed empty."""
    db = with_pay(build_fixture_db(tmp_path / "my jobs.2026.db"))
    build(db)
    port, log = free_port(), tmp_path / "datasette.log"
    server = start_server(serve_command(db, port), log)
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    try:
        wait_until_up(f"http://127.0.0.1:{port}/-/versions.json", server, log)
        page = context.new_page()
        failed = []
        page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
        page.goto(f"http://127.0.0.1:{port}/-/dashboards/ai-engineering-jobs")
        page.locator("#chart-jobs-count p").wait_for(timeout=20_000)
        page.locator("#chart-ai-types canvas, #chart-ai-types svg").first.wait_for(state="visible", timeout=20_000)
        page.wait_for_load_state("networkidle")
        assert page.locator("#chart-jobs-count").inner_text().strip().endswith(" jobs")
        assert failed == []
    finally:
        context.close()
        server.terminate()
        server.wait(timeout=10)
