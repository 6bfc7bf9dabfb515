"""The cycle's scheduling against a stand-in for Scrapyd's API (the real server: test_service_scrapyd):
one crawl per host at a time, servers taking turns, a failed crawl stopping the month before merging."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
from pathlib import Path

import pytest

from jobcrawler import cycle, storage
from jobcrawler.deployment import database_path

SCRAPYD = cycle.Scrapyd  # the real client, before the tests' stand-in replaces it


class FakeScrapyd:
    """Runs each scheduled job in three polls (pending, running, running, finished), writing its run database
    with the status ``outcomes`` gives its city; records how many jobs were under way at once."""

    outcomes: dict[str, str] = {}
    scheduled: list[tuple[str, str]] = []
    peak = 0
    active: set[str] = set()

    def __init__(self, url: str, auth=None):
        self.url = url.rstrip("/") + "/"
        self.entries: dict[str, dict] = {}

    def projects(self):
        return [cycle.PROJECT]

    def schedule(self, job_id, spider_args, crawl_settings):
        city = spider_args["city"]
        path = database_path(crawl_settings["SQLITE_PATH"], city, job_id)
        self.entries[job_id] = {"id": job_id, "state": "pending", "city": city, "path": path}
        FakeScrapyd.scheduled.append((city, self.url))
        FakeScrapyd.active.add(job_id)
        FakeScrapyd.peak = max(FakeScrapyd.peak, len(FakeScrapyd.active))

    def jobs(self):
        for entry in self.entries.values():
            if entry["state"] == "running" and not entry.setdefault("ran_once", False):
                entry["ran_once"] = True  # a crawl runs for two polls
            elif entry["state"] == "running":
                entry["state"] = "finished"
                FakeScrapyd.active.discard(entry["id"])
                db = storage.open_db(entry["path"])
                run_id = storage.start_run(db, "builtin", entry["city"], "AI Engineer", {"city": entry["city"]})
                storage.finish_run(db, run_id, {"status": self.outcomes.get(entry["city"], "ok"),
                                                "finished_at": storage.utc_now(), "cities_complete": [entry["city"]],
                                                "quality": {}, "status_reasons": ["blocked"]})
                db.close()
            elif entry["state"] == "pending":
                entry["state"] = "running"
        return {job_id: dict(entry) for job_id, entry in self.entries.items()}


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(cycle, "Scrapyd", FakeScrapyd)
    monkeypatch.setattr(cycle.time, "sleep", lambda seconds: None)
    FakeScrapyd.outcomes, FakeScrapyd.scheduled, FakeScrapyd.peak, FakeScrapyd.active = {}, [], 0, set()
    return FakeScrapyd


def args(tmp_path, *extra):
    return ["--scrapyd", "http://one:6800", "--scrapyd", "http://two:6800", "--cities", "berlin,london,amsterdam",
            "--cycle", "2026-12", "--db", str(tmp_path / "jobs.db"), "--runs-dir", str(tmp_path / "runs"),
            "--package", "none", "--poll", "0", *extra]


def test_one_crawl_at_a_time_per_host_with_the_servers_taking_turns(fake, tmp_path, monkeypatch):
    monkeypatch.setattr(cycle.Cycle, "build", lambda self: None)
    assert cycle.main(args(tmp_path)) == 0
    assert fake.peak == 1
    assert fake.scheduled == [("berlin", "http://one:6800/"), ("london", "http://two:6800/"),
                              ("amsterdam", "http://one:6800/")]
    assert storage.open_db(tmp_path / "jobs.db").execute("SELECT count(*) FROM merged_runs").fetchone() == (3,)


def test_more_crawls_at_once_only_when_allowed_and_running_crawls_say_how_far_they_are(fake, tmp_path, monkeypatch,
                                                                                          capsys):
    monkeypatch.setattr(cycle.Cycle, "build", lambda self: None)
    assert cycle.main(args(tmp_path, "--max-per-host", "2", "--progress", "0")) == 0
    assert fake.peak == 2
    assert "[berlin] running for 0 min" in capsys.readouterr().out


def test_a_failed_crawl_stops_the_cycle_before_the_merge(fake, tmp_path, capsys):
    fake.outcomes = {"london": "failed"}
    assert cycle.main(args(tmp_path)) == 1
    out = capsys.readouterr().out
    assert "[london] FAILED (failed)" in out and "blocked" in out
    assert "nothing was merged or published" in out
    assert [city for city, _ in fake.scheduled] == ["berlin", "london"]
    assert not (tmp_path / "jobs.db").exists()


def test_a_degraded_crawl_is_kept_and_the_cycle_exits_2(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cycle.Cycle, "build", lambda self: None)
    fake.outcomes = {"london": "degraded"}
    assert cycle.main(args(tmp_path)) == 2
    assert "[london] finished degraded" in capsys.readouterr().out


@pytest.mark.parametrize("extra, says", [
    (["--cities", "berlin,atlantis"], "unknown city atlantis"),
    (["--setting", "SQLITE_PATH=x.db"], "SQLITE_PATH is set by the cycle"),
    (["--arg", "city=berlin"], "--arg city=... is set by the cycle"),
    (["--setting", "USER_AGENT"], "expected NAME=VALUE"),
    (["--setting", "CLOSE_MAX_SHARE=half"], "--setting CLOSE_MAX_SHARE must be a share (a number from 0: 0.95 for "
                                            "95%), got 'half'"),
])
def test_arguments_the_cycle_cannot_use_are_refused_before_anything_is_scheduled(fake, tmp_path, capsys, extra, says):
    assert cycle.main(args(tmp_path, *extra)) == 1
    assert says in capsys.readouterr().out
    assert fake.scheduled == []


def test_the_site_is_packaged_with_docker_where_it_works_and_fails_clearly_where_it_must_and_does_not(tmp_path,
                                                                                                       monkeypatch):
    from analysis import serve
    from tests.helpers import build_fixture_db
    db = build_fixture_db(tmp_path / "jobs.db")
    commands, staged = [], []

    def run_step(what, command):
        """Records the command and what its staged plugins and templates folders held while it ran."""
        commands.append(command)
        folders = [Path(command[command.index(option) + 1]) for option in ("--plugins-dir", "--template-dir")]
        staged.append([sorted(p.name for p in folder.iterdir() if p.suffix in (".py", ".yaml", ".html"))
                       for folder in folders])

    monkeypatch.setattr(cycle, "docker_usable", lambda: True)
    packaged = cycle.package_site(db, tmp_path / "site", "2026-12", "auto", None, [], run_step)
    assert packaged == "Docker image jobs-site:2026-12"
    package = commands.pop()
    assert package[1:4] == ["-m", "datasette", "package"] and package[-2:] == ["-t", "jobs-site:2026-12"]
    plugins, templates = staged.pop()  # copies that travel with the image, the taxonomy the lookups read included
    assert plugins == sorted([*(p.name for p in serve.PLUGINS_DIR.glob("*.py")), "taxonomy.yaml"])
    assert templates == sorted(p.name for p in serve.TEMPLATE_DIR.glob("*.html"))
    assert package[package.index("--extra-options") + 1] == " ".join(serve.setting_options())
    assert package[package.index("--install") + 1].startswith("datasette-dashboards==")  # the pinned version
    cycle.package_site(db, tmp_path / "site", "2026-12", "auto", "cloudrun", ["--service=ai-jobs"], run_step)
    published = commands.pop()
    assert published[3:5] == ["publish", "cloudrun"] and Path(published[5]).name == db.name and staged.pop()[0]
    assert Path(published[5]) != db  # a publishable copy (test_the_published_copy_leaves_out_...)
    monkeypatch.setattr(cycle, "docker_usable", lambda: False)
    with pytest.raises(cycle.CycleError, match="--package docker: Docker is not available"):
        cycle.package_site(db, tmp_path / "site", "2026-12", "docker", None, [], run_step)
    assert not commands and not (tmp_path / "site").exists()


@pytest.mark.parametrize("content, says", [
    (b"not a database" * 100, "file is not a database"),
    (None, "is not a jobcrawler database (its tables: users)"),
])
def test_a_main_database_the_merge_would_refuse_stops_the_cycle_before_anything_is_scheduled(fake, tmp_path, capsys,
                                                                                           content, says):
    db = tmp_path / "jobs.db"
    if content:
        db.write_bytes(content)
    else:
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
    assert cycle.main(args(tmp_path)) == 1
    assert says in capsys.readouterr().out
    assert fake.scheduled == []


def test_a_second_cycle_from_the_same_runs_folder_stops_at_once(fake, tmp_path, capsys):
    with cycle.cycle_lock(tmp_path / "runs", "2026-12"):
        assert cycle.main(args(tmp_path)) == 1
    out = capsys.readouterr().out
    assert f"a cycle is already running from {tmp_path / 'runs'} (cycle 2026-12, process {os.getpid()}" in out
    assert fake.scheduled == []


def test_a_crawl_still_running_without_its_server_keeps_its_host_busy(fake, tmp_path, monkeypatch, capsys):
    """Its Scrapyd died, the crawl goes on: the cycle crawls neither its city again nor another city
    against the same host until that crawl has ended."""
    monkeypatch.setattr(cycle.Cycle, "build", lambda self: None)
    crawler = subprocess.Popen(["sleep", "60"])  # the orphaned crawl's process
    orphan = tmp_path / "runs" / "2026-12" / "berlin-2026-12.berlin.earlier.db"
    db = storage.open_db(orphan)
    run_id = storage.start_run(db, "builtin", "berlin", "AI Engineer", {"city": "berlin"})
    with storage.transaction(db):
        db.execute("UPDATE crawl_runs SET pid = ?, host = ? WHERE run_id = ?", [crawler.pid, socket.gethostname(), run_id])
    polls = []

    def poll_then_end_the_orphan(seconds):
        polls.append(fake.scheduled[:])
        if len(polls) == 3:  # the orphan finishes its crawl
            storage.finish_run(db, run_id, {"status": "ok", "finished_at": storage.utc_now(), "quality": {},
                                            "cities_complete": ["berlin"]})
            crawler.kill()
            crawler.wait()

    monkeypatch.setattr(cycle.time, "sleep", poll_then_end_the_orphan)
    try:
        assert cycle.main(args(tmp_path)) == 0
    finally:
        crawler.kill()
        db.close()
    assert polls[0] == polls[1] == polls[2] == []  # nothing scheduled while it ran
    assert [city for city, _ in fake.scheduled] == ["london", "amsterdam"]  # berlin: the orphan's run is kept
    assert "[berlin] still crawling with no server listing it" in capsys.readouterr().out


def test_credentials_in_a_scrapyd_url_are_refused_before_they_are_printed(fake, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cycle, "Scrapyd", SCRAPYD)
    assert cycle.main(["--scrapyd", "http://admin:hunter2secret@crawler2:6800", *args(tmp_path)[4:]]) == 1
    out = capsys.readouterr().out
    assert "not in the URL" in out and "hunter2secret" not in out


def test_the_published_copy_leaves_out_what_the_site_must_not_show(tmp_path, monkeypatch):
    """Paths of merged run databases, the LLM cache and calls, host names, PIDs and an endpoint's
    error text: not in the tarball's database, nor in what datasette package or publish gets."""
    import sqlite3
    import tarfile

    from tests.helpers import build_fixture_db
    db = build_fixture_db(tmp_path / "jobs.db")
    secret = "sk-echoed-0123456789abcdef"
    conn = storage.open_db(db)
    storage.ensure_merge_schema(conn)
    with storage.transaction(conn):
        conn.execute("INSERT INTO merged_runs (run_id, origin, cycle, source, source_run_id, merged_at) "
                     "VALUES (1, 'o', '2026-12', ?, 1, 'now')", [str(tmp_path / "runs" / "berlin-1.db")])
        conn.execute("INSERT INTO label_cache (model, prompt_version, posting_hash, answer) VALUES ('m', 'p', 'h', ?)",
                     [secret])
        conn.execute("INSERT INTO label_calls (run_id, outcome) VALUES (1, ?)", [f"http 401: {secret}"])
        conn.execute("INSERT INTO label_runs (labels, status, status_reason, host, pid) VALUES ('llm:m', 'failed', ?, "
                     "'crawler7', 4242)", [f"refused: {secret}"])
        conn.execute("UPDATE crawl_runs SET host = 'crawler7', pid = 4242, jobdir = ?", [str(tmp_path / "jobdir")])
    conn.close()

    def published(path) -> tuple[bytes, dict]:
        with sqlite3.connect(path) as copy:
            tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            facts = {"tables": tables & {"label_cache", "label_calls"},
                     "sources": copy.execute("SELECT source FROM merged_runs").fetchall(),
                     "hosts": copy.execute("SELECT DISTINCT host, pid, jobdir FROM crawl_runs").fetchall(),
                     "label_runs": copy.execute("SELECT host, pid, status_reason FROM label_runs").fetchall(),
                     "jobs": copy.execute("SELECT count(*) FROM jobs").fetchone()[0]}
        copy.close()
        return Path(path).read_bytes(), facts

    expected = {"tables": set(), "sources": [("berlin-1.db",)], "hosts": [(None, None, None)],
                "label_runs": [(None, None, None)], "jobs": 14}
    tarball = cycle.site_tarball(db, tmp_path / "site", "2026-12")
    with tarfile.open(tarball) as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    data, facts = published(tmp_path / "unpacked" / "jobs-site-2026-12" / "jobs.db")
    assert facts == expected
    for leak in (secret.encode(), b"crawler7", str(tmp_path).encode()):
        assert leak not in data

    seen = []
    monkeypatch.setattr(cycle, "docker_usable", lambda: True)
    cycle.package_site(db, tmp_path / "site", "2026-12", "auto", None, [],
                       lambda what, command: seen.append(published(command[4])))
    (data, facts), = seen
    assert facts == expected and secret.encode() not in data


@pytest.mark.parametrize("extra, label, built", [
    ((), None, ["rules"]),
    (("--llm", "m"), ["--model", "m"], ["rules", "llm:m"]),
    # the model reads only the doubtful postings; the reports are the rules with its AI type there
    (("--llm", "m", "--only-uncertain"), ["--model", "m", "--only-uncertain"], ["rules", "rules+llm:m"]),
])
def test_the_label_and_build_steps_follow_the_llm_options(tmp_path, monkeypatch, extra, label, built):
    commands = []
    monkeypatch.setattr(cycle.Cycle, "run_step", lambda self, what, command: commands.append(command[2:]))
    month = cycle.Cycle(cycle.parse_args(args(tmp_path, *extra)))
    month.label()
    month.build()
    labelled = [command[command.index("--model"):] for command in commands if command[0] == "jobcrawler.label"]
    assert labelled == ([label] if label else [])
    assert [command[-1] for command in commands if command[:2] == ["analysis", "build"]] == built


def test_only_uncertain_needs_a_model(tmp_path, capsys):
    with pytest.raises(SystemExit):
        cycle.parse_args(args(tmp_path, "--only-uncertain"))
    assert "--only-uncertain goes with --llm MODEL" in capsys.readouterr().err


def test_a_site_tarball_of_a_database_named_with_a_space_and_a_dot_serves_it_under_its_site_name(tmp_path):
    """The copy is named as the site names the database (``my-jobs-2026``): Datasette names a
    database by its file, the metadata and every dashboard chart by that name, and a chart's URL
    carries it unencoded (``my jobs.2026`` left the charts empty; ``run.sh -i my jobs.2026.db``
    was two arguments)."""
    import tarfile

    import yaml

    from tests.helpers import build_fixture_db
    db = build_fixture_db(tmp_path / "my jobs.2026.db")
    with tarfile.open(cycle.site_tarball(db, tmp_path / "site", "2026-12")) as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    root = tmp_path / "unpacked" / "jobs-site-2026-12"
    assert sorted(path.name for path in root.glob("*.db")) == ["my-jobs-2026.db"]
    assert " -i my-jobs-2026.db " in (root / "run.sh").read_text()
    metadata = yaml.safe_load((root / "metadata.yml").read_text())
    assert list(metadata["databases"]) == ["my-jobs-2026"]
    charts = metadata["plugins"]["datasette-dashboards"]["ai-engineering-jobs"]["charts"]
    assert {chart["db"] for chart in charts.values() if "db" in chart} == {"my-jobs-2026"}


def test_the_published_copy_of_an_accented_database_is_named_in_ascii_letters(tmp_path):
    """The copy is named by site_name.site_database_name: ``café.db`` is ``cafe.db``, not ``caf.db``."""
    from tests.helpers import build_fixture_db
    db = build_fixture_db(tmp_path / "café.db")
    assert cycle.publishable_copy(db, tmp_path / "site").name == "cafe.db"
