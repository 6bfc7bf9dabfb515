"""The database's name on the site, in a module of the standard library alone: ``make clean``
runs it with the Python that makes the virtualenv, before or without it.

    python analysis/site_name.py data/my.demo.db     # my-demo
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

METADATA_DATABASE = "jobs"  # the database analysis/metadata.yml names


def site_database_name(db_path: str | Path) -> str:
    """The database's name on the site: its file's stem, each run of characters a URL path
    would encode (a space, a dot) made one '-' (``my jobs.db``: ``my-jobs``, ``jobs.2026.db``:
    ``jobs-2026``), an accented letter its ASCII letter first (``données.db``: ``donnees``, not
    ``donn-es``). datasette-dashboards' charts fetch their rows from ``<name>.json`` with the name
    as it is (its dashboards.js, ``getDataUrl``), so with any such character every chart of the
    dashboard stayed empty."""
    decomposed = unicodedata.normalize("NFKD", Path(db_path).stem)  # é: e and its combining accent
    ascii_letters = "".join(character for character in decomposed if not unicodedata.combining(character))
    return re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_letters).strip("-") or METADATA_DATABASE


if __name__ == "__main__":
    print(site_database_name(sys.argv[1]))
