"""A city given to any command (``-a city=``, ``--city``, ``--cities``) in any case and spacing, or
by the name cities.yaml prints it by, is the city's key (``jobcrawler.cities.city_key``); a city
that names none keeps its one-line error. ``--city BERLIN`` was refused with a pointer to
``berlin`` by ``analysis report``, ``analysis path`` and ``jobcrawler.label``."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from analysis.__main__ import main as analysis_main
from jobcrawler import cycle, settings
from jobcrawler.cities import City, city_key, load_cities
from jobcrawler.spiders.builtin import BuiltinSpider
from tests.helpers import REPO, build_fixture_db, crawl, last_run, rows
from tests.test_service_cycle import args as cycle_args
from tests.test_service_cycle import fake  # noqa: F401 (the fixture)

ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *command], cwd=REPO, env=ENV, capture_output=True, text=True)


@pytest.mark.parametrize("given, key", [
    ("berlin", "berlin"), ("BERLIN", "berlin"), ("  Berlin\t", "berlin"), ("NewYork", "newyork"),
    ("New York", "newyork"), ("new  york", "newyork"), ("Los Angeles", "la"), ("ALL", "all"),
    ("atlantis", None), ("", None), ("new-york", None),
])
def test_a_city_is_its_key_in_any_case_and_spacing_or_by_its_name(given, key):
    assert city_key(given, ["all", "berlin", "newyork", "la"]) == key


def test_an_exact_key_wins_and_a_key_wins_over_a_name():
    registry = {"Paris": City("Paris", "Paris", "FRA"), "paris": City("paris", "Paris", "FRA"),
                "ville": City("ville", "Lyon", "FRA"), "lyon": City("lyon", "Lyon-Est", "FRA")}
    assert city_key("Paris", registry, registry) == "Paris"
    assert city_key("paris", registry, registry) == "paris"
    assert city_key("PARIS", registry, registry) == "Paris"  # the first key it folds to
    assert city_key("lyon", registry, registry) == "lyon"  # the key, not ville's name
    assert city_key("LYON-EST", ["ville", "lyon"], registry) == "lyon"
    assert city_key("berlin", ["fieldguide"], registry) is None  # only the keys given


def spider_settings() -> Settings:
    crawl_settings = Settings()
    crawl_settings.setmodule(settings)
    return crawl_settings


@pytest.mark.parametrize("given, key", [("BERLIN ", "berlin"), ("New York", "newyork"), ("All", "all")])
def test_the_spider_takes_a_city_in_any_case_or_by_its_name_as_its_key(given, key, tmp_path):
    BuiltinSpider.check_arguments({"city": given}, spider_settings())
    crawler = get_crawler(BuiltinSpider, {"SQLITE_PATH": str(tmp_path / "jobs.db"), **{
        name: getattr(settings, name) for name in ("BUILTIN_BASE_URL", "BUILTIN_HOST_PATTERN")}})
    spider = BuiltinSpider.from_crawler(crawler, city=given, render="never")
    assert spider.city_arg == key and spider.run_arguments["city"] == key
    assert [city.key for city in spider.cities] == (list(load_cities()) if key == "all" else [key])


def test_a_crawl_of_a_city_given_in_capitals_is_recorded_and_named_by_its_key(site, tmp_path):
    """The run's city, and the {city} of a database path pattern, are the key."""
    result = crawl(site.base_url, tmp_path / "{city}.db", "city= BERLIN", "max_pages=1")
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(path.name for path in tmp_path.glob("*.db")) == ["berlin.db"]
    run_row = last_run(tmp_path / "berlin.db")
    assert run_row["city"] == "berlin" and run_row["args"]["city"] == "berlin"
    assert {row["city"] for row in rows(tmp_path / "berlin.db", "SELECT city FROM job_cities")} == {"berlin"}


def test_the_spider_still_refuses_a_city_it_does_not_know_in_one_line():
    with pytest.raises(ValueError, match=r"^unknown city 'Atlantis': use -a city=<key> with one of: all, berlin, "):
        BuiltinSpider.check_arguments({"city": "Atlantis"}, spider_settings())


@pytest.mark.parametrize("cities, scheduled", [
    (" BERLIN,New York,berlin", ["berlin", "newyork"]),
    ("all", list(load_cities())),
    (" ALL ", list(load_cities())),
])
def test_the_cycle_takes_cities_in_any_case_or_by_name_each_once(fake, tmp_path, monkeypatch, cities,  # noqa: F811
                                                                  scheduled):
    monkeypatch.setattr(cycle.Cycle, "build", lambda self: None)
    assert cycle.main([*cycle_args(tmp_path), "--cities", cities, "--max-per-host", "20"]) == 0
    assert sorted(city for city, _ in fake.scheduled) == sorted(scheduled)


def test_the_cycle_with_no_cities_given_crawls_every_city(fake, tmp_path, monkeypatch):  # noqa: F811
    """Its default --cities all was refused as an unknown city (the tests always gave --cities)."""
    monkeypatch.setattr(cycle.Cycle, "build", lambda self: None)
    given = cycle_args(tmp_path)
    at = given.index("--cities")
    assert cycle.main([*given[:at], *given[at + 2:], "--max-per-host", "20"]) == 0
    assert sorted(city for city, _ in fake.scheduled) == sorted(load_cities())


@pytest.mark.parametrize("cities, says", [("all,berlin", "--cities all cannot be combined with city keys: "),
                                          ("berlin,atlantis", "unknown city atlantis: "),
                                          (" , ", "unknown city (none given): ")])
def test_the_cycle_refuses_cities_it_cannot_crawl(fake, tmp_path, capsys, cities, says):  # noqa: F811
    assert cycle.main([*cycle_args(tmp_path), "--cities", cities]) == 1
    said = [line for line in capsys.readouterr().out.splitlines() if says in line]
    assert len(said) == 1 and fake.scheduled == [], said


@pytest.fixture(scope="module")
def built_db(tmp_path_factory):
    db = build_fixture_db(tmp_path_factory.mktemp("cities") / "jobs.db")
    assert analysis_main(["build", "--db", str(db)]) in (0, None)
    return db


@pytest.mark.parametrize("command", [
    ["-m", "analysis", "report"],
    ["-m", "analysis", "path", "--skills", "python, sql"],
    ["-m", "jobcrawler.label", "--model", "gpt-4o-mini", "--dry-run"],
], ids=["report", "path", "label"])
def test_report_path_and_label_take_a_city_in_any_case_or_by_its_name(built_db, command):
    expected = run(*command, "--db", str(built_db), "--city", "berlin")
    assert expected.returncode == 0, expected.stderr[-2000:]
    for given in ("BERLIN", " Berlin "):
        result = run(*command, "--db", str(built_db), "--city", given)
        assert (result.returncode, result.stdout, result.stderr) == (0, expected.stdout, expected.stderr), given
    by_name = run(*command, "--db", str(built_db), "--city", "New York")
    assert by_name.returncode == 0 and by_name.stdout == run(*command, "--db", str(built_db), "--city",
                                                              "newyork").stdout, by_name.stderr[-2000:]


@pytest.mark.parametrize("command, option, given, spelled", [
    (["-m", "analysis", "report"], "--period", "ALL", "all"),
    (["-m", "analysis", "path", "--skills", "python, sql"], "--period", " All ", "all"),
    (["-m", "analysis", "path", "--skills", "python, sql"], "--ai-type", "AI-First", "ai-first"),
    (["-m", "analysis", "path", "--skills", "python, sql"], "--ai-type", "ai support", "ai-support"),
    (["-m", "analysis", "path", "--skills", "python, sql"], "--ai-type", "AI_FIRST", "ai-first"),
], ids=["report-period", "path-period", "path-ai-type-case", "path-ai-type-space", "path-ai-type-underscore"])
def test_report_and_path_take_a_period_and_an_ai_type_in_any_case(built_db, command, option, given, spelled):
    expected = run(*command, "--db", str(built_db), option, spelled)
    assert expected.returncode == 0, expected.stderr[-2000:]
    result = run(*command, "--db", str(built_db), option, given)
    assert (result.returncode, result.stdout, result.stderr) == (0, expected.stdout, expected.stderr), given


@pytest.mark.parametrize("command, says", [
    (["-m", "analysis", "report"], "python -m analysis report: error: unknown city 'Atlantis' (valid: all, berlin, "),
    (["-m", "analysis", "path", "--skills", "python"],
     "python -m analysis path: error: no posting was seen in city 'Atlantis' (cities: all, berlin, "),
    (["-m", "jobcrawler.label", "--model", "gpt-4o-mini", "--dry-run"],
     "python -m jobcrawler.label: error: no posting is listed under city 'Atlantis'; this database has: berlin, "),
], ids=["report", "path", "label"])
def test_a_city_the_database_lacks_is_still_one_line_naming_the_keys(built_db, command, says):
    result = run(*command, "--db", str(built_db), "--city", "Atlantis")
    assert result.returncode == 2 and result.stderr.startswith(says) and len(result.stderr.splitlines()) == 1, \
        result.stderr


@pytest.mark.parametrize("content, says", [
    (None, "cannot read the city registry {path}: No such file or directory"),
    ("berlin: {name: Berlin\n", "{path} is no YAML file of cities: expected ',' or '}}', but got '<stream end>' (line 2)"),
    ("- berlin\n", "{path} is no city registry: it must map each city key to its entry"),
    ("berlin: Berlin\n", "{path}: city 'berlin' needs at least a 'country' (ISO alpha-3)"),
    ("", "{path} holds no city: it must map each city key to its entry"),
    ("[]\n", "{path} holds no city: it must map each city key to its entry"),
    ("false\n", "{path} holds no city: it must map each city key to its entry"),
    ("All: {country: DEU}\nberlin: {country: DEU}\n", "{path}: 'All' cannot be a city key: city=all means every city"),
    ("\uff41\uff4c\uff4c: {country: DEU}\n",  # full-width: folds to all, as -a city= is folded
     "{path}: '\uff41\uff4c\uff4c' cannot be a city key: city=all means every city"),
], ids=["missing", "not-yaml", "a-list", "no-country", "empty", "empty-list", "false", "key-all", "key-all-full-width"])
def test_a_city_registry_that_cannot_be_read_is_one_line_for_the_crawl_and_the_cycle(tmp_path, content, says, fake,  # noqa: F811
                                                                                      capsys):
    """-s CITIES_FILE naming a missing file, a folder or broken YAML was a traceback."""
    path = tmp_path / "cities.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = run("-m", "scrapy", "crawl", "builtin", "-a", "city=berlin", "-s", f"CITIES_FILE={path}",
                 "-s", f"SQLITE_PATH={tmp_path / 'jobs.db'}")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.stderr.splitlines()[-1] == "error: " + says.format(path=path)
    assert cycle.main([*cycle_args(tmp_path), "--setting", f"CITIES_FILE={path}"]) == 1
    assert f"stopped: {says.format(path=path)}" in capsys.readouterr().out
    assert fake.scheduled == []


def test_a_folder_given_as_the_city_registry_is_one_line(tmp_path):
    result = run("-m", "scrapy", "crawl", "builtin", "-a", "city=berlin", "-s", f"CITIES_FILE={tmp_path}",
                 "-s", f"SQLITE_PATH={tmp_path / 'jobs.db'}")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == f"error: cannot read the city registry {tmp_path}: Is a directory"


@pytest.mark.parametrize("given", ["Mu\u0308nchen", "ＢＥＲＬＩＮ", "ＭÜＮＣＨＥＮ"],
                         ids=["decomposed", "full-width", "full-width-name"])
def test_a_city_typed_in_another_unicode_form_is_its_key(given):
    """A decomposed ü (as macOS and some terminals give it) or full-width letters named no city."""
    cities = {"berlin": City("berlin", "Berlin", "DEU"), "munich": City("munich", "München", "DEU")}
    assert city_key(given, cities, cities) == ("berlin" if "Ｒ" in given else "munich")


def test_a_report_city_differing_only_in_case_resolves_to_the_one_with_jobs():
    """The report took whichever of ``Berlin``/``berlin`` SQLite read first, one without jobs too."""
    import sqlite3

    from analysis.report import scope_city

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE report_overview (labels TEXT, city TEXT, period TEXT, jobs INTEGER)")
    conn.executemany("INSERT INTO report_overview VALUES ('rules', ?, 'all', ?)",
                     [("Berlin", 0), ("berlin", 5), ("all", 5)])
    assert scope_city(conn, "BERLIN") == "berlin"
    assert scope_city(conn, "Atlantis") == "Atlantis"
