"""Item pipelines: each does one thing, by calling the pure modules it is named after.

They read and write items through ``ItemAdapter``, so a posting may be the ``JobItem``
dataclass, a dict or a Scrapy Item. ``JobSighting`` items (a job listed again without
its detail page) pass every pipeline untouched but the store.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta, timezone

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem

from jobcrawler import quality, storage
from jobcrawler.items import JobSighting
from jobcrawler.normalize.dates import posted_date
from jobcrawler.normalize.location import countries_of, is_remote, normalize_locations
from jobcrawler.normalize.salary import normalize_salary
from jobcrawler.normalize.text import collapse_spaces, html_to_text
from jobcrawler.normalize.titles import clean_title

logger = logging.getLogger(__name__)

_JOB_ID = re.compile(r"^\d+$")
_EMPLOYEES = re.compile(r"(\d[\d,.\s]*)\s*\+?\s*employees", re.IGNORECASE)
_YEAR = re.compile(r"\b(1[6-9]\d\d|20\d\d)\b")


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
        self.process_posting(ItemAdapter(item))
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
        job_id = posting.get("job_id")
        if not isinstance(job_id, str) or not _JOB_ID.match(job_id):
            self.drop(posting, "invalid_job_id", f"from {posting.get('source_url')}")
        for field in ("title", "company"):
            if not clean_title(posting.get(field)) and not posting.get(f"listing_{field}"):
                self.drop(posting, f"missing_{field}", f"from {posting.get('source_url')}")
        if not posting.get("description_html"):
            self.count("missing_description")


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
    """With ``-a days=N``, keep only postings dated within the last N days."""

    def process_posting(self, posting):
        days = getattr(self.crawler.spider, "days", None)
        posted = posting.get("posted_date")
        if days and posted and date.fromisoformat(posted) < datetime.now(timezone.utc).date() - timedelta(days=days):
            self.stats.inc_value("items/filtered/older_than_days")
            raise DropItem(f"older_than_days: job {posting.get('job_id')} posted {posted}")


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
        posting = ItemAdapter(item)
        job_id = posting["job_id"]
        if job_id in self.seen:
            self.stats.inc_value("items/duplicates")
            return JobSighting(job_id=job_id, city=posting.get("city"), url=posting.get("source_url"))
        self.seen.add(job_id)
        return item


class TagPipeline(PostingPipeline):
    """Skills with their evidence, and the category columns, from the taxonomy files."""

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
        posting["categories"] = {**tags.categories, "tagger_version": self.tagger.version}


class StorePipeline:
    """Write postings and sightings to SQLite, and the crawl's own row to ``crawl_runs``."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = crawler.settings.get("SQLITE_PATH")
        self.db = None
        self.run_id = None
        self.pending: list[JobSighting] = []  # sightings that arrived before their job was stored
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        spider = self.crawler.spider
        self.db = storage.open_db(self.path)
        self.run_id = storage.start_run(self.db, spider.name, getattr(spider, "city_arg", None),
                                        getattr(spider, "query", None), getattr(spider, "run_arguments", {}))
        self.stats.set_value("jobcrawler/run_id", self.run_id)
        logger.info("Storing into %s (crawl run %d)", self.path, self.run_id)

    def process_item(self, item):
        now = storage.utc_now()
        if isinstance(item, JobSighting):
            if self._job_exists(item.job_id):
                storage.record_sighting(self.db, item.job_id, item.city, self.run_id, now)
                self.stats.inc_value("items/sightings")
            else:
                self.pending.append(item)
            return item
        posting = ItemAdapter(item)
        storage.save_job(
            self.db,
            storage.job_row(posting_columns(posting, fetched_at=now)),
            city=posting.get("city"),
            run_id=self.run_id,
            locations=posting.get("places") or [],
            skills=posting.get("skills") or [],
            seen_at=now,
        )
        self.stats.inc_value("items/stored")
        return item

    def _job_exists(self, job_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM jobs WHERE job_id = ?", [job_id]).fetchone() is not None

    def close_spider(self):
        now = storage.utc_now()
        for sighting in self.pending:
            if self._job_exists(sighting.job_id):
                storage.record_sighting(self.db, sighting.job_id, sighting.city, self.run_id, now)
                self.stats.inc_value("items/sightings")
            else:
                self.stats.inc_value("items/sightings_of_unstored_jobs")
        self.pending.clear()

    def spider_closed(self, spider, reason):
        if self.db is None:
            return
        settings = self.crawler.settings
        stats = self.stats.get_stats()
        report = quality.evaluate(
            quality.run_metrics(self.db, self.run_id, stats),
            reason,
            min_coverage=settings.getdict("QUALITY_MIN_COVERAGE"),
            min_stored_ratio=settings.getfloat("QUALITY_MIN_STORED_RATIO"),
            max_gave_up_ratio=settings.getfloat("QUALITY_MAX_GAVE_UP_RATIO"),
        )
        complete = sorted(getattr(spider, "complete_cities", ()))
        closed = 0
        if report.status != "failed":
            closed = storage.close_unlisted(self.db, self.run_id, complete, storage.utc_now())
        if report.status != "ok":
            logger.error("Crawl run %d is %s: %s", self.run_id, report.status, "; ".join(report.reasons))
        self.stats.set_value("jobcrawler/run_status", report.status)
        stats = self.stats.get_stats()
        storage.finish_run(self.db, self.run_id, {
            "finished_at": storage.utc_now(),
            "finish_reason": reason,
            "status": report.status,
            "status_reasons": report.reasons,
            "quality": report.metrics,
            "cities_complete": complete,
            "listing_pages": stats.get("listing/pages", 0),
            "listed_jobs": stats.get("listing/jobs", 0),
            "detail_requests": len(getattr(spider, "requested", ())),
            "items_stored": stats.get("items/stored", 0),
            "items_dropped": stats.get("item_dropped_count", 0),
            "drop_reasons": _suffixes(stats, "items/dropped/"),
            "retries": stats.get("retry/count", 0),
            "gave_up": _suffixes(stats, "retry/gave_up/"),
            "errors": stats.get("log_count/ERROR", 0),
            "rendered_pages": stats.get("render/pages", 0),
            "jobs_closed": closed,
            "stats": stats,
        })
        self.db.close()


def _suffixes(stats: dict, prefix: str) -> dict:
    return {key[len(prefix):]: value for key, value in stats.items() if key.startswith(prefix)}


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
        **(posting.get("categories") or {}),
    }
