"""The blended label source ``rules+llm:<model>`` as SQL: the rules decide, the LLM where they doubt.

``python -m jobcrawler.label --model MODEL --only-uncertain [--below X]`` sends the LLM only the postings
whose rule-tagger AI type has a confidence below X. The blend reads those answers back into the
rules' labels: a posting's AI type (and the AI-support category and reasoning that go with it)
comes from ``llm:<model>`` when the rules' confidence is below X and the model labelled the
posting, from the rules otherwise; every other category and every skill from the rules. X is the
``--below`` of the model's latest ``--only-uncertain`` run (the default threshold before any).

Every label source's rows get the same two extra columns (``labels_select``): ``decided_by`` (the
source whose AI type a posting carries) and ``doubted`` (the rules' confidence is below X: 1 or 0;
NULL for a source without that confidence).

Two readers: the report build (``analysis/blend.py`` makes its source views of this SELECT) and
the site's learning path (``learning_path.py``), which reads the blend of a served, immutable
database with the same SELECT and no table written. It lives among the site's plugins because a
packaged site (``python -m jobcrawler.cycle``) carries only this folder: Datasette loads it as a
plugin without hooks, and ``learning_path.py`` reaches it through Datasette's plugin manager. For
the same reason it holds its own copy of three ``jobcrawler.storage`` names
(``tests/test_label_blend.py`` holds them identical).
"""

import json

RULES = "rules"  # the rule tagger's label source (jobcrawler.storage.RULES)
LLM_PREFIX = "llm:"  # an LLM labeller's source: llm:<model id> (jobcrawler.storage.LLM_PREFIX)
UNCERTAIN_BELOW = 0.7  # --only-uncertain's default threshold (jobcrawler.storage.UNCERTAIN_BELOW)
PREFIX = RULES + "+"
# What the LLM decides of a posting it was asked about: the AI type and what follows from it.
DECIDED_COLUMNS = ("ai_type", "support_category", "ai_type_reasoning")


def llm_source(labels: str) -> str | None:
    """``llm:<model>`` of a blended source name, None for any other source."""
    rest = labels[len(PREFIX):] if labels.startswith(PREFIX) else ""
    return rest if rest.startswith(LLM_PREFIX) and len(rest) > len(LLM_PREFIX) else None


def blends(sources) -> list[str]:
    """The blended sources the stored ``sources`` allow: ``rules+llm:<model>`` for each model that
    labelled postings, when the rules labelled some too."""
    if RULES not in sources:
        return []
    return [PREFIX + source for source in sources if source.startswith(LLM_PREFIX) and len(source) > len(LLM_PREFIX)]


def missing_parts(labels: str, sources) -> list[str]:
    """The parts of a blended source no job carries (both must be in the database)."""
    llm = llm_source(labels)
    return [part for part in (RULES, llm) if part not in sources] if llm else []


def skill_source(labels: str) -> str:
    """The source whose skills a label source counts: a blend counts the rules'."""
    return RULES if llm_source(labels) else labels


def threshold(conn, llm: str) -> float:
    """The confidence below which the model's AI type counts: ``--below`` of its latest
    ``--only-uncertain`` run, else the default the label command uses."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'label_runs'").fetchone():
        return UNCERTAIN_BELOW
    for (args,) in conn.execute("SELECT args FROM label_runs WHERE labels = ? ORDER BY run_id DESC", (llm,)):
        try:
            below = json.loads(args or "{}").get("below")
        except (ValueError, AttributeError):
            continue
        if type(below) in (int, float) and 0 < below <= 1:  # not a bool, NaN or infinity from a hand-edited run
            return float(below)
    return UNCERTAIN_BELOW


def source_threshold(conn, labels: str) -> float:
    """The confidence ``doubted`` is counted below: a blend's threshold, else the label command's default."""
    llm = llm_source(labels)
    return threshold(conn, llm) if llm else UNCERTAIN_BELOW


def quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def labels_select(conn, labels: str, below: float) -> str:
    """The SELECT of one label source's ``job_labels`` rows, with ``decided_by`` and ``doubted``.

    "+labels": the table is read in storage order, not through its (labels, ...) index."""
    columns = [row[1] for row in conn.execute("PRAGMA main.table_info(job_labels)")]
    llm = llm_source(labels)
    has_confidence = "ai_type_confidence" in columns
    if llm is None:
        doubted = f"coalesce(ai_type_confidence, 0) < {below!r}" if labels == RULES and has_confidence else "NULL"
        return (f"SELECT *, labels AS decided_by, {doubted} AS doubted "
                f"FROM main.job_labels WHERE +labels = {quoted(labels)}")
    # A table from before confidences were stored doubts every rules label.
    rules_confidence = "r.ai_type_confidence" if has_confidence else "NULL"
    decided = f"(coalesce({rules_confidence}, 0) < {below!r} AND l.job_id IS NOT NULL)"
    picked = []
    for column in columns:
        if column == "labels":
            picked.append(f"{quoted(labels)} AS labels")
        elif column in DECIDED_COLUMNS:
            picked.append(f"CASE WHEN {decided} THEN l.{column} ELSE r.{column} END AS {column}")
        else:
            picked.append(f"r.{column}")
    return (f"SELECT {', '.join(picked)}, "
            f"CASE WHEN {decided} THEN {quoted(llm)} ELSE {quoted(RULES)} END AS decided_by, "
            f"coalesce({rules_confidence}, 0) < {below!r} AS doubted "
            f"FROM main.job_labels AS r LEFT JOIN main.job_labels AS l ON l.job_id = r.job_id AND l.labels = {quoted(llm)} "
            f"WHERE +r.labels = {quoted(RULES)}")
