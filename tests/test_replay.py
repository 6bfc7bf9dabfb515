"""The replay site: page shapes, expected parses that match the pages, faults, request log."""

from __future__ import annotations

import base64
import gzip
import http.client
import json
import re
import shutil
import socket
import urllib.error
import urllib.request
from collections import Counter
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from parsel import Selector

from jobcrawler.replay import ReplaySite, generate, parse_faults
from jobcrawler.replay.pages import detail_page
from jobcrawler.replay.postings import LEVELS, PAGE_FIELDS, WORK_TYPES
from tests.helpers import SHARED, needs_shared

JOBS_PER_CITY = 30
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def site():
    with ReplaySite(jobs_per_city=JOBS_PER_CITY, seed=1) as running:
        yield running


def fetch(url: str, timeout: float = 5) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def jsonld_nodes(sel: Selector) -> list[dict]:
    """@graph members of the page's JSON-LD scripts (the type attribute is decoded by parsel)."""
    return [
        node
        for body in sel.xpath('//script[@type="application/ld+json"]/text()').getall()
        for node in json.loads(body)["@graph"]
    ]


def _value_after(region: Selector, icon: str) -> str | None:
    value = region.xpath(f'(.//i[contains(@class, "{icon}")])[1]/../following-sibling::*[1]')
    return " ".join(value.xpath("string()").get().split()) if value else None


def parse_detail(html: str) -> dict:
    """A small reference parser following PAGE_FORMAT.md: proves the pages carry the expected values."""
    sel = Selector(text=html)
    (job,) = jsonld_nodes(sel)
    template = "match" if sel.css(".match-background") else "header"
    region = sel.css(".match-background, .header-background")[0]
    location = region.xpath('(.//i[contains(@class, "fa-location-dot")])[1]/../following-sibling::div[1]')
    tooltip = location.xpath(".//span/@title | .//span/@data-bs-title").get()
    spans = [" ".join(text.split()) for text in location.xpath("./span/text()").getall()]
    remote_hiring = bool(spans) and spans[0].startswith("Hiring Remotely in")
    if tooltip:
        labels = Selector(text=tooltip).xpath("//div[not(div)]/text()").getall()
    else:
        labels = spans[1:] if remote_hiring else spans
    places = job["jobLocation"] if isinstance(job["jobLocation"], list) else [job["jobLocation"]]
    countries = job["applicantLocationRequirements"]
    countries = countries if isinstance(countries, list) else [countries]
    salary = job.get("baseSalary")
    chips = sel.xpath(
        '//h2[normalize-space()="Top Skills"]/ancestor::div[contains(@class, "full-size")][1]'
        '//div[contains(@class, "border") and contains(@class, "rounded-3")]/text()'
    ).getall()
    card = {}
    if template == "match":
        hq = _value_after(sel, "fa-map-location-dot")
        founded = _value_after(sel, "fa-calendar")
        card = {
            "company_size": _value_after(sel, "fa-user-group"),
            "company_hq": hq.removeprefix("HQ:").strip() if hq else None,
            "year_founded": founded.removeprefix("Year Founded:").strip() if founded else None,
        }
    posted = " ".join(
        region.xpath('(.//i[contains(@class, "fa-clock")])[1]/following-sibling::span[1]/text()').get().split()
    )
    industry = job["industry"]
    return {
        "template": template,
        "canonical_url": sel.xpath('//link[@rel="canonical"]/@href').get(),
        "title": job["title"],
        "company": job["hiringOrganization"]["name"],
        "company_url": job["hiringOrganization"]["sameAs"],
        "jsonld_identifier": job["identifier"]["value"],
        "date_posted": job["datePosted"],
        "valid_through": job["validThrough"],
        "posted_text": posted,
        "reposted": posted.startswith("Reposted"),
        "employment_type": job["employmentType"],
        "job_location_type": job.get("jobLocationType"),
        "work_type": _value_after(region, "fa-house-building"),
        "remote_hiring": remote_hiring,
        "locations": [
            {
                "locality": place["address"].get("addressLocality"),
                "region": place["address"].get("addressRegion"),
                "country": place["address"]["addressCountry"],
                "postal_code": place["address"].get("postalCode"),
                "street": place["address"].get("streetAddress"),
            }
            for place in places
        ],
        "location_labels": labels,
        "applicant_countries": [country["name"] for country in countries],
        "salary": salary
        and {
            "currency": salary["currency"],
            "min": salary["value"]["minValue"],
            "max": salary["value"]["maxValue"],
            "unit": salary["value"]["unitText"],
        },
        "compensation_text": _value_after(region, "fa-sack-dollar"),
        "months_of_experience": job["experienceRequirements"]["monthsOfExperience"],
        "level": _value_after(region, "fa-trophy"),
        "industries": industry if isinstance(industry, list) else [industry],
        "top_skills": [skill for chip in chips for skill in chip.split(",")],
        "company_size": card.get("company_size"),
        "company_hq": card.get("company_hq"),
        "year_founded": card.get("year_founded"),
        "easy_apply": '"isEasyApply":true' in html,
        "robots_noindex": "noindex" in sel.xpath('//meta[@name="robots"]/@content').get(),
    }


# --- generator ---------------------------------------------------------------------------------


@needs_shared("builtin-sample")
def test_reference_parser_reads_the_real_sample_to_its_labels():
    """The same parser reads real pages to their labels and replay pages to their expected
    parses (next test): so the replay pages have the real pages' structure."""
    sample = SHARED / "builtin-sample"
    for line in (sample / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        html = gzip.decompress((sample / "pages" / f"{label['job_id']}.html.gz").read_bytes()).decode()
        assert parse_detail(html) == label["page"], label["job_id"]


def test_every_page_parses_to_its_expected_values(site):
    for posting in site.postings.values():
        assert set(posting.expected()) == set(PAGE_FIELDS)
        assert parse_detail(detail_page(posting)) == posting.expected(), posting.job_id


class _DivDepth(HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth, self.lowest = 0, 0

    def handle_starttag(self, tag, attrs):
        self.depth += tag == "div"

    def handle_endtag(self, tag):
        self.depth -= tag == "div"
        self.lowest = min(self.lowest, self.depth)


def test_pages_nest_like_the_real_ones(site):
    """Balanced divs, and the body, skills and company card follow the top card as siblings."""
    for posting in site.postings.values():
        html = detail_page(posting)
        depth = _DivDepth()
        depth.feed(html)
        assert depth.depth == depth.lowest == 0, posting.job_id
        top = Selector(text=html).css(".match-background, .header-background")[0]
        assert "job-post-item" in top.xpath("..").attrib["class"]
        below = top.xpath("following-sibling::*")
        assert below.xpath(f".//*[@id='job-post-body-{posting.identifier}']")
        assert bool(below.xpath(".//i[contains(@class, 'fa-user-group')]")) == (posting.template == "match")


def test_expected_parses_follow_the_real_pages_rules(site):
    for expected in site.expected_parses().values():
        us_only_range = expected["applicant_countries"] == ["USA"] and expected["compensation_text"]
        assert bool(expected["salary"]) == bool(us_only_range)
        assert (expected["job_location_type"] == "TELECOMMUTE") == ("Remote" in expected["work_type"])
        assert LEVELS[expected["months_of_experience"]] == expected["level"]
        assert len(expected["location_labels"]) == len(expected["locations"])
        assert (expected["company_size"] is None) == (expected["template"] == "header")
        assert expected["valid_through"].startswith(_plus_days(expected["date_posted"], 30))


def _plus_days(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def test_posted_badges_count_back_from_the_sites_day(site):
    as_of = site.catalog.as_of
    for posting in site.postings.values():
        days = (as_of - posting.date_posted).days
        ago = posting.posted_text.split(" ", 1)[1]
        assert ago == ("Yesterday" if days == 1 else f"{days} Days Ago") or (days == 0 and ago.endswith("Hours Ago"))


def test_every_format_variant_appears(site):
    postings = list(site.postings.values())
    expected = [posting.expected() for posting in postings]
    pages = {posting.job_id: detail_page(posting) for posting in postings}

    def some(predicate) -> bool:
        return any(predicate(e) for e in expected)

    assert {e["template"] for e in expected} == {"match", "header"}
    assert all(
        e["template"] == "header"
        for e in expected
        if "la" in site.postings[e["canonical_url"].rsplit("/", 1)[1]].cities
    )
    assert {e["work_type"] for e in expected} == set(WORK_TYPES)
    assert {e["months_of_experience"] for e in expected} == set(LEVELS)
    assert {e["employment_type"] for e in expected} == {"FULL_TIME", "INTERN", "CONTRACTOR"}
    assert some(lambda e: e["remote_hiring"]) and some(lambda e: len(e["locations"]) > 1)
    assert some(lambda e: len(e["locations"]) >= 30)
    for shape in (r"\d+K-\d+K Annually", r"\d+M-\d+M Annually", r"\d+-\d+ Annually", r"\d+-\d+ Hourly"):
        assert any(re.fullmatch(shape, e["compensation_text"] or "") for e in expected), shape
    assert {e["salary"]["unit"] for e in expected if e["salary"]} == {"YEAR", "HOUR"}
    assert some(lambda e: e["compensation_text"] and not e["salary"] and "USA" in e["applicant_countries"])
    assert any(re.fullmatch(r"\d+K\+ Annually", p.card_pay_text or "") for p in postings)
    for badge in (
        r"Posted \d+ Days Ago",
        "Posted Yesterday",
        r"Reposted \d+ Days Ago",
        "Reposted Yesterday",
        r"\w+ \d+ Hours Ago",
    ):
        assert any(re.fullmatch(badge, e["posted_text"]) for e in expected), badge
    titles = [e["title"] for e in expected]
    assert any("  " in t for t in titles) and any("\u00a0" in t for t in titles) and any("&" in t for t in titles)
    assert any(re.search(r"\((m/w/d|all genders|m/f/d|f/m/x)\)", t) for t in titles)
    assert any(p.skills_in_one_chip for p in postings) and any(not e["top_skills"] for e in expected)
    assert any(len(set(e["top_skills"])) < len(e["top_skills"]) for e in expected)
    assert {type(p.company.jsonld_industry) for p in postings} == {str, list}
    assert some(lambda e: e["jsonld_identifier"] != e["canonical_url"].rsplit("/", 1)[1])
    assert all(int(p.job_id) < 5_000_000 for p in postings if p.identifier != p.job_id)
    assert some(lambda e: e["company_hq"] is None and e["template"] == "match")
    assert some(lambda e: e["year_founded"] is None and e["template"] == "match")
    assert some(lambda e: e["easy_apply"])
    assert {e["robots_noindex"] for e in expected if e["template"] == "header"} == {True, False}
    assert not any(e["robots_noindex"] for e in expected if e["template"] == "match")
    single = [
        job
        for job in (jsonld_nodes(Selector(text=html))[0] for html in pages.values())
        if isinstance(job["jobLocation"], dict)
    ]
    assert {"geo" in job["jobLocation"] for job in single} == {True, False}
    headers_multi = [
        pages[p.job_id] for p in postings if p.template == "header" and len(p.places) > 1 and not p.remote_hiring
    ]
    assert any(' title="&lt;div' in html for html in headers_multi)
    assert any(' data-bs-title="&lt;div' in html.split("job-post-body")[0] for html in headers_multi)
    assert any(p.description_html.startswith("<p><p>") for p in postings)
    assert any("__cf_email__" in p.body_html and "__cf_email__" not in p.description_html for p in postings)
    assert sum("&amp;" in p.description_html or "&nbsp;" in p.description_html for p in postings) > 0.7 * len(postings)
    assert all(
        '<script type="application/ld&#x2B;json">' in html and "Builtin.jobPostInit({" in html
        for html in pages.values()
    )
    assert not any("application/ld+json" in html for html in pages.values())


def test_skills_and_traps_are_in_the_descriptions(site):
    descriptions = " ".join(p.description_html for p in site.postings.values())
    for phrase in (
        "LangGraph",
        "LlamaIndex",
        "RAG",
        "PyTorch",
        "scikit-learn",
        "Kubernetes",
        "Terraform",
        "FastAPI",
        "PostgreSQL",
        "go-to-market",
        "react to feedback",
        "R&amp;D",
        "C-suite",
        "Series B",
        "publicly traded",
        "Work directly with customers",
        "Manage a team of",
    ):
        assert phrase in descriptions, phrase
    assert {p.ai_type for p in site.postings.values()} == {"ai-first", "ai-support", "ml-first"}


def test_about_a_fifth_of_jobs_are_listed_under_two_cities(site):
    postings = site.postings.values()
    share = sum(len(p.cities) > 1 for p in postings) / len(postings)
    assert 0.18 <= share <= 0.27
    for key in site.catalog.cities:
        assert len(site.catalog.listings[key]) == JOBS_PER_CITY
        assert all(key in site.postings[job_id].cities for job_id in site.catalog.listings[key])


def test_similar_jobs_never_repeat_the_header_values(site):
    for posting in site.postings.values():
        assert posting.similar
        for card in posting.similar:
            assert card.work_type != posting.work_type and card.level != posting.level
            assert card.pay_text != posting.compensation_text and card.employees != posting.company.size
            assert not set(card.location_labels) & set(posting.location_labels)
            assert card.job_id not in site.postings


def test_same_seed_same_site_and_another_seed_another():
    first, again, other = generate(3, 8), generate(3, 8), generate(4, 8)
    assert [p.expected() for p in first.postings.values()] == [p.expected() for p in again.postings.values()]
    assert [detail_page(p) for p in first.postings.values()] == [detail_page(p) for p in again.postings.values()]
    assert first.listings == again.listings
    assert set(first.postings) != set(other.postings)


# --- served pages ------------------------------------------------------------------------------


def test_listing_pages_carry_cards_item_list_and_pager(site):
    ids = site.catalog.listings["newyork"]
    status, _, html = fetch(site.listing_url("newyork"))
    sel = Selector(text=html)
    cards = sel.css('div[data-id="job-card"]')
    assert status == 200 and len(cards) == 20
    links = cards.css('a[data-id="job-card-title"]')
    assert [link.attrib["data-builtin-track-job-id"] for link in links] == ids[:20]
    assert [card.attrib["id"] for card in cards] == [f"job-card-{job_id}" for job_id in ids[:20]]
    assert all(
        link.attrib["data-alias"] == site.postings[link.attrib["data-builtin-track-job-id"]].path for link in links
    )
    assert cards.css('a[data-id="company-title"] > span::text').getall()[0] == site.postings[ids[0]].company.name
    (item_list,) = jsonld_nodes(sel)
    assert [item["url"] for item in item_list["itemListElement"]] == [site.detail_url(job_id) for job_id in ids[:20]]
    for icon in ("fa-house-building", "fa-location-dot", "fa-trophy", "fa-clock"):
        assert len(cards.css(f"i.{icon}")) == 20
    next_href = sel.css('a[aria-label="Go to Next Page"]::attr(href)').get()
    assert "page=2" in next_href and "search=AI+Engineer" in next_href
    status, _, html = fetch(site.base_url + next_href)
    last = Selector(text=html)
    assert len(last.css('div[data-id="job-card"]')) == JOBS_PER_CITY - 20
    assert not last.css('a[aria-label="Go to Next Page"]')
    _, _, html = fetch(site.listing_url("newyork", page=3))
    assert not Selector(text=html).css('div[data-id="job-card"]')


def test_card_links_are_mostly_relative_some_absolute(site):
    hrefs = []
    for key in site.catalog.cities:
        for page in (1, 2):
            _, _, html = fetch(site.listing_url(key, page=page))
            hrefs += Selector(text=html).css('a[data-id="job-card-title"]::attr(href)').getall()
    absolute = [href for href in hrefs if href.startswith("http")]
    assert 0 < len(absolute) < len(hrefs) / 2
    assert all(href.startswith(site.base_url + "/job/") for href in absolute)
    assert all(re.fullmatch(r"/job/[a-z0-9-]+/\d+", href) for href in hrefs if href not in absolute)
    multi = [
        card
        for card in Selector(text=fetch(site.listing_url("berlin"))[2]).css('div[data-id="job-card"]')
        if card.css("span[data-bs-title]")
    ]
    assert multi and re.fullmatch(r"\d+ Locations", multi[0].css("span[data-bs-title]::text").get().strip())


def test_country_wide_and_unknown_searches(site):
    india = site.base_url + "/jobs/remote/hybrid/office?search=AI+Engineer&country=IND&allLocations=true"
    cards = Selector(text=fetch(india)[2]).css('div[data-id="job-card"]')
    assert len(cards) == 20
    status, _, html = fetch(
        site.base_url + "/jobs?search=AI+Engineer&city=Atlantis&state=Sea&country=ATL&allLocations=true"
    )
    sel = Selector(text=html)
    assert status == 200 and not sel.css('div[data-id="job-card"]') and sel.css("h1")
    assert jsonld_nodes(sel) == [{"@type": "ItemList", "itemListElement": []}]


def test_detail_pages_robots_and_missing_pages(site):
    posting = site.listing("la")[0]
    status, headers, html = fetch(site.detail_url(posting.job_id))
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert parse_detail(html) == posting.expected()
    assert fetch(site.base_url + "/job/no-such-job/1234")[0] == 404
    assert fetch(site.base_url + "/company/" + posting.company.slug)[0] == 404
    status, _, robots = fetch(site.base_url + "/robots.txt")
    assert status == 200 and "Allow: /jobs" in robots and "Disallow: /api/" in robots


def test_request_log_in_process_and_over_http():
    with ReplaySite(jobs_per_city=3, seed=2) as small:
        fetch(small.listing_url("berlin"))
        fetch(small.base_url + "/nothing-here")
        log = small.request_log
        assert [(e["method"], e["path"], e["status"], e["attempt"], e["fault"]) for e in log] == [
            ("GET", "/jobs", 200, 1, None),
            ("GET", "/nothing-here", 404, 1, None),
        ]
        assert "city=Berlin" in log[0]["query"] and log[0]["timestamp"] > 0
        assert json.loads(fetch(small.base_url + "/__log")[2]) == log
        assert json.loads(fetch(small.base_url + "/__log?since=1")[2]) == log[1:]
        small.reset()
        assert small.request_log == []


# --- faults ------------------------------------------------------------------------------------


def test_fault_spec_parsing():
    rules = parse_faults("429:0.1, 503:0.2:2,404:0.05,slow:0.1:all")
    assert [(r.kind, r.rate, r.attempts) for r in rules] == [
        ("429", 0.1, 1),
        ("503", 0.2, 2),
        ("404", 0.05, None),
        ("slow", 0.1, None),
    ]
    with pytest.raises(ValueError):
        parse_faults("418:0.5")


def test_status_faults_fail_first_attempts_then_recover():
    with ReplaySite(jobs_per_city=3, seed=1, faults="429:1", retry_after=7) as faulty:
        url = faulty.detail_url(next(iter(faulty.postings)))
        status, headers, _ = fetch(url)
        assert status == 429 and headers["Retry-After"] == "7"
        assert fetch(url)[0] == 200
        assert [(e["status"], e["fault"], e["attempt"]) for e in faulty.request_log] == [
            (429, "429", 1),
            (200, None, 2),
        ]
    with ReplaySite(jobs_per_city=3, seed=1, faults="503:1:2") as faulty:
        url = faulty.listing_url("london")
        assert [fetch(url)[0] for _ in range(3)] == [503, 503, 200]


def test_fault_choice_is_deterministic_per_url():
    kwargs = {"jobs_per_city": 10, "seed": 5, "faults": "500:0.3,challenge:0.2"}
    first, second = ReplaySite(**kwargs), ReplaySite(**kwargs)
    urls = [first.detail_url(job_id) for job_id in first.postings]
    plan = [first.planned_fault(url) for url in urls]
    assert plan == [second.planned_fault(url) for url in urls]
    kinds = Counter(rule.kind if rule else None for rule in plan)
    assert kinds["500"] and kinds["challenge"] and kinds[None] > len(urls) / 3


def test_content_faults():
    with ReplaySite(jobs_per_city=25, seed=1, faults="truncate:1") as faulty:
        url = faulty.detail_url(next(iter(faulty.postings)))
        status, _, cut = fetch(url)
        assert status == 200 and "</script>" not in cut.split("ld&#x2B;json")[1]
        assert parse_detail(fetch(url)[2])
    with ReplaySite(jobs_per_city=25, seed=1, faults="challenge:1") as faulty:
        status, _, html = fetch(faulty.listing_url("berlin"))
        sel = Selector(text=html)
        assert status == 200 and "Just a moment" in html
        assert not sel.css('div[data-id="job-card"]') and not jsonld_nodes(sel)
        assert len(Selector(text=fetch(faulty.listing_url("berlin"))[2]).css('div[data-id="job-card"]')) == 20
    with ReplaySite(jobs_per_city=25, seed=1, faults="repeat:1") as faulty:
        first_ids = (
            Selector(text=fetch(faulty.listing_url("berlin"))[2])
            .css("a[data-builtin-track-job-id]::attr(data-builtin-track-job-id)")
            .getall()
        )
        repeated = (
            Selector(text=fetch(faulty.listing_url("berlin", page=2))[2])
            .css("a[data-builtin-track-job-id]::attr(data-builtin-track-job-id)")
            .getall()
        )
        assert repeated == first_ids
        assert [e["fault"] for e in faulty.request_log] == [None, "repeat"]
    with ReplaySite(jobs_per_city=3, seed=1, faults="404:1") as faulty:
        url = faulty.detail_url(next(iter(faulty.postings)))
        assert [fetch(url)[0] for _ in range(3)] == [404, 404, 404]


def test_slow_and_dropped_responses():
    with ReplaySite(jobs_per_city=3, seed=1, faults="slow:1", slow_seconds=0.5) as faulty:
        url = faulty.detail_url(next(iter(faulty.postings)))
        with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
            fetch(url, timeout=0.1)
        assert fetch(url, timeout=2)[0] == 200
    with ReplaySite(jobs_per_city=3, seed=1, faults="drop:1") as faulty:
        url = faulty.detail_url(next(iter(faulty.postings)))
        with pytest.raises(http.client.IncompleteRead):
            fetch(url)
        assert fetch(url)[0] == 200
        assert faulty.request_log[0]["fault"] == "drop"


def test_js_listings_show_cards_only_to_a_browser():
    with ReplaySite(jobs_per_city=25, seed=1, js_listings=True) as js_site:
        status, _, html = fetch(js_site.listing_url("berlin"))
        sel = Selector(text=html)
        assert status == 200 and not sel.css('div[data-id="job-card"]') and not jsonld_nodes(sel)
        assert not sel.css('a[aria-label="Go to Next Page"]') and "/job/" not in html
        script = sel.xpath('//script[contains(., "atob")]/text()').get()
        rendered = Selector(text=base64.b64decode(re.search(r'atob\("([^"]+)"\)', script).group(1)).decode())
        assert len(rendered.css('div[data-id="job-card"]')) == 20
        assert rendered.css('a[aria-label="Go to Next Page"]')


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM, reason="no chromium to render with")
def test_js_listings_render_in_a_real_browser():
    from playwright.sync_api import sync_playwright

    with ReplaySite(jobs_per_city=25, seed=1, js_listings=True) as js_site, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            page = browser.new_page()
            page.goto(js_site.listing_url("berlin"))
            assert page.locator('div[data-id="job-card"]').count() == 20
            assert page.locator('a[aria-label="Go to Next Page"]').count() == 1
        finally:
            browser.close()
        assert [entry["path"] for entry in js_site.request_log] == ["/jobs"]
