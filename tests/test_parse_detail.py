"""parse_detail, job_id_from_url and has_job_posting on synthetic builtin.com job pages.

Fixtures under tests/fixtures/detail/ reproduce the real markup (layouts, icons,
tooltips, entity-encoded script type) with invented companies and text:

* match_basic.html    builtin.com layout, one Place, salary, company card, Similar Jobs
* match_multi.html    3 locations in a ``title`` tooltip, comma-joined chip, bare-string
                      industry, identifier differing from the URL id, 2M-3M pay, no HQ
* header_remote.html  www.builtinla.com layout, "Hiring Remotely in", mobile copy,
                      hourly salary, noindex, a Similar Jobs card with "N Employees"
* challenge.html      a bot-challenge page without JSON-LD
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobcrawler.items import JobItem
from jobcrawler.parsing.detail import has_job_posting, job_id_from_url, parse_detail

FIXTURES = Path(__file__).parent / "fixtures" / "detail"
URL = "https://builtin.com/job/some-role/9100001"
_NAMES = [f.name for f in dataclasses.fields(JobItem)]
PAGE_FIELDS = _NAMES[_NAMES.index("template") : _NAMES.index("description_html") + 1]
_LD_SCRIPT = re.compile(r'(<script type="application/ld&#x2B;json">)(.*?)(</script>)', re.S)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def posting_of(name: str) -> dict:
    """The JobPosting of a fixture, to derive JSON-LD variants from."""
    return json.loads(_LD_SCRIPT.search(fixture(name)).group(2))["@graph"][0]


def with_jsonld(name: str, body: str) -> str:
    """The fixture with its JSON-LD script body replaced."""
    return _LD_SCRIPT.sub(lambda m: m.group(1) + body + m.group(3), fixture(name), count=1)


def with_posting(name: str, **changes) -> str:
    """The fixture with JobPosting keys changed (a value of None removes the key)."""
    posting = {**posting_of(name), **changes}
    posting = {key: value for key, value in posting.items() if value is not None}
    return with_jsonld(name, json.dumps({"@context": "https://schema.org", "@graph": [posting]}))


# --- every field of every fixture ------------------------------------------------------

EXPECTED = {
    "match_basic.html": {
        "template": "match",
        "canonical_url": "https://builtin.com/job/applied-ml-engineer/9100001",
        "title": "Applied ML Engineer  (Search & Ranking)",  # JSON-LD as written: double space
        "company": "Olive & Oak Analytics",
        "company_url": "https://builtin.com/company/olive-oak-analytics",
        "jsonld_identifier": "9100001",
        "date_posted": "2026-02-17",
        "valid_through": "2026-03-19T00:01:02+00:00",
        "posted_text": "Reposted 10 Days Ago",
        "reposted": True,
        "employment_type": "FULL_TIME",
        "job_location_type": None,
        "work_type": "Hybrid",
        "remote_hiring": False,
        "locations": [
            {
                "locality": "Fresno",
                "region": "CA",
                "country": "USA",
                "postal_code": "93650",
                "street": "12 Orchard Row",
            }
        ],
        "location_labels": ["Fresno, CA, USA"],
        "applicant_countries": ["USA"],
        "salary": {"currency": "USD", "min": 135000, "max": 203000, "unit": "YEAR"},
        "compensation_text": "135K-203K Annually",
        "months_of_experience": 108,
        "level": "Senior level",
        "industries": ["Agriculture", "Artificial Intelligence", "Software"],
        "top_skills": ["Python", "C", "Pytorch", "Ci/Cd", "Python"],  # one-letter and repeats kept
        "company_size": "85 Employees",  # not the Similar Jobs card's "4,000 Employees"
        "company_hq": "Fresno, California",
        "year_founded": "2019",
        "easy_apply": True,
        "robots_noindex": False,
        "description_html": (
            "<p><p>Olive &amp; Oak builds forecasting tools for&nbsp;orchards.</p></p>"
            "<ul><li>Ship models</li></ul>"
            '<p>Write to <a href="mailto:jobs@example.org">jobs@example.org</a></p>'
        ),
    },
    "match_multi.html": {
        "template": "match",
        "canonical_url": "https://builtin.com/job/agent-platform-engineer/3300007",
        "title": "Agent Platform Engineer",
        "company": "Tessellate Robotics",
        "company_url": "https://builtin.com/company/tessellate-robotics",
        "jsonld_identifier": "4400008",  # old posting: differs from the URL id 3300007
        "date_posted": "2026-02-26",
        "valid_through": "2026-03-28T08:00:00+00:00",
        "posted_text": "Posted Yesterday",
        "reposted": False,
        "employment_type": "FULL_TIME",
        "job_location_type": None,
        "work_type": "In-Office",
        "remote_hiring": False,
        "locations": [
            {"locality": "Pune", "region": "Maharashtra", "country": "IND", "postal_code": None, "street": None},
            {"locality": "Val-d'Or", "region": "Quebec", "country": "CAN", "postal_code": None, "street": None},
            {"locality": None, "region": "Ohio", "country": "USA", "postal_code": None, "street": None},
        ],
        "location_labels": ["Pune, Maharashtra, IND", "Val-d'Or, QC, CAN", "OH, USA"],
        "applicant_countries": ["IND", "CAN", "USA"],
        "salary": None,
        "compensation_text": "2M-3M Annually",
        "months_of_experience": 60,
        "level": "Mid level",
        "industries": ["Robotics"],  # a bare string in JSON-LD
        "top_skills": ["Ros", "Langgraph", "Edge Hosting (Fly", "Deno)", "R", "Kubernetes"],
        "company_size": "12 Employees",
        "company_hq": None,
        "year_founded": None,
        "easy_apply": False,
        "robots_noindex": False,
        "description_html": "<p>Robots that tidy warehouses &amp; docks.</p>",
    },
    "header_remote.html": {
        "template": "header",
        "canonical_url": "https://www.builtinla.com/job/evaluation-scientist-llms/9300003",
        "title": "Evaluation Scientist, LLMs",
        "company": "Brambleworks",
        "company_url": "https://builtin.com/company/brambleworks",
        "jsonld_identifier": "9300003",
        "date_posted": "2026-02-20",
        "valid_through": "2026-03-22T12:00:00+00:00",
        "posted_text": "Posted 7 Days Ago",
        "reposted": False,
        "employment_type": "CONTRACTOR",
        "job_location_type": "TELECOMMUTE",
        "work_type": "Remote",  # not the mobile copy
        "remote_hiring": True,
        "locations": [{"locality": None, "region": None, "country": "USA", "postal_code": None, "street": None}],
        "location_labels": ["United States"],
        "applicant_countries": ["USA"],
        "salary": {"currency": "USD", "min": 30, "max": 70, "unit": "HOUR"},
        "compensation_text": "30-70 Hourly",
        "months_of_experience": 24,
        "level": "Junior",
        "industries": ["Machine Learning", "Consulting"],
        "top_skills": ["Evals", "Vector Search (Ann)", "Statistics"],
        "company_size": None,  # no company card; the Similar Jobs card's count is not it
        "company_hq": None,
        "year_founded": None,
        "easy_apply": False,
        "robots_noindex": True,
        "description_html": "<p>Measure what models\u00a0know &lt;and&gt; don&#39;t.</p>",
    },
    "challenge.html": {
        **{field: None for field in PAGE_FIELDS},
        **{"locations": [], "location_labels": [], "applicant_countries": []},
        **{"industries": [], "top_skills": [], "robots_noindex": True},
    },
}


@pytest.mark.parametrize(
    ("name", "field", "expected"),
    [(name, field, value) for name, fields in EXPECTED.items() for field, value in fields.items()],
    ids=lambda value: value if isinstance(value, str) and len(value) < 40 else None,
)
def test_field(name, field, expected):
    assert parse_detail(fixture(name), URL)[field] == expected


@pytest.mark.parametrize("name", list(EXPECTED))
def test_returns_exactly_the_page_fields_of_jobitem(name):
    assert list(parse_detail(fixture(name), URL)) == PAGE_FIELDS


# --- header values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pay",
    ["135K-203K Annually", "2M-3M Annually", "5-10 Annually", "30-70 Hourly", "100K+ Annually", "6-6 Annually"],
)
def test_compensation_text_shapes_are_kept_as_shown(pay):
    page = fixture("match_basic.html").replace("135K-203K Annually", pay, 1)
    assert parse_detail(page, URL)["compensation_text"] == pay


@pytest.mark.parametrize(
    ("badge", "reposted"),
    [
        ("Reposted 10 Days Ago", True),
        ("Reposted Yesterday", True),
        ("Reposted 5 Hours Ago", True),
        ("Posted 3 Days Ago", False),
        ("Posted Yesterday", False),
    ],
)
def test_posted_badge(badge, reposted):
    page = fixture("match_basic.html").replace("Reposted 10 Days Ago", badge)
    parsed = parse_detail(page, URL)
    assert (parsed["posted_text"], parsed["reposted"]) == (badge, reposted)


@pytest.mark.parametrize(
    ("label_html", "labels", "remote"),
    [
        ("<span>Mysuru, Mysuru District, Karnataka</span>", ["Mysuru, Mysuru District, Karnataka"], False),
        ("<span>Hiring Remotely in </span>\n<span>India</span>", ["India"], True),
        # header layout writes the tooltip into data-bs-title
        (
            '<span data-bs-toggle="tooltip" data-html="true" data-bs-title="&lt;div class=&#x27;row&#x27;&gt;'
            "&lt;div class=&#x27;col-lg-6&#x27;&gt;Leeds, GBR&lt;/div&gt;&lt;div class=&#x27;col-lg-6&#x27;&gt;"
            'Z&amp;#xFC;rich, CHE&lt;/div&gt;&lt;/div&gt;">2 Locations</span>',
            ["Leeds, GBR", "Zürich, CHE"],
            False,
        ),
        ("<span>4 Locations</span>", [], False),  # a count without its tooltip names no place
    ],
)
def test_location_labels(label_html, labels, remote):
    page = fixture("match_basic.html").replace("<span>Fresno, CA, USA</span>", label_html)
    parsed = parse_detail(page, URL)
    assert (parsed["location_labels"], parsed["remote_hiring"]) == (labels, remote)


@pytest.mark.parametrize(
    ("chips", "skills"),
    [
        (["Python"], ["Python"]),
        (["Node.Js,Mongodb,Vue.Js"], ["Node.Js", "Mongodb", "Vue.Js"]),
        (["Sql, Dbt ,, Airflow,"], ["Sql", "Dbt", "Airflow"]),
        (["Go", "Go", "R"], ["Go", "Go", "R"]),
        ([], []),
    ],
)
def test_top_skills(chips, skills):
    chip = '<div class="py-xs px-sm d-inline-block rounded-3 fs-sm text-nowrap border">{}</div>'
    page = re.sub(
        r'(<div class="d-flex gap-sm flex-wrap">).*?(</div></div>\n)',
        lambda m: m.group(1) + "".join(chip.format(c) for c in chips) + m.group(2),
        fixture("match_basic.html"),
        count=1,
    )
    assert parse_detail(page, URL)["top_skills"] == skills


def test_no_top_skills_section():
    page = fixture("match_basic.html").replace(">Top Skills<", ">Perks<")
    assert parse_detail(page, URL)["top_skills"] == []


def test_missing_company_card():
    page = fixture("match_basic.html").replace(">The Company<", ">About<")
    parsed = parse_detail(page, URL)
    assert (parsed["company_size"], parsed["company_hq"], parsed["year_founded"]) == (None, None, None)


def test_entities_in_title_and_description():
    parsed = parse_detail(fixture("match_basic.html"), URL)
    assert "&" in parsed["title"] and "&amp;" not in parsed["title"]
    assert "&amp;" in parsed["description_html"] and "&nbsp;" in parsed["description_html"]


# --- JSON-LD shapes -------------------------------------------------------------------------

_BASIC = posting_of("match_basic.html")


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"industry": "Agriculture"}, "industries", ["Agriculture"]),
        ({"industry": ["Agriculture", "Software"]}, "industries", ["Agriculture", "Software"]),
        ({"industry": None}, "industries", ["Agriculture", "Artificial Intelligence", "Software"]),
        ({"jobLocation": [_BASIC["jobLocation"]] * 2}, "locations", [EXPECTED["match_basic.html"]["locations"][0]] * 2),
        ({"jobLocation": {"address": [{"addressCountry": {"@type": "Country", "name": "DEU"}}]}}, "locations",
         [{"locality": None, "region": None, "country": "DEU", "postal_code": None, "street": None}]),
        ({"jobLocation": None}, "locations", []),
        ({"jobLocation": "Berlin"}, "locations",
         [{"locality": None, "region": None, "country": None, "postal_code": None, "street": None}]),
        ({"applicantLocationRequirements": [{"name": "USA"}, {"name": "CAN"}]}, "applicant_countries", ["USA", "CAN"]),
        ({"applicantLocationRequirements": "GBR"}, "applicant_countries", ["GBR"]),
        ({"identifier": 123}, "jsonld_identifier", "123"),
        ({"identifier": {"value": 4519666}}, "jsonld_identifier", "4519666"),
        ({"experienceRequirements": {"monthsOfExperience": "60"}}, "months_of_experience", 60),
        ({"experienceRequirements": "3 years"}, "months_of_experience", None),
        ({"employmentType": ["FULL_TIME", "PART_TIME"]}, "employment_type", "FULL_TIME, PART_TIME"),
        ({"datePosted": "2026-02-17T09:30:00+00:00"}, "date_posted", "2026-02-17"),
        ({"title": "  "}, "title", "Applied ML Engineer (Search & Ranking)"),  # falls back to the h1
        ({"hiringOrganization": None}, "company", "Olive & Oak Analytics"),  # falls back to the header
        ({"hiringOrganization": None}, "company_url", "https://builtin.com/company/olive-oak-analytics"),
        ({"hiringOrganization": "Acme Orchards"}, "company", "Acme Orchards"),
        ({"hiringOrganization": "Acme Orchards"}, "company_url", "https://builtin.com/company/olive-oak-analytics"),
        ({"hiringOrganization": [{"name": "Acme Orchards", "sameAs": "https://example.org/acme"}]}, "company_url",
         "https://example.org/acme"),
        ({"baseSalary": {"currency": "USD",
                         "value": {"minValue": "120,000", "maxValue": "150000.0", "unitText": "YEAR"}}},
         "salary", {"currency": "USD", "min": 120000, "max": 150000, "unit": "YEAR"}),
        ({"baseSalary": {"currency": "EUR", "value": {"value": 52.5, "unitText": "HOUR"}}},
         "salary", {"currency": "EUR", "min": 52.5, "max": 52.5, "unit": "HOUR"}),
        ({"baseSalary": {"currency": "USD", "minValue": 1, "maxValue": 2, "unitText": "MONTH"}},
         "salary", {"currency": "USD", "min": 1, "max": 2, "unit": "MONTH"}),
        ({"baseSalary": {"currency": "USD", "value": {"minValue": "n/a"}}}, "salary", None),
        ({"baseSalary": [{"currency": "USD", "value": 90000}]}, "salary",
         {"currency": "USD", "min": 90000, "max": 90000, "unit": None}),
        ({"jobLocationType": "TELECOMMUTE"}, "job_location_type", "TELECOMMUTE"),
    ],
)
def test_jsonld_shapes(changes, field, expected):
    assert parse_detail(with_posting("match_basic.html", **changes), URL)[field] == expected


@pytest.mark.parametrize(
    "body",
    [
        json.dumps(_BASIC),  # no @graph
        json.dumps([_BASIC]),  # top-level list
        json.dumps({"@graph": _BASIC}),  # @graph as an object
        json.dumps({"@graph": [{"@type": "Organization", "name": "X"}, {**_BASIC, "@type": ["Thing", "JobPosting"]}]}),
        json.dumps({"@graph": [{**_BASIC, "@type": "schema:JobPosting"}]}),
        "<!--" + json.dumps({"@graph": [_BASIC]}) + "-->",
        json.dumps({"@graph": [_BASIC]})[:-3] + ",},]}",  # trailing commas
        json.dumps({"@graph": [_BASIC]}).replace('"', "&quot;"),  # entity-escaped body
    ],
    ids=["no-graph", "list", "graph-object", "type-list", "prefixed-type", "comment", "trailing-comma", "escaped"],
)
def test_tolerant_jsonld(body):
    parsed = parse_detail(with_jsonld("match_basic.html", body), URL)
    assert parsed["title"] == _BASIC["title"]
    assert parsed["salary"] == EXPECTED["match_basic.html"]["salary"]


@pytest.mark.parametrize(
    "body",
    [
        '{"@graph": [{"@type": "JobPosting", "title": "Cut off',  # truncated
        "not json at all",
        "",
        json.dumps({"@graph": [{"@type": "Organization", "name": "Someone Else"}]}),
        json.dumps({"@graph": [{"@type": "JobPosting", "title": 7, "hiringOrganization": [], "jobLocation": 5}]}),
        "[" * 5000 + "]" * 5000,
    ],
    ids=["truncated", "garbage", "empty", "not-a-posting", "wrong-types", "deep"],
)
def test_bad_jsonld_falls_back_to_the_header(body):
    parsed = parse_detail(with_jsonld("match_basic.html", body), URL)
    assert parsed["company"] == "Olive & Oak Analytics"
    assert parsed["level"] == "Senior level"
    assert parsed["industries"] == ["Agriculture", "Artificial Intelligence", "Software"]
    assert parsed["top_skills"][0] == "Python"
    assert parsed["title"] in ("Applied ML Engineer (Search & Ranking)", "7")


def test_page_without_jsonld_reads_the_header_and_body():
    page = _LD_SCRIPT.sub("", fixture("header_remote.html"))
    parsed = parse_detail(page, URL)
    assert parsed["title"] == "Evaluation Scientist, LLMs"
    assert parsed["company"] == "Brambleworks"
    assert parsed["company_url"] == "https://builtin.com/company/brambleworks"
    assert parsed["work_type"] == "Remote"
    assert parsed["locations"] == [] and parsed["salary"] is None
    assert parsed["description_html"] == "<p>Measure what models know &lt;and&gt; don't.</p>"


def test_unrecognised_top_card_reads_icons_before_the_body_only():
    page = fixture("match_basic.html").replace("match-background", "hero-v2")
    parsed = parse_detail(page, URL)
    assert parsed["template"] is None
    assert (parsed["level"], parsed["compensation_text"]) == ("Senior level", "135K-203K Annually")
    assert parsed["company_size"] == "85 Employees"


def test_five_megabyte_page():
    filler = '<div class="d-flex"><i class="fa-regular fa-trophy"></i><span>Filler level</span></div>\n'
    page = fixture("match_basic.html").replace("</main>", filler * 60_000 + "</main>")
    assert len(page) > 5_000_000
    start = time.perf_counter()
    parsed = parse_detail(page, URL)
    assert time.perf_counter() - start < 10
    assert parsed["level"] == "Senior level" and parsed["company_size"] == "85 Employees"


@pytest.mark.parametrize(
    "junk",
    [
        "",
        " ",
        "\x00\x01\x02",
        "\ud800 lone surrogate <h1>x</h1>",
        b"\xff\xfe<html>\x80\x81 not utf-8</html>",
        "<?xml version='1.0' encoding='latin-1'?><a>b</a>",
        "<html><head><script type='application/ld+json'>{\"@type\": \"JobPosting\"",
        "<script" * 10_000,
        None,
    ],
)
def test_never_raises_on_junk(junk):
    parsed = parse_detail(junk, "not a url")
    assert list(parsed) == PAGE_FIELDS


# --- job_id_from_url and has_job_posting -------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "job_id"),
    [
        ("https://www.builtinla.com/job/1027-ai-engineer-backend-focus/8591405", "8591405"),
        ("https://builtin.com/job/ai-engineer/8591405?utm_source=x&page=2", "8591405"),
        ("https://builtin.com/job/ai-engineer/8591405#apply", "8591405"),
        ("https://builtin.com/job/ai-engineer/8591405/", "8591405"),
        ("/job/ai-engineer/8591405", "8591405"),
        ("https://builtin.com/jobs?search=AI+Engineer", None),
        ("https://builtin.com/job/ai-engineer-2", None),
        ("https://builtin.com/job/x/８５９", None),  # full-width digits are not an id
        ("http://[::1", None),
        ("", None),
        (None, None),
    ],
)
def test_job_id_from_url(url, job_id):
    assert job_id_from_url(url) == job_id


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (fixture("match_basic.html"), True),
        (fixture("header_remote.html"), True),
        (fixture("challenge.html"), False),
        (fixture("match_basic.html").partition('"hiringOrganization"')[0], False),  # cut inside the JSON-LD
        (with_posting("match_basic.html", title=None), False),
        (with_jsonld("match_basic.html", json.dumps({"@type": "Organization", "name": "JobPosting"})), False),
        ("JobPosting", False),
        ("", False),
        (None, False),
        (fixture("match_basic.html").replace("ld&#x2B;json", "ld+json"), True),
        (fixture("match_basic.html").replace('"application/ld&#x2B;json"', "'application/ld&#43;json'"), True),
    ],
    ids=["match", "header", "challenge", "truncated", "no-title", "other-type", "word-only", "empty", "none",
         "plain-plus", "decimal-entity"],
)
def test_has_job_posting(page, expected):
    assert has_job_posting(page) is expected


# --- never raises ----------------------------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
_KEYS = st.sampled_from(
    ["title", "hiringOrganization", "identifier", "datePosted", "employmentType", "jobLocation",
     "applicantLocationRequirements", "baseSalary", "experienceRequirements", "industry", "description",
     "jobLocationType", "validThrough", "@graph", "@type", "name", "value", "address", "minValue"]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text())
def test_parse_detail_never_raises_on_text(text):
    assert list(parse_detail(text, "https://builtin.com/job/x/1")) == PAGE_FIELDS
    has_job_posting(text)
    job_id_from_url(text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.dictionaries(_KEYS, _JSON, max_size=8), st.sampled_from(["match_basic.html", "header_remote.html"]))
def test_parse_detail_never_raises_on_any_jsonld(posting, name):
    body = json.dumps({"@graph": [{"@type": "JobPosting", **posting}]})
    page = with_jsonld(name, body)
    assert list(parse_detail(page, URL)) == PAGE_FIELDS
    has_job_posting(page)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.sampled_from(re.findall(r"<[^>]+>|[^<]+", fixture("match_multi.html"))), max_size=80))
def test_parse_detail_never_raises_on_shuffled_markup(pieces):
    assert list(parse_detail("".join(pieces), URL)) == PAGE_FIELDS


# --- reading only the part of the page above "Similar Jobs" ------------------------------

@pytest.mark.parametrize(
    "page, cut",
    [
        ('<div id="job-post-body-1">b</div><h2>Top Skills</h2><div>The Company</div><h2>Similar Jobs</h2><i>x</i>', True),
        ('<div id="job-post-body-1">b</div><h2 class="m">Similar Jobs at Acme</h2><i>x</i>', True),
        ('<h2>Similar Jobs</h2><span>Top Skills:</span>', True),  # a card's label, not the section
        ('<div id="job-post-body-1">b</div><h2>Similar Jobs</h2><h2>Top Skills</h2>', False),  # skills below
        ('<h2>Similar Jobs</h2><div id="job-post-body-1">b</div>', False),  # the body below
        ('<h2>Similar Jobs</h2><div>The Company</div>', False),  # the company card below
        ('<div id="job-post-body-1">b</div><h2>Top Skills</h2>', False),  # no such section
        ('<h2>Similar Jobs</h2><h2> Top Skills </h2>', False),  # spaced as normalize-space() reads it
        ('<h2>Similar Jobs</h2><script type="application/ld&#x2B;json">{}</script>', False),  # JSON-LD below
        ('<h2>Similar Jobs</h2><script type="application/ld+json">{}</script>', False),
    ],
)  # fmt: skip
def test_read_part(page, cut):
    from jobcrawler.parsing.detail import _read_part

    assert _read_part(page) == (page[: page.index(">Similar Jobs")] if cut else page)


@pytest.mark.parametrize("name", ["match_basic.html", "header_remote.html", "match_multi.html"])
def test_a_similar_jobs_section_anywhere_loses_no_field(name):
    page = fixture(name)
    early = page.replace("<body", '<h2 class="x">Similar Jobs</h2><body', 1)  # above everything read
    assert parse_detail(early, URL) == parse_detail(page, URL)


@pytest.mark.parametrize("name", ["match_basic.html", "header_remote.html"])
def test_reading_above_similar_jobs_reads_what_the_whole_page_gives(name, monkeypatch):
    import jobcrawler.parsing.detail as detail

    page = fixture(name)
    assert len(detail._read_part(page)) < len(page)  # these fixtures are cut
    cut = parse_detail(page, URL)
    monkeypatch.setattr(detail, "_SIMILAR_HEADING", "\x00 never found")  # the whole page
    assert parse_detail(page, URL) == cut
