"""Skill matching: the taxonomy checks itself, every trap is a table row, tag never raises."""

from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from jobcrawler.tagging import CATEGORIES_PATH, TAXONOMY_PATH, Tagger
from jobcrawler.tagging.classify import CategoryRules
from jobcrawler.tagging.sections import SectionSplitter
from jobcrawler.tagging.matcher import (
    _FOLDS_TO_ASCII, PhraseIndex, Prepared, _anchors, _phrase_regex, _required_literal, lowered, searchable,
)

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
    # product names that contain a skill's word
    ("LLMs", "Serve the models with TensorRT-LLM on H100s.", False),
    ("vLLM", "Serve the models with TensorRT-LLM on H100s.", True),
    # common misspellings
    ("PostgreSQL", "Relational stores like PostgresSQL or MySQL.", True),
]

# Sense rules (``not_in_patterns``, ``in_context`` and phrasings with gaps), one table per
# rule, each with sentences that must and must not yield the skill. Own phrasing only.
SENSES = {
    "model training: training data is data, not training": [
        ("model training", "Own model training for our ranking models.", True),
        ("model training", "Label and clean model training data for the vision team.", False),
        ("model training", "Curate model-training datasets and annotation guidelines.", False),
    ],
    "model training: train and <verb> models": [
        ("model training", "You will train and deploy models that price freight.", True),
        ("model training", "Train and evaluate our models every sprint.", True),
        ("model training", "Train and support new analysts on the models we ship.", False),
    ],
    "model evaluation: evaluating models, and its machinery": [
        ("model evaluation", "Evaluate foundation models for document understanding.", True),
        ("model evaluation", "Build evaluation pipelines that score every release.", True),
        ("model evaluation", "Use LLM-as-a-judge scoring on sampled conversations.", True),
        ("model evaluation", "Our evaluation process for candidates takes two weeks.", False),
        ("model evaluation", "We evaluate applicants without regard to age.", False),
    ],
    "MLOps: the class named only to list its tools": [
        ("MLOps", "Hands-on MLOps: model registry, canary releases, drift alerts.", True),
        ("MLOps", "Knowledge of MLOps practices (e.g., model versioning, monitoring).", True),
        ("MLOps", "Experience with MLOps tooling such as MLflow and Kubeflow.", False),
        ("MLflow", "Experience with MLOps tooling such as MLflow and Kubeflow.", True),
        ("MLOps", "Familiar with ML Ops platforms (Weights & Biases, MLflow).", False),
        ("MLOps", "Generative AI Operations at enterprise scale.", True),
    ],
    "MLOps: colleagues named by their role": [
        ("MLOps", "Partner with data scientists and MLOps engineers on launches.", False),
        ("MLOps", "As an MLOps engineer you will own our deployment pipeline.", True),
    ],
    "agents: the class named only to list its tools": [
        ("agents", "Experience with agentic frameworks such as LangGraph or CrewAI.", False),
        ("LangGraph", "Experience with agentic frameworks such as LangGraph or CrewAI.", True),
        ("agents", "AI agent frameworks (e.g., AutoGen) are a plus.", False),
        ("agents", "Design our in-house agent framework for tool use.", True),
        ("agents", "Build agentic workflows that file expense reports.", True),
    ],
    "agents: the bare word counts only next to other AI work": [
        ("agents", "Familiarity with agents and RAG is expected.", True),
        ("agents", "Compose prompts, agents, tools and retrieval into one system.", True),
        ("agents", "Our contact center agents answer calls in Python-built consoles.", False),
        ("agents", "Our agents close more leases every quarter.", False),
    ],
    "fine-tuning: the everyday sense, adjusting something that is not a model": [
        ("fine-tuning", "Fine-tune open-weight LLMs on support transcripts.", True),
        ("fine-tuning", "Fine-tuning strategies for domain-specific assistants.", True),
        ("fine-tuning", "Fine-tune our search engine ranking before launch.", False),
        ("fine-tuning", "Fine-tune retrieval and ranking models on click logs.", True),
        ("fine-tuning", "Own the fine-tuning strategy for our assistants.", True),
        ("fine-tuning", "Fine-tune hyperparameters of gradient boosted trees.", False),
        ("fine-tuning", "Fine-tuning the onboarding workflow with HR.", False),
    ],
    "ambiguous words: a bullet of a list introduced as technologies": [
        ("Go", "We rely on the following tools and technologies:\n\n- Go for our services\n- Cassandra", True),
        ("React", "Our stack:\n- Postgres for storage\n- React for internal dashboards", True),
        ("Go", "What you will do:\n- Go above and beyond for customers", False),
        ("React", "Responsibilities:\n- React quickly to incidents", False),
        ("Go", "Tools we use:\n\nWhat you bring:\n- Go above and beyond", False),  # the nearest lead-in counts
        ("Go", "Tools we use: Go above and beyond", False),  # a bullet, not the lead-in line itself
        ("agents", "We give you the tools to succeed:\n- Agents and brokers across the country", False),
        ("R", "Full-Stack Engineer\n- R for statistics", False),  # "stack" in a title is no lead-in
        ("Go", "Our tech stack\n\n2. What you will do\n- Go above and beyond", False),  # a numbered heading
        ("Snowflake", "OUR TECH STACK (you need not know it all):\n\n- Databricks on AWS\n- Snowflake", True),
    ],
    "fine-tuning: the option weighed against others": [
        ("fine-tuning", "Judge the trade-offs of prompting vs. fine-tuning for each feature.", False),
        ("fine-tuning", "Know when fine-tuning versus retrieval is the right call.", False),
        ("fine-tuning", "Run LoRA fine-tuning jobs on our GPU cluster.", True),
    ],
}


@pytest.mark.parametrize(
    "skill, text, expected",
    [row for rows in SENSES.values() for row in rows],
    ids=[f"{rule}: {text}" for rule, rows in SENSES.items() for _, text, _ in rows],
)
def test_sense_rule(tagger, skill, text, expected):
    assert (skill in skills_in(tagger, text)) is expected


@pytest.mark.parametrize("skill, text, expected", TRAPS)
def test_trap(tagger, skill, text, expected):
    assert (skill in skills_in(tagger, text)) is expected


# ---------------------------------------------------------------- the matcher's own machinery


@pytest.mark.parametrize(
    "pattern, literals, leading",
    [
        ("llms?", ["llm", "llms"], True),
        ("fine[- ]?tun\\w*", ["fine tun", "fine-tun", "finetun"], True),
        ("(?:build|ship)\\w*\\s+agents", ["build", "ship"], True),
        ("as (?:a |the )?team lead", ["as a team lead", "as team lead", "as the team lead"], True),
        ("ab+c", ["ab"], True),
        ("(?:x|y)?abc", ["abc", "xabc", "yabc"], True),
        ("(?:ai\\s+|llm\\s+)?agents", ["agents", "ai", "llm"], True),  # optional, open-ended group
        ("(?P<word>data) engineer", ["data engineer"], True),
        ("(?i:gpu) clusters", ["gpu clusters"], True),
        ("series [d-h]", ["series "], True),  # a range is not spelled out
        ("\\.net", [".net"], True),
        ("\\w+ (?:build|make) things", [" things"], False),  # no leading literal: a required one
        ("(?<!x)foo", ["foo"], False),  # lookarounds are not read as text
        ("a?", [], False),
        ("[^ab]c", [], False),
        ("caf\\u00e9 menu", [], False),  # a character by its code is not read
    ],
)
def test_anchors_are_read_from_the_pattern_text(pattern, literals, leading):
    assert _anchors(pattern) == (literals, leading)


@pytest.mark.parametrize(
    "pattern, required",
    [
        ("(?:over|than|of|has|have|with) \\d[\\d,]*\\+? employees", " employees"),
        ("(?:writ|craft)\\w*\\s+(?:\\w+\\s+)?prompts", "prompts"),
        ("(?:ai\\s+|llm\\s+)?agent(?:ic)?\\s+frameworks", "frameworks"),
        ("x(?:abc)y+z", "xabcy"),  # a group of one alternative is read through; "y+" holds one "y"
        ("(?:foo)?barbaz", "barbaz"),
        ("llms?", None),  # under four characters
        ("series [a-c] round|seed round", None),  # alternatives at the top: none is required
        ("caf\\u00e9 menus", None),  # an escape it does not read: nothing
    ],
)
def test_required_literal_is_text_every_match_holds(pattern, required):
    assert _required_literal(pattern) == required
    if required is not None:
        for text in ["over 5,000 employees", "write clear prompts", "ai agentic frameworks", "xabcyyz", "barbaz"]:
            if re.fullmatch(pattern, text):
                assert required in text


def test_every_yaml_pattern_has_a_leading_literal():
    """A pattern without one is run over the whole text, ~100 us a posting: keep them out."""
    skills = yaml.safe_load(TAXONOMY_PATH.read_text())["skills"]
    patterns = [p for skill in skills for p in (*skill.get("patterns", []), *skill.get("not_in_patterns", []))]
    rules = CategoryRules(yaml.safe_load(CATEGORIES_PATH.read_text()))
    patterns += [p for ps in rules.phrase_sets.values() for p in ps]
    patterns += [p for ps in SectionSplitter.load().cue_sets.values() for p in ps]
    assert [pattern for pattern in patterns if not _anchors(pattern)[1]] == []


WORDS = ["fine-tune", "fine tuning", "LLMs", "model", "training", "data", "on-site", "with", "customers", "train",
         "and", "deploy", "models", "MLOps", "tools", "such", "as", "MLflow", "agentic", "frameworks", "(e.g.,",
         "evaluate", "foundation", "vs.", "prompting", "pre-sales", "team", "lead", "a", "hire", "grow", "the",
         "engineers", "x", "Series", "B", "seed-stage", "publicly", "traded", ".", ",", "\n", "-", "é", "İ"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join))
def test_phrase_index_finds_what_a_plain_scan_finds(text):
    """Trying patterns only at their leading literals loses nothing a plain scan would find
    (at the starts of words, which is where both look)."""
    for index in [TAGGER_FOR_HYPOTHESIS.matcher._phrases, *TAGGER_FOR_HYPOTHESIS.rules._phrases.values()]:
        counts = index.scan(text)
        for name, compiled in index._sets.items():
            expected = sorted(
                (m.start(), m.end())
                for entry in compiled  # the case-insensitive regex, whatever the text
                for m in entry.regex.finditer(lowered(text))
                if m.start() == 0 or not searchable(text)[m.start()] in ".+#&"
            )
            assert sorted((m.start(), m.end()) for m in counts.matches(name)) == expected, name


def test_only_folds_to_ascii_chars_of_a_lowered_text_match_another_ascii_character_without_case():
    """What makes a case-sensitive phrase regex on a lowered text equal to the case-insensitive one:
    every character of a lowered text that ``re.IGNORECASE`` matches to a lowercase ASCII letter or
    digit is that character, or one of ``_FOLDS_TO_ASCII`` (then the text is read case-insensitively)."""
    ascii_like = re.compile("[a-z0-9]", re.IGNORECASE)
    surprises = set()
    for code in range(0x110000):
        char = lowered(chr(code))
        if ascii_like.fullmatch(char) and not (char.isascii() and char.islower() or char.isdigit() and char.isascii()):
            surprises.add(char)
    assert surprises == set(_FOLDS_TO_ASCII)


@pytest.mark.parametrize(
    "pattern, case_sensitive",
    [
        ("(?:build|ship)\\w*\\s+agents", True),
        ("what you(?:'|\u2019)ll do", True),  # a quote mark has no case
        ("\\Wfoo\\S", True),  # escapes whose letter is uppercase mean the same in either mode
        ("at [A-Z]\\w+,? we", False),
        ("(?i:gpu) clusters", False),
        ("caf\u00e9", False),  # a letter beyond ASCII has case variants of its own
        ("\\N{BULLET} x", False),
    ],
)
def test_a_phrase_regex_drops_ignorecase_only_for_lowercase_ascii_patterns(pattern, case_sensitive):
    assert bool(_phrase_regex(pattern, lowered_text=True).flags & re.IGNORECASE) is not case_sensitive
    assert _phrase_regex(pattern, lowered_text=False).flags & re.IGNORECASE


@pytest.mark.parametrize("text", ["AI training", "AI TRA\u0131N\u0130NG", "AI tra\u0131n\u0131ng", "ai \u017feed"])
def test_a_text_with_characters_folding_to_ascii_is_read_case_insensitively(text):
    index = PhraseIndex({"ai": ["ai\\w* training", "ai\\w* seed"]})
    expected = [(m.start(), m.end()) for entry in index._sets["ai"] for m in entry.regex.finditer(lowered(text))]
    assert [(m.start(), m.end()) for m in index.scan(text).matches("ai")] == expected != []


def _context_as_first_written(matcher, text: str, hit, others) -> bool:
    """The technical-context rule as first written, comparing a hit with every other hit."""
    line_start = text.rfind("\n", 0, hit.start) + 1
    line_end = text.find("\n", hit.end)
    line_end = len(text) if line_end < 0 else line_end
    low = max(line_start, hit.start - matcher._context_window)
    high = min(line_end, hit.end + matcher._context_window)
    if any(other.skill != hit.skill and other.start >= low and other.end <= high for other in others):
        return True
    if matcher._context_cues and matcher._context_cues.search(text, low, high):
        return True
    return matcher._under_technology_lead(text, line_start)


CONTEXT_WORDS = ["agents", "Agents", "prompts", "OpenAI", "Claude", "Anthropic", "Python", "API", "the", "team",
                 "sales", "and", "with", "LLM", "tools", ":", ",", "\n", "\n- ", "Tools and technologies we use:\n- "]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(CONTEXT_WORDS), min_size=1, max_size=60).map(" ".join), st.integers(1, 60))
def test_many_mentions_on_a_line_are_judged_as_one_by_one(text, repeats):
    """Ambiguous words (in_context forms) get the same verdicts from the bisecting context
    check as from the first, quadratic one, whatever the number of mentions on a line."""
    matcher = TAGGER_FOR_HYPOTHESIS.matcher
    text = (text + " ") * repeats
    candidates = matcher.hits(text, in_technical_list=True)  # every hit, no context asked
    expected = [(hit.skill, hit.start, hit.end) for hit in candidates
                if not hit.needs_context or _context_as_first_written(matcher, text, hit, candidates)]
    assert [(hit.skill, hit.start, hit.end) for hit in matcher.hits(text)] == expected


def test_a_line_of_thousands_of_mentions_is_tagged_like_a_short_one():
    """Thousands of ambiguous mentions on one line: the verdicts of the first, quadratic rule."""
    matcher = TAGGER_FOR_HYPOTHESIS.matcher
    text = "We ship agents. " + "agents " * 4000 + "with Python and prompts, " * 1000 + "agents sales " * 2000
    candidates = matcher.hits(text, in_technical_list=True)
    assert sum(hit.needs_context for hit in candidates) > 4000
    by_start = sorted(candidates, key=lambda hit: hit.start)
    expected = []
    for number, hit in enumerate(by_start):  # the first rule, its comparisons cut to the hits nearby
        nearby = by_start[max(0, number - 50) : number + 50]
        if not hit.needs_context or _context_as_first_written(matcher, text, hit, nearby):
            expected.append((hit.skill, hit.start, hit.end))
    found = [(hit.skill, hit.start, hit.end) for hit in matcher.hits(text)]
    assert found == sorted(expected, key=lambda h: (h[1], -h[2]))
    assert 0 < sum(skill == "agents" for skill, _, _ in found) < 6000  # context decides: some kept, some dropped


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_searchable_keeps_offsets_and_reads_punctuation_as_space(text):
    padded = searchable(text)
    assert len(padded) == len(text) + 2
    assert padded[1:-1] == re.sub(r"[^A-Za-z0-9+#.& ]|\.(?![A-Za-z0-9])", " ", text)


# ---------------------------------------------------------------- evidence


def test_evidence_keeps_matched_text_source_and_section(tagger):
    tags = tagger.tag("Senior Golang Engineer with Rust", "You will write Python and Go services.")
    by_skill = {s["skill"]: s for s in tags.skills}
    assert by_skill["Rust"] == {"skill": "Rust", "category": "languages", "matched": "Rust", "source": "title", "section": "title"}
    assert by_skill["Python"]["source"] == "description"
    assert by_skill["Python"]["matched"] == "Python"
    # a skill named in the title and in the role keeps the role's words as its evidence
    assert by_skill["Go"] == {"skill": "Go", "category": "languages", "matched": "Go", "source": "description", "section": "role"}


@pytest.mark.parametrize(
    "description, section",
    [
        ("About us\n\nWe build our platform on Kubernetes.\n\nAbout the role\n\nYou will write Python.", "company"),
        ("Responsibilities\n\n- Run Kubernetes clusters\n\nAbout us\n\nWe love Kubernetes.", "role"),
        ("Requirements\n\n- Kubernetes in production", "requirements"),
        ("Nice to have\n\n- Kubernetes", "nice_to_have"),
        ("Perks\n\n- A Kubernetes conference each year", "benefits"),
    ],
)
def test_skill_evidence_names_its_section_preferring_the_role(tagger, description, section):
    by_skill = {s["skill"]: s for s in tagger.tag("Engineer", description).skills}
    assert by_skill["Kubernetes"]["section"] == section


@pytest.mark.parametrize(
    "text, vendor, evidence",
    [
        ("Tables in DynamoDB and Lambda functions", "AWS", "DynamoDB"),
        ("Training jobs on SageMaker", "AWS", "SageMaker"),
        ("Pipelines on Vertex AI and BigQuery", "GCP", "Vertex AI"),
    ],
)
def test_a_vendors_product_counts_for_the_vendor(tagger, text, vendor, evidence):
    by_skill = {s["skill"]: s for s in tagger.tag("", text).skills}
    assert by_skill[vendor] == {"skill": vendor, "category": "cloud", "matched": evidence, "source": "description", "section": "role"}


def test_a_vendor_named_itself_keeps_its_own_evidence(tagger):
    by_skill = {s["skill"]: s for s in tagger.tag("", "DynamoDB first, then AWS itself.").skills}
    assert by_skill["AWS"]["matched"] == "AWS"


def test_every_implied_skill_exists(tagger):
    skills = tagger.matcher.skills
    assert all(implied in skills for skill in skills.values() for implied in skill.implies)


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


SKILL_WORDS = ["Go", "go", "GO", "R", "R&D", "C", "C++", "Java", "JavaScript", "Python", "PyTorch", "LangChain",
               "fine-tune", "models", "our", "onboarding", "process", "agent", "frameworks", "such", "as", "AWS",
               "Amazon", "Bedrock", "go-to-market", "Rust", "or", "with", "LLM", "RAG", "AI", "ML", "SQL", "\n", "-",
               ":", ".", "Tools", "and", "technologies", "we", "use", "é", "GPT"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SKILL_WORDS), max_size=40).map(" ".join))
def test_skill_hits_found_in_the_rules_pass_are_the_matchers_own(text):
    """The tagger finds skill forms and patterns in the category rules' pass over a description
    (``PhraseIndex`` riders and shared sets): the hits are those of the matcher's own passes.
    (" gpt " is both a rules' leading literal and a skill's form: one key, two uses.)"""
    prepared = Prepared(text)
    matcher = TAGGER_FOR_HYPOTHESIS.matcher
    # the description's pass, and the title's (a title is tagged for skills too)
    for shared in (TAGGER_FOR_HYPOTHESIS.rules.text_counts(prepared), TAGGER_FOR_HYPOTHESIS.rules.title_counts(prepared)):
        assert shared.riders_of is matcher.forms  # the shared path is the one taken
        assert matcher.hits(prepared, phrases=shared) == matcher.hits(Prepared(text))


@pytest.mark.parametrize("text, present, absent", [
    ("We build agents with Claude Code and the Anthropic API.", {"Anthropic API"}, set()),
    ("Daily work in Claude Code and Cursor.", set(), {"Anthropic API"}),
    ("Agents built on the ReAct pattern.", set(), {"React"}),
])
def test_a_tool_or_pattern_named_like_a_skill_is_not_that_skill(tagger, text, present, absent):
    skills = {hit["skill"] for hit in tagger.tag("AI Engineer", text).skills}
    assert present <= skills and not absent & skills
