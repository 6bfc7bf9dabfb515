"""The "AI Engineering Jobs Analysis" document, regenerated from the ``report_*`` tables.

Headings, structure and prose follow the original document; every number comes from the
report tables of one (city, period) scope ('all'/'all' is the whole database). Lists keep
the original's lengths. Sentences that state a comparison are worded from the data, so they
stay true on the next crawl.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from jobcrawler.cities import load_cities

MARKDOWN_SPECIAL = set("\\`*_[]<>")

# The skills the original compares between AI-first and AI-support roles.
COMPARED_SKILLS = ("RAG", "prompt engineering", "agents", "LangChain", "Docker", "Kubernetes", "AWS", "React")

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
}

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

NON_GENAI_SKILLS = (  # category, label, list length, closing remark
    ("cloud", "Cloud", 3, "Most expect one cloud platform"),
    ("ops", "Ops", 3, "Deployment is expected"),
    ("web", "Web", 2, "Web work is common"),
    ("languages", "Languages", 3, "Python is the default"),
)


def pct(value: float | None, decimals: int = 1) -> str:
    return f"{(value or 0):.{decimals}f}%"


def plural(count: int | None, noun: str) -> str:
    count = count or 0
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def jobs(count: int | None) -> str:
    return plural(count, "job")


def month_name(period: str | None) -> str:
    if not period or period == "all":
        return "every crawl"
    year, month = period.split("-")
    return date(int(year), int(month), 1).strftime("%B %Y")


def city_names() -> dict[str, str]:
    return {key: city.name for key, city in load_cities().items()}


def join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


class Scope:
    """Reads one (label source, city, period) slice of the report tables."""

    def __init__(self, conn: sqlite3.Connection, city: str, period: str, labels: str = "rules"):
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


class ScopeError(ValueError):
    """A (city, period) the report tables hold no rows for; the message lists the valid values."""


def scope_error(conn: sqlite3.Connection, city: str, period: str, labels: str = "rules") -> str | None:
    """None if the report tables cover (city, period), else a one-line message naming the valid
    values. ('all', 'all') is always valid: an empty database has an (empty) whole report."""
    cells = set(conn.execute("SELECT DISTINCT city, period FROM report_overview WHERE labels = ?",
                             (labels,)).fetchall()) | {("all", "all")}
    if (city, period) in cells:
        return None
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


def render_report(conn: sqlite3.Connection, city: str = "all", period: str = "all", labels: str = "rules") -> str:
    """The document for one (city, period) scope of one label source; ScopeError if the report
    tables lack it."""
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
        LEARNING_PATH,
        tech_stack(scope),
        methods_note(scope),
    ]
    return "\n\n".join(section.strip("\n") for section in sections) + "\n"


def bullets(lines) -> str:
    lines = list(lines)
    return "\n".join(f"- {line}" for line in lines) if lines else "- none in this scope"


def md(text) -> str:
    """Data text as literal Markdown: markup characters escaped, so a title cannot inject HTML."""
    return "".join("\\" + char if char in MARKDOWN_SPECIAL else char for char in str(text))


def header(scope: Scope) -> str:
    overview = dict(scope.row("report_overview"))
    names = city_names()
    cities = [names.get(key, key) for key in (overview.get("cities") or "").split(", ") if key]
    queries = " / ".join(f'"{md(q)}"' for q in (overview.get("queries") or "").split(",") if q) or "(no recorded query)"
    sites = ", ".join(md(site.split("://", 1)[-1]) for site in (overview.get("sites") or "builtin.com").split(","))
    ai_first = scope.row("report_ai_types", "ai_type = 'ai-first'")
    beyond = scope.row("report_beyond_genai", "combination = 'GenAI + any other'")
    top_genai = scope.row("report_top_skills", "category = 'genai' AND rank = 1")
    clouds = scope.rows("report_top_skills", "category = 'cloud'", limit=3)
    restriction = []
    if scope.city != "all":
        restriction.append(f"city {names.get(scope.city, scope.city)}")
    if scope.period != "all":
        restriction.append(f"crawl month {month_name(scope.period)}")
    summary = [
        f"{pct(dict(ai_first).get('pct'), 0)} of roles work directly on AI (RAG, agents)",
        f"{pct(dict(beyond).get('pct'), 0)} of AI-first roles need skills beyond just GenAI - it's a full-stack role",
    ]
    if top_genai:
        summary.append(f"{pct(top_genai['pct'])} of roles mention {md(top_genai['skill'])} - the most common pattern in all jobs")
    if clouds:
        summary.append(" > ".join(f"{md(row['skill'])} ({jobs(row['jobs'])})" for row in clouds))
    return f"""# AI Engineering Jobs Analysis

Generated from {overview.get('jobs') or 0} job descriptions extracted from {sites}{' (' + ', '.join(restriction) + ')' if restriction else ''}.

The crawler searched {sites} for jobs containing {queries} in {join_names(cities) or 'no recorded city'}, in {plural(overview.get('crawl_runs'), 'crawl run')} between {overview.get('first_crawl') or '?'} and {overview.get('last_crawl') or '?'}. The postings were published between {overview.get('first_posted') or '?'} and {overview.get('last_posted') or '?'}; most of them ({pct(overview.get('main_posted_month_pct'))}) in {month_name(overview.get('main_posted_month'))}.

Labels: {label_source_note(scope.labels)}

Summary

{bullets(summary)}"""


LABEL_SOURCES = {
    "rules": "the rule tagger of this project (jobcrawler/tagging)",
    "fieldguide": "the published analysis' own LLM labels, imported from the AI Engineering Field Guide dataset",
}


def methods_note(scope: Scope) -> str:
    """Where the tables count differently from the published analysis, and why (report_methods)."""
    rows = scope.cursor.execute("SELECT topic, choice, why FROM report_methods ORDER BY position").fetchall() \
        if scope.cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'report_methods'").fetchone() else []
    kept = {"published": "as published", "ours": "our definition"}
    lines = [f"{md(row['topic'])} ({kept.get(row['choice'], md(row['choice']))}): {md(row['why'])}" for row in rows]
    return "## Methods\n\nSkills are counted as canonical skills (one per job), not as raw label strings.\n\n" + bullets(lines)


def label_source_note(labels: str) -> str:
    """The label source named in the header: every category and skill below comes from it."""
    if labels.startswith("llm:"):
        return f"`{md(labels)}` (an LLM labeller, model {md(labels[4:])})"
    return f"`{md(labels)}` ({LABEL_SOURCES[labels]})" if labels in LABEL_SOURCES else f"`{md(labels)}`"


def type_titles(scope: Scope, ai_type: str, limit: int) -> str:
    rows = scope.rows("report_ai_type_titles", "ai_type = ?", (ai_type,), limit=limit)
    return bullets(f"{md(row['title'])} ({jobs(row['jobs'])})" for row in rows)


def job_types(scope: Scope) -> str:
    types = {row["ai_type"]: row for row in scope.rows("report_ai_types")}

    def heading(ai_type: str, label: str) -> str:
        row = dict(types.get(ai_type, {}))
        return f"### {label}: {jobs(row.get('jobs'))} ({pct(row.get('pct'))})"

    return f"""## AI Job Types

Job positions we analyzed fall into these categories:

- AI-first
- AI-support
- ML

{heading('ai-first', 'AI-First')}

Working ON AI/ML systems directly.

What they build:

- RAG (Retrieval-Augmented Generation) systems
- AI agents and agentic workflows
- Fine-tuned LLMs for specific domains
- Model serving and inference pipelines
- Prompt engineering and optimization

Example responsibilities:

- "Build RAG system for knowledge retrieval"
- "Implement agent workflows for automation"
- "Fine-tune Llama 3 for domain-specific tasks"
- "Deploy AI models to production"
- "Optimize prompts and model performance"

Most common position titles:

{type_titles(scope, 'ai-first', 7)}


{heading('ai-support', 'AI-Support')}

Working NEAR AI but NOT ON AI itself.

These roles enable AI work by building the platforms, infrastructure, and tools that AI-First engineers use.

What they build:

- AI platforms and internal tooling
- GPU clusters and inference infrastructure
- Data pipelines for training/fine-tuning
- Frontend for AI products
- Deployment and monitoring systems

Example responsibilities:

- "Build platform for RAG systems"
- "Pipeline data for fine-tuning"
- "Build deployment infrastructure"
- "Build prompt management UI"
- "Create internal tooling for AI experimentation"

Most common position titles:

{type_titles(scope, 'ai-support', 4)}


{heading('ml', 'Machine Learning')}

Traditional ML/DL work without LLMs/agents.

What they build:

- Classical ML models (scikit-learn, XGBoost)
- Deep learning models (PyTorch, TensorFlow)
- Computer vision systems
- Recommendation systems
- Model training pipelines

Most common position titles:

{type_titles(scope, 'ml', 4)}

These "AI Engineer" roles are traditional ML roles rebranded with the AI title. They do classical ML work (PyTorch, TensorFlow, computer vision) without any GenAI components.


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
    companies = scope.rows("report_top_companies", limit=20)
    stages = scope.rows("report_company_stages")
    roles = {row["role"]: row for row in scope.rows("report_roles")}
    titles = scope.rows("report_top_titles", limit=10)

    def role(name: str, label: str) -> str:
        row = dict(roles.get(name, {}))
        return f"{label}: {row.get('jobs') or 0} ({pct(row.get('pct'))})"

    return f"""## Company and Role Analysis

Unique companies: {scope.value('report_overview', 'companies') or 0}

Top 20 companies by job count:

{bullets(f"{md(row['company'])} - {jobs(row['jobs'])}" for row in companies)}

Company stage distribution:

{bullets(f"{md(row['company_stage'])} - {jobs(row['jobs'])} ({pct(row['pct'])})" for row in stages)}

Roles:

- {role('customer-facing', 'Customer-facing roles')}
- {role('management', 'Management roles')}

Most common job titles:

{bullets(f"{md(row['title'])} - {jobs(row['jobs'])}" for row in titles)}"""


def skills(scope: Scope) -> str:
    blocks = []
    for category, heading, limit, with_pct in SKILL_SECTIONS:
        rows = scope.rows("report_top_skills", "category = ?", (category,), limit=limit)
        lines = (
            f"{md(row['skill'])} - {jobs(row['jobs'])}" + (f" ({pct(row['pct'])})" if with_pct else "")
            for row in rows
        )
        blocks.append(f"{heading}:\n\n{bullets(lines)}")
    return "## Skills Analysis\n\n" + "\n\n".join(blocks)


def title_keywords(scope: Scope) -> str:
    keywords = scope.rows("report_title_keywords")
    support = [row for row in keywords if row["indicates"] == "support"]
    ai = [row for row in keywords if row["indicates"] == "AI"]
    types = {row["ai_type"]: row for row in scope.rows("report_ai_types")}

    def keyword_lines(rows) -> str:
        return bullets(f"{row['keyword']} - {jobs(row['jobs'])}, {pct(row['ai_first_pct'])} work on AI" for row in rows)

    def word_lines(ai_type: str, limit: int) -> str:
        rows = scope.rows("report_title_words", "ai_type = ?", (ai_type,), limit=limit)
        return bullets(
            f'"{md(row["word"])}" appears in {pct(row["pct"])}' + (" of titles" if i == 0 else "")
            for i, row in enumerate(rows)
        )

    def names(rows) -> str:
        return join_names([f'"{row["keyword"]}"' for row in rows]) or "no title word"

    return f"""## Title Keywords vs Actual AI Type

I analyzed whether job titles accurately predict the actual work. Can you tell from a job title if someone works directly on AI or just supports AI work?

Title words that indicate support roles (infrastructure, platforms, data):

{keyword_lines(support)}

Title words that indicate AI roles (building models, RAG, agents):

{keyword_lines(ai)}

Common keywords in job titles:

In AI-first titles ({dict(types.get('ai-first', {})).get('jobs') or 0} titles):

{word_lines('ai-first', 4)}

In AI-support titles ({dict(types.get('ai-support', {})).get('jobs') or 0} titles):

{word_lines('ai-support', 3)}

Key insight: Title words like {names(support)} indicate support roles. {names(ai)} indicate AI work."""


def frameworks(scope: Scope) -> str:
    popular = scope.rows("report_frameworks", limit=5)
    pairs = scope.rows("report_framework_pairs", limit=5)
    insight = "No framework is named in these jobs."
    if popular:
        insight = f"{md(popular[0]['framework'])} dominates ({pct(popular[0]['pct'])} of jobs)"
        if len(popular) > 1:
            insight += f", followed by {md(popular[1]['framework'])} ({pct(popular[1]['pct'])})"
        insight += "."
        if pairs:
            insight += f" The most common combination, {md(pairs[0]['framework_a'])} + {md(pairs[0]['framework_b'])}, appears in {jobs(pairs[0]['jobs'])}."
    return f"""## GenAI Framework Ecosystem

Framework popularity:

{bullets(f"{md(row['framework'])} - {jobs(row['jobs'])} ({pct(row['pct'])})" for row in popular)}

Framework combinations (appearing together):

{bullets(f"{md(row['framework_a'])} + {md(row['framework_b'])} - {jobs(row['jobs'])}" for row in pairs)}

Key Insight: {insight}"""


def genai_pairs(scope: Scope) -> str:
    pairs = scope.rows("report_genai_pairs", limit=11)
    appearances: dict[str, int] = {}
    for row in pairs:
        for skill in (row["skill_a"], row["skill_b"]):
            appearances[skill] = appearances.get(skill, 0) + 1
    insight = "No two GenAI skills appear together in these jobs."
    if appearances:
        hub = max(appearances, key=lambda skill: (appearances[skill], skill == "RAG"))
        insight = (
            f"{md(hub)} is the foundational pattern - it is part of {appearances[hub]} of the "
            f"{len(pairs)} most common pairs, combining with prompt engineering, agents and frameworks."
        )
    return f"""## Core GenAI Skill Combinations

Most common GenAI skill pairs:

{bullets(f"{md(row['skill_a'])} + {md(row['skill_b'])} - {jobs(row['jobs'])}" for row in pairs)}

Key Insight: {insight}"""


def skills_by_stage(scope: Scope) -> str:
    blocks, shares = [], []
    for stage_group, heading, limit in STAGE_SECTIONS:
        rows = scope.rows("report_skills_by_stage", "stage_group = ?", (stage_group,), limit=limit)
        blocks.append(f"{heading} - Top skills:\n\n" + bullets(f"{md(row['skill'])} - {jobs(row['jobs'])}" for row in rows))
        genai = sum(row["category"] == "genai" for row in rows)
        infrastructure = sum(row["category"] in ("cloud", "ops") for row in rows)
        shares.append(f"{heading.split(' (')[0].lower()}: {genai} GenAI and {infrastructure} cloud/ops skills of the top {len(rows)}")
    return (
        "## Skills by Company Stage\n\n"
        + "\n\n".join(blocks)
        + "\n\nKey Insight: Among each stage's top skills - "
        + "; ".join(shares)
        + "."
    )


def supporting_roles(scope: Scope) -> str:
    support = dict(scope.row("report_ai_types", "ai_type = 'ai-support'"))
    categories = []
    for row in scope.rows("report_support_categories"):
        label, description = SUPPORT_CATEGORIES.get(row["support_category"], (md(row["support_category"]), ""))
        categories.append(f"{label} - {jobs(row['jobs'])}\n\n{description}".rstrip())
    titles = scope.rows("report_ai_type_titles", "ai_type = 'ai-support'", limit=6)
    return f"""## Supporting Roles: What AI-Support Engineers Do

{jobs(support.get('jobs'))} ({pct(support.get('pct'))}) classified as AI-Support

By category:

{chr(10).join(chr(10) + block for block in categories).strip()}

Key distinctions:

AI-First Engineer:

- "Build RAG system"
- "Fine-tune Llama 3"
- "Implement agent workflow"
- "Deploy AI to production"
- "Optimize prompts"

AI-Support Engineer:

- "Build platform for RAG systems"
- "Pipeline data for fine-tuning"
- "Build agent framework library"
- "Build deployment infrastructure"
- "Build prompt management UI"

Sample AI-Support titles:

{bullets(md(row['title']) for row in titles)}"""


def support_genai_need(scope: Scope) -> str:
    need = {row["genai_need"]: row for row in scope.rows("report_support_genai_need")}
    genai = scope.rows("report_skills_by_ai_type", "ai_type = 'ai-support' AND category = 'genai'", limit=5)
    comparison = {row["skill"]: row for row in scope.rows("report_skill_comparison")}
    compared = [
        f"{skill[0].upper() + skill[1:]} - AI-First: {pct(comparison[skill]['ai_first_pct'])}, "
        f"AI-Support: {pct(comparison[skill]['ai_support_pct'])}"
        for skill in COMPARED_SKILLS
        if skill in comparison
    ]
    return f"""## Do AI-Support Roles Need AI Knowledge?

{pct(dict(need.get('some GenAI skill', {})).get('pct'))} of AI-Support roles require SOME GenAI knowledge

{pct(dict(need.get('no GenAI skill', {})).get('pct'))} require NO GenAI skills at all

GenAI skills in AI-Support roles:

{bullets(f"{md(row['skill'])} - {pct(row['pct'])}" for row in genai)}

Skill comparison (AI-First vs AI-Support):

{chr(10).join(chr(10) + line for line in compared).strip()}"""


def entry_level(scope: Scope) -> str:
    shares = {row["ai_type"]: row["pct"] or 0 for row in scope.rows("report_entry_level")}
    first, support = shares.get("ai-first", 0), shares.get("ai-support", 0)
    if support > first:
        finding = "AI-Support roles are somewhat more entry-level friendly than AI-First roles, but they still require strong infrastructure skills (Kubernetes, Docker, cloud)."
    else:
        finding = "Surprising insight: AI-Support roles are NOT more entry-level friendly for career switchers. They require strong infrastructure skills (Kubernetes, Docker, cloud) and often MORE web/devops experience than AI-First roles."
    return f"""## Is AI-Support a Good Entry Point for Career Switchers?

Not necessarily. This analysis is for people switching careers into AI.

Key findings:

Entry-level AI-First roles: {pct(first)}

Entry-level AI-Support roles: {pct(support)}

{finding}

Good AI-Support entry paths for existing engineers:

- AI Platform roles (if you have K8s/cloud experience)
- AI Data Engineer (if you have data pipeline experience)
- Frontend for AI products (if you have React/TS experience)

Not ideal for AI beginners - you still need strong engineering skills, just different ones."""


def research_vs_applied(scope: Scope) -> str:
    kinds = {row["role_kind"]: row for row in scope.rows("report_research_vs_applied")}
    research = dict(kinds.get("Research", {}))
    applied = dict(kinds.get("Applied/Production", {}))
    titles = scope.rows("report_research_titles", limit=6)
    return f"""## Research vs Applied Roles

Research Roles: {jobs(research.get('jobs'))} ({pct(research.get('pct'))})

Applied/Production Roles: {jobs(applied.get('jobs'))} ({pct(applied.get('pct'))})

Research roles work on:

- Novel algorithms and techniques
- Model architecture design
- Training methods and optimization
- Safety and alignment research
- Publishing papers, pushing SOTA
- Experimental work with uncertain outcomes

Keywords: research, scientist, publication, novel, algorithm, architecture, state of the art, experimental

Sample research titles:

{bullets(md(row['title']) for row in titles)}

Applied / Production roles work on:

- Implementing existing models in production
- Building applications with AI APIs
- Deploying and monitoring AI systems
- Fine-tuning models for specific use cases
- Customer-facing AI solutions
- Infrastructure and platforms for AI

Keywords: production, deploy, customer, enterprise, product, API integration, shipping, implementation

Example comparison:

Research: "Develop novel reinforcement learning algorithms"

Applied: "Implement RAG patterns with vector store integration"

Research: "Publish papers at top conferences"

Applied: "Ship AI features to customers\""""


def title_variants(scope: Scope) -> str:
    def strong(column: str, label: str, limit: int) -> list[str]:
        rows = scope.rows("report_title_variants", f"jobs >= 3 AND {column} >= 75", limit=limit)
        return [f"{md(row['title_variant'])} - {jobs(row['jobs'])} ({pct(row[column], 0)} {label})" for row in rows]

    top = dict(scope.row("report_title_variants"))
    insight = "No title variant occurs twice yet."
    if top:
        insight = (
            f'"{md(top["title_variant"])}" is the most common title ({pct(top["ai_first_pct"], 0)} are AI-First). '
            "But job title alone isn't 100% reliable - always check responsibilities."
        )
    return f"""## What Other Titles Do "AI Engineers" Go Under?

Strongly AI-First titles (75%+ classified as AI-First):

{bullets(strong('ai_first_pct', 'AI-First', 9))}

Strongly AI-Support titles (75%+ classified as AI-Support):

{bullets(strong('ai_support_pct', 'AI-Support', 4))}

Key Insight: {insight}"""


def ml_knowledge(scope: Scope) -> str:
    need = dict(scope.row("report_ai_first_ml_need"))
    share = need.get("pct") or 0
    ml_skills = scope.rows("report_skills_by_ai_type", "ai_type = 'ai-first' AND category = 'ml'", limit=6)
    by_name = {row["skill"]: row["jobs"] for row in ml_skills}
    findings = [
        f"{'Most' if share >= 50 else 'Fewer than half of'} AI Engineers need basic ML knowledge - {pct(share, 0)} require some ML skills"
    ]
    if ml_skills:
        findings.append(f"{md(ml_skills[0]['skill'])} is the most common ML skill - {jobs(ml_skills[0]['jobs'])}")
    if by_name.get("PyTorch") and by_name.get("TensorFlow"):
        findings.append(f"PyTorch vs TensorFlow - {by_name['PyTorch'] / by_name['TensorFlow']:.1f}x as many AI-First jobs name PyTorch")
    general = dict(scope.row("report_skills_by_ai_type", "ai_type = 'ai-first' AND skill = 'machine learning'"))
    if general:
        findings.append(
            f"Deep ML knowledge is {'rare' if general['pct'] < 20 else 'common'} - "
            f"{pct(general['pct'], 0)} expect general ML expertise (\"machine learning\")"
        )
    return f"""## How Much ML Do AI Engineers Need to Know?

{pct(share)} of AI-First roles require some ML knowledge

Most common ML skills in AI Engineer roles:

{bullets(f"{md(row['skill'][0].upper() + row['skill'][1:])} - {jobs(row['jobs'])} ({pct(row['pct'])})" for row in ml_skills)}

Key Findings

{chr(10).join(f"{i}. {line}" for i, line in enumerate(findings, 1))}

Bottom Line: AI Engineers need practical ML knowledge (PyTorch basics, fine-tuning, embeddings) but don't need deep ML expertise unless specifically working on model development."""


def beyond_genai(scope: Scope) -> str:
    combinations = {row["combination"]: row for row in scope.rows("report_beyond_genai")}
    any_other = dict(combinations.get("GenAI + any other", {}))
    pure = dict(combinations.get("pure GenAI", {}))
    expected = []
    for category, label, limit, remark in NON_GENAI_SKILLS:
        rows = scope.rows("report_skills_by_ai_type", "ai_type = 'ai-first' AND category = ?", (category,), limit=limit)
        if rows:
            expected.append(f"{label} - " + ", ".join(f"{md(row['skill'])} ({pct(row['pct'])})" for row in rows) + f" - {remark}")
    sides = scope.rows("report_fullstack")
    side_labels = {"frontend": "Frontend skills", "backend": "Backend skills", "full-stack (both)": "Full-stack (both)"}
    return f"""## What Else (Besides GenAI) Do AI Engineers Need?

{pct(any_other.get('pct'))} of AI-First roles require skills BEYOND just GenAI

Skill combinations in AI Engineer roles:

{bullets(f"{BEYOND_GENAI_LABELS[row['combination']]} - {pct(row['pct'])}" for row in combinations.values())}

Non-GenAI skills expected:

{chr(10).join(chr(10) + line for line in expected).strip()}

Full-stack expectations:

{bullets(f"{side_labels[row['side']]} - {row['jobs']}/{row['ai_first_jobs']} ({pct(row['pct'])})" for row in sides)}

Bottom Line: AI Engineers are full-stack engineers who specialize in AI. Only {pct(pure.get('pct'))} of roles expect pure GenAI work. Most need cloud deployment (AWS/Azure/GCP), containerization (Docker, K8s), CI/CD, and often web development (React, FastAPI)."""


def fine_tuning(scope: Scope) -> str:
    mention = dict(scope.row("report_fine_tuning"))
    depths = {row["fine_tuning"]: row for row in scope.rows("report_fine_tuning_depth")}
    depth_lines = []
    for depth, (label, meaning) in FINE_TUNING_DEPTHS.items():
        row = dict(depths.get(depth, {}))
        depth_lines.append(f"{label} - {jobs(row.get('jobs'))} ({pct(row.get('pct'))}) - {meaning}")
    use_cases = scope.rows("report_fine_tuning_use_cases")
    use_case_blocks = []
    for row in use_cases:
        label, meaning = FINE_TUNING_USE_CASES.get(row["use_case"], (md(row["use_case"]), ""))
        use_case_blocks.append(f"{label} - {plural(row['jobs'], 'mention')}" + (f"\n\n- {meaning}" if meaning else ""))
    primary = dict(depths.get("primary", {})).get("pct") or 0
    any_depth = primary + (dict(depths.get("secondary", {})).get("pct") or 0)
    top_use = FINE_TUNING_USE_CASES.get(use_cases[0]["use_case"], (md(use_cases[0]["use_case"]),))[0] if use_cases else "none recorded"
    return f"""## Fine-Tuning Requirements

{pct(mention.get('pct'))} of AI-First roles mention fine-tuning

Depth of fine-tuning expectation:

{chr(10).join(chr(10) + line for line in depth_lines).strip()}

Fine-tuning use cases:

{chr(10).join(chr(10) + block for block in use_case_blocks).strip()}

Key Findings

1. {'Most AI Engineers do not fine-tune' if any_depth < 50 else 'Most AI Engineers fine-tune'} - {pct(any_depth, 0)} have any FT expectation
2. Primary FT roles are {'rare' if primary < 10 else 'common'} - {pct(primary, 0)} focus on fine-tuning as main responsibility
3. Most common FT use case - {top_use}
4. FT is a specialization - Not a core AI Engineer skill, more advanced

Bottom Line: Fine-tuning is optional for most AI Engineers. Focus on RAG and agents first. Learn fine-tuning if targeting domain-specific roles (healthcare, finance, legal), performance optimization roles, or specialized model development."""


def key_insight(scope: Scope) -> str:
    share = scope.value("report_overview", "rag_or_agents_pct")
    return f"""## Key Insight 

Key Insight: RAG or Agents appear in {pct(share)} of jobs

The two dominant patterns are:

- RAG - Connect LLMs to your data (documents, databases)
- Agents - LLMs that use tools to accomplish tasks

If you learn these two patterns deeply, you can handle most AI Engineering use cases."""


LEARNING_PATH = """## Learning Path for AI Engineers

- Foundation - Python, APIs, basic web development (FastAPI/React)
- LLM Basics - Prompt engineering, OpenAI/Anthropic APIs
- RAG - Vector databases, embeddings, retrieval patterns
- Frameworks - LangChain or LlamaIndex
- Agents - LangGraph, agent orchestration
- Production - Docker, Kubernetes, CI/CD, monitoring"""


def tech_stack(scope: Scope) -> str:
    layers: dict[str, list] = {}
    for row in scope.rows("report_tech_stack", "rank <= 3"):
        layers.setdefault(row["layer"], []).append(f"{md(row['skill'])} ({jobs(row['jobs'])})")
    return "## AI Tech Stack\n\nThe typical AI engineering stack, with the most named skills of each layer:\n\n" + bullets(
        f"{layer.upper()} layer - {', '.join(skills)}" for layer, skills in layers.items()
    )
