"""jobcrawler.merge on small run databases written through storage: what wins, what is counted,
what is refused, and that merging is idempotent and independent of the order of the files."""

from __future__ import annotations

import sqlite3

import pytest

from jobcrawler import merge, storage
from tests.helpers import database_content, rows


def run_db(path, city: str, started: str, jobs: dict[str, dict], *, status="ok", complete=True, query="AI Engineer",
           labels_version="v1", source="rules"):
    """A run database as a crawl of ``city`` leaves it: ``jobs`` maps job id -> title."""
    db = storage.open_db(path)
    run_id = storage.start_run(db, "builtin", city, query, {"city": city}, "http://replay")
    with db.conn:
        db.execute("UPDATE crawl_runs SET started_at = ? WHERE run_id = ?", [started, run_id])
    for job_id, values in jobs.items():
        labels = storage.label_row({"ai_type": values.get("ai_type", "ai-first")}, source, labels_version, started)
        storage.save_job(db, storage.job_row({"job_id": job_id, "title": values["title"], "fetched_at": started}),
                         city=city, run_id=run_id, locations=[{"label": values.get("place", city)}],
                         skills=[{"skill": s, "category": "genai"} for s in values.get("skills", ["rag"])],
                         seen_at=started, labels=labels)
    if status != "running":
        storage.finish_run(db, run_id, {"status": status, "finished_at": started, "quality": {},
                                        "cities_complete": [city] if complete else []})
    db.close()
    return path


def quiet(*paths, **options):
    return merge.merge(list(paths[:-1]), paths[-1], log=lambda line: None, **options)


def test_the_newest_fetch_and_labels_win_whatever_the_order_and_first_seen_stays_the_earliest(tmp_path):
    old = run_db(tmp_path / "old.db", "berlin", "2026-11-01T00:00:00+00:00",
                 {"1": {"title": "AI Engineer", "skills": ["rag"], "place": "Berlin"}})
    new = run_db(tmp_path / "new.db", "berlin", "2026-12-01T00:00:00+00:00",
                 {"1": {"title": "Senior AI Engineer", "skills": ["agents", "llms"], "place": "Remote"}},
                 labels_version="v2")
    forward, backward = tmp_path / "forward.db", tmp_path / "backward.db"
    quiet(old, forward)
    quiet(new, forward)
    quiet(new, backward)
    quiet(old, backward)
    assert database_content(forward) == database_content(backward)
    for db in (forward, backward):
        job = rows(db, "SELECT * FROM jobs")[0]
        assert (job["title"], job["first_seen"][:10], job["last_seen"][:10], job["times_seen"]) == \
            ("Senior AI Engineer", "2026-11-01", "2026-12-01", 2)
        assert [r["skill"] for r in rows(db, "SELECT skill FROM job_skills ORDER BY skill")] == ["agents", "llms"]
        assert [r["label"] for r in rows(db, "SELECT label FROM job_locations")] == ["Remote"]
        assert rows(db, "SELECT version FROM job_labels")[0]["version"] == "v2"


def test_a_label_source_replaces_only_its_own_rows(tmp_path):
    main = tmp_path / "jobs.db"
    quiet(run_db(tmp_path / "a.db", "berlin", "2026-11-01T00:00:00+00:00",
                 {"1": {"title": "AI Engineer", "skills": ["rag"], "ai_type": "ai-support"}},
                 source="fieldguide"), main)
    quiet(run_db(tmp_path / "b.db", "berlin", "2026-12-01T00:00:00+00:00",
                 {"1": {"title": "AI Engineer", "skills": ["agents"]}}), main)
    assert rows(main, "SELECT labels, ai_type FROM job_labels ORDER BY labels") == [
        {"labels": "fieldguide", "ai_type": "ai-support"}, {"labels": "rules", "ai_type": "ai-first"}]
    assert rows(main, "SELECT labels, skill FROM job_skills ORDER BY labels") == [
        {"labels": "fieldguide", "skill": "rag"}, {"labels": "rules", "skill": "agents"}]


def test_runs_of_one_cycle_count_once_and_close_together_separate_runs_do_not(tmp_path):
    month = "2026-11-01T00:00:00+00:00"
    both = {"1": {"title": "AI Engineer"}}
    runs = [run_db(tmp_path / f"{city}.db", city, month.replace("00:00:00", f"0{i}:00:00"), both)
            for i, city in enumerate(("berlin", "london"))]
    later = [run_db(tmp_path / f"{city}-dec.db", city, f"2026-12-01T0{i}:00:00+00:00", {"2": {"title": "ML Engineer"}})
             for i, city in enumerate(("berlin", "london"))]
    cycled, separate = tmp_path / "cycled.db", tmp_path / "separate.db"
    merge.merge(runs, cycled, cycle="2026-11", log=lambda line: None)
    merge.merge(later, cycled, cycle="2026-12", log=lambda line: None)
    merge.merge(runs, separate, log=lambda line: None)
    merge.merge(later, separate, log=lambda line: None)
    assert rows(cycled, "SELECT job_id, times_seen, closed_at IS NOT NULL AS closed FROM jobs ORDER BY job_id") == [
        {"job_id": "1", "times_seen": 1, "closed": 1}, {"job_id": "2", "times_seen": 1, "closed": 0}]
    # Each run alone sees job 1 still listed under the other city: nothing may be closed.
    assert rows(separate, "SELECT job_id, times_seen, closed_at IS NOT NULL AS closed FROM jobs ORDER BY job_id") == [
        {"job_id": "1", "times_seen": 2, "closed": 0}, {"job_id": "2", "times_seen": 2, "closed": 0}]
    assert rows(cycled, "SELECT cycle, count(*) AS runs FROM merged_runs GROUP BY cycle") == [
        {"cycle": "2026-11", "runs": 2}, {"cycle": "2026-12", "runs": 2}]


@pytest.mark.parametrize("order", ["older first", "newer first", "one at a time"])
def test_an_older_run_never_closes_what_a_newer_run_listed(order, tmp_path):
    november = run_db(tmp_path / "nov.db", "berlin", "2026-11-01T00:00:00+00:00", {"1": {"title": "x"}, "2": {"title": "y"}})
    december = run_db(tmp_path / "dec.db", "berlin", "2026-12-01T00:00:00+00:00",
                      {"1": {"title": "x"}, "3": {"title": "new in December"}})
    main = tmp_path / "main.db"
    if order == "one at a time":
        quiet(december, main)
        quiet(november, main)
    else:
        quiet(*([november, december] if order == "older first" else [december, november]), main)
    closed = {row["job_id"]: row["closed_at"] for row in rows(main, "SELECT job_id, closed_at FROM jobs")}
    assert closed["3"] is None  # listed by December: November's listing cannot close it
    assert closed["2"] is not None  # gone by December: closed by December's complete listing


def test_an_incomplete_or_failed_listing_closes_nothing(tmp_path):
    main = tmp_path / "jobs.db"
    quiet(run_db(tmp_path / "a.db", "berlin", "2026-11-01T00:00:00+00:00", {"1": {"title": "AI Engineer"}}), main)
    quiet(run_db(tmp_path / "b.db", "berlin", "2026-12-01T00:00:00+00:00", {"2": {"title": "x"}}, complete=False), main)
    quiet(run_db(tmp_path / "c.db", "berlin", "2026-12-02T00:00:00+00:00", {"2": {"title": "x"}}, status="failed"),
          main)
    assert rows(main, "SELECT count(*) AS n FROM jobs WHERE closed_at IS NOT NULL") == [{"n": 0}]
    quiet(run_db(tmp_path / "d.db", "berlin", "2026-12-03T00:00:00+00:00", {"2": {"title": "x"}}), main)
    assert rows(main, "SELECT job_id, closed_at FROM jobs WHERE closed_at IS NOT NULL") == [
        {"job_id": "1", "closed_at": "2026-12-03T00:00:00+00:00"}]


def test_a_job_listed_again_after_it_was_closed_is_open_again(tmp_path):
    main = tmp_path / "jobs.db"
    quiet(run_db(tmp_path / "a.db", "berlin", "2026-10-01T00:00:00+00:00", {"1": {"title": "A"}, "2": {"title": "B"},
                                                                          "3": {"title": "C"}}), main)
    quiet(run_db(tmp_path / "b.db", "berlin", "2026-11-01T00:00:00+00:00", {"2": {"title": "B"}, "3": {"title": "C"}}),
          main)
    assert rows(main, "SELECT job_id FROM jobs WHERE closed_at IS NOT NULL") == [{"job_id": "1"}]
    quiet(run_db(tmp_path / "c.db", "berlin", "2026-12-01T00:00:00+00:00", {"1": {"title": "A"}, "2": {"title": "B"},
                                                                          "3": {"title": "C"}}), main)
    assert rows(main, "SELECT count(*) AS n FROM jobs WHERE closed_at IS NOT NULL") == [{"n": 0}]


def test_closing_most_of_a_city_at_once_is_withheld_and_marks_the_run_degraded(tmp_path):
    main = tmp_path / "jobs.db"
    quiet(run_db(tmp_path / "a.db", "berlin", "2026-11-01T00:00:00+00:00",
                 {str(n): {"title": "AI Engineer"} for n in range(1, 5)}), main)
    result = quiet(run_db(tmp_path / "b.db", "berlin", "2026-12-01T00:00:00+00:00", {"1": {"title": "AI Engineer"}}),
                   main)
    assert result.exit_code == 2 and result.withheld
    assert rows(main, "SELECT count(*) AS n FROM jobs WHERE closed_at IS NOT NULL") == [{"n": 0}]
    assert rows(main, "SELECT status FROM crawl_runs ORDER BY run_id DESC LIMIT 1") == [{"status": "degraded"}]


@pytest.mark.parametrize("share", ["nan", "-0.1", "half"])
def test_a_close_max_share_that_is_no_share_is_refused_before_anything_is_merged(tmp_path, capsys, share):
    """``nan`` is the sly one: no share exceeds it, so a listing that lost every job would close them all."""
    main = tmp_path / "jobs.db"
    run = run_db(tmp_path / "a.db", "berlin", "2026-11-01T00:00:00+00:00", {"1": {"title": "A"}})
    with pytest.raises(SystemExit) as stopped:
        merge.main([str(run), "--db", str(main), "--close-max-share", share])
    assert stopped.value.code == 2 and not main.exists()
    assert capsys.readouterr().err.splitlines()[-1] == ("python -m jobcrawler.merge: error: argument --close-max-share: "
                                                        f"not a share (a number from 0: 0.5 for 50%): {share!r}")


def test_a_running_run_or_a_file_that_is_no_database_is_refused_and_nothing_is_merged(tmp_path, capsys):
    main = tmp_path / "jobs.db"
    good = run_db(tmp_path / "good.db", "berlin", "2026-11-01T00:00:00+00:00", {"1": {"title": "A"}})
    running = run_db(tmp_path / "running.db", "london", "2026-11-01T00:00:00+00:00", {"2": {"title": "B"}},
                     status="running")
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database" * 100)
    for bad, says in ((running, "still running"), (garbage, "is not a database"),
                      (tmp_path / "missing.db", "no database at")):
        assert merge.main([str(good), str(bad), "--db", str(main)]) == 1
        assert says in capsys.readouterr().err
        assert rows(main, "SELECT count(*) AS n FROM jobs") == [{"n": 0}]


def test_merging_the_same_run_databases_again_changes_nothing(tmp_path, capsys):
    main = tmp_path / "jobs.db"
    paths = [run_db(tmp_path / f"{city}.db", city, f"2026-11-01T0{i}:00:00+00:00",
                    {str(i): {"title": "A"}, "9": {"title": "B"}})
             for i, city in enumerate(("berlin", "london", "amsterdam"))]
    assert merge.main([*map(str, paths), "--db", str(main), "--cycle", "2026-11"]) == 0
    dump = lambda: {t: rows(main, f"SELECT * FROM {t}") for t in  # noqa: E731
                    ("jobs", "crawl_runs", "sightings", "job_cities", "job_labels", "job_skills", "merged_runs")}
    before = dump()
    assert merge.main([*map(str, paths), "--db", str(main), "--cycle", "2026-11"]) == 0
    assert dump() == before
    assert "0 runs added, 3 already there" in capsys.readouterr().err
    with pytest.raises(sqlite3.OperationalError):  # the run databases were only read
        sqlite3.connect(paths[0]).execute("SELECT * FROM merged_runs")


def test_two_runs_begun_in_the_same_second_with_the_same_arguments_merge_as_two(tmp_path):
    """Each run is known by its run_uid: known by its arguments and start, the second run database
    was taken for the first one merged again, its row overwrote the first's and its new job was
    credited to the older run."""
    started = "2026-11-01T00:00:00+00:00"
    first = run_db(tmp_path / "first.db", "berlin", started, {"1": {"title": "A"}})
    second = run_db(tmp_path / "second.db", "berlin", started, {"1": {"title": "A"}, "2": {"title": "B"}})
    main = tmp_path / "jobs.db"
    quiet(first, main)
    quiet(second, main)
    assert rows(main, "SELECT run_id, jobs_new FROM crawl_runs ORDER BY run_id") == [
        {"run_id": 1, "jobs_new": 1}, {"run_id": 2, "jobs_new": 1}]
    assert rows(main, "SELECT run_id, job_id FROM sightings ORDER BY run_id, job_id") == [
        {"run_id": 1, "job_id": "1"}, {"run_id": 2, "job_id": "1"}, {"run_id": 2, "job_id": "2"}]
    before = database_content(main)
    quiet(first, main)
    quiet(second, main)
    assert database_content(main) == before  # merged again: nothing added


def test_a_run_an_older_version_merged_is_still_known_after_the_upgrade(tmp_path):
    """Runs without a run_uid (begun by an older version) keep the origin merged_runs has for them."""
    run = run_db(tmp_path / "run.db", "berlin", "2026-11-01T00:00:00+00:00", {"1": {"title": "A"}})
    with sqlite3.connect(run) as conn:
        conn.execute("UPDATE crawl_runs SET run_uid = NULL")
    main = tmp_path / "jobs.db"
    quiet(run, main)
    assert rows(main, "SELECT origin FROM merged_runs")[0]["origin"].startswith('["builtin", "berlin"')
    before = database_content(main)
    quiet(run, main)
    assert database_content(main) == before
