"""The monthly cycle against a real Scrapyd on loopback: deployed with scrapyd-deploy, crawling the
replay site city by city, merged, built and packaged, equal to a direct city=all crawl.

Scrapyd runs in its own temporary folder with its own config on a free port, without this
checkout on its path, so its crawls run the deployed egg (YAML data read from the zip).
"""

from __future__ import annotations

import html
import os
import re
import sqlite3
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request

import pytest
import yaml

from jobcrawler.cities import CITIES_FILE
from jobcrawler.replay import ReplaySite
from tests.helpers import REPO, checkout_lock, crawl, database_content, free_port, rows
from tests.label_server import MODEL_ID, LabelServer, any_posting_answer, llm_config

pytestmark = pytest.mark.slow

CITY_KEYS = ("berlin", "london", "amsterdam")
SCRAPYD_CONF = """[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
eggs_dir = eggs
logs_dir = logs
dbs_dir = dbs
poll_interval = 0.2
max_proc = 4
"""


def start_scrapyd(home) -> tuple[subprocess.Popen, str]:
    """A Scrapyd in its own folder and config on a free port, without this checkout on its path."""
    port = free_port()
    (home / "scrapyd.conf").write_text(SCRAPYD_CONF.format(port=port))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    with (home / "scrapyd.out").open("w") as log:
        server = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=home, env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
    return server, f"http://127.0.0.1:{port}/"


def wait_for(server: subprocess.Popen, url: str, home) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "daemonstatus.json", timeout=1).read()
            return
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, (home / "scrapyd.out").read_text()
            time.sleep(0.1)


@pytest.fixture(scope="module")
def scrapyds(tmp_path_factory):
    """Two Scrapyd servers, the project deployed to each by scrapyd-deploy; yields their URLs."""
    homes = [tmp_path_factory.mktemp("scrapyd") for _ in range(2)]
    started = [start_scrapyd(home) for home in homes]
    try:
        for (server, url), home in zip(started, homes):
            wait_for(server, url, home)
            with checkout_lock():
                deployed = subprocess.run([sys.executable, "-m", "scrapyd_client.deploy", "env"], cwd=REPO,
                                          env={**os.environ, "SCRAPYD_URL": url}, capture_output=True, text=True)
            assert deployed.returncode == 0 and '"spiders": 1' in deployed.stdout, deployed.stderr
        yield [url for _, url in started]
    finally:
        for server, _ in started:
            server.terminate()
        for server, _ in started:
            server.wait(timeout=10)


@pytest.fixture(scope="module")
def scrapyd(scrapyds):
    return scrapyds[0]


@pytest.fixture(scope="module")
def cities_file(tmp_path_factory):
    registry = yaml.safe_load(CITIES_FILE.read_text())
    path = tmp_path_factory.mktemp("cities") / "cities.yaml"
    path.write_text(yaml.safe_dump({key: registry[key] for key in CITY_KEYS}))
    return path


def run_cycle(servers: list[str], tmp_path, base_url: str, cities_file, *extra: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "jobcrawler.cycle", *(f"--scrapyd={url}" for url in servers), "--cycle", "2026-12",
               "--db", str(tmp_path / "jobs.db"), "--runs-dir", str(tmp_path / "runs"),
               "--site-dir", str(tmp_path / "site"), "--poll", "0.2", "--arg", "render=never",
               "--setting", f"BUILTIN_BASE_URL={base_url}", "--setting", "DOWNLOAD_DELAY=0",
               "--setting", "AUTOTHROTTLE_ENABLED=0", "--setting", "RETRY_BACKOFF_BASE=0",
               "--setting", f"CITIES_FILE={cities_file}", *extra]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)


def test_the_cycle_on_scrapyd_equals_a_direct_crawl_and_ends_with_a_packaged_site(scrapyd, cities_file, tmp_path,
                                                                                 monkeypatch):
    llm_home = tmp_path / "llm"  # the LLM labeller asks a stand-in server, never the user's llm setup
    llm_home.mkdir()
    monkeypatch.setenv("LLM_USER_PATH", str(llm_home))
    with ReplaySite(jobs_per_city=20, seed=7, cities=yaml.safe_load(cities_file.read_text())) as site, \
            LabelServer(lambda text: any_posting_answer()) as llm_server:
        llm_config(llm_home, llm_server.url)
        direct = crawl(site.base_url, tmp_path / "direct.db", "city=all", CITIES_FILE=str(cities_file))
        assert direct.returncode == 0, direct.stderr[-2000:]
        result = run_cycle([scrapyd], tmp_path, site.base_url, cities_file, "--llm", MODEL_ID)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout

    # One crawl at a time against the one host: each city is scheduled only after the one before finished.
    events = re.findall(r"\[(\w+)\] (scheduled|finished ok)", out)
    order = list(yaml.safe_load(cities_file.read_text()))  # cities.yaml's order
    assert events == [(city, event) for city in order for event in ("scheduled", "finished ok")], out
    assert "at most 1 crawl(s) at a time per host (127.0.0.1)" in out
    assert f"labelling with {MODEL_ID}" in out and llm_server.requests == len(site.postings)
    llm_rows = rows(tmp_path / "jobs.db", "SELECT count(*) AS n FROM job_labels WHERE labels = ?", [f"llm:{MODEL_ID}"])
    assert llm_rows == [{"n": len(site.postings)}]
    assert rows(tmp_path / "jobs.db", "SELECT DISTINCT labels FROM report_overview ORDER BY labels") == [
        {"labels": f"llm:{MODEL_ID}"}, {"labels": "rules"}]

    assert database_content(tmp_path / "jobs.db", labels="rules") == database_content(tmp_path / "direct.db")
    run_dbs = sorted((tmp_path / "runs" / "2026-12").glob("*.db"))
    assert len(run_dbs) == 3 and all(  # a rollback journal: the runs folder may be mounted by several machines
        sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "delete" for path in run_dbs)
    assert rows(tmp_path / "jobs.db", "SELECT count(*) AS n FROM crawl_runs WHERE status = 'ok'") == [{"n": 3}]
    overview = rows(tmp_path / "jobs.db", "SELECT jobs FROM report_overview WHERE city = 'all' AND period = 'all' "
                                          "AND labels = 'rules'")
    assert overview == [{"jobs": len(site.postings)}]

    # Docker's daemon is not here: the site is a tarball that serves itself.
    tarball = tmp_path / "site" / "jobs-site-2026-12.tar.gz"
    assert f"site: {tarball}" in out
    with tarfile.open(tarball) as archive:
        archive.extractall(tmp_path / "site", filter="data")

    def get(path: str) -> str:
        """A page of the unpacked site, served by its own run.sh away from this checkout."""
        served = subprocess.run([str(tmp_path / "site" / "jobs-site-2026-12" / "run.sh"), "--get", path],
                                env={**os.environ, "PATH": f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}"},
                                cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert served.returncode == 0, served.stderr
        return served.stdout

    assert f'"jobs": {len(site.postings)}' in get("/jobs/report_overview.json?_shape=array&city=all&period=all"
                                                  "&labels=rules")
    assert '"skill": "Kubernetes"' in get("/jobs.json?_shape=array&sql=select+skill_name('k8s')+as+skill")
    job = rows(tmp_path / "jobs.db", "SELECT job_id, title FROM jobs LIMIT 1")[0]
    page = get(f"/jobs/jobs/{job['job_id']}")
    assert html.escape(job["title"]) in page and 'class="job-page"' in page  # the job page template

    # The same command again: nothing crawled, merged or changed.
    before = database_content(tmp_path / "jobs.db"), rows(tmp_path / "jobs.db", "SELECT * FROM crawl_runs")
    again = run_cycle([scrapyd], tmp_path, site.base_url, cities_file, "--package", "none")
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.count("already crawled in this cycle (ok)") == 3 and "scheduled" not in again.stdout
    assert (database_content(tmp_path / "jobs.db"), rows(tmp_path / "jobs.db", "SELECT * FROM crawl_runs")) == before


def test_a_failed_crawl_stops_the_cycle_before_anything_is_merged_or_packaged(scrapyd, cities_file, tmp_path):
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens there: the first city's crawl fails
    result = run_cycle([scrapyd], tmp_path, nowhere, cities_file, "--setting", "RETRY_TIMES=0", "--cycle", "2026-11")
    assert result.returncode == 1, result.stdout + result.stderr
    first, *others = yaml.safe_load(cities_file.read_text())
    assert f"[{first}] FAILED (failed)" in result.stdout and "log: http://127.0.0.1:" in result.stdout
    assert "nothing was merged or published" in result.stdout
    assert not any(f"[{city}] scheduled" in result.stdout for city in others)  # nothing more starts after a failure
    assert not (tmp_path / "jobs.db").exists() and not (tmp_path / "site").exists()


def test_cities_spread_over_two_servers_with_at_most_max_per_host_crawls_at_once(scrapyds, cities_file, tmp_path):
    with ReplaySite(jobs_per_city=20, seed=7, cities=yaml.safe_load(cities_file.read_text())) as site:
        result = run_cycle(scrapyds, tmp_path, site.base_url, cities_file, "--max-per-host", "2",
                           "--package", "none")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "at most 2 crawl(s) at a time per host" in result.stdout
    running, peak = 0, 0
    for event in re.findall(r"\] (scheduled|finished ok)", result.stdout):
        running += 1 if event == "scheduled" else -1
        peak = max(peak, running)
    assert peak == 2
    used = set(re.findall(r"scheduled on (\S+) as job", result.stdout))
    assert used == set(scrapyds)
    assert rows(tmp_path / "jobs.db", "SELECT count(*) AS n FROM crawl_runs WHERE status = 'ok'") == [{"n": 3}]


# --- A Scrapyd that asks for credentials (scrapyd.conf username / password) -----------------------

USERNAME, PASSWORD = "crawler", "s3cret-pass-4f9a7c"


@pytest.fixture(scope="module")
def locked_scrapyd(tmp_path_factory):
    """A Scrapyd started with credentials, the project deployed by scrapyd-deploy reading them from
    ~/.netrc; yields (its URL, its folder, a HOME holding that .netrc)."""
    home = tmp_path_factory.mktemp("locked-scrapyd")
    port = free_port()
    (home / "scrapyd.conf").write_text(SCRAPYD_CONF.format(port=port)
                                       + f"username = {USERNAME}\npassword = {PASSWORD}\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SCRAPYD_USERNAME", "SCRAPYD_PASSWORD")}
    with (home / "scrapyd.out").open("w") as log:
        server = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=home, env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    user_home = tmp_path_factory.mktemp("user-home")
    netrc = user_home / ".netrc"
    netrc.write_text(f"machine 127.0.0.1 login {USERNAME} password {PASSWORD}\n")
    netrc.chmod(0o600)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "daemonstatus.json", timeout=1).read()
            except urllib.error.HTTPError as error:
                assert error.code == 401  # up, and asking for credentials
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (home / "scrapyd.out").read_text()
                time.sleep(0.1)
        with checkout_lock():
            deployed = subprocess.run([sys.executable, "-m", "scrapyd_client.deploy", "env"], cwd=REPO,
                                      env={**env, "SCRAPYD_URL": url, "HOME": str(user_home)}, capture_output=True,
                                      text=True)
        assert deployed.returncode == 0 and '"spiders": 1' in deployed.stdout, deployed.stdout + deployed.stderr
        yield url, home, user_home
    finally:
        server.terminate()
        server.wait(timeout=10)


def cycle_as(user_home, credentials: dict, *arguments: str) -> subprocess.CompletedProcess:
    """The cycle command with only these credentials in its environment (and no ~/.netrc)."""
    env = {k: v for k, v in os.environ.items() if k not in ("SCRAPYD_USERNAME", "SCRAPYD_PASSWORD", "NETRC")}
    command = [sys.executable, "-m", "jobcrawler.cycle", *arguments]
    return subprocess.run(command, cwd=REPO, env={**env, "HOME": str(user_home), **credentials}, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("credentials, says", [
    ({}, "refused the request: no credentials (401)"),
    ({"SCRAPYD_USERNAME": USERNAME, "SCRAPYD_PASSWORD": "wrong-guess"}, "refused the credentials given (401)"),
])
def test_a_scrapyd_asking_for_credentials_refuses_none_or_wrong_ones_in_one_line(locked_scrapyd, cities_file,
                                                                                  tmp_path, credentials, says):
    url, _, _ = locked_scrapyd
    result = cycle_as(tmp_path, credentials, f"--scrapyd={url}", "--cycle", "2026-10", "--db", str(tmp_path / "j.db"),
                      "--runs-dir", str(tmp_path / "runs"), "--setting", f"CITIES_FILE={cities_file}")
    assert result.returncode == 1
    stopped = [line for line in result.stdout.splitlines() if "stopped:" in line]
    assert len(stopped) == 1 and says in stopped[0] and "scrapyd.conf" in stopped[0], result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "wrong-guess" not in result.stdout + result.stderr
    assert not (tmp_path / "j.db").exists()


def test_the_cycle_with_credentials_keeps_them_out_of_logs_databases_and_the_site(locked_scrapyd, cities_file,
                                                                                   tmp_path):
    url, scrapyd_home, _ = locked_scrapyd
    with ReplaySite(jobs_per_city=10, seed=7, cities=yaml.safe_load(cities_file.read_text())) as site:
        result = cycle_as(tmp_path, {"SCRAPYD_USERNAME": USERNAME, "SCRAPYD_PASSWORD": PASSWORD},
                          f"--scrapyd={url}", "--cities", "berlin", "--cycle", "2026-12",
                          "--db", str(tmp_path / "jobs.db"), "--runs-dir", str(tmp_path / "runs"),
                          "--site-dir", str(tmp_path / "site"), "--poll", "0.2", "--package", "tarball",
                          "--arg", "render=never", "--setting", f"BUILTIN_BASE_URL={site.base_url}",
                          "--setting", "DOWNLOAD_DELAY=0", "--setting", "AUTOTHROTTLE_ENABLED=0",
                          "--setting", f"CITIES_FILE={cities_file}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[berlin] finished ok" in result.stdout
    assert PASSWORD not in result.stdout + result.stderr
    with tarfile.open(tmp_path / "site" / "jobs-site-2026-12.tar.gz") as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    written = [path for folder in (tmp_path / "runs", tmp_path / "unpacked", scrapyd_home / "logs")
               for path in folder.rglob("*") if path.is_file()] + [tmp_path / "jobs.db"]
    assert len(written) > 3
    leaks = [path for path in written if PASSWORD.encode() in path.read_bytes() or USERNAME.encode() + b":" in
             path.read_bytes()]
    assert leaks == []
