"""Import the published analysis' own data: a checkout of the AI Engineering Field Guide.

    python -m jobcrawler.fieldguide PATH [--db data/jobs.db] [--batch YYYY-MM-DD]

PATH is a clone of github.com/alexeygrigorev/ai-engineering-field-guide (or its ``job-market``
folder). Each scrape batch (``scraped_date`` in ``_internal/all_jobs_dedup.csv``) becomes one
crawl run dated that day, with a sighting of each of its jobs, so the published baseline and
later crawls sit in one database and trend. ``--batch`` imports one batch (the published
analysis is batch 2026-02-04).

* ``data_raw/<id>_*.yaml`` -> ``jobs``, through the crawl's own pipelines (title, salary,
  location and country, posted date, company size), and tagged by the rule tagger (labels
  ``rules``) exactly as a crawled posting is;
* ``data_structured/<id>_*.yaml`` -> labels of source ``fieldguide``: the LLM's ai_type,
  stage (normalized, the text kept), customer-facing, management, responsibilities, use cases,
  skills mapped to the taxonomy's names (unknown names kept and counted), and the categories
  the published analysis derived from them with the definitions in ``fieldguide.yaml``.

A batch may be older than what the database holds (a crawl ran first): ``storage.save_imported_jobs``
keeps the newest fetch's content, the earliest first_seen and latest last_seen, counts a batch once
in times_seen and never reopens a job closed after the batch saw it. Re-importing changes nothing.
A file that does not parse, holds a value of an unexpected shape (``conform``) or an impossible date,
names another job than its file name does, is no regular file (a link to /dev/zero) or is larger than
MAX_FILE_BYTES is reported by name with what is wrong and skipped, as is a job an unexpected error
meets or SQLite refuses, and a job listed twice in one batch is stored once; a batch is written in
transactions of whole jobs (job, labels of both sources, sighting) and its run row is finished
whatever happens (``interrupted`` with the reason when the import stops), so an interrupted
import is completed by running it again.
"""

from __future__ import annotations

import argparse
import csv
import logging
import re
import sqlite3
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from types import SimpleNamespace

import yaml

from jobcrawler import storage
from jobcrawler.items import JobItem
from jobcrawler.normalize.location import country_code
from jobcrawler.parsing.detail import absolute
from jobcrawler.settings import SQLITE_PATH
from jobcrawler.tagging import CATEGORIES_PATH, TAXONOMY_PATH
from jobcrawler.tagging.names import name_key, skill_aliases

logger = logging.getLogger(__name__)

SOURCE = "fieldguide"  # the label source
SPIDER = "fieldguide"  # crawl_runs.spider of an imported batch
# The dataset does not say which of its city searches listed a job: its sightings carry this key.
CITY = "fieldguide"
CITY_NAME = "the Field Guide's city searches (Los Angeles, New York, London, Amsterdam, Berlin)"  # as reports print it
QUERY = "AI Engineer"  # the published search
SITE = "https://builtin.com"
DEFINITIONS_PATH = resources.files("jobcrawler") / "fieldguide.yaml"  # also inside a zipped egg
INDEX = Path("_internal") / "all_jobs_dedup.csv"
CHUNK = 200  # jobs per transaction
WRAP_WIDTH = 60  # the dataset's YAML wraps long strings at this column
MAX_FILE_BYTES = 1 << 20  # a posting file is ~10 kB: a larger one (or no regular file at all) is not read
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster on 1,000+ files


class _DatasetLoader(_YAML_LOADER):
    """The fast safe loader, with dates left as text: ``conform`` checks them, so an impossible
    date (2026-02-30) names its file instead of stopping the import."""


_DatasetLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _YAML_LOADER.yaml_implicit_resolvers.items()}
_TOP_LEVEL_KEY = re.compile(r"^[a-z_]+:(\s|$)")
_BLOCK_START = re.compile(r"^([a-z_]+):\s*[|>][-+]?\s*$")
_BULLET = re.compile(r"^(?:[-*•]|\d+[.)])\s+")


# What one job's values can cause when stored (a constraint, a value SQLite cannot take), unlike
# an OperationalError (full, locked, I/O), which every job would meet again.
_ROW_ERRORS = (sqlite3.IntegrityError, sqlite3.DataError, sqlite3.InterfaceError, ValueError, TypeError,
               OverflowError)


class DatasetError(ValueError):
    """A path that is no Field Guide checkout, or a batch it does not hold."""


@dataclass
class ImportReport:
    batches: dict[str, int] = field(default_factory=dict)  # scrape date -> jobs imported
    unreadable: list[str] = field(default_factory=list)  # files reported and skipped
    reasons: dict[str, str] = field(default_factory=dict)  # unreadable file -> what is wrong with it
    missing: list[str] = field(default_factory=list)  # index rows without their files
    duplicates: list[str] = field(default_factory=list)  # index rows naming a job its batch listed already
    repaired: list[str] = field(default_factory=list)  # files read after re-indenting a block
    dropped: Counter = field(default_factory=Counter)  # reason -> jobs the pipelines dropped
    unknown_skills: Counter = field(default_factory=Counter)  # label names no taxonomy skill has
    unlabelled: int = 0  # jobs imported without a readable data_structured file
    normalized: Counter = field(default_factory=Counter)  # what the crawl's pipelines noted (normalize/...)

    def lines(self) -> list[str]:
        lines = [f"batch {day}: {count} jobs" for day, count in self.batches.items()]
        if self.repaired:
            lines.append(f"repaired {len(self.repaired)} files (lines of a text block that lost their indentation): "
                         + ", ".join(self.repaired))
        for name in self.unreadable:
            reason = self.reasons.get(name)
            lines.append(f"skipped unreadable file: {name}" + (f" ({reason})" if reason else ""))
        if self.duplicates:
            lines.append(f"skipped {len(self.duplicates)} rows of {INDEX} listing a job its batch listed already: "
                         + ", ".join(self.duplicates[:10]))
        if self.missing:
            lines.append(f"{len(self.missing)} jobs of the index have no data_raw file: {', '.join(self.missing[:10])}")
        for reason, count in sorted(self.dropped.items()):
            lines.append(f"dropped {count} jobs: {reason}")
        if self.normalized:
            lines.append("pipeline notes: " + ", ".join(f"{key} {n}" for key, n in sorted(self.normalized.items())))
        if self.unlabelled:
            lines.append(f"{self.unlabelled} jobs imported without fieldguide labels "
                         "(data_structured unreadable or missing)")
        if self.unknown_skills:
            total = sum(self.unknown_skills.values())
            top = ", ".join(f"{name} ({count})" for name, count in self.unknown_skills.most_common(8))
            lines.append(f"{len(self.unknown_skills)} skill names ({total} mentions) are no taxonomy skill, "
                         f"kept as written; most common: {top}")
        return lines


# --- Reading the files (pure) ---------------------------------------------------------------

def dataset_root(path: str | Path) -> Path:
    """The folder holding ``_internal/all_jobs_dedup.csv``: PATH itself or its ``job-market``."""
    for candidate in (Path(path), Path(path) / "job-market"):
        if (candidate / INDEX).is_file():
            return candidate
    if Path(path).exists() and not Path(path).is_dir():  # the CSV itself, say
        raise DatasetError(f"{path} is a file, not a folder: give the path of a clone of "
                           "alexeygrigorev/ai-engineering-field-guide")
    if not Path(path).is_dir():  # a mistyped path, or the checkout's sibling folder not there
        raise DatasetError(f"no folder at {path}: give the path of a clone of alexeygrigorev/ai-engineering-field-guide")
    raise DatasetError(f"{path} is no Field Guide checkout: no {INDEX} in it or in its job-market folder")


def read_index(root: Path) -> dict[str, list[dict]]:
    """Scrape date -> the index rows of that batch, in file order."""
    batches: dict[str, list[dict]] = defaultdict(list)
    with (root / INDEX).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row.get("id") and row.get("scraped_date"):
                batches[row["scraped_date"]].append(row)
    return dict(sorted(batches.items()))


def reindent_blocks(text: str) -> str:
    """Lines inside a top-level ``key: |`` block that lost their indentation, indented again:
    a line at column 0 that is no ``key:`` belongs to the block above it."""
    lines, in_block = [], False
    for line in text.splitlines():
        if _TOP_LEVEL_KEY.match(line):
            in_block = bool(_BLOCK_START.match(line))
        elif in_block and line and not line[0].isspace():
            line = "  " + line
        lines.append(line)
    return "\n".join(lines) + "\n"


def load_yaml(path: Path) -> tuple[dict | None, bool, str | None]:
    """(the parsed file, whether it needed re-indenting, None) or (None, False, what is wrong with
    it): no regular file (a link to a device, a folder), larger than MAX_FILE_BYTES, not UTF-8,
    not a YAML mapping."""
    try:
        if not path.is_file():  # follows links: one to /dev/zero would never end
            return None, False, "not a regular file"
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        return None, False, f"cannot be read ({error.strerror})"
    if len(data) > MAX_FILE_BYTES:
        return None, False, f"larger than {MAX_FILE_BYTES:,} bytes"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, False, "not UTF-8 text"
    for candidate, repaired in ((text, False), (reindent_blocks(text), True)):
        try:
            parsed = yaml.load(candidate, Loader=_DatasetLoader)
        except yaml.YAMLError:
            continue
        return (parsed, repaired, None) if isinstance(parsed, dict) else (None, False, "not a YAML mapping")
    return None, False, "not a YAML mapping"


# What each file holds, as the reader needs it: TEXT a string, TEXTS a list of strings (a single
# string is a list of one), a dict the mapping of those keys; anything else makes the file unreadable.
TEXT, TEXTS, FLAG, ID, DAY, SIZE = "text", "texts", "flag", "id", "day", "size"
RAW_SHAPE = {"job_id": ID, "title": TEXT, "company": TEXT, "location": TEXT, "work_type": TEXT, "level": TEXT,
             "skills": TEXTS, "company_size": SIZE, "industries": TEXTS, "url": TEXT, "posted_date": DAY,
             "description": TEXT}
SKILL_LISTS = "skill lists"  # category -> TEXTS
LABEL_SHAPE = {
    "company": {"name": TEXT, "stage": TEXT, "focus": TEXT},
    "position": {"title": TEXT, "ai_type": {"type": TEXT, "reasoning": TEXT}, "responsibilities": TEXTS,
                 "use_cases": TEXTS, "skills": SKILL_LISTS, "is_customer_facing": FLAG, "is_management": FLAG},
    "meta": {"job_id": ID, "extracted_at": DAY},
}
_ACCEPTED = {TEXT: (str,), FLAG: (bool,), ID: (str, int), DAY: (str, date), SIZE: (str, int)}  # datetime is a date


class ShapeError(ValueError):
    """A value of a file that is not what its key holds (a list where text belongs, ...)."""


def conform(data, shape, where: str = "") -> dict:
    """``data`` with the keys of ``shape`` only, each value of its kind: dates as ISO text, a
    single name where a list belongs as a list of one; None (or a missing key) stays None (an
    empty list, a mapping of Nones). Raises ShapeError naming the first key that is neither."""
    if isinstance(shape, dict) or shape == SKILL_LISTS:
        data = {} if data is None else data
        if not isinstance(data, dict):
            raise ShapeError(f"{where or 'the file'}: expected a mapping, found {_kind(data)}")
        if shape == SKILL_LISTS:  # category -> names
            return {str(category): conform(names, TEXTS, f"{where}.{category}") for category, names in data.items()}
        return {key: conform(data.get(key), kind, f"{where}.{key}" if where else key) for key, kind in shape.items()}
    if shape == TEXTS:
        items = [data] if isinstance(data, str) else [] if data is None else data
        if not isinstance(items, list) or not all(isinstance(item, str) or item is None for item in items):
            raise ShapeError(f"{where}: expected text or a list of text, found {_kind(data)}")
        return [item for item in items if item is not None and item.strip()]
    if data is None:
        return None
    if not isinstance(data, _ACCEPTED[shape]):
        raise ShapeError(f"{where}: expected {'true/false' if shape == FLAG else 'text'}, found {_kind(data)}")
    if shape == DAY and isinstance(data, str):
        try:
            date.fromisoformat(data[:10])
        except ValueError as error:
            raise ShapeError(f"{where}: {data} is no date ({error})") from None
    return data.isoformat() if isinstance(data, date) else data


def _kind(value) -> str:
    if isinstance(value, list):
        return "a list" + (" of " + ", ".join(sorted({type(item).__name__ for item in value})) if value else "")
    return type(value).__name__


def unwrap(text: str | None, width: int = WRAP_WIDTH) -> str:
    """The description with the dataset's line wrapping undone: a line joins the one before it
    when that one was full (its next word would not have fitted in ``width`` columns) and the
    line continues the same paragraph or bullet (same text column, no bullet of its own)."""
    out: list[str] = []  # lines as written before wrapping
    last = ""  # the line read last
    for line in (text or "").splitlines():
        stripped = line.strip()
        if out and stripped and last.strip() and not _BULLET.match(stripped) and _continues(out[-1], line, last, width):
            out[-1] = out[-1].rstrip() + " " + stripped
        else:
            out.append(line.rstrip())
        last = line
    return "\n".join(out).strip()


def _continues(paragraph: str, line: str, last: str, width: int) -> bool:
    indent = len(paragraph) - len(paragraph.lstrip())
    bullet = _BULLET.match(paragraph.lstrip())
    text_column = indent + (bullet.end() if bullet else 0)
    full = len(last.rstrip()) + 1 + len(line.split()[0]) > width
    return len(line) - len(line.lstrip()) == text_column and full


def place_of(label: str | None) -> dict | None:
    """A builtin location label ("New York, USA", "GBR") as the parts a crawl's JSON-LD gives."""
    parts = [part.strip() for part in (label or "").split(",") if part.strip()]
    if not parts:
        return None
    country = country_code(parts[-1])
    if country:
        parts = parts[:-1]
    return {"locality": parts[0] if parts else None, "region": parts[1] if len(parts) > 1 else None,
            "country": country}


def posting_of(raw: dict, index_row: dict) -> dict:
    """The page fields of one posting (``raw`` conformed to RAW_SHAPE), as the crawl's parser would give them."""
    label = raw.get("location") or index_row.get("location") or None
    place = place_of(label)
    url = absolute(SITE, raw.get("url")) or absolute(SITE, index_row.get("link"))  # http(s) only
    return {
        "job_id": str(raw.get("job_id") or index_row["id"]),
        "source_url": url,
        "canonical_url": url,
        "city": CITY,
        "query": QUERY,
        "title": raw.get("title"),
        "listing_title": index_row.get("title"),
        "company": raw.get("company"),
        "listing_company": index_row.get("company"),
        "date_posted": raw.get("posted_date"),
        "employment_type": raw.get("work_type"),  # the dataset's work_type is the employment type
        "work_type": index_row.get("work_type") or None,
        "locations": [place] if place else [],
        "location_labels": [label] if place else [],
        "compensation_text": index_row.get("compensation") or None,
        "level": raw.get("level") or index_row.get("level") or None,
        "industries": raw.get("industries") or [],
        "top_skills": raw.get("skills") or [],
        "company_size": raw.get("company_size"),
        "description": unwrap(raw.get("description")),
    }


# --- The labels (pure) ------------------------------------------------------------------------

class LabelReader:
    """Turns one ``data_structured`` file (conformed to LABEL_SHAPE) into a ``fieldguide`` label
    row and skills."""

    def __init__(self, definitions: dict, taxonomy: dict, categories: dict):
        self.d = definitions
        self.names = skill_aliases(taxonomy)
        self.other_things = {name for entry in taxonomy["skills"] for name in entry.get("not_names", ())}
        groups = categories.get("skill_groups", {})
        self.frontend, self.backend = set(groups.get("frontend", ())), set(groups.get("backend", ()))
        self.stages = {name.lower(): stage for stage, names in definitions["stages"].items() for name in names}

    @classmethod
    def load(cls) -> "LabelReader":
        read = lambda path: yaml.safe_load(path.read_text(encoding="utf-8"))  # noqa: E731
        return cls(read(DEFINITIONS_PATH), read(TAXONOMY_PATH), read(CATEGORIES_PATH))

    def skills(self, lists: dict, unknown: Counter) -> list[dict]:
        """Canonical skills of the label's skill lists; a name no taxonomy skill has stays as
        written, under the label's own category, and is counted in ``unknown``."""
        found = []
        for category, names in (lists or {}).items():
            for name in self.skill_lists({category: names})[category]:
                # a name that keys like a skill but, written so, is another thing ("ReAct") stays as written
                known = name not in self.other_things
                skill, skill_category = self.names.get(name_key(name), (None, None)) if known else (None, None)
                if skill is None:
                    unknown[name] += 1
                    skill, skill_category = name, category
                found.append({"skill": skill, "category": skill_category, "matched": name,
                              "source": f"skills.{category}"})
        return found

    @staticmethod
    def skill_lists(lists: dict) -> dict[str, list[str]]:
        """The names of each skill list as written (spacing normalized, empty names left out):
        the published skill lists counted these, list by list, before any merging."""
        return {category: [" ".join(name.split()) for name in names or () if name.split()]
                for category, names in (lists or {}).items()}

    def stage(self, text) -> str:
        return self.stages.get(" ".join(str(text or "").split()).lower(), self.d["unknown_stage"])

    def categories(self, label: dict, skills: list[dict]) -> dict:
        position, company = label.get("position") or {}, label.get("company") or {}
        ai = position.get("ai_type") or {}
        ai_type = self.d["ai_types"].get(ai.get("type"), ai.get("type"))
        title = str(position.get("title") or "")
        responsibilities = position.get("responsibilities") or []
        use_cases = position.get("use_cases") or []
        names = {s["skill"] for s in skills}
        fine_tuning, ft_use_cases = self.fine_tuning(ai_type, title, responsibilities, use_cases,
                                                     position.get("skills") or {})
        return {
            "ai_type": ai_type,
            "company_stage": self.stage(company.get("stage")),
            "company_stage_raw": company.get("stage"),
            "company_focus": company.get("focus"),
            "ai_type_reasoning": ai.get("reasoning"),
            "responsibilities": responsibilities,
            "use_cases": use_cases,
            "skill_lists": self.skill_lists(position.get("skills") or {}),
            "is_customer_facing": bool(position.get("is_customer_facing")),
            "is_management": bool(position.get("is_management")),
            "is_research": self.research(title, responsibilities, use_cases),
            "is_entry_level": any(word in title.lower() for word in self.d["entry_level_title"]),
            "fine_tuning": fine_tuning,
            "fine_tuning_use_cases": ft_use_cases,
            "support_category": self.support_category(title, responsibilities) if ai_type == "ai-support" else None,
            "is_frontend": bool(names & self.frontend),
            "is_backend": bool(names & self.backend),
            "is_fullstack": bool(names & self.frontend and names & self.backend),
        }

    def research(self, title: str, responsibilities: list[str], use_cases: list[str]) -> bool:
        d, title = self.d["research"], title.lower()
        if any(word in title for word in d["title"]):
            return True
        resp, cases = " ".join(responsibilities), " ".join(use_cases)
        signals = sum(1 for w in d["signals"] if w in resp or w in cases or w in title)
        applied = sum(1 for w in d["applied_signals"] if w in resp or w in cases)
        return signals > applied and signals >= d["min_signals"]

    def fine_tuning(self, ai_type, title, responsibilities, use_cases, skill_lists) -> tuple[str, list[str]]:
        """(depth, use-case categories, one per use case counted) of an AI-first job."""
        if ai_type != "ai-first":
            return "none", []
        d = self.d["fine_tuning"]
        resp, cases = " ".join(responsibilities), " ".join(use_cases)
        duties = f"{title} {resp} {cases}".lower()
        depth = "none"
        if any(term in duties for term in d["depth_terms"]):
            primary = (any(word in title.lower() for word in d["primary_title"])
                       or sum(resp.count(word) for word in d["primary_repeated"]) >= 2
                       or any(word in duties for word in d["primary_techniques"]))
            depth = "primary" if primary else "secondary"
        named = " ".join(s.lower() for key in ("genai", "ml") for s in skill_lists.get(key) or [])
        if not any(term in f"{duties} {named}" for term in d["mentions"]):
            return depth, []
        counted = []
        for use_case in use_cases:
            text = use_case.lower()
            category = next((name for name, words in d["use_cases"].items() if any(w in text for w in words)), None)
            if category:
                counted.append(category)
        return depth, counted

    def support_category(self, title: str, responsibilities: list[str]) -> str:
        title, resp = title.lower(), " ".join(responsibilities)
        for entry in self.d["support_categories"]:
            if any(word in title or word in resp for word in entry["words"]):
                return entry["category"]
        return self.d["other_support_category"]


# --- Import -----------------------------------------------------------------------------------

class _Stats:
    """What the crawl's pipelines count, kept for the import's report."""

    def __init__(self):
        self.values: Counter = Counter()

    def inc_value(self, key, count=1, start=0):
        self.values[key] += count

    def set_value(self, key, value):
        self.values[key] = value


def _pipelines(stats: _Stats) -> list:
    """The crawl's own normalize and tag pipelines (their Scrapy-free part)."""
    from jobcrawler import pipelines

    crawler = SimpleNamespace(stats=stats, spider=SimpleNamespace(days=None))
    return [cls(crawler) for cls in (pipelines.ValidatePipeline, pipelines.TitlePipeline, pipelines.SalaryPipeline,
                                     pipelines.LocationPipeline, pipelines.DatesPipeline, pipelines.CompanyPipeline,
                                     pipelines.TagPipeline)]


def _files(folder: Path) -> dict[str, Path]:
    """Job id -> its file (``<id>_<slug>.yaml``)."""
    return {path.name.split("_", 1)[0]: path for path in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}


def import_dataset(path: str | Path, db_path: str | Path = SQLITE_PATH, batch: str | None = None,
                   progress=None) -> ImportReport:
    """Import every batch (or one) of a Field Guide checkout into the database."""
    root = dataset_root(path)
    batches = read_index(root)
    if batch is not None:
        if batch not in batches:
            raise DatasetError(f"no batch {batch} in {root / INDEX} (batches: {', '.join(batches) or 'none'})")
        batches = {batch: batches[batch]}
    importer = _Importer(root)
    db = storage.open_db(db_path)
    try:
        for day, rows in batches.items():
            importer.report.batches[day] = importer.import_batch(db, day, rows, progress)
        # (the dataset holds text descriptions, never the HTML whose absence a crawl counts)
        importer.report.normalized.update({key.removeprefix("normalize/"): n for key, n in importer.stats.values.items()
                                           if key.startswith("normalize/") and key != "normalize/missing_description"})
        return importer.report
    finally:
        db.close()


class _Importer:
    """Reads a checkout's jobs through the crawl's pipelines and stores them batch by batch."""

    def __init__(self, root: Path):
        self.root = root
        self.raw_files, self.label_files = _files(root / "data_raw"), _files(root / "data_structured")
        self.reader, self.stats, self.report = LabelReader.load(), _Stats(), ImportReport()
        self.pipes = _pipelines(self.stats)

    def import_batch(self, db, day: str, rows: list[dict], progress=None) -> int:
        """Store one batch in transactions of whole jobs; its run row is finished whatever happens
        (``interrupted``, with the reason, when the import stops early: running it again completes it)."""
        seen_at = f"{day}T00:00:00+00:00"
        run_id = storage.imported_run(db, SPIDER, seen_at, QUERY, {"dataset": SOURCE, "batch": day}, SITE)
        jobs, labelled, stored, listed = [], [], 0, set()
        outcome = {"finish_reason": "finished", "status": "ok", "status_reasons": []}
        try:
            for number, index_row in enumerate(rows, 1):
                if index_row["id"] in listed:  # one job is one posting: the first row of it counts
                    self.report.duplicates.append(f"{index_row['id']} (batch {day})")
                    logger.error("Job %s is listed twice in batch %s of %s: the second row is skipped",
                                 index_row["id"], day, INDEX)
                    continue
                listed.add(index_row["id"])
                read = self.read_job(index_row, run_id, seen_at, day)
                if read is not None:
                    jobs.append(read[0])
                    labelled.extend(read[1:])
                if len(jobs) >= CHUNK:
                    stored, jobs, labelled = stored + self.save(db, jobs, labelled), [], []
                if progress:
                    progress(day, number, len(rows))
            if jobs:
                stored += self.save(db, jobs, labelled)
        except BaseException as error:
            reason = f"{type(error).__name__}: {error}"
            outcome = {"finish_reason": reason, "status": "interrupted", "status_reasons": [reason]}
            raise
        finally:
            storage.finish_run(db, run_id, {
                **outcome, "finished_at": seen_at, "listed_jobs": len(rows), "detail_requests": 0,
                "items_stored": stored, "items_dropped": len(rows) - stored, "cities_complete": [],
            })
        return stored

    def save(self, db, jobs: list[dict], labelled: list[tuple]) -> int:
        """Store a chunk in one transaction; how many jobs were stored. When a job of it cannot be
        stored (a value SQLite refuses), the chunk is stored job by job and that job's file is
        reported; trouble with the database as a whole (full, locked, I/O) stops the import."""
        try:
            storage.save_imported_jobs(db, jobs, labelled)
            return len(jobs)
        except _ROW_ERRORS:
            pass
        stored = 0
        for job in jobs:
            job_id = job["row"]["job_id"]
            try:
                storage.save_imported_jobs(db, [job], [label for label in labelled if label[0] == job_id])
            except _ROW_ERRORS as error:
                self.unreadable(self.raw_files[job_id], f"cannot be stored: {type(error).__name__}: {error}")
                continue
            stored += 1
        return stored

    def read_job(self, index_row: dict, run_id: int, seen_at: str, day: str) -> tuple | None:
        """(the job as ``save_imported_jobs`` takes it, and its fieldguide labels when readable),
        or None for a job skipped (no file, an unreadable file: reported; a drop: counted)."""
        from itemadapter import ItemAdapter
        from scrapy.exceptions import DropItem

        from jobcrawler.pipelines import posting_columns, posting_labels

        job_id = index_row["id"]
        raw_path = self.raw_files.get(job_id)
        if raw_path is None:
            self.report.missing.append(job_id)
            return None
        raw = self.read_file(raw_path, RAW_SHAPE)
        if raw is None:
            return None
        if raw["job_id"] is not None and str(raw["job_id"]) != job_id:  # it would overwrite another job
            self.unreadable(raw_path, f"job_id {raw['job_id']} is not the one its file name says ({job_id})")
            return None
        try:
            item = JobItem(**posting_of(raw, index_row))
            for pipe in self.pipes:  # a pipeline's own error becomes a counted drop, as in a crawl
                pipe.process_item(item)
        except DropItem as error:
            self.report.dropped[str(error).split(":", 1)[0]] += 1
            return None
        except Exception as error:  # noqa: BLE001 - one odd file never stops the import
            self.unreadable(raw_path, f"{type(error).__name__}: {error}", exc_info=True)
            return None
        posting = ItemAdapter(item)
        job = {"row": storage.job_row(posting_columns(posting, fetched_at=seen_at)), "city": CITY, "run_id": run_id,
               "locations": posting.get("places") or [], "skills": posting.get("skills") or [], "seen_at": seen_at,
               "labels": posting_labels(posting, labelled_at=seen_at)}
        label_path = self.label_files.get(job_id)
        label = self.read_file(label_path, LABEL_SHAPE) if label_path else None
        if label is not None and label["meta"]["job_id"] is not None and str(label["meta"]["job_id"]) != job_id:
            self.unreadable(label_path, f"meta.job_id {label['meta']['job_id']} is not the one its file name says "
                                        f"({job_id})")
            label = None
        if label is not None:
            try:
                skills = self.reader.skills(label["position"]["skills"], self.report.unknown_skills)
                extracted = label["meta"]["extracted_at"] or seen_at
                row = storage.label_row(self.reader.categories(label, skills), SOURCE, f"batch {day}", extracted)
                return job, (posting["job_id"], row, skills)
            except Exception as error:  # noqa: BLE001 - the job stays, without the labels it cannot give
                self.unreadable(label_path, f"{type(error).__name__}: {error}", exc_info=True)
        self.report.unlabelled += 1
        return (job,)

    def read_file(self, path: Path, shape: dict) -> dict | None:
        """The file conformed to ``shape``; None (reported by name, with what is wrong) when it
        does not parse or a value is not of its kind."""
        data, repaired, problem = load_yaml(path)
        if data is None:
            self.unreadable(path, problem)
            return None
        if repaired:
            self.report.repaired.append(str(path.relative_to(self.root)))
        try:
            return conform(data, shape)
        except ShapeError as error:
            self.unreadable(path, str(error))
            return None

    def unreadable(self, path: Path, reason: str, exc_info: bool = False) -> None:
        name = str(path.relative_to(self.root))
        self.report.unreadable.append(name)
        self.report.reasons[name] = reason
        logger.error("Cannot read %s (%s): skipped", name, reason, exc_info=exc_info)


def _progress_printer(stream=sys.stderr):
    started: dict[str, float] = {}  # batch -> when its first job was read

    def show(day: str, done: int, total: int) -> None:
        started.setdefault(day, time.monotonic())
        if done == total or done % 50 == 0:
            rate = done / max(time.monotonic() - started[day], 1e-9)
            stream.write(f"\rbatch {day}: {done}/{total} jobs ({rate:,.0f} jobs/s)")
            if done == total:
                stream.write("\n")
            stream.flush()
    return show


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobcrawler.fieldguide", description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="a clone of alexeygrigorev/ai-engineering-field-guide (or its job-market folder)")
    parser.add_argument("--db", default=SQLITE_PATH, help=f"the database (default: {SQLITE_PATH})")
    parser.add_argument("--batch", metavar="YYYY-MM-DD",
                        help="import only this scrape batch (the published analysis: 2026-02-04)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    if why := storage.being_served(args.db, "import"):
        parser.exit(1, f"{parser.prog}: error: {why}\n")
    started = time.perf_counter()
    try:
        report = import_dataset(args.path, args.db, args.batch, progress=_progress_printer())
    except (DatasetError, storage.StorageError) as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    except sqlite3.Error as error:  # a chunk refused as a whole: a full disk, a lock past the busy timeout
        parser.exit(1, f"{parser.prog}: error: importing into {args.db} stopped: {error} (the chunks written "
                       "stay; run it again to finish)\n")
    except KeyboardInterrupt:
        parser.exit(130, f"{parser.prog}: interrupted: the chunks written stay; run it again to finish\n")
    for line in report.lines():
        print(line)
    print(f"imported {sum(report.batches.values())} jobs into {args.db} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
