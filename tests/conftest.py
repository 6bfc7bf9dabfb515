"""Fixtures shared by several test modules; the helpers they use live in tests/helpers.py."""

from __future__ import annotations

import pytest

from jobcrawler.replay import ReplaySite
from tests.helpers import Harness


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
