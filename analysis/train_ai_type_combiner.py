"""Does a model over the rules' own evidence decide the AI type better than the rules? Measured on a check part.

    python -m analysis.train_ai_type_combiner [--pages P] [--fieldguide F] [--candidates NAME ...]

Not the words of a posting (``analysis/train_ai_type_model.py`` tried those) but what the rules
compute on the way to their decision: lines of each kind by section, the model-work share,
LLM/agent and classical-ML cues in the read sections, the nice-to-haves and the company blurb,
the title's kind, the deciding rule and its value (``jobcrawler/tagging/ai_type_features.py``).

The check part was fixed before any model was fitted: **the fourth reading set's 365 postings**
(all tuning, the rules never revised on them). Models are fitted, and their hyper-parameters
picked, on the rest of the tuning part only (the first set's 154 and the second set's 143 tuning
postings), by cross-validation with folds fixed by a hash of the job id. The validation part takes
no part at all. Candidates (scikit-learn, needed only here):

Each model family reads either ``all`` the features or only the ``evidence`` (without the deciding
rule and its value):

- ``logistic``: a multinomial logistic regression over the features (counts as log(1 + n),
  standardized), its L2 strength picked by the inner cross-validation;
- ``sparse logistic``: the same with an L1 penalty, so that a few features carry the decision;
- ``tree``: a decision tree, its depth and leaf size picked the same way;
- ``boosted``: gradient-boosted trees, number, depth and learning rate picked the same way;
- each ``... where unsure``: the rules decide, the model replaces their decision where the
  rules' confidence (``ai_type_confidence.py``'s table recounted on the training postings only)
  is below a threshold and the model's probability of its choice reaches another; the model's
  settings and both thresholds picked together by the inner cross-validation.

Printed per candidate, each with its difference from the rules on the same postings and a paired
95% bootstrap interval over jobs: the nested cross-validated accuracy on the 297 training postings
(settings chosen inside each outer training set, so not flattered by the choice); the candidate
fitted on all 297 and scored on the check part (the figure fixed first); and two cross-fitted
figures on the check part, where each fifth of it (folds by a hash of the job id) is decided by a
model fitted on the other four fifths, with the 297 and without them: the rules are right on nine
in ten of the 297, which they were written on, so a model fitted there learns to copy them.

Result (2026-12-07, ~14 minutes on two shared cores): no candidate beats the rules by a clear
margin. On the check part the rules score 0.784 and the best candidate 0.786 (sparse logistic,
evidence: +0.003, interval -0.025 to +0.030); cross-fitted, the same candidate scores 0.797 (+0.014,
interval -0.014 to +0.041). So the tagger does not use a model.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
from collections import Counter
from dataclasses import dataclass
from itertools import product
from pathlib import Path

from analysis import reading_split
from analysis.evaluate import SAMPLE, LabelError, input_error
from analysis.evaluate_categories import (
    FIELDGUIDE,
    FOURTH_READING_PATH,
    READING_PATH,
    SECOND_READING_PATH,
    fieldguide_postings,
    fieldguide_root,
    read_reading,
)
from analysis.train_ai_type import count_table, page_postings, rule_decisions
from analysis.train_ai_type_model import difference_interval
from jobcrawler.tagging.ai_type_confidence import AiTypeConfidence
from jobcrawler.tagging.ai_type_features import AI_TYPES, FEATURE_NAMES, ai_type_features

FOLDS = 5
INNER_SALT = "aitype5-inner-fold:"
OUTER_SALT = "aitype5-outer-fold:"
UNSURE_BELOW = (0.6, 0.7, 0.8, 0.9, 1.01)  # the rules' confidence below which the model may decide
MODEL_AT_LEAST = (0.5, 0.6, 0.7, 0.8)  # the model's probability of its own choice it then needs
GRIDS = {
    "logistic": [{"C": c} for c in (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)],
    "sparse logistic": [{"C": c} for c in (0.03, 0.1, 0.3, 1.0)],
    "tree": [{"max_depth": d, "min_samples_leaf": leaf} for d, leaf in product((2, 3, 4, 5), (5, 10, 20))],
    "boosted": [{"n_estimators": n, "max_depth": d, "learning_rate": rate}
                for n, d, rate in product((50, 150), (1, 2, 3), (0.05, 0.1))],  # fmt: skip
}


@dataclass
class Example:
    job: str
    features: dict[str, float]
    rules_value: str
    rules_rule: str
    share: float
    truth: str
    reading_set: str


def fold_of(job: str, salt: str) -> int:
    return int(hashlib.sha256(f"{salt}{job}".encode()).hexdigest(), 16) % FOLDS


def evidence_of(postings: dict[str, dict]) -> dict[str, tuple[str, str, float, dict[str, float]]]:
    """Job id -> (rules' AI type, deciding rule, model-work share, features) as the tagger computes them."""

    def describe(rules, job, value, rule):
        features = ai_type_features(rules, job, rule, value)
        return value, rule, features["share:model_work"], features

    return rule_decisions(postings, describe)


def load_examples(pages: Path, root: Path) -> tuple[list[Example], list[Example]]:
    """(training postings: the first set and the second set's tuning part, check part: the fourth set)."""
    first = read_reading(READING_PATH)
    second = read_reading(SECOND_READING_PATH, held_out=True)
    fourth = read_reading(FOURTH_READING_PATH)
    train = {job: (value, READING_PATH.name) for job, value in first.values["ai_type"].items()}
    train.update({job: (value, SECOND_READING_PATH.name) for job, value in second.values["ai_type"].items()
                  if second.parts[job] == reading_split.TUNING})  # fmt: skip
    check = {job: (value, FOURTH_READING_PATH.name) for job, value in fourth.values["ai_type"].items()}
    postings = page_postings(set(first.values["ai_type"]), pages)
    published = fieldguide_postings((set(train) | set(check)) - postings.keys(), root)
    postings.update(published)
    missing = (set(train) | set(check)) - postings.keys()
    if missing:
        raise LabelError(f"{len(missing)} read jobs have no text (e.g. {sorted(missing)[0]})")
    decided = evidence_of(postings)

    def examples(read: dict[str, tuple[str, str]]) -> list[Example]:
        return [Example(job, decided[job][3], decided[job][0], decided[job][1], decided[job][2], truth, name)
                for job, (truth, name) in sorted(read.items())]  # fmt: skip

    return examples(train), examples(check)


# ---------------------------------------------------------------------------- models


# ``all``: every feature; ``evidence``: without the deciding rule and its value, so a model trained
# where the rules were written (and are right nine times in ten) cannot just copy them.
FEATURE_SETS = {
    "all": FEATURE_NAMES,
    "evidence": tuple(name for name in FEATURE_NAMES if not name.startswith(("rule:", "rules say:"))),
}


def matrix(examples: list[Example], names: tuple[str, ...]):
    """Rows of the features ``names``, counts as log(1 + n) (a tenth line says less than a second)."""
    import numpy

    return numpy.array([[_scaled(name, e.features[name]) for name in names] for e in examples])


def _scaled(name: str, value: float) -> float:
    return math.log1p(value) if name.startswith(("kind:", "lines:", "skills:")) else value


def new_model(family: str, settings: dict):
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    if family == "logistic":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000, **settings))
    if family == "sparse logistic":  # an L1 penalty: most weights exactly 0, a few features decide
        return make_pipeline(StandardScaler(),
                             LogisticRegression(l1_ratio=1.0, solver="saga", max_iter=20000, **settings))
    if family == "tree":
        return DecisionTreeClassifier(random_state=0, **settings)
    if family == "boosted":
        return GradientBoostingClassifier(random_state=0, **settings)
    raise ValueError(family)


_FITTED: dict[tuple, list[dict[str, float]]] = {}


def fitted_probabilities(family: str, features: str, settings: dict, train: list[Example],
                         test: list[Example]) -> list[dict[str, float]]:
    """Per test posting: AI type -> the model's probability (a type absent from ``train`` gets 0);
    remembered, as the candidates with and without the rules' doubt fit the same models."""
    key = (family, features, tuple(sorted(settings.items())), tuple(e.job for e in train), tuple(e.job for e in test))
    if key not in _FITTED:
        names = FEATURE_SETS[features]
        model = new_model(family, settings).fit(matrix(train, names), [e.truth for e in train])
        classes = list(model.classes_)
        _FITTED[key] = [{t: (float(row[classes.index(t)]) if t in classes else 0.0) for t in AI_TYPES}
                        for row in model.predict_proba(matrix(test, names))]  # fmt: skip
    return _FITTED[key]


def confidences(train: list[Example], test: list[Example]) -> list[float]:
    """The rules' confidence in each test posting's decision, the table counted on ``train`` only."""
    table = AiTypeConfidence(count_table({e.job: (e.rules_value, e.rules_rule, e.share) for e in train},
                                         {e.job: e.truth for e in train}))  # fmt: skip
    return [table.of(e.rules_rule, e.share)[0] for e in test]


def decide(probabilities: dict[str, float], rules_value: str, sure: float,
           thresholds: tuple[float, float] | None) -> str:
    """The model's choice (``thresholds`` None), or the rules' unless they are unsure and the model is sure."""
    choice = max(AI_TYPES, key=lambda t: (probabilities[t], t))
    if thresholds is None:
        return choice
    below, at_least = thresholds
    return choice if sure < below and probabilities[choice] >= at_least else rules_value


@dataclass(frozen=True)
class Candidate:
    family: str  # a key of GRIDS
    features: str  # a key of FEATURE_SETS
    where_unsure: bool  # the model decides only where the rules are unsure

    @property
    def name(self) -> str:
        return f"{self.family}, {self.features}{', where unsure' if self.where_unsure else ''}"


CANDIDATES = [Candidate(family, features, unsure)
              for family in GRIDS for features in FEATURE_SETS for unsure in (False, True)]


@dataclass(frozen=True)
class Choice:
    settings: dict
    thresholds: tuple[float, float] | None  # None: the model decides every posting


def choose(candidate: Candidate, train: list[Example]) -> Choice:
    """The settings (and thresholds) that agree most with the readings in cross-validation inside
    ``train`` (folds by ``INNER_SALT``); ties go to the first in grid order."""
    agreed: Counter = Counter()
    grid = GRIDS[candidate.family]
    options = list(product(UNSURE_BELOW, MODEL_AT_LEAST)) if candidate.where_unsure else [None]
    for fold in range(FOLDS):
        inner_test = [e for e in train if fold_of(e.job, INNER_SALT) == fold]
        inner_train = [e for e in train if fold_of(e.job, INNER_SALT) != fold]
        sure = confidences(inner_train, inner_test)
        for number, settings in enumerate(grid):
            probabilities = fitted_probabilities(candidate.family, candidate.features, settings,
                                                 inner_train, inner_test)
            for option in options:
                agreed[number, option] += sum(decide(p, e.rules_value, s, option) == e.truth
                                              for p, e, s in zip(probabilities, inner_test, sure))  # fmt: skip
    keys = [(number, option) for number in range(len(grid)) for option in options]
    number, option = max(keys, key=lambda key: (agreed[key], -keys.index(key)))
    return Choice(grid[number], option)


def predict(candidate: Candidate, train: list[Example], test: list[Example]) -> tuple[list[str], Choice]:
    """Settings chosen inside ``train``, the model fitted on all of it, its decisions on ``test``."""
    choice = choose(candidate, train)
    probabilities = fitted_probabilities(candidate.family, candidate.features, choice.settings, train, test)
    sure = confidences(train, test)
    return [decide(p, e.rules_value, s, choice.thresholds) for p, e, s in zip(probabilities, test, sure)], choice


def cross_fitted(candidate: Candidate, train: list[Example], test: list[Example], salt: str) -> list[bool]:
    """Per ``test`` posting (in order): whether the decision of a model that never saw it agreed with
    the reading; each fold of ``test`` (by ``salt``) is decided by a model fitted, settings chosen
    inside, on ``train`` and the other folds of ``test``."""
    hits: dict[str, bool] = {}
    for fold in range(FOLDS):
        held = [e for e in test if fold_of(e.job, salt) == fold]
        rest = train + [e for e in test if fold_of(e.job, salt) != fold]
        decided, _ = predict(candidate, rest, held)
        hits.update({e.job: value == e.truth for e, value in zip(held, decided)})
    return [hits[e.job] for e in test]


def compared(model: list[bool], rules: list[bool]) -> str:
    gap = (sum(model) - sum(rules)) / len(model)
    low, high = difference_interval([float(x) for x in model], [float(x) for x in rules])
    return f"{sum(model) / len(model):.3f} {gap:+.3f} ({low:+.3f} to {high:+.3f})"


def top_weights(family: str, train: list[Example], features: str, settings: dict, count: int = 8) -> list[str]:
    """A logistic model's largest standardized weights per AI type (none of weight 0): what it reads most."""
    names = FEATURE_SETS[features]
    model = new_model(family, settings).fit(matrix(train, names), [e.truth for e in train])
    lines = []
    for row, kind in zip(model[-1].coef_, model[-1].classes_):
        order = [i for i in sorted(range(len(names)), key=lambda i: -abs(row[i]))[:count] if row[i]]
        lines.append(f"  {kind}: " + ", ".join(f"{names[i]} {row[i]:+.2f}" for i in order))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, default=SAMPLE / "pages", help="saved pages of the first reading set")
    parser.add_argument("--fieldguide", type=Path, default=FIELDGUIDE, help="a Field Guide checkout")
    parser.add_argument("--candidates", nargs="+", metavar="NAME", choices=[c.name for c in CANDIDATES],
                        help="only these candidates (default: all)")
    args = parser.parse_args(argv)
    root = fieldguide_root(args.fieldguide)
    if root is None or not args.pages.is_dir():
        print(f"error: the readings' text comes from the saved pages ({args.pages}) and a Field Guide checkout "
              f"({args.fieldguide}); point --pages and --fieldguide at them", file=sys.stderr)  # fmt: skip
        return 1
    try:
        train, check = load_examples(args.pages, root)
    except (OSError, LabelError) as error:
        print(f"error: {input_error(error)}", file=sys.stderr)
        return 1
    rules_train = [e.rules_value == e.truth for e in train]
    rules_check = [e.rules_value == e.truth for e in check]
    print(f"{len(FEATURE_NAMES)} features; training part {len(train)} postings (first set and the second set's "
          f"tuning part), check part {len(check)} (the fourth set)")  # fmt: skip
    print(f"rules: training part {sum(rules_train) / len(train):.3f}, check part {sum(rules_check) / len(check):.3f}")
    print("accuracy, minus the rules' on the same postings (paired 95% bootstrap interval):\n"
          "  nested CV: on the training part, settings chosen inside each outer fold's training postings\n"
          "  check: fitted on the training part, scored on the check part\n"
          "  check, cross-fitted: each fifth of the check part decided by a model fitted on the training part\n"
          "    and the other four fifths (settings chosen inside them)\n"
          "  check alone, cross-fitted: the same without the training part (the rules were written on it)")
    print(f"{'candidate':<34}{'nested CV':>34}{'check':>34}{'check, cross-fitted':>34}{'check alone, cross-fitted':>34}"
          "  chosen on the training part")
    chosen = [c for c in CANDIDATES if args.candidates is None or c.name in args.candidates]
    for candidate in chosen:
        nested = compared(cross_fitted(candidate, [], train, OUTER_SALT), rules_train)
        decided, choice = predict(candidate, train, check)
        on_check = compared([value == e.truth for value, e in zip(decided, check)], rules_check)
        crossed = compared(cross_fitted(candidate, train, check, OUTER_SALT), rules_check)
        alone = compared(cross_fitted(candidate, [], check, OUTER_SALT), rules_check)
        changed = sum(value != e.rules_value for value, e in zip(decided, check))
        print(f"{candidate.name:<34}{nested:>34}{on_check:>34}{crossed:>34}{alone:>34}  {choice.settings} "
              f"thresholds {choice.thresholds}, {changed} check decisions changed", flush=True)  # fmt: skip
    for family, features in product(("logistic", "sparse logistic"), FEATURE_SETS):
        settings = choose(Candidate(family, features, False), train).settings
        print(f"{family}, {features} (fitted on the training part, {settings}): largest standardized weights")
        print("\n".join(top_weights(family, train, features, settings)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
