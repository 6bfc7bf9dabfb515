"""Transparent job tagging: skills with evidence, and per-job categories, from YAML rules.

``Tagger.load()`` reads ``taxonomy.yaml`` (skills), ``categories.yaml`` (category rules) and
``sections.yaml`` (the parts of a description), compiles them once, and then tags a job
offline in well under a millisecond. Every skill carries the text it was found as and where
(source and section), and every category the rule that decided it with its evidence, so a
reader can check any tag.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable

import yaml

from jobcrawler.tagging.ai_type_confidence import CONFIDENCE_PATH, AiTypeConfidence
from jobcrawler.tagging.classify import CategoryRules
from jobcrawler.tagging.matcher import Prepared, Skill, SkillMatcher
from jobcrawler.tagging.sections import SECTIONS_PATH, SectionSplitter

# importlib.resources: a Scrapyd egg keeps the package zipped, where no file path exists.
PACKAGE_DIR = resources.files(__name__)
TAXONOMY_PATH = PACKAGE_DIR / "taxonomy.yaml"
CATEGORIES_PATH = PACKAGE_DIR / "categories.yaml"
# libyaml's safe loader where PyYAML was built with it: the pure-Python one spends ~0.15 s on
# the taxonomy at every crawl's start.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = ["CATEGORIES_PATH", "SECTIONS_PATH", "TAXONOMY_PATH", "Tagger", "Tags", "category_columns"]


@dataclass
class Tags:
    skills: list[dict] = field(default_factory=list)  # {skill, category, matched, source, section}
    categories: dict = field(default_factory=dict)  # ai_type, company_stage, is_* flags, ...
    # category -> why it has its value: [{rule, condition, matched, section}, ...] (see classify.py)
    evidence: dict = field(default_factory=dict)


def category_columns(categories_path: str | Path = CATEGORIES_PATH) -> dict[str, type]:
    """Column name -> SQLite type of every category ``categories.yaml`` declares, in file order:
    the one declaration of the per-job label columns (storage and tests read it from here).
    Lists are stored as JSON text, true/false flags as integers."""
    config = yaml.load(_read_bytes(categories_path), Loader=_YAML_LOADER)
    columns = {}
    for name, spec in (config.get("categories") or {}).items():
        values = [spec.get("default"), *(rule.get("value") for rule in spec.get("rules") or ())]
        flag = not spec.get("list") and all(isinstance(v, bool) for v in values if v is not None)
        columns[name] = int if flag else str
    return columns


def _read_bytes(path) -> bytes:
    """A packaged file (a path, or a zip entry in an egg) or a path given as text."""
    return path.read_bytes() if hasattr(path, "read_bytes") else Path(path).read_bytes()


def load_skills(taxonomy: dict) -> list[Skill]:
    """Skill entries of a parsed taxonomy file, lists made tuples."""
    return [
        Skill(**{key: tuple(value) if isinstance(value, list) else value for key, value in entry.items()})
        for entry in taxonomy["skills"]
    ]


class Tagger:
    """Skills and categories for one job; build once with ``load`` and reuse."""

    def __init__(
        self, taxonomy: dict, category_rules: dict, version: str, count_top_skills: bool, sections: dict | None = None,
        ai_type_confidence: AiTypeConfidence | None = None,
    ):
        context = taxonomy.get("context", {})
        self.skills = load_skills(taxonomy)
        self.matcher = SkillMatcher(
            self.skills, context.get("window", 60), context.get("cues", []), context.get("list_leads", [])
        )
        self.sections = SectionSplitter(sections) if sections is not None else SectionSplitter.load()
        # the splitter's paragraph cues and the skills' patterns and forms ride along in the
        # rules' pass over each description, and the skills' patterns and forms in that over the title
        self.rules = CategoryRules(category_rules, shared_text_sets={**self.sections.cue_sets, **self.matcher.phrase_sets},
                                   text_riders=self.matcher.forms, shared_title_sets=self.matcher.phrase_sets)
        self.version = version
        self.count_top_skills = count_top_skills
        self.ai_type_confidence = ai_type_confidence
        # category -> what reads a rules' decision right after it is made (``CategoryRules.decide``'s
        # ``refine``): the AI type's confidence; the confidence table's counter puts its own here
        self.refine = {"ai_type": self._rate_ai_type} if ai_type_confidence is not None else {}

    @classmethod
    def load(
        cls,
        taxonomy_path: str | Path = TAXONOMY_PATH,
        categories_path: str | Path = CATEGORIES_PATH,
        count_top_skills: bool | None = None,
        sections_path: str | Path = SECTIONS_PATH,
        ai_type_confidence_path: str | Path | None = CONFIDENCE_PATH,
    ) -> "Tagger":
        """Read and compile the YAML files and the AI-type confidence table; ``version`` hashes their bytes.

        ``count_top_skills`` overrides the taxonomy's own ``count_top_skills`` setting
        (builtin's "Top Skills" chips as skill evidence or not); the evaluator uses it
        to measure both ways. ``ai_type_confidence_path=None``: no confidence (what the table
        is counted with).
        """
        taxonomy_bytes = _read_bytes(taxonomy_path)
        categories_bytes = _read_bytes(categories_path)
        sections_bytes = _read_bytes(sections_path)
        confidence_bytes = _read_bytes(ai_type_confidence_path) if ai_type_confidence_path is not None else b""
        taxonomy = yaml.load(taxonomy_bytes, Loader=_YAML_LOADER)
        version = hashlib.sha256(b"\0".join((taxonomy_bytes, categories_bytes, sections_bytes, confidence_bytes))).hexdigest()[:12]
        if count_top_skills is None:
            count_top_skills = bool(taxonomy.get("count_top_skills", False))
        categories = yaml.load(categories_bytes, Loader=_YAML_LOADER)
        sections = yaml.load(sections_bytes, Loader=_YAML_LOADER)
        confidence = AiTypeConfidence(json.loads(confidence_bytes)) if confidence_bytes else None
        return cls(taxonomy, categories, version, count_top_skills, sections, confidence)

    @property
    def headline_skills(self) -> list[str]:
        return [skill.skill for skill in self.skills if skill.headline]

    def tag(
        self,
        title: str,
        description: str,
        top_skills: Iterable[str] = (),
        industries: Iterable[str] = (),
        level: str | None = None,
        company_size: int | None = None,
    ) -> Tags:
        chips = list(top_skills or ()) if self.count_top_skills else []
        prepared, prepared_title = Prepared(description or ""), Prepared(title or "")  # each read by several passes
        text_counts, title_counts = self.rules.text_counts(prepared), self.rules.title_counts(prepared_title)
        sections = self.sections.split(prepared, text_counts)
        skills, skill_sections = self.matcher.match_sections(prepared_title, prepared, chips, sections, text_counts,
                                                             title_phrases=title_counts)
        categories, evidence = self.rules.decide(
            title=prepared_title,
            description=prepared,
            skills=skills,
            industries=list(industries or ()),
            level=level,
            company_size=company_size,
            sections=sections,
            skill_sections=skill_sections,
            text_counts=text_counts,
            title_counts=title_counts,
            refine=self.refine,
        )
        return Tags(skills=skills, categories=categories, evidence=evidence)

    def _rate_ai_type(self, job, value: str, evidence: list[dict]) -> tuple[str, list[dict], dict]:
        """The rules' AI type with its confidence (``CategoryRules.decide``'s ``refine``), and a last
        evidence row saying where the confidence comes from."""
        confidence, why = self.ai_type_confidence.of(evidence[0]["rule"], self.rules.model_work_share(job))
        row = {"rule": "confidence", "condition": why, "matched": None, "section": None}
        return value, [*evidence, row], {"ai_type_confidence": round(confidence, 3)}
