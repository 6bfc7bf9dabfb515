"""HTML to readable text, and whitespace clean-up shared by every normalizer."""

from __future__ import annotations

import re

import html_text
import lxml.etree
import lxml.html

_SPACES = re.compile(r"[^\S\n]+")  # any whitespace but newline, including U+00A0
_BLANK_LINES = re.compile(r"\n\s*\n+")
# C0 and C1 control characters and DEL, but tab, line feed and carriage return: a NUL or a
# bell in a title or a description is never meant, and breaks terminals, CSV and lxml.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """``text`` without control characters; tabs and line breaks, which text needs, kept."""
    return _CONTROLS.sub("", text) if _CONTROLS.search(text) else text


def collapse_spaces(text: str | None) -> str:
    """One space between words; no-break and other Unicode spaces count as spaces; control
    characters dropped."""
    if not text:
        return ""
    return " ".join(strip_controls(text).split())


def html_to_text(html: str | None) -> str:
    """Text with paragraph breaks kept and list items as ``- `` bullets.

    html-text keeps paragraphs but drops list markers; a description's requirements
    live in its bullets, so each ``<li>`` gets a marker before extraction.
    """
    if not html or not html.strip():
        return ""
    html = strip_controls(html)  # lxml refuses them, and they are never meant
    tree = _plain_fragment(html)
    if tree is not None and next(tree.iter(*_CLEANED), None) is None:
        for item in tree.iter("li"):
            _mark_bullet(item)
        return _layout_text(tree)  # see below
    try:
        tree = lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return collapse_spaces(html)
    for item in tree.iter("li"):
        _mark_bullet(item)
    if next(tree.iter(*_CLEANED), None) is None:
        # Nothing html-text's cleaner would drop: skip its copy-and-clean of the tree. The
        # text comes out tidy (one space between words, none at a line's ends, at most one
        # blank line), so the clean-up below would change nothing.
        return _layout_text(tree)
    try:
        text = html_text.extract_text(tree, guess_layout=True)
    except ValueError:  # lxml's cleaner refuses some control characters: keep the bare text
        text = "\n".join(part.strip() for part in tree.itertext() if part.strip())
    if not _untidy(text):
        return text  # html-text already single-spaces lines and keeps at most one blank line
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


# lxml.html's parser gives every element a Python class through a lookup called per element; the
# fast path reads only tags and texts, so it parses with lxml's own element class (same parser
# and options otherwise): ~15% of html_to_text.
_PLAIN_PARSER = lxml.etree.HTMLParser()
_WHOLE_DOCUMENT = re.compile(r"^\s*<(?:html|!doctype)", re.IGNORECASE)  # as lxml.html tells one


def _plain_fragment(html: str):
    """The tree of ``lxml.html.fragment_fromstring(html, create_parent="div")``, of plain lxml
    elements: the body lxml.html would parse and empty into a new ``<div>``, made that ``<div>``.
    None for a whole document, or a parse lxml.html would not take the same way (it then
    decides)."""
    if _WHOLE_DOCUMENT.match(html):
        return None
    try:
        document = lxml.etree.fromstring(f"<html><body>{html}</body></html>", _PLAIN_PARSER)
    except (lxml.etree.LxmlError, ValueError):
        return None
    if document is None or document.tag != "html":
        return None
    bodies = [element for element in document if element.tag == "body"]
    if len(bodies) != 1:
        return None
    root = bodies[0]
    root.tag = "div"
    root.attrib.clear()
    if not (root.text and root.text.strip()):  # lxml.html keeps leading text only when it has words
        root.text = None
    root.tail = None
    return root


_BLOCKS = frozenset({"p", "div", "span", "strong", "b", "em", "i"})


def _mark_bullet(item) -> None:
    """Put ``- `` before the item's first words, also when they sit in ``<li><p>...``:
    marking the ``<li>`` itself would leave the marker alone on its own line."""
    node = item
    while not (node.text or "").strip() and len(node) and node[0].tag in _BLOCKS:
        node = node[0]
    node.text = "- " + (node.text or "").lstrip()


# What html-text's cleaner (``html_text.html_text.cleaner``) removes or unwraps: scripts,
# styles, links, meta, embedded content, frames, comments and processing instructions.
_CLEANED = (
    "script", "style", "link", "meta", "applet", "param", "iframe", "embed", "layer", "object",
    "frame", "frameset", "noframes", "image", lxml.etree.Comment, lxml.etree.ProcessingInstruction,
)
_OTHER_SPACE = re.compile(r"[^\S \n]")
_NEWLINE, _DOUBLE_NEWLINE = object(), object()
_PUNCT_AFTER = frozenset(',:;.!?")')


def _layout_text(tree) -> str:
    """``html_text.etree_to_text(tree, guess_layout=True)`` (html-text 0.7), same output, less
    overhead per text node: string methods instead of its regular expressions and closures.
    ``tree`` holds elements only (no comments or processing instructions), as after cleaning."""
    chunks: list[str] = []
    prev = _DOUBLE_NEWLINE  # _NEWLINE, _DOUBLE_NEWLINE, or the raw text last added
    newline_tags, double_newline_tags = html_text.NEWLINE_TAGS, html_text.DOUBLE_NEWLINE_TAGS
    for event, element in lxml.etree.iterwalk(tree, events=("start", "end")):
        tag = element.tag
        if prev is not _DOUBLE_NEWLINE:  # at most one blank line
            if tag in double_newline_tags:
                chunks.append("\n" if prev is _NEWLINE else "\n\n")
                prev = _DOUBLE_NEWLINE
            elif tag in newline_tags:
                if prev is not _NEWLINE:
                    chunks.append("\n")
                prev = _NEWLINE
        raw = element.text if event == "start" else element.tail if element is not tree else None
        if not raw:
            continue
        text = " ".join(raw.split())
        if not text:
            continue
        if prev is _NEWLINE or prev is _DOUBLE_NEWLINE:
            chunks.append(text)
        else:  # a space after a space, else unless punctuation follows or "(" precedes ("\s$", "\($"):
            # html-text's "\($" also matches "(\n", which ends in a space and so gets one anyway
            space = prev[-1].isspace() or (text[0] not in _PUNCT_AFTER and not prev.endswith("("))
            chunks.append(" " + text if space else text)
        prev = raw
    return "".join(chunks).strip()


def _untidy(text: str) -> bool:
    """Whether the line clean-up below would change ``text`` (cheap substring tests first)."""
    return (
        "  " in text or " \n" in text or "\n " in text or "\n\n\n" in text
        or text[:1].isspace() or text[-1:].isspace() or _OTHER_SPACE.search(text) is not None
    )
