"""Wait until a URL answers: ``python -m jobcrawler.replay.wait URL [--timeout 30]``.

Used by ``make demo`` between starting the replay site in the background and crawling it.
"""

from __future__ import annotations

import argparse
import sys
import time
import urllib.error
import urllib.request


def wait_for(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobcrawler.replay.wait")
    parser.add_argument("url")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    if wait_for(args.url, args.timeout):
        return 0
    print(f"error: {args.url} did not answer within {args.timeout:.0f} s", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
