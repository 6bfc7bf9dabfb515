"""``_layout_text`` (the fast path of ``html_to_text``) against html-text itself.

It claims to give ``html_text.etree_to_text(tree, guess_layout=True)``'s output for a cleaned
tree, and ``html_to_text`` takes it only when html-text's cleaner would change nothing, so the
two paths must agree: on generated markup, on the replay site's pages and descriptions, on the
repository's page fixtures and on the real sample pages (when ../shared is beside the checkout).
"""

from __future__ import annotations

import gzip
from html import escape
from pathlib import Path
from unittest import mock

import html_text
import lxml.html
import lxml.html.defs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobcrawler.normalize import text
from jobcrawler.normalize.text import _layout_text, html_to_text
from jobcrawler.parsing.detail import parse_detail
from jobcrawler.replay import generate
from jobcrawler.replay import pages as replay_pages
from tests.helpers import SHARED, needs_shared

FIXTURES = sorted((Path(__file__).parent / "fixtures").rglob("*.html"))
REPLAY = generate(seed=11, jobs_per_city=8)

# Text with what html-text's rules look at: punctuation after a word, an opening bracket before
# one, Unicode spaces and line breaks inside text, markup characters (escaped).
WORDS = st.lists(
    st.sampled_from(list("ab ,:;.!?\")(-\n\t<&é") + ["\xa0", "\u2003", "\u200b", "Go", "(\n", "see ("]), max_size=5
).map("".join)
# Every HTML tag lxml knows: html-text's cleaner removes or unwraps some of them (scripts,
# styles, embedded content...), and html_to_text must leave its fast path for each of those.
TAGS = sorted(lxml.html.defs.tags - {"html", "head", "body"})
# drawn as often as all the others: the tags html-text's layout and spacing rules tell apart
LAYOUT_TAGS = sorted(html_text.NEWLINE_TAGS | html_text.DOUBLE_NEWLINE_TAGS | {"span", "b", "a", "em", "code"})
OTHER_NODES = ["<!-- note -->", "<?php x ?>"]  # comments and processing instructions, cleaned too


@st.composite
def markup(draw, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4 if depth < 3 else 0))):
        kind = draw(st.sampled_from(["text", "element", "element", "node"]))
        if kind == "text":
            parts.append(escape(draw(WORDS), quote=False))
        elif kind == "node":
            parts.append(draw(st.sampled_from(OTHER_NODES)))
        else:
            tag = draw(st.sampled_from(LAYOUT_TAGS) | st.sampled_from(TAGS))
            parts.append(f"<{tag}>{draw(markup(depth + 1))}</{tag}>")
    return "".join(parts)


def fragment(html: str):
    return lxml.html.fragment_fromstring(html, create_parent="div")


def cleaned(tree):
    """The tree as html-text's extract_text walks it: after its cleaner."""
    return html_text.cleaner.clean_html(tree)


def slow_path(html: str) -> str:
    """``html_to_text`` through html-text's own extract_text, whatever the markup holds."""
    with mock.patch.object(text, "_CLEANED", ("*",)):  # matches every tree: the cleaner always runs
        return html_to_text(html)


@settings(max_examples=400)
@given(markup())
def test_layout_text_equals_html_text_on_generated_markup(html):
    tree = cleaned(fragment(html))
    assert _layout_text(tree) == html_text.etree_to_text(tree, guess_layout=True)


@settings(max_examples=400)
@given(markup())
def test_html_to_text_is_the_same_on_either_path(html):
    assert html_to_text(html) == slow_path(html)


@settings(max_examples=400)
@given(markup())
def test_the_fast_path_parses_a_fragment_into_lxml_html_s_tree(html):
    plain = text._plain_fragment(html)
    assert plain is not None  # a fragment, never a whole document: the fast path takes it
    assert lxml.html.tostring(plain) == lxml.html.tostring(fragment(html))


@pytest.mark.parametrize("html", ["<html><body><p>Build agents</p></body></html>",
                                  "  <!DOCTYPE html><p>Build agents</p>"])
def test_a_whole_document_is_left_to_lxml_html(html):
    assert text._plain_fragment(html) is None
    assert html_to_text(html) == slow_path(html) == "Build agents"


def test_layout_text_equals_html_text_on_replay_pages():
    for posting in REPLAY.postings.values():
        page = replay_pages.detail_page(posting)
        tree = cleaned(lxml.html.document_fromstring(page))
        assert _layout_text(tree) == html_text.etree_to_text(tree, guess_layout=True), posting.job_id
        description = parse_detail(page, "https://builtin.com" + posting.path)["description_html"]
        assert description and html_to_text(description) == slow_path(description), posting.job_id


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_layout_text_equals_html_text_on_page_fixtures(path):
    tree = cleaned(lxml.html.document_fromstring(path.read_text(encoding="utf-8")))
    assert _layout_text(tree) == html_text.etree_to_text(tree, guess_layout=True)


@needs_shared("builtin-sample", "pages")
def test_layout_text_equals_html_text_on_the_real_sample_pages():
    pages = sorted((SHARED / "builtin-sample" / "pages").glob("*.html.gz"))
    assert pages, "no <job_id>.html.gz in the sample's pages folder"
    for path in pages:
        page = gzip.decompress(path.read_bytes()).decode("utf-8")
        tree = cleaned(lxml.html.document_fromstring(page))
        assert _layout_text(tree) == html_text.etree_to_text(tree, guess_layout=True), path.name
        description = parse_detail(page, f"https://builtin.com/job/x/{path.name.split('.')[0]}")["description_html"]
        if description:
            assert html_to_text(description) == slow_path(description), path.name
