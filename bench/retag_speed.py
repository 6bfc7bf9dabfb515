"""Re-tag a crawled database without re-crawling: postings/s with 1 and 2 workers, and where
the time goes.

    python bench/retag_speed.py --db CRAWLED.db [--workers 1,2] [--json OUT]

Each run works on a fresh copy of the database in which a taxonomy change is simulated: every
job is marked as tagged by a previous taxonomy version, and five skills (ranks 10, 20, ... 50 by
job count) are removed from ``job_skills``, as if the previous taxonomy lacked them. The run
is the real command, ``python -m jobcrawler.retag --db COPY --workers N`` (re-tag every job of
another version), timed from start to exit (process start-up and the tagger's load included).
Then one batch loop like ``retag``'s runs in process with one worker and times its three
stages: reading rows, tagging, writing tags, in wall and in CPU time. CPU figures (all the run's
processes, or this one's) are what a shared machine's other work does not change: quote them
beside the wall-clock rates. Target: >= 2,000 postings/s.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench._common import PYTHON, machine, write_json  # noqa: E402


def copy_db(source: Path, target: Path) -> Path:
    """A standalone copy (the source's write-ahead log folded in first), its taxonomy "changed"."""
    with sqlite3.connect(source) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(source, target)
    simulate_taxonomy_change(target)
    return target


def simulate_taxonomy_change(path: Path) -> float:
    """Mark every job as tagged by a previous taxonomy that lacked five skills; share of jobs affected."""
    with sqlite3.connect(path) as conn:
        ranked = [row[0] for row in conn.execute(
            "SELECT skill FROM job_skills WHERE labels = 'rules' GROUP BY skill ORDER BY count(*) DESC, skill LIMIT 50")]
        dropped = ranked[9::10]
        marks = ", ".join("?" * len(dropped))
        affected = conn.execute(f"SELECT count(DISTINCT job_id) FROM job_skills WHERE labels = 'rules' AND skill IN ({marks})",
                                dropped).fetchone()[0]
        conn.execute(f"DELETE FROM job_skills WHERE labels = 'rules' AND skill IN ({marks})", dropped)
        conn.execute("UPDATE job_labels SET version = 'previous-taxonomy' WHERE labels = 'rules'")
        total = conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
    return affected / total if total else 0.0


def _children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children and theirs (retag's workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_retag(db: Path, workers: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started, cpu_started = time.perf_counter(), _children_cpu()
    result = subprocess.run([PYTHON, "-m", "jobcrawler.retag", "--db", str(db), "--workers", str(workers)],
                            cwd=REPO, env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - started, _children_cpu() - cpu_started
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    match = re.search(r"re-tagged (\d+) jobs in ([\d.]+) s", result.stdout)
    count, inner = (int(match.group(1)), float(match.group(2))) if match else (0, float("nan"))
    return {"workers": workers, "postings": count, "wall_s": wall, "postings_per_s": count / wall,
            "cpu_s": cpu, "postings_per_cpu_s": count / cpu if cpu else float("nan"),
            "retag_reported_s": inner, "postings_per_s_excl_startup": count / inner if inner else float("nan")}


def stage_split(db_path: Path) -> dict:
    """One worker, in process: seconds spent reading, tagging and writing, over every row."""
    from jobcrawler import retag, storage
    from jobcrawler.tagging import Tagger

    db = storage.open_db(db_path)
    version = Tagger.load().version
    retag._tag_rows([])  # load the tagger outside the timings
    spent = {"read": 0.0, "tag": 0.0, "write": 0.0}
    cpu = dict.fromkeys(spent, 0.0)  # this process's CPU time: what other work on the machine does not slow
    after, rows_done = "", 0
    while True:
        t0, c0 = time.perf_counter(), time.process_time()
        rows = storage.jobs_to_tag(db, version, False, after, retag.BATCH)
        t1, c1 = time.perf_counter(), time.process_time()
        spent["read"] += t1 - t0
        cpu["read"] += c1 - c0
        if not rows:
            break
        tagged = retag._tag_rows(rows)
        t2, c2 = time.perf_counter(), time.process_time()
        storage.save_labels(db, tagged, read={row[0]: tuple(row[1:]) for row in rows})
        t3, c3 = time.perf_counter(), time.process_time()
        spent["tag"] += t2 - t1
        spent["write"] += t3 - t2
        cpu["tag"] += c2 - c1
        cpu["write"] += c3 - c2
        rows_done += len(rows)
        after = rows[-1][0]
    db.close()
    total = sum(spent.values())
    return {"postings": rows_done, "ms_per_posting": {k: 1000 * v / rows_done for k, v in spent.items()},
            "cpu_ms_per_posting": {k: 1000 * v / rows_done for k, v in cpu.items()},
            "share": {k: v / total for k, v in spent.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="a crawled database (it is not modified)")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if not args.db.exists():
        print(f"no database at {args.db}", file=sys.stderr)
        return 2

    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-retag-") as tmp:
        probe = Path(tmp) / "probe.db"
        shutil.copy(args.db, probe)
        affected = simulate_taxonomy_change(probe)
        probe.unlink()
        print(f"simulated taxonomy change: five skills added back to {100 * affected:.0f}% of the jobs")
        for workers in (int(w) for w in args.workers.split(",")):
            run = run_retag(copy_db(args.db, Path(tmp) / f"retag_{workers}.db"), workers)
            runs.append(run)
            print(f"--workers {workers}: {run['postings']} postings in {run['wall_s']:.2f} s = "
                  f"{run['postings_per_s']:,.0f} postings/s end to end "
                  f"({run['postings_per_s_excl_startup']:,.0f}/s as retag reports it, start-up excluded; "
                  f"{run['postings_per_cpu_s']:,.0f} per CPU-second of all its processes)")
        split = stage_split(copy_db(args.db, Path(tmp) / "split.db"))
    print("one worker, in process: " + ", ".join(
        f"{stage} {ms:.3f} ms/posting ({100 * split['share'][stage]:.0f}%)" for stage, ms in split["ms_per_posting"].items()))
    cpu_total = sum(split["cpu_ms_per_posting"].values())
    print("  in CPU time: " + ", ".join(f"{stage} {ms:.3f} ms" for stage, ms in split["cpu_ms_per_posting"].items())
          + f" = {1000 / cpu_total:,.0f} postings per CPU-second read, tagged and written")
    print("target: >= 2,000 postings/s")
    write_json(args.json, {"runs": runs, "split": split, "jobs_with_changed_skills": affected, "db": str(args.db),
                           "machine": machine()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
