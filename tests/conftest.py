"""Fixtures shared by several test modules; the helpers they use live in tests/helpers.py."""

from __future__ import annotations

import signal

import pytest

from analysis.build import build
from analysis.serve import METADATA_DATABASE
from jobcrawler.replay import ReplaySite
from tests.helpers import Harness, build_fixture_db, with_pay


@pytest.fixture(autouse=True)
def ctrl_c_as_a_terminal_leaves_it():
    """Every test starts with Python's own Ctrl-C handler, whatever an earlier test on the same
    worker left in place (the handlers that ignore a second Ctrl-C, or Ctrl-C ignored): a build
    test that found Ctrl-C ignored, as a command started with ``&`` does, kept ignoring it and
    failed ("DID NOT RAISE SystemExit", twice in one day, never alone)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
def site():
    """A replay site with 30 postings per city, shared by a test module."""
    with ReplaySite(jobs_per_city=30, seed=7) as replay:
        yield replay


@pytest.fixture
def harness(tmp_path):
    """The spider and the project's pipeline chain in-process, storing into a new database."""
    return Harness(tmp_path / "jobs.db")


@pytest.fixture(scope="module")
def site_db(tmp_path_factory):
    """The fixture database with pay stated on some jobs and its report tables built, named as
    the site's metadata expects (``jobs``)."""
    path = with_pay(build_fixture_db(tmp_path_factory.mktemp("site") / f"{METADATA_DATABASE}.db"))
    build(path)
    return path
