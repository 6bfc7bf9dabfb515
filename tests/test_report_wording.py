"""Every sentence of the report follows its numbers.

Two layers: the wording helpers (analysis/wording.py) table by table, and whole documents
generated from small databases built so that each wording mistake seen in real reports would
appear again - a tie called a lead, 'most' for a minority, 'only 0.0%', a fixed claim against
its own table, a finding the data reverses dropped or kept, a small group without its n.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from analysis.build import build
from analysis.report import Scope, ScopeError, cloud_platforms, posted_months, render_report
from analysis.wording import compare, frequency, leaders, pronoun, quantifier, ranking, small_group, too_few, versus
from jobcrawler.storage import finish_run, job_row, label_row, open_db, save_job, start_run
from jobcrawler.tagging import TAXONOMY_PATH
from tests.helpers import REPO, build_fixture_db


# ----------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    "share, word",
    [(None, "no"), (0, "no"), (0.5, "few"), (9.9, "few"), (10, "some"), (24.9, "some"), (25, "many"),
     (49.9, "many"), (50, "half of"), (50.1, "most"), (89.9, "most"), (90, "nearly all"), (99.9, "nearly all"),
     (100, "all")],
)
def test_quantifier_says_most_only_above_half(share, word):
    assert quantifier(share) == word


@pytest.mark.parametrize(
    "share, word",
    [(0, "absent"), (3.7, "rare"), (9.9, "rare"), (10, "uncommon"), (22, "uncommon"), (25, "common"),
     (47, "common"), (50, "common"), (64, "widespread"), (100, "universal")],
)
def test_frequency_defines_common(share, word):
    assert frequency(share) == word


@pytest.mark.parametrize("share, word", [(0, "none"), (5, "few"), (50, "half"), (75, "most"), (100, "all")])
def test_pronoun(share, word):
    assert pronoun(share) == word


@pytest.mark.parametrize(
    "first, second, expected",
    [
        (("LangGraph", 21.7), ("LlamaIndex", 21.7), "LangGraph and LlamaIndex tie (21.7% each)"),
        (("A", 24.0), ("B", 21.7), "A leads (24.0%), ahead of B (21.7%)"),
        (("B", 21.7), ("A", 24.0), "A leads (24.0%), ahead of B (21.7%)"),  # argument order does not matter
        (("A", 40.0), ("B", 20.0), "A dominates (40.0%), ahead of B (20.0%)"),
        (("A", 39.9), ("B", 20.0), "A leads (39.9%), ahead of B (20.0%)"),
        (("A", 5.0), ("B", 0.0), "A dominates (5.0%), ahead of B (0.0%)"),
    ],
)
def test_compare(first, second, expected):
    assert compare(first, second) == expected


@pytest.mark.parametrize(
    "first, second, expected",
    [
        (("PyTorch", 165), ("TensorFlow", 93), "PyTorch is named more often than TensorFlow (165 vs 93 jobs, 1.8x)"),
        (("PyTorch", 1), ("TensorFlow", 3), "TensorFlow is named more often than PyTorch (3 vs 1 jobs, 3.0x)"),
        (("PyTorch", 4), ("TensorFlow", 4), "PyTorch and TensorFlow tie (4 jobs each)"),
        (("PyTorch", 14), ("TensorFlow", 0), "PyTorch is named in 14 jobs, TensorFlow in none"),
        (("PyTorch", 0), ("TensorFlow", 0), "neither PyTorch nor TensorFlow is named"),
    ],
)
def test_versus(first, second, expected):
    assert versus(first, second) == expected


@pytest.mark.parametrize(
    "items, expected",
    [
        ([("AWS", 202), ("GCP", 153), ("Azure", 153)], "AWS (202) > GCP (153) = Azure (153)"),
        ([("GCP", 1), ("AWS", 3)], "AWS (3) > GCP (1)"),  # ordered by the numbers, not the input
        ([("AWS", 2), ("GCP", 2)], "AWS (2) = GCP (2)"),
        ([], ""),
    ],
)
def test_ranking(items, expected):
    assert ranking(items, str) == expected


@pytest.mark.parametrize(
    "items, expected",
    [([("a", 3), ("b", 3), ("c", 1)], ["a", "b"]), ([("a", 1), ("b", 3)], ["b"]), ([("a", 0)], []), ([], [])],
)
def test_leaders(items, expected):
    assert leaders(items) == expected


@pytest.mark.parametrize(
    "count, caution, note",
    [(0, "", ""), (1, " (only 1 job: too few to generalize from)", " - too few to generalize from"),
     (19, " (only 19 jobs: too few to generalize from)", " - too few to generalize from"),
     (20, "", ""), (None, "", "")],
)
def test_small_groups_carry_their_n(count, caution, note):
    assert small_group(count) == caution
    assert too_few(count) == note


def test_cloud_platforms_leave_out_vendor_products():
    assert cloud_platforms() == {"AWS", "Azure", "GCP"}


# ----------------------------------------------------------------------------- documents


@lru_cache(maxsize=1)
def categories() -> dict[str, str]:
    return {entry["skill"]: entry["category"] for entry in yaml.safe_load(TAXONOMY_PATH.read_text())["skills"]}


def jobs_like(count: int, ai_type: str | None, skills=(), **tags) -> list[dict]:
    return [{"ai_type": ai_type, "skills": list(skills), **tags} for _ in range(count)]


def report_for(tmp_path: Path, specs: list[dict], started_at: str = "2026-01-05T06:00:00+00:00", run: bool = True,
               imported: str | None = None) -> str:
    """A database holding ``specs`` (one crawl run in London unless ``run`` is False; with
    ``imported``, the import of that Field Guide batch instead), its report tables built, and the
    document."""
    path = tmp_path / "jobs.db"
    db = open_db(path)
    run_id = None
    city = "fieldguide" if imported else "london"
    if imported:
        run_id = start_run(db, "fieldguide", "", "AI Engineer", {"batch": imported, "dataset": "fieldguide"})
        finish_run(db, run_id, {"started_at": started_at, "finished_at": started_at, "status": "ok"})
    elif run:
        run_id = start_run(db, "builtin", "london", "AI Engineer", {"city": "london"})
        finish_run(db, run_id, {"started_at": started_at, "finished_at": started_at, "status": "ok"})
    for number, spec in enumerate(specs, 1):
        spec = dict(spec)
        skills = [{"skill": s, "category": categories()[s], "matched": s, "source": "description"} for s in spec.pop("skills")]
        content = {
            "job_id": str(number),
            "url": f"https://builtin.com/job/wording-{number}/{number}",
            "title": f"Role N{number}x",  # distinct titles unless a spec names one
            "company": f"Company {number % 7}",
            "posted_date": "2026-01-02",
            "description": "A posting.",
            **spec,
        }
        save_job(db, job_row(content), city=city, run_id=run_id, locations=[], skills=skills, seen_at=started_at,
                 labels=label_row(content, "rules", "wording", started_at))
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    build(path)
    with sqlite3.connect(path) as conn:
        return render_report(conn)


def line_with(text: str, start: str) -> str:
    found = [line for line in text.splitlines() if line.startswith(start) or line.lstrip("0123456789. ").startswith(start)]
    assert found, f"no line starting {start!r}"
    return found[0]


def test_a_tie_is_called_a_tie(tmp_path):
    text = report_for(tmp_path, [
        *jobs_like(3, "ai-first", ["RAG", "LangGraph"]),
        *jobs_like(3, "ai-first", ["RAG", "LlamaIndex"]),
        *jobs_like(4, "ai-first", ["agents"]),
        *jobs_like(4, "ai-first", ["RAG"]),
    ])
    insight = line_with(text, "Key Insight: LangGraph")
    assert insight.startswith("Key Insight: LangGraph and LlamaIndex tie (21.4% of jobs each).")
    assert "dominates" not in insight and "leads" not in insight


def test_tied_skills_and_clouds_rank_as_equals(tmp_path):
    text = report_for(tmp_path, [
        *jobs_like(3, "ai-first", ["RAG", "AWS", "SageMaker"]),
        *jobs_like(3, "ai-first", ["agents", "GCP"]),
        *jobs_like(1, "ai-support", ["Azure"]),
        *jobs_like(3, "ai-support", ["SageMaker"]),
    ])
    assert "- RAG and agents tie as the most common GenAI skills (30.0% of roles each)" in text
    assert "- AWS (3 jobs) = GCP (3 jobs) > Azure (1 job)" in text  # SageMaker (6) is an AWS product


def test_zero_pure_genai_and_rare_ops_are_not_called_common(tmp_path):
    text = report_for(tmp_path, [
        *jobs_like(1, "ai-first", ["RAG", "AWS", "Docker"]),
        *jobs_like(29, "ai-first", ["RAG", "AWS"]),
    ])
    bottom = line_with(text, "Bottom Line: AI Engineers are engineers who specialize in AI.")
    assert "No AI-First role here expects pure GenAI work." in bottom
    assert "All (100.0%) need skills beyond GenAI" in bottom
    assert "Only 0.0%" not in text
    assert "none (0.0%) ask for both frontend and backend skills" in bottom
    assert "few ask for ops skills beside GenAI (3.3%)" in bottom
    assert "containerization" not in text and "Most need" not in text
    assert "Ops - Docker (3.3%) - Docker leads, named by few AI-First roles" in text


@pytest.mark.parametrize("both_sides, claimed", [(11, True), (10, False)])
def test_full_stack_is_claimed_only_for_a_majority(tmp_path, both_sides, claimed):
    text = report_for(tmp_path, [
        *jobs_like(both_sides, "ai-first", ["RAG", "React", "FastAPI"], is_frontend=True, is_backend=True, is_fullstack=True),
        *jobs_like(20 - both_sides, "ai-first", ["RAG", "Python"]),
    ])
    bottom = line_with(text, "Bottom Line: ")
    assert ("AI Engineers are full-stack engineers who specialize in AI." in text) is claimed
    share = f"{100 * both_sides / 20:.1f}%"
    assert f"{'most' if claimed else 'half'} ({share}) ask for both frontend and backend skills" in text, bottom


def test_a_minority_is_never_most(tmp_path):
    text = report_for(tmp_path, [
        *jobs_like(4, "ai-first", ["RAG", "PyTorch", "Python"]),
        *jobs_like(6, "ai-first", ["RAG"]),
    ] * 2)
    assert "1. Many AI-First roles need basic ML knowledge - 40% require some ML skills" in text
    assert "Python leads, named by many AI-First roles" in text
    assert not re.search(r"\bMost AI-First roles need basic ML", text)
    # RAG or agents in every job: the closing claim holds.
    assert "If you learn these two patterns deeply, you can handle most AI Engineering use cases." in text


def test_half_is_half(tmp_path):
    text = report_for(tmp_path, [*jobs_like(10, "ai-first", ["RAG", "PyTorch"]), *jobs_like(10, "ai-first", ["agents"])])
    assert "1. Half of AI-First roles need basic ML knowledge - 50% require some ML skills" in text


def test_a_reversed_finding_reads_reversed(tmp_path):
    text = report_for(tmp_path, [
        *jobs_like(3, "ai-first", ["RAG", "TensorFlow"]),
        *jobs_like(1, "ai-first", ["RAG", "PyTorch"]),
        *jobs_like(16, "ai-first", ["RAG"]),
    ])
    assert "3. TensorFlow dominates - 3.0x more common than PyTorch in AI-First roles (3 vs 1 jobs)" in text


def test_the_framework_finding_is_never_dropped(tmp_path):
    text = report_for(tmp_path, jobs_like(20, "ai-first", ["RAG"]))
    assert "PyTorch vs TensorFlow in AI-First roles - neither PyTorch nor TensorFlow is named" in text


@pytest.mark.parametrize(
    "general_jobs, finding, bottom, absent",
    [
        (5, "Deep ML knowledge is common - 25%", "and many of these roles (25%) also ask for general ML expertise",
         "rarely deep ML expertise"),
        (1, "Deep ML knowledge is rare - 5%", "but rarely deep ML expertise", "also ask for general ML expertise"),
    ],
)
def test_the_deep_ml_bottom_line_follows_the_share(tmp_path, general_jobs, finding, bottom, absent):
    text = report_for(tmp_path, [
        *jobs_like(general_jobs, "ai-first", ["RAG", "machine learning", "embeddings"]),
        *jobs_like(20 - general_jobs, "ai-first", ["RAG", "embeddings"]),
    ])
    assert finding in text
    assert bottom in line_with(text, "Bottom Line: AI-First roles ask for practical ML knowledge")
    assert absent not in text
    assert "PyTorch basics" not in text  # the practical skills are the ones these jobs name
    assert "(most often embeddings and machine learning)" in text


def test_fine_tuning_words_follow_the_depths(tmp_path):
    text = report_for(tmp_path, [
        *jobs_like(1, "ai-first", ["RAG"], fine_tuning="primary", fine_tuning_use_cases=["domain knowledge"]),
        *jobs_like(1, "ai-first", ["RAG"], fine_tuning="primary", fine_tuning_use_cases=["instruction following"]),
        *jobs_like(7, "ai-first", ["RAG"], fine_tuning="none"),
    ])
    assert "2. Primary FT roles are uncommon - 22% focus on fine-tuning as main responsibility" in text
    assert "1. Most AI-First roles don't fine-tune - only 22% have any FT expectation" in text
    assert "3. Most common FT use case - Domain knowledge and Instruction following (tie)" in text
    assert "Primary FT roles are common" not in text
    assert "FT is a specialization" in text and "Fine-tuning is optional for most AI-First roles." in text


def test_fine_tuning_as_the_norm_is_not_called_optional(tmp_path):
    text = report_for(tmp_path, [
        *jobs_like(12, "ai-first", ["RAG"], fine_tuning="secondary"),
        *jobs_like(8, "ai-first", ["RAG"], fine_tuning="none"),
    ])
    assert "1. Most AI-First roles have an FT expectation - 60%" in text
    assert "4. FT is a core AI Engineer skill here - most roles expect it" in text
    assert "optional" not in line_with(text, "Bottom Line: Fine-tuning")


def test_small_groups_carry_their_n_and_a_caution(tmp_path):
    text = report_for(tmp_path, [
        *jobs_like(20, "ai-first", ["RAG", "Python"]),
        *jobs_like(3, "ai-support", ["Kubernetes"], support_category="platform/infrastructure", is_entry_level=True),
        *jobs_like(5, "ml", ["PyTorch"]),
        *jobs_like(2, "ai-first", ["RAG"], title="AI Platform Engineer"),
    ])
    assert "### AI-Support: 3 jobs (10.0%)\n\nCaution: only 3 jobs, too few to generalize from." in text
    assert "### AI-First: 22 jobs (73.3%)\n\n" in text and "### AI-First: 22 jobs (73.3%)\n\nCaution" not in text
    assert "Only 5 ML roles: too few to generalize from." in text
    assert "3 jobs (10.0%) classified as AI-Support - too few to generalize from" in text
    assert "of AI-Support roles require SOME GenAI knowledge (only 3 jobs: too few to generalize from)" in text
    assert "Caution: AI-Support roles: only 3 jobs, too few to generalize from;" in text
    assert "- Platform - 2 jobs, 100.0% work on AI - too few to generalize from" in text
    assert 'Too few jobs to tell: "Platform" (2 jobs).' in text


def test_a_title_too_small_to_be_strong_is_not_called_strong(tmp_path):
    text = report_for(tmp_path, [
        *jobs_like(2, "ai-first", ["RAG"], title="AI Engineer"),
        *jobs_like(20, "ai-support", ["Kubernetes"]),
    ])
    assert "Strongly AI-First titles (75%+ classified as AI-First, 3+ jobs):\n\n- none in this scope" in text
    insight = line_with(text, 'Key Insight: "AI Engineer"')
    assert insight.startswith('Key Insight: "AI Engineer" is the most common title (100% are AI-First: 2 jobs, 2 AI-First, '
                              '0 AI-Support, 0 ML).')
    assert "Titles with fewer than 3 jobs are too few to call strongly of one type." in insight
    assert "100% AI-First" not in text


def test_entry_level_answer_follows_the_shares(tmp_path):
    lower = report_for(tmp_path, [
        *jobs_like(5, "ai-first", ["RAG"], is_entry_level=True),
        *jobs_like(15, "ai-first", ["RAG", "Kubernetes"]),
        *jobs_like(20, "ai-support", ["React"]),
    ])
    assert lower.count("Not more than AI-First: a smaller share of AI-Support roles") == 1
    assert "AI-Support roles name React (100.0% vs 0.0%) more often than AI-First roles do" in lower
    assert "Kubernetes" not in line_with(lower, "AI-Support roles name")


def test_entry_level_tie(tmp_path):
    text = report_for(tmp_path / "tie", [*jobs_like(20, "ai-first", ["RAG"]), *jobs_like(20, "ai-support", ["Docker"])])
    assert "No more than AI-First: the same share of AI-Support and AI-First roles is entry level." in text
    assert "Entry-level roles are absent in both groups" in text


def test_a_scope_without_ai_first_roles_reports_no_ai_first_findings(tmp_path):
    text = report_for(tmp_path, jobs_like(20, "ai-support", ["Kubernetes", "RAG"]))
    for heading in ("## How Much ML Do AI Engineers Need to Know?", "## What Else (Besides GenAI) Do AI Engineers Need?",
                    "## Fine-Tuning Requirements"):
        assert f"{heading}\n\nNo AI-First role in this scope: nothing to measure.\n" in text
    assert "Cannot tell: this scope has no AI-First roles." in text
    assert "require some ML skills" not in text and "Fine-tuning is optional" not in text
    assert "### AI-First: 0 jobs (0.0%)\n\nWorking ON" in text  # no caution for an empty group: it is "none"


def test_no_invented_quotes(tmp_path):
    text = report_for(tmp_path, [*jobs_like(20, "ai-first", ["RAG"]), *jobs_like(20, "ai-support", ["Docker"])])
    for fixed in ("Example comparison", '"Build RAG system', '"Fine-tune Llama 3', "rebranded"):
        assert fixed not in text
    assert "Example responsibilities: none recorded by this label source." in text
    assert "AI-First Engineer: none recorded by this label source." in text


def test_example_responsibilities_quote_the_labels(tmp_path):
    text = report_for(tmp_path, [
        *jobs_like(2, "ai-first", ["RAG"], title="AI Engineer", responsibilities=["Ship the retrieval service", "Other"]),
        *jobs_like(1, "ai-first", ["RAG"], title="Applied AI Engineer", responsibilities=["Tune prompts"]),
        *jobs_like(1, "ai-support", ["Docker"], responsibilities=["Run the GPU cluster"]),
    ])
    first = text.split("### AI-First")[1].split("Most common position titles")[0]
    assert ('Example responsibilities (the first duty of postings with the type\'s most common title):\n\n'
            '- "Ship the retrieval service"\n- "Tune prompts"\n\n') in first  # a duty two postings share: once
    assert 'AI-Support Engineer (the first duty of postings with the type\'s most common title):\n\n- "Run the GPU cluster"' in text


def test_rag_and_agents_below_half_are_not_most_use_cases(tmp_path):
    text = report_for(tmp_path, [
        *jobs_like(4, "ai-first", ["RAG", "LLMs", "prompt engineering"]),
        *jobs_like(16, "ai-first", ["LLMs", "prompt engineering"]),
    ])
    assert "Key Insight: RAG or Agents appear in 20.0% of jobs" in text
    assert "you can handle most AI Engineering use cases" not in text
    assert "Together they cover some of these jobs, not most" in text
    assert "The two patterns, though not the two most named GenAI skills here (RAG rank 3, 20.0% of jobs; agents not named), are:" in text


def test_header_dates_come_from_the_runs(tmp_path):
    text = report_for(tmp_path, [*jobs_like(10, "ai-first", ["RAG"]), *jobs_like(10, "ai-first", ["RAG"], posted_date="2026-02-01")])
    assert "in 1 crawl run on 2026-01-05." in text
    assert "between 2026-01-05 and 2026-01-05" not in text
    assert "published between 2026-01-02 and 2026-02-01; equally many (50.0% each) in January 2026 and February 2026." in text
    assert "most of them" not in text


def test_the_busiest_posting_month_is_counted_over_the_scope_like_the_report_tables(tmp_path):
    """posted_months reads the jobs of a (city, period) cell as reports/_scope.sql does: its top
    month matches report_overview's in every cell of a database with overlapping cells."""
    path = build_fixture_db(tmp_path / "jobs.db")
    build(path)
    with sqlite3.connect(path) as conn:
        cells = conn.execute("SELECT city, period, jobs, main_posted_month, main_posted_month_pct FROM report_overview")
        for city, period, count, month, share in cells.fetchall():
            months = dict(posted_months(Scope(conn, city, period)))
            assert sum(months.values()) == count, (city, period)
            assert months[month] == max(months.values()), (city, period)
            assert round(100 * months[month] / count, 1) == share, (city, period)


def test_header_dates_without_a_crawl_run(tmp_path):
    text = report_for(tmp_path, jobs_like(20, "ai-first", ["RAG"]), started_at="2026-03-09T06:00:00+00:00", run=False)
    assert "on 2026-03-09 (no crawl run recorded)." in text


def test_an_empty_database_is_an_error_not_a_report_of_zeros(tmp_path):
    path = tmp_path / "empty.db"
    open_db(path).conn.close()
    result = subprocess.run([sys.executable, "-m", "analysis", "report", "--db", str(path)],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [  # one line: nothing is built first for no jobs
        "python -m analysis report: error: the database holds no jobs yet: "
        "crawl (scrapy crawl builtin) or import jobs, then report"
    ]
    build(path)
    with sqlite3.connect(path) as conn, pytest.raises(ScopeError):
        render_report(conn, city="london")


# --- the bugs of issue 20: each sentence against its own numbers -------------------------------

def test_imported_jobs_are_said_to_be_imported_not_crawled(tmp_path):
    text = report_for(tmp_path, jobs_like(3, "ai-first", ["RAG"]), started_at="2026-02-04T00:00:00+00:00",
                      imported="2026-02-04")
    assert ("The jobs were imported from the AI Engineering Field Guide dataset (scrape batch 2026-02-04): its author "
            "searched builtin.com for jobs containing \"AI Engineer\"") in text
    assert "No crawl of this project saw them." in text
    assert "crawl run" not in text.split("## AI Job Types")[0]


def test_the_summary_says_what_ai_first_means_and_the_key_insight_its_own_share(tmp_path):
    text = report_for(tmp_path, [*jobs_like(6, "ai-first", ["Python", "AWS"]), *jobs_like(4, "ai-support", ["RAG"])])
    assert "- 60% of roles work directly on AI (AI-first)" in text
    assert "(RAG, agents)" not in text  # AI-first is not "RAG, agents": 4 of 10 jobs name RAG, none of them AI-first
    assert "Key Insight: RAG or Agents appear in 40.0% of jobs" in text


def test_a_tie_at_the_end_of_a_title_list_is_counted_exactly(tmp_path):
    """Not "at least 6 more titles": the table keeps every title tying with its last."""
    text = report_for(tmp_path, [
        *jobs_like(2, "ml", ["PyTorch"], title="Vision Engineer"),
        *[{"ai_type": "ml", "skills": ["PyTorch"], "title": f"ML Title {n}"} for n in range(20)],
    ])
    section = text.split("### Machine Learning")[1].split("###")[0]
    assert "- Vision Engineer (2 jobs)" in section and section.count(" (1 job)\n") == 3
    assert "(17 more titles also have 1 job; ties are listed in the order of their first posting.)" in section


def test_a_cut_inside_a_tie_of_companies_is_noted(tmp_path):
    text = report_for(tmp_path, [{"ai_type": "ai-first", "skills": ["RAG"], "company": f"Firm {n:02d}"} for n in range(25)])
    section = text.split("Top 20 companies by job count:")[1].split("Company stage distribution")[0]
    assert section.count("\n- Firm ") == 20 and "- Firm 00 - 1 job" in section and "- Firm 19 - 1 job" in section
    assert "(5 more companies also have 1 job; ties are listed in the order of their first posting.)" in section


def test_every_support_category_is_described_and_the_rules_catch_all_says_so(tmp_path):
    text = report_for(tmp_path, [
        *jobs_like(2, "ai-support", ["Kubernetes"], support_category="other"),
        *jobs_like(3, "ai-support", ["Kubernetes"], support_category="backend/general SWE"),
    ])
    assert "Other - 2 jobs\n\nNone of the categories' words in the title or responsibilities" in text
    assert ("Backend/General SWE - 3 jobs\n\nAPIs, microservices, internal tools, and every AI-support role no other "
            "category matched") in text


def test_entry_level_shares_of_few_jobs_carry_a_caution(tmp_path):
    text = report_for(tmp_path, [
        *jobs_like(5, "ai-first", ["RAG"], is_entry_level=True), *jobs_like(195, "ai-first", ["RAG"]),
        *jobs_like(12, "ai-support", ["Kubernetes"], is_entry_level=True), *jobs_like(605, "ai-support", ["Kubernetes"]),
    ])
    assert "Entry-level AI-First roles: 2.5% (5 of 200)" in text
    assert ("Caution: these shares rest on only 5 and 12 entry-level jobs, too few to tell the two groups apart with "
            "confidence.") in text


def test_fine_tuning_mentions_and_duties_are_two_named_figures(tmp_path):
    text = report_for(tmp_path, [
        *jobs_like(2, "ai-first", ["RAG", "fine-tuning"], fine_tuning="secondary"),
        *jobs_like(3, "ai-first", ["RAG", "fine-tuning"]),  # names the skill, no duty
        *jobs_like(5, "ai-first", ["RAG"]),
    ])
    assert "50.0% of AI-First roles mention fine-tuning" in text
    assert "Fewer have fine-tuning as a duty: 20.0%, the primary and secondary rows below" in text
    assert "No FT mentioned - 8 jobs (80.0%)" in text
    assert "1. Most AI-First roles don't fine-tune - only 20% have any FT expectation" in text


def test_title_words_of_unknown_roles_are_shares_of_unknown_roles(tmp_path):
    report_for(tmp_path, [
        *jobs_like(4, "unknown", [], title="Prompt Writer"),
        *jobs_like(1, "ml", ["PyTorch"], title="Vision Engineer"),
    ])
    with sqlite3.connect(tmp_path / "jobs.db") as conn:
        unknown = conn.execute("SELECT word, titles, type_titles, pct FROM report_title_words WHERE ai_type = 'unknown' "
                               "AND city = 'all' AND period = 'all' ORDER BY rank").fetchall()
    assert unknown == [("prompt", 4, 4, 100.0), ("writer", 4, 4, 100.0)]  # not 4 of the 1 ML job (400%)


def test_pay_is_grouped_by_the_currency_of_its_text_and_no_yearly_pay_is_left_out(tmp_path):
    def paid(low, high, text, **spec):
        return {"ai_type": "ai-first", "skills": ["RAG"], "salary_min": low, "salary_max": high, "salary_period": "year",
                "description": text, **spec}

    text = report_for(tmp_path, [
        paid(225000, 255000, "Base salary: £225,000—£255,000 GBP plus equity."),
        paid(150000, 170000, "We are valued at over $1 billion."),  # no currency against its own pay
        paid(120000, 140000, "The range is $120,000 - $140,000."),
        paid(1, 1, "Pay: 1-1 Annually"),
        paid(40, 40, "40-40 Annually"),
    ])
    pay = text.split("## Pay")[1].split("\n## ")[0]
    assert "3 of 5 jobs (60.0%) state their pay. Left out: 2 jobs with a yearly figure under 1,000" in pay
    assert "- GBP: median 240,000 (n=1*)" in pay
    assert "- USD: median 130,000 (n=1*)" in pay
    assert "- Currency not stated: median 160,000 (n=1*)" in pay
