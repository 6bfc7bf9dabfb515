"""Fold run databases (one per crawl scheduled on Scrapyd) into the main database.

    python -m jobcrawler.merge RUN.db [RUN.db ...] [--db data/jobs.db] [--cycle 2026-12]

The result is what crawling straight into the main database would have left: jobs upserted
(``first_seen`` kept, the newest fetch and the newest labels of each source win), ``last_seen``,
sightings and job_cities added, and jobs a complete listing no longer shows closed by the rule
``scrapy crawl`` applies (``storage.close_unlisted``), evaluated here in the main database.
Runs keep their ``crawl_runs`` rows under new run ids (``merged_runs`` maps each to where it
came from). ``--cycle`` names the runs of one crawl cycle (the cities of one month's crawl):
they count as one sighting occasion, so ``times_seen`` and closing come out as for one
``city=all`` crawl; without it each run is its own occasion, as separate crawls are.

Each run database is merged in one transaction; a run merged before is recognised by its
origin (its run_uid; for a run an older version began, its spider, city, search, site, arguments
and start) and not added again, so merging the same files twice changes nothing. SQL lives in
``jobcrawler/storage/merge.py``.

Exit status: 0 merged; 1 a run database cannot be merged (missing, not SQLite, damaged, no crawl
run, a run still ``running``) or the main database is being served: nothing is merged; 2 merged, but closing was withheld for an
occasion that would have closed more than ``--close-max-share`` of its cities' open jobs.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from jobcrawler import number_input, settings, storage


@dataclass
class MergeResult:
    merged: list[str] = field(default_factory=list)  # one line per run database
    runs_added: int = 0
    runs_known: int = 0
    jobs_new: int = 0
    closed: int = 0
    withheld: list[str] = field(default_factory=list)
    statuses: dict[int, str] = field(default_factory=dict)  # run id here -> its status

    @property
    def exit_code(self) -> int:
        return 2 if self.withheld else 0


def inspect(db: sqlite_utils.Database, path: Path) -> list[dict]:
    """The crawl runs of one run database, or a MergeError saying why it cannot be merged (its
    pages are all read first: a file damaged anywhere is refused before anything is merged)."""
    if why := storage.database_file_error(path):
        raise storage.MergeError(why)
    try:
        storage.attach_run_db(db, path)
    except sqlite3.Error as error:
        raise storage.MergeError(f"{path}: cannot open it: {error}") from error
    try:
        damage = db.execute("PRAGMA run.quick_check(1)").fetchone()[0]
        runs = storage.run_db_runs(db)
    except sqlite3.DatabaseError as error:
        raise storage.MergeError(f"{path}: not a jobcrawler database: {error}") from error
    finally:
        storage.detach_run_db(db)
    if damage != "ok":  # found before anything is merged: a damaged file stops the whole merge
        raise storage.MergeError(f"{path}: the file is damaged ({damage})")
    if not runs:
        raise storage.MergeError(f"{path}: holds no crawl run")
    running = [run["run_id"] for run in runs if run["status"] == "running"]
    if running:
        raise storage.MergeError(
            f"{path}: crawl run {', '.join(map(str, running))} is still running, or its process died: "
            "let it finish (or resume it with its -s JOBDIR) before merging")
    return runs


def merge(run_paths: list[str | Path], db_path: str | Path, cycle: str | None = None,
          close_max_share: float = settings.CLOSE_MAX_SHARE, log=print) -> MergeResult:
    """Merge run databases into ``db_path``; every file is checked before any is merged. A
    database a site is serving is refused: Datasette opens it immutable, trusting it never to
    change, and would serve a mix of old and new pages ("database disk image is malformed")."""
    if why := storage.being_served(db_path, "merge"):
        raise storage.MergeError(why)
    db = storage.open_db(db_path)
    result = MergeResult()
    try:
        storage.ensure_merge_schema(db)
        checked = []
        for path in dict.fromkeys(Path(p) for p in run_paths):
            if path.resolve() == Path(db_path).resolve():
                raise storage.MergeError(f"{path} is the main database itself")
            checked.append((path, inspect(db, path)))
        checked.sort(key=lambda item: (item[1][0]["started_at"] or "", str(item[0])))  # oldest crawl first
        occasions: dict[tuple, None] = {}
        for path, runs in checked:
            storage.attach_run_db(db, path)
            try:
                merged = storage.merge_attached_run_db(db, runs, cycle, str(path))
            finally:
                storage.detach_run_db(db)
            result.runs_added += len(merged["new_runs"])
            result.runs_known += len(runs) - len(merged["new_runs"])
            result.jobs_new += merged["new_jobs"]
            for run in runs:
                run_id = merged["runs"][run["run_id"]]
                result.statuses[run_id] = run["status"]
                run_cycle = storage.merged_run_cycle(db, run_id)  # a run keeps the cycle it was first merged under
                occasions[(run_cycle,) if run_cycle else (None, run_id)] = None
            what = ", ".join(f"run {run['run_id']} -> {merged['runs'][run['run_id']]} "
                             f"({run['city']}, {run['status']})" for run in runs)
            line = (f"merged {path}: {what}; {merged['jobs']} jobs, {merged['new_jobs']} new" if merged["new_runs"]
                    else f"already merged {path}: {what}")
            result.merged.append(line)
            log(line)
        if checked:  # runs merged before that started later: their closing is decided again, in order
            earliest = checked[0][1][0]["started_at"] or ""
            occasions = dict.fromkeys([*storage.occasions_since(db, earliest), *occasions])
        for occasion in occasions:  # each decided whole: its runs read, its jobs closed, its withholding recorded
            with storage.transaction(db):
                runs = storage.occasion_runs(db, *occasion)
                for query, closed in storage.close_occasion(db, runs, close_max_share).items():
                    if closed is None:
                        name = f"cycle {occasion[0]}" if occasion[0] else f"run {runs[0]['run_id']}"
                        reason = (f"more than {close_max_share:.0%} of the open jobs of the cities {name} listed "
                                  f"completely (search {query!r}) were no longer listed: none was closed "
                                  "(did the site or the search change?)")
                        storage.withhold_closing(db, runs, reason)
                        result.withheld.append(reason)
                        log(f"warning: {reason}")
                    else:
                        result.closed += closed
    finally:
        db.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobcrawler.merge", description=__doc__.splitlines()[0])
    parser.add_argument("run_dbs", nargs="+", metavar="RUN.db", help="run databases, in any order")
    parser.add_argument("--db", default=settings.SQLITE_PATH,
                        help=f"the main database (default {settings.SQLITE_PATH})")
    parser.add_argument("--cycle", help="name the runs' crawl cycle (e.g. 2026-12): its runs count as one sighting "
                                        "occasion, as the cities of one city=all crawl do")
    parser.add_argument("--close-max-share", type=number_input.share_option(), default=settings.CLOSE_MAX_SHARE,
                        help="withhold closing when more than this share of an occasion's cities' open jobs would "
                             f"close (default {settings.CLOSE_MAX_SHARE}, as CLOSE_MAX_SHARE for a crawl)")
    args = parser.parse_args(argv)
    try:
        result = merge(args.run_dbs, args.db, args.cycle, args.close_max_share)
    except (storage.MergeError, storage.StorageError) as error:
        print(f"error: {error} (nothing merged)", file=sys.stderr)
        return 1
    except sqlite3.Error as error:
        print(f"error: merging into {args.db} failed: {error} (the run database being merged was rolled back)",
              file=sys.stderr)
        return 1
    statuses = json.dumps(dict(sorted(Counter(result.statuses.values()).items())))
    print(f"merged {len(args.run_dbs)} run databases into {args.db}: {result.runs_added} runs added, "
          f"{result.runs_known} already there; {result.jobs_new} new jobs, {result.closed} closed; run statuses "
          f"{statuses}", file=sys.stderr)
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
