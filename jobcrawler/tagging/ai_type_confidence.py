"""How far to trust an AI-type decision of the rules: how often the same rule, at the same weight of
model work, agreed with a careful reading of postings it was tuned on.

Why a table and not a learnt model: a logistic regression over the role's words and the rules'
outputs, alone or overriding the rules where it is sure, came within noise of the rules alone
in cross-validation on the 662 tuning readings (``python -m analysis.train_ai_type_model``
prints the table: +1 point on the 508 postings of the published analysis, 95% interval -1 to +3,
when an inner cross-validation picks where the model overrides; +2, interval -0.5 to +4.7, for the
best of seven override thresholds picked after the fact), and so did models over the rules' own
evidence (``ai_type_features.py``; ``python -m analysis.train_ai_type_combiner``: at best +1.4
points on the fourth reading set, interval -1.4 to +4.1), so the rules keep deciding; what they
lacked is a measure of doubt. The table
(``ai_type_confidence.json``, written by ``python -m analysis.train_ai_type --write`` from the
tuning part of the second reading set, whose errors the rules were also revised on, so it runs
optimistic: see ``analysis/train_ai_type.py``) counts, per deciding rule and per band of the model-work share
of the role's lines, the readings that agreed; the confidence is that agreement, smoothed toward
the rule's and then the overall agreement when a cell holds few readings. It is stored with the
decision (``ai_type_confidence``) and ``python -m jobcrawler.label --only-uncertain`` sends the
postings below a chosen confidence to an LLM.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

CONFIDENCE_PATH = resources.files("jobcrawler.tagging") / "ai_type_confidence.json"
SHARE_BANDS = (0.15, 0.3, 0.45)  # edges of the model-work share bands (the rules' own threshold is 0.3)
PRIOR_READINGS = 4  # a cell of n readings weighs n against this many of its rule's (or overall) agreement


def share_band(share: float) -> str:
    """The band of a model-work share: ``<0.15``, ``0.15-0.3``, ``0.3-0.45`` or ``>=0.45``."""
    edges = SHARE_BANDS
    for low, high in zip((None, *edges), (*edges, None)):
        if high is None or share < high:
            return f">={low}" if high is None else (f"<{high}" if low is None else f"{low}-{high}")
    raise AssertionError("unreachable")


def cell(rule: str, share: float) -> str:
    return f"{rule} | model-work share {share_band(share)}"


class AiTypeConfidence:
    """Agreement counts ``[agreed, read]`` overall, per rule and per (rule, share band) cell."""

    def __init__(self, table: dict):
        self.overall = _rate(table["overall"], None)
        self.rules = {rule: tuple(counts) for rule, counts in table["rules"].items()}
        self.cells = {name: tuple(counts) for name, counts in table["cells"].items()}

    @classmethod
    def load(cls, path=CONFIDENCE_PATH) -> "AiTypeConfidence":
        text = path.read_text(encoding="utf-8") if hasattr(path, "read_text") else Path(path).read_text(encoding="utf-8")
        return cls(json.loads(text))

    def of(self, rule: str, share: float) -> tuple[float, str]:
        """(confidence, why) of a decision by ``rule`` at a model-work share of the role's lines."""
        rule_rate = _rate(self.rules.get(rule, (0, 0)), self.overall)
        name = cell(rule, share)
        agreed, read = self.cells.get(name, (0, 0))
        confidence = _rate((agreed, read), rule_rate)
        return confidence, f"{confidence:.2f}: {name}: {agreed} of {read} tuning readings agreed"


def _rate(counts, prior: float | None) -> float:
    """Agreement of ``[agreed, read]``, smoothed toward ``prior`` (Laplace's 1 of 2 when None)."""
    agreed, read = counts
    if prior is None:
        return (agreed + 1) / (read + 2)
    return (agreed + PRIOR_READINGS * prior) / (read + PRIOR_READINGS)
