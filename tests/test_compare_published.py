"""analysis.compare_published: every published figure found in the regenerated document.

The documents here are small made-up ones in the published document's shapes (no ../shared
needed); tests/test_published_figures.py runs the comparison on the real pair.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis.compare_published import compare, figures_of, totals, totals_line
from tests.helpers import REPO

PUBLISHED = """# AI Engineering Jobs Analysis

Generated from 895 job descriptions extracted from builtin.com.

I searched for jobs for last 4 weeks. I did it at the beginning of February 2026.

Summary

- 70% of roles work directly on AI (RAG, agents)
- AWS (359 jobs) > Azure (214 jobs) > GCP (205 jobs)

## AI Job Types

### AI-First: 621 jobs (69.4%)

Example responsibilities:

- "Fine-tune Llama 3 for domain-specific tasks"

Most common position titles:

- AI Engineer (51 jobs)

## Skills Analysis

Top GenAI skills:

- RAG - 321 jobs (35.9%)
- agents - 129 jobs (14.4%)

Top languages:

- LLMs (general) - 15.3%
- Python - 738 jobs (82.5%)

## Keywords

In AI-first titles (621 titles):

- "ai" appears in 99.5% of titles

Skill comparison (AI-First vs AI-Support):

RAG - AI-First: 50.2%, AI-Support: 17.3%

Cloud - AWS (41.7%), Azure (24.8%) - Most expect one cloud platform

Key Findings

1. PyTorch dominates - 2.6x more common than TensorFlow for GenAI roles

- Frontend skills - 195/621 (31.4%)

## Only Published

- Research Roles: 39 jobs (4.4%)
"""

OURS = """# AI Engineering Jobs Analysis

Generated from 895 job descriptions extracted from builtin.com.

Summary

- 69% of roles work directly on AI (AI-first)
- AWS (359 jobs) > Azure (214 jobs) > GCP (205 jobs)

## AI Job Types

### AI-First: 621 jobs (69.4%)

Most common position titles:

- AI Engineer (52 jobs)

## Skills Analysis

Top GenAI skills:

- RAG - 321 jobs (35.9%) (326 with retrieval-augmented generation merged)
- agents - 270 jobs (30.2%)

Top languages:

- LLMs - 15.3%
- Python - 738 jobs (82.4%)

## Keywords

In AI-first titles (621 titles):

- "ai" appears in 99.5% of titles (99.4% as a whole word)

Skill comparison (AI-First vs AI-Support; in brackets the skill itself):

RAG - AI-First: 50.2%, AI-Support: 17.3% (the skill itself: 47.0% and 13.3%)

Cloud - AWS (41.7%), Azure (25.1%) - AWS leads

Key Findings

1. PyTorch leads - 1.8x more common than TensorFlow in AI-First roles (165 vs 93 jobs)

- Frontend skills - 195/621 (31.4%) - ours 100/621 (16.1%)

## Elsewhere

- Research Roles: 39 jobs (4.4%)
"""


def by_text(figures, fragment: str, label: str | None = None):
    found = [f for f in figures if fragment in f.text and (label is None or f.label == label)]
    assert len(found) == 1, [(f.text, f.label) for f in found]
    return found[0]


def test_figures_are_read_line_by_line_without_years_quotes_or_list_headings():
    figures = figures_of(PUBLISHED)
    texts = [f.text for f in figures]
    assert not any("February 2026" in t or "Llama 3" in t for t in texts)  # a year, a quoted example
    assert by_text(figures, "In AI-first titles").numbers[0].value == 621  # "(621 titles)" of a list heading
    assert [str(n) for n in by_text(figures, "RAG - 321").numbers] == ["321", "35.9%"]  # count and share: one figure
    assert [str(n) for n in by_text(figures, "195/621").numbers] == ["195", "31.4%"]
    clouds = [f for f in figures if f.text.startswith("- AWS (359")]
    assert [(f.label, f.numbers[0].value) for f in clouds] == [("aws", 359), ("azure", 214), ("gcp", 205)]
    compared = [f for f in figures if f.text.startswith("RAG - AI-First")]
    assert [f.label for f in compared] == ["rag ai first", "rag ai support"]
    assert len(figures) == 20


def test_each_published_figure_gets_a_status():
    figures = compare(PUBLISHED, OURS)
    status = {(f.text, f.label): f.status for f in figures}
    assert by_text(figures, "Generated from").status == "exact"
    assert by_text(figures, "70% of roles").status == "near"  # 69%: within one point
    assert by_text(figures, "AI Engineer (51").status == "near"  # within one count
    assert by_text(figures, "RAG - 321").status == "exact"  # what we print beside does not matter
    assert by_text(figures, "agents - 129").status == "differs"
    assert by_text(figures, "LLMs (general)").status == "exact"  # a bracketed aside is no part of the name
    assert by_text(figures, "Python - 738").status == "near"  # the share is off by 0.1 point
    assert by_text(figures, '"ai" appears').status == "exact"
    assert by_text(figures, "Cloud - AWS", "cloud azure").status == "near"
    assert by_text(figures, "PyTorch dominates").status == "differs"  # a ratio is never near: 1.8x for 2.6x
    assert by_text(figures, "Research Roles").status == "elsewhere"  # printed, in another section
    assert all(s in {"exact", "near", "differs", "elsewhere", "missing"} for s in status.values())


def test_a_figure_not_printed_is_missing_and_totals_count_every_status():
    ours = OURS.replace("- agents - 270 jobs (30.2%)\n", "").replace("## Elsewhere\n\n- Research Roles: 39 jobs (4.4%)\n", "")
    figures = compare(PUBLISHED, ours)
    assert by_text(figures, "agents - 129").status == "missing"
    assert by_text(figures, "Research Roles").status == "missing"
    counts = totals(figures)
    assert sum(counts.values()) == len(figures) == 20
    assert totals_line(figures).startswith(f"20 published figures: {counts['exact']} exact, {counts['near']} near, ")


def test_command_prints_each_figure_and_the_totals(tmp_path):
    published, ours = tmp_path / "published.md", tmp_path / "ours.md"
    published.write_text(PUBLISHED, encoding="utf-8")
    ours.write_text(OURS, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "analysis.compare_published", "--published", str(published),
                          "--report", str(ours), "--show", "differs"], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    listed = [line for line in run.stdout.splitlines() if line[:9].strip() in ("exact", "near", "differs")]
    assert listed and all(line.startswith("differs") for line in listed)
    assert run.stdout.rstrip().splitlines()[-1] == totals_line(compare(PUBLISHED, OURS))


def test_command_says_what_is_missing_in_one_line(tmp_path):
    run = subprocess.run([sys.executable, "-m", "analysis.compare_published", "--published", str(tmp_path / "none.md")],
                         cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 2 and "no published document at" in run.stderr and "Traceback" not in run.stderr


def test_a_db_that_is_not_a_database_is_one_line(tmp_path):
    published, notes = tmp_path / "published.md", tmp_path / "notes.db"
    published.write_text(PUBLISHED, encoding="utf-8")
    notes.write_text("not a database\n" * 100)
    run = subprocess.run([sys.executable, "-m", "analysis.compare_published", "--published", str(published),
                          "--db", str(notes)], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.strip().endswith(f"cannot open the database {notes}: file is not a database")


@pytest.mark.parametrize("which", ["--published", "--report"])
def test_a_document_that_is_not_text_is_one_line(tmp_path, which):
    documents = {"--published": tmp_path / "published.md", "--report": tmp_path / "ours.md"}
    documents["--published"].write_text(PUBLISHED, encoding="utf-8")
    documents["--report"].write_text(OURS, encoding="utf-8")
    documents[which].write_bytes(b"%PDF-1.7\n\xae\xff" * 100)  # a PDF of the report, say
    run = subprocess.run([sys.executable, "-m", "analysis.compare_published", *(part for option, path in
                          documents.items() for part in (option, str(path)))], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.startswith(f"python -m analysis.compare_published: error: cannot read {documents[which]} as a "
                                 "Markdown document: 'utf-8' codec can't decode") and run.stderr.count("\n") == 1
