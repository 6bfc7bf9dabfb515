"""A local stand-in for builtin.com: synthetic postings served with the real pages' structure.

Tests start it in-process (``ReplaySite``); benchmarks run ``python -m jobcrawler.replay``.
"""

from jobcrawler.replay.postings import Catalog, Posting, generate
from jobcrawler.replay.server import FaultRule, ReplaySite, parse_faults

__all__ = ["Catalog", "FaultRule", "Posting", "ReplaySite", "generate", "parse_faults"]
