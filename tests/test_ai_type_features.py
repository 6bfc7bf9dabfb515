"""The AI-type rules' evidence as numbers (``ai_type_features``), on synthetic postings (own phrasing)."""

from __future__ import annotations

import pytest
import yaml

from jobcrawler.tagging import CATEGORIES_PATH, Tagger
from jobcrawler.tagging.ai_type_features import FEATURE_NAMES, RULES, ai_type_features

AGENTS = """About us

We are an AI-native company; our LLM agents answer insurance questions.

About the role

- Build LLM agents and RAG pipelines for our claims team
- Design prompts and evaluate model outputs
- Own CI/CD for the services

Requirements

- Experience with LangChain and vector databases

Nice to have

- Fine-tuning open models"""

PLATFORM = """Responsibilities

- Build the platform that our AI agents run on
- Design data pipelines for the RAG team
- Operate Kubernetes clusters and GPU nodes with Terraform"""

CLASSICAL = """What you will do

- Build computer vision models that inspect parts on the line
- Train deep learning models in PyTorch and TensorFlow
- Classical models with scikit-learn and XGBoost"""

NO_AI = "Responsibilities\n\n- Build web pages with React\n- Write SQL reports for finance"


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.load()


def features_of(tagger: Tagger, title: str, description: str) -> dict[str, float]:
    """The features as a combiner would read them: computed where the rules decide the AI type."""
    seen = {}

    def record(job, value, evidence):
        seen["features"] = ai_type_features(tagger.rules, job, evidence[0]["rule"], value)
        return value, evidence, {}

    original = tagger.refine
    tagger.refine = {"ai_type": record}
    try:
        tagger.tag(title, description)
    finally:
        tagger.refine = original
    return seen["features"]


@pytest.mark.parametrize(
    "title, description, expected",
    [
        # model work in the role and the requirements, LLM skills, a blurb and a nice-to-have apart
        ("AI Engineer", AGENTS, {"kind:model_work@role": 2, "kind:model_work@requirements": 1, "kind:model_work": 3,
                                 "kind:enabling@role": 1, "kind:engineering": 0, "share:model_work": 0.6,
                                 "share:model_vs_enabling": 0.6, "lines:genai_work@company": 1,
                                 "lines:genai_work@nice_to_have": 1, "title:ai_role_title": 1, "title:support_title": 0,
                                 "rule:model work outweighs enabling work (AI title)": 1, "rules say:ai-first": 1,
                                 "rules say:ai-support": 0}),
        # a platform for AI: enabling lines under an enabling title; the agent and RAG words are
        # counted as cues (lines:) though their lines are enabling work (kind:)
        ("AI Platform Engineer", PLATFORM, {"kind:enabling@role": 2, "kind:engineering": 1, "kind:model_work": 0,
                                            "share:model_work": 0.0, "lines:genai_work@read": 2,
                                            "lines:enabling_work@read": 2, "title:support_title": 1,
                                            "title:ai_role_title": 1, "rules say:ai-support": 1,
                                            "rule:model work is a small part of the role": 1}),
        # classical ML: the ML cues counted, no LLM line
        ("Computer Vision Engineer", CLASSICAL, {"lines:ml_work@read": 3, "lines:genai_work@read": 0,
                                                 "skills:genai_work": 0, "rules say:ml": 1,
                                                 "rule:classical ML, no generative AI": 1}),
        # nothing about AI: every AI count zero, the rule that says so
        ("Software Engineer", NO_AI, {"kind:model_work": 0, "lines:ai_word@read": 0, "lines:genai_work@read": 0,
                                      "rules say:unknown": 1, "rule:no AI content in the role": 1}),
        # the title's kind: a forward deployed engineer is AI-first by title
        ("Forward Deployed Engineer",
         "Responsibilities\n\n- Deploy our AI agents at customer sites\n- Write SQL reports",
         {"title:forward_deployed_title": 1, "title:ai_role_title": 0, "rule:forward deployed": 1,
          "rules say:ai-first": 1}),
    ],
)
def test_features_of_a_posting(tagger, title, description, expected):
    features = features_of(tagger, title, description)
    assert list(features) == list(FEATURE_NAMES)
    assert {name: pytest.approx(features[name]) for name in expected} == expected
    assert sum(features[f"rules say:{v}"] for v in ("ai-first", "ai-support", "ml", "unknown")) == 1
    assert sum(value for name, value in features.items() if name.startswith("rule:")) == 1


def test_the_features_are_a_pure_function_of_the_posting(tagger):
    assert features_of(tagger, "AI Engineer", AGENTS) == features_of(tagger, "AI Engineer", AGENTS)


def test_the_feature_list_knows_every_ai_type_rule_of_the_rules_file():
    rules = yaml.safe_load(CATEGORIES_PATH.read_text(encoding="utf-8"))["categories"]["ai_type"]["rules"]
    assert list(RULES) == [rule["name"] for rule in rules] + ["default"]


def test_a_rule_the_features_do_not_know_is_a_clear_error(tagger):
    seen = {}

    def record(job, value, evidence):
        with pytest.raises(ValueError, match="no rule 'renamed rule'"):
            ai_type_features(tagger.rules, job, "renamed rule", value)
        seen["checked"] = True
        return value, evidence, {}

    original = tagger.refine
    tagger.refine = {"ai_type": record}
    try:
        tagger.tag("AI Engineer", AGENTS)
    finally:
        tagger.refine = original
    assert seen == {"checked": True}
