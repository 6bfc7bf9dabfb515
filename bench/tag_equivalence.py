"""Proof that a change to the tagger's speed changed none of its output.

    python bench/tag_equivalence.py --pages DIR [--db DB ...] --write BEFORE.jsonl.gz   # old code
    python bench/tag_equivalence.py --pages DIR [--db DB ...] --against BEFORE.jsonl.gz # new code

Tags every posting of the saved pages (``--pages``, parsed as the crawler parses them) and of
each database's ``jobs`` table (``--db``: a replay crawl, a Field Guide import), and writes one
JSON line per posting: its categories (the AI-type confidence among them), skills and evidence,
exactly as ``Tagger.tag`` returns them. ``--against`` compares them with a file written before
the change and lists every posting whose output differs, field by field; it exits 1 on any
difference, on a posting missing from either side, or when the taxonomy version differs (the
rules themselves changed, so the outputs are not comparable).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.tag_speed import db_jobs, load_jobs  # noqa: E402
from jobcrawler.tagging import Tagger  # noqa: E402


def postings(pages: Path | None, databases: list[Path]) -> list[tuple[str, dict]]:
    """(key, tag arguments) of every posting, keys unique across the inputs."""
    found = []
    if pages is not None:
        names = sorted(page.name for page in pages.glob("*.html.gz"))
        found += [(f"page:{name}", job) for name, job in zip(names, load_jobs(pages))]
    for path in databases:
        found += [(f"{path.name}:{job_id}", job) for job_id, job in db_jobs(path)]
    return found


def outputs(tagger: Tagger, jobs: list[tuple[str, dict]]) -> dict[str, dict]:
    found = {}
    for key, job in jobs:
        tags = tagger.tag(**job)
        # a JSON round trip: what is compared is what storage would see (tuples and lists alike)
        found[key] = json.loads(json.dumps({"categories": tags.categories, "skills": tags.skills, "evidence": tags.evidence}))
    return found


def differences(before: dict, after: dict) -> list[str]:
    lines = []
    for key in sorted(before.keys() | after.keys()):
        if key not in after or key not in before:
            lines.append(f"{key}: only {'before' if key in before else 'after'} the change")
            continue
        for part in ("categories", "skills", "evidence"):
            old, new = before[key][part], after[key][part]
            if old == new:
                continue
            if isinstance(old, dict):
                for name in sorted(old.keys() | new.keys()):
                    if old.get(name) != new.get(name):
                        lines.append(f"{key}: {part}.{name}: {old.get(name)!r} -> {new.get(name)!r}")
            else:
                lines.append(f"{key}: {part}: {old!r} -> {new!r}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, help="a folder of saved detail pages (*.html.gz)")
    parser.add_argument("--db", type=Path, action="append", default=[], help="a database whose jobs to tag (repeatable)")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", type=Path, help="write the outputs here (before a change)")
    mode.add_argument("--against", type=Path, help="compare the outputs with this file (after a change)")
    args = parser.parse_args(argv)
    missing = [str(path) for path in [args.pages, *args.db] if path is not None and not path.exists()]
    if missing or (args.pages is None and not args.db):
        print(f"error: no input {' '.join(missing) or '(give --pages or --db)'}", file=sys.stderr)
        return 2
    if args.against is not None and not args.against.exists():
        print(f"error: no file {args.against}", file=sys.stderr)
        return 2

    tagger = Tagger.load()
    jobs = postings(args.pages, args.db)
    found = outputs(tagger, jobs)
    if args.write is not None:
        with gzip.open(args.write, "wt", encoding="utf-8") as handle:
            handle.write(json.dumps({"version": tagger.version}) + "\n")
            for key, output in found.items():
                handle.write(json.dumps({"key": key, **output}) + "\n")
        print(f"wrote the tags of {len(found)} postings (taxonomy {tagger.version}) to {args.write}")
        return 0
    with gzip.open(args.against, "rt", encoding="utf-8") as handle:
        version = json.loads(handle.readline())["version"]
        before = {row.pop("key"): row for row in map(json.loads, handle)}
    if version != tagger.version:
        print(f"error: {args.against} was written by taxonomy {version}, this is {tagger.version}", file=sys.stderr)
        return 1
    lines = differences(before, found)
    for line in lines[:50]:
        print(line)
    changed = len({line.split(": ", 1)[0] for line in lines})
    print(f"{len(found)} postings tagged, {len(before)} before: {changed} differ")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
