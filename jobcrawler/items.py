"""The posting item that flows from the spider through the pipelines.

Fields are filled in stages, each by one module:

* parsing (``jobcrawler.parsing.detail.parse_detail``) fills the *page* fields, named
  like the ``page`` object of ``builtin-sample/labels.jsonl`` so parser accuracy can be
  measured field by field;
* the spider adds the crawl context (``job_id``, ``source_url``, ``city``, ``query``);
* normalize pipelines add the clean, typed columns stored in ``jobs``;
* the tag pipeline adds ``skills``, the category columns and the evidence behind each.

Pipelines read and write items through ``ItemAdapter``, so a plain dict works too.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class JobItem:
    # --- crawl context (spider) -------------------------------------------------
    job_id: str | None = None  # trailing number of the posting URL, never the JSON-LD identifier
    source_url: str | None = None  # URL the detail page was fetched from
    city: str | None = None  # city key (cities.yaml) whose listing linked to the job
    query: str | None = None  # search query of that listing
    listing_title: str | None = None  # title on the listing card (fallback only)
    listing_company: str | None = None  # company on the listing card (fallback only)

    # --- page fields (parsing.detail) ----------------------------------------------
    template: str | None = None  # "match" (builtin.com) or "header" (www.builtinla.com)
    canonical_url: str | None = None
    title: str | None = None  # JSON-LD title as written (may hold double / no-break spaces)
    company: str | None = None
    company_url: str | None = None
    jsonld_identifier: str | None = None
    date_posted: str | None = None  # YYYY-MM-DD
    valid_through: str | None = None
    posted_text: str | None = None  # "Reposted 10 Days Ago"
    reposted: bool | None = None
    employment_type: str | None = None  # FULL_TIME, INTERN, CONTRACTOR, ...
    job_location_type: str | None = None  # "TELECOMMUTE" or None
    work_type: str | None = None  # In-Office, Hybrid, Remote, In-Office or Remote, Remote or Hybrid
    remote_hiring: bool | None = None  # header reads "Hiring Remotely in ..."
    locations: list[dict] = field(default_factory=list)  # {locality, region, country, postal_code, street}
    location_labels: list[str] = field(default_factory=list)
    applicant_countries: list[str] = field(default_factory=list)
    salary: dict | None = None  # JSON-LD baseSalary as {currency, min, max, unit}
    compensation_text: str | None = None  # header pay text, e.g. "135K-203K Annually"
    months_of_experience: int | None = None
    level: str | None = None  # header level as shown
    industries: list[str] = field(default_factory=list)
    top_skills: list[str] = field(default_factory=list)
    company_size: str | None = None  # "900 Employees" as shown
    company_hq: str | None = None
    year_founded: str | None = None
    easy_apply: bool | None = None
    robots_noindex: bool | None = None
    description_html: str | None = None  # JSON-LD description (HTML)

    # --- normalized columns (normalize pipelines) ------------------------------------
    title_clean: str | None = None  # whitespace collapsed, gender tags such as "(m/w/d)" removed
    description: str | None = None  # clean text, paragraphs and bullets kept
    posted_date: str | None = None  # ISO date
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = None  # only when the page states it
    salary_period: str | None = None  # year / hour / month
    country: str | None = None  # ISO-3 of the first location
    countries: list[str] = field(default_factory=list)
    places: list[dict] = field(default_factory=list)  # normalized locations: label, locality, region, country
    remote: bool | None = None
    company_size_employees: int | None = None

    # --- tags (tag pipeline) ------------------------------------------------------------
    skills: list[dict] = field(default_factory=list)  # {skill, category, matched, source, section}
    categories: dict = field(default_factory=dict)  # column name -> value (ai_type, company_stage, ...)
    evidence: dict = field(default_factory=dict)  # category -> [{rule, condition, matched, section}, ...]
    tagger_version: str | None = None  # of the rules that tagged it: its labels are source ``rules``


@dataclass
class JobSighting:
    """A job listed under a city without (re-)fetching its detail page.

    Emitted when the detail page was already requested in this run (the job is listed
    under several cities), was fetched recently enough (incremental re-crawl), or was
    left out by ``-a days=N`` (``filtered``: listed, so not closed, but not stored).
    """

    job_id: str
    city: str
    url: str | None = None
    filtered: bool = False
