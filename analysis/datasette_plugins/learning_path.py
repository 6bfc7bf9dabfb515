"""My learning path: from the skills a person has to the skills to learn next and the postings that fit.

The answer for a set of skills and a scope (label source, city, crawl month, AI type):

1. the skills they lack, ranked by the postings of the scope asking for each, with how often each is
   named beside the skills they have (among the postings naming at least one of theirs);
2. the postings they fit best now: the share of each posting's skills they have and the ones they
   miss, open postings first;
3. their set against the typical AI-first and AI-support posting of that city and month: the skills
   such a posting names (as many as the median posting names, the most named first), which of them
   they have, and the share of such a posting's skills they hold on average.

A label source is one stored in ``job_labels`` (``rules``, ``fieldguide``, ``llm:<model>``) or the
blend ``rules+llm:<model>`` of the rules and a model that labelled postings (``label_blend.py``:
the model's AI type where the rules doubt): its postings are the rules' with their skills, their
AI types the blend's, and the answer says which source decided how many of them, in the words
of the report's "How far to trust these labels".

It is computed from the crawl tables (``job_labels``, ``job_skills``, ``sightings``), not the report
tables, because no report table could hold every set of skills a person may type. One label
source's postings are loaded once into bitmaps (Python integers: bit *i* is the posting at position
*i*, open postings first, newest first), so every count is a popcount of an AND: at 100,000 postings
an answer takes milliseconds once the bitmaps are loaded (~3 s on 2 busy cores; ``bench/path_speed.py``). The site
keeps them per database file and label source, and loads a served (immutable) database's default
source in the background when it starts.

Three front ends read it: this plugin's page ``/<database>/-/learning-path`` (template
``learning_path.html``), ``python -m analysis path`` (``analysis/path.py``) and the report's Learning
Path section (``analysis/report.py``). It lives among the site's plugins because a packaged site
(``python -m jobcrawler.cycle``) carries only this folder; for the same reason it reaches the site
plugin's skill lookup, pay text and posting links, and the blend's SQL, through Datasette's plugin
manager, not an import.
"""

# No "from __future__ import annotations": Datasette runs this file outside sys.modules, where
# dataclasses cannot resolve annotations written as strings.
import functools
import logging
import os
import re
import sqlite3
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlencode

import yaml

from datasette import hookimpl
from datasette.plugins import pm
from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound, Response

try:
    from jobcrawler.cities import city_key
except ImportError:  # a packaged site (python -m jobcrawler.cycle) runs without the jobcrawler package
    city_key = None

DEFAULT_LABELS = "rules"  # the rule tagger's labels, as everywhere (jobcrawler.storage.RULES)
AI_TYPES = ("ai-first", "ai-support", "ml", "unknown")
COMPARED_TYPES = ("ai-first", "ai-support")
ALL = "all"
SEPARATOR = "\x1f"  # char(31), between the job ids of a group_concat
PAGE_MISSING = 25  # skills to learn listed on the page
PAGE_FITS = 20  # best-fitting postings listed on the page
PAGE_ASKING = 50  # postings listed for one skill
log = logging.getLogger(__name__)

# Where and when each job was seen: the first statement of analysis/reports/_scope.sql (the report
# tables' cells), copied because a packaged site has no reports folder;
# tests/test_learning_path.py holds the two identical.
JOB_CITY_PERIOD_SQL = """
SELECT s.job_id, s.city, substr(coalesce(r.started_at, s.seen_at), 1, 7) AS period
FROM sightings AS s
LEFT JOIN crawl_runs AS r ON r.run_id = s.run_id
WHERE coalesce(r.started_at, s.seen_at) IS NOT NULL AND s.city IS NOT NULL
UNION
SELECT job_id, city, substr(day, 1, 7)
FROM (
    WITH unseen AS MATERIALIZED (  -- listings no sighting records
        SELECT c.job_id, c.city, c.first_seen, c.last_seen
        FROM job_cities AS c
        WHERE c.city IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM sightings AS s WHERE s.job_id = c.job_id AND s.city = c.city)
    )
    SELECT job_id, city, first_seen AS day FROM unseen
    UNION ALL
    SELECT job_id, city, last_seen FROM unseen
)
WHERE day IS NOT NULL
ORDER BY 1, 2, 3
"""


class ScopeError(ValueError):
    """A label source, city, crawl month or AI type the database does not hold: the message lists
    the valid values."""


# ---------------------------------------------------------------- the postings as bitmaps


def bitmap(positions, size: int) -> int:
    """The integer whose bits ``positions`` are set (built in a bytearray: setting bits of a big
    integer one by one would copy it each time)."""
    buffer = bytearray((size + 7) // 8)
    for position in positions:
        buffer[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(buffer, "little")


def first_positions(bits: int, limit: int) -> list[int]:
    """The lowest ``limit`` set bits of ``bits``: the first postings (open, newest) of a set."""
    found = []
    while bits and len(found) < limit:
        lowest = bits & -bits
        found.append(lowest.bit_length() - 1)
        bits ^= lowest
    return found


@dataclass
class Deciders:
    """Who decided the AI types of a blend (``rules+llm:<model>``, label_blend.py), as bitmaps of
    its postings: the rules where their confidence reaches ``below``, the model where it is below
    and the model answered, and the rules still where it is below and the model has not answered."""

    llm: str
    below: float
    sure: int
    asked: int
    waiting: int

    def describe(self, within: int) -> str:
        """Who decided the AI types of the postings ``within``, in the words of the report's "How far
        to trust these labels"."""
        total = within.bit_count()
        sure, asked, waiting = ((within & bits).bit_count() for bits in (self.sure, self.asked, self.waiting))

        def counted(count: int) -> str:
            return f"{count:,} posting{'' if count == 1 else 's'} ({100.0 * count / total if total else 0:.0f}%)"

        text = (f"Who decided the AI type of these {total:,} posting{'' if total == 1 else 's'}: the rules, on "
                f"{counted(sure)} where their confidence reaches {self.below:g}; {self.llm}, on {counted(asked)} "
                f"where it is below {self.below:g}")
        if waiting:
            text += (f"; and the rules still, on {counted(waiting)} below {self.below:g} that {self.llm} has not "
                     f"labelled yet (python -m jobcrawler.label --model {self.llm.split(':', 1)[1]} --only-uncertain "
                     f"--below {self.below:g} sends them)")
        return text + ". Every skill comes from the rules."


@dataclass
class Postings:
    """One label source's postings: ids by position (open postings first, newest first), and per
    skill, cell (city, period), AI type and number of skills named, the bitmap of its postings."""

    labels: str
    skill_source: str  # the source whose skills are counted: a blend's are the rules'
    job_ids: list[str]
    skills: dict[str, int]  # skill -> postings naming it
    categories: dict[str, str | None]  # skill -> its category
    cells: dict[tuple[str, str], int]  # (city, period), with 'all' rollups -> postings seen there
    ai_types: dict[str, int]  # ai_type -> postings of that type
    open: int  # postings not closed
    skill_counts: dict[int, int]  # number of skills a posting names -> postings naming that many
    deciders: Deciders | None = None  # a blend's: who decided each posting's AI type

    @property
    def everything(self) -> int:
        return (1 << len(self.job_ids)) - 1

    def cities(self) -> list[str]:
        return sorted({city for city, _ in self.cells if city != ALL})

    def periods(self) -> list[str]:
        return sorted({period for _, period in self.cells if period != ALL}, reverse=True)


def label_sources(conn) -> list[str]:
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'job_labels'").fetchone():
        return []
    return [row[0] for row in conn.execute("SELECT DISTINCT labels FROM job_labels ORDER BY labels <> ?, labels",
                                           (DEFAULT_LABELS,))]


def offered_sources(conn, blending=None) -> list[str]:
    """The label sources the postings can be read in: the stored ones, and the blends they allow
    when ``blending`` (the label_blend module) is given."""
    return _offered(label_sources(conn), blending)


def _offered(sources: list[str], blending) -> list[str]:
    return [*sources, *blending.blends(sources)] if blending else sources


def load_postings(conn, labels: str = DEFAULT_LABELS, blending=None) -> Postings:
    """Read one label source's postings into bitmaps (``conn``: any sqlite3 connection to a crawl
    database; read only). ScopeError, naming the sources there are, when no posting carries labels
    of that source. ``blending``, the label_blend module (Datasette's plugin in the site, imported
    elsewhere), reads a blend ``rules+llm:<model>``: the rules' skills with the blend's AI types
    and who decided them."""
    llm = blending.llm_source(labels) if blending else None
    sources = label_sources(conn)
    offered = ", ".join(_offered(sources, blending)) or "none"
    if llm and (missing := blending.missing_parts(labels, sources)):
        raise ScopeError(f"label source {labels!r} blends {DEFAULT_LABELS!r} and {llm!r}, but no posting has labels of "
                         f"{' or '.join(map(repr, missing))} (label sources: {offered})")
    if not llm and labels not in sources:
        raise ScopeError(f"no posting has labels of source {labels!r} (label sources: {offered})")
    labelled, decided, where = "job_labels", "NULL, NULL", "WHERE l.labels = ? "
    if llm:  # one SELECT of the blend's rows (no view: a served database is immutable)
        below = blending.source_threshold(conn, labels)
        labelled, decided, where = f"({blending.labels_select(conn, labels, below)})", "l.decided_by, l.doubted", ""
    rows = conn.execute(
        f"SELECT l.job_id, l.ai_type, j.closed_at IS NULL, {decided} FROM {labelled} AS l "
        f"JOIN jobs AS j ON j.job_id = l.job_id {where}"
        "ORDER BY j.closed_at IS NOT NULL, j.posted_date IS NULL, j.posted_date DESC, l.job_id",
        () if llm else (labels,)).fetchall()
    size = len(rows)
    job_ids = [row[0] for row in rows]
    position = {job_id: i for i, job_id in enumerate(job_ids)}
    by_type: dict[str, list[int]] = {}
    for i, (job_id, ai_type, *_) in enumerate(rows):
        by_type.setdefault(ai_type or "unknown", []).append(i)
    open_bits = bitmap((i for i, row in enumerate(rows) if row[2]), size)
    deciders = None
    if llm:
        deciders = Deciders(
            llm, below,
            sure=bitmap((i for i, row in enumerate(rows) if row[3] == DEFAULT_LABELS and not row[4]), size),
            asked=bitmap((i for i, row in enumerate(rows) if row[3] == llm), size),
            waiting=bitmap((i for i, row in enumerate(rows) if row[3] == DEFAULT_LABELS and row[4]), size))
    skill_source = blending.skill_source(labels) if llm else labels

    def bits_of(ids: str) -> int:
        """The bitmap of a group_concat of job ids (jobs the source did not label left out)."""
        return bitmap((i for i in map(position.get, ids.split(SEPARATOR)) if i is not None), size)

    # "+labels" and the job_id order: one pass over the primary key's covering index (then a sort
    # by skill), not a look-up of each row through the (labels, skill) index
    skills = {skill: bits_of(ids) for skill, ids in conn.execute(
        "SELECT skill, group_concat(job_id, char(31)) FROM (SELECT job_id, skill FROM job_skills "
        "WHERE +labels = ? ORDER BY job_id) GROUP BY skill", (skill_source,))}
    categories = dict(conn.execute(
        "SELECT skill, (SELECT category FROM job_skills AS k WHERE k.labels = :labels AND k.skill = named.skill "
        "LIMIT 1) "
        "FROM (SELECT DISTINCT skill FROM job_skills WHERE labels = :labels) AS named", {"labels": skill_source}))
    cells = {(city, period): bits_of(ids) for city, period, ids in conn.execute(
        f"SELECT city, period, group_concat(job_id, char(31)) FROM ({JOB_CITY_PERIOD_SQL}) GROUP BY city, period")}
    for (city, period), bits in list(cells.items()):
        cells[city, ALL] = cells.get((city, ALL), 0) | bits
        cells[ALL, period] = cells.get((ALL, period), 0) | bits
    cells[ALL, ALL] = (1 << size) - 1
    return Postings(
        labels=labels,
        skill_source=skill_source,
        job_ids=job_ids,
        skills=skills,
        categories=categories,
        cells=cells,
        ai_types={ai_type: bitmap(found, size) for ai_type, found in by_type.items()},
        open=open_bits,
        skill_counts=postings_by_count(skills.values(), size),
        deciders=deciders,
    )


def postings_by_count(skill_bits, size: int) -> dict[int, int]:
    """Number of skills named -> the postings naming that many: the skill bitmaps summed bit-wise
    into a binary counter (plane j holds bit j of each posting's count), then read count by count."""
    planes: list[int] = []
    for bits in skill_bits:
        carry = bits
        for j, plane in enumerate(planes):
            planes[j], carry = plane ^ carry, plane & carry
            if not carry:
                break
        if carry:
            planes.append(carry)
    everything = (1 << size) - 1
    found = {}
    for count in range(1 << len(planes)):
        bits = everything
        for j, plane in enumerate(planes):
            bits &= plane if count >> j & 1 else ~plane
        if bits:
            found[count] = bits
    return found


# ---------------------------------------------------------------- the question


@dataclass(frozen=True)
class Scope:
    labels: str = DEFAULT_LABELS
    city: str = ALL
    period: str = ALL
    ai_type: str = ALL

    def describe(self) -> str:
        parts = [f"{self.ai_type} postings" if self.ai_type != ALL else "all postings"]
        if self.city != ALL:
            parts.append(f"city {self.city}")
        if self.period != ALL:
            parts.append(f"crawl month {self.period}")
        return ", ".join([*parts, f"labels {self.labels}"])

    def place(self) -> str:
        """The city and month the typical postings are of."""
        parts = [f"city {self.city}" if self.city != ALL else "every city",
                 f"crawl month {self.period}" if self.period != ALL else "every crawl month"]
        return ", ".join(parts)


def scope_city_key(postings: Postings, scope: Scope) -> Scope:
    """The scope with its city read as every command reads one (``jobcrawler.cities.city_key``:
    ``BERLIN``, `` Berlin ``, the registry's name ``New York``) among the cities the postings have;
    a city naming none is kept as given, for ``check_scope`` to say so listing them. A packaged site
    without the jobcrawler package takes a city key as it is."""
    if city_key is None:
        return scope
    return replace(scope, city=city_key(scope.city, [ALL, *postings.cities()]) or scope.city)


def check_scope(postings: Postings, scope: Scope) -> None:
    """ScopeError naming the valid values when the city, crawl month or AI type is not one the
    postings have. A known city and month never seen together, or a type without postings
    there, is an empty scope, not an error."""
    problems = []
    if scope.city != ALL and scope.city not in postings.cities():
        problems.append(f"no posting was seen in city {scope.city!r} (cities: {', '.join([ALL, *postings.cities()])})")
    if scope.period != ALL and scope.period not in postings.periods():
        problems.append(f"no crawl in month {scope.period!r} (months: {', '.join([ALL, *postings.periods()])})")
    if scope.ai_type != ALL and scope.ai_type not in AI_TYPES:
        problems.append(f"unknown AI type {scope.ai_type!r} (AI types: {', '.join([ALL, *AI_TYPES])})")
    if problems:
        raise ScopeError("; ".join(problems))


def scope_bits(postings: Postings, scope: Scope) -> int:
    bits = postings.cells.get((scope.city, scope.period), 0)
    if scope.ai_type != ALL:
        bits &= postings.ai_types.get(scope.ai_type, 0)
    return bits


@functools.cache
def implied_skills(taxonomy_path) -> dict[str, list[str]]:
    """Skill -> the skills it implies (the taxonomy's ``implies``: DynamoDB -> AWS)."""
    taxonomy = yaml.safe_load(Path(taxonomy_path).read_text(encoding="utf-8"))
    return {entry["skill"]: entry["implies"] for entry in taxonomy["skills"] if entry.get("implies")}


def parse_skills(text: str | None, skill_name, lookup_message,
                 implies: dict[str, list[str]] | None = None) -> tuple[list[str], list[str]]:
    """The skills named in ``text`` (separated by commas, semicolons or lines; any alias, any case)
    as the taxonomy names them, and a message for each name no skill has (with the closest ones).
    An item of several words that is no skill but whose every word is one ("python sql docker")
    counts as those skills. A skill brings the skills it ``implies``, as the tagger counts them in
    postings: who knows DynamoDB knows some AWS."""
    skills: list[str] = []
    problems: list[str] = []
    # each name once: a name pasted many times would be looked up (the closest skills: ~0.5 ms) and answered each time
    for item in dict.fromkeys(part.strip() for part in re.split(r"[,;\n]+", text or "")):
        if not item:
            continue
        found = [skill_name(item)]
        if found[0] is None and len(item.split()) > 1:
            words = [skill_name(word) for word in item.split()]
            found = words if all(words) else found
        if found[0] is None:
            problems.append(lookup_message(item))
        for skill in found:
            for known in (skill, *(implies or {}).get(skill, ())) if skill else ():
                if known not in skills:
                    skills.append(known)
    return skills, problems


# ---------------------------------------------------------------- the answer


@dataclass
class MissingSkill:
    skill: str
    category: str | None
    asking: int  # postings of the scope naming it
    asking_pct: float
    beside: int  # of those, postings naming at least one of the person's skills too
    beside_pct: float  # share of the postings naming one of the person's skills


@dataclass
class Fit:
    job_id: str
    held: int  # of the posting's skills, how many the person has
    named: int  # skills the posting names
    is_open: bool
    missing: list[str] = field(default_factory=list)  # filled by job_details
    job: dict = field(default_factory=dict)

    @property
    def share(self) -> float:
        return 100.0 * self.held / self.named


@dataclass
class Typical:
    ai_type: str
    postings: int
    median_skills: int  # skills the median posting of this type names
    skills: list[tuple[str, float, bool]]  # the type's most named skills: (skill, % of its postings, had)
    mean_share: float  # share of such a posting's skills the person has, averaged over those naming any
    half_or_more: int  # postings of which the person has at least half the skills
    by_model: int | None = None  # in a blend, the postings whose AI type the model decided

    @property
    def had(self) -> int:
        return sum(1 for *_, had in self.skills if had)


@dataclass
class Answer:
    scope: Scope
    skills: list[str]  # the person's, as the taxonomy names them
    postings: int  # in the scope
    fitting: int  # postings of the scope naming at least one of the person's skills
    missing: list[MissingSkill]
    fits: list[Fit]
    typical: list[Typical]
    unnamed: list[str]  # the person's skills no posting of the scope names
    skill_source: str  # the label source whose skills are counted (a blend's: the rules')
    deciders: Deciders | None = None  # a blend's
    who_decided: str | None = None  # in a blend, which source decided the AI type of the scope's postings


def pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def held_exactly(skill_bits: list[int], within: int) -> list[int]:
    """Bitmap per h = 0..len(skill_bits): the postings of ``within`` naming exactly h of the skills
    (bit-sliced counters: ``at_least[h]`` gains the postings that had h - 1 and name this skill)."""
    at_least = [within] + [0] * len(skill_bits)
    for bits in skill_bits:
        for h in range(len(skill_bits), 0, -1):
            at_least[h] |= at_least[h - 1] & bits
    at_least.append(0)
    return [at_least[h] & ~at_least[h + 1] for h in range(len(skill_bits) + 1)]


def fit_buckets(exactly: list[int], postings: Postings) -> list[tuple[int, int]]:
    """(held, named) pairs in the order postings fit: best share first, then more skills held."""
    pairs = [(h, named) for named in postings.skill_counts if named for h in range(1, min(named, len(exactly) - 1) + 1)]
    return sorted(pairs, key=lambda pair: (-pair[0] / pair[1], -pair[0], pair[1]))


def typical_posting(postings: Postings, within: int, ai_type: str, skill_bits: list[int],
                    skills: list[str]) -> Typical | None:
    """The typical posting of ``ai_type`` among ``within`` against the person's skills (their
    bitmaps and names), or None without such postings."""
    bits = within & postings.ai_types.get(ai_type, 0)
    total = bits.bit_count()
    if not total:
        return None
    counts = sorted((named, (bits & group).bit_count()) for named, group in postings.skill_counts.items())
    middle, seen, median = (total + 1) // 2, 0, 0
    for named, count in counts:
        seen += count
        if seen >= middle:
            median = named
            break
    named_by = sorted(((skill, (bits & group).bit_count()) for skill, group in postings.skills.items()),
                      key=lambda item: (-item[1], item[0].lower()))
    top = [(skill, pct(count, total), skill in skills) for skill, count in named_by[:median] if count]
    exactly = held_exactly(skill_bits, bits)
    share_sum, naming_any, half = 0.0, 0, 0
    for named, group in postings.skill_counts.items():
        if not named:
            continue
        naming_any += (bits & group).bit_count()
        for h in range(1, min(named, len(skill_bits)) + 1):
            count = (exactly[h] & group).bit_count()
            share_sum += count * h / named
            half += count if 2 * h >= named else 0
    by_model = (bits & postings.deciders.asked).bit_count() if postings.deciders else None
    return Typical(ai_type, total, median, top, pct(share_sum, naming_any) if naming_any else 0.0, half, by_model)


def answer(postings: Postings, scope: Scope, skills: list[str], order: str = "asking",
           missing_limit: int | None = PAGE_MISSING, fits_limit: int = PAGE_FITS) -> Answer:
    """The learning path of ``skills`` in ``scope`` (checked with check_scope first). ``order``:
    the missing skills by postings asking for them (``asking``) or by how often they are named
    beside the person's skills (``beside``)."""
    within = scope_bits(postings, scope)
    total = within.bit_count()
    skill_bits = [postings.skills.get(skill, 0) for skill in skills]
    naming_yours = 0
    for bits in skill_bits:
        naming_yours |= bits
    naming_yours &= within
    fitting = naming_yours.bit_count()

    missing = []
    for skill, bits in postings.skills.items():
        if skill in skills:
            continue
        asking = (bits & within).bit_count()
        if asking:
            beside = (bits & naming_yours).bit_count()
            missing.append(MissingSkill(skill, postings.categories.get(skill), asking, pct(asking, total),
                                        beside, pct(beside, fitting)))
    first, second = ("beside", "asking") if order == "beside" else ("asking", "beside")
    missing.sort(key=lambda m: (-getattr(m, first), -getattr(m, second), m.skill.lower()))

    fits: list[Fit] = []
    exactly = held_exactly(skill_bits, within)
    buckets = fit_buckets(exactly, postings)
    for is_open, status in ((True, postings.open), (False, ~postings.open)):
        for held, named in buckets:
            if len(fits) >= fits_limit:
                break
            group = exactly[held] & postings.skill_counts[named] & status
            fits.extend(Fit(postings.job_ids[i], held, named, is_open)
                        for i in first_positions(group, fits_limit - len(fits)))
    typical = [found for found in (typical_posting(postings, postings.cells.get((scope.city, scope.period), 0),
                                                   ai_type, skill_bits, skills) for ai_type in COMPARED_TYPES) if found]
    unnamed = [skill for skill, bits in zip(skills, skill_bits) if not bits & within]
    who_decided = postings.deciders.describe(within) if postings.deciders else None
    return Answer(scope, skills, total, fitting, missing[:missing_limit], fits, typical, unnamed, postings.skill_source,
                  postings.deciders, who_decided)


def asking_postings(postings: Postings, scope: Scope, skill: str, limit: int = PAGE_ASKING) -> tuple[int, list[str]]:
    """How many postings of the scope name ``skill``, and the ids of the first ``limit`` (open, newest first)."""
    bits = postings.skills.get(skill, 0) & scope_bits(postings, scope)
    return bits.bit_count(), [postings.job_ids[i] for i in first_positions(bits, limit)]


def learning_order(postings: Postings, scope: Scope, ai_type: str = "ai-first") -> list[dict]:
    """The skills a typical posting of ``ai_type`` in the scope names (as many as its median posting
    names, the most named), in the order their co-occurrence suggests: the most named first, then
    each time the skill most often named beside the one before (ties: the more named). Each step:
    skill, category, postings (of the type naming it), pct, beside_previous (% of the previous
    step's postings that name it too)."""
    within = postings.cells.get((scope.city, scope.period), 0) & postings.ai_types.get(ai_type, 0)
    typical = typical_posting(postings, postings.cells.get((scope.city, scope.period), 0), ai_type, [], [])
    if typical is None:
        return []
    remaining = {skill: postings.skills[skill] & within for skill, _, _ in typical.skills}
    steps: list[dict] = []
    previous = None
    while remaining:
        if previous is None:
            pick = min(remaining, key=lambda s: (-remaining[s].bit_count(), s.lower()))
        else:
            pick = min(remaining, key=lambda s: (-(remaining[s] & previous).bit_count(), -remaining[s].bit_count(),
                                                 s.lower()))
        bits = remaining.pop(pick)
        steps.append({"skill": pick, "category": postings.categories.get(pick), "postings": bits.bit_count(),
                      "pct": pct(bits.bit_count(), typical.postings),
                      "beside_previous": None if previous is None else pct((bits & previous).bit_count(),
                                                                           previous.bit_count())})
        previous = bits
    return steps


def job_details(conn, labels: str, job_ids: list[str]) -> dict[str, dict]:
    """Job id -> its jobs row with ``skills`` (the label source's, by name): the few postings an
    answer lists, read by primary key."""
    if not job_ids:
        return {}
    marks = ", ".join("?" * len(job_ids))
    cursor = conn.execute(f"SELECT * FROM jobs WHERE job_id IN ({marks})", job_ids)
    columns = [d[0] for d in cursor.description]
    jobs = {row[0]: {**dict(zip(columns, row)), "skills": []} for row in cursor.fetchall()}
    for job_id, skill in conn.execute(f"SELECT job_id, skill FROM job_skills WHERE job_id IN ({marks}) AND labels = ? "
                                      "ORDER BY job_id, skill COLLATE NOCASE", [*job_ids, labels]):
        jobs[job_id]["skills"].append(skill)
    return jobs


def fill_fits(conn, result: Answer) -> None:
    """Give each best-fitting posting its jobs row and the skills it names that the person lacks."""
    details = job_details(conn, result.skill_source, [fit.job_id for fit in result.fits])
    for fit in result.fits:
        fit.job = details.get(fit.job_id, {})
        fit.missing = [skill for skill in fit.job.get("skills", []) if skill not in result.skills]


# ---------------------------------------------------------------- the site page


_cache: dict[tuple[str, str], tuple[tuple, Postings]] = {}
_cache_lock = threading.Lock()


def file_stamp(path: str) -> tuple:
    """What changes when a database file is written: its and its write-ahead log's size and time."""
    stamp = []
    for name in (path, path + "-wal"):
        try:
            found = os.stat(name)
            stamp.append((found.st_size, found.st_mtime_ns))
        except FileNotFoundError:
            stamp.append(None)
    return tuple(stamp)


def cached_postings(conn, path: str | None, labels: str, blending=None) -> Postings:
    """The postings of a database file and label source, loaded once per file version (a blend's
    threshold and the model's answers are in the same file), one load at a time (concurrent
    first requests do not load twice)."""
    if path is None:
        return load_postings(conn, labels, blending)
    stamp = file_stamp(path)
    with _cache_lock:
        held = _cache.get((path, labels))
        if held is None or held[0] != stamp:
            held = _cache[path, labels] = (stamp, load_postings(conn, labels, blending))
        return held[1]


def site_plugin():
    """The site plugin module (analysis/datasette_plugins/site.py as Datasette loaded it)."""
    return pm.get_plugin("site.py")


def blend_plugin():
    """The label blend module (analysis/datasette_plugins/label_blend.py as Datasette loaded it)."""
    return pm.get_plugin("label_blend.py")


async def page_postings(datasette, database: str, labels: str) -> Postings:
    db = datasette.get_database(database)
    return await db.execute_fn(lambda conn: cached_postings(conn, db.path, labels, blend_plugin()))


def crawl_database(datasette) -> str | None:
    """The first served database (not Datasette's internal one nor an in-memory one)."""
    for name, db in datasette.databases.items():
        if name != "_internal" and not getattr(db, "is_memory", False):
            return name
    return None


async def learning_path_page(datasette, request):
    database = tilde_decode(request.url_vars["database"])  # a name with a space or an accent comes encoded
    if database not in datasette.databases:
        raise NotFound(f"Database not found: {database}")
    site = site_plugin()
    db = datasette.get_database(database)
    args = request.args
    form = {name: (args.get(name) or "").strip()
            for name in ("skills", "city", "period", "ai_type", "labels", "order", "asking")}
    scope = Scope(labels=form["labels"] or DEFAULT_LABELS, city=form["city"] or ALL, period=form["period"] or ALL,
                  ai_type=form["ai_type"] or ALL)
    context = {"database": database, "form": form, "scope": scope, "ai_types": AI_TYPES, "error": None,
               "problems": [], "result": None, "asking": None, "sources": [], "cities": [], "periods": [],
               "skills_named": [], "blends": []}
    blending = blend_plugin()
    sources = await db.execute_fn(lambda conn: offered_sources(conn, blending))
    context["sources"] = sources
    context["blends"] = [source for source in sources if blending and blending.llm_source(source)]
    postings = None
    try:
        if not sources:
            raise ScopeError("the database holds no labelled postings yet: crawl (scrapy crawl builtin) or import jobs")
        postings = await page_postings(datasette, database, scope.labels)
        context["cities"], context["periods"] = postings.cities(), postings.periods()
        context["skills_named"] = sorted(postings.skills, key=str.lower)
        scope = context["scope"] = scope_city_key(postings, scope)
        form["city"] = "" if scope.city == ALL else scope.city  # the form and its links show the key
        check_scope(postings, scope)
    except ScopeError as error:
        context["error"] = str(error)
    if postings is not None and not context["error"] and form["skills"]:
        skills, context["problems"] = parse_skills(form["skills"], site.skill_name, site.skill_lookup_message,
                                                   implied_skills(site.TAXONOMY_PATH))
        result = answer(postings, scope, skills, order="beside" if form["order"] == "beside" else "asking")
        await db.execute_fn(lambda conn: fill_fits(conn, result))
        sites = await site.crawl_sites(datasette, database)
        for fit in result.fits:
            fit.job = listed(datasette, database, fit.job_id, fit.job, sites)
        context["result"] = result
        if form["asking"]:
            context["asking"] = await asking_section(datasette, database, postings, scope, form["asking"], sites)
    base = {k: v for k, v in form.items() if v and k not in ("asking", "order")}
    context["link"] = lambda **changes: request.path + "?" + urlencode(
        {name: value for name, value in {**base, **changes}.items() if value})
    return Response.html(await datasette.render_template("learning_path.html", context, request=request))


async def asking_section(datasette, database, postings, scope, skill, sites) -> dict:
    db = datasette.get_database(database)
    count, job_ids = asking_postings(postings, scope, skill)
    details = await db.execute_fn(lambda conn: job_details(conn, postings.skill_source, job_ids))
    jobs = [listed(datasette, database, job_id, details.get(job_id, {}), sites) for job_id in job_ids]
    return {"skill": skill, "count": count, "jobs": jobs}


def listed(datasette, database: str, job_id: str, job: dict, sites: dict[int, str]) -> dict:
    """A posting as the page lists it: its row with its pay as stated, its job page and the posting
    on the site it was crawled from (the site plugin's rules)."""
    site = site_plugin()
    run = job.get("fetched_run_id") or job.get("last_run_id")
    return {**job, "pay": site.pay_text(job), "href": datasette.urls.row(database, "jobs", job_id),
            "posting_url": site.posting_url(job.get("url"), sites.get(run))}


@hookimpl
def register_routes():
    return [(r"^/(?P<database>[^/]+)/-/learning-path$", learning_path_page)]


@hookimpl
def extra_template_vars(template, datasette):
    """The home page's Start-here list links the page (index.html)."""
    if template != "index.html":
        return {}
    database = crawl_database(datasette)
    return {"learning_path_href": datasette.urls.database(database) + "/-/learning-path" if database else None}


def warm(path: str, labels: str = DEFAULT_LABELS) -> None:
    """Load a served database's postings before anyone asks (~3 s at 100,000 postings)."""
    try:
        conn = sqlite3.connect(Path(path).resolve().as_uri() + "?immutable=1", uri=True)
        try:
            if labels in label_sources(conn):
                cached_postings(conn, path, labels)
        finally:
            conn.close()
    except sqlite3.Error as error:  # the page says what is wrong when asked
        log.warning("learning path: cannot load the postings of %s: %s", path, error)


@hookimpl
def startup(datasette):
    for name, db in datasette.databases.items():
        if name != "_internal" and db.path and not db.is_mutable:
            threading.Thread(target=warm, args=(db.path,), name=f"learning-path-{name}", daemon=True).start()
