"""``python -m analysis path``: my learning path in the terminal, the answer of the site's
``/<database>/-/learning-path`` page (analysis/datasette_plugins/learning_path.py) in a few lines.

    python -m analysis path --skills "python, sql, docker" [--city berlin] [--ai-type ai-first]
        [--period 2026-02] [--labels rules] [--db data/jobs.db]
"""

import sqlite3
from contextlib import closing
from pathlib import Path

from analysis import blend
from analysis.datasette_plugins import learning_path as engine
from analysis.datasette_plugins import site
from jobcrawler import storage

TERMINAL_MISSING = 10  # skills to learn listed
TERMINAL_FITS = 8  # best-fitting postings listed


class PathError(ValueError):
    """A question the data cannot answer (no skill recognized, an unknown city...): one line."""


def render(conn: sqlite3.Connection, skills_text: str, scope: engine.Scope) -> tuple[str, list[str]]:
    """The answer as text, and the notes on names no skill has (each with the closest skills).
    PathError when no name is a skill, or the scope names a city, month or type the data lacks."""
    skills, notes = engine.parse_skills(skills_text, site.skill_name, site.skill_lookup_message,
                                        engine.implied_skills(site.TAXONOMY_PATH))
    if not skills:
        raise PathError("no skill recognized in --skills" + (": " + " ".join(notes) if notes else ""))
    try:
        postings = blend.learning_postings(conn, scope.labels)
        scope = engine.scope_city_key(postings, scope)
        engine.check_scope(postings, scope)
    except engine.ScopeError as error:
        raise PathError(str(error)) from error
    result = engine.answer(postings, scope, skills, missing_limit=TERMINAL_MISSING, fits_limit=TERMINAL_FITS)
    engine.fill_fits(conn, result)
    return "\n".join(lines(result, site.read_crawl_sites(conn))) + "\n", notes


def lines(result: engine.Answer, sites: dict[int, str]) -> list[str]:
    out = [f"Your skills: {', '.join(result.skills)}",
           f"Scope: {result.scope.describe()}: {result.postings:,} postings, "
           f"{result.fitting:,} of which name at least one of your skills."]
    if result.who_decided:
        out.append(result.who_decided)
    if result.unnamed:
        out.append(f"No posting here names {', '.join(result.unnamed)}.")
    if not result.postings:
        out.append("No posting in this scope: try another city, crawl month or AI type.")
        return out
    out += ["", f"Skills to learn next (postings asking, of {result.postings:,}; "
                f"beside yours: of the {result.fitting:,} naming one of your skills)"]
    if not result.missing:
        out.append("  You have every skill the postings in this scope name.")
    width = max((len(m.skill) for m in result.missing), default=0)
    for rank, m in enumerate(result.missing, 1):
        out.append(f"  {rank:2}. {m.skill:<{width}}  {m.asking:>6,} ({m.asking_pct:4.1f}%)   "
                   f"beside yours {m.beside:,} ({m.beside_pct:.1f}%)")
    out += ["", "Postings you fit best now (open first; the share of each posting's skills you have)"]
    if not result.fits:
        out.append("  No posting in this scope names any of your skills.")
    for rank, fit in enumerate(result.fits, 1):
        job = fit.job
        facts = [job.get("company") or "company not stated", site.pay_text(job) or "pay not stated"]
        if not fit.is_open:
            facts.append("closed")
        out.append(f"  {rank:2}. {fit.share:3.0f}% ({fit.held} of {fit.named})  {job.get('title')} · "
                   + " · ".join(facts))
        link = site.posting_url(job.get("url"), sites.get(job.get("fetched_run_id") or job.get("last_run_id")))
        out.append(f"      lacks: {', '.join(fit.missing) or 'none'}" + (f" · {link}" if link else ""))
    out += ["", f"You and the typical posting ({result.scope.place()})"]
    if not result.typical:
        out.append("  No AI-first or AI-support posting here.")
    for typical in result.typical:
        named = ", ".join(f"{skill} {share:.0f}%" + (" (yours)" if had else "") for skill, share, had in typical.skills)
        decided = (f" (the AI type of {typical.by_model:,} by {result.deciders.llm})"
                   if typical.by_model is not None else "")
        out.append(f"  {typical.ai_type}, {typical.postings:,} postings{decided}: the median one names "
                   f"{typical.median_skills} skills; the most named: {named}.")
        out.append(f"    You have {typical.had} of them; on average {typical.mean_share:.1f}% of the skills such a "
                   f"posting names, and at least half of them for {typical.half_or_more:,} "
                   f"of the {typical.postings:,}.")
    return out


def main(db_path: str | Path, skills_text: str, city: str = engine.ALL, ai_type: str = engine.ALL,
         period: str = engine.ALL, labels: str = engine.DEFAULT_LABELS, served: str | None = None) -> tuple[str, list[str]]:
    """``served``: what ``storage.being_served`` said of the file; a served file is read as the
    site reads it (immutable: no ``-wal``/``-shm`` beside it, a killed crawl's ``-wal`` unread)."""
    scope = engine.Scope(labels=labels, city=city, period=period, ai_type=ai_type)
    try:
        with closing(storage.connect_to_read(db_path, served)) as conn:
            return render(conn, skills_text, scope)
    except (sqlite3.Error, storage.StorageError) as error:  # not a database, or not a crawl's
        raise PathError(f"cannot read the postings of {db_path}: {error}") from error
