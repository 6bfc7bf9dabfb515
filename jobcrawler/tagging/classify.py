"""Per-job categories from the readable rules in ``categories.yaml``, each with its evidence.

Why a tiny rule language instead of code: the rules are the definitions the report
prints ("ai-support = builds platforms, data, tooling near AI..."), so they live as
data a reader can check and change. Each category is an ordered list of
``{name, value, when}`` rules (first match wins) and a ``default``; a ``list`` category
collects the value of every rule that matches. Conditions:

    {title: SET}                         a phrase of SET appears in the title
    {text: SET, min: N, max: N}          number of SET phrases in the description's read sections (bare: >= 1)
    {lines: SET, unless: SET, min, max}  number of lines of the read sections holding a SET phrase (and no
                                         ``unless`` phrase); a line is a bullet or a sentence
    {line_kind: KIND, min: N, max: N}    number of lines of the read sections of KIND (see ``line_kinds``)
    {share: KIND, of: [KIND, ...], min: X, max: X}
                                         lines of KIND / (lines of all the ``of`` kinds + 1): what the role
                                         mostly does, e.g. hands-on model work against enabling work
    {skills: GROUP, min: N, max: N}      number of distinct skills of GROUP found in the read sections
    {level: [Entry level, ...]}          the page's level is one of these
    {industries: SET}                    an industry matches a phrase of SET
    {company_size: {min: N, max: N}}     employees, when known
    {category: NAME, in: [values]}       a category decided earlier (rules run in file order)
    {all: [...]}, {any: [...]}, {not: {...}}

``text`` and ``skills`` conditions read only the sections of the description named by
``sections:`` (a list of kinds from ``sections.yaml``, plus ``title`` for skills; ``any``
for the whole text); without it, the file's ``read_sections``: what the role does and
asks, not the company blurb or the benefits.

Phrase sets (``phrases``) are lists of regular expressions matched case-insensitively, never
inside a word. Two kinds of entries keep long expressions readable: ``{include: NAME}`` adds
another set's patterns (a shared list written once), and ``{template: T, words: {slot: [...]}}``
writes one pattern from a short template whose ``{slot}``s stand for alternatives listed one a
line (a slot may name a list of the file's ``words`` instead). Skill groups (``skill_groups``)
are lists of skill display names. A category's ``only_if`` condition guards all its rules at
once: when it fails the category keeps its default.
Everything is compiled once at load, one phrase index per field (title, text, industries)
holding only the sets that field's conditions use, so a posting's text is not searched
for the many short words that only title rules look for.

``line_kinds`` sorts each line of the read sections into the first kind, in file order, one of
whose phrase sets it holds (and none of its ``unless`` sets); a line matching none has no kind.
Counting lines rather than phrases weighs what the role does: a bullet that names five
frameworks is still one responsibility.

Evidence: ``decide`` also returns, per category, the rule that gave its value (``default``
when none did) and what its conditions found: ``{rule, condition, matched, section}`` rows.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import chain
from typing import Any, Callable

from jobcrawler.tagging.matcher import PhraseCounts, PhraseIndex, Prepared
from jobcrawler.tagging.sections import KINDS, Sections

Evidence = list[dict]
_MAX_EVIDENCE = 3
_MIN_TITLE_CHARS = 12  # shorter titles ("AI Engineer") are ordinary words in a posting, not a restatement  # phrases kept per condition: enough to see why, short enough to store


class _Job:
    """What the rules read about one job; phrases are found on first use, once."""

    def __init__(self, phrases: dict[str, PhraseIndex], title: "str | Prepared", description: "str | Prepared",
                 skills: list[dict], **page: Any):
        self._phrases = phrases
        self._prepared = description if isinstance(description, Prepared) else Prepared(description)
        self._title_prepared = title if isinstance(title, Prepared) else Prepared(title)
        self._title, self._description = self._title_prepared.text, self._prepared.text
        self._scans: dict[str, Any] = {}
        self.skills = skills
        self.skill_sections: dict[str, set[str]] = page["skill_sections"] or {
            s["skill"]: {s.get("section") or s.get("source") or "description"} for s in skills
        }
        self.sections: Sections | None = page["sections"]
        self.industries = page["industries"]
        self._industries: dict[str, PhraseCounts] = {}
        self.level = (page["level"] or "").strip().lower()
        self.company_size = page["company_size"]
        self.categories: dict[str, Any] = {}
        self._line_starts: list[int] | None = None
        self._title_spans: list[tuple[int, int]] | None = None
        self._located_sets: dict[str, list[tuple[int, str, re.Match]]] = {}
        self._lines: dict[tuple, dict[int, re.Match]] = {}
        self.line_kinds: dict[str, dict[int, re.Match]] | None = None

    def use_counts(self, field: str, counts: PhraseCounts) -> None:
        """A scan of the description (``text``) or the title made by the caller, shared."""
        self._scans[field] = counts

    def phrases_in(self, field: str) -> PhraseCounts:
        if field not in self._scans:
            self._scans[field] = self._phrases[field].scan(self._title_prepared if field == "title" else self._prepared)
        return self._scans[field]

    def industry_phrases(self, industry: str) -> PhraseCounts:
        """One industry's scan, made once per job (several rules read the industries)."""
        found = self._industries.get(industry)
        if found is None:
            found = self._industries[industry] = self._phrases["industries"].scan(industry)
        return found

    def in_title(self, offset: int) -> bool:
        """``offset`` falls inside a restatement of the job title in the description."""
        if self._title_spans is None:
            title = " ".join(self._title.split()).lower()
            low = self._prepared.low
            self._title_spans = []
            if len(title) >= _MIN_TITLE_CHARS:
                start = low.find(title)
                while start >= 0:
                    self._title_spans.append((start, start + len(title)))
                    start = low.find(title, start + 1)
        spans = self._title_spans
        return bool(spans) and any(start <= offset < end for start, end in spans)

    def quote(self, match: re.Match, field: str = "text") -> str:
        """The words a match covers as the posting writes them (phrases match lowered text)."""
        return (self._title if field == "title" else self._description)[match.start() : match.end()]

    def section_at(self, offset: int) -> str:
        return self.sections.at(offset) if self.sections is not None else "role"

    def line_of(self, offset: int) -> int:
        """Index of the line (bullet or sentence) of the description holding ``offset``."""
        if self._line_starts is None:
            # after each newline (the text's own line starts), and after each sentence end
            newlines = self._prepared.line_starts
            sentences = [match.end() for match in _SENTENCE_END.finditer(self._description)]
            self._line_starts = sorted(chain(newlines, sentences)) if sentences else newlines
        return bisect_right(self._line_starts, offset) - 1

    def lines_with(self, name: str, sections: frozenset[str] | None) -> dict[int, re.Match]:
        """Line index -> first match of phrase set ``name`` there, for lines in ``sections``.

        A match inside the job title restated in the text ("We are seeking a Lead Agentic AI
        Engineer") says nothing the title does not, so it does not count.
        """
        key = (name, sections)
        found = self._lines.get(key)
        if found is None:
            found = {}
            for line, section, match in self._located(name):
                if (sections is None or section in sections) and line not in found:
                    found[line] = match
            self._lines[key] = found
        return found

    def lines_without(self, name: str, unless: tuple[str, ...], sections: frozenset[str] | None) -> dict[int, re.Match]:
        """``lines_with`` but for the lines holding a phrase of a set of ``unless`` (found once:
        several rules read the same lines)."""
        if not unless:
            return self.lines_with(name, sections)
        key = (name, unless, sections)
        found = self._lines.get(key)
        if found is None:
            voided = set().union(*(self.lines_with(other, sections) for other in unless))
            found = {line: match for line, match in self.lines_with(name, sections).items() if line not in voided}
            self._lines[key] = found
        return found

    def _located(self, name: str) -> list[tuple[int, str, re.Match]]:
        """(line, section, match) of each match of a set outside restated titles, found once."""
        located = self._located_sets.get(name)
        if located is None:
            matches = self.phrases_in("text").matches(name)
            if not matches:  # most sets, in a short posting: nothing to place
                self._located_sets[name] = located = []
                return located
            if self._line_starts is None:
                self.line_of(0)
            self.in_title(0)
            line_starts, titles = self._line_starts, self._title_spans
            if self.sections is not None and self.sections.spans:
                section_starts, kinds = self.sections.boundaries()
            else:
                section_starts, kinds = [0], ["role"]
            located = []
            for match in matches:
                offset = match.start()
                if titles and any(start <= offset < end for start, end in titles):
                    continue
                section = kinds[max(0, bisect_right(section_starts, offset) - 1)]
                located.append((bisect_right(line_starts, offset) - 1, section, match))
            self._located_sets[name] = located
        return located

    def skills_in(self, members: set[str], sections: frozenset[str] | None) -> list[str]:
        found = [name for name in self.skill_sections if name in members]
        if sections is None:
            return found
        return [name for name in found if self.skill_sections[name] & sections]


class _Condition:
    """A compiled condition: ``test`` decides, ``explain`` says what it found (asked only of
    the rule that won, so a posting pays for evidence once per category)."""

    __slots__ = ("test", "explain")

    def __init__(self, test: Callable[[_Job], bool], explain: Callable[[_Job], Evidence] = lambda job: []):
        self.test, self.explain = test, explain


class CategoryRules:
    """Every category of ``categories.yaml``, its conditions compiled to closures."""

    def __init__(self, config: dict, shared_text_sets: dict[str, list[str]] | None = None,
                 text_riders: dict[str, object] | None = None, shared_title_sets: dict[str, list[str]] | None = None):
        """``shared_text_sets``: other modules' phrase sets to find in the same pass over a
        description (the section splitter's cues); ``text_counts`` returns that scan.
        ``text_riders``: other keys that pass finds (``PhraseIndex``'s riders: the skills' forms).
        ``shared_title_sets``: the same for the pass over a title (``title_counts``), which finds
        ``text_riders`` too."""
        words = config.get("words") or {}
        phrases = config.get("phrases") or {}
        self._phrase_sets = {name: _expand(name, phrases, words) for name in phrases}
        self._used: dict[str, set[str]] = {"title": set(), "text": set(), "industries": set()}
        for name, patterns in (shared_text_sets or {}).items():
            if name in self._phrase_sets:
                raise ValueError(f"shared phrase set {name!r} clashes with a category phrase set")
            self._phrase_sets[name] = list(patterns)
            self._used["text"].add(name)
        for name, patterns in (shared_title_sets or {}).items():
            if self._phrase_sets.setdefault(name, list(patterns)) != list(patterns):
                raise ValueError(f"shared phrase set {name!r} clashes with another phrase set")
            self._used["title"].add(name)
        self._groups = {name: list(members) for name, members in (config.get("skill_groups") or {}).items()}
        self._read = self._sections(config.get("read_sections", "any"))
        self._line_kinds = [
            (entry["kind"], [self._phrase(n, "text") for n in _names(entry["phrases"])],
             [self._phrase(n, "text") for n in _names(entry.get("unless", []))])
            for entry in config.get("line_kinds") or []
        ]  # fmt: skip
        self._kind_names = {kind for kind, _, _ in self._line_kinds}
        self._categories = []
        for name, spec in (config.get("categories") or {}).items():
            rules = [
                (rule.get("name") or f"{name}[{number}]", rule.get("value", True), self._condition(rule["when"]))
                for number, rule in enumerate(spec.get("rules", []))
            ]
            guard = self._condition(spec["only_if"]) if "only_if" in spec else None
            default = spec.get("default", [] if spec.get("list") else None)
            self._categories.append((name, spec.get("list", False), default, guard, rules))
        self._phrases = {
            field: PhraseIndex({name: self._phrase_sets[name] for name in sorted(names)},
                               text_riders if field in ("text", "title") else None)
            for field, names in self._used.items()
        }

    def text_counts(self, description: "str | Prepared") -> PhraseCounts:
        """One scan of a description for every text phrase set (pass it to ``decide``)."""
        return self._phrases["text"].scan(description)

    def title_counts(self, title: "str | Prepared") -> PhraseCounts:
        """One scan of a title for every title phrase set (pass it to ``decide``)."""
        return self._phrases["title"].scan(title)

    @property
    def names(self) -> list[str]:
        return [name for name, *_ in self._categories]

    @property
    def phrase_sets(self) -> dict[str, list[str]]:
        """Every phrase set as the regular expressions it is searched with (templates written out)."""
        return dict(self._phrase_sets)

    def classify(self, title: str, description: str, skills: list[dict], **page: Any) -> dict:
        """The categories only (see ``decide``)."""
        return self.decide(title, description, skills, **page)[0]

    def decide(
        self,
        title: "str | Prepared",
        description: "str | Prepared",
        skills: list[dict],
        industries: list[str] = (),
        level: str | None = None,
        company_size: int | None = None,
        sections: Sections | None = None,
        skill_sections: dict[str, set[str]] | None = None,
        text_counts: PhraseCounts | None = None,
        title_counts: PhraseCounts | None = None,
        refine: dict[str, Callable] | None = None,
    ) -> tuple[dict, dict[str, Evidence]]:
        """(categories, evidence): evidence maps each category to the rows that explain it.

        ``refine``: category -> ``f(job, value, evidence) -> (value, evidence, extra)``, called
        right after the rules decide that category (before later rules read it), to add to the
        decision: the tagger adds the AI type's confidence (``ai_type_confidence.py``) to its
        evidence, and ``extra`` holds further label values (the confidence itself)."""
        page = {"industries": list(industries), "level": level, "company_size": company_size}
        job = _Job(self._phrases, title, description, skills, sections=sections, skill_sections=skill_sections, **page)
        if text_counts is not None:
            job.use_counts("text", text_counts)
        if title_counts is not None:
            job.use_counts("title", title_counts)
        evidence: dict[str, Evidence] = {}
        for name, is_list, default, guard, rules in self._categories:
            if guard is not None and not guard.test(job):
                job.categories[name] = default
                evidence[name] = [{"rule": "only_if not met", "condition": None, "matched": None, "section": None}]
                continue
            if is_list:
                won = [(rule, value, condition) for rule, value, condition in rules if condition.test(job)]
                job.categories[name] = [value for _, value, _ in won]
                evidence[name] = [row for rule, _, condition in won for row in _rows(rule, condition.explain(job))] or [
                    {"rule": "default", "condition": None, "matched": None, "section": None}
                ]
                continue
            won = None
            for rule in rules:
                if rule[2].test(job):
                    won = rule
                    break
            if won is None:
                job.categories[name] = default
                evidence[name] = [{"rule": "default", "condition": None, "matched": None, "section": None}]
            else:
                job.categories[name] = won[1]
                evidence[name] = _rows(won[0], won[2].explain(job))
            if refine and name in refine:
                job.categories[name], evidence[name], extra = refine[name](job, job.categories[name], evidence[name])
                job.categories.update(extra)
        return job.categories, evidence

    # ------------------------------------------------------------------ conditions
    def _condition(self, spec: dict) -> _Condition:
        if "all" in spec:
            parts = [self._condition(s) for s in spec["all"]]
            tests = [p.test for p in parts]

            def every(job: _Job) -> bool:  # a loop: cheaper than all() over a generator, run ~20 times a job
                for test in tests:
                    if not test(job):
                        return False
                return True

            return _Condition(every, lambda job: [row for p in parts for row in p.explain(job)])
        if "any" in spec:
            parts = [self._condition(s) for s in spec["any"]]
            tests = [p.test for p in parts]

            def some(job: _Job) -> bool:
                for test in tests:
                    if test(job):
                        return True
                return False

            return _Condition(some, lambda job: next((p.explain(job) for p in parts if p.test(job)), []))
        if "not" in spec:
            inner = self._condition(spec["not"])
            return _Condition(lambda job: not inner.test(job))
        low, high = spec.get("min", 0 if "max" in spec else 1), spec.get("max", float("inf"))  # bare = at least one
        if "title" in spec:
            name = self._phrase(spec["title"], "title")
            return _Condition(
                lambda job: job.phrases_in("title").any(name),
                lambda job: [_row(f"title: {name}", job.quote(m, "title"), "title") for m in job.phrases_in("title").matches(name)[:_MAX_EVIDENCE]],
            )
        if "text" in spec:
            name = self._phrase(spec["text"], "text")
            sections = self._sections(spec["sections"]) if "sections" in spec else self._read

            def matches(job: _Job) -> list:
                found = job.phrases_in("text").matches(name)
                return list(found) if sections is None else [m for m in found if job.section_at(m.start()) in sections]

            return _Condition(
                lambda job: low <= len(matches(job)) <= high,
                lambda job: [_row(f"text: {name}", job.quote(m), job.section_at(m.start())) for m in matches(job)[:_MAX_EVIDENCE]],
            )
        if "lines" in spec:
            name = self._phrase(spec["lines"], "text")
            unless = tuple(self._phrase(n, "text") for n in _names(spec.get("unless", [])))
            sections = self._sections(spec["sections"]) if "sections" in spec else self._read

            def lines(job: _Job) -> dict[int, re.Match]:
                return job.lines_without(name, unless, sections)

            return _Condition(
                lambda job: low <= len(lines(job)) <= high,
                lambda job: [_row(f"lines: {name}", job.quote(m), job.section_at(m.start())) for m in list(lines(job).values())[:_MAX_EVIDENCE]],
            )
        if "line_kind" in spec:
            kind = self._kind(spec["line_kind"])
            return _Condition(
                lambda job: low <= len(self._kinds(job)[kind]) <= high,
                lambda job: [_row(f"line_kind: {kind}", job.quote(m), job.section_at(m.start())) for m in list(self._kinds(job)[kind].values())[:_MAX_EVIDENCE]],
            )
        if "share" in spec:
            kind, others = self._kind(spec["share"]), [self._kind(k) for k in spec["of"]]
            share_low, share_high = spec.get("min", 0.0), spec.get("max", 1.0)

            def share(job: _Job) -> float:
                kinds = self._kinds(job)
                return len(kinds[kind]) / (sum(len(kinds[k]) for k in others) + 1)

            def explain(job: _Job) -> Evidence:
                kinds = self._kinds(job)
                counts = ", ".join(f"{k} {len(kinds[k])}" for k in others)
                rows = [_row(f"share: {kind} {share(job):.2f} of lines ({counts})", None, None)]
                for other in others:  # a couple of lines of each kind weighed: both sides of the scale
                    rows += [_row(f"line_kind: {other}", job.quote(m), job.section_at(m.start()))
                             for m in list(kinds[other].values())[:2]]  # fmt: skip
                return rows

            return _Condition(lambda job: share_low <= share(job) <= share_high, explain)
        if "skills" in spec:
            group = spec["skills"]
            members = self._group(group)
            sections = self._sections(spec["sections"]) if "sections" in spec else self._read_with_title()
            return _Condition(
                lambda job: low <= len(job.skills_in(members, sections)) <= high,
                lambda job: [_row(f"skills: {group}", ", ".join(sorted(job.skills_in(members, sections))) or None,
                                  _sections_named(job, members, sections))],
            )  # fmt: skip
        if "level" in spec:
            levels = {level.lower() for level in spec["level"]}
            return _Condition(lambda job: job.level in levels, lambda job: [_row("level", job.level, "page")])
        if "industries" in spec:
            name = self._phrase(spec["industries"], "industries")

            def industries(job: _Job) -> list[str]:
                return [i for i in job.industries if job.industry_phrases(i).any(name)]

            return _Condition(
                lambda job: bool(industries(job)),
                lambda job: [_row(f"industries: {name}", ", ".join(industries(job)), "page")],
            )
        if "company_size" in spec:
            bounds = spec["company_size"]
            size_low, size_high = bounds.get("min", 0), bounds.get("max", float("inf"))
            return _Condition(
                lambda job: job.company_size is not None and size_low <= job.company_size <= size_high,
                lambda job: [_row("company_size", str(job.company_size), "page")],
            )
        if "category" in spec:
            name, values = spec["category"], spec.get("in", [True])
            return _Condition(
                lambda job: job.categories.get(name) in values,
                lambda job: [_row(f"category: {name}", str(job.categories.get(name)), None)],
            )
        raise ValueError(f"unknown condition {spec!r}")

    def _phrase(self, name: str, field: str) -> str:
        if name not in self._phrase_sets:
            raise ValueError(f"unknown phrase set {name!r}")
        self._used[field].add(name)
        return name

    def _kind(self, name: str) -> str:
        if name not in self._kind_names:
            raise ValueError(f"unknown line kind {name!r}")
        return name

    def model_work_share(self, job: _Job) -> float:
        """Lines of hands-on model work / (lines of model work, enabling and other engineering + 1):
        what the AI-type rules weigh (0.0 when ``categories.yaml`` defines no such line kinds)."""
        if not {"model_work", "enabling", "engineering"} <= self._kind_names:
            return 0.0
        kinds = self._kinds(job)
        return len(kinds["model_work"]) / (len(kinds["model_work"]) + len(kinds["enabling"]) + len(kinds["engineering"]) + 1)

    def _kinds(self, job: _Job) -> dict[str, dict[int, re.Match]]:
        """Each line of the read sections under its first kind (computed once per job)."""
        if job.line_kinds is None:
            kinds: dict[str, dict[int, re.Match]] = {kind: {} for kind, _, _ in self._line_kinds}
            taken: set[int] = set()
            for kind, names, unless in self._line_kinds:
                voided = set().union(*(job.lines_with(n, self._read) for n in unless)) if unless else set()
                for name in names:
                    for line, match in job.lines_with(name, self._read).items():
                        if line not in taken and line not in voided:
                            kinds[kind][line] = match
                taken.update(kinds[kind])
            job.line_kinds = kinds
        return job.line_kinds

    def _group(self, name: str) -> set[str]:
        if name not in self._groups:
            raise ValueError(f"unknown skill group {name!r}")
        return set(self._groups[name])

    def _read_with_title(self) -> frozenset[str] | None:
        return None if self._read is None else self._read | {"title"}

    @staticmethod
    def _sections(spec) -> frozenset[str] | None:
        """A ``sections:`` value: None reads everything (``any``)."""
        if spec == "any":
            return None
        names = frozenset([spec] if isinstance(spec, str) else spec)
        unknown = names - set(KINDS) - {"title", "top_skills", "description"}
        if unknown:
            raise ValueError(f"unknown sections {sorted(unknown)}")
        return names


def _names(value) -> list[str]:
    """A phrase set name or a list of them."""
    return [value] if isinstance(value, str) else list(value)


# A line: a bullet or paragraph line, or a sentence of a longer paragraph ("... teams. Design ...").
_SENTENCE_END = re.compile(r"[.!?] (?=[A-Z])")


def _expand(name: str, sets: dict, words: dict, seen: tuple[str, ...] = ()) -> list[str]:
    """A phrase set's patterns, ``include`` and ``template`` entries written out."""
    if name in seen:
        raise ValueError(f"phrase set {name!r} includes itself")
    if name not in sets:
        raise ValueError(f"unknown phrase set {name!r}")
    patterns = []
    for entry in sets[name]:
        if isinstance(entry, dict) and "include" in entry:
            patterns += _expand(entry["include"], sets, words, (*seen, name))
        elif isinstance(entry, dict) and "template" in entry:
            patterns.append(_template(name, entry, words))
        elif isinstance(entry, str):
            patterns.append(entry)
        else:
            raise ValueError(f"phrase set {name!r}: an entry is a pattern, {{include}} or {{template, words}}: {entry!r}")
    return patterns


def _template(name: str, entry: dict, words: dict) -> str:
    """``{verb}\\s+{object}`` with each slot's alternatives as ``(?:a|b|c)``."""
    slots = {}
    for slot, options in (entry.get("words") or {}).items():
        if isinstance(options, str):  # the name of a shared word list
            if options not in words:
                raise ValueError(f"phrase set {name!r}: unknown word list {options!r}")
            options = words[options]
        slots[slot] = "(?:" + "|".join(options) + ")"

    def slot(match: re.Match) -> str:
        if match.group(1) not in slots:
            raise ValueError(f"phrase set {name!r}: template slot {match.group(1)!r} has no words")
        return slots[match.group(1)]

    return _SLOT.sub(slot, entry["template"])


_SLOT = re.compile(r"\{([a-z_]+)\}")  # {verb}; regex counts such as {0,3} are not slots


def _row(condition: str, matched: str | None, section: str | None) -> dict:
    return {"condition": condition, "matched": matched, "section": section}


def _rows(rule: str, rows: Evidence) -> Evidence:
    return [{"rule": rule, **row} for row in rows] or [{"rule": rule, "condition": None, "matched": None, "section": None}]


def _sections_named(job: _Job, members: set[str], sections: frozenset[str] | None) -> str | None:
    found = sorted({s for name in job.skills_in(members, sections) for s in job.skill_sections[name]
                    if sections is None or s in sections})  # fmt: skip
    return ", ".join(found) or None
