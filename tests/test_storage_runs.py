"""Marking killed runs: only a run whose process is gone, never one resumed in the meantime."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from jobcrawler import storage
from jobcrawler.storage import runs


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_run_whose_process_is_gone_is_marked_killed(tmp_path):
    db = storage.open_db(tmp_path / "jobs.db")
    run_id = storage.start_run(db, "builtin", "berlin", "AI Engineer", {})
    with storage.transaction(db):
        db.execute("UPDATE crawl_runs SET pid = ? WHERE run_id = ?", [dead_pid(), run_id])
    assert storage.mark_killed_runs(db) == [run_id]
    assert db.execute("SELECT status FROM crawl_runs").fetchall() == [("killed",)]


def test_a_run_resumed_between_the_check_and_the_mark_stays_running(tmp_path, monkeypatch):
    db = storage.open_db(tmp_path / "jobs.db")
    run_id = storage.start_run(db, "builtin", "berlin", "AI Engineer", {})
    with storage.transaction(db):
        db.execute("UPDATE crawl_runs SET pid = ? WHERE run_id = ?", [dead_pid(), run_id])

    def gone_but_resumed_meanwhile(pid: int) -> bool:  # another process resumes the run with its own pid
        other = storage.open_db(tmp_path / "jobs.db")
        with storage.transaction(other):
            other.execute("UPDATE crawl_runs SET pid = ? WHERE run_id = ?", [os.getpid(), run_id])
        other.close()
        return False

    monkeypatch.setattr(runs, "process_alive", gone_but_resumed_meanwhile)
    assert storage.mark_killed_runs(db) == []
    assert db.execute("SELECT status FROM crawl_runs").fetchall() == [("running",)]


@pytest.mark.parametrize("sightings, new", [
    # (run, job, seen at) in the order written -> jobs new per run
    ([(1, "a", "10:00"), (1, "b", "10:00"), (2, "a", "11:00"), (2, "c", "11:00")], {1: 2, 2: 1}),
    ([(1, "a", "10:00"), (2, "a", "10:00")], {1: 1, 2: 0}),  # one after the other within a second
    ([(2, "a", "10:00"), (1, "a", "10:00")], {1: 0, 2: 1}),  # within a second the newer run saw it first
    # two crawls at once: each job is new to the run that saw it first, not to the older run
    ([(2, "b", "10:00"), (1, "a", "10:01"), (2, "a", "10:02"), (1, "b", "10:03")], {1: 1, 2: 1}),
])
def test_a_job_is_new_to_the_run_that_saw_it_first(tmp_path, sightings, new):
    db = storage.open_db(tmp_path / "jobs.db")
    for _ in new:
        storage.start_run(db, "builtin", "berlin", "AI Engineer", {})
    stored = set()
    for run_id, job_id, at in sightings:
        seen_at = f"2026-12-07T{at}:00+00:00"
        if job_id in stored:
            storage.record_sighting(db, job_id, "berlin", run_id, seen_at)
        else:
            row = storage.job_row({"job_id": job_id, "title": "AI Engineer"})
            storage.save_jobs(db, [{"row": row, "city": "berlin", "run_id": run_id, "seen_at": seen_at,
                                    "locations": [], "skills": []}])
            stored.add(job_id)
    assert {run_id: storage.run_coverage(db, run_id)["new"] for run_id in new} == new
