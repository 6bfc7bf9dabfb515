"""Which read postings tune the AI-type decision and which only measure it: a rule fixed before tuning.

The second reading set (``category_reading_2.jsonl``) is 330 postings of the published analysis'
895 (the jobs of ``all_jobs_dedup.csv`` with ``scraped_date`` 2026-02-04), chosen blind to their
labels: the 895 minus the 154 of the first reading set, ordered by
``sha256("jobcrawler-reading-2026-12:" + job_id)`` as hex text, the first 330. Its **validation
part** is the jobs whose ``int(sha256("jobcrawler-validation:" + job_id), 16)`` is even (187 of
the 330); the others (143), with all 154 of the first set, are the **tuning part**. Rules and
model weights are fitted and their errors read on the tuning part only; the validation part's
figures are printed in aggregate, never job by job.

The third reading set (``category_reading_3.jsonl``) is the next 200 jobs of the same draw
(``reading_sample(..., size=THIRD_SET_END)[SAMPLE_SIZE:]``), read blind while the rules were
being tuned on the tuning part: all of it is validation. The fourth (``category_reading_4.jsonl``)
is the draw's remaining 365 jobs (``[THIRD_SET_END:]``, the rest of the 895), read for the rules
written after it: all of it is tuning.

A second reader, blind to the first readings and to the rules, re-read 120 postings of the
validation part (``category_rereading.jsonl``): those whose ``sha256("reread-2026-12-07:" + job_id)``
as hex text sorts first (``second_reader_sample``). Their agreement with the first readings is how
far a careful reading itself can be matched.

The rule needs no file to say which part a job is in (``part``); ``reading_sample`` re-draws the
sample from a Field Guide checkout, so anyone can check the set was drawn as stated.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

PUBLISHED_BATCH = "2026-02-04"
SAMPLE_SALT = "jobcrawler-reading-2026-12:"
VALIDATION_SALT = "jobcrawler-validation:"
SAMPLE_SIZE = 330
SECOND_READER_SALT = "reread-2026-12-07:"
SECOND_READER_SIZE = 120
THIRD_SET_END = 530  # the third set: the draw's jobs SAMPLE_SIZE .. THIRD_SET_END - 1
TUNING, VALIDATION = "tuning", "validation"


def _digest(salt: str, job_id: str) -> str:
    return hashlib.sha256((salt + str(job_id)).encode("utf-8")).hexdigest()


def reading_sample(published: Iterable[str], already_read: Iterable[str], size: int = SAMPLE_SIZE) -> list[str]:
    """The jobs of the second reading set, in reading order: ``published`` (the batch's job ids)
    minus ``already_read``, by their salted hash, the first ``size``."""
    skip = {str(job) for job in already_read}
    candidates = {str(job) for job in published} - skip
    return sorted(candidates, key=lambda job: _digest(SAMPLE_SALT, job))[:size]


def in_validation(job_id: str) -> bool:
    """Whether a job of the second reading set is held out for validation."""
    return int(_digest(VALIDATION_SALT, job_id), 16) % 2 == 0


def part(job_id: str, second_set: bool) -> str:
    """``tuning`` or ``validation``: the first set is all tuning; the second is split by ``in_validation``."""
    return VALIDATION if second_set and in_validation(job_id) else TUNING


def second_reader_sample(validation_jobs: Iterable[str], size: int = SECOND_READER_SIZE) -> list[str]:
    """The validation postings a second reader re-read: by their salted hash, the first ``size``."""
    return sorted({str(job) for job in validation_jobs}, key=lambda job: _digest(SECOND_READER_SALT, job))[:size]
