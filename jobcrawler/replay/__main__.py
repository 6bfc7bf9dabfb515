"""Serve the replay site until killed: ``python -m jobcrawler.replay --port 8765``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from jobcrawler import number_input
from jobcrawler.replay.server import FAULT_KINDS, ReplaySite


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m jobcrawler.replay", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=number_input.port_option(free_one=True), default=8765,
                        help="0 picks a free port")
    parser.add_argument("--jobs-per-city", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--faults",
        default="",
        help=f"KIND:RATE[:ATTEMPTS|all],... with KIND in {', '.join(FAULT_KINDS)}; e.g. 429:0.1,503:0.1",
    )
    parser.add_argument("--retry-after", type=int, default=1, help="Retry-After seconds sent with 429")
    parser.add_argument("--slow-seconds", type=float, default=5.0, help="delay of a 'slow' response")
    parser.add_argument("--js-listings", action="store_true", help="listing cards appear only after a script runs")
    parser.add_argument("--quiet", action="store_true", help="print only the one line naming the site")
    args = parser.parse_args(argv)
    site = ReplaySite(
        args.jobs_per_city,
        args.seed,
        host=args.host,
        port=args.port,
        faults=args.faults,
        retry_after=args.retry_after,
        slow_seconds=args.slow_seconds,
        js_listings=args.js_listings,
    )
    try:
        site.start()
    except OSError as error:  # e.g. the port is taken (another replay site still running)
        parser.exit(1, f"{parser.prog}: error: cannot serve on {args.host}:{args.port}: {error.strerror or error}"
                       " (pick another with --port; make demo REPLAY_PORT=...)\n")
    # Said as what it is: the site a crawl reads, not a page to open (`make demo` ends with that one).
    print(f"replay site for crawling: {site.base_url} (BUILTIN_BASE_URL)", flush=True)
    if not args.quiet:
        print(
            f"replay site: {len(site.postings)} jobs in {len(site.catalog.cities)} cities", file=sys.stderr, flush=True
        )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()


if __name__ == "__main__":
    main()
