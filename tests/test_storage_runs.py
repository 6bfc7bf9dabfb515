"""Marking killed runs: only a run whose process is gone, never one resumed in the meantime."""

from __future__ import annotations

import os
import subprocess
import sys

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
