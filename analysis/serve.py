"""Publish a crawl database read-only with Datasette, with the report's metadata and charts.

``analysis/metadata.yml`` is written for a database named ``jobs`` (``data/jobs.db``):
Datasette keys canned queries and dashboard charts by database name. For any other file
name (``data/demo.db``) ``serve`` writes a copy of the metadata renamed to match.

Safety: the file is opened immutable (``-i``: no writes, no locks), no write plugin is
installed, SQL gets a time limit and a row cap, and the raw database file cannot be
downloaded. Ad-hoc SQL stays allowed: it is read-only, time-limited, and the dashboards
run their chart queries through it.
"""

from __future__ import annotations

import copy
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

METADATA_FILE = Path(__file__).parent / "metadata.yml"
METADATA_DATABASE = "jobs"
SETTINGS = {
    "sql_time_limit_ms": 1000,
    "max_returned_rows": 1000,
    "facet_time_limit_ms": 500,
    "allow_download": False,
}


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


def datasette_command(db_path: str | Path, metadata_path: str | Path, port: int = 8001, host: str = "127.0.0.1") -> list[str]:
    command = [
        sys.executable, "-m", "datasette", "serve",
        "-i", str(db_path),
        "--metadata", str(metadata_path),
        "--host", host, "--port", str(port),
    ]
    for name, value in SETTINGS.items():
        text = ("on" if value else "off") if isinstance(value, bool) else str(value)
        command += ["--setting", name, text]
    return command


def main(db_path: str | Path, port: int = 8001, host: str = "127.0.0.1") -> None:
    database = Path(db_path).stem
    with tempfile.TemporaryDirectory() as folder:
        metadata_path = METADATA_FILE
        if database != METADATA_DATABASE:
            metadata_path = Path(folder) / "metadata.yml"
            metadata_path.write_text(yaml.safe_dump(metadata_for(database), sort_keys=False))
        command = datasette_command(db_path, metadata_path, port=port, host=host)
        print(" ".join(command), file=sys.stderr)
        try:
            subprocess.run(command, check=False)
        except KeyboardInterrupt:
            pass
