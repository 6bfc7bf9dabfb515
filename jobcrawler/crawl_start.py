"""What the project's commands do as the interpreter starts, before they import anything heavy.

A Ctrl-C while ``scrapy crawl`` is still starting ends it as any interrupted crawl does: one line
and exit 3, not a KeyboardInterrupt traceback. For its first half second a crawl imports Scrapy and
this project and checks its arguments; Scrapy handles Ctrl-C only once its reactor runs. Nothing
is written before then (the run's row is begun inside the reactor). ``python -m analysis`` is the
same until its command takes over: one line and exit 130, the code its build gives a Ctrl-C.

``scrapy crawl`` outside the checkout (no ``scrapy.cfg`` in the folder or above it) said only that
the crawl command "is not available from this location": it now says where to run it, in one line.

``make install`` writes a ``.pth`` file into the virtualenv whose import line calls ``install`` as
the interpreter starts, before Scrapy is imported; ``scrapy crawl``'s own command and
``python -m analysis`` install it again (a virtualenv made without ``make install``).

``python -m jobcrawler.crawl_start CHECKOUT`` writes that ``.pth`` file. What its line runs imports
only what the interpreter has loaded already, ``signal`` and (``-m scrapy``) ``runpy``: a Ctrl-C
while ``site`` runs it is Python's fatal "Failed to import the site module", with a traceback.
"""

from __future__ import annotations

import os
import signal
import sys

INTERRUPTED = 3  # jobcrawler.commands.crawl.EXIT_CODES["interrupted"]
STOPPED = b"crawl interrupted before it started (Ctrl-C): nothing was written\n"
ANALYSIS_INTERRUPTED = 130  # analysis/__main__.py's exit for a Ctrl-C during a build
PTH_NAME = "jobcrawler-checkout.pth"
CHECKOUT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
REFUSED = 1  # jobcrawler.commands.crawl: a crawl that could not start


def is_scrapy_crawl(argv: list[str]) -> bool:
    """Whether the interpreter's command line (``sys.orig_argv``) runs ``scrapy crawl``, as the
    ``scrapy`` script or ``python -m scrapy``."""
    arguments = argv[1:]
    if arguments[:2] == ["-m", "scrapy"]:
        arguments = arguments[2:]
    elif arguments and os.path.basename(arguments[0]) == "scrapy":
        arguments = arguments[1:]
    else:
        return False
    return next((argument for argument in arguments if not argument.startswith("-")), None) == "crawl"


def analysis_command(arguments: list[str]) -> str:
    """``python -m analysis``'s command as typed (``python -m analysis serve``), from the arguments
    after ``-m analysis``."""
    command = next((argument for argument in arguments if not argument.startswith("-")), None)
    return " ".join(["python -m analysis", *([command] if command else [])])


def outside_a_project() -> bool:
    """Whether Scrapy will find no project to crawl in: no ``scrapy.cfg`` in this folder or any
    above it (how ``scrapy.utils.conf.closest_scrapy_cfg`` looks; Scrapy itself is not imported
    this early), and no ``SCRAPY_SETTINGS_MODULE`` naming one."""
    if os.environ.get("SCRAPY_SETTINGS_MODULE"):
        return False
    folder, above = os.path.realpath(os.getcwd()), None
    while folder != above:
        if os.path.isfile(os.path.join(folder, "scrapy.cfg")):
            return False
        folder, above = os.path.dirname(folder), folder
    return True


def refuse_outside_a_project() -> None:
    """Say where ``scrapy crawl`` runs, and exit 1 at once (``os._exit``: a SystemExit raised while
    ``site`` runs the ``.pth`` line is a fatal error with a traceback; nothing was started yet)."""
    where = (f"cd {CHECKOUT}" if os.path.isfile(os.path.join(CHECKOUT, "scrapy.cfg"))
             else "cd into the jobcrawler checkout")
    os.write(2, f"error: scrapy crawl runs in the jobcrawler checkout (the folder holding scrapy.cfg), not in "
                f"{os.getcwd()}: {where} and run it again\n".encode())
    os._exit(REFUSED)


def stop_while_starting(signum, frame) -> None:
    """Say so in one line (``os.write``: a print could re-enter a write the signal interrupted) and
    exit 3; a second Ctrl-C meanwhile is ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.write(2, STOPPED)
    raise SystemExit(INTERRUPTED)


def stop_analysis_while_starting(signum, frame) -> None:
    """As ``stop_while_starting``, for ``python -m analysis``: one line naming the command, and exit
    130 at once (``os._exit``). A SystemExit raised where the signal lands can be swallowed: in a
    callback of the import system it was "Exception ignored ... SystemExit: 130", a traceback, and
    the command went on with Ctrl-C ignored. Nothing is half-written here: the builds handle Ctrl-C
    themselves, and a transaction cut short rolls back."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.write(2, f"{analysis_command(sys.argv[1:])}: interrupted (Ctrl-C)\n".encode())
    os._exit(ANALYSIS_INTERRUPTED)


def install() -> None:
    """In a ``scrapy crawl`` process, refuse a folder outside the project, and make Ctrl-C until
    Scrapy's reactor takes over ``stop_while_starting``; in ``python [options] -m analysis`` (as
    ``site`` runs, ``sys.argv`` is ``-m`` and the module's arguments), ``install_for_analysis``.
    Any other process is left alone."""
    if is_scrapy_crawl(sys.orig_argv):
        if outside_a_project():
            refuse_outside_a_project()
        if sys.argv[:1] == ["-m"]:  # first: a SystemExit while -m imports runpy adds "Could not import runpy module"
            import runpy  # noqa: F401
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, stop_while_starting)
    elif sys.argv[:1] == ["-m"] and sys.orig_argv[-len(sys.argv)] == "analysis":
        install_for_analysis()


def install_for_analysis() -> None:
    """Ctrl-C is ``stop_analysis_while_starting`` until the command takes over (its build, or
    ``hand_over_ctrl_c``), unless it is handled or ignored already (a command run with ``&``)."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, stop_analysis_while_starting)


def hand_over_ctrl_c() -> None:
    """Ctrl-C is a KeyboardInterrupt again, for a command that handles it itself (``analysis
    serve``: asyncio and uvicorn install their own handlers only in place of Python's)."""
    if signal.getsignal(signal.SIGINT) is stop_analysis_while_starting:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pth_text(checkout: str | Path) -> str:
    """The ``.pth`` file: the checkout on the path (``python -m analysis`` from any folder) and, for a
    ``scrapy crawl`` or ``python -m analysis`` only (nothing is imported for another process),
    ``install``."""
    return (f"{checkout}\n"
            "import sys; ('crawl' in sys.orig_argv or 'analysis' in sys.orig_argv) and "
            "__import__('jobcrawler.crawl_start').crawl_start.install()\n")


def main(argv: list[str] | None = None) -> None:
    import argparse
    import sysconfig
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="python -m jobcrawler.crawl_start",
                                     description=f"Write {PTH_NAME} into this interpreter's site-packages.")
    parser.add_argument("checkout", type=Path, help="the folder holding scrapy.cfg")
    checkout = parser.parse_args(argv).checkout.resolve()
    if not (checkout / "jobcrawler" / "crawl_start.py").is_file():
        parser.error(f"{checkout} is no jobcrawler checkout (no jobcrawler/crawl_start.py in it)")
    Path(sysconfig.get_path("purelib"), PTH_NAME).write_text(pth_text(checkout), encoding="utf-8")


if __name__ == "__main__":
    main()
