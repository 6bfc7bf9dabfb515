"""Whether a site is serving a database file, so that nothing writes into it meanwhile.

``analysis serve`` (and ``datasette serve -i``) open the file immutable, trusting it never to
change: a write under them made the site serve old job counts beside new runs, then answer 500
("database disk image is malformed"). Found through Linux's /proc (each process's command line
and open files); where there is no /proc (macOS, Windows) no site is found and nothing is refused.
"""

from __future__ import annotations

import os
from pathlib import Path


def serving_processes(path: str | Path) -> list[tuple[int, str]]:
    """(pid, command) of the Datasette processes of this machine (``analysis serve``, ``datasette
    serve``) that have the file open (Linux /proc; elsewhere none are found)."""
    target, found = os.path.realpath(path), []
    for process in Path("/proc").glob("[0-9]*"):
        if int(process.name) == os.getpid():
            continue
        try:
            argv = (process / "cmdline").read_bytes().decode(errors="replace").split("\0")
            if not _serves(argv):
                continue
            command = " ".join(argv).strip()
            if any(os.path.realpath(fd) == target for fd in (process / "fd").iterdir()):
                found.append((int(process.name), command))
        except OSError:  # gone meanwhile, or another user's
            continue
    return found


def _serves(argv: list[str]) -> bool:
    """Whether a command line runs a site: ``datasette [serve] ...`` (as a program or ``python -m
    datasette``) or ``python -m analysis serve``; not any command that names one (``pytest
    tests/test_datasette.py``, an editor)."""
    return (any(Path(part).name == "datasette" for part in argv[:3])
            or any(argv[i:i + 2] == ["analysis", "serve"] for i in range(len(argv) - 1)))


def being_served(path: str | Path, doing: str) -> str | None:
    """Why ``doing`` (merge, crawl, import...) must not write into the database at ``path`` now, or
    None: a site serving it opened it immutable, trusting it never to change, and would serve a mix
    of old and new pages (old counts beside new runs, then 500 "database disk image is malformed")."""
    served = serving_processes(path) if Path(path).exists() else []
    if not served:
        return None
    pid, command = served[0]
    return (f"{path} is being served (process {pid}: {command[:80]}): stop the site, {doing}, then serve it again "
            f"(or {doing} into a copy and serve that)")
