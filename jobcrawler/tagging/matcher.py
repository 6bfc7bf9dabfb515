"""Skill matching: every surface form of the taxonomy in one Aho-Corasick pass.

Why this shape: a posting is ~5 KB and we tag thousands, so every alias is compiled
once into two automata (one case-insensitive, one case-sensitive) plus a few regular
expressions for phrasings with gaps ("train ... models"). A hit then passes cheap
checks, each of them data in ``taxonomy.yaml``:

* word boundaries, so ``Java`` is not found in ``JavaScript`` nor ``C`` in ``C++``;
* the skill's ``not_in`` phrases, so ``Go`` in "go-to-market" or ``R`` in "R&D" is void;
* for ambiguous words (``in_context``), a technical context: another skill or a
  technical cue word close by on the same line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from re import _parser as regex_parser  # read-only use: find the literals a pattern requires
from typing import Iterable, Iterator

import ahocorasick

# Searched text is one character per original character, so offsets carry over: every
# character but letters, digits, "+#.&" and spaces reads as a space ("fine-tuning" ==
# "fine tuning", "CI/CD" == "CI CD"), and so does a "." that ends a sentence. Surface
# forms are read the same way and searched with a space on each side, so every hit is
# a whole token: "java" never hits inside "javascript", nor ".net" inside "asp.net".
_SEPARATORS = re.compile(r"[^A-Za-z0-9+#.& ]|\.(?![A-Za-z0-9])")


def searchable(text: str) -> str:
    """``text`` as the automata see it, padded with a space on each side."""
    return f" {_SEPARATORS.sub(' ', text)} "


@dataclass(frozen=True)
class Skill:
    skill: str
    category: str
    headline: bool = False
    aliases: tuple[str, ...] = ()
    cased: tuple[str, ...] = ()
    in_context: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    not_in: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    negatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    skill: str
    start: int
    end: int
    needs_context: bool


class PhraseIndex:
    """Named sets of regular expressions, counted over a text, never inside a word.

    A regex scan of a whole posting costs ~100 us per pattern, too much for dozens of
    them, so each pattern is tried only where it can start: at an occurrence of one of
    its leading literals that follows a space or punctuation (not ``.+#&``, which
    ``searchable`` keeps). One automaton over all those literals
    finds them in a single pass. Patterns without a leading literal are scanned, and
    only when a literal they require is in the text.
    """

    def __init__(self, sets: dict[str, Iterable[str]]):
        self._sets: dict[str, list[tuple[list[str], bool, re.Pattern]]] = {}
        self._leads = ahocorasick.Automaton()
        for name, patterns in sets.items():
            compiled = []
            for pattern in patterns:
                literals, leading = _anchors(pattern)
                literals = [literal.lower() for literal in literals]
                compiled.append((literals, leading, re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.IGNORECASE)))
                for literal in literals if leading else ():
                    key = searchable(literal)[:-1]  # " literal": only at a word start
                    self._leads.add_word(key, (key, literal))
            self._sets[name] = compiled
        if len(self._leads):
            self._leads.make_automaton()

    @property
    def names(self) -> list[str]:
        return list(self._sets)

    def scan(self, text: str) -> "PhraseCounts":
        return PhraseCounts(self, text)


class PhraseCounts:
    """Matches of an index's sets in one text; the text is scanned once, sets on demand."""

    def __init__(self, index: PhraseIndex, text: str):
        self._index = index
        self._text = text.lower()
        self._starts: dict[str, list[int]] = {}
        if len(index._leads):
            for last, (key, literal) in index._leads.iter(searchable(self._text)):
                self._starts.setdefault(literal, []).append(last - len(key) + 1)

    def matches(self, name: str) -> Iterator[re.Match]:
        for literals, leading, pattern in self._index._sets[name]:
            if not leading:
                if not literals or literals[0] in self._text:
                    yield from pattern.finditer(self._text)
                continue
            matched_to = -1
            for start in sorted(at for literal in literals for at in self._starts.get(literal, ())):
                if start >= matched_to and (match := pattern.match(self._text, start)):
                    matched_to = match.end()
                    yield match

    def count(self, name: str) -> int:
        return sum(1 for _ in self.matches(name))

    def any(self, name: str) -> bool:
        return next(self.matches(name), None) is not None


def _anchors(pattern: str) -> tuple[list[str], bool]:
    """(literals, leading): every match starts with one of the literals when ``leading``,
    else contains the single literal given; ([], False) when no literal is found.
    """
    items = list(regex_parser.parse(pattern))
    leads = _leads(items)
    if leads:
        return leads, True
    runs = "".join(chr(arg) if op is regex_parser.LITERAL else "\0" for op, arg in items).split("\0")
    longest = max(runs, key=len)
    return ([longest], False) if len(longest) >= 3 else ([], False)


def _leads(items: list) -> list[str]:
    """The strings a match of these parsed items must start with ([] when unknown)."""
    prefix = ""
    for op, arg in items:
        if op is not regex_parser.LITERAL:
            break
        prefix += chr(arg)
    rest = items[len(prefix) :]
    if rest and rest[0][0] is regex_parser.SUBPATTERN and len(rest[0][1][-1]) == 1:
        rest = list(rest[0][1][-1])  # (?:a|b): look inside the group
    if rest and rest[0][0] is regex_parser.BRANCH:
        alternatives = [_leads(list(alternative)) for alternative in rest[0][1][1]]
        if all(alternatives):
            return [prefix + lead for leads in alternatives for lead in leads]
    return [prefix] if prefix else []


class _Automaton:
    """One automaton; a key maps to the (skill, needs_context, is_exclusion) entries it stands for."""

    def __init__(self, lower: bool):
        self.lower = lower
        self.entries: dict[str, list[tuple[str, bool, bool]]] = {}
        self.automaton = ahocorasick.Automaton()

    def add(self, form: str, skill: str, needs_context: bool = False, exclusion: bool = False) -> None:
        key = searchable(form.strip())
        self.entries.setdefault(key.lower() if self.lower else key, []).append((skill, needs_context, exclusion))

    def build(self) -> None:
        for key, entries in self.entries.items():
            self.automaton.add_word(key, (len(key), tuple(entries)))
        if self.entries:
            self.automaton.make_automaton()

    def scan(self, padded: str) -> Iterable[tuple[int, int, tuple]]:
        """(start, end, entries) in unpadded offsets; keys carry their boundary spaces."""
        if not self.entries:
            return
        for last, (length, entries) in self.automaton.iter(padded):
            yield last - length + 1, last - 1, entries


class SkillMatcher:
    """Finds taxonomy skills in a posting and keeps, per skill, the first evidence."""

    def __init__(self, skills: list[Skill], context_window: int, context_cues: list[str]):
        self.skills = {skill.skill: skill for skill in skills}
        self._context_window = context_window
        self._context_cues = re.compile(r"\b(?:%s)\b" % "|".join(context_cues), re.IGNORECASE) if context_cues else None
        self._any_case = _Automaton(lower=True)
        self._exact_case = _Automaton(lower=False)
        for skill in skills:
            for form in skill.aliases:
                self._any_case.add(form, skill.skill)
            for form in skill.cased:
                self._exact_case.add(form, skill.skill)
            for form in skill.in_context:
                self._exact_case.add(form, skill.skill, needs_context=True)
            for phrase in skill.not_in:
                self._any_case.add(phrase, skill.skill, exclusion=True)
        self._any_case.build()
        self._exact_case.build()
        self._phrases = PhraseIndex({skill.skill: skill.patterns for skill in skills if skill.patterns})

    def hits(self, text: str, in_technical_list: bool = False) -> list[Hit]:
        """Valid skill hits in ``text``, in text order.

        ``in_technical_list`` says the text is itself a skill name (a "Top Skills" chip),
        so ambiguous words need no further context.
        """
        if not text:
            return []
        padded = searchable(text)
        lowered = padded.lower()
        candidates: list[Hit] = []
        exclusions: dict[str, list[tuple[int, int]]] = {}
        for start, end, entries in self._any_case.scan(lowered):
            for skill, needs_context, exclusion in entries:
                if exclusion:
                    exclusions.setdefault(skill, []).append((start, end))
                else:
                    candidates.append(Hit(skill, start, end, needs_context))
        for start, end, entries in self._exact_case.scan(padded):
            candidates.extend(Hit(skill, start, end, needs_context) for skill, needs_context, _ in entries)
        phrases = self._phrases.scan(text)
        for skill in self._phrases.names:
            candidates.extend(Hit(skill, m.start(), m.end(), False) for m in phrases.matches(skill))
        if exclusions:
            candidates = [hit for hit in candidates if not _excluded(hit, exclusions.get(hit.skill, ()))]
        valid = [
            hit
            for hit in candidates
            if not hit.needs_context or in_technical_list or self._in_technical_context(text, hit, candidates)
        ]
        return sorted(valid, key=lambda hit: (hit.start, -hit.end))

    def _in_technical_context(self, text: str, hit: Hit, others: list[Hit]) -> bool:
        """Another skill (even an ambiguous one: "Go, Rust or C") or a cue word nearby on the line."""
        line_start = text.rfind("\n", 0, hit.start) + 1
        line_end = text.find("\n", hit.end)
        line_end = len(text) if line_end < 0 else line_end
        low = max(line_start, hit.start - self._context_window)
        high = min(line_end, hit.end + self._context_window)
        if any(other.skill != hit.skill and other.start >= low and other.end <= high for other in others):
            return True
        return bool(self._context_cues and self._context_cues.search(text, low, high))

    def match(self, title: str, description: str, top_skills: Iterable[str] = ()) -> list[dict]:
        """One evidence dict per skill found, the first in source order title, description, top_skills."""
        found: dict[str, dict] = {}
        sections = [("title", title or "", False), ("description", description or "", False)]
        sections += [("top_skills", chip, True) for chip in top_skills or () if chip]
        for source, text, is_chip in sections:
            for hit in self.hits(text, in_technical_list=is_chip):
                if hit.skill not in found:
                    skill = self.skills[hit.skill]
                    found[hit.skill] = {
                        "skill": skill.skill,
                        "category": skill.category,
                        "matched": text[hit.start : hit.end],
                        "source": source,
                    }
        return list(found.values())


def _excluded(hit: Hit, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start <= hit.start and hit.end <= end for start, end in spans)
