"""A new user's first hour: every mistake is one line naming what is wrong, a non-zero exit, and
nothing written (docs/reliability.md, "Every mistake answered in one line")."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import closing

import pytest

from analysis.__main__ import main as analysis_main
from tests.helpers import (REPO, build_fixture_db, checkout_lock, crawl, free_port, rows, serve_command, start_server,
                           wait_until_up)

ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def run(*command: str, cwd=REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *command], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=180)


def scrapy(*arguments: str, cwd=REPO) -> subprocess.CompletedProcess:
    return run("-m", "scrapy", *arguments, cwd=cwd)


@pytest.mark.parametrize("arguments,says", [
    (["crawl", "biultin"], "error: no spider called 'biultin': did you mean builtin? (spiders: builtin)"),
    # Scrapy's banner and usage, then a line on the spider name or "Invalid -a value" naming none
    (["crawl", "builtin", "--city", "berlin"],
     "error: unknown option --city: spider arguments are -a NAME=VALUE (-a city=berlin), settings -s NAME=VALUE"),
    (["crawl", "builtin", "--city=berlin"], "error: unknown option --city=berlin: spider arguments are -a"),
    (["crawl", "builtin", "-a", "city", "berlin"], "error: -a city is not NAME=VALUE: write it as e.g. -a city=berlin"),
    (["crawl", "builtin", "-s", "LOG_LEVEL"],
     "error: -s LOG_LEVEL is not NAME=VALUE: write it as e.g. -s LOG_LEVEL=INFO"),
    (["crawl", "builtin", "berlin"],
     "error: give exactly one spider name, e.g. `scrapy crawl builtin -a city=berlin` (got builtin berlin: a city is "
     "-a city=<key>)"),
    (["crawl"], "error: give exactly one spider name, e.g. `scrapy crawl builtin -a city=berlin`"),
    (["crawl", "builtin", "-a", "max_page=1"],
     "error: unknown spider argument -a max_page: did you mean -a max_pages?"),
    (["crawl", "builtin", "-a", "cty=berlin"], "error: unknown spider argument -a cty: did you mean -a city?"),
    (["crawl", "builtin", "-a", "city=atlantis"],
     "error: unknown city 'atlantis': use -a city=<key> with one of: all, berlin"),
    (["crawl", "builtin", "-a", "city=berlin", "-s", "PROXY_URL=proxy.example:8000"],
     "error: proxy 'proxy.example:8000' is not http(s)://[user:password@]host:port"),
    # read only when the run ends: a whole crawl's record would fail, or nan would let it close every job
    (["crawl", "builtin", "-a", "city=berlin", "-s", "CLOSE_MAX_SHARE=half"],
     "error: -s CLOSE_MAX_SHARE must be a share (a number from 0: 0.95 for 95%), got 'half'"),
    (["crawl", "builtin", "-a", "city=berlin", "-s", "CLOSE_MAX_SHARE=nan"],
     "error: -s CLOSE_MAX_SHARE must be a share (a number from 0: 0.95 for 95%), got 'nan'"),
    (["crawl", "builtin", "-a", "city=berlin", "-s", "QUALITY_MIN_STORED_RATIO=-0.95"],
     "error: -s QUALITY_MIN_STORED_RATIO must be a share (a number from 0: 0.95 for 95%), got '-0.95'"),
    (["crawl", "builtin", "-a", "city=berlin", "-s", 'QUALITY_MIN_COVERAGE={"salary": "most"}'],
     "error: -s QUALITY_MIN_COVERAGE 'salary' must be a share (a number from 0: 0.95 for 95%), got 'most'"),
    # read as off, silently; a number or switch Scrapy reads later failed naming no setting
    (["crawl", "builtin", "-a", "city=berlin", "-a", "render_details=maybe"],
     "error: -a render_details must be 0 or 1, got 'maybe'"),
    (["crawl", "builtin", "-a", "city=berlin", "-s", "DOWNLOAD_DELAY=abc"],
     "error: -s DOWNLOAD_DELAY must be a number, got 'abc'"),
    (["crawl", "builtin", "-a", "city=berlin", "-s", "SQLITE_BUSY_TIMEOUT=soon"],
     "error: -s SQLITE_BUSY_TIMEOUT must be a number, got 'soon'"),
    (["crawl", "builtin", "-a", "city=berlin", "-s", "AUTOTHROTTLE_ENABLED=maybe"],
     "error: -s AUTOTHROTTLE_ENABLED must be 0 or 1 (False or True), got 'maybe'"),
    (["crawl", "builtin", "-a", "city=berlin", "-s", "BUILTIN_BASE_URL=127.0.0.1:8765"],
     "error: -s BUILTIN_BASE_URL must be an http(s):// address (https://builtin.com, http://127.0.0.1:8765), "
     "got '127.0.0.1:8765'"),
    (["crawl", "builtin", "-a", "city=berlin", "-s", "BUILTIN_BASE_URL=http://127.0.0.1:99999"],
     "error: -s BUILTIN_BASE_URL must be an http(s):// address (https://builtin.com, http://127.0.0.1:8765), "
     "got 'http://127.0.0.1:99999'"),
    # a whole-number setting given a fraction passed as a number, then failed in int() after the run began
    (["crawl", "builtin", "-a", "city=berlin", "-s", "CONCURRENT_REQUESTS=1.5"],
     "error: -s CONCURRENT_REQUESTS must be a whole number, got '1.5'"),
    (["crawl", "builtin", "-a", "city=berlin", "-s", "RETRY_TIMES=2.0"],
     "error: -s RETRY_TIMES must be a whole number, got '2.0'"),
    (["crawl", "builtin", "-a", "city=berlin", "-s", "STORE_BATCH_SIZE=10.7"],
     "error: -s STORE_BATCH_SIZE must be a whole number, got '10.7'"),
    (["crawl", "builtin", "-a", "city=berlin", "-s", "DOWNLOAD_MAXSIZE=1e6"],
     "error: -s DOWNLOAD_MAXSIZE must be a whole number, got '1e6'"),
    # delays and timeouts: nan and negative values passed as numbers
    (["crawl", "builtin", "-a", "city=berlin", "-s", "DOWNLOAD_DELAY=nan"],
     "error: -s DOWNLOAD_DELAY must be a number from 0, got 'nan'"),
    (["crawl", "builtin", "-a", "city=berlin", "-s", "DOWNLOAD_DELAY=-1"],
     "error: -s DOWNLOAD_DELAY must be a number from 0, got '-1'"),
    (["crawl", "builtin", "-a", "city=berlin", "-s", "AUTOTHROTTLE_MAX_DELAY=inf"],
     "error: -s AUTOTHROTTLE_MAX_DELAY must be a number from 0, got 'inf'"),
    (["crawl", "builtin", "-a", "city=berlin", "-s", "AUTOTHROTTLE_TARGET_CONCURRENCY=0"],
     "error: -s AUTOTHROTTLE_TARGET_CONCURRENCY must be a number above 0, got '0'"),
    (["crawl", "builtin", "-a", "city=berlin", "-s", "DOWNLOAD_TIMEOUT=0"],
     "error: -s DOWNLOAD_TIMEOUT must be a number above 0, got '0'"),
])
def test_a_mistyped_crawl_is_one_line_and_writes_nothing(arguments, says, tmp_path):
    db = tmp_path / "never.db"
    result = scrapy(*arguments, "-s", f"SQLITE_PATH={db}")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [result.stderr.splitlines()[0]] and result.stderr.startswith(says)
    assert not db.exists()


def command_line_settings(**values: str):
    from scrapy.settings import Settings

    settings = Settings()
    settings.setdict(values, priority="cmdline")
    return settings


@pytest.mark.parametrize("name,value,says", [
    ("CLOSESPIDER_TIMEOUT", "-1", "-s CLOSESPIDER_TIMEOUT must be a number from 0, got '-1'"),
    ("CLOSESPIDER_TIMEOUT_NO_ITEM", "-5", "-s CLOSESPIDER_TIMEOUT_NO_ITEM must be a whole number from 0, got '-5'"),
    ("LOGSTATS_INTERVAL", "nan", "-s LOGSTATS_INTERVAL must be a number from 0, got 'nan'"),
    ("PROGRESS_INTERVAL", "-10", "-s PROGRESS_INTERVAL must be a number from 0, got '-10'"),
    ("STORE_BATCH_SECONDS", "inf", "-s STORE_BATCH_SECONDS must be a number from 0, got 'inf'"),
    ("SQLITE_BUSY_TIMEOUT", "-1", "-s SQLITE_BUSY_TIMEOUT must be a number from 0, got '-1'"),
    ("RETRY_BACKOFF_BASE", "nan", "-s RETRY_BACKOFF_BASE must be a number from 0, got 'nan'"),
    ("RETRY_BACKOFF_MAX", "-60", "-s RETRY_BACKOFF_MAX must be a number from 0, got '-60'"),
    ("RETRY_AFTER_MAX", "-inf", "-s RETRY_AFTER_MAX must be a number from 0, got '-inf'"),
    ("DOWNLOAD_DELAY_JITTER", "1.5", "-s DOWNLOAD_DELAY_JITTER must be a number from 0 to 1, got '1.5'"),
    ("DOWNLOAD_DELAY_JITTER", "-0.1", "-s DOWNLOAD_DELAY_JITTER must be a number from 0 to 1, got '-0.1'"),
    ("CONCURRENT_REQUESTS", "0", "-s CONCURRENT_REQUESTS must be a whole number from 1, got '0'"),
    ("CONCURRENT_REQUESTS_PER_DOMAIN", "-2", "-s CONCURRENT_REQUESTS_PER_DOMAIN must be a whole number from 1, got '-2'"),
    ("CONCURRENT_ITEMS", "0", "-s CONCURRENT_ITEMS must be a whole number from 1, got '0'"),
    ("RETRY_TIMES", "-1", "-s RETRY_TIMES must be a whole number from 0, got '-1'"),
])
def test_a_setting_out_of_its_range_is_refused_by_name(name, value, says):
    """Read as numbers, these passed the type check and then made the crawl wait forever, never
    fetch, or never retry, naming no setting."""
    from jobcrawler.commands.crawl import typed_setting_error

    assert typed_setting_error(command_line_settings(**{name: value})) == says


@pytest.mark.parametrize("name,value", [
    ("DEPTH_PRIORITY", "-1"), ("RETRY_PRIORITY_ADJUST", "-1"), ("REDIRECT_PRIORITY_ADJUST", "-3"),
    ("DOWNLOAD_DELAY_JITTER", "1"), ("DOWNLOAD_DELAY_JITTER", "0"), ("CONCURRENT_REQUESTS", "1"),
    ("RETRY_TIMES", "0"), ("CLOSESPIDER_TIMEOUT", "0.5"), ("SQLITE_BUSY_TIMEOUT", "0"),
])
def test_a_setting_in_its_range_passes_even_when_negative(name, value):
    """Scrapy's priority settings are legitimately negative (-s DEPTH_PRIORITY=-1 crawls breadth-first)."""
    from jobcrawler.commands.crawl import typed_setting_error

    assert typed_setting_error(command_line_settings(**{name: value})) is None


@pytest.mark.parametrize("value", ["30.5", "30"])
def test_a_timeout_scrapy_reads_as_seconds_takes_a_fraction(value, tmp_path):
    """DOWNLOAD_TIMEOUT's default is a whole number, but Scrapy reads it as a float: 30.5 is
    no mistake (the crawl gets past the checks to the unreachable site)."""
    result = scrapy("crawl", "builtin", "-a", "city=berlin", "-s", f"DOWNLOAD_TIMEOUT={value}",
                    "-s", "BUILTIN_BASE_URL=http://127.0.0.1:9", "-s", "RETRY_TIMES=0",
                    "-s", f"SQLITE_PATH={tmp_path / 'jobs.db'}")
    assert "must be" not in result.stderr and "crawl failed (run 1)" in result.stderr, result.stderr[-2000:]


def test_a_crawl_that_did_not_start_leaves_no_run_running(tmp_path):
    """A part Scrapy builds after the run's row is written (a pipeline) fails: the crawl says why
    in one line and its run is failed, not `running` until a later run finds its process gone."""
    db = tmp_path / "jobs.db"
    result = scrapy("crawl", "builtin", "-a", "city=berlin", "-s", f"SQLITE_PATH={db}",
                    "-s", 'ITEM_PIPELINES={"tests.helpers.PipelineThatCannotStart": 100}')
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "error: -s PIPELINE_THAT_CANNOT_START is wrong", result.stderr[-2000:]
    assert rows(db, "SELECT run_id, status, finish_reason, status_reasons FROM crawl_runs") == [
        {"run_id": 1, "status": "failed", "finish_reason": "start_error",
         "status_reasons": '["the crawl did not start: -s PIPELINE_THAT_CANNOT_START is wrong"]'}]


def test_a_resumed_run_whose_jobdir_cannot_be_emptied_is_interrupted_again_not_left_running(tmp_path, monkeypatch):
    """Resuming sets the run's row ``running`` before the JOBDIR is emptied; when emptying fails the
    run's id must already be in the stats, or the crawl's closing finds no run to close."""
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from jobcrawler import storage
    from jobcrawler.commands.crawl import _close_the_run_that_did_not_start
    from jobcrawler.extensions import crawl_run

    db_path, jobdir = tmp_path / "jobs.db", tmp_path / "job"
    (jobdir / "requests.queue").mkdir(parents=True)
    (jobdir / "spider.state").write_bytes(b"not a pickle")  # unreadable: the JOBDIR is emptied
    db = storage.open_db(db_path)
    run_id = storage.start_run(db, "builtin", "berlin", None, {}, None, str(jobdir.resolve()))
    storage.finish_run(db, run_id, {"status": "interrupted", "finish_reason": "shutdown"})
    db.close()

    def cannot_remove(path):
        raise OSError(f"cannot remove {path}")

    monkeypatch.setattr(crawl_run.shutil, "rmtree", cannot_remove)
    crawler = get_crawler(Spider, settings_dict={"SQLITE_PATH": str(db_path), "JOBDIR": str(jobdir)})
    with pytest.raises(crawl_run.JobdirError) as error:
        crawl_run.CrawlRun(crawler)
    _close_the_run_that_did_not_start(crawler, error.value)
    assert rows(db_path, "SELECT status, finish_reason FROM crawl_runs") == [
        {"status": "interrupted", "finish_reason": "start_error"}]


def test_closing_a_run_that_did_not_start_leaves_a_run_that_ended_as_it_ended(tmp_path):
    """Only a run still ``running`` is closed as not started: one a spider finished meanwhile keeps
    its status and reasons."""
    from types import SimpleNamespace

    from scrapy.settings import Settings

    from jobcrawler import storage
    from jobcrawler.commands.crawl import _close_the_run_that_did_not_start

    db_path = tmp_path / "jobs.db"
    db = storage.open_db(db_path)
    finished = storage.start_run(db, "builtin", "berlin", None, {})
    storage.finish_run(db, finished, {"status": "ok", "finish_reason": "finished"})
    running = storage.start_run(db, "builtin", "berlin", None, {})
    db.close()
    settings = Settings({"SQLITE_PATH": str(db_path)})
    for run_id in (finished, running):
        crawler = SimpleNamespace(stats=SimpleNamespace(get_value={"jobcrawler/run_id": run_id}.get), settings=settings)
        _close_the_run_that_did_not_start(crawler, ValueError("a pipeline failed"))
    assert rows(db_path, "SELECT run_id, status, finish_reason FROM crawl_runs ORDER BY run_id") == [
        {"run_id": finished, "status": "ok", "finish_reason": "finished"},
        {"run_id": running, "status": "failed", "finish_reason": "start_error"}]


def test_a_mistyped_scheduled_crawl_says_why_in_its_log_file(tmp_path):
    """A Scrapyd job's log (LOG_FILE) is where whoever scheduled it looks."""
    log = tmp_path / "job.log"
    result = scrapy("crawl", "builtin", "-a", "city=atlantis", "-a", "_job=abc", "-s", f"LOG_FILE={log}")
    assert result.returncode == 1
    assert log.read_text().startswith("ERROR: The crawl did not start: unknown city 'atlantis'")


def test_a_crawl_from_inside_the_checkout_writes_the_checkouts_database(site, tmp_path):
    """Scrapy finds scrapy.cfg upward; the default data/jobs.db must not become a new file there."""
    checkout = tmp_path / "checkout"
    with checkout_lock():
        shutil.copytree(REPO, checkout, ignore=shutil.ignore_patterns(".venv", "data", ".git", "__pycache__", "tests"))
    env = {**ENV, "PYTHONPATH": str(checkout)}
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "builtin", "-a", "city=berlin", "-a", "render=never",
         "-s", f"BUILTIN_BASE_URL={site.base_url}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0"],
        cwd=checkout / "jobcrawler", env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (checkout / "data" / "jobs.db").is_file() and not (checkout / "jobcrawler" / "data").exists()
    assert result.stderr.splitlines()[-1].endswith(f"-> {checkout / 'data' / 'jobs.db'}")


@pytest.mark.parametrize("content, says", [
    (b"", "no posting is listed under city 'berlin'; this database has: no city yet\n"),  # an empty file
    (b"not a database" * 100, "cannot open the database {db}: file is not a database\n"),
])
def test_label_for_a_city_in_a_file_that_holds_no_crawl_is_one_line(tmp_path, content, says):
    db = tmp_path / "jobs.db"
    db.write_bytes(content)
    result = run("-m", "jobcrawler.label", "--model", "any", "--db", str(db), "--city", "berlin", "--dry-run")
    assert result.returncode == 2
    assert result.stderr == f"python -m jobcrawler.label: error: {says.format(db=db)}"


def test_label_for_a_city_the_database_lacks_is_one_line(tmp_path):
    db = build_fixture_db(tmp_path / "jobs.db")
    result = run("-m", "jobcrawler.label", "--model", "any", "--db", str(db), "--city", "atlantis", "--dry-run")
    assert result.returncode == 2
    assert result.stderr.startswith("python -m jobcrawler.label: error: no posting is listed under city 'atlantis'; "
                                    "this database has: ")
    assert "berlin" in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("command", ["build", "serve"])
def test_build_and_serve_refuse_a_database_without_jobs(command, tmp_path):
    db = tmp_path / "empty.db"
    sqlite3.connect(db).close()
    result = run("-m", "analysis", command, "--db", str(db))
    assert result.returncode == 2
    assert result.stderr == (f"python -m analysis {command}: error: the database holds no jobs yet: crawl "
                             "(scrapy crawl builtin) or import jobs (python -m jobcrawler.fieldguide) first\n")


def test_serve_builds_a_crawled_database_first_and_its_pages_answer(tmp_path):
    db = build_fixture_db(tmp_path / "jobs.db")  # crawled, never built
    port = free_port()
    log = tmp_path / "serve.log"
    server = start_server(serve_command(db, port), log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/jobs/report_overview.json", server, log)
        for path in ("/", "/jobs/report_overview.json", "/jobs/city_top_skills.json?city=berlin&period="):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}") as response:
                assert response.status == 200
    finally:
        server.terminate()
        server.wait(10)
    assert log.read_text().startswith("building the report tables first: ")


def test_ctrl_c_stops_the_site_without_a_traceback(tmp_path):
    """The site's own line says "Ctrl-C to stop": the way to stop it is no error."""
    db = build_fixture_db(tmp_path / "jobs.db")
    port, log = free_port(), tmp_path / "serve.log"
    server = start_server(serve_command(db, port), log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", server, log)
        server.send_signal(signal.SIGINT)
        assert server.wait(30) == 0
    finally:
        server.kill()
    assert log.read_text().splitlines()[-1] == "stopped the site" and "Traceback" not in log.read_text()


def test_serve_on_a_taken_port_is_one_line(tmp_path):
    db = build_fixture_db(tmp_path / "jobs.db")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("-m", "analysis", "serve", "--db", str(db), "--port", str(port))
    assert result.returncode == 1
    last = result.stderr.splitlines()[-1]
    assert last.startswith(f"python -m analysis serve: error: cannot serve on 127.0.0.1:{port}: ")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [
    ["-m", "analysis", "serve", "--db", "{db}", "--port", "70000"],
    ["-m", "jobcrawler.replay.wait", "--ports-free", "8765", "70000"],  # make demo DATASETTE_PORT=70000
    ["-m", "jobcrawler.replay", "--port", "70000"],
])
def test_a_port_past_65535_is_one_line_not_a_traceback(tmp_path, command):
    """socket's bind raised OverflowError: a traceback, and make demo stopped with it."""
    db = build_fixture_db(tmp_path / "jobs.db")
    result = run(*[part.format(db=db) for part in command])
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert re.search(r"error: argument --ports?(-free)?: not a port number \([01] to 65535\): '70000'$",
                     result.stderr.splitlines()[-1]), result.stderr


def test_make_demo_right_after_a_stopped_demo_finds_its_ports_free():
    """Ctrl-C on a demo, then ``make demo`` again: the connections the stopped servers closed stay
    in TIME_WAIT on their ports for a minute, and the check said "port 8765 is taken: is a demo
    already running?", though the servers (binding with SO_REUSEADDR) could start."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the replay site and Datasette bind
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)) as client:
            served, _ = listener.accept()
            served.close()  # the server closes first: its side of the connection waits in TIME_WAIT
            client.recv(1)
    assert run("-m", "jobcrawler.replay.wait", "--ports-free", str(port)).returncode == 0


def test_make_demo_beside_a_running_demo_stops_before_anything(tmp_path):
    """The check make demo runs first: a taken port is one line, exit 1 (the demo's recipe then stops)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("-m", "jobcrawler.replay.wait", "--ports-free", str(free_port()), str(port))
    assert result.returncode == 1
    assert result.stderr.startswith(f"make demo: port {port} is taken (") and len(result.stderr.splitlines()) == 1
    assert run("-m", "jobcrawler.replay.wait", "--ports-free", str(free_port())).returncode == 0
    recipe = (REPO / "Makefile").read_text().split("\ndemo:", 1)[1]
    assert recipe.index("--ports-free") < recipe.index("mkdir -p data") < recipe.index("jobcrawler.replay --port")


def test_a_repeat_crawl_says_what_was_already_stored(site, tmp_path):
    db = tmp_path / "twice.db"
    assert crawl(site.base_url, db, "city=berlin").returncode == 0
    again = crawl(site.base_url, db, "city=berlin")
    assert again.returncode == 0
    listed = rows(db, "SELECT count(*) n FROM jobs")[0]["n"]
    assert f"{listed} listed, {listed} already stored (not fetched again)" in again.stderr.splitlines()[-1]


@pytest.mark.parametrize("command", ["build", "report", "serve"])
def test_a_file_that_is_not_a_database_is_one_line(tmp_path, capsys, command):
    notes = tmp_path / "README.md"
    notes.write_text("# not a database\n" * 100)
    with pytest.raises(SystemExit) as stopped:
        analysis_main([command, "--db", str(notes)])
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and err.count("\n") == 1
    assert f"cannot open the database {notes}: file is not a database" in err


def _a_table_of_its_own(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO users VALUES (1, 'ada')")


def _a_jobs_table_of_its_own(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE jobs (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO jobs VALUES (1, 'gardener')")


def _a_jobs_table_keyed_by_job_id(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE jobs (job_id TEXT PRIMARY KEY, title TEXT, url TEXT)")
    conn.execute("INSERT INTO jobs VALUES ('a1', 'gardener', 'https://example.org/a1')")


@pytest.mark.parametrize("command, code", [
    (["-m", "analysis", "build", "--db", "{db}"], 2),
    (["-m", "analysis", "path", "--skills", "python", "--db", "{db}"], 2),
    (["-m", "jobcrawler.retag", "--db", "{db}"], 1),
    (["-m", "jobcrawler.merge", "--db", "{db}", "{run}"], 1),
    (["-m", "scrapy", "crawl", "builtin", "-a", "city=berlin", "-s", "SQLITE_PATH={db}"], 1),
])
@pytest.mark.parametrize("made, tables", [(_a_table_of_its_own, "users"), (_a_jobs_table_of_its_own, "jobs"),
                                          (_a_jobs_table_keyed_by_job_id, "jobs")])
def test_another_programs_database_is_refused_in_one_line_and_left_as_it_was(tmp_path, command, code, made, tables):
    """Opening it would add this schema's 20 tables to it, or rebuild its own jobs table."""
    db, run_db = tmp_path / "theirs.db", build_fixture_db(tmp_path / "run.db")
    with sqlite3.connect(db) as conn:
        made(conn)
        before = conn.execute("SELECT * FROM sqlite_master").fetchall() + conn.execute("PRAGMA journal_mode").fetchall()
    result = run(*[part.format(db=db, run=run_db) for part in command])
    assert result.returncode == code
    assert f"{db} is not a jobcrawler database (its tables: {tables}); give a new file or one a crawl or an import " \
           "wrote" in result.stderr.splitlines()[-1]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT * FROM sqlite_master").fetchall() + conn.execute("PRAGMA journal_mode").fetchall() \
            == before


@pytest.mark.parametrize("arguments, code, says", [
    (["--db", "{notes}"], 1, "error: cannot open the database {notes}: file is not a database"),
    (["--db", "{notes}", "--workers", "0"], 2,
     "python -m jobcrawler.retag: error: argument --workers: not a positive whole number: '0'"),
])
def test_a_retag_that_cannot_start_is_one_line(tmp_path, arguments, code, says):
    notes = tmp_path / "README.md"
    notes.write_text("# not a database\n" * 100)
    result = run("-m", "jobcrawler.retag", *[part.format(notes=notes) for part in arguments])
    assert result.returncode == code
    assert result.stderr.splitlines()[-1] == says.format(notes=notes) and "Traceback" not in result.stderr


def test_writing_into_the_database_a_site_serves_is_refused_in_one_line(tmp_path):
    """``analysis serve`` opens the file immutable: a crawl under it made it serve old job counts
    beside new runs and answer 500 on the jobs table."""
    db = build_fixture_db(tmp_path / "jobs.db")
    dataset = tmp_path / "guide"
    dataset.mkdir()
    port, log = free_port(), tmp_path / "serve.log"
    server = start_server(serve_command(db, port), log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/jobs.json?sql=select+1", server, log)
        before = db.read_bytes()
        for doing, command, code in [
            ("crawl", ["-m", "scrapy", "crawl", "builtin", "-a", "city=berlin", "-s", f"SQLITE_PATH={db}"], 1),
            ("re-tag", ["-m", "jobcrawler.retag", "--db", str(db), "--all"], 1),
            ("import", ["-m", "jobcrawler.fieldguide", str(dataset), "--db", str(db)], 1),
            ("label", ["-m", "jobcrawler.label", "--model", "any", "--db", str(db)], 1),
            ("build", ["-m", "analysis", "build", "--db", str(db)], 1),
        ]:
            result = run(*command)
            assert result.returncode == code, (doing, result.stderr[-2000:])
            command_end = " ".join(serve_command(db, port))[-50:]  # the file and port: the middle is left out
            assert result.stderr.count("\n") == 1 and result.stderr.rstrip().endswith(
                f"{command_end}): stop the site, {doing}, then serve it again (or {doing} into a copy and serve that)"), \
                result.stderr
            assert f"{db} is being served (process {server.pid}: " in result.stderr
        assert db.read_bytes() == before
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_nothing_run_beside_an_immutable_datasette_writes_into_its_file(tmp_path):
    """``datasette serve -i`` trusts the file never to change: a refused command must not have set
    its journal mode to WAL or brought its schema up to date first (a DELETE-mode file shows both);
    a label dry run, which writes nothing, runs and reads the file as it is."""
    db = build_fixture_db(tmp_path / "jobs.db")  # report tables never built: stale
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
    published = tmp_path / "published.md"
    published.write_text("# AI Engineering Jobs Analysis\n\nGenerated from 895 job descriptions.\n")
    port, log = free_port(), tmp_path / "datasette.log"
    server = start_server([sys.executable, "-m", "datasette", "serve", "-i", str(db), "--port", str(port)], log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/jobs.json?sql=select+1", server, log)
        before = db.read_bytes()
        served = f"{db} is being served (process {server.pid}: "
        for command, says in [
            (["-m", "analysis", "build", "--db", str(db)], "stop the site, build, then serve it again"),
            (["-m", "analysis", "report", "--db", str(db)], "missing report tables) and "),
            (["-m", "analysis.compare_published", "--db", str(db), "--published", str(published),
              "--labels", "rules"],
             "missing report tables) and "),
            (["-m", "analysis", "serve", "--db", str(db), "--port", str(free_port())],
             "error: the report tables are out of date ("),
            (["-m", "jobcrawler.label", "--model", "any", "--db", str(db)], "stop the site, label"),
            (["-m", "jobcrawler.cycle", "--scrapyd", "http://127.0.0.1:9", "--cities", "berlin", "--cycle", "2026-12",
              "--db", str(db), "--runs-dir", str(tmp_path / "runs"), "--package", "none"], "stop the site, merge"),
        ]:
            result = run(*command)
            output = result.stdout + result.stderr
            assert result.returncode == 1, (command, output[-2000:])
            assert says in output and served in output and "Traceback" not in output, output
            assert db.read_bytes() == before, command
        for city in ([], ["--city", "berlin"]):  # a dry run writes nothing: it reads the file as it is
            result = run("-m", "jobcrawler.label", "--model", "gpt-4o-mini", "--db", str(db), *city, "--dry-run")
            assert result.returncode == 0, result.stderr[-2000:]
            assert result.stdout.startswith("dry run: ") and "postings selected" in result.stdout, result.stdout
            assert result.stderr == f"note: reading {db} as it is, read-only: a site serves it\n"
            assert db.read_bytes() == before
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_a_share_setting_given_as_text_is_used_as_the_number_it_was_checked_as(site, tmp_path):
    """-s QUALITY_MIN_COVERAGE='{"company": "1.01"}' passed the check (float("1.01") works) and then
    compared a share to the text at the run's end: a TypeError instead of the run's record."""
    db = tmp_path / "jobs.db"
    result = crawl(site.base_url, db, "city=berlin", QUALITY_MIN_COVERAGE='{"company": "1.01"}', CLOSE_MAX_SHARE="0.5")
    assert "Traceback" not in result.stderr and "TypeError" not in result.stderr, result.stderr[-3000:]
    run_row = rows(db, "SELECT status, status_reasons FROM crawl_runs")[0]
    assert run_row["status"] == "degraded" and "company on 100.0% of jobs (< 101%)" in run_row["status_reasons"]


def test_a_read_beside_a_site_leaves_no_files_beside_the_served_wal_database(tmp_path):
    """A label dry run, ``analysis report`` and compare_published read the served file as the site
    does, immutable: opened ``mode=ro`` (or plainly) they made ``-wal``/``-shm`` files beside a WAL
    database, checkpointed into it on closing, and failed in a folder they cannot write."""
    db = build_fixture_db(tmp_path / "jobs.db")
    assert analysis_main(["build", "--db", str(db)]) in (0, None)  # current report tables: they are read
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    published = tmp_path / "published.md"
    published.write_text("# AI Engineering Jobs Analysis\n\nGenerated from 895 job descriptions.\n")
    port, log = free_port(), tmp_path / "datasette.log"
    server = start_server([sys.executable, "-m", "datasette", "serve", "-i", str(db), "--port", str(port)], log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/jobs.json?sql=select+1", server, log)
        assert sorted(path.name for path in tmp_path.glob("jobs.db*")) == ["jobs.db"]
        before = db.read_bytes()
        for city in ([], ["--city", "berlin"]):
            result = run("-m", "jobcrawler.label", "--model", "gpt-4o-mini", "--db", str(db), *city, "--dry-run")
            assert result.returncode == 0, result.stderr[-2000:]
            assert result.stdout.startswith("dry run: ") and "postings selected" in result.stdout, result.stdout
            assert sorted(path.name for path in tmp_path.glob("jobs.db*")) == ["jobs.db"]
            assert db.read_bytes() == before
        # A process killed mid-write (kill -9) left its commit in a -wal the immutable site ignores:
        # a plain connection would fold it into the served file as it closed.
        run("-c", "import os, sqlite3, sys; conn = sqlite3.connect(sys.argv[1]); "
                  "conn.execute('PRAGMA wal_autocheckpoint = 0'); conn.execute('CREATE TABLE left_in_the_wal (x)'); "
                  "conn.commit(); os._exit(0)", str(db))
        side_files = {path.name: path.read_bytes() for path in tmp_path.glob("jobs.db*")}
        assert sorted(side_files) == ["jobs.db", "jobs.db-shm", "jobs.db-wal"] and db.read_bytes() == before
        for command, prints in [(["-m", "analysis", "report", "--db", str(db)], "# "),
                                (["-m", "analysis.compare_published", "--db", str(db), "--published", str(published),
                                  "--labels", "rules"], "\n## ")]:
            result = run(*command)
            assert result.returncode == 0 and prints in result.stdout, (command, result.stderr[-2000:])
            assert {path.name: path.read_bytes() for path in tmp_path.glob("jobs.db*")} == side_files, command
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_analysis_path_beside_a_site_reads_the_served_file_as_the_site_does(tmp_path):
    """``analysis path`` opened a served file ``mode=ro``: on a WAL database that made ``-wal`` and
    ``-shm`` files beside it, and it read what a killed crawl left in a ``-wal``, which the site,
    reading the file immutable, does not show. Now it reads as the site does, and answers alike."""
    db = build_fixture_db(tmp_path / "jobs.db")
    assert analysis_main(["build", "--db", str(db)]) in (0, None)
    path_command = ("-m", "analysis", "path", "--skills", "python, sql", "--db", str(db))
    expected = run(*path_command)
    assert expected.returncode == 0 and "Skills to learn next" in expected.stdout, expected.stderr[-2000:]
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for side_file in tmp_path.glob("jobs.db-*"):
        side_file.unlink()
    port, log = free_port(), tmp_path / "datasette.log"
    server = start_server([sys.executable, "-m", "datasette", "serve", "-i", str(db), "--port", str(port)], log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/jobs.json?sql=select+1", server, log)
        before = db.read_bytes()
        result = run(*path_command)
        assert result.returncode == 0 and result.stdout == expected.stdout, result.stderr[-2000:]
        assert sorted(path.name for path in tmp_path.glob("jobs.db*")) == ["jobs.db"] and db.read_bytes() == before
        # A crawl killed mid-write left its commit in a -wal: the immutable site does not see it.
        run("-c", "import os, sqlite3, sys; conn = sqlite3.connect(sys.argv[1]); "
                  "conn.execute('PRAGMA wal_autocheckpoint = 0'); conn.execute('DELETE FROM job_skills'); "
                  "conn.commit(); os._exit(0)", str(db))
        side_files = {path.name: path.read_bytes() for path in tmp_path.glob("jobs.db*")}
        assert sorted(side_files) == ["jobs.db", "jobs.db-shm", "jobs.db-wal"]
        result = run(*path_command)
        assert result.returncode == 0 and result.stdout == expected.stdout, result.stderr[-2000:]
        assert {path.name: path.read_bytes() for path in tmp_path.glob("jobs.db*")} == side_files
    finally:
        server.terminate()
        server.wait(timeout=15)


@pytest.mark.parametrize("command, says", [
    (["-m", "analysis", "report", "--db", "{folder}"], "python -m analysis report: error: {folder} is a "
                                                       "folder, not a database file"),
    (["-m", "analysis", "path", "--skills", "python", "--db", "{folder}"],
     "python -m analysis path: error: {folder} is a folder, not a database file"),
    (["-m", "jobcrawler.label", "--model", "any", "--db", "{folder}", "--dry-run"],
     "python -m jobcrawler.label: error: {folder} is a folder, not a database file"),
    (["-m", "jobcrawler.retag", "--db", "{folder}"], "error: {folder} is a folder, not a database file"),
    (["-m", "jobcrawler.merge", "--db", "{folder}/jobs.db", "{folder}"],
     "error: {folder} is a folder, not a database file (nothing merged)"),
    (["-m", "jobcrawler.merge", "--db", "{folder}", "{folder}/run.db"],
     "error: cannot open the database: {folder} is a folder, not a database file (nothing merged)"),
    (["-m", "scrapy", "crawl", "builtin", "-a", "city=berlin", "-s", "SQLITE_PATH={folder}"],
     "error: cannot open the database: {folder} is a folder, not a database file"),
], ids=["report", "path", "label", "retag", "merge-run", "merge-db", "crawl"])
def test_a_folder_given_as_the_database_is_named_a_folder(tmp_path, command, says):
    """A folder given where a database file goes was "no database at ...", "no such file" or
    SQLite's "unable to open database file": the folder is there, it is just no file."""
    folder = tmp_path / "data"
    folder.mkdir()
    sqlite3.connect(folder / "run.db").close()
    result = run(*[part.format(folder=folder) for part in command])
    assert result.returncode != 0
    assert result.stderr.splitlines()[-1] == says.format(folder=folder), result.stderr[-2000:]


@pytest.mark.parametrize("command, says", [
    (["-m", "analysis", "report", "--db", "{fifo}"],
     "python -m analysis report: error: {fifo} is not a regular file (a FIFO, socket or device)"),
    (["-m", "jobcrawler.retag", "--db", "/dev/null"],
     "error: /dev/null is not a regular file (a FIFO, socket or device)"),
    (["-m", "jobcrawler.merge", "--db", "{file}", "{fifo}"],
     "error: {fifo} is not a regular file (a FIFO, socket or device) (nothing merged)"),
    (["-m", "analysis.evaluate", "--labels", "{file}", "--db", "{fifo}"],
     "error: {fifo} is not a regular file (a FIFO, socket or device)"),
    (["-m", "jobcrawler.merge", "--db", "{fifo}", "{file}"],
     "error: cannot open the database: {fifo} is not a regular file (a FIFO, socket or device) (nothing merged)"),
    (["-m", "jobcrawler.retag", "--db", "{socket}"],
     "error: {socket} is not a regular file (a FIFO, socket or device)"),
    (["-m", "scrapy", "crawl", "builtin", "-a", "city=berlin", "-s", "SQLITE_PATH={fifo}"],
     "error: cannot open the database: {fifo} is not a regular file (a FIFO, socket or device)"),
    (["-m", "scrapy", "crawl", "builtin", "-a", "city=berlin", "-s", "SQLITE_PATH={file}/jobs.db"],
     "error: cannot open the database: {file}/jobs.db cannot be made: {file} is a file"),
    (["-m", "scrapy", "crawl", "builtin", "-a", "city=berlin", "-s", "SQLITE_PATH={dangling}/jobs.db"],
     "error: cannot open the database: {dangling}/jobs.db cannot be made: {dangling} is a broken symlink (to nowhere)"),
], ids=["report", "retag", "merge-run", "evaluate", "merge-db", "retag-socket", "crawl", "crawl-inside-a-file",
        "crawl-below-a-broken-symlink"])
def test_a_fifo_device_or_path_inside_a_file_given_as_the_database_is_named_so(tmp_path, command, says):
    """A FIFO, a socket or /dev/null was "no database at" (something is there) or "disk I/O error"
    (later "a FIFO or device", a socket too); a path inside a file, or below a broken symlink,
    "[Errno 17] File exists"."""
    fifo, file, dangling = tmp_path / "pipe", tmp_path / "notes.txt", tmp_path / "dangling"
    os.mkfifo(fifo)
    file.write_text("")
    dangling.symlink_to("nowhere")
    with closing(socket.socket(socket.AF_UNIX)) as listening:
        listening.bind(str(tmp_path / "socket"))
        given = {"fifo": fifo, "file": file, "dangling": dangling, "socket": tmp_path / "socket"}
        result = run(*[part.format(**given) for part in command])
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.stderr.splitlines()[-1] == says.format(**given), result.stderr[-2000:]


@pytest.mark.parametrize("setting, says", [
    ("JOBDIR={tmp}/a-file", "error: -s JOBDIR {tmp}/a-file is a file, not a folder"),
    ("JOBDIR=/proc/no/such", "error: -s JOBDIR /proc/no/such cannot be made: No such file or directory"),
    ("JOBDIR={tmp}/a-file/job", "error: -s JOBDIR {tmp}/a-file/job cannot be made: {tmp}/a-file is a file"),
    ("JOBDIR={tmp}/dangling", "error: -s JOBDIR {tmp}/dangling is a broken symlink (to nowhere)"),
    ("JOBDIR={tmp}/dangling/job",
     "error: -s JOBDIR {tmp}/dangling/job cannot be made: {tmp}/dangling is a broken symlink (to nowhere)"),
    pytest.param("JOBDIR=/sys/kernel", "error: -s JOBDIR /sys/kernel cannot be written: Permission denied",
                 marks=pytest.mark.skipif(not os.path.isdir("/sys/kernel"), reason="no sysfs: no read-only folder")),
    ("LOG_FILE={tmp}", "error: -s LOG_FILE {tmp} cannot be written: Is a directory"),
    ("LOG_LEVEL=LOUD", "error: -s LOG_LEVEL must be a level name (DEBUG, INFO, WARNING, ERROR, CRITICAL), got 'LOUD'"),
], ids=["jobdir-file", "jobdir-unmakeable", "jobdir-in-a-file", "jobdir-broken-symlink",
        "jobdir-below-a-broken-symlink", "jobdir-read-only", "log-file-folder", "log-level"])
def test_a_jobdir_or_log_setting_that_cannot_be_used_is_one_line_before_the_crawl(tmp_path, setting, says):
    """Each was a traceback from Scrapy (a JOBDIR once the run had begun, leaving it running)."""
    (tmp_path / "a-file").write_text("")
    (tmp_path / "dangling").symlink_to("nowhere")
    db = tmp_path / "jobs.db"
    result = scrapy("crawl", "builtin", "-a", "city=berlin", "-s", f"SQLITE_PATH={db}",
                    "-s", setting.format(tmp=tmp_path))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.stderr.splitlines()[-1] == says.format(tmp=tmp_path)
    assert not db.exists()


def test_a_refused_crawl_makes_no_jobdir(tmp_path):
    """Checking -s JOBDIR made it: a crawl refused afterwards (an unknown city) left it behind."""
    jobdir = tmp_path / "state" / "job"
    result = scrapy("crawl", "builtin", "-a", "city=atlantis", "-s", f"SQLITE_PATH={tmp_path / 'jobs.db'}",
                    "-s", f"JOBDIR={jobdir}")
    assert result.returncode == 1 and "atlantis" in result.stderr.splitlines()[-1], result.stderr[-2000:]
    assert not (tmp_path / "state").exists()


def test_a_log_level_in_small_letters_is_taken(site, tmp_path):
    result = scrapy("crawl", "builtin", "-a", "city=berlin", "-a", "max_pages=1", "-a", "render=never",
                    "-s", f"SQLITE_PATH={tmp_path / 'jobs.db'}", "-s", f"BUILTIN_BASE_URL={site.base_url}",
                    "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=warning")
    assert result.returncode == 0, result.stderr[-2000:]
    assert " INFO: " not in result.stderr and result.stderr.splitlines()[-1].startswith("crawl ok (run 1): berlin")


@pytest.mark.skipif(not shutil.which("make"), reason="runs make")
def test_make_clean_beside_the_demo_site_is_one_line_and_removes_nothing(tmp_path):
    """``make clean`` in a second terminal while ``make demo`` serves removed the served database:
    every page of the site then answered 500. Run in a folder holding the checkout's code only, so
    its build folders are the ones it empties."""
    for code in ("jobcrawler", "analysis"):
        (tmp_path / code).symlink_to(REPO / code)
    db = build_fixture_db(tmp_path / "data" / "demo.db")
    assert analysis_main(["build", "--db", str(db)]) in (0, None)
    clean = ["make", "-s", "-f", str(REPO / "Makefile"), "clean", "DEMO_DB=data/demo.db"]
    port, log = free_port(), tmp_path / "datasette.log"
    server = start_server(serve_command(db, port), log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", server, log)
        result = subprocess.run(clean, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert result.returncode != 0 and db.exists()
        assert result.stderr.startswith(f"make clean: data/demo.db is being served (process {server.pid}: ")
        assert result.stderr.splitlines()[0].endswith("stop the site (Ctrl-C where it runs), then make clean again")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=15)
    result = subprocess.run(clean, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and not db.exists(), result.stderr


def test_make_demo_beside_a_site_serving_its_database_stops_before_anything(tmp_path):
    """A demo served on other ports (``make demo REPLAY_PORT=... DATASETTE_PORT=...``), then ``make
    demo``: its ports were free, so it started the replay site, and the crawl into the served file
    was refused saying "stop the site, crawl, then serve it again"; now it stops first, as make clean does."""
    db = build_fixture_db(tmp_path / "data" / "demo.db")
    assert analysis_main(["build", "--db", str(db)]) in (0, None)
    port, log = free_port(), tmp_path / "datasette.log"
    server = start_server(serve_command(db, port), log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", server, log)
        result = subprocess.run([sys.executable, "-I", str(REPO / "jobcrawler" / "storage" / "served.py"),
                                 "data/demo.db", "make demo"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    finally:
        server.terminate()
        server.wait(timeout=15)
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"make demo: data/demo.db is being served (process {server.pid}: ")
    assert result.stderr.endswith("stop the site (Ctrl-C where it runs), then make demo again\n")
    recipe = (REPO / "Makefile").read_text().split("\ndemo:", 1)[1]
    assert recipe.index("served.py '$(DEMO_DB)' 'make demo'") < recipe.index("jobcrawler.replay --port")


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("make"), reason="runs make")
@pytest.mark.parametrize("marker", ["replay site for crawling", "crawl ok"])
def test_ctrl_c_on_make_demo_before_it_serves_stops_it(tmp_path, marker):
    """Ctrl-C on ``make demo`` as the crawl ended (the crawl ignores it then) ran the recipe's trap,
    which killed the replay site and went on: the site was built and served anyway, its posting
    links dead. Ctrl-C while it waited for the replay site was a traceback. Now either is a stop:
    nothing serves, the ports are free, no traceback."""
    from jobcrawler.replay.wait import port_taken

    ports = [free_port(), free_port()]
    command = ["make", "-s", "-o", "install", "demo", f"REPLAY_PORT={ports[0]}", f"DATASETTE_PORT={ports[1]}",
               f"DEMO_DB={tmp_path / 'demo.db'}"]

    def as_a_terminal_runs_it():  # its own process group, Ctrl-C not ignored (as in a background job)
        os.setsid()
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               preexec_fn=as_a_terminal_runs_it)
    seen = []
    try:
        for line in process.stdout:
            seen.append(line)
            if marker in line:
                os.killpg(process.pid, signal.SIGINT)
                break
        seen.append(process.communicate(timeout=60)[0])
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    output = "".join(seen)
    assert any(marker in line for line in seen[:-1]), output
    assert process.returncode != 0 and "Open http" not in output and "Traceback" not in output, output
    for _ in range(100):  # the replay site, sent SIGTERM as make left, may still be closing
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    assert port_taken(ports[0]) is None and port_taken(ports[1]) is None, output
