"""End-of-crawl data-quality checks: did the crawl get what the listings promised?

A breach marks the run ``degraded`` (data usable, with holes) or ``failed`` (the crawl
did not do its job), which the ``crawl_runs`` row records and ``scrapy crawl`` turns
into a non-zero exit status. A crawl stopped by Ctrl-C / SIGTERM is ``interrupted``:
not judged, since it did not end (``-s JOBDIR`` crawls resume it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

COVERAGE_SQL = """
SELECT
  count(*) AS jobs,
  sum(j.company IS NOT NULL AND j.company != '') AS company,
  sum(j.posted_date IS NOT NULL) AS posted_date,
  sum(j.country IS NOT NULL OR j.location IS NOT NULL) AS location,
  sum(j.description IS NOT NULL AND j.description != '') AS description,
  sum(j.salary_text IS NOT NULL) AS salary_expected,
  sum(j.salary_text IS NOT NULL AND (j.salary_min IS NOT NULL OR j.salary_max IS NOT NULL)) AS salary
FROM jobs j
WHERE j.job_id IN (SELECT job_id FROM sightings WHERE run_id = :run_id)
"""


@dataclass
class QualityReport:
    status: str  # ok, degraded, failed, interrupted
    reasons: list[str] = field(default_factory=list)
    metrics: dict = field(default_factory=dict)


def run_metrics(db, run_id: int, stats: dict) -> dict:
    """Coverage, listing-vs-stored counts and error counts of one crawl run."""
    cursor = db.execute(COVERAGE_SQL, {"run_id": run_id})
    row = dict(zip([column[0] for column in cursor.description], cursor.fetchone()))
    jobs = row.get("jobs") or 0
    coverage = {}
    for name in ("company", "posted_date", "location", "description"):
        coverage[name] = (row.get(name) or 0) / jobs if jobs else None
    expected = row.get("salary_expected") or 0
    coverage["salary"] = (row.get("salary") or 0) / expected if expected else None
    sighted = db.execute("SELECT count(*) FROM sightings WHERE run_id = ?", [run_id]).fetchone()[0]
    return {
        "jobs": jobs,
        "coverage": coverage,
        "listed": stats.get("listing/jobs", 0),
        "sighted": sighted,
        "errors": stats.get("log_count/ERROR", 0),
        "retries": stats.get("retry/count", 0),
        "gave_up": sum(v for k, v in stats.items() if k.startswith("retry/gave_up/")),
        "dropped": stats.get("item_dropped_count", 0),
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
    for name, minimum in min_coverage.items():
        share = (metrics.get("coverage") or {}).get(name)
        if share is not None and share < minimum:
            reasons.append(f"{name} on {share:.1%} of jobs (< {minimum:.0%})")
    if stored_ratio < min_stored_ratio / 2:
        return QualityReport("failed", reasons, metrics)
    return QualityReport("degraded" if reasons else "ok", reasons, metrics)
