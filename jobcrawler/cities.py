"""The city registry (cities.yaml) and the builtin.com search URL of each entry."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlencode

import yaml

# Read through importlib.resources: a Scrapyd egg keeps the package zipped, where no file path exists.
CITIES_FILE = resources.files("jobcrawler") / "cities.yaml"


@dataclass(frozen=True)
class City:
    key: str
    name: str
    country: str
    city: str | None = None
    state: str | None = None


def load_cities(path: str | Path | None = None) -> dict[str, City]:
    """Every registered search, keyed by city key; a malformed entry is a clear error."""
    path = Path(path) if path else CITIES_FILE
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:  # -s CITIES_FILE mistyped, a folder, unreadable
        raise ValueError(f"cannot read the city registry {path}: {getattr(error, 'strerror', None) or error}") from None
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        raise ValueError(f"{path} is no YAML file of cities: {getattr(error, 'problem', None) or error}"
                         + (f" (line {where.line + 1})" if where else "")) from None
    # An empty file (or [], 0, false) read as no city at all: "-a city=all" then recorded a failed
    # run of no city, and an unknown city was told "one of: all, " (the cycle: "known are ").
    if not entries:
        raise ValueError(f"{path} holds no city: it must map each city key to its entry")
    if not isinstance(entries, dict):
        raise ValueError(f"{path} is no city registry: it must map each city key to its entry")
    cities = {}
    for key, entry in entries.items():
        if _folded(key) == "all":  # -a city=all and --cities all (folded as they are): every city
            raise ValueError(f"{path}: {key!r} cannot be a city key: city=all means every city")
        if not isinstance(entry, dict) or not entry.get("country"):
            raise ValueError(f"{path}: city {key!r} needs at least a 'country' (ISO alpha-3)")
        if bool(entry.get("city")) != bool(entry.get("state")):
            raise ValueError(f"{path}: city {key!r} needs both 'city' and 'state', or neither")
        cities[str(key)] = City(
            key=str(key),
            name=entry.get("name") or entry.get("city") or str(key),
            country=entry["country"],
            city=entry.get("city"),
            state=entry.get("state"),
        )
    return cities


def city_key(given: str, keys: Iterable[str], cities: Mapping[str, City] | None = None) -> str | None:
    """The one of ``keys`` a user's ``--city``/``-a city=`` names, or None: the key itself in any
    case and spacing (``BERLIN``, `` berlin ``), or the name a registered city is printed by
    (``New York``, ``los angeles``; from ``cities``, default cities.yaml). An exact key wins; so
    does a key over a name. Every command taking a city reads it through here; each keeps its own
    list of what there is (the registry for a crawl, the database's cities for a report)."""
    keys = list(keys)
    if given in keys:
        return given
    wanted = _folded(given)
    by_key = [key for key in keys if _folded(key) == wanted]
    if by_key:
        return by_key[0]
    registry = load_cities() if cities is None else cities
    return next((key for key in keys if key in registry and _folded(registry[key].name) == wanted), None)


def _folded(text: str) -> str:
    """``text`` as compared: NFKC first, so a decomposed ``München`` (macOS file names, some
    terminals) or full-width letters fold as they read."""
    return unicodedata.normalize("NFKC", " ".join(unicodedata.normalize("NFKC", str(text)).split()).casefold())


def listing_url(base_url: str, city: City, query: str, page: int = 1) -> str:
    """``{base}/jobs?search=..&city=..&state=..&country=..&allLocations=true&page=n``."""
    params = {"search": query}
    if city.city:
        params.update(city=city.city, state=city.state)
    params.update(country=city.country, allLocations="true", page=page)
    return f"{base_url.rstrip('/')}/jobs?{urlencode(params)}"
