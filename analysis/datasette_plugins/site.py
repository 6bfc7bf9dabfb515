"""Datasette plugin: the site people read, not just the tables it is built from.

* **Job pages.** ``/<db>/jobs/<job_id>`` shows one posting as a page (``templates/row.html`` and
  ``_job.html``): title, company, locations, pay, level, work type, dates, the tags of every label
  source with the evidence that decided each (``job_skills.matched``/``source``/``section`` for
  skills; ``job_label_evidence`` rows for categories: the tagger's ``rule``, ``condition``,
  ``matched``, ``section``, each shown when not empty), and the
  description laid out as paragraphs, headings and bullets, escaped, never as HTML.
* **Tables that fit a screen.** The ``jobs`` and ``job_labels`` table pages open with the columns
  named in ``default_columns`` (long text is one click away: "Show all columns"); JSON lists read
  as lists, 0/1 flags as yes/no, and headers are words (``column_labels``).
* **Forms that help.** Every canned-query parameter offers its valid values from the database
  (``parameters``: a select or a list of suggestions) and says what it expects.
* **Skill names as people type them.** SQL functions ``skill_name(text)`` (the taxonomy's skill for
  a name or alias, any case: ``k8s`` -> Kubernetes) and ``skill_lookup_message(text)`` (NULL for a
  known skill, else a sentence naming the closest skills), used by the skill queries.

The settings live in ``analysis/metadata.yml`` under ``plugins: jobcrawler-site``.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode

import yaml
from datasette import hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

PLUGIN = "jobcrawler-site"
# In the checkout the taxonomy is jobcrawler's; a packaged site (python -m jobcrawler.cycle) carries
# a copy beside this plugin.
TAXONOMY_PATH = next((path for path in (Path(__file__).with_name("taxonomy.yaml"),
                                        Path(__file__).resolve().parents[2] / "jobcrawler" / "tagging" / "taxonomy.yaml")
                      if path.is_file()), Path(__file__).with_name("taxonomy.yaml"))
# The name key and alias map of jobcrawler/tagging/names.py, copied because a packaged site runs
# without the jobcrawler package: tests/test_site_pages.py holds the two identical.
_NOT_KEPT = re.compile(r"[^\w+#.&]+|_+")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


# ---------------------------------------------------------------- skill names


def _key(text: str) -> str:
    """A name as lookups compare it: lower case, punctuation but ``+#.&`` as spaces, spaces collapsed."""
    return " ".join(_NOT_KEPT.sub(" ", text.lower()).split())


@functools.cache
def skill_names() -> dict[str, str]:
    """Lookup key -> skill, for every skill's name, aliases, cased and in-context spellings."""
    taxonomy = yaml.safe_load(TAXONOMY_PATH.read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    for entry in taxonomy["skills"]:
        for spelling in (*entry.get("aliases", ()), *entry.get("cased", ()), *entry.get("in_context", ())):
            names.setdefault(_key(spelling), entry["skill"])
    for entry in taxonomy["skills"]:  # a skill's own name wins over another skill's alias
        names[_key(entry["skill"])] = entry["skill"]
    return names


def skill_name(text: str | None) -> str | None:
    """The taxonomy's skill that ``text`` names (any case, any alias), or None."""
    if not text:
        return None
    return skill_names().get(_key(text))


def closest_skills(text: str, count: int = 3) -> list[str]:
    names = skill_names()
    found: list[str] = []
    for key in difflib.get_close_matches(_key(text), list(names), n=20, cutoff=0.6):
        if names[key] not in found:
            found.append(names[key])
    return found[:count]


def skill_lookup_message(text: str | None) -> str | None:
    """None for a skill the taxonomy knows; else what went wrong, with the closest skills."""
    if not text or not text.strip():
        return "Enter a skill: its name or an alias in any case (llm, k8s, rag)."
    if skill_name(text):
        return None
    closest = closest_skills(text)
    hint = f" Closest: {', '.join(closest)}." if closest else " Pick one from the list of skills."
    return f"No skill is called {text.strip()!r}.{hint}"


@hookimpl
def prepare_connection(conn):
    conn.create_function("skill_name", 1, skill_name, deterministic=True)
    conn.create_function("skill_lookup_message", 1, skill_lookup_message, deterministic=True)


# ---------------------------------------------------------------- settings


def settings(datasette) -> dict:
    return (datasette.metadata("plugins") or {}).get(PLUGIN) or {}


def column_label(datasette, table: str | None, column: str) -> str:
    """The column's header in words: ``column_labels`` of the table, else its name in words."""
    label = (settings(datasette).get("column_labels") or {}).get(table or "", {}).get(column)
    if label:
        return label
    words = column.removeprefix("is_").replace("_", " ")
    return words[:1].upper() + words[1:]


# ---------------------------------------------------------------- cells


def list_items(value) -> list | None:
    """The items of a JSON list of plain values stored as text, else None."""
    if not isinstance(value, str) or not value.startswith("[") or not value.endswith("]"):
        return None
    try:
        items = json.loads(value)
    except ValueError:
        return None
    if not isinstance(items, list) or any(isinstance(item, (list, dict)) for item in items):
        return None
    return items


def is_flag(datasette, table: str | None, column: str) -> bool:
    flags = (settings(datasette).get("flag_columns") or {}).get(table or "", [])
    return column in flags or column.startswith("is_")


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if value in (0, 1) and not isinstance(value, bool) and is_flag(datasette, table, column):
        return "yes" if value else "no"
    items = list_items(value)
    if items is not None:
        return Markup('<span class="list-cell">{}</span>').format(
            Markup(", ").join(escape(item) for item in items)) if items else "–"
    if isinstance(value, (int, float)) and column in (settings(datasette).get("money_columns") or ()):
        return f"{value:,.0f}"
    if table == "jobs" and column == "months_of_experience" and isinstance(value, int):
        return experience(value)
    if isinstance(value, str) and value.startswith(POSTING_PREFIX):
        return posting_link_cell(datasette, database, table, value)
    if table is None and column == "job" and isinstance(value, str) and value:
        return Markup('<a href="{}">{}</a>').format(datasette.urls.row(database, "jobs", value), value)
    if table == "jobs" and column == "location" and isinstance(value, str):
        if _MANY_PLACES.match(value):
            return many_places_cell(datasette, database, row)
        return tidy_place(value)
    if isinstance(value, str) and _TIMESTAMP.match(value) and (table == "jobs" or len(value) > 10):
        return timestamp_cell(value, date_only=table == "jobs")  # a day alone elsewhere: as it is
    return None


_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d(?:$|T\d\d:\d\d)")


def timestamp_cell(value: str, date_only: bool) -> Markup:
    """An ISO date or timestamp as a person reads it, on one line: the day (a job's dates) or the
    day and minute (a run), the full value on hover."""
    if date_only or len(value) == 10:
        return Markup('<time datetime="{}" title="{}" class="when">{}</time>').format(value, value, value[:10])
    # The day and the minute may wrap apart in a narrow column, each on one line.
    return Markup('<time datetime="{}" title="{}"><span class="when">{}</span> <span class="when">{}</span></time>'
                  ).format(value, value, value[:10], value[11:16])


def tidy_place(label: str) -> str:
    """A place without its repeated parts: "Berlin, Berlin" -> "Berlin"."""
    parts: list[str] = []
    for part in (p.strip() for p in label.split(",")):
        if part and part.lower() not in (seen.lower() for seen in parts):
            parts.append(part)
    return ", ".join(parts)


def tidy_places(labels) -> list[str]:
    """Places tidied and each listed once ("Berlin, DEU; Berlin, Berlin, DEU" -> "Berlin, DEU")."""
    found: list[str] = []
    for label in labels:
        place = tidy_place(label or "")
        if place and place not in found:
            found.append(place)
    return found


def facet_value_label(datasette, table: str | None, column: str, value) -> str:
    """A facet's value in words: flags as yes/no, builtin's FULL_TIME as "Full time"."""
    if value in (0, 1, "0", "1") and is_flag(datasette, table, column):
        return "yes" if str(value) == "1" else "no"
    text = "" if value is None else str(value)
    if _CONSTANT.match(text):
        return text.replace("_", " ").capitalize()
    return text


_CONSTANT = re.compile(r"^[A-Z]+(?:_[A-Z]+)+$|^[A-Z]{4,}$")


_MANY_PLACES = re.compile(r"^\d+ Locations?$")


def many_places_cell(datasette, database, row):
    """builtin's "3 Locations" as the places themselves (job_locations)."""

    async def cell():
        job_id = row["job_id"] if "job_id" in row.keys() else None
        db = datasette.get_database(database)
        if job_id is None or "job_locations" not in await db.table_names():
            return None
        places = [r[0] for r in (await db.execute(
            "select label from job_locations where job_id = :id and label is not null order by position",
            {"id": job_id})).rows]
        return "; ".join(tidy_places(places)) if places else None

    return cell


# ---------------------------------------------------------------- posting links

POSTING_PREFIX = "https://builtin.com/job/"


def read_crawl_sites(conn) -> dict[int, str]:
    """Crawl run -> the site it crawled (crawl_runs.site), for posting links; none in a database
    without crawl runs or written before runs named their site."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(crawl_runs)")}
    if "site" not in columns:
        return {}
    return {run: address for run, address in conn.execute("SELECT run_id, site FROM crawl_runs") if address}


async def crawl_sites(datasette, database: str) -> dict[int, str]:
    """``read_crawl_sites`` once per database (served immutable)."""
    cache = datasette.__dict__.setdefault("_jobcrawler_crawl_sites", {})
    if database not in cache:
        cache[database] = await datasette.get_database(database).execute_fn(read_crawl_sites)
    return cache[database]


def posting_url(url: str | None, site: str | None) -> str | None:
    """A posting's address on the site it was crawled from: a replay site (``make demo``) serves
    builtin.com's paths under its own address. None for anything but an http(s) address (an
    imported or merged row may hold a ``javascript:`` one): it is never made a link."""
    if not url or not re.match(r"https?://[^/\s]+", url, re.IGNORECASE):
        return None
    if (not site or not url.startswith(POSTING_PREFIX) or site.rstrip("/") == "https://builtin.com"
            or not re.match(r"https?://[^/\s]+/?$", site)):  # a site's address only: never a script URL
        return url
    return site.rstrip("/") + url[len("https://builtin.com"):]


def posting_link_cell(datasette, database, table, url):
    """A posting link in a table or query: to the crawled site when every run crawled one site."""

    async def cell():
        sites = set((await crawl_sites(datasette, database)).values())
        target = posting_url(url, sites.pop() if len(sites) == 1 else None)
        if target is None:
            return url  # shown as text, escaped
        text = target if table else "open posting"  # a query's column: short; a table's: the address
        return Markup('<a href="{}" rel="nofollow noopener">{}</a>').format(target, text)

    return cell


def experience(months: int) -> str:
    years, rest = divmod(months, 12)
    if not years:
        return f"{months} month{'s' if months != 1 else ''}"
    text = f"{years} year{'s' if years != 1 else ''}"
    return text + (f" {rest} month{'s' if rest != 1 else ''}" if rest else "")


# ---------------------------------------------------------------- default columns


def default_columns_redirect(app, datasette):
    """Answer a table page of a table with ``default_columns`` without ``_col``/``_nocol`` by a
    redirect to the same page with those columns (other query arguments kept)."""

    async def wrapped(scope, receive, send):
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            columns = settings(datasette).get("default_columns") or {}
            parts = scope["path"].strip("/").split("/")
            query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
            if (len(parts) == 2 and parts[1] in columns and parts[0] in datasette.databases
                    and not any(name in ("_col", "_nocol") for name, _ in query)):
                wanted = query + [("_col", column) for column in columns[parts[1]]]
                response = Response.redirect(f"{scope.get('root_path', '')}{scope['path']}?{urlencode(wanted)}")
                await response.asgi_send(send)
                return
        await app(scope, receive, send)

    return wrapped


# ---------------------------------------------------------------- renamed databases


def renamed_database_redirect(app, datasette):
    """Answer a link to a database under the name Datasette gave it from its file's stem
    (``/my+jobs~2E2026/jobs?...`` or ``/my~20jobs~2E2026/...`` for ``my jobs.2026.db``, served as
    ``my-jobs-2026`` since the site names it fit for a URL) by a permanent redirect to the same page
    under its name now, path and query kept: links people saved or shared keep working. A stem that
    is Datasette's own ``-`` (``-.db``) or a database served now keeps its pages: ``/-/versions``
    is Datasette's, not a database's."""

    async def wrapped(scope, receive, send):
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            renamed = {stem: name for name, database in datasette.databases.items()
                       if database.path and (stem := Path(database.path).stem) != name
                       and stem != "-" and stem not in datasette.databases}
            path = scope.get("raw_path", b"").decode("latin-1") or scope["path"]
            old, separator, rest = path[1:].partition("/")
            old, dot, extension = old.partition(".")  # /<name>.json: the name's own dots are ~2E
            old = tilde_decode(unquote(old)) if renamed else old  # my+jobs~2E2026, my~20jobs~2E2026
            if old in renamed:
                query = scope.get("query_string", b"").decode("latin-1")
                target = f"{scope.get('root_path', '')}/{renamed[old]}{dot}{extension}{separator}{rest}"
                response = Response.redirect(target + (f"?{query}" if query else ""), status=301)
                await response.asgi_send(send)
                return
        await app(scope, receive, send)

    return wrapped


@hookimpl
def asgi_wrapper(datasette):
    return lambda app: renamed_database_redirect(default_columns_redirect(app, datasette), datasette)


# ---------------------------------------------------------------- template variables


@hookimpl
def extra_template_vars(template, database, table, columns, view_name, request, datasette):
    async def variables():
        found = {"column_label": lambda column: column_label(datasette, table, column),
                 "facet_value_label": lambda column, value: facet_value_label(datasette, table, column, value)}
        if template == "row.html" and table == "jobs" and request is not None:
            job_id = request.url_vars.get("pks")
            if job_id:
                found["job"] = await job_page(datasette, database, job_id)
        elif template == "query.html" and request is not None:
            name = request.url_vars.get("table")
            queries = await datasette.get_canned_queries(database, None) if name else {}
            if name in queries:
                choices = await parameter_choices(datasette, database, queries[name])
                found["parameter_choices"] = choices
                found["empty_reasons"] = empty_reasons(choices, dict(parse_qsl(request.query_string)))
        elif template == "index.html":
            found["start_here"] = await start_here(datasette)
        elif template == "table.html" and table in (settings(datasette).get("default_columns") or {}) and request:
            every = await datasette.get_database(database).table_columns(table)
            args = [(k, v) for k, v in parse_qsl(request.query_string, keep_blank_values=True) if k not in ("_col", "_nocol")]
            found["all_columns"] = {"count": len(every), "href": f"{request.path}?{urlencode(args + [('_col', c) for c in every])}"}
        return found

    return variables


async def start_here(datasette) -> list[dict]:
    """The home page's first links, per database: each named as its dashboard, table or canned
    query is titled in the metadata, so a title is written once. A query comparing two cities
    opens on two different ones."""
    links = settings(datasette).get("start_here") or []
    dashboards = (datasette.metadata("plugins") or {}).get("datasette-dashboards") or {}
    found = []
    for name in datasette.databases:
        if name == "_internal":
            continue
        queries = datasette.metadata("queries", database=name) or {}
        tables = datasette.metadata("tables", database=name) or {}
        for link in links:
            if "dashboard" in link:
                title = dashboards.get(link["dashboard"], {}).get("title", link["dashboard"])
                href = datasette.urls.path(f"/-/dashboards/{link['dashboard']}")
            elif "table" in link:
                title = tables.get(link["table"], {}).get("title", link["table"])
                href = datasette.urls.table(name, link["table"])
            else:
                query = queries.get(link["query"], {})
                title = query.get("title", link["query"])
                href = datasette.urls.query(name, link["query"]) + await two_cities(datasette, name, query)
            found.append({"title": title, "description": link.get("description", ""), "href": href})
        found.append({"title": f"Every table and query of {name}", "description": "", "href": datasette.urls.database(name)})
    return found


async def two_cities(datasette, database: str, query: dict) -> str:
    """``?city_a=..&city_b=..`` (the first two cities) for a query taking both, else ''."""
    if not {"city_a", "city_b"} <= set(query.get("params") or []):
        return ""
    cities = (await parameter_choices(datasette, database, {"params": ["city_a"]})).get("city_a", {}).get("options", [])
    if len(cities) < 2:
        return ""
    other = [p for p in query["params"] if p not in ("city_a", "city_b")]
    return "?" + urlencode([("city_a", cities[0]), ("city_b", cities[1]), *((p, "") for p in other)])


# What a parameter's value is, in words, for the reasons an answer is empty.
_PARAMETER_WORDS = {"city": "city", "city_a": "city", "city_b": "city", "period": "crawl month",
                    "labels": "label source"}


def empty_reasons(choices: dict[str, dict], values: dict[str, str]) -> list[str]:
    """Why a canned query's answer may be empty, in words: each parameter whose value the
    database has no rows for, naming the values it has; two cities compared that are the same."""
    reasons = []
    for name, choice in choices.items():
        value = (values.get(name) or "").strip()
        if not value or not choice.get("select") or value in choice["options"]:
            continue
        what = _PARAMETER_WORDS.get(name, name)
        if name == "labels" and value == "rules":
            continue
        has = choice["options"] + (["rules"] if name == "labels" else [])
        if name == "labels":
            reasons.append(f"No report tables were built from the label source {value!r} (this database has "
                           f"{', '.join(sorted(has))}): build them with python -m analysis build --labels {value}.")
        else:
            reasons.append(f"This database has no {what} {value!r}; it has {', '.join(has) or 'none yet'}.")
    if values.get("city_a") and values.get("city_a") == values.get("city_b"):
        cities = choices.get("city_a", {}).get("options", [])
        reasons.append(f"City A and city B are both {values['city_a']!r}: pick two different cities."
                       if len(cities) > 1 else
                       f"City A and city B are both {values['city_a']!r}, the only city this database has: "
                       "crawl another (scrapy crawl builtin -a city=london) to compare two.")
    return reasons


async def parameter_choices(datasette, database: str, query: dict) -> dict[str, dict]:
    """Parameter -> {hint, empty, select, options}: what each form field expects and offers."""
    specs = settings(datasette).get("parameters") or {}
    db = datasette.get_database(database)
    choices = {}
    for name in query.get("params") or []:
        spec = specs.get(name)
        if not spec:
            continue
        options: list[str] = []
        if spec.get("options_sql"):
            try:
                result = await db.execute(spec["options_sql"])
                options = [str(row[0]) for row in result.rows if row[0] not in (None, "")]
            except Exception:  # a database without the table the options come from: a text box
                options = []
        if spec.get("taxonomy"):
            options = sorted(set(options) | set(skill_names().values()), key=str.lower)
        choices[name] = {"hint": spec.get("hint", ""), "empty": spec.get("empty"),
                         "select": bool(spec.get("select")) and bool(options or spec.get("empty")), "options": options}
    return choices


# ---------------------------------------------------------------- the job page


def description_blocks(text: str | None) -> list[dict]:
    """The description as blocks: ``{"kind": "p", "lines": [...]}`` or ``{"kind": "ul", "items":
    [...]}``: paragraphs split at blank lines, bullets ("- ", "* ", "• ", "1.") as lists; a
    paragraph of one short line that ends no sentence ("What you will do") is a heading ("h")."""
    blocks: list[dict] = []
    for chunk in re.split(r"\n\s*\n", text or ""):
        for line in chunk.split("\n"):
            line = line.strip()
            if not line:
                continue
            bullet = _BULLET.match(line)
            if bullet:
                if not blocks or blocks[-1]["kind"] != "ul" or blocks[-1].get("closed"):
                    blocks.append({"kind": "ul", "items": []})
                blocks[-1]["items"].append(line[bullet.end():])
            else:
                if not blocks or blocks[-1]["kind"] != "p" or blocks[-1].get("closed"):
                    blocks.append({"kind": "p", "lines": []})
                blocks[-1]["lines"].append(line)
        if blocks:
            blocks[-1]["closed"] = True
    for block in blocks:
        block.pop("closed", None)
        if block["kind"] == "p" and len(block["lines"]) == 1 and is_heading(block["lines"][0]):
            block["kind"] = "h"
    return blocks


def is_heading(line: str) -> bool:
    return len(line) <= HEADING_MAX_CHARS and not line.endswith((".", "!", "?", ",", ";"))


HEADING_MAX_CHARS = 60


def pay_text(job: dict) -> str | None:
    """The pay as the posting states it: range, currency (never guessed) and period."""
    # a bound stored as text ('100k': a hand-edited database) is none, as the report tables read it
    bounds = [value for value in (job.get("salary_min"), job.get("salary_max")) if isinstance(value, (int, float))]
    if not bounds:
        return job.get("salary_text")
    text = " – ".join(dict.fromkeys(f"{value:,.0f}" for value in bounds))
    if job.get("salary_currency"):
        text = f"{job['salary_currency']} {text}"
    if job.get("salary_period"):
        text += f" per {job['salary_period']}"
    if not job.get("salary_currency"):
        text += " (currency not stated)"
    return text


LABEL_META = ("job_id", "labels", "version", "labelled_at")
LABEL_TEXT = ("company_focus", "ai_type_reasoning", "responsibilities", "use_cases", "company_stage_raw")


async def _rows(db, sql: str, params: dict) -> list[dict]:
    result = await db.execute(sql, params)
    return [dict(row) for row in result.rows]


_SECTIONS = {"role": "in the role", "requirements": "in the requirements", "responsibilities": "in the role",
             "nice_to_have": "among the nice-to-haves", "company": "about the company", "benefits": "in the benefits",
             "title": "in the title", "page": "on the page", "top_skills": "in the top skills"}
_LINE_KINDS = {"model work": "model work", "enabling": "enabling others' work", "engineering": "everyday engineering",
               "ml work": "classical ML", "genai work": "generative AI"}
_CONDITIONS = {"text": "the posting says", "title": "the title says", "line_kind": "a line about {}",
               "lines": "lines about {}", "skills": "it names a {} skill", "level": "its level is",
               "industries": "its industry is", "category": "it is tagged {}"}


def evidence_words(row: dict, say_rule: bool = True) -> Markup:
    """One row of a category's evidence as a sentence: what decided the value, the words of the
    posting that did, and where they stand. The tagger's own names (``company_stage[0]``,
    ``text: public_company``, ``only_if``) stay out of it; ``say_rule=False`` for a row whose rule
    the row before it named."""
    rule, condition = (row.get("rule") or "").strip(), (row.get("condition") or "").strip()
    matched, section = row.get("matched"), _SECTIONS.get(row.get("section") or "", "")
    if rule == "default":
        return Markup("No rule applied: the default value.")
    if rule.startswith("only_if"):
        return Markup("Not asked: this tag applies only to jobs that meet its condition, and this one does not.")
    said = ""
    kind, _, what = condition.partition(":")
    what = what.strip().replace("_", " ")
    if kind == "share":
        said = what.replace("model work", "model work is", 1).replace(" of lines", " of the role's lines", 1)
        said = re.sub(r"is (\d\.\d+)", lambda m: f"is {float(m.group(1)):.0%}", said)
    elif kind in _CONDITIONS:
        what = _LINE_KINDS.get(what, what.removesuffix(" title").removesuffix(" role"))
        said = _CONDITIONS[kind].format(what.removeprefix("is ") if kind == "category" else what)
    named = "" if re.fullmatch(r"[a-z_]+\[\d+\]", rule) or not say_rule else rule
    parts = [part for part in (named, said) if part]
    if parts and re.match(r"[a-z]+\b(?!-)", parts[0]):  # a sentence, but "ai-first" stays as written
        parts[0] = parts[0][:1].upper() + parts[0][1:]
    text = Markup("; ").join(escape(part) for part in parts)
    if matched and matched not in ("True", "1"):
        text += Markup("{}<q>{}</q>").format(": " if text else "", matched)
    if section:
        text += Markup(" ({})").format(section)
    return text


def evidence_sentences(rows: list[dict]) -> list[Markup]:
    """A category's evidence rows as sentences, each rule named once (rows come rule by rule)."""
    return [evidence_words(row, say_rule=index == 0 or row.get("rule") != rows[index - 1].get("rule"))
            for index, row in enumerate(rows)]


async def job_page(datasette, database: str, job_id: str) -> dict | None:
    """Everything the job page shows about one posting, read from the crawl tables."""
    db = datasette.get_database(database)
    jobs = await _rows(db, "select * from jobs where job_id = :id", {"id": job_id})
    if not jobs:
        return None
    job = jobs[0]
    tables = set(await db.table_names())
    locations = []
    if "job_locations" in tables:
        locations = [row["label"] or ", ".join(filter(None, (row["locality"], row["region"], row["country"])))
                     for row in await _rows(db, "select * from job_locations where job_id = :id order by position",
                                            {"id": job_id})]
    skills = await _rows(db, "select labels, skill, category, matched, source from job_skills where job_id = :id "
                             "order by labels, category, skill", {"id": job_id}) if "job_skills" in tables else []
    evidence = await _rows(db, "select * from job_label_evidence where job_id = :id "
                               "order by labels, category, position",
                           {"id": job_id}) if "job_label_evidence" in tables else []
    sources = []
    for row in (await _rows(db, "select * from job_labels where job_id = :id order by labels <> 'rules', labels",
                            {"id": job_id}) if "job_labels" in tables else []):
        tags = []
        for column, value in row.items():
            if column in LABEL_META or column in LABEL_TEXT:
                continue
            items = list_items(value)
            shown = (", ".join(map(str, items)) or "none") if items is not None else (
                ("yes" if value else "no") if is_flag(datasette, "job_labels", column) and value in (0, 1) else value)
            tags.append({"name": column_label(datasette, "job_labels", column), "column": column,
                         "value": "–" if shown is None else shown,
                         "evidence": evidence_sentences([e for e in evidence if e.get("labels") == row["labels"]
                                                         and e.get("category") == column])})
        notes = [{"name": column_label(datasette, "job_labels", column), "text": row[column]}
                 for column in LABEL_TEXT if row.get(column)]
        sources.append({"labels": row["labels"], "has_evidence": any(tag["evidence"] for tag in tags), "version": row.get("version"), "labelled_at": row.get("labelled_at"),
                        "tags": tags, "notes": notes,
                        "skills": [skill for skill in skills if skill["labels"] == row["labels"]]})
    others = (await db.execute("select count(*) from jobs where company = :company and job_id <> :id",
                               {"company": job["company"], "id": job_id})).first()[0] if job.get("company") else 0
    run = job.get("fetched_run_id") or job.get("last_run_id")
    posting = posting_url(job["url"], (await crawl_sites(datasette, database)).get(run)) if job.get("url") else None
    fields = [{"name": column_label(datasette, "jobs", column), "column": column, "value": value}
              for column, value in job.items()]
    return {
        **job,
        "locations": tidy_places(locations or ([job["location"]] if job.get("location") else [])),
        "pay": pay_text(job),
        "experience": experience(job["months_of_experience"]) if job.get("months_of_experience") else None,
        "countries_list": list_items(job.get("countries")) or [],
        "industries_list": list_items(job.get("industries")) or [],
        "posting_url": posting,
        "posting_host": re.sub(r"^https?://([^/]+).*$", r"\1", posting) if posting else None,
        "company_jobs_href": datasette.urls.table(database, "jobs") + "?" + urlencode({"company__exact": job["company"]})
        if job.get("company") else None,
        "other_jobs": others,
        "sources": sources,
        "description_blocks": description_blocks(job.get("description")),
        "fields": fields,
    }
