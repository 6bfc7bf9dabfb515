"""Numbers a user types (a command's option, a ``-s`` setting), read in one place so that the
value checked before a run starts is the very number the run then uses."""

from __future__ import annotations

import argparse
import math


def share(value, at_most: float = math.inf) -> float:
    """``value`` as a number from 0 to ``at_most``, or ValueError: ``nan`` is none (no share
    exceeds it, so a vanished listing would close every job), nor is the text ``"0.9"`` left as text
    (compared to a float at a run's end, it failed the run's record)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not 0 <= number <= at_most:
        raise ValueError(f"not a share: {value!r}")
    return number


def share_option(at_most: float = math.inf, described: str = "a share (a number from 0: 0.5 for 50%)"):
    """An argparse ``type`` reading a share, naming what it wants when the value is none."""
    def read(value: str) -> float:
        try:
            return share(value, at_most)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {described}: {value!r}") from None
    return read


def positive_whole(value: str) -> int:
    """An argparse ``type``: a whole number from 1 (workers, attempts, calls)."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {value!r}")
    return number


def positive_seconds(value: str) -> float:
    """An argparse ``type``: a wait above 0 s (``nan`` failed the first retry's sleep, 0 or less
    cut every answer off)."""
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not 0 < number < math.inf:
        raise argparse.ArgumentTypeError(f"not a number of seconds above 0: {value!r}")
    return number


def port_option(free_one: bool = False):
    """An argparse ``type`` reading a TCP port, 1 to 65535 (0 too, with ``free_one``: the system
    picks a free one): a port past 65535 was a traceback from socket's bind."""
    lowest = 0 if free_one else 1

    def read(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = -1
        if not lowest <= number <= 65535:
            raise argparse.ArgumentTypeError(f"not a port number ({lowest} to 65535): {value!r}")
        return number
    return read
