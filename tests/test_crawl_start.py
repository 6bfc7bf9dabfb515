"""A Ctrl-C in a crawl's first half second (importing Scrapy and the project, checking arguments,
starting the reactor: before Scrapy installs its signal handlers) printed a KeyboardInterrupt
traceback and exited 130; now, from the moment the interpreter's start-up ran the ``.pth`` line
``make install`` writes (jobcrawler/crawl_start.py), it is one line and exit 3, and no run is left
``running``."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import sysconfig
import threading
from contextlib import closing
from pathlib import Path

import pytest

from analysis.__main__ import main as analysis_main
from jobcrawler.crawl_start import PTH_NAME, is_scrapy_crawl, pth_text
from jobcrawler.replay import ReplaySite
from tests.helpers import FAST, REPO, build_fixture_db

pytestmark = pytest.mark.slow


def make_venv(folder: Path, *, installed: bool) -> Path:
    """A virtualenv reading the installed packages (the shared one's, through a path file), with
    the ``.pth`` file ``make install`` writes when ``installed``."""
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    site_packages = Path(subprocess.run([folder / "bin" / "python", "-c",
                                         "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                        capture_output=True, text=True, check=True).stdout.strip())
    (site_packages / "packages.pth").write_text(sysconfig.get_path("purelib") + "\n")
    if installed:
        (site_packages / PTH_NAME).write_text(pth_text(REPO))
    return folder


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A virtualenv as ``make install`` leaves it."""
    return make_venv(tmp_path_factory.mktemp("venv"), installed=True)


# Where the Ctrl-C lands: once ``PYTHONPROFILEIMPORTTIME`` shows a module imported (the
# interpreter's own start-up, ``site``, which runs the .pth line, done; Scrapy and the project being
# imported), or once a line shows the crawl got that far (the arguments checked and the reactor
# about to start; the run row begun; the spider open). Moments measured in time raced the
# interpreter's start-up on a busy machine: a Ctrl-C while ``site`` runs, before the .pth line, is
# Python's own fatal "Failed to import the site module", which no project code can change.
MOMENTS = [("imported", "site"), ("imported", "scrapy"), ("imported", "scrapy.crawler"),
           ("imported", "jobcrawler.middlewares"), ("imported", "jobcrawler.parsing.detail"),
           ("logged", "Scrapy 2"), ("logged", "Overridden settings"), ("logged", "Spider opened")]


def reached(line: str, moment: tuple[str, str]) -> bool:
    kind, what = moment
    return imported(line) == what if kind == "imported" else what in line and imported(line) is None


@pytest.mark.parametrize("moment", MOMENTS, ids=[what for _, what in MOMENTS])
def test_a_ctrl_c_while_the_crawl_starts_is_one_line_and_exit_3(venv, tmp_path, moment):
    db = tmp_path / "jobs.db"
    settings = {**FAST, "DOWNLOAD_DELAY": "5", "SQLITE_PATH": str(db)}  # never done before the Ctrl-C
    with ReplaySite(jobs_per_city=5, seed=7) as site:
        command = [str(venv / "bin" / "python"), "-m", "scrapy", "crawl", "builtin", "-a", "city=berlin",
                   "-a", "render=never", "-s", f"BUILTIN_BASE_URL={site.base_url}"]
        for name, value in settings.items():
            command += ["-s", f"{name}={value}"]
        process = subprocess.Popen(command, cwd=REPO, env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"},
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seen = []
        for line in process.stderr:
            seen.append(line)
            if reached(line, moment):
                break
        assert any(reached(line, moment) for line in seen), "".join(seen)[-3000:]
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=60)
    stderr = "\n".join(line for line in ("".join(seen) + rest).splitlines() if imported(line) is None)
    assert "Traceback" not in stderr, stderr[-3000:]
    assert process.returncode == 3, stderr[-3000:]
    last_line = stderr.splitlines()[-1]
    assert last_line.startswith("crawl interrupted") and "second Ctrl-C" not in last_line, stderr[-3000:]
    if db.exists():
        with closing(sqlite3.connect(db)) as conn:
            runs = conn.execute("SELECT status FROM crawl_runs").fetchall()
        assert all(status in ("interrupted", "killed") for status, in runs), runs


@pytest.mark.parametrize("argv, crawl", [
    (["/v/bin/python", "/v/bin/scrapy", "crawl", "builtin", "-a", "city=berlin"], True),
    (["python3", "-m", "scrapy", "crawl", "builtin"], True),
    (["/v/bin/python", "/v/bin/scrapy", "list"], False),
    (["/v/bin/python", "/v/bin/scrapyd"], False),
    (["python3", "-m", "jobcrawler.cycle", "--cities", "crawl"], False),
    (["python3", "-c", "print('crawl')"], False),
])
def test_only_a_scrapy_crawl_gets_the_startup_handler(argv, crawl):
    assert is_scrapy_crawl(argv) is crawl


REFUSED_OUTSIDE = ("error: scrapy crawl runs in the jobcrawler checkout (the folder holding scrapy.cfg), not in {cwd}: "
                   f"cd {REPO} and run it again")


@pytest.mark.parametrize("where, environment, says", [
    ("elsewhere", {}, REFUSED_OUTSIDE),
    # Scrapy finds scrapy.cfg above the folder, or the project it is told of: the crawl's own checks answer
    ("docs", {}, "error: no spider called 'builtn': did you mean builtin? (spiders: builtin)"),
    ("elsewhere", {"SCRAPY_SETTINGS_MODULE": "jobcrawler.settings"},
     "error: no spider called 'builtn': did you mean builtin? (spiders: builtin)"),
], ids=["outside", "below-the-checkout", "settings-module-given"])
def test_scrapy_crawl_outside_the_checkout_says_where_to_run_it(venv, tmp_path, where, environment, says):
    """Scrapy's answer was its banner and "The crawl command is not available from this location",
    naming no folder."""
    cwd = REPO / where if where != "elsewhere" else tmp_path
    spider = "builtin" if says == REFUSED_OUTSIDE else "builtn"
    result = subprocess.run([str(venv / "bin" / "python"), "-m", "scrapy", "crawl", spider, "-a", "city=berlin"],
                            cwd=cwd, env={**os.environ, **environment}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and result.stderr.splitlines()[-1] == says.format(cwd=cwd), result.stderr[-2000:]
    if says == REFUSED_OUTSIDE:
        assert result.stderr.count("\n") == 1 and result.stdout == "" and not (tmp_path / "data").exists()


@pytest.fixture(scope="module")
def built_db(tmp_path_factory) -> Path:
    """A database whose report tables are built: ``serve`` goes straight to serving."""
    db = build_fixture_db(tmp_path_factory.mktemp("built") / "jobs.db")
    analysis_main(["build", "--db", str(db)])
    return db


@pytest.fixture(scope="module")
def bare_venv(tmp_path_factory) -> Path:
    """A virtualenv made without ``make install``: no .pth file of the project's."""
    return make_venv(tmp_path_factory.mktemp("bare-venv"), installed=False)


ANALYSIS_COMMANDS = {
    "serve": ["serve", "--port", "0"],
    "build": ["build"],
    "report": ["report"],
    "path": ["path", "--skills", "python, sql"],
}
# Where the Ctrl-C lands: once ``-X importtime`` shows a module imported (the imports then go on):
# the interpreter's own start-up (``site``, which runs the .pth line) done; the project's modules,
# sqlite-utils and Datasette's (``serve``) being imported.
ANALYSIS_MOMENTS = ["site", "sqlite_utils", "analysis.build", "jobcrawler.storage", "datasette.app"]


def imported(line: str) -> str | None:
    """The module an ``-X importtime`` line says was imported."""
    return line.rsplit("|", 1)[-1].strip() if line.startswith("import time:") else None


@pytest.mark.parametrize("command, moment, installed", [
    (command, moment, installed) for command in ANALYSIS_COMMANDS for moment in ANALYSIS_MOMENTS
    for installed in ("make install", "bare venv")
    # only serve imports Datasette; without the .pth file a Ctrl-C before analysis/__main__.py runs
    # is Python's own traceback
    if (moment != "datasette.app" or command == "serve") and (moment != "site" or installed == "make install")])
def test_a_ctrl_c_while_analysis_starts_is_one_line_and_exit_130(venv, bare_venv, built_db, tmp_path, command,
                                                                 moment, installed):
    """A Ctrl-C while ``python -m analysis`` imported its modules (Datasette's for ``serve``:
    ~1 s) printed a KeyboardInterrupt traceback. Without the .pth file (a bare virtualenv, the
    checkout on PYTHONPATH) analysis/__main__.py installs the handler itself, after ``site``."""
    db = tmp_path / "jobs.db"
    shutil.copy(built_db, db)
    python = (venv if installed == "make install" else bare_venv) / "bin" / "python"
    process = subprocess.Popen([str(python), "-X", "importtime", "-m", "analysis", *ANALYSIS_COMMANDS[command],
                                "--db", str(db)], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    watchdog = threading.Timer(120, process.kill)  # a site never stopped would keep the loop below reading
    watchdog.start()
    for line in process.stderr:
        seen.append(line)
        if imported(line) == moment:
            break
    assert any(imported(line) == moment for line in seen), "".join(seen)[-3000:]
    process.send_signal(signal.SIGINT)
    stdout, rest = process.communicate(timeout=60)
    watchdog.cancel()
    said = [line for line in ("".join(seen) + rest).splitlines() if not line.startswith("import time:")]
    assert "Traceback" not in "\n".join(said), "\n".join(said)[-3000:]
    if process.returncode == 130:
        assert said == [f"python -m analysis {command}: interrupted (Ctrl-C)"], said
    else:  # done before the Ctrl-C came, or serving: Ctrl-C is the way to stop the site
        assert process.returncode == 0 and said == [], said
        assert command != "serve" or stdout.splitlines()[-1] == "stopped the site"


def test_a_ctrl_c_where_python_ignores_exceptions_still_stops_analysis_in_one_line():
    """A Ctrl-C landing in a callback whose exceptions Python only prints (the import system's
    module-lock weakref callback, once in a full run) printed "Exception ignored ... SystemExit:
    130" and the command went on with Ctrl-C ignored."""
    script = ("import weakref\n"
              "from jobcrawler.crawl_start import stop_analysis_while_starting\n"
              "class Lock: pass\n"
              "lock = Lock()\n"
              "watch = weakref.ref(lock, lambda ref: stop_analysis_while_starting(2, None))\n"
              "del lock\n"
              "print('went on')\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "python -m analysis: interrupted (Ctrl-C)\n")
