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
from dataclasses import dataclass
from pathlib import Path

import yaml

SECTIONS_PATH = Path(__file__).with_name("sections.yaml")
KINDS = ("company", "role", "requirements", "nice_to_have", "benefits")
# What a line may start with besides its words: emoji, numbering, "#", "|" and the like.
_DECORATION = re.compile(r"^[\W\d_]*(?:[ivx]+[.)]\s+)?", re.IGNORECASE)
_BULLET = re.compile(r"\s*(?:[-*•·▪◦●►➢✓✔–—]|o\s|\d{1,2}[.)]\s)")


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int
    heading: str | None  # the heading line that opened it, None for paragraphs read by their cues


class Sections:
    """Spans of one text in order, covering it; ``at(offset)`` is the section of an offset."""

    def __init__(self, spans: list[Span]):
        self.spans = spans
        self._starts = [span.start for span in spans]

    def at(self, offset: int) -> str:
        index = bisect_right(self._starts, offset) - 1
        return self.spans[index].kind if index >= 0 else "role"

    def kinds(self) -> list[str]:
        return [span.kind for span in self.spans]


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
        cues = config["paragraph_cues"]
        self._cues = [(kind, _compile(cues[kind])) for kind in ("benefits", "role", "company") if kind in cues]

    @classmethod
    def load(cls, path: str | Path = SECTIONS_PATH) -> "SectionSplitter":
        return cls(yaml.safe_load(Path(path).read_text(encoding="utf-8")))

    def heading_kind(self, line: str) -> str | None:
        """The section kind a line opens when it reads as a heading, else None."""
        text = line.strip()
        if not text or len(text) > self._max_chars or _BULLET.match(line) or text[-1] in ".!;,":
            return None
        bare = _DECORATION.sub("", text).rstrip(": ").strip()
        if not bare or len(bare.split()) > self._max_words:
            return None
        return next((kind for kind, pattern in self._headings if pattern.search(bare)), None)

    def split(self, text: str) -> Sections:
        spans: list[Span] = []
        current: str | None = None  # kind of the open heading; None: read paragraphs by cues
        heading: str | None = None
        by_cue = "role"
        offset = 0
        for line in text.splitlines(keepends=True):
            kind = self.heading_kind(line)
            if kind is not None:
                current, heading = (None if kind == "general" else kind), line.strip()
                by_cue = "role"
                spans.append(Span(kind if kind != "general" else "role", offset, offset + len(line), heading))
            elif line.strip():
                if current is not None and not self._is_legal(line):
                    found = current
                elif _BULLET.match(line) and current is None:
                    found = by_cue  # bullets go with the paragraph that introduced them
                else:
                    found = self._cue_kind(line) or (current or by_cue)
                    if current is None:
                        by_cue = found
                if not spans or spans[-1].kind != found or spans[-1].end != offset:
                    spans.append(Span(found, offset, offset + len(line), heading if found == current else None))
                else:
                    spans[-1] = Span(found, spans[-1].start, offset + len(line), spans[-1].heading)
            elif spans:
                last = spans[-1]
                spans[-1] = Span(last.kind, last.start, offset + len(line), last.heading)
            offset += len(line)
        return Sections(_merged(spans))

    def _is_legal(self, line: str) -> bool:
        return bool(self._cues and self._cues[0][0] == "benefits" and self._cues[0][1].search(line)) and (
            len(line.split()) > 12
        )

    def _cue_kind(self, line: str) -> str | None:
        return next((kind for kind, pattern in self._cues if pattern.search(line)), None)


def _compile(patterns: list[str]) -> re.Pattern:
    return re.compile(r"(?<!\w)(?:%s)(?!\w)" % "|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def _merged(spans: list[Span]) -> list[Span]:
    """Neighbouring spans of one kind as one (a heading and the text under it)."""
    merged: list[Span] = []
    for span in spans:
        if merged and merged[-1].kind == span.kind and merged[-1].end == span.start:
            merged[-1] = Span(span.kind, merged[-1].start, span.end, merged[-1].heading or span.heading)
        else:
            merged.append(span)
    return merged
