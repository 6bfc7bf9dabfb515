"""Run every benchmark and write the figures to ``bench/results/latest.md`` (``make bench``).

    python bench/run_all.py [--quick]

Each benchmark runs as its own process and prints its figures as it goes; its JSON lands in
``bench/results/<name>.json``. The crawl benchmark keeps its 10,000-posting database, which
the re-tag benchmark and the scale benchmark (as the source of job distributions) reuse.
``--quick`` shrinks every size (for a smoke test, not for figures).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench._common import PYTHON, RESULTS, machine  # noqa: E402


def run(name: str, script: str, *args: str) -> dict:
    out = RESULTS / f"{name}.json"
    out.unlink(missing_ok=True)
    print(f"\n=== {name}: {script} {' '.join(args)}", flush=True)
    started = time.perf_counter()
    result = subprocess.run([PYTHON, str(REPO / "bench" / script), *args, "--json", str(out)], cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    seconds = time.perf_counter() - started
    print(f"=== {name}: {seconds:.0f} s, exit {result.returncode}", flush=True)
    data = json.loads(out.read_text()) if out.exists() else {}
    data["_seconds"], data["_returncode"] = seconds, result.returncode
    return data


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def table(results: dict, quick: bool) -> list[str]:
    rows = []
    p = results.get("pipeline", {})
    if "pages_per_s" in p:
        ms = p["ms_per_page"]
        rows.append(("1. parse+normalize+tag, 1 core", f"{p['pages_per_s']:,.0f} pages/s "
                     f"(parse {ms['parse']:.2f} / normalize {ms['normalize']:.2f} / tag {ms['tag']:.2f} ms per page); "
                     f"BeautifulSoup baseline {p['baseline_pages_per_s']:.0f} pages/s = {p['speedup']:.1f}x",
                     ">= 300 pages/s, >= 10x", verdict(p["pages_per_s"] >= 300 and p["speedup"] >= 10)))
    crawls = results.get("crawl", {}).get("crawls", [])
    for c in crawls:
        rows.append((f"2. crawl {c['postings']:,} postings", f"{c['pages_per_s']:.0f} detail pages/s end to end "
                     f"({c['pages_per_s_steady']:.0f}/s steady), peak RSS {c['peak_rss_mb']:.0f} MB, "
                     f"scrapy {c['scrapy_cpu_ms_per_page']:.1f} ms CPU/page",
                     ">= 150 pages/s" + (", < 300 MB" if c["postings"] >= 5000 else ""),
                     verdict(c["pages_per_s"] >= 150 and c["peak_rss_mb"] < 300)))
    if len(crawls) > 1:
        growth = crawls[-1]["peak_rss_mb"] / crawls[0]["peak_rss_mb"]
        scale = crawls[-1]["postings"] / crawls[0]["postings"]
        rows.append(("2. memory growth", f"peak RSS x{growth:.2f} for x{scale:.1f} postings", "sub-linear",
                     verdict(growth < scale)))
    retag = results.get("retag", {})
    for r in retag.get("runs", []):
        rows.append((f"3. re-tag, {r['workers']} worker{'s' if r['workers'] > 1 else ''}",
                     f"{r['postings_per_s']:,.0f} postings/s end to end ({r['postings_per_s_excl_startup']:,.0f}/s "
                     f"excl. start-up; {r['postings']:,} postings)", ">= 2,000/s",
                     verdict(r["postings_per_s"] >= 2000)))
    s = results.get("scale", {})
    if "build_s" in s:
        idx, bare = s["indexed"], s["no_indexes"]
        worst = idx["worst_query"]
        again = s.get("rebuild_s", s["build_s"])  # the build with the report tables in place (after a crawl)
        rows.append((f"4. {s['postings']:,} postings: analysis build",
                     f"{s['build_s']:.1f} s, again {again:.1f} s; database {s['db_mb']:,.0f} MB "
                     f"({s['db_mb'] * 1024 / s['postings']:.1f} KB a posting)",
                     "< 5 s", verdict(max(s["build_s"], again) < 5)))
        rows.append((f"4. {len(idx['per_query'])} canned queries (Datasette)",
                     f"p50 {idx['p50_ms']:.1f} ms, p95 {idx['p95_ms']:.0f} ms (worst: {worst} "
                     f"p95 {idx['per_query'][worst]['p95_ms']:.0f} ms); no indexes: p50 {bare['p50_ms']:.1f}, "
                     f"p95 {bare['p95_ms']:.0f} ms (worst {bare['worst_query']} "
                     f"{bare['per_query'][bare['worst_query']]['p95_ms']:.0f} ms); 8 clients "
                     f"{idx['concurrent_requests_per_s']:.0f} req/s" + _errors(idx, bare), "p50 < 50 ms (every query)",
                     verdict(max(q["p50_ms"] for q in idx["per_query"].values()) < 50 and not idx["errors"]
                             and not idx.get("concurrent_errors"))))
    rc = results.get("recrawl", {}).get("crawls", [])
    if len(rc) == 2:
        second = rc[1]
        rows.append(("5. re-crawl, unchanged site", f"{second['requests_per_posting']:.3f} requests/posting "
                     f"({second['listing']} listing, {second['detail']} detail, {second['robots']} robots.txt "
                     f"for {second['postings']:,} postings)", "listing pages only", verdict(second["detail"] == 0)))
    lines = ["| benchmark | result | target | |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    if quick:
        lines.insert(0, "_--quick run: reduced sizes, figures not comparable with the targets._\n")
    return lines


def _errors(indexed: dict, bare: dict) -> str:
    """The failed canned queries (answers other than HTTP 200), said in the result, not only in the verdict."""
    failed = sorted({*indexed["errors"], *bare["errors"]})
    if not failed and not indexed.get("concurrent_errors"):
        return ""
    return f"; **errors**: {', '.join(failed) or 'none in turn'}, {indexed.get('concurrent_errors', 0)} under 8 clients"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    load_before = os.getloadavg()
    sizes = ("200,1000", 2000, 200) if args.quick else ("1000,10000", 100_000, 1000)
    results = {"pipeline": run("pipeline", "pipeline_speed.py", *(["--seconds", "1", "--baseline-seconds", "1"]
                                                                   if args.quick else []))}
    results["crawl"] = run("crawl", "crawl_speed.py", "--postings", sizes[0], "--keep", str(RESULTS / "db"))
    crawled = [c["db"] for c in results["crawl"].get("crawls", []) if Path(c["db"]).exists()]
    if crawled:
        results["retag"] = run("retag", "retag_speed.py", "--db", crawled[-1])
        results["scale"] = run("scale", "scale.py", "--source", crawled[-1], "--postings", str(sizes[1]),
                               *(["--repeat", "3"] if args.quick else []))
    results["recrawl"] = run("recrawl", "recrawl.py", "--postings", str(sizes[2]))
    load_after = os.getloadavg()

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True,
                           text=True).stdout.strip()
    lines = [
        "# jobcrawler benchmarks",
        "",
        f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, commit {commit or '?'}{' (with local changes)' if dirty else ''}, "
        f"`make bench` took {time.perf_counter() - started:.0f} s.",
        f"Machine: {machine()}. Load average before/after: {load_before[0]:.2f} / {load_after[0]:.2f} "
        "(anything well above 0 means other work shared the cores).",
        "",
        *table(results, args.quick),
        "",
        "Details: `bench/results/<benchmark>.json`; each script's docstring says what it measures.",
    ]
    failed = [name for name, data in results.items() if data.get("_returncode")]
    if failed:
        lines.append(f"\nBenchmarks that exited non-zero: {', '.join(failed)}.")
    (RESULTS / "latest.md").write_text("\n".join(lines) + "\n")
    print("\n" + "\n".join(lines))
    print(f"\nwritten to {RESULTS / 'latest.md'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
