"""Proof that a change to the report build changed none of the report tables.

    python bench/report_equivalence.py --db DB --write BEFORE.jsonl.gz     # built with the old code
    python bench/report_equivalence.py --db DB --against BEFORE.jsonl.gz   # built with the new code

Writes every ``report_*`` table of a database (every label source's rows; ``report_build``, which
records when the build ran, left out) as JSON lines: the table, its columns, then its rows in
table order (rowid: the order the build wrote them, which is the order a report reads them).
``--against`` compares the database's tables with a file written before the change, row by row
and in order, and lists each table that differs: missing on either side, other columns, or its
first differing row (and whether the rows are only in another order). It exits 1 on any
difference. Floats are compared exactly (their JSON text is Python's shortest round trip).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sqlite3
import sys
from collections import Counter
from pathlib import Path

SKIPPED = {"report_build"}  # when each source was built: differs on every build


def report_tables(db: Path) -> dict[str, tuple[list[str], list[list]]]:
    """Table -> (columns, rows in rowid order), for every report table of ``db``."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        names = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'report_*' ORDER BY name")
            if name not in SKIPPED]
        tables = {}
        for name in names:
            cursor = conn.execute(f'SELECT * FROM "{name}" ORDER BY rowid')
            rows = [list(row) for row in cursor]
            tables[name] = ([d[0] for d in cursor.description], rows)
        return tables
    finally:
        conn.close()


def write(path: Path, tables: dict[str, tuple[list[str], list[list]]]) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for name, (columns, rows) in tables.items():
            out.write(json.dumps({"table": name, "columns": columns, "rows": len(rows)}) + "\n")
            for row in rows:
                out.write(json.dumps(row) + "\n")


def read(path: Path) -> dict[str, tuple[list[str], list[list]]]:
    tables, rows = {}, None
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            if isinstance(item, dict):
                rows = []
                tables[item["table"]] = (item["columns"], rows)
            else:
                rows.append(item)
    return tables


def differences(before: dict, after: dict) -> list[str]:
    """One line per table that is not identical, row by row and in order."""
    lines = []
    for name in sorted(before.keys() | after.keys()):
        if name not in after or name not in before:
            lines.append(f"{name}: only {'before' if name in before else 'after'} the change")
            continue
        (old_columns, old_rows), (new_columns, new_rows) = before[name], after[name]
        if old_columns != new_columns:
            lines.append(f"{name}: columns {old_columns} before, {new_columns} after")
        elif old_rows != new_rows:
            # JSON text as the key: a row read back from the file and one read from SQLite compare alike
            same_set = Counter(map(json.dumps, old_rows)) == Counter(map(json.dumps, new_rows))
            first = next((i for i, (a, b) in enumerate(zip(old_rows, new_rows)) if a != b), min(len(old_rows), len(new_rows)))
            lines.append(f"{name}: {len(old_rows)} rows before, {len(new_rows)} after; "
                         + ("the same rows in another order; " if same_set else "")
                         + f"row {first + 1}: {old_rows[first] if first < len(old_rows) else '-'} before, "
                         f"{new_rows[first] if first < len(new_rows) else '-'} after")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="a database with report tables built")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", type=Path, help="write its report tables to this .jsonl.gz")
    action.add_argument("--against", type=Path, help="compare its report tables with this .jsonl.gz")
    args = parser.parse_args(argv)
    if not args.db.is_file():
        parser.error(f"no database at {args.db}")
    tables = report_tables(args.db)
    if not tables:
        parser.error(f"{args.db} holds no report tables: run python -m analysis build --db {args.db} first")
    rows = sum(len(table_rows) for _, table_rows in tables.values())
    if args.write:
        write(args.write, tables)
        print(f"{len(tables)} report tables, {rows:,} rows written to {args.write}")
        return 0
    if not args.against.is_file():
        parser.error(f"no file at {args.against}")
    lines = differences(read(args.against), tables)
    for line in lines:
        print(line)
    print(f"{len(tables)} report tables, {rows:,} rows: "
          + (f"{len(lines)} differ from {args.against}" if lines else f"identical to {args.against}, row by row"))
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
