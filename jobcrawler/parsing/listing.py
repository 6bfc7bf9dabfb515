"""Read a builtin.com search result page into job cards and the next-page link.

No listing page was saved, so this follows PAGE_FORMAT.md §3: cards
``div[data-id="job-card"]`` (the same card component as the "Similar Jobs" cards of
detail pages), a JSON-LD ``ItemList``, and the pager's "Go to Next Page" link. Cards
come first; ItemList entries add the jobs the cards lack. ``recognized`` is False when
neither cards nor an ItemList were found, i.e. a block page or a changed layout.
"""

from __future__ import annotations

import html as html_lib
from dataclasses import dataclass, field

from lxml import etree

from jobcrawler.parsing import jsonld
from jobcrawler.parsing.detail import (
    CLOCK,
    LEVEL,
    LOCATION,
    PAY,
    WORK_TYPE,
    _STRING,
    absolute,
    as_text,
    collapse,
    icon_rows,
    job_id_from_url,
    row_text,
    selector_for,
)

_CARD = "//div[@data-id='job-card']"
_CARD_TITLE = ".//a[@data-id='job-card-title']"
_NEXT = "//a[@aria-label='Go to Next Page']"
# Per-card queries, compiled once and run on the card's lxml element (20 cards a page).
_X_CARD_TITLE = etree.XPath(_CARD_TITLE)
_X_CARD_ICONS = etree.XPath(".//i[contains(@class, 'fa-')]")
_X_CARD_COMPANY = etree.XPath("string((.//*[@data-id='company-title'])[1])", smart_strings=False)
_X_CARD_LOGO_ALT = etree.XPath("(.//img[@alt])[1]/@alt", smart_strings=False)


@dataclass
class ListingJob:
    job_id: str
    url: str | None
    title: str | None = None
    company: str | None = None
    position: int = 0  # 0-based, in the page's de-duplicated job order
    work_type: str | None = None
    location: str | None = None  # as shown: "New York, NY, USA", "USA", "3 Locations"
    pay: str | None = None  # "179K-246K Annually", "100K+ Annually", "40-60 Hourly"
    level: str | None = None
    posted_text: str | None = None  # "Posted 3 Days Ago", "Reposted Yesterday"


@dataclass
class ListingPage:
    jobs: list[ListingJob] = field(default_factory=list)
    next_url: str | None = None
    itemlist_count: int = 0  # entries of the JSON-LD ItemList
    card_count: int = 0  # job-card elements on the page
    has_itemlist: bool = False  # a JSON-LD ItemList was present (even an empty one)

    @property
    def recognized(self) -> bool:
        """Whether this looks like a result page at all (cards or an ItemList)."""
        return self.card_count > 0 or self.has_itemlist


def parse_listing(html: str, url: str) -> ListingPage:
    """Cards and ItemList entries of one result page, de-duplicated by job id in page order."""
    sel = selector_for(as_text(html))
    base = url if isinstance(url, str) else ""
    cards = sel.xpath(_CARD)
    itemlist = jsonld.find_first(sel, "ItemList")
    entries = jsonld.as_list(itemlist.get("itemListElement")) if itemlist else []

    jobs: dict[str, ListingJob] = {}
    for job in [_card_job(card, base) for card in cards] + [_entry_job(e, base) for e in entries]:
        if job is None:
            continue
        known = jobs.get(job.job_id)
        if known is None:
            jobs[job.job_id] = job
        else:  # the card wins; the ItemList only fills what the card lacks
            known.url = known.url or job.url
            known.title = known.title or job.title
    for position, job in enumerate(jobs.values()):
        job.position = position

    return ListingPage(
        jobs=list(jobs.values()),
        next_url=_next_url(sel, base),
        itemlist_count=len(entries),
        card_count=len(cards),
        has_itemlist=itemlist is not None,
    )


def _card_job(card, base: str) -> ListingJob | None:
    """One card; None when no job id can be found on it."""
    card = card.root
    link = _X_CARD_TITLE(card)[:1]
    href = (link[0].get("href") or link[0].get("data-alias")) if link else None
    job_url = absolute(base, href)
    card_id = card.get("id", "")
    job_id = (  # the URL's number first: it is the id the detail page is stored under
        job_id_from_url(job_url or "")
        or _digits(link[0].attrib.get("data-builtin-track-job-id") if link else None)
        or _digits(card_id.removeprefix("job-card-"))
    )
    if job_id is None:
        return None
    rows = icon_rows(_X_CARD_ICONS(card))
    return ListingJob(
        job_id=job_id,
        url=job_url,
        title=collapse(_STRING(link[0])) if link else None,
        company=_card_company(card),
        work_type=row_text(rows.get(WORK_TYPE)),
        location=row_text(rows.get(LOCATION)),
        pay=row_text(rows.get(PAY)),
        level=row_text(rows.get(LEVEL)),
        posted_text=row_text(rows.get(CLOCK)),
    )


def _card_company(card) -> str | None:
    """``[data-id=company-title]`` text, else the logo's "<company> Logo" alt text."""
    name = collapse(_X_CARD_COMPANY(card))
    if name:
        return name
    alt = collapse(next(iter(_X_CARD_LOGO_ALT(card)), None))
    return collapse(alt.removesuffix(" Logo")) if alt else None


def _entry_job(entry, base: str) -> ListingJob | None:
    """One ItemList element: a ListItem with ``url``/``name`` (or an ``item`` holding them)."""
    entry = entry if isinstance(entry, dict) else {"url": entry}
    item = entry.get("item")
    item = item if isinstance(item, dict) else {"url": item} if isinstance(item, str) else {}
    raw_url = jsonld.text_of(entry.get("url")) or jsonld.text_of(item.get("url"))
    job_url = absolute(base, raw_url)
    job_id = job_id_from_url(job_url or "")
    if job_id is None:
        return None
    # A name is plain text: an entity-escaped one ("R&amp;D") is unescaped.
    title = jsonld.text_of(entry.get("name")) or jsonld.text_of(item.get("name"))
    return ListingJob(job_id=job_id, url=job_url, title=collapse(html_lib.unescape(title or "")))


def _next_url(sel, base: str) -> str | None:
    """The pager's next link, unless it is disabled or points nowhere."""
    for link in sel.xpath(_NEXT):
        disabled = link.attrib.get("aria-disabled", "").lower() == "true"
        href = (link.attrib.get("href") or "").strip()
        if disabled or "disabled" in link.attrib.get("class", "").split():
            continue
        if href and not href.startswith(("#", "javascript:")):
            return absolute(base, href)
    return None


def _digits(value: str | None) -> str | None:
    value = value.strip() if isinstance(value, str) else ""
    return value if value.isascii() and value.isdigit() else None
