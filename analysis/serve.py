"""Publish a crawl database read-only with Datasette, with the report's metadata and charts.

``analysis/metadata.yml`` is written for a database named ``jobs`` (``data/jobs.db``):
Datasette keys canned queries and dashboard charts by database name. For any other file
name (``data/demo.db``) ``serve`` writes a copy of the metadata renamed to match, at a
stable path next to the database (``data/.demo.datasette-metadata.yml``; rewritten in
place on every start, so nothing piles up and nothing needs cleaning). The database's name
on the site is its file's name made fit for a URL (``site_database_name``: ``my jobs.db`` is
``my-jobs``).

``serve`` then runs Datasette in its own process (what ``datasette serve`` does, with the same
options): the process you started is the server, so SIGTERM, SIGINT (Ctrl-C) or a supervisor
stop it directly and no child is left behind. Its server log is quiet (warnings only) and, once
the port listens, it prints one line to open: ``Open http://127.0.0.1:8001/ ...``.

The site's own pages (``analysis/templates``: job pages, query forms with choices, the home
page's links) and the plugins in ``analysis/datasette_plugins`` are loaded with it; publishing
elsewhere takes ``--template-dir analysis/templates --plugins-dir analysis/datasette_plugins``.

Safety: the file is opened immutable (``-i``: no writes, no locks), no write plugin is
installed, SQL gets a time limit and a row cap that CSV streaming cannot bypass
(``allow_csv_stream`` off), the raw database file cannot be downloaded, and the plugin in
``analysis/datasette_plugins`` bounds the size of any one value (so ``zeroblob(1e9)`` is an
error, not gigabytes) and keeps the file's path out of ``/-/databases.json``. Many values just
under that bound are stopped by the time limit, but a second of them can reach a gigabyte, so
the process's data memory is capped (``MEMORY_LIMIT_BYTES``): past it a request fails with a
MemoryError (HTTP 500) and the site goes on serving. Ad-hoc SQL
stays allowed: it is read-only, time-limited, and the dashboards run their chart queries
through it. Immutable means Datasette trusts the file never to change: do not crawl or
build into the file being served (serve a copy, or stop the site while crawling).
"""

from __future__ import annotations

import asyncio
import copy
import os
import resource
import shutil
import socket
from pathlib import Path

import uvicorn
import yaml
from datasette.app import Datasette

from analysis.site_name import METADATA_DATABASE, site_database_name

METADATA_FILE = Path(__file__).parent / "metadata.yml"
PLUGINS_DIR = Path(__file__).parent / "datasette_plugins"
TEMPLATE_DIR = Path(__file__).parent / "templates"
MEMORY_LIMIT_BYTES = 1 * 2**30  # the site runs in ~50 MB (peak RSS serving the test database)
SETTINGS = {
    "sql_time_limit_ms": 1000,
    "max_returned_rows": 1000,
    "facet_time_limit_ms": 500,
    "allow_download": False,
    "allow_csv_stream": False,  # ?_stream=on would return every row, past max_returned_rows
    "suggest_facets": False,  # a line of column names above every table: the chosen facets say more
}


def stage_site_files(folder: Path) -> tuple[Path, Path]:
    """Copies of the plugins (with the skill taxonomy their lookups read) and the templates in
    ``folder``, for a site served away from this checkout (``datasette package`` / ``publish``,
    a tarball); returns (plugins dir, templates dir)."""
    from jobcrawler.tagging import TAXONOMY_PATH

    plugins, templates = folder / "plugins", folder / "templates"
    shutil.copytree(PLUGINS_DIR, plugins, ignore=shutil.ignore_patterns("__pycache__"))
    (plugins / "taxonomy.yaml").write_bytes(TAXONOMY_PATH.read_bytes())
    shutil.copytree(TEMPLATE_DIR, templates)
    return plugins, templates


def metadata_for(database: str) -> dict:
    """The site metadata with its canned queries and charts pointed at ``database``."""
    metadata = yaml.safe_load(METADATA_FILE.read_text())
    if database == METADATA_DATABASE:
        return metadata
    metadata = copy.deepcopy(metadata)
    metadata["databases"] = {database: metadata["databases"].pop(METADATA_DATABASE)}
    for dashboard in metadata["plugins"]["datasette-dashboards"].values():
        for item in (*dashboard.get("filters", {}).values(), *dashboard.get("charts", {}).values()):
            if item.get("db") == METADATA_DATABASE:
                item["db"] = database
    return metadata


def datasette_app(db_path: str | Path, metadata_path: str | Path) -> Datasette:
    """The site: ``db_path`` immutable, named ``site_database_name``, with the metadata, plugins,
    templates and SETTINGS."""
    app = Datasette(
        immutables=[str(db_path)],
        metadata=yaml.safe_load(Path(metadata_path).read_text()),
        plugins_dir=str(PLUGINS_DIR),
        template_dir=str(TEMPLATE_DIR),
        settings=SETTINGS,
    )
    database = app.get_database(Path(db_path).stem)  # Datasette names it by its file's stem
    if database.name != site_database_name(db_path):
        app.remove_database(database.name)
        app.add_database(database, name=site_database_name(db_path))
    return app


def setting_options() -> list[str]:
    """``--setting name value`` for every entry of SETTINGS (also the publish options in docs/reports.md)."""
    options = []
    for name, value in SETTINGS.items():
        text = ("on" if value else "off") if isinstance(value, bool) else str(value)
        options += ["--setting", name, text]
    return options


def metadata_path_for(db_path: str | Path) -> Path:
    """The metadata file to serve ``db_path`` with: ``metadata.yml`` itself for ``jobs.db``,
    else a renamed copy at a stable path: next to the database, or in the user's cache folder
    (``~/.cache/jobcrawler``) if that folder is read-only. Rewritten in place (atomically: a
    concurrent start never reads half a file), so no copies pile up."""
    db_path = Path(db_path)
    database = site_database_name(db_path)
    if database == METADATA_DATABASE:
        return METADATA_FILE
    text = yaml.safe_dump(metadata_for(database), sort_keys=False)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "jobcrawler"
    targets = [db_path.resolve().parent / f".{database}.datasette-metadata.yml",
               cache / f"{database}.datasette-metadata.yml"]
    for target in targets:
        try:
            if not (target.is_file() and target.read_text() == text):
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
                partial.write_text(text)
                os.replace(partial, target)
            return target
        except OSError as error:
            last_error = error
    raise SystemExit(f"cannot write the metadata for database {database!r}: {last_error}")


def limit_memory(limit: int) -> None:
    """Cap this process's data memory (the server runs in this process), unless a lower cap is set."""
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if soft == resource.RLIM_INFINITY or soft > limit:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


class QuietServer(uvicorn.Server):
    """uvicorn without its startup chatter: one line to open once the port listens."""

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            host = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(self.config.host, self.config.host)  # all addresses
            print(f"Open http://{host}:{self.config.port}/ in your browser: the AI engineering jobs site"
                  " (Ctrl-C to stop)", flush=True)


class PortTaken(Exception):
    """The address ``serve`` should listen on cannot be opened (taken, or not this machine's)."""


def listening_socket(host: str, port: int) -> socket.socket:
    """The server's socket, opened before Datasette starts, so a taken port is one line
    (``PortTaken``) instead of uvicorn's bare errno after the site has loaded."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as error:
        raise PortTaken(f"cannot serve on {host}:{port}: {error.strerror or error}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as error:
        sock.close()
        raise PortTaken(f"cannot serve on {host}:{port}: {error.strerror or error} (is another site or "
                        "make demo running? Stop it, or pick another port with --port)") from None
    sock.set_inheritable(True)
    return sock


async def _serve(db_path: Path, sock: socket.socket, host: str) -> None:
    app = datasette_app(db_path, metadata_path_for(db_path))
    await app.invoke_startup()
    config = uvicorn.Config(app.app(), host=host, port=sock.getsockname()[1], log_level="warning", lifespan="on")
    await QuietServer(config).serve(sockets=[sock])


def main(db_path: str | Path, port: int = 8001, host: str = "127.0.0.1") -> None:
    """Serve the site until stopped (SIGTERM or Ctrl-C). A port that cannot be opened raises
    ``PortTaken`` before anything loads."""
    sock = listening_socket(host, port)
    limit_memory(MEMORY_LIMIT_BYTES)
    try:
        asyncio.run(_serve(Path(db_path), sock, host))
    except KeyboardInterrupt:  # uvicorn shuts down on Ctrl-C, then raises it again: the way to stop, no traceback
        print("stopped the site", flush=True)
