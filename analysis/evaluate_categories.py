"""How far the category rules agree with a careful reading of the postings, and the LLM labels too.

    python -m analysis.evaluate_categories [--reading FILE] [--labels L] [--pages P] [--errors FIELD ...]
                                           [--write analysis/label_agreement.yaml]

``category_reading.jsonl`` holds, per job and field (``ai_type``, ``is_customer_facing``,
``is_management``, ``is_tech_lead``), what a reader found the role to be under
``../shared/CATEGORIES.md``, the two independent readings behind it (the second blind) and a
short reason; ``settled_by`` says how a row was settled where the readings differ (or were
both corrected by a later, fuller reading). The evaluator prints how often the two readings agree (Cohen's kappa), then for
each field the tagger's accuracy against the reading and against the LLM labels (bootstrap
intervals over jobs), the LLM labels' own accuracy against the reading, the AI-type shares
(ours, read, labels) and the confusion of AI types. ``--errors FIELD`` lists each job where
the tagger and the reading differ, with the rule and evidence that decided it.

A reading records the posting, not either side, so it stays valid as the rules change. The
rules were written while reading this sample: a held-out reading will score lower.

``--write FILE`` also records the accuracies per label source (``rules``: the tagger;
``fieldguide``: the published method's labels of the sample) in FILE, which the report's "How
far to trust these labels" section prints (the report runs without the sample; the tests check
the record against a fresh run wherever the sample is present).
"""

from __future__ import annotations

import argparse
import sys

import yaml
from collections import Counter
from pathlib import Path

from analysis.evaluate import (
    SAMPLE,
    LabelAliases,
    LabelError,
    _jsonl_rows,
    accuracy,
    agreement,
    bootstrap_interval,
    input_error,
    read_labels,
    tag_sample,
)

READING_PATH = Path(__file__).with_name("category_reading.jsonl")
AGREEMENT_PATH = Path(__file__).with_name("label_agreement.yaml")
AI_TYPES = ("ai-first", "ai-support", "ml", "unknown")
FIELDS = {"ai_type": AI_TYPES, "is_customer_facing": (True, False), "is_management": (True, False), "is_tech_lead": (True, False)}
LABEL_FIELDS = ("ai_type", "is_customer_facing", "is_management")  # what the LLM labels carry


class Reading:
    """Per field: the settled reading of each job, and the pairs of independent readings."""

    def __init__(self) -> None:
        self.values: dict[str, dict[str, object]] = {field: {} for field in FIELDS}
        self.pairs: dict[str, list[tuple]] = {field: [] for field in FIELDS}

    def agreement(self, field: str) -> tuple[int, float, float | None] | None:
        """(rows read twice, share of agreeing pairs, Cohen's kappa or None when chance alone agrees)."""
        return agreement(self.pairs[field])


def read_reading(path: Path) -> Reading:
    """Rows of a reading file; a row that cannot be scored stops the run with its line number."""
    reading, seen = Reading(), set()
    for number, row in _jsonl_rows(path):
        problem = _reading_problem(row)
        if not problem and (str(row["job_id"]), row["field"]) in seen:
            problem = f"{row['job_id']} / {row['field']} is read on an earlier line"
        if problem:
            raise LabelError(f"{path}:{number}: {problem}")
        job, field = str(row["job_id"]), row["field"]
        seen.add((job, field))
        reading.values[field][job] = row["reading"]
        readings = row.get("readings") or []
        if len(readings) >= 2:
            reading.pairs[field].append((readings[0], readings[1]))
    return reading


def _reading_problem(row) -> str | None:
    if not isinstance(row, dict) or not isinstance(row.get("job_id"), (str, int)) or isinstance(row.get("job_id"), bool):
        return "each line must be an object with a job_id"
    field = row.get("field")
    if field not in FIELDS:
        return f"field must be one of {', '.join(FIELDS)}"
    allowed = FIELDS[field]
    if "reading" not in row or row["reading"] not in allowed or isinstance(row["reading"], bool) != (field != "ai_type"):
        return f"reading of {field} must be one of {', '.join(map(str, allowed))}"
    readings = row.get("readings", [])
    if not isinstance(readings, list) or any(r not in allowed for r in readings):
        return f"readings of {field} must be a list of {', '.join(map(str, allowed))}"
    if len(readings) >= 2 and readings[0] == readings[1] and row["reading"] != readings[0] and not row.get("settled_by"):
        return "reading must be what the two readings agree on, unless settled_by says why it differs"
    if not isinstance(row.get("reason"), str) or not row["reason"].strip():
        return "every reading needs a short reason"
    return None


def tag_jobs(labels: dict[str, dict], pages: Path) -> dict[str, object]:
    """The tagger's ``Tags`` of every labelled page, parsed as the pipeline would."""
    return {job_id: tags for job_id, (tags, _) in tag_sample(labels, pages).items()}


def accuracy_text(pairs: list[tuple]) -> str:
    """ "0.948 (0.91-0.98)": accuracy with its 95% bootstrap interval over jobs."""
    if not pairs:
        return "n/a"
    low, high = bootstrap_interval([a == b for a, b in pairs], lambda hits: sum(hits) / len(hits))
    return f"{accuracy(pairs):.3f} ({low:.2f}-{high:.2f})"


def report(reading: Reading, tagged: dict, labels: dict[str, dict], aliases: LabelAliases, errors_for=()) -> str:
    lines = ["two independent readings (the second blind) agree on:"]
    for field in FIELDS:
        agreement = reading.agreement(field)
        if agreement:
            rows, observed, kappa = agreement
            kappa_text = "n/a: every reading said the same" if kappa is None else f"{kappa:.2f}"
            lines.append(f"  {field:<19} {observed:.1%} of {rows} (Cohen's kappa {kappa_text})")
    lines += ["", f"{'field':<19} {'ours vs reading':>18} {'ours vs labels':>18} {'labels vs reading':>18}  jobs"]
    for field in FIELDS:
        jobs = [j for j in reading.values[field] if j in tagged]
        ours = {j: tagged[j].categories.get(field) for j in jobs}
        truth = reading.values[field]
        label = {j: _label(labels.get(j), field, aliases) for j in jobs}
        with_label = [j for j in jobs if label[j] is not None]
        lines.append(
            f"{field:<19} {accuracy_text([(ours[j], truth[j]) for j in jobs]):>18}"
            f" {accuracy_text([(ours[j], label[j]) for j in with_label]):>18}"
            f" {accuracy_text([(label[j], truth[j]) for j in with_label]):>18}  {len(jobs)}"
        )  # fmt: skip
    lines += ["", *_ai_type_lines(reading, tagged, labels, aliases)]
    lines += ["", "yes counts (ours / read / labels):"]
    for field in ("is_customer_facing", "is_management", "is_tech_lead"):
        jobs = [j for j in reading.values[field] if j in tagged]
        labelled = [_label(labels.get(j), field, aliases) for j in jobs]
        label_yes = "n/a" if all(v is None for v in labelled) else str(sum(bool(v) for v in labelled))
        lines.append(f"  {field:<19} {sum(bool(tagged[j].categories.get(field)) for j in jobs)} /"
                     f" {sum(bool(reading.values[field][j]) for j in jobs)} / {label_yes}")  # fmt: skip
    for field in errors_for:
        lines += ["", f"disagreements with the reading on {field}:"]
        for j, truth in reading.values[field].items():
            if j in tagged and tagged[j].categories.get(field) != truth:
                evidence = tagged[j].evidence.get(field) or []
                why = "; ".join(
                    f"{row['rule']}" + (f" [{row['condition']}] {row['matched']!r} in {row['section']}" if row.get("matched") else "")
                    for row in evidence
                )  # fmt: skip
                title = (labels.get(j) or {}).get("title") or ""
                lines.append(f"  {j} {title[:50]!r}: ours {tagged[j].categories.get(field)!r}, read {truth!r} <- {why}")
    return "\n".join(lines)


def agreement_record(reading: Reading, tagged: dict, labels: dict[str, dict], aliases: LabelAliases) -> dict:
    """Per label source and field: accuracy against the reading, its 95% interval and the jobs
    scored (the figures ``report`` prints), and how often the two readings agree."""

    def scored(pairs: list[tuple]) -> dict:
        low, high = bootstrap_interval([a == b for a, b in pairs], lambda hits: sum(hits) / len(hits))
        return {"accuracy": round(accuracy(pairs), 3), "low": round(low, 2), "high": round(high, 2), "jobs": len(pairs)}

    sources: dict[str, dict] = {"rules": {}, "fieldguide": {}}
    for field in FIELDS:
        jobs = [j for j in reading.values[field] if j in tagged]
        truth = reading.values[field]
        if jobs:
            sources["rules"][field] = scored([(tagged[j].categories.get(field), truth[j]) for j in jobs])
        with_label = [(_label(labels.get(j), field, aliases), truth[j]) for j in jobs]
        with_label = [pair for pair in with_label if pair[0] is not None]
        if with_label:
            sources["fieldguide"][field] = scored(with_label)
    readers = {field: round(found[1], 3) for field in FIELDS if (found := reading.agreement(field))}
    return {"jobs": len({j for values in reading.values.values() for j in values if j in tagged}),
            "readers_agree": readers, "sources": sources}


def write_agreement(record: dict, path: Path) -> None:
    header = ("# How often each label source agrees with the careful reading (analysis/category_reading.jsonl)\n"
              "# of the builtin.com sample, per category. Written by: python -m analysis.evaluate_categories\n"
              "# --write analysis/label_agreement.yaml (needs ../shared/builtin-sample). rules: the rule tagger\n"
              "# (written while reading this sample: a held-out reading would score lower); fieldguide: the\n"
              "# published method's LLM labels of the same jobs. Printed by the report's \"How far to trust\n"
              "# these labels\" section.\n")
    path.write_text(header + yaml.safe_dump(record, sort_keys=False), encoding="utf-8")


def _ai_type_lines(reading: Reading, tagged: dict, labels: dict[str, dict], aliases: LabelAliases) -> list[str]:
    jobs = [j for j in reading.values["ai_type"] if j in tagged]
    ours = Counter(tagged[j].categories.get("ai_type") for j in jobs)
    read = Counter(reading.values["ai_type"][j] for j in jobs)
    label = Counter(_label(labels.get(j), "ai_type", aliases) for j in jobs)
    labelled = sum(label[name] for name in AI_TYPES)

    def share(counts: Counter, name: str, total: int) -> str:
        return f"{counts[name] / total:6.1%}" if total else "   n/a"

    lines = [f"{'AI type share':<14} {'ours':>7} {'read':>7} {'labels':>7}"]
    for name in AI_TYPES:
        lines.append(f"{name:<14} {share(ours, name, len(jobs))} {share(read, name, len(jobs))} {share(label, name, labelled)}")
    gap = (ours["ai-first"] - read["ai-first"]) / len(jobs) * 100 if jobs else 0.0
    lines.append(f"ai-first share, ours minus read: {gap:+.1f} points")
    confusion = Counter((reading.values["ai_type"][j], tagged[j].categories.get("ai_type")) for j in jobs)
    lines += ["", "AI type (rows: reading, columns: ours)", f"{'':<12}" + "".join(f"{name:>12}" for name in AI_TYPES)]
    for truth in AI_TYPES:
        lines.append(f"{truth:<12}" + "".join(f"{confusion[(truth, name)]:>12}" for name in AI_TYPES))
    return lines


def _label(label: dict | None, field: str, aliases: LabelAliases):
    """The LLM label of a field in the reading's terms (None when the labels have none)."""
    if not label or field not in LABEL_FIELDS:
        return None
    if field == "ai_type":
        return aliases.ai_type(label.get("ai_type")) or ("unknown" if label.get("ai_type") == "unknown" else None)
    return label.get(field)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reading", type=Path, default=READING_PATH)
    parser.add_argument("--labels", type=Path, default=SAMPLE / "labels.jsonl")
    parser.add_argument("--pages", type=Path, default=SAMPLE / "pages", help="saved detail pages (<job_id>.html.gz)")
    parser.add_argument("--errors", nargs="*", default=[], choices=list(FIELDS), metavar="FIELD",
                        help=f"list disagreements with the reading on these fields ({', '.join(FIELDS)})")  # fmt: skip
    parser.add_argument("--write", type=Path, metavar="FILE",
                        help=f"also record the accuracies per label source in FILE (the report reads {AGREEMENT_PATH.name})")
    args = parser.parse_args(argv)
    try:
        reading = read_reading(args.reading)
        labels = read_labels(args.labels)
    except (OSError, LabelError) as error:
        print(f"error: {input_error(error)}", file=sys.stderr)
        return 1
    if not args.pages.is_dir():
        print(f"error: {args.pages} is not a directory of pages", file=sys.stderr)
        return 1
    read_jobs = {j for values in reading.values.values() for j in values}
    tagged = tag_jobs({j: labels.get(j, {}) for j in read_jobs}, args.pages)
    if not tagged:
        print(f"error: none of the {len(read_jobs)} jobs read has a page in {args.pages}", file=sys.stderr)
        return 1
    aliases = LabelAliases.load()
    print(report(reading, tagged, labels, aliases, args.errors))
    if args.write:
        write_agreement(agreement_record(reading, tagged, labels, aliases), args.write)
        print(f"\nwrote {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
