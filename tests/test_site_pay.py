"""The pay table (analysis/reports/pay.sql): midpoints of the stated ranges, annualized by the
printed rule, per currency as stated (never guessed), with quartiles and n; and the report's
pay section worded from it."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from analysis.build import build
from analysis.report import render_report
from tests.helpers import build_fixture_db, with_pay


@pytest.fixture(scope="module")
def pay_db(tmp_path_factory) -> Path:
    db = with_pay(build_fixture_db(tmp_path_factory.mktemp("pay") / "jobs.db"))
    build(db)
    return db


def pay_rows(db: Path, city: str = "all", period: str = "all") -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(
            "SELECT currency, group_by, group_value, jobs, q1, median, q3, converted FROM report_pay "
            "WHERE labels = 'rules' AND city = ? AND period = ? ORDER BY rowid", (city, period)).fetchall()


def test_pay_by_currency_level_and_ai_type(pay_db):
    rows = pay_rows(pay_db)
    # USD: 120,000, 124,800 (hourly x 2,080) and 150,000; quartiles interpolate between them.
    assert ("USD", "all", "all", 3, 122_400, 124_800, 137_400, 1) in rows
    assert ("EUR", "all", "all", 1, 120_000, 120_000, 120_000, 1) in rows
    assert ("not stated", "all", "all", 1, 90_000, 90_000, 90_000, 0) in rows
    assert ("USD", "AI type", "ai-first", 3, 122_400, 124_800, 137_400, 1) in rows
    assert ("not stated", "AI type", "ai-support", 1, 90_000, 90_000, 90_000, 0) in rows
    assert ("USD", "level", "not stated", 3, 122_400, 124_800, 137_400, 1) in rows
    # The job without a pay period is in no row: USD counts 3 jobs, not 4.
    assert sum(row[3] for row in rows if row[1] == "all") == 5


def test_pay_has_a_row_set_per_city_and_period(pay_db):
    with closing(sqlite3.connect(pay_db)) as conn:
        cells = conn.execute("SELECT DISTINCT city, period FROM report_pay").fetchall()
        scoped = set(conn.execute("SELECT DISTINCT city, period FROM report_overview").fetchall())
        first = conn.execute("SELECT city, period FROM report_pay ORDER BY rowid LIMIT 1").fetchone()
    assert set(cells) <= scoped and first == ("all", "all") and len(cells) > 1
    london = pay_rows(pay_db, "london")
    assert all(row[3] >= 1 for row in london)


def test_report_has_a_pay_section_with_n_and_the_rule(pay_db):
    with closing(sqlite3.connect(pay_db)) as conn:
        text = render_report(conn)
    section = text[text.index("## Pay"):]
    section = section[:section.find("\n## ", 1) if "\n## " in section[1:] else len(section)]
    assert "2,080" in section and "12 months" in section  # the annualizing rule is printed
    assert "USD" in section and "124,800" in section and "n=3" in section
    assert "not stated" in section  # postings without a currency are counted, not converted
