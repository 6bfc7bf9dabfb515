"""Per-job categories from the readable rules in ``categories.yaml``.

Why a tiny rule language instead of code: the rules are the definitions the report
prints ("ai-support = builds platforms, data, tooling near AI..."), so they live as
data a reader can check and change. Each category is an ordered list of
``{value, when}`` rules (first match wins) and a ``default``; a ``list`` category
collects the value of every rule that matches. Conditions:

    {title: SET}                         a phrase of SET appears in the title
    {text: SET, min: N, max: N}          number of SET phrases in title + description (bare: >= 1)
    {skills: GROUP, min: N, max: N}      number of distinct skills of GROUP found
    {level: [Entry level, ...]}          the page's level is one of these
    {industries: SET}                    an industry matches a phrase of SET
    {company_size: {min: N, max: N}}     employees, when known
    {category: NAME, in: [values]}       a category decided earlier (rules run in file order)
    {all: [...]}, {any: [...]}, {not: {...}}

Phrase sets (``phrases``) are regular expressions matched case-insensitively, never
inside a word; skill groups (``skill_groups``) are lists of skill display names.
Everything is compiled once at load, one phrase index per field (title, text, industries)
holding only the sets that field's conditions use, so a posting's text is not searched
for the many short words that only title rules look for.
"""

from __future__ import annotations

from typing import Any, Callable

from jobcrawler.tagging.matcher import PhraseCounts, PhraseIndex

Condition = Callable[["_Job"], bool]


class _Job:
    """What the rules read about one job; phrases are found on first use, once."""

    def __init__(self, phrases: dict[str, PhraseIndex], title: str, description: str, skills: list[dict], **page: Any):
        self._phrases = phrases
        self._title, self._text = title, f"{title}\n{description}"
        self._scans: dict[str, Any] = {}
        self.skill_names = {s["skill"] for s in skills}
        self.industries = page["industries"]
        self.level = (page["level"] or "").strip().lower()
        self.company_size = page["company_size"]
        self.categories: dict[str, Any] = {}

    def phrases_in(self, field: str) -> PhraseCounts:
        if field not in self._scans:
            self._scans[field] = self._phrases[field].scan(self._title if field == "title" else self._text)
        return self._scans[field]


class CategoryRules:
    """Every category of ``categories.yaml``, its conditions compiled to closures."""

    def __init__(self, config: dict):
        self._phrase_sets = dict(config.get("phrases") or {})
        self._used: dict[str, set[str]] = {"title": set(), "text": set(), "industries": set()}
        self._groups = {name: list(members) for name, members in (config.get("skill_groups") or {}).items()}
        self._categories = []
        for name, spec in (config.get("categories") or {}).items():
            rules = [(rule.get("value", True), self._condition(rule["when"])) for rule in spec.get("rules", [])]
            self._categories.append((name, spec.get("list", False), spec.get("default"), rules))
        self._phrases = {
            field: PhraseIndex({name: self._phrase_sets[name] for name in sorted(names)})
            for field, names in self._used.items()
        }

    def classify(
        self,
        title: str,
        description: str,
        skills: list[dict],
        industries: list[str] = (),
        level: str | None = None,
        company_size: int | None = None,
    ) -> dict:
        page = {"industries": list(industries), "level": level, "company_size": company_size}
        job = _Job(self._phrases, title, description, skills, **page)
        for name, is_list, default, rules in self._categories:
            if is_list:
                value = [v for v, condition in rules if condition(job)]
            else:
                value = next((v for v, condition in rules if condition(job)), default)
            job.categories[name] = value
        return job.categories

    # ------------------------------------------------------------------ conditions
    def _condition(self, spec: dict) -> Condition:
        if "all" in spec:
            parts = [self._condition(s) for s in spec["all"]]
            return lambda job: all(p(job) for p in parts)
        if "any" in spec:
            parts = [self._condition(s) for s in spec["any"]]
            return lambda job: any(p(job) for p in parts)
        if "not" in spec:
            inner = self._condition(spec["not"])
            return lambda job: not inner(job)
        low, high = spec.get("min", 0 if "max" in spec else 1), spec.get("max", float("inf"))  # bare = at least one
        if "title" in spec:
            name = self._phrase(spec["title"], "title")
            return lambda job: job.phrases_in("title").any(name)
        if "text" in spec:
            name = self._phrase(spec["text"], "text")
            return lambda job: low <= job.phrases_in("text").count(name) <= high
        if "skills" in spec:
            count = self._group_counter(spec["skills"])
            return lambda job: low <= count(job) <= high
        if "level" in spec:
            levels = {level.lower() for level in spec["level"]}
            return lambda job: job.level in levels
        if "industries" in spec:
            name = self._phrase(spec["industries"], "industries")
            return lambda job: any(self._phrases["industries"].scan(industry).any(name) for industry in job.industries)
        if "company_size" in spec:
            bounds = spec["company_size"]
            size_low, size_high = bounds.get("min", 0), bounds.get("max", float("inf"))
            return lambda job: job.company_size is not None and size_low <= job.company_size <= size_high
        if "category" in spec:
            name, values = spec["category"], spec.get("in", [True])
            return lambda job: job.categories.get(name) in values
        raise ValueError(f"unknown condition {spec!r}")

    def _phrase(self, name: str, field: str) -> str:
        if name not in self._phrase_sets:
            raise ValueError(f"unknown phrase set {name!r}")
        self._used[field].add(name)
        return name

    def _group_counter(self, name: str) -> Callable[[_Job], int]:
        if name not in self._groups:
            raise ValueError(f"unknown skill group {name!r}")
        members = set(self._groups[name])
        return lambda job: len(job.skill_names & members)
