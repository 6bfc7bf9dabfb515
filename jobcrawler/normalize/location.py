"""Locations with ISO 3166-1 alpha-3 countries, and whether a job is remote."""

from __future__ import annotations

from functools import lru_cache

import pycountry

from jobcrawler.normalize.text import collapse_spaces

# Names builtin.com and postings use that pycountry's fuzzy lookup gets wrong or slowly.
COUNTRY_NAMES = {
    "usa": "USA", "us": "USA", "united states": "USA", "united states of america": "USA",
    "uk": "GBR", "united kingdom": "GBR", "great britain": "GBR", "england": "GBR",
    "scotland": "GBR", "wales": "GBR", "northern ireland": "GBR",
    "the netherlands": "NLD", "holland": "NLD", "deutschland": "DEU", "south korea": "KOR",
    "russia": "RUS", "vietnam": "VNM", "czech republic": "CZE", "turkey": "TUR",
}


def country_code(value: str | None) -> str | None:
    """ISO alpha-3 code for an alpha-3, alpha-2 code or a country name; None if unknown."""
    if not isinstance(value, str):  # before the cache: a list or dict is not even hashable
        return None
    return _country_code(value)


@lru_cache(maxsize=1024)
def _country_code(value: str) -> str | None:
    value = collapse_spaces(value)
    if not value:
        return None
    known = COUNTRY_NAMES.get(value.lower())
    if known:
        return known
    country = None
    if len(value) == 3:
        country = pycountry.countries.get(alpha_3=value.upper())
    elif len(value) == 2:
        country = pycountry.countries.get(alpha_2=value.upper())
    if country is None:
        try:
            country = pycountry.countries.lookup(value)
        except LookupError:
            return None
    return country.alpha_3


def normalize_locations(locations: list | None, labels: list | None) -> list[dict]:
    """One dict per place: label, locality, region, ISO-3 country, postal code.

    Labels pair with locations by position when the page gives one label per location
    (it always does on builtin.com); otherwise a label is composed from the parts.
    """
    places = [p for p in (locations or []) if isinstance(p, dict)]
    labels = [label for label in (labels or []) if isinstance(label, str)]
    paired = len(labels) == len(places)
    result = []
    for i, place in enumerate(places):
        parts = {key: _text(place.get(key)) for key in ("locality", "region", "postal_code")}
        code = country_code(place.get("country"))
        label = collapse_spaces(labels[i]) if paired else ""
        if not label:
            label = ", ".join(v for v in (parts["locality"], parts["region"], code) if v)
        result.append({"label": label or None, **parts, "country": code})
    return result


def _text(value) -> str | None:
    return collapse_spaces(value) or None if isinstance(value, str) else None


def countries_of(places: list[dict], applicant_countries: list | None = None) -> list[str]:
    """Distinct countries in page order; applicant countries when no place names one."""
    codes = [p["country"] for p in places if p.get("country")]
    if not codes:
        codes = [country_code(c) for c in (applicant_countries or [])]
    return list(dict.fromkeys(c for c in codes if c))


def is_remote(job_location_type: str | None, work_type: str | None, remote_hiring: bool | None) -> bool:
    """Remote when JSON-LD says TELECOMMUTE, the work type offers Remote, or it hires remotely."""
    if isinstance(job_location_type, str) and job_location_type.strip().upper() == "TELECOMMUTE":
        return True
    if isinstance(work_type, str) and "remote" in work_type.lower():
        return True
    return bool(remote_hiring)
