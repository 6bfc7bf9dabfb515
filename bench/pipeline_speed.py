"""Parse + normalize + tag, in process, over the saved sample pages: pages/s on one core.

    python bench/pipeline_speed.py [--samples ../shared/builtin-sample] [--seconds 4] [--json OUT]

Pages are decompressed up front and processed round after round until ``--seconds`` have
passed. Times are the process's CPU time (``time.process_time``): pages per CPU-second is the
one-core rate, and other programs sharing the machine do not count against it. Each round
times three stages over every page:

* parse     -- ``parse_detail`` and the ``JobItem`` the spider builds from it;
* normalize -- the normalize pipelines' ``process_item`` (Validate, Title, Description,
  Salary, Location, Dates, Company), run through a stub crawler as Scrapy runs them;
* tag       -- ``TagPipeline.process_item`` (skills and categories).

Baseline, in the same run: a straightforward BeautifulSoup (``html.parser``) extraction of the
same fields, the way a typical script reads these pages: JSON-LD, header icons, skills chips,
company card, and the description as text (``get_text``). It does less than our pipeline (no
fallbacks, no salary/location/date normalizing, no tagging). Targets: >= 10x the baseline's
pages/s, >= 300 pages/s.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench._common import SAMPLES, machine, write_json  # noqa: E402
from jobcrawler.items import JobItem  # noqa: E402
from jobcrawler.parsing.detail import job_id_from_url, parse_detail  # noqa: E402
from jobcrawler import pipelines  # noqa: E402

NORMALIZE = (
    pipelines.ValidatePipeline,
    pipelines.TitlePipeline,
    pipelines.DescriptionPipeline,
    pipelines.SalaryPipeline,
    pipelines.LocationPipeline,
    pipelines.DatesPipeline,
    pipelines.CompanyPipeline,
)


class _Stats:
    def __init__(self):
        self.values: dict[str, int] = {}

    def inc_value(self, key, count=1, start=0):
        self.values[key] = self.values.get(key, start) + count


class _Spider:
    days = None


class StubCrawler:
    """What the pipelines read from a crawler: stats and the spider."""

    def __init__(self):
        self.stats = _Stats()
        self.spider = _Spider()


def load_pages(samples: Path) -> list[tuple[str, str]]:
    """(url, html) per saved page; the URL from labels.jsonl when known."""
    urls = {}
    labels = samples / "labels.jsonl"
    if labels.exists():
        for line in labels.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            urls[row["job_id"]] = row["url"]
    pages = []
    for path in sorted((samples / "pages").glob("*.html.gz")):
        job_id = path.name.split(".")[0]
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            pages.append((urls.get(job_id, f"https://builtin.com/job/x/{job_id}"), handle.read()))
    return pages


# --- the reference a typical script would write ------------------------------------------------

_ICONS = {"fa-clock": "posted_text", "fa-location-dot": "location", "fa-house-building": "work_type",
          "fa-sack-dollar": "compensation_text", "fa-trophy": "level"}
_CARD_ICONS = {"fa-user-group": "company_size", "fa-map-location-dot": "company_hq", "fa-calendar": "year_founded"}
_EASY_APPLY = re.compile(r'"isEasyApply"\s*:\s*(true|false)')


def _icon_value(icon) -> str | None:
    """Text of the nearest ancestor of an icon that has any (icons sit in their own wrapper)."""
    for parent in icon.parents:
        text = " ".join(parent.get_text(" ").split())
        if text:
            return text
    return None


def bs4_extract(html: str, url: str) -> dict:
    """The page fields with BeautifulSoup's ``html.parser``: JSON-LD, header, skills, company card."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    posting = {}
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except ValueError:
            continue
        for node in data.get("@graph", [data]):
            if node.get("@type") == "JobPosting":
                posting = node
    org = posting.get("hiringOrganization") or {}
    salary = (posting.get("baseSalary") or {}).get("value") or {}
    places = posting.get("jobLocation") or []
    places = places if isinstance(places, list) else [places]
    fields = {
        "title": posting.get("title"),
        "company": org.get("name"),
        "company_url": org.get("sameAs"),
        "date_posted": (posting.get("datePosted") or "")[:10] or None,
        "valid_through": posting.get("validThrough"),
        "employment_type": posting.get("employmentType"),
        "job_location_type": posting.get("jobLocationType"),
        "locations": [p.get("address", {}) for p in places],
        "salary": {"min": salary.get("minValue"), "max": salary.get("maxValue"), "unit": salary.get("unitText")}
        if salary else None,
        "industries": posting.get("industry"),
        "description_html": posting.get("description"),
    }
    canonical = soup.find("link", rel="canonical")
    fields["canonical_url"] = canonical.get("href") if canonical else None
    robots = soup.find("meta", attrs={"name": "robots"})
    fields["robots_noindex"] = "noindex" in robots.get("content", "") if robots else None
    header = soup.find("div", class_=["match-background", "header-background"])
    for icon in header.find_all("i") if header else []:
        for name in icon.get("class", []):
            if name in _ICONS and _ICONS[name] not in fields:
                fields[_ICONS[name]] = _icon_value(icon)
    heading = soup.find("h2", string=lambda s: s and s.strip() == "Top Skills")
    skills = []
    if heading:
        box = heading.find_parent("div")
        while box is not None and not box.select("div.border.rounded-3"):
            box = box.find_parent("div")
        chips = box.select("div.border.rounded-3") if box else []
        skills = [s.strip() for chip in chips for s in chip.get_text().split(",") if s.strip()]
    fields["top_skills"] = skills
    card = soup.find("div", string=lambda s: s and s.strip() == "The Company")
    card = card.find_next_sibling() if card else None
    for icon in card.find_all("i") if card else []:
        for name in icon.get("class", []):
            if name in _CARD_ICONS and _CARD_ICONS[name] not in fields:
                fields[_CARD_ICONS[name]] = _icon_value(icon)
    match = _EASY_APPLY.search(html)
    fields["easy_apply"] = match.group(1) == "true" if match else None
    description = fields["description_html"]
    fields["description"] = BeautifulSoup(description, "html.parser").get_text("\n", strip=True) if description else ""
    return fields


# --- our pipeline ------------------------------------------------------------------------------


def parse_stage(pages: list[tuple[str, str]]) -> list[JobItem]:
    items = []
    for url, html in pages:
        page = parse_detail(html, url)
        items.append(JobItem(job_id=job_id_from_url(url), source_url=url, city="bench", query="AI Engineer", **page))
    return items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=Path, default=SAMPLES, help="folder holding pages/*.html.gz")
    parser.add_argument("--seconds", type=float, default=4.0, help="time spent on our pipeline")
    parser.add_argument("--baseline-seconds", type=float, default=3.0, help="time spent on the BeautifulSoup baseline")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    pages = load_pages(args.samples)
    if not pages:
        print(f"no pages under {args.samples / 'pages'}", file=sys.stderr)
        return 2
    crawler = StubCrawler()
    normalizers = [cls.from_crawler(crawler) for cls in NORMALIZE]
    tag_pipeline = pipelines.TagPipeline.from_crawler(crawler)

    # Warm-up round (imports, caches), not timed.
    for item in parse_stage(pages):
        for pipeline in normalizers:
            pipeline.process_item(item)
        tag_pipeline.process_item(item)

    spent = {"parse": 0.0, "normalize": 0.0, "tag": 0.0}
    rounds = 0
    started = time.process_time()
    while time.process_time() - started < args.seconds or rounds < 2:
        t0 = time.process_time()
        items = parse_stage(pages)
        t1 = time.process_time()
        for item in items:
            for pipeline in normalizers:
                pipeline.process_item(item)
        t2 = time.process_time()
        for item in items:
            tag_pipeline.process_item(item)
        t3 = time.process_time()
        spent["parse"] += t1 - t0
        spent["normalize"] += t2 - t1
        spent["tag"] += t3 - t2
        rounds += 1
    processed = rounds * len(pages)
    total = sum(spent.values())

    baseline_pages, baseline_time = 0, 0.0
    agree = {"title": 0, "company": 0, "level": 0, "work_type": 0, "top_skills": 0, "company_size": 0}
    reference = {url: item for (url, _), item in zip(pages, parse_stage(pages))}
    started = time.process_time()
    while time.process_time() - started < args.baseline_seconds or baseline_pages < len(pages):
        for url, html in pages:
            t0 = time.process_time()
            fields = bs4_extract(html, url)
            baseline_time += time.process_time() - t0
            baseline_pages += 1
            if baseline_pages <= len(pages):
                ours = reference[url]
                for name in agree:
                    agree[name] += fields.get(name) == getattr(ours, name)
            if time.process_time() - started >= args.baseline_seconds and baseline_pages >= len(pages):
                break

    ours_rate = processed / total
    base_rate = baseline_pages / baseline_time
    result = {
        "pages": len(pages),
        "rounds": rounds,
        "pages_per_s": ours_rate,
        "ms_per_page": {stage: 1000 * seconds / processed for stage, seconds in spent.items()},
        "share": {stage: seconds / total for stage, seconds in spent.items()},
        "parse_only_pages_per_s": processed / spent["parse"],
        "baseline_pages_per_s": base_rate,
        "speedup": ours_rate / base_rate,
        "parse_speedup": (processed / spent["parse"]) / base_rate,
        "baseline_agreement": {name: count / len(pages) for name, count in agree.items()},
        "machine": machine(),
    }
    print(f"{len(pages)} pages from {args.samples}, {rounds} rounds ({processed} pages), one core")
    print(f"parse + normalize + tag: {ours_rate:,.0f} pages/s ({1000 * total / processed:.2f} ms/page)")
    for stage in spent:
        print(f"  {stage:<10} {result['ms_per_page'][stage]:6.2f} ms/page  {100 * result['share'][stage]:5.1f}%")
    print(f"parse only: {result['parse_only_pages_per_s']:,.0f} pages/s")
    print(f"baseline (BeautifulSoup html.parser extraction, description as text): {base_rate:,.1f} pages/s "
          f"({1000 / base_rate:.1f} ms/page, {baseline_pages} pages)")
    print("  agrees with parse_detail on: "
          + ", ".join(f"{k} {100 * v:.0f}%" for k, v in result["baseline_agreement"].items()))
    print(f"speed-up: {result['speedup']:.1f}x the baseline for the whole pipeline "
          f"({result['parse_speedup']:.1f}x for parsing alone); targets >= 10x and >= 300 pages/s")
    write_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
