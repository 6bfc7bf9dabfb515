"""Count the AI-type confidence table (``jobcrawler/tagging/ai_type_confidence.json``) from the readings.

    python -m analysis.train_ai_type [--pages P] [--fieldguide F] [--write]

Reads the tuning jobs of ``category_reading_2.jsonl`` and all of ``category_reading_4.jsonl``
(text from ``../shared/fieldguide``'s ``data_raw``; ``analysis/reading_split.py``): postings of the
published analysis, like those a crawl brings. The rules' AI-type lines were revised on the second
set's tuning errors, which flatters its cells; the fourth set was read after that revision, so it
keeps the table nearer what a new posting can expect (``evaluate_categories`` prints the mean
confidence against the rules' accuracy on the validation part). The first set
(``category_reading.jsonl``, read while the rules were first written) would make the table
over-confident; ``--with-first-set`` adds it anyway
(text from its saved pages, ``--pages``). The validation part is never read here. Each job is
tagged by the rules, and the table counts, per deciding rule and per band of the model-work share
of the role's lines, how many readings agreed (see ``jobcrawler/tagging/ai_type_confidence.py``).
Prints the table; ``--write`` writes it. Deterministic: the same readings and rules give the same file.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path

from analysis import reading_split
from analysis.evaluate import SAMPLE, LabelError, employees, input_error
from analysis.evaluate_categories import (
    FIELDGUIDE,
    FOURTH_READING_PATH,
    READING_PATH,
    SECOND_READING_PATH,
    fieldguide_postings,
    fieldguide_root,
    read_reading,
)
from jobcrawler.tagging.ai_type_confidence import cell

TABLE_PATH = Path(__file__).resolve().parent.parent / "jobcrawler" / "tagging" / "ai_type_confidence.json"


def page_postings(job_ids: set[str], pages: Path) -> dict[str, dict]:
    """Job id -> page fields (as ``fieldguide_postings`` gives them) of the saved pages found."""
    from jobcrawler.normalize.text import html_to_text
    from jobcrawler.parsing.detail import parse_detail

    postings = {}
    for job_id in sorted(job_ids):
        page = pages / f"{job_id}.html.gz"
        if page.exists():
            with gzip.open(page, "rt", encoding="utf-8") as handle:
                fields = parse_detail(handle.read(), "")
            postings[job_id] = {
                "title": fields.get("title"), "description": html_to_text(fields.get("description_html")),
                "top_skills": fields.get("top_skills") or [], "industries": fields.get("industries") or [],
                "level": fields.get("level"), "company_size": fields.get("company_size"),
            }  # fmt: skip
    return postings


def rule_decisions(postings: dict[str, dict], describe=None) -> dict[str, tuple]:
    """Job id -> (AI type, deciding rule, model-work share) as the tagger's rules decide them, or
    whatever ``describe(rules, job, value, rule)`` makes of each decision (the combiner's features)."""
    from jobcrawler.normalize.titles import clean_title
    from jobcrawler.tagging import Tagger

    tagger = Tagger.load(ai_type_confidence_path=None)
    seen: dict[str, tuple] = {}

    def record(job, value, evidence):
        rule = evidence[0]["rule"]
        seen["current"] = (describe(tagger.rules, job, value, rule) if describe
                           else (value, rule, tagger.rules.model_work_share(job)))
        return value, evidence, {}

    tagger.refine = {"ai_type": record}
    decisions = {}
    for job_id, posting in postings.items():
        tagger.tag(clean_title(posting["title"]), posting["description"] or "", top_skills=posting["top_skills"],
                   industries=posting["industries"], level=posting["level"],
                   company_size=employees(str(posting["company_size"] or "")))  # fmt: skip
        decisions[job_id] = seen.pop("current")
    return decisions


def count_table(decisions: dict[str, tuple[str, str, float]], truth: dict[str, str]) -> dict:
    """``{overall, rules, cells}``: ``[agreed, read]`` overall, per rule and per (rule, share band)."""
    agreed, read = Counter(), Counter()
    for job_id, (value, rule, share) in decisions.items():
        for key in ("overall", "rule\0" + rule, "cell\0" + cell(rule, share)):
            read[key] += 1
            agreed[key] += value == truth[job_id]

    def counts(prefix: str) -> dict[str, list[int]]:
        return {key.split("\0", 1)[1]: [agreed[key], read[key]] for key in sorted(read) if key.startswith(prefix)}

    return {"overall": [agreed["overall"], read["overall"]], "rules": counts("rule\0"), "cells": counts("cell\0")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, default=SAMPLE / "pages", help="saved pages of the first reading set")
    parser.add_argument("--fieldguide", type=Path, default=FIELDGUIDE, help="a Field Guide checkout")
    parser.add_argument("--with-first-set", action="store_true",
                        help="count the first reading set too (the rules were written against it: optimistic)")
    parser.add_argument("--write", action="store_true", help=f"write {TABLE_PATH.name}")
    args = parser.parse_args(argv)
    root = fieldguide_root(args.fieldguide)
    if root is None or (args.with_first_set and not args.pages.is_dir()):
        print(f"error: the table is counted from the saved pages ({args.pages}) and a Field Guide checkout "
              f"({args.fieldguide}); point --pages and --fieldguide at them", file=sys.stderr)  # fmt: skip
        return 1
    try:
        first = read_reading(READING_PATH)
        second = read_reading(SECOND_READING_PATH, held_out=True)
        fourth = read_reading(FOURTH_READING_PATH)
    except (OSError, LabelError) as error:
        print(f"error: {input_error(error)}", file=sys.stderr)
        return 1
    truth = dict(first.values["ai_type"]) if args.with_first_set else {}
    truth.update({job: value for job, value in second.values["ai_type"].items()
                  if second.parts[job] == reading_split.TUNING})  # fmt: skip
    truth.update(fourth.values["ai_type"])  # all tuning
    postings = page_postings(set(truth) & set(first.values["ai_type"]), args.pages)
    postings.update(fieldguide_postings(set(truth) - postings.keys(), root))
    missing = set(truth) - postings.keys()
    if missing:
        print(f"error: {len(missing)} tuning jobs have no text (e.g. {sorted(missing)[0]})", file=sys.stderr)
        return 1
    table = count_table(rule_decisions(postings), truth)
    agreed, read = table["overall"]
    print(f"{read} tuning readings (the validation part is not read), the rules agree with {agreed}")
    for name, (hits, total) in table["cells"].items():
        print(f"  {hits:>4} / {total:<4} {name}")
    if args.write:
        TABLE_PATH.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {TABLE_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
