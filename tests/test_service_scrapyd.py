"""The monthly cycle against a real Scrapyd on loopback: deployed with scrapyd-deploy, crawling the
replay site city by city, merged, built and packaged, equal to a direct city=all crawl.

Scrapyd runs in its own temporary folder with its own config on a free port, without this
checkout on its path, so its crawls run the deployed egg (YAML data read from the zip).
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import tarfile
import time
import urllib.request

import pytest
import yaml

from jobcrawler.cities import CITIES_FILE
from jobcrawler.replay import ReplaySite
from tests.helpers import REPO, crawl, database_content, free_port, rows

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


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory):
    """A Scrapyd with the project deployed by scrapyd-deploy; yields its URL."""
    home = tmp_path_factory.mktemp("scrapyd")
    port = free_port()
    (home / "scrapyd.conf").write_text(SCRAPYD_CONF.format(port=port))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    log = (home / "scrapyd.out").open("w")
    server = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=home, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "daemonstatus.json", timeout=1).read()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (home / "scrapyd.out").read_text()
                time.sleep(0.1)
        deployed = subprocess.run([sys.executable, "-m", "scrapyd_client.deploy", "env"], cwd=REPO,
                                  env={**os.environ, "SCRAPYD_URL": url}, capture_output=True, text=True)
        assert deployed.returncode == 0 and '"spiders": 1' in deployed.stdout, deployed.stderr
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def cities_file(tmp_path_factory):
    registry = yaml.safe_load(CITIES_FILE.read_text())
    path = tmp_path_factory.mktemp("cities") / "cities.yaml"
    path.write_text(yaml.safe_dump({key: registry[key] for key in CITY_KEYS}))
    return path


def run_cycle(scrapyd: str, tmp_path, base_url: str, cities_file, *extra: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "jobcrawler.cycle", "--scrapyd", scrapyd, "--cycle", "2026-12",
               "--db", str(tmp_path / "jobs.db"), "--runs-dir", str(tmp_path / "runs"),
               "--site-dir", str(tmp_path / "site"), "--poll", "0.2", "--arg", "render=never",
               "--setting", f"BUILTIN_BASE_URL={base_url}", "--setting", "DOWNLOAD_DELAY=0",
               "--setting", "AUTOTHROTTLE_ENABLED=0", "--setting", "RETRY_BACKOFF_BASE=0",
               "--setting", f"CITIES_FILE={cities_file}", *extra]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)


def test_the_cycle_on_scrapyd_equals_a_direct_crawl_and_ends_with_a_packaged_site(scrapyd, cities_file, tmp_path):
    with ReplaySite(jobs_per_city=20, seed=7, cities=yaml.safe_load(cities_file.read_text())) as site:
        direct = crawl(site.base_url, tmp_path / "direct.db", "city=all", CITIES_FILE=str(cities_file))
        assert direct.returncode == 0, direct.stderr[-2000:]
        # The LLM labeller (python -m jobcrawler.label) comes on another branch: until then the cycle skips it.
        llm = [] if importlib.util.find_spec("jobcrawler.label") else ["--llm", "some-model"]
        result = run_cycle(scrapyd, tmp_path, site.base_url, cities_file, *llm)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout

    # One crawl at a time against the one host: each city is scheduled only after the one before finished.
    events = re.findall(r"\[(\w+)\] (scheduled|finished ok)", out)
    order = list(yaml.safe_load(cities_file.read_text()))  # cities.yaml's order
    assert events == [(city, event) for city in order for event in ("scheduled", "finished ok")], out
    assert "at most 1 crawl(s) at a time per host (127.0.0.1)" in out
    if llm:
        assert "labels: skipped --llm some-model: python -m jobcrawler.label" in out

    assert database_content(tmp_path / "jobs.db") == database_content(tmp_path / "direct.db")
    assert rows(tmp_path / "jobs.db", "SELECT count(*) AS n FROM crawl_runs WHERE status = 'ok'") == [{"n": 3}]
    overview = rows(tmp_path / "jobs.db", "SELECT jobs FROM report_overview WHERE city = 'all' AND period = 'all' "
                                          "AND labels = 'rules'")
    assert overview == [{"jobs": len(site.postings)}]

    # Docker's daemon is not here: the site is a tarball that serves itself.
    tarball = tmp_path / "site" / "jobs-site-2026-12.tar.gz"
    assert f"site: {tarball}" in out
    with tarfile.open(tarball) as archive:
        archive.extractall(tmp_path / "site", filter="data")
    served = subprocess.run([str(tmp_path / "site" / "jobs-site-2026-12" / "run.sh"), "--get",
                             "/jobs/report_overview.json?_shape=array&city=all&period=all&labels=rules"],
                            env={**os.environ, "PATH": f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}"},
                            capture_output=True, text=True, timeout=60)
    assert served.returncode == 0, served.stderr
    assert f'"jobs": {len(site.postings)}' in served.stdout

    # The same command again: nothing crawled, merged or changed.
    before = database_content(tmp_path / "jobs.db"), rows(tmp_path / "jobs.db", "SELECT * FROM crawl_runs")
    again = run_cycle(scrapyd, tmp_path, site.base_url, cities_file, "--package", "none")
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.count("already crawled in this cycle (ok)") == 3 and "scheduled" not in again.stdout
    assert (database_content(tmp_path / "jobs.db"), rows(tmp_path / "jobs.db", "SELECT * FROM crawl_runs")) == before


def test_a_failed_crawl_stops_the_cycle_before_anything_is_merged_or_packaged(scrapyd, cities_file, tmp_path):
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens there: the first city's crawl fails
    result = run_cycle(scrapyd, tmp_path, nowhere, cities_file, "--setting", "RETRY_TIMES=0", "--cycle", "2026-11")
    assert result.returncode == 1, result.stdout + result.stderr
    first, *others = yaml.safe_load(cities_file.read_text())
    assert f"[{first}] FAILED (failed)" in result.stdout and "log: http://127.0.0.1:" in result.stdout
    assert "nothing was merged or published" in result.stdout
    assert not any(f"[{city}] scheduled" in result.stdout for city in others)  # nothing more starts after a failure
    assert not (tmp_path / "jobs.db").exists() and not (tmp_path / "site").exists()
