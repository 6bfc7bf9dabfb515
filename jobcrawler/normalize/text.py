"""HTML to readable text, and whitespace clean-up shared by every normalizer."""

from __future__ import annotations

import re

import html_text
import lxml.etree
import lxml.html

_SPACES = re.compile(r"[^\S\n]+")  # any whitespace but newline, including U+00A0
_BLANK_LINES = re.compile(r"\n\s*\n+")


def collapse_spaces(text: str | None) -> str:
    """One space between words; no-break and other Unicode spaces count as spaces."""
    if not text:
        return ""
    return " ".join(text.split())


def html_to_text(html: str | None) -> str:
    """Text with paragraph breaks kept and list items as ``- `` bullets.

    html-text keeps paragraphs but drops list markers; a description's requirements
    live in its bullets, so each ``<li>`` gets a marker before extraction.
    """
    if not html or not html.strip():
        return ""
    try:
        tree = lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return collapse_spaces(html)
    for item in tree.iter("li"):
        item.text = "- " + (item.text or "").lstrip()
    text = html_text.extract_text(tree, guess_layout=True)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
