"""Skill matching: every surface form of the taxonomy in one Aho-Corasick pass.

Why this shape: a posting is ~5 KB and we tag thousands, so every alias is compiled
once into one automaton (forms that must match their case are found lowered and checked
against the text) plus a few regular expressions for phrasings with gaps ("train ...
models"); the tagger finds both in the category rules' one pass over a description. A hit
then passes cheap checks, each of them data in ``taxonomy.yaml``:

* word boundaries, so ``Java`` is not found in ``JavaScript`` nor ``C`` in ``C++``;
* the skill's ``not_in`` phrases, so ``Go`` in "go-to-market" or ``R`` in "R&D" is void, and
  its ``not_in_patterns``, regular expressions for the senses a fixed phrase cannot list
  ("fine-tune our onboarding process", "agent frameworks such as LangChain");
* for ambiguous words (``in_context``), a technical context: another skill or a
  technical cue word close by on the same line.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from itertools import accumulate, chain
from typing import Iterable, NamedTuple

import ahocorasick

# Searched text is one character per original character, so offsets carry over: every
# character but ASCII letters, digits, "+#.&" and spaces reads as a space ("fine-tuning"
# == "fine tuning", "CI/CD" == "CI CD"), and so does a "." that ends a sentence. Surface
# forms are read the same way and searched with a space on each side, so every hit is
# a whole token: "java" never hits inside "javascript", nor ".net" inside "asp.net".
# (A byte table does the per-character part: ASCII-encoding with "?" for anything else
# keeps one byte per character, and is ~5x faster than a regular expression.)
_KEEP = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+#.& "
_TABLE = bytes(byte if byte in _KEEP else ord(" ") for byte in range(256))
_SENTENCE_DOT = re.compile(r"\.(?![A-Za-z0-9])")


def searchable(text: str) -> str:
    """``text`` as the automata see it, padded with a space on each side."""
    plain = text.encode("ascii", "replace").translate(_TABLE).decode("ascii")
    if "." in plain:
        plain = _SENTENCE_DOT.sub(" ", plain)
    return f" {plain} "


def lowered(text: str) -> str:
    """``text.lower()``, one character per character (``"İ".lower()`` has two)."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(char if len(char.lower()) != 1 else char.lower() for char in text)
    return low


class Prepared:
    """A text and the forms the automata search (``searchable``, lowered), each made once:
    the skill matcher, the section splitter and the category rules all scan one description."""

    __slots__ = ("text", "_padded", "_padded_low", "_low", "_line_starts")

    def __init__(self, text: str):
        self.text = text
        self._padded = self._padded_low = self._low = self._line_starts = None

    @property
    def padded(self) -> str:
        if self._padded is None:
            self._padded = searchable(self.text)
        return self._padded

    @property
    def padded_low(self) -> str:
        if self._padded_low is None:
            self._padded_low = self.padded.lower()  # ASCII only, so one character per character
        return self._padded_low

    @property
    def low(self) -> str:
        if self._low is None:
            self._low = lowered(self.text)
        return self._low

    @property
    def line_starts(self) -> list[int]:
        """Where each line starts (0, then after each newline) and, last, ``len(text) + 1``: a
        line found by bisection, its end one before the next start."""
        if self._line_starts is None:  # C-level sums of the lines' lengths
            self._line_starts = list(accumulate(map((1).__add__, map(len, self.text.split("\n"))), initial=0))
        return self._line_starts


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
    not_in_patterns: tuple[str, ...] = ()
    implies: tuple[str, ...] = ()  # skills a posting naming this one asks for too (a vendor's product -> the vendor)
    not_names: tuple[str, ...] = ()  # names, exact case, that are another thing (imports keep them as written)
    examples: tuple[str, ...] = ()
    negatives: tuple[str, ...] = ()


class Hit(NamedTuple):  # a tuple: made ~25 times a posting, several times cheaper than a frozen dataclass
    skill: str
    start: int
    end: int
    needs_context: bool


class PhraseIndex:
    """Named sets of regular expressions, counted over a text, never inside a word.

    A regex scan of a whole posting costs ~100 us per pattern, too much for dozens of
    them, so each pattern is tried only where it can start: at an occurrence of one of
    its leading literals that follows a space or punctuation (not ``.+#&``, which
    ``searchable`` keeps). The literals are read from the pattern text by ``_anchors``
    and spelled out as far as a few go (``on[- ]?site`` starts with "on-site", "on site"
    or "onsite"), so they are long and rare; one automaton over all of them finds them
    in a single pass, and only the patterns whose literals occur are tried. Patterns
    without a leading literal are scanned, and only when a literal they require is in
    the text (a test keeps them out of the YAML files). A pattern that requires a literal
    further on ("... employees") is tried only when that literal is in the text, and the text
    is matched lowered, by regexes without ``re.IGNORECASE`` where that is equivalent
    (``_phrase_regex``).

    ``riders``: more keys (as searched), each with a value, found in the same automaton pass
    (an automaton pass costs about as much as the text is long, whatever it holds): the
    skill matcher's forms ride in the category rules' pass. ``PhraseCounts.riders`` lists
    their hits.
    """

    def __init__(self, sets: dict[str, Iterable[str]], riders: dict[str, object] | None = None):
        self._sets: dict[str, list[_Pattern]] = {}
        self._unanchored: dict[str, list[int]] = {}  # set -> its patterns without a leading literal
        key_patterns: dict[str, list[tuple[str, int]]] = {}  # leading literal -> (set, pattern) it starts
        for name, patterns in sets.items():
            compiled = []
            for number, source in enumerate(patterns):
                pattern = _Pattern(source)
                if pattern.leading:
                    for key in pattern.literals:
                        key_patterns.setdefault(key, []).append((name, number))
                else:
                    self._unanchored.setdefault(name, []).append(number)
                compiled.append(pattern)
            self._sets[name] = compiled
        self._leads = ahocorasick.Automaton()
        # a literal's number -> the (set, pattern number) it starts
        self._key_patterns = list(key_patterns.values())
        self.riders = riders or {}
        # key -> (the literal's number or -1, how far its start lies before the end the automaton
        # reports, the rider's value or None)
        words = {key: (number, len(key) - 1, None) for number, key in enumerate(key_patterns)}
        for key, value in self.riders.items():
            number, size, _ = words.get(key, (-1, 0, None))
            words[key] = (number, size, value)
        for key, word in words.items():
            self._leads.add_word(key, word)
        if len(self._leads):
            self._leads.make_automaton()

    @property
    def names(self) -> list[str]:
        return list(self._sets)

    def scan(self, text: "str | Prepared") -> "PhraseCounts":
        """Matches in ``text``; pass a ``Prepared`` text to share its searchable forms."""
        return PhraseCounts(self, text if isinstance(text, Prepared) else Prepared(text))


class PhraseCounts:
    """Matches of an index's sets in one text; the text is scanned once, sets on demand."""

    def __init__(self, index: PhraseIndex, prepared: Prepared):
        self._index = index
        self._text = text = prepared.low
        # a text whose every character matches an ASCII letter only as itself: patterns read it
        # case-sensitively (see ``_phrase_regex``), and their required literals are looked up as is
        self._folds_plainly = text.isascii() or not any(char in text for char in _FOLDS_TO_ASCII)
        # set -> {pattern number: where the pattern's leading literals occur (a list of starts in
        # text order per literal)}: a set with no entry has no pattern to try. Worked out for every
        # set at once: of the ~40 sets of a posting's text half have no literal in it, and a few
        # dictionary steps per literal found cost less than working it out per set asked
        self._candidates: dict[str, dict[int, list[list[int]]]] = {}
        self._found: dict[str, list[re.Match]] = {}
        self.riders_of = index.riders
        self.riders: list[tuple[int, object]] = []  # (end in the padded text, value) of each rider's hit
        starts: defaultdict[int, list[int]] = defaultdict(list)  # literal number -> where its occurrences start
        if len(index._leads):
            riders = self.riders
            for last, (key, size, rider) in index._leads.iter(prepared.padded_low):
                if rider is not None:
                    riders.append((last, rider))
                    if key < 0:
                        continue
                starts[key].append(last - size)
        candidates, key_patterns = self._candidates, index._key_patterns
        for key, found in starts.items():
            for name, number in key_patterns[key]:
                numbers = candidates.get(name)
                if numbers is None:
                    candidates[name] = {number: [found]}
                elif number in numbers:
                    numbers[number].append(found)
                else:
                    numbers[number] = [found]

    def matches(self, name: str) -> list[re.Match]:
        """Every match of set ``name``, pattern by pattern (found once, then remembered)."""
        found = self._found.get(name)
        if found is None:
            starts_of = self._candidates.get(name)
            unanchored = self._index._unanchored.get(name)
            # most sets, no leading literal in the text: nothing to try
            found = self._found[name] = self._find(name, starts_of or {}, unanchored) if starts_of or unanchored else []
        return found

    def sets_to_try(self) -> set[str]:
        """Names of the sets that may match: a leading literal of theirs is in the text, or
        a pattern of theirs has none (``matches`` of any other set is empty)."""
        return self._candidates.keys() | self._index._unanchored.keys()

    def _find(self, name: str, starts_of: dict[int, list[list[int]]], unanchored: list[int] | None) -> list[re.Match]:
        index, text = self._index, self._text
        patterns = index._sets[name]
        numbers = sorted(starts_of.keys() | set(unanchored)) if unanchored else sorted(starts_of)
        found: list[re.Match] = []
        plain = self._folds_plainly
        for number in numbers:
            entry = patterns[number]
            if plain:
                if entry.required is not None and entry.required not in text:
                    continue  # a few C-level steps instead of a failing regex at every candidate start
                pattern = entry.lowered_regex
            else:
                pattern = entry.regex
            if not entry.leading:
                literals = entry.literals
                if not literals or literals[0] in text:
                    found.extend(pattern.finditer(text))
                continue
            lists = starts_of[number]
            starts = lists[0] if len(lists) == 1 else sorted(set(chain.from_iterable(lists)))
            matched_to = -1
            match_at = pattern.match
            for start in starts:
                if start >= matched_to and (match := match_at(text, start)):
                    matched_to = match.end()
                    found.append(match)
        return found

    def count(self, name: str) -> int:
        return len(self.matches(name))

    def any(self, name: str) -> bool:
        return bool(self.matches(name))


# Characters of a lowered text that a case-insensitive regex matches to an ASCII letter ("ı" and
# "İ" to "i", "ſ" to "s"): every other character of a lowered text matches a lowercase ASCII letter
# only when it is that letter (an exhaustive check over Unicode is in the tests).
# (Three ``in`` tests find them ~50x faster than a regular expression's character class.)
_FOLDS_TO_ASCII = ("\u0130", "\u0131", "\u017f")
# An escape; those of ``_CASELESS_CLASSES`` mean the same in any case mode.
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_CASELESS_CLASSES = "WSDBAZ"
_INLINE_FLAGS = re.compile(r"\(\?[aiLmsux-]+[:)]")


def _phrase_regex(pattern: str, lowered_text: bool) -> re.Pattern:
    """A phrase pattern as searched, never inside a word, case-insensitive.

    ``lowered_text``: the regex for a text already lowered that holds no ``_FOLDS_TO_ASCII``:
    then a pattern whose letters are all lowercase ASCII (and whose other characters have no
    case) matches exactly where its case-insensitive form does, and without ``re.IGNORECASE``
    ``re`` skips a failing alternative on its first character (about twice as fast on the long
    alternations of ``categories.yaml``). Any other pattern keeps ``re.IGNORECASE``.
    """
    flags = 0 if lowered_text and case_free(pattern) else re.IGNORECASE
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", flags)


def case_free(pattern: str) -> bool:
    """Whether ``pattern`` matches a lowered text without ``_FOLDS_TO_ASCII`` exactly where its
    case-insensitive form does: its letters are lowercase ASCII, its other characters have no case,
    and it sets no flags of its own."""
    bare = _ESCAPE.sub(lambda escape: "" if escape.group(1) in _CASELESS_CLASSES else escape.group(1), pattern)
    return not _INLINE_FLAGS.search(pattern) and all(map(_caseless_or_ascii_lowercase, bare))


def _caseless_or_ascii_lowercase(char: str) -> bool:
    if char.isascii():
        return not char.isupper()
    return not char.isalpha() and char.lower() == char.upper() == char.casefold() == char


class _Pattern:
    """A phrase pattern as ``PhraseIndex`` tries it."""

    __slots__ = ("literals", "leading", "required", "source", "lowered_regex", "_regex")

    def __init__(self, source: str):
        self.source = source
        literals, self.leading = _anchors(source)
        # leading literals as searched (" literal": only at a word start, "on-site" == "on site"),
        # else one literal the pattern holds
        self.literals = sorted({searchable(literal.lower())[:-1] for literal in literals}) if self.leading else literals
        # a literal every match holds beyond its leading ones (lowered), when one is known
        self.required = _required_literal(source) if self.leading else None
        if self.required is not None and all(self.required in literal for literal in self.literals):
            self.required = None  # every leading literal holds it: the automaton finds it already
        self.lowered_regex = _phrase_regex(source, lowered_text=True)  # see ``_phrase_regex``
        self._regex = self.lowered_regex if self.lowered_regex.flags & re.IGNORECASE else None

    @property
    def regex(self) -> re.Pattern:
        """Case-insensitive, for any text (compiled when first needed: texts holding
        ``_FOLDS_TO_ASCII`` are rare, and every compile costs the tagger's load)."""
        if self._regex is None:
            self._regex = _phrase_regex(self.source, lowered_text=False)
        return self._regex


def _required_literal(pattern: str) -> str | None:
    """The longest run of plain ASCII text (4 characters or more) every match of ``pattern``
    holds, lowered; None when none is found (a pattern with alternatives at its top, say)."""
    try:
        alternatives = _Atoms(pattern).alternatives()
    except ValueError:
        return None
    if len(alternatives) != 1:
        return None
    longest = _longest_literal_run(_inlined(alternatives[0]))
    return longest if len(longest) >= 4 and longest.isascii() else None


def _longest_literal_run(sequence: Iterable[tuple]) -> str:
    """The longest run of literal text every match of an atom sequence holds in a row."""
    runs, run = [], ""
    for kind, value, least, most in sequence:
        if kind == "literal" and least >= 1:
            run += value
            if most == 1:
                continue
        runs.append(run)
        run = ""
    return max([*runs, run], key=len)


def _inlined(sequence: list[tuple]) -> Iterable[tuple]:
    """An atom sequence with its plain groups of one alternative (``(?:abc)``) written out."""
    for atom in sequence:
        kind, value, least, most = atom
        if kind == "group" and len(value) == 1 and least == most == 1:
            yield from _inlined(value[0])
        else:
            yield atom


def _anchors(pattern: str) -> tuple[list[str], bool]:
    """(literals, leading): every match starts with one of the literals when ``leading``,
    else contains the single literal given; ([], False) when no literal is found.

    Read from the pattern text by a small parser of our own (see ``_Atoms``): a prefix
    it cannot read only costs speed (the pattern is then scanned), never a match.
    """
    try:
        alternatives = _Atoms(pattern).alternatives()
    except ValueError:
        return [], False
    leads = [_leads(sequence) for sequence in alternatives]
    if all(leads):
        return [lead for options in leads for lead in options], True
    if len(alternatives) == 1:
        longest = _longest_literal_run(alternatives[0])
        if len(longest) >= 3:
            return [longest], False
    return [], False


_MAX_LEADS = 24  # beyond this many spellings a pattern's start is not worth indexing


def _leads(sequence: list[tuple]) -> list[str]:
    """The strings every match of this atom sequence starts with ([] when unknown),
    spelled out as far as a few of them go: ``on[- ]?site`` -> on-site, on site, onsite."""
    open_, closed = [""], []
    for kind, value, least, most in sequence:
        options = _spellings(kind, value)
        if options is None:
            starts = [_leads(alternative) for alternative in value] if kind == "group" else [[]]
            if not all(starts) or len(closed) + len(open_) * (1 + sum(map(len, starts))) > _MAX_LEADS:
                break
            # a group whose start is known but not its end: a match goes on with one of its
            # starts, or, when the group is optional, without it
            closed += [prefix + lead for prefix in open_ for leads in starts for lead in leads]
            if least >= 1:
                open_ = []
                break
            continue
        if least == 0 and most == 1:
            grown = open_ + [prefix + option for prefix in open_ for option in options]
        elif least >= 1:
            grown = [prefix + option for prefix in open_ for option in options]
        else:  # optional and repeated: the spelling stops here
            break
        if len(closed) + len(grown) > _MAX_LEADS:
            break
        open_ = grown
        if most != 1:  # repeated: one occurrence is certain, the rest is not spelled
            break
    leads = closed + open_
    return [] if "" in leads else sorted(set(leads))


def _spellings(kind: str, value) -> list[str] | None:
    """Every string one occurrence of the atom matches, or None when there are too many."""
    if kind == "literal":
        return [value]
    if kind == "choice":
        return value
    if kind == "group":
        spelled = [_spell(alternative) for alternative in value]
        if any(options is None for options in spelled):
            return None
        options = [option for options in spelled for option in options]
        return options if len(options) <= _MAX_LEADS else None
    return None


def _spell(sequence: list[tuple]) -> list[str] | None:
    """Every string the whole atom sequence matches, or None when there are too many."""
    spelled = [""]
    for kind, value, least, most in sequence:
        options = _spellings(kind, value)
        if options is None or most != 1:
            return None
        spelled = (spelled if least == 0 else []) + [prefix + option for prefix in spelled for option in options]
        if len(spelled) > _MAX_LEADS:
            return None
    return spelled


class _Atoms:
    """A regular expression read as alternatives of atom sequences, just enough to find
    the literal text a match must start with.

    An atom is ``(kind, value, least, most)``: kind ``literal`` (value: one character),
    ``choice`` (value: the characters of a small class such as ``[- ]``), ``group``
    (value: its alternatives, for ``(...)`` and ``(?:...)``) or ``other``
    (classes, ``.``, ``\\w``, anchors, lookarounds, inline flags: anything that is not
    plain text); ``least``/``most`` come from the quantifier (most -1: unbounded).
    """

    _ESCAPED_CLASSES = set("wWsSdDbBAZzGntrfv0123456789")

    def __init__(self, pattern: str):
        self.text, self.at = pattern, 0

    def alternatives(self) -> list[list[tuple]]:
        result = self._alternatives()
        if self.at != len(self.text):
            raise ValueError(f"unbalanced ')' in {self.text!r}")
        return result

    def _alternatives(self) -> list[list[tuple]]:
        alternatives, sequence = [], []
        while self.at < len(self.text) and self.text[self.at] != ")":
            char = self.text[self.at]
            if char == "|":
                alternatives.append(sequence)
                sequence, self.at = [], self.at + 1
                continue
            kind, value = self._atom()
            least, most = self._quantifier()
            sequence.append((kind, value, least, most))
        alternatives.append(sequence)
        return alternatives

    def _atom(self) -> tuple[str, object]:
        text, char = self.text, self.text[self.at]
        if char == "\\":
            if self.at + 1 >= len(text):
                raise ValueError("trailing backslash")
            escaped, self.at = text[self.at + 1], self.at + 2
            if escaped in "xuUN":  # a character by its code or name: not read (the pattern is then scanned)
                raise ValueError(f"escape \\{escaped} not read")
            return ("other", None) if escaped in self._ESCAPED_CLASSES else ("literal", escaped.lower())
        if char == "[":
            self.at += 1
            negated = text.startswith("^", self.at)
            self.at += negated
            body_start = self.at
            if self.at < len(text) and text[self.at] == "]":
                self.at += 1
            while self.at < len(text) and text[self.at] != "]":
                self.at += 2 if text[self.at] == "\\" else 1
            if self.at >= len(text):
                raise ValueError("unterminated character class")
            body, self.at = text[body_start : self.at], self.at + 1
            # a few plain characters, e.g. "[- ]" or "[sz]", are spelled out; ranges, escapes
            # and negations are not
            plain = not negated and "\\" not in body and "-" not in body.strip("-") and len(body) <= 4
            return ("choice", sorted({c.lower() for c in body})) if plain and body else ("other", None)
        if char == "(":
            self.at += 1
            plain = self._group_head()
            inner = self._alternatives()  # a lookaround's or a flag group's text is read, then ignored
            if self.at >= len(text):
                raise ValueError("unterminated group")
            self.at += 1
            return ("group", inner) if plain else ("other", None)
        self.at += 1
        if char in ".^$":
            return "other", None
        if char in "*+?":
            raise ValueError(f"nothing to repeat in {text!r}")
        return "literal", char.lower()

    def _group_head(self) -> bool:
        """Skip what follows "(": True for a group that matches its content, i.e.
        ``(...)``, ``(?:...)``, ``(?P<name>...)``, ``(?i:...)``; False for lookarounds,
        ``(?i)``, ``(?#...)``, ``(?P=name)``, conditionals."""
        text = self.text
        if not text.startswith("?", self.at):
            return True
        for head, plain in (("?:", True), ("?=", False), ("?!", False), ("?<=", False), ("?<!", False)):
            if text.startswith(head, self.at):
                self.at += len(head)
                return plain
        if text.startswith("?P<", self.at):
            self.at = text.index(">", self.at) + 1
            return True
        flags = re.match(r"\?[aiLmsux-]*(:?)", text[self.at :])
        if flags.group(1):  # scoped flags: (?i:...)
            self.at += flags.end()
            return True
        close = text.find(")", self.at)  # (?i), (?#...), (?P=name), (?(1)...): skip the head
        if close < 0:
            raise ValueError("unterminated group")
        self.at = close
        return False

    def _quantifier(self) -> tuple[int, int]:
        text = self.text
        if self.at >= len(text):
            return 1, 1
        char = text[self.at]
        if char in "?*+":
            self.at += 1
            bounds = {"?": (0, 1), "*": (0, -1), "+": (1, -1)}[char]
        elif char == "{" and (counted := re.match(r"\{(\d*)(,?)(\d*)\}", text[self.at :])):
            self.at += counted.end()
            least = int(counted.group(1) or 0)
            most = -1 if counted.group(2) and not counted.group(3) else int(counted.group(3) or least)
            bounds = (least, most)
        else:
            return 1, 1
        if self.at < len(text) and text[self.at] in "?+":  # lazy / possessive
            self.at += 1
        return bounds


class _Forms:
    """Every surface form of the taxonomy in one automaton over the lowered searchable text.

    A key (a form as searched, lowered) maps to ``(length, any_case, cased)``: the
    ``(skill, needs_context, is_exclusion)`` entries of the forms matched in any case, and the
    ``(skill, needs_context, form as searched)`` entries of those that must match their case,
    checked against the searchable text where the key is found. One pass serves both kinds:
    an automaton pass costs about as much as the text is long, whatever it holds.
    """

    def __init__(self):
        self.entries: dict[str, tuple[list[tuple[str, bool, bool]], list[tuple[str, bool, str]]]] = {}
        self.automaton = ahocorasick.Automaton()

    def add(self, form: str, skill: str, exclusion: bool = False) -> None:
        key = searchable(form.strip())
        self.entries.setdefault(key.lower(), ([], []))[0].append((skill, False, exclusion))

    def add_cased(self, form: str, skill: str, needs_context: bool = False) -> None:
        key = searchable(form.strip())
        self.entries.setdefault(key.lower(), ([], []))[1].append((skill, needs_context, key))

    def build(self) -> None:
        self.values = {key: (len(key), tuple(any_case), tuple(cased)) for key, (any_case, cased) in self.entries.items()}
        for key, value in self.values.items():
            self.automaton.add_word(key, value)
        if self.entries:
            self.automaton.make_automaton()


class SkillMatcher:
    """Finds taxonomy skills in a posting and keeps, per skill, the first evidence."""

    def __init__(self, skills: list[Skill], context_window: int, context_cues: list[str], list_leads: list[str] = ()):
        self.skills = {skill.skill: skill for skill in skills}
        self._context_window = context_window
        self._context_cues = re.compile(r"\b(?:%s)\b" % "|".join(context_cues), re.IGNORECASE) if context_cues else None
        self._list_leads = re.compile(r"\b(?:%s)\b" % "|".join(list_leads), re.IGNORECASE) if list_leads else None
        self._forms = _Forms()
        for skill in skills:
            for form in skill.aliases:
                self._forms.add(form, skill.skill)
            for form in skill.cased:
                self._forms.add_cased(form, skill.skill)
            for form in skill.in_context:
                self._forms.add_cased(form, skill.skill, needs_context=True)
            for phrase in skill.not_in:
                self._forms.add(phrase, skill.skill, exclusion=True)
        self._forms.build()
        # key -> what a hit of it stands for: ride along in another phrase index's pass (``hits``)
        self.forms = self._forms.values
        # skill -> the phrase set of its patterns, of its not_in_patterns
        self._pattern_sets = {skill.skill: _pattern_set(skill.skill) for skill in skills if skill.patterns}
        self._void_patterns = {skill.skill: _void_set(skill.skill) for skill in skills if skill.not_in_patterns}
        self.phrase_sets = {_pattern_set(skill.skill): list(skill.patterns) for skill in skills if skill.patterns}
        self.phrase_sets.update({_void_set(skill.skill): list(skill.not_in_patterns) for skill in skills if skill.not_in_patterns})
        self._phrases = PhraseIndex(self.phrase_sets)

    def hits(self, text: "str | Prepared", in_technical_list: bool = False, phrases: PhraseCounts | None = None) -> list[Hit]:
        """Valid skill hits in ``text`` (a ``Prepared`` one shares its searchable forms), in text order.

        ``in_technical_list`` says the text is itself a skill name (a "Top Skills" chip),
        so ambiguous words need no further context. ``phrases``: a scan of the text by an index
        that holds ``phrase_sets`` among its own and ``forms`` as its riders (the tagger's
        category rules do), to save two passes.
        """
        prepared = text if isinstance(text, Prepared) else Prepared(text)
        text = prepared.text
        if not text:
            return []
        padded = prepared.padded
        candidates: list[Hit] = []
        cased_hits: list[Hit] = []  # after the any-case ones, as when each kind had its own pass
        exclusions: dict[str, list[tuple[int, int]]] = {}
        if phrases is not None and phrases.riders_of is self.forms:
            forms_found = phrases.riders
        else:
            forms_found = self._forms.automaton.iter(prepared.padded_low) if self.forms else ()
        # keys carry their boundary spaces: a key found ending at ``last`` of the padded text
        # starts at ``last - length + 1`` there, which is the form's start in the unpadded text
        for last, (length, any_case, cased) in forms_found:
            start, end = last - length + 1, last - 1
            for skill, needs_context, exclusion in any_case:
                if exclusion:
                    exclusions.setdefault(skill, []).append((start, end))
                else:
                    candidates.append(Hit(skill, start, end, needs_context))
            for skill, needs_context, key in cased:
                if padded.startswith(key, start):
                    cased_hits.append(Hit(skill, start, end, needs_context))
        candidates += cased_hits
        if phrases is None:
            phrases = self._phrases.scan(prepared)
        tried = phrases.sets_to_try()  # of the ~30 skills with patterns, mostly none
        for skill, name in self._pattern_sets.items():
            if name in tried:
                for match in phrases.matches(name):
                    candidates.append(Hit(skill, match.start(), match.end(), False))
        for skill in {hit.skill for hit in candidates if hit.skill in self._void_patterns}:
            spans = [(m.start(), m.end()) for m in phrases.matches(self._void_patterns[skill])]
            if spans:
                exclusions.setdefault(skill, []).extend(spans)
        if exclusions:
            candidates = [hit for hit in candidates if hit.skill not in exclusions or not _excluded(hit, exclusions[hit.skill])]
        if in_technical_list or not any(hit.needs_context for hit in candidates):
            valid = candidates
        else:
            context = _Context(text, prepared.line_starts, candidates)
            valid = [hit for hit in candidates if not hit.needs_context or self._in_technical_context(context, hit)]
        return sorted(valid, key=lambda hit: (hit.start, -hit.end))

    def _in_technical_context(self, context: "_Context", hit: Hit) -> bool:
        """Another skill (even an ambiguous one: "Go, Rust or C") or a cue word nearby on the line."""
        text = context.text
        line_start, line_end = context.line_around(hit.start, hit.end)
        low = max(line_start, hit.start - self._context_window)
        high = min(line_end, hit.end + self._context_window)
        if context.other_skill_within(hit.skill, low, high):
            return True
        if self._context_cues and self._context_cues.search(text, low, high):
            return True
        lead = context.leads.get(line_start)
        if lead is None:
            lead = context.leads[line_start] = self._under_technology_lead(text, line_start)
        return lead

    def _under_technology_lead(self, text: str, line_start: int) -> bool:
        """A bullet of a list led in by a line naming technologies ("Tools and technologies we use:")."""
        if not (self._list_leads and _BULLET.match(text, line_start)):
            return False
        while line_start > 0:
            previous_start = text.rfind("\n", 0, line_start - 1) + 1
            line = text[previous_start : line_start - 1].strip()
            line_start = previous_start
            if line and not _BULLET.match(line):
                return line.endswith(":") and self._list_leads.search(line) is not None
        return False

    def match(self, title: str, description: str, top_skills: Iterable[str] = (), sections=None) -> list[dict]:
        """One evidence dict per skill found; see ``match_sections``."""
        return self.match_sections(title, description, top_skills, sections)[0]

    def match_sections(
        self, title: "str | Prepared", description: "str | Prepared", top_skills: Iterable[str] = (), sections=None,
        phrases: PhraseCounts | None = None, title_phrases: PhraseCounts | None = None,
    ) -> tuple[list[dict], dict[str, set[str]]]:
        """Evidence dicts ``{skill, category, matched, source, section}``, one per skill, and the
        sections each skill was found in.

        ``sections`` (a ``Sections`` of ``description``) names the part of the description a
        hit stands in; the evidence kept is the first hit in the most telling section (the
        role before the requirements, the title, the company blurb...), so a reader sees what
        the role asks for rather than what the company sells. ``section`` is ``title`` or
        ``top_skills`` for hits there, and ``description`` when no sections are given.
        ``phrases``, ``title_phrases``: the description's and the title's scans by an index holding
        ``phrase_sets`` (see ``hits``).
        """
        found: dict[str, tuple[int, dict]] = {}
        where: dict[str, set[str]] = {}
        prepared = description if isinstance(description, Prepared) else Prepared(description or "")
        title = title if isinstance(title, Prepared) else Prepared(title or "")
        parts = [("title", title, False), ("description", prepared, False)]
        parts += [("top_skills", Prepared(chip), True) for chip in top_skills or () if chip]
        section_starts, section_kinds = sections.boundaries() if sections is not None else ((), ())
        unranked = len(_SECTION_RANK)
        for source, prepared_text, is_chip in parts:
            text = prepared_text.text
            shared = phrases if prepared_text is prepared else title_phrases if prepared_text is title else None
            located = source == "description" and sections is not None
            for hit in self.hits(prepared_text, in_technical_list=is_chip, phrases=shared):
                if located:  # ``sections.at``, inlined: ~25 hits a posting
                    index = bisect_right(section_starts, hit.start) - 1
                    section = section_kinds[index] if index >= 0 else "role"
                else:
                    section = source
                name = hit.skill
                seen = where.get(name)
                if seen is None:
                    where[name] = {section}
                else:
                    seen.add(section)
                rank = _SECTION_RANK.get(section, unranked)
                kept = found.get(name)
                if kept is None or rank < kept[0]:
                    skill = self.skills[name]
                    found[name] = (rank, {
                        "skill": skill.skill,
                        "category": skill.category,
                        "matched": text[hit.start : hit.end],
                        "source": source,
                        "section": section,
                    })  # fmt: skip
        evidence = {name: entry for name, (_, entry) in found.items()}
        for entry in list(evidence.values()):
            for implied in self.skills[entry["skill"]].implies:
                if implied not in evidence:
                    evidence[implied] = {**entry, "skill": implied, "category": self.skills[implied].category}
                    where.setdefault(implied, set()).update(where[entry["skill"]])
        return list(evidence.values()), where


# Which hit of a skill is its evidence: what the role does first, what the company sells last.
_SECTION_RANK = {
    section: rank
    for rank, section in enumerate(
        ("role", "requirements", "description", "title", "nice_to_have", "top_skills", "company", "benefits")
    )
}


# Symbol bullets only: "2. What you will do" is as often a section heading as a list item.
_BULLET = re.compile(r"\s*(?:[-*•·▪◦]|o\s)\s*")


def _pattern_set(skill: str) -> str:
    """Name of the phrase set holding a skill's ``patterns`` (distinct from any category phrase set)."""
    return f"skill patterns: {skill}"


def _void_set(skill: str) -> str:
    """Name of the phrase set holding a skill's ``not_in_patterns``."""
    return f"skill not_in_patterns: {skill}"


class _Context:
    """One text's hits sorted by start and its line breaks, so that the context of each
    ambiguous hit is looked up by bisection: a line with thousands of mentions costs
    thousands of lookups, not millions of comparisons."""

    def __init__(self, text: str, line_starts: list[int], hits: list[Hit]):
        self.text = text
        self._hits = sorted(hits, key=lambda hit: hit.start)
        self._starts = [hit.start for hit in self._hits]
        self._line_starts = line_starts  # ``Prepared.line_starts`` of the text
        self.leads: dict[int, bool] = {}  # line start -> under a technology lead-in, found once

    def line_around(self, start: int, end: int) -> tuple[int, int]:
        """(start, end) of the line holding ``start``, its end the first line break at or after ``end``
        (or the text's end)."""
        starts = self._line_starts
        return starts[bisect_right(starts, start) - 1], starts[bisect_right(starts, end)] - 1

    def other_skill_within(self, skill: str, low: int, high: int) -> bool:
        """Whether a hit of another skill lies wholly within [low, high]."""
        hits = self._hits
        for number in range(bisect_left(self._starts, low), bisect_right(self._starts, high)):
            other = hits[number]
            if other.end <= high and other.skill != skill:
                return True
        return False


def _excluded(hit: Hit, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start <= hit.start and hit.end <= end for start, end in spans)
