"""The AI-type confidence: bands, smoothing, and the tagger storing it with the decision."""

from __future__ import annotations

import pytest

from jobcrawler.tagging import Tagger
from jobcrawler.tagging.ai_type_confidence import PRIOR_READINGS, AiTypeConfidence, cell, share_band


@pytest.mark.parametrize("share, band", [(0.0, "<0.15"), (0.149, "<0.15"), (0.15, "0.15-0.3"), (0.3, "0.3-0.45"),
                                         (0.45, ">=0.45"), (0.9, ">=0.45")])
def test_share_bands(share, band):
    assert share_band(share) == band


def test_a_thin_cell_leans_on_its_rule_and_an_unknown_rule_on_the_whole_table():
    table = AiTypeConfidence({
        "overall": [8, 10],
        "rules": {"r": [30, 40]},
        "cells": {cell("r", 0.5): [2, 2], cell("r", 0.1): [0, 0]},
    })
    overall = 9 / 12  # Laplace: (8 + 1) / (10 + 2)
    rule = (30 + PRIOR_READINGS * overall) / (40 + PRIOR_READINGS)
    confidence, why = table.of("r", 0.5)
    assert confidence == pytest.approx((2 + PRIOR_READINGS * rule) / (2 + PRIOR_READINGS))
    assert why.endswith("r | model-work share >=0.45: 2 of 2 tuning readings agreed")
    assert table.of("r", 0.1)[0] == pytest.approx(rule)  # an empty cell is its rule's agreement
    assert table.of("never seen", 0.1)[0] == pytest.approx(overall)


def test_every_ai_type_decision_carries_its_confidence_and_says_where_it_comes_from():
    tags = Tagger.load().tag("AI Engineer", "What you will do:\n- Build RAG pipelines and LLM agents\n- Fine-tune models")
    confidence = tags.categories["ai_type_confidence"]
    assert 0.0 < confidence < 1.0
    last = tags.evidence["ai_type"][-1]
    assert last["rule"] == "confidence" and last["condition"].startswith(f"{confidence:.2f}: ")
    assert tags.evidence["ai_type"][0]["rule"] in last["condition"]


def test_without_a_table_the_rules_decide_alone():
    tagger = Tagger.load(ai_type_confidence_path=None)
    tags = tagger.tag("AI Engineer", "Build RAG pipelines and LLM agents.")
    assert "ai_type_confidence" not in tags.categories
    assert tagger.version != Tagger.load().version  # the table is part of the tagger's version
