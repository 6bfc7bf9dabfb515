"""Find and decode JSON-LD blocks, tolerating the ways real pages get them wrong.

builtin.com writes the script type as ``application/ld&#x2B;json``, so the type is
compared after HTML-unescaping the attribute (as lxml/parsel already do). Decoding
never raises: a block that cannot be read yields no nodes.
"""

from __future__ import annotations

import html
import json
import re

from lxml import etree
from parsel import Selector

LD_JSON = "application/ld+json"

# Raw-text scan for callers that must stay cheap and have no Selector yet.
_SCRIPT_TAG = re.compile(r"<script\b([^<>]*)>", re.IGNORECASE)  # no "<": stays linear
_SCRIPT_END = re.compile(r"</script\s*>", re.IGNORECASE)
_TYPE_ATTR = re.compile(r"""\btype\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_DECODER = json.JSONDecoder(strict=False)
_MAX_DEPTH = 4  # how deep a value may nest before it stops counting as a value
_TEXT_NODES = etree.XPath("text()", smart_strings=False)  # compiled once: run on every script


def scripts_in_text(text: str) -> list[str]:
    """Bodies of the JSON-LD scripts of a raw HTML string, without building a DOM."""
    if LD_JSON not in text and "application/ld&" not in text:
        return []
    bodies = []
    position = 0
    while tag := _SCRIPT_TAG.search(text, position):
        end = _SCRIPT_END.search(text, tag.end())  # a script runs to the first </script>
        type_attr = _TYPE_ATTR.search(tag.group(1))
        if type_attr and _is_ld_type(next(g for g in type_attr.groups() if g is not None)):
            bodies.append(text[tag.end() : end.start() if end else len(text)])
        if end is None:
            break
        position = end.end()
    return bodies


def scripts_in_selector(sel: Selector, path: str = "//script[@type]") -> list[str]:
    """Bodies of the JSON-LD scripts among ``path`` of an already parsed document."""
    return [
        "".join(_TEXT_NODES(script.root))
        for script in sel.xpath(path)
        if _is_ld_type(script.root.get("type", ""))
    ]


def _is_ld_type(value: str) -> bool:
    return html.unescape(value).strip().lower() == LD_JSON


def decode(body: str) -> list[dict]:
    """All JSON-LD nodes of one script body, ``@graph`` members flattened; [] if unreadable."""
    data = _loads(body)
    nodes: list[dict] = []
    for item in data if isinstance(data, list) else [data]:
        if not isinstance(item, dict):
            continue
        graph = item.get("@graph")
        if isinstance(graph, dict):
            graph = [graph]
        if isinstance(graph, list):
            nodes.extend(node for node in graph if isinstance(node, dict))
        if set(item) - {"@context", "@graph"}:
            nodes.append(item)
    return nodes


def _loads(body: str):
    """json.loads with the usual repairs: comment/CDATA wrappers, entity-escaped
    bodies, control characters in strings, trailing commas, trailing junk."""
    text = _unwrap(body)
    for candidate in _repairs(text):
        try:
            return _DECODER.raw_decode(candidate)[0]
        except (ValueError, RecursionError):
            continue
    return None


def _unwrap(body: str) -> str:
    """Body without surrounding whitespace, ``<!-- -->`` / ``<![CDATA[ ]]>`` and a final ``;``."""
    text = body.strip()
    for opener, closer in (("<!--", "-->"), ("<![CDATA[", "]]>")):
        if text.startswith(opener):
            text = text[len(opener) :]
        if text.endswith(closer):
            text = text[: -len(closer)]
    return text.strip().rstrip(";").strip()


def _repairs(text: str):
    """The text as is, then repaired variants, generated only if the previous one failed."""
    if not text:
        return
    yield text
    unescaped = html.unescape(text) if "&quot;" in text or "&#" in text else text
    if unescaped != text:
        yield unescaped
    for candidate in dict.fromkeys([text, unescaped]):
        repaired = _TRAILING_COMMA.sub(r"\1", candidate)
        if repaired != candidate:
            yield repaired


def type_names(node: dict) -> list[str]:
    """``@type`` as a list of bare lower-case names (``schema:JobPosting`` -> ``jobposting``)."""
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return [
        v.rsplit("/", 1)[-1].rsplit(":", 1)[-1].strip().lower() for v in values if isinstance(v, str)
    ]


def first_of_type(nodes: list[dict], name: str) -> dict | None:
    """First node whose ``@type`` is (or includes) ``name``, compared case-insensitively."""
    wanted = name.lower()
    return next((node for node in nodes if wanted in type_names(node)), None)


def nodes_in_selector(sel: Selector, path: str = "//script[@type]") -> list[dict]:
    """Every JSON-LD node of the scripts among ``path``, in document order."""
    return [node for body in scripts_in_selector(sel, path) for node in decode(body)]


def find_first(sel: Selector, name: str) -> dict | None:
    """First node of type ``name``: ``<head>`` first, where builtin.com puts JSON-LD
    (no whole-document walk), then anywhere in the document."""
    for path in ("/html/head/script[@type]", "//script[@type]"):
        node = first_of_type(nodes_in_selector(sel, path), name)
        if node is not None:
            return node
    return None


# --- values: accept any JSON shape, return the documented one ----------------------


def as_list(value) -> list:
    """JSON-LD allows one value where a list is expected: always give a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def first_dict(value) -> dict:
    """The object itself, or the first object of a list; {} otherwise."""
    for item in as_list(value):
        if isinstance(item, dict):
            return item
    return {}


def text_of(value, depth: int = 0, *, numbers: bool = True) -> str | None:
    """A string as written; numbers as text (unless ``numbers`` is False: a title of 12345 is
    no title); objects by ``name``/``@value``; lists by first."""
    if depth > _MAX_DEPTH or isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, (int, float)):
        return str(value) if numbers else None
    if isinstance(value, dict):
        return text_of(value.get("name", value.get("@value")), depth + 1, numbers=numbers)
    if isinstance(value, list):
        return next(filter(None, (text_of(item, depth + 1, numbers=numbers) for item in value)), None)
    return None


def texts_of(value) -> list[str]:
    """``text_of`` of each item of a list (or of a lone value), empties dropped."""
    return [item_text for item_text in map(text_of, as_list(value)) if item_text]


_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def number_of(value) -> int | float | None:
    """A JSON number or numeric string ("90,000" too) as a finite number, integral values as
    int; None for anything else (booleans, NaN, infinities, words)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip().replace(",", "")
        if not _NUMBER.match(value):
            return None
        value = float(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return int(value) if value.is_integer() else value
    return value if isinstance(value, int) else None
