"""The site as people read it (analysis/datasette_plugins/site.py and analysis/templates), through
Datasette's in-process client: job pages, tables that fit a screen, canned-query forms that
offer their valid values, skill names through the taxonomy's aliases, and the home page."""

from __future__ import annotations

import re
import shutil
import sqlite3
from contextlib import closing
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml

from analysis.datasette_plugins import site
from analysis.serve import METADATA_DATABASE, datasette_app, metadata_for, metadata_path_for
from jobcrawler.replay import generate
from jobcrawler.storage import job_row, open_db, save_job
from tests.helpers import REPO, XSS_TITLE

pytestmark = pytest.mark.anyio

REPLAY = "http://127.0.0.1:9999"
DESCRIPTION = """About the role

You will ship LLM-powered products.

What you will do
- Build RAG pipelines
- Run <b>evals</b>

Questions? Write to us."""


@pytest.fixture(scope="module")
def evidence_db(site_db, tmp_path_factory) -> Path:
    """The fixture as the replay site's crawl with category evidence: runs of a local site, a
    description with paragraphs and bullets, and category evidence."""
    path = tmp_path_factory.mktemp("evidence") / f"{METADATA_DATABASE}.db"
    shutil.copy(site_db, path)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE crawl_runs SET site = ?", (REPLAY,))
        conn.execute("UPDATE jobs SET description = ? WHERE job_id = '9001'", (DESCRIPTION,))
        conn.execute("INSERT INTO job_label_evidence (job_id, labels, category, position, rule, condition, matched, "
                     "section) VALUES ('9001', 'rules', 'ai_type', 0, 'ai-first: builds with models', 'model work', "
                     "'LLM-powered products', 'responsibilities')")
        conn.execute("INSERT INTO job_labels (job_id, labels, ai_type, company_stage, ai_type_reasoning, version) "
                     "VALUES ('9001', 'fieldguide', 'ml', 'Seed', 'Trains <i>models</i> from scratch', 'batch-1')")
        conn.execute("INSERT INTO job_skills (job_id, labels, skill, category, matched, source) "
                     "VALUES ('9001', 'fieldguide', 'PyTorch', 'ml', 'pytorch', 'fieldguide')")
    return path


async def client_for(db: Path):
    app = datasette_app(db, metadata_path_for(db))  # as `analysis serve` runs it
    await app.invoke_startup()
    return app.client


@pytest.fixture
async def client(site_db):
    return await client_for(site_db)


def canned_queries() -> dict:
    return metadata_for(METADATA_DATABASE)["databases"][METADATA_DATABASE]["queries"]


def parameter_specs() -> dict:
    return metadata_for(METADATA_DATABASE)["plugins"]["jobcrawler-site"]["parameters"]


def page_title(html: str) -> str:
    return unescape(re.search(r"<title>(.*?)</title>", html, re.S).group(1)).strip()


# ---------------------------------------------------------------- the job page


async def test_job_page_shows_the_posting_its_tags_and_skills(client):
    page = (await client.get("/jobs/jobs/9001")).text
    assert page_title(page) == "AI Engineer at Acme"
    assert "<h1" in page and ">AI Engineer</h1>" in page
    assert "USD 100,000 – 140,000 per year" in page
    assert '<a href="https://builtin.com/job/fixture-1/9001" rel="nofollow noopener">Open the posting on builtin.com</a>' in page
    assert '<a href="/jobs/jobs?company__exact=Acme">' in page and "other jobs at Acme" in page
    categories = page[page.index('class="tags categories"'):page.index('class="tags skills"')]
    assert re.search(r"<td>AI type</td><td>ai-first</td>", categories)
    assert re.search(r"<td>Customer facing</td><td>yes</td>", categories)
    assert "instruction following, domain knowledge" in categories  # a JSON list read as a list
    assert "<th scope=\"col\">Evidence</th>" not in categories  # no evidence stored: no empty column
    skills = page[page.index('class="tags skills"'):]
    assert re.search(r"<td>RAG</td><td>genai</td><td class=\"evidence\"><q>RAG</q></td><td>description</td>", skills)


async def test_job_page_escapes_markup_and_shows_fields_on_request(client):
    page = (await client.get("/jobs/jobs/9012")).text
    assert "<script>window.__xss" not in page and "<b>bold?</b>" not in page and 'onerror="window' not in page
    assert "&lt;b&gt;bold?&lt;/b&gt;" in page
    assert page_title(page).startswith(XSS_TITLE)  # escaped in the tab too, read back as text
    assert '<details class="all-fields">' in page and 'title="description_html"' in page


async def test_job_page_lays_out_the_description_and_shows_category_evidence(evidence_db):
    client = await client_for(evidence_db)
    page = (await client.get("/jobs/jobs/9001")).text
    description = page[page.index('<div class="job-description">'):page.index('<details class="all-fields">')]
    assert "<h3>About the role</h3>" in description and "<h3>What you will do</h3>" in description
    assert re.search(r"<ul><li>Build RAG pipelines</li><li>Run &lt;b&gt;evals&lt;/b&gt;</li></ul>", description)
    assert "<p>You will ship LLM-powered products.</p>" in description
    assert "<b>" not in description
    row = re.search(r'<tr class="tag-ai_type">.*?</tr>', page, re.S).group(0)
    assert "<div>ai-first: builds with models: <q>LLM-powered products</q> (in the role)</div>" in row
    # every label source has its own tags, skills and notes, rules first
    assert page.index("<h3>rules") < page.index("<h3>fieldguide <small>(version batch-1")
    fieldguide = page[page.index("<h3>fieldguide"):page.index('<div class="job-description">')]
    assert re.search(r"<td>AI type</td><td>ml</td>", fieldguide) and "<td>PyTorch</td>" in fieldguide
    assert "<strong>AI type reasoning:</strong> Trains &lt;i&gt;models&lt;/i&gt; from scratch" in fieldguide
    assert "<td>RAG</td>" not in fieldguide  # the tagger's skills stay under rules
    # crawled from a replay site: the posting opens there, not on builtin.com
    assert f'<a href="{REPLAY}/job/fixture-1/9001" rel="nofollow noopener">Open the posting on 127.0.0.1:9999</a>' in page
    table = (await client.get("/jobs/jobs?_col=url")).text
    assert f'href="{REPLAY}/job/fixture-11/9011"' in table and 'href="https://builtin.com/job/' not in table


async def test_only_http_addresses_become_posting_links(tmp_path):
    path = tmp_path / f"{METADATA_DATABASE}.db"
    db = open_db(path)
    for job_id, url in (("1", "javascript:alert(document.domain)"), ("2", "https://builtin.com/job/x/2")):
        save_job(db, job_row({"job_id": job_id, "title": "AI Engineer", "company": "Acme", "url": url}), city=None,
                 run_id=None, locations=[], skills=[], seen_at="2026-01-01T00:00:00+00:00")
    db.close()
    client = await client_for(path)
    page = (await client.get(f"/{METADATA_DATABASE}/jobs/1")).text
    assert "Open the posting" not in page and 'href="javascript' not in page.lower()
    table = (await client.get(f"/{METADATA_DATABASE}/jobs?_col=url")).text
    assert 'href="javascript' not in table and "javascript:alert(document.domain)" in unescape(table)
    assert 'href="https://builtin.com/job/x/2"' in (await client.get(f"/{METADATA_DATABASE}/jobs/2")).text


async def test_other_rows_read_as_a_list_of_fields(client):
    page = (await client.get("/jobs/crawl_runs/1")).text
    assert page_title(page) == "Crawl runs: 1 · jobs"
    fields = dict(re.findall(r'<dt title="([^"]+)">[^<]*</dt><dd class="col-[^"]*">([^<]*)</dd>', page))
    assert fields["status"] == "ok" and fields["city"] and "stats" in fields
    assert '<dt title="items_stored">Jobs stored</dt>' in page  # headers in words
    assert '<table class="rows-and-columns">' not in page


async def test_a_job_that_is_not_there_is_a_404(client):
    assert (await client.get("/jobs/jobs/404404")).status_code == 404


# ---------------------------------------------------------------- tables


async def test_jobs_table_opens_with_the_columns_that_fit_and_all_are_one_click_away(client):
    response = await client.get("/jobs/jobs?_sort=posted_date")
    assert response.status_code == 302
    target = response.headers["location"]
    assert target.startswith("/jobs/jobs?_sort=posted_date&_col=title&_col=company")  # other arguments kept
    page = (await client.get(target)).text
    assert page_title(page).startswith("Job postings: 14 rows")  # the table's title, not its name
    headers = re.findall(r'data-column="([^"]+)"', page)
    assert "description" not in headers and "description_html" not in headers and "title" in headers
    assert re.search(r'data-column="work_type"[^>]*>\s*<a [^>]*>Work type</a>', page)  # headers in words
    link = unescape(re.search(r'<a href="([^"]+)">show all columns</a>', page).group(1))
    everything = await client.get(link)
    assert everything.status_code == 200
    assert {"description", "description_html", "url"} <= set(re.findall(r'data-column="([^"]+)"', everything.text))
    assert "show all columns</a>" not in everything.text
    assert (await client.get("/jobs/jobs.json")).status_code == 200  # data formats are not redirected


async def test_job_labels_show_flags_as_yes_no_and_lists_as_lists(client):
    page = (await client.get("/jobs/job_labels?_col=is_customer_facing&_col=fine_tuning_use_cases&labels=rules")).text
    flags = re.findall(r'<td class="col-is_customer_facing[^"]*">([^<]*)</td>', page)
    assert flags and set(flags) <= {"yes", "no", "&nbsp;"} and "yes" in flags
    assert '<span class="list-cell">instruction following, domain knowledge</span>' in page
    assert ">Customer facing<" in page


# ---------------------------------------------------------------- forms


@pytest.mark.parametrize("name", sorted(canned_queries()))
async def test_every_canned_query_form_offers_its_values_and_its_tab_names_it(client, name):
    query = canned_queries()[name]
    page = (await client.get(f"/jobs/{name}")).text
    assert page_title(page) == f"{query['title']} · {METADATA_DATABASE}"
    specs = parameter_specs()
    for param in query["params"]:
        spec = specs[param]  # every parameter is described
        assert spec["hint"] in unescape(page), param
        if spec.get("select"):
            field = re.search(rf'<select id="qp\d+" name="{param}">(.*?)</select>', page, re.S)
            assert field, (name, param)
            options = re.findall(r"<option[^>]*>([^<]*)</option>", field.group(1))
            assert options and (param == "labels" or len(options) >= 2), (name, param, options)  # one source here
        else:
            listed = re.search(rf'name="{param}"[^>]*list="(qp\d+-choices)"', page)
            assert listed, (name, param)
            assert re.search(rf'<datalist id="{listed.group(1)}"><option value="[^"]+">', page)


async def test_form_choices_come_from_the_database(client):
    page = (await client.get("/jobs/compare_cities")).text
    city_a = re.search(r'<select id="qp\d+" name="city_a">(.*?)</select>', page, re.S).group(1)
    assert re.findall(r"<option[^>]*>([^<]*)</option>", city_a) == ["berlin", "london", "newyork"]
    period = re.search(r'<select id="qp\d+" name="period">(.*?)</select>', page, re.S).group(1)
    assert re.findall(r"<option[^>]*>([^<]*)</option>", period) == ["every crawl month", "2026-02", "2026-01"]
    chosen = (await client.get("/jobs/compare_cities?city_a=london&city_b=berlin&period=2026-01")).text
    assert re.search(r'name="period">.*?<option selected>2026-01</option>', chosen, re.S)
    skills = (await client.get("/jobs/jobs_with_skill")).text
    listed = re.findall(r'<option value="([^"]+)">', skills)
    assert {"LLMs", "Kubernetes", "RAG"} <= set(listed)  # the database's skills and the taxonomy's
    companies = (await client.get("/jobs/company_jobs")).text
    assert '<option value="Acme">' in companies


# ---------------------------------------------------------------- skill names


async def answer(client, name: str, **params) -> list[dict]:
    response = await client.get(f"/jobs/{name}.json?{urlencode({**params, '_shape': 'array'})}")
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("typed, skill", [
    ("llm", "LLMs"), ("LLM", "LLMs"), ("large language models", "LLMs"), ("Large-Language-Model", "LLMs"),
    ("k8s", "Kubernetes"), ("K8S", "Kubernetes"), ("retrieval augmented generation", "RAG"),
])
async def test_skill_lookups_go_through_the_aliases(client, typed, skill):
    rows = await answer(client, "jobs_with_skill", skill=typed, city="", labels="")
    direct = await answer(client, "jobs_with_skill", skill=skill, city="", labels="")
    assert rows and rows == direct and {row["skill"] for row in rows} == {skill}
    trend = await answer(client, "skill_share_by_month", skill=typed, city="", labels="")
    assert trend and {row["skill"] for row in trend} == {skill}


@pytest.mark.parametrize("typed, closest", [("lmm", "LLMs"), ("kubernets", "Kubernetes"), ("langchian", "LangChain")])
async def test_an_unknown_skill_answers_with_the_closest_names(client, typed, closest):
    rows = await answer(client, "jobs_with_skill", skill=typed, city="", labels="")
    assert len(rows) == 1 and rows[0]["job"] is None
    assert rows[0]["title"].startswith(f"No skill is called {typed!r}.") and closest in rows[0]["title"]
    trend = await answer(client, "skill_share_by_month", skill=typed, city="", labels="")
    assert len(trend) == 1 and closest in trend[0]["period"]


@pytest.mark.parametrize("query, reason", [
    ("city_top_skills?city=paris&period=", "This database has no city 'paris'; it has berlin, london, newyork."),
    ("pay?city=&period=2025-01&labels=", "This database has no crawl month '2025-01'; it has 2026-02, 2026-01."),
    ("city_top_skills?city=&period=&labels=llm:none",
     "No report tables were built from the label source 'llm:none' (this database has rules): "
     "build them with python -m analysis build --labels llm:none."),
    ("compare_cities?city_a=berlin&city_b=berlin&period=", "City A and city B are both 'berlin': pick two different cities."),
])
async def test_an_empty_or_odd_answer_says_why(client, query, reason):
    page = (await client.get(f"/jobs/{query}")).text
    assert re.findall(r'<p class="message-warning empty-reason">(.*?)</p>', page) == [reason.replace("'", "&#39;")]
    assert "0 results" not in page


async def test_a_known_value_with_no_rows_still_says_0_results(client):
    page = (await client.get("/jobs/city_top_skills?city=berlin&period=2026-02&labels=")).text
    assert "empty-reason" not in page


async def test_the_home_page_compares_two_different_cities(client):
    page = (await client.get("/")).text
    assert 'href="/jobs/compare_cities?city_a=berlin&amp;city_b=london&amp;period=&amp;labels="' in page


async def test_a_name_no_skill_has_finds_the_rows_a_label_source_stored_under_it_in_any_case(site_db, tmp_path):
    path = tmp_path / site_db.name
    shutil.copy(site_db, path)
    with closing(sqlite3.connect(path)) as conn, conn:  # an imported label's name, as its source wrote it
        conn.executemany("INSERT INTO job_labels (job_id, labels, ai_type, version) VALUES (?, 'fieldguide', 'ml', 'b')",
                         [("9001",), ("9002",)])
        conn.executemany("INSERT INTO job_skills (job_id, labels, skill, category, matched, source) "
                         "VALUES (?, 'fieldguide', ?, 'other', ?, 'fieldguide')",
                         [("9001", "Cursor", "Cursor"), ("9002", "cursor", "cursor")])
    client = await client_for(path)
    rows = await answer(client, "jobs_with_skill", skill="CURSOR", city="", labels="fieldguide")
    assert sorted((row["job"], row["skill"]) for row in rows) == [("9001", "Cursor"), ("9002", "cursor")]


async def test_a_known_skill_without_jobs_in_scope_is_no_error(client):
    assert await answer(client, "jobs_with_skill", skill="Kubernetes", city="nowhere", labels="") == []


def test_skill_names_follow_the_taxonomy():
    assert site.skill_name("  LLM's ") == "LLMs"
    assert site.skill_name("ci/cd") == site.skill_name("CI CD") == "CI/CD"
    assert site.skill_name("") is None and site.skill_name("no such thing") is None
    assert site.skill_lookup_message("RAG") is None
    assert "Enter a skill" in site.skill_lookup_message(" ")
    taxonomy = yaml.safe_load(site.TAXONOMY_PATH.read_text(encoding="utf-8"))
    for entry in taxonomy["skills"]:  # every skill's own name finds it
        assert site.skill_name(entry["skill"].upper()) == entry["skill"]



def test_site_and_importer_read_skill_names_by_one_rule():
    """site.py keeps a copy of jobcrawler.tagging.names (a packaged site has no jobcrawler): every
    spelling the taxonomy lists, and spellings typed differently, give the same key and skill."""
    from jobcrawler.tagging.names import name_key, skill_aliases

    taxonomy = yaml.safe_load(site.TAXONOMY_PATH.read_text(encoding="utf-8"))
    aliases = skill_aliases(taxonomy)
    assert {key: skill for key, (skill, _) in aliases.items()} == site.skill_names()
    spellings = [form for entry in taxonomy["skills"] for form in (entry["skill"], *entry.get("aliases", ()),
                                                                   *entry.get("cased", ()), *entry.get("in_context", ()))]
    for text in [*spellings, *(s.upper() for s in spellings), "llama_index", " C++ ", "R&D", "Node.js!", "Pandás"]:
        assert site._key(text) == name_key(text), text
        assert site.skill_name(text) == aliases.get(name_key(text), (None,))[0], text
    assert site.skill_name("llama_index") == site.skill_name("Llama Index") == "LlamaIndex"
    assert site.skill_name("Go") == "Go" and site.skill_name("claude") == "Anthropic API"

@pytest.mark.parametrize("row, words", [
    ({"rule": "company_stage[0]", "condition": "text: public_company", "matched": "publicly traded", "section": "company"},
     "The posting says: <q>publicly traded</q> (about the company)"),
    ({"rule": "model work outweighs enabling work", "condition": "line_kind: model_work", "matched": "RAG",
      "section": "role"}, "Model work outweighs enabling work; a line about model work: <q>RAG</q> (in the role)"),
    ({"rule": "model work is a small part of the role",
      "condition": "share: model_work 0.19 of lines (model_work 5, enabling 13, engineering 7)"},
     "Model work is a small part of the role; model work is 19% of the role&#39;s lines "
     "(model work 5, enabling 13, engineering 7)"),
    ({"rule": "is_fullstack[1]", "condition": "category: is_backend", "matched": "True"}, "It is tagged backend"),
    ({"rule": "only_if not met"}, "Not asked: this tag applies only to jobs that meet its condition, and this one does not."),
    ({"rule": "default"}, "No rule applied: the default value."),
])
def test_category_evidence_reads_as_words(row, words):
    assert str(site.evidence_words(row)) == words


def test_a_rule_is_named_once_for_its_rows():
    rows = [{"rule": "model work outweighs enabling work", "condition": "line_kind: model_work", "matched": m,
             "section": "role"} for m in ("RAG", "agents")]
    assert [str(s) for s in site.evidence_sentences(rows)] == [
        "Model work outweighs enabling work; a line about model work: <q>RAG</q> (in the role)",
        "A line about model work: <q>agents</q> (in the role)"]


@pytest.mark.parametrize("labels, places", [
    (["Berlin, DEU", "Berlin, DEU", "Germany"], ["Berlin, DEU", "Germany"]),
    (["Berlin, Berlin"], ["Berlin"]),
    (["Berlin, Berlin, DEU", "Berlin, DEU"], ["Berlin, DEU"]),
])
def test_places_are_listed_once(labels, places):
    assert site.tidy_places(labels) == places


async def test_facets_and_dates_read_as_words(site_db, tmp_path):
    db = tmp_path / f"{METADATA_DATABASE}.db"
    shutil.copy(site_db, db)
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE jobs SET remote = job_id % 2, employment_type = 'FULL_TIME', countries = '[\"DEU\"]'")
    page = (await (await client_for(db)).get("/jobs/jobs", follow_redirects=True)).text
    facets = page[page.index('<div class="facet-results">'):page.index('<div class="table-wrapper">')]
    assert "<strong>Remote" in facets and ">yes</a>" in facets and ">no</a>" in facets
    assert ">Full time</a>" in facets and "FULL_TIME</a>" not in facets
    assert "<strong>Countries" in facets and "(array)" not in facets and "Suggested facets" not in page
    assert re.search(r'<time datetime="2026-0\d-\d\dT[^"]+" title="[^"]+" class="when">2026-0\d-\d\d</time>', page)


def test_description_blocks():
    assert site.description_blocks(DESCRIPTION) == [
        {"kind": "h", "lines": ["About the role"]},
        {"kind": "p", "lines": ["You will ship LLM-powered products."]},
        {"kind": "h", "lines": ["What you will do"]},
        {"kind": "ul", "items": ["Build RAG pipelines", "Run <b>evals</b>"]},
        {"kind": "p", "lines": ["Questions? Write to us."]},
    ]
    assert site.description_blocks(None) == []


def test_posting_url_on_the_site_it_was_crawled_from():
    url = "https://builtin.com/job/x/1"
    assert site.posting_url(url, "http://127.0.0.1:8765/") == "http://127.0.0.1:8765/job/x/1"
    assert site.posting_url(url, "https://builtin.com") == url
    assert site.posting_url(url, None) == url
    assert site.posting_url(url, "javascript:alert(1)//") == url
    assert site.posting_url("https://example.com/job/x/1", "http://127.0.0.1:8765") == "https://example.com/job/x/1"


# ---------------------------------------------------------------- home page


async def test_home_page_starts_with_the_dashboard_and_the_useful_queries(client):
    page = (await client.get("/")).text
    start = page[page.index("Start here"):]
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', start)
    assert links[0] == ("/-/dashboards/ai-engineering-jobs", "AI engineering jobs at a glance")
    assert ("/jobs/jobs", "Job postings") in links and ("/jobs/pay", "Pay by city, level and AI type") in links
    assert ("/jobs/jobs_with_skill", "Jobs mentioning a skill") in links
    for href, _ in links:
        response = await client.get(href, follow_redirects=True)
        assert response.status_code == 200, href


async def test_the_site_follows_the_database_name(site_db, tmp_path):
    demo = tmp_path / "demo.db"
    shutil.copy(site_db, demo)
    client = await client_for(demo)
    page = (await client.get("/")).text
    assert 'href="/demo/jobs_with_skill"' in page and 'href="/jobs/' not in page
    assert (await client.get("/demo/jobs/9001")).status_code == 200
    assert "<select" in (await client.get("/demo/pay")).text


async def test_pay_query_answers_per_currency(client):
    rows = await answer(client, "pay", city="", period="", labels="")
    usd = next(row for row in rows if row["currency"] == "USD" and row["by"] == "all")
    assert (usd["n (jobs)"], usd["lower quartile"], usd["median"], usd["upper quartile"]) == (3, 122_400, 124_800, 137_400)
    assert usd["note"] == "too few to generalize from"  # under 20 jobs, as the description says
    assert rows[0]["currency"] == "USD"  # the currency most jobs state comes first
    page = (await client.get("/jobs/pay?city=&period=&labels=")).text
    assert '<td class="col-median">124,800</td>' in page and "Answer returning" in page


async def test_every_readme_url_works_on_the_demo(site_db, tmp_path):
    """The site URLs of the README and docs/, as written, on a database named demo with the demo's city (the
    fixture has berlin); a job page's id must be one `make demo` crawls (replay seed 1, berlin)."""
    readme = "\n".join(page.read_text() for page in [REPO / "README.md", *(REPO / "docs").glob("*.md")])
    urls = sorted({url.rstrip(".,:;") for url in re.findall(r"http://127\.0\.0\.1:8001(/[^\s)`]*)", readme)})
    assert len(urls) >= 10
    demo = tmp_path / "demo.db"
    shutil.copy(site_db, demo)
    client = await client_for(demo)
    berlin = set(generate(1, 60).listings["berlin"])
    for path in urls:
        assert not path.startswith("/jobs/"), f"{path}: the demo's database is named demo"
        job = re.fullmatch(r"/demo/jobs/(\d+)", path)
        if job:
            assert job.group(1) in berlin, path
            continue
        response = await client.get(path, follow_redirects=True)
        assert response.status_code == 200, path


def test_a_pay_bound_stored_as_text_shows_as_no_bound():
    """'100k' (a hand-edited database) would stop the job's page: read as no bound, as the build does."""
    job = {"salary_min": "100k", "salary_max": 140_000.0, "salary_currency": "USD", "salary_period": "year",
           "salary_text": "100k-140K Annually"}
    assert site.pay_text(job) == "USD 140,000 per year"
    assert site.pay_text({**job, "salary_max": "140K"}) == "100k-140K Annually"
    assert site.pay_text({**job, "salary_min": 100_000}) == "USD 100,000 – 140,000 per year"
