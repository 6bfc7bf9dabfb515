"""Table-driven tests of the pure normalizers, with the shapes real postings take."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobcrawler.normalize.dates import date_from_badge, iso_date, posted_date
from jobcrawler.normalize.location import country_code, countries_of, is_remote, normalize_locations
from jobcrawler.normalize.salary import Salary, normalize_salary, parse_pay_text
from jobcrawler.normalize.text import collapse_spaces, html_to_text
from jobcrawler.normalize.titles import clean_title

TODAY = date(2026, 2, 27)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("135K-203K Annually", Salary(135_000, 203_000, None, "year")),
        ("2M-3M Annually", Salary(2_000_000, 3_000_000, None, "year")),
        ("5-10 Annually", Salary(5, 10, None, "year")),
        ("30-70 Hourly", Salary(30, 70, None, "hour")),
        ("100K+ Annually", Salary(100_000, None, None, "year")),
        ("1.5M-2M Annually", Salary(1_500_000, 2_000_000, None, "year")),
        ("  120K - 150K   Annually ", Salary(120_000, 150_000, None, "year")),
        ("8K-10K Monthly", Salary(8_000, 10_000, None, "month")),
        ("$120,000 - $150,000 per year", Salary(120_000, 150_000, "USD", "year")),
        ("EUR 60K-80K Annually", Salary(60_000, 80_000, "EUR", "year")),
        ("£50K-£70K Annually", Salary(50_000, 70_000, "GBP", "year")),
        ("Competitive", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_pay_text(text, expected):
    assert parse_pay_text(text) == expected


@pytest.mark.parametrize(
    "base_salary, pay_text, expected, problem",
    [
        # JSON-LD first: it states the currency
        ({"currency": "USD", "min": 135000, "max": 203000, "unit": "YEAR"}, "135K-203K Annually",
         Salary(135_000, 203_000, "USD", "year"), None),
        ({"currency": "USD", "min": 40, "max": 60, "unit": "HOUR"}, None, Salary(40, 60, "USD", "hour"), None),
        ({"currency": "USD", "min": "90000", "max": "90000", "unit": "YEAR"}, None,
         Salary(90_000, 90_000, "USD", "year"), None),
        # no JSON-LD salary (India, UK, multi-country): pay text, currency unknown, never guessed
        (None, "5-10 Annually", Salary(5, 10, None, "year"), None),
        ({"currency": None, "min": None, "max": None}, "30-70 Hourly", Salary(30, 70, None, "hour"), None),
        # reversed range is swapped, absurd values rejected with a reason
        (None, "200K-100K Annually", Salary(100_000, 200_000, None, "year"), None),
        ({"currency": "USD", "min": 0, "max": 0, "unit": "YEAR"}, None, None, "implausible_salary"),
        ({"currency": "USD", "min": 10**12, "max": 10**12, "unit": "YEAR"}, None, None, "implausible_salary"),
        (None, "Negotiable", None, "unparsed_pay_text"),
        ("not a dict", None, None, None),
        ({"min": True, "max": [1]}, None, None, None),
    ],
)
def test_normalize_salary(base_salary, pay_text, expected, problem):
    assert normalize_salary(base_salary, pay_text) == (expected, problem)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Senior AI Engineer", "Senior AI Engineer"),
        ("Senior  AI\u00a0Engineer", "Senior AI Engineer"),
        ("AI Engineer (m/w/d)", "AI Engineer"),
        ("AI Engineer (f/m/x)", "AI Engineer"),
        ("AI Engineer (M/F/D)", "AI Engineer"),
        ("AI Engineer (all genders)", "AI Engineer"),
        ("AI Engineer [m/w/d]", "AI Engineer"),
        ("AI Engineer (w/m/div)", "AI Engineer"),
        ("ML Engineer m/w/d", "ML Engineer"),
        ("Werkstudent AI (w/m/d) - Berlin", "Werkstudent AI - Berlin"),
        ("R&amp;D Engineer, C/C++", "R&D Engineer, C/C++"),
        ("Data (Platform) Engineer", "Data (Platform) Engineer"),
        ("<b>AI</b> Engineer<script>alert(1)</script>", "AI Engineer"),
        ("Engineer <img src=x onerror=alert(1)>", "Engineer"),
        ("", ""),
        (None, ""),
    ],
)
def test_clean_title(raw, expected):
    assert clean_title(raw) == expected


@pytest.mark.parametrize(
    "html, expected",
    [
        ("<p><p>Build &amp; ship</p></p><p>Next</p>", "Build & ship\n\nNext"),
        ("<p>We need:</p><ul><li>Python</li><li> RAG <b>pipelines</b></li></ul>",
         "We need:\n\n- Python\n- RAG pipelines"),
        ("<ul><li><p>Python</p></li><li><p><b>RAG</b> pipelines</p></li></ul>", "- Python\n\n- RAG pipelines"),
        ("<p>a&nbsp;&nbsp;b</p>", "a b"),
        ("<p>x</p><script>alert(1)</script><style>p{}</style>", "x"),
        ("plain text", "plain text"),
        ("", ""),
        (None, ""),
    ],
)
def test_html_to_text(html, expected):
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    "value, expected",
    [("DEU", "DEU"), ("deu", "DEU"), ("DE", "DEU"), ("Germany", "DEU"), ("United States", "USA"),
     ("USA", "USA"), ("UK", "GBR"), ("England", "GBR"), ("India", "IND"), ("The Netherlands", "NLD"),
     ("Atlantis", None), ("", None), (None, None), (42, None)],
)
def test_country_code(value, expected):
    assert country_code(value) == expected


def test_locations_pair_labels_by_position_and_compose_missing_ones():
    places = normalize_locations(
        [{"locality": "Berlin", "region": "Berlin", "country": "DEU"},
         {"region": "Karnataka", "country": "IND", "postal_code": "560102"},
         "not a place"],
        ["Berlin, Berlin, DEU", "Karnataka, IND"],
    )
    assert places == [
        {"label": "Berlin, Berlin, DEU", "locality": "Berlin", "region": "Berlin", "postal_code": None, "country": "DEU"},
        {"label": "Karnataka, IND", "locality": None, "region": "Karnataka", "postal_code": "560102", "country": "IND"},
    ]
    unpaired = normalize_locations([{"locality": "Austin", "region": "TX", "country": "US"}], [])
    assert unpaired[0]["label"] == "Austin, TX, USA"
    assert countries_of(places) == ["DEU", "IND"]
    assert countries_of([], ["GBR", "bogus"]) == ["GBR"]


@pytest.mark.parametrize(
    "location_type, work_type, remote_hiring, expected",
    [("TELECOMMUTE", None, False, True), (None, "Remote or Hybrid", False, True),
     (None, "In-Office or Remote", None, True), (None, "Hybrid", False, False),
     (None, "In-Office", True, True), (None, None, None, False), (["TELECOMMUTE"], 3, None, False)],
)
def test_is_remote(location_type, work_type, remote_hiring, expected):
    assert is_remote(location_type, work_type, remote_hiring) is expected


@pytest.mark.parametrize(
    "date_posted, badge, expected, problem",
    [
        ("2026-02-12", None, date(2026, 2, 12), None),
        ("2026-02-12T00:02:56+00:00", None, date(2026, 2, 12), None),
        ("2026-02-28", None, date(2026, 2, 28), None),  # tomorrow: a time-zone difference
        ("2031-01-01", "Posted 3 Days Ago", date(2026, 2, 24), "implausible_date_posted"),
        ("1970-01-01", None, None, "implausible_date_posted"),
        (None, "Reposted Yesterday", date(2026, 2, 26), None),
        (None, "Reposted 6 Hours Ago", date(2026, 2, 27), None),
        (None, "Posted 2 Weeks Ago", date(2026, 2, 13), None),
        ("2026-13-45", None, None, None),
        (20260212, None, None, None),
    ],
)
def test_posted_date(date_posted, badge, expected, problem):
    assert posted_date(date_posted, badge, TODAY) == (expected, problem)


def test_iso_date_and_badge_reject_junk():
    assert iso_date("yesterday") is None
    assert date_from_badge("Easy Apply", TODAY) is None


@given(st.text())
def test_normalizers_never_raise(text):
    parse_pay_text(text)
    normalize_salary({"min": text, "max": text, "unit": text, "currency": text}, text)
    clean_title(text)
    collapse_spaces(text)
    html_to_text(text)
    country_code(text)
    posted_date(text, text, TODAY)
    normalize_locations([{"locality": text, "country": text}], [text])


@pytest.mark.parametrize(
    "text, low, high, expected",
    [
        ("Base salary: £225,000—£255,000 GBP plus equity", 225_000, 255_000, "GBP"),
        ("Compensation: €80K–€120K + up to 4% equity", 80_000, 120_000, "EUR"),
        ("a range of $75,000 to $85,000 USD per year", 75_000, 85_000, "USD"),
        ("EUR 60.000 - 70.000 brutto", 60_000, 70_000, "EUR"),
        ("pay: 90,000 CHF", 90_000, None, "CHF"),
        ("Range: $128,000 - $231,500 USD", 129_000, 232_000, "USD"),  # builtin rounds the figures it shows
        ("$225,000 - $285,000 in New York, $200,000 - $250,000 CAD for Toronto", 170_000, 250_000, "CAD"),
        # a currency not against the posting's own pay figure says nothing about it
        ("privately valued at over $1 billion", 200_000, 250_000, None),
        ("£225,000 in London or $300,000 in New York", 225_000, 300_000, None),  # two currencies: no guess
        ("no currency at all: 60-65 an hour", 60, 65, None),
        (None, 100_000, 120_000, None),
        ("£100K", None, None, None),
    ],
)
def test_currency_in_text(text, low, high, expected):
    from jobcrawler.normalize.salary import currency_in_text

    assert currency_in_text(text, low, high) == expected
