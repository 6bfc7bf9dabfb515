"""bench/report_equivalence.py: a database's report tables written, then compared row by row."""

from __future__ import annotations

import sqlite3

from bench.report_equivalence import main


def _database(path, rows):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE report_top_skills (labels TEXT, city TEXT, skill TEXT, jobs INTEGER, pct REAL)")
    conn.executemany("INSERT INTO report_top_skills VALUES (?, ?, ?, ?, ?)", rows)
    conn.execute("CREATE TABLE report_build (labels TEXT, built_at TEXT)")  # when: differs on every build
    conn.execute("INSERT INTO report_build VALUES ('rules', ?)", [str(path)])
    conn.execute("CREATE TABLE jobs (job_id TEXT)")  # not a report table
    conn.commit()
    conn.close()
    return path


ROWS = [("rules", "all", "Python", 12, 80.0), ("rules", "all", "RAG", 5, 33.3), ("rules", "berlin", "Python", 1, 0.1)]


def test_identical_tables_pass(tmp_path, capsys):
    before = _database(tmp_path / "before.db", ROWS)
    after = _database(tmp_path / "after.db", ROWS)
    assert main(["--db", str(before), "--write", str(tmp_path / "dump.jsonl.gz")]) == 0
    assert main(["--db", str(after), "--against", str(tmp_path / "dump.jsonl.gz")]) == 0
    assert "1 report tables, 3 rows: identical" in capsys.readouterr().out


def test_a_changed_value_names_the_table_and_row(tmp_path, capsys):
    _database(tmp_path / "before.db", ROWS)
    main(["--db", str(tmp_path / "before.db"), "--write", str(tmp_path / "dump.jsonl.gz")])
    changed = [*ROWS[:2], ("rules", "berlin", "Python", 1, 0.10000000000000002)]  # a float's last bit
    _database(tmp_path / "after.db", changed)
    assert main(["--db", str(tmp_path / "after.db"), "--against", str(tmp_path / "dump.jsonl.gz")]) == 1
    out = capsys.readouterr().out
    assert "report_top_skills: 3 rows before, 3 after; row 3:" in out and "1 differ" in out


def test_the_same_rows_in_another_order_differ(tmp_path, capsys):
    _database(tmp_path / "before.db", ROWS)
    main(["--db", str(tmp_path / "before.db"), "--write", str(tmp_path / "dump.jsonl.gz")])
    _database(tmp_path / "after.db", [ROWS[1], ROWS[0], ROWS[2]])
    assert main(["--db", str(tmp_path / "after.db"), "--against", str(tmp_path / "dump.jsonl.gz")]) == 1
    assert "the same rows in another order; row 1:" in capsys.readouterr().out


def test_a_missing_table_differs(tmp_path, capsys):
    _database(tmp_path / "before.db", ROWS)
    main(["--db", str(tmp_path / "before.db"), "--write", str(tmp_path / "dump.jsonl.gz")])
    after = _database(tmp_path / "after.db", ROWS)
    with sqlite3.connect(after) as conn:
        conn.execute("CREATE TABLE report_pay (labels TEXT)")
    assert main(["--db", str(after), "--against", str(tmp_path / "dump.jsonl.gz")]) == 1
    assert "report_pay: only after the change" in capsys.readouterr().out
