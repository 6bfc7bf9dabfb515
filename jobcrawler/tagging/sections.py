"""The parts of a job description: company blurb, role, requirements, nice-to-haves, benefits.

Why: a posting's first paragraphs usually say what the *company* does ("an AI-native platform
for ...") and its last ones what it offers; neither says what the *role* does. Category rules
read the role and requirements only, and every piece of evidence names the section it was
found in. Headings and their usual wordings are data (``sections.yaml``); a posting without
headings is read paragraph by paragraph from cue phrases (see the YAML file).

``split`` returns spans over the text it was given, so an offset found by any other scan of
the same text (a skill hit, a phrase match) maps to its section with ``Sections.at``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import ahocorasick
import yaml

from jobcrawler.tagging.matcher import PhraseCounts, PhraseIndex, Prepared, _anchors, case_free

# importlib.resources: a Scrapyd egg keeps the package zipped, where no file path exists.
SECTIONS_PATH = resources.files("jobcrawler.tagging") / "sections.yaml"
KINDS = ("company", "role", "requirements", "nice_to_have", "benefits")
# What a line may start with besides its words: emoji, numbering, "#", "|" and the like.
_DECORATION = re.compile(r"^[\W\d_]*(?:[ivx]+[.)]\s+)?", re.IGNORECASE)
_COLON_EXTRA_WORDS = 4
_LEGAL_MIN_WORDS = 12  # a legal paragraph under another heading: a sentence, not a bullet's few words
_BULLET = re.compile(r"\s*(?:[-*•·▪◦●►➢✓✔–—]|o\s|\d{1,2}[.)]\s)")


class Span(NamedTuple):  # a tuple: made ~8 times a posting, ~3x cheaper than a frozen dataclass
    kind: str
    start: int
    end: int
    heading: str | None  # the heading line that opened it, None for paragraphs read by their cues


class Sections:
    """Spans of one text in order, covering it; ``at(offset)`` is the section of an offset."""

    def __init__(self, spans: list[Span]):
        self.spans = spans
        self._starts = [span.start for span in spans]
        self._kinds = [span.kind for span in spans]

    def at(self, offset: int) -> str:
        index = bisect_right(self._starts, offset) - 1
        return self._kinds[index] if index >= 0 else "role"

    def kinds(self) -> list[str]:
        return list(self._kinds)

    def boundaries(self) -> tuple[list[int], list[str]]:
        """(start offsets, kinds) of the spans, for callers that locate many offsets at once
        (the lists themselves: read them, do not change them)."""
        return self._starts, self._kinds


class SectionSplitter:
    """Compiled heading and paragraph rules of ``sections.yaml``."""

    def __init__(self, config: dict):
        self._max_words = config.get("heading_max_words", 10)
        self._max_chars = config.get("heading_max_chars", 90)
        headings = config["headings"]
        unknown = set(headings) - set(KINDS) - {"general"}
        if unknown:
            raise ValueError(f"unknown section kinds in headings: {sorted(unknown)}")
        self._headings = [(kind, _compile(patterns)) for kind, patterns in headings.items()]
        # the same for a line of lowered ASCII text (case-sensitive where that is equivalent: faster)
        self._lowered_headings = [(kind, _compile(patterns, lowered_ascii=True)) for kind, patterns in headings.items()]
        # one pass that says whether any kind's phrase is in a line, before asking which kind
        self._any_heading = _compile([pattern for patterns in headings.values() for pattern in patterns])
        self._heading_leads = _lead_automaton(list(headings.values()))
        self._cue_order = {kind: order for order, kind in enumerate(("benefits", "role", "company"))}
        cues = config["paragraph_cues"]
        # One pass over the whole text finds every cue (the tagger's anchored phrase index);
        # lines then look their cues up by offset.
        self._cue_kinds = [kind for kind in ("benefits", "role", "company") if kind in cues]
        self.cue_sets = {_cue_set(kind): list(cues[kind]) for kind in self._cue_kinds}
        self._cues = PhraseIndex(self.cue_sets)

    @classmethod
    def load(cls, path: str | Path = SECTIONS_PATH) -> "SectionSplitter":
        path = path if hasattr(path, "read_text") else Path(path)
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def heading_kind(self, line: str) -> str | None:
        """The section kind a line opens when it reads as a heading, else None."""
        text = line.strip()
        if not text or len(text) > self._max_chars or text[-1] in ".!;," or _BULLET.match(line):
            return None
        if text.startswith("(") and text.endswith(")"):
            return None  # an aside: "(Go experience is a bonus, but not required)"
        leads = self._heading_leads
        if leads is not None and text.isascii() and next(leads.iter(text.lower()), None) is None:
            return None  # no kind's phrase starts anywhere in the line: no heading, whatever its shape
        bare = _DECORATION.sub("", text).rstrip(": ").strip()
        # a line that ends in a colon announces what follows, and may take a few more words
        if not bare or len(bare.split()) > self._max_words + (_COLON_EXTRA_WORDS if text.endswith(":") else 0):
            return None
        # a field line ("Location: Remote (US preferred)") is known by its label, not its value
        label, colon, value = bare.partition(":")
        if colon and label.strip() and value.strip():
            bare = label.strip()
        if leads is not None and bare.isascii():
            # only the kinds one of whose phrases can start somewhere in the line are searched
            low = bare.lower()
            possible = set()
            for _, kinds in leads.iter(low):
                possible |= kinds
            return next((kind for number, (kind, pattern) in enumerate(self._lowered_headings)
                         if number in possible and pattern.search(low)), None)  # fmt: skip
        if not self._any_heading.search(bare):
            return None
        return next((kind for kind, pattern in self._headings if pattern.search(bare)), None)

    def split(self, text: "str | Prepared", counts: PhraseCounts | None = None) -> Sections:
        """The sections of ``text`` (a ``Prepared`` text shares its searchable forms).

        ``counts``: a scan of the text by an index that holds ``cue_sets`` among its own sets
        (the tagger's category rules do), to save a pass over the text.
        """
        prepared = text if isinstance(text, Prepared) else Prepared(text)
        text = prepared.text
        found = counts if counts is not None else self._cues.scan(prepared)
        # every cue in text order with its kind's precedence (legal text first, then role, then company)
        cues = sorted(
            (match.start(), self._cue_order[kind], kind) for kind in self._cue_kinds for match in found.matches(_cue_set(kind))
        )
        next_cue = 0

        def cue_kind(start: int, end: int) -> str | None:
            """The cue of the line [start, end): lines come in text order, so one walk serves all."""
            nonlocal next_cue
            while next_cue < len(cues) and cues[next_cue][0] < start:
                next_cue += 1
            best = None
            at = next_cue
            while at < len(cues) and cues[at][0] < end:
                if best is None or cues[at][1] < best[1]:
                    best = cues[at]
                at += 1
            return best[2] if best else None

        marks: list[tuple[int, str, str | None]] = []  # (offset, kind, heading) where a section starts
        current: str | None = None  # kind of the open heading; None: read paragraphs by cues
        by_cue = "role"
        # True while no cue or heading has placed any line: the opening is role only by default, and
        # is the employer's blurb when the first to speak is a company cue or a company or role heading
        opening_undecided = True
        title_line = False  # the opening's first line is a title of a few words, not part of a blurb
        second_line = 0  # start of the opening's second line

        def opening_is_company(until: int) -> None:
            """The opening before ``until`` (one mark, role by default) is the blurb, but for its title line."""
            if not title_line:
                marks[0] = (marks[0][0], "company", marks[0][2])
            elif second_line < until:
                marks.append((second_line, "company", None))
        offset = 0
        for line in text.splitlines(keepends=True):
            start, offset = offset, offset + len(line)
            stripped = line.strip()
            if not stripped:
                continue
            if opening_undecided and marks and not second_line:
                second_line = start
            heading = self.heading_kind(stripped) if len(stripped) <= self._max_chars else None
            if heading is not None:
                if opening_undecided and heading in ("company", "role") and marks:
                    opening_is_company(start)
                opening_undecided = opening_undecided and heading == "general"
                current, by_cue = (None if heading == "general" else heading), "role"
                kind, opened = current or "role", stripped
            else:
                opened = None
                cue = cue_kind(start, offset)
                if opening_undecided and cue is not None:
                    if cue == "company" and marks:
                        opening_is_company(start)
                    opening_undecided = False
                if current is not None and not (cue == "benefits" and len(line.split()) > _LEGAL_MIN_WORDS):
                    kind = current
                elif current is None and _BULLET.match(line):
                    kind = by_cue  # bullets go with the paragraph that introduced them
                elif current is not None:
                    # legal text ends the heading's section: what follows reads by its cues, as benefits
                    current = None
                    kind = by_cue = "benefits"
                else:
                    kind = by_cue = cue or by_cue
            if not marks or marks[-1][1] != kind:
                marks.append((start, kind, opened))
            if opening_undecided and marks[0][0] == start:
                title_line = len(stripped.split()) <= self._max_words and stripped[-1] not in ".!?"
        if not marks:  # blank text
            return Sections([])
        ends = [start for start, _, _ in marks[1:]] + [len(text)]
        return Sections([Span(kind, 0 if i == 0 else start, end, heading)
                         for i, ((start, kind, heading), end) in enumerate(zip(marks, ends))])  # fmt: skip


def _cue_set(kind: str) -> str:
    """Name of the phrase set of a kind's paragraph cues (distinct from any category phrase set)."""
    return f"section cue: {kind}"


def _lead_automaton(kinds: list[list[str]]) -> "ahocorasick.Automaton | None":
    """An automaton of the lowered literals every match of a kind's patterns starts with, each
    giving the numbers of the kinds it starts a pattern of; None when a pattern has no such
    literals (or there are no patterns). In a line of ASCII text (whose lowering keeps every character in place and folds
    case as the regular expressions do) a kind none of whose literals occurs cannot match, and a
    C-level scan says so ~10x faster than regular expressions of ~120 alternatives fail."""
    starts: dict[str, set[int]] = {}
    for number, patterns in enumerate(kinds):
        for pattern in patterns:
            literals, leading = _anchors(pattern)
            if not leading:
                return None
            for literal in literals:
                starts.setdefault(literal, set()).add(number)
    if not starts:
        return None
    automaton = ahocorasick.Automaton()
    for literal, numbers in starts.items():
        automaton.add_word(literal, frozenset(numbers))
    automaton.make_automaton()
    return automaton


def _compile(patterns: list[str], lowered_ascii: bool = False) -> re.Pattern:
    """One regex of ``patterns``, case-insensitive; ``lowered_ascii``: for lowered ASCII text, where
    patterns that are ``case_free`` need no ``re.IGNORECASE``."""
    flags = 0 if lowered_ascii and all(map(case_free, patterns)) else re.IGNORECASE
    return re.compile(r"(?<!\w)(?:%s)(?!\w)" % "|".join(f"(?:{p})" for p in patterns), flags)
