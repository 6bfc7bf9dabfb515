"""A Ctrl-C while ``scrapy crawl`` is still starting ends it as any interrupted crawl does: one line
and exit 3, not a KeyboardInterrupt traceback.

For its first half second a crawl imports Scrapy and this project and checks its arguments; Scrapy
handles Ctrl-C only once its reactor runs. Nothing is written before then (the run's row is begun
inside the reactor). ``make install`` writes a ``.pth`` file into the virtualenv whose import line
calls ``install`` as the interpreter starts, before Scrapy is imported; ``scrapy crawl``'s own
command installs it again (a virtualenv made without ``make install``), then hands over to Scrapy.

``python -m jobcrawler.crawl_start CHECKOUT`` writes that ``.pth`` file.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import sysconfig
from pathlib import Path

INTERRUPTED = 3  # jobcrawler.commands.crawl.EXIT_CODES["interrupted"]
STOPPED = b"crawl interrupted before it started (Ctrl-C): nothing was written\n"
PTH_NAME = "jobcrawler-checkout.pth"


def is_scrapy_crawl(argv: list[str]) -> bool:
    """Whether the interpreter's command line (``sys.orig_argv``) runs ``scrapy crawl``, as the
    ``scrapy`` script or ``python -m scrapy``."""
    arguments = argv[1:]
    if arguments[:2] == ["-m", "scrapy"]:
        arguments = arguments[2:]
    elif arguments and Path(arguments[0]).name == "scrapy":
        arguments = arguments[1:]
    else:
        return False
    return next((argument for argument in arguments if not argument.startswith("-")), None) == "crawl"


def stop_while_starting(signum, frame) -> None:
    """Say so in one line (``os.write``: a print could re-enter a write the signal interrupted) and
    exit 3; a second Ctrl-C meanwhile is ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.write(2, STOPPED)
    raise SystemExit(INTERRUPTED)


def install() -> None:
    """In a ``scrapy crawl`` process, Ctrl-C until Scrapy's reactor takes over is
    ``stop_while_starting``; any other process is left alone."""
    if is_scrapy_crawl(sys.orig_argv) and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, stop_while_starting)


def pth_text(checkout: str | Path) -> str:
    """The ``.pth`` file: the checkout on the path (``python -m analysis`` from any folder) and, for a
    ``scrapy crawl`` only (nothing is imported for another process), ``install``."""
    return (f"{checkout}\n"
            "import sys; 'crawl' in sys.orig_argv and __import__('jobcrawler.crawl_start').crawl_start.install()\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m jobcrawler.crawl_start",
                                     description=f"Write {PTH_NAME} into this interpreter's site-packages.")
    parser.add_argument("checkout", type=Path, help="the folder holding scrapy.cfg")
    checkout = parser.parse_args(argv).checkout.resolve()
    if not (checkout / "jobcrawler" / "crawl_start.py").is_file():
        parser.error(f"{checkout} is no jobcrawler checkout (no jobcrawler/crawl_start.py in it)")
    Path(sysconfig.get_path("purelib"), PTH_NAME).write_text(pth_text(checkout), encoding="utf-8")


if __name__ == "__main__":
    main()
