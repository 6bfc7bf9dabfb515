"""The AI-type rules' own evidence as numbers: what a learned combiner over the rules would read.

Why: the rules weigh a posting's lines by kind (hands-on model work, enabling work, other
engineering...) and decide by a share and the title; a model fitted on careful readings could
weigh the same quantities differently (the role's lines against the requirements', classical-ML
cues, what the nice-to-haves and the company blurb say). ``ai_type_features`` is a pure function of
a posting as the rules read it (``CategoryRules.decide``'s ``refine`` hands it the job), so a
trainer and a tagger see the same vector. ``python -m analysis.train_ai_type_combiner`` measures
such models against the rules.

Features (``FEATURE_NAMES``, fixed order; counts are lines, a line being a bullet or a sentence):

- ``kind:<kind>@<section>``: lines of each line kind of ``categories.yaml`` in the role and in the
  requirements, and ``kind:<kind>`` both together;
- ``share:model_work``: the share the rules weigh, ``share:model_vs_enabling`` model work against
  enabling work only;
- ``lines:<set>@<section>``: lines holding a phrase of an AI-type phrase set (LLM and agent work,
  AI words, classical ML, building AI, supporting AI, enabling work, AI tools used) in the read
  sections, and of the LLM/agent and classical-ML sets in the nice-to-haves and the company blurb;
- ``skills:genai_work``: distinct LLM/agent skills named in the read sections or the title;
- ``title:<set>``: 1 when the title holds a phrase of that title set (AI role, enabling, interface,
  sales, forward deployed, full-stack, back-end);
- ``rule:<name>`` and ``rules say:<value>``: 1 for the rule that decided and the value it gave.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jobcrawler.tagging.classify import CategoryRules, _Job

AI_TYPES = ("ai-first", "ai-support", "ml", "unknown")
LINE_KINDS = ("model_work", "enabling", "engineering", "uses_ai_tools", "keeping_up")
READ_SECTIONS = ("role", "requirements")
READ_SETS = ("genai_work", "ai_work", "ai_word", "ml_work", "builds_ai", "supports_ai", "enabling_work", "ai_tool_use")
OUTSIDE_SETS = ("genai_work", "ml_work")
OUTSIDE_SECTIONS = ("nice_to_have", "company")
TITLE_SETS = ("ai_role_title", "support_title", "interface_title", "sales_title", "forward_deployed_title",
              "fullstack_title", "backend_title")  # fmt: skip
# The ai_type rules of categories.yaml, in file order (a renamed rule fails the tests, not silently)
RULES = ("sales title", "no AI content in the role", "forward deployed", "only uses AI tools",
         "classical ML, no generative AI", "mostly classical ML", "interface of an AI product",
         "model work outweighs enabling work (enabling title)", "model work outweighs enabling work (AI title)",
         "model work outweighs enabling work", "model work is a small part of the role", "default")  # fmt: skip

FEATURE_NAMES: tuple[str, ...] = (
    *(f"kind:{kind}@{section}" for kind in LINE_KINDS for section in READ_SECTIONS),
    *(f"kind:{kind}" for kind in LINE_KINDS),
    "share:model_work",
    "share:model_vs_enabling",
    *(f"lines:{name}@read" for name in READ_SETS),
    *(f"lines:{name}@{section}" for name in OUTSIDE_SETS for section in OUTSIDE_SECTIONS),
    "skills:genai_work",
    *(f"title:{name}" for name in TITLE_SETS),
    *(f"rule:{name}" for name in RULES),
    *(f"rules say:{value}" for value in AI_TYPES),
)


def ai_type_features(rules: "CategoryRules", job: "_Job", rule: str, value: str) -> dict[str, float]:
    """Feature name -> value (every name of ``FEATURE_NAMES``) for a job the rules decided as
    ``value`` by ``rule``."""
    features = dict.fromkeys(FEATURE_NAMES, 0.0)
    kinds = rules._kinds(job)
    for kind in LINE_KINDS:
        lines = kinds.get(kind, {})
        features[f"kind:{kind}"] = float(len(lines))
        for match in lines.values():
            section = job.section_at(match.start())
            if section in READ_SECTIONS:
                features[f"kind:{kind}@{section}"] += 1
    model, enabling = features["kind:model_work"], features["kind:enabling"]
    features["share:model_work"] = model / (model + enabling + features["kind:engineering"] + 1)
    features["share:model_vs_enabling"] = model / (model + enabling + 1)
    read = frozenset(READ_SECTIONS)
    for name in READ_SETS:
        features[f"lines:{name}@read"] = float(len(job.lines_with(name, read)))
    for name in OUTSIDE_SETS:
        for section in OUTSIDE_SECTIONS:
            features[f"lines:{name}@{section}"] = float(len(job.lines_with(name, frozenset((section,)))))
    features["skills:genai_work"] = float(len(job.skills_in(rules._group("genai_work"), read | {"title"})))
    title = job.phrases_in("title")
    for name in TITLE_SETS:
        features[f"title:{name}"] = float(title.any(name))
    rule_key, value_key = f"rule:{rule}", f"rules say:{value}"
    if rule_key not in features or value_key not in features:
        raise ValueError(f"the AI-type features know no rule {rule!r} or value {value!r}: "
                         "update ai_type_features.RULES")
    features[rule_key] = features[value_key] = 1.0
    return features
