"""The blended label source ``rules+llm:<model>``: the rules decide, the LLM where they doubt.

``python -m jobcrawler.label MODEL --only-uncertain [--below X]`` sends the LLM only the postings
whose rule-tagger AI type has a confidence below X. This source reads those answers back into
the rules' labels: a posting's AI type (and the AI-support category and reasoning that go with
it) comes from ``llm:<model>`` when the rules' confidence is below X and the model labelled the
posting, from the rules otherwise; every other category and every skill from the rules. X is
the ``--below`` of the model's latest ``--only-uncertain`` run (the default threshold before
any). The report table ``report_label_deciders`` counts which source decided how many postings.

Every label source gets the same view columns, so one set of report queries serves them all:
``decided_by`` (the source whose AI type a posting carries) and ``doubted`` (the rules'
confidence is below X: 1 or 0; NULL for a source without that confidence), and the one-row
table ``source_threshold`` holds X (for a plain source, the label command's default).
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING

from jobcrawler.storage import LLM_PREFIX, RULES, UNCERTAIN_BELOW

if TYPE_CHECKING:  # the learning path imports Datasette (~0.3 s), which `analysis build` never needs
    from analysis.datasette_plugins import learning_path as learning_engine

PREFIX = RULES + "+"
# What the LLM decides of a posting it was asked about: the AI type and what follows from it.
DECIDED_COLUMNS = ("ai_type", "support_category", "ai_type_reasoning")


def llm_source(labels: str) -> str | None:
    """``llm:<model>`` of a blended source name, None for any other source."""
    rest = labels[len(PREFIX):] if labels.startswith(PREFIX) else ""
    return rest if rest.startswith(LLM_PREFIX) and len(rest) > len(LLM_PREFIX) else None


def threshold(conn: sqlite3.Connection, llm: str) -> float:
    """The confidence below which the model's AI type counts: ``--below`` of its latest
    ``--only-uncertain`` run, else the default the label command uses."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'label_runs'").fetchone():
        return UNCERTAIN_BELOW
    for (args,) in conn.execute("SELECT args FROM label_runs WHERE labels = ? ORDER BY run_id DESC", (llm,)):
        try:
            below = json.loads(args or "{}").get("below")
        except (ValueError, AttributeError):
            continue
        if isinstance(below, (int, float)):
            return float(below)
    return UNCERTAIN_BELOW


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def create_source_views(conn: sqlite3.Connection, labels: str) -> None:
    """The temporary views ``source_labels`` and ``source_skills`` the report queries read, and
    ``source_threshold``.

    "+labels": the tables are read in storage order, not through their (labels, ...) indexes,
    which would look up each of ~10 skill rows a job one by one (100,000 postings: ~1 s)."""
    below = source_threshold(conn, labels)
    conn.execute(f"CREATE TEMP TABLE source_threshold AS SELECT {below!r} AS below")
    conn.execute(f"CREATE TEMP VIEW source_skills AS SELECT * FROM main.job_skills WHERE +labels = {_quoted(skill_source(labels))}")
    conn.execute(f"CREATE TEMP VIEW source_labels AS {labels_select(conn, labels, below)}")


def source_threshold(conn: sqlite3.Connection, labels: str) -> float:
    """The confidence ``doubted`` is counted below: a blend's threshold, else the label command's default."""
    llm = llm_source(labels)
    return threshold(conn, llm) if llm else UNCERTAIN_BELOW


def labels_select(conn: sqlite3.Connection, labels: str, below: float) -> str:
    """The SELECT of one label source's ``job_labels`` rows, with ``decided_by`` and ``doubted``."""
    columns = [row[1] for row in conn.execute("PRAGMA main.table_info(job_labels)")]
    llm = llm_source(labels)
    if llm is None:
        doubted = (f"coalesce(ai_type_confidence, 0) < {below!r}"
                   if labels == RULES and "ai_type_confidence" in columns else "NULL")
        return (f"SELECT *, labels AS decided_by, {doubted} AS doubted "
                f"FROM main.job_labels WHERE +labels = {_quoted(labels)}")
    decided = f"(coalesce(r.ai_type_confidence, 0) < {below!r} AND l.job_id IS NOT NULL)"
    picked = []
    for column in columns:
        if column == "labels":
            picked.append(f"{_quoted(labels)} AS labels")
        elif column in DECIDED_COLUMNS:
            picked.append(f"CASE WHEN {decided} THEN l.{column} ELSE r.{column} END AS {column}")
        else:
            picked.append(f"r.{column}")
    return (f"SELECT {', '.join(picked)}, "
            f"CASE WHEN {decided} THEN {_quoted(llm)} ELSE {_quoted(RULES)} END AS decided_by, "
            f"coalesce(r.ai_type_confidence, 0) < {below!r} AS doubted "
            f"FROM main.job_labels AS r LEFT JOIN main.job_labels AS l ON l.job_id = r.job_id AND l.labels = {_quoted(llm)} "
            f"WHERE +r.labels = {_quoted(RULES)}")


def skill_source(labels: str) -> str:
    """The source whose skills a label source counts: a blend counts the rules'."""
    return RULES if llm_source(labels) else labels


def learning_postings(conn: sqlite3.Connection, labels: str) -> learning_engine.Postings:
    """The learning path's postings of a label source: a blend's are the rules' skills with the
    blend's AI types."""
    from analysis.datasette_plugins import learning_path as learning_engine

    if not llm_source(labels):
        return learning_engine.load_postings(conn, labels)
    select = labels_select(conn, labels, source_threshold(conn, labels))
    ai_type_of = dict(conn.execute(f"SELECT job_id, ai_type FROM ({select})"))
    return learning_engine.load_postings(conn, RULES, ai_type_of)


def missing_parts(labels: str, sources: dict[str, int]) -> list[str]:
    """The parts of a blended source no job carries (both must be in the database)."""
    llm = llm_source(labels)
    return [part for part in (RULES, llm) if part not in sources] if llm else []
