"""Per-job labels of each label source, with their skills and evidence.

Every per-job label (the categories of categories.yaml, and skills with their evidence) is
stored per label source: ``rules`` (the tagger, written by the crawl and by retag),
``fieldguide`` (the published analysis' labels, imported), ``llm:<model>``. A job may hold
labels from several sources; writing one source never touches another's rows.
"""

from __future__ import annotations

import json
from itertools import groupby
from operator import itemgetter

import sqlite_utils

from jobcrawler.storage.schema import JOB_LABEL_COLUMNS, LABEL_COLUMNS, LABEL_DETAIL_COLUMNS, RULES, sqlite_value
from jobcrawler.storage.transaction import transaction, utc_now


INSERT_SKILL = ("INSERT OR IGNORE INTO job_skills (job_id, labels, skill, category, matched, source, section) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)")
# What a stored row holds besides its job, label source and key (category and position; skill)
EVIDENCE_VALUES = ("rule", "condition", "matched", "section")
SKILL_VALUES = ("category", "matched", "source", "section")


def label_row(categories: dict, source: str = RULES, version: str | None = None,
              labelled_at: str | None = None, evidence: dict | None = None) -> dict:
    """A ``job_labels`` row (without ``job_id``): lists as JSON text, flags as 0/1, every column
    present; keys of ``categories`` that are no label column are left out. ``evidence``
    (category -> [{rule, condition, matched, section}, ...]) rides along and replaces the
    source's evidence rows when the row is written."""
    row = {"labels": source, "version": version, "labelled_at": labelled_at or utc_now()}
    if evidence is not None:
        row["evidence"] = evidence
    for column in (*LABEL_COLUMNS, *LABEL_DETAIL_COLUMNS):
        row[column] = sqlite_value(categories.get(column))
    return row


def write_labels(db: sqlite_utils.Database, rows: list[dict]) -> None:
    """Insert or replace ``job_labels`` rows (each with ``job_id`` and ``labels``), and the
    evidence of those that carry it. Only evidence rows that differ from the stored ones are
    written (a re-tag changes few decisions, and ~17 evidence rows a job are most of what it
    would write); rows a category no longer has are deleted, so the stored evidence is always
    exactly the new one."""
    if not rows:
        return
    columns = list(JOB_LABEL_COLUMNS)
    db.conn.executemany(
        f"INSERT OR REPLACE INTO job_labels ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [[row.get(c) for c in columns] for row in rows],
    )
    with_evidence = [row for row in rows if "evidence" in row]
    if not with_evidence:
        return
    new = {(row["job_id"], row["labels"]): [
        (category, position, piece.get("rule"), piece.get("condition"), piece.get("matched"), piece.get("section"))
        for category in sorted(row["evidence"] or ()) for position, piece in enumerate(row["evidence"][category])]
        for row in with_evidence}
    _write_differences(db, "job_label_evidence", ("category", "position"), EVIDENCE_VALUES, new)


def _stored_rows(db: sqlite_utils.Database, table: str, columns: tuple[str, ...],
                 jobs: list[tuple[str, str]]) -> list[list[tuple]]:
    """``columns`` of each (job id, label source)'s ``table`` rows, a list per job in the order
    of ``jobs``, as the primary key's index gives them (in its order as a rule; a caller that
    needs it compares without it). Rows come tagged with their job's place in ``jobs`` (an
    integer) rather than its id and source: ~28 rows a job, and two strings fewer a row is
    ~15% less to read."""
    stored: list[list[tuple]] = [[] for _ in jobs]
    rows = db.execute(
        f"SELECT wanted.key, {', '.join('t.' + c for c in columns)} FROM {table} AS t "
        "JOIN (SELECT key, value ->> 0 AS job_id, value ->> 1 AS labels FROM json_each(?)) AS wanted "
        "ON wanted.job_id = t.job_id AND wanted.labels = t.labels",
        [json.dumps(jobs)],
    )
    for place, found in groupby(rows, key=itemgetter(0)):
        stored[place] += [row[1:] for row in found]  # a list made in one go
    return stored


def _write_differences(db: sqlite_utils.Database, table: str, key: tuple[str, ...], values: tuple[str, ...],
                       new: dict[tuple[str, str], list[tuple]]) -> None:
    """Make each job's rows of ``table`` (one label source's) exactly ``new``'s: tuples of the
    ``key`` and ``values`` columns, in key order. Jobs whose rows are all as stored (most of them
    in a re-tag) cost one list comparison; of the others, rows the job no longer has are deleted,
    rows that differ updated in place (cheaper than a delete and an insert: only the indexes of
    changed columns move), missing rows inserted."""
    stored = _stored_rows(db, table, (*key, *values), list(new))
    width = len(key)
    removed, updated, inserted = [], [], []
    for (job, rows), found in zip(new.items(), stored):
        if found == rows:
            continue
        old = {row[:width]: row[width:] for row in found}
        current = {row[:width]: row[width:] for row in rows}
        removed += [(*job, *place) for place in old.keys() - current.keys()]
        for place, row in current.items():
            was = old.get(place)
            if was is None:
                inserted.append((*job, *place, *row))
            elif was != row:
                updated.append((*row, *job, *place))
    where = "job_id = ? AND labels = ? AND " + " AND ".join(f"{c} = ?" for c in key)
    if removed:
        db.conn.executemany(f"DELETE FROM {table} WHERE {where}", removed)
    if updated:
        db.conn.executemany(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in values)} WHERE {where}", updated)
    columns = ("job_id", "labels", *key, *values)
    db.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                        inserted)


def skill_rows(skills: list[dict]) -> list[tuple]:
    """(skill, category, matched, source, section) per skill, the first of a repeated skill kept."""
    rows, seen = [], set()
    for skill in skills:
        if skill["skill"] not in seen:
            seen.add(skill["skill"])
            rows.append((skill["skill"], skill.get("category"), skill.get("matched"), skill.get("source"),
                         skill.get("section")))
    return rows


# What a labeller reads of a job: the rule tagger (retag), an LLM (label). A write of labels made
# from a job checks these are still what is stored (``changed_since_read``).
TAGGER_INPUT = ("j.title", "j.description", "j.top_skills", "j.industries", "j.level", "j.company_size")
LLM_INPUT = ("coalesce(j.title_raw, j.title)", "j.company", "j.description")


def changed_since_read(db: sqlite_utils.Database, inputs: tuple[str, ...], read: dict[str, tuple]) -> set[str]:
    """Jobs of ``read`` (job id -> the values of ``inputs`` a labeller read) whose stored values
    are no longer those, or that are gone: a crawl re-fetched them while they were labelled."""
    rows = db.execute(f"SELECT j.job_id, {', '.join(inputs)} FROM jobs AS j "
                      "WHERE j.job_id IN (SELECT value FROM json_each(?))", [json.dumps(list(read))])
    current = {row[0]: tuple(row[1:]) for row in rows}
    return {job_id for job_id, values in read.items() if current.get(job_id) != tuple(values)}


def save_labels(db: sqlite_utils.Database, labelled: list[tuple[str, dict, list[dict]]],
                read: dict[str, tuple] | None = None) -> set[str]:
    """Replace one or more jobs' labels, ``(job_id, label_row, skills)`` each, in one
    transaction; each row's ``labels`` names the source whose rows it replaces.

    ``read``: job id -> the tagger's input (``TAGGER_INPUT``) the labels were made from. A job
    whose stored input differs by the time of the write keeps its labels (those its new text
    was given); the ids of those jobs are returned.

    Only the skill and evidence rows that differ from the stored ones are written (a skill's
    row is keyed by the skill; readers order a job's skills themselves): after a taxonomy
    change most jobs' skills do not move, and rewriting them was most of the cost of a re-tag.
    """
    with transaction(db):
        stale = changed_since_read(db, TAGGER_INPUT, read) if read is not None else set()
        write_labelled(db, [job for job in labelled if job[0] not in stale])
    return stale


def write_labelled(db: sqlite_utils.Database, labelled: list[tuple[str, dict, list[dict]]]) -> None:
    if not labelled:
        return
    write_labels(db, [{**row, "job_id": job_id} for job_id, row, _ in labelled])
    new = {(job_id, row["labels"]): sorted(skill_rows(skills)) for job_id, row, skills in labelled}
    _write_differences(db, "job_skills", ("skill",), SKILL_VALUES, new)


def jobs_to_tag(db: sqlite_utils.Database, version: str, everything: bool, after: str, limit: int,
                source: str = RULES) -> list[tuple]:
    """The next ``limit`` jobs after job id ``after`` whose labels of ``source`` are missing or of
    another version (every job with ``everything``), as (job_id, title, description, top_skills,
    industries, level, company_size): what the tagger reads. Keyset paging, so writes between
    pages do not shift them."""
    return db.execute(
        f"SELECT j.job_id, {', '.join(TAGGER_INPUT)} FROM jobs AS j "
        "LEFT JOIN job_labels AS l ON l.job_id = j.job_id AND l.labels = :source "
        "WHERE (:all OR l.version IS NOT :version) AND j.job_id > :after ORDER BY j.job_id LIMIT :limit",
        {"source": source, "all": everything, "version": version, "after": after, "limit": limit},
    ).fetchall()


def label_sources(conn) -> dict[str, int]:
    """Label source -> how many jobs it labelled (``conn``: a sqlite3 connection or a Database;
    none before the label tables exist)."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'job_labels'").fetchone():
        return {}
    return dict(conn.execute("SELECT labels, count(*) FROM job_labels GROUP BY labels ORDER BY labels").fetchall())
