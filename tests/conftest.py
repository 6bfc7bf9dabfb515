"""Shared fixtures: the local replay site and a `scrapy crawl` run in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from jobcrawler.replay import ReplaySite

REPO = Path(__file__).resolve().parents[1]

# Politeness off against our own 127.0.0.1 server; retries fast so fault tests stay quick.
FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "0",
    "RETRY_BACKOFF_BASE": "0",
    "LOG_LEVEL": "INFO",
}


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
def site():
    """A replay site with 30 postings per city, shared by a test module."""
    with ReplaySite(jobs_per_city=30, seed=7) as replay:
        yield replay


def crawl(base_url: str, db_path: Path, *spider_args: str, timeout: float = 180, **settings) -> subprocess.CompletedProcess:
    """``scrapy crawl builtin`` in a subprocess, as a user runs it; returns the finished process."""
    command = [sys.executable, "-m", "scrapy", "crawl", "builtin"]
    for argument in spider_args:
        command += ["-a", argument]
    if not any(a.startswith("render=") for a in spider_args):
        command += ["-a", "render=never"]
    merged = {**FAST, "BUILTIN_BASE_URL": base_url, "SQLITE_PATH": str(db_path), **settings}
    for name, value in merged.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)


def rows(db_path: Path, sql: str, params=()) -> list[dict]:
    db = sqlite_utils.Database(db_path)
    try:
        return list(db.query(sql, params))
    finally:
        db.close()


def last_run(db_path: Path) -> dict:
    run = rows(db_path, "SELECT * FROM crawl_runs ORDER BY run_id DESC LIMIT 1")[0]
    for key in ("args", "stats", "quality", "status_reasons", "gave_up", "drop_reasons", "cities_complete"):
        if run.get(key):
            run[key] = json.loads(run[key])
    return run
