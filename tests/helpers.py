"""What several test modules share: paths (and ../shared, skipped when absent), a crawl in a
subprocess, the spider and pipelines in-process, the hand-counted report database and the served
site. Fixtures live in conftest.py; test modules import helpers from here, never from each other.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
import sqlite_utils
from scrapy import Request
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

from jobcrawler import settings as project
from jobcrawler.cities import listing_url, load_cities
from jobcrawler.items import JobSighting
from jobcrawler.normalize.salary import normalize_salary
from jobcrawler.normalize.titles import clean_title
from jobcrawler.parsing.listing import ListingJob
from jobcrawler.replay import generate
from jobcrawler.replay import pages as replay_pages
from jobcrawler.storage import (finish_label_run, finish_run, job_row, label_row, open_db, record_sighting, save_job,
                                save_labels, start_label_run, start_run, transaction)

REPO = Path(__file__).resolve().parents[1]
# Real builtin.com pages, labels and the published dataset, beside the checkout and never in it
# (JOBCRAWLER_SHARED names another folder, e.g. for a worktree).
SHARED = Path(os.environ.get("JOBCRAWLER_SHARED") or REPO.parent / "shared")
# The published dataset: its copy in ../shared, else the clone docs/published-analysis.md has users make.
FIELDGUIDE = next((path for path in (SHARED / "fieldguide", REPO.parent / "ai-engineering-field-guide")
                   if (path / "job-market").is_dir()), SHARED / "fieldguide")


def needs_fieldguide() -> pytest.MarkDecorator:
    """Skips the marked test, naming where it looked, without the published dataset."""
    path = FIELDGUIDE / "job-market" / "_internal" / "all_jobs_dedup.csv"
    return pytest.mark.skipif(not path.exists(), reason=(
        f"needs the published dataset: {path} (git clone https://github.com/alexeygrigorev/ai-engineering-field-guide "
        f"{REPO.parent / 'ai-engineering-field-guide'}); absent here"))


def needs_shared(*parts: str) -> pytest.MarkDecorator:
    """Skips the marked test, naming what is missing, in a clone with no ``../shared/<parts>``."""
    path = SHARED.joinpath(*parts)
    return pytest.mark.skipif(
        not path.exists(), reason=f"needs {path} (../shared beside the checkout holds the real sample; absent here)"
    )



@contextmanager
def checkout_lock():
    """Held while a test builds scrapyd-deploy's egg in the checkout (build/, jobcrawler.egg-info,
    ``setup.py clean -a``) or copies the checkout: tests run in parallel (``make test``, pytest-xdist)
    take turns there, so no copy sees a half-cleaned build/ and no build cleans another's."""
    name = hashlib.sha1(str(REPO).encode()).hexdigest()[:12]
    with open(Path(tempfile.gettempdir()) / f"jobcrawler-checkout-{name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield

# --- a crawl in a subprocess -------------------------------------------------------------------

# Politeness off against our own 127.0.0.1 server; retries fast so fault tests stay quick.
FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "0",
    "RETRY_BACKOFF_BASE": "0",
    "LOG_LEVEL": "INFO",
}


def start_crawl(base_url: str, db_path: Path, *spider_args: str, **settings) -> subprocess.Popen:
    """``scrapy crawl builtin`` in a subprocess that keeps running, as a user starts it."""
    command = [sys.executable, "-m", "scrapy", "crawl", "builtin"]
    for argument in spider_args:
        command += ["-a", argument]
    if not any(a.startswith("render=") for a in spider_args):
        command += ["-a", "render=never"]
    merged = {**FAST, "BUILTIN_BASE_URL": base_url, "SQLITE_PATH": str(db_path), **settings}
    for name, value in merged.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.Popen(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def crawl(base_url: str, db_path: Path, *spider_args: str, timeout: float = 180, **settings) -> subprocess.CompletedProcess:
    """``scrapy crawl builtin`` in a subprocess, run to its end; with ``peak_rss_mib`` on the result:
    the crawl process's own peak memory (VmHWM, which, unlike ru_maxrss, starts afresh at exec
    and so does not include the test process it was forked from)."""
    process = start_crawl(base_url, db_path, *spider_args, **settings)
    peak = [0]

    def watch():
        while process.poll() is None:
            try:
                status = Path(f"/proc/{process.pid}/status").read_text()
            except OSError:
                return
            found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
            if found:
                peak[0] = max(peak[0], int(found.group(1)))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    watcher.join()
    result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    result.peak_rss_mib = peak[0] / 1024
    return result


def rows(db_path: Path, sql: str, params=()) -> list[dict]:
    db = sqlite_utils.Database(db_path)
    try:
        return list(db.query(sql, params))
    finally:
        db.close()


def last_run(db_path: Path) -> dict:
    run = rows(db_path, "SELECT * FROM crawl_runs ORDER BY run_id DESC LIMIT 1")[0]
    for key in ("args", "stats", "quality", "status_reasons", "gave_up", "drop_reasons", "cities_complete"):
        if run.get(key):
            run[key] = json.loads(run[key])
    return run


def expected_row(expected: dict) -> dict:
    """The jobs columns a correct crawl stores for a replay posting, from its expected parse."""
    salary, _ = normalize_salary(expected["salary"], expected["compensation_text"])
    size = expected["company_size"]
    countries = list(dict.fromkeys(p["country"] for p in expected["locations"] if p.get("country")))
    return {
        "title": clean_title(expected["title"]),
        "title_raw": expected["title"],
        "company": expected["company"],
        "posted_date": expected["date_posted"],
        "employment_type": expected["employment_type"],
        "work_type": expected["work_type"],
        "level": expected["level"],
        "salary_min": salary.min if salary else None,
        "salary_max": salary.max if salary else None,
        "salary_currency": salary.currency if salary else None,
        "salary_period": salary.period if salary else None,
        "salary_text": expected["compensation_text"],
        "country": countries[0] if countries else None,
        "remote": int(expected["job_location_type"] == "TELECOMMUTE" or "Remote" in expected["work_type"]
                      or expected["remote_hiring"]),
        "company_size": int(size.split()[0].replace(",", "")) if size else None,
        "industries": json.dumps(expected["industries"], ensure_ascii=False),
        "top_skills": json.dumps(expected["top_skills"], ensure_ascii=False),
        "url": expected["canonical_url"],
        "template": expected["template"],
    }


# --- the spider and the pipelines in-process ---------------------------------------------------

BASE = "https://builtin.com"
CATALOG = generate(seed=3, jobs_per_city=6)  # a small replay catalog, its pages built in-process
POSTINGS = CATALOG.listing("berlin")
LD_SCRIPT = re.compile(r'(<script type="application/ld&#x2B;json">)(.*?)(</script>)', re.DOTALL)
PROJECT_SETTINGS = ("ITEM_PIPELINES", "BUILTIN_BASE_URL", "BUILTIN_HOST_PATTERN", "RETRY_TIMES", "RETRY_HTTP_CODES")


class Harness:
    """The spider and the project's pipeline chain in-process, storing into a temporary database."""

    def __init__(self, db):
        from jobcrawler.spiders.builtin import BuiltinSpider

        values = {name: getattr(project, name) for name in PROJECT_SETTINGS}
        self.crawler = get_crawler(BuiltinSpider, settings_dict={**values, "SQLITE_PATH": str(db), "RETRY_TIMES": 1})
        self.spider = BuiltinSpider.from_crawler(self.crawler, city="berlin", render="never")
        self.crawler.spider = self.spider
        ordered = sorted(values["ITEM_PIPELINES"].items(), key=lambda entry: entry[1])
        self.pipelines = [load_object(path).from_crawler(self.crawler) for path, _ in ordered]
        for pipeline in self.pipelines:
            if hasattr(pipeline, "open_spider"):
                pipeline.open_spider()
        self.pipelines[-1].spider_opened(self.spider)
        self.db = db

    @property
    def stats(self) -> dict:
        return self.crawler.stats.get_stats()

    def process(self, item):
        """The item through every pipeline, as Scrapy chains them (DropItem stops it)."""
        for pipeline in self.pipelines:
            item = pipeline.process_item(item)
        return item

    def fetch(self, posting, body: bytes | str, *, listing_title="Listed Title", listing_company="Listed Co",
              headers=None):
        """What the spider and the pipelines make of this body as the posting's detail page:
        ("stored", row), ("dropped", reason), ("retry", request) or ("gave_up", sighting)."""
        url = BASE + posting.path
        listing_job = ListingJob(job_id=posting.job_id, url=url, title=listing_title, company=listing_company)
        request = Request(url, meta={"city": "berlin", "job_id": posting.job_id, "listing_job": listing_job})
        if isinstance(body, str):
            body = body.encode("utf-8")
        response = HtmlResponse(url, body=body, request=request,
                                headers=headers or {"Content-Type": "text/html; charset=utf-8"})
        outputs = list(self.spider.parse_detail_page(response))
        assert len(outputs) == 1, outputs
        output = outputs[0]
        if isinstance(output, Request):
            return "retry", output
        if isinstance(output, JobSighting):
            return "gave_up", output
        try:
            self.process(output)
        except DropItem as drop:
            reason = str(drop).split(":", 1)[0]
            assert self.stats.get(f"items/dropped/{reason}"), f"drop {reason!r} not counted"
            return "dropped", reason
        return "stored", rows(self.db, "SELECT * FROM jobs WHERE job_id = ?", [posting.job_id])[0]


def page(posting, change=None, *, body=None) -> str:
    """The posting's detail page, its JSON-LD node changed by ``change(node)`` or replaced by ``body``."""
    html = replay_pages.detail_page(posting)
    if change is None and body is None:
        return html
    if body is None:
        node = replay_pages.job_posting_jsonld(posting)
        change(node)
        # "</" escaped as pages do, or a "</script>" in a value would end the script early
        body = json.dumps({"@context": "https://schema.org", "@graph": [node]}).replace("</", "<\\/")
    match = LD_SCRIPT.search(html)
    return html[: match.start(2)] + body + html[match.end(2):]


# --- the hand-counted report database ------------------------------------------------------------
# 14 jobs, 4 crawl runs (London and Berlin in January 2026, London and New York in February),
# written through jobcrawler.storage like the crawler does. Some jobs are seen twice (J1 in London
# both months, J2 in London and Berlin, J7 in London and New York, J13 in Berlin and London), so
# the city/period cells overlap. J12 carries script/img markup in its title and company and has
# no tags: it must show escaped and count only in totals.

XSS_TITLE = "<script>window.__xss=1</script> AI Engineer"
XSS_COMPANY = 'Evil <img src=x onerror="window.__xss=2">'

RUNS = {  # name: (city key, crawl start)
    "R1": ("london", "2026-01-05T06:00:00+00:00"),
    "R2": ("berlin", "2026-01-06T06:00:00+00:00"),
    "R3": ("london", "2026-02-03T06:00:00+00:00"),
    "R4": ("newyork", "2026-02-04T06:00:00+00:00"),
}

SKILL_CATEGORIES = {
    "RAG": "genai", "prompt engineering": "genai", "LangChain": "genai", "agents": "genai",
    "LangGraph": "genai", "LLMs": "genai", "OpenAI API": "genai", "LlamaIndex": "genai",
    "PyTorch": "ml", "TensorFlow": "ml", "fine-tuning": "ml", "model training": "ml",
    "Python": "languages", "Go": "languages", "TypeScript": "languages", "SQL": "languages",
    "Docker": "ops", "Kubernetes": "ops", "Terraform": "ops",
    "AWS": "cloud",
    "React": "web", "FastAPI": "web", "Next.js": "web",
    "PostgreSQL": "databases", "Pinecone": "databases",
    "Spark": "data",
}


def job(number, title, company, ai_type, stage, posted, skills, seen, **tags):
    return {
        "job_id": str(9000 + number),
        "url": f"https://builtin.com/job/fixture-{number}/{9000 + number}",
        "title": title,
        "company": company,
        "ai_type": ai_type,
        "company_stage": stage,
        "posted_date": posted,
        "skills": skills,
        "seen": seen,  # [(run, city)], the first one saves the job
        **tags,
    }


JOBS = [
    job(1, "AI Engineer", "Acme", "ai-first", "Seed", "2026-01-02",
        ["RAG", "prompt engineering", "LangChain", "Python", "Docker", "PyTorch"],
        [("R1", "london"), ("R3", "london")],
        is_customer_facing=True, fine_tuning="primary",
        fine_tuning_use_cases=["instruction following", "domain knowledge"]),
    job(2, "Senior AI Engineer", "Acme", "ai-first", "Seed", "2026-01-03",
        ["RAG", "agents", "LangGraph", "LangChain", "Python", "AWS", "React"],
        [("R1", "london"), ("R2", "berlin")],
        is_management=True, fine_tuning="secondary", fine_tuning_use_cases=["domain knowledge"],
        is_frontend=True, is_backend=True, is_fullstack=True),
    job(3, "AI Engineer", "Beta", "ai-first", "Series B", "2026-01-04",
        ["RAG", "LLMs", "OpenAI API", "Python", "FastAPI", "Kubernetes", "Pinecone"],
        [("R2", "berlin")],
        is_entry_level=True, is_backend=True, fine_tuning="none"),
    job(4, "Applied AI Engineer", "Beta", "ai-first", "Series B", "2026-01-20",
        ["agents", "prompt engineering", "PyTorch", "Python", "fine-tuning"],
        [("R3", "london")],
        is_research=True),
    job(5, "AI Platform Engineer", "Gamma", "ai-support", "Public", "2026-01-25",
        ["Kubernetes", "Docker", "AWS", "Python", "Terraform", "LLMs"],
        [("R4", "newyork")],
        support_category="platform/infrastructure", fine_tuning_use_cases=["privacy"]),
    job(6, "Senior AI Platform Engineer", "Gamma", "ai-support", "Public", "2026-01-28",
        ["Kubernetes", "Go"],
        [("R4", "newyork")],
        support_category="platform/infrastructure"),
    job(7, "AI Sales Engineer", "Delta", "ai-support", "Series D+", "2026-01-30",
        ["OpenAI API", "RAG"],
        [("R3", "london"), ("R4", "newyork")],
        support_category="sales/solutions", is_customer_facing=True, is_entry_level=True),
    job(8, "Backend Engineer - AI", "Delta", "ai-support", "Series D+", "2025-12-20",
        ["Python", "PostgreSQL"],
        [("R2", "berlin")],
        support_category="backend/general SWE"),
    job(9, "Computer Vision AI Engineer", "Epsilon", "ml", "Series A", "2026-02-01",
        ["PyTorch", "TensorFlow", "Python"],
        [("R4", "newyork")]),
    job(10, "AI Research Engineer", "Zeta", "ai-first", "Private/unknown", "2025-12-28",
        ["PyTorch", "model training", "RAG"],
        [("R1", "london")],
        is_research=True),
    job(11, "Full Stack Engineer (AI)", "Acme", "ai-first", "Seed", "2026-01-31",
        ["React", "TypeScript", "RAG", "Next.js"],
        [("R3", "london")],
        is_frontend=True, is_backend=True, is_fullstack=True),
    job(12, XSS_TITLE, XSS_COMPANY, None, None, "2026-02-02",
        [],
        [("R4", "newyork")],
        description='<b>bold?</b> <img src=x onerror="window.__xss=3">'),
    job(13, "Staff AI Engineer", "Beta", "ai-first", "Series B", "2026-01-10",
        ["LlamaIndex", "LangChain", "RAG"],
        [("R2", "berlin"), ("R3", "london")]),
    job(14, "Data Engineer, AI Platform", "Gamma", "ai-support", "Public", "2026-01-15",
        ["Spark", "Python", "SQL"],
        [("R1", "london")],
        support_category="data/pipelines"),
]


def build_fixture_db(path: str | Path, copies: int = 1) -> Path:
    """Write the fixture jobs into a new database at ``path`` (report tables not built). With
    ``copies`` > 1, each job is there that many times, seen alike, under ids job id x 10 + 0, 1, ...
    (the copies keep the jobs' order, as text and as numbers): every count of jobs is that many
    times the fixture's."""
    path = Path(path)
    db = open_db(path)
    run_ids = {}
    for name, (city, started_at) in RUNS.items():
        run_id = start_run(db, "builtin", city, "AI Engineer", {"city": city})
        finish_run(db, run_id, {"started_at": started_at, "finished_at": started_at, "status": "ok"})
        run_ids[name] = (run_id, started_at)
    for values, copy in ((values, copy) for values in JOBS for copy in range(copies)):
        if copies > 1:
            job_id = str(int(values["job_id"]) * 10 + copy)
            values = {**values, "job_id": job_id, "url": f"{values['url']}-{copy}"}
        (first_run, first_city), *later = values["seen"]
        content = {k: v for k, v in values.items() if k not in ("skills", "seen")}
        content.setdefault("description", f"{values['title']} at {values['company']}.")
        skills = [
            {"skill": skill, "category": SKILL_CATEGORIES[skill], "matched": skill, "source": "description"}
            for skill in values["skills"]
        ]
        run_id, seen_at = run_ids[first_run]
        save_job(db, job_row(content), city=first_city, run_id=run_id, locations=[], skills=skills, seen_at=seen_at,
                 labels=label_row(content, "rules", "fixture", seen_at))
        for run, city in later:
            run_id, seen_at = run_ids[run]
            record_sighting(db, values["job_id"], city, run_id, seen_at)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return path


# The blended source rules+llm:MODEL on the fixture (analysis/datasette_plugins/label_blend.py).
MODEL = "llm:test-model"
BLEND = "rules+" + MODEL
# The fixture's rule labels, with a confidence: four sure, three doubted, the other seven unknown.
RULE_CONFIDENCE = {"9001": 0.9, "9002": 0.95, "9003": 0.9, "9004": 0.85, "9005": 0.5, "9006": 0.6, "9007": 0.75}
# The model's answers: 9001 is one the rules are sure of, so its answer never counts.
LLM_ANSWERS = {"9001": ("ml", None), "9005": ("ai-first", None), "9006": ("ai-support", "data/pipelines"),
               "9007": ("ai-first", None)}


def with_model_answers(path: str | Path, below: float | None) -> str:
    """Give the fixture database at ``path`` the rules' confidences and the model's answers, as
    ``python -m jobcrawler.label --model test-model --only-uncertain --below BELOW`` would
    (``below`` None: no label run recorded)."""
    db = open_db(path)
    with transaction(db):
        db.conn.executemany("UPDATE job_labels SET ai_type_confidence = ? WHERE job_id = ? AND labels = 'rules'",
                            [(confidence, job_id) for job_id, confidence in RULE_CONFIDENCE.items()])
    save_labels(db, [(job_id, label_row({"ai_type": ai_type, "support_category": category, "is_management": True},
                                        MODEL, "p1"), [])
                     for job_id, (ai_type, category) in LLM_ANSWERS.items()])
    if below is not None:
        run_id = start_label_run(db, MODEL, "test-model", "p1", {"below": below, "city": None})
        finish_label_run(db, run_id, {"status": "ok"})
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return str(path)


def blended_ai_types(below: float) -> dict[str, str | None]:
    """Job id -> its AI type in the blend, counted by hand from the fixture: the model's where the
    rules' confidence (none: 0) is below ``below`` and the model answered, else the rules'."""
    return {job["job_id"]: LLM_ANSWERS[job["job_id"]][0]
            if job["job_id"] in LLM_ANSWERS and RULE_CONFIDENCE.get(job["job_id"], 0) < below else job["ai_type"]
            for job in JOBS}


# --- the site served as a person runs it ---------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_command(db: str | Path, port: int) -> list[str]:
    """What a person runs to open the site."""
    return [sys.executable, "-m", "analysis", "serve", "--db", str(db), "--port", str(port)]


def start_server(command: list[str], log: Path) -> subprocess.Popen:
    with log.open("w") as output:
        return subprocess.Popen(command, cwd=REPO, stdout=output, stderr=output)


def wait_until_up(url: str, server: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"datasette exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"datasette did not answer at {url}")


def datasette_processes(port: int) -> list[int]:
    """PIDs of live ``datasette`` processes serving ``port`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and b"datasette" in args and str(port).encode() in args:
            found.append(int(entry.name))
    return found


H1_TEXT = re.compile(r"(<h1\b[^>]*>\s*<span\b[^>]*>)[^<]*")


def without_h1_title(html: str) -> str:
    """The page with its <h1> title text removed."""
    blank, found = H1_TEXT.subn(r"\1", html, count=1)
    assert found
    return blank


def query_faulting_pages(site, pages: dict[int, bool]) -> str:
    """A search text whose berlin listing pages are faulted exactly as asked ({page: faulted?}).
    Faults are drawn per URL, so the query picks which listing pages a rule hits."""
    berlin = load_cities()["berlin"]
    for i in range(500):
        query = "AI Engineer" if i == 0 else f"AI Engineer {i}"
        if all(bool(site.planned_fault(listing_url(site.base_url, berlin, query, page))) == hit
               for page, hit in pages.items()):
            return query
    raise AssertionError(f"no query faults pages {pages}")


# --- comparing a merged database with a direct crawl's ----------------------------------------

# What necessarily differs between two crawls of the same pages: when things happened
# (timestamps) and the run ids. Everything else is compared row for row.
TIMESTAMP_COLUMNS = {"first_seen", "last_seen", "fetched_at", "labelled_at", "seen_at"}
RUN_ID_COLUMNS = {"run_id", "last_run_id", "fetched_run_id"}


def database_content(db_path: Path, labels: str | None = None) -> dict[str, list[tuple]]:
    """Every job-level table as sorted rows without timestamps and run ids (closed_at as closed
    or not), the label tables of one label source only when ``labels`` names it, and sightings
    as (job, city, occasion number: the n-th crawl cycle, by run start)."""
    db = sqlite_utils.Database(db_path)
    try:
        content = {}
        for table in ("jobs", "job_cities", "job_locations", "job_labels", "job_skills", "job_label_evidence"):
            columns = [c for c in db[table].columns_dict if c not in TIMESTAMP_COLUMNS | RUN_ID_COLUMNS]
            select = ", ".join("closed_at IS NOT NULL" if c == "closed_at" else c for c in columns)
            where = " WHERE labels = ?" if labels and "labels" in columns else ""
            content[table] = sorted(db.execute(f"SELECT {select} FROM {table}{where}",
                                               [labels] if where else []).fetchall(), key=repr)
        merged = db["merged_runs"].exists()
        occasion = ("(SELECT count(DISTINCT coalesce(m2.cycle, m2.run_id)) FROM merged_runs m2 JOIN crawl_runs r2 "
                    "ON r2.run_id = m2.run_id WHERE r2.started_at <= r.started_at)" if merged else
                    "(SELECT count(*) FROM crawl_runs r2 WHERE r2.run_id <= r.run_id)")
        content["sightings"] = sorted(db.execute(
            f"SELECT s.job_id, s.city, {occasion} FROM sightings s JOIN crawl_runs r ON r.run_id = s.run_id").fetchall())
        return content
    finally:
        db.close()


# Pay stated on some fixture jobs: (min, max, currency, period). 9006 states no period, so it is
# left out; 9005 states no currency, so it counts under 'not stated', never as USD.
PAY = {
    "9001": (100_000, 140_000, "USD", "year"),   # midpoint 120,000
    "9002": (50, 70, "USD", "hour"),             # 60 x 2,080 = 124,800
    "9003": (150_000, None, "USD", "year"),      # one bound: 150,000
    "9004": (9_000, 11_000, "EUR", "month"),     # 10,000 x 12 = 120,000
    "9005": (80_000, 100_000, None, "year"),     # 90,000, currency not stated
    "9006": (110_000, 130_000, "USD", None),     # no period: left out
}


def with_pay(db: Path) -> Path:
    """Write PAY into a fixture database (before its report tables are built)."""
    with closing(sqlite3.connect(db)) as conn, conn:
        for job_id, (low, high, currency, period) in PAY.items():
            conn.execute("UPDATE jobs SET salary_min = ?, salary_max = ?, salary_currency = ?, salary_period = ?, "
                         "salary_text = ? WHERE job_id = ?",
                         (low, high, currency, period, f"{low}-{high} {period}", job_id))
    return db


class PipelineThatCannotStart:
    """An item pipeline whose settings are wrong: it fails as Scrapy builds it, after the crawl's
    run row is written (``-s ITEM_PIPELINES='{"tests.helpers.PipelineThatCannotStart": 100}'``)."""

    @classmethod
    def from_crawler(cls, crawler):
        raise ValueError("-s PIPELINE_THAT_CANNOT_START is wrong")
