"""The scope tables counted with numpy instead of SQL (reports/_scope.sql and _scope_profile.sql
make them empty, say what they hold, and build.py runs each counting once its tables are made):

* ``fill_names``: over every name every job lists (~943,000 at 100,000 postings):
  ``skill_first_seen``, ``cell_skills``, ``cell_type_skill_counts``, ``cell_stage_skill_counts``,
  ``cell_term_jobs``, ``job_names``, ``cell_pair_counts``;
* ``fill_titles``, ``fill_pay``, ``fill_companies``: the title and company counts and the pay
  quartiles per cell (the title and company counts from each scope group's counts, made in SQL;
  the pay quartiles from group_pay's rows); ``fill_titles`` also the title word and keyword counts
  per cell, and apart the rows the title rankings can list.

Why: SQLite spends ~0.5 µs a row on every b-tree step. It wrote the listed names into a job-keyed
table and sorted or upserted them again for each table, and spread each scope group's counts to
its ~7 cells in ~1,000,000 upserts a table. numpy reads the names once, as integer arrays (each
column one text SQLite writes and numpy parses: ~0.03 µs a value, a tenth of what fetching rows
costs), and counts with a sort or two (100,000 postings: ~3.7 s of SQL -> ~1.8 s). The rows are
the SQL's, to the row (bench/report_equivalence.py): each function quotes the statement it
stands for, which stays the definition.
"""

from __future__ import annotations

import sqlite3
import warnings
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

# name_flags' columns, in the order of job_names' bits
FLAGS = ("frontend", "backend", "ml", "fine_tuning", "rag_or_agents", "genai", "ml_list", "web", "ops", "non_genai")


def fill_names(conn: sqlite3.Connection) -> None:
    """Fill the seven tables (COUNTINGS) from ``listed_names`` (with ``skills``' ids), ``job_order``,
    ``group_cells``, ``segments``, ``name_terms`` and ``name_flags``. The statements quoted below read
    ``job_skill_ids``, each listed name with its skill's id and its job's:

        SELECT o.job_id, n.job_ordinal, s.skill_id, n.position, n.seen_order, o.scope_group, o.segment_id
        FROM listed_names AS n
        JOIN skills AS s ON s.skill = n.name AND s.category IS n.list
        JOIN job_order AS o ON o.ordinal = n.job_ordinal
    """
    # seen_order read as its place within the job (its ordinal x 2^32 taken off: "0" for each of the
    # rule tagger's names, not 15 digits to write and parse)
    place = f"n.seen_order - n.job_ordinal * {1 << 32}"
    names = _columns(conn, "listed_names AS n JOIN skills AS s ON s.skill = n.name AND s.category IS n.list",
                     ("n.job_ordinal", place, "s.skill_id", "n.position"))
    if not len(names["s.skill_id"]):
        return
    ordinal = names["n.job_ordinal"]
    seen_order = (ordinal << 32) + names[place]
    skill_id, position = names["s.skill_id"], names["n.position"]
    jobs = _columns(conn, "job_order", ("ordinal", "scope_group", "segment_id"))
    group_of = np.zeros(int(jobs["ordinal"].max()) + 1, dtype=np.int64)  # by ordinal (row_number(): 1 up)
    segment_of = np.zeros_like(group_of)
    group_of[jobs["ordinal"]] = jobs["scope_group"]
    segment_of[jobs["ordinal"]] = jobs["segment_id"]
    group_cells = _columns(conn, "group_cells", ("scope_group", "cell_id"))
    _fill_skill_first_seen(conn, skill_id, seen_order)
    segments = conn.execute("SELECT segment_id, ai_type, stage_group FROM segments").fetchall()
    _fill_cell_skills(conn, group_of[ordinal], segment_of[ordinal], skill_id, position, seen_order, group_cells, segments)
    _fill_cell_term_jobs(conn, ordinal, skill_id, group_of, segment_of, group_cells, segments)
    _fill_job_names(conn, ordinal, skill_id)
    _fill_cell_pair_counts(conn, ordinal, skill_id, group_of, group_cells)


def _fill_skill_first_seen(conn, skill_id, seen_order) -> None:
    """Where the data first names each skill (job, then place in its lists: ties rank in this order), as

        INSERT INTO skill_first_seen (skill_id, first_seen)
        SELECT skill_id, min(seen_order)
        FROM job_skill_ids
        GROUP BY skill_id;
    """
    (skill,), _, (first_seen,) = _group(keys=(skill_id,), mins=(seen_order,))
    conn.executemany("INSERT INTO skill_first_seen (skill_id, first_seen) VALUES (?, ?)", zip(skill.tolist(), first_seen.tolist()))


def _fill_cell_skills(conn, scope_group, segment_id, skill_id, position, seen_order, group_cells, segments) -> None:
    """Jobs per cell and skill (cell_skills), per cell, AI type and skill (cell_type_skill_counts)
    and per cell, stage group and skill over the names among the first 10 of their list
    (cell_stage_skill_counts), each from the jobs per cell, segment and skill (kept in arrays
    only), as

        CREATE TEMP TABLE cell_skill_counts AS
        WITH per_group AS MATERIALIZED (
            SELECT scope_group, segment_id, skill_id, count(*) AS jobs, sum(position < 10) AS top_jobs,
                min(seen_order) AS first_seen
            FROM job_skill_ids
            GROUP BY scope_group, segment_id, skill_id
        )
        SELECT gc.cell_id, g.segment_id, g.skill_id, sum(g.jobs) AS jobs, sum(g.top_jobs) AS top_jobs,
            min(g.first_seen) AS first_seen
        FROM per_group AS g
        JOIN group_cells AS gc USING (scope_group)
        GROUP BY gc.cell_id, g.segment_id, g.skill_id;
        INSERT INTO cell_skills (cell_id, skill_id, jobs)
        SELECT cell_id, skill_id, sum(jobs)
        FROM cell_skill_counts
        GROUP BY cell_id, skill_id;
        INSERT INTO cell_type_skill_counts (cell_id, ai_type, skill_id, jobs, first_seen)
        SELECT k.cell_id, g.ai_type, k.skill_id, sum(k.jobs), min(k.first_seen)
        FROM cell_skill_counts AS k
        JOIN segments AS g USING (segment_id)
        GROUP BY k.cell_id, g.ai_type, k.skill_id;
        INSERT INTO cell_stage_skill_counts (cell_id, stage_group, skill_id, top_jobs, first_seen)
        SELECT k.cell_id, g.stage_group, k.skill_id, sum(k.top_jobs), min(k.first_seen)
        FROM cell_skill_counts AS k
        JOIN segments AS g USING (segment_id)
        WHERE g.stage_group IS NOT NULL AND k.top_jobs > 0
        GROUP BY k.cell_id, g.stage_group, k.skill_id;
    """
    (group, segment_id, skill_id), (jobs, top_jobs), (first_seen,) = _group(
        keys=(scope_group, segment_id, skill_id),
        sums=(np.ones_like(skill_id), (position < 10).astype(np.int64)), mins=(seen_order,))
    cell_id, row = _spread(group, group_cells)
    (cell_id, segment_id, skill_id), (jobs, top_jobs), (first_seen,) = _group(
        keys=(cell_id, segment_id[row], skill_id[row]), sums=(jobs[row], top_jobs[row]), mins=(first_seen[row],))
    (cells, skills), (sums,), _ = _group(keys=(cell_id, skill_id), sums=(jobs,))
    conn.executemany("INSERT INTO cell_skills (cell_id, skill_id, jobs) VALUES (?, ?, ?)",
                     zip(cells.tolist(), skills.tolist(), sums.tolist()))
    ai_types, ai_type_of = _segment_codes(segments, 1)
    stage_groups, stage_group_of = _segment_codes(segments, 2)
    for table, (kind, count), values, code, kept in (
            # the AI type's number one up, 0 for none (a group of its own, as GROUP BY makes NULLs)
            ("cell_type_skill_counts", ("ai_type", "jobs"), [None, *ai_types], ai_type_of[segment_id] + 1,
             np.ones(len(cell_id), dtype=bool)),
            ("cell_stage_skill_counts", ("stage_group", "top_jobs"), stage_groups, stage_group_of[segment_id],
             (top_jobs > 0) & (stage_group_of[segment_id] >= 0))):
        (cells, codes, skills), (sums,), (firsts,) = _group(
            keys=(cell_id[kept], code[kept], skill_id[kept]), sums=((jobs if count == "jobs" else top_jobs)[kept],),
            mins=(first_seen[kept],))
        conn.executemany(
            f"INSERT INTO {table} (cell_id, {kind}, skill_id, {count}, first_seen) VALUES (?, ?, ?, ?, ?)",
            zip(cells.tolist(), [values[c] for c in codes.tolist()], skills.tolist(), sums.tolist(), firsts.tolist()))


def _fill_cell_term_jobs(conn, ordinal, skill_id, group_of, segment_of, group_cells, segments) -> None:
    """Jobs per cell, AI type and published word, each job once a word, as

        INSERT INTO cell_term_jobs (cell_id, ai_type, purpose, term_name, jobs)
        SELECT gc.cell_id, s.ai_type, t.purpose, t.name, sum(g.jobs)
        FROM (
            SELECT k.scope_group, k.segment_id, n.term_key, count(DISTINCT k.job_id) AS jobs
            FROM job_skill_ids AS k
            JOIN name_terms AS n USING (skill_id)
            WHERE n.purpose IN ('compared', 'ml knowledge')
            GROUP BY k.scope_group, k.segment_id, n.term_key
        ) AS g
        JOIN published_terms AS t ON t.rowid = g.term_key
        JOIN segments AS s USING (segment_id)
        JOIN group_cells AS gc USING (scope_group)
        WHERE s.ai_type IS NOT NULL
        GROUP BY gc.cell_id, s.ai_type, t.purpose, t.name;
    """
    terms = _columns(conn, "name_terms", ("skill_id", "term_key"), "WHERE purpose IN ('compared', 'ml knowledge')")
    if not len(terms["skill_id"]):
        return
    # each (name, word its skill holds): a name once a word, reading its skill's run of words
    (term_skill, term_key), _, _ = _group(keys=(terms["skill_id"], terms["term_key"]))
    words = np.bincount(term_skill, minlength=int(max(skill_id.max(), term_skill.max())) + 1)
    row, nth = _runs(words[skill_id])
    word = term_key[(np.cumsum(words) - words)[skill_id[row]] + nth]
    # each job once a word; a job has one scope group and segment: then jobs per group, segment and word
    (job, word), _, _ = _group(keys=(ordinal[row], word))
    (scope_group, segment_id, word), (jobs,), _ = _group(
        keys=(group_of[job], segment_of[job], word), sums=(np.ones_like(word),))
    # then per cell, AI type (none: left out) and (purpose, name): a word's number is its place among those
    ai_types, ai_type_of = _segment_codes(segments, 1)
    ai_type = ai_type_of[segment_id]
    kept = ai_type >= 0
    if not kept.any():
        return
    published = conn.execute("SELECT rowid, purpose, name FROM published_terms").fetchall()
    names = sorted({(purpose, name) for _, purpose, name in published})
    name_of = np.full(max(key for key, _, _ in published) + 1, -1, dtype=np.int64)
    for key, purpose, name in published:
        name_of[key] = names.index((purpose, name))
    cell_id, row = _spread(scope_group[kept], group_cells)
    (cell_id, ai_type, name), (jobs,), _ = _group(
        keys=(cell_id, ai_type[kept][row], name_of[word[kept][row]]), sums=(jobs[kept][row],))
    conn.executemany(
        "INSERT INTO cell_term_jobs (cell_id, ai_type, purpose, term_name, jobs) VALUES (?, ?, ?, ?, ?)",
        ((cell, ai_types[kind], *names[term], count)
         for cell, kind, term, count in zip(cell_id.tolist(), ai_type.tolist(), name.tolist(), jobs.tolist())))


def _segment_codes(segments: list[tuple], column: int) -> tuple[list[str], np.ndarray]:
    """One column of the segments' rows (segment_id first) as numbers: the distinct values (NULL
    left out) in order, and by segment id the place of its value among them, -1 for NULL."""
    values = sorted({segment[column] for segment in segments if segment[column] is not None})
    code_of = np.full(max((segment[0] for segment in segments), default=0) + 1, -1, dtype=np.int64)
    for segment in segments:
        if segment[column] is not None:
            code_of[segment[0]] = values.index(segment[column])
    return values, code_of


def _fill_job_names(conn, ordinal, skill_id) -> None:
    """Per job, what its names' published searches found and which lists name anything, as

        INSERT INTO job_names (ordinal, flags)
        SELECT o.ordinal,
            coalesce(max(f.frontend), 0) | (coalesce(max(f.backend), 0) << 1) | (coalesce(max(f.ml), 0) << 2)
            | (coalesce(max(f.fine_tuning), 0) << 3) | (coalesce(max(f.rag_or_agents), 0) << 4)
            | (coalesce(max(f.genai), 0) << 5) | (coalesce(max(f.ml_list), 0) << 6) | (coalesce(max(f.web), 0) << 7)
            | (coalesce(max(f.ops), 0) << 8) | (coalesce(max(f.non_genai), 0) << 9)
        FROM job_skill_ids AS k
        JOIN job_order AS o USING (job_id)
        JOIN name_flags AS f USING (skill_id)
        GROUP BY o.ordinal;

    (a flag is 1, 0 or NULL, so the largest of a job's flags read as 0 where NULL is the same, and
    the largest of 0s and 1s is their OR: each name's flags travel as the bits of one number, and
    are written so)."""
    flags = _columns(conn, "name_flags", ("skill_id", *(f"coalesce({flag}, 0)" for flag in FLAGS)))
    by_skill = np.zeros((int(max(skill_id.max(), flags["skill_id"].max())) + 1, len(FLAGS)), dtype=np.int64)
    by_skill[flags["skill_id"]] = np.stack([flags[f"coalesce({flag}, 0)"] for flag in FLAGS], axis=1)
    if not np.isin(by_skill, (0, 1)).all():
        raise ValueError("name_flags holds a flag that is not 0, 1 or NULL")
    bits = (by_skill << np.arange(len(FLAGS))).sum(axis=1)
    has_flags = np.zeros(len(by_skill), dtype=bool)  # the join: a name whose skill has no name_flags row drops out
    has_flags[flags["skill_id"]] = True
    kept = has_flags[skill_id]
    jobs = ordinal[kept]
    if not len(jobs):
        return
    job_bits = np.zeros(int(jobs.max()) + 1, dtype=np.int64)
    np.bitwise_or.at(job_bits, jobs, bits[skill_id[kept]])
    listing = np.flatnonzero(np.bincount(jobs))  # the jobs with a name that has flags, in ordinal order
    conn.executemany("INSERT INTO job_names (ordinal, flags) VALUES (?, ?)", zip(listing.tolist(), job_bits[listing].tolist()))


def _fill_cell_pair_counts(conn, ordinal, skill_id, group_of, group_cells) -> None:
    """Jobs per cell naming both names of a pair of its genai list, as

        CREATE TEMP TABLE pair_skills AS  -- each genai name of a job once
        SELECT k.job_id, k.job_ordinal, k.skill_id, k.scope_group, s.skill
        FROM job_skill_ids AS k
        JOIN skills AS s USING (skill_id)
        WHERE s.category = 'genai'
        GROUP BY k.job_id, k.skill_id;
        WITH per_group AS MATERIALIZED (
            SELECT a.scope_group, a.skill_id AS skill_a_id, b.skill_id AS skill_b_id, count(*) AS jobs,
                min(a.job_ordinal) AS first_seen  -- the first job naming the pair
            FROM pair_skills AS a
            JOIN pair_skills AS b ON b.job_id = a.job_id AND a.skill < b.skill
            GROUP BY a.scope_group, a.skill_id, b.skill_id
        )
        INSERT INTO cell_pair_counts (cell_id, skill_a_id, skill_b_id, jobs, first_seen)
        SELECT gc.cell_id, g.skill_a_id, g.skill_b_id, g.jobs, g.first_seen
        FROM per_group AS g
        JOIN group_cells AS gc USING (scope_group)
        WHERE true
        ON CONFLICT (cell_id, skill_a_id, skill_b_id) DO UPDATE SET jobs = jobs + excluded.jobs,
            first_seen = min(first_seen, excluded.first_seen);
    """
    genai = conn.execute("SELECT skill_id, skill FROM skills WHERE category = 'genai'").fetchall()
    if len(genai) < 2:
        return
    # a genai skill's place in name order (Python compares str as SQLite's BINARY compares UTF-8)
    place = np.full(int(max(skill_id.max(), max(s for s, _ in genai))) + 1, -1, dtype=np.int64)
    ordered = sorted(genai, key=lambda pair: pair[1])
    place[[s for s, _ in ordered]] = np.arange(len(ordered))
    kept = place[skill_id] >= 0
    (job, skill_place), _, _ = _group(keys=(ordinal[kept], place[skill_id[kept]]))  # each name of a job once
    # every pair (a, b) of a job's names, a before b in name order
    job_end = np.searchsorted(job, job, side="right")
    row, nth = _runs(job_end - np.arange(len(job)) - 1)
    a, b = row, row + 1 + nth
    skill_of_place = np.array([s for s, _ in ordered], dtype=np.int64)
    (group, skill_a, skill_b), (jobs,), (first_seen,) = _group(
        keys=(group_of[job[a]], skill_of_place[skill_place[a]], skill_of_place[skill_place[b]]),
        sums=(np.ones_like(a),), mins=(job[a],))
    if not len(group):
        return
    cell_id, row = _spread(group, group_cells)
    columns = _group(keys=(cell_id, skill_a[row], skill_b[row]), sums=(jobs[row],), mins=(first_seen[row],))
    conn.executemany("INSERT INTO cell_pair_counts (cell_id, skill_a_id, skill_b_id, jobs, first_seen) VALUES (?, ?, ?, ?, ?)",
                     zip(*(column.tolist() for part in columns for column in part)))


def _columns(conn: sqlite3.Connection, source: str, columns: tuple[str, ...], where: str = "") -> dict[str, np.ndarray]:
    """Integer columns as arrays, read in one scan (every array in the same row order): each column
    as one text SQLite writes and numpy parses, no Python object a value. ValueError for a NULL
    (group_concat would skip it, shifting the arrays against each other) or a value that is no
    integer."""
    rows, *texts = conn.execute(f"SELECT count(*), {', '.join(f'group_concat({c})' for c in columns)} FROM {source} {where}").fetchone()
    arrays = {}
    for column, text in zip(columns, texts):
        try:
            with warnings.catch_warnings(action="error"):  # numpy only warns where it stops parsing
                arrays[column] = np.fromstring(text or "", dtype=np.int64, sep=",")
        except (ValueError, DeprecationWarning):
            raise ValueError(f"{column} of {source} holds a value that is no integer") from None
        if len(arrays[column]) != rows:
            raise ValueError(f"{column} of {source} holds NULL in {rows - len(arrays[column])} of {rows} rows")
    return arrays


def _group(keys: tuple[np.ndarray, ...], sums: tuple[np.ndarray, ...] = (), mins: tuple[np.ndarray, ...] = ()):
    """GROUP BY keys (non-negative integers), in key order: (the keys, sum of each of sums, min of
    each of mins)."""
    code, sizes = np.zeros(len(keys[0]), dtype=np.int64), []  # the keys as one number, in the same order
    for key in keys:
        sizes.append(int(key.max(initial=0)) + 1)
        if int(code.max(initial=0)) >= np.iinfo(np.int64).max // sizes[-1]:
            raise OverflowError("too many distinct keys to count together")
        code = code * sizes[-1] + key
    if int(code.max(initial=0)) < _DENSE_CODES + 4 * len(code):
        return _group_dense(code, sizes, sums, mins)
    order = np.argsort(code, kind="stable")
    code = code[order]
    starts = np.flatnonzero(np.concatenate(([True], code[1:] != code[:-1])))[: len(code)]
    if not len(starts):
        return [key[:0] for key in keys], [values[:0] for values in sums], [values[:0] for values in mins]
    return ([key[order[starts]] for key in keys],
            [np.add.reduceat(values[order], starts) for values in sums],
            [np.minimum.reduceat(values[order], starts) for values in mins])


# Keys that make fewer numbers than this (or four times the rows) are counted in arrays indexed by
# the number, not sorted: 943,000 listed names per scope group, segment and skill ~0.1 s -> ~0.03 s.
_DENSE_CODES = 1 << 20


def _group_dense(code: np.ndarray, sizes: list[int], sums: tuple[np.ndarray, ...], mins: tuple[np.ndarray, ...]):
    """_group's result counted by indexing arrays with the keys' number: the same groups, in the
    same order, with the same sums and minimums (integers, added as integers)."""
    length = int(code.max(initial=-1)) + 1
    rows = np.bincount(code, minlength=length)
    present = np.flatnonzero(rows)
    keys, rest = [], present
    for size in reversed(sizes):
        rest, key = np.divmod(rest, size)
        keys.append(key)
    totals = []
    for values in sums:
        total = np.zeros(length, dtype=np.int64)
        np.add.at(total, code, values)
        totals.append(total[present])
    lowest = []
    for values in mins:
        low = np.full(length, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(low, code, values)
        lowest.append(low[present])
    return keys[::-1], totals, lowest


def _runs(lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row i repeated lengths[i] times: (the row, 0.. within its run)."""
    row = np.repeat(np.arange(len(lengths)), lengths)
    return row, np.arange(len(row)) - np.repeat(np.cumsum(lengths) - lengths, lengths)


def _spread(group: np.ndarray, group_cells: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Each row of a scope group once a cell of the group (group_cells): (the cell, the row)."""
    (cell_group, cell_id), _, _ = _group(keys=(group_cells["scope_group"], group_cells["cell_id"]))
    cells = np.bincount(cell_group, minlength=int(max(group.max(), cell_group.max(initial=0))) + 1)
    row, nth = _runs(cells[group])
    return cell_id[(np.cumsum(cells) - cells)[group[row]] + nth], row


def fill_titles(conn: sqlite3.Connection) -> None:
    """Jobs per cell, AI type and exact title, and the first of them, as

        WITH per_group AS MATERIALIZED (
            SELECT p.scope_group, a.ai_type_key, a.ai_type, t.title_id, count(*) AS jobs, min(p.ordinal) AS first_seen
            FROM job_base AS p
            JOIN titles AS t ON t.title = p.title
            JOIN ai_types AS a ON a.ai_type IS p.ai_type
            GROUP BY p.scope_group, a.ai_type_key, t.title_id
        )
        INSERT INTO cell_title_counts (cell_id, ai_type_key, title_id, ai_type, jobs, first_seen)
        SELECT gc.cell_id, g.ai_type_key, g.title_id, g.ai_type, g.jobs, g.first_seen
        FROM per_group AS g
        JOIN group_cells AS gc USING (scope_group)
        WHERE true
        ON CONFLICT (cell_id, ai_type_key, title_id) DO UPDATE SET jobs = jobs + excluded.jobs,
            first_seen = min(first_seen, excluded.first_seen);

    (the first job by its ordinal, which orders the jobs as their ids do: job_order). The groups are
    counted in SQL, their cells here. Beside them, the rows of the titles the two title rankings
    can list (each as many jobs as the TOP_TITLES-th of its cell, over every AI type, or as the
    TOP_TYPE_TITLES-th of its cell and AI type, or more; ~2,500 and ~3,000 of ~63,000 rows at
    100,000 postings), as

        WITH per_cell AS MATERIALIZED (
            SELECT cell_id, title_id, sum(jobs) AS jobs FROM cell_title_counts GROUP BY cell_id, title_id
        ),
        cut AS MATERIALIZED (  -- the jobs of each cell's 25th title (TOP_TITLES)
            SELECT cell_id, jobs AS last_jobs
            FROM (SELECT cell_id, jobs, row_number() OVER (PARTITION BY cell_id ORDER BY jobs DESC) AS place
                  FROM per_cell)
            WHERE place = 25
        )
        INSERT INTO cell_top_title_counts
        SELECT k.* FROM cell_title_counts AS k
        JOIN per_cell AS p USING (cell_id, title_id)
        WHERE p.jobs >= coalesce((SELECT last_jobs FROM cut WHERE cut.cell_id = p.cell_id), 0);
        WITH cut AS MATERIALIZED (  -- the jobs of the 10th title of each cell and AI type (TOP_TYPE_TITLES)
            SELECT cell_id, ai_type_key, jobs AS last_jobs
            FROM (SELECT cell_id, ai_type_key, jobs,
                      row_number() OVER (PARTITION BY cell_id, ai_type_key ORDER BY jobs DESC) AS place
                  FROM cell_title_counts)
            WHERE place = 10
        )
        INSERT INTO cell_type_top_title_counts
        SELECT k.* FROM cell_title_counts AS k
        WHERE k.jobs >= coalesce((SELECT last_jobs FROM cut
                                  WHERE cut.cell_id = k.cell_id AND cut.ai_type_key = k.ai_type_key), 0);

    and the title words (title_words) of each cell and AI type that report_title_words can list
    (each as many titles as the TOP_TITLE_WORDS-th or more: ~2,800 of ~9,800 counts at 100,000
    postings, from ~180,000 title-word rows), as

        WITH per_cell AS MATERIALIZED (
            SELECT c.cell_id, c.ai_type_key, c.ai_type, w.word, sum(c.jobs) AS titles
            FROM title_words AS w
            JOIN cell_title_counts AS c USING (title_id)
            WHERE c.ai_type IS NOT NULL
            GROUP BY c.cell_id, c.ai_type_key, w.word
        ),
        cut AS MATERIALIZED (  -- the titles of the 10th word of each cell and AI type (TOP_TITLE_WORDS)
            SELECT cell_id, ai_type_key, titles AS last_titles
            FROM (SELECT cell_id, ai_type_key, titles,
                      row_number() OVER (PARTITION BY cell_id, ai_type_key ORDER BY titles DESC) AS place
                  FROM per_cell)
            WHERE place = 10
        )
        INSERT INTO cell_title_word_counts (cell_id, ai_type_key, ai_type, word, titles)
        SELECT * FROM per_cell AS p
        WHERE titles >= coalesce((SELECT last_titles FROM cut
                                  WHERE cut.cell_id = p.cell_id AND cut.ai_type_key = p.ai_type_key), 0);

    and titles per cell, AI type and title keyword (title_keyword_hits), as

        INSERT INTO cell_keyword_counts (cell_id, ai_type_key, ai_type, keyword, position, titles, whole_word_titles)
        SELECT c.cell_id, c.ai_type_key, c.ai_type, k.keyword, k.position, sum(c.jobs),
            sum(CASE WHEN k.whole_word THEN c.jobs ELSE 0 END)
        FROM title_keyword_hits AS k
        JOIN cell_title_counts AS c USING (title_id)
        WHERE c.ai_type IS NOT NULL
        GROUP BY c.cell_id, c.ai_type_key, k.keyword;

    and the research jobs per cell and title, of the titles report_research_titles can list (as
    many as the cell's TOP_RESEARCH_TITLES-th or more), as

        WITH per_cell AS MATERIALIZED (
            SELECT gc.cell_id, t.title_id, count(*) AS jobs
            FROM job_base AS p
            JOIN titles AS t ON t.title = p.title
            JOIN group_cells AS gc USING (scope_group)
            WHERE p.is_research = 1
            GROUP BY gc.cell_id, t.title_id
        ),
        cut AS MATERIALIZED (  -- the jobs of each cell's 10th research title (TOP_RESEARCH_TITLES)
            SELECT cell_id, jobs AS last_jobs
            FROM (SELECT cell_id, jobs, row_number() OVER (PARTITION BY cell_id ORDER BY jobs DESC) AS place
                  FROM per_cell)
            WHERE place = 10
        )
        INSERT INTO cell_research_title_counts (cell_id, title_id, jobs)
        SELECT cell_id, title_id, jobs FROM per_cell AS p
        WHERE jobs >= coalesce((SELECT last_jobs FROM cut WHERE cut.cell_id = p.cell_id), 0);

    (each group's research jobs counted beside its jobs), and report_title_variants' groups per cell
    (the titles' published_variant, of 2 jobs or more), ranked in the cell by jobs, then by their
    first title, as

        INSERT INTO cell_variant_counts (cell_id, published_variant, jobs, ai_first_jobs, ai_support_jobs, ml_jobs, rank)
        SELECT c.cell_id, t.published_variant,
            sum(c.jobs),
            sum(CASE WHEN c.ai_type = 'ai-first' THEN c.jobs ELSE 0 END),
            sum(CASE WHEN c.ai_type = 'ai-support' THEN c.jobs ELSE 0 END),
            sum(CASE WHEN c.ai_type = 'ml' THEN c.jobs ELSE 0 END),
            row_number() OVER (PARTITION BY c.cell_id ORDER BY sum(c.jobs) DESC, min(t.first_seen))
        FROM cell_title_counts AS c
        JOIN titles AS t USING (title_id)
        WHERE t.published_variant <> ''
        GROUP BY c.cell_id, t.published_variant
        HAVING sum(c.jobs) >= 2;

    Fills those of the seven tables the scope steps made (build_parallel.py)."""
    per_group = _columns(conn, """(
        SELECT p.scope_group, a.ai_type_key, t.title_id, count(*) AS jobs, min(p.ordinal) AS first_job,
            sum(p.is_research = 1) AS research_jobs
        FROM job_base AS p
        JOIN titles AS t ON t.title = p.title
        JOIN ai_types AS a ON a.ai_type IS p.ai_type
        GROUP BY p.scope_group, a.ai_type_key, t.title_id)""",
        ("scope_group", "ai_type_key", "title_id", "jobs", "first_job", "research_jobs"))
    if not len(per_group["jobs"]):
        return
    cell_id, row = _spread(per_group["scope_group"], _columns(conn, "group_cells", ("scope_group", "cell_id")))
    made = _made(conn)
    if "cell_research_title_counts" in made:
        _fill_research_titles(conn, cell_id, per_group["title_id"][row], per_group["research_jobs"][row])
    (cell_id, ai_type_key, title_id), (jobs,), (first_job,) = _group(
        keys=(cell_id, per_group["ai_type_key"][row], per_group["title_id"][row]),
        sums=(per_group["jobs"][row],), mins=(per_group["first_job"][row],))
    ai_type = _texts_by_key(conn, "ai_types", "ai_type_key", "ai_type")
    kept = {"cell_title_counts": np.ones(len(jobs), dtype=bool), **_title_cuts(cell_id, ai_type_key, title_id, jobs)}
    for table in made & set(kept):
        rows = kept[table]
        conn.executemany(
            f"INSERT INTO {table} (cell_id, ai_type_key, title_id, ai_type, jobs, first_seen) VALUES (?, ?, ?, ?, ?, ?)",
            zip(cell_id[rows].tolist(), ai_type_key[rows].tolist(), title_id[rows].tolist(),
                ai_type[ai_type_key[rows]].tolist(), jobs[rows].tolist(), first_job[rows].tolist()))
    if "cell_variant_counts" in made:
        _fill_cell_variant_counts(conn, cell_id, ai_type_key, title_id, jobs, ai_type)
    typed = np.array([text is not None for text in ai_type], dtype=bool)[ai_type_key]
    if "cell_title_word_counts" in made:
        _fill_title_words(conn, cell_id[typed], ai_type_key[typed], title_id[typed], jobs[typed], ai_type)
    if "cell_keyword_counts" in made:
        _fill_keyword_counts(conn, cell_id[typed], ai_type_key[typed], title_id[typed], jobs[typed], ai_type)


def _texts_by_key(conn: sqlite3.Connection, table: str, key: str, text: str) -> np.ndarray:
    """A table's texts indexed by its integer key (None at keys it lacks): looked up by arrays of
    keys at once rather than a dict a row."""
    rows = conn.execute(f"SELECT {key}, {text} FROM {table}").fetchall()
    texts = np.empty(max((found for found, _ in rows), default=-1) + 1, dtype=object)
    texts[np.array([found for found, _ in rows], dtype=np.int64)] = [value for _, value in rows]
    return texts


def _fill_research_titles(conn, cell_id, title_id, research_jobs) -> None:
    """cell_research_title_counts from each group's research jobs per title, spread to its cells
    (fill_titles)."""
    (cell, title), (jobs,), _ = _group(keys=(cell_id, title_id), sums=(research_jobs,))
    counted = jobs > 0  # a title of no research job in the cell
    cell, title, jobs = cell[counted], title[counted], jobs[counted]
    kept = _can_rank(cell, jobs, TOP_RESEARCH_TITLES)
    conn.executemany("INSERT INTO cell_research_title_counts (cell_id, title_id, jobs) VALUES (?, ?, ?)",
                     zip(cell[kept].tolist(), title[kept].tolist(), jobs[kept].tolist()))


def _fill_cell_variant_counts(conn, cell_id, ai_type_key, title_id, jobs, ai_type) -> None:
    """cell_variant_counts from the rows of cell_title_counts (fill_titles): a variant's first title
    is its place among the titles in first_seen order (no two titles share a first job)."""
    titles = conn.execute("SELECT title_id, published_variant FROM titles WHERE published_variant <> '' "
                          "ORDER BY first_seen").fetchall()
    if not titles or not len(jobs):
        return
    variants, variant_of = _ids([variant for _, variant in titles])
    titled = np.array([title for title, _ in titles], dtype=np.int64)
    size = int(max(titled.max(), title_id.max())) + 1
    variant, place = np.full(size, -1, dtype=np.int64), np.zeros(size, dtype=np.int64)
    variant[titled], place[titled] = variant_of, np.arange(len(titled))
    rows = variant[title_id] >= 0
    of_type = [np.array([text == name for text in ai_type], dtype=bool)[ai_type_key[rows]] * jobs[rows]
               for name in ("ai-first", "ai-support", "ml")]
    (cell, variant), (total, *typed), (first,) = _group(
        keys=(cell_id[rows], variant[title_id[rows]]), sums=(jobs[rows], *of_type), mins=(place[title_id[rows]],))
    shown = total >= 2
    cell, variant, total, first, typed = cell[shown], variant[shown], total[shown], first[shown], [t[shown] for t in typed]
    order = np.lexsort((first, -total, cell))  # per cell, the most jobs first, then the first title
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order)) - np.searchsorted(cell[order], cell[order]) + 1
    conn.executemany("INSERT INTO cell_variant_counts (cell_id, published_variant, jobs, ai_first_jobs, ai_support_jobs, "
                     "ml_jobs, rank) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     ((c, variants[v], n, first_jobs, support_jobs, ml_jobs, r) for c, v, n, first_jobs, support_jobs, ml_jobs, r
                      in zip(cell.tolist(), variant.tolist(), total.tolist(), *(t.tolist() for t in typed), rank.tolist())))


def _by_title(title_id: np.ndarray, item_title: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row (of a title: title_id) once an item of its title (an item of title item_title[i]):
    (the row, the item)."""
    order = np.argsort(item_title, kind="stable")
    per_title = np.bincount(item_title, minlength=int(max(title_id.max(initial=0), item_title.max(initial=0))) + 1)
    row, nth = _runs(per_title[title_id])
    return row, order[(np.cumsum(per_title) - per_title)[title_id[row]] + nth]


def _ids(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """The distinct texts in SQLite's BINARY order (Python orders str as it orders UTF-8), and each
    text's place among them."""
    distinct = sorted(set(texts))
    place = {text: at for at, text in enumerate(distinct)}
    return distinct, np.array([place[text] for text in texts], dtype=np.int64)


def _fill_title_words(conn, cell_id, ai_type_key, title_id, jobs, ai_type) -> None:
    """cell_title_word_counts from the rows of cell_title_counts of an AI type (fill_titles)."""
    pairs = conn.execute("SELECT title_id, word FROM title_words").fetchall()
    if not pairs or not len(jobs):
        return
    words, word = _ids([word for _, word in pairs])
    (word_title, word), _, _ = _group(keys=(np.array([title for title, _ in pairs], dtype=np.int64), word))  # DISTINCT
    row, item = _by_title(title_id, word_title)
    (cell, key, word), (titles,), _ = _group(keys=(cell_id[row], ai_type_key[row], word[item]), sums=(jobs[row],))
    kept = _can_rank(cell * (int(key.max(initial=0)) + 1) + key, titles, TOP_TITLE_WORDS)
    conn.executemany("INSERT INTO cell_title_word_counts (cell_id, ai_type_key, ai_type, word, titles) VALUES (?, ?, ?, ?, ?)",
                     ((c, k, ai_type[k], words[w], n) for c, k, w, n
                      in zip(cell[kept].tolist(), key[kept].tolist(), word[kept].tolist(), titles[kept].tolist())))


def _fill_keyword_counts(conn, cell_id, ai_type_key, title_id, jobs, ai_type) -> None:
    """cell_keyword_counts from the rows of cell_title_counts of an AI type (fill_titles)."""
    hits = conn.execute("SELECT title_id, keyword, position, whole_word FROM title_keyword_hits").fetchall()
    if not hits or not len(jobs):
        return
    keywords, keyword = _ids([keyword for _, keyword, _, _ in hits])
    position = dict((name, at) for _, name, at, _ in hits)
    whole_word = np.array([1 if found else 0 for *_, found in hits], dtype=np.int64)
    row, item = _by_title(title_id, np.array([title for title, *_ in hits], dtype=np.int64))
    (cell, key, keyword), (titles, whole_word_titles), _ = _group(
        keys=(cell_id[row], ai_type_key[row], keyword[item]), sums=(jobs[row], jobs[row] * whole_word[item]))
    conn.executemany("INSERT INTO cell_keyword_counts (cell_id, ai_type_key, ai_type, keyword, position, titles, "
                     "whole_word_titles) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     ((c, k, ai_type[k], keywords[w], position[keywords[w]], n, whole) for c, k, w, n, whole
                      in zip(cell.tolist(), key.tolist(), keyword.tolist(), titles.tolist(), whole_word_titles.tolist())))


# report_top_titles lists each cell's TOP_TITLES titles with the most jobs (over every AI type), and
# report_ai_type_titles each cell's and AI type's TOP_TYPE_TITLES, each with every title tying with
# the last (reports/top_titles.sql, ai_type_titles.sql); fill_titles keeps their rows apart for them.
TOP_TITLES = 25
TOP_TYPE_TITLES = 10
TOP_TITLE_WORDS = 10  # report_title_words: each cell's and AI type's words with the most titles (no ties)
TOP_RESEARCH_TITLES = 10  # report_research_titles: each cell's research titles with the most jobs (no ties)


def _title_cuts(cell_id: np.ndarray, ai_type_key: np.ndarray, title_id: np.ndarray, jobs: np.ndarray) -> dict[str, np.ndarray]:
    """Which rows of cell_title_counts (given as its columns) each title ranking can list, by the
    table keeping them (the statements fill_titles quotes)."""
    (cell_title, title_total), (total,), _ = _group(keys=(cell_id, title_id), sums=(jobs,))
    titles = int(title_id.max(initial=0)) + 1
    pair = np.searchsorted(cell_title * titles + title_total, cell_id * titles + title_id)  # each row's (cell, title)
    return {"cell_top_title_counts": _can_rank(cell_title, total, TOP_TITLES)[pair],
            "cell_type_top_title_counts": _can_rank(cell_id * (int(ai_type_key.max(initial=0)) + 1) + ai_type_key, jobs,
                                                    TOP_TYPE_TITLES)}


def _made(conn: sqlite3.Connection) -> set[str]:
    """The temporary tables the scope steps made so far."""
    return {name for (name,) in conn.execute("SELECT name FROM sqlite_temp_master WHERE type = 'table'")}


def fill_pay(conn: sqlite3.Connection) -> None:
    """The pay quartiles per cell and pay grouping (report_pay's numbers), as

        WITH per_group AS MATERIALIZED (
            SELECT v.scope_group, k.group_key, v.annual, sum(v.jobs) AS jobs, sum(v.converted) AS converted
            FROM (
                SELECT scope_group, currency, 'all' AS group_by, 'all' AS group_value, annual, jobs, converted FROM group_pay
                UNION ALL
                SELECT scope_group, currency, 'level', level, annual, jobs, converted FROM group_pay
                UNION ALL
                SELECT scope_group, currency, 'AI type', ai_type, annual, jobs, converted FROM group_pay
            ) AS v
            JOIN pay_groups AS k USING (currency, group_by, group_value)
            GROUP BY v.scope_group, k.group_key, v.annual
        ),
        cell_pay AS (  -- postings per cell, grouping and yearly figure
            SELECT gc.cell_id, g.group_key, g.annual, sum(g.jobs) AS jobs, sum(g.converted) AS converted
            FROM per_group AS g
            JOIN group_cells AS gc USING (scope_group)
            GROUP BY gc.cell_id, g.group_key, g.annual
        ),
        ranked AS (  -- a figure stands at sorted positions [before, before + jobs)
            SELECT *,
                sum(jobs) OVER (PARTITION BY cell_id, group_key ORDER BY annual ROWS UNBOUNDED PRECEDING) - jobs AS before,
                sum(jobs) OVER (PARTITION BY cell_id, group_key) AS n
            FROM cell_pay
        ),
        marked AS (  -- the two sorted positions each quartile lies between, and how far between
            SELECT *,
                cast((n - 1) * 0.25 AS INTEGER) AS k1, (n - 1) * 0.25 - cast((n - 1) * 0.25 AS INTEGER) AS f1,
                cast((n - 1) * 0.5 AS INTEGER) AS k2, (n - 1) * 0.5 - cast((n - 1) * 0.5 AS INTEGER) AS f2,
                cast((n - 1) * 0.75 AS INTEGER) AS k3, (n - 1) * 0.75 - cast((n - 1) * 0.75 AS INTEGER) AS f3
            FROM ranked
        )
        INSERT INTO cell_pay_quartiles (cell_id, group_key, jobs, converted, q1, median, q3)
        SELECT cell_id, group_key, n, sum(converted),
            max(CASE WHEN k1 >= before AND k1 < before + jobs THEN annual END) * (1 - max(f1))
                + coalesce(max(CASE WHEN k1 + 1 >= before AND k1 + 1 < before + jobs THEN annual END), 0) * max(f1),
            max(CASE WHEN k2 >= before AND k2 < before + jobs THEN annual END) * (1 - max(f2))
                + coalesce(max(CASE WHEN k2 + 1 >= before AND k2 + 1 < before + jobs THEN annual END), 0) * max(f2),
            max(CASE WHEN k3 >= before AND k3 < before + jobs THEN annual END) * (1 - max(f3))
                + coalesce(max(CASE WHEN k3 + 1 >= before AND k3 + 1 < before + jobs THEN annual END), 0) * max(f3)
        FROM marked
        GROUP BY cell_id, group_key;

    Counted here from group_pay's rows, each read once with its pay group under each of the three
    groupings (-1: none, which the join leaves out); a figure is read as the REAL SQLite holds (a
    number as text could round it) and counted by its place among the distinct figures. The
    counts per cell, grouping and figure come out of _group in that order (~130,000 at 100,000
    postings): each quartile is read off them where the positions fall, with the SQL's float
    operations in its order, and only the quartiles are written (SQLite wrote and windowed the
    counts again: ~0.3 s)."""
    rows = conn.execute("""
        SELECT g.scope_group, coalesce(a.group_key, -1), coalesce(l.group_key, -1), coalesce(t.group_key, -1),
            g.annual, g.jobs, g.converted
        FROM group_pay AS g
        LEFT JOIN pay_groups AS a ON a.currency = g.currency AND a.group_by = 'all' AND a.group_value = 'all'
        LEFT JOIN pay_groups AS l ON l.currency = g.currency AND l.group_by = 'level' AND l.group_value = g.level
        LEFT JOIN pay_groups AS t ON t.currency = g.currency AND t.group_by = 'AI type' AND t.group_value = g.ai_type
        """).fetchall()
    if not rows:
        return
    scope_group, *group_keys, annual, jobs, converted = zip(*rows)
    annuals, place = np.unique(np.array(annual, dtype=np.float64), return_inverse=True)
    group_key = np.concatenate([np.array(keys, dtype=np.int64) for keys in group_keys])  # grouping by grouping
    grouped = group_key >= 0
    scope_group, place, jobs, converted = (np.tile(np.array(values, dtype=np.int64), len(group_keys))[grouped]
                                           for values in (scope_group, place, jobs, converted))
    (scope_group, group_key, place), (jobs, converted), _ = _group(  # per_group
        keys=(scope_group, group_key[grouped], place), sums=(jobs, converted))
    cell_id, row = _spread(scope_group, _columns(conn, "group_cells", ("scope_group", "cell_id")))
    (cell_id, group_key, place), (jobs, converted), _ = _group(  # cell_pay, by cell, grouping and figure
        keys=(cell_id, group_key[row], place[row]), sums=(jobs[row], converted[row]))
    (cell_id, group_key), (n, converted), _ = _group(keys=(cell_id, group_key), sums=(jobs, converted))
    ends = np.cumsum(jobs)  # a figure stands at sorted positions [end - jobs, end), counted over every group
    quartiles = [_quartile(annuals[place], ends, np.cumsum(n) - n, n, share) for share in (0.25, 0.5, 0.75)]
    conn.executemany(
        "INSERT INTO cell_pay_quartiles (cell_id, group_key, jobs, converted, q1, median, q3) VALUES (?, ?, ?, ?, ?, ?, ?)",
        zip(cell_id.tolist(), group_key.tolist(), n.tolist(), converted.tolist(), *(_as_sql(q) for q in quartiles)))


def _as_sql(values: np.ndarray) -> list[float | None]:
    """Floats as SQLite's arithmetic leaves them: NULL where IEEE gives NaN (an infinite yearly
    figure, ~1e305 an hour, interpolated: inf x 0)."""
    return [None if value != value else value for value in values.tolist()]


def _quartile(annual: np.ndarray, ends: np.ndarray, start: np.ndarray, n: np.ndarray, share: float) -> np.ndarray:
    """Each group's quantile ``share`` of its sorted figures (a group: n positions from start, the
    figures standing at positions up to ends), as marked and the quartile's max()es compute it:
    the figures at positions k and k + 1 (0 past the last), k + f = (n - 1) * share."""
    at = (n - 1) * share
    k = at.astype(np.int64)  # cast(... AS INTEGER): towards 0
    f = at - k
    low = annual[np.searchsorted(ends, start + k, side="right")]
    above = k + 1 < n
    high = np.where(above, annual[np.minimum(np.searchsorted(ends, start + k + 1, side="right"), len(annual) - 1)], 0.0)
    with np.errstate(invalid="ignore"):  # inf x 0: NaN, which _as_sql writes as SQLite's NULL
        return low * (1 - f) + high * f


# report_top_companies lists each cell's TOP_COMPANIES companies with the most jobs and every
# company tying with the last of them (reports/top_companies.sql, which reads this many);
# cell_company_counts keeps only those: ~2,400 of ~330,000 counts at 100,000 postings.
TOP_COMPANIES = 20


def fill_companies(conn: sqlite3.Connection) -> None:
    """Jobs per cell and company (each cell's companies that can rank in report_top_companies:
    as many jobs as its TOP_COMPANIES-th company or more), and companies per cell, as

        WITH per_group AS MATERIALIZED (
            SELECT p.scope_group, c.company_id, count(*) AS jobs
            FROM job_base AS p
            JOIN companies AS c ON c.company = p.company
            GROUP BY p.scope_group, c.company_id
        )
        INSERT INTO cell_company_counts (cell_id, company_id, jobs)
        SELECT gc.cell_id, g.company_id, g.jobs
        FROM per_group AS g
        JOIN group_cells AS gc USING (scope_group)
        WHERE true
        ON CONFLICT (cell_id, company_id) DO UPDATE SET jobs = jobs + excluded.jobs;
        WITH cut AS MATERIALIZED (  -- the jobs of each cell's 20th company (TOP_COMPANIES)
            SELECT cell_id, jobs AS last_jobs
            FROM (SELECT cell_id, jobs, row_number() OVER (PARTITION BY cell_id ORDER BY jobs DESC) AS place
                  FROM cell_company_counts)
            WHERE place = 20
        )
        DELETE FROM cell_company_counts
        WHERE jobs < coalesce((SELECT last_jobs FROM cut WHERE cut.cell_id = cell_company_counts.cell_id), 0);
        INSERT INTO cell_companies (cell_id, companies)
        SELECT gc.cell_id, count(DISTINCT p.company)
        FROM job_base AS p
        JOIN group_cells AS gc USING (scope_group)
        WHERE p.company IS NOT NULL
        GROUP BY gc.cell_id;

    (a cell's companies are its rows of cell_company_counts before the cut). Each group's jobs per
    company are counted in SQL, their cells here. Fills those of the two tables the scope steps
    made: a build's process making only some report tables (build_parallel.py) makes only the ones
    they read."""
    made = _made(conn)
    per_group = _columns(conn, """(
        SELECT p.scope_group, c.company_id, count(*) AS jobs
        FROM job_base AS p
        JOIN companies AS c ON c.company = p.company
        GROUP BY p.scope_group, c.company_id)""", ("scope_group", "company_id", "jobs"))
    if not len(per_group["jobs"]):
        return
    cell_id, row = _spread(per_group["scope_group"], _columns(conn, "group_cells", ("scope_group", "cell_id")))
    (cell_id, company_id), (jobs,), _ = _group(keys=(cell_id, per_group["company_id"][row]), sums=(per_group["jobs"][row],))
    if "cell_company_counts" in made:
        kept = _can_rank(cell_id, jobs)
        conn.executemany("INSERT INTO cell_company_counts (cell_id, company_id, jobs) VALUES (?, ?, ?)",
                         zip(cell_id[kept].tolist(), company_id[kept].tolist(), jobs[kept].tolist()))
    if "cell_companies" in made:
        (cell_id,), (companies,), _ = _group(keys=(cell_id,), sums=(np.ones_like(cell_id),))  # a row: one company of its cell
        conn.executemany("INSERT INTO cell_companies (cell_id, companies) VALUES (?, ?)", zip(cell_id.tolist(), companies.tolist()))


def _can_rank(cell_id: np.ndarray, jobs: np.ndarray, top: int = TOP_COMPANIES) -> np.ndarray:
    """Which counts a top-``top`` list per cell (report_top_companies: companies) can list: as many
    jobs as the cell's ``top``-th or more (every count of a cell with fewer). ``cell_id`` is any
    integer key of the lists (a cell and AI type as one number)."""
    order = np.lexsort((-jobs, cell_id))  # by cell, the most jobs first
    first = np.searchsorted(cell_id[order], cell_id[order])  # where each row's cell starts
    last = order[np.arange(len(order)) - first == top - 1]
    cut = np.zeros(int(cell_id.max(initial=-1)) + 1, dtype=jobs.dtype)
    cut[cell_id[last]] = jobs[last]
    return jobs >= cut[cell_id]


class Counting(NamedTuple):
    """A counting step: the scope tables it fills (made empty by the scope scripts, which run it
    once they made them all) and those it reads."""
    run: Callable[[sqlite3.Connection], None]
    writes: frozenset[str]
    reads: frozenset[str]


COUNTINGS = (
    Counting(fill_names, frozenset({"skill_first_seen", "cell_skills", "cell_type_skill_counts", "cell_stage_skill_counts",
                                    "cell_term_jobs", "job_names", "cell_pair_counts"}),
             frozenset({"listed_names", "skills", "job_order", "group_cells", "name_terms", "name_flags", "published_terms",
                        "segments"})),
    Counting(fill_titles, frozenset({"cell_title_counts", "cell_top_title_counts", "cell_type_top_title_counts",
                                     "cell_title_word_counts", "cell_keyword_counts", "cell_research_title_counts",
                                     "cell_variant_counts"}),
             frozenset({"job_base", "titles", "ai_types", "group_cells", "title_words", "title_keyword_hits"})),
    Counting(fill_pay, frozenset({"cell_pay_quartiles"}), frozenset({"group_pay", "pay_groups", "group_cells"})),
    Counting(fill_companies, frozenset({"cell_company_counts", "cell_companies"}),
             frozenset({"job_base", "companies", "group_cells"})),
)
