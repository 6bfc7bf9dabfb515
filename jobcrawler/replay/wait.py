"""``make demo``'s checks around the servers it starts in the background.

    python -m jobcrawler.replay.wait --ports-free 8765 8001   # before anything starts or is written
    python -m jobcrawler.replay.wait URL [--timeout 30]       # until the replay site answers

A second ``make demo`` beside a running one would otherwise find the replay port taken, crawl
into the running demo's database through the first demo's replay site, and stop only at
Datasette's port: the ports are checked first, and a taken one is one line and a stop.
"""

from __future__ import annotations

import argparse
import socket
import sys
import time
import urllib.error
import urllib.request

from jobcrawler import number_input


def wait_for(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    return False


def port_taken(port: int, host: str = "127.0.0.1") -> str | None:
    """Why ``port`` cannot be served on ``host`` (e.g. "address already in use"), or None if it can.
    Probed as the replay site and Datasette bind, with SO_REUSEADDR: the connections a demo just
    stopped leaves in TIME_WAIT for a minute take no port from them (a plain bind failed, and the
    next ``make demo`` said a demo was running); a server listening there still does."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.strerror or str(error)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobcrawler.replay.wait", description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", help="wait until this URL answers")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--ports-free", type=number_input.port_option(), nargs="+", metavar="PORT",
                        help="exit 1 with one line if any of these ports on 127.0.0.1 is taken")
    args = parser.parse_args(argv)
    if args.ports_free:
        for port in args.ports_free:
            if why := port_taken(port):
                names = ("REPLAY_PORT", "DATASETTE_PORT")
                others = " ".join(f"{name}={free + 1}" for name, free in zip(names, args.ports_free))
                print(f"make demo: port {port} is taken ({why}): is a demo already running? Stop it (Ctrl-C), "
                      f"or run this one on other ports: make demo {others} DEMO_DB=data/demo2.db", file=sys.stderr)
                return 1
    if args.url is None:
        return 0
    try:
        if wait_for(args.url, args.timeout):
            return 0
    except KeyboardInterrupt:  # Ctrl-C on make demo as the replay site starts
        print(f"make demo: stopped (Ctrl-C) while waiting for {args.url}", file=sys.stderr)
        return 130
    print(f"error: {args.url} did not answer within {args.timeout:.0f} s", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
