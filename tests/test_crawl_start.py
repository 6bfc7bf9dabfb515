"""A Ctrl-C in a crawl's first half second (importing Scrapy and the project, checking arguments,
starting the reactor: before Scrapy installs its signal handlers) printed a KeyboardInterrupt
traceback and exited 130; now, whatever the moment, it is one line and exit 3, and no run is left
``running`` (jobcrawler/crawl_start.py, the ``.pth`` file ``make install`` writes)."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import sysconfig
import time
from contextlib import closing
from pathlib import Path

import pytest

from jobcrawler.crawl_start import PTH_NAME, is_scrapy_crawl, pth_text
from jobcrawler.replay import ReplaySite
from tests.helpers import FAST, REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A virtualenv as ``make install`` leaves it: the installed packages (the shared one's, through
    a path file) and the ``.pth`` file it writes."""
    folder = tmp_path_factory.mktemp("venv")
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    site_packages = Path(subprocess.run([folder / "bin" / "python", "-c",
                                         "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                        capture_output=True, text=True, check=True).stdout.strip())
    (site_packages / "packages.pth").write_text(sysconfig.get_path("purelib") + "\n")
    (site_packages / PTH_NAME).write_text(pth_text(REPO))
    return folder


# Where the Ctrl-C lands: after a while (the interpreter starting, Scrapy and the project being
# imported), or once a line shows the crawl got that far (the arguments checked and the reactor
# about to start; the run row begun; the spider open).
MOMENTS = [0.0, 0.05, 0.1, 0.2, 0.3, 0.45, "Scrapy 2", "Overridden settings", "Spider opened"]


@pytest.mark.parametrize("moment", MOMENTS)
def test_a_ctrl_c_while_the_crawl_starts_is_one_line_and_exit_3(venv, tmp_path, moment):
    db = tmp_path / "jobs.db"
    settings = {**FAST, "DOWNLOAD_DELAY": "5", "SQLITE_PATH": str(db)}  # never done before the Ctrl-C
    with ReplaySite(jobs_per_city=5, seed=7) as site:
        command = [str(venv / "bin" / "python"), "-m", "scrapy", "crawl", "builtin", "-a", "city=berlin",
                   "-a", "render=never", "-s", f"BUILTIN_BASE_URL={site.base_url}"]
        for name, value in settings.items():
            command += ["-s", f"{name}={value}"]
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seen = []
        if isinstance(moment, float):
            time.sleep(moment)
        else:
            for line in process.stderr:
                seen.append(line)
                if moment in line:
                    break
            assert any(moment in line for line in seen), "".join(seen)[-3000:]
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=60)
    stderr = "".join(seen) + rest
    assert "Traceback" not in stderr, stderr[-3000:]
    if process.returncode == -signal.SIGINT:  # the interpreter itself was not up yet: it ran nothing
        assert stderr == "" and not db.exists()
        return
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
