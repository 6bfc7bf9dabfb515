"""Whether a site is serving a database file, so that nothing writes into it meanwhile.

``analysis serve`` (and ``datasette serve -i``) open the file immutable, trusting it never to
change: a write under them made the site serve old job counts beside new runs, then answer 500
("database disk image is malformed"). Found through Linux's /proc (each process's command line
and open files); where there is no /proc (macOS, Windows) no site is found and nothing is refused.
"""

from __future__ import annotations

import os
import sys
import re
from pathlib import Path


def serving_processes(path: str | Path) -> list[tuple[int, str]]:
    """(pid, command) of the processes of this machine that serve the file immutable (``analysis
    serve``, ``datasette serve -i``) and have it open. A ``datasette serve`` without ``-i`` copes
    with writes and is none (Linux /proc; elsewhere none are found)."""
    target, found = os.path.realpath(path), []
    for process in Path("/proc").glob("[0-9]*"):
        if int(process.name) == os.getpid():
            continue
        try:
            argv = (process / "cmdline").read_bytes().decode(errors="replace").split("\0")
            if argv and argv[-1] == "":
                argv.pop()
            if not serves_immutable(argv, os.readlink(process / "cwd"), target):
                continue
            if any(os.path.realpath(fd) == target for fd in (process / "fd").iterdir()):
                found.append((int(process.name), " ".join(argv)))
        except OSError:  # gone meanwhile, or another user's
            continue
    return found


def serves_immutable(argv: list[str], cwd: str, target: str) -> bool:
    """Whether a command line (run in ``cwd``) serves the file at real path ``target`` immutable:
    ``python -m analysis serve`` opens every database it serves so (its --db, or the default one);
    ``datasette`` the files of its ``-i``/``--immutable`` options. No other command does, whatever
    it names (``pytest tests/test_datasette.py``, an editor)."""
    program, arguments = _program(argv)
    if program == "analysis":
        return arguments[:1] == ["serve"]
    if program != "datasette":
        return False
    served = []
    for at, argument in enumerate(arguments):
        if argument in ("-i", "--immutable") and at + 1 < len(arguments):
            served.append(arguments[at + 1])
        elif argument.startswith("--immutable="):
            served.append(argument.partition("=")[2])
        elif argument.startswith("-i") and not argument.startswith("--"):
            served.append(argument[2:])
    return target in {os.path.realpath(os.path.join(cwd, value)) for value in served}


def _program(argv: list[str]) -> tuple[str, list[str]]:
    """The program a command line runs and its arguments: the module of ``python [options] -m
    module`` (``python -X dev -m datasette``), the script of ``python [options] script`` (how a
    console script such as ``datasette`` shows: its interpreter, then the script), else the
    executable itself."""
    if not argv:
        return "", []
    if not re.fullmatch(r"python[\d.]*", Path(argv[0]).name):
        return Path(argv[0]).name, argv[1:]
    at = 1
    while at < len(argv):
        argument = argv[at]
        if argument == "--check-hash-based-pycs":
            at += 2
            continue
        if argument == "--":  # the script follows
            return (Path(argv[at + 1]).name, argv[at + 2:]) if at + 1 < len(argv) else ("", [])
        if argument == "-" or not argument.startswith("-"):
            return Path(argument).name, argv[at + 1:]
        if argument.startswith("--"):  # --help, --version, -- and the like take no value
            at += 1
            continue
        for position, flag in enumerate(argument[1:], start=1):  # a cluster of short options: -uB, -Xdev, -Bm
            rest = argument[position + 1:]
            if flag == "c":  # a command, no program
                return "", []
            if flag in "mXW":
                if rest:
                    value, at = rest, at + 1
                else:
                    value, at = (argv[at + 1] if at + 1 < len(argv) else ""), at + 2
                if flag == "m":
                    return value, argv[at:]
                break
        else:
            at += 1
    return "", []


def being_served(path: str | Path, doing: str) -> str | None:
    """Why ``doing`` (merge, crawl, import...) must not write into the database at ``path`` now, or
    None: a site serving it opened it immutable, trusting it never to change, and would serve a mix
    of old and new pages (old counts beside new runs, then 500 "database disk image is malformed")."""
    served = serving_processes(path) if Path(path).exists() else []
    if not served:
        return None
    pid, command = served[0]
    return (f"{path} is being served (process {pid}: {_shortened(command)}): stop the site, {doing}, then serve it "
            f"again (or {doing} into a copy and serve that)")


def _shortened(command: str, keep: int = 50) -> str:
    """A long command line with its middle left out: its start says what runs, its end which file."""
    return command if len(command) <= 2 * keep + 5 else f"{command[:keep]} ... {command[-keep:]}"


def main(argv: list[str]) -> int:
    """``make clean``'s check, run with the Python that makes the virtualenv (this module needs the
    standard library alone): removing the demo database under its site left every page a 500."""
    path, doing = argv
    served = serving_processes(path) if Path(path).exists() else []
    if served:
        pid, command = served[0]
        print(f"{doing}: {path} is being served (process {pid}: {_shortened(command)}): stop the site "
              f"(Ctrl-C where it runs), then {doing} again", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
