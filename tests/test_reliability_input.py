"""Bad input through the spider's detail callback and the whole item pipeline into SQLite.

Each page gives a stored posting with what could be read, or a counted, logged drop with its
reason, never an exception. The pipeline chain fed arbitrary, mangled items (hypothesis) raises
nothing but a DropItem whose reason is counted.
"""

from __future__ import annotations

import json
import logging
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse

from jobcrawler.items import JobItem, JobSighting
from jobcrawler.pipelines import FIELD_TYPES, coerce_fields
from jobcrawler.replay import pages as replay_pages
from tests.helpers import BASE, CATALOG, POSTINGS, Harness, page, rows

H1_TEXT = re.compile(r"(<h1\b[^>]*>\s*<span\b[^>]*>)[^<]*")


def without_h1_title(html: str) -> str:
    """The page with its <h1> title text removed."""
    blank, found = H1_TEXT.subn(r"\1", html, count=1)
    assert found
    return blank


def count(harness, key: str) -> int:
    return harness.stats.get(key, 0)


# --- pages ----------------------------------------------------------------------------------


def test_a_clean_page_is_stored_whole(harness):
    posting = POSTINGS[0]
    status, row = harness.fetch(posting, page(posting))
    assert status == "stored"
    assert row["title_raw"] == posting.title and row["company"] == posting.company.name
    assert row["description"] and row["posted_date"] == posting.date_posted.isoformat()


@pytest.mark.parametrize("body", ["{not json", '{"@graph": [{"@type": "JobPosting", "title": ', "", "null"])
def test_malformed_jsonld_stores_what_the_html_shows(harness, body):
    posting = POSTINGS[0]
    status, row = harness.fetch(posting, page(posting, body=body))
    assert status == "stored"
    assert row["title_raw"] == posting.title and row["company"] == posting.company.name  # from the header
    assert row["description"] and row["work_type"] == posting.work_type
    assert count(harness, "items/without_jsonld") == 1


def test_missing_graph_is_read(harness):
    posting = POSTINGS[1]
    node = {"@context": "https://schema.org", **replay_pages.job_posting_jsonld(posting)}
    status, row = harness.fetch(posting, page(posting, body=json.dumps(node)))
    assert status == "stored" and row["title_raw"] == posting.title
    assert row["posted_date"] == posting.date_posted.isoformat()
    assert count(harness, "items/without_jsonld") == 0


def test_wrongly_typed_fields_are_read_as_far_as_they_go(harness):
    posting = POSTINGS[2]

    def change(node):
        node["title"] = [posting.title, "Other"]  # list for string
        node["hiringOrganization"] = "Acme Typed"  # string for object
        node["jobLocation"] = {"@type": "Place", "address": {"addressLocality": "Berlin", "addressCountry": "DE"}}
        node["employmentType"] = ["FULL_TIME", "CONTRACTOR"]
        node["industry"] = "Robotics"  # string for list
        node["datePosted"] = 20240101  # number for string
        node["baseSalary"] = [{"currency": "EUR", "value": {"minValue": "70000", "maxValue": 90000,
                                                            "unitText": "YEAR"}}]
        node["experienceRequirements"] = "3 years"
        node["identifier"] = 12345
        node["applicantLocationRequirements"] = {"name": "Germany"}

    status, row = harness.fetch(posting, page(posting, change))
    assert status == "stored"
    assert row["title_raw"] == posting.title and row["company"] == "Acme Typed"
    assert row["employment_type"] == "FULL_TIME, CONTRACTOR" and json.loads(row["industries"]) == ["Robotics"]
    assert (row["salary_min"], row["salary_max"], row["salary_currency"]) == (70000, 90000, "EUR")
    assert row["country"] == "DEU" and row["months_of_experience"] is None and row["jsonld_identifier"] == "12345"


@pytest.mark.parametrize("amount", [0, 10**12, -5])
def test_absurd_salary_is_not_stored_and_is_counted(harness, amount, caplog):
    posting = next(p for p in CATALOG.postings.values() if p.salary)

    def change(node):
        node["baseSalary"]["value"].update(minValue=amount, maxValue=amount)

    with caplog.at_level(logging.INFO):
        status, row = harness.fetch(posting, page(posting, change))
    assert status == "stored" and row["salary_min"] is None and row["salary_max"] is None
    assert row["salary_text"] == posting.compensation_text  # what the page showed is kept
    assert count(harness, "normalize/salary/implausible_salary") == 1
    assert "implausible_salary" in caplog.text


def test_date_in_the_future_falls_back_to_the_badge_and_is_counted(harness):
    posting = POSTINGS[3]
    status, row = harness.fetch(posting, page(posting, lambda node: node.update(datePosted="2999-01-01")))
    assert status == "stored" and row["posted_date"] is not None and row["posted_date"] < "2999"
    assert count(harness, "normalize/dates/implausible_date_posted") == 1


def test_206_locations_are_all_kept(harness):
    posting = POSTINGS[0]
    places = [{"@type": "Place", "address": {"addressLocality": f"Town {i}", "addressCountry": "USA"}}
              for i in range(206)]
    status, row = harness.fetch(posting, page(posting, lambda node: node.update(jobLocation=places)))
    assert status == "stored" and row["location"] == "206 Locations" and row["country"] == "USA"
    assert rows(harness.db, "SELECT count(*) n FROM job_locations WHERE job_id = ?", [posting.job_id])[0]["n"] == 206


def test_empty_title_falls_back_to_the_header_then_the_listing(harness):
    posting = POSTINGS[1]
    status, row = harness.fetch(posting, page(posting, lambda node: node.update(title="")))
    assert status == "stored" and row["title_raw"] == posting.title  # the page's <h1>
    posting = POSTINGS[2]  # another job: the same one again would be a duplicate of this run
    blank = without_h1_title(page(posting, lambda node: node.update(title=" ")))
    status, row = harness.fetch(posting, blank, listing_title="From The Listing")
    assert status == "stored" and row["title"] == "From The Listing"


def test_a_posting_without_any_title_is_a_counted_drop(harness, caplog):
    posting = POSTINGS[1]
    blank = without_h1_title(page(posting, lambda node: node.update(title=" ")))
    with caplog.at_level(logging.INFO):
        status, reason = harness.fetch(posting, blank, listing_title=None)
    assert (status, reason) == ("dropped", "missing_title")
    assert rows(harness.db, "SELECT count(*) n FROM jobs")[0]["n"] == 0


def test_non_utf8_bytes_are_replaced_not_fatal(harness):
    posting = POSTINGS[4]
    body = page(posting).encode("utf-8").replace(b"</h1>", b"\xff\xfe\xc3(</h1>", 1)
    body = body.replace(b'"description":"', b'"description":"\xe9\x80 caf\xe9 ', 1)
    status, row = harness.fetch(posting, body)
    assert status == "stored" and row["title"] and row["description"]
    assert "\ufffd" in row["description"]


def test_a_lone_surrogate_escaped_in_jsonld_is_stored(harness):
    posting = POSTINGS[4]
    body = page(posting).replace('"title":"', '"title":"\\ud800 ', 1)
    status, row = harness.fetch(posting, body)
    assert status == "stored" and row["title_raw"].endswith(posting.title)
    assert count(harness, "normalize/coerced/title") == 1


def test_five_megabyte_page_is_stored_quickly(harness):
    posting = POSTINGS[5]
    filler = "<p>" + "Lorem ipsum dolor sit amet. " * 40 + "</p>"
    html = page(posting)
    cut = html.index("</main>")
    html = html[:cut] + filler * (5_000_000 // len(filler)) + html[cut:]
    assert len(html) > 5_000_000
    started = time.monotonic()
    status, row = harness.fetch(posting, html)
    assert status == "stored" and row["title_raw"] == posting.title
    assert time.monotonic() - started < 30


def test_markup_and_script_in_title_and_description_are_removed_from_text(harness):
    posting = POSTINGS[0]

    def change(node):
        node["title"] = "<b>Senior</b> AI Engineer <script>alert('t')</script>"
        node["description"] = ("<p>Build <i>models</i>.</p><script>alert('d')</script><style>p{}</style>"
                               "<ul><li>Go</li></ul>")

    status, row = harness.fetch(posting, page(posting, change))
    assert status == "stored"
    assert row["title"] == "Senior AI Engineer"
    assert "alert" not in row["description"] and "<" not in row["description"]
    assert "Build models." in row["description"] and "- Go" in row["description"]
    assert row["title_raw"].startswith("<b>")  # the raw title is kept as the page wrote it


@pytest.mark.parametrize("kind", ["challenge", "truncated"])
def test_block_and_cut_pages_are_retried_then_given_up_never_stored(harness, kind):
    posting = POSTINGS[0]
    html = replay_pages.challenge_page() if kind == "challenge" else page(posting)[:-2000]
    status, retry = harness.fetch(posting, html)
    assert status == "retry" and retry.meta["retry_times"] == 1
    url = BASE + posting.path
    response = HtmlResponse(url, body=html.encode(), request=retry, headers={"Content-Type": "text/html"})
    outputs = list(harness.spider.parse_detail_page(response))  # RETRY_TIMES=1: this try was the last
    assert len(outputs) == 1 and isinstance(outputs[0], JobSighting)  # still recorded as listed
    reason = "no_job_posting" if kind == "challenge" else "truncated_page"
    assert count(harness, f"retry/gave_up/{reason}") == 1
    assert rows(harness.db, "SELECT count(*) n FROM jobs")[0]["n"] == 0


def test_a_page_cut_after_its_jsonld_is_not_stored_half_read(harness):
    posting = POSTINGS[2]
    html = page(posting)
    cut = html[: html.index("job-post-body-")]  # JSON-LD whole, header and body cut
    status, retry = harness.fetch(posting, cut)
    assert status == "retry"
    assert count(harness, "retry/reason_count/truncated_page") == 1


# --- the pipeline chain on arbitrary items ---------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
    | st.sampled_from(["<b>x</b>", "<script>alert(1)</script>", "\ud800", "2999-01-01", "1e12", "  ", "Remote"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
SALARY = st.fixed_dictionaries({}, optional={k: JSON for k in ("currency", "min", "max", "unit")})
PLACE = st.fixed_dictionaries({}, optional={k: JSON for k in ("locality", "region", "country", "postal_code")})
FIELD_VALUES = {name: JSON for name in FIELD_TYPES} | {
    "salary": SALARY | JSON,
    "locations": st.lists(PLACE | JSON, max_size=5) | JSON,
    "date_posted": st.dates().map(str) | JSON,
    "company_size": st.integers(0, 10**7).map(lambda n: f"{n} Employees") | JSON,
}
ITEMS = st.fixed_dictionaries(
    {"job_id": st.from_regex(r"\A[0-9]{1,12}\Z") | JSON, "city": st.sampled_from(["berlin", "london"])},
    optional={name: value for name, value in FIELD_VALUES.items() if name not in ("job_id", "city")},
)


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    return Harness(tmp_path_factory.mktemp("chain") / "jobs.db")


def assert_stored_or_counted_drop(chain, item) -> None:
    try:
        out = chain.process(item)
    except DropItem as drop:
        reason = str(drop).split(":", 1)[0]
        assert chain.stats.get(f"items/dropped/{reason}") or chain.stats.get(f"items/filtered/{reason}"), reason
        return
    assert isinstance(out, (dict, JobItem, JobSighting))
    job_id = out.job_id if isinstance(out, (JobItem, JobSighting)) else out["job_id"]
    assert rows(chain.db, "SELECT count(*) n FROM jobs WHERE job_id = ?", [job_id])[0]["n"] == 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ITEMS)
def test_pipeline_chain_never_raises_on_mangled_dict_items(chain, item):
    errors = {key: chain.stats.get(key, 0) for key in ("items/dropped/pipeline_error", "items/dropped/store_error")}
    assert_stored_or_counted_drop(chain, item)
    assert {key: chain.stats.get(key, 0) for key in errors} == errors, "a pipeline failed on odd input"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ITEMS)
def test_pipeline_chain_never_raises_on_mangled_job_items(chain, item):
    assert_stored_or_counted_drop(chain, JobItem(**item))


# Values already of each declared JobItem type, which coercion must keep as they are.
STORABLE_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63) + 1, 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
WELL_TYPED = {
    "str|None": st.none() | st.text(max_size=30),
    "bool|None": st.none() | st.booleans(),
    "int|None": st.none() | st.integers(-(2**63) + 1, 2**63 - 1),
    "float|None": st.none() | st.floats(allow_nan=False, allow_infinity=False),
    "list[str]": st.lists(st.text(min_size=1, max_size=20), max_size=4),
    "list[dict]": st.lists(st.dictionaries(st.text(max_size=8), STORABLE_JSON, max_size=3), max_size=3),
    "dict|None": st.none() | st.dictionaries(st.text(max_size=8), STORABLE_JSON, max_size=3),
    "dict": st.dictionaries(st.text(max_size=8), STORABLE_JSON, max_size=3),
}
MANGLED_ITEMS = st.fixed_dictionaries({}, optional={name: JSON | WELL_TYPED[kind] for name, kind in FIELD_TYPES.items()})
WELL_TYPED_ITEMS = st.fixed_dictionaries({}, optional={name: WELL_TYPED[kind] for name, kind in FIELD_TYPES.items()})
NUMBER_FIELDS = sorted(name for name, kind in FIELD_TYPES.items() if kind in ("int|None", "float|None"))


def test_every_field_type_has_values_and_a_check():
    assert set(FIELD_TYPES.values()) == set(WELL_TYPED), "a JobItem field type without well-typed values here"


def storable(value) -> bool:
    """Whether SQLite can store ``value`` as JSON text: finite numbers and encodable strings."""
    try:
        json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        return False
    return True


def has_declared_type(value, kind: str) -> bool:
    if value is None:
        return kind.endswith("|None")
    checks = {
        "str|None": lambda: isinstance(value, str) and storable(value),
        "bool|None": lambda: isinstance(value, bool),
        "int|None": lambda: isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63,
        "float|None": lambda: isinstance(value, float) and storable(value),
        "list[str]": lambda: isinstance(value, list) and all(isinstance(v, str) and v and storable(v) for v in value),
        "list[dict]": lambda: isinstance(value, list) and all(isinstance(v, dict) and storable(v) for v in value),
        "dict|None": lambda: isinstance(value, dict) and storable(value),
        "dict": lambda: isinstance(value, dict) and storable(value),
    }
    return checks[kind]()


@settings(max_examples=300)
@given(MANGLED_ITEMS)
def test_coerced_fields_have_their_declared_types(values):
    item = JobItem(**values)
    coerce_fields(ItemAdapter(item))
    for name, kind in FIELD_TYPES.items():
        value = getattr(item, name)
        assert has_declared_type(value, kind), f"{name} ({kind}) = {value!r} from {values.get(name)!r}"
    assert coerce_fields(ItemAdapter(item)) == []  # coercing is idempotent: the types are now right


@given(WELL_TYPED_ITEMS)
def test_well_typed_fields_are_kept_as_they_are(values):
    item = JobItem(**values)
    assert coerce_fields(ItemAdapter(item)) == []
    assert all(getattr(item, name) is value for name, value in values.items())


@given(st.sampled_from(NUMBER_FIELDS), st.integers(-(10**15), 10**15), st.sampled_from(["int", "float", "text", "commas"]))
def test_numbers_written_as_text_or_float_are_read(name, number, written):
    value = {"int": number, "float": float(number), "text": str(number), "commas": f"{number:,}"}[written]
    item = JobItem(**{name: value})
    coerce_fields(ItemAdapter(item))
    assert getattr(item, name) == number and has_declared_type(getattr(item, name), FIELD_TYPES[name])


def test_pipeline_errors_become_counted_drops(chain, monkeypatch, caplog):
    """The safety net: a bug a posting triggers drops that posting with a counted reason."""
    from jobcrawler.pipelines import CompanyPipeline

    def broken(self, posting):
        raise KeyError("boom")

    monkeypatch.setattr(CompanyPipeline, "process_posting", broken)
    before = chain.stats.get("items/dropped/pipeline_error", 0)
    with pytest.raises(DropItem, match="pipeline_error"):
        chain.process({"job_id": "42", "city": "berlin", "title": "T", "company": "C"})
    assert chain.stats["items/dropped/pipeline_error"] == before + 1
    assert "CompanyPipeline failed" in caplog.text
