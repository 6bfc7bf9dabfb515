"""Report tables and the regenerated document on the hand-counted fixture database.

Every expected number below was counted by hand from the fixture database in tests/helpers.py (14 jobs:
7 AI-first, 5 AI-support, 1 ML, 1 untagged), not copied from a run. Ties rank as published: by the
first job naming them (job id, then the name's list and the name: the rule tagger's lists are its
categories), so "prompt engineering" (job 9001) comes before "agents" (9002).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.build import (BUILD_TABLE, METHODS_TABLE, build, missing_report_tables, report_queries, report_tables,
                            stale_reason)
from analysis.report import ScopeError, city_names, render_report
from jobcrawler.cities import load_cities
from jobcrawler.storage import finish_run, job_row, label_row, open_db, record_sighting, save_job, save_labels, start_run
from tests.helpers import REPO, build_fixture_db


@pytest.fixture(scope="module")
def report_db(tmp_path_factory) -> Path:
    path = build_fixture_db(tmp_path_factory.mktemp("reports") / "jobs.db")
    build(path)
    return path


def select(db: Path, table: str, columns: str, city: str = "all", period: str = "all", limit: int = -1):
    with sqlite3.connect(db) as conn:
        return conn.execute(
            f"SELECT {columns} FROM {table} WHERE city = ? AND period = ? ORDER BY rowid LIMIT ?",
            (city, period, limit),
        ).fetchall()


# (table, columns, city, period, limit, expected rows)
EXPECTED = [
    # no fixture job has a rule confidence: every one counts as doubted (tests/test_label_blend.py: the blend)
    ("report_label_deciders", "decided_by, doubted, below, jobs, pct", "all", "all", -1, [("rules", 1, 0.7, 14, 100.0)]),
    ("report_overview", "jobs, companies, cities, queries, crawl_runs, first_crawl, last_crawl", "all", "all", -1,
     [(14, 7, "berlin, london, newyork", "AI Engineer", 4, "2026-01-05", "2026-02-04")]),
    ("report_overview", "first_posted, last_posted, main_posted_month, main_posted_month_pct, rag_or_agents_jobs, rag_or_agents_pct",
     "all", "all", -1, [("2025-12-20", "2026-02-02", "2026-01", 71.4, 8, 57.1)]),
    ("report_overview", "jobs, companies, cities, crawl_runs, first_crawl, last_crawl", "london", "all", -1,
     [(8, 5, "london", 2, "2026-01-05", "2026-02-03")]),
    ("report_overview", "jobs, cities, crawl_runs, first_crawl, last_crawl", "all", "2026-02", -1,
     [(9, "london, newyork", 2, "2026-02-03", "2026-02-04")]),
    ("report_overview", "jobs", "berlin", "2026-01", -1, [(4,)]),
    ("report_overview", "jobs", "london", "2026-02", -1, [(5,)]),
    ("report_ai_types", "ai_type, jobs, pct", "all", "all", -1,
     [("ai-first", 7, 50.0), ("ai-support", 5, 35.7), ("ml", 1, 7.1)]),
    ("report_ai_types", "ai_type, jobs, pct", "london", "all", -1, [("ai-first", 6, 75.0), ("ai-support", 2, 25.0)]),
    ("report_ai_types", "ai_type, jobs, pct", "all", "2026-01", -1, [("ai-first", 5, 71.4), ("ai-support", 2, 28.6)]),
    ("report_ai_types", "ai_type, jobs, pct", "all", "2026-02", -1,
     [("ai-first", 4, 44.4), ("ai-support", 3, 33.3), ("ml", 1, 11.1)]),
    ("report_ai_types", "ai_type, jobs, pct", "newyork", "2026-02", -1, [("ai-support", 3, 60.0), ("ml", 1, 20.0)]),
    ("report_ai_type_titles", "ai_type, rank, title, jobs", "all", "all", -1, [
        ("ai-first", 1, "AI Engineer", 2), ("ai-first", 2, "Senior AI Engineer", 1),
        ("ai-first", 3, "Applied AI Engineer", 1), ("ai-first", 4, "AI Research Engineer", 1),
        ("ai-first", 5, "Full Stack Engineer (AI)", 1), ("ai-first", 6, "Staff AI Engineer", 1),
        ("ai-support", 1, "AI Platform Engineer", 1), ("ai-support", 2, "Senior AI Platform Engineer", 1),
        ("ai-support", 3, "AI Sales Engineer", 1), ("ai-support", 4, "Backend Engineer - AI", 1),
        ("ai-support", 5, "Data Engineer, AI Platform", 1), ("ml", 1, "Computer Vision AI Engineer", 1),
    ]),
    ("report_top_companies", "rank, company, jobs, pct", "all", "all", -1, [
        (1, "Acme", 3, 21.4), (2, "Beta", 3, 21.4), (3, "Gamma", 3, 21.4), (4, "Delta", 2, 14.3),
        (5, "Epsilon", 1, 7.1), (6, "Zeta", 1, 7.1), (7, 'Evil <img src=x onerror="window.__xss=2">', 1, 7.1),
    ]),
    ("report_company_stages", "company_stage, jobs, pct", "all", "all", -1, [
        ("Public", 3, 21.4), ("Seed", 3, 21.4), ("Series B", 3, 21.4), ("Series D+", 2, 14.3),
        ("Private/unknown", 1, 7.1), ("Series A", 1, 7.1),
    ]),
    ("report_roles", "role, jobs, pct", "all", "all", -1, [("customer-facing", 2, 14.3), ("management", 1, 7.1), ("tech lead", None, None)]),
    ("report_top_titles", "rank, title, jobs, pct", "all", "all", 3,
     [(1, "AI Engineer", 2, 14.3), (2, "Senior AI Engineer", 1, 7.1), (3, "Applied AI Engineer", 1, 7.1)]),
    ("report_top_titles", "count(*)", "all", "all", -1, [(13,)]),
    ("report_top_skills", "category, rank, skill, jobs, pct", "all", "all", -1, [
        ("cloud", 1, "AWS", 2, 14.3),
        ("data", 1, "Spark", 1, 7.1),
        ("databases", 1, "Pinecone", 1, 7.1), ("databases", 2, "PostgreSQL", 1, 7.1),
        ("genai", 1, "RAG", 7, 50.0), ("genai", 2, "LangChain", 3, 21.4), ("genai", 3, "prompt engineering", 2, 14.3),
        ("genai", 4, "agents", 2, 14.3), ("genai", 5, "LLMs", 2, 14.3),
        ("genai", 6, "OpenAI API", 2, 14.3), ("genai", 7, "LangGraph", 1, 7.1),
        ("genai", 8, "LlamaIndex", 1, 7.1),
        ("languages", 1, "Python", 8, 57.1), ("languages", 2, "Go", 1, 7.1), ("languages", 3, "TypeScript", 1, 7.1),
        ("languages", 4, "SQL", 1, 7.1),
        ("ml", 1, "PyTorch", 4, 28.6), ("ml", 2, "fine-tuning", 1, 7.1), ("ml", 3, "TensorFlow", 1, 7.1),
        ("ml", 4, "model training", 1, 7.1),
        ("ops", 1, "Kubernetes", 3, 21.4), ("ops", 2, "Docker", 2, 14.3), ("ops", 3, "Terraform", 1, 7.1),
        ("web", 1, "React", 2, 14.3), ("web", 2, "FastAPI", 1, 7.1), ("web", 3, "Next.js", 1, 7.1),
    ]),
    ("report_title_keywords", "keyword, jobs, ai_first_jobs, ai_first_pct, indicates", "all", "all", -1, [
        ("Backend", 1, 0, 0.0, "support"), ("Data Engineer", 1, 0, 0.0, "support"),
        ("Platform", 3, 0, 0.0, "support"), ("Full Stack", 1, 1, 100.0, "AI"), ("Research", 1, 1, 100.0, "AI"),
    ]),
    ("report_title_words", "ai_type, rank, word, titles, type_titles, pct", "all", "all", -1, [
        ("ai-first", 1, "ai", 7, 7, 100.0), ("ai-first", 2, "applied", 1, 7, 14.3),
        ("ai-first", 3, "full", 1, 7, 14.3), ("ai-first", 4, "research", 1, 7, 14.3),
        ("ai-first", 5, "stack", 1, 7, 14.3),
        ("ai-support", 1, "ai", 5, 5, 100.0), ("ai-support", 2, "platform", 3, 5, 60.0),
        ("ai-support", 3, "backend", 1, 5, 20.0), ("ai-support", 4, "data", 1, 5, 20.0),
        ("ai-support", 5, "sales", 1, 5, 20.0),
        ("ml", 1, "ai", 1, 1, 100.0), ("ml", 2, "computer", 1, 1, 100.0), ("ml", 3, "vision", 1, 1, 100.0),
    ]),
    ("report_frameworks", "rank, framework, jobs, pct", "all", "all", -1,
     [(1, "LangChain", 3, 21.4), (2, "LangGraph", 1, 7.1), (3, "LlamaIndex", 1, 7.1)]),
    ("report_framework_pairs", "rank, framework_a, framework_b, jobs, pct", "all", "all", -1,
     [(1, "LangChain", "LangGraph", 1, 7.1), (2, "LangChain", "LlamaIndex", 1, 7.1)]),
    ("report_genai_pairs", "rank, skill_a, skill_b, jobs", "all", "all", -1, [
        (1, "LangChain", "RAG", 3), (2, "OpenAI API", "RAG", 2), (3, "LangChain", "prompt engineering", 1),
        (4, "RAG", "prompt engineering", 1), (5, "LangChain", "LangGraph", 1), (6, "LangChain", "agents", 1),
        (7, "LangGraph", "RAG", 1), (8, "LangGraph", "agents", 1), (9, "RAG", "agents", 1),
        (10, "LLMs", "OpenAI API", 1), (11, "LLMs", "RAG", 1), (12, "agents", "prompt engineering", 1),
        (13, "LangChain", "LlamaIndex", 1), (14, "LlamaIndex", "RAG", 1),
    ]),
    ("report_skills_by_stage", "stage_group, stage_jobs, rank, skill, jobs, pct", "all", "all", -1, [
        ("Seed", 3, 1, "RAG", 3, 100.0), ("Seed", 3, 2, "LangChain", 2, 66.7), ("Seed", 3, 3, "Python", 2, 66.7),
        ("Seed", 3, 4, "React", 2, 66.7), ("Seed", 3, 5, "prompt engineering", 1, 33.3), ("Seed", 3, 6, "PyTorch", 1, 33.3),
        ("Seed", 3, 7, "Docker", 1, 33.3), ("Seed", 3, 8, "AWS", 1, 33.3),
        ("Seed", 3, 9, "LangGraph", 1, 33.3), ("Seed", 3, 10, "agents", 1, 33.3),
        ("Series A-C", 4, 1, "Python", 3, 75.0), ("Series A-C", 4, 2, "RAG", 2, 50.0),
        ("Series A-C", 4, 3, "PyTorch", 2, 50.0), ("Series A-C", 4, 4, "Pinecone", 1, 25.0),
        ("Series A-C", 4, 5, "LLMs", 1, 25.0), ("Series A-C", 4, 6, "OpenAI API", 1, 25.0),
        ("Series A-C", 4, 7, "Kubernetes", 1, 25.0), ("Series A-C", 4, 8, "FastAPI", 1, 25.0),
        ("Series A-C", 4, 9, "agents", 1, 25.0), ("Series A-C", 4, 10, "prompt engineering", 1, 25.0),
        ("Series D+/Public", 5, 1, "Python", 3, 60.0), ("Series D+/Public", 5, 2, "Kubernetes", 2, 40.0),
        ("Series D+/Public", 5, 3, "AWS", 1, 20.0), ("Series D+/Public", 5, 4, "LLMs", 1, 20.0),
        ("Series D+/Public", 5, 5, "Docker", 1, 20.0), ("Series D+/Public", 5, 6, "Terraform", 1, 20.0),
        ("Series D+/Public", 5, 7, "Go", 1, 20.0), ("Series D+/Public", 5, 8, "OpenAI API", 1, 20.0),
        ("Series D+/Public", 5, 9, "RAG", 1, 20.0), ("Series D+/Public", 5, 10, "PostgreSQL", 1, 20.0),
    ]),
    ("report_support_categories", "support_category, jobs, ai_support_jobs, pct", "all", "all", -1, [
        ("platform/infrastructure", 2, 5, 40.0), ("backend/general SWE", 1, 5, 20.0),
        ("data/pipelines", 1, 5, 20.0), ("sales/solutions", 1, 5, 20.0),
    ]),
    ("report_support_genai_need", "genai_need, jobs, ai_support_jobs, pct", "all", "all", -1,
     [("some GenAI skill", 2, 5, 40.0), ("no GenAI skill", 3, 5, 60.0)]),
    ("report_entry_level", "ai_type, jobs, entry_level_jobs, pct", "all", "all", -1,
     [("ai-first", 7, 1, 14.3), ("ai-support", 5, 1, 20.0), ("ml", 1, 0, 0.0)]),
    ("report_research_vs_applied", "role_kind, jobs, pct", "all", "all", -1,
     [("Research", 2, 14.3), ("Applied/Production", 12, 85.7)]),
    ("report_research_titles", "rank, title, jobs", "all", "all", -1,
     [(1, "AI Research Engineer", 1), (2, "Applied AI Engineer", 1)]),
    ("report_title_variants",
     "rank, title_variant, jobs, ai_first_jobs, ai_first_pct, ai_support_jobs, ai_support_pct, ml_jobs, ml_pct",
     "all", "all", -1,
     [(1, "AI Engineer", 4, 4, 100.0, 0, 0.0, 0, 0.0), (2, "AI Platform Engineer", 2, 0, 0.0, 2, 100.0, 0, 0.0)]),
    ("report_ai_first_ml_need", "ai_first_jobs, jobs, pct", "all", "all", -1, [(7, 3, 42.9)]),
    ("report_beyond_genai", "combination, jobs, ai_first_jobs, pct", "all", "all", -1, [
        ("GenAI + ops", 2, 7, 28.6), ("GenAI + ML", 3, 7, 42.9), ("GenAI + web", 3, 7, 42.9),
        ("GenAI + any other", 6, 7, 85.7), ("pure GenAI", 1, 7, 14.3),
    ]),
    # as published: a name holding a frontend word (React: 9002, 9011) or a backend word ("openai api",
    # "fastapi": 9003); ours, the taxonomy's skill groups the fixture flags
    ("report_fullstack", "side, jobs, ai_first_jobs, pct, our_jobs, our_pct", "all", "all", -1,
     [("frontend", 2, 7, 28.6, 2, 28.6), ("backend", 1, 7, 14.3, 3, 42.9), ("full-stack (both)", 0, 7, 0.0, 2, 28.6)]),
    # a name holding one of the published ML words: PyTorch (9001, 9004, 9010), fine-tuning (9004), model training (9010)
    ("report_ml_skills", "rank, skill, jobs, ai_first_jobs, pct", "all", "all", -1,
     [(1, "PyTorch", 3, 7, 42.9), (2, "fine-tuning", 1, 7, 14.3), (3, "model training", 1, 7, 14.3)]),
    ("report_title_keyword_shares", "ai_type, rank, keyword, titles, type_titles, pct, whole_word_pct", "all", "all", -1, [
        ("ai-first", 1, "ai", 7, 7, 100.0, 100.0), ("ai-first", 2, "engineer", 7, 7, 100.0, 100.0),
        ("ai-first", 3, "research", 1, 7, 14.3, 14.3), ("ai-first", 4, "applied", 1, 7, 14.3, 14.3),
        ("ai-support", 1, "ai", 5, 5, 100.0, 100.0), ("ai-support", 2, "engineer", 5, 5, 100.0, 100.0),
        ("ai-support", 3, "platform", 3, 5, 60.0, 60.0), ("ai-support", 4, "backend", 1, 5, 20.0, 20.0),
        ("ml", 1, "ai", 1, 1, 100.0, 100.0), ("ml", 2, "engineer", 1, 1, 100.0, 100.0),
    ]),
    ("report_pay_left_out", "reason, jobs", "all", "all", -1, [("yearly figure under 1,000", 0), ("no pay period", 0)]),
    # a fine-tuning word: the fine-tuning skill (9004); a duty: primary (9001), secondary (9002)
    ("report_fine_tuning", "ai_first_jobs, jobs, pct, duty_jobs, duty_pct", "all", "all", -1, [(7, 3, 42.9, 2, 28.6)]),
    ("report_fine_tuning_depth", "fine_tuning, jobs, ai_first_jobs, pct", "all", "all", -1,
     [("primary", 1, 7, 14.3), ("secondary", 1, 7, 14.3), ("none", 5, 7, 71.4)]),
    ("report_fine_tuning_use_cases", "use_case, jobs, ai_first_jobs, pct", "all", "all", -1,
     [("domain knowledge", 2, 7, 28.6), ("instruction following", 1, 7, 14.3)]),
    ("report_tech_stack", "layer, rank, skill, jobs, pct", "all", "all", -1, [
        ("application", 1, "React", 2, 14.3), ("application", 2, "FastAPI", 1, 7.1),
        ("application", 3, "Next.js", 1, 7.1),
        ("AI orchestration", 1, "LangChain", 3, 21.4), ("AI orchestration", 2, "LangGraph", 1, 7.1),
        ("AI orchestration", 3, "LlamaIndex", 1, 7.1),
        ("LLM APIs", 1, "OpenAI API", 2, 14.3),
        ("vector databases", 1, "Pinecone", 1, 7.1),
        ("infrastructure", 1, "Kubernetes", 3, 21.4), ("infrastructure", 2, "AWS", 2, 14.3),
        ("infrastructure", 3, "Docker", 2, 14.3), ("infrastructure", 4, "Terraform", 1, 7.1),
    ]),
]


@pytest.mark.parametrize("table, columns, city, period, limit, expected", EXPECTED)
def test_report_table_numbers(report_db, table, columns, city, period, limit, expected):
    assert select(report_db, table, columns, city, period, limit) == expected


def test_every_report_table_is_checked():
    # report_pay: the fixture states no pay; tests/test_site_pay.py checks its numbers. report_label_agreement:
    # the fixture has one label source; test_label_agreement_between_sources checks it.
    checked = {case[0] for case in EXPECTED} | {"report_skills_by_ai_type", "report_skill_comparison", "report_pay",
                                                "report_label_agreement"}
    assert checked == set(report_tables())


@pytest.mark.parametrize(
    "city, period, skill, jobs, pct",
    [
        ("london", "all", "RAG", 6, 75.0),
        ("london", "all", "Python", 4, 50.0),
        ("berlin", "2026-01", "RAG", 3, 75.0),
        ("berlin", "2026-01", "Python", 3, 75.0),
        ("all", "2026-02", "RAG", 4, 44.4),
        ("newyork", "2026-02", "Kubernetes", 2, 40.0),
    ],
)
def test_top_skills_per_city_and_period(report_db, city, period, skill, jobs, pct):
    with sqlite3.connect(report_db) as conn:
        found = conn.execute(
            "SELECT jobs, pct FROM report_top_skills WHERE city = ? AND period = ? AND skill = ?", (city, period, skill)
        ).fetchall()
    assert found == [(jobs, pct)]


@pytest.mark.parametrize(
    "ai_type, category, expected",
    [
        ("ai-support", "genai", [(1, "LLMs", 1, 5, 20.0), (2, "OpenAI API", 1, 5, 20.0), (3, "RAG", 1, 5, 20.0)]),
        ("ai-first", "ml", [(1, "PyTorch", 3, 7, 42.9), (2, "fine-tuning", 1, 7, 14.3), (3, "model training", 1, 7, 14.3)]),
        ("ai-first", "languages", [(1, "Python", 4, 7, 57.1), (2, "TypeScript", 1, 7, 14.3)]),
        ("ai-first", "web", [(1, "React", 2, 7, 28.6), (2, "FastAPI", 1, 7, 14.3), (3, "Next.js", 1, 7, 14.3)]),
        ("ml", "ml", [(1, "PyTorch", 1, 1, 100.0), (2, "TensorFlow", 1, 1, 100.0)]),
    ],
)
def test_skills_by_ai_type(report_db, ai_type, category, expected):
    with sqlite3.connect(report_db) as conn:
        rows = conn.execute(
            "SELECT rank, skill, jobs, type_jobs, pct FROM report_skills_by_ai_type "
            "WHERE city = 'all' AND period = 'all' AND ai_type = ? AND category = ? ORDER BY rank",
            (ai_type, category),
        ).fetchall()
    assert rows == expected


@pytest.mark.parametrize(
    "skill, expected",
    [
        ("RAG", (6, 85.7, 1, 20.0)),
        ("Kubernetes", (1, 14.3, 2, 40.0)),
        ("LLMs", (1, 14.3, 1, 20.0)),
        ("PyTorch", (3, 42.9, 0, 0.0)),
        ("TensorFlow", (0, 0.0, 0, 0.0)),  # named by the ML job only
    ],
)
def test_skill_comparison(report_db, skill, expected):
    with sqlite3.connect(report_db) as conn:
        row = conn.execute(
            "SELECT ai_first_jobs, ai_first_pct, ai_support_jobs, ai_support_pct FROM report_skill_comparison "
            "WHERE city = 'all' AND period = 'all' AND skill = ?",
            (skill,),
        ).fetchone()
        python = conn.execute("SELECT count(*) FROM report_skill_comparison WHERE skill = 'Python'").fetchone()
    assert row == expected
    assert python == (0,)  # not one of the published comparison's skills


def test_every_table_has_all_cells(report_db):
    cells = {
        ("all", "all"), ("london", "all"), ("berlin", "all"), ("newyork", "all"), ("all", "2026-01"),
        ("all", "2026-02"), ("london", "2026-01"), ("london", "2026-02"), ("berlin", "2026-01"), ("newyork", "2026-02"),
    }
    with sqlite3.connect(report_db) as conn:
        found = set(conn.execute("SELECT city, period FROM report_overview").fetchall())
        assert found == cells
        for table in report_tables():
            if table in ("report_pay", "report_label_agreement"):  # no pay, one label source: checked elsewhere
                continue
            first = conn.execute(f"SELECT city, period FROM {table} ORDER BY rowid LIMIT 1").fetchone()
            assert first == ("all", "all"), table


def test_build_is_repeatable(tmp_path):
    path = build_fixture_db(tmp_path / "jobs.db")
    first = build(path)
    second = build(path)
    assert first == second
    with sqlite3.connect(path) as conn:
        assert missing_report_tables(conn) == []
        assert conn.execute("SELECT jobs FROM report_overview WHERE city = 'all' AND period = 'all'").fetchone() == (14,)


def test_the_build_command_does_not_import_datasette():
    """`python -m analysis build` needs no Datasette, whose import alone costs ~0.3 s a build."""
    loaded = subprocess.run([sys.executable, "-c", "import sys, analysis.__main__; print('datasette' in sys.modules)"],
                            cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "False"


def test_build_on_an_empty_database(tmp_path):
    from jobcrawler.storage import open_db

    open_db(tmp_path / "empty.db").conn.close()
    counts = build(tmp_path / "empty.db")
    assert set(counts) == set(report_tables())
    with sqlite3.connect(tmp_path / "empty.db") as conn:  # no report of zeros
        with pytest.raises(ScopeError, match="the database holds no jobs yet"):
            render_report(conn)


def test_unknown_ai_type_and_technical_leads_are_reported_apart(tmp_path):
    path = build_fixture_db(tmp_path / "jobs.db")
    build(path)
    with sqlite3.connect(path) as conn:  # the fixture's labels say nothing of technical leads
        assert "- Technical leads: not told apart by this label source" in render_report(conn)
        first_two = [row[0] for row in conn.execute("SELECT job_id FROM job_labels ORDER BY job_id LIMIT 2")]
        conn.execute("UPDATE job_labels SET ai_type = 'unknown' WHERE job_id = ?", [first_two[0]])
        conn.execute("UPDATE job_labels SET is_tech_lead = (job_id = ?)", [first_two[1]])
    build(path)
    with sqlite3.connect(path) as conn:
        text = render_report(conn)
    assert "### Unknown: 1 job (7.1%)" in text
    assert "- Technical leads (lead, staff, principal, mentoring, and the people managers, who lead technically " \
           "too): 1 (7.1%)" in text


def test_report_document(report_db):
    with sqlite3.connect(report_db) as conn:
        text = render_report(conn)
    for line in [
        "Generated from 14 job descriptions extracted from builtin.com.",
        "in Berlin, London and New York, in 4 crawl runs between 2026-01-05 and 2026-02-04",
        "published between 2025-12-20 and 2026-02-02; most of them (71.4%) in January 2026",
        "- 50% of roles work directly on AI (AI-first)",
        "- 50.0% of roles mention RAG - the most common GenAI skill in all jobs",
        "### AI-First: 7 jobs (50.0%)",
        "### AI-Support: 5 jobs (35.7%)",
        "### Machine Learning: 1 job (7.1%)",
        "- AI Engineer (2 jobs)",
        "Unique companies: 7",
        "- Public - 3 jobs (21.4%)",
        "- Customer-facing roles: 2 (14.3%)",
        "- RAG - 7 jobs (50.0%)",
        "- Python - 8 jobs (57.1%)",
        "- Platform - 3 jobs, 0.0% work on AI",
        '- "platform" appears in 60.0%',
        "- LangChain + RAG - 3 jobs",
        "Platform/Infrastructure - 2 jobs",
        "40.0% of AI-Support roles require SOME GenAI knowledge",
        "RAG - AI-First: 85.7%, AI-Support: 20.0%",
        "Entry-level AI-Support roles: 20.0%",
        "Research Roles: 2 jobs (14.3%)",
        "- AI Engineer - 4 jobs (100% AI-First)",
        "Strongly AI-Support titles (75%+ classified as AI-Support, 3+ jobs):\n\n- none in this scope",
        "42.9% of AI-First roles require some ML knowledge",
        "- GenAI + ANY other tech - 85.7%",
        "- Backend skills - 1/7 (14.3%) - ours 3/7 (42.9%)",
        "Primary FT responsibility - 1 job (14.3%)",
        "Domain knowledge - 2 mentions (2 jobs)",
        "Key Insight: RAG or Agents appear in 57.1% of jobs",
        "- INFRASTRUCTURE layer - Kubernetes (3 jobs), AWS (2 jobs), Docker (2 jobs)",
    ]:
        assert line in text, line
    # Data text is escaped Markdown: the script title cannot become HTML.
    assert "<script>" not in text
    assert r"\<script\>window.\_\_xss=1\</script\> AI Engineer" in text


def test_report_for_one_city_and_month(report_db):
    with sqlite3.connect(report_db) as conn:
        text = render_report(conn, city="london", period="2026-02")
    assert "Generated from 5 job descriptions extracted from builtin.com (city London, crawl month February 2026)." in text
    assert "### AI-First: 4 jobs (80.0%)" in text


def test_cli_builds_missing_tables_and_prints_report(tmp_path):
    path = build_fixture_db(tmp_path / "jobs.db")
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "report", "--db", str(path)],
        cwd=REPO, capture_output=True, text=True, check=True,
    )
    assert result.stdout.startswith("# AI Engineering Jobs Analysis\n")
    assert f"building the report tables first: {len(report_tables())} missing report tables" in result.stderr


def run_report(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", "report", "--db", str(db), *args],
                          cwd=REPO, capture_output=True, text=True)


@pytest.mark.parametrize(
    "city, period, expected",
    [
        ("paris", "all", "unknown city 'paris' (valid: all, berlin, london, newyork)"),
        ("all", "2026", "unknown period '2026' (valid: all, 2026-01, 2026-02)"),
        ("all", "2025-13", "unknown period '2025-13' (valid: all, 2026-01, 2026-02)"),
        ("Paris", "2026-03", "unknown city 'Paris' (valid: all, berlin, london, newyork); "
                              "unknown period '2026-03' (valid: all, 2026-01, 2026-02)"),
        ("berlin", "2026-02", "city 'berlin' was not crawled in '2026-02' (its periods: all, 2026-01)"),
    ],
)
def test_cli_rejects_an_unknown_scope(tmp_path, city, period, expected):
    path = build_fixture_db(tmp_path / "jobs.db")
    build(path)
    result = run_report(path, "--city", city, "--period", period)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"python -m analysis report: error: {expected}\n"  # one line, no traceback


def test_render_report_refuses_a_scope_without_rows(report_db):
    with sqlite3.connect(report_db) as conn:
        with pytest.raises(ScopeError, match="unknown period '2026'"):
            render_report(conn, period="2026")


def add_march_crawl(path: Path) -> None:
    """A later London crawl that finds one new job."""
    db = open_db(path)
    run_id = start_run(db, "builtin", "london", "AI Engineer", {"city": "london"})
    seen_at = "2026-03-02T06:00:00+00:00"
    content = {"job_id": "9100", "url": "https://builtin.com/job/fixture-100/9100", "title": "GenAI Engineer",
               "company": "Eta", "ai_type": "ai-first", "posted_date": "2026-03-01", "description": "RAG."}
    save_job(db, job_row(content), city="london", run_id=run_id, locations=[], seen_at=seen_at,
             skills=[{"skill": "RAG", "category": "genai", "matched": "RAG", "source": "description"}],
             labels=label_row(content, "rules", "fixture", seen_at))
    finish_run(db, run_id, {"started_at": seen_at, "finished_at": seen_at, "status": "ok"})
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()


def test_cli_rebuilds_tables_a_new_crawl_made_stale(tmp_path):
    path = build_fixture_db(tmp_path / "jobs.db")
    build(path)
    fresh = run_report(path)
    assert fresh.returncode == 0 and fresh.stderr == ""  # up to date: no rebuild
    add_march_crawl(path)
    with sqlite3.connect(path) as conn:
        assert stale_reason(conn).startswith("the crawl data changed since the build at ")
    result = run_report(path, "--city", "london", "--period", "2026-03")
    assert result.returncode == 0, result.stderr
    assert "building the report tables first: the crawl data changed" in result.stderr
    assert "Generated from 1 job descriptions extracted from builtin.com (city London, crawl month March 2026)." \
        in result.stdout
    assert "Generated from 15 job descriptions" in run_report(path).stdout
    with sqlite3.connect(path) as conn:
        assert stale_reason(conn) is None


def test_tables_are_stale_after_a_query_change_or_without_a_build_record(tmp_path):
    path = build_fixture_db(tmp_path / "jobs.db")
    build(path)
    with sqlite3.connect(path) as conn:
        assert stale_reason(conn) is None
        conn.execute(f"UPDATE {BUILD_TABLE} SET queries_version = 'older'")
        conn.commit()
        assert stale_reason(conn).startswith("the report queries changed since the build at ")
        conn.execute(f"DROP TABLE {BUILD_TABLE}")  # tables built before build records existed
        conn.commit()
        assert stale_reason(conn) == "no record of when the report tables were built"


def test_build_drops_tables_of_removed_report_queries(tmp_path):
    path = build_fixture_db(tmp_path / "jobs.db")
    build(path)
    with sqlite3.connect(path) as conn:  # as if reports/old_numbers.sql had been deleted
        conn.execute("CREATE TABLE report_old_numbers AS SELECT 'all' AS city, 'all' AS period, 1 AS jobs")
        conn.execute("CREATE TABLE notes (text)")  # not a report table: left alone
        conn.commit()
    build(path)
    with sqlite3.connect(path) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {name for name in tables if name.startswith("report_")} == {*report_tables(), BUILD_TABLE, METHODS_TABLE}
    assert "notes" in tables


def test_city_names_come_from_the_city_registry():
    from jobcrawler import fieldguide

    registry = {key: city.name for key, city in load_cities().items()}
    assert city_names() == {**registry, fieldguide.CITY: fieldguide.CITY_NAME}  # and the imported jobs' key
    assert city_names()["newyork"] == "New York" and fieldguide.CITY not in registry


def test_cli_reads_the_crawls_default_database(tmp_path):
    """Like the crawl and `jobcrawler.retag`, the commands default to data/jobs.db."""
    missing = subprocess.run([sys.executable, "-m", "analysis", "build"], cwd=tmp_path, capture_output=True,
                             text=True, env={**os.environ, "PYTHONPATH": str(REPO)})  # fmt: skip
    assert missing.returncode == 2
    assert "no database at data/jobs.db" in missing.stderr
    build_fixture_db(tmp_path / "data" / "jobs.db")
    result = subprocess.run([sys.executable, "-m", "analysis", "report"], cwd=tmp_path, capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(REPO)})  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# AI Engineering Jobs Analysis\n")


def test_report_names_the_site_the_runs_crawled(tmp_path):
    path = build_fixture_db(tmp_path / "jobs.db")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE crawl_runs SET site = 'http://127.0.0.1:8765'")
    build(path)
    with sqlite3.connect(path) as conn:
        text = render_report(conn)
    assert "job descriptions extracted from 127.0.0.1:8765." in text
    assert "The crawler searched 127.0.0.1:8765 for jobs containing" in text


def test_each_label_source_has_its_own_rows_in_the_same_tables(tmp_path):
    """A second source (here: every job relabelled ai-support with no skills) is built beside
    rules; rebuilding one source leaves the other's rows as they were, and rebuilding the only
    source built (its tables emptied whole) leaves its rows as the first build made them."""
    path = build_fixture_db(tmp_path / "jobs.db")
    db = open_db(path)
    other = [(str(9000 + n), label_row({"ai_type": "ai-support", "company_stage": "Public"}, "fieldguide", "b1"), [])
             for n in (1, 2, 3)]
    save_labels(db, other)
    db.close()
    build(path)
    with sqlite3.connect(path) as conn:
        first = conn.execute("SELECT * FROM report_top_skills ORDER BY rowid").fetchall()
    build(path)  # rules alone built: emptied whole
    with sqlite3.connect(path) as conn:
        assert first and conn.execute("SELECT * FROM report_top_skills ORDER BY rowid").fetchall() == first
    build(path, "fieldguide")
    build(path)  # again: the fieldguide rows stay
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT labels, ai_type, jobs FROM report_ai_types WHERE city = 'all' AND period = 'all' "
                            "AND jobs > 0 ORDER BY labels, ai_type").fetchall()
        assert ("fieldguide", "ai-support", 3) in rows and ("rules", "ai-first", 7) in rows
        assert not [r for r in rows if r[0] == "fieldguide" and r[1] != "ai-support"]
        assert conn.execute("SELECT labels, count(*) FROM report_top_skills GROUP BY labels").fetchall() == [
            ("rules", conn.execute("SELECT count(*) FROM report_top_skills WHERE labels = 'rules'").fetchone()[0])]
        assert stale_reason(conn, "fieldguide") is None and stale_reason(conn) is None
    text = run_report(path, "--labels", "fieldguide")
    assert text.returncode == 0 and "Generated from 3 job descriptions" in text.stdout
    assert "Labels: `fieldguide`" in text.stdout
    missing = subprocess.run([sys.executable, "-m", "analysis", "build", "--db", str(path), "--labels", "llm:none"],
                             cwd=REPO, capture_output=True, text=True)
    assert missing.returncode == 2
    assert "no job has labels of source 'llm:none'" in missing.stderr and "fieldguide (3 jobs)" in missing.stderr


def test_methods_note_names_every_choice_and_the_report_prints_it(tmp_path):
    from analysis.build import methods

    from analysis.report import METHOD_FIGURES

    entries = methods()
    assert entries and all(set(m) == {"topic", "published", "choice", "why", "figures"} for m in entries)
    assert {m["choice"] for m in entries} == {"published", "ours"}
    assert {m["figures"] for m in entries} - {"none"} == set(METHOD_FIGURES)
    assert len({m["topic"] for m in entries}) == len(entries)
    path = build_fixture_db(tmp_path / "jobs.db")
    build(path)
    text = run_report(path).stdout
    methods_text = text.split("## Methods", 1)[1]
    assert "Title keywords and title words (as published)" in methods_text
    # both figures of the fixture beside a definition: the published words and ours
    assert "Here: frontend 2 (ours 2) of 7 AI-first jobs; backend 1 (ours 3) of 7 AI-first jobs" in methods_text
    assert "Here: 42.9% of AI-first jobs mention fine-tuning, 28.6% have it as a duty." in methods_text
    # the rule tagger's document says nothing that only the published labels make true
    for claim in ("reproduces 3.2%", "come out exactly", "on the published labels", "published 118"):
        assert claim not in methods_text, claim


def test_label_agreement_between_sources(tmp_path):
    """How far to trust these labels: on the jobs two sources both labelled, how often they say the same.
    The published labels of three fixture jobs, counted by hand against the fixture's rule labels."""
    path = build_fixture_db(tmp_path / "jobs.db")
    db = open_db(path)
    published = {"9001": ("ai-first", "Seed"), "9002": ("ai-support", "Public"), "9005": ("ai-support", "Public")}
    save_labels(db, [(job_id, label_row({"ai_type": ai_type, "company_stage": stage}, "fieldguide", "b1"), [])
                     for job_id, (ai_type, stage) in published.items()])
    db.close()
    build(path)
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT other_labels, field, jobs, agreeing_jobs, pct FROM report_label_agreement "
                            "WHERE labels = 'rules' AND city = 'all' AND period = 'all' ORDER BY rowid").fetchall()
        text = render_report(conn)
    assert rows == [
        ("fieldguide", "ai_type", 3, 2, 66.7),  # 9002: ai-first here, ai-support there
        ("fieldguide", "company_stage", 3, 2, 66.7),  # 9002: Seed / Public
        ("fieldguide", "is_customer_facing", 3, 2, 66.7),  # 9001 is customer-facing here only
        ("fieldguide", "is_management", 3, 2, 66.7),  # 9002 is management here only
        ("fieldguide", "is_research", 3, 3, 100.0),
        ("fieldguide", "is_entry_level", 3, 3, 100.0),
        ("fieldguide", "fine_tuning", 3, 1, 33.3),  # 9001 primary, 9002 secondary here; none there
        ("fieldguide", "support_category", 1, 0, 0.0),  # 9005, the one both call AI-support
    ]
    trust = text.split("## How far to trust these labels", 1)[1].split("\n## ", 1)[0]
    assert "On these jobs, `rules` and `fieldguide` give the same:\n\n- AI type 66.7% of 3 jobs" in trust
    assert "Agreement with a careful reading of 387 postings of the published analysis held out" in trust  # label_agreement.yaml
    assert "postings the rules were tuned on they score higher" in trust
    assert "## Errata" not in text  # the published document's errata belong to its own labels


def _ctrl_c(*args):
    os.kill(os.getpid(), signal.SIGINT)  # as the terminal sends it


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the interrupted SQL function
@pytest.mark.parametrize("where", [
    "currency_in_text",  # an SQL function of the build: SQLite says "user-defined function raised exception"
    "_write_methods",  # Python between the build's statements
])
def test_ctrl_c_during_a_build_is_one_line_and_leaves_the_tables_as_they_were(tmp_path, monkeypatch, capsys, where):
    from analysis import build as build_module
    from analysis.__main__ import main as analysis_main

    path = build_fixture_db(tmp_path / "jobs.db")
    with sqlite3.connect(path) as conn:  # pay without a currency: the build reads it off the text
        conn.execute("UPDATE jobs SET salary_min = 90000, salary_max = 120000, salary_currency = NULL, "
                     "salary_period = 'year', description = 'Pays £90,000 - £120,000.' "
                     "WHERE job_id = (SELECT min(job_id) FROM jobs)")
    build(path)
    before = _report_rows(path)
    add_march_crawl(path)  # stale: the next build changes rows
    monkeypatch.setattr(build_module, where, _ctrl_c)
    with pytest.raises(SystemExit) as stopped:
        analysis_main(["build", "--db", str(path)])
    assert stopped.value.code == 130
    assert capsys.readouterr().err == (f"python -m analysis build: interrupted: the report tables in {path} are as "
                                       "they were; run it again to build them\n")
    assert _report_rows(path) == before
    monkeypatch.undo()
    analysis_main(["build", "--db", str(path)])
    assert _report_rows(path) != before


def _report_rows(path: Path) -> dict:
    with sqlite3.connect(path) as conn:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall() for table in report_tables()}


def test_ctrl_c_after_the_build_committed_says_the_tables_are_built(tmp_path, monkeypatch, capsys):
    """The tables are not "as they were" once the build's transaction committed."""
    from analysis import build as build_module
    from analysis.__main__ import main as analysis_main

    path = build_fixture_db(tmp_path / "jobs.db")
    built = build_module.build

    def build_then_ctrl_c(db, labels):
        built(db, labels)
        _ctrl_c()

    monkeypatch.setattr(build_module, "main", build_then_ctrl_c)
    with pytest.raises(SystemExit) as stopped:
        analysis_main(["build", "--db", str(path)])
    assert stopped.value.code == 130
    assert capsys.readouterr().err == f"python -m analysis build: interrupted: the report tables in {path} are built " \
                                      "and current\n"


def test_a_build_where_ctrl_c_is_ignored_keeps_ignoring_it(tmp_path, monkeypatch):
    """Started with ``&`` by a non-interactive shell, SIGINT is ignored: the build must not be the
    one thing it stops."""
    from analysis import build as build_module
    from analysis.__main__ import main as analysis_main

    path = build_fixture_db(tmp_path / "jobs.db")
    built = build_module.build
    monkeypatch.setattr(build_module, "main", lambda db, labels: (_ctrl_c(), built(db, labels)))
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        analysis_main(["build", "--db", str(path)])
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
    with sqlite3.connect(path) as conn:
        assert build_module.stale_reason(conn) is None


def test_a_report_of_a_label_source_the_database_lacks_is_one_line_and_builds_nothing(tmp_path):
    """It said "building the report tables first" before the error, and beside a site that the
    tables of 'nosuch' were out of date."""
    path = build_fixture_db(tmp_path / "jobs.db")
    build(path)
    before = path.read_bytes()
    result = run_report(path, "--labels", "nosuch")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (f"python -m analysis report: error: no job has labels of source 'nosuch'; label sources in "
                             f"{path}: rules (14 jobs)\n")
    assert path.read_bytes() == before


def build_by_cli(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", "build", "--db", str(path)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)


def changed_copies(tmp_path: Path, bad: str, as_no_data: str) -> tuple[Path, Path]:
    """Two fixture databases with pay: one changed by the SQL ``bad``, the other by ``as_no_data``
    (what the build should read the bad data as)."""
    from tests.helpers import with_pay

    paths = []
    for name, sql in (("bad", bad), ("as_no_data", as_no_data)):
        path = with_pay(build_fixture_db(tmp_path / f"{name}.db"))
        with sqlite3.connect(path) as conn:
            assert conn.execute(sql).rowcount
        paths.append(path)
    return paths[0], paths[1]


def test_a_pay_bound_stored_as_text_is_no_bound_counted_in_the_build_line(tmp_path):
    """'100k' (a hand-edited database; the crawl writes numbers): job 9005's pay reads its upper
    bound (its currency looked up in its text, as where the lower bound is NULL), job 9003's none."""
    bad, as_no_data = changed_copies(
        tmp_path, "UPDATE jobs SET salary_min = CAST(salary_min / 1000 AS INTEGER) || 'k' WHERE job_id IN ('9003', '9005')",
        "UPDATE jobs SET salary_min = NULL WHERE job_id IN ('9003', '9005')")
    result = build_by_cli(bad)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].endswith("; left out 2 pay bounds that are no number")
    assert "Traceback" not in result.stderr
    build(as_no_data)
    assert _report_rows(bad) == _report_rows(as_no_data)
    with sqlite3.connect(bad) as conn:  # USD: 9001 and 9002 (9003 has no pay left); not stated: 9005's 100,000
        assert conn.execute("SELECT currency, jobs, median FROM report_pay WHERE city = 'all' AND period = 'all' "
                            "AND group_by = 'all' AND currency IN ('USD', 'not stated')").fetchall() == [
            ("USD", 2, 122400), ("not stated", 1, 100000)]


def test_a_sighting_without_a_city_is_left_out_counted_in_the_build_line(tmp_path):
    """A NULL city (a hand-edited or merged database) has no cell: the job counts where its other
    listings put it, as if the sighting were not there."""
    first = "(SELECT min(rowid) FROM sightings)"
    bad, as_no_data = changed_copies(tmp_path, f"UPDATE sightings SET city = NULL WHERE rowid = {first}",
                                     f"DELETE FROM sightings WHERE rowid = {first}")
    result = build_by_cli(bad)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].endswith("; left out 1 city listing without a city")
    assert "Traceback" not in result.stderr
    build(as_no_data)
    assert _report_rows(bad) == _report_rows(as_no_data)
    result = build_by_cli(as_no_data)
    assert "left out" not in result.stdout


def build_crawl_history_db(path: Path) -> Path:
    """Five jobs whose crawl history report_overview must read as recorded: run 1 (london, query
    "Zeta") has no start, so its sightings date it; run 2 (london, "Alpha", no site: the default) and
    run 3 (berlin, "Mid") have one, so the queries' run order is not their alphabetical order; job
    9104 is seen in no run (the earliest sighting); three jobs have no posted date."""
    db = open_db(path)
    runs = [("london", "Zeta", "https://z.example", None),
            ("london", "Alpha", None, "2026-02-03T06:00:00+00:00"),
            ("berlin", "Mid", "https://m.example", "2026-01-10T06:00:00+00:00")]
    for run_id, (city, query, site, started_at) in enumerate(runs, start=1):
        assert start_run(db, "builtin", city, query, {"city": city}, site=site) == run_id
        finish_run(db, run_id, {"started_at": started_at, "finished_at": started_at, "status": "ok"})
    jobs = [  # job id, company, posted date, skills, sightings as (run, city, seen at)
        ("9101", "Acme", "2026-01-02", ["RAG"], [(1, "london", "2026-01-06T08:00:00+00:00"),
                                                (2, "london", "2026-02-03T06:00:00+00:00")]),
        ("9102", "Beta", None, [], [(1, "london", "2026-01-20T08:00:00+00:00")]),
        ("9103", "Acme", None, [], [(3, "berlin", "2026-01-10T06:00:00+00:00")]),
        ("9104", "Gamma", None, [], [(None, "berlin", "2026-01-04T08:00:00+00:00")]),
        ("9105", "Beta", "2025-12-30", ["agents"], [(2, "london", "2026-02-03T06:00:00+00:00")]),
    ]
    for job_id, company, posted, skills, ((run_id, city, seen_at), *later) in jobs:
        content = {"job_id": job_id, "url": f"https://builtin.com/job/history/{job_id}", "title": "AI Engineer",
                   "company": company, "ai_type": "ai-first", "company_stage": "Seed", "posted_date": posted,
                   "description": f"AI Engineer at {company}."}
        names = [{"skill": skill, "category": "genai", "matched": skill, "source": "description"} for skill in skills]
        save_job(db, job_row(content), city=city, run_id=run_id, locations=[], skills=names, seen_at=seen_at,
                 labels=label_row(content, "rules", "fixture", seen_at))
        for run_id, city, seen_at in later:
            record_sighting(db, job_id, city, run_id, seen_at)
    with db.conn:  # the crawl records no sighting without a run (9104's listing); a merged database can hold one
        db.conn.execute("INSERT INTO sightings (run_id, job_id, city, seen_at) "
                        "VALUES (NULL, '9104', 'berlin', '2026-01-04T08:00:00+00:00')")
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


def test_overview_reads_the_crawl_history_as_recorded(tmp_path):
    """report_overview on build_crawl_history_db, counted by hand. Queries and sites are listed in
    run order (the sightings of no run first), whatever the order of the runs with a start; a
    run without a start counts from its sightings' dates; the main posted month is that of the
    most jobs with a posted date (ties: the later month), however many jobs have none."""
    path = build_crawl_history_db(tmp_path / "jobs.db")
    build(path)
    z, m, default = "https://z.example", "https://m.example", "https://builtin.com"
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT city, period, jobs, companies, cities, queries, sites, crawl_runs, first_crawl, "
                            "last_crawl, first_posted, last_posted, main_posted_month, main_posted_month_pct, "
                            "rag_or_agents_jobs, rag_or_agents_pct FROM report_overview ORDER BY rowid").fetchall()
    assert rows == [
        ("all", "all", 5, 3, "berlin, london", "Zeta,Alpha,Mid", f"{default},{z},{m}", 3,
         "2026-01-04", "2026-02-03", "2025-12-30", "2026-01-02", "2026-01", 20.0, 2, 40.0),
        ("all", "2026-01", 4, 3, "berlin, london", "Zeta,Mid", f"{default},{z},{m}", 2,
         "2026-01-04", "2026-01-20", "2026-01-02", "2026-01-02", "2026-01", 25.0, 1, 25.0),
        ("all", "2026-02", 2, 2, "london", "Alpha", default, 1,
         "2026-02-03", "2026-02-03", "2025-12-30", "2026-01-02", "2026-01", 50.0, 2, 100.0),
        ("berlin", "all", 2, 2, "berlin", "Mid", f"{default},{m}", 1,
         "2026-01-04", "2026-01-10", None, None, None, None, 0, 0.0),
        ("berlin", "2026-01", 2, 2, "berlin", "Mid", f"{default},{m}", 1,
         "2026-01-04", "2026-01-10", None, None, None, None, 0, 0.0),
        ("london", "all", 3, 2, "london", "Zeta,Alpha", f"{z},{default}", 2,
         "2026-01-06", "2026-02-03", "2025-12-30", "2026-01-02", "2026-01", 33.3, 2, 66.7),
        ("london", "2026-01", 2, 2, "london", "Zeta", z, 1,
         "2026-01-06", "2026-01-20", "2026-01-02", "2026-01-02", "2026-01", 50.0, 1, 50.0),
        ("london", "2026-02", 2, 2, "london", "Alpha", default, 1,
         "2026-02-03", "2026-02-03", "2025-12-30", "2026-01-02", "2026-01", 50.0, 2, 100.0),
    ]


def test_reports_adding_up_group_counts_count_every_job_of_a_group(report_db, tmp_path):
    """The reports that add up group_base_counts' and group_profile_counts' per-group counts, on the
    fixture with each job there three times: every scope group then holds several research,
    entry-level, customer-facing, ... jobs, so a per-group count of the flag's jobs (a sum, not a
    largest value or a count of groups) is told apart. Every *jobs column is three times the
    fixture's (EXPECTED: counted by hand), every other column (names, shares, ranks) the same."""
    readers = sorted(table for table, query in report_queries().items()
                     if "group_base_counts" in query or "group_profile_counts" in query)
    assert {"report_research_vs_applied", "report_roles", "report_entry_level", "report_beyond_genai"} <= set(readers)
    tripled = build_fixture_db(tmp_path / "jobs.db", copies=3)
    build(tripled)
    for table in readers:
        counted = []
        for path in (report_db, tripled):
            with sqlite3.connect(path) as conn:
                cursor = conn.execute(f"SELECT * FROM {table} ORDER BY rowid")
                counted.append(([column for column, *_ in cursor.description], cursor.fetchall()))
        (columns, once), (_, thrice) = counted
        counts = [at for at, column in enumerate(columns) if column.endswith("jobs")]
        assert counts and any(row[at] for row in once for at in counts), table  # jobs to count: the test can fail
        assert thrice == [tuple(3 * value if at in counts and value is not None else value for at, value in enumerate(row))
                          for row in once], table


def test_a_list_named_by_a_number_and_by_text_is_one_list(tmp_path):
    """A source's skill lists as an array (list keys 0, 1, ...) beside an object keyed "0": the names
    of both are the one skill of list "0" (as SQLite stores the category), listed once."""
    import json

    path = build_fixture_db(tmp_path / "jobs.db")
    with sqlite3.connect(path) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(job_labels)")]
        copied = ", ".join("?" if column in ("labels", "skill_lists") else column for column in columns)
        jobs = [job for (job,) in conn.execute("SELECT job_id FROM job_labels WHERE labels = 'rules' ORDER BY job_id")]
        for job, lists in zip(jobs, [[["RAG"]], {"0": ["RAG"]}, {"0": ["RAG"], "genai": ["RAG"]}]):
            conn.execute(f"INSERT INTO job_labels ({', '.join(columns)}) SELECT {copied} FROM job_labels "
                         "WHERE job_id = ? AND labels = 'rules'", ("listed", json.dumps(lists), job))
    build(path, "listed")
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT category, rank, skill FROM report_top_skills WHERE labels = 'listed' "
                            "AND city = 'all' AND period = 'all' AND category = '0'").fetchall()
    assert rows == [("0", 1, "RAG")]


def test_a_rebuild_empties_a_table_whole_only_where_its_rows_are_all_of_that_source(tmp_path):
    """Whether a table holds another source's rows is read off the table, not the build record: a
    record without the other source (edited by hand) must not cost that source its rows."""
    path = build_fixture_db(tmp_path / "jobs.db")
    db = open_db(path)
    save_labels(db, [(str(9000 + n), label_row({"ai_type": "ai-support"}, "fieldguide", "b1"), []) for n in (1, 2, 3)])
    db.close()
    build(path)
    build(path, "fieldguide")
    with sqlite3.connect(path) as conn:
        conn.execute(f"DELETE FROM {BUILD_TABLE} WHERE labels = 'fieldguide'")
        kept = conn.execute("SELECT * FROM report_ai_types WHERE labels = 'fieldguide' ORDER BY rowid").fetchall()
    build(path)
    with sqlite3.connect(path) as conn:
        assert kept and conn.execute("SELECT * FROM report_ai_types WHERE labels = 'fieldguide' ORDER BY rowid").fetchall() == kept
