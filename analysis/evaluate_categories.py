"""How far the category rules agree with a careful reading of the postings, and the LLM labels too.

    python -m analysis.evaluate_categories [--reading FILE ...] [--held-out FILE] [--validation FILE ...]
                                           [--labels L] [--pages P]
                                           [--fieldguide F] [--errors FIELD ...]
                                           [--write analysis/label_agreement.yaml]

Four reading sets: ``category_reading.jsonl`` (154 postings of ``../shared/builtin-sample``,
read from their saved pages), ``category_reading_2.jsonl`` (330 postings of the published
analysis, read from ``../shared/fieldguide``'s ``data_raw`` text), ``category_reading_3.jsonl``
(the next 200 of the same draw, read while the rules were tuned) and ``category_reading_4.jsonl``
(the draw's last 365, read for later tuning). The second set's jobs are split by a fixed rule
(``analysis/reading_split.py``) into a validation part, held out from all tuning, and a tuning
part; the third set is all validation, the fourth all tuning. Every figure is printed for the tuning and
the validation part separately (and per reading set within each), and ``--errors`` lists
tuning-part jobs only: the validation part is never read job by job.

Each reading file holds, per job and field (``ai_type``, ``is_customer_facing``,
``is_management``, ``is_tech_lead``), what a reader found the role to be under
``../shared/CATEGORIES.md``, the two independent readings behind it (the second blind) and a
short reason; ``settled_by`` says how a row was settled where the readings differ (or were
both corrected by a later, fuller reading). The evaluator prints how often the two readings agree (Cohen's kappa), then for
each field the tagger's accuracy against the reading and against the LLM labels (bootstrap
intervals over jobs), the LLM labels' own accuracy against the reading, the AI-type shares
(ours, read, labels) and the confusion of AI types. ``--errors FIELD`` lists each job where
the tagger and the reading differ, with the rule and evidence that decided it.

A reading records the posting, not either side, so it stays valid as the rules change. The
rules and the AI-type confidence were fitted to the tuning part: its figures flatter them, the
validation part's are what to expect of postings nobody tuned on.

``category_rereading.jsonl`` is a second, blind reading of 120 validation postings
(``reading_split.second_reader_sample``): the evaluator prints how often the two readers agree and,
on the same postings, how often the rules agree with each, in aggregate. The readers' agreement is
the ceiling a tagger can be expected to reach against one reader.

``--write FILE`` also records the accuracies per label source and part (``rules``: the tagger;
``fieldguide``: the published method's labels of the same postings) in FILE, which the report's
"How far to trust these labels" section prints: the validation part's figures, those to
expect of postings nobody tuned on (the report runs without the sample; the tests check the
record against a fresh run wherever the sample is present).
"""

from __future__ import annotations

import argparse
import sys

import yaml
from collections import Counter
from pathlib import Path

from analysis import reading_split
from analysis.evaluate import (
    SAMPLE,
    LabelAliases,
    LabelError,
    _jsonl_rows,
    accuracy,
    agreement,
    bootstrap_interval,
    employees,
    input_error,
    read_labels,
    tag_sample,
)

READING_PATH = Path(__file__).with_name("category_reading.jsonl")
SECOND_READING_PATH = Path(__file__).with_name("category_reading_2.jsonl")  # split: tuning / validation
# Read after the rules of the second set's tuning part were written: all validation.
THIRD_READING_PATH = Path(__file__).with_name("category_reading_3.jsonl")
# The rest of the published jobs, read for the rules written after them: all tuning.
FOURTH_READING_PATH = Path(__file__).with_name("category_reading_4.jsonl")
LATER_SETS = (SECOND_READING_PATH, THIRD_READING_PATH, FOURTH_READING_PATH)  # skipped where missing
# 120 validation postings re-read blind by a second reader: how far a careful reading can be matched.
SECOND_READER_PATH = Path(__file__).with_name("category_rereading.jsonl")
FIELDGUIDE = SAMPLE.parent / "fieldguide"
PARTS = (reading_split.TUNING, reading_split.VALIDATION)
AGREEMENT_PATH = Path(__file__).with_name("label_agreement.yaml")
AI_TYPES = ("ai-first", "ai-support", "ml", "unknown")
FIELDS = {"ai_type": AI_TYPES, "is_customer_facing": (True, False), "is_management": (True, False), "is_tech_lead": (True, False)}
LABEL_FIELDS = ("ai_type", "is_customer_facing", "is_management")  # what the LLM labels carry


class Reading:
    """Per field: the settled reading of each job, and the pairs of independent readings."""

    def __init__(self) -> None:
        self.values: dict[str, dict[str, object]] = {field: {} for field in FIELDS}
        self.pairs: dict[str, list[tuple]] = {field: [] for field in FIELDS}  # (job, first, second reading)
        self.parts: dict[str, str] = {}  # job -> tuning or validation
        self.sets: dict[str, str] = {}  # job -> the name of the reading file it is read in

    def jobs(self, field: str, part: str | None = None) -> list[str]:
        """The jobs read on ``field``, of one part or of both."""
        return [job for job in self.values[field] if part is None or self.parts[job] == part]

    def add(self, other: "Reading", where: str) -> None:
        """Another file's readings; a job read in both is an error (which reading would count?)."""
        for field in FIELDS:
            twice = self.values[field].keys() & other.values[field].keys()
            if twice:
                raise LabelError(f"{where}: {sorted(twice)[0]} / {field} is read in an earlier file too")
            self.values[field].update(other.values[field])
            self.pairs[field] += other.pairs[field]
        self.parts.update(other.parts)
        self.sets.update(other.sets)

    def agreement(self, field: str, part: str | None = None) -> tuple[int, float, float | None] | None:
        """(rows read twice, share of agreeing pairs, Cohen's kappa or None when chance alone agrees),
        over the jobs of one part or of both."""
        return agreement([(a, b) for job, a, b in self.pairs[field] if part is None or self.parts[job] == part])


def read_reading(path: Path, held_out: bool = False, validation: bool = False) -> Reading:
    """Rows of a reading file; a row that cannot be scored stops the run with its line number.
    ``held_out``: the file's jobs are split into tuning and validation (``reading_split``);
    ``validation``: they are all validation (read after the rules were tuned)."""
    reading, seen = Reading(), set()
    for number, row in _jsonl_rows(path):
        problem = _reading_problem(row)
        if not problem and (str(row["job_id"]), row["field"]) in seen:
            problem = f"{row['job_id']} / {row['field']} is read on an earlier line"
        if problem:
            raise LabelError(f"{path}:{number}: {problem}")
        job, field = str(row["job_id"]), row["field"]
        seen.add((job, field))
        reading.parts[job] = reading_split.VALIDATION if validation else reading_split.part(job, held_out)
        reading.sets[job] = path.name
        reading.values[field][job] = row["reading"]
        readings = row.get("readings") or []
        if len(readings) >= 2:
            reading.pairs[field].append((job, readings[0], readings[1]))
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


def fieldguide_postings(job_ids: set[str], root: Path) -> dict[str, dict]:
    """Job id -> its page fields from a Field Guide checkout's ``data_raw`` (as the importer reads
    them, line wrapping undone) and its published label (``labels``), for the jobs found there."""
    from jobcrawler import fieldguide

    raw_files, label_files = _files_by_job(root / "data_raw"), _files_by_job(root / "data_structured")
    index = {row["id"]: row for rows in fieldguide.read_index(root).values() for row in rows}
    postings = {}
    for job_id in sorted(job_ids & raw_files.keys()):
        try:
            data, _, problem = fieldguide.load_yaml(raw_files[job_id])
            if problem:
                raise fieldguide.ShapeError(problem)
            raw = fieldguide.conform(data, fieldguide.RAW_SHAPE)
        except fieldguide.ShapeError as error:
            print(f"skipped {raw_files[job_id].name}: {error}", file=sys.stderr)
            continue
        if raw is None:
            print(f"skipped unreadable file: {raw_files[job_id].name}", file=sys.stderr)
            continue
        posting = fieldguide.posting_of(raw, index.get(job_id, {"id": job_id}))
        posting["label"] = {"title": posting["title"]}
        label_data = fieldguide.load_yaml(label_files[job_id])[0] if job_id in label_files else None
        try:
            position = fieldguide.conform(label_data, fieldguide.LABEL_SHAPE)["position"] if label_data else None
        except fieldguide.ShapeError as error:  # the posting is still read; only its label is left out
            print(f"left out the label of {label_files[job_id].name}: {error}", file=sys.stderr)
            position = None
        if position:
            posting["label"].update(ai_type=position["ai_type"]["type"], is_customer_facing=position["is_customer_facing"],
                                    is_management=position["is_management"])  # fmt: skip
        postings[job_id] = posting
    return postings


def _files_by_job(folder: Path) -> dict[str, Path]:
    """Job id -> its file in a Field Guide folder (``<id>_<slug>.yaml``)."""
    return {path.name.split("_", 1)[0]: path for path in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}


def fieldguide_root(path: Path) -> Path | None:
    """The checkout's folder holding ``data_raw`` (PATH or its ``job-market``), None when absent."""
    from jobcrawler.fieldguide import DatasetError, dataset_root

    try:
        return dataset_root(path)
    except DatasetError:
        return None


def tag_postings(postings: dict[str, dict]) -> dict[str, object]:
    """The tagger's ``Tags`` of page fields as ``fieldguide_postings`` gives them."""
    from jobcrawler.normalize.titles import clean_title
    from jobcrawler.tagging import Tagger

    tagger = Tagger.load()
    return {
        job_id: tagger.tag(
            clean_title(posting["title"]),
            posting["description"],
            top_skills=posting["top_skills"],
            industries=posting["industries"],
            level=posting["level"],
            company_size=employees(str(posting["company_size"] or "")),
        )
        for job_id, posting in postings.items()
    }


def accuracy_text(pairs: list[tuple]) -> str:
    """ "0.948 (0.91-0.98)": accuracy with its 95% bootstrap interval over jobs."""
    if not pairs:
        return "n/a"
    low, high = bootstrap_interval([a == b for a, b in pairs], lambda hits: sum(hits) / len(hits))
    return f"{accuracy(pairs):.3f} ({low:.2f}-{high:.2f})"


def report(reading: Reading, tagged: dict, labels: dict[str, dict], aliases: LabelAliases, errors_for=()) -> str:
    lines = []
    for part in PARTS:
        if not any(j in tagged for field in FIELDS for j in reading.jobs(field, part)):
            continue
        lines += ["", f"--- {part} part" + (" (held out: never tuned on, never read job by job)"
                                            if part == reading_split.VALIDATION else " (rules and the AI-type confidence fitted here)")]
        lines += _part_lines(reading, tagged, labels, aliases, part)
    for field in errors_for:
        lines += ["", f"disagreements with the reading on {field} (tuning part only):"]
        for j in reading.jobs(field, reading_split.TUNING):
            truth = reading.values[field][j]
            if j in tagged and tagged[j].categories.get(field) != truth:
                evidence = tagged[j].evidence.get(field) or []
                why = "; ".join(
                    f"{row['rule']}" + (f" [{row['condition']}] {row['matched']!r} in {row['section']}" if row.get("matched") else "")
                    for row in evidence
                )  # fmt: skip
                title = (labels.get(j) or {}).get("title") or ""
                lines.append(f"  {j} {title[:50]!r}: ours {tagged[j].categories.get(field)!r}, read {truth!r} <- {why}")
    return "\n".join(lines).lstrip("\n")


def _part_lines(reading: Reading, tagged: dict, labels: dict[str, dict], aliases: LabelAliases, part: str) -> list[str]:
    """Agreement of the readers, accuracy table, AI-type shares and confusion, and yes counts of one part's jobs."""
    lines = ["two independent readings (the second blind; postings read twice) agree on:"]
    for field in FIELDS:
        agreement = reading.agreement(field, part)
        if agreement:
            rows, observed, kappa = agreement
            kappa_text = "n/a: every reading said the same" if kappa is None else f"{kappa:.2f}"
            lines.append(f"  {field:<19} {observed:.1%} of {rows} (Cohen's kappa {kappa_text})")
    lines += ["", f"{'field':<19} {'ours vs reading':>18} {'ours vs labels':>18} {'labels vs reading':>18}  jobs"]
    for field in FIELDS:
        jobs = [j for j in reading.jobs(field, part) if j in tagged]
        ours = {j: tagged[j].categories.get(field) for j in jobs}
        truth = reading.values[field]
        label = {j: _label(labels.get(j), field, aliases) for j in jobs}
        with_label = [j for j in jobs if label[j] is not None]
        lines.append(
            f"{field:<19} {accuracy_text([(ours[j], truth[j]) for j in jobs]):>18}"
            f" {accuracy_text([(ours[j], label[j]) for j in with_label]):>18}"
            f" {accuracy_text([(label[j], truth[j]) for j in with_label]):>18}  {len(jobs)}"
        )  # fmt: skip
    twice = {job for job, _, _ in reading.pairs["ai_type"]}
    jobs = [j for j in reading.jobs("ai_type", part) if j in tagged]
    for name, chosen in (("read once (the reader was sure)", [j for j in jobs if j not in twice]),
                         ("read twice (the reader was unsure)", [j for j in jobs if j in twice])):
        pairs = [(tagged[j].categories.get("ai_type"), reading.values["ai_type"][j]) for j in chosen]
        lines.append(f"ai_type, postings {name:<35} {accuracy_text(pairs):>18}  {len(chosen)}")
    sets = sorted({reading.sets[j] for j in jobs})
    if len(sets) > 1:  # each reading set's share of the part, on its own
        for name in sets:
            of_set = [j for j in jobs if reading.sets[j] == name]
            lines.append(f"ai_type, postings of {name:<32} {accuracy_text([(tagged[j].categories.get('ai_type'), reading.values['ai_type'][j]) for j in of_set]):>18}  {len(of_set)}")
    lines += ["", *_ai_type_lines(reading, tagged, labels, aliases, part)]
    lines += ["", *_uncertain_lines(reading, tagged, labels, aliases, part)]
    lines += ["", "yes counts (ours / read / labels):"]
    for field in ("is_customer_facing", "is_management", "is_tech_lead"):
        jobs = [j for j in reading.jobs(field, part) if j in tagged]
        labelled = [_label(labels.get(j), field, aliases) for j in jobs]
        label_yes = "n/a" if all(v is None for v in labelled) else str(sum(bool(v) for v in labelled))
        lines.append(f"  {field:<19} {sum(bool(tagged[j].categories.get(field)) for j in jobs)} /"
                     f" {sum(bool(reading.values[field][j]) for j in jobs)} / {label_yes}")  # fmt: skip
    return lines


def _unread(reading: Reading, second: Reading) -> list[str]:
    """Postings the second reader read on a field the first reading has no value for."""
    return sorted({job for field in FIELDS for job in second.values[field] if job not in reading.values[field]})


def second_reader_lines(reading: Reading, second: Reading, tagged: dict) -> list[str]:
    """Agreement of a second reader with the first on the postings both read, beside the rules'
    agreement with each reader on the same postings: aggregate figures only."""
    unread = _unread(reading, second)
    if unread:
        raise LabelError(f"{len(unread)} postings of the second reading have no first reading (e.g. {unread[0]})")
    jobs = sorted(second.values["ai_type"])
    parts = sorted({reading.parts[job] for job in jobs})
    lines = [f"a second reader, blind, re-read {len(jobs)} postings ({' and '.join(parts)} part); agreement:",
             f"{'field':<19} {'reader 2 vs reader 1':>24} {'ours vs reader 1':>18} {'ours vs reader 2':>18}  jobs"]  # fmt: skip
    for field in FIELDS:
        both = [job for job in second.jobs(field) if job in reading.values[field] and job in tagged]
        first, other = reading.values[field], second.values[field]
        found = agreement([(first[job], other[job]) for job in both])
        if found is None:
            lines.append(f"{field:<19} {'n/a':>24}")
            continue
        rows, observed, kappa = found
        kappa_text = "n/a" if kappa is None else f"{kappa:.2f}"
        ours = {job: tagged[job].categories.get(field) for job in both}
        lines.append(f"{field:<19} {f'{observed:.3f} (kappa {kappa_text})':>24}"
                     f" {accuracy_text([(ours[j], first[j]) for j in both]):>18}"
                     f" {accuracy_text([(ours[j], other[j]) for j in both]):>18}  {rows}")  # fmt: skip
    unsure = {job for job, _, _ in reading.pairs["ai_type"]} | {job for job, _, _ in second.pairs["ai_type"]}
    sure = [job for job in jobs if job not in unsure]
    agreed = sum(reading.values["ai_type"][job] == second.values["ai_type"][job] for job in sure)
    lines.append(f"ai_type where neither reader read twice: the readers agree on {agreed} of {len(sure)}")
    return lines


UNCERTAIN_BELOW = (0.7, 0.8, 0.9)  # confidences tried as the --only-uncertain threshold


def _uncertain_lines(reading: Reading, tagged: dict, labels: dict[str, dict], aliases: LabelAliases, part: str) -> list[str]:
    """The AI type's confidence against the reading (mean confidence, accuracy), and the
    ``jobcrawler.label --only-uncertain`` path: the rules' decision at or above a confidence, the
    LLM labels' below it (jobs without an LLM label keep the rules')."""
    jobs = [j for j in reading.jobs("ai_type", part) if j in tagged and "ai_type_confidence" in tagged[j].categories]
    if not jobs:
        return ["AI-type confidence: n/a (the tagger has no confidence table)"]
    truth = reading.values["ai_type"]
    confidence = {j: tagged[j].categories["ai_type_confidence"] for j in jobs}
    hits = [tagged[j].categories["ai_type"] == truth[j] for j in jobs]
    lines = [f"AI-type confidence: mean {sum(confidence.values()) / len(jobs):.3f}, rules right on {sum(hits) / len(jobs):.3f}",
             f"{'below':>7} {'to the LLM':>12} {'rules + LLM labels':>20} {'rules right there':>18}"]  # fmt: skip
    for below in UNCERTAIN_BELOW:
        sent = [j for j in jobs if confidence[j] < below]
        decided = {j: tagged[j].categories["ai_type"] for j in jobs}
        decided.update({j: label for j in sent if (label := _label(labels.get(j), "ai_type", aliases)) is not None})
        pairs = [(decided[j], truth[j]) for j in jobs]
        right_there = f"{sum(tagged[j].categories['ai_type'] == truth[j] for j in sent)} of {len(sent)}"
        lines.append(f"{below:>7.2f} {len(sent):>5} ({len(sent) / len(jobs):4.0%}) {accuracy_text(pairs):>20} {right_there:>18}")
    return lines


def agreement_record(reading: Reading, tagged: dict, labels: dict[str, dict], aliases: LabelAliases) -> dict:
    """Per part (tuning, validation), label source and field: accuracy against the reading, its 95%
    interval and the jobs scored (the figures ``report`` prints), and how often two readings agree."""

    def scored(pairs: list[tuple]) -> dict:
        low, high = bootstrap_interval([a == b for a, b in pairs], lambda hits: sum(hits) / len(hits))
        return {"accuracy": round(accuracy(pairs), 3), "low": round(low, 2), "high": round(high, 2), "jobs": len(pairs)}

    def part_record(part: str) -> dict:
        sources: dict[str, dict] = {"rules": {}, "fieldguide": {}}
        for field in FIELDS:
            jobs = [j for j in reading.jobs(field, part) if j in tagged]
            truth = reading.values[field]
            if jobs:
                sources["rules"][field] = scored([(tagged[j].categories.get(field), truth[j]) for j in jobs])
            with_label = [(_label(labels.get(j), field, aliases), truth[j]) for j in jobs]
            with_label = [pair for pair in with_label if pair[0] is not None]
            if with_label:
                sources["fieldguide"][field] = scored(with_label)
        readers = {field: round(found[1], 3) for field in FIELDS if (found := reading.agreement(field, part))}
        return {"jobs": len({j for field in FIELDS for j in reading.jobs(field, part) if j in tagged}),
                "readers_agree": readers, "sources": sources}

    return {part: part_record(part) for part in PARTS}


def write_agreement(record: dict, path: Path) -> None:
    header = ("# How often each label source agrees with the careful readings (analysis/category_reading*.jsonl),\n"
              "# per part and category. Written by: python -m analysis.evaluate_categories --write\n"
              "# analysis/label_agreement.yaml (needs ../shared/builtin-sample and ../shared/fieldguide).\n"
              "# tuning: the postings the rules and the AI-type confidence were fitted on; validation: postings\n"
              "# held out from all tuning. rules: the rule tagger; fieldguide: the published method's LLM labels\n"
              "# of the same jobs. Printed by the report's \"How far to trust these labels\" section.\n")
    path.write_text(header + yaml.safe_dump(record, sort_keys=False), encoding="utf-8")


def _ai_type_lines(reading: Reading, tagged: dict, labels: dict[str, dict], aliases: LabelAliases, part: str) -> list[str]:
    jobs = [j for j in reading.jobs("ai_type", part) if j in tagged]
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
    parser.add_argument("--reading", type=Path, nargs="+", default=[READING_PATH, *LATER_SETS],
                        help="reading files (default: the four sets; a missing second, third or fourth is skipped)")
    parser.add_argument("--held-out", type=Path, default=SECOND_READING_PATH,
                        help="the reading file whose jobs are split into tuning and validation parts")
    parser.add_argument("--validation", type=Path, nargs="*", default=[THIRD_READING_PATH], metavar="FILE",
                        help="reading files that are all validation (default: the third set)")
    parser.add_argument("--labels", type=Path, default=SAMPLE / "labels.jsonl")
    parser.add_argument("--pages", type=Path, default=SAMPLE / "pages", help="saved detail pages (<job_id>.html.gz)")
    parser.add_argument("--fieldguide", type=Path, default=FIELDGUIDE,
                        help="a Field Guide checkout: the text of read jobs that have no saved page")
    parser.add_argument("--errors", nargs="*", default=[], choices=list(FIELDS), metavar="FIELD",
                        help=f"list disagreements with the reading on these fields ({', '.join(FIELDS)})")  # fmt: skip
    parser.add_argument("--second-reader", type=Path, default=SECOND_READER_PATH, metavar="FILE",
                        help=f"a second, blind reading of some of the read postings (default: {SECOND_READER_PATH.name}; skipped where missing)")
    parser.add_argument("--write", type=Path, metavar="FILE",
                        help=f"also record the accuracies per label source in FILE (the report reads {AGREEMENT_PATH.name})")
    args = parser.parse_args(argv)
    paths = [path for path in args.reading if path.exists() or path not in LATER_SETS]
    validation = {path.resolve() for path in args.validation}
    try:
        reading = Reading()
        for path in paths:
            reading.add(read_reading(path, held_out=path.resolve() == args.held_out.resolve(),
                                     validation=path.resolve() in validation), str(path))
        second = read_reading(args.second_reader) if args.second_reader.exists() else None
        labels = read_labels(args.labels)
    except (OSError, LabelError) as error:
        print(f"error: {input_error(error)}", file=sys.stderr)
        return 1
    if second is not None and _unread(reading, second):
        print(f"note: {args.second_reader.name} re-reads postings the readings given do not hold: "
              f"the second reader's agreement is left out", file=sys.stderr)  # fmt: skip
        second = None
    if not args.pages.is_dir():
        print(f"error: {args.pages} is not a directory of pages", file=sys.stderr)
        return 1
    read_jobs = {j for values in reading.values.values() for j in values}
    tagged = tag_jobs({j: labels.get(j, {}) for j in read_jobs}, args.pages)
    unpaged = read_jobs - tagged.keys()
    root = fieldguide_root(args.fieldguide)
    if unpaged and root is not None:
        postings = fieldguide_postings(unpaged, root)
        tagged.update(tag_postings(postings))
        labels = {**labels, **{j: posting["label"] for j, posting in postings.items()}}
    elif unpaged:
        print(f"note: {len(unpaged)} jobs read have no saved page in {args.pages} and no Field Guide checkout "
              f"at {args.fieldguide} (--fieldguide): they are left out", file=sys.stderr)  # fmt: skip
    if not tagged:
        print(f"error: none of the {len(read_jobs)} jobs read has a page in {args.pages}", file=sys.stderr)
        return 1
    aliases = LabelAliases.load()
    print(report(reading, tagged, labels, aliases, args.errors))
    if second is not None:
        print("", "--- second reader", *second_reader_lines(reading, second, tagged), sep="\n")
    if args.write:
        write_agreement(agreement_record(reading, tagged, labels, aliases), args.write)
        print(f"\nwrote {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
