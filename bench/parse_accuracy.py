"""Parser accuracy and speed on the saved builtin.com sample.

Parses every ``pages/<job_id>.html.gz`` with ``parse_detail`` and compares each page
field with the ``page`` object of ``labels.jsonl``; prints per-field accuracy (the
fields the analysis needs first), the first mismatching job ids per field, and the
parse throughput in pages/s (pages decompressed up front, one core).

    python bench/parse_accuracy.py [--samples /work/shared/builtin-sample] [--show 5]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from jobcrawler.parsing.detail import has_job_posting, parse_detail  # noqa: E402


def _first_country(page: dict):
    return page["locations"][0]["country"] if page.get("locations") else None


def _remote(page: dict):
    return page.get("job_location_type"), page.get("work_type")


def _salary(page: dict):
    return page.get("salary"), page.get("compensation_text")


# Fields the analysis reads, each as a view of the page dict (derived ones included).
REQUIRED = {
    "title": lambda p: p.get("title"),
    "company": lambda p: p.get("company"),
    "date_posted": lambda p: p.get("date_posted"),
    "employment_type": lambda p: p.get("employment_type"),
    "level": lambda p: p.get("level"),
    "work_type": lambda p: p.get("work_type"),
    "salary (dict + text)": _salary,
    "country (first location)": _first_country,
    "remote (location type + work type)": _remote,
    "company_size": lambda p: p.get("company_size"),
    "industries": lambda p: p.get("industries"),
    "top_skills": lambda p: p.get("top_skills"),
}


def load(samples: Path) -> list[tuple[str, str, str, dict]]:
    """(job_id, url, html, expected page) per labelled job that has a saved page."""
    rows = []
    with open(samples / "labels.jsonl", encoding="utf-8") as fh:
        for line in fh:
            label = json.loads(line)
            path = samples / "pages" / f"{label['job_id']}.html.gz"
            if path.exists():
                with gzip.open(path, "rt", encoding="utf-8") as page:
                    html = page.read()
                rows.append((label["job_id"], label["url"], html, label["page"]))
    return rows


def compare(rows, parsed) -> dict[str, list[str]]:
    """Field name -> job ids whose parsed value differs from the label (exact equality:
    titles as JSON-LD writes them, lists in order, salary numbers as given)."""
    fields = list(REQUIRED) + [f for f in rows[0][3] if f not in REQUIRED]
    misses: dict[str, list[str]] = {field: [] for field in fields}
    for (job_id, _url, _html, expected), got in zip(rows, parsed):
        for field in fields:
            view = REQUIRED.get(field, lambda p, f=field: p.get(f))
            if view(got) != view(expected):
                misses[field].append(job_id)
    return misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=Path, default=REPO.parent / "shared" / "builtin-sample")
    parser.add_argument("--show", type=int, default=5, help="mismatching ids shown per field")
    parser.add_argument("--repeat", type=int, default=3, help="timing passes (best is kept)")
    args = parser.parse_args(argv)

    rows = load(args.samples)
    if not rows:
        print(f"no labelled pages under {args.samples}", file=sys.stderr)
        return 2

    best = float("inf")
    for _ in range(max(1, args.repeat)):
        start = time.perf_counter()
        parsed = [parse_detail(html, url) for _job_id, url, html, _page in rows]
        best = min(best, time.perf_counter() - start)

    misses = compare(rows, parsed)
    total = len(rows)
    width = max(map(len, misses)) + 2
    print(f"{total} pages from {args.samples}\n")
    print(f"{'field':<{width}} accuracy  mismatching job ids")
    for index, (field, ids) in enumerate(misses.items()):
        if index == len(REQUIRED):
            print(f"{'-- other page fields':<{width}}")
        shown = " ".join(ids[: args.show]) + (" ..." if len(ids) > args.show else "")
        print(f"{field:<{width}} {100 * (total - len(ids)) / total:7.2f}%  {shown}")
    recognised = sum(has_job_posting(html) for _job_id, _url, html, _page in rows)
    print(f"\nhas_job_posting: {recognised}/{total} pages")
    worst = min(100 * (total - len(ids)) / total for ids in misses.values())
    print(f"lowest field accuracy: {worst:.2f}%")
    print(f"parse_detail: {total / best:.0f} pages/s ({1000 * best / total:.2f} ms/page, best of {args.repeat})")
    return 0 if worst >= 99 and recognised == total else 1


if __name__ == "__main__":
    sys.exit(main())
