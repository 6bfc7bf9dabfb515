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
    if next(tree.iter(*_CLEANED), None) is None:
        # Nothing html-text's cleaner would drop: skip its copy-and-clean of the tree.
        text = html_text.etree_to_text(tree, guess_layout=True)
    else:
        text = html_text.extract_text(tree, guess_layout=True)
    if not _untidy(text):
        return text  # html-text already single-spaces lines and keeps at most one blank line
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


# What html-text's cleaner (``html_text.html_text.cleaner``) removes or unwraps: scripts,
# styles, links, meta, embedded content, frames, comments and processing instructions.
_CLEANED = (
    "script", "style", "link", "meta", "applet", "param", "iframe", "embed", "layer", "object",
    "frame", "frameset", "noframes", "image", lxml.etree.Comment, lxml.etree.ProcessingInstruction,
)
_OTHER_SPACE = re.compile(r"[^\S \n]")


def _untidy(text: str) -> bool:
    """Whether the line clean-up below would change ``text`` (cheap substring tests first)."""
    return (
        "  " in text or " \n" in text or "\n " in text or "\n\n\n" in text
        or text[:1].isspace() or text[-1:].isspace() or _OTHER_SPACE.search(text) is not None
    )
