"""Does a small trained model decide the AI type better than the rules? Cross-validation on the tuning readings.

    python -m analysis.train_ai_type_model [--pages P] [--fieldguide F] [--repeats N]
                                           [--learning-rate R] [--published-weight W] [--validation CANDIDATE]

The tuning readings (``analysis/reading_split.py``): all of ``category_reading.jsonl`` (text from
its saved pages, ``--pages``), the tuning part of ``category_reading_2.jsonl`` and all of
``category_reading_4.jsonl`` (text from a Field Guide checkout's ``data_raw``). The second set's
validation part and the whole third set take no part in fitting or choosing anything; only
``--validation`` reads them, to print two aggregate figures. The published
LLM labels of the training folds' postings may join the training, weighted down
(``--published-weight``; they agree with careful readings on ~86% of postings, but every
weight tried, 0.1 to 1.0, scored lower than none, so the default leaves them out).

Each candidate is fitted on four fifths of the readings and scored on the fifth they left out;
the folds are fixed by a hash of the job id (``fold_of``) and the whole run is repeated with
``--repeats`` different hashes, so every figure is deterministic. Candidates:

- ``rules``: the rule tagger's AI type (``categories.yaml``), nothing fitted;
- ``words``: a multinomial logistic regression over the words and word pairs of the role and
  requirements sections (``sections.py``) and the title's words;
- ``words+rules``: the same plus the rules' outputs (their value, deciding rule, model-work share
  band and line-kind counts) as features;
- ``rules, model where unsure``: the rules' decision, replaced by the ``words+rules`` model's
  where the rules' confidence (counted on the training folds only, as
  ``analysis/train_ai_type.py`` counts it) is below a threshold and the model's probability of
  its own choice reaches another; every threshold pair tried is printed (picking the best one
  after the fact flatters it), and last the pair that a cross-validation inside each training
  set picks, scored on the fold left out (an estimate the choice does not flatter).

Printed per candidate: the cross-validated accuracy on all tuning readings and on those of the
second and fourth sets (postings of the published analysis, which the rules were not first
written against), and the difference from the rules on the same postings with a 95% bootstrap
interval over jobs. ``--validation`` prints the chosen candidate's and the rules' accuracy on the
validation part, in aggregate only (fitted on all tuning readings): use it once per decision.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from analysis import reading_split
from analysis.evaluate import SAMPLE, LabelAliases, LabelError, employees, input_error
from analysis.evaluate_categories import (
    AI_TYPES,
    FIELDGUIDE,
    FOURTH_READING_PATH,
    READING_PATH,
    SECOND_READING_PATH,
    THIRD_READING_PATH,
    _label,
    fieldguide_postings,
    fieldguide_root,
    read_reading,
)
from analysis.train_ai_type import count_table, page_postings
from jobcrawler.tagging.ai_type_confidence import AiTypeConfidence, share_band

FOLDS = 5
FOLD_SALT = "jobcrawler-ai-type-model-fold:"
PUBLISHED_WEIGHT = 0.0  # a published LLM label counts this much of a careful reading (0.1-1.0 scored lower)
MIN_DOCUMENTS = 2  # a feature seen in fewer training postings is dropped
EPOCHS = 12
LEARNING_RATE = 0.25  # AdaGrad's; 0.1 and 0.5 scored about the same
L2 = 1e-4
OVERRIDE_GRID = ((0.7, 0.5), (0.7, 0.7), (0.8, 0.5), (0.8, 0.7), (0.9, 0.6), (1.01, 0.6), (1.01, 0.8))  # (rules' confidence below, model's probability at least)
CHOSEN_OVERRIDE = "rules, model where inner CV's thresholds say"
INNER_FOLDS = -1  # ``fold_of``'s repeat number for the folds inside a training set
_WORD = re.compile(r"[a-z][a-z0-9+#]*(?:[.-][a-z0-9+#]+)*")


@dataclass
class Example:
    job: str
    title: str
    role_text: str  # the role and requirements sections: what the rules read
    rules_value: str
    rules_rule: str
    share: float  # the model-work share of the role's lines
    kinds: dict[str, int]  # line kind -> lines of the read sections of that kind
    truth: str
    reading_set: str  # the reading file's name
    published: str | None = None  # the published LLM label, in the reading's terms


def fold_of(job: str, repeat: int) -> int:
    return int(hashlib.sha256(f"{FOLD_SALT}{repeat}:{job}".encode()).hexdigest(), 16) % FOLDS


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def text_features(example: Example) -> set[str]:
    """Words and word pairs of the role's sections, and the title's words."""
    words = tokens(example.role_text)
    found = set(words)
    found.update(f"{a} {b}" for a, b in zip(words, words[1:]))
    found.update(f"title: {word}" for word in tokens(example.title))
    return found


def _count_band(count: int) -> str:
    return "0" if count == 0 else "1" if count == 1 else "2-3" if count <= 3 else "4+"


def rule_features(example: Example) -> set[str]:
    """What the rules found: their value, the deciding rule, the model-work share band and line-kind counts."""
    found = {f"rules say: {example.rules_value}", f"deciding rule: {example.rules_rule}",
             f"model-work share {share_band(example.share)}"}  # fmt: skip
    found.update(f"{kind} lines: {_count_band(count)}" for kind, count in example.kinds.items())
    return found


class SoftmaxRegression:
    """Multinomial logistic regression on binary features (each posting's vector scaled to unit
    length), fitted by AdaGrad in a fixed order with an L2 penalty: deterministic, pure Python."""

    def __init__(self, classes=AI_TYPES, learning_rate: float = LEARNING_RATE):
        self.classes = tuple(classes)
        self.learning_rate = learning_rate
        self.index: dict[str, int] = {}
        self.weights: list[list[float]] = []  # per class, per feature
        self.bias: list[float] = [0.0] * len(self.classes)

    def fit(self, rows: list[tuple[set[str], str, float, str]]) -> "SoftmaxRegression":
        """``rows``: (features, class, weight, key); the keys fix the order of updates."""
        seen = Counter(feature for features, _, _, _ in rows for feature in features)
        self.index = {feature: i for i, feature in enumerate(sorted(f for f, n in seen.items() if n >= MIN_DOCUMENTS))}
        size = len(self.index)
        self.weights = [[0.0] * size for _ in self.classes]
        squares = [[1e-8] * size for _ in self.classes]
        bias_squares = [1e-8] * len(self.classes)
        encoded = [([self.index[f] for f in sorted(features) if f in self.index], self.classes.index(label), weight, key)
                   for features, label, weight, key in rows]  # fmt: skip
        encoded.sort(key=lambda row: row[3])  # then shuffled by a seeded generator: the same order every run
        shuffle = random.Random(0).shuffle
        for _ in range(EPOCHS):
            shuffle(encoded)
            for ids, label, weight, _ in encoded:
                probabilities = self._probabilities(ids)
                scale = 1 / math.sqrt(len(ids) + 1)
                for k, weights in enumerate(self.weights):
                    gradient = weight * (probabilities[k] - (k == label))
                    bias_squares[k] += gradient * gradient
                    self.bias[k] -= self.learning_rate * gradient / math.sqrt(bias_squares[k])
                    accumulated = squares[k]
                    for i in ids:
                        g = gradient * scale + L2 * weights[i]
                        accumulated[i] += g * g
                        weights[i] -= self.learning_rate * g / math.sqrt(accumulated[i])
        return self

    def _probabilities(self, ids: list[int]) -> list[float]:
        scale = 1 / math.sqrt(len(ids) + 1)
        scores = [b + scale * sum(map(w.__getitem__, ids)) for w, b in zip(self.weights, self.bias)]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return [e / total for e in exps]

    def probabilities(self, features: set[str]) -> dict[str, float]:
        ids = [self.index[f] for f in sorted(features) if f in self.index]
        return dict(zip(self.classes, self._probabilities(ids)))


def rule_outputs(postings: dict[str, dict]) -> dict[str, dict]:
    """Job id -> the rules' AI type, deciding rule, model-work share, line-kind counts and role text."""
    from jobcrawler.normalize.titles import clean_title
    from jobcrawler.tagging import Tagger
    from jobcrawler.tagging.matcher import Prepared

    tagger = Tagger.load(ai_type_confidence_path=None)
    seen: dict[str, dict] = {}

    def record(job, value, evidence):
        kinds = tagger.rules._kinds(job)  # the line kinds the rules weighed (computed once per job, cached)
        seen["current"] = {"value": value, "rule": evidence[0]["rule"], "share": tagger.rules.model_work_share(job),
                           "kinds": {kind: len(lines) for kind, lines in kinds.items()}}  # fmt: skip
        return value, evidence, {}

    tagger.refine = {"ai_type": record}
    outputs = {}
    for job_id, posting in postings.items():
        title, description = clean_title(posting["title"]), posting["description"] or ""
        tagger.tag(title, description, top_skills=posting["top_skills"], industries=posting["industries"],
                   level=posting["level"], company_size=employees(str(posting["company_size"] or "")))  # fmt: skip
        sections = tagger.sections.split(Prepared(description))
        role = "\n".join(description[s.start : s.end] for s in sections.spans if s.kind in ("role", "requirements"))
        outputs[job_id] = {**seen.pop("current"), "title": title, "role_text": role}
    return outputs


def load_examples(pages: Path, root: Path) -> tuple[list[Example], list[Example]]:
    """(tuning readings, validation readings), each with the job's published LLM label."""
    first = read_reading(READING_PATH)
    second = read_reading(SECOND_READING_PATH, held_out=True)
    third = read_reading(THIRD_READING_PATH, validation=True)
    fourth = read_reading(FOURTH_READING_PATH)
    tuning = {job: (value, READING_PATH.name) for job, value in first.values["ai_type"].items()}
    tuning.update({job: (value, SECOND_READING_PATH.name) for job, value in second.values["ai_type"].items()
                   if second.parts[job] == reading_split.TUNING})  # fmt: skip
    tuning.update({job: (value, FOURTH_READING_PATH.name) for job, value in fourth.values["ai_type"].items()})
    validation = {job: (value, SECOND_READING_PATH.name) for job, value in second.values["ai_type"].items()
                  if second.parts[job] == reading_split.VALIDATION}  # fmt: skip
    validation.update({job: (value, THIRD_READING_PATH.name) for job, value in third.values["ai_type"].items()})

    postings = page_postings(set(tuning) & set(first.values["ai_type"]), pages)
    published = fieldguide_postings(set(tuning) | set(validation), root)
    postings.update({job: published[job] for job in published.keys() - postings.keys()})
    missing = (set(tuning) | set(validation)) - postings.keys()
    if missing:
        raise LabelError(f"{len(missing)} read jobs have no text (e.g. {sorted(missing)[0]})")
    aliases = LabelAliases.load()
    outputs = rule_outputs(postings)

    def examples(read: dict[str, tuple[str, str]]) -> list[Example]:
        return [Example(job, outputs[job]["title"], outputs[job]["role_text"], outputs[job]["value"], outputs[job]["rule"],
                        outputs[job]["share"], outputs[job]["kinds"], truth, name,
                        _label((published.get(job) or {}).get("label"), "ai_type", aliases))
                for job, (truth, name) in sorted(read.items())]  # fmt: skip

    return examples(tuning), examples(validation)


# ---------------------------------------------------------------------------- candidates


@dataclass(frozen=True)
class Fit:
    """How the models are fitted: AdaGrad's learning rate, and the weight of a published LLM label."""

    learning_rate: float = LEARNING_RATE
    published_weight: float = PUBLISHED_WEIGHT


def fit_model(train: list[Example], features: dict[str, set[str]], fit: Fit) -> SoftmaxRegression:
    """Fitted on the readings, and on the published labels of the same postings at ``published_weight``."""
    rows = [(features[e.job], e.truth, 1.0, e.job) for e in train]
    rows += [(features[e.job], e.published, fit.published_weight, e.job + " published") for e in train
             if e.published is not None and fit.published_weight > 0]  # fmt: skip
    return SoftmaxRegression(learning_rate=fit.learning_rate).fit(rows)


def feature_sets(examples: list[Example]) -> dict[str, dict[str, set[str]]]:
    """``words`` and ``words+rules`` -> job id -> the posting's features, extracted once."""
    words = {e.job: text_features(e) for e in examples}
    return {"words": words, "words+rules": {e.job: words[e.job] | rule_features(e) for e in examples}}


def rule_confidence(train: list[Example]) -> AiTypeConfidence:
    """The rules' confidence table counted on the training readings only."""
    decisions = {e.job: (e.rules_value, e.rules_rule, e.share) for e in train}
    return AiTypeConfidence(count_table(decisions, {e.job: e.truth for e in train}))


def predictions(train: list[Example], test: list[Example], features: dict[str, dict[str, set[str]]],
                fit: Fit = Fit(), choose_override: bool = True) -> dict[str, dict[str, str]]:
    """Candidate name -> job id -> AI type, every candidate fitted on ``train`` and run on ``test``.
    ``choose_override``: also the override whose thresholds cross-validation inside ``train`` picks
    (``CHOSEN_OVERRIDE``), an estimate the choice does not flatter."""
    both = fit_model(train, features["words+rules"], fit)
    confidence = rule_confidence(train)
    out: dict[str, dict[str, str]] = {name: {} for name in candidate_names(choose_override)}
    if choose_override:
        words = fit_model(train, features["words"], fit)
        out["words"] = {e.job: _top(words.probabilities(features["words"][e.job]))[0] for e in test}
    for e in test:
        out["rules"][e.job] = e.rules_value
        choice, probability = _top(both.probabilities(features["words+rules"][e.job]))
        out["words+rules"][e.job] = choice
        sure = confidence.of(e.rules_rule, e.share)[0]
        for below, at_least in OVERRIDE_GRID:
            use_model = sure < below and probability >= at_least
            out[_override_name(below, at_least)][e.job] = choice if use_model else e.rules_value
    if choose_override:
        out[CHOSEN_OVERRIDE] = out[_override_name(*chosen_override(train, features, fit))]
    return out


def chosen_override(train: list[Example], features: dict[str, dict[str, set[str]]], fit: Fit) -> tuple[float, float]:
    """The override thresholds that agree most with the readings in cross-validation inside ``train``
    (folds of their own hash; the first of ``OVERRIDE_GRID`` wins a tie)."""
    agreed: Counter = Counter()
    for fold in range(FOLDS):
        inner_test = [e for e in train if fold_of(e.job, INNER_FOLDS) == fold]
        inner_train = [e for e in train if fold_of(e.job, INNER_FOLDS) != fold]
        decided = predictions(inner_train, inner_test, features, fit, choose_override=False)
        for pair in OVERRIDE_GRID:
            agreed[pair] += sum(decided[_override_name(*pair)][e.job] == e.truth for e in inner_test)
    return max(OVERRIDE_GRID, key=lambda pair: (agreed[pair], -OVERRIDE_GRID.index(pair)))


def candidate_names(with_chosen: bool = True) -> list[str]:
    overrides = [_override_name(below, at_least) for below, at_least in OVERRIDE_GRID]
    return ["rules", *(["words"] if with_chosen else []), "words+rules", *overrides, *([CHOSEN_OVERRIDE] if with_chosen else [])]


def _override_name(below: float, at_least: float) -> str:
    where = "always unsure" if below > 1 else f"confidence < {below}"
    return f"rules, model where {where}, model p >= {at_least}"


def _top(probabilities: dict[str, float]) -> tuple[str, float]:
    return max(probabilities.items(), key=lambda item: (item[1], item[0]))


def cross_validate(tuning: list[Example], repeats: int, fit: Fit = Fit()) -> dict[str, dict[str, list[bool]]]:
    """Candidate -> job -> whether each repeat's out-of-fold prediction agreed with the reading."""
    hits: dict[str, dict[str, list[bool]]] = {}
    features = feature_sets(tuning)
    for repeat in range(repeats):
        for fold in range(FOLDS):
            test = [e for e in tuning if fold_of(e.job, repeat) == fold]
            train = [e for e in tuning if fold_of(e.job, repeat) != fold]
            truth = {e.job: e.truth for e in test}
            for name, decided in predictions(train, test, features, fit).items():
                for job, value in decided.items():
                    hits.setdefault(name, {}).setdefault(job, []).append(value == truth[job])
    return hits


def difference_interval(model: list[float], rules: list[float], draws: int = 2000) -> tuple[float, float]:
    """95% bootstrap interval (over jobs, fixed seed) of mean(model) - mean(rules)."""
    rng = random.Random(0)
    n = len(model)
    diffs = []
    for _ in range(draws):
        picks = [rng.randrange(n) for _ in range(n)]
        diffs.append(sum(model[i] - rules[i] for i in picks) / n)
    diffs.sort()
    return diffs[int(0.025 * draws)], diffs[int(0.975 * draws) - 1]


def cv_table(tuning: list[Example], hits: dict[str, dict[str, list[bool]]]) -> list[str]:
    """Per candidate: accuracy (each job's hits averaged over the repeats) on all tuning readings
    and on the second and fourth sets', and its difference from the rules on the same jobs."""
    later = [e.job for e in tuning if e.reading_set != READING_PATH.name]
    groups = (("all", [e.job for e in tuning]), ("sets 2+4", later))
    header = f"{'candidate':<55}" + "".join(f"{f'{name} ({len(jobs)})':>16}{'minus rules (95%)':>28}" for name, jobs in groups)
    lines = [header]
    mean = {name: {job: sum(values) / len(values) for job, values in by_job.items()} for name, by_job in hits.items()}
    for name in mean:
        cells = []
        for _, jobs in groups:
            model, rules = [mean[name][j] for j in jobs], [mean["rules"][j] for j in jobs]
            accuracy = sum(model) / len(jobs)
            if name == "rules":
                cells.append(f"{accuracy:>16.3f}{'':>28}")
                continue
            low, high = difference_interval(model, rules)
            gap = accuracy - sum(rules) / len(jobs)
            cells.append(f"{accuracy:>16.3f}{f'{gap:+.3f} ({low:+.3f} to {high:+.3f})':>28}")
        lines.append(f"{name:<55}" + "".join(cells))
    return lines


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a whole number of at least 1, not {text!r}")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, default=SAMPLE / "pages", help="saved pages of the first reading set")
    parser.add_argument("--fieldguide", type=Path, default=FIELDGUIDE, help="a Field Guide checkout")
    parser.add_argument("--repeats", type=_positive, default=3, help="cross-validation runs, each with its own folds")
    parser.add_argument("--validation", metavar="CANDIDATE", choices=candidate_names(),
                        help="instead: fit CANDIDATE on all tuning readings and print its and the rules' accuracy on "
                             "the validation part, in aggregate (once per decision)")  # fmt: skip
    parser.add_argument("--published-weight", type=float, default=PUBLISHED_WEIGHT,
                        help=f"weight of a published LLM label against a reading's 1 (default {PUBLISHED_WEIGHT})")
    parser.add_argument("--learning-rate", type=float, default=LEARNING_RATE, help=f"AdaGrad's (default {LEARNING_RATE})")
    args = parser.parse_args(argv)
    fit = Fit(args.learning_rate, args.published_weight)
    root = fieldguide_root(args.fieldguide)
    if root is None or not args.pages.is_dir():
        print(f"error: the readings' text comes from the saved pages ({args.pages}) and a Field Guide checkout "
              f"({args.fieldguide}); point --pages and --fieldguide at them", file=sys.stderr)  # fmt: skip
        return 1
    try:
        tuning, validation = load_examples(args.pages, root)
    except (OSError, LabelError) as error:
        print(f"error: {input_error(error)}", file=sys.stderr)
        return 1
    if args.validation:
        decided = predictions(tuning, validation, feature_sets(tuning + validation), fit)
        for name in ("rules", args.validation):
            agreed = sum(decided[name][e.job] == e.truth for e in validation)
            print(f"validation part ({len(validation)} postings), {name}: {agreed / len(validation):.3f}")
        return 0
    published = sum(e.published is not None for e in tuning)
    print(f"{len(tuning)} tuning readings ({published} with a published label, weight {fit.published_weight}); "
          f"{FOLDS}-fold cross-validation, {args.repeats} repeats; learning rate {fit.learning_rate}")  # fmt: skip
    hits = cross_validate(tuning, args.repeats, fit)
    print("\n".join(cv_table(tuning, hits)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
