"""The build's second process (analysis/build_parallel.py), forced on the small fixture database:
the same report rows and tables as one process builds, nothing written when it fails, and the
scope statements each process runs read off the SQL."""

from __future__ import annotations

import json
import math
import re
import shutil
import sqlite3
import textwrap
from unittest import mock

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from analysis import build as builder
from analysis import build_parallel, cell_counts
from tests.helpers import BLEND, MODEL, build_fixture_db, with_model_answers, with_pay


def report_tables(path) -> dict[str, tuple[str, list[tuple]]]:
    """Every report table (the build record left out): its CREATE TABLE and its rows in rowid order."""
    conn = sqlite3.connect(path)
    try:
        return {name: (sql, conn.execute(f"SELECT * FROM {name} ORDER BY rowid").fetchall())
                for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                                              "AND name GLOB 'report_*' AND name != 'report_build'")}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    return with_pay(build_fixture_db(tmp_path_factory.mktemp("parallel") / "jobs.db"))


@pytest.fixture
def two_processes(monkeypatch):
    monkeypatch.setattr(build_parallel, "MIN_JOBS", 0)


def test_two_processes_build_the_rows_one_process_builds(tmp_path, fixture_db, monkeypatch):
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    shutil.copy(fixture_db, one), shutil.copy(fixture_db, two)
    builder.build(one)
    builder.build(one)  # rows replaced in tables already there
    monkeypatch.setattr(build_parallel, "MIN_JOBS", 0)
    for _ in range(2):
        side_tables = []
        counts = builder.build(two, side_tables=side_tables)
        assert side_tables  # the second process built some tables
        assert set(side_tables) < set(counts)
    assert report_tables(two) == report_tables(one)


def test_one_process_builds_a_small_database(tmp_path, fixture_db):
    shutil.copy(fixture_db, tmp_path / "jobs.db")
    side_tables = []
    builder.build(tmp_path / "jobs.db", side_tables=side_tables)
    assert side_tables == []


def test_a_failed_second_process_leaves_the_report_rows_as_they_were(tmp_path, fixture_db, two_processes, monkeypatch):
    path = tmp_path / "jobs.db"
    shutil.copy(fixture_db, path)
    builder.build(path)
    before = report_tables(path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE job_labels SET ai_type = 'ml'")  # the next build would change the rows
    conn.commit(), conn.close()
    with pytest.raises(RuntimeError, match="(?s)second process failed:.*KeyError: 'report_nothing'"):
        with build_parallel.SideBuild(path, "rules", ["report_nothing"]) as side:
            side.results()
    processes = []

    class FailingSideBuild(build_parallel.SideBuild):
        def __init__(self, *args):
            super().__init__(*args)
            processes.append(self._process)

        def results(self):
            raise RuntimeError("the second process failed")

    monkeypatch.setattr(build_parallel, "SideBuild", FailingSideBuild)
    with pytest.raises(RuntimeError, match="the second process failed"):
        builder.build(path)
    assert report_tables(path) == before
    assert processes and all(process.returncode is not None for process in processes)  # stopped and waited for
    assert not list(tmp_path.glob("*-journal"))


def test_each_process_runs_the_scope_statements_its_tables_read():
    steps, queries = builder.scope_steps(), builder.report_queries()
    names = next(step for step in steps if step.run is cell_counts.fill_names)
    second = build_parallel.name_free_reports(steps, queries, names)
    assert {"report_pay", "report_top_titles", "report_top_companies"} <= set(second)
    assert "report_top_skills" not in second and "report_overview" not in second
    needed = build_parallel.steps_for(steps, build_parallel.tables_read([queries[t] for t in second], steps))
    assert names not in needed
    assert not {"listed_names", "job_profile"} & {table for step in needed for table in step.writes}
    # every table a chosen statement reads is written by a statement chosen before it
    written = set()
    for step in needed:
        assert step.reads <= written | step.writes, step.label
        written |= step.writes


def test_the_label_state_is_read_under_the_builds_write_lock(tmp_path, fixture_db, two_processes, monkeypatch):
    """prepare() bakes label state (a blend's threshold, job_labels' columns) into its views: read
    under the lock the second process reads under, a label run cannot land between the two."""
    shutil.copy(fixture_db, tmp_path / "jobs.db")
    locked = []
    real = builder.blend.create_source_views

    def create_source_views(conn, labels):
        locked.append(conn.in_transaction)
        real(conn, labels)

    monkeypatch.setattr(builder.blend, "create_source_views", create_source_views)
    builder.build(tmp_path / "jobs.db")
    assert locked == [True]


def with_listed_source(path, lists: dict[str, object], source: str = "fg"):
    """A copy of the rules' labels as a source that keeps its lists: ``lists`` by job id, the
    other jobs listing no name."""
    conn = sqlite3.connect(path)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(job_labels)")]
    select = ", ".join("?" if column in ("labels", "skill_lists") else column for column in columns)
    for (job_id,) in conn.execute("SELECT job_id FROM job_labels WHERE labels = 'rules'").fetchall():
        conn.execute(f"INSERT INTO job_labels ({', '.join(columns)}) SELECT {select} FROM job_labels "
                     "WHERE job_id = ? AND labels = 'rules'", (source, json.dumps(lists.get(job_id, {})), job_id))
    conn.commit(), conn.close()
    return path


def test_a_name_counts_for_its_own_job_however_far_into_its_lists(tmp_path, fixture_db):
    """json_each's ids grow with the lists (SQLite 3.45+: byte offsets): a name past id 1,000,000
    still counts in its own job's cells, not the next job's, and ranks as met before the next
    job's names."""
    path = tmp_path / "jobs.db"
    shutil.copy(fixture_db, path)
    conn = sqlite3.connect(path)
    first, second = [job for (job,) in conn.execute("SELECT job_id FROM job_labels WHERE labels = 'rules' ORDER BY job_id LIMIT 2")]
    conn.close()
    with_listed_source(path, {first: {"genai": [0] * 1_000_010 + ["far name"]}, second: {"genai": ["near name"]}})
    conn = sqlite3.connect(path, isolation_level=None)
    builder.prepare(conn, "fg")
    for step in builder.scope_steps():
        step.run(conn)
    cells = {name: {cell for (cell,) in conn.execute("SELECT c.cell_id FROM cell_skills AS c JOIN skills USING (skill_id) "
                                                      "WHERE skill = ?", (name,))} for name in ("far name", "near name")}
    own = {job: {cell for (cell,) in conn.execute("SELECT gc.cell_id FROM job_order JOIN group_cells AS gc USING (scope_group) "
                                                   "WHERE job_id = ?", (job,))} for job in (first, second)}
    met = dict(conn.execute("SELECT skill, first_seen FROM skills JOIN skill_first_seen USING (skill_id) "
                            "WHERE skill IN ('far name', 'near name')"))
    conn.close()
    assert met["far name"] < met["near name"]
    assert own[first] != own[second]  # the two jobs' cells tell them apart
    assert cells == {"far name": own[first], "near name": own[second]}


def test_the_second_process_runs_this_checkout_from_any_directory(tmp_path, fixture_db, two_processes, monkeypatch):
    """A build started where another checkout (or any ``analysis`` package) lies still runs its own
    code in the second process."""
    shutil.copy(fixture_db, tmp_path / "jobs.db")
    other = tmp_path / "elsewhere" / "analysis"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("")
    (other / "build_parallel.py").write_text("raise SystemExit('the wrong checkout')\n")
    monkeypatch.chdir(other.parent)
    side_tables = []
    builder.build(tmp_path / "jobs.db", side_tables=side_tables)
    assert side_tables


@pytest.mark.parametrize("statement, writes, reads", [
    ("CREATE TEMP TABLE IF NOT EXISTS made AS SELECT * FROM known", "made", {"known"}),
    ("CREATE TEMPORARY TABLE made (x)", "made", set()),
    ('CREATE TEMP TABLE "made" AS SELECT * FROM [known] JOIN `other` USING (x)', "made", {"known", "other"}),
    ("INSERT OR REPLACE INTO temp.made SELECT '--', x FROM known -- other", "made", {"known"}),
    ("INSERT INTO made SELECT 'other', /* other */ x FROM known", "made", {"known"}),
    ("WITH w AS (SELECT * FROM known) INSERT INTO made SELECT * FROM w WHERE true ON CONFLICT DO UPDATE SET x = 1",
     "made", {"known"}),
    ("UPDATE made SET x = (SELECT x FROM known)", "made", {"known"}),
    ("CREATE UNIQUE INDEX IF NOT EXISTS made_x ON made (x)", "made", set()),
])
def test_a_scope_statement_tells_the_table_it_writes_and_those_it_reads(statement, writes, reads):
    step = build_parallel.sql_step(statement, {"made", "known", "other"})
    assert (step.writes, step.reads) == ({writes}, reads)


@pytest.mark.parametrize("statement", ['CREATE TEMP TABLE "two words" (x)', "SELECT 1", "PRAGMA threads = 2"])
def test_a_scope_statement_whose_table_cannot_be_read_fails_loudly(statement):
    with pytest.raises(ValueError, match="cannot tell which table"):
        build_parallel.sql_step(statement, {"made"})


def test_every_scope_step_reads_no_scope_table_it_does_not_declare(fixture_db):
    """What SQLite reads (its authorizer) against what each step says it reads: the SQL read off
    by sql_step, the countings' hand-kept cell_counts.COUNTINGS."""
    steps = builder.scope_steps()
    scope_tables = {table for step in steps for table in step.writes}
    conn = sqlite3.connect(fixture_db, isolation_level=None)
    read = set()
    conn.set_authorizer(lambda action, table, *_: (action == sqlite3.SQLITE_READ and read.add(table)) or sqlite3.SQLITE_OK)
    builder.prepare(conn, "rules")
    counted = set()
    for step in steps:
        read.clear()
        step.run(conn)
        assert read & scope_tables <= step.reads | step.writes, step.label
        if step.label.startswith("cell_counts."):
            assert read & scope_tables - step.writes == step.reads, step.label  # none declared needlessly either
            counted.add(step.label)
    conn.close()
    assert counted == {f"cell_counts.{counting.run.__name__}" for counting in cell_counts.COUNTINGS}


def test_the_second_process_says_how_it_stopped(tmp_path, fixture_db, monkeypatch):
    """Its exit code and the end of its stderr, whatever it wrote on stdout; a print in its code
    does not spoil the outcome it sends."""
    shutil.copy(fixture_db, tmp_path / "jobs.db")
    package = tmp_path / "code" / "analysis"
    shutil.copytree(builder.REPORTS_DIR.parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    code = (package / "build_parallel.py").read_text()
    printing = code.replace('    try:\n        outcome = _build_side(', '    print("hello")\n    try:\n        outcome = _build_side(')
    assert printing != code
    (package / "build_parallel.py").write_text(printing)
    monkeypatch.setenv("PYTHONPATH", str(build_parallel.REPO))  # jobcrawler, after the copy of analysis
    monkeypatch.setattr(build_parallel, "REPO", package.parent)
    with build_parallel.SideBuild(tmp_path / "jobs.db", "rules", ["report_pay"]) as side:
        assert set(side.results()[1]) == {"report_pay"}
    (package / "build_parallel.py").write_text(code.replace('if __name__ == "__main__":',
                                                            'if __name__ == "__main__":\n    print("partial")\n    raise SystemExit(3)'))
    with pytest.raises(RuntimeError, match=r"stopped \(exit code 3\)"):
        with build_parallel.SideBuild(tmp_path / "jobs.db", "rules", ["report_pay"]) as side:
            side.results()


@pytest.mark.parametrize("values, error", [((1, None, 3), "holds NULL in 1 of 3 rows"),
                                           ((1, "x", 3), "holds a value that is no integer"), ((1, 2.5), "holds a value that is no integer")])
def test_a_counting_reads_integers_or_says_what_it_found(values, error):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (a, b)")
    conn.executemany("INSERT INTO t VALUES (?, ?)", [(value, n) for n, value in enumerate(values)])
    with pytest.raises(ValueError, match=f"a of t {error}"):
        cell_counts._columns(conn, "t", ("a", "b"))
    assert cell_counts._columns(conn, "t", ("b",))["b"].tolist() == list(range(len(values)))


def quoted_statements(function) -> list[str]:
    """The SQL a counting's docstring quotes (its blocks indented past the prose, which a module's
    function indents by 4), statement by statement."""
    blocks, block = [], []
    for line in function.__doc__.splitlines() + ["(end)"]:
        if line.startswith(" " * 8) or (block and not line.strip()):
            block.append(line)
        elif block:
            blocks.append(textwrap.dedent("\n".join(block)).strip()), block.clear()
    return [statement for text in blocks if text for statement in builder.sql_statements(text)]


@pytest.fixture(scope="module")
def edge_db(tmp_path_factory, fixture_db):
    """The fixture with a NULL title and company, a job without names, two jobs paid the same REAL,
    a source keeping lists that repeat names and name some only past their 10th place, the model's
    answers and a blend."""
    path = tmp_path_factory.mktemp("edge") / "jobs.db"
    shutil.copy(fixture_db, path)
    with_model_answers(path, 0.8)
    conn = sqlite3.connect(path)
    jobs = [job for (job,) in conn.execute("SELECT job_id FROM jobs ORDER BY job_id")]
    conn.execute("UPDATE jobs SET title = NULL WHERE job_id = ?", (jobs[2],))
    conn.execute("UPDATE jobs SET company = NULL WHERE job_id = ?", (jobs[3],))
    conn.execute("DELETE FROM job_skills WHERE labels = 'rules' AND job_id = ?", (jobs[4],))
    conn.execute("UPDATE jobs SET salary_min = 123456.789, salary_max = 123456.789, salary_currency = 'USD', "
                 "salary_period = 'year' WHERE job_id IN (?, ?)", (jobs[5], jobs[6]))
    conn.commit(), conn.close()
    return with_listed_source(path, {jobs[0]: {"genai": ["RAG", "RAG", "LangChain"], "ml": ["PyTorch", "RAG"]},
                                     jobs[1]: {"genai": ["LangChain", "RAG", "Éx", *(f"g{i}" for i in range(3, 10)), "g10", "RAG"],
                                               "web": ["React"]},
                                     jobs[2]: {"genai": ["RAG"]}, jobs[3]: {"genai": []}})


def sorted_rows(conn, table) -> list[tuple]:
    return sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=lambda row: [(v is None, str(type(v)), v) for v in row])


@pytest.mark.parametrize("labels", ["rules", "fg", MODEL, BLEND])
def test_the_numpy_countings_make_the_rows_of_the_sql_they_quote(edge_db, labels):
    conn = sqlite3.connect(edge_db, isolation_level=None)
    builder.prepare(conn, labels)
    for step in builder.scope_steps():
        step.run(conn)
    counted = [table for counting in cell_counts.COUNTINGS for table in counting.writes]
    by_numpy = {table: sorted_rows(conn, table) for table in counted}
    empty = {table for table, rows in by_numpy.items() if not rows}
    # the model lists no names and tells no research job
    assert empty == (set(cell_counts.COUNTINGS[0].writes) | {"cell_research_title_counts"} if labels == MODEL else set())
    if labels == "fg":  # names only past a list's 10th place: rows report_skills_by_stage leaves out
        assert conn.execute("SELECT count(*) FROM listed_names WHERE position >= 10").fetchone()[0]
    for table in counted:
        conn.execute(f"DELETE FROM {table}")
    job_skill_ids, = quoted_statements(cell_counts.fill_names)
    conn.execute(f"CREATE TEMP TABLE job_skill_ids AS {job_skill_ids}")
    for function in (cell_counts._fill_skill_first_seen, cell_counts._fill_cell_skills, cell_counts._fill_cell_term_jobs,
                     cell_counts._fill_job_names, cell_counts._fill_cell_pair_counts, cell_counts.fill_titles,
                     cell_counts.fill_pay, cell_counts.fill_companies):
        statements = quoted_statements(function)
        assert statements, function.__name__
        for statement in statements:
            conn.execute(statement)
    by_sql = {table: sorted_rows(conn, table) for table in counted}
    conn.close()
    assert by_numpy == by_sql


def test_the_company_cut_is_report_top_companies_length():
    """cell_company_counts keeps the companies report_top_companies can list: the same count."""
    report = (builder.REPORTS_DIR / "top_companies.sql").read_text()
    assert int(re.search(r"with_as_many >= (\d+)", report).group(1)) == cell_counts.TOP_COMPANIES
    _, cut, _ = quoted_statements(cell_counts.fill_companies)
    assert f"WHERE place = {cell_counts.TOP_COMPANIES}\n" in cut


def test_the_company_cut_keeps_the_rows_the_quoted_delete_keeps():
    """Cells with more and fewer companies than the cut, ties at the cut: the rows kept by numpy
    are those the quoted DELETE leaves."""
    rng = np.random.default_rng(7)
    cells = np.repeat(np.arange(6), [3, 19, 20, 21, 60, 250])
    rows = sorted({(int(cell), company, int(jobs)) for company, (cell, jobs)
                   in enumerate(zip(cells, rng.geometric(0.5, len(cells))))})
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE cell_company_counts (cell_id INTEGER, company_id INTEGER, jobs INTEGER, "
                  "PRIMARY KEY (cell_id, company_id)) WITHOUT ROWID")
    conn.executemany("INSERT INTO cell_company_counts VALUES (?, ?, ?)", rows)
    _, cut, _ = quoted_statements(cell_counts.fill_companies)
    conn.execute(cut)
    kept_by_sql = conn.execute("SELECT * FROM cell_company_counts ORDER BY cell_id, company_id").fetchall()
    cell_id, company_id, jobs = (np.array(column) for column in zip(*rows))
    kept = cell_counts._can_rank(cell_id, jobs)
    assert kept_by_sql == list(zip(cell_id[kept].tolist(), company_id[kept].tolist(), jobs[kept].tolist()))
    cut_cells = {cell for cell, _, _ in set(rows) - set(kept_by_sql)}
    assert cut_cells >= {4, 5} and not cut_cells & {0, 1, 2}  # only cells of more companies than the cut lose rows


def top_companies_rows(cells: list[list[int]], first_seen: list[int], keep) -> list[tuple]:
    """report_top_companies' rows (reports/top_companies.sql) over cells' jobs per company (company
    i: cells[c][i] jobs in cell c, its first job first_seen[i]), of the counts keep(cell_id, jobs) keeps."""
    rows = [(cell, company, jobs) for cell, counts in enumerate(cells) for company, jobs in enumerate(counts)]
    cell_id, company_id, jobs = (np.array(column, dtype=np.int64) for column in zip(*rows))
    kept = keep(cell_id, jobs)
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE cells (cell_id INTEGER PRIMARY KEY, city TEXT NOT NULL, period TEXT NOT NULL)")
    conn.execute("CREATE TABLE cell_totals (cell_id INTEGER PRIMARY KEY, jobs INTEGER NOT NULL)")
    conn.execute("CREATE TABLE companies (company_id INTEGER PRIMARY KEY, company TEXT NOT NULL UNIQUE, first_seen TEXT)")
    conn.execute("CREATE TABLE cell_company_counts (cell_id INTEGER NOT NULL, company_id INTEGER NOT NULL, "
                 "jobs INTEGER NOT NULL, PRIMARY KEY (cell_id, company_id)) WITHOUT ROWID")
    conn.executemany("INSERT INTO cells VALUES (?, ?, ?)", ((cell, f"city {cell}", "all") for cell in range(len(cells))))
    conn.executemany("INSERT INTO cell_totals VALUES (?, ?)", ((cell, sum(counts)) for cell, counts in enumerate(cells)))
    conn.executemany("INSERT INTO companies VALUES (?, ?, ?)",
                     ((company, f"company {company}", f"job {seen:04d}") for company, seen in enumerate(first_seen)))
    conn.executemany("INSERT INTO cell_company_counts VALUES (?, ?, ?)",
                     zip(cell_id[kept].tolist(), company_id[kept].tolist(), jobs[kept].tolist()))
    try:
        return conn.execute((builder.REPORTS_DIR / "top_companies.sql").read_text()).fetchall()
    finally:
        conn.close()


def every_count(cell_id, jobs):
    return np.ones(len(jobs), dtype=bool)


def tie_heavy_cells(draw) -> tuple[list[list[int]], list[int]]:
    """1 to 5 cells of 0 to 45 companies (near 20 as often as not) with 1 to a few jobs each: ties
    across ranks 19-22 in most of them. One company at least (fill_companies writes nothing without)."""
    def cell():
        size = draw(st.one_of(st.integers(0, 45), st.integers(17, 23)))
        most = draw(st.integers(1, 6))
        return draw(st.lists(st.integers(1, most), min_size=size, max_size=size))
    cells = [cell() for _ in range(draw(st.integers(1, 5)))]
    assume(any(cells))
    return cells, draw(st.permutations(range(max(map(len, cells)))))


# ties spanning ranks 19-22; exactly 20 and 21 companies; 19 companies; all equal; one company
TIE_EXAMPLES = [
    [[5] * 18 + [3] * 4 + [1] * 10],
    [[2] * 20, [2] * 19 + [1], [3] * 19 + [2] * 2],
    [[4] * 19, [1] * 21, [7]],
    [[6, 5] + [2] * 30 + [1] * 5, [1] * 45],
]


@pytest.mark.parametrize("cells", TIE_EXAMPLES)
def test_the_company_cut_leaves_report_top_companies_as_the_full_count_makes_it(cells):
    first_seen = list(range(max(map(len, cells))))[::-1]  # the report orders ties by first job, here not by id
    full = top_companies_rows(cells, first_seen, every_count)
    assert full == top_companies_rows(cells, first_seen, cell_counts._can_rank)
    assert any(rank > cell_counts.TOP_COMPANIES for _, _, rank, *_ in full)  # ties past the 20th are listed


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.data())
def test_the_company_cut_leaves_report_top_companies_unchanged_on_tie_heavy_cells(data):
    cells, first_seen = tie_heavy_cells(data.draw)
    assert top_companies_rows(cells, first_seen, every_count) == top_companies_rows(cells, first_seen, cell_counts._can_rank)


AI_TYPES = [None, "ai-first", "ai-support", "ml"]  # by ai_type_key, as ai_types numbers them


def title_rankings(rows: list[tuple[int, int, int, int]], cut: str) -> tuple[list[tuple], list[tuple]]:
    """report_top_titles' and report_ai_type_titles' rows over cell_title_counts ``rows`` (cell,
    AI type key, title, jobs), each ranking reading the rows its cut table keeps, by ``cut``:
    "sql" (the statements fill_titles quotes), "numpy" (fill_titles' own) or "none" (every row)."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE cells (cell_id INTEGER PRIMARY KEY, city TEXT NOT NULL, period TEXT NOT NULL)")
    conn.execute("CREATE TABLE cell_totals (cell_id INTEGER PRIMARY KEY, jobs INTEGER NOT NULL)")
    conn.execute("CREATE TABLE titles (title_id INTEGER PRIMARY KEY, title TEXT NOT NULL UNIQUE, first_seen TEXT)")
    for table in ("cell_title_counts", "cell_top_title_counts", "cell_type_top_title_counts"):
        conn.execute(f"CREATE TABLE {table} (cell_id INTEGER NOT NULL, ai_type_key INTEGER NOT NULL, title_id INTEGER NOT NULL, "
                     "ai_type TEXT, jobs INTEGER NOT NULL, first_seen TEXT NOT NULL, PRIMARY KEY (cell_id, ai_type_key, title_id)) "
                     "WITHOUT ROWID")
    cells = sorted({cell for cell, *_ in rows})
    titles = max(title for _, _, title, _ in rows) + 1
    conn.executemany("INSERT INTO cells VALUES (?, ?, ?)", ((cell, f"city {cell}", "all") for cell in cells))
    conn.executemany("INSERT INTO cell_totals VALUES (?, ?)",
                     ((cell, sum(jobs for c, _, _, jobs in rows if c == cell)) for cell in cells))
    # ties in the order of the first job, here not that of the title's id (the title's first job
    # is the first of its rows')
    conn.executemany("INSERT INTO titles VALUES (?, ?, ?)",
                     ((title, f"title {title}", f"job {titles - title:04d}") for title in range(titles)))
    conn.executemany("INSERT INTO cell_title_counts VALUES (?, ?, ?, ?, ?, ?)",
                     ((cell, key, title, AI_TYPES[key], jobs, f"job {titles - title:04d}.{cell}.{key}")
                      for cell, key, title, jobs in rows))
    full = "SELECT * FROM cell_title_counts"
    if cut == "sql":
        for statement in quoted_statements(cell_counts.fill_titles)[1:3]:
            conn.execute(statement)
    else:
        cell_id, ai_type_key, title_id, jobs = (np.array(column, dtype=np.int64) for column in zip(*rows))
        kept = cell_counts._title_cuts(cell_id, ai_type_key, title_id, jobs)
        for table, keep in kept.items():
            chosen = {row for row, wanted in zip(rows, keep.tolist()) if wanted or cut == "none"}
            conn.execute(f"INSERT INTO {table} {full} WHERE (cell_id, ai_type_key, title_id, jobs) IN "
                         f"(VALUES {', '.join(map(str, chosen))})")
    try:
        return tuple(conn.execute((builder.REPORTS_DIR / f"{report}.sql").read_text()).fetchall()
                     for report in ("top_titles", "ai_type_titles"))
    finally:
        conn.close()


def test_the_title_cuts_are_the_rankings_lengths():
    """fill_titles keeps the titles report_top_titles and report_ai_type_titles can list: their counts."""
    assert "WHERE p.rank <= 25 OR" in (builder.REPORTS_DIR / "top_titles.sql").read_text()
    assert "WHERE r.rank <= 10 OR" in (builder.REPORTS_DIR / "ai_type_titles.sql").read_text()
    assert "WHERE p.rank <= 10\n" in (builder.REPORTS_DIR / "title_words.sql").read_text()
    assert "WHERE p.rank <= 10\n" in (builder.REPORTS_DIR / "research_titles.sql").read_text()
    assert (cell_counts.TOP_TITLES, cell_counts.TOP_TYPE_TITLES, cell_counts.TOP_TITLE_WORDS,
            cell_counts.TOP_RESEARCH_TITLES) == (25, 10, 10, 10)
    _, top, type_top, words, _, research, _ = quoted_statements(cell_counts.fill_titles)
    assert "WHERE place = 25\n" in top and "WHERE place = 10\n" in type_top and "WHERE place = 10\n" in words
    assert "WHERE place = 10\n" in research


@st.composite
def tie_heavy_titles(draw) -> list[tuple[int, int, int, int]]:
    """1 to 3 cells of 0 to 40 titles (near 25 or 10 as often as not) over the AI types (none
    included), 1 to a few jobs a title and type: ties across both cuts in most cells."""
    rows = []
    for cell in range(draw(st.integers(1, 3))):
        most = draw(st.integers(1, 4))
        for title in range(draw(st.one_of(st.integers(0, 40), st.integers(8, 12), st.integers(23, 27)))):
            for key in draw(st.sets(st.integers(0, len(AI_TYPES) - 1), min_size=1)):
                rows.append((cell, key, title, draw(st.integers(1, most))))
    assume(rows)
    return rows


@settings(derandomize=True, max_examples=100, deadline=None)
@given(tie_heavy_titles())
def test_the_title_cuts_keep_the_quoted_rows_and_leave_the_title_rankings_as_the_full_count_makes_them(rows):
    full = title_rankings(rows, "none")
    assert title_rankings(rows, "numpy") == full
    assert title_rankings(rows, "sql") == full


def test_the_title_cuts_cut_and_keep_ties():
    """A cell of 40 titles, each of one job under two AI types but the first five, and one of 12
    titles: rows go, and the rankings list every title tying with their last."""
    rows = [(0, key, title, 3 if title < 5 else 1) for title in range(40) for key in (1, 2)]
    rows += [(1, 1, title, 12 - title) for title in range(12)]
    top, by_type = title_rankings(rows, "numpy")
    assert (top, by_type) == title_rankings(rows, "none") == title_rankings(rows, "sql")
    cell_id, ai_type_key, title_id, jobs = (np.array(column, dtype=np.int64) for column in zip(*rows))
    kept = cell_counts._title_cuts(cell_id, ai_type_key, title_id, jobs)
    assert kept["cell_top_title_counts"].all()  # every title of cell 0 ties with its 25th (2 jobs)
    assert kept["cell_type_top_title_counts"].sum() == 2 * 40 + 10  # cell 1's 11th and 12th titles go
    assert len([row for row in top if row[0] == "city 0"]) == 40
    assert max(rank for city, _, _, rank, *_ in by_type if city == "city 1") == 10


def title_word_rows(rows: list[tuple[int, int, int, int]], words: dict[int, list[str]], cut: str) -> list[tuple]:
    """report_title_words' rows over cell_title_counts ``rows`` (cell, AI type key, title, jobs) and
    the titles' ``words``, cell_title_word_counts filled by ``cut``: "sql" (the statement fill_titles
    quotes), "numpy" (fill_titles' own) or "none" (every word's count)."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE cells (cell_id INTEGER PRIMARY KEY, city TEXT NOT NULL, period TEXT NOT NULL)")
    conn.execute("CREATE TABLE cell_title_counts (cell_id, ai_type_key, title_id, ai_type, jobs, first_seen)")
    conn.execute("CREATE TABLE title_words (title_id, word)")
    conn.execute("CREATE TABLE cell_title_word_counts (cell_id INTEGER NOT NULL, ai_type_key INTEGER NOT NULL, "
                 "ai_type TEXT NOT NULL, word, titles NOT NULL, PRIMARY KEY (cell_id, ai_type_key, word)) WITHOUT ROWID")
    conn.executemany("INSERT INTO cells VALUES (?, ?, ?)", ((cell, f"city {cell}", "all") for cell in {r[0] for r in rows}))
    conn.executemany("INSERT INTO cell_title_counts VALUES (?, ?, ?, ?, ?, 'job')",
                     ((cell, key, title, AI_TYPES[key], jobs) for cell, key, title, jobs in rows))
    conn.executemany("INSERT INTO title_words VALUES (?, ?)", ((title, word) for title, said in words.items() for word in said))
    conn.execute("CREATE TABLE cell_type_titles AS SELECT cell_id, ai_type, sum(jobs) AS titles FROM cell_title_counts "
                 "WHERE ai_type IS NOT NULL GROUP BY cell_id, ai_type")
    words_statement = quoted_statements(cell_counts.fill_titles)[3]
    if cut == "none":
        words_statement = words_statement.replace("WHERE titles >= coalesce(", "WHERE true OR titles >= coalesce(")
    if cut == "numpy":
        typed = [row for row in rows if AI_TYPES[row[1]] is not None]
        if typed:
            cell_id, ai_type_key, title_id, jobs = (np.array(column, dtype=np.int64) for column in zip(*typed))
            cell_counts._fill_title_words(conn, cell_id, ai_type_key, title_id, jobs, dict(enumerate(AI_TYPES)))
    else:
        conn.execute(words_statement)
    try:
        return conn.execute((builder.REPORTS_DIR / "title_words.sql").read_text()).fetchall()
    finally:
        conn.close()


# "Éx" and "éx" differ only in a non-ASCII letter's case: SQLite's lower() leaves them two words, as
# title_words holds them, where Python's lower() or casefold() would make them one.
WORDS = ["ai", "data", "ml", "platform", "applied", "Éx", "éx", "ex", "llm", "agent", "genai", "research", "ops"]


@st.composite
def tie_heavy_title_words(draw) -> tuple[list[tuple[int, int, int, int]], dict[int, list[str]]]:
    """tie_heavy_titles' rows, each title 0 to 4 of 13 words (cased, accented): ties at the 10th."""
    rows = draw(tie_heavy_titles())
    titles = {title for _, _, title, _ in rows}
    return rows, {title: draw(st.lists(st.sampled_from(WORDS), max_size=4, unique=True)) for title in titles}


@settings(derandomize=True, max_examples=100, deadline=None)
@given(tie_heavy_title_words())
def test_the_title_word_cut_keeps_the_quoted_rows_and_leaves_report_title_words_as_the_full_count_makes_it(data):
    rows, words = data
    full = title_word_rows(rows, words, "none")
    assert title_word_rows(rows, words, "numpy") == full
    assert title_word_rows(rows, words, "sql") == full


def test_the_title_word_cut_cuts():
    """A cell and AI type of 12 words: the 11th and 12th go, the ranking is the same."""
    rows = [(0, 1, title, 1) for title in range(12)]
    words = {title: WORDS[:title + 1] for title in range(12)}  # WORDS[0] in every title, WORDS[11] in one
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE title_words (title_id, word)")
    conn.executemany("INSERT INTO title_words VALUES (?, ?)", ((title, word) for title, said in words.items() for word in said))
    conn.execute("CREATE TABLE cell_title_word_counts (cell_id, ai_type_key, ai_type, word, titles)")
    cell_id, ai_type_key, title_id, jobs = (np.array(column, dtype=np.int64) for column in zip(*rows))
    cell_counts._fill_title_words(conn, cell_id, ai_type_key, title_id, jobs, dict(enumerate(AI_TYPES)))
    assert sorted(conn.execute("SELECT word, titles FROM cell_title_word_counts").fetchall()) == sorted(
        (word, 12 - at) for at, word in enumerate(WORDS[:10]))
    assert title_word_rows(rows, words, "numpy") == title_word_rows(rows, words, "none")


@settings(derandomize=True, max_examples=100, deadline=None)
@given(tie_heavy_titles(), st.data())
def test_the_keyword_counts_are_those_of_the_quoted_sql(rows, data):
    """cell_keyword_counts by numpy and by the statement fill_titles quotes, over titles holding 0 to
    3 keywords, each as a whole word or not, and rows of no AI type."""
    titles = sorted({title for _, _, title, _ in rows})
    keywords = ["ai", "ml", "full-stack", "Éx", "éx", "agent"]  # "Éx", "éx": two keywords (WORDS)
    hits = [(title, keyword, keywords.index(keyword) + 1, int(data.draw(st.booleans())))
            for title in titles for keyword in data.draw(st.lists(st.sampled_from(keywords), max_size=3, unique=True))]
    counted = []
    for way in ("sql", "numpy"):
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE TABLE cell_title_counts (cell_id, ai_type_key, title_id, ai_type, jobs, first_seen)")
        conn.execute("CREATE TABLE title_keyword_hits (title_id, keyword, position, whole_word)")
        conn.execute("CREATE TABLE cell_keyword_counts (cell_id, ai_type_key, ai_type, keyword, position, titles, "
                     "whole_word_titles)")
        conn.executemany("INSERT INTO cell_title_counts VALUES (?, ?, ?, ?, ?, 'job')",
                         ((cell, key, title, AI_TYPES[key], jobs) for cell, key, title, jobs in rows))
        conn.executemany("INSERT INTO title_keyword_hits VALUES (?, ?, ?, ?)", hits)
        if way == "sql":
            conn.execute(quoted_statements(cell_counts.fill_titles)[4])
        else:
            typed = [row for row in rows if AI_TYPES[row[1]] is not None]
            if typed:
                cell_id, ai_type_key, title_id, jobs = (np.array(column, dtype=np.int64) for column in zip(*typed))
                cell_counts._fill_keyword_counts(conn, cell_id, ai_type_key, title_id, jobs, dict(enumerate(AI_TYPES)))
        counted.append(sorted_rows(conn, "cell_keyword_counts"))
        conn.close()
    assert counted[0] == counted[1]


def research_title_rows(rows: list[tuple[int, int, int]], cut: bool) -> list[tuple]:
    """report_research_titles' rows over research jobs per cell and title ``rows`` (cell, title,
    research jobs: 0 for none; a title's rows add up, as a scope group's per AI type do),
    cell_research_title_counts filled by fill_titles' cut, or with every title of a research job."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE cells (cell_id INTEGER PRIMARY KEY, city TEXT NOT NULL, period TEXT NOT NULL)")
    conn.execute("CREATE TABLE titles (title_id INTEGER PRIMARY KEY, title TEXT NOT NULL UNIQUE)")
    conn.execute("CREATE TABLE cell_research_title_counts (cell_id, title_id, jobs)")
    conn.executemany("INSERT INTO cells VALUES (?, ?, ?)", ((cell, f"city {cell}", "all") for cell in {r[0] for r in rows}))
    # ties in the order of the title, here not that of its id
    conn.executemany("INSERT INTO titles VALUES (?, ?)", ((title, f"title {99 - title:02d}") for title in {r[1] for r in rows}))
    if cut:
        cell_id, title_id, jobs = (np.array(column, dtype=np.int64) for column in zip(*rows))
        cell_counts._fill_research_titles(conn, cell_id, title_id, jobs)
    else:
        conn.execute("CREATE TABLE research (cell_id, title_id, jobs)")
        conn.executemany("INSERT INTO research VALUES (?, ?, ?)", rows)
        conn.execute("INSERT INTO cell_research_title_counts SELECT cell_id, title_id, sum(jobs) FROM research "
                     "GROUP BY cell_id, title_id HAVING sum(jobs) > 0")
    try:
        return conn.execute((builder.REPORTS_DIR / "research_titles.sql").read_text()).fetchall()
    finally:
        conn.close()


@settings(derandomize=True, max_examples=100, deadline=None)
@given(tie_heavy_titles())
def test_the_research_title_cut_leaves_report_research_titles_as_the_full_count_makes_it(rows):
    research = [(cell, title, jobs if key else 0) for cell, key, title, jobs in rows]  # AI type none: no research job
    assert research_title_rows(research, cut=True) == research_title_rows(research, cut=False)


# The count of pay bounds that are no number as build.LEFT_OUT counted it before job_base counted
# them (a second pass over the jobs' long rows): the definition job_base's column stands for.
UNREAD_PAY_BOUNDS_BEFORE = """
    SELECT coalesce(sum(typeof(j.salary_min) NOT IN ('integer', 'real', 'null'))
                    + sum(typeof(j.salary_max) NOT IN ('integer', 'real', 'null')), 0)
    FROM jobs AS j JOIN source_labels AS l USING (job_id)"""


@pytest.mark.parametrize("labels", ["rules", "fg", MODEL, BLEND])
@pytest.mark.parametrize("bounds", [
    [],  # every bound a number or NULL
    [("100k", None), (None, "120k")],  # text where the other bound is none
    [("100k", "120k"), ("", 90000), (b"\x00", "abc"), ("1e5", "2e5")],  # both text, empty, a blob; '1e5' reads as a number
    [("∞", "Éx")] * 6,  # non-ASCII on most jobs
])
def test_job_base_counts_the_pay_bounds_that_are_no_number_as_the_jobs_pass_did(edge_db, tmp_path, labels, bounds):
    path = tmp_path / "jobs.db"
    shutil.copy(edge_db, path)
    conn = sqlite3.connect(path, isolation_level=None)
    jobs = [job for (job,) in conn.execute("SELECT job_id FROM jobs ORDER BY job_id")]
    for job, (low, high) in zip(jobs, bounds):
        conn.execute("UPDATE jobs SET salary_min = ?, salary_max = ? WHERE job_id = ?", (low, high, job))
    builder.prepare(conn, labels)
    before = conn.execute(UNREAD_PAY_BOUNDS_BEFORE).fetchone()[0]
    for step in builder.scope_steps():
        step.run(conn)
    counted = builder.count_left_out(conn)
    conn.close()
    assert sum(count for what, count in counted.items() if what.startswith("pay bound")) == before
    assert before or not bounds or labels == "fg"  # the text counts wherever the source labelled the job


def test_two_processes_count_what_the_reports_leave_out_as_one_does(edge_db, tmp_path, monkeypatch):
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    shutil.copy(edge_db, one)
    with sqlite3.connect(one) as conn:
        conn.execute("UPDATE jobs SET salary_min = '100k' WHERE job_id = (SELECT min(job_id) FROM jobs)")
        conn.execute("UPDATE sightings SET city = NULL WHERE rowid = (SELECT min(rowid) FROM sightings)")
    conn.close()
    shutil.copy(one, two)
    left_out_one, left_out_two, side_tables = {}, {}, []
    builder.build(one, left_out=left_out_one)
    monkeypatch.setattr(build_parallel, "MIN_JOBS", 0)
    builder.build(two, left_out=left_out_two, side_tables=side_tables)
    assert side_tables
    assert left_out_one == left_out_two == {"pay bound that is no number": 1, "city listing without a city": 1}


def pay_scope(rows, cells_of_group) -> sqlite3.Connection:
    """The tables fill_pay reads, made as _scope_profile.sql makes them (group_pay: one row per scope
    group, currency, level, AI type and figure), and the empty table it fills."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TEMP TABLE group_pay (scope_group, currency, level, ai_type, annual, jobs, converted)")
    conn.executemany("INSERT INTO group_pay VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute("CREATE TEMP TABLE group_cells (scope_group INTEGER NOT NULL, cell_id INTEGER NOT NULL, "
                 "PRIMARY KEY (scope_group, cell_id)) WITHOUT ROWID")
    conn.executemany("INSERT INTO group_cells VALUES (?, ?)",
                     [(group, cell) for group, cells in cells_of_group.items() for cell in cells])
    for statement in builder.sql_statements(builder.SCOPE_PROFILE_SQL.read_text()):  # pay_groups and cell_pay_quartiles as the script makes them
        if re.search(r"(TABLE|INTO) (pay_groups|cell_pay_quartiles)\b", statement):
            conn.execute(statement)
    return conn


@pytest.mark.parametrize("dense_codes", [cell_counts._DENSE_CODES, 0], ids=["counted by code", "sorted"])
@settings(derandomize=True, max_examples=200, deadline=None)
@given(st.data())
def test_the_pay_quartiles_are_the_quoted_sql_s_to_the_last_bit(dense_codes, data):
    """Cells whose postings state few or many figures, repeated or not, REALs that interpolate to
    any fraction, figures too large for a float (inf, where SQLite's inf x 0 is NULL): fill_pay's
    quartiles are the quoted statement's floats exactly, whichever way _group groups them."""
    figures = st.one_of(st.sampled_from([1000.0, 52_000.0, 123_456.789, 0.1 + 99_999.2, 1.7e308, math.inf]),
                        st.floats(1000, 1e7, allow_nan=False, allow_infinity=False))
    keys = st.tuples(st.integers(0, 4), st.sampled_from(["USD", "GBP"]), st.sampled_from(["senior", "not stated"]),
                     st.sampled_from(["ai-first", "unknown"]), figures)
    stated = data.draw(st.dictionaries(keys, st.integers(1, 6), min_size=1, max_size=60))
    rows = [(*key, jobs, data.draw(st.integers(0, jobs))) for key, jobs in stated.items()]
    cells_of_group = {group: {1, *data.draw(st.sets(st.integers(2, 5), max_size=3))} for group in range(5)}
    conn = pay_scope(rows, cells_of_group)
    with mock.patch.object(cell_counts, "_DENSE_CODES", dense_codes):
        cell_counts.fill_pay(conn)
    by_numpy = conn.execute("SELECT * FROM cell_pay_quartiles ORDER BY cell_id, group_key").fetchall()
    conn.execute("DELETE FROM cell_pay_quartiles")
    statement, = quoted_statements(cell_counts.fill_pay)
    conn.execute(statement)
    by_sql = conn.execute("SELECT * FROM cell_pay_quartiles ORDER BY cell_id, group_key").fetchall()
    assert by_numpy == by_sql
    assert by_numpy


# job_profile's columns and the name flag each reads (name_flags' column): job_names carries a
# job's flags as the bits of one number, in cell_counts.FLAGS' order, and _scope_profile.sql reads
# them back by position
FLAG_OF_COLUMN = {"has_frontend_word": "frontend", "has_backend_word": "backend", "has_ml_word": "ml",
                  "has_genai": "genai", "has_ml": "ml_list", "has_web": "web", "has_ops": "ops",
                  "has_non_genai": "non_genai", "has_rag_or_agents": "rag_or_agents"}


def test_job_profile_reads_each_name_flag_from_its_own_bit():
    script = builder.SCOPE_PROFILE_SQL.read_text()
    read = {column: int(shift or 0) for shift, column in
            re.findall(r"coalesce\(\(?w\.flags(?: >> (\d+))?\)? & 1, 0\) AS (has_\w+)", script)}
    assert read == {column: cell_counts.FLAGS.index(flag) for column, flag in FLAG_OF_COLUMN.items()}
    fine_tuning = re.search(r"j\.fine_tuning <> 'none' OR coalesce\(\(w\.flags >> (\d+)\) & 1, 0\)", script)
    assert fine_tuning and int(fine_tuning[1]) == cell_counts.FLAGS.index("fine_tuning")
