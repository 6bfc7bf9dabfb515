"""What a deployed crawl needs: its own database path from SQLITE_PATH's placeholders, and an egg
that carries every data file of the package and runs from the zip."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from datetime import datetime

import pytest

from jobcrawler.deployment import database_path
from tests.helpers import REPO, checkout_lock


def test_placeholders_name_each_scheduled_crawl_its_own_database():
    when = datetime(2026, 12, 1, 3, 4, 5)
    assert database_path("runs/{month}/{city}-{date}-{job}.db", "berlin", "2026-12.berlin.1", when) == \
        "runs/2026-12/berlin-2026-12-01-2026-12.berlin.1.db"
    assert database_path("data/jobs.db", "all", None, when) == "data/jobs.db"
    assert database_path("runs/{city}-{job}.db", "all", "../../etc", when) == "runs/all-.._.._etc.db"
    assert database_path("runs/{job}.db", "all", None, when) == f"runs/pid{os.getpid()}.db"
    with pytest.raises(ValueError, match=r"unknown placeholder \{cyty\}; known: \{city\}"):
        database_path("runs/{cyty}.db", "berlin")


@pytest.mark.slow
def test_the_egg_holds_every_data_file_and_the_crawl_code_runs_from_the_zip(tmp_path):
    egg = tmp_path / "jobcrawler.egg"
    with checkout_lock():
        built = subprocess.run([sys.executable, "-m", "scrapyd_client.deploy", "--build-egg", str(egg)], cwd=REPO,
                               capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    data = {str(p.relative_to(REPO)) for p in (REPO / "jobcrawler").rglob("*.yaml")}
    assert data and data <= set(zipfile.ZipFile(egg).namelist())
    script = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import jobcrawler; assert jobcrawler.__file__.startswith(sys.argv[1]), jobcrawler.__file__\n"
        "from jobcrawler.cities import load_cities; from jobcrawler.tagging import Tagger, category_columns\n"
        "from jobcrawler.fieldguide import LabelReader; from jobcrawler.replay.postings import load_corpus\n"
        "Tagger.load(); LabelReader.load(); load_corpus()\n"
        "print(len(load_cities()), len(category_columns()))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    ran = subprocess.run([sys.executable, "-c", script, str(egg)], cwd=tmp_path, env=env, capture_output=True,
                         text=True)
    assert ran.returncode == 0, ran.stderr
    from jobcrawler.cities import load_cities
    from jobcrawler.tagging import category_columns
    assert ran.stdout.split() == [str(len(load_cities())), str(len(category_columns()))]
