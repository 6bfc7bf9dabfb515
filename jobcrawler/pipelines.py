"""Item pipelines: each does one thing, by calling the pure modules it is named after.

They read and write items through ``ItemAdapter``, so a posting may be the ``JobItem``
dataclass, a dict or a Scrapy Item. ``JobSighting`` items (a job listed again without
its detail page) pass every pipeline untouched but the store.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
import sqlite3
import time
from collections import deque
from datetime import date, datetime, timedelta, timezone

from itemadapter import ItemAdapter
from itemadapter.adapter import DataclassAdapter
from scrapy import signals
from scrapy.exceptions import DropItem

from jobcrawler import storage
from jobcrawler.items import JobItem, JobSighting
from jobcrawler.parsing import jsonld
from jobcrawler.normalize.dates import posted_date
from jobcrawler.normalize.location import countries_of, is_remote, normalize_locations
from jobcrawler.normalize.salary import normalize_salary
from jobcrawler.normalize.text import collapse_spaces, html_to_text
from jobcrawler.normalize.titles import clean_title

logger = logging.getLogger(__name__)

_JOB_ID = re.compile(r"^\d+$")
_EMPLOYEES = re.compile(r"(\d[\d,.\s]*)\s*\+?\s*employees", re.IGNORECASE)
_YEAR = re.compile(r"\b(1[6-9]\d\d|20\d\d)\b")
# Declared type of each JobItem field ("str | None", "list[str]", ...): ValidatePipeline holds items to them.
FIELD_TYPES = {f.name: str(f.type).replace(" ", "") for f in dataclasses.fields(JobItem)}
_SQLITE_INT = 2**63 - 1
# The most characters one value of a posting may hold: the longest field of the sample pages is
# 21 KB, and the site refuses values over 8 MiB ("string or blob too big", a 500 on every page
# showing the row). A posting with a longer one is dropped, counted (items/dropped/oversize_value).
MAX_VALUE_CHARS = 1_000_000


class _DataclassFieldsOnce(DataclassAdapter):
    """itemadapter's dataclass adapter, with the table of a class's fields made once per class,
    not once per adapter: it was ~3.5 of the ~4 µs each of a posting's ~9 adapters cost."""

    _fields_of: dict[type, dict] = {}

    def __init__(self, item) -> None:
        self.item = item
        fields = self._fields_of.get(type(item))
        if fields is None:
            fields = self._fields_of[type(item)] = {field.name: field for field in dataclasses.fields(item)}
        self._fields_dict = fields


class PostingAdapter(ItemAdapter):
    """``ItemAdapter`` with the ``JobItem`` dataclass looked for first and its fields read once
    (itemadapter's documented way to change adapters: a subclass's ``ADAPTER_CLASSES``)."""

    ADAPTER_CLASSES = deque([_DataclassFieldsOnce,
                             *(cls for cls in ItemAdapter.ADAPTER_CLASSES if cls is not DataclassAdapter)])


class PostingPipeline:
    """Base: hands postings to ``process_posting`` and lets sightings through."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        if isinstance(item, JobSighting):
            return item
        posting = PostingAdapter(item)
        try:
            self.process_posting(posting)
        except DropItem:
            raise
        except Exception as error:  # a bug met by odd input: a counted, logged drop, never a crash
            logger.exception("%s failed on job %r", type(self).__name__, posting.get("job_id"))
            self.drop(posting, "pipeline_error", f"({type(self).__name__}: {error!r})")
        return item

    def process_posting(self, posting: ItemAdapter) -> None:
        raise NotImplementedError

    def drop(self, posting: ItemAdapter, reason: str, detail: str = "") -> None:
        self.stats.inc_value(f"items/dropped/{reason}")
        raise DropItem(f"{reason}: job {posting.get('job_id')!r} {detail}".rstrip())

    def count(self, what: str) -> None:
        self.stats.inc_value(f"normalize/{what}")


class ValidatePipeline(PostingPipeline):
    """Drop postings that cannot become a useful ``jobs`` row, counting why."""

    def process_posting(self, posting):
        values = dict(posting.items())  # each field read once: an adapter's get is several calls
        changed = coerce_fields(posting, values)
        for name in changed:
            self.count(f"coerced/{name}")
        if changed:
            logger.info("Job %r: read %s as their expected types", posting.get("job_id"), ", ".join(changed))
        oversize = [name for name in FIELD_TYPES if _characters(values.get(name)) > MAX_VALUE_CHARS]
        if oversize:
            self.drop(posting, "oversize_value", f"({', '.join(oversize)}: over {MAX_VALUE_CHARS:,} characters)")
        job_id = posting.get("job_id")
        if not isinstance(job_id, str) or not _JOB_ID.match(job_id):
            self.drop(posting, "invalid_job_id", f"from {posting.get('source_url')}")
        for field in ("title", "company"):
            if not clean_title(posting.get(field)) and not posting.get(f"listing_{field}"):
                self.drop(posting, f"missing_{field}", f"from {posting.get('source_url')}")
        if not posting.get("description_html"):
            self.count("missing_description")


def _characters(value) -> int:
    """How many characters a (coerced) field value stores: text, or the texts of a list or object."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(len(str(key)) + _characters(item) for key, item in value.items())
    if isinstance(value, list):
        return sum(_characters(item) for item in value)
    return 0


def coerce_fields(posting: ItemAdapter, values: dict | None = None) -> list[str]:
    """Give every JobItem field of the posting its declared type, keeping what can be read: a
    list where text was expected gives its first text, an object its ``name``, a number its
    digits; text loses characters SQLite cannot store (lone surrogates); numbers outside
    SQLite's range, NaN and infinities become None. Returns the names of the fields changed.
    ``values``: the posting's fields as a dict (``dict(posting.items())``), kept up to date."""
    if values is None:
        values = dict(posting.items())
    changed = []
    for name, kind in FIELD_TYPES.items():
        if name not in values:
            continue
        value = values[name]
        coerced = _coerce(value, kind)
        if coerced is not value:
            posting[name] = values[name] = coerced
            changed.append(name)
    return changed


def _coerce(value, kind: str):
    """``value`` as ``kind`` (a JobItem annotation); the very same object when it already is."""
    if kind == "str|None":
        if isinstance(value, str):
            return _storable(value)
        text = jsonld.text_of(value) if value is not None else None
        return _storable(text) if text is not None else None
    if kind == "bool|None":
        return value if value is None or isinstance(value, bool) else None
    if kind in ("int|None", "float|None"):
        if value is None:
            return None
        number = jsonld.number_of(value)
        if number is None:
            return None
        if kind == "float|None":
            return value if isinstance(value, float) and value == number else float(number)
        if not float(number).is_integer() or abs(number) > _SQLITE_INT:
            return None
        return value if isinstance(value, int) and not isinstance(value, bool) else int(number)
    if kind == "list[str]":
        items = value if isinstance(value, list) else [] if value is None else [value]
        texts = [_coerce(item, "str|None") for item in items]
        kept = [text for text in texts if text]
        return value if isinstance(value, list) and len(kept) == len(value) and all(
            a is b for a, b in zip(kept, value)) else kept
    if kind == "list[dict]":
        items = value if isinstance(value, list) else [] if value is None else [value]
        kept = [_storable_tree(item) for item in items if isinstance(item, dict)]
        return value if isinstance(value, list) and len(kept) == len(value) and all(
            a is b for a, b in zip(kept, value)) else kept
    if kind in ("dict", "dict|None"):
        found = value if isinstance(value, dict) else jsonld.first_dict(value) or None
        found = _storable_tree(found) if found is not None else None
        if found is None and kind == "dict":
            return value if value == {} and isinstance(value, dict) else {}
        return found
    return value


def _storable(text: str) -> str:
    """Text SQLite can store: lone surrogates (from JSON ``\\ud800`` escapes) replaced."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def _storable_tree(value, depth: int = 0):
    """A JSON-like value with every string storable (the same object when it already was)."""
    if isinstance(value, str):
        return _storable(value)
    if depth > 8:
        return None
    if isinstance(value, dict):
        items = {k: _storable_tree(v, depth + 1) for k, v in value.items() if isinstance(k, str)}
        same = len(items) == len(value) and all(items[k] is value[k] for k in items)
        return value if same else {_storable(k): v for k, v in items.items()}
    if isinstance(value, list):
        items = [_storable_tree(v, depth + 1) for v in value]
        return value if all(a is b for a, b in zip(items, value)) else items
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _SQLITE_INT:
        return None
    return value


class TitlePipeline(PostingPipeline):
    """The title people search for: spaces collapsed, markup and gender tags removed."""

    def process_posting(self, posting):
        posting["title_clean"] = clean_title(posting.get("title")) or clean_title(posting.get("listing_title"))
        posting["company"] = collapse_spaces(posting.get("company")) or collapse_spaces(posting.get("listing_company"))


class DescriptionPipeline(PostingPipeline):
    """Description as text with paragraphs and bullets; the HTML is kept beside it."""

    def process_posting(self, posting):
        posting["description"] = html_to_text(posting.get("description_html"))


class SalaryPipeline(PostingPipeline):
    """Salary range and period from JSON-LD ``baseSalary``, else from the pay text."""

    def process_posting(self, posting):
        salary, problem = normalize_salary(posting.get("salary"), posting.get("compensation_text"))
        if problem:
            self.count(f"salary/{problem}")
            logger.info("Job %s: salary not stored (%s): %r / %r", posting.get("job_id"), problem,
                        posting.get("salary"), posting.get("compensation_text"))
        if salary:
            posting["salary_min"], posting["salary_max"] = salary.min, salary.max
            posting["salary_currency"], posting["salary_period"] = salary.currency, salary.period


class LocationPipeline(PostingPipeline):
    """Places with ISO-3 countries, the first country, and whether the job is remote."""

    def process_posting(self, posting):
        places = normalize_locations(posting.get("locations"), posting.get("location_labels"))
        posting["places"] = places
        posting["countries"] = countries_of(places, posting.get("applicant_countries"))
        posting["country"] = posting["countries"][0] if posting["countries"] else None
        posting["remote"] = is_remote(posting.get("job_location_type"), posting.get("work_type"),
                                      posting.get("remote_hiring"))


class DatesPipeline(PostingPipeline):
    """ISO posting date, from JSON-LD or the header badge, sanity-checked."""

    def process_posting(self, posting):
        today = datetime.now(timezone.utc).date()
        value, problem = posted_date(posting.get("date_posted"), posting.get("posted_text"), today)
        if problem:
            self.count(f"dates/{problem}")
        posting["posted_date"] = value.isoformat() if value else None


class CompanyPipeline(PostingPipeline):
    """Company size as a number of employees; founding year as a number."""

    def process_posting(self, posting):
        size = _EMPLOYEES.search(posting.get("company_size") or "")
        digits = re.sub(r"\D", "", size.group(1)) if size else ""
        posting["company_size_employees"] = int(digits) if digits else None
        year = _YEAR.search(str(posting.get("year_founded") or ""))
        posting["year_founded"] = int(year.group(1)) if year else None


class RecencyPipeline(PostingPipeline):
    """With ``-a days=N``, store only postings dated within the last N days.

    An older posting is still listed: it becomes a sighting, so a job already stored is
    not closed for being old, and the run's quality check counts it as accounted for.
    """

    def process_item(self, item):
        if isinstance(item, JobSighting):
            return item
        posting = PostingAdapter(item)
        days = getattr(self.crawler.spider, "days", None)
        posted = posting.get("posted_date")
        if days and posted and date.fromisoformat(posted) < datetime.now(timezone.utc).date() - timedelta(days=days):
            self.stats.inc_value("items/filtered/older_than_days")
            return JobSighting(job_id=posting["job_id"], city=posting.get("city"),
                               url=posting.get("source_url"), filtered=True)
        return item


class DeduplicatePipeline(PostingPipeline):
    """A job met twice in one run (several cities or hosts) is stored once.

    The second posting becomes a sighting, so its city is still recorded.
    """

    def __init__(self, crawler):
        super().__init__(crawler)
        self.seen: set[str] = set()

    def process_item(self, item):
        if isinstance(item, JobSighting):
            return item
        posting = PostingAdapter(item)
        job_id = posting["job_id"]
        if job_id in self.seen:
            self.stats.inc_value("items/duplicates")
            return JobSighting(job_id=job_id, city=posting.get("city"), url=posting.get("source_url"))
        self.seen.add(job_id)
        return item


class TagPipeline(PostingPipeline):
    """Skills and categories, each with the evidence that decided it, from the tagging files."""

    def __init__(self, crawler):
        super().__init__(crawler)
        from jobcrawler.tagging import Tagger

        self.tagger = Tagger.load()

    def process_posting(self, posting):
        tags = self.tagger.tag(
            posting.get("title_clean") or "",
            posting.get("description") or "",
            top_skills=posting.get("top_skills") or [],
            industries=posting.get("industries") or [],
            level=posting.get("level"),
            company_size=posting.get("company_size_employees"),
        )
        posting["skills"] = tags.skills
        posting["categories"] = tags.categories
        posting["evidence"] = tags.evidence
        posting["tagger_version"] = self.tagger.version


class StorePipeline:
    """Write postings and sightings to SQLite, in batches, under the run the ``CrawlRun``
    extension started. What cannot be written is logged and counted
    (``jobcrawler/store_errors``), which the run's quality check reads."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = crawler.settings.get("SQLITE_PATH")
        self.busy_timeout = crawler.settings.getfloat("SQLITE_BUSY_TIMEOUT", storage.BUSY_TIMEOUT)
        self.db = None
        self.run_id = None
        self.pending: list[JobSighting] = []  # sightings that arrived before their job was stored
        # Jobs are written in batches, one transaction each (a commit per job costs about as
        # much as the job's other writes); a batch waits at most STORE_BATCH_SECONDS.
        self.batch: list[dict] = []
        self.batch_started = 0.0
        self.batch_size = max(1, crawler.settings.getint("STORE_BATCH_SIZE", 1))
        self.batch_seconds = crawler.settings.getfloat("STORE_BATCH_SECONDS", 0.0)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        self.db = storage.open_db(self.path, self.busy_timeout, self.crawler.settings.get("SQLITE_JOURNAL_MODE", "WAL"))
        self.run_id = self.stats.get_value("jobcrawler/run_id")
        logger.info("Storing into %s (crawl run %s)", self.path, self.run_id)

    def spider_opened(self, spider):
        """A resumed ``-s JOBDIR`` crawl takes back the sightings still waiting for their job
        when it stopped (Scrapy has loaded ``spider.state`` by now)."""
        state = getattr(spider, "state", None)
        if state is not None:
            self.pending = [JobSighting(*values) for values in state.get("pending_sightings", ())]

    def process_item(self, item):
        now = storage.utc_now()
        if isinstance(item, JobSighting):
            if any(job["row"]["job_id"] == item.job_id for job in self.batch):
                self.flush()  # the job it names is waiting in the batch
            if not self._record_sighting(item, now):
                self.pending.append(item)
            return item
        posting = PostingAdapter(item)
        try:
            job = {
                "row": storage.job_row(posting_columns(posting, fetched_at=now)),
                "city": posting.get("city"),
                "run_id": self.run_id,
                "locations": posting.get("places") or [],
                "skills": posting.get("skills") or [],
                "seen_at": now,
                "labels": posting_labels(posting, labelled_at=now),
            }
        except (ValueError, TypeError, OverflowError) as error:
            self._store_failed([posting.get("job_id")], error)
            raise DropItem(f"store_error: job {posting.get('job_id')!r} ({error!r})") from error
        if not self.batch:
            self.batch_started = time.monotonic()
        self.batch.append(job)
        if len(self.batch) >= self.batch_size or time.monotonic() - self.batch_started >= self.batch_seconds:
            self.flush()
        return item

    def flush(self) -> None:
        """Write the waiting jobs in one transaction. A database that stays locked past the busy
        timeout, is read-only or full fails the whole batch; any other failure is retried job
        by job, so only a job that cannot be stored is lost. A job is always stored whole (row,
        locations, skills, city) or not at all."""
        jobs, self.batch = self.batch, []
        if not jobs:
            return
        try:
            storage.save_jobs(self.db, jobs)
        except (sqlite3.Error, ValueError, TypeError, OverflowError) as error:
            if storage.whole_database_error(error):
                self._store_failed([job["row"]["job_id"] for job in jobs], error)
            else:
                self._store_one_by_one(jobs)
            return
        self.stats.inc_value("items/stored", len(jobs))

    def _store_one_by_one(self, jobs: list[dict]) -> None:
        for job in jobs:
            try:
                storage.save_job(self.db, job["row"], **{k: v for k, v in job.items() if k != "row"})
            except (sqlite3.Error, ValueError, TypeError, OverflowError) as error:
                self._store_failed([job["row"]["job_id"]], error)
                continue
            self.stats.inc_value("items/stored")

    def _record_sighting(self, sighting: JobSighting, now: str) -> bool:
        """Record a job listed again; False when the job is not stored (yet)."""
        try:
            if not storage.job_exists(self.db, sighting.job_id):
                return False
            storage.record_sighting(self.db, sighting.job_id, sighting.city, self.run_id, now)
        except sqlite3.Error as error:
            self._store_failed([sighting.job_id], error, what="sighting of job")
            return True
        self.stats.inc_value("items/sightings")
        return True

    def _store_failed(self, job_ids: list, error: Exception, what: str = "job") -> None:
        logger.error("Storing %s %s failed: %s", what, ", ".join(map(repr, job_ids)), error,
                     exc_info=not storage.whole_database_error(error))
        self.stats.inc_value("jobcrawler/store_errors", len(job_ids))
        self.stats.inc_value("items/dropped/store_error", len(job_ids))

    def close_spider(self):
        self.flush()
        now = storage.utc_now()
        filtered = {s.job_id for s in self.pending if s.filtered}  # left out by -a days=N
        unresolved = []
        for sighting in self.pending:
            if self._record_sighting(sighting, now):
                continue
            if sighting.job_id in filtered:
                self.stats.inc_value("items/filtered_listings")
            else:
                unresolved.append(sighting)
        self.pending = []
        if unresolved:
            self.stats.inc_value("items/sightings_of_unstored_jobs", len(unresolved))
        state = getattr(self.crawler.spider, "state", None)
        if state is not None:  # saved in JOBDIR right after this: a resumed crawl may store these jobs yet
            state["pending_sightings"] = [(s.job_id, s.city, s.url, s.filtered) for s in unresolved]
        self.db.close()


def posting_columns(posting: ItemAdapter, fetched_at: str) -> dict:
    """The ``jobs`` columns of a normalized, tagged posting."""
    places = posting.get("places") or []
    return {
        "job_id": posting.get("job_id"),
        "url": posting.get("canonical_url") or posting.get("source_url"),
        "title": posting.get("title_clean"),
        "title_raw": posting.get("title"),
        "company": posting.get("company"),
        "company_url": posting.get("company_url"),
        "posted_date": posting.get("posted_date"),
        "valid_through": posting.get("valid_through"),
        "reposted": posting.get("reposted"),
        "employment_type": posting.get("employment_type"),
        "work_type": posting.get("work_type"),
        "level": posting.get("level"),
        "months_of_experience": posting.get("months_of_experience"),
        "salary_min": posting.get("salary_min"),
        "salary_max": posting.get("salary_max"),
        "salary_currency": posting.get("salary_currency"),
        "salary_period": posting.get("salary_period"),
        "salary_text": posting.get("compensation_text"),
        "country": posting.get("country"),
        "countries": posting.get("countries") or [],
        "location": places[0]["label"] if len(places) == 1 else f"{len(places)} Locations" if places else None,
        "remote": posting.get("remote"),
        "remote_hiring": posting.get("remote_hiring"),
        "company_size": posting.get("company_size_employees"),
        "company_hq": posting.get("company_hq"),
        "year_founded": posting.get("year_founded"),
        "industries": posting.get("industries") or [],
        "top_skills": posting.get("top_skills") or [],
        "description": posting.get("description"),
        "description_html": posting.get("description_html"),
        "easy_apply": posting.get("easy_apply"),
        "template": posting.get("template"),
        "jsonld_identifier": posting.get("jsonld_identifier"),
        "fetched_at": fetched_at,
    }


def posting_labels(posting: ItemAdapter, labelled_at: str) -> dict | None:
    """The rule tagger's labels of a tagged posting, as a ``job_labels`` row of source ``rules``
    (None for a posting the tag pipeline did not reach)."""
    if posting.get("tagger_version") is None:
        return None
    return storage.label_row(posting.get("categories") or {}, storage.RULES, posting.get("tagger_version"), labelled_at,
                             evidence=posting.get("evidence") or {})
