"""My learning path (analysis/datasette_plugins/learning_path.py) on the hand-counted fixture
database: skill names through the taxonomy's aliases, unknown names with the closest skills, the
ranked missing skills, the best-fitting postings (open first), the typical posting, an empty scope,
a scope whose every skill the person has; and its three front ends: the site page (in-process and
in Chromium), ``python -m analysis path`` and the report's Learning Path section."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import urllib.request
from contextlib import closing
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

import pytest

from analysis import report
from analysis.__main__ import main as analysis_main
from analysis.build import REPORTS_DIR
from analysis.datasette_plugins import learning_path as engine
from analysis.datasette_plugins import site
from analysis.serve import METADATA_DATABASE, datasette_app, metadata_path_for, setting_options, stage_site_files
from tests.helpers import (BLEND, JOBS, MODEL, blended_ai_types, build_fixture_db, free_port, serve_command,
                           start_server, wait_until_up, with_model_answers)

CHROMIUM = Path("/usr/bin/chromium")


def parse(text: str) -> tuple[list[str], list[str]]:
    return engine.parse_skills(text, site.skill_name, site.skill_lookup_message)


@pytest.fixture(scope="module")
def postings(site_db) -> engine.Postings:
    with closing(sqlite3.connect(site_db)) as conn:
        return engine.load_postings(conn)


def ids(fits) -> list[str]:
    return [fit.job_id for fit in fits]


def fixture_skills(*cities: str) -> set[str]:
    return {skill for job in JOBS if {city for _, city in job["seen"]} & set(cities) for skill in job["skills"]}


# ---------------------------------------------------------------- names


def test_aliases_any_case_and_spacing_name_the_taxonomy_skills():
    assert parse("K8S, postgres;LLM\n python3 , Python") == (["Kubernetes", "PostgreSQL", "LLMs", "Python"], [])
    # several words that are no skill but each one is: the separators were forgotten
    assert parse("python sql docker") == (["Python", "SQL", "Docker"], [])
    assert parse("prompt engineering") == (["prompt engineering"], [])


def test_a_skill_brings_the_skills_it_implies():
    """As the tagger counts a vendor's product for the vendor (taxonomy ``implies``)."""
    implies = engine.implied_skills(site.TAXONOMY_PATH)
    assert engine.parse_skills("dynamodb, aws, bigquery", site.skill_name, site.skill_lookup_message, implies) == (
        ["DynamoDB", "AWS", "BigQuery", "GCP"], [])


def test_unknown_names_answer_with_the_closest_skills():
    skills, problems = parse("lmm, python, , xyzzy")
    assert skills == ["Python"]
    assert problems == ["No skill is called 'lmm'. Closest: LLMs.",
                        "No skill is called 'xyzzy'. Pick one from the list of skills."]


def test_a_name_given_many_times_is_answered_once():
    assert parse(", ".join(["lmm", "python"] * 1000)) == (["Python"], ["No skill is called 'lmm'. Closest: LLMs."])


# ---------------------------------------------------------------- the answer


def test_the_scope_cells_are_the_report_tables_cells(site_db, postings):
    """The copied statement is _scope.sql's, and every cell holds the jobs report_overview counts."""
    scope_sql = (REPORTS_DIR / "_scope.sql").read_text()
    statement = re.search(r"CREATE TEMP TABLE job_city_period AS(.*?);", scope_sql, re.S).group(1)
    assert " ".join(statement.split()) == " ".join(engine.JOB_CITY_PERIOD_SQL.split())
    with closing(sqlite3.connect(site_db)) as conn:
        overview = conn.execute("SELECT city, period, jobs FROM report_overview WHERE labels = 'rules'").fetchall()
    assert len(overview) > 4
    assert {(city, period): jobs for city, period, jobs in overview} == {
        cell: bits.bit_count() for cell, bits in postings.cells.items()}


def test_missing_skills_ranked_by_postings_asking_and_counted_beside_yours(postings):
    result = engine.answer(postings, engine.Scope(), ["Python"])
    assert (result.postings, result.fitting) == (14, 8)  # jobs 1-5, 8, 9, 14 name Python
    first = result.missing[0]
    # RAG: jobs 1, 2, 3, 7, 10, 11, 13; beside Python in jobs 1, 2, 3
    assert (first.skill, first.asking, first.asking_pct, first.beside, first.beside_pct) == ("RAG", 7, 50.0, 3, 37.5)
    assert "Python" not in [m.skill for m in result.missing]
    asking = [m.asking for m in result.missing]
    assert asking == sorted(asking, reverse=True)
    # Kubernetes (jobs 3, 5, 6): Python then RAG asked most; Python then LLMs named most beside it
    assert [m.skill for m in engine.answer(postings, engine.Scope(), ["Kubernetes"]).missing[:2]] == ["Python", "RAG"]
    by_beside = engine.answer(postings, engine.Scope(), ["Kubernetes"], order="beside").missing
    assert [m.beside for m in by_beside] == sorted((m.beside for m in by_beside), reverse=True)
    assert [(m.skill, m.beside, m.asking) for m in by_beside[:2]] == [("Python", 2, 8), ("LLMs", 2, 2)]


def test_best_fitting_postings_share_of_skills_held_open_first(site_db, postings, tmp_path):
    result = engine.answer(postings, engine.Scope(), ["Python", "SQL"])
    # job 14 (Spark, Python, SQL): 2 of 3; job 8 (Python, PostgreSQL): 1 of 2; then 1 of 3 (job 9)
    assert [(fit.job_id, fit.held, fit.named) for fit in result.fits[:3]] == [
        ("9014", 2, 3), ("9008", 1, 2), ("9009", 1, 3)]
    with closing(sqlite3.connect(site_db)) as conn:
        engine.fill_fits(conn, result)
    assert result.fits[0].missing == ["Spark"] and result.fits[0].job["title"] == "Data Engineer, AI Platform"
    assert result.fits[1].missing == ["PostgreSQL"]

    closed = tmp_path / "closed.db"
    shutil.copy(site_db, closed)
    with closing(sqlite3.connect(closed)) as conn, conn:
        conn.execute("UPDATE jobs SET closed_at = '2026-02-10' WHERE job_id = '9014'")
    with closing(sqlite3.connect(closed)) as conn:
        reordered = engine.answer(engine.load_postings(conn), engine.Scope(), ["Python", "SQL"])
    assert ids(reordered.fits)[:2] == ["9008", "9009"]
    assert (reordered.fits[-1].job_id, reordered.fits[-1].is_open) == ("9014", False)


def test_typical_ai_first_and_ai_support_posting(postings):
    result = engine.answer(postings, engine.Scope(), ["Python", "RAG"])
    first, support = result.typical
    # AI-first jobs 1, 2, 3, 4, 10, 11, 13 name 6, 7, 7, 5, 3, 4, 3 skills: the median names 5
    assert (first.ai_type, first.postings, first.median_skills) == ("ai-first", 7, 5)
    assert [skill for skill, _, _ in first.skills] == ["RAG", "Python", "LangChain", "PyTorch", "agents"]
    assert first.had == 2
    # held shares 2/6, 2/7, 2/7, 1/5, 1/3, 1/4, 1/3 -> mean 28.9%; at least half: none
    assert (first.mean_share, first.half_or_more) == (28.9, 0)
    assert (support.ai_type, support.postings) == ("ai-support", 5)


def test_an_empty_scope_answers_with_no_postings(postings):
    result = engine.answer(postings, engine.Scope(city="berlin", ai_type="ml"), ["Python"])
    assert (result.postings, result.fitting, result.missing, result.fits) == (0, 0, [], [])
    assert result.unnamed == ["Python"]


def test_a_scope_whose_every_skill_is_known(postings):
    known = sorted(fixture_skills("newyork"))
    result = engine.answer(postings, engine.Scope(city="newyork"), known)
    assert result.missing == [] and result.postings == 5
    assert {fit.share for fit in result.fits} == {100.0}
    assert len(result.fits) == 4  # job 12 names no skill: no share to fit


def test_unknown_scope_values_name_the_valid_ones(postings):
    with pytest.raises(engine.ScopeError, match=r"city 'paris' \(cities: all, berlin, london, newyork\)"):
        engine.check_scope(postings, engine.Scope(city="paris"))
    with pytest.raises(engine.ScopeError, match="unknown AI type 'genai'"):
        engine.check_scope(postings, engine.Scope(ai_type="genai"))
    with pytest.raises(engine.ScopeError, match=r"source 'llm:x' \(label sources: rules\)"):
        with closing(sqlite3.connect(":memory:")) as conn:
            conn.execute("CREATE TABLE job_labels (job_id, labels)")
            conn.execute("INSERT INTO job_labels VALUES ('1', 'rules')")
            engine.load_postings(conn, "llm:x")


def test_learning_order_follows_co_occurrence(postings):
    steps = engine.learning_order(postings, engine.Scope())
    # RAG most named (6 of 7); Python and LangChain each beside RAG in 3 jobs, Python named more;
    # then LangChain and PyTorch beside Python in 2 each, equally named: by name
    assert [step["skill"] for step in steps] == ["RAG", "Python", "LangChain", "PyTorch", "agents"]
    assert (steps[0]["pct"], steps[0]["beside_previous"], steps[1]["beside_previous"]) == (85.7, None, 50.0)


# ---------------------------------------------------------------- front ends


def test_terminal_answer(site_db, capsys):
    analysis_main(["path", "--skills", "python, SQL, lmm", "--db", str(site_db)])
    out, err = capsys.readouterr()
    assert err == "note: No skill is called 'lmm'. Closest: LLMs.\n"
    assert out.startswith("Your skills: Python, SQL\nScope: all postings, labels rules: 14 postings, 8 of which")
    assert re.search(r"^   1\. RAG +7 \(50\.0%\)   beside yours 3 \(37\.5%\)$", out, re.M)
    assert "   1.  67% (2 of 3)  Data Engineer, AI Platform · Gamma · pay not stated\n      lacks: Spark · " in out
    assert "  ai-first, 7 postings: the median one names 5 skills; the most named: RAG 86%, Python 57% (yours)" in out


@pytest.mark.parametrize("arguments, message", [
    (["--skills", "lmm"], "no skill recognized in --skills: No skill is called 'lmm'. Closest: LLMs."),
    (["--skills", "python", "--city", "paris"], "no posting was seen in city 'paris'"),
])
def test_terminal_errors_are_one_line(site_db, capsys, arguments, message):
    with pytest.raises(SystemExit) as stopped:
        analysis_main(["path", "--db", str(site_db), *arguments])
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and message in err and err.count("\n") == 1


def test_terminal_reading_no_database_is_one_line(tmp_path, capsys):
    text = tmp_path / "notes.db"
    text.write_text("not a database\n" * 100)
    with pytest.raises(SystemExit) as stopped:
        analysis_main(["path", "--skills", "python", "--db", str(text)])
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and err.count("\n") == 1
    assert f"cannot open the database {text}: file is not a database" in err


def test_terminal_empty_scope(site_db, capsys):
    analysis_main(["path", "--skills", "python", "--city", "berlin", "--ai-type", "ml", "--db", str(site_db)])
    out = capsys.readouterr().out
    assert "0 postings" in out and "No posting in this scope" in out


def test_report_learning_path_is_computed_beside_the_published_one(site_db):
    with closing(sqlite3.connect(site_db)) as conn:
        text = report.render_report(conn)
    section = text[text.index("## Learning Path"):text.index("## AI Tech Stack")]
    assert ("1. RAG - named by 85.7% of AI-first jobs\n"
            "2. Python - 57.1% of AI-first jobs; named by 50.0% of those naming RAG") in section
    assert "the published path" in section and "- Foundation - Python" in section
    with closing(sqlite3.connect(site_db)) as conn:
        berlin = report.render_report(conn, city="berlin")
    assert "The 7 skills a typical AI-first job names" in berlin  # jobs 2, 3, 13


async def page(path: str):
    app = datasette_app(Path(path), metadata_path_for(path))
    await app.invoke_startup()
    return app


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


@pytest.mark.anyio
@pytest.mark.parametrize("name", ["my jobs", "jöbs-2026", "jobs+berlin"])
async def test_the_page_answers_for_a_database_named_with_spaces_or_accents(site_db, tmp_path, name):
    """Datasette encodes such a name in its URLs (``jöbs`` -> ``j~C3~B6bs``): the home page's link
    to the page and the page itself follow it."""
    path = tmp_path / f"{name}.db"
    shutil.copy(site_db, path)
    app = await page(path)
    home = await app.client.get("/")
    href = re.search(r'href="([^"]+)">My learning path</a>', home.text).group(1)
    response = await app.client.get(href + "?skills=python&city=berlin")
    assert response.status_code == 200 and "Skills to learn next" in response.text
    job = re.search(r'href="(/[^"]+/jobs/\d+)"', response.text).group(1)
    assert (await app.client.get(job)).status_code == 200


@pytest.mark.anyio
async def test_site_page_answers_in_process(site_db):
    app = await page(site_db)
    url = f"/{METADATA_DATABASE}/-/learning-path"
    home = await app.client.get("/")
    assert f'href="{url}">My learning path</a>' in home.text
    empty = await app.client.get(url)
    assert empty.status_code == 200 and "Skills to learn next" not in empty.text
    response = await app.client.get(url + "?skills=k8s%2C+pyhton%2C+postgres%2C+py&city=berlin")  # the issue's own words
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Your skills: <strong>Kubernetes, PostgreSQL, Python</strong>." in response.text
    assert "No skill is called 'pyhton'." in text
    assert "In this scope (all postings, city berlin, labels rules): 4 postings, 3 of which" in text
    assert "1 RAG genai 3 (75.0%) 2 (66.7%)" in text  # jobs 2, 3, 13; beside yours in 2, 3
    assert f'href="/{METADATA_DATABASE}/jobs/9008">Backend Engineer - AI</a>' in response.text
    assert "100% (2 of 2) Backend Engineer - AI Delta not stated none open posting" in text
    assert "29% (2 of 7) AI Engineer Beta USD 150,000 per year FastAPI, LLMs, OpenAI API, Pinecone, RAG" in text
    asking = await app.client.get(url + "?skills=python&city=berlin&asking=RAG")
    assert "Postings asking for RAG: 3" in text_of(asking.text)
    assert asking.text.count(f'href="/{METADATA_DATABASE}/jobs/90') >= 3 + 2  # the list and the fits
    empty_scope = await app.client.get(url + "?skills=python&city=berlin&ai_type=ml")
    assert "No posting in this scope" in empty_scope.text
    all_known = await app.client.get(url + "?skills=" + ",".join(sorted(fixture_skills("newyork"))) + "&city=newyork")
    assert "You have every skill the postings in this scope name." in all_known.text
    unknown = await app.client.get(url + "?skills=python&city=paris")
    assert "no posting was seen in city &#39;paris&#39;" in unknown.text
    hostile = await app.client.get(url + "?skills=%3Cscript%3Ealert(1)%3C/script%3E")
    assert "<script>alert" not in hostile.text and "&lt;script&gt;alert(1)" in hostile.text
    assert (await app.client.get("/nosuchdb/-/learning-path")).status_code == 404


@pytest.mark.anyio
@pytest.mark.parametrize("given,key", [("BERLIN", "berlin"), (" Berlin ", "berlin"), ("New York", "newyork"),
                                       ("new  york", "newyork"), ("ALL", "all")])
async def test_the_page_reads_a_city_as_the_terminal_does(site_db, given, key):
    """``?city=BERLIN`` (or `` Berlin ``, or the registry's name ``New York``) was "no posting was
    seen in city 'BERLIN'" on the page, where ``python -m analysis path --city`` took it: both read
    it through jobcrawler.cities.city_key, and the page's form and links then show the key."""
    app = await page(site_db)
    url = f"/{METADATA_DATABASE}/-/learning-path?" + urlencode({"skills": "python", "city": given})
    response = await app.client.get(url)
    expected = await app.client.get(f"/{METADATA_DATABASE}/-/learning-path?"
                                    + urlencode({"skills": "python", **({"city": key} if key != "all" else {})}))
    assert response.status_code == 200 and "no posting was seen" not in response.text
    assert "Skills to learn next" in response.text and text_of(response.text) == text_of(expected.text)
    if key != "all":
        assert f"In this scope (all postings, city {key}, labels rules)" in text_of(response.text)
        assert f"<option selected>{key}</option>" in response.text


# ---------------------------------------------------------------- the blend rules+llm:MODEL

BLEND_BELOW = 0.8  # the threshold of the fixture model's label run
MISSING_ROW = re.compile(r'#asking">([^<]+)</a></td><td>[^<]*</td>\s*<td class="number">([\d,]+) \([\d.]+%\)</td>'
                         r'\s*<td class="number">([\d,]+) \([\d.]+%\)</td>')
FIT_ROW = re.compile(r'<td class="number">(\d+)% \((\d+) of (\d+)\)</td>\s*<td><a href="[^"]*">([^<]+)</a>')
TYPICAL = re.compile(r"<h3>([\w-]+): ([\d,]+) postings? \([^;)]*(?:; the AI type of ([\d,]+) by [^)]+)?\)</h3>\s*"
                     r"<p>The median [\w-]+ posting names (\d+) skills?")
TERMINAL_MISSING_ROW = re.compile(r"^ +\d+\. (.+?) +([\d,]+) \( *[\d.]+%\)   beside yours ([\d,]+) \([\d.]+%\)$", re.M)
TERMINAL_FIT_ROW = re.compile(r"^ +\d+\. +(\d+)% \((\d+) of (\d+)\)  (.+?) · ", re.M)
TERMINAL_TYPICAL = re.compile(r"^  ([\w-]+), ([\d,]+) postings(?: \(the AI type of ([\d,]+) by [^)]+\))?: "
                              r"the median one names (\d+) skills", re.M)


@pytest.fixture
def blend_db(tmp_path) -> str:
    """The fixture with the model's answers for the doubtful postings, named as the site expects."""
    return with_model_answers(build_fixture_db(tmp_path / f"{METADATA_DATABASE}.db"), BLEND_BELOW)


def page_answer(html: str) -> dict:
    """What a page answer says, as numbers: the skills to learn (skill, asking, beside), the
    fits (share, held, named, title), the typical postings (type, postings, by the model,
    median skills) and who decided."""
    decided = re.search(r'<p class="hint" id="who-decided">([^<]*)</p>', html)
    return {"missing": [(unescape(skill), int(asking.replace(",", "")), int(beside.replace(",", "")))
                        for skill, asking, beside in MISSING_ROW.findall(html)],
            "fits": [(int(share), int(held), int(named), unescape(title)) for share, held, named, title in FIT_ROW.findall(html)],
            "typical": [(kind, int(count), by_model and int(by_model), int(median))
                        for kind, count, by_model, median in TYPICAL.findall(html)],
            "who_decided": decided and unescape(decided.group(1))}


def terminal_answer(text: str) -> dict:
    """The same of ``python -m analysis path``'s answer."""
    decided = re.search(r"^Who decided .*$", text, re.M)
    return {"missing": [(skill, int(asking.replace(",", "")), int(beside.replace(",", "")))
                        for skill, asking, beside in TERMINAL_MISSING_ROW.findall(text)],
            "fits": [(int(share), int(held), int(named), title) for share, held, named, title in TERMINAL_FIT_ROW.findall(text)],
            "typical": [(kind, int(count), by_model and int(by_model), int(median))
                        for kind, count, by_model, median in TERMINAL_TYPICAL.findall(text)],
            "who_decided": decided and decided.group(0)}


@pytest.mark.anyio
async def test_site_page_reads_the_models_ai_type_where_the_rules_doubt(blend_db):
    app = await page(blend_db)
    assert not app.databases[METADATA_DATABASE].is_mutable  # served as the site serves it
    url = f"/{METADATA_DATABASE}/-/learning-path"
    empty = await app.client.get(url)
    assert f"<option>{MODEL}</option>" in empty.text and f"<option>{BLEND}</option>" in empty.text
    assert "rules+llm:<em>model</em> the rules with the model's AI type where they doubt" in empty.text

    response = await app.client.get(url, params={"skills": "kubernetes, docker", "ai_type": "ai-first", "labels": BLEND})
    assert response.status_code == 200
    assert f"<option selected>{BLEND}</option>" in response.text
    text = text_of(response.text)
    # 9005 and 9007 are AI-first by the model (rule confidence 0.5 and 0.75 < 0.8); 9001 stays
    # AI-first though the model says ml: the rules are sure of it (0.9)
    ai_first = [job for job in JOBS if blended_ai_types(BLEND_BELOW)[job["job_id"]] == "ai-first"]
    assert len(ai_first) == 9
    held = {"Kubernetes", "Docker"}
    beside_held = [job for job in ai_first if held & set(job["skills"])]
    assert f"In this scope (ai-first postings, labels {BLEND}): 9 postings, {len(beside_held)} of which" in text
    answer = page_answer(response.text)
    # every skill to learn counted by hand over the blend's AI-first postings, the rules' skills
    named = {skill for job in ai_first for skill in job["skills"]} - held
    assert sorted(answer["missing"]) == sorted(
        (skill, sum(skill in job["skills"] for job in ai_first), sum(skill in job["skills"] for job in beside_held))
        for skill in named)
    assert ("Terraform", 1, 1) in answer["missing"]  # named by 9005 alone, AI-support to the rules
    # the best fit is 9005, its missing skills the rules' (the blend has no skills of its own)
    assert answer["fits"][0] == (33, 2, 6, "AI Platform Engineer")
    assert "33% (2 of 6) AI Platform Engineer Gamma not stated AWS, LLMs, Python, Terraform" in text
    assert answer["typical"] == [("ai-first", 9, 2, 5), ("ai-support", 3, 1, 2)]
    assert answer["who_decided"] == (
        "Who decided the AI type of these 9 postings: the rules, on 4 postings (44%) where their confidence reaches "
        "0.8; llm:test-model, on 2 postings (22%) where it is below 0.8; and the rules still, on 3 postings (33%) "
        "below 0.8 that llm:test-model has not labelled yet (python -m jobcrawler.label --model test-model "
        "--only-uncertain --below 0.8 sends them). Every skill comes from the rules.")
    asking = await app.client.get(url, params={"skills": "kubernetes", "ai_type": "ai-first", "labels": BLEND,
                                               "asking": "Terraform"})
    assert "Postings asking for Terraform: 1" in text_of(asking.text)
    assert f'href="/{METADATA_DATABASE}/jobs/9005">AI Platform Engineer</a>' in asking.text

    rules = await app.client.get(url, params={"skills": "kubernetes, docker", "ai_type": "ai-first", "labels": "rules"})
    assert "In this scope (ai-first postings, labels rules): 7 postings" in text_of(rules.text)
    assert "Terraform" not in [skill for skill, *_ in page_answer(rules.text)["missing"]]
    assert 'id="who-decided"' not in rules.text


@pytest.mark.anyio
@pytest.mark.parametrize("scope", [
    {"ai_type": "ai-first", "labels": BLEND},
    {"city": "newyork", "labels": BLEND},
    {"ai_type": "ai-support", "period": "2026-02", "labels": BLEND},
    {"ai_type": "ai-first", "labels": "rules"},
])
async def test_terminal_and_page_give_the_same_answer(blend_db, capsys, scope):
    app = await page(blend_db)
    skills = "kubernetes, docker, python"
    response = await app.client.get(f"/{METADATA_DATABASE}/-/learning-path", params={"skills": skills, **scope})
    analysis_main(["path", "--skills", skills, "--db", blend_db,
                   *(f"--{name.replace('_', '-')}={value}" for name, value in scope.items())])
    on_page, in_terminal = page_answer(response.text), terminal_answer(capsys.readouterr().out)
    assert in_terminal["missing"] and in_terminal["fits"] and in_terminal["typical"]
    assert on_page["missing"][:len(in_terminal["missing"])] == in_terminal["missing"]
    assert on_page["fits"][:len(in_terminal["fits"])] == in_terminal["fits"]
    assert on_page["typical"] == in_terminal["typical"]
    assert on_page["who_decided"] == in_terminal["who_decided"]
    assert (on_page["who_decided"] is None) == (scope["labels"] == "rules")


@pytest.mark.anyio
@pytest.mark.parametrize("labels, message", [
    ("rules+llm:nosuch", "label source 'rules+llm:nosuch' blends 'rules' and 'llm:nosuch', but no posting has labels "
                         "of 'llm:nosuch' (label sources: rules, llm:test-model, rules+llm:test-model)"),
    ("rules+llm:", "no posting has labels of source 'rules+llm:' (label sources: rules, llm:test-model, "
                   "rules+llm:test-model)"),
    ("<b>nosuch</b>", "no posting has labels of source '<b>nosuch</b>'"),
])
async def test_an_unknown_label_source_is_named_on_the_page(blend_db, labels, message):
    app = await page(blend_db)
    response = await app.client.get(f"/{METADATA_DATABASE}/-/learning-path",
                                    params={"skills": "python", "labels": labels})
    assert response.status_code == 200 and "Skills to learn next" not in response.text
    assert message in unescape(response.text) and "<b>nosuch" not in response.text


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium (apt-get install -y chromium)")
def test_a_person_types_three_skills_in_chromium(site_db, tmp_path):
    from playwright.sync_api import sync_playwright

    port = free_port()
    log = tmp_path / "datasette.log"
    server = start_server(serve_command(site_db, port), log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/-/versions.json", server, log)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
            tab = browser.new_page()
            errors = []
            tab.on("pageerror", lambda error: errors.append(str(error)))
            tab.goto(base + "/")
            tab.click("text=My learning path")
            tab.fill("#lp-skills", "python, sql, docker")
            tab.select_option("#lp-city", "london")
            tab.click("input[type=submit]")
            tab.wait_for_selector("#next")
            rows = tab.locator("#next + p + table tbody tr")
            assert rows.count() > 3
            first = rows.nth(0).inner_text()
            tab.click("#next + p + table tbody tr >> nth=0 >> a")
            tab.wait_for_selector("#asking")
            assert first.split("\t")[1] in tab.inner_text("#asking")
            assert "city=london" in tab.url
            browser.close()
        assert errors == []
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_packaged_site_serves_the_page_without_the_checkout(site_db, tmp_path):
    """As ``python -m jobcrawler.cycle`` packages it: the staged plugins and templates only, run
    from another folder, where neither ``analysis`` nor ``jobcrawler`` can be imported."""
    plugins, templates = stage_site_files(tmp_path)
    shutil.copy(metadata_path_for(site_db), tmp_path / "metadata.yml")
    with_model_answers(shutil.copy(site_db, tmp_path / site_db.name), BLEND_BELOW)  # the blend reads its plugin too
    port = free_port()
    log = tmp_path / "datasette.log"
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "datasette", "serve", "-i", site_db.name, "--metadata", "metadata.yml",
             "--plugins-dir", str(plugins), "--template-dir", str(templates), "--port", str(port),
             *setting_options()], cwd=tmp_path, env=env, stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/-/versions.json", server, log)
        url = f"{base}/{METADATA_DATABASE}/-/learning-path?skills=python%2C+sql%2C+dynamodb"
        with urllib.request.urlopen(url) as answer:
            text = text_of(answer.read().decode())
        assert "Your skills: Python, SQL, DynamoDB, AWS ." in text  # DynamoDB implies AWS (the staged taxonomy)
        assert "1 RAG genai 7 (50.0%)" in text and "67% (2 of 3) Data Engineer, AI Platform" in text
        blended = urlencode({"skills": "kubernetes", "ai_type": "ai-first", "labels": BLEND})
        with urllib.request.urlopen(f"{base}/{METADATA_DATABASE}/-/learning-path?{blended}") as answer:
            text = text_of(answer.read().decode())
        assert f"In this scope (ai-first postings, labels {BLEND}): 9 postings" in text
        assert "Who decided the AI type of these 9 postings: the rules, on 4 postings (44%)" in text
    finally:
        server.terminate()
        server.wait(timeout=10)
