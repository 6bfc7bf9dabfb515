"""The published site, through Datasette's in-process client with the site's plugins and
templates: canned queries, metadata, facets, search, links, charts' SQL and the safety settings;
and the `serve` command as a process (it is the server itself and stops on SIGTERM)."""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from datasette.app import Datasette
from markupsafe import escape

from analysis.build import build, report_tables
from analysis.serve import (
    METADATA_DATABASE, SETTINGS, datasette_app, metadata_for, metadata_path_for, setting_options, site_database_name,
)
from tests.helpers import (
    REPO, XSS_COMPANY, XSS_TITLE, build_fixture_db, free_port, serve_command, start_server, wait_until_up,
)

# Values for the parameterized canned queries (all others take optional city/period).
QUERY_PARAMS = {
    "jobs_with_skill": {"skill": "RAG", "city": "london"},
    "city_top_skills": {"city": "berlin", "period": "2026-01"},
    "ai_type_share_by_month": {"city": "london"},
    "skill_share_by_month": {"skill": "RAG", "city": ""},
    "compare_cities": {"city_a": "london", "city_b": "berlin", "period": ""},
    "company_jobs": {"company": "Acme"},
}


@pytest.fixture
async def datasette(site_db):
    ds = datasette_app(site_db, metadata_path_for(site_db))  # as `analysis serve` runs it
    await ds.invoke_startup()
    return ds


def canned_queries() -> dict:
    return metadata_for(METADATA_DATABASE)["databases"][METADATA_DATABASE]["queries"]


def test_every_report_table_has_a_described_canned_query_and_table_metadata():
    metadata = metadata_for(METADATA_DATABASE)
    tables = metadata["databases"][METADATA_DATABASE]["tables"]
    queried = {re.search(r"\bfrom (report_\w+)", query["sql"]).group(1) for query in canned_queries().values()
               if re.search(r"\bfrom (report_\w+)", query["sql"])}
    assert set(report_tables()) <= queried
    for name, query in canned_queries().items():
        assert query.get("title") and query.get("description"), name
    for table in report_tables():
        assert tables[table]["description"], table
        assert all(tables[table]["units"][column] == "percent" for column in tables[table].get("units", {}))
    for key in ("title", "description", "source", "source_url", "license", "license_url"):
        assert metadata[key], key
    del metadata["plugins"]["jobcrawler-site"]["column_labels"]  # keyed by column names, description_html one
    assert "description_html" not in keys_of(metadata)  # every description is rendered escaped


def keys_of(value) -> set:
    if isinstance(value, dict):
        return set(value) | set().union(*(keys_of(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_of(item) for item in value))
    return set()


def test_metadata_follows_the_database_name():
    renamed = metadata_for("demo")
    assert list(renamed["databases"]) == ["demo"]
    dashboard = renamed["plugins"]["datasette-dashboards"]["ai-engineering-jobs"]
    assert {chart["db"] for chart in dashboard["charts"].values() if "db" in chart} == {"demo"}
    assert {item["db"] for item in dashboard["filters"].values()} == {"demo"}


@pytest.mark.anyio
@pytest.mark.parametrize("name", sorted(canned_queries()))
async def test_canned_query_answers_with_rows(datasette, name):
    params = QUERY_PARAMS.get(name, {"city": "", "period": ""})
    response = await datasette.client.get(f"/jobs/{name}.json?{urlencode({**params, '_shape': 'array'})}")
    assert response.status_code == 200, response.text
    if name == "label_agreement":  # the site fixture has one label source: nothing to agree with
        assert response.json() == []
        return
    assert len(response.json()) > 0


@pytest.mark.anyio
async def test_label_agreement_query_with_two_sources(tmp_path):
    from jobcrawler.storage import label_row, open_db, save_labels
    from tests.helpers import build_fixture_db

    path = build_fixture_db(tmp_path / f"{METADATA_DATABASE}.db")
    db = open_db(path)
    save_labels(db, [("9001", label_row({"ai_type": "ai-first"}, "fieldguide", "b1"), [])])
    db.close()
    build(path)
    ds = datasette_app(path, metadata_path_for(path))
    await ds.invoke_startup()
    response = await ds.client.get("/jobs/label_agreement.json?city=&period=&_shape=array")
    rows = {row["field"]: (row["other_labels"], row["jobs"], row["agreeing_jobs"]) for row in response.json()}
    assert rows["ai_type"] == ("fieldguide", 1, 1)


@pytest.mark.anyio
async def test_canned_query_filters_by_city_and_period(datasette):
    response = await datasette.client.get("/jobs/ai_types.json?city=london&period=2026-02&_shape=array")
    rows = [(row["ai_type"], row["jobs"], row["pct"]) for row in response.json()]
    assert rows == [("ai-first", 4, 80.0), ("ai-support", 1, 20.0)]
    trend = await datasette.client.get("/jobs/ai_type_share_by_month.json?city=&_shape=array")
    assert [(row["period"], row["ai_type"], row["pct"]) for row in trend.json()] == [
        ("2026-01", "ai-first", 71.4), ("2026-01", "ai-support", 28.6),
        ("2026-02", "ai-first", 44.4), ("2026-02", "ai-support", 33.3), ("2026-02", "ml", 11.1),
    ]


@pytest.mark.anyio
async def test_two_cities_side_by_side(datasette):
    response = await datasette.client.get("/jobs/compare_cities.json?city_a=london&city_b=berlin&period=&_shape=array")
    rag = next(row for row in response.json() if row["skill"] == "RAG")
    columns = ("jobs in city A", "% of jobs in city A", "jobs in city B", "% of jobs in city B")
    assert tuple(rag[column] for column in columns) == (6, 75.0, 3, 75.0)


@pytest.mark.anyio
async def test_jobs_table_facets_and_search(datasette):
    response = await datasette.client.get("/jobs/jobs.json?_search=Sales")
    data = response.json()
    assert [row[2] for row in data["rows"]] == ["AI Sales Engineer"]
    facets = (await datasette.client.get("/jobs/jobs.json")).json()["facet_results"]
    assert {"work_type", "level", "remote", "employment_type", "countries"} <= set(facets)
    facets = (await datasette.client.get("/jobs/job_labels.json?labels=rules")).json()["facet_results"]
    assert {"labels", "ai_type", "company_stage"} <= set(facets)
    counts = {item["value"]: item["count"] for item in facets["ai_type"]["results"]}
    assert counts["ai-first"] == 7 and counts["ai-support"] == 5


@pytest.mark.anyio
async def test_postings_link_to_builtin(datasette):
    page = (await datasette.client.get("/jobs/company_jobs?company=Acme")).text
    assert '<a href="https://builtin.com/job/fixture-1/9001" rel="nofollow noopener">' in page
    assert '<a href="/jobs/jobs/9001">9001</a>' in page  # and to the job's page
    table = (await datasette.client.get("/jobs/jobs?_col=url")).text
    assert '<a href="https://builtin.com/job/fixture-11/9011" rel="nofollow noopener">' in table
    job = (await datasette.client.get("/jobs/jobs/9011")).text
    assert '<a href="https://builtin.com/job/fixture-11/9011" rel="nofollow noopener">Open the posting on builtin.com</a>' in job


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["/jobs/jobs", "/jobs/jobs/9012", "/jobs/top_titles", "/jobs/top_companies"])
async def test_markup_in_data_is_escaped(datasette, path):
    page = (await datasette.client.get(path, follow_redirects=True)).text
    assert "<script>window.__xss" not in page
    assert 'onerror="window.__xss' not in page
    assert "<b>bold?</b>" not in page
    shown = XSS_COMPANY if path == "/jobs/top_companies" else XSS_TITLE
    assert str(escape(shown)) in page  # visible as text


@pytest.mark.anyio
async def test_dashboard_and_its_chart_queries(datasette):
    page = await datasette.client.get("/-/dashboards/ai-engineering-jobs?labels=rules&city=all&period=all")
    assert page.status_code == 200
    dashboard = metadata_for(METADATA_DATABASE)["plugins"]["datasette-dashboards"]["ai-engineering-jobs"]
    assert {"ai-types", "top-skills", "stage-mix", "ai-type-trend"} <= set(dashboard["charts"])
    assert {"labels", "city", "period"} <= set(dashboard["filters"])  # the label source is a filter
    sources = (await datasette.client.get("/jobs.json?" + urlencode(
        {"sql": dashboard["filters"]["labels"]["query"], "_shape": "array"}))).json()
    assert sources == [{"labels": "rules"}]
    for slug, chart in dashboard["charts"].items():
        assert ":labels" in chart["query"], slug
        query = urlencode({"sql": chart["query"], "labels": "rules", "city": "all", "period": "all", "_shape": "array"})
        response = await datasette.client.get(f"/jobs.json?{query}")
        assert response.status_code == 200, (slug, response.text)
        assert response.json(), slug


@pytest.mark.anyio
async def test_published_read_only_with_limits(datasette):
    settings = (await datasette.client.get("/-/settings.json")).json()
    assert settings["sql_time_limit_ms"] == 1000 and settings["max_returned_rows"] == 1000
    assert settings["allow_download"] is False
    assert datasette.databases["jobs"].is_mutable is False
    write = await datasette.client.get("/jobs.json?" + urlencode({"sql": "delete from jobs"}))
    assert write.status_code == 400
    assert (await datasette.client.get("/jobs.db")).status_code == 403
    plugins = {plugin["name"] for plugin in (await datasette.client.get("/-/plugins.json")).json()}
    assert not any(word in name for name in plugins for word in ("write", "insert", "upload", "edit"))


@pytest.mark.anyio
@pytest.mark.parametrize("skill", ["rag", "RAG", "Rag"])
async def test_skill_parameters_ignore_case(datasette, skill):
    jobs = await datasette.client.get(f"/jobs/jobs_with_skill.json?{urlencode({'skill': skill, 'city': ''})}&_shape=array")
    assert jobs.status_code == 200, jobs.text
    assert len(jobs.json()) == 7  # the 7 jobs naming RAG
    london = await datasette.client.get(f"/jobs/jobs_with_skill.json?{urlencode({'skill': skill, 'city': 'london'})}&_shape=array")
    assert len(london.json()) == 6
    trend = await datasette.client.get(f"/jobs/skill_share_by_month.json?{urlencode({'skill': skill, 'city': ''})}&_shape=array")
    assert [(row["period"], row["skill"], row["jobs"]) for row in trend.json()] == [("2026-01", "RAG", 5), ("2026-02", "RAG", 4)]


@pytest.mark.anyio
@pytest.mark.parametrize("city", ["", "london"])
async def test_jobs_with_skill_answers_newest_first_as_a_plain_sort_does(datasette, site_db, city):
    """The canned query walks the newest-first index instead of sorting: same rows, same order."""
    answer = await datasette.client.get(f"/jobs/jobs_with_skill.json?{urlencode({'skill': 'Python', 'city': city})}&_shape=array")
    with sqlite3.connect(site_db) as conn:
        expected = conn.execute(
            "SELECT j.job_id, j.title, k.skill FROM job_skills AS k JOIN jobs AS j USING (job_id) "
            "WHERE k.labels = 'rules' AND k.skill = 'Python' "
            "AND (? = '' OR EXISTS (SELECT 1 FROM job_cities AS c WHERE c.job_id = j.job_id AND c.city = ?)) "
            "ORDER BY j.posted_date DESC, j.title", [city, city]).fetchall()
    assert len(expected) > 2
    assert [(row["job"], row["title"], row["skill"]) for row in answer.json()] == expected


@pytest.mark.anyio
async def test_the_skill_choices_are_every_name_the_data_gives(datasette, site_db):
    options_sql = metadata_for(METADATA_DATABASE)["plugins"]["jobcrawler-site"]["parameters"]["skill"]["options_sql"]
    with sqlite3.connect(site_db) as conn:
        conn.execute("INSERT INTO job_skills (job_id, labels, skill, category) "
                     "SELECT job_id, 'llm:test', 'Zeta skill', 'other' FROM jobs LIMIT 1")
        chosen = [row[0] for row in conn.execute(options_sql)]
        names = {row[0] for row in conn.execute("SELECT skill FROM job_skills")}
        conn.rollback()
    assert sorted(chosen, key=str.lower) == chosen and len(chosen) == len(set(chosen))
    assert set(chosen) == names and "Zeta skill" in names


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))[1:]  # without the header


@pytest.mark.anyio
async def test_csv_streaming_cannot_bypass_the_row_cap(site_db):
    """With a cap of 5 rows, no CSV (streamed or not) of the 14 jobs returns more than 5."""
    async def client(**settings):
        ds = Datasette(immutables=[str(site_db)], metadata=metadata_for(site_db.stem),
                       settings={**SETTINGS, "max_returned_rows": 5, **settings})
        await ds.invoke_startup()
        return ds.client

    capped = await client()
    settings = (await capped.get("/-/settings.json")).json()
    assert settings["allow_csv_stream"] is False
    for path in ("/jobs/jobs.csv?_stream=on", "/jobs/jobs.csv?_stream=on&_size=max",
                 "/jobs/company_jobs.csv?company=&_stream=on&_size=max",
                 "/jobs.csv?" + urlencode({"sql": "select * from jobs", "_stream": "on", "_size": "max"})):
        response = await capped.get(path)
        assert response.status_code == 400 or len(csv_rows(response.text)) <= 5, path
    assert len(csv_rows((await capped.get("/jobs/jobs.csv?_size=max")).text)) == 5
    # The check above is meaningful: with streaming on, the same URL returns every job.
    streaming = await client(allow_csv_stream=True)
    assert len(csv_rows((await streaming.get("/jobs/jobs.csv?_stream=on&_size=max")).text)) == 14


def test_readme_publish_options_match_the_serve_settings():
    readme = (REPO / "docs" / "reports.md").read_text()  # where the publish commands are
    published = re.findall(r'--extra-options "([^"]*)"', readme)
    assert len(published) == 2
    for options in published:
        assert shlex.split(options) == setting_options()
    assert ["--setting", "allow_csv_stream", "off"] == setting_options()[-6:-3]
    assert ["--setting", "suggest_facets", "off"] == setting_options()[-3:]


def child_processes(pid: int) -> list[int]:
    """Live child processes of ``pid`` (Linux /proc)."""
    children = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if entry.name.isdigit() and stat[0] != "Z" and int(stat[1]) == pid:
            children.append(int(entry.name))
    return children


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_serve_is_the_server_says_where_to_open_and_stops_on_sigterm(tmp_path):
    db = build_fixture_db(tmp_path / "demo.db")  # not "jobs": the renamed metadata is written
    build(db)
    port = free_port()
    log = tmp_path / "serve.log"
    server = start_server(serve_command(db, port), log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/-/versions.json", server, log)
        assert child_processes(server.pid) == []  # the PID we started serves: nothing to leave behind
        with urllib.request.urlopen(f"{base}/demo/city_top_skills.json?city=london&period=&_shape=array") as response:
            assert json.load(response)  # the canned queries follow the database name
        lines = log.read_text().splitlines()
        # uvicorn's startup lines are quiet: the one line printed says where to open the site
        assert lines == [f"Open {base}/ in your browser: the AI engineering jobs site (Ctrl-C to stop)"]
        metadata = tmp_path / ".demo.datasette-metadata.yml"
        assert metadata.is_file()
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=15) in (0, -signal.SIGTERM)  # uvicorn shuts down, then re-raises the signal
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    # A second start reuses the same metadata path: nothing piles up next to the database.
    assert sorted(path.name for path in tmp_path.iterdir() if "metadata" in path.name) == [metadata.name]


def chart_data_urls(page: str) -> dict[str, str]:
    """Chart slug -> the path datasette-dashboards' dashboards.js fetches the chart's rows from
    (``getDataUrl``: ``${absolute_url}${chart.db}.json?sql=...``), as a browser sends it (a
    space in a path percent-encoded)."""
    urls = {}
    calls = re.findall(r"renderChart\('([^']+)', (\{.*?\}), '([^']*)', '([^']*)'[,)]", page)
    for slug, chart, query_string, absolute_url in calls:
        chart = json.loads(chart)
        url = f"{absolute_url}{chart['db']}.json?sql={quote(chart['query'], safe=URI_COMPONENT_SAFE)}&{query_string}" \
              "&_shape=objects"
        urls[slug] = quote(urlsplit(url).path) + "?" + urlsplit(url).query
    return urls


URI_COMPONENT_SAFE = "-_.!~*'()"  # what JavaScript's encodeURIComponent leaves as it is


@pytest.mark.anyio
@pytest.mark.parametrize("file_name", ["jobs.db", "my jobs.db", "jobs.2026.db", "données.db"])
async def test_every_dashboard_chart_finds_its_rows_whatever_the_database_file_is_called(site_db, tmp_path, file_name):
    """dashboards.js puts the database's name into the chart's URL as it is: a name with a space or
    a dot (``my jobs``, ``jobs.2026``) answered 404 and every chart stayed empty."""
    db = tmp_path / file_name
    db.write_bytes(site_db.read_bytes())
    ds = datasette_app(db, metadata_path_for(db))
    await ds.invoke_startup()
    for path in ("/-/dashboards/ai-engineering-jobs?labels=rules&city=all&period=all",
                 "/-/dashboards/ai-engineering-jobs/top-skills?labels=rules&city=all&period=all"):
        page = await ds.client.get(path)
        assert page.status_code == 200, page.text
        urls = chart_data_urls(page.text)
        assert urls, path
        for slug, url in urls.items():
            response = await ds.client.get(url)
            assert response.status_code == 200, (file_name, slug, url, response.text[:300])
            assert response.json()["rows"], (file_name, slug)
    chart_page = (await ds.client.get("/-/dashboards/ai-engineering-jobs/top-skills")).text
    query_link = re.search(r'<a class="not-underlined" title="[^"]*" href="([^"?]+)\?', chart_page).group(1)
    assert (await ds.client.get(query_link + ".json?sql=select+1")).status_code == 200  # the chart's "see the query"


def test_serve_on_port_0_picks_a_free_port_and_prints_it(tmp_path):
    """``--port 0``: the system picks a free port, and the line to open names the one it picked
    (port_option refused 0 for a while, though serving on one had always worked)."""
    db = build_fixture_db(tmp_path / "jobs.db")
    build(db)
    log = tmp_path / "serve.log"
    server = start_server(serve_command(db, 0), log)
    try:
        deadline = time.monotonic() + 30
        while not (opened := re.search(r"^Open http://127\.0\.0\.1:(\d+)/ ", log.read_text(), re.M)):
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        port = int(opened.group(1))
        assert port != 0
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/jobs.json?sql=select+1&_shape=array") as response:
            assert json.load(response) == [{"1": 1}]
    finally:
        server.terminate()
        server.wait(timeout=15)


@pytest.mark.parametrize("file_name, name", [
    ("jobs.db", "jobs"),
    ("my jobs.db", "my-jobs"),
    ("my jobs.2026.db", "my-jobs-2026"),
    ("données.db", "donnees"),  # was donn-es: the accent took its letter with it
    ("café.db", "cafe"),  # was caf
    ("Zürich Jobs.db", "Zurich-Jobs"),
    ("ﬁle.db", "file"),  # a ligature: its letters
    ("日本.db", METADATA_DATABASE),  # no ASCII letter at all: the metadata's own name
])
def test_a_database_s_site_name_keeps_its_letters_in_ascii(file_name, name):
    assert site_database_name(file_name) == name


@pytest.mark.anyio
@pytest.mark.parametrize("file_name, old, new", [
    ("my jobs.2026.db", "my~20jobs~2E2026", "my-jobs-2026"),
    ("my jobs.2026.db", "my+jobs~2E2026", "my-jobs-2026"),  # how Datasette 0.65 wrote the name in its links
    ("données.db", "donn~C3~A9es", "donnees"),
])
async def test_a_link_to_a_database_under_its_old_name_redirects_to_its_site_name(site_db, tmp_path, file_name, old,
                                                                                  new):
    """Datasette named the database by its file's stem until the site named it fit for a URL:
    links saved before (``/my~20jobs~2E2026/jobs?...``) answered 404. They redirect, path and
    query kept."""
    db = tmp_path / file_name
    db.write_bytes(site_db.read_bytes())
    ds = datasette_app(db, metadata_path_for(db))
    await ds.invoke_startup()
    for path, query in ((f"/{old}", ""), (f"/{old}/jobs", "?company=Acme&_sort=title"),
                        (f"/{old}.json", "?sql=select+1"), (f"/{old}/city_top_skills.json", "?city=london")):
        response = await ds.client.get(path + query)
        assert response.status_code == 301, (path, response.status_code)
        assert response.headers["location"] == path.replace(old, new, 1) + query
        assert (await ds.client.get(response.headers["location"])).status_code in (200, 302)
    assert (await ds.client.get(f"/{new}/jobs.json?_shape=array&_size=1")).status_code == 200  # no redirect
    assert (await ds.client.get("/nothing~20here/jobs")).status_code == 404


@pytest.mark.anyio
async def test_a_database_file_named_dash_leaves_datasette_s_own_pages_alone(site_db, tmp_path):
    """``-.db`` (stem ``-``) is served under another name; redirecting its old name took
    Datasette's ``/-/`` pages with it (``/-/versions`` answered 301 to the database)."""
    db = tmp_path / "-.db"
    db.write_bytes(site_db.read_bytes())
    ds = datasette_app(db, metadata_path_for(db))
    await ds.invoke_startup()
    assert "-" not in ds.databases
    response = await ds.client.get("/-/versions.json")
    assert response.status_code == 200 and "datasette" in response.json()


@pytest.mark.skipif(not shutil.which("make"), reason="runs make")
def test_make_clean_deletes_the_metadata_serve_wrote_for_the_demo_database(tmp_path):
    """The metadata beside a database is named by its site name (``.my-demo-2026...`` for
    ``my.demo.2026.db``): ``make clean`` named it by the file's stem and left it behind.
    (``make -n``: clean also empties the checkout's build folders.)"""
    db = build_fixture_db(tmp_path / "my.demo.2026.db")
    metadata = metadata_path_for(db)
    assert metadata.name == ".my-demo-2026.datasette-metadata.yml"
    result = subprocess.run(["make", "-n", "clean", f"DEMO_DB={db}"], cwd=REPO, capture_output=True, text=True,
                            check=True)
    assert f"rm -f {metadata}" in result.stdout.splitlines(), result.stdout
