"""Posting dates as ISO ``YYYY-MM-DD``."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

_ISO_PREFIX = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_BADGE = re.compile(r"(?:re)?posted\s+(?:(\d+|an?|one)\s+(hour|day|week|month)s?\s+ago|(yesterday|today|just now))",
                    re.IGNORECASE)
_UNIT_DAYS = {"hour": 0, "day": 1, "week": 7, "month": 30}
EARLIEST = date(1995, 1, 1)  # before job boards posted online: a placeholder, not a date


def iso_date(value) -> date | None:
    """The calendar date of an ISO date or date-time string; None when it is not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    match = _ISO_PREFIX.match(value)
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def date_from_badge(text: str | None, today: date) -> date | None:
    """``"Reposted 3 Days Ago"`` / ``"Posted Yesterday"`` relative to the day of the crawl."""
    if not text:
        return None
    match = _BADGE.search(text)
    if not match:
        return None
    count, unit, word = match.groups()
    if word:
        return today - timedelta(days=1 if word.lower() == "yesterday" else 0)
    number = 1 if count.lower() in ("a", "an", "one") else int(count)
    return today - timedelta(days=number * _UNIT_DAYS[unit.lower()])


def posted_date(date_posted, badge: str | None, today: date) -> tuple[date | None, str | None]:
    """The posting date and, when the page's date was rejected, why.

    JSON-LD ``datePosted`` first, else the header badge. A date after tomorrow (time zones
    allow one day) or before 1995 is a data error and is dropped, not stored.
    """
    value = iso_date(date_posted)
    problem = None
    if value is not None and not (EARLIEST <= value <= today + timedelta(days=1)):
        value, problem = None, "implausible_date_posted"
    if value is None:
        value = date_from_badge(badge, today)
    return value, problem
