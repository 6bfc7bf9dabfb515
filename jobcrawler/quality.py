"""End-of-crawl data-quality checks: did the crawl get what the listings promised?

A breach marks the run ``degraded`` (data usable, with holes) or ``failed`` (the crawl
did not do its job), which the ``crawl_runs`` row records and ``scrapy crawl`` turns
into a non-zero exit status. A crawl stopped by Ctrl-C / SIGTERM is ``interrupted``:
not judged, since it did not end (``-s JOBDIR`` crawls resume it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jobcrawler import storage


@dataclass
class QualityReport:
    status: str  # ok, degraded, failed, interrupted
    reasons: list[str] = field(default_factory=list)
    metrics: dict = field(default_factory=dict)


def run_metrics(db, run_id: int, stats: dict) -> dict:
    """Coverage, listing-vs-stored counts and error counts of one crawl run."""
    counts = storage.run_coverage(db, run_id)
    jobs = counts["jobs"]
    coverage = {name: counts[name] / jobs if jobs else None
                for name in ("company", "posted_date", "location", "description")}
    expected = counts["salary_expected"]
    coverage["salary"] = counts["salary"] / expected if expected else None
    return {
        "jobs": jobs,
        "stored": counts["stored"],
        "new": counts["new"],
        "coverage": coverage,
        "listed": stats.get("listing/jobs", 0),
        "sighted": counts["sightings"],
        "errors": stats.get("log_count/ERROR", 0),
        "retries": stats.get("retry/count", 0),
        "gave_up": sum(v for k, v in stats.items() if k.startswith("retry/gave_up/")),
        "dropped": stats.get("item_dropped_count", 0),
        "store_errors": stats.get("jobcrawler/store_errors", 0),
        "filtered": stats.get("items/filtered_listings", 0),  # listings of jobs left out by -a days
    }


def evaluate(metrics: dict, finish_reason: str, *, min_coverage: dict, min_stored_ratio: float,
             max_gave_up_ratio: float) -> QualityReport:
    """Judge one run from its metrics; thresholds come from settings."""
    reasons: list[str] = []
    if finish_reason == "shutdown":
        return QualityReport("interrupted", ["stopped before its end (finish reason 'shutdown')"], metrics)
    if finish_reason != "finished":
        return QualityReport("failed", [f"finish reason {finish_reason!r}"], metrics)
    listed = metrics.get("listed") or 0
    if listed == 0:
        return QualityReport("failed", ["no job was listed"], metrics)
    # Listings of postings left out on purpose (-a days=N) count as accounted for.
    stored_ratio = ((metrics.get("sighted") or 0) + (metrics.get("filtered") or 0)) / listed
    metrics["stored_ratio"] = round(stored_ratio, 4)
    if stored_ratio < min_stored_ratio:
        reasons.append(f"stored {metrics.get('sighted')} of {listed} listed jobs "
                       f"({stored_ratio:.1%} < {min_stored_ratio:.0%})")
    gave_up = (metrics.get("gave_up") or 0) / listed
    if gave_up > max_gave_up_ratio:
        reasons.append(f"gave up on {metrics.get('gave_up')} requests ({gave_up:.1%} of listed jobs)")
    if metrics.get("store_errors"):
        reasons.append(f"{metrics['store_errors']} jobs or sightings could not be written to the database")
    for name, minimum in min_coverage.items():
        share = (metrics.get("coverage") or {}).get(name)
        if share is not None and share < minimum:
            reasons.append(f"{name} on {share:.1%} of jobs (< {minimum:.0%})")
    if stored_ratio < min_stored_ratio / 2:
        return QualityReport("failed", reasons, metrics)
    return QualityReport("degraded" if reasons else "ok", reasons, metrics)
