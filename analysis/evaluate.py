"""How far the tagger agrees with the reference LLM labels, or one label source with another.

    python -m analysis.evaluate [--labels L] [--pages P | --db jobs.db]
                                [--count-top-skills | --ignore-top-skills] [--errors SKILL ...]
                                [--adjudication FILE] [--to-read PATH]
    python -m analysis.evaluate --db jobs.db --labels rules --against fieldguide

With ``--against`` two label sources stored in one database are compared on the jobs both
labelled, the second as the reference: per-skill precision/recall/F1 over the headline skills and
confusion tables of every category (see ``compare_sources``).

With ``--pages`` (the default) each saved page is parsed with the project's parser and
tagged now; with ``--db`` the skills and category columns a crawl stored are scored
instead. Label names are free text, so they are read through ``label_aliases.yaml``.
Prints per-skill precision/recall/F1 over the headline skills, micro F1 (with a bootstrap
interval over jobs) and macro F1, prevalence, how consistently the labels carry the skills a posting names outright (and
what a reference tagger that keeps those scores), the skill scores against the labels with
the disagreements settled by reading the postings (``adjudication.jsonl``), and the accuracy
of ``ai_type`` (with its confusion matrix), customer facing, management and company stage.

The intervals are bootstraps over jobs: sampling noise only. The rules were written while
reading this sample, so a held-out set may score lower than the interval suggests.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sqlite3
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO.parent / "shared" / "builtin-sample"
ALIASES_PATH = Path(__file__).with_name("label_aliases.yaml")
ADJUDICATION_PATH = Path(__file__).with_name("adjudication.jsonl")
UNKNOWN_STAGE = "Private/unknown"
AI_TYPES = ("ai-first", "ai-support", "ml", "unknown")
MISSING_SAMPLE = ("the labelled sample is read from ../shared/builtin-sample beside the checkout; "
                  "point --labels and --pages at a copy of it")


def input_error(error: Exception) -> str:
    """What an evaluator says when it cannot read its inputs: a missing file says where the sample lives."""
    if isinstance(error, FileNotFoundError):
        return f"no file at {error.filename}: {MISSING_SAMPLE}"
    return str(error)
FLAGS = ("is_customer_facing", "is_management")


@dataclass
class Prediction:
    skills: set[str]
    categories: dict
    evidence: dict[str, dict]  # skill -> {matched, source}; empty when read from a database
    description: str = ""
    mentioned: set[str] = field(default_factory=set)  # skills the description mentions in any known form


class LabelAliases:
    """Canonical values for the labels' free-text skill names, stages and AI types."""

    def __init__(self, table: dict):
        self._skill_patterns = [
            (skill, re.compile(pattern, re.IGNORECASE))
            for skill, entry in table["skills"].items()
            for pattern in entry.get("patterns", [])
        ]
        self._stages = [
            (stage, re.compile(pattern, re.IGNORECASE))
            for stage, patterns in table["stages"].items()
            for pattern in patterns
        ]
        self._ai_types = table["ai_types"]

    @classmethod
    def load(cls, path: Path = ALIASES_PATH) -> "LabelAliases":
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def skills_of_name(self, name: str) -> set[str]:
        name = " ".join(name.split())
        return {skill for skill, pattern in self._skill_patterns if pattern.search(name)}

    def skills(self, label_skills: dict) -> set[str]:
        return {skill for names in label_skills.values() for name in names for skill in self.skills_of_name(name)}

    def stage(self, text: str | None) -> str:
        text = " ".join((text or "").split())
        return next((stage for stage, pattern in self._stages if pattern.search(text)), UNKNOWN_STAGE)

    def ai_type(self, text: str | None) -> str | None:
        return self._ai_types.get(text or "")


class LabelError(ValueError):
    """A labels file that cannot be scored as it stands."""


def _jsonl_rows(path: Path):
    """(line number, parsed row) of each non-blank line; a line that is not JSON stops the run."""
    with open(path, encoding="utf-8") as lines:
        try:
            for number, line in enumerate(lines, 1):
                if line.strip():
                    try:
                        yield number, json.loads(line)
                    except json.JSONDecodeError as error:
                        raise LabelError(f"{path}:{number}: not JSON ({error.msg})") from None
        except UnicodeDecodeError as error:  # a binary file given (a database, a gzip of the labels)
            raise LabelError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start} of a line)") from None


def read_labels(path: Path) -> dict[str, dict]:
    """Label rows by job id; a row that cannot be read stops the run with its line number."""
    labels = {}
    for number, row in _jsonl_rows(path):
        problem = _label_problem(row)
        if problem:
            raise LabelError(f"{path}:{number}: {problem}")
        labels[str(row["job_id"])] = row
    return labels


def _label_problem(row) -> str | None:
    if not isinstance(row, dict) or not isinstance(row.get("job_id"), (str, int)) or isinstance(row["job_id"], bool):
        return "each line must be an object with a job_id"
    skills = row.get("skills")
    if skills is not None and not (
        isinstance(skills, dict)
        and all(isinstance(names, list) and all(isinstance(n, str) for n in names) for names in skills.values())
    ):
        return "skills must map each category to a list of names"
    for name in ("stage", "ai_type", "title"):
        if row.get(name) is not None and not isinstance(row[name], str):
            return f"{name} must be text or null"
    for flag in FLAGS:
        if row.get(flag) is not None and not isinstance(row[flag], bool):
            return f"{flag} must be true, false or null"
    return None


@dataclass
class Adjudication:
    """Disagreements between the tagger and the labels, settled by reading the posting.

    Each row records whether the posting asks for the skill (None: unclear), not which side
    was right, so it stays valid whatever the tagger does later. ``readings`` are the
    independent readings behind each verdict; a verdict stands only where they agree.
    """

    verdicts: dict[tuple[str, str], bool | None] = field(default_factory=dict)
    readings: list[list[bool | None]] = field(default_factory=list)
    name: str = ADJUDICATION_PATH.name

    def agreement(self) -> tuple[int, float, float | None] | None:
        """Rows read twice, the share whose two readings agree, and Cohen's kappa (None when
        chance alone would agree on every row, e.g. a single row)."""
        return agreement([(r[0], r[1]) for r in self.readings if len(r) >= 2])


def agreement(pairs: list[tuple]) -> tuple[int, float, float | None] | None:
    """(pairs, share of agreeing pairs, Cohen's kappa or None when chance alone agrees) of two
    readings of the same rows; None without pairs."""
    if not pairs:
        return None
    observed = sum(a == b for a, b in pairs) / len(pairs)
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    chance = sum(first[value] * second[value] for value in first) / len(pairs) ** 2
    return len(pairs), observed, (observed - chance) / (1 - chance) if chance < 1 else None


def read_adjudication(path: Path) -> Adjudication:
    """Rows of an adjudication file; a row nobody has read yet (no readings, no verdict), as
    ``--to-read`` writes them, is not an adjudication and is left out."""
    adjudication = Adjudication(name=path.name)
    for number, row in _jsonl_rows(path):
        try:
            key, asks, readings = (str(row["job_id"]), row["skill"]), row["asks_for_skill"], row.get("readings") or []
        except (KeyError, TypeError, AttributeError) as error:
            raise LabelError(f"{path}:{number}: not an adjudication row ({error})") from None
        problem = _adjudication_problem(asks, readings)
        if key in adjudication.verdicts:
            problem = f"{key[0]} / {key[1]} is settled on an earlier line"
        if problem:
            raise LabelError(f"{path}:{number}: {problem}")
        if asks is None and not readings:
            continue
        adjudication.verdicts[key] = asks
        adjudication.readings.append(readings)
    return adjudication


def _adjudication_problem(asks, readings) -> str | None:
    if not isinstance(asks, (bool, type(None))):
        return "asks_for_skill must be true, false or null"
    if not isinstance(readings, list) or any(not isinstance(r, (bool, type(None))) for r in readings):
        return "readings must be a list of true, false or null"
    if len(readings) >= 2 and asks != (readings[0] if len(set(readings)) == 1 else None):
        return "asks_for_skill must be what the readings agree on (null where they differ)"
    return None


def tag_sample(labels: dict[str, dict], pages: Path, count_top_skills: bool | None = None) -> dict[str, tuple]:
    """Each labelled page parsed with the project's parser and tagged as the pipeline would:
    job id -> (the tagger's ``Tags``, the description text)."""
    from jobcrawler.normalize.text import html_to_text
    from jobcrawler.normalize.titles import clean_title
    from jobcrawler.parsing.detail import parse_detail
    from jobcrawler.tagging import Tagger

    tagger = Tagger.load(count_top_skills=count_top_skills)
    tagged = {}
    for job_id, label in labels.items():
        page = pages / f"{job_id}.html.gz"
        if not page.exists():
            continue
        with gzip.open(page, "rt", encoding="utf-8") as handle:
            fields = parse_detail(handle.read(), label.get("url") or "")
        description = html_to_text(fields.get("description_html"))
        tags = tagger.tag(
            clean_title(fields.get("title")),
            description,
            top_skills=fields.get("top_skills") or [],
            industries=fields.get("industries") or [],
            level=fields.get("level"),
            company_size=employees(fields.get("company_size")),
        )
        tagged[job_id] = (tags, description)
    return tagged


def tag_pages(labels: dict[str, dict], pages: Path, count_top_skills: bool | None) -> dict[str, Prediction]:
    """The tagger's predictions for every labelled page."""
    predictions = {}
    for job_id, (tags, description) in tag_sample(labels, pages, count_top_skills).items():
        evidence = {s["skill"]: s for s in tags.skills}
        predictions[job_id] = Prediction(set(evidence), tags.categories, evidence, description)
    return predictions


def mentioned_skills(tagger, text: str) -> set[str]:
    """Skills a text mentions in any form the taxonomy knows, ambiguous words included."""
    return {hit.skill for hit in tagger.matcher.hits(text, in_technical_list=True)}


def employees(company_size: str | None) -> int | None:
    """ "1,200 Employees" -> 1200."""
    digits = re.sub(r"\D", "", company_size or "")
    return int(digits) if digits else None


def read_db(path: Path, job_ids: set[str] | None = None, source: str = "rules") -> dict[str, Prediction]:
    """Skills and category labels of one label source stored in a database (of ``job_ids``
    only, when given): by default the rule tagger's, which a crawl stores."""
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    db.execute("CREATE TEMP TABLE wanted (job_id TEXT PRIMARY KEY)")
    db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", [(j,) for j in job_ids or ()])
    only = "AND l.job_id IN (SELECT job_id FROM temp.wanted)" if job_ids is not None else ""
    skills: dict[str, set[str]] = {}
    for job_id, skill in db.execute(f"SELECT job_id, skill FROM job_skills AS l WHERE labels = ? {only}", [source]):
        skills.setdefault(str(job_id), set()).add(skill)
    columns = ["ai_type", "company_stage", *FLAGS]
    predictions = {}
    for row in db.execute(f"SELECT l.job_id, j.description, {', '.join('l.' + c for c in columns)} "
                          f"FROM job_labels AS l JOIN jobs AS j USING (job_id) WHERE l.labels = ? {only}", [source]):
        job_id = str(row["job_id"])
        categories = {column: row[column] for column in columns}
        categories.update({flag: bool(categories[flag]) for flag in FLAGS if categories[flag] is not None})
        predictions[job_id] = Prediction(skills.get(job_id, set()), categories, {}, row["description"] or "")
    return predictions


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def skill_table(
    truth: dict[str, set[str]], ours: dict[str, set[str]], headline: list[str]
) -> tuple[list[tuple], float, float]:
    """Rows (skill, precision, recall, f1, support, our share, label share), micro and macro F1."""
    rows, total = [], Counter()
    jobs = len(truth)
    for skill in headline:
        tp = sum(1 for j in truth if skill in truth[j] and skill in ours[j])
        fp = sum(1 for j in truth if skill not in truth[j] and skill in ours[j])
        fn = sum(1 for j in truth if skill in truth[j] and skill not in ours[j])
        total.update(tp=tp, fp=fp, fn=fn)
        precision = tp / (tp + fp) if tp + fp else (1.0 if not fn else 0.0)
        recall = tp / (tp + fn) if tp + fn else 1.0
        rows.append((skill, precision, recall, f1(precision, recall), tp + fn, (tp + fp) / jobs, (tp + fn) / jobs))
    micro = f1(total["tp"] / max(1, total["tp"] + total["fp"]), total["tp"] / max(1, total["tp"] + total["fn"]))
    scored = [row[3] for row in rows if row[4] or row[5]]  # skills that either side found at all
    macro = sum(scored) / len(scored) if scored else 0.0
    return rows, micro, macro


def bootstrap_interval(records: list, statistic, rounds: int = 2000) -> tuple[float, float]:
    """95% interval of ``statistic(records)`` over jobs drawn with replacement (fixed seed: same
    data, same figure): how far the score could move on another sample of this size, such as a
    held-out set."""
    if not records:
        return 0.0, 0.0
    draw = random.Random(0).choices
    scores = sorted(statistic(draw(records, k=len(records))) for _ in range(rounds))
    return scores[int(0.025 * rounds)], scores[int(0.975 * rounds) - 1]


def micro_interval(truth: dict[str, set[str]], ours: dict[str, set[str]], headline: list[str]) -> tuple[float, float]:
    skills = set(headline)
    counts = [(len(truth[j] & ours[j] & skills), len((ours[j] - truth[j]) & skills), len((truth[j] - ours[j]) & skills))
              for j in truth]  # fmt: skip

    def micro(sample: list[tuple[int, int, int]]) -> float:
        tp, fp, fn = (sum(column) for column in zip(*sample))
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    return bootstrap_interval(counts, micro)


def accuracy_line(name: str, pairs: list[tuple]) -> str:
    """ "<name> accuracy 0.903 (95% interval 0.86-0.95) over 154 jobs" """
    low, high = bootstrap_interval([ours == theirs for ours, theirs in pairs], lambda hits: sum(hits) / len(hits))
    return f"{name} accuracy {accuracy(pairs):.3f} (95% interval {low:.2f}-{high:.2f}) over {len(pairs)} jobs"


def accuracy(pairs: list[tuple]) -> float:
    return sum(1 for ours, theirs in pairs if ours == theirs) / len(pairs) if pairs else 0.0


def label_skills(labels: dict[str, dict], predictions: dict[str, Prediction], aliases: LabelAliases) -> dict:
    """Canonical skills the labels give each scored job; a label without a skills object said
    nothing about skills and is left out of their scores."""
    return {
        j: aliases.skills(label["skills"])
        for j, label in labels.items()
        if j in predictions and label.get("skills") is not None
    }


def unread_disagreements(
    truth: dict[str, set[str]], ours: dict[str, set[str]], headline: list[str], adjudication: Adjudication
) -> list[tuple[str, str]]:
    """(job_id, skill) of each disagreement on a headline skill that no adjudication row settles."""
    skills = set(headline)
    return [(j, skill) for j in truth for skill in sorted((ours[j] ^ truth[j]) & skills)
            if (j, skill) not in adjudication.verdicts]  # fmt: skip


def report(
    labels: dict[str, dict],
    predictions: dict[str, Prediction],
    headline: list[str],
    aliases: LabelAliases,
    errors_for: list[str] = (),
    adjudication: Adjudication | None = None,
) -> str:
    job_ids = [j for j in labels if j in predictions]
    truth = label_skills(labels, predictions, aliases)
    ours = {j: predictions[j].skills for j in truth}
    lines = [f"jobs scored: {len(job_ids)}"]
    if len(job_ids) < len(labels):
        lines[0] += f" ({len(labels) - len(job_ids)} labelled jobs have no page or row and are left out)"
    if len(truth) < len(job_ids):
        lines.append(f"labels without skills (left out of the skill scores): {len(job_ids) - len(truth)}")
    lines.append("")
    lines += _skill_lines(truth, ours, headline)
    lines += _consistency_lines(truth, {j: predictions[j] for j in truth}, headline)
    lines += _adjudicated_lines(truth, ours, headline, adjudication or Adjudication())
    lines += _category_lines([labels[j] for j in job_ids], [predictions[j].categories for j in job_ids], aliases)
    for skill in errors_for:
        lines += ["", f"disagreements on {skill}:"]
        for j in truth:
            if (skill in ours[j]) != (skill in truth[j]):
                kind = "ours only " if skill in ours[j] else "labels only"
                hit = predictions[j].evidence.get(skill)
                said = f"{hit['source']}: {hit['matched']!r}" if hit else ""
                lines.append(f"  {kind} {j} {(labels[j].get('title') or '')[:60]!r} {said}")
    return "\n".join(lines)


def _skill_lines(truth: dict[str, set[str]], ours: dict[str, set[str]], headline: list[str]) -> list[str]:
    rows, micro, macro = skill_table(truth, ours, headline)
    lines = [f"{'skill':<18} {'prec':>5} {'rec':>5} {'F1':>5} {'supp':>5}  {'ours%':>6} {'labels%':>7}"]
    for skill, precision, recall, score, support, our_share, label_share in sorted(rows, key=lambda row: row[3]):
        lines.append(
            f"{skill:<18} {precision:5.2f} {recall:5.2f} {score:5.2f} {support:5d}  {our_share:6.1%} {label_share:7.1%}"
        )
    gaps = sorted(((abs(row[5] - row[6]), row[0]) for row in rows), reverse=True)
    mean_gap = sum(gap for gap, _ in gaps) / len(gaps) if gaps else 0.0
    return lines + [
        "",
        f"micro F1 {micro:.3f}   macro F1 {macro:.3f}   (headline skills: {len(headline)})",
        "micro F1 95% interval over resampled jobs: {:.3f}-{:.3f}".format(*micro_interval(truth, ours, headline)),
        # What the report's skill tables would show: the share of jobs naming each skill.
        f"share of jobs, ours vs labels: mean difference {mean_gap * 100:.1f} points; largest: "
        + ", ".join(f"{skill} {gap * 100:.1f}" for gap, skill in gaps[:3]),
        "",
    ]


def named(skill: str, text: str) -> bool:
    """The posting uses the skill's display name itself ("MLOps", "model training"), as a whole word."""
    words = r"[\s-]+".join(map(re.escape, skill.split()))
    return re.search(rf"(?<![\w-]){words}(?![\w-])", text, 0 if len(skill) <= 4 else re.IGNORECASE) is not None


def _consistency_lines(truth: dict[str, set[str]], predictions: dict[str, Prediction], headline: list[str]) -> list[str]:
    """How often the labels carry a skill that the posting names outright (and we tag).

    Where the labels leave out a third of the postings that say "MLOps", no rule that reads
    the posting agrees with both halves. The reference tagger shows what that costs: it keeps
    every skill a posting names outright (that we tag) and otherwise agrees with the labels
    wherever the taxonomy finds the skill mentioned in any form.
    """
    rows, named_total, labelled_total = [], 0, 0
    reference: dict[str, set[str]] = {}
    for j, prediction in predictions.items():
        outright = {s for s in prediction.skills if named(s, prediction.description)}
        reference[j] = outright | (truth[j] & (prediction.mentioned | prediction.skills))
    reference_rows, reference_micro, _ = skill_table(truth, reference, headline)
    reference_f1 = {row[0]: row[3] for row in reference_rows}
    for skill in headline:
        jobs = [j for j, p in predictions.items() if skill in p.skills and named(skill, p.description)]
        labelled = sum(1 for j in jobs if skill in truth[j])
        named_total += len(jobs)
        labelled_total += labelled
        if len(jobs) >= 5 and labelled < 0.9 * len(jobs):
            rows.append((labelled / len(jobs), skill, labelled, len(jobs)))
    if not named_total:
        return []
    lines = [f"labels vs the posting's own words: of {named_total} skills a description names outright,"
             f" the labels carry {labelled_total / named_total:.1%}; under 90%:"]  # fmt: skip
    lines += [f"  {skill:<18} labelled in {n:3d} of {of:3d} postings that name it ({share:.0%}), reference F1 {reference_f1[skill]:.2f}"
              for share, skill, n, of in sorted(rows)]  # fmt: skip
    return lines + [
        f"reference tagger (keeps what postings name outright, else agrees with the labels): micro F1"
        f" {reference_micro:.3f}",
        "",
    ]


def _adjudicated_lines(
    truth: dict[str, set[str]], ours: dict[str, set[str]], headline: list[str], adjudication: Adjudication
) -> list[str]:
    """The skill scores once the disagreements read again by hand are settled by the posting."""
    verdicts = adjudication.verdicts
    settled = {(j, skill): asks for (j, skill), asks in verdicts.items() if j in truth and asks is not None}
    if not settled:
        return []
    corrected = {j: set(skills) for j, skills in truth.items()}
    for (j, skill), asks in settled.items():
        (corrected[j].add if asks else corrected[j].discard)(skill)
    changed = sum(1 for (j, skill), asks in settled.items() if (skill in truth[j]) != asks)
    open_disagreements = len(unread_disagreements(truth, ours, headline, adjudication))
    rows, micro, macro = skill_table(corrected, ours, headline)
    low = ", ".join(f"{row[0]} {row[3]:.2f}" for row in sorted(rows, key=lambda row: row[3])[:3])
    lines = [
        f"against the labels with the disagreements read again by hand ({adjudication.name}:"
        f" {len(settled)} settled, {changed} labels corrected):",
        f"  micro F1 {micro:.3f}   macro F1 {macro:.3f}   lowest: {low}",
        f"  disagreements not read again yet: {open_disagreements}",
        "  (an upper bound: only disagreements are read, so a skill both sides get wrong counts as right)",
    ]
    agreement = adjudication.agreement()
    if agreement:
        rows, observed, kappa = agreement
        lines.append(f"  two independent readings agree on {observed:.1%} of {rows} rows read twice (Cohen's kappa"
                     f" {'n/a' if kappa is None else f'{kappa:.2f}'}); only agreeing readings settle one")  # fmt: skip
    return lines + [""]


def _category_lines(labels: list[dict], ours: list[dict], aliases: LabelAliases) -> list[str]:
    typed = [(o.get("ai_type"), aliases.ai_type(t.get("ai_type"))) for o, t in zip(ours, labels)]
    typed = [(o, t) for o, t in typed if t]
    confusion = Counter(typed)
    shares = "  ".join(
        f"{name} {sum(o == name for o, _ in typed) / len(typed):.1%} vs {sum(t == name for _, t in typed) / len(typed):.1%}"
        for name in AI_TYPES) if typed else ""
    lines = [f"ai_type share, ours vs labels: {shares}",
             f"{accuracy_line('ai_type', typed)} (rows: labels, columns: ours)"]
    lines.append(f"{'':<12}" + "".join(f"{name:>12}" for name in AI_TYPES))
    for theirs in AI_TYPES:
        lines.append(f"{theirs:<12}" + "".join(f"{confusion[(o, theirs)]:>12}" for o in AI_TYPES))
    for flag in FLAGS:
        pairs = [(o.get(flag), t[flag]) for o, t in zip(ours, labels) if t.get(flag) is not None]
        yes_theirs, yes_ours = sum(t for _, t in pairs), sum(bool(o) for o, _ in pairs)
        lines.append(accuracy_line(flag, pairs) + f" (labels say yes: {yes_theirs}, we say yes: {yes_ours})")
    stages = [(o.get("company_stage"), aliases.stage(t.get("stage"))) for o, t in zip(ours, labels)]
    lines.append(accuracy_line("company_stage", stages))
    for (o, theirs), n in Counter(stages).most_common():
        if o != theirs:
            lines.append(f"  labels {theirs!r:<18} ours {o!r:<18} {n}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=Path, default=None,
                        help=f"the labels file (default: {SAMPLE / 'labels.jsonl'}); with --against, a label source "
                             "of the database (default: rules)")
    parser.add_argument("--against", metavar="SOURCE",
                        help="compare label source --labels with this one (the reference) on the jobs both labelled")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--pages", type=Path, default=SAMPLE / "pages", help="saved detail pages (<job_id>.html.gz)")
    source.add_argument("--db", type=Path, help="score a crawled database instead of tagging pages")
    chips = parser.add_mutually_exclusive_group()
    chips.add_argument("--count-top-skills", dest="count_top_skills", action="store_true", default=None)
    chips.add_argument("--ignore-top-skills", dest="count_top_skills", action="store_false")
    parser.add_argument("--errors", nargs="*", default=[], metavar="SKILL", help="list disagreements on these skills")
    parser.add_argument("--adjudication", type=Path,
                        help=f"disagreements settled by reading the posting (default: {ADJUDICATION_PATH.name} when it exists)")
    parser.add_argument("--to-read", type=Path, metavar="PATH",
                        help="write the disagreements no adjudication row settles, as rows to fill in")
    args = parser.parse_args(argv)
    if args.against:
        if not args.db or not args.db.is_file():
            print("error: --against compares two label sources of a database: give --db with an existing file",
                  file=sys.stderr)
            return 1
        try:
            print(compare_sources(args.db, str(args.labels or "rules"), args.against))
        except LabelError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        return 0
    args.labels = args.labels or SAMPLE / "labels.jsonl"

    from jobcrawler.tagging import Tagger

    tagger = Tagger.load()
    headline = tagger.headline_skills
    unknown = [skill for skill in args.errors if skill not in headline]
    if unknown:  # arguments first: a wrong one is reported without reading any file
        print(f"error: --errors takes headline skills; unknown: {', '.join(unknown)}"
              f" (known: {', '.join(headline)})", file=sys.stderr)  # fmt: skip
        return 1
    adjudication_path = args.adjudication or ADJUDICATION_PATH
    if args.to_read and args.to_read.resolve() == adjudication_path.resolve():
        print("error: --to-read writes new rows to fill in; give it another file than the adjudication", file=sys.stderr)
        return 1
    try:
        labels = read_labels(args.labels)
        explicit_or_present = args.adjudication is not None or adjudication_path.is_file()
        adjudication = read_adjudication(adjudication_path) if explicit_or_present else Adjudication()
    except (OSError, LabelError) as error:
        print(f"error: {input_error(error)}", file=sys.stderr)
        return 1
    from jobcrawler.storage import database_file_error

    if args.db and (why := database_file_error(args.db)):
        print(f"error: {why}", file=sys.stderr)
        return 1
    if not args.db and not args.pages.is_dir():
        print(f"error: {args.pages} is not a directory of pages", file=sys.stderr)
        return 1
    if args.db:
        try:
            predictions = read_db(args.db, set(labels))
        except sqlite3.DatabaseError as error:  # not a database, or no crawl's
            print(f"error: cannot read the labels of {args.db}: {error}", file=sys.stderr)
            return 1
    else:  # reads pages, no database: nothing to say "cannot read the labels of None" about
        predictions = tag_pages(labels, args.pages, args.count_top_skills)
    if not any(job_id in predictions for job_id in labels):
        where = f"the database {args.db}" if args.db else f"{args.pages} (<job_id>.html.gz)"
        print(f"error: none of the {len(labels)} labelled jobs is in {where}", file=sys.stderr)
        return 1
    for prediction in predictions.values():
        prediction.mentioned = mentioned_skills(tagger, prediction.description)
    aliases = LabelAliases.load()
    print(report(labels, predictions, headline, aliases, args.errors, adjudication))
    if args.to_read:
        write_to_read(args.to_read, labels, predictions, headline, aliases, adjudication)
    return 0


def read_source(path: Path, source: str) -> dict[str, tuple[dict, set[str]]]:
    """Job id -> (category labels, skills) of one label source stored in a database."""
    from jobcrawler.storage import LABEL_COLUMNS

    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    try:
        found = {row["job_id"]: ({c: row[c] for c in LABEL_COLUMNS}, set())
                 for row in db.execute(f"SELECT job_id, {', '.join(LABEL_COLUMNS)} FROM job_labels WHERE labels = ?", [source])}
        for job_id, skill in db.execute("SELECT job_id, skill FROM job_skills WHERE labels = ?", [source]):
            if job_id in found:
                found[job_id][1].add(skill)
    finally:
        db.close()
    return found


def confusion_lines(name: str, pairs: list[tuple], ours: str, theirs: str) -> list[str]:
    """Accuracy and the confusion table of one category (rows: the reference, columns: the other)."""
    values = sorted({v for pair in pairs for v in pair}, key=lambda v: (v is None, str(v)))
    confusion = Counter(pairs)
    width = max(12, *(len(str(v)) + 2 for v in values)) if values else 12
    lines = [f"{accuracy_line(name, pairs)} (rows: {theirs}, columns: {ours})",
             f"{'':<{width}}" + "".join(f"{str(v):>{width}}" for v in values)]
    for reference in values:
        lines.append(f"{str(reference):<{width}}" + "".join(f"{confusion[(v, reference)]:>{width}}" for v in values))
    return lines + [""]


def compare_sources(path: Path, ours: str, theirs: str) -> str:
    """Label source ``ours`` scored against ``theirs`` on the jobs both labelled."""
    from jobcrawler.tagging import Tagger

    mine, reference = read_source(path, ours), read_source(path, theirs)
    for source, found in ((ours, mine), (theirs, reference)):
        if not found:
            raise LabelError(f"no job in {path} has labels of source {source!r}")
    both = sorted(set(mine) & set(reference))
    if not both:
        raise LabelError(f"no job has labels of both {ours!r} ({len(mine)} jobs) and {theirs!r} ({len(reference)} jobs)")
    headline = Tagger.load().headline_skills
    lines = [f"{ours!r} against {theirs!r} in {path}: {len(both)} jobs labelled by both "
             f"({ours}: {len(mine)}, {theirs}: {len(reference)})", "",
             f"Skills (headline; 'ours' = {ours}, 'labels' = {theirs}, the reference):",
             *_skill_lines({j: reference[j][1] for j in both}, {j: mine[j][1] for j in both}, headline),
             "Categories:"]
    from jobcrawler.storage import LABEL_COLUMNS

    for column in LABEL_COLUMNS:
        if all(reference[j][0][column] is None for j in both):  # e.g. is_tech_lead: the published labels lack it
            lines += [f"{column:<20} n/a: {theirs} does not label it", ""]
        elif column == "fine_tuning_use_cases":  # a list: each use case scored as a skill is
            lines += [f"{column} (each use case; 'ours' = {ours}, 'labels' = {theirs}):",
                      *_set_lines({j: set(json.loads(reference[j][0][column] or "[]")) for j in both},
                                  {j: set(json.loads(mine[j][0][column] or "[]")) for j in both})]
        else:
            lines += confusion_lines(column, [(mine[j][0][column], reference[j][0][column]) for j in both],
                                     ours, theirs)
    return "\n".join(lines)


def _set_lines(truth: dict[str, set], ours: dict[str, set]) -> list[str]:
    """Precision, recall and F1 of each item of a list-valued label, over jobs."""
    items = sorted(set().union(*truth.values(), *ours.values()))
    lines = [f"  {'item':<28}{'P':>7}{'R':>7}{'F1':>7}{'jobs':>7}"]
    for item in items:
        tp = sum(item in ours[j] and item in truth[j] for j in truth)
        fp = sum(item in ours[j] and item not in truth[j] for j in truth)
        fn = sum(item not in ours[j] and item in truth[j] for j in truth)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        lines.append(f"  {item:<28}{precision:>7.2f}{recall:>7.2f}{f1:>7.2f}{tp + fn:>7}")
    return [*lines, ""]


def write_to_read(path: Path, labels, predictions, headline, aliases, adjudication: Adjudication) -> None:
    """Adjudication rows for the disagreements not read yet: fill in ``readings`` (two
    independent readings of the posting), set ``asks_for_skill`` where they agree, and append
    them to the adjudication file."""
    truth = label_skills(labels, predictions, aliases)
    ours = {j: predictions[j].skills for j in truth}
    rows = unread_disagreements(truth, ours, headline, adjudication)
    with open(path, "w", encoding="utf-8") as out:
        for j, skill in rows:
            evidence = predictions[j].evidence.get(skill) or {}
            out.write(json.dumps({
                "job_id": j, "skill": skill, "asks_for_skill": None, "readings": [], "reason": "",
                "labels_say": skill in truth[j], "we_matched": evidence.get("matched"),
            }, ensure_ascii=False) + "\n")  # fmt: skip
    print(f"{len(rows)} disagreements to read written to {path}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
