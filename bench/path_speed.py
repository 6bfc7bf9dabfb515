"""My learning path at scale: the site's answer time on a synthetic 100,000-posting database.

    python bench/path_speed.py --source CRAWLED.db [--postings 100000] [--repeat 20] [--json OUT]
    python bench/path_speed.py --db BIG.db          # an existing database (e.g. kept by a previous run)

The database is bench/scale.py's (each posting a clone of a crawled one, 12 cities, 6 monthly
crawls). Figures: loading one label source's postings into bitmaps (once per served file, in the
background when the site starts), then ``/<db>/-/learning-path`` answered by Datasette's in-process
client on the site ``analysis serve`` runs, for three skill sets in five scopes, ``--repeat`` times
each (p50/p95, page rendering included), and the same through ``python -m analysis path`` (a
process that loads the postings and answers once). Target: an answer < 200 ms.
"""

import argparse
import asyncio
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench._common import PYTHON, machine, percentile, write_json  # noqa: E402

SKILL_SETS = ["python, sql, docker", "k8s, postgres, llm", "react, typescript, aws, rag, langchain"]
SCOPES = [{}, {"city": "berlin"}, {"ai_type": "ai-first"}, {"city": "london", "period": "2026-01"},
          {"city": "newyork", "ai_type": "ai-support", "asking": "LLMs"}]


def load_seconds(path: Path) -> tuple[float, int]:
    from analysis.datasette_plugins import learning_path

    with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as conn:
        started = time.perf_counter()
        postings = learning_path.load_postings(conn)
        return time.perf_counter() - started, len(postings.job_ids)


async def time_page(path: Path, repeat: int) -> dict:
    from analysis.datasette_plugins import learning_path, site
    from analysis.serve import datasette_app, metadata_path_for

    app = datasette_app(path, metadata_path_for(path))
    await app.invoke_startup()  # starts loading the postings in the background, as `analysis serve` does
    started = time.perf_counter()
    first = await app.client.get(f"/{path.stem}/-/learning-path?" + urlencode({"skills": SKILL_SETS[0]}))
    first_s = time.perf_counter() - started
    if first.status_code != 200 or "Skills to learn next" not in first.text:
        raise SystemExit(f"the page did not answer: HTTP {first.status_code}\n{first.text[-2000:]}")
    urls = [f"/{path.stem}/-/learning-path?" + urlencode({"skills": skills, **scope})
            for skills in SKILL_SETS for scope in SCOPES]
    timings, errors = [], 0
    for _ in range(repeat):
        for url in urls:
            started = time.perf_counter()
            response = await app.client.get(url)
            timings.append(time.perf_counter() - started)
            errors += response.status_code != 200
    # the engine alone, without Datasette and the template
    db = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    postings = learning_path.load_postings(db)
    engine = []
    for skills in SKILL_SETS:
        names, _ = learning_path.parse_skills(skills, site.skill_name, site.skill_lookup_message)
        for scope in SCOPES:
            chosen = learning_path.Scope(city=scope.get("city", "all"), period=scope.get("period", "all"),
                                         ai_type=scope.get("ai_type", "all"))
            started = time.perf_counter()
            learning_path.answer(postings, chosen, names)
            engine.append(time.perf_counter() - started)
    db.close()
    return {"first_answer_s": first_s, "requests": len(timings), "errors": errors,
            "p50_ms": 1000 * percentile(timings, 50), "p95_ms": 1000 * percentile(timings, 95),
            "max_ms": 1000 * max(timings), "engine_p50_ms": 1000 * percentile(engine, 50),
            "engine_max_ms": 1000 * max(engine)}


def terminal_seconds(path: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run([PYTHON, "-m", "analysis", "path", "--skills", SKILL_SETS[0], "--city", "berlin",
                             "--db", str(path)], cwd=REPO, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(result.stderr[-2000:])
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--source", type=Path, help="a crawled database to clone postings from (bench/scale.py)")
    source.add_argument("--db", type=Path, help="an existing database to time instead")
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of each (skills, scope) question")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-path-") as tmp:
        path = args.db
        if path is None:
            from bench.scale import generate

            path = Path(tmp) / "jobs.db"
            made = generate(args.source, path, args.postings)
            print(f"generated {args.postings:,} postings (cloned from {made['source_jobs']:,} crawled jobs) "
                  f"in {made['generate_s']:.1f} s")
        load_s, postings = load_seconds(path)
        print(f"loading {postings:,} postings into bitmaps: {load_s:.2f} s (once per served file and label source)")
        page = asyncio.run(time_page(path, args.repeat))
        terminal_s = terminal_seconds(path)
    print(f"site, first answer (waits for the load started at startup): {page['first_answer_s']:.2f} s")
    print(f"site answer, {len(SKILL_SETS)} skill sets x {len(SCOPES)} scopes x {args.repeat}: "
          f"p50 {page['p50_ms']:.1f} ms, "
          f"p95 {page['p95_ms']:.1f} ms, max {page['max_ms']:.1f} ms, {page['errors']} errors (target < 200 ms)")
    print(f"the answer alone (no page): p50 {page['engine_p50_ms']:.1f} ms, max {page['engine_max_ms']:.1f} ms")
    print(f"python -m analysis path (a process: start, load, answer): {terminal_s:.2f} s")
    write_json(args.json, {"postings": postings, "load_s": load_s, "page": page, "terminal_s": terminal_s,
                           "machine": machine()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
