"""Synthetic builtin.com postings for the replay site.

Deterministic for a given (seed, jobs_per_city, cities). Every posting carries the values a
correct detail-page parser must read (``Posting.expected()``, keyed like the page fields of
``JobItem``), so end-to-end tests can compare stored rows exactly. All text comes from
corpus.yaml; variants are dealt from shuffled decks so even a small site shows each of them.
"""

from __future__ import annotations

import functools
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from html import escape
from importlib import resources

import yaml

CORPUS_PATH = resources.files(__package__) / "corpus.yaml"  # also inside a zipped egg
CITY_REGISTRY_PATH = resources.files("jobcrawler") / "cities.yaml"

LEVELS = {1: "Internship", 12: "Entry level", 24: "Junior", 60: "Mid level", 108: "Senior level", 120: "Expert/Leader"}
# Pay by level (months of experience), relative to mid level.
LEVEL_PAY = {1: 0.5, 12: 0.7, 24: 0.8, 60: 1.0, 108: 1.25, 120: 1.4}
WORK_TYPES = ("In-Office", "Hybrid", "Remote", "In-Office or Remote", "Remote or Hybrid")
PAGE_FIELDS = (
    "template",
    "canonical_url",
    "title",
    "company",
    "company_url",
    "jsonld_identifier",
    "date_posted",
    "valid_through",
    "posted_text",
    "reposted",
    "employment_type",
    "job_location_type",
    "work_type",
    "remote_hiring",
    "locations",
    "location_labels",
    "applicant_countries",
    "salary",
    "compensation_text",
    "months_of_experience",
    "level",
    "industries",
    "top_skills",
    "company_size",
    "company_hq",
    "year_founded",
    "easy_apply",
    "robots_noindex",
)
# Each neighbouring pair of cities shares this fraction of a city's listing: about 20-25% of
# all jobs then appear under two cities, as in real captures.
SHARED_PER_PAIR = 0.19
NEW_JOB_IDS = range(6_000_000, 8_700_000)
OLD_JOB_IDS = range(2_000_000, 5_000_000)  # old postings: JSON-LD identifier differs from the URL id
OLD_IDENTIFIERS = range(5_000_000, 6_000_000)
SIMILAR_JOB_IDS = range(1_000_000, 2_000_000)  # "Similar Jobs" links that the site does not serve
MAX_COMPANIES = 600


@functools.cache
def load_corpus() -> dict:
    return yaml.safe_load(CORPUS_PATH.read_text(encoding="utf-8"))


def default_cities() -> dict[str, dict]:
    """The project's city registry, jobcrawler/cities.yaml: key -> {name, city, state, country}."""
    return yaml.safe_load(CITY_REGISTRY_PATH.read_text(encoding="utf-8"))


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@dataclass(frozen=True)
class Place:
    country: str
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    street: str | None = None
    geo: tuple[float, float] | None = None
    label: str = ""  # as the header shows a single location
    long_label: str = ""  # as location lists and cards show it

    def expected(self) -> dict:
        return {
            "locality": self.locality,
            "region": self.region,
            "country": self.country,
            "postal_code": self.postal_code,
            "street": self.street,
        }


@dataclass
class Company:
    name: str
    slug: str
    size: int
    hq: str | None  # text after "HQ:" as a parser should keep it
    founded: int | None
    industries: list[str]
    single_industry_as_list: bool
    stage: str  # key of corpus "stages"
    stage_sentence: str | None
    blurb: str

    @property
    def url(self) -> str:
        return f"https://builtin.com/company/{self.slug}"

    @property
    def jsonld_industry(self) -> str | list[str]:
        if len(self.industries) == 1 and not self.single_industry_as_list:
            return self.industries[0]
        return list(self.industries)


@dataclass
class SimilarJob:
    """A "Similar Jobs" card: the same icons as the header, always with other values."""

    job_id: str
    slug: str
    title: str
    company: str
    company_slug: str
    work_type: str
    location_labels: list[str]
    employees: int
    pay_text: str
    level: str
    age_text: str
    industries: list[str]
    easy_apply: bool


@dataclass
class Posting:
    job_id: str  # URL id
    identifier: str  # JSON-LD identifier.value; differs from job_id on old postings
    slug: str
    title: str
    company: Company
    cities: list[str]  # city keys whose listing shows the job
    template: str  # "match" or "header"
    host: str
    site_name: str
    date_posted: date
    valid_through: str
    posted_text: str
    employment_type: str
    months_of_experience: int
    work_type: str
    remote_hiring: bool
    places: list[Place]
    location_labels: list[str]
    applicant_countries: list[str]
    salary: dict | None
    compensation_text: str | None
    card_pay_text: str | None  # listing cards show "150K+ Annually" where the header shows 150K-150K
    top_skills: list[str]
    skills_in_one_chip: bool
    description_html: str  # JSON-LD description
    body_html: str  # the page body: same text, e-mail addresses possibly obfuscated
    summary: str | None
    easy_apply: bool
    early_applicant: bool
    robots_noindex: bool
    tooltip_attr: str  # attribute of the header's "N Locations" tooltip
    how_to_apply: str
    job_benefits: str | None
    role_family: str
    ai_type: str  # design intent of the role family: ai-first, ai-support, ml-first
    customer_facing: bool
    management: bool
    absolute_card_href: bool  # listing card links with the site's base URL instead of a path
    similar_heading: str = "Similar Jobs"
    similar: list[SimilarJob] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/job/{self.slug}/{self.job_id}"

    @property
    def canonical_url(self) -> str:
        return f"https://{self.host}{self.path}"

    @property
    def level(self) -> str:
        return LEVELS[self.months_of_experience]

    @property
    def reposted(self) -> bool:
        return self.posted_text.startswith("Reposted")

    @property
    def job_location_type(self) -> str | None:
        return "TELECOMMUTE" if "Remote" in self.work_type else None

    @property
    def card_location(self) -> str:
        """Location text of a listing card with one place (cards use the long label)."""
        return self.places[0].long_label

    def expected(self) -> dict:
        """What a correct parser reads from the detail page: the page fields of JobItem."""
        on_match = self.template == "match"
        return {
            "template": self.template,
            "canonical_url": self.canonical_url,
            "title": self.title,
            "company": self.company.name,
            "company_url": self.company.url,
            "jsonld_identifier": self.identifier,
            "date_posted": self.date_posted.isoformat(),
            "valid_through": self.valid_through,
            "posted_text": self.posted_text,
            "reposted": self.reposted,
            "employment_type": self.employment_type,
            "job_location_type": self.job_location_type,
            "work_type": self.work_type,
            "remote_hiring": self.remote_hiring,
            "locations": [place.expected() for place in self.places],
            "location_labels": list(self.location_labels),
            "applicant_countries": list(self.applicant_countries),
            "salary": dict(self.salary) if self.salary else None,
            "compensation_text": self.compensation_text,
            "months_of_experience": self.months_of_experience,
            "level": self.level,
            "industries": list(self.company.industries),
            "top_skills": list(self.top_skills),
            "company_size": f"{self.company.size} Employees" if on_match else None,
            "company_hq": self.company.hq if on_match else None,
            "year_founded": str(self.company.founded) if on_match and self.company.founded else None,
            "easy_apply": self.easy_apply,
            "robots_noindex": self.robots_noindex,
        }


@dataclass
class Catalog:
    seed: int
    jobs_per_city: int
    as_of: date
    cities: dict[str, dict]
    postings: dict[str, Posting]  # job_id -> posting
    listings: dict[str, list[str]]  # city key -> job ids in listing order

    def listing(self, city_key: str) -> list[Posting]:
        return [self.postings[job_id] for job_id in self.listings.get(city_key, [])]

    def city_key(self, city: str | None, state: str | None, country: str | None) -> str | None:
        """The city key a search's city/state/country parameters name, or None."""
        wanted = _location_key(city, state, country)
        for key, entry in self.cities.items():
            if _location_key(entry.get("city"), entry.get("state"), entry.get("country")) == wanted:
                return key
        return None


def _location_key(city, state, country) -> tuple[str, str, str]:
    return tuple(" ".join(str(part or "").split()).lower() for part in (city, state, country))


class Deck:
    """Weighted choices dealt from a reshuffled deck: every value appears once per deck."""

    def __init__(self, rng: random.Random, weights: dict):
        self.rng = rng
        self.cards = [value for value, weight in weights.items() for _ in range(weight)]
        self.pile: list = []

    def draw(self):
        if not self.pile:
            self.pile = list(self.cards)
            self.rng.shuffle(self.pile)
        return self.pile.pop()


def generate(seed: int = 1, jobs_per_city: int = 60, cities: dict[str, dict] | None = None) -> Catalog:
    """All postings of a replay site, with each city's listing order."""
    return _Generator(seed, jobs_per_city, cities or default_cities()).catalog()


class _Generator:
    def __init__(self, seed: int, jobs_per_city: int, cities: dict[str, dict]):
        self.seed = seed
        self.jobs_per_city = jobs_per_city
        self.cities = cities
        self.corpus = load_corpus()
        self.rng = random.Random(seed)
        self.as_of = self.corpus["as_of"]
        self.decks: dict[str, Deck] = {}
        self.used_ids: set[int] = set()
        # about three postings per company; capped well below the number of names the corpus can form
        self.companies = self._companies(min(MAX_COMPANIES, max(6, len(cities) * jobs_per_city // 3)))

    # --- plumbing ---------------------------------------------------------------------------
    def draw(self, name: str):
        if name not in self.decks:
            weights = self.corpus["mix"]
            for part in name.split("."):
                weights = weights[part]
            self.decks[name] = Deck(self.rng, weights)
        return self.decks[name].draw()

    def fresh_id(self, ids: range) -> int:
        while True:
            value = self.rng.choice(ids)
            if value not in self.used_ids:
                self.used_ids.add(value)
                return value

    # --- site ---------------------------------------------------------------------------------
    def catalog(self) -> Catalog:
        keys = list(self.cities)
        ring = zip(keys, keys[1:] + keys[:1], strict=True) if len(keys) > 1 else []  # each city with its neighbour
        pairs = list(dict.fromkeys(tuple(sorted(pair, key=keys.index)) for pair in ring))
        per_pair = min(round(self.jobs_per_city * SHARED_PER_PAIR), self.jobs_per_city // 2)
        postings: list[Posting] = []
        for pair in pairs:
            for _ in range(per_pair):
                postings.append(self.posting(list(pair), wide=not postings))
        for key in keys:
            shared = sum(key in posting.cities for posting in postings)
            for _ in range(self.jobs_per_city - shared):
                postings.append(self.posting([key], wide=not postings))
        listings = {}
        for key in keys:
            ids = [posting.job_id for posting in postings if key in posting.cities]
            self.rng.shuffle(ids)
            listings[key] = ids
        for posting in postings:
            posting.similar = self.similar_jobs(posting)
        return Catalog(
            self.seed,
            self.jobs_per_city,
            self.as_of,
            dict(self.cities),
            {posting.job_id: posting for posting in postings},
            listings,
        )

    def _companies(self, count: int) -> list[Company]:
        parts = self.corpus["companies"]
        rng = self.rng
        names: dict[str, None] = {}
        while len(names) < count:
            style = rng.random()
            head = rng.choice(parts["name_heads"])
            if style < 0.45:
                name = head + rng.choice(parts["name_tails"])
            elif style < 0.8:
                name = f"{head} {rng.choice(parts['name_suffixes'])}"
            elif style < 0.9:
                first, second = rng.sample(parts["partner_names"], 2)
                name = f"{first} & {second}"
            else:
                name = f"{head}{rng.choice(parts['name_tails'])} {rng.choice(parts['name_suffixes'])}"
            names[name] = None
        companies = []
        for name in names:
            stage = self.draw("stage")
            sentences = self.corpus["stages"][stage]["sentences"]
            investor, investor2 = rng.sample(parts["investors"], 2)
            fill = {
                "company": name,
                "investor": investor,
                "investor2": investor2,
                "exchange": rng.choice(parts["exchanges"]),
            }
            industries = rng.sample(parts["industries"], int(self.draw("company_industries")))
            companies.append(
                Company(
                    name=name,
                    slug=slugify(name),
                    size=rng.choice([6, 12, 25, 48, 90, 150, 320, 700, 1500, 4800, 12000]) + rng.randrange(0, 5),
                    hq=rng.choice(parts["hq"]) if self.draw("company_hq") == "shown" else None,
                    founded=rng.randint(1998, 2024) if self.draw("company_founded") == "shown" else None,
                    industries=industries,
                    single_industry_as_list=bool(self.draw("single_industry_as_list")),
                    stage=stage,
                    stage_sentence=rng.choice(sentences).format(**fill) if sentences else None,
                    blurb=rng.choice(parts["card_blurbs"]).format(
                        company=name, product=rng.choice(parts["products"]), customers=rng.choice(parts["customers"])
                    ),
                )
            )
        return companies

    # --- one posting ------------------------------------------------------------------------
    def posting(self, city_keys: list[str], wide: bool) -> Posting:
        rng, corpus = self.rng, self.corpus
        family_key = self._family()
        family = corpus["families"][family_key]
        company = rng.choice(self.companies)
        employment = self.draw("employment")
        months = 1 if employment == "INTERN" else int(self.draw("months"))
        work_type = "In-Office or Remote" if wide else self.draw("work_type")
        places, labels, remote_hiring = self._locations(city_keys, work_type, wide)
        applicant = list(dict.fromkeys(place.country for place in places))
        pay_text, card_pay, salary = self._pay(applicant, wide, months)
        date_posted, posted_text = self._posted()
        old = self.draw("id_age") == "old"
        job_id = self.fresh_id(OLD_JOB_IDS if old else NEW_JOB_IDS)
        identifier = self.fresh_id(OLD_IDENTIFIERS) if old else job_id
        title, team = self._title(family, LEVELS[months], employment, places[0].country)
        skills = self._skills(family)
        chips_mode = self.draw("skills_chips")
        chips = [] if chips_mode == "none" else self._chips(skills, joined=chips_mode == "joined")
        site = next((corpus["city_sites"][key] for key in city_keys if key in corpus["city_sites"]), {})
        header = bool(site)  # jobs found through a city site have its layout
        description, body = self._description(family, company, team, skills)
        short_title = title.split(",")[0].split(" - ")[0].split(" (")[0]
        summary = (
            f"The {short_title} will {rng.choice(family['summary']).format(company=company.name, team=team or 'core')}."
        )
        valid = datetime.combine(
            date_posted + timedelta(days=corpus["valid_days"]),
            time(rng.randrange(24), rng.randrange(60), rng.randrange(60)),
        )
        benefits = rng.sample(corpus["benefits"], 4)
        return Posting(
            job_id=str(job_id),
            identifier=str(identifier),
            slug=slugify(re.sub(r"\([^)]*\)\s*$", "", title)),
            title=title,
            company=company,
            cities=list(city_keys),
            template="header" if header else "match",
            host=site.get("host", corpus["default_host"]),
            site_name=site.get("site_name", corpus["default_site_name"]),
            date_posted=date_posted,
            valid_through=valid.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            posted_text=posted_text,
            employment_type=employment,
            months_of_experience=months,
            work_type=work_type,
            remote_hiring=remote_hiring,
            places=places,
            location_labels=labels,
            applicant_countries=applicant,
            salary=salary,
            compensation_text=pay_text,
            card_pay_text=card_pay,
            top_skills=[skill for chip in chips for skill in chip.split(",")],
            skills_in_one_chip=chips_mode == "joined",
            description_html=description,
            body_html=body,
            summary=summary if header or self.draw("summary_match") else None,
            easy_apply=bool(self.draw("easy_apply")),
            early_applicant=bool(self.draw("early_applicant")),
            robots_noindex=header and self.draw("robots_header") == "noindex",
            tooltip_attr=self.draw("tooltip_attr_header") if header else "title",
            how_to_apply=f"https://jobs.{company.slug}.example/openings/{job_id}",
            job_benefits=", ".join(benefits) if self.draw("benefits_in_jsonld") else None,
            role_family=family_key,
            ai_type=family["ai_type"],
            customer_facing=bool(family.get("customer_facing")),
            management=bool(family.get("management")),
            absolute_card_href=bool(self.draw("absolute_card_href")),
            similar_heading=(
                f"Similar Jobs at {company.name}" if self.draw("similar_heading") == "company" else "Similar Jobs"
            ),
        )

    def _family(self) -> str:
        if "family" not in self.decks:
            weights = {key: family["weight"] for key, family in self.corpus["families"].items()}
            self.decks["family"] = Deck(self.rng, weights)
        return self.decks["family"].draw()

    def _city_places(self, key: str) -> list[Place]:
        entry = self.cities[key]
        known = self.corpus["places"].get(key)
        if known:
            places = [_place(spec, entry["country"]) for spec in known]
        elif entry.get("city"):
            label = ", ".join(part for part in (entry["city"], entry.get("state"), entry["country"]) if part)
            places = [
                Place(
                    country=entry["country"],
                    locality=entry["city"],
                    region=entry.get("state"),
                    label=label,
                    long_label=label,
                )
            ]
        else:
            places = []
        return places + [self._country_place(entry["country"])]

    def _country_place(self, country: str) -> Place:
        short, long = self.corpus["country_labels"].get(country, [country, country])
        return Place(country=country, label=short, long_label=long)

    def _locations(self, city_keys, work_type, wide) -> tuple[list[Place], list[str], bool]:
        rng = self.rng
        countries = list(dict.fromkeys(self.cities[key]["country"] for key in city_keys))
        if wide:
            places = [self._country_place(country) for country in countries]
            places += [_place(spec, spec["country"]) for spec in self.corpus["wide_posting_places"]]
            return places, [place.long_label for place in places], False
        remote = "Remote" in work_type and len(countries) == 1
        if remote and self.draw("remote_hiring"):
            place = self._country_place(countries[0])
            return [place], [place.label], True
        if len(city_keys) > 1:
            picks = [rng.choice(self._city_places(key)[:-1] or self._city_places(key)) for key in city_keys]
            places = list(dict.fromkeys(picks))
        else:
            pool = self._city_places(city_keys[0])
            places = rng.sample(pool, min(int(self.draw("location_count")), len(pool)))
        if len(places) == 1:
            return places, [places[0].label], False
        return places, [place.long_label for place in places], False

    def _pay(self, applicant: list[str], wide: bool, months: int) -> tuple[str | None, str | None, dict | None]:
        """The pay a posting states, if any: a range drawn for its market, scaled by its level
        (LEVEL_PAY), so entry-level pay lies below senior pay as it does on builtin.com. The scaling
        draws nothing, so the rest of the generated site does not move with it."""
        rng = self.rng
        if wide:
            low = rng.randrange(25, 45)
            return f"{low}-{low + 40} Hourly", f"{low}-{low + 40} Hourly", None
        if applicant == ["USA"]:
            market = "us"
        elif applicant == ["IND"]:
            market = "india"
        else:
            market = "mixed_us" if "USA" in applicant else "other"
        shape = self.draw(f"pay.{market}")
        if shape == "none":
            return None, None, None
        unit, suffix, scale = "YEAR", "K", 1000
        if shape == "hourly":
            low = rng.randrange(30, 80)
            high, unit, suffix, scale = low + rng.randrange(10, 50), "HOUR", "", 1
        elif shape == "small":
            low = rng.randrange(3, 12)
            high, suffix, scale = low + rng.randrange(0, 8), "", 1
        elif shape == "millions":
            low = rng.randrange(1, 4)
            high, suffix, scale = low + rng.randrange(0, 2), "M", 1_000_000
        else:
            low = {
                "us": rng.randrange(95, 240),
                "mixed_us": rng.randrange(90, 200),
                "india": rng.randrange(300, 900),
                "other": rng.randrange(45, 120),
            }[market]
            high = low if shape == "k_equal" else low + rng.randrange(15, 90)
        if shape not in ("small", "millions"):  # those two are odd on purpose (parser tests)
            low, high = round(low * LEVEL_PAY[months]), round(high * LEVEL_PAY[months])
        period = "Hourly" if unit == "HOUR" else "Annually"
        text = f"{low}{suffix}-{high}{suffix} {period}"
        card = f"{low}{suffix}+ {period}" if shape == "k_equal" else text
        salary = {"currency": "USD", "min": low * scale, "max": high * scale, "unit": unit} if market == "us" else None
        return text, card, salary

    def _posted(self) -> tuple[date, str]:
        kind = self.draw("posted")
        if kind == "hours":
            days, ago = 0, f"{self.rng.randint(2, 20)} Hours Ago"
        elif kind == "yesterday":
            days, ago = 1, "Yesterday"
        else:
            days = self.rng.randint(2, self.corpus["date_span_days"])
            ago = f"{days} Days Ago"
        verb = "Reposted" if self.draw("reposted") else "Posted"
        return self.as_of - timedelta(days=days), f"{verb} {ago}"

    def _title(self, family: dict, level: str, employment: str, country: str) -> tuple[str, str | None]:
        rng, corpus = self.rng, self.corpus
        base = rng.choice(family["titles"])
        quirk = self.draw("title_quirk")
        style = self.draw("title_team")
        team = rng.choice(family["teams"])
        if quirk == "ampersand":
            team, style = rng.choice(corpus["ampersand_teams"]), rng.choice(["comma", "dash"])
        if employment == "INTERN":
            title = f"{base} Intern"
        else:
            title = f"{rng.choice(corpus['seniority'][level])} {base}".strip()
        if "," in base and style == "comma":
            style = "dash"
        title = {"none": title, "comma": f"{title}, {team}", "dash": f"{title} - {team}", "paren": f"{title} ({team})"}[
            style
        ]
        if country in corpus["gender_tag_countries"] and self.draw("gender_tag") == "tag":
            title = f"{title} {rng.choice(corpus['gender_tags'])}"
        if quirk == "double_space":
            title = title.replace(" ", "  ", 1)
        elif quirk == "nbsp":
            head, _, tail = title.rpartition(" ")
            title = f"{head}\u00a0{tail}"
        return title, (None if style == "none" else team)

    def _skills(self, family: dict) -> list[tuple[str, str]]:
        """(name as written in the description, chip as builtin.com shows it), no repeats."""
        rng, pools = self.rng, self.corpus["skills"]
        chosen: dict[str, tuple[str, str]] = {}
        wanted = list(family["primary"]) + rng.sample(family["secondary"], min(2, len(family["secondary"])))
        for pool in wanted:
            options = [skill for skill in pools[pool] if skill[1].lower() not in chosen]
            if options:
                skill = rng.choice(options)
                chosen[skill[1].lower()] = tuple(skill)
        if "python" not in chosen and rng.random() < 0.6:
            chosen["python"] = ("Python", "Python")
        if self.draw("one_letter_skill"):
            skill = rng.choice(pools["one_letter"])
            chosen[skill[1].lower()] = tuple(skill)
        return list(chosen.values())

    def _chips(self, skills: list[tuple[str, str]], joined: bool) -> list[str]:
        names = [chip for _, chip in skills]
        if joined:
            return [",".join(names)]
        names.sort(key=str.lower)
        if self.draw("repeated_chip"):
            repeat = self.rng.randrange(len(names))
            names.insert(repeat, names[repeat])
        return names

    def _description(self, family, company, team, skills) -> tuple[str, str]:
        """JSON-LD description HTML and the page body HTML (with an obfuscated e-mail sometimes)."""
        rng, corpus = self.rng, self.corpus
        heads = corpus["section_heads"]
        parts_fill = {"company": company.name}

        def heading(key):
            return f"<p><strong>{escape(rng.choice(heads[key]).format(**parts_fill), quote=False)}</strong></p>"

        def bullets(items):
            return "<ul>" + "".join(f"<li>{escape(item, quote=False)}</li>" for item in items) + "</ul>"

        about = company.blurb + (f" {company.stage_sentence}" if company.stage_sentence else "")
        about_html = escape(about, quote=False)
        if rng.random() < 0.85:  # most real descriptions carry entity references
            about_html = about_html.replace(" ", "&nbsp;", 1)
        intro = " ".join(
            sentence.format(company=company.name, team=team or "engineering") for sentence in family["intro"]
        )
        intro += " " + rng.choice(corpus["collaboration_sentences"])
        traps = rng.sample(corpus["trap_sentences"], 2)
        duties = [duty.format(team_size=rng.randint(4, 12)) for duty in rng.sample(family["duties"], 4)]
        names = [name for name, _ in skills]
        requirements = []
        for template in rng.sample(corpus["requirement_templates"], 3):
            if not names:
                break
            a = names.pop(0)
            b = names.pop(0) if "{b}" in template and names else "similar tools"
            requirements.append(template.format(years=rng.randint(2, 7), a=a, b=b))
        if names:
            requirements.append(
                "Experience with " + ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
            )
        extras = rng.sample(family["extras"], 2)
        closing = rng.choice(corpus["closing"]).format(company=company.name)
        sections = [
            heading("company"),
            f"<p>{about_html}</p>",
            heading("role"),
            f"<p>{escape(intro + ' ' + traps[0], quote=False)}</p>",
            heading("duties"),
            bullets(duties),
            heading("requirements"),
            bullets(requirements),
            heading("extras"),
            bullets(extras),
            heading("benefits"),
            bullets(rng.sample(corpus["benefits"], 4)),
            f"<p>{escape(traps[1] + ' ' + closing, quote=False)}</p>",
        ]
        description = "".join(sections)
        if self.draw("description_start") == "nested_p":
            description = f"<p>{description}</p>"
        if not self.draw("cf_email"):
            return description, description
        email = f"careers@{company.slug}.example"
        key = rng.randrange(16, 256)
        encoded = f"{key:02x}" + "".join(f"{ord(char) ^ key:02x}" for char in email)
        contact = "<p>Questions about the role? Write to {}.</p>"
        link = (
            f'<a href="/cdn-cgi/l/email-protection" class="__cf_email__" '
            f'data-cfemail="{encoded}">[email&#160;protected]</a>'
        )
        return description + contact.format(email), description + contact.format(link)

    def similar_jobs(self, posting: Posting) -> list[SimilarJob]:
        """Cards whose every value differs from the posting's header, to catch parsers reading them."""
        rng, corpus = self.rng, self.corpus
        others = [company for company in self.companies if company.size != posting.company.size] or self.companies
        cards = []
        for _ in range(rng.randint(2, 4)):
            company = rng.choice(others)
            family = corpus["families"][rng.choice(list(corpus["families"]))]
            title = rng.choice(family["titles"])
            labels = [label for label in corpus["similar_job_locations"] if label not in posting.location_labels]
            low = rng.randrange(60, 300)
            pay = f"{low}K-{low + rng.randrange(10, 80)}K Annually"
            cards.append(
                SimilarJob(
                    job_id=str(self.fresh_id(SIMILAR_JOB_IDS)),
                    slug=slugify(title),
                    title=title,
                    company=company.name,
                    company_slug=company.slug,
                    work_type=rng.choice([kind for kind in WORK_TYPES if kind != posting.work_type]),
                    location_labels=rng.sample(labels, 2 if rng.random() < 0.3 else 1),
                    employees=company.size,
                    pay_text=pay if pay != posting.compensation_text else f"{low + 1}K-{low + 99}K Annually",
                    level=rng.choice([level for level in LEVELS.values() if level != posting.level]),
                    age_text=f"{rng.randint(2, 23)} Hours Ago",
                    industries=company.industries,
                    easy_apply=rng.random() < 0.3,
                )
            )
        return cards


def _place(spec: dict, country: str) -> Place:
    return Place(
        country=spec.get("country", country),
        locality=spec.get("locality"),
        region=spec.get("region"),
        postal_code=spec.get("postal"),
        street=spec.get("street"),
        geo=tuple(spec["geo"]) if spec.get("geo") else None,
        label=spec.get("short", spec.get("long", "")),
        long_label=spec.get("long", spec.get("short", "")),
    )
