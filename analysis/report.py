"""The "AI Engineering Jobs Analysis" document, regenerated from the ``report_*`` tables.

Headings, sections and lists follow the published document, and its figures are counted the
published way (analysis/methods.yaml), this project's own definitions printed beside and named;
every number comes from the report tables of one (city, period) scope ('all'/'all' is the whole
database). Every sentence that judges a number ("most", "common", "dominates", "ahead of") is
worded from that number by ``analysis.wording``, so it stays true on the next crawl: ties say
tie, shares of fewer than 20 jobs carry their n and a caution, and a finding the data reverses
reads reversed. Quotes come from the labels (example responsibilities), never from the published
text; where the published document disagrees with its own data, the Errata say so.
``python -m analysis.compare_published`` lists every published figure beside this document's.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from functools import lru_cache, wraps

import yaml

from analysis import blend
from analysis.datasette_plugins import label_blend
from analysis.datasette_plugins import learning_path as learning_engine
from analysis.wording import (
    DOMINANCE,
    SMALL_GROUP,
    TOO_FEW,
    capitalized,
    compare,
    frequency,
    is_small,
    join_names,
    leaders,
    pronoun,
    pct,
    quantifier,
    ranking,
    small_group,
    too_few,
    versus,
)
from jobcrawler.cities import city_key, load_cities
from jobcrawler.storage import LLM_PREFIX, RULES
from jobcrawler.tagging import TAXONOMY_PATH
from jobcrawler.tagging.names import name_key

MARKDOWN_SPECIAL = set("\\`*_[]<>")

# The skills the original compares between AI-first and AI-support roles.
COMPARED_SKILLS = ("RAG", "prompt engineering", "agents", "LangChain", "Docker", "Kubernetes", "AWS", "React")
# The infrastructure and web skills the entry-level section weighs for AI-support roles.
SUPPORT_DEMANDS = ("Kubernetes", "Docker", "AWS", "React")

SKILL_SECTIONS = (  # category, heading, list length, show percentages
    ("genai", "Top GenAI skills", 9, True),
    ("ml", "Top ML skills", 7, False),
    ("web", "Top web skills", 6, False),
    ("databases", "Top database skills", 6, False),
    ("cloud", "Top cloud skills", 3, False),
    ("ops", "Top ops skills", 5, False),
    ("languages", "Top languages", 5, True),
)

STAGE_SECTIONS = (  # stage group, heading, list length
    ("Seed", "Early stage (Seed)", 5),
    ("Series A-C", "Growth stage (Series A-C)", 8),
    ("Series D+/Public", "Late stage (Series D+/Public)", 10),
)

SUPPORT_CATEGORIES = {
    "platform/infrastructure": ("Platform/Infrastructure", "Build AI platforms, GPU clusters, MLOps tooling"),
    "sales/solutions": ("Sales/Solutions", "Pre-sales, customer demos, AI solutions consulting"),
    "frontend/UI": ("Frontend/UI", "Build UIs for AI products, chatbots, AI dashboards"),
    "backend/general SWE": ("Backend/General SWE", "APIs, microservices, internal tools for AI teams"),
    "data/pipelines": ("Data/Pipelines", "Data pipelines, ETL, dataset preparation for ML"),
    "observability/monitoring": ("Observability/Monitoring", "AI evaluation, testing, monitoring frameworks"),
    "other": ("Other", "None of the categories' words in the title or responsibilities"),
}
# The rule tagger files every AI-support role no other rule claims under backend/general SWE.
RULES_BACKEND = "APIs, microservices, internal tools, and every AI-support role no other category matched"

BEYOND_GENAI_LABELS = {
    "GenAI + ops": "GenAI + Ops (Docker, K8s, CI/CD)",
    "GenAI + ML": "GenAI + ML skills",
    "GenAI + web": "GenAI + Web skills",
    "GenAI + any other": "GenAI + ANY other tech",
    "pure GenAI": "Pure GenAI (nothing else)",
}

FINE_TUNING_DEPTHS = {
    "primary": ("Primary FT responsibility", "FT is main focus (model architecture, LoRA, PEFT)"),
    "secondary": ("Secondary/occasional FT", "FT mentioned but not core"),
    "none": ("No FT mentioned", "No fine-tuning expected"),
}

FINE_TUNING_USE_CASES = {
    "instruction following": ("Instruction following", "Agents that follow complex instructions, task execution"),
    "domain knowledge": ("Domain knowledge", "Medical, legal, finance, industry-specific applications"),
    "style/tone": ("Style/Tone", "Brand voice, personality, formatting requirements"),
    "company data": ("Company data", "Internal documents, proprietary data"),
    "performance": ("Performance", "Smaller/faster models, latency optimization"),
    "language": ("Language", "Multilingual, non-English support"),
    "privacy": ("Privacy", "On-prem, offline, secure environments"),
}

NON_GENAI_SKILLS = (  # category, label, list length
    ("cloud", "Cloud", 3),
    ("ops", "Ops", 3),
    ("web", "Web", 2),
    ("languages", "Languages", 3),
)

MIN_KEYWORD_SHARE = 1.0  # title keywords in fewer of a type's titles (%) are left out
TIED_TITLES = 12  # a title list shows up to this many more titles tying with its last, else notes them
TIED_SKILLS = 5  # the same for a skill list
STRONG_TITLE_SHARE = 75  # a title variant is "strongly" of a type from this share of its jobs
STRONG_TITLE_MIN_JOBS = 3  # ... and with at least this many jobs


def plural(count: int | None, noun: str) -> str:
    """'1 job', '2 jobs', '11 more companies'."""
    count = count or 0
    if count == 1:
        return f"{count} {noun}"
    many = noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"
    return f"{count} {many}"


def jobs(count: int | None) -> str:
    return plural(count, "job")


def month_name(period: str | None) -> str:
    if not period or period == "all":
        return "every crawl"
    year, month = period.split("-")
    return date(int(year), int(month), 1).strftime("%B %Y")


def city_names() -> dict[str, str]:
    """City key -> name: cities.yaml's, and the key of jobs imported from the Field Guide."""
    from jobcrawler import fieldguide

    return {**{key: city.name for key, city in load_cities().items()}, fieldguide.CITY: fieldguide.CITY_NAME}


@lru_cache(maxsize=1)
def cloud_platforms() -> frozenset[str]:
    """Cloud skills that are platforms, not one vendor's product (SageMaker, Azure ML): the
    taxonomy's headline cloud entries that imply no other skill."""
    taxonomy = yaml.safe_load(TAXONOMY_PATH.read_text())
    return frozenset(
        entry["skill"]
        for entry in taxonomy["skills"]
        if entry.get("category") == "cloud" and entry.get("headline") and not entry.get("implies")
    )


class Scope:
    """Reads one (label source, city, period) slice of the report tables."""

    def __init__(self, conn: sqlite3.Connection, city: str, period: str, labels: str = "rules"):
        self.conn = conn
        self.cursor = conn.cursor()
        self.cursor.row_factory = sqlite3.Row
        self.city = city
        self.period = period
        self.labels = labels

    def rows(self, table: str, where: str = "1", params: tuple = (), limit: int | None = None) -> list[sqlite3.Row]:
        """Rows of the scope in table order (the order the report lists them)."""
        sql = f"SELECT * FROM {table} WHERE labels = ? AND city = ? AND period = ? AND ({where}) ORDER BY rowid"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.cursor.execute(sql, (self.labels, self.city, self.period, *params)).fetchall()

    def row(self, table: str, where: str = "1", params: tuple = ()) -> sqlite3.Row | dict:
        found = self.rows(table, where, params, limit=1)
        return found[0] if found else {}

    def value(self, table: str, column: str, where: str = "1", params: tuple = ()):
        return dict(self.row(table, where, params)).get(column)

    def type_jobs(self, ai_type: str) -> int:
        return self.value("report_ai_types", "jobs", "ai_type = ?", (ai_type,)) or 0

    def describe(self) -> str:
        parts = []
        if self.city != "all":
            parts.append(f"city {city_names().get(self.city, self.city)}")
        if self.period != "all":
            parts.append(f"crawl month {month_name(self.period)}")
        return ", ".join(parts)


NO_JOBS = "the database holds no jobs yet: crawl (scrapy crawl builtin) or import jobs, then report"


class ScopeError(ValueError):
    """A scope the report cannot describe: a (city, period) the report tables hold no rows
    for (the message lists the valid values), or one without jobs (an empty database)."""


def scope_error(conn: sqlite3.Connection, city: str, period: str, labels: str = "rules") -> str | None:
    """None if the report tables cover (city, period) of label source ``labels`` with at least one
    job, else a one-line message: the valid values for an unknown scope, what to do for an empty
    database."""
    cells = set(conn.execute("SELECT DISTINCT city, period FROM report_overview WHERE labels = ? AND jobs > 0",
                             (labels,)).fetchall())
    if (city, period) in cells:
        return None
    if not cells:
        return NO_JOBS
    cities = sorted({c for c, _ in cells} - {"all"})
    periods = sorted({p for _, p in cells} - {"all"})
    problems = []
    if city != "all" and city not in cities:
        problems.append(f"unknown city {city!r} (valid: {', '.join(['all', *cities])})")
    if period != "all" and period not in periods:
        problems.append(f"unknown period {period!r} (valid: {', '.join(['all', *periods])})")
    if not problems:  # both exist, just not together
        seen = sorted(p for c, p in cells if c == city and p != "all")
        problems.append(f"city {city!r} was not crawled in {period!r} (its periods: {', '.join(['all', *seen])})")
    return "; ".join(problems)


def scope_city(conn: sqlite3.Connection, city: str, labels: str = "rules") -> str:
    """The city key of the report tables ``city`` names in any case, or by its name; as given when
    none (scope_error then lists them). Of keys differing only in case (``Berlin`` and ``berlin``
    crawled apart), one with jobs, the first in order: never whichever row SQLite read first."""
    cities = [row[0] for row in conn.execute(
        "SELECT DISTINCT city FROM report_overview WHERE labels = ? AND jobs > 0 ORDER BY city", (labels,))]
    return city_key(city, ["all", *cities]) or city  # unknown: kept, for scope_error's one line


def render_report(conn: sqlite3.Connection, city: str = "all", period: str = "all", labels: str = "rules") -> str:
    """The document for one (city, period) scope of one label source; ScopeError if the report
    tables lack it or it holds no jobs. ``city``: a key the tables hold in any case, or its name."""
    city = scope_city(conn, city, labels)
    problem = scope_error(conn, city, period, labels)
    if problem:
        raise ScopeError(problem)
    scope = Scope(conn, city, period, labels)
    sections = [
        header(scope),
        job_types(scope),
        companies_and_roles(scope),
        skills(scope),
        title_keywords(scope),
        frameworks(scope),
        genai_pairs(scope),
        skills_by_stage(scope),
        supporting_roles(scope),
        support_genai_need(scope),
        entry_level(scope),
        research_vs_applied(scope),
        title_variants(scope),
        ml_knowledge(scope),
        beyond_genai(scope),
        fine_tuning(scope),
        key_insight(scope),
        learning_path(scope),
        tech_stack(scope),
        pay(scope),
        trust(scope),
        errata(scope),
        methods_note(scope),
    ]
    return "\n\n".join(section.strip("\n") for section in sections) + "\n"


def bullets(lines) -> str:
    lines = list(lines)
    return "\n".join(f"- {line}" for line in lines) if lines else "- none in this scope"


def md(text) -> str:
    """Data text as literal Markdown: markup characters escaped, so a title cannot inject HTML."""
    return "".join("\\" + char if char in MARKDOWN_SPECIAL else char for char in str(text))


def top_rows(rows: list, limit: int, noun: str, expand: int = 0) -> tuple[list, str]:
    """The first ``limit`` rows (ranked by ``jobs``, ties in the order the data first names them,
    as published). A list never hides an equal of its last row: up to ``expand`` more rows tying
    with it are shown too, more are named by their number. The report tables keep every row
    tying with their last, so the number is exact."""
    shown, rest = rows[:limit], rows[limit:]
    if not shown:
        return shown, ""
    tied = [row for row in rest if row["jobs"] == shown[-1]["jobs"]]
    if not tied:
        return shown, ""
    if len(tied) <= expand:
        return shown + tied, ""
    verb = "has" if len(tied) == 1 else "have"
    return shown, (f"\n\n({plural(len(tied), 'more ' + noun)} also {verb} {jobs(shown[-1]['jobs'])}; "
                   "ties are listed in the order of their first posting.)")


def of_jobs(share: float) -> str:
    return f"{pct(share)} of jobs"


def named(rows, column: str = "skill", value: str = "jobs") -> list[tuple[str, float]]:
    return [(md(row[column]), row[value]) for row in rows]


def numbered(lines: list[str]) -> str:
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))


def about(ai_type: str, label: str, heading: str):
    """A section whose shares are of one AI type's jobs: without such jobs it says so instead
    of printing 0% findings."""

    def wrap(section):
        @wraps(section)
        def checked(scope: Scope) -> str:
            if not scope.type_jobs(ai_type):
                return f"{heading}\n\nNo {label} role in this scope: nothing to measure."
            return section(scope)

        return checked

    return wrap


SCOPE_JOBS = """
    WITH seen (job_id, city, period) AS (
        SELECT s.job_id, s.city, substr(coalesce(r.started_at, s.seen_at), 1, 7)
        FROM sightings AS s LEFT JOIN crawl_runs AS r ON r.run_id = s.run_id
        UNION
        SELECT c.job_id, c.city, substr(c.first_seen, 1, 7) FROM job_cities AS c
        WHERE NOT EXISTS (SELECT 1 FROM sightings AS s WHERE s.job_id = c.job_id AND s.city = c.city)
        UNION
        SELECT c.job_id, c.city, substr(c.last_seen, 1, 7) FROM job_cities AS c
        WHERE NOT EXISTS (SELECT 1 FROM sightings AS s WHERE s.job_id = c.job_id AND s.city = c.city)
    ),
    scope_jobs AS (
        SELECT job_id FROM job_labels WHERE labels = :labels AND (
            (:city = 'all' AND :period = 'all')
            OR job_id IN (SELECT job_id FROM seen WHERE :city IN ('all', city) AND :period IN ('all', period)))
    )
"""  # the jobs of a scope, as in reports/_scope.sql: for queries the report tables do not answer


def imported_batches(scope: Scope) -> list[str]:
    """The Field Guide batches (jobcrawler.fieldguide imports) that brought the scope's jobs."""
    rows = scope.conn.execute(
        SCOPE_JOBS + """
        SELECT DISTINCT json_extract(r.args, '$.batch') FROM crawl_runs AS r
        JOIN sightings AS s ON s.run_id = r.run_id
        WHERE r.spider = 'fieldguide' AND s.job_id IN (SELECT job_id FROM scope_jobs)
          AND :city IN ('all', s.city) AND :period IN ('all', substr(coalesce(r.started_at, s.seen_at), 1, 7))
        ORDER BY 1
        """,
        {"labels": scope.labels, "city": scope.city, "period": scope.period},
    ).fetchall()
    return [batch for (batch,) in rows if batch]


def posted_months(scope: Scope) -> list[tuple[str, int]]:
    """(posting month, jobs) of the scope's jobs, to tell a tie for the busiest month. A job is
    in (city, period) as in reports/_scope.sql: a sighting in that city during a crawl run of
    that month, or, for jobs stored without sightings, its first/last day in that city; only jobs
    the scope's label source labelled count, as in the report tables."""
    return scope.conn.execute(
        SCOPE_JOBS + """
        SELECT substr(posted_date, 1, 7), count(*) FROM jobs
        WHERE posted_date IS NOT NULL AND job_id IN (SELECT job_id FROM scope_jobs)
        GROUP BY 1
        """,
        {"labels": scope.labels, "city": scope.city, "period": scope.period},
    ).fetchall()


EXAMPLES = 5  # example responsibilities shown per AI type


def example_responsibilities(scope: Scope, ai_type: str) -> list[str]:
    """The first responsibility of the first postings (job id order) of an AI type that hold the
    type's most common title: what such a role does, in its labels' words. Sources that record
    no responsibilities (the rule tagger) give none."""
    rows = scope.conn.execute(
        SCOPE_JOBS + """,
        typed AS (
            SELECT j.job_id, j.title, l.responsibilities FROM jobs AS j
            JOIN job_labels AS l ON l.job_id = j.job_id AND l.labels = :labels
            WHERE l.ai_type = :ai_type AND j.job_id IN (SELECT job_id FROM scope_jobs)
              AND json_valid(l.responsibilities) AND json_array_length(l.responsibilities) > 0
        ),
        top_title AS (SELECT title FROM typed GROUP BY title ORDER BY count(*) DESC, min(job_id) LIMIT 1)
        SELECT json_extract(responsibilities, '$[0]') FROM typed
        ORDER BY title IN (SELECT title FROM top_title) DESC, job_id
        LIMIT :limit
        """,
        {"labels": scope.labels, "city": scope.city, "period": scope.period, "ai_type": ai_type, "limit": 4 * EXAMPLES},
    ).fetchall()
    return list(dict.fromkeys(text for (text,) in rows if text))[:EXAMPLES]  # the same duty twice is one example


def examples_block(scope: Scope, ai_type: str, heading: str = "Example responsibilities") -> str:
    found = example_responsibilities(scope, ai_type)
    if not found:
        return f"{heading}: none recorded by this label source."
    return f"{heading} (the first duty of postings with the type's most common title):\n\n" + bullets(
        f'"{md(text)}"' for text in found)


def crawl_dates(scope: Scope, overview: dict) -> tuple[str | None, str | None]:
    """First and last crawl day of the scope: from its crawl runs (report_overview), else from
    the days the crawls recorded each job (job_cities), for jobs stored without a run."""
    if overview.get("first_crawl"):
        return overview["first_crawl"], overview["last_crawl"]
    found = scope.conn.execute(
        "SELECT min(date(first_seen)), max(date(last_seen)) FROM job_cities "
        "WHERE (? = 'all' OR city = ?) AND (? = 'all' OR ? IN (substr(first_seen, 1, 7), substr(last_seen, 1, 7)))",
        (scope.city, scope.city, scope.period, scope.period),
    ).fetchone()
    return found if found else (None, None)


def header(scope: Scope) -> str:
    overview = dict(scope.row("report_overview"))
    names = city_names()
    cities = [names.get(key, key) for key in (overview.get("cities") or "").split(", ") if key]
    queries = " / ".join(f'"{md(q)}"' for q in (overview.get("queries") or "").split(",") if q) or "(no recorded query)"
    sites = ", ".join(md(site.split("://", 1)[-1]) for site in (overview.get("sites") or "builtin.com").split(","))
    first_crawl, last_crawl = crawl_dates(scope, overview)
    runs = overview.get("crawl_runs") or 0
    batches = imported_batches(scope)
    if not first_crawl:
        when = "on unrecorded days"
    elif first_crawl == last_crawl:
        when = f"on {first_crawl}"
    else:
        when = f"between {first_crawl} and {last_crawl}"
    crawled = f"in {plural(runs, 'crawl run')} {when}" if runs else f"{when} (no crawl run recorded)"
    imported = (f"imported from the AI Engineering Field Guide dataset (scrape {'batch' if len(batches) == 1 else 'batches'} "
                f"{join_names(sorted(batches))})")
    if batches and runs:
        source = f"The jobs come from crawls ({plural(runs, 'crawl run')}) and were partly {imported}"
        where = f"The crawler searched {sites} for jobs containing {queries} in {join_names(cities) or 'no recorded city'}"
        origin = f"{source}. {where}."
    elif batches:
        origin = (f"The jobs were {imported}: its author searched {sites} for jobs containing {queries} in "
                  f"{join_names(cities) or 'no recorded city'} on {join_names(sorted(batches))}. No crawl of this "
                  "project saw them.")
    else:
        origin = (f"The crawler searched {sites} for jobs containing {queries} in "
                  f"{join_names(cities) or 'no recorded city'}, {crawled}.")
    posted = "The posting dates are not recorded."
    if overview.get("first_posted"):
        share = pct(overview.get("main_posted_month_pct"))
        months = leaders(posted_months(scope)) or [overview.get("main_posted_month")]
        if len(months) > 1:
            busiest = f"equally many ({share} each) in {join_names([month_name(m) for m in months])}"
        else:
            most = {"all": "all of them", "most": "most of them", "nearly all": "nearly all of them"}.get(
                quantifier(overview.get("main_posted_month_pct")), "the largest share"
            )
            busiest = f"{most} ({share}) in {month_name(months[0])}"
        posted = f"The postings were published between {overview['first_posted']} and {overview['last_posted']}; {busiest}."
    restriction = scope.describe()
    return f"""# AI Engineering Jobs Analysis

Generated from {overview.get('jobs') or 0} job descriptions extracted from {sites}{' (' + restriction + ')' if restriction else ''}.

{origin} {posted}

Labels: {label_source_note(scope.labels)}

Summary

{bullets(summary(scope))}"""


def summary(scope: Scope) -> list[str]:
    ai_first = scope.value("report_ai_types", "pct", "ai_type = 'ai-first'") or 0
    lines = [f"{pct(ai_first, 0)} of roles work directly on AI (AI-first)"]
    if scope.type_jobs("ai-first"):
        beyond = scope.value("report_beyond_genai", "pct", "combination = 'GenAI + any other'") or 0
        lines.append(f"{pct(beyond, 0)} need skills beyond just GenAI (of AI-first roles)")
    genai = scope.rows("report_top_skills", "category = 'genai'")
    top = leaders(named(genai))
    if len(top) == 1:
        lines.append(f"{pct(genai[0]['pct'])} of roles mention {top[0]} - the most common GenAI skill in all jobs")
    elif top:
        lines.append(f"{join_names(top)} tie as the most common GenAI skills ({pct(genai[0]['pct'])} of roles each)")
    clouds = [row for row in scope.rows("report_top_skills", "category = 'cloud'") if row["skill"] in cloud_platforms()]
    if clouds:
        lines.append(ranking(named(clouds), jobs))
    return lines


LABEL_SOURCES = {
    "rules": "the rule tagger of this project, jobcrawler/tagging",
    "fieldguide": "the published analysis' own LLM labels, imported from the AI Engineering Field Guide dataset",
}


def methods_note(scope: Scope) -> str:
    """How each table counts (analysis/methods.yaml, which the build also stores as report_methods),
    each definition with the figures it gives on this data, the published one's and ours beside."""
    from analysis.build import methods

    kept = {"published": "as published", "ours": "our definition"}
    lines = []
    for row in methods():
        figure = METHOD_FIGURES[row["figures"]](scope) if row["figures"] != "none" else ""
        lines.append(f"{md(row['topic'])} ({kept.get(row['choice'], md(row['choice']))}): {md(row['why'])}"
                     + (f" Here: {figure}." if figure else ""))
    return ("## Methods\n\nThe published analysis' definitions are the report's, for every label source; where this "
            "project has its own, both figures are given.\n\n" + bullets(lines))


def _skill_names_figures(scope: Scope) -> str:
    rows = scope.rows("report_top_skills", "rank <= 10 AND canonical = skill AND merged_jobs <> jobs")
    rows.sort(key=lambda row: -(row["merged_jobs"] - row["jobs"]))
    return "; ".join(f"{md(row['skill'])} {row['jobs']} as its list names it, {row['merged_jobs']} merged"
                     for row in rows[:3])


def _stage_figures(scope: Scope) -> str:
    rows = {row["stage_group"]: row for row in scope.rows("report_skills_by_stage", "rank = 1")}
    return "; ".join(f"{group} {rows[group]['stage_jobs']} jobs by the stage text, {rows[group]['exact_stage_jobs'] or 0} "
                     "by the exact stage" for group, _, _ in STAGE_SECTIONS if group in rows)


def _fullstack_figures(scope: Scope) -> str:
    return "; ".join(f"{row['side']} {row['jobs']} (ours {row['our_jobs']}) of {row['ai_first_jobs']} AI-first jobs"
                     for row in scope.rows("report_fullstack"))


def _beyond_genai_figures(scope: Scope) -> str:
    rows = {row["combination"]: row for row in scope.rows("report_beyond_genai")}
    if not rows:
        return ""
    return (f"GenAI + any other tech {pct(rows['GenAI + any other']['pct'])}, "
            f"pure GenAI {pct(rows['pure GenAI']['pct'])} of AI-first jobs")


def _ml_need_figures(scope: Scope) -> str:
    row = dict(scope.row("report_ai_first_ml_need"))
    return f"{pct(row.get('pct'))} of AI-first jobs (ours {pct(row.get('concrete_pct'))})" if row else ""


def _comparison_figures(scope: Scope) -> str:
    row = dict(scope.row("report_skill_comparison", "skill = 'RAG'"))
    if not row:
        return ""
    return (f"RAG in {pct(row['ai_first_pct'])} of AI-first and {pct(row['ai_support_pct'])} of AI-support jobs "
            f"(the skill itself: {pct(row['named_ai_first_pct'])} and {pct(row['named_ai_support_pct'])})")


def _fine_tuning_figures(scope: Scope) -> str:
    row = dict(scope.row("report_fine_tuning"))
    return (f"{pct(row.get('pct'))} of AI-first jobs mention fine-tuning, {pct(row.get('duty_pct'))} have it as a duty"
            if row else "")


def _use_case_figures(scope: Scope) -> str:
    row = dict(scope.row("report_fine_tuning_use_cases"))
    return f"{md(row['use_case'])} {plural(row['mentions'], 'mention')} in {jobs(row['jobs'])}" if row else ""


def _title_word_figures(scope: Scope) -> str:
    row = dict(scope.row("report_title_keyword_shares", "ai_type = 'ai-first'"))
    return (f'"{md(row["keyword"])}" in {pct(row["pct"])} of AI-first titles, {pct(row["whole_word_pct"])} as a whole word'
            if row else "")


def _title_variant_figures(scope: Scope) -> str:
    row = dict(scope.row("report_title_variants"))
    return (f"{md(row['title_variant'])} {jobs(row['jobs'])}, {row['whole_word_jobs']} as whole words"
            if row and row.get("whole_word_jobs") is not None else "")


def _entry_level_figures(scope: Scope) -> str:
    return "; ".join(f"{row['ai_type']} {pct(row['pct'])} ({row['entry_level_jobs']} of {row['jobs']})"
                     for row in scope.rows("report_entry_level") if row["ai_type"] in ("ai-first", "ai-support"))


def _management_figures(scope: Scope) -> str:
    roles = {row["role"]: dict(row) for row in scope.rows("report_roles")}
    management, lead = roles.get("management", {}), roles.get("tech lead", {})
    leads = "not told apart" if lead.get("jobs") is None else f"{lead['jobs']} technical leads apart"
    return f"management {management.get('jobs') or 0} ({leads})"


def _rag_or_agents_figures(scope: Scope) -> str:
    return f"{pct(scope.value('report_overview', 'rag_or_agents_pct'))} of jobs"


def _pay_figures(scope: Scope) -> str:
    rows = scope.rows("report_pay", "group_by = 'all'")
    named = sum(row["jobs"] for row in rows if row["currency"] != "not stated")
    left_out = sum(row["jobs"] for row in scope.rows("report_pay_left_out"))
    return f"{named} postings with a currency, {left_out} left out" if rows or left_out else ""


METHOD_FIGURES = {
    "skill_names": _skill_names_figures, "stage_groups": _stage_figures, "fullstack": _fullstack_figures,
    "beyond_genai": _beyond_genai_figures, "ml_need": _ml_need_figures, "skill_comparison": _comparison_figures,
    "fine_tuning": _fine_tuning_figures, "use_cases": _use_case_figures, "title_words": _title_word_figures,
    "title_variants": _title_variant_figures, "entry_level": _entry_level_figures, "management": _management_figures,
    "rag_or_agents": _rag_or_agents_figures, "pay": _pay_figures,
}


AGREEMENT_FIELDS = {
    "ai_type": "AI type", "company_stage": "company stage", "is_customer_facing": "customer-facing",
    "is_management": "management", "is_tech_lead": "technical lead", "is_research": "research",
    "is_entry_level": "entry level", "fine_tuning": "fine-tuning depth", "support_category": "AI-support category",
}
# Which label source's measured agreement with the careful reading describes a source: the
# published labels and any LLM running the published method are measured by the published labels
# of the sample (a model of one's own is not measured).
MEASURED_AS = {"rules": "rules", "fieldguide": "fieldguide"}


def trust(scope: Scope) -> str:
    """How far to trust these labels: measured agreement with a careful reading (the record of
    analysis.evaluate_categories), and agreement with the other label sources on these jobs."""
    from analysis.evaluate_categories import AGREEMENT_PATH

    record = yaml.safe_load(AGREEMENT_PATH.read_text(encoding="utf-8")) if AGREEMENT_PATH.is_file() else {}
    held_out, tuned = record.get("validation") or {}, record.get("tuning") or {}
    measured = (held_out.get("sources") or {}).get(MEASURED_AS.get(scope.labels, ""), {})
    if measured:
        lines = [f"{AGREEMENT_FIELDS.get(field, field)}: {pct(100 * row['accuracy'])} of {row['jobs']} jobs "
                 f"(95% interval {pct(100 * row['low'], 0)}-{pct(100 * row['high'], 0)})" for field, row in measured.items()]
        readers = held_out.get("readers_agree") or {}
        reading = (f"Agreement with a careful reading of {held_out.get('jobs')} postings of the published analysis held "
                   "out from all tuning (read blind, unsure postings twice; where read twice, the two readings agree on "
                   f"{pct(100 * readers.get('ai_type', 0))} of AI types; the validation part of "
                   "analysis/category_reading_2.jsonl and all of analysis/category_reading_3.jsonl), per category:\n\n" + bullets(lines))
        fitted = (tuned.get("sources") or {}).get(MEASURED_AS[scope.labels], {})
        if scope.labels == "rules" and fitted:
            reading += (f"\n\nOn the {tuned.get('jobs')} postings the rules were tuned on they score higher ("
                        + ", ".join(f"{AGREEMENT_FIELDS.get(field, field)} {pct(100 * row['accuracy'])}"
                                    for field, row in fitted.items())
                        + "): expect the held-out figures above on new postings.")
        elif scope.labels != "rules":
            reading += "\n\nMeasured on the published method's own labels of those postings."
    else:
        reading = (f"Agreement with a careful reading: not measured for label source `{md(scope.labels)}` "
                   "(python -m analysis.evaluate_categories measures the rule tagger and the published labels).")
    others: dict[str, list[str]] = {}
    for row in scope.rows("report_label_agreement"):
        others.setdefault(row["other_labels"], []).append(
            f"{AGREEMENT_FIELDS.get(row['field'], row['field'])} {pct(row['pct'])} of {jobs(row['jobs'])}")
    if others:
        present = "\n\n".join(f"On these jobs, `{md(scope.labels)}` and `{md(other)}` give the same:\n\n" + bullets(lines)
                                for other, lines in others.items())
    else:
        present = "No other label source labelled these jobs: nothing to compare on this data."
    return f"""## How far to trust these labels

{reading}

{deciders(scope)}

{present}"""


def deciders(scope: Scope) -> str:
    """Who decided the AI type: for rules+llm:MODEL, the rules where sure and the model where they
    doubt, counted; for the rules, how many postings --only-uncertain would send to an LLM."""
    rows = [dict(row) for row in scope.rows("report_label_deciders")]
    if not rows:
        return ""
    below = rows[0]["below"]
    total = sum(row["jobs"] for row in rows)

    def count(decided_by: str, doubted: int) -> int:
        return sum(row["jobs"] for row in rows if row["decided_by"] == decided_by and row["doubted"] == doubted)

    llm = label_blend.llm_source(scope.labels)
    if llm:
        sure, asked, waiting = count(RULES, 0), count(llm, 1), count(RULES, 1)
        text = (f"Who decided the AI type of these {jobs(total)}: the rules, on {jobs(sure)} ({share_of(sure, total)}) "
                f"where their confidence reaches {below:g}; `{md(llm)}`, on {jobs(asked)} ({share_of(asked, total)}) "
                f"where it is below {below:g}")
        if waiting:
            model = llm[len(LLM_PREFIX):]
            text += (f"; and the rules still, on {jobs(waiting)} ({share_of(waiting, total)}) below {below:g} that "
                     f"`{md(llm)}` has not labelled yet (`python -m jobcrawler.label --model {md(model)} --only-uncertain "
                     f"--below {below:g}` sends them)")
        return text + ". Every other category, and every skill, comes from the rules."
    if scope.labels == RULES:
        doubted = count(RULES, 1)
        return (f"The rules decided every posting. On {jobs(doubted)} ({share_of(doubted, total)}) their AI type's "
                f"confidence is below {below:g} (or not recorded): `python -m jobcrawler.label --model MODEL --only-uncertain` "
                "sends those to an LLM, and `python -m analysis build --labels rules+llm:MODEL` then takes the "
                "model's AI type for them.")
    return f"Every label here comes from `{md(scope.labels)}`."


def errata(scope: Scope) -> str:
    """Where the published document disagrees with its own data: its claim beside the data's
    figure (printed for the published labels, whose data the document describes)."""
    if scope.labels != "fieldguide":
        return ""
    share = {row["ai_type"]: row for row in scope.rows("report_ai_types")}
    first = dict(share.get("ai-first", {}))
    beyond = dict(scope.row("report_beyond_genai", "combination = 'GenAI + any other'"))
    both = dict(scope.row("report_fullstack", "side = 'full-stack (both)'"))
    ml = {row["skill"]: row for row in scope.rows("report_ml_skills")}
    torch, tensorflow = (dict(ml.get(name, {})).get("jobs") or 0 for name in ("PyTorch", "TensorFlow"))
    general = dict(ml.get("machine learning", {}))
    mention = dict(scope.row("report_fine_tuning"))
    no_duty = dict(scope.row("report_fine_tuning_depth", "fine_tuning = 'none'"))
    overview = dict(scope.row("report_overview"))
    comparison = dict(scope.row("report_skill_comparison", "skill = 'RAG'"))
    support_rag = dict(scope.row("report_skills_by_ai_type", "ai_type = 'ai-support' AND category = 'genai' AND skill = 'RAG'"))
    lines = [
        f'Summary, "70% of roles work directly on AI (RAG, agents)": {pct(first.get("pct"))} are AI-first '
        f'({first.get("jobs")} of {overview.get("jobs")}), which rounds to {pct(first.get("pct"), 0)}; and AI-first is not '
        f'"RAG, agents": {pct(overview.get("rag_or_agents_pct"))} of jobs name RAG or agents.',
        f'Summary, "93% need skills beyond just GenAI - it\'s a full-stack role": {pct(beyond.get("pct"))} of AI-first '
        f'roles, not of all roles; and {pct(both.get("pct"))} of AI-first roles ask for both frontend and backend skills.',
        f'"PyTorch dominates - 2.6x more common than TensorFlow": {torch} vs {tensorflow} AI-first jobs, '
        f'{torch / tensorflow if tensorflow else 0:.1f}x.',
        f'"Deep ML knowledge is rare - only ~8% expect general ML expertise": {pct(general.get("pct"))} '
        f'({general.get("jobs")} of {general.get("ai_first_jobs")} AI-first jobs name "machine learning").',
        f'"Only ~20% have any FT expectation": {pct(mention.get("duty_pct"))} have a primary or secondary fine-tuning duty.',
        f'"{pct(mention.get("pct"))} of AI-First roles mention fine-tuning" beside "No FT mentioned - {pct(no_duty.get("pct"))}": two '
        'definitions under one word; the first also counts related words (custom or specialized model, '
        'domain-specific, adaptation) and skills, the second fine-tuning duties only. Both are printed, each named.',
        f'"RAG + Agents = 70%+ of use cases": no count in the data gives it; {pct(overview.get("rag_or_agents_pct"))} '
        f'of jobs name RAG or agents, and {pct(first.get("pct"))} of jobs are AI-first.',
        f'RAG in AI-support roles: {pct(dict(support_rag).get("pct"))} in the GenAI skill list, '
        f'{pct(comparison.get("ai_support_pct"))} in the comparison, which also counts "rag" inside other names '
        '("storage", "leverage"); both are printed where the published document prints them.',
    ]
    return "## Errata\n\nWhere the published document disagrees with its own data (figures of this data):\n\n" + bullets(lines)


def label_source_note(labels: str) -> str:
    """The label source named in the header: every category and skill below comes from it."""
    if llm := label_blend.llm_source(labels):
        return (f"`{md(labels)}` (the rule tagger of this project, with the AI type of {label_source_note(llm)} "
                "where the rules doubt)")
    if labels.startswith(LLM_PREFIX):
        return f"`{md(labels)}` (an LLM labeller, model {md(labels[len(LLM_PREFIX):])})"
    return f"`{md(labels)}` ({LABEL_SOURCES[labels]})" if labels in LABEL_SOURCES else f"`{md(labels)}`"


def type_titles(scope: Scope, ai_type: str, limit: int) -> str:
    rows, tied = top_rows(scope.rows("report_ai_type_titles", "ai_type = ?", (ai_type,)), limit, "title", expand=TIED_TITLES)
    return bullets(f"{md(row['title'])} ({jobs(row['jobs'])})" for row in rows) + tied


def skill_shares(rows) -> str:
    return ", ".join(f"{md(row['skill'])} ({pct(row['pct'])})" for row in rows)


def ml_roles(scope: Scope) -> str:
    """What the ML-type jobs name: their top skills, and whether any names a GenAI skill."""
    count = scope.type_jobs("ml")
    if not count:
        return "No job in this scope is an ML role."
    rows = sorted(scope.rows("report_skills_by_ai_type", "ai_type = 'ml'"), key=lambda row: -row["jobs"])
    genai = [row for row in rows if row["category"] == "genai"]
    text = f"Their most named skills: {skill_shares(rows[:5])}." if rows else "They name no skill the taxonomy knows."
    if genai:
        text += f" Some still name a GenAI skill: {skill_shares(genai[:3])}."
    else:
        text += " None of them names a GenAI skill."
    if is_small(count):
        text += f" Only {plural(count, 'ML role')}: too few to generalize from."
    return text


def unknown_type(types: dict) -> str:
    """Postings whose role shows no AI content beyond its title: shown, never folded into a type."""
    row = dict(types.get("unknown", {}))
    if not row.get("jobs"):
        return ""
    return (f"\n### Unknown: {jobs(row['jobs'])} ({pct(row['pct'])})\n\n"
            "No AI content beyond the title: the role, as described, neither builds with models nor "
            "enables others to. These postings count in the total but in no AI type.\n")


def job_types(scope: Scope) -> str:
    types = {row["ai_type"]: row for row in scope.rows("report_ai_types")}

    def heading(ai_type: str, label: str) -> str:
        row = dict(types.get(ai_type, {}))
        caution = f"\n\nCaution: only {jobs(row.get('jobs'))}, too few to generalize from." if is_small(row.get("jobs")) else ""
        return f"### {label}: {jobs(row.get('jobs'))} ({pct(row.get('pct'))})" + caution

    return f"""## AI Job Types

Job positions we analyzed fall into these categories:

- AI-first
- AI-support
- ML

{heading('ai-first', 'AI-First')}

Working ON AI/ML systems directly.

What they build (the category's definition):

- RAG (Retrieval-Augmented Generation) systems
- AI agents and agentic workflows
- Fine-tuned LLMs for specific domains
- Model serving and inference pipelines
- Prompt engineering and optimization

{examples_block(scope, 'ai-first')}

Most common position titles:

{type_titles(scope, 'ai-first', 7)}


{heading('ai-support', 'AI-Support')}

Working NEAR AI but NOT ON AI itself.

These roles enable AI work by building the platforms, infrastructure, and tools that AI-First engineers use.

What they build (the category's definition):

- AI platforms and internal tooling
- GPU clusters and inference infrastructure
- Data pipelines for training/fine-tuning
- Frontend for AI products
- Deployment and monitoring systems

{examples_block(scope, 'ai-support')}

Most common position titles:

{type_titles(scope, 'ai-support', 4)}


{heading('ml', 'Machine Learning')}

Traditional ML/DL work without LLMs/agents.

What they build (the category's definition):

- Classical ML models (scikit-learn, XGBoost)
- Deep learning models (PyTorch, TensorFlow)
- Computer vision systems
- Recommendation systems
- Model training pipelines

Most common position titles:

{type_titles(scope, 'ml', 4)}

{ml_roles(scope)}
{unknown_type(types)}


### How to Tell the Difference

The key question is: Does this role work ON AI systems, or NEAR them?

AI-First:

- Builds RAG systems
- Fine-tunes models
- Implements agent workflows
- Optimizes prompts
- Deploys AI features

AI-Support:

- Builds platforms for others
- Manages GPU infrastructure
- Builds data pipelines
- Creates deployment tooling
- Builds UIs for AI products

ML-First:

- Trains traditional ML models
- Works with structured data
- Builds computer vision systems
- Does NOT work with LLMs/agents"""


def companies_and_roles(scope: Scope) -> str:
    companies, companies_tied = top_rows(scope.rows("report_top_companies"), 20, "company")
    stages = scope.rows("report_company_stages")
    roles = {row["role"]: row for row in scope.rows("report_roles")}
    titles, titles_tied = top_rows(scope.rows("report_top_titles"), 10, "title", expand=TIED_TITLES)

    def role(name: str, label: str) -> str:
        row = dict(roles.get(name, {}))
        return f"{label}: {row.get('jobs') or 0} ({pct(row.get('pct'))})"

    # Management means managing people; technical leadership (lead, staff, principal, mentoring)
    # is counted apart. A source that does not tell them apart (the published labels) has none.
    if dict(roles.get("tech lead", {})).get("jobs") is None:
        tech_lead_line = ("Technical leads: not told apart by this label source, so its management count "
                          "may include technical leadership (lead, staff, principal, mentoring) as well as "
                          "managing people")
    else:
        tech_lead_line = (role("tech lead", "Technical leads (lead, staff, principal, mentoring, and the "
                                            "people managers, who lead technically too)"))

    return f"""## Company and Role Analysis

Unique companies: {scope.value('report_overview', 'companies') or 0}

Top {len(companies)} companies by job count:

{bullets(f"{md(row['company'])} - {jobs(row['jobs'])}" for row in companies)}{companies_tied}

Company stage distribution:

{bullets(f"{md(row['company_stage'])} - {jobs(row['jobs'])} ({pct(row['pct'])})" for row in stages)}

Roles:

- {role('customer-facing', 'Customer-facing roles')}
- {role('management', 'Management roles')}
- {tech_lead_line}

Most common job titles:

{bullets(f"{md(row['title'])} - {jobs(row['jobs'])}" for row in titles)}{titles_tied}"""


def other_names(row) -> list[str]:
    """The names merged into a skill name's canonical skill that are more than another spelling of it."""
    seen = {name_key(row["skill"])}
    names = []
    for name in (row["merged_names"] or "").split(", "):
        if name and name_key(name) not in seen:
            seen.add(name_key(name))
            names.append(name)
    return names


def merged_note(row) -> str:
    """Ours beside the published count: ' (125 with Postgres merged)' when merging changes it."""
    merged = row["merged_jobs"]
    if merged is None or merged == row["jobs"]:
        return ""
    if merged < row["jobs"]:  # the list names it twice in some job: the published count counts both
        return f" ({jobs(merged)} naming it, once each)"
    if row["canonical"] != row["skill"]:
        return f" ({merged} as {md(row['canonical'])}, its other names merged)"
    names = other_names(row)
    shown = join_names([md(n) for n in names[:3]] + ([f"{len(names) - 3} more"] if len(names) > 3 else []))
    return f" ({merged} with {shown or 'other spellings'} merged)"


def skills(scope: Scope) -> str:
    blocks = []
    for category, heading, limit, with_pct in SKILL_SECTIONS:
        rows, tied = top_rows(scope.rows("report_top_skills", "category = ?", (category,)), limit, "skill",
                              expand=TIED_SKILLS)
        lines = (
            f"{md(row['skill'])} - {jobs(row['jobs'])}" + (f" ({pct(row['pct'])})" if with_pct else "") + merged_note(row)
            for row in rows
        )
        blocks.append(f"{heading}:\n\n{bullets(lines)}{tied}")
    return ("## Skills Analysis\n\nEach list counts the names the labels give in that list, as published; in "
            "brackets, where it differs, the count with the skill's other names merged (our definition).\n\n"
            + "\n\n".join(blocks))


def title_keywords(scope: Scope) -> str:
    keywords = scope.rows("report_title_keywords")
    support = [row for row in keywords if row["indicates"] == "support"]
    ai = [row for row in keywords if row["indicates"] == "AI"]

    def keyword_lines(rows) -> str:
        return bullets(
            f"{row['keyword']} - {jobs(row['jobs'])}, {pct(row['ai_first_pct'])} work on AI"
            + too_few(row["jobs"])
            for row in rows
        )

    def word_lines(ai_type: str) -> str:
        """Every published title keyword found in at least 1% of the type's titles (as published:
        anywhere in the title), its whole-word share beside where that differs (ours)."""
        rows = [row for row in scope.rows("report_title_keyword_shares", "ai_type = ?", (ai_type,))
                if row["pct"] >= MIN_KEYWORD_SHARE]
        return bullets(
            f'"{md(row["keyword"])}" appears in {pct(row["pct"])}' + (" of titles" if i == 0 else "")
            + (f" ({pct(row['whole_word_pct'])} as a whole word)" if row["whole_word_pct"] != row["pct"] else "")
            for i, row in enumerate(rows)
        )

    def indicate(rows, what: str) -> str:
        solid = [f'"{row["keyword"]}"' for row in rows if not is_small(row["jobs"])]
        if not solid:
            return ""
        return f"{join_names(solid)} {'indicates' if len(solid) == 1 else 'indicate'} {what}."

    insight = " ".join(filter(None, [indicate(support, "support roles (under half of their jobs work on AI)"),
                                     indicate(ai, "AI work (half or more of their jobs work on AI)")]))
    few = [f'"{row["keyword"]}" ({jobs(row["jobs"])})' for row in keywords if is_small(row["jobs"])]
    if few:
        insight += f" Too few jobs to tell: {join_names(few)}."
    return f"""## Title Keywords vs Actual AI Type

I analyzed whether job titles accurately predict the actual work. Can you tell from a job title if someone works directly on AI or just supports AI work?

Title words that indicate support roles (under 50% of their jobs are AI-First):

{keyword_lines(support)}

Title words that indicate AI roles (50% or more of their jobs are AI-First):

{keyword_lines(ai)}

Common keywords in job titles (the published list of 23 keywords, found anywhere in the title: "ai" also in "maintain"; those in under {MIN_KEYWORD_SHARE:g}% of titles left out):

In AI-first titles ({plural(scope.type_jobs('ai-first'), 'title')}):

{word_lines('ai-first')}

In AI-support titles ({plural(scope.type_jobs('ai-support'), 'title')}):

{word_lines('ai-support')}

Key insight: {insight.strip() or 'No title keyword occurs in these jobs.'}"""


def frameworks(scope: Scope) -> str:
    popular = scope.rows("report_frameworks", limit=5)
    pairs = scope.rows("report_framework_pairs", limit=5)
    insight = "No framework is named in these jobs."
    if len(popular) == 1:
        insight = f"{md(popular[0]['framework'])} is the only framework named ({pct(popular[0]['pct'])} of jobs)."
    elif popular:
        insight = compare(*[(md(row["framework"]), row["pct"]) for row in popular[:2]], shown=of_jobs) + "."
        top = leaders(named(popular, "framework"))
        if len(top) > 2:
            insight = f"{join_names(top)} tie ({of_jobs(popular[0]['pct'])} each)."
    if pairs:
        top_pairs = leaders([(f"{md(row['framework_a'])} + {md(row['framework_b'])}", row["jobs"]) for row in pairs])
        if len(top_pairs) == 1:
            insight += f" The most common combination, {top_pairs[0]}, appears in {jobs(pairs[0]['jobs'])}."
        else:
            insight += f" The most common combinations tie: {join_names(top_pairs)}, in {jobs(pairs[0]['jobs'])} each."
    return f"""## GenAI Framework Ecosystem

Framework popularity:

{bullets(f"{md(row['framework'])} - {jobs(row['jobs'])} ({pct(row['pct'])})" for row in popular)}

Framework combinations (appearing together):

{bullets(f"{md(row['framework_a'])} + {md(row['framework_b'])} - {jobs(row['jobs'])}" for row in pairs)}

Key Insight: {insight}"""


def genai_pairs(scope: Scope) -> str:
    pairs = scope.rows("report_genai_pairs", limit=11)
    partners: dict[str, list[str]] = {}
    for row in pairs:
        partners.setdefault(row["skill_a"], []).append(row["skill_b"])
        partners.setdefault(row["skill_b"], []).append(row["skill_a"])
    insight = "No two GenAI skills appear together in these jobs."
    hubs = leaders([(skill, len(others)) for skill, others in partners.items()])
    if len(hubs) == 1:
        hub, count = hubs[0], len(partners[hubs[0]])
        role = "the foundational pattern - it is" if count > len(pairs) / 2 else "the most connected skill, though"
        insight = (
            f"{md(hub)} is {role} part of {count} of the {len(pairs)} most common pairs, "
            f"combining with {join_names([md(other) for other in partners[hub]])}."
        )
    elif len(pairs) == 1:
        insight = f"Only one pair of GenAI skills occurs together: {md(pairs[0]['skill_a'])} + {md(pairs[0]['skill_b'])}."
    elif hubs:
        insight = (
            f"No single foundational skill: {join_names([md(hub) for hub in hubs])} are each part of "
            f"{len(partners[hubs[0]])} of the {len(pairs)} most common pairs."
        )
    return f"""## Core GenAI Skill Combinations

Most common GenAI skill pairs:

{bullets(f"{md(row['skill_a'])} + {md(row['skill_b'])} - {jobs(row['jobs'])}" for row in pairs)}

Key Insight: {insight}"""


def skills_by_stage(scope: Scope) -> str:
    blocks, shares = [], []
    for stage_group, heading, limit in STAGE_SECTIONS:
        rows = scope.rows("report_skills_by_stage", "stage_group = ?", (stage_group,), limit=limit)
        stage_jobs = rows[0]["stage_jobs"] if rows else 0
        exact = (rows[0]["exact_stage_jobs"] or 0) if rows else 0
        blocks.append(
            f"{heading} - Top skills:\n\n"
            + f"{jobs(stage_jobs)} whose stage names it{too_few(stage_jobs)} ({exact} with exactly such a stage).\n\n"
            + bullets(f"{md(row['skill'])} - {jobs(row['jobs'])}" for row in rows)
        )
        if not rows:
            continue
        genai = sum(row["category"] == "genai" for row in rows)
        infrastructure = sum(row["category"] in ("cloud", "ops") for row in rows)
        shares.append(
            f"{heading.split(' (')[0].lower()}: {genai} GenAI and {infrastructure} cloud/ops skills of the top {len(rows)}"
            + (f" (only {jobs(stage_jobs)})" if is_small(stage_jobs) else "")
        )
    insight = ("Among each stage's top skills - " + "; ".join(shares) + ".") if shares else "No job of this scope has a known company stage."
    return ("## Skills by Company Stage\n\nAs published: a job's stage belongs to the first group whose names "
            "its stage text holds (\"Series B+\" is growth); each of its skill lists counts its first 10 names.\n\n"
            + "\n\n".join(blocks) + f"\n\nKey Insight: {insight}")


def supporting_roles(scope: Scope) -> str:
    support = dict(scope.row("report_ai_types", "ai_type = 'ai-support'"))
    categories = []
    for row in scope.rows("report_support_categories"):
        label, description = SUPPORT_CATEGORIES.get(row["support_category"], (md(row["support_category"]), ""))
        if scope.labels == "rules" and row["support_category"] == "backend/general SWE":
            description = RULES_BACKEND
        categories.append(f"{label} - {jobs(row['jobs'])}\n\n{description}".rstrip())
    titles = scope.rows("report_ai_type_titles", "ai_type = 'ai-support'", limit=6)
    return f"""## Supporting Roles: What AI-Support Engineers Do

{jobs(support.get('jobs'))} ({pct(support.get('pct'))}) classified as AI-Support{too_few(support.get('jobs'))}

By category:

{chr(10).join(chr(10) + block for block in categories).strip() or 'none in this scope'}

Key distinctions:

{examples_block(scope, 'ai-first', 'AI-First Engineer')}

{examples_block(scope, 'ai-support', 'AI-Support Engineer')}

Sample AI-Support titles:

{bullets(md(row['title']) for row in titles)}"""


@about("ai-support", "AI-Support", "## Do AI-Support Roles Need AI Knowledge?")
def support_genai_need(scope: Scope) -> str:
    need = {row["genai_need"]: row for row in scope.rows("report_support_genai_need")}
    genai = scope.rows("report_skills_by_ai_type", "ai_type = 'ai-support' AND category = 'genai'", limit=5)
    comparison = {row["skill"]: row for row in scope.rows("report_skill_comparison")}
    compared = [
        f"{capitalized(skill)} - AI-First: {pct(comparison[skill]['ai_first_pct'])}, "
        f"AI-Support: {pct(comparison[skill]['ai_support_pct'])}" + named_beside(comparison[skill])
        for skill in COMPARED_SKILLS
        if skill in comparison
    ]
    support_jobs = scope.type_jobs("ai-support")
    return f"""## Do AI-Support Roles Need AI Knowledge?

{pct(dict(need.get('some GenAI skill', {})).get('pct'))} of AI-Support roles require SOME GenAI knowledge{small_group(support_jobs)}

{pct(dict(need.get('no GenAI skill', {})).get('pct'))} require NO GenAI skills at all

GenAI skills in AI-Support roles:

{bullets(f"{md(row['skill'])} - {pct(row['pct'])}" for row in genai)}

Skill comparison (AI-First vs AI-Support; as published, a job counts when any of its skill names holds the word, so "rag" is also found in "storage"; in brackets, where it differs, the jobs naming the skill itself):

{chr(10).join(chr(10) + line for line in compared).strip() or 'none in this scope'}"""


def named_beside(row) -> str:
    """Ours beside a published comparison: the shares of jobs naming the skill itself."""
    if (row["named_ai_first_pct"], row["named_ai_support_pct"]) == (row["ai_first_pct"], row["ai_support_pct"]):
        return ""
    return f" (the skill itself: {pct(row['named_ai_first_pct'])} and {pct(row['named_ai_support_pct'])})"


def entry_level(scope: Scope) -> str:
    levels = {row["ai_type"]: row for row in scope.rows("report_entry_level")}
    first, support = (dict(levels.get(kind, {})) for kind in ("ai-first", "ai-support"))
    first_pct, support_pct = first.get("pct") or 0, support.get("pct") or 0
    missing = [label for label, row in (("AI-First", first), ("AI-Support", support)) if not row.get("jobs")]
    if len(missing) == 2:
        return "## Is AI-Support a Good Entry Point for Career Switchers?\n\nNo AI-First or AI-Support role in this scope: nothing to compare."
    if missing:
        answer = f"Cannot tell: this scope has no {join_names(missing)} roles."
    elif support_pct > first_pct:
        answer = "Somewhat: a larger share of AI-Support roles than of AI-First roles is entry level."
    elif support_pct < first_pct:
        answer = "Not more than AI-First: a smaller share of AI-Support roles than of AI-First roles is entry level."
    else:
        answer = "No more than AI-First: the same share of AI-Support and AI-First roles is entry level."
    comparison = {row["skill"]: row for row in scope.rows("report_skill_comparison")}
    heavier = [
        f"{skill} ({pct(comparison[skill]['ai_support_pct'])} vs {pct(comparison[skill]['ai_first_pct'])})"
        for skill in SUPPORT_DEMANDS
        if skill in comparison and (comparison[skill]["ai_support_pct"] or 0) > (comparison[skill]["ai_first_pct"] or 0)
    ]
    demands = "" if missing else (
        f"AI-Support roles name {join_names(heavier)} more often than AI-First roles do (AI-Support vs AI-First)."
        if heavier
        else f"AI-Support roles name none of {join_names(list(SUPPORT_DEMANDS))} more often than AI-First roles do."
    )
    cautions = [
        f"AI-{kind} roles: only {jobs(row.get('jobs'))}, too few to generalize from"
        for kind, row in (("First", first), ("Support", support))
        if is_small(row.get("jobs"))
    ]
    entry_counts = [first.get("entry_level_jobs") or 0, support.get("entry_level_jobs") or 0]
    if not missing and any(count < SMALL_GROUP for count in entry_counts):
        cautions.append(f"these shares rest on only {entry_counts[0]} and {entry_counts[1]} entry-level jobs, "
                        "too few to tell the two groups apart with confidence")
    overall = max(first_pct, support_pct)
    closing = (
        f"Entry-level roles are {frequency(overall)} in both groups: you still need strong engineering skills, just different ones."
        if overall < 25
        else f"Entry-level roles are {frequency(overall)} here, so a career switch through either group is realistic."
    )
    if missing:
        closing = ""
    return f"""## Is AI-Support a Good Entry Point for Career Switchers?

{answer} This analysis is for people switching careers into AI.

Key findings:

Entry-level AI-First roles: {pct(first_pct)} ({first.get('entry_level_jobs') or 0} of {first.get('jobs') or 0})

Entry-level AI-Support roles: {pct(support_pct)} ({support.get('entry_level_jobs') or 0} of {support.get('jobs') or 0})

{demands}{(chr(10) * 2 + 'Caution: ' + '; '.join(cautions) + '.') if cautions else ''}

Good AI-Support entry paths for existing engineers:

- AI Platform roles (if you have K8s/cloud experience)
- AI Data Engineer (if you have data pipeline experience)
- Frontend for AI products (if you have React/TS experience)

{closing}"""


def research_vs_applied(scope: Scope) -> str:
    kinds = {row["role_kind"]: row for row in scope.rows("report_research_vs_applied")}
    research = dict(kinds.get("Research", {}))
    applied = dict(kinds.get("Applied/Production", {}))
    titles = scope.rows("report_research_titles", limit=6)
    keywords, applied_keywords = research_keywords(scope.labels)
    return f"""## Research vs Applied Roles

Research Roles: {jobs(research.get('jobs'))} ({pct(research.get('pct'))}){too_few(research.get('jobs'))}

Applied/Production Roles: {jobs(applied.get('jobs'))} ({pct(applied.get('pct'))})

Research roles work on (the category's definition):

- Novel algorithms and techniques
- Model architecture design
- Training methods and optimization
- Safety and alignment research
- Publishing papers, pushing SOTA
- Experimental work with uncertain outcomes

{keywords}

Sample research titles:

{bullets(md(row['title']) for row in titles)}

Applied / Production roles work on (the category's definition):

- Implementing existing models in production
- Building applications with AI APIs
- Deploying and monitoring AI systems
- Fine-tuning models for specific use cases
- Customer-facing AI solutions
- Infrastructure and platforms for AI

{applied_keywords}"""


def research_keywords(labels: str) -> tuple[str, str]:
    """The words that decide research and applied roles for a label source: the published
    definition (jobcrawler/fieldguide.yaml) for the published labels and LLM labels, which the
    importer's reader derives; the rule tagger decides by its own rules."""
    if labels == "rules":
        note = "Keywords: the rule tagger's research rules (jobcrawler/tagging/categories.yaml), not the published words."
        return note, ""
    from jobcrawler import fieldguide

    research = yaml.safe_load(fieldguide.DEFINITIONS_PATH.read_text(encoding="utf-8"))["research"]
    words = list(dict.fromkeys([*research["title"], *research["signals"]]))
    return (f"Keywords: {', '.join(md(w) for w in words)} (a research title, or at least {research['min_signals']} "
            "of these words outnumbering the applied ones)",
            f"Keywords: {', '.join(md(w) for w in research['applied_signals'])}")


def share_of(part: int, whole: int) -> str:
    """A whole-number share computed from the counts (rounding a table's one-decimal share again
    would make 115 of 118, 97.46%, read 98%)."""
    return pct(100.0 * part / whole if whole else 0, 0)


def title_variants(scope: Scope) -> str:
    variants = scope.rows("report_title_variants")
    solid = [row for row in variants if row["jobs"] >= STRONG_TITLE_MIN_JOBS]

    def strong(column: str, label: str) -> list[str]:
        rows = [row for row in solid if row[column] >= STRONG_TITLE_SHARE]
        return [f"{md(row['title_variant'])} - {jobs(row['jobs'])} ({share_of(row[column.replace('_pct', '_jobs')], row['jobs'])} {label})"
                + (f" - {row['whole_word_jobs']} as whole words" if row["whole_word_jobs"] not in (None, row["jobs"]) else "")
                for row in rows]

    insight = "No title variant occurs twice yet."
    if variants:
        top = leaders(named(variants, "title_variant"))
        most = variants[0]
        split = f"{most['ai_first_jobs']} AI-First, {most['ai_support_jobs']} AI-Support, {most['ml_jobs']} ML"
        if len(top) == 1:
            insight = (f'"{top[0]}" is the most common title ({share_of(most["ai_first_jobs"], most["jobs"])} are AI-First: '
                       f'{jobs(most["jobs"])}, {split}).')
        else:
            quoted = [f'"{name}"' for name in top]
            insight = f"{join_names(quoted)} tie as the most common titles ({jobs(most['jobs'])} each)."
        if most["jobs"] < STRONG_TITLE_MIN_JOBS:
            insight += f" Titles with fewer than {STRONG_TITLE_MIN_JOBS} jobs are too few to call strongly of one type."
        mixed = [row for row in solid if max(row["ai_first_pct"], row["ai_support_pct"], row["ml_pct"]) < STRONG_TITLE_SHARE]
        if solid:
            insight += (
                f" {len(mixed)} of the {len(solid)} titles with {STRONG_TITLE_MIN_JOBS}+ jobs {'is' if len(mixed) == 1 else 'are'} mixed (no type reaches "
                f"{STRONG_TITLE_SHARE}%)"
                + (": a job title alone is not a reliable guide - always check responsibilities." if mixed
                   else ": in this data each common title points to one type.")
            )
    return f"""## What Other Titles Do "AI Engineers" Go Under?

Titles are grouped as published: without senior, staff, principal, lead, junior, sr, I, II and III, removed wherever they stand (so also the letter "i" inside words, which merges or splits a few titles; where the whole-word grouping counts differently, it is given after the dash).

Strongly AI-First titles ({STRONG_TITLE_SHARE}%+ classified as AI-First, {STRONG_TITLE_MIN_JOBS}+ jobs):

{bullets(strong('ai_first_pct', 'AI-First'))}

Strongly AI-Support titles ({STRONG_TITLE_SHARE}%+ classified as AI-Support, {STRONG_TITLE_MIN_JOBS}+ jobs):

{bullets(strong('ai_support_pct', 'AI-Support'))}

Key Insight: {insight}"""


@about("ai-first", "AI-First", "## How Much ML Do AI Engineers Need to Know?")
def ml_knowledge(scope: Scope) -> str:
    first_jobs = scope.type_jobs("ai-first")
    need = dict(scope.row("report_ai_first_ml_need"))
    share, concrete = need.get("pct") or 0, need.get("concrete_pct") or 0
    all_ml = scope.rows("report_ml_skills")
    ml_skills, _ = top_rows(all_ml, 6, "skill", expand=TIED_SKILLS)
    count = {row["skill"]: row for row in all_ml}
    findings = [
        f"{capitalized(quantifier(share))} AI-First roles need basic ML knowledge - {pct(share, 0)} require some ML skills"
    ]
    top = leaders(named(all_ml))
    if len(top) == 1:
        findings.append(f"{capitalized(top[0])} is the most common ML skill - {jobs(all_ml[0]['jobs'])}")
    elif top:
        findings.append(f"The most common ML skills tie: {join_names(top)} - {jobs(all_ml[0]['jobs'])} each")
    torch = dict(count.get("PyTorch", {})).get("jobs") or 0
    tensorflow = dict(count.get("TensorFlow", {})).get("jobs") or 0
    if torch and tensorflow and torch != tensorflow:
        (lead, x), (other, y) = sorted((("PyTorch", torch), ("TensorFlow", tensorflow)), key=lambda item: -item[1])
        verb = "dominates" if x >= DOMINANCE * y else "leads"
        findings.append(f"{lead} {verb} - {x / y:.1f}x more common than {other} in AI-First roles ({x} vs {y} jobs)")
    else:
        findings.append(f"PyTorch vs TensorFlow in AI-First roles - {versus(('PyTorch', torch), ('TensorFlow', tensorflow))}")
    general_pct = dict(count.get("machine learning", {})).get("pct") or 0
    findings.append(
        f"Deep ML knowledge is {frequency(general_pct)} - {pct(general_pct, 0)} expect general ML expertise (\"machine learning\")"
    )
    practical = join_names([md(row["skill"]) for row in ml_skills[:3]]) or "none named"
    if frequency(general_pct) in ("absent", "rare", "uncommon"):
        deep = "but rarely deep ML expertise unless specifically working on model development"
    else:
        deep = f"and {quantifier(general_pct)} of these roles ({pct(general_pct, 0)}) also ask for general ML expertise"
    return f"""## How Much ML Do AI Engineers Need to Know?

{pct(share)} of AI-First roles require some ML knowledge{small_group(first_jobs)}

(As published: a skill name holding one of 18 ML words - PyTorch, fine-tuning, embeddings, optimization, "machine learning" ... - in any list. Ours, a concrete ML skill of the taxonomy without the generic "machine learning": {pct(concrete)}.)

Most common ML skills in AI Engineer roles (AI-First jobs with a skill name holding the word):

{bullets(f"{capitalized(md(row['skill']))} - {jobs(row['jobs'])} ({pct(row['pct'])})" for row in ml_skills)}

Key Findings

{numbered(findings)}

Bottom Line: AI-First roles ask for practical ML knowledge (most often {practical}) {deep}."""


@about("ai-first", "AI-First", "## What Else (Besides GenAI) Do AI Engineers Need?")
def beyond_genai(scope: Scope) -> str:
    first_jobs = scope.type_jobs("ai-first")
    combinations = {row["combination"]: row for row in scope.rows("report_beyond_genai")}
    share = {name: dict(row).get("pct") or 0 for name, row in combinations.items()}
    any_other, pure = share.get("GenAI + any other", 0), share.get("pure GenAI", 0)
    expected, top_of = [], {}
    for category, label, limit in NON_GENAI_SKILLS:
        rows = scope.rows("report_skills_by_ai_type", "ai_type = 'ai-first' AND category = ?", (category,), limit=limit)
        if rows:
            top_of[category] = rows[0]
            first = leaders(named(rows))
            remark = f"{join_names(first)} {'leads' if len(first) == 1 else 'tie'}, named by {quantifier(rows[0]['pct'])} AI-First roles"
            expected.append(f"{label} - {skill_shares(rows)} - {remark}")
    sides = scope.rows("report_fullstack")
    side_labels = {"frontend": "Frontend skills", "backend": "Backend skills", "full-stack (both)": "Full-stack (both)"}

    if pure == 0:
        pure_text = "No AI-First role here expects pure GenAI work."
    else:
        pure_text = f"{'Only ' if pure < 10 else ''}{pct(pure)} of AI-First roles expect pure GenAI work."
    asked = sorted((("ML", "GenAI + ML"), ("ops", "GenAI + ops"), ("web", "GenAI + web")), key=lambda kind: -share.get(kind[1], 0))
    needs = [
        f"{pronoun(share.get(combination))} ask for {kind} skills beside GenAI ({pct(share.get(combination))})"
        for kind, combination in asked
    ]
    if "cloud" in top_of:
        cloud = top_of["cloud"]
        needs.append(f"the most named cloud, {md(cloud['skill'])}, appears in {pct(cloud['pct'])}")
    both_sides = dict(next((row for row in sides if row["side"] == "full-stack (both)"), {})).get("pct") or 0
    kind = "full-stack engineers" if quantifier(both_sides) in ("most", "nearly all", "all") else "engineers"
    breadth = (f"{capitalized(pronoun(any_other))} ({pct(any_other)}) need skills beyond GenAI; "
               f"{pronoun(both_sides)} ({pct(both_sides)}) ask for both frontend and backend skills.")
    return f"""## What Else (Besides GenAI) Do AI Engineers Need?

{pct(any_other)} of AI-First roles require skills BEYOND just GenAI{small_group(first_jobs)}

Skill combinations in AI Engineer roles:

{bullets(f"{BEYOND_GENAI_LABELS[row['combination']]} - {pct(row['pct'])}" for row in combinations.values())}

Non-GenAI skills expected:

{chr(10).join(chr(10) + line for line in expected).strip() or 'none in this scope'}

Full-stack expectations:

{bullets(f"{side_labels[row['side']]} - {row['jobs']}/{row['ai_first_jobs']} ({pct(row['pct'])})"
         + (f" - ours {row['our_jobs']}/{row['ai_first_jobs']} ({pct(row['our_pct'])})" if row['our_jobs'] != row['jobs'] else "")
         for row in sides)}

As published, frontend means a skill name holding react, vue, next.js, frontend, typescript or javascript, and backend one holding fastapi, flask, django, api, graphql or rest ("OpenAI API" counts); ours (after "ours") counts the taxonomy's frontend and backend skills.

Bottom Line: AI Engineers are {kind} who specialize in AI. {pure_text} {breadth} Of AI-First roles, {join_names(needs)}."""


@about("ai-first", "AI-First", "## Fine-Tuning Requirements")
def fine_tuning(scope: Scope) -> str:
    first_jobs = scope.type_jobs("ai-first")
    mention = dict(scope.row("report_fine_tuning"))
    depths = {row["fine_tuning"]: dict(row) for row in scope.rows("report_fine_tuning_depth")}
    depth_lines = []
    for depth, (label, meaning) in FINE_TUNING_DEPTHS.items():
        row = depths.get(depth, {})
        depth_lines.append(f"{label} - {jobs(row.get('jobs'))} ({pct(row.get('pct'))}) - {meaning}")
    use_cases = scope.rows("report_fine_tuning_use_cases")
    use_case_blocks = []
    for row in use_cases:
        label, meaning = FINE_TUNING_USE_CASES.get(row["use_case"], (md(row["use_case"]), ""))
        use_case_blocks.append(f"{label} - {plural(row['mentions'], 'mention')} ({jobs(row['jobs'])})"
                               + (f"\n\n- {meaning}" if meaning else ""))
    primary_jobs = depths.get("primary", {}).get("jobs") or 0
    any_jobs = primary_jobs + (depths.get("secondary", {}).get("jobs") or 0)
    primary = 100.0 * primary_jobs / first_jobs if first_jobs else 0
    any_depth = 100.0 * any_jobs / first_jobs if first_jobs else 0
    labels = [(FINE_TUNING_USE_CASES.get(row["use_case"], (md(row["use_case"]),))[0], row["mentions"]) for row in use_cases]
    top_uses = leaders(labels)
    top_use = (join_names(top_uses) + (" (tie)" if len(top_uses) > 1 else "")) if top_uses else "none recorded"
    fine_tuners = quantifier(any_depth)
    core = fine_tuners in ("most", "nearly all", "all")
    findings = [
        f"{capitalized(fine_tuners)} AI-First roles have an FT expectation - {pct(any_depth, 0)}" if core
        else f"{capitalized(pronoun(100 - any_depth))} AI-First roles don't fine-tune - only {pct(any_depth, 0)} have any FT expectation",
        f"Primary FT roles are {frequency(primary)} - {pct(primary, 0)} focus on fine-tuning as main responsibility",
        f"Most common FT use case - {top_use}",
        "FT is a core AI Engineer skill here - most roles expect it" if core
        else "FT is a specialization - Not a core AI Engineer skill, more advanced",
    ]
    named_uses = join_names([label.lower() for label, _ in labels[:3]])
    if core:
        bottom = "Fine-tuning is expected of most AI-First roles here: learn it alongside RAG and agents."
    else:
        bottom = "Fine-tuning is optional for most AI-First roles."
        comparison = {row["skill"]: row["ai_first_pct"] or 0 for row in scope.rows("report_skill_comparison")}
        ahead = [f"{skill} ({pct(comparison[skill])})" for skill in ("RAG", "agents") if comparison.get(skill, 0) > any_depth]
        if ahead:
            bottom += (f" More AI-First roles name {join_names(ahead)} than expect fine-tuning ({pct(any_depth)}): "
                       f"learn {'them' if len(ahead) > 1 else 'it'} first.")
        if named_uses:
            bottom += f" Learn fine-tuning if targeting the use cases these jobs name most: {named_uses}."
    return f"""## Fine-Tuning Requirements

{pct(mention.get('pct'))} of AI-First roles mention fine-tuning{small_group(first_jobs)}

(As published: fine-tuning or a related word - custom or specialized model, domain-specific, adaptation, LoRA, PEFT - in the title, responsibilities, use cases or GenAI/ML skills. Fewer have fine-tuning as a duty: {pct(mention.get('duty_pct'))}, the primary and secondary rows below; the rest mention it without it being expected of them.)

Depth of fine-tuning expectation:

{chr(10).join(chr(10) + line for line in depth_lines).strip()}

Fine-tuning use cases (of the AI-First roles that mention fine-tuning: each use case counts once, as published, under the first category whose words it holds; in brackets the jobs naming each):

{chr(10).join(chr(10) + block for block in use_case_blocks).strip() or 'none in this scope'}

Key Findings

{numbered(findings)}

Bottom Line: {bottom}"""


def key_insight(scope: Scope) -> str:
    share = scope.value("report_overview", "rag_or_agents_pct") or 0
    genai = {row["skill"]: row for row in scope.rows("report_top_skills", "category = 'genai'")}
    found = {skill: dict(genai.get(skill, {})) for skill in ("RAG", "agents")}
    top_two = sorted(row["jobs"] for row in genai.values())[-2:]
    if all(row.get("jobs") and row["jobs"] >= top_two[0] for row in found.values()):
        patterns = "The two dominant patterns (the two most named GenAI skills) are:"
    else:
        ranks = [
            f"{skill} rank {row['rank']}, {pct(row['pct'])} of jobs" if row.get("jobs") else f"{skill} not named"
            for skill, row in found.items()
        ]
        patterns = f"The two patterns, though not the two most named GenAI skills here ({'; '.join(ranks)}), are:"
    if quantifier(share) in ("most", "nearly all", "all"):
        closing = "If you learn these two patterns deeply, you can handle most AI Engineering use cases."
    else:
        closing = f"Together they cover {quantifier(share)} of these jobs, not most: learn them, but not only them."
    return f"""## Key Insight 

Key Insight: RAG or Agents appear in {pct(share)} of jobs

(A skill name holding "rag" or "agents", searched as the AI-First vs AI-Support comparison searches.)

{patterns}

- RAG - Connect LLMs to your data (documents, databases)
- Agents - LLMs that use tools to accomplish tasks

{closing}"""


def learning_path(scope: Scope) -> str:
    """The skills a typical AI-first posting of the scope names, in the order their co-occurrence
    suggests (analysis/datasette_plugins/learning_path.py), beside the original's learning order
    with the skills these jobs name most at each of its steps."""
    postings = blend.learning_postings(scope.conn, scope.labels)
    steps = learning_engine.learning_order(postings, learning_engine.Scope(scope.labels, scope.city, scope.period))
    if steps:
        first, *rest = steps
        path = numbered(
            [f"{md(first['skill'])} - named by {pct(first['pct'])} of AI-first jobs"]
            + [f"{md(step['skill'])} - {pct(step['pct'])} of AI-first jobs; named by {pct(step['beside_previous'])} "
               f"of those naming {md(before['skill'])}" for before, step in zip(steps, rest)])
        found = (f"The {plural(len(steps), 'skill')} a typical AI-first job names (as many as its median job "
                 f"names, the most named first), each next step the skill named most often beside the one before:"
                 f"\n\n{path}")
    else:
        found = "No AI-first job in this scope names a skill: no path to read from the data."

    layers: dict[str, list[str]] = {}
    for row in scope.rows("report_tech_stack", "skill <> 'vector databases'"):  # the generic tag names no product
        layers.setdefault(row["layer"], []).append(md(row["skill"]))
    languages = [md(row["skill"]) for row in scope.rows("report_top_skills", "category = 'languages'", limit=2)]

    def most_named(layer: str, count: int, joiner: str = "and") -> str:
        found = layers.get(layer, [])[:count]
        return join_names(found, joiner) if found else "none named here"

    return f"""## Learning Path for AI Engineers

{found}

For comparison, the published path, with the skills these jobs name most at each of its steps:

- Foundation - {join_names(languages) or 'a programming language'}, APIs, basic web development ({most_named('application', 2, 'or')})
- LLM Basics - Prompt engineering, {most_named('LLM APIs', 2)}
- RAG - Vector databases ({most_named('vector databases', 2)}), embeddings, retrieval patterns
- Frameworks - {most_named('AI orchestration', 2, 'or')}
- Agents - agent orchestration
- Production - {most_named('infrastructure', 4)}

Your own path, from the skills you have: `python -m analysis path --skills "python, sql, docker"`, or the site's "My learning path" page."""


PAY_RULE = ("each posting's figure is the midpoint of its range (its one bound when it states only one), "
            "made yearly: an hourly rate x 2,080 hours (40 h x 52 weeks), a daily one x 260, a weekly one x 52, "
            "a monthly one x 12 months; currencies are never converted or guessed: where the pay data "
            "names none, the currency the posting's text writes against its own pay figure is taken "
            "(\"£225,000—£255,000 GBP\"), else it counts as \"not stated\"")


def money(value) -> str:
    return f"{int(value):,}" if value is not None else "?"


def pay_figures(row) -> str:
    """'median 124,800 (quartiles 122,400-137,400; n=3*)': * marks a group too small to generalize from."""
    spread = f"quartiles {money(row['q1'])}-{money(row['q3'])}; " if row["jobs"] > 1 else ""
    return f"median {money(row['median'])} ({spread}n={row['jobs']}{'*' if is_small(row['jobs']) else ''})"


def pay(scope: Scope) -> str:
    """Yearly pay per currency as stated, overall, by level and by AI type (report_pay)."""
    rows = scope.rows("report_pay")
    overall = [row for row in rows if row["group_by"] == "all"]
    if not overall:
        return "## Pay\n\nNo job in this scope states its pay with a period."
    total = scope.value("report_overview", "jobs") or 0
    stated = sum(row["jobs"] for row in overall)
    left_out = [f"{jobs(row['jobs'])} with a {row['reason']}" if row["reason"].startswith("yearly")
                else f"{jobs(row['jobs'])} with {row['reason']}"
                for row in scope.rows("report_pay_left_out") if row["jobs"]]
    left_out_text = (f" Left out: {join_names(left_out)} (no yearly pay: \"1-1\" or \"40-40\" a year is a typo "
                     "or a placeholder)." if left_out else "")
    lines = []
    for currency in sorted(overall, key=lambda row: (-row["jobs"], row["currency"])):
        name = currency["currency"]
        lines.append(f"- {md('Currency not stated' if name == 'not stated' else name)}: {pay_figures(currency)}")
        for group_by in ("level", "AI type"):
            groups = [row for row in rows if row["currency"] == name and row["group_by"] == group_by]
            if groups:
                lines.append(f"  - by {group_by}: " + "; ".join(
                    f"{md(row['group_value'])} {pay_figures(row)}" for row in groups))
    small = any(is_small(row["jobs"]) for row in rows)
    caution = f"\n\n\\* fewer than {SMALL_GROUP} jobs: {TOO_FEW}." if small else ""
    return f"""## Pay

{stated} of {jobs(total)} ({pct(100.0 * stated / total if total else 0)}) state their pay.{left_out_text} Yearly pay: {PAY_RULE}.

""" + "\n".join(lines) + caution


def tech_stack(scope: Scope) -> str:
    layers: dict[str, list] = {}
    for row in scope.rows("report_tech_stack", "rank <= 3"):
        layers.setdefault(row["layer"], []).append(f"{md(row['skill'])} ({jobs(row['jobs'])})")
    return ("## AI Tech Stack\n\nThe typical AI engineering stack, with the most named skills of each layer (each skill "
            "with its other names merged, our count: the published stack gives none):\n\n") + bullets(
        f"{layer.upper()} layer - {', '.join(skills)}" for layer, skills in layers.items()
    )
