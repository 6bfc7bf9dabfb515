"""Processes that open a database that does not exist yet, all at once (two crawls started
together on a new file): one creates it, the others wait for it and use it; none fails."""

from __future__ import annotations

import multiprocessing

from jobcrawler import storage

PROCESSES = 6


def open_and_write(path: str, job_id: str, start) -> str:
    start.wait(30)
    try:
        db = storage.open_db(path, busy_timeout=30)
        storage.save_jobs(db, [{"row": storage.job_row({"job_id": job_id, "title": "AI Engineer"}), "city": "berlin",
                                "run_id": None, "seen_at": storage.utc_now(), "locations": [], "skills": []}])
        db.close()
        return "ok"
    except Exception as error:  # noqa: BLE001 - reported to the test, which says what failed
        return f"{type(error).__name__}: {error}"


def test_processes_opening_a_new_database_at_once_wait_for_each_other(tmp_path):
    context = multiprocessing.get_context("fork")
    for round_number in range(4):
        path = tmp_path / f"new{round_number}.db"
        with context.Manager() as manager:
            start = manager.Barrier(PROCESSES)
            with context.Pool(PROCESSES) as pool:
                outcomes = pool.starmap(open_and_write, [(str(path), str(n), start) for n in range(PROCESSES)])
        assert outcomes == ["ok"] * PROCESSES, f"round {round_number}: {outcomes}"
        db = storage.open_db(path)
        assert db.execute("SELECT count(*) FROM jobs").fetchone()[0] == PROCESSES
        db.close()
