"""parse_listing on synthetic builtin.com search result pages (PAGE_FORMAT.md §3).

Fixtures under tests/fixtures/listing/ (invented companies and titles):

* search_page.html          5 cards (one repeated, one id only in its title link, one
                            multi-location tooltip) + a 5-entry ItemList + a next link
* builtinla_last_page.html  www.builtinla.com relative links, a card with only
                            ``data-alias``, a card without any id, a disabled next link
* itemlist_only.html        no cards, ItemList entries in every shape
* no_results.html           an empty ItemList and no cards
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobcrawler.parsing.listing import ListingJob, ListingPage, parse_listing

FIXTURES = Path(__file__).parent / "fixtures"
SEARCH_URL = "https://builtin.com/jobs?search=AI+Engineer&city=Berlin&state=Berlin&country=DEU&allLocations=true&page=2"
LA_URL = "https://www.builtinla.com/jobs?search=AI+engineer&allLocations=true&page=4"


def fixture(name: str) -> str:
    return (FIXTURES / "listing" / name).read_text(encoding="utf-8")


def jobs_of(name: str, url: str = SEARCH_URL) -> dict[str, ListingJob]:
    return jobs_of_text(fixture(name), url)


def jobs_of_text(page: str, url: str = SEARCH_URL) -> dict[str, ListingJob]:
    return {job.job_id: job for job in parse_listing(page, url).jobs}


# --- every card field ------------------------------------------------------------------------

CARDS = {
    "9400001": {
        "url": "https://builtin.com/job/perception-engineer/9400001",
        "title": "Perception Engineer",
        "company": "Quillfeather Labs",
        "position": 0,
        "work_type": "Hybrid",
        "location": "Berlin, Berlin, DEU",
        "pay": "179K-246K Annually",  # not the collapsed copy further down the card
        "level": "Senior level",
        "posted_text": "Posted 3 Days Ago",
    },
    "9400002": {
        "url": "https://builtin.com/job/llm-ops-engineer/9400002",
        "title": "LLM Ops Engineer",
        "company": "Nimbus Orchard",
        "position": 1,
        "work_type": "Remote",
        "location": "3 Locations",
        "pay": "100K+ Annually",
        "level": "Mid level",
        "posted_text": "Reposted Yesterday",
    },
    "9400003": {  # no tracking id: the id comes from the card id; company from the logo alt
        "url": "https://builtin.com/job/prompt-tools-engineer/9400003",
        "title": "Prompt & Tools Engineer",
        "company": "Olive & Oak Analytics",
        "position": 2,
        "work_type": "In-Office",
        "location": "USA",
        "pay": "40-60 Hourly",
        "level": "Internship",
        "posted_text": None,
    },
    "9400004": {
        "url": "https://builtin.com/job/retrieval-engineer/9400004",
        "title": "Retrieval Engineer",
        "company": "Tessellate Robotics",
        "position": 3,
        "work_type": "Remote or Hybrid",
        "location": "New York, NY, USA",
        "pay": None,
        "level": "Expert/Leader",
        "posted_text": None,
    },
    "9400005": {  # only in the ItemList: relative URL resolved, query and fragment kept
        "url": "https://builtin.com/job/speech-scientist/9400005?utm=list#top",
        "title": "Speech Scientist",
        "company": None,
        "position": 4,
        "work_type": None,
        "location": None,
        "pay": None,
        "level": None,
        "posted_text": None,
    },
}


@pytest.mark.parametrize(
    ("job_id", "field", "expected"),
    [(job_id, field, value) for job_id, fields in CARDS.items() for field, value in fields.items()],
)
def test_search_page_job_field(job_id, field, expected):
    assert getattr(jobs_of("search_page.html")[job_id], field) == expected


def test_search_page_order_and_counts():
    page = parse_listing(fixture("search_page.html"), SEARCH_URL)
    assert [job.job_id for job in page.jobs] == list(CARDS)  # repeated card dropped
    assert [job.position for job in page.jobs] == list(range(5))
    assert (page.card_count, page.itemlist_count, page.recognized) == (5, 5, True)


@pytest.mark.parametrize(
    ("job_id", "field", "expected"),
    [
        ("9500001", "url", "https://www.builtinla.com/job/evaluation-scientist/9500001"),
        ("9500001", "location", "United States"),
        ("9500002", "url", "https://www.builtinla.com/job/vision-lead/9500002"),  # data-alias only
        ("9500002", "title", "Vision Lead"),
        ("9500002", "company", None),
    ],
)
def test_builtinla_page(job_id, field, expected):
    assert getattr(jobs_of("builtinla_last_page.html", LA_URL)[job_id], field) == expected


def test_card_without_any_id_is_counted_but_not_a_job():
    page = parse_listing(fixture("builtinla_last_page.html"), LA_URL)
    assert page.card_count == 3
    assert [job.job_id for job in page.jobs] == ["9500001", "9500002"]


@pytest.mark.parametrize(
    ("job_id", "url", "title"),
    [
        ("9600001", "https://builtin.com/job/ranking-engineer/9600001", "Ranking Engineer"),  # nested "item"
        ("9600002", "https://builtin.com/job/agent-engineer/9600002/", "Agent Engineer"),  # first entry wins
        ("9600003", "https://builtin.com/job/bare-url-entry/9600003", None),  # a bare URL string
    ],
)
def test_itemlist_only_page(job_id, url, title):
    job = jobs_of("itemlist_only.html")[job_id]
    assert (job.url, job.title) == (url, title)


def test_itemlist_only_page_counts():
    page = parse_listing(fixture("itemlist_only.html"), SEARCH_URL)
    assert [job.job_id for job in page.jobs] == ["9600001", "9600002", "9600003"]
    assert (page.card_count, page.itemlist_count, page.recognized) == (0, 5, True)


def test_itemlist_fills_a_card_without_title():
    page = fixture("search_page.html").replace(">Retrieval Engineer</a>", "></a>")
    assert jobs_of_text(page)["9400004"].title == "Retrieval Engineer"


def test_entity_escaped_itemlist_name_is_unescaped():
    page = fixture("itemlist_only.html").replace('"Ranking Engineer"', '"R&amp;D Engineer"')
    assert jobs_of_text(page)["9600001"].title == "R&D Engineer"


# --- next page and recognition ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "url", "next_url"),
    [
        (
            "search_page.html",
            SEARCH_URL,
            "https://builtin.com/jobs?search=AI+Engineer&city=Berlin&state=Berlin&country=DEU&allLocations=true&page=3",
        ),
        ("builtinla_last_page.html", LA_URL, None),  # disabled, href="#"
        ("itemlist_only.html", SEARCH_URL, None),  # no pager
    ],
)
def test_next_url(name, url, next_url):
    assert parse_listing(fixture(name), url).next_url == next_url


@pytest.mark.parametrize(
    ("link", "next_url"),
    [
        ('<a aria-label="Go to Next Page" href="?page=5">&gt;</a>', "https://www.builtinla.com/jobs?page=5"),
        ('<a aria-label="Go to Next Page" href="https://builtin.com/jobs?page=5">&gt;</a>',
         "https://builtin.com/jobs?page=5"),
        ('<a aria-label="Go to Next Page" aria-disabled="true" href="/jobs?page=5">&gt;</a>', None),
        ('<a aria-label="Go to Next Page" class="page-link disabled" href="/jobs?page=5">&gt;</a>', None),
        ('<a aria-label="Go to Next Page" href="javascript:void(0)">&gt;</a>', None),
        ('<a aria-label="Go to Next Page">&gt;</a>', None),
    ],
)
def test_next_url_shapes(link, next_url):
    page = fixture("itemlist_only.html").replace("</main>", link + "</main>")
    assert parse_listing(page, LA_URL).next_url == next_url


@pytest.mark.parametrize(
    ("page", "recognized"),
    [
        (fixture("search_page.html"), True),
        (fixture("itemlist_only.html"), True),
        (fixture("no_results.html"), True),  # an empty result list is still a result page
        ((FIXTURES / "detail" / "challenge.html").read_text(encoding="utf-8"), False),
        ("", False),
        ("<html><body><h1>Access denied</h1></body></html>", False),
    ],
    ids=["cards", "itemlist", "no-results", "challenge", "empty", "blocked"],
)
def test_recognized(page, recognized):
    parsed = parse_listing(page, SEARCH_URL)
    assert parsed.recognized is recognized
    if not recognized:
        assert (parsed.jobs, parsed.card_count, parsed.itemlist_count) == ([], 0, 0)


def test_dataclass_shapes():
    assert [f.name for f in dataclasses.fields(ListingJob)] == [
        "job_id", "url", "title", "company", "position", "work_type", "location", "pay", "level", "posted_text",
    ]
    assert {"jobs", "next_url", "itemlist_count", "card_count"} <= {f.name for f in dataclasses.fields(ListingPage)}


# --- never raises ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "junk",
    [
        None,
        b"\xff\xfe\x00<div data-id='job-card'>",
        "\ud800<div data-id='job-card' id='job-card-12'></div>",
        '<script type="application/ld+json">{"@type":"ItemList","itemListElement":7}</script>',
        '<script type="application/ld+json">'
        '{"@type":"ItemList","itemListElement":[null,1,{"url":5},{"item":[]}]}</script>',
        "<div data-id='job-card'>" * 20_000,
    ],
)
def test_never_raises_on_junk(junk):
    assert isinstance(parse_listing(junk, None), ListingPage)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(), st.text(max_size=40))
def test_parse_listing_never_raises_on_text(text, url):
    page = parse_listing(text, url)
    assert page.recognized in (True, False)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.sampled_from(re.findall(r"<[^>]+>|[^<]+", fixture("search_page.html"))), max_size=80))
def test_parse_listing_never_raises_on_shuffled_markup(pieces):
    page = parse_listing("".join(pieces), SEARCH_URL)
    assert len({job.job_id for job in page.jobs}) == len(page.jobs)
