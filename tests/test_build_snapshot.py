"""analysis build reads one state of the data: a re-tag writing at any moment of a build either
comes before everything the build reads or waits until the build is done, so no report table
mixes the jobs' old labels with their new ones."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from analysis import build as builder
from tests.helpers import build_fixture_db

RETAG = "UPDATE job_labels SET ai_type = 'ml' WHERE labels = 'rules'"  # every job's AI type changes
CONNECT = sqlite3.connect


def report_rows(path) -> dict[str, list[tuple]]:
    conn = CONNECT(path)
    tables = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'report_*' AND name != 'report_build'")]
    rows = {table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in tables}
    conn.close()
    return rows


class RetagAfter:
    """The build's connection, with a re-tag from another connection (no busy wait) tried right
    after the build's ``statement``-th statement."""

    def __init__(self, conn, statement: int, outcome: list):
        self.conn, self.statement, self.outcome, self.count = conn, statement, outcome, 0
        self.committed = False  # the build's work is done: a write now is simply a later one

    def execute(self, *args):
        cursor = self.conn.execute(*args)
        self.committed = self.committed or args[0].strip().upper() == "COMMIT"
        self._then_retag()
        return cursor

    def executescript(self, script):
        cursor = self.conn.executescript(script)
        self._then_retag()
        return cursor

    def _then_retag(self) -> None:
        self.count += 1
        if self.count == self.statement and self.committed:
            self.outcome.append("after the build")
        elif self.count == self.statement:
            writer = CONNECT(self.conn.execute("PRAGMA database_list").fetchone()[2], timeout=0)
            try:
                with writer:
                    writer.execute(RETAG)
                self.outcome.append("written")
            except sqlite3.OperationalError as error:
                self.outcome.append(str(error))
            writer.close()

    def __getattr__(self, name):
        return getattr(self.conn, name)


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    return build_fixture_db(tmp_path_factory.mktemp("snapshot") / "jobs.db")


def test_a_retag_at_any_moment_of_a_build_comes_before_it_or_after_it(tmp_path, fixture_db, monkeypatch):
    outcomes = []
    for statement in range(1, 200):
        during, clean = tmp_path / f"during{statement}.db", tmp_path / f"clean{statement}.db"
        shutil.copy(fixture_db, during)
        outcome = []
        with monkeypatch.context() as patch:
            patch.setattr(builder.sqlite3, "connect",
                          lambda *args, **kwargs: RetagAfter(CONNECT(*args, **kwargs), statement, outcome))
            builder.build(during)
        if outcome in ([], ["after the build"]):  # every moment of the build was tried
            break
        outcomes += outcome
        shutil.copy(during, clean)  # the data as the build left it, built again with nothing beside it
        builder.build(clean)
        assert report_rows(during) == report_rows(clean), f"a re-tag after statement {statement}: {outcome}"
        during.unlink(), clean.unlink()
    # the build's first statement takes the write lock: it reads nothing (label state included) before it
    assert set(outcomes) == {"database is locked"}
