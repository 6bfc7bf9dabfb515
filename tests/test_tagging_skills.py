"""Skill matching: the taxonomy checks itself, every trap is a table row, tag never raises."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from jobcrawler.tagging import TAXONOMY_PATH, Tagger

HEADLINE = [
    "RAG", "prompt engineering", "LLMs", "LangChain", "agents", "OpenAI API", "LangGraph", "LlamaIndex",
    "Anthropic API", "CrewAI", "AutoGen", "PyTorch", "TensorFlow", "fine-tuning", "model training",
    "model evaluation", "scikit-learn", "embeddings", "React", "FastAPI", "vector databases", "PostgreSQL",
    "Pinecone", "Redis", "Weaviate", "AWS", "Azure", "GCP", "Docker", "CI/CD", "Kubernetes", "MLOps",
    "Terraform", "Python", "TypeScript", "Java", "Go", "SQL",
]  # fmt: skip
CATEGORIES = {"genai", "ml", "web", "databases", "data", "cloud", "ops", "languages"}


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.load()


def skills_in(tagger: Tagger, text: str) -> set[str]:
    return {hit.skill for hit in tagger.matcher.hits(text)}


# ---------------------------------------------------------------- the taxonomy checks itself


def test_headline_skills_are_the_38_display_names(tagger):
    assert sorted(tagger.headline_skills) == sorted(HEADLINE)


def test_every_skill_has_a_known_category_and_a_unique_name(tagger):
    names = [skill.skill for skill in tagger.skills]
    assert len(names) == len(set(names))
    assert {skill.category for skill in tagger.skills} <= CATEGORIES
    for skill in tagger.skills:
        assert skill.aliases or skill.cased or skill.in_context or skill.patterns, skill.skill


def test_every_skill_brings_its_own_examples(tagger):
    for skill in tagger.skills:
        assert skill.examples and skill.negatives, skill.skill


@pytest.mark.parametrize(
    "skill, example",
    [(s["skill"], e) for s in yaml.safe_load(TAXONOMY_PATH.read_text())["skills"] for e in s["examples"]],
)
def test_taxonomy_example_matches(tagger, skill, example):
    assert skill in skills_in(tagger, example)


@pytest.mark.parametrize(
    "skill, negative",
    [(s["skill"], n) for s in yaml.safe_load(TAXONOMY_PATH.read_text())["skills"] for n in s["negatives"]],
)
def test_taxonomy_negative_does_not_match(tagger, skill, negative):
    assert skill not in skills_in(tagger, negative)


def test_version_hashes_the_yaml_files(tmp_path, tagger):
    copy = tmp_path / "taxonomy.yaml"
    copy.write_text(TAXONOMY_PATH.read_text() + "\n# edited\n")
    assert Tagger.load().version == tagger.version
    assert Tagger.load(taxonomy_path=copy).version != tagger.version


# ---------------------------------------------------------------- traps, one row each

TRAPS = [
    # symbols that end or start a token
    ("C++", "Low-latency services in C++ and Python.", True),
    ("C", "Low-latency services in C++ and Python.", False),
    ("C#", "Backend work in C# on .NET Core.", True),
    (".NET", "Backend work in C# on .NET Core.", True),
    (".NET", "Send your CV to jobs@example.net today.", False),
    ("C++", "Experience with C# and Java.", False),
    ("Node.js", "APIs written in Node.js and Express.", True),
    ("Node.js", "Each node in the cluster runs a sidecar.", False),
    ("Next.js", "Our web app uses Next.js and Tailwind.", True),
    ("Next.js", "The next step is an onsite interview.", False),
    ("Java", "Java-based microservices on Kubernetes.", True),
    ("Java", "Modern JavaScript and TypeScript front ends.", False),
    ("JavaScript", "Java and Kotlin on the JVM.", False),
    ("SQL", "Tuning PostgreSQL and MySQL instances.", False),
    ("SQL", "Strong SQL and Python skills.", True),
    # ambiguous words count only in a technical context
    ("Go", "Backend services in Go, Python and Rust.", True),
    ("Go", "Golang experience is a plus.", True),
    ("Go", "You will own our go-to-market strategy.", False),
    ("Go", "Go-to-market engineers work with Python daily.", False),
    ("Go", "Go above and beyond for our customers.", False),
    ("R", "Statistics in R or Python.", True),
    ("R", "Join our R&D team building Python tools.", False),
    ("C", "Embedded firmware in C and Rust.", True),
    ("C", "We are a Series C startup hiring Python engineers.", False),
    ("C", "You will present to the C-suite and Java architects.", False),
    ("Rust", "Systems programming in Rust and C++.", True),
    ("Rust", "Shake off the rust on your interview skills.", False),
    ("Spark", "Batch pipelines on Spark and Kafka.", True),
    ("Spark", "Spark curiosity and joy in the team.", False),
    ("React", "Front ends in React and TypeScript.", True),
    ("React", "React to incidents quickly and calmly.", False),
    ("React", "You react to customer feedback with empathy.", False),
    ("Swift", "iOS apps in Swift and Kotlin.", True),
    ("Swift", "Swift decision making in a fast-paced team.", False),
    ("Shell", "Automation with Bash and shell scripting.", True),
    ("Shell", "In a nutshell, we ship fast.", False),
    ("Excel", "Reporting in Excel and SQL.", True),
    ("Excel", "Excel at communicating with stakeholders.", False),
    ("Snowflake", "Warehousing in Snowflake and dbt.", True),
    ("Snowflake", "Every customer is a unique snowflake.", False),
    ("Airflow", "DAGs orchestrated with Airflow and Kubernetes.", True),
    ("Airflow", "Maintain airflow and cooling in the data hall.", False),
    # concept skills: the word alone is not enough
    ("embeddings", "Generate embeddings for semantic search.", True),
    ("embeddings", "Embedding AI into our clinical workflows.", False),
    ("agents", "Build AI agents that call internal tools.", True),
    ("agents", "Support our insurance agents in the field.", False),
    ("fine-tuning", "Fine-tune open models with LoRA adapters.", True),
    ("fine-tuning", "Fine tune our processes as we scale.", False),
    ("model training", "Train deep learning models on GPU clusters.", True),
    ("model training", "Train new hires on our internal tools.", False),
    ("model evaluation", "Evaluate LLMs against golden datasets.", True),
    ("model evaluation", "Annual performance evaluations for all staff.", False),
    ("Anthropic API", "Call hosted models from OpenAI and Anthropic.", True),
    ("Anthropic API", "Anthropic and Stripe are among our investors.", False),
    ("MLOps", "Own our MLOps tooling.", True),
    ("MLOps", "AIOps for IT incident triage.", False),
    ("RAG", "Build RAG pipelines over contracts.", True),
    ("RAG", "A rag to clean the whiteboard.", False),
]


@pytest.mark.parametrize("skill, text, expected", TRAPS)
def test_trap(tagger, skill, text, expected):
    assert (skill in skills_in(tagger, text)) is expected


# ---------------------------------------------------------------- evidence


def test_evidence_keeps_matched_text_and_source(tagger):
    tags = tagger.tag("Senior Golang Engineer", "You will write Python and Go services.")
    by_skill = {s["skill"]: s for s in tags.skills}
    assert by_skill["Go"] == {"skill": "Go", "category": "languages", "matched": "Golang", "source": "title"}
    assert by_skill["Python"]["source"] == "description"
    assert by_skill["Python"]["matched"] == "Python"


def test_one_evidence_per_skill_the_first(tagger):
    tags = tagger.tag("AI Engineer", "Kubernetes first.\nThen K8s again, and kubernetes.")
    matched = [s["matched"] for s in tags.skills if s["skill"] == "Kubernetes"]
    assert matched == ["Kubernetes"]


def test_matched_text_is_as_written(tagger):
    tags = tagger.tag("", "Experience FINE-TUNING models and with Retrieval-Augmented Generation.")
    by_skill = {s["skill"]: s["matched"] for s in tags.skills}
    assert by_skill["fine-tuning"] == "FINE-TUNING"
    assert by_skill["RAG"] == "Retrieval-Augmented Generation"


def test_top_skills_chips_count_only_when_enabled():
    chips = ["Go", "Pinecone"]
    without = Tagger.load().tag("AI Engineer", "Build things.", top_skills=chips)
    assert without.skills == []
    with_chips = Tagger.load(count_top_skills=True).tag("AI Engineer", "Build things.", top_skills=chips)
    assert {(s["skill"], s["source"]) for s in with_chips.skills} == {("Go", "top_skills"), ("Pinecone", "top_skills")}


# ---------------------------------------------------------------- robustness


@settings(max_examples=200, deadline=None)
@given(
    title=st.text(max_size=80),
    description=st.text(max_size=2000),
    top_skills=st.lists(st.text(max_size=20), max_size=5),
    level=st.none() | st.text(max_size=15),
    company_size=st.none() | st.integers(min_value=0, max_value=10**6),
)
def test_tag_never_raises(title, description, top_skills, level, company_size):
    tags = TAGGER_FOR_HYPOTHESIS.tag(title, description, top_skills, [], level, company_size)
    for skill in tags.skills:
        assert skill["matched"] and skill["source"] in {"title", "description", "top_skills"}


TAGGER_FOR_HYPOTHESIS = Tagger.load(count_top_skills=True)
