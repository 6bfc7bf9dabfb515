"""The real sample pages through the whole crawl command, checked against their labels.

    python bench/sample_crawl.py [--samples ../shared/builtin-sample] [--db PATH] [--json PATH]

A stand-in for builtin.com serves the saved detail pages of ``builtin-sample/pages`` as they
are, behind search result pages built from ``listings.jsonl`` (each city's cards in their
order, 20 a page, with a pager). ``scrapy crawl builtin -a city=all`` then crawls it into a
fresh database, and the stored rows are compared with the ``page`` values of ``labels.jsonl``:
share of listed jobs stored, duplicates, and per-field accuracy of the stored columns. The
pages are read at run time from the shared folder, never copied into the repository.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench._common import SAMPLES, write_json  # noqa: E402
from jobcrawler.cities import load_cities  # noqa: E402
from jobcrawler.normalize.location import is_remote  # noqa: E402
from jobcrawler.normalize.salary import normalize_salary  # noqa: E402
from jobcrawler.replay.pages import listing_page  # noqa: E402

PAGE_SIZE = 20


class SampleSite:
    """Listing pages of the sample's cities and its saved detail pages, on 127.0.0.1."""

    def __init__(self, samples: Path):
        self.pages = {path.name.split(".")[0]: path for path in (samples / "pages").glob("*.html.gz")}
        self.listings: dict[str, list[dict]] = defaultdict(list)
        for line in (samples / "listings.jsonl").read_text().splitlines():
            card = json.loads(line)
            self.listings[card["city"]].append(card)
        for cards in self.listings.values():
            cards.sort(key=lambda card: card["position"])
        known = load_cities()
        self.city_of = {(c.city or "", c.state or "", c.country): key for key, c in known.items() if key in self.listings}
        self.cities = {key: known[key] for key in self.listings}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def listing_html(self, params: dict) -> str:
        key = self.city_of.get((params.get("city", ""), params.get("state", ""), params.get("country", "")))
        cards = self.listings.get(key, [])
        page = max(1, int(params.get("page") or 1))
        last = max(1, -(-len(cards) // PAGE_SIZE))
        shown = cards[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        return listing_page(
            cards=[self._card(card) for card in shown], heading=f"{params.get('search', '')} jobs",
            total=len(cards), path="/jobs", params=params, page=page, last_page=last, base_url=self.base_url)

    @staticmethod
    def _card(card: dict) -> dict:
        path = urlsplit(card["link"]).path
        return {"job_id": card["id"], "path": path, "href": path, "title": card["title"],
                "company": card["company"], "company_slug": "company", "age": "", "easy_apply": False,
                "work_type": "", "locations": [""], "pay": "", "level": "", "industries": [], "blurb": None}

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlsplit(self.path)
                if url.path.startswith("/jobs"):
                    self._send(200, site.listing_html(dict(parse_qsl(url.query))).encode())
                elif url.path.startswith("/job/") and url.path.rsplit("/", 1)[-1] in site.pages:
                    self._send(200, gzip.decompress(site.pages[url.path.rsplit("/", 1)[-1]].read_bytes()))
                else:
                    self._send(404, b"not found")

            def _send(self, status: int, body: bytes):
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler


def expected_columns(page: dict) -> dict:
    """The ``jobs`` columns a correct crawl stores, from a label's ``page`` values."""
    salary, _ = normalize_salary(page["salary"], page["compensation_text"])
    size = page["company_size"]
    return {
        "title_raw": page["title"],
        "company": page["company"],
        "posted_date": page["date_posted"],
        "employment_type": page["employment_type"],
        "level": page["level"],
        "work_type": page["work_type"],
        "salary": (salary.min, salary.max, salary.currency, salary.period) if salary else None,
        "country": page["locations"][0]["country"] if page["locations"] else None,
        "remote": int(is_remote(page["job_location_type"], page["work_type"], page["remote_hiring"])),
        "company_size": int(size.split()[0].replace(",", "")) if size else None,
        "industries": page["industries"],
        "top_skills": page["top_skills"],
    }


def stored_columns(row: dict) -> dict:
    salary = (row["salary_min"], row["salary_max"], row["salary_currency"], row["salary_period"])
    return {
        "title_raw": row["title_raw"],
        "company": row["company"],
        "posted_date": row["posted_date"],
        "employment_type": row["employment_type"],
        "level": row["level"],
        "work_type": row["work_type"],
        "salary": None if salary == (None, None, None, None) else salary,
        "country": row["country"],
        "remote": row["remote"],
        "company_size": row["company_size"],
        "industries": json.loads(row["industries"] or "[]"),
        "top_skills": json.loads(row["top_skills"] or "[]"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=Path, default=SAMPLES)
    parser.add_argument("--json", help="also write the figures here")
    parser.add_argument("--db", type=Path, help="crawl into this database (kept) instead of a temporary one")
    args = parser.parse_args(argv)
    labels = {row["job_id"]: row for row in map(json.loads, (args.samples / "labels.jsonl").read_text().splitlines())}
    with SampleSite(args.samples) as site, tempfile.TemporaryDirectory() as folder:
        cities = Path(folder) / "cities.yaml"
        cities.write_text(yaml.safe_dump({key: {k: v for k, v in vars(city).items() if k != "key" and v}
                                          for key, city in site.cities.items()}))
        db = args.db or Path(folder) / "jobs.db"
        if args.db:
            args.db.unlink(missing_ok=True)
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "builtin", "-a", "city=all", "-a", "render=never",
             "-s", f"BUILTIN_BASE_URL={site.base_url}", "-s", f"SQLITE_PATH={db}", "-s", f"CITIES_FILE={cities}",
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING"],
            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        conn = sqlite3.connect(db)
        conn.row_factory = sqlite3.Row
        rows = {row["job_id"]: dict(row) for row in conn.execute("SELECT * FROM jobs")}
        city_rows = conn.execute("SELECT count(*), count(DISTINCT job_id || city) FROM job_cities").fetchone()
        conn.close()

    listed = {(card["id"], city) for city, cards in site.listings.items() for card in cards}
    listed_ids = {job_id for job_id, _ in listed}
    fields = list(expected_columns(next(iter(labels.values()))["page"]))
    wrong: dict[str, list[str]] = {field: [] for field in fields}
    for job_id in sorted(listed_ids & set(rows)):
        want, got = expected_columns(labels[job_id]["page"]), stored_columns(rows[job_id])
        for field in fields:
            if want[field] != got[field]:
                wrong[field].append(job_id)
    compared = len(listed_ids & set(rows))
    figures = {
        "exit_code": result.returncode,
        "listed_jobs": len(listed_ids),
        "listings": len(listed),
        "stored_jobs": len(rows),
        "stored_share": round(len(listed_ids & set(rows)) / len(listed_ids), 4),
        "job_city_rows": city_rows[0],
        "duplicate_job_city_rows": city_rows[0] - city_rows[1],
        "elapsed_s": round(elapsed, 1),
        "field_accuracy": {field: round(1 - len(ids) / compared, 4) if compared else None for field, ids in wrong.items()},
    }
    print(f"{len(site.pages)} real pages behind {len(listed)} listing cards ({len(listed_ids)} jobs), "
          f"crawled in {elapsed:.1f} s, exit {result.returncode}")
    print(f"stored {len(rows)} of {len(listed_ids)} listed jobs ({figures['stored_share']:.2%}); "
          f"job_cities rows {city_rows[0]} for {len(listed)} listings, duplicates {figures['duplicate_job_city_rows']}")
    print(f"\n{'field':<18}{'accuracy':>9}  mismatching job ids")
    for field, ids in wrong.items():
        print(f"{field:<18}{1 - len(ids) / compared:>9.2%}  {' '.join(ids[:6])}")
    if result.returncode:
        print(result.stderr[-2000:], file=sys.stderr)
    write_json(args.json, figures)
    ok = result.returncode == 0 and figures["stored_share"] >= 0.99 and all(
        value >= 0.99 for value in figures["field_accuracy"].values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
