"""Field sanity (issue 17, case 6), table-driven: the page's title wins over a JSON-LD value
that is not text; list-valued descriptions are joined, not cut; control characters are
stripped (line breaks and tabs kept where text needs them); only http(s) URLs are kept. First
on the pure parser and normalizers, then through the spider and every pipeline into SQLite."""

from __future__ import annotations

import pytest

from jobcrawler.normalize.text import collapse_spaces, html_to_text, strip_controls
from jobcrawler.normalize.titles import clean_title
from jobcrawler.parsing.detail import absolute, parse_detail
from tests.helpers import POSTINGS, Harness, page, without_h1_title

URL = "https://builtin.com/job/applied-ml-engineer/9100001"
POSTING = POSTINGS[0]
H1 = POSTING.title  # what the replay page's <h1> shows


def parsed(change) -> dict:
    return parse_detail(page(POSTING, change), URL)


# --- titles ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("title", "expected"), [
    (12345, H1),  # a number is no title: the <h1> wins
    (12.5, H1),
    (True, H1),
    ({"name": 777}, H1),
    ([404, "Data Engineer"], "Data Engineer"),  # the first text of a list
    ("\x00\x00", H1),  # nothing left once control characters go
    ("ML\x00 Engineer\x07", "ML Engineer"),
    ("Data\tEngineer", "Data\tEngineer"),  # as written (the clean title collapses it)
    ("2026 Graduate Engineer", "2026 Graduate Engineer"),  # digits in text are text
])
def test_title(title, expected):
    assert parsed(lambda node: node.update(title=title))["title"] == expected


def test_a_number_title_without_an_h1_is_no_title():
    html = without_h1_title(page(POSTING, lambda node: node.update(title=12345)))
    assert parse_detail(html, URL)["title"] is None  # the pipeline then takes the listing's title


# --- list-valued descriptions -------------------------------------------------------------------

@pytest.mark.parametrize(("description", "html", "text"), [
    (["<p>About us.</p>", "<ul><li>Python</li></ul>"], "<p>About us.</p>\n<ul><li>Python</li></ul>",
     "About us.\n\n- Python"),
    (["About us.", "You know Python."], "<p>About us.</p>\n<p>You know Python.</p>", "About us.\n\nYou know Python."),
    ([{"@value": "First."}, "  ", 42, "<p>Last.</p>"], "<p>First.</p>\n<p>42</p>\n<p>Last.</p>",
     "First.\n\n42\n\nLast."),
    (["<p>Only part.</p>"], "<p>Only part.</p>", "Only part."),
    ("<p>One string.</p>", "<p>One string.</p>", "One string."),
])
def test_list_valued_description_is_joined(description, html, text):
    fields = parsed(lambda node: node.update(description=description))
    assert fields["description_html"] == html
    assert html_to_text(fields["description_html"]) == text


# --- control characters ---------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("plain", "plain"),
    ("a\x00b", "ab"),
    ("bell\x07 esc\x1b[31m del\x7f c1\x85\x9f", "bell esc[31m del c1"),
    ("tab\tline\nreturn\r\n", "tab\tline\nreturn\r\n"),  # kept: text needs them
    *[(text, text) for text in ["no-break\u00a0space", "emoji \U0001f916", "zero\u200bwidth", "\u00e9t\u00e9"]],
])
def test_strip_controls(raw, expected):
    assert strip_controls(raw) == expected


@pytest.mark.parametrize(("normalize", "raw", "expected"), [
    (clean_title, "Senior\x00 ML Engineer\x1f (m/w/d)", "Senior ML Engineer"),
    (clean_title, "<b>R&amp;D</b>\x1b Engineer", "R&D Engineer"),
    (clean_title, "\x00\x01", ""),
    (collapse_spaces, "Acme\x00\x00 Inc\x1c.", "Acme Inc."),
    (html_to_text, "<p>First\x00 line</p><p>Second\x07</p>", "First line\n\nSecond"),  # lxml refuses them
    (html_to_text, "<ul><li>a\x0bb</li></ul>", "- ab"),
])
def test_normalizers_drop_control_characters(normalize, raw, expected):
    assert normalize(raw) == expected


def test_every_parsed_text_loses_its_control_characters_and_keeps_its_line_breaks():
    def change(node):
        node["hiringOrganization"]["name"] = "Acme\x00 Robotics"
        node["description"] = "<p>Line one\x00</p>\n<p>Line\ttwo\x1b</p>"
        node["industry"] = ["Robotics\x07", "\x00"]

    fields = parsed(change)
    assert fields["company"] == "Acme Robotics"
    assert fields["description_html"] == "<p>Line one</p>\n<p>Line\ttwo</p>"
    assert fields["industries"] == ["Robotics"]  # a value of control characters only is gone
    texts = [v for v in fields.values() if isinstance(v, str)]
    assert not any(strip_controls(text) != text for text in texts)


# --- URLs -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("href", "expected"), [
    ("https://builtin.com/job/x/1", "https://builtin.com/job/x/1"),
    ("http://builtin.com/job/x/1", "http://builtin.com/job/x/1"),
    ("/job/x/1", "https://builtin.com/job/x/1"),
    ("//builtin.com/job/x/1", "https://builtin.com/job/x/1"),
    ("javascript:alert(1)", None),
    ("  JavaScript:alert(1)", None),
    ("java\tscript:alert(1)", None),  # browsers ignore the tab; so does the check
    ("data:text/html,<script>alert(1)</script>", None),
    ("vbscript:msgbox(1)", None),
    ("mailto:jobs@example.org", None),
    ("file:///etc/passwd", None),
    ("http://[::1", None),  # not a URL at all
    ("", None),
    (None, None),
])
def test_only_web_urls_are_kept(href, expected):
    assert absolute(URL, href) == expected


def test_a_javascript_canonical_or_company_link_is_not_kept():
    html = page(POSTING, lambda node: node["hiringOrganization"].update(sameAs="javascript:alert(1)"))
    html = html.replace('<link rel="canonical" href="', '<link rel="canonical" href="javascript:alert(1)//', 1)
    fields = parse_detail(html, URL)
    assert fields["canonical_url"] is None
    assert fields["company_url"] == parse_detail(page(POSTING), URL)["company_url"]  # the header's link
    assert fields["company_url"].startswith("https://")


# --- through the spider and every pipeline into SQLite -------------------------------------------

@pytest.fixture
def harness(tmp_path):
    return Harness(tmp_path / "jobs.db")


def test_a_hostile_page_is_stored_sane(harness):
    def change(node):
        node["title"] = 12345
        node["description"] = ["<p>Part one.</p>", "<p>Part two\x00.</p>"]

    html = page(POSTING, change)
    assert '<link rel="canonical"' in html
    html = html.replace('<link rel="canonical" href="', '<link rel="canonical" href="javascript:alert(1)//', 1)
    status, row = harness.fetch(POSTING, html)
    assert status == "stored"
    assert row["title"] == clean_title(H1) and row["title_raw"] == H1
    assert row["description"] == "Part one.\n\nPart two."
    assert row["url"] == "https://builtin.com" + POSTING.path  # the page's own URL, not the script


def test_a_nul_in_the_title_is_not_stored(harness):
    status, row = harness.fetch(POSTING, page(POSTING, lambda node: node.update(title="Data\x00 Engineer\x1b")))
    assert status == "stored" and row["title"] == "Data Engineer" and row["title_raw"] == "Data Engineer"


