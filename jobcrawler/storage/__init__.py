"""The SQLite database: schema, idempotent upserts, per-source labels, crawl-run bookkeeping,
LLM label runs, imported datasets and merged run databases, one module each.

Only this package writes SQL for the crawl, and it writes only inside ``transaction(db)``
(``storage.transaction``): every batch it stores is whole or not there at all. Callers
import from here (``from jobcrawler import storage``); the modules are how it is kept.
"""

from __future__ import annotations

from jobcrawler.storage.transaction import (
    BUSY_TIMEOUT,
    StorageError,
    whole_database_error,
    utc_now,
    transaction,
)
from jobcrawler.storage.schema import (
    JOB_COLUMNS,
    LIFECYCLE_COLUMNS,
    CONTENT_COLUMNS,
    CRAWL_RUN_COLUMNS,
    RULES,
    LABEL_COLUMNS,
    LABEL_DETAIL_COLUMNS,
    JOB_LABEL_COLUMNS,
    SKILL_COLUMNS,
    EVIDENCE_COLUMNS,
    LABEL_RUN_COLUMNS,
    LABEL_CALL_COLUMNS,
    LABEL_CACHE_COLUMNS,
    LABEL_FAILURE_COLUMNS,
    MERGED_RUN_COLUMNS,
    open_db,
    ensure_schema,
    ensure_label_schema,
    ensure_llm_label_schema,
    ensure_merge_schema,
)
from jobcrawler.storage.runs import (
    start_run,
    mark_killed_runs,
    last_run_in,
    RESUMABLE,
    resume_run,
    finish_run,
    run_coverage,
)
from jobcrawler.storage.jobs import (
    has_jobs,
    job_exists,
    job_row,
    save_job,
    save_jobs,
    record_sighting,
    fresh_job_ids,
    close_unlisted,
)
from jobcrawler.storage.labels import (
    label_row,
    save_labels,
    jobs_to_tag,
    label_sources,
)
from jobcrawler.storage.llm_cache import (
    label_candidates,
    start_label_run,
    finish_label_run,
    mark_killed_label_runs,
    cached_label_answers,
    label_cache_mean_output,
    save_label_answers,
    save_label_failure,
)
from jobcrawler.storage.imports import (
    imported_run,
    save_imported_jobs,
)
from jobcrawler.storage.merge import (
    MergeError,
    run_origin,
    attach_run_db,
    detach_run_db,
    run_db_runs,
    merged_run_id,
    merge_attached_run_db,
    occasions_since,
    merged_run_cycle,
    occasion_runs,
    close_occasion,
    withhold_closing,
)
