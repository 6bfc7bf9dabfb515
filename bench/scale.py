"""Scale: a synthetic 100,000-posting database -> ``analysis build`` time, database size, and the
latency of every canned query of ``analysis/metadata.yml`` through Datasette, against the
same database with its non-primary-key indexes dropped.

    python bench/scale.py --source CRAWLED.db [--postings 100000] [--repeat 15] [--workdir DIR [--keep]] [--json OUT]

The database is made with jobcrawler.storage's schema (``storage.open_db``) and filled with
``executemany``: each synthetic posting clones one job of a crawled database (``--source``, e.g.
a replay-site crawl; its title, description, company, tags, skills, category evidence and
locations, so skill,
category and AI-type distributions and their correlations are real), under a new id, 1 city of
the 12 (2 neighbouring cities for ~20%, as the replay site lists them), seen in 1-3 consecutive
monthly crawls out of 6 (one ``crawl_runs`` row per city and month, sightings to match).

Queries run through Datasette's in-process client on the site ``analysis serve`` runs
(``analysis.serve.datasette_app``: its settings, 1 s SQL time limit and 1,000-row cap, and its
plugins, whose SQL functions some canned queries call); any answer but HTTP 200 is counted as
an error of its query, and a query with errors fails the target. Each canned query ``--repeat`` times in turn (p50/p95 per query),
then all of them from 8 concurrent clients (requests/s). It also prints what takes the room: the
bytes a posting of each table and index (SQLite's ``dbstat``), largest first. ``--workdir`` is
made when it does not exist; ``--keep`` keeps the database there and reuses it on the next run,
opened with ``storage.open_db`` as any database is, so a kept database also tries the migration
of a schema change. The build is timed twice: first (on a new database, the report tables are
created) and again (they are in place: a build after a crawl). Targets: build < 5 s, every
canned query's p50 < 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing, nullcontext
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench._common import PYTHON, machine, percentile, write_json  # noqa: E402

MONTHS = ["2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02"]
CITIES = ["berlin", "london", "amsterdam", "newyork", "la", "india",
          "austin", "boston", "chicago", "denver", "sanfrancisco", "seattle"]
SHARED = 0.19  # share of postings listed under two (neighbouring) cities


def generate(source: Path, target: Path, postings: int, seed: int = 1) -> dict:
    """Fill ``target`` (created with storage's schema) with ``postings`` synthetic jobs."""
    from jobcrawler import storage

    rng = random.Random(seed)
    storage.open_db(source).close()  # a sample crawled before label sources gets today's schema
    src = sqlite3.connect(source)
    src.row_factory = sqlite3.Row
    pool = [dict(row) for row in src.execute("SELECT * FROM jobs WHERE description IS NOT NULL")]
    labels = {row["job_id"]: dict(row) for row in src.execute("SELECT * FROM job_labels WHERE labels = ?", [storage.RULES])}
    skill_columns = [c for c in storage.SKILL_COLUMNS if c not in ("job_id", "labels")]
    skills: dict[str, list[tuple]] = {}
    for row in src.execute(f"SELECT job_id, {', '.join(skill_columns)} FROM job_skills WHERE labels = ? "
                           "ORDER BY job_id, rowid", [storage.RULES]):
        skills.setdefault(row[0], []).append(tuple(row[1:]))
    evidence_columns = [c for c in storage.EVIDENCE_COLUMNS if c not in ("job_id", "labels")]
    evidence: dict[str, list[tuple]] = {}  # why each category has its value: ~20 rows a job
    for row in src.execute(f"SELECT job_id, {', '.join(evidence_columns)} FROM job_label_evidence WHERE labels = ? "
                           "ORDER BY job_id, category, position", [storage.RULES]):
        evidence.setdefault(row[0], []).append(tuple(row[1:]))
    places: dict[str, list[tuple]] = {}
    for row in src.execute("SELECT job_id, position, label, locality, region, country, postal_code "
                           "FROM job_locations ORDER BY job_id, position"):
        places.setdefault(row[0], []).append(tuple(row[1:]))
    src.close()
    if not pool:
        raise SystemExit(f"no jobs in {source}")

    started = time.perf_counter()
    db = storage.open_db(target)
    db.close()
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")  # a throw-away database: no rollback journal while loading
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    runs = {}
    for m, month in enumerate(MONTHS):
        for c, city in enumerate(CITIES):
            started_at = f"{month}-15T06:{c:02d}:00+00:00"
            cursor = conn.execute(
                "INSERT INTO crawl_runs (spider, city, query, args, started_at, finished_at, finish_reason, status) "
                "VALUES ('builtin', ?, 'AI Engineer', '{}', ?, ?, 'finished', 'ok')",
                (city, started_at, started_at.replace("T06", "T07")))
            runs[month, city] = (cursor.lastrowid, started_at)

    columns = [c for c in storage.JOB_COLUMNS]
    insert_job = f"INSERT INTO jobs ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    label_columns = list(storage.JOB_LABEL_COLUMNS)
    insert_labels = f"INSERT INTO job_labels ({', '.join(label_columns)}) VALUES ({', '.join('?' * len(label_columns))})"
    insert_skill = (f"INSERT INTO job_skills (job_id, labels, {', '.join(skill_columns)}) "
                    f"VALUES (?, '{storage.RULES}', {', '.join('?' * len(skill_columns))})")
    insert_evidence = (f"INSERT INTO job_label_evidence (job_id, labels, {', '.join(evidence_columns)}) "
                       f"VALUES (?, '{storage.RULES}', {', '.join('?' * len(evidence_columns))})")
    jobs, label_rows, cities_rows, sightings, skill_rows, evidence_rows, location_rows = [], [], [], [], [], [], []

    def flush():
        conn.executemany(insert_job, jobs)
        conn.executemany(insert_labels, label_rows)
        conn.executemany("INSERT INTO job_cities (job_id, city, first_seen, last_seen) VALUES (?, ?, ?, ?)", cities_rows)
        conn.executemany("INSERT INTO sightings (run_id, job_id, city, seen_at) VALUES (?, ?, ?, ?)", sightings)
        conn.executemany(insert_skill, skill_rows)
        conn.executemany(insert_evidence, evidence_rows)
        conn.executemany("INSERT INTO job_locations (job_id, position, label, locality, region, country, postal_code) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", location_rows)
        for rows in (jobs, label_rows, cities_rows, sightings, skill_rows, evidence_rows, location_rows):
            rows.clear()

    for i in range(postings):
        base = rng.choice(pool)
        job_id = str(20_000_000 + i)
        first = rng.randrange(len(MONTHS))
        months = MONTHS[first:first + rng.choice((1, 1, 2, 2, 3))]
        c = rng.randrange(len(CITIES))
        cities = [CITIES[c], CITIES[(c + 1) % len(CITIES)]] if rng.random() < SHARED else [CITIES[c]]
        seen = [runs[month, city][1] for month in months for city in cities]
        row = dict(base)
        row.update(
            job_id=job_id,
            url=f"https://builtin.com/job/synthetic/{job_id}",
            company=base["company"] if rng.random() < 0.5 else f"{base['company']} {rng.randrange(25)}",
            posted_date=f"{months[0]}-{rng.randint(1, 14):02d}",
            first_seen=min(seen), last_seen=max(seen), times_seen=len(months), fetched_at=max(seen),
            last_run_id=runs[months[-1], cities[0]][0],
            closed_at=None if months[-1] == MONTHS[-1] else f"{months[-1]}-28T00:00:00+00:00",
        )
        jobs.append([row.get(column) for column in columns])
        if base["job_id"] in labels:
            label_rows.append([{**labels[base["job_id"]], "job_id": job_id}.get(column) for column in label_columns])
        for city in cities:
            cities_rows.append((job_id, city, runs[months[0], city][1], runs[months[-1], city][1]))
            for month in months:
                run_id, at = runs[month, city]
                sightings.append((run_id, job_id, city, at))
        skill_rows.extend((job_id, *skill) for skill in skills.get(base["job_id"], ()))
        evidence_rows.extend((job_id, *piece) for piece in evidence.get(base["job_id"], ()))
        location_rows.extend((job_id, *place) for place in places.get(base["job_id"], ()))
        if len(jobs) >= 5000:
            flush()
    flush()
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    return {"generate_s": time.perf_counter() - started, "source_jobs": len(pool)}


def reuse(path: Path, postings: int) -> dict | None:
    """Open a kept database of ``postings`` jobs with storage's schema (a database kept before a
    schema change is migrated as a user's would be); None when there is none to reuse."""
    from jobcrawler import storage

    if not path.exists():
        return None
    with sqlite3.connect(path) as conn:
        held = conn.execute("SELECT count(*) FROM jobs").fetchone()[0] if conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'jobs'").fetchone() else 0
    if held != postings:
        print(f"{path} holds {held:,} jobs, not {postings:,}: generating a new one")
        return None
    started = time.perf_counter()
    storage.open_db(path).close()
    return {"reused": str(path), "migrate_s": time.perf_counter() - started}


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def drop_indexes(path: Path) -> list[str]:
    """Drop every index that is not a primary key's (autoindexes have no SQL)."""
    with sqlite3.connect(path) as conn:
        names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")]
        for name in names:
            conn.execute(f'DROP INDEX "{name}"')
    return names


def analysis_build(path: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    result = subprocess.run([PYTHON, "-m", "analysis", "build", "--db", str(path)], cwd=REPO, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    return time.perf_counter() - started


def query_params(path: Path) -> dict:
    """Values for the canned queries' parameters, read off the data (a popular skill, a company)."""
    with sqlite3.connect(path) as conn:
        skill = conn.execute("SELECT skill FROM job_skills GROUP BY skill ORDER BY count(*) DESC LIMIT 1 OFFSET 2").fetchone()
        company = conn.execute("SELECT company FROM jobs GROUP BY company ORDER BY count(*) DESC LIMIT 1").fetchone()
    return {"skill": skill[0] if skill else "Python", "company": (company[0] if company else "Acme").split()[0],
            "city": "london", "period": "", "city_a": "london", "city_b": "berlin"}


async def time_queries(path: Path, repeat: int, concurrency: int = 8) -> dict:
    from analysis.serve import datasette_app, metadata_for, metadata_path_for

    name = path.stem
    queries = metadata_for(name)["databases"][name]["queries"]
    values = query_params(path)
    ds = datasette_app(path, metadata_path_for(path))  # the site as served: plugins (SQL functions), templates
    await ds.invoke_startup()
    urls = {}
    for query, spec in queries.items():
        params = {p: values.get(p, "") for p in spec.get("params", [])}
        urls[query] = f"/{name}/{query}.json?{urlencode({**params, '_shape': 'array'})}"

    async def get(url):
        t0 = time.perf_counter()
        response = await ds.client.get(url)
        return time.perf_counter() - t0, response.status_code

    for url in urls.values():  # warm-up: page cache, prepared metadata
        await get(url)
    timings: dict[str, list[float]] = {query: [] for query in urls}
    errors: dict[str, int] = {}
    for _ in range(repeat):
        for query, url in urls.items():
            seconds, status = await get(url)
            timings[query].append(seconds)
            if status != 200:
                errors[query] = errors.get(query, 0) + 1
    per_query = {query: {"p50_ms": 1000 * percentile(t, 50), "p95_ms": 1000 * percentile(t, 95)}
                 for query, t in timings.items()}
    everything = [t for ts in timings.values() for t in ts]

    jobs = [url for url in urls.values() for _ in range(max(1, repeat // 3))]
    random.Random(3).shuffle(jobs)
    queue: asyncio.Queue = asyncio.Queue()
    for url in jobs:
        queue.put_nowait(url)
    concurrent: list[float] = []

    concurrent_errors = 0

    async def client():
        nonlocal concurrent_errors
        while not queue.empty():
            seconds, status = await get(queue.get_nowait())
            concurrent.append(seconds)
            concurrent_errors += status != 200

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    return {
        "per_query": per_query,
        "errors": errors,
        "p50_ms": 1000 * percentile(everything, 50),
        "p95_ms": 1000 * percentile(everything, 95),
        "worst_query": max(per_query, key=lambda q: per_query[q]["p95_ms"]),
        "concurrent_clients": concurrency,
        "concurrent_requests_per_s": len(jobs) / wall,
        "concurrent_p95_ms": 1000 * percentile(concurrent, 95),
        "concurrent_errors": concurrent_errors,
        "params": values,
    }


def room_per_posting(path: Path, postings: int) -> dict[str, float]:
    """Table or index -> bytes of its pages a posting (SQLite's ``dbstat``), largest first."""
    with sqlite3.connect(path) as conn:
        sizes = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    return {name: size / postings for name, size in sizes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="a crawled database to sample jobs from")
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15, help="timed runs of each canned query")
    parser.add_argument("--workdir", type=Path, help="where the databases go (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the database as WORKDIR/jobs.db and reuse it next time (when it holds --postings "
                             "jobs): generation skipped, its schema brought up to date as any database's is")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.keep and args.workdir is None:
        parser.error("--keep needs --workdir (where the database is kept)")
    if args.workdir is not None:
        if args.workdir.exists() and not args.workdir.is_dir():
            parser.error(f"--workdir {args.workdir} is a file, not a folder")
        args.workdir.mkdir(parents=True, exist_ok=True)

    with (nullcontext(str(args.workdir)) if args.keep
          else tempfile.TemporaryDirectory(prefix="bench-scale-", dir=args.workdir)) as tmp:
        path = Path(tmp) / "jobs.db"  # named like data/jobs.db, as metadata.yml expects
        made = reuse(path, args.postings) if args.keep else None
        if made is None:
            remove_database(path)
            made = generate(args.source, path, args.postings)
            print(f"generated {args.postings:,} postings (cloned from {made['source_jobs']:,} crawled jobs) "
                  f"in {made['generate_s']:.1f} s")
        else:
            print(f"reused {path} ({args.postings:,} postings); schema brought up to date in {made['migrate_s']:.1f} s")
        with closing(sqlite3.connect(path)) as conn:  # a kept database may hold them from its last run
            first_build = not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name GLOB 'report_*'").fetchone()
        build_s = analysis_build(path)
        rebuild_s = analysis_build(path)  # report tables in place: what a build after a crawl costs
        size_mb = path.stat().st_size / 2**20
        with sqlite3.connect(path) as conn:
            counts = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                      for table in ("jobs", "job_skills", "job_label_evidence", "sightings", "job_cities")}
            free_mb = conn.execute("PRAGMA freelist_count").fetchone()[0] * conn.execute("PRAGMA page_size").fetchone()[0] / 2**20
        print(f"analysis build: {build_s:.1f} s{'' if first_build else ' (report tables in place)'}, again "
              f"{rebuild_s:.1f} s (target < 5 s); database {size_mb:,.0f} MB ({free_mb:,.0f} MB of it free pages), "
              f"{size_mb * 2**10 / args.postings:.1f} KB a posting; rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
        room = room_per_posting(path, args.postings)
        print("bytes a posting, by table or index (largest first): "
              + ", ".join(f"{name} {size:,.0f}" for name, size in list(room.items())[:12]))
        indexed = asyncio.run(time_queries(path, args.repeat))

        bare = Path(tmp) / "bare" / "jobs.db"
        bare.parent.mkdir(exist_ok=True)
        remove_database(bare)
        shutil.copy(path, bare)
        dropped = drop_indexes(bare)
        plain = asyncio.run(time_queries(bare, args.repeat))
        shutil.rmtree(bare.parent)

    print(f"{'canned query':<26} {'p50 ms':>8} {'p95 ms':>8}   no-index p50 / p95 ms")
    for query, figures in indexed["per_query"].items():
        base = plain["per_query"][query]
        flag = " ERR" if query in indexed["errors"] else ""
        print(f"{query:<26} {figures['p50_ms']:8.1f} {figures['p95_ms']:8.1f}   "
              f"{base['p50_ms']:8.1f} / {base['p95_ms']:8.1f}{flag}{' (no-index ERR)' if query in plain['errors'] else ''}")
    print(f"all canned queries: p50 {indexed['p50_ms']:.1f} ms, p95 {indexed['p95_ms']:.1f} ms "
          f"(worst {indexed['worst_query']}: p95 {indexed['per_query'][indexed['worst_query']]['p95_ms']:.0f} ms); "
          f"without indexes p50 {plain['p50_ms']:.1f} ms, p95 {plain['p95_ms']:.1f} ms "
          f"({len(dropped)} indexes dropped); target: every canned query's p50 < 50 ms")
    for label, run in (("", indexed), ("without indexes, ", plain)):
        if run["errors"] or run["concurrent_errors"]:
            print(f"{label}errors (answers other than HTTP 200): {run['errors']}, "
                  f"{run['concurrent_errors']} under 8 concurrent clients")
    print(f"8 concurrent clients: {indexed['concurrent_requests_per_s']:.0f} requests/s "
          f"(p95 {indexed['concurrent_p95_ms']:.0f} ms); without indexes {plain['concurrent_requests_per_s']:.0f}/s")
    write_json(args.json, {"postings": args.postings, "generate": made, "build_s": build_s, "rebuild_s": rebuild_s,
                           "db_mb": size_mb, "free_mb": free_mb,
                           "rows": counts, "bytes_a_posting": room, "indexed": indexed, "no_indexes": plain, "dropped_indexes": dropped,
                           "machine": machine()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
