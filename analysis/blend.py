"""The report build's label source views, the blended source ``rules+llm:<model>`` among them.

What a blend is (the rules decide the AI type, the LLM where they doubt) and its SELECT live in
``analysis/datasette_plugins/label_blend.py``, which the site's learning path reads too. Here: the
temporary views ``source_labels`` and ``source_skills`` and the one-row table ``source_threshold``
the report queries read, so one set of queries serves every source; the report table
``report_label_deciders`` counts which source decided how many postings.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from analysis.datasette_plugins import label_blend

if TYPE_CHECKING:  # the learning path imports Datasette (~0.3 s), which `analysis build` never needs
    from analysis.datasette_plugins import learning_path as learning_engine


def create_source_views(conn: sqlite3.Connection, labels: str) -> None:
    """The temporary views ``source_labels`` and ``source_skills`` the report queries read, and
    ``source_threshold``.

    "+labels": the tables are read in storage order, not through their (labels, ...) indexes,
    which would look up each of ~10 skill rows a job one by one (100,000 postings: ~1 s)."""
    below = label_blend.source_threshold(conn, labels)
    conn.execute(f"CREATE TEMP TABLE source_threshold AS SELECT {below!r} AS below")
    conn.execute("CREATE TEMP VIEW source_skills AS SELECT * FROM main.job_skills "
                 f"WHERE +labels = {label_blend.quoted(label_blend.skill_source(labels))}")
    conn.execute(f"CREATE TEMP VIEW source_labels AS {label_blend.labels_select(conn, labels, below)}")


def learning_postings(conn: sqlite3.Connection, labels: str) -> learning_engine.Postings:
    """The learning path's postings of a label source: a blend's are the rules' skills with the
    blend's AI types."""
    from analysis.datasette_plugins import learning_path as learning_engine

    return learning_engine.load_postings(conn, labels, blending=label_blend)
