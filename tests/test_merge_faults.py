"""A merge killed at any statement (kill -9), then run again, leaves what one clean merge leaves;
a merge that fails leaves nothing of itself but its error; a run database of an older schema
merges what the schemas share."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys

import pytest

from jobcrawler import merge, storage
from tests.helpers import database_content, free_port, rows, serve_command, start_server, wait_until_up
from tests.test_merge import quiet, run_db

NOVEMBER, DECEMBER = "2026-11-01T00:00:00+00:00", "2026-12-01T00:00:00+00:00"


def everything(path) -> dict:
    """database_content and the run bookkeeping a merge writes (its clock aside)."""
    return {**database_content(path),
            "crawl_runs": rows(path, "SELECT * FROM crawl_runs ORDER BY run_id"),
            "merged_runs": rows(path, "SELECT run_id, origin, cycle, source, source_run_id FROM merged_runs "
                                      "ORDER BY run_id"),
            "times_seen": rows(path, "SELECT sum(times_seen) AS n FROM jobs")}


@pytest.fixture
def december(tmp_path):
    """A main database holding November's cycle (berlin and munich) and December's run databases:
    job 2 is gone (closed by the merge), job 3 left berlin but munich still lists it, 5 and 6 are new."""
    november = [run_db(tmp_path / "nov-berlin.db", "berlin", NOVEMBER, {n: {"title": f"job {n}"} for n in "123"}),
                run_db(tmp_path / "nov-munich.db", "munich", NOVEMBER, {n: {"title": f"job {n}"} for n in "34"})]
    before = tmp_path / "before.db"
    assert merge.merge(november, before, cycle="2026-11", log=lambda line: None).exit_code == 0
    runs = [run_db(tmp_path / "dec-berlin.db", "berlin", DECEMBER, {n: {"title": f"job {n}"} for n in "15"}),
            run_db(tmp_path / "dec-munich.db", "munich", DECEMBER, {n: {"title": f"job {n}"} for n in "346"})]
    return before, runs


def merge_killed_at(statement: int, runs, db_path) -> int:
    """Merge in a forked process that is killed (SIGKILL) as it starts its ``statement``-th SQL
    statement; the exit signal, or 0 when the merge ended before it."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            opened = storage.open_db

            def traced_open(*args, **kwargs):
                db = opened(*args, **kwargs)
                count = [0]

                def trace(sql):
                    count[0] += 1
                    if count[0] == statement:
                        os.kill(os.getpid(), signal.SIGKILL)

                db.conn.set_trace_callback(trace)
                return db

            storage.open_db = traced_open
            merge.merge(runs, db_path, cycle="2026-12", log=lambda line: None)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0


def statements_of_a_merge(runs, db_path, monkeypatch) -> int:
    """How many SQL statements merging ``runs`` into ``db_path`` runs."""
    seen = []
    opened = storage.open_db

    def traced_open(*args, **kwargs):
        db = opened(*args, **kwargs)
        db.conn.set_trace_callback(seen.append)
        return db

    with monkeypatch.context() as patch:
        patch.setattr(storage, "open_db", traced_open)
        merge.merge(runs, db_path, cycle="2026-12", log=lambda line: None)
    return len(seen)


def test_a_merge_killed_at_any_statement_then_run_again_equals_a_clean_merge(tmp_path, december, monkeypatch):
    before, runs = december
    clean = tmp_path / "clean.db"
    shutil.copy(before, clean)
    total = statements_of_a_merge(runs, clean, monkeypatch)
    expected = everything(clean)
    assert expected["times_seen"] == [{"n": 9}]  # 1, 3, 4 seen twice; 2, 5, 6 once
    assert rows(clean, "SELECT job_id FROM jobs WHERE closed_at IS NOT NULL") == [{"job_id": "2"}]
    assert sum(r["jobs_new"] for r in expected["crawl_runs"]) == 6
    killed_runs = 0
    for statement in range(1, total + 1):
        killed = tmp_path / "killed.db"
        for suffix in ("", "-wal", "-shm", "-journal"):
            (tmp_path / f"killed.db{suffix}").unlink(missing_ok=True)
        shutil.copy(before, killed)
        killed_runs += merge_killed_at(statement, runs, killed) == signal.SIGKILL
        quiet(*runs, killed, cycle="2026-12")
        assert everything(killed) == expected, f"killed at statement {statement} of {total}"
    assert killed_runs == total  # every statement was a kill point


def corrupt_mid_file(path) -> None:
    """Overwrite the page of the job_labels table: its crawl runs still read, its labels do not."""
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'job_labels'").fetchone()[0]
    conn.close()
    with path.open("r+b") as file:
        file.seek((page - 1) * page_size)
        file.write(os.urandom(page_size))


def test_a_failed_merge_leaves_no_trace_and_a_good_file_merges_later(tmp_path, december):
    before, (berlin, munich) = december
    main = tmp_path / "main.db"
    shutil.copy(before, main)
    start = everything(main)
    broken = tmp_path / "broken.db"
    shutil.copy(munich, broken)
    corrupt_mid_file(broken)
    with pytest.raises((storage.MergeError, sqlite3.DatabaseError)):
        quiet(berlin, broken, main, cycle="2026-12")
    assert everything(main) == start
    assert merge.main([str(berlin), str(broken), "--db", str(main), "--cycle", "2026-12"]) == 1
    assert everything(main) == start
    result = quiet(berlin, munich, main, cycle="2026-12")
    assert (result.runs_added, result.jobs_new) == (2, 2)


def test_an_older_schema_run_database_merges_what_the_schemas_share(tmp_path, december):
    """A run database written before jobs.fetched_run_id, crawl_runs.jobdir and the evidence table
    existed: its jobs, sightings and labels merge, the missing columns stay empty."""
    before, (berlin, _) = december
    old = tmp_path / "old.db"
    shutil.copy(berlin, old)
    with sqlite3.connect(old) as conn:
        for table, column in (("jobs", "fetched_run_id"), ("crawl_runs", "jobdir"), ("job_skills", "section")):
            conn.execute(f"DROP INDEX IF EXISTS idx_{table}_{column}")
            conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        conn.execute("DROP TABLE job_label_evidence")
    conn.close()
    main = tmp_path / "main.db"
    shutil.copy(before, main)
    result = quiet(old, main, cycle="2026-12")
    assert (result.runs_added, result.jobs_new) == (1, 1)
    assert rows(main, "SELECT title FROM jobs WHERE job_id = '5'") == [{"title": "job 5"}]
    assert rows(main, "SELECT count(*) AS n FROM sightings WHERE job_id = '5'") == [{"n": 1}]


def test_merging_into_the_database_a_site_serves_is_refused_in_one_line(tmp_path, december, capsys):
    """``analysis serve`` opens the file immutable: a merge under it would make it serve a mix of
    pages (old counts, then "database disk image is malformed")."""
    before, runs = december
    main = tmp_path / "jobs.db"
    shutil.copy(before, main)
    start = everything(main)
    port = free_port()
    log = tmp_path / "serve.log"
    server = start_server(serve_command(main, port), log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/jobs.json?sql=select+1", server, log)
        assert merge.main([*map(str, runs), "--db", str(main), "--cycle", "2026-12"]) == 1
        error = capsys.readouterr().err.strip().splitlines()
        assert len(error) == 1 and f"{main} is being served (process {server.pid}" in error[0]
        assert everything(main) == start
    finally:
        server.terminate()
        server.wait(timeout=15)
    assert merge.main([*map(str, runs), "--db", str(main), "--cycle", "2026-12"]) == 0


def test_a_process_that_only_names_datasette_is_no_site(tmp_path):
    """``pytest tests/test_datasette.py`` or an editor holding the file open serves nothing: a merge,
    crawl or import into it goes on."""
    db = storage.open_db(tmp_path / "jobs.db")
    db.close()
    holder = subprocess.Popen([sys.executable, "-c", "import sqlite3, sys, time; sqlite3.connect(sys.argv[1]).execute("
                               "'SELECT 1'); print('open', flush=True); time.sleep(60)", str(tmp_path / "jobs.db"),
                               "tests/test_datasette.py"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "open\n"
        assert storage.serving_processes(tmp_path / "jobs.db") == []
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("argv, serves", [
    (["/venv/bin/python", "-m", "analysis", "serve", "--db", "jobs.db", "--port", "8001"], True),
    (["/venv/bin/python", "-m", "analysis", "serve"], True),  # its default database
    (["/venv/bin/python", "-m", "analysis", "report", "--db", "jobs.db"], False),
    (["/venv/bin/python", "/venv/bin/datasette", "serve", "-i", "jobs.db"], True),  # the console script
    (["datasette", "--immutable=jobs.db"], True),
    (["/venv/bin/python3.11", "-X", "dev", "-m", "datasette", "serve", "-i", "jobs.db"], True),
    (["python", "-Xdev", "-Bm", "datasette", "serve", "--immutable", "jobs.db"], True),
    (["datasette", "serve", "jobs.db"], False),  # opened for writes: it copes with them
    (["datasette", "serve", "other.db", "-i", "third.db", "jobs.db"], False),
    (["python", "-m", "pytest", "tests/test_datasette.py", "jobs.db"], False),
    (["python", "-c", "import datasette", "-m", "datasette", "-i", "jobs.db"], False),
    (["vim", "analysis", "serve", "jobs.db"], False),
])
def test_a_site_is_a_command_that_serves_the_file_immutable(argv, serves):
    assert storage.served.serves_immutable(argv, "/srv", os.path.realpath("/srv/jobs.db")) == serves


def test_a_writable_datasette_is_no_site_and_an_immutable_one_is_named_by_pid_and_file(tmp_path):
    db = tmp_path / "jobs.db"
    storage.open_db(db).close()
    sites = []
    try:
        for command in ([sys.executable, "-m", "datasette", "serve"],
                        [sys.executable, "-X", "dev", "-m", "datasette", "serve", "-i"]):  # -m beyond argv[:3]
            port = free_port()
            sites.append(start_server([*command, str(db), "--port", str(port)], tmp_path / f"{port}.log"))
            wait_until_up(f"http://127.0.0.1:{port}/jobs.json?sql=select+1", sites[-1], tmp_path / f"{port}.log")
        assert [pid for pid, _ in storage.serving_processes(db)] == [sites[1].pid]
        why = storage.being_served(db, "merge")
        assert why.startswith(f"{db} is being served (process {sites[1].pid}: ") and "/jobs.db --port " in why
    finally:
        for site in sites:
            site.terminate()
            site.wait(timeout=15)
