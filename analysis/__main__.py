"""Command line: build the report tables, print the report, serve the Datasette site.

    python -m analysis build  [--db data/jobs.db] [--labels rules|fieldguide|llm:MODEL]
    python -m analysis report [--db data/jobs.db] [--labels SOURCE] [--city london] [--period YYYY-MM] > report.md
    python -m analysis serve  [--db data/jobs.db] [--port 8001] [--host 127.0.0.1]
    python -m analysis path --skills "python, sql, docker" [--city berlin] [--ai-type ai-first] [--period YYYY-MM] [--db DB]

``report`` and ``serve`` build the report tables first when they are missing or stale.
"""

from __future__ import annotations

import argparse
import signal
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

from jobcrawler import crawl_start

if __name__ == "__main__":  # before the imports below: a Ctrl-C while they run is one line, not a traceback
    crawl_start.install_for_analysis()

from analysis import build  # noqa: E402  the other commands' modules import Datasette (~0.7 s): each its own below
from jobcrawler import number_input, storage  # noqa: E402
from jobcrawler.settings import SQLITE_PATH as DEFAULT_DB  # noqa: E402  where `scrapy crawl builtin` writes

LABELS_HELP = (f"the label source the reports count: {build.DEFAULT_LABELS} (the rule tagger, default), "
               "fieldguide (the imported published labels), llm:MODEL, rules+llm:MODEL (the rules, with the "
               "model's AI type where their confidence is below the --below of its latest --only-uncertain run)")


NO_JOBS = ("the database holds no jobs yet: crawl (scrapy crawl builtin) or import jobs "
           "(python -m jobcrawler.fieldguide) first")


def scope_word(text: str) -> str:
    """``--period``/``--ai-type`` as the report tables spell them: ``ALL`` and ``AI-First`` (or
    ``ai first``, ``ai_first``) were refused as unknown, where cities were taken in any case."""
    return "-".join(text.replace("_", " ").split()).lower()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    build_parser = commands.add_parser("build", help="(re)create every report_* table")
    build_parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"default {DEFAULT_DB}")
    build_parser.add_argument("--labels", default=build.DEFAULT_LABELS, help=LABELS_HELP)

    report_parser = commands.add_parser(
        "report", help="print the report as Markdown (builds the tables first if missing or out of date)")
    report_parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"default {DEFAULT_DB}")
    report_parser.add_argument("--labels", default=build.DEFAULT_LABELS, help=LABELS_HELP)
    report_parser.add_argument("--city", default="all", help="a city key of cities.yaml (any case) or its name, or 'all'")
    report_parser.add_argument("--period", type=scope_word, default="all", help="a crawl month YYYY-MM, or 'all'")

    serve_parser = commands.add_parser("serve", help="publish the database read-only with Datasette")
    serve_parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"default {DEFAULT_DB}")
    serve_parser.add_argument("--port", type=number_input.port_option(free_one=True), default=8001,
                              help="default 8001; 0: a free one, which the line to open names")
    serve_parser.add_argument("--host", default="127.0.0.1")

    path_parser = commands.add_parser("path", help="my learning path: the skills to learn next and the postings "
                                                   "that fit, for the skills you have")
    path_parser.add_argument("--skills", required=True, help='the skills you have, any alias: "python, sql, docker"')
    path_parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"default {DEFAULT_DB}")
    path_parser.add_argument("--city", default="all", help="a city key the crawl listed (any case) or its name, or 'all'")
    path_parser.add_argument("--ai-type", type=scope_word, default="all",
                             help="ai-first, ai-support, ml, unknown, or 'all' (any case)")
    path_parser.add_argument("--period", type=scope_word, default="all", help="a crawl month YYYY-MM, or 'all'")
    path_parser.add_argument("--labels", default=build.DEFAULT_LABELS, help=LABELS_HELP)

    args = parser.parse_args(argv)
    command_parser = {"build": build_parser, "report": report_parser, "serve": serve_parser,
                      "path": path_parser}[args.command]
    if why := storage.database_file_error(args.db):  # checked here, not by argparse: one line, not the usage too
        command_parser.exit(2, f"{command_parser.prog}: error: {why}\n")
    # A site serving the file opened it immutable: nothing may write into it, not even the journal
    # mode or the schema open_db brings up to date; reading it is fine.
    served = storage.being_served(args.db, "build" if args.command == "build" else "build the report tables")
    if served and args.command == "build":
        build_parser.exit(1, f"{build_parser.prog}: error: {served}\n")
    try:
        if served:  # read immutable as the site reads it (connect_to_read): no -wal/-shm beside it
            storage.open_db_read_only(args.db).close()
        else:
            storage.open_db(args.db).close()  # a database written by an older version gets today's schema
    except storage.StorageError as error:  # not a database, one that cannot be written, or another program's
        command_parser.exit(2, f"{command_parser.prog}: error: {error}\n")
    if args.command == "report":
        from analysis import report
    with closing(storage.connect_to_read(args.db, served)) as conn:
        if not storage.has_jobs(conn):  # tables of zeros, or a site answering 500, would say nothing
            no_jobs = report.NO_JOBS if args.command == "report" else NO_JOBS
            if demo := storage.the_demos_database(args.db):
                no_jobs += f"; {demo}"
            command_parser.exit(2, f"{command_parser.prog}: error: {no_jobs}\n")
    if args.command == "build":
        building(build_parser, args.db, args.labels, lambda: build.main(str(args.db), args.labels))
    elif args.command == "report":
        build_if_stale(args.db, args.labels, report_parser, served)
        with closing(storage.connect_to_read(args.db, served)) as conn:
            try:
                text = report.render_report(conn, city=args.city, period=args.period, labels=args.labels)
            except report.ScopeError as error:
                report_parser.exit(2, f"{report_parser.prog}: error: {error}\n")
        sys.stdout.write(text)
    elif args.command == "path":
        from analysis import path
        try:
            text, notes = path.main(args.db, args.skills, args.city, args.ai_type, args.period, args.labels, served)
        except path.PathError as error:
            path_parser.exit(2, f"{path_parser.prog}: error: {error}\n")
        for note in notes:
            print(f"note: {note}", file=sys.stderr)
        sys.stdout.write(text)
    elif args.command == "serve":
        from analysis import serve
        build_if_stale(args.db, build.DEFAULT_LABELS, serve_parser, served)
        crawl_start.hand_over_ctrl_c()  # the site stops on Ctrl-C as uvicorn stops it: "stopped the site"
        try:
            serve.main(args.db, port=args.port, host=args.host)
        except serve.PortTaken as error:
            serve_parser.exit(1, f"{serve_parser.prog}: error: {error}\n")


def build_if_stale(db: Path, labels: str, command_parser: argparse.ArgumentParser, served: str | None) -> None:
    """Build the report tables a crawl, re-tag or query change made stale, saying so on stderr:
    ``report`` and ``serve`` read them, and would otherwise print old figures or answer 500. Under
    a site (``served`` says which) they cannot be built, and old figures are no answer either: refused."""
    with closing(storage.connect_to_read(db, served)) as conn:
        stale = build.stale_reason(conn, labels)
        unknown = build.labels_error(storage.label_sources(conn), labels, db) if stale else None
    if unknown:  # said before "building ... first", and rather than "out of date" under a site
        command_parser.exit(2, f"{command_parser.prog}: error: {unknown}\n")
    if stale and served:
        command_parser.exit(1, f"{command_parser.prog}: error: the report tables are out of date ({stale}) and {served}\n")
    if stale:
        print(f"building the report tables first: {stale}", file=sys.stderr, flush=True)
        building(command_parser, db, labels, lambda: build.build(db, labels))


def building(command_parser: argparse.ArgumentParser, db: Path, labels: str, run_build) -> None:
    """Run a build, answering what stops it in one line. Ctrl-C during the build leaves the tables
    as they were (it is one transaction); after its commit they stay built, and the line says which.
    SQLite reports a Ctrl-C inside one of the build's SQL functions as "user-defined function raised
    exception", so the signal is remembered to tell it apart. Where Ctrl-C is ignored (a command run
    with ``&`` by a shell script), it stays ignored."""
    interrupted = []

    def on_ctrl_c(signum, frame):
        interrupted.append(signum)
        raise KeyboardInterrupt

    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, on_ctrl_c)
    try:
        run_build()
    except build.LabelsError as error:
        command_parser.exit(2, f"{command_parser.prog}: error: {error}\n")
    except (KeyboardInterrupt, sqlite3.OperationalError) as error:  # or held past the busy timeout
        if interrupted:
            with closing(sqlite3.connect(db)) as conn:
                built = build.stale_reason(conn, labels) is None
            command_parser.exit(130, f"{command_parser.prog}: interrupted: the report tables in {db} " + (
                "are built and current\n" if built else "are as they were; run it again to build them\n"))
        command_parser.exit(1, f"{command_parser.prog}: error: cannot build the report tables in {db}: {error}\n")
    finally:
        if previous is not signal.SIG_IGN:
            signal.signal(signal.SIGINT, previous)


if __name__ == "__main__":
    main()
