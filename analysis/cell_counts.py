"""Two scope tables counted per listed name with numpy instead of SQL: ``cell_skill_counts`` and
``group_term_jobs`` (reports/_scope.sql makes them empty and says what they hold).

Why: both read every name every job lists (~943,000 rows at 100,000 postings). SQLite sorts them
(~0.5 µs a row a b-tree step) and then spreads each scope group's counts to its ~7 cells in
~1,000,000 upserts; numpy reads the names once, as integer arrays (~0.03 µs a
value as one text SQLite writes and numpy parses: a tenth of what fetching rows costs), and counts
with a sort or two. The rows are the
SQL's, to the row: each function quotes the statement it replaces, which stays the definition.
"""

from __future__ import annotations

import json
import sqlite3

import numpy as np

# reports/_scope.sql, listed_names: seen_order = the job's ordinal * 1,000,000 + the name's place
SEEN_ORDER_JOB = 1_000_000


def fill(conn: sqlite3.Connection) -> None:
    """Fill ``cell_skill_counts`` and ``group_term_jobs`` from ``job_skill_ids``, ``job_order``,
    ``group_cells`` and ``name_terms``."""
    names = _columns(conn, "job_skill_ids", ("seen_order", "skill_id", "position"))
    if not len(names["skill_id"]):
        return
    jobs = _columns(conn, "job_order", ("ordinal", "scope_group", "segment_id"))
    # a job's scope group and segment by its ordinal (row_number(): 1 up)
    group_of = np.zeros(int(jobs["ordinal"].max()) + 1, dtype=np.int64)
    segment_of = np.zeros_like(group_of)
    group_of[jobs["ordinal"]] = jobs["scope_group"]
    segment_of[jobs["ordinal"]] = jobs["segment_id"]
    ordinal = names["seen_order"] // SEEN_ORDER_JOB
    _fill_cell_skill_counts(conn, names, group_of[ordinal], segment_of[ordinal])
    _fill_group_term_jobs(conn, names["skill_id"], ordinal, group_of, segment_of)


def _fill_cell_skill_counts(conn: sqlite3.Connection, names: dict[str, np.ndarray], scope_group: np.ndarray,
                            segment_id: np.ndarray) -> None:
    """Jobs per cell, segment and skill, as

        WITH per_group AS MATERIALIZED (
            SELECT scope_group, segment_id, skill_id, count(*) AS jobs, sum(position < 10) AS top_jobs,
                min(seen_order) AS first_seen
            FROM job_skill_ids
            GROUP BY scope_group, segment_id, skill_id
        )
        INSERT INTO cell_skill_counts (cell_id, segment_id, skill_id, jobs, top_jobs, first_seen)
        SELECT gc.cell_id, g.segment_id, g.skill_id, g.jobs, g.top_jobs, g.first_seen
        FROM per_group AS g
        JOIN group_cells AS gc USING (scope_group)
        WHERE true
        ON CONFLICT (cell_id, segment_id, skill_id) DO UPDATE SET jobs = jobs + excluded.jobs,
            top_jobs = top_jobs + excluded.top_jobs, first_seen = min(first_seen, excluded.first_seen);
    """
    (group, segment_id, skill_id), (jobs, top_jobs), (first_seen,) = _group(
        keys=(scope_group, segment_id, names["skill_id"]),
        sums=(np.ones_like(scope_group), (names["position"] < 10).astype(np.int64)),
        mins=(names["seen_order"],))
    group_cells = _columns(conn, "group_cells", ("scope_group", "cell_id"))
    cell_id, row = _spread(group, group_cells["scope_group"], group_cells["cell_id"])
    columns = _group(keys=(cell_id, segment_id[row], skill_id[row]), sums=(jobs[row], top_jobs[row]), mins=(first_seen[row],))
    conn.executemany(
        "INSERT INTO cell_skill_counts (cell_id, segment_id, skill_id, jobs, top_jobs, first_seen) VALUES (?, ?, ?, ?, ?, ?)",
        zip(*(column.tolist() for part in columns for column in part)))


def _fill_group_term_jobs(conn: sqlite3.Connection, skill_id: np.ndarray, ordinal: np.ndarray,
                          group_of: np.ndarray, segment_of: np.ndarray) -> None:
    """Jobs per scope group, segment and published word, each job once a word, as

        INSERT INTO group_term_jobs (scope_group, segment_id, purpose, term_name, jobs)
        SELECT g.scope_group, g.segment_id, t.purpose, t.name, g.jobs
        FROM (
            SELECT k.scope_group, k.segment_id, n.term_key, count(DISTINCT k.job_id) AS jobs
            FROM job_skill_ids AS k
            JOIN name_terms AS n USING (skill_id)
            WHERE n.purpose IN ('compared', 'ml knowledge')
            GROUP BY k.scope_group, k.segment_id, n.term_key
        ) AS g
        JOIN published_terms AS t ON t.rowid = g.term_key;
    """
    terms = _columns(conn, "name_terms", ("skill_id", "term_key"), "WHERE purpose IN ('compared', 'ml knowledge')")
    if not len(terms["skill_id"]):
        return
    # each (name, word its name holds): a name repeated once a word, reading its skill's run of words
    order = np.lexsort((terms["term_key"], terms["skill_id"]))
    term_skill, term_key = terms["skill_id"][order], terms["term_key"][order]
    words = np.bincount(term_skill, minlength=int(max(skill_id.max(), term_skill.max())) + 1)
    first_word = np.cumsum(words) - words
    repeats = words[skill_id]
    row = np.repeat(np.arange(len(skill_id)), repeats)
    nth = np.arange(len(row)) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    word = term_key[first_word[skill_id[row]] + nth]
    # each job once a word; a job has one scope group and segment, so then count per group, segment, word
    (job, word), _, _ = _group(keys=(ordinal[row], word))
    (scope_group, segment_id, word), (jobs,), _ = _group(
        keys=(group_of[job], segment_of[job], word), sums=(np.ones_like(word),))
    published = {key: (purpose, name) for key, purpose, name in conn.execute("SELECT rowid, purpose, name FROM published_terms")}
    conn.executemany(
        "INSERT INTO group_term_jobs (scope_group, segment_id, purpose, term_name, jobs) VALUES (?, ?, ?, ?, ?)",
        ((group, segment, *published[term], count)
         for group, segment, term, count in zip(scope_group.tolist(), segment_id.tolist(), word.tolist(), jobs.tolist())))


def _columns(conn: sqlite3.Connection, table: str, columns: tuple[str, ...], where: str = "") -> dict[str, np.ndarray]:
    """Integer columns of a table as arrays, read in one scan (every array in the same row order):
    each column as one text SQLite writes and numpy parses, no Python object a value."""
    texts = conn.execute(f"SELECT {', '.join(f'group_concat({c})' for c in columns)} FROM {table} {where}").fetchone()
    return {column: np.fromstring(text or "", dtype=np.int64, sep=",") for column, text in zip(columns, texts)}


def _group(keys: tuple[np.ndarray, ...], sums: tuple[np.ndarray, ...] = (), mins: tuple[np.ndarray, ...] = ()):
    """GROUP BY keys (non-negative integers) in key order: (the keys, sum(each of sums), min(each of mins))."""
    code = np.zeros(len(keys[0]), dtype=np.int64)  # the keys as one number, in the same order
    for key in keys:
        size = int(key.max()) + 1 if len(key) else 1
        if int(code.max(initial=0)) >= np.iinfo(np.int64).max // size:
            raise OverflowError("keys too large to count together")
        code = code * size + key
    order = np.argsort(code, kind="stable")
    code = code[order]
    starts = np.flatnonzero(np.concatenate(([True], code[1:] != code[:-1]))) if len(code) else np.zeros(0, dtype=np.int64)
    return ([key[order[starts]] for key in keys],
            [np.add.reduceat(values[order], starts) for values in sums] if len(starts) else [values[:0] for values in sums],
            [np.minimum.reduceat(values[order], starts) for values in mins] if len(starts) else [values[:0] for values in mins])


def _spread(group: np.ndarray, cell_group: np.ndarray, cell_id: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row of a scope group once per cell of the group (group_cells): (the cell, the row)."""
    order = np.lexsort((cell_id, cell_group))
    cell_group, cell_id = cell_group[order], cell_id[order]
    cells = np.bincount(cell_group, minlength=int(max(group.max(), cell_group.max())) + 1)
    first_cell = np.cumsum(cells) - cells
    repeats = cells[group]
    row = np.repeat(np.arange(len(group)), repeats)
    nth = np.arange(len(row)) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    return cell_id[first_cell[group[row]] + nth], row
