"""Read a builtin.com job page into the page fields of ``JobItem``.

JSON-LD (``JobPosting``) is the source for everything it carries; the visible page
adds what it lacks (badge, work type, pay text, level, locations as shown, skills,
company card) and stands in for JSON-LD when that is missing. Header values are read
only inside the top card (``.match-background`` / ``.header-background``): the same
icons repeat in the header layout's mobile copy and in the "Similar Jobs" cards.

Every function here is total: arbitrary input gives None / [] values, never an error. Text
comes out without control characters (tabs and line breaks kept), URLs only as http(s).
"""

from __future__ import annotations

import html as html_lib
import json
import re
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from parsel import Selector

from jobcrawler.normalize.text import strip_controls
from jobcrawler.parsing import jsonld

# Header / company-card icons, by the Font Awesome class builtin.com uses.
CLOCK, LOCATION, WORK_TYPE, PAY, LEVEL = (
    "fa-clock",
    "fa-location-dot",
    "fa-house-building",
    "fa-sack-dollar",
    "fa-trophy",
)
EMPLOYEES, HQ, FOUNDED = "fa-user-group", "fa-map-location-dot", "fa-calendar"
ICONS = frozenset({CLOCK, LOCATION, WORK_TYPE, PAY, LEVEL, EMPLOYEES, HQ, FOUNDED})

_BACKGROUND = "contains(@class, 'match-background') or contains(@class, 'header-background')"
# The title <h1> sits in the top card: walking up from it is much cheaper than testing
# every div of the page; the plain search is the fallback for a page without it.
_HEADER_FROM_H1 = f"(//h1)[1]/ancestor::div[{_BACKGROUND}][1]"
_HEADER = f"//div[{_BACKGROUND}]"
_ICON = ".//i[contains(@class, 'fa-')]"
_BODY = "//*[starts-with(@id, 'job-post-body-')]"
_TOKEN = "contains(concat(' ', normalize-space(@class), ' '), ' {} ')"
# "/descendant::x" rather than "//x" (the same nodes): libxml2 then skips building the set of
# every node below as an intermediate step.
_CHIP = f"descendant::div[{_TOKEN.format('border')} and {_TOKEN.format('rounded-3')}]"
# Relative to the part of the page after the top card (or to the whole document).
_SKILLS_SECTION = (
    "/descendant::h2[normalize-space() = 'Top Skills']"
    f"/ancestor::div[position() <= 4][{_CHIP}][1]"
)
_COMPANY_CARD = "/descendant::div[text()[normalize-space() = 'The Company']]/following-sibling::*[1]"
_INDUSTRY_LINE = (
    f".//div[{_TOKEN.format('font-barlow')} and {_TOKEN.format('fw-medium')}"
    f" and {_TOKEN.format('mb-md')}]"
)

_TOOLTIP_DIV = re.compile(r"<div\b[^<>]*>([^<>]*)</div>", re.IGNORECASE)
_LOCATION_COUNT = re.compile(r"^\d+ Locations?$", re.IGNORECASE)
_REMOTE_HIRING = re.compile(r"^hiring remotely in\b\s*(.*)$", re.IGNORECASE | re.DOTALL)
_PREFIX = re.compile(r"^\s*(?:HQ|Year Founded)\s*:\s*", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_INIT_CALL = "jobPostInit("
_SIMILAR_HEADING = "Similar Jobs"
# What the parser reads that could sit below that heading, as it appears in the page text: the
# JSON-LD and the body anywhere, the skills section and the company card as an element's whole
# text (a card's "Top Skills:" label is not the section). The parser reads the first of each.
_READ_ANYWHERE = ("application/ld", "job-post-body-")
_READ_AS_TEXT = ("Top Skills", "The Company")
# Evaluated on every icon row and skill chip: compiled once (an element's .xpath() compiles per call).
_STRING = etree.XPath("string()", smart_strings=False)
_NORMALIZED = etree.XPath("normalize-space()", smart_strings=False)
_TOOLTIPS = etree.XPath(".//@title | .//@data-bs-title", smart_strings=False)
_DECODER = json.JSONDecoder(strict=False)


def parse_detail(html: str, url: str) -> dict:
    """Every page field of ``JobItem`` from one job page (None / [] when absent)."""
    text = as_text(html)
    sel = selector_for(_read_part(text))
    posting = jsonld.find_first(sel, "JobPosting") or {}
    top, scope, icons = _header(sel)
    # Below the top card: its following siblings hold the body, skills and company card.
    below, below_path = (top, "following-sibling::*") if top is not None else (sel, "")
    header_classes = top.attrib.get("class", "").split() if top is not None else []
    rows = icon_rows(icons)
    card = below.xpath(below_path + _COMPANY_CARD)[:1]
    card_rows = icon_rows(card[0].xpath(_ICON)) if card else {}

    org = posting.get("hiringOrganization")  # an Organization, or just its name
    company = jsonld.text_of(org)
    company_url = absolute(url, jsonld.text_of(jsonld.first_dict(org).get("sameAs")))
    if (company is None or company_url is None) and scope is not None:
        shown_company, shown_url = _header_company(scope, url)
        company, company_url = company or shown_company, company_url or shown_url
    posted_text = row_text(rows.get(CLOCK))
    location_row = rows.get(LOCATION)
    location_text = row_text(location_row)
    remote = _REMOTE_HIRING.match(location_text) if location_text else None

    return _printable({
        "template": _template(header_classes),
        "canonical_url": absolute(url, _head_first(sel, "link[@rel='canonical']/@href").get()),
        # Only text is a title: the <h1> wins over a JSON-LD number (or one of control characters).
        "title": _printable(jsonld.text_of(posting.get("title"), numbers=False)) or _header_title(scope),
        "company": company,
        "company_url": company_url,
        "jsonld_identifier": _identifier(posting.get("identifier")),
        "date_posted": _date(posting.get("datePosted")),
        "valid_through": jsonld.text_of(posting.get("validThrough")),
        "posted_text": posted_text,
        "reposted": "reposted" in posted_text.lower() if posted_text else None,
        "employment_type": _joined(posting.get("employmentType")),
        "job_location_type": _joined(posting.get("jobLocationType")),
        "work_type": row_text(rows.get(WORK_TYPE)),
        "remote_hiring": bool(remote) if location_text else None,
        "locations": [_place(place) for place in jsonld.as_list(posting.get("jobLocation"))],
        "location_labels": _location_labels(location_row, location_text, remote),
        "applicant_countries": jsonld.texts_of(posting.get("applicantLocationRequirements")),
        "salary": _salary(posting.get("baseSalary")),
        "compensation_text": row_text(rows.get(PAY)),
        "months_of_experience": _int(
            jsonld.first_dict(posting.get("experienceRequirements")).get("monthsOfExperience")
        ),
        "level": row_text(rows.get(LEVEL)),
        "industries": _industries(posting.get("industry"), top, header_classes),
        "top_skills": _top_skills(below.xpath(below_path + _SKILLS_SECTION)[:1]),
        "company_size": row_text(card_rows.get(EMPLOYEES)),
        "company_hq": _unprefixed(row_text(card_rows.get(HQ))),
        "year_founded": _unprefixed(row_text(card_rows.get(FOUNDED))),
        "easy_apply": _easy_apply(text),
        "robots_noindex": _noindex(_head_first(sel, "meta[@name='robots']/@content").getall()),
        "description_html": _description_html(posting.get("description"))
        or ("".join(sel.xpath(f"({_BODY})[1]/node()").getall()) or None),
    })


def _printable(value):
    """``value`` with control characters dropped from its text, in lists and objects too;
    text left empty becomes None (and leaves a list)."""
    if isinstance(value, str):
        text = strip_controls(value)
        return text if text.strip() else None
    if isinstance(value, list):
        return [item for item in map(_printable, value) if item is not None]
    if isinstance(value, dict):
        return {key: _printable(item) for key, item in value.items()}
    return value


def _read_part(text: str) -> str:
    """The page up to its "Similar Jobs" section when the first of everything the parser reads
    (the JSON-LD, the body, the skills, the company card) comes before it; else the whole page.
    The cards below repeat the header's icons and are half the page: not building their tree
    saves a third of the parsing (lxml closes what the cut leaves open)."""
    cut = _element_text_at(text, _SIMILAR_HEADING, whole=False)
    if cut < 0:
        return text
    # First occurrences, searched from the top: each search stops early on a normal page.
    firsts = [text.find(marker) for marker in _READ_ANYWHERE]
    firsts += [_element_text_at(text, marker) for marker in _READ_AS_TEXT]
    return text if any(first > cut for first in firsts) else text[:cut]


def _element_text_at(text: str, words: str, whole: bool = True) -> int:
    """Offset of the ">" opening the first element text that begins with ``words`` (that is
    ``words``, when ``whole``), or -1. Plain ``find``: a regex over the page would cost more
    than the parsing the cut saves."""
    at = text.find(words)
    while at >= 0:
        window = max(0, at - 40)
        before = text[window:at].rstrip()
        after = text[at + len(words) : at + len(words) + 40].lstrip()
        if before.endswith(">") and (not whole or after.startswith("<")):
            return window + len(before) - 1
        at = text.find(words, at + len(words))
    return -1


def job_id_from_url(url: str) -> str | None:
    """The job id that ends a posting URL (``/job/<slug>/8591405?x#y`` -> ``"8591405"``)."""
    if not isinstance(url, str):
        return None
    try:
        path = urlsplit(url.strip()).path
    except ValueError:
        return None
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return last if last.isascii() and last.isdigit() else None


def has_job_posting(html: str) -> bool:
    """Whether the page holds a readable JSON-LD JobPosting with a title.

    Block, challenge and truncated pages lack it (the JSON-LD sits in ``<head>`` and
    is cut or absent), so they can be retried instead of stored. No DOM is built.
    """
    text = as_text(html)
    if "JobPosting" not in text:
        return False
    nodes = [node for body in jsonld.scripts_in_text(text) for node in jsonld.decode(body)]
    posting = jsonld.first_of_type(nodes, "JobPosting")
    return bool(posting and jsonld.text_of(posting.get("title")))


def is_complete_document(html) -> bool:
    """Whether the page ends with ``</html>``: a body cut short by a dropped connection or a
    proxy does not, even when its JSON-LD (in ``<head>``) survived."""
    tail = as_text(html)[-512:].rstrip().lower()
    return tail.endswith("</html>")


# --- helpers shared with the listing parser --------------------------------------------


def as_text(html) -> str:
    """The page as str: bytes decoded as UTF-8 (bad bytes replaced), non-text as ""."""
    if isinstance(html, bytes):
        return html.decode("utf-8", "replace")
    return html if isinstance(html, str) else ""


def selector_for(text: str) -> Selector:
    """One parsed document for any text, lone surrogates and NUL characters included."""
    try:
        return Selector(root=_html_root(text), type="html")
    except (UnicodeError, ValueError):
        clean = text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
        return Selector(text=clean, type="html")


def _html_root(text: str):
    """The tree parsel's ``Selector(text=text, type="html")`` builds (same parser and options),
    cheaper: NUL characters are looked for in the encoded bytes, where ``in`` is a memchr,
    rather than by ``str.replace`` over every character; and the parser keeps no table of
    ``id`` attributes (~7% of parsing), which only XPath's ``id()`` reads and no query here uses."""
    body = text.strip().encode("utf-8") if text else b""
    if b"\x00" in body:  # UTF-8 encodes nothing else with a zero byte
        body = body.replace(b"\x00", b"")
    parser = lxml.html.HTMLParser(recover=True, encoding="utf-8", huge_tree=True, collect_ids=False)
    root = etree.fromstring(body or b"<html/>", parser=parser, base_url=None)
    if root is None:
        root = etree.fromstring(b"<html/>", parser=parser, base_url=None)
    return root


def absolute(base: str, href: str | None) -> str | None:
    """``href`` resolved against the page URL; None when empty or not a web address
    (``javascript:``, ``data:``, ``mailto:``...: never stored, never followed)."""
    href = href.strip() if isinstance(href, str) else None
    if not href:
        return None
    try:
        resolved = urljoin(base if isinstance(base, str) else "", href)
        scheme = urlsplit(resolved).scheme.lower()
    except ValueError:
        return None
    return resolved if scheme in ("http", "https", "") else None


def collapse(text: str | None) -> str | None:
    """Single-spaced text (no-break spaces count as spaces); None when empty."""
    return (" ".join(text.split()) or None) if text else None


def icon_rows(icons) -> dict:
    """Icon class -> the row it labels, first occurrence of each icon only.

    The row is the nearest ancestor of the icon that holds text: the icon sits in its
    own wrapper in some places and right next to its value in others.
    """
    rows: dict = {}
    for icon in icons:
        icon = icon.root if isinstance(icon, Selector) else icon  # Selectors or lxml elements
        for name in ICONS.intersection(icon.get("class", "").split()):
            if name not in rows:
                row = _row_of(icon)
                if row is not None:
                    rows[name] = row
    return rows


def _row_of(element):
    for _ in range(3):
        element = element.getparent()
        if element is None:
            return None
        if _NORMALIZED(element):
            return element
    return None


def row_text(row) -> str | None:
    """Single-spaced text of an icon row (an lxml element, as ``icon_rows`` returns)."""
    return collapse(_STRING(row)) if row is not None else None


def tooltip_labels(row) -> list[str]:
    """Places listed in an "N Locations" tooltip: HTML-escaped ``<div>``s in ``title``
    (or ``data-bs-title``), already unescaped once by the HTML parser."""
    if row is None:
        return []
    for value in _TOOLTIPS(row):
        if "<" in value:
            labels = (collapse(html_lib.unescape(m)) for m in _TOOLTIP_DIV.findall(value))
            return [label for label in labels if label]
    return []


# --- page fields --------------------------------------------------------------------------


def _header(sel: Selector) -> tuple:
    """(top card or None, scope for header fallbacks or None, header icons).

    Without a recognised top card, a page that still has the description body is read
    up to that body; a page with neither (challenge, block) has no header at all.
    """
    header = (_header_from_h1(sel) or sel.xpath(_HEADER))[:1]
    if header:
        return header[0], header[0], header[0].xpath(_ICON)
    body = sel.xpath(f"({_BODY})[1]")
    if body:
        return None, sel, body[0].xpath("preceding::i[contains(@class, 'fa-')]")
    return None, None, []


def _header_from_h1(sel: Selector) -> list[Selector]:
    """``_HEADER_FROM_H1`` without its whole-document ``//h1`` walk: ``iter`` stops at the
    first <h1>, near the top of the page."""
    root = sel.root
    h1 = next(root.iter("h1"), None) if isinstance(root, etree._Element) else None
    if h1 is None:
        return []
    for div in h1.iterancestors("div"):
        classes = div.get("class") or ""
        if "match-background" in classes or "header-background" in classes:
            return [Selector(root=div, type="html")]
    return []


def _header_title(scope) -> str | None:
    return collapse(scope.xpath("string(.//h1)").get()) if scope is not None else None


def _template(header_classes: list[str]) -> str | None:
    if "match-background" in header_classes:
        return "match"
    if "header-background" in header_classes:
        return "header"
    return None


def _location_labels(row, text, remote) -> list[str]:
    """Tooltip places; else the one label shown ("Hiring Remotely in " dropped); a bare
    "N Locations" count without its tooltip names no place."""
    labels = tooltip_labels(row)
    if labels or not text or _LOCATION_COUNT.match(text):
        return labels
    place = remote.group(1).strip() if remote else text
    return [place] if place else []


def _industries(value, top, header_classes) -> list[str]:
    """JSON-LD ``industry`` (a list or one bare string); else the match header's "A • B" line."""
    if value is not None:
        return jsonld.texts_of(value)
    if "match-background" not in header_classes:
        return []
    line = collapse(top.xpath(f"string(({_INDUSTRY_LINE})[1])").get())
    return [part.strip() for part in line.split("•") if part.strip()] if line else []


def _top_skills(section) -> list[str]:
    """All "Top Skills" chips in page order, comma-joined chips split, repeats kept."""
    if not section:
        return []
    chips = (_STRING(chip.root) for chip in section[0].xpath(_CHIP))
    return [skill.strip() for chip in chips for skill in chip.split(",") if skill.strip()]


def _unprefixed(text: str | None) -> str | None:
    return (_PREFIX.sub("", text) or None) if text else None


def _easy_apply(text: str) -> bool | None:
    """``job.isEasyApply`` of the ``Builtin.jobPostInit({...})`` call.

    Script bodies are raw text in HTML, so the call is read from the source string
    (a find, not a document walk).
    """
    call = text.rfind(_INIT_CALL)
    start = text.find("{", call) if call >= 0 else -1
    if start < 0:
        return None
    try:
        data = _DECODER.raw_decode(text, start)[0]
    except (ValueError, RecursionError):
        return None
    flag = jsonld.first_dict(jsonld.first_dict(data).get("job")).get("isEasyApply")
    return flag if isinstance(flag, bool) else None


def _head_first(sel: Selector, path: str):
    """``path`` under ``<head>`` (cheap), else anywhere in the document."""
    return sel.xpath("/html/head/" + path) or sel.xpath("//" + path)


def _header_company(scope, url: str) -> tuple[str | None, str | None]:
    """Company name and profile URL from the top card's ``/company/`` link (JSON-LD fallback)."""
    link = scope.xpath(".//a[contains(@href, '/company/')][.//h2]")[:1]
    if not link:
        return None, None
    return collapse(link[0].xpath("string(.//h2)").get()), absolute(url, link[0].attrib.get("href"))


def _noindex(contents: list[str]) -> bool | None:
    if not contents:
        return None
    return any("noindex" in content.lower() for content in contents)


# --- JSON-LD values: accept any JSON shape, return the documented one -------------------


def _joined(value) -> str | None:
    return ", ".join(jsonld.texts_of(value)) or None


def _description_html(value) -> str | None:
    """JSON-LD ``description``: its HTML; a list's parts all kept, each its own paragraph
    (plain text wrapped in ``<p>``), not just the first."""
    parts = jsonld.texts_of(value)
    if len(parts) < 2:
        return parts[0] if parts else None
    return "\n".join(part if part.lstrip().startswith("<") else f"<p>{part}</p>" for part in parts)


def _identifier(value) -> str | None:
    """``identifier.value`` of a PropertyValue (whose ``name`` is the company), or a bare id."""
    if isinstance(value, (dict, list)):
        return jsonld.text_of(jsonld.first_dict(value).get("value"))
    return jsonld.text_of(value)


def _date(value) -> str | None:
    text = jsonld.text_of(value)
    return text[:10] if text and _DATE.match(text) else text


def _int(value) -> int | None:
    number = jsonld.number_of(value)
    return int(number) if number is not None else None


def _place(place) -> dict:
    address = jsonld.first_dict(jsonld.first_dict(place).get("address"))
    return {
        "locality": jsonld.text_of(address.get("addressLocality")),
        "region": jsonld.text_of(address.get("addressRegion")),
        "country": jsonld.text_of(address.get("addressCountry")),
        "postal_code": jsonld.text_of(address.get("postalCode")),
        "street": jsonld.text_of(address.get("streetAddress")),
    }


def _salary(value) -> dict | None:
    """``baseSalary`` as {currency, min, max, unit}; the range may sit in ``value`` or inline."""
    salary = jsonld.first_dict(value)
    amount = salary.get("value")
    if isinstance(amount, (dict, list)):
        ranged = jsonld.first_dict(amount)
        single = jsonld.number_of(ranged.get("value"))
    else:
        ranged, single = salary, jsonld.number_of(amount)
    low = jsonld.number_of(ranged.get("minValue"))
    high = jsonld.number_of(ranged.get("maxValue"))
    low = single if low is None else low
    high = single if high is None else high
    if low is None and high is None:
        return None
    return {
        "currency": jsonld.text_of(salary.get("currency")),
        "min": low,
        "max": high,
        "unit": jsonld.text_of(ranged.get("unitText")) or jsonld.text_of(salary.get("unitText")),
    }
