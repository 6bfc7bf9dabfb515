"""A command run without a database at the default ``data/jobs.db`` said "no database at
data/jobs.db" and nothing more (``analysis`` after its usage lines), though ``make demo`` had
made ``data/demo.db`` beside it: every command that reads the database now says the same line,
naming a crawl to run and the demo's database (``jobcrawler.storage.no_database_at``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.__main__ import main as analysis_main
from analysis.compare_published import main as compare_published_main
from jobcrawler.label import main as label_main
from jobcrawler.retag import main as retag_main
from jobcrawler.storage import schema

CRAWL = "run a crawl first: scrapy crawl builtin -a city=berlin"


@pytest.fixture
def checkout(tmp_path, monkeypatch) -> Path:
    """A checkout without a database, the commands run in it."""
    folder = tmp_path / "checkout"
    (folder / "data").mkdir(parents=True)
    monkeypatch.setattr(schema, "CHECKOUT", folder.resolve())
    monkeypatch.chdir(folder)
    return folder


# (the files there, the folder the command runs in, the --db given, what it says)
SITUATIONS = [
    ([], ".", "data/jobs.db", f"no database at data/jobs.db ({CRAWL})"),
    (["data/demo.db"], ".", "data/jobs.db",
     f"no database at data/jobs.db ({CRAWL}; the demo's database is data/demo.db: add --db data/demo.db)"),
    (["data/demo.db"], "elsewhere", "data/jobs.db",
     f"no database at data/jobs.db ({CRAWL}, in {{checkout}}; the demo's database is {{checkout}}/data/demo.db: "
     "add --db {checkout}/data/demo.db)"),
    (["data/jobs.db"], "elsewhere", "data/jobs.db",
     "no database at data/jobs.db (run from the checkout, {checkout}, or give --db {checkout}/data/jobs.db)"),
    (["data/demo.db"], "elsewhere", "data/demo.db",
     "no database at data/demo.db (run from the checkout, {checkout}, or give its full path, "
     "{checkout}/data/demo.db)"),
    (["data/demo.db"], ".", "data/job.db", "no database at data/job.db"),  # a path of one's own: no guess
    (["data/demo.db"], ".", "data/demo", "no database at data/demo (did you mean data/demo.db?)"),
    (["data/demo.db"], ".", "{checkout}/data/jobs.db", "no database at {checkout}/data/jobs.db"),
]


@pytest.mark.parametrize("files, where, given, says", SITUATIONS)
def test_no_database_says_where_one_is_to_be_had(checkout, monkeypatch, files, where, given, says):
    for name in files:
        (checkout / name).touch()
    (checkout / "elsewhere").mkdir()
    monkeypatch.chdir(checkout / where)
    assert schema.database_file_error(given.format(checkout=checkout.resolve())) == says.format(
        checkout=checkout.resolve())


PROGRAMS = [
    (lambda: analysis_main(["build"]), "python -m analysis build: error: ", 2),
    (lambda: analysis_main(["report"]), "python -m analysis report: error: ", 2),
    (lambda: analysis_main(["serve", "--port", "0"]), "python -m analysis serve: error: ", 2),
    (lambda: analysis_main(["path", "--skills", "python"]), "python -m analysis path: error: ", 2),
    (lambda: retag_main([]), "error: ", 1),
    (lambda: label_main(["--model", "any", "--dry-run"]), "python -m jobcrawler.label: error: ", 2),
    (lambda: compare_published_main(["--published", "published.md"]),
     "python -m analysis.compare_published: error: ", 2),
]


@pytest.mark.parametrize("run, prefix, code", PROGRAMS,
                         ids=["build", "report", "serve", "path", "retag", "label", "compare_published"])
def test_every_command_reading_the_database_names_the_demos(checkout, capsys, run, prefix, code):
    (checkout / "data" / "demo.db").touch()
    (checkout / "published.md").write_text("# AI Engineering Jobs Analysis\n")
    try:
        returned = run()
    except SystemExit as stopped:
        returned = stopped.code
    err = capsys.readouterr().err
    assert returned == code and err == (f"{prefix}no database at data/jobs.db ({CRAWL}; the demo's database is "
                                        "data/demo.db: add --db data/demo.db)\n")
    assert not (checkout / "data" / "jobs.db").exists()


def test_the_demos_database_is_the_one_make_demo_writes():
    makefile = (Path(schema.__file__).resolve().parents[2] / "Makefile").read_text()
    assert f"DEMO_DB ?= {schema.DEMO_DB}\n" in makefile


@pytest.mark.parametrize("command", [["build"], ["report"], ["serve", "--port", "0"], ["path", "--skills", "python"]])
def test_a_default_database_without_jobs_names_the_demos(checkout, capsys, command):
    """A first crawl that builtin.com blocked leaves data/jobs.db without jobs: the demo's is named too."""
    schema.open_db(checkout / "data" / "jobs.db").conn.close()
    schema.open_db(checkout / "data" / "demo.db").conn.close()
    with pytest.raises(SystemExit) as stopped:
        analysis_main(command)
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and err.count("\n") == 1
    assert err.startswith(f"python -m analysis {command[0]}: error: the database holds no jobs yet: ")
    assert err.endswith("; the demo's database is data/demo.db: add --db data/demo.db\n")
