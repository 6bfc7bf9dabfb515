"""Category rules on synthetic postings (own phrasing, never real page text)."""

from __future__ import annotations

import pytest
import yaml

from jobcrawler.tagging import CATEGORIES_PATH, Tagger, category_columns
from jobcrawler.tagging.classify import CategoryRules

KEYS = set(category_columns())  # every category categories.yaml declares: the label columns storage keeps

AI_FIRST = """We are hiring an engineer to build AI agents for our claims team.
- Design and ship LLM-powered features end to end
- Build RAG pipelines over policy documents with LangChain and Pinecone
- Prompt engineering and evaluation of model outputs
- Python, FastAPI, AWS"""

AI_SUPPORT = """Join the team that runs the compute our researchers use.
- Operate Kubernetes clusters and GPU nodes with Terraform
- Build CI/CD and observability for internal services
- Python, Go, AWS"""

CLASSICAL_ML = """Build computer vision models that inspect parts on the line.
- Train deep learning models in PyTorch and TensorFlow
- Classical models with scikit-learn and XGBoost
- Own model evaluation and model training pipelines"""


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.load()


def categories(tagger: Tagger, title: str, description: str, **page) -> dict:
    return tagger.tag(title, description, **page).categories


def test_categories_have_exactly_the_agreed_keys(tagger):
    assert set(categories(tagger, "", "").keys()) == KEYS
    assert set(categories(tagger, "AI Engineer", AI_FIRST).keys()) == KEYS


@pytest.mark.parametrize(
    "title, description, expected",
    [
        ("AI Engineer", AI_FIRST, "ai-first"),
        ("AI Infrastructure Engineer", AI_SUPPORT, "ai-support"),
        ("Senior Platform Engineer, AI", AI_SUPPORT, "ai-support"),
        ("AI Sales Engineer", AI_FIRST, "ai-support"),
        ("Computer Vision Engineer", CLASSICAL_ML, "ml"),
        ("AI Engineer", "Join a friendly team. Great benefits.", "ai-support"),
    ],
)
def test_ai_type(tagger, title, description, expected):
    assert categories(tagger, title, description)["ai_type"] == expected


@pytest.mark.parametrize(
    "description, company_size, expected",
    [
        ("Acme (NYSE: ACME) builds tools for builders.", None, "Public"),
        ("Acme is a publicly traded company.", 40, "Public"),
        ("We closed our Series B round last spring.", None, "Series B"),
        ("Acme raised a Series D in 2024 to grow.", None, "Series D+"),
        ("A seed-stage startup of six people.", None, "Seed"),
        ("Backed by leading venture investors.", None, "Private/unknown"),
        ("We make software.", None, "Private/unknown"),
        ("We make software.", 25000, "Public"),
        ("We recently announced our Series C funding.", 25000, "Series C"),
    ],
)
def test_company_stage(tagger, description, company_size, expected):
    assert categories(tagger, "AI Engineer", description, company_size=company_size)["company_stage"] == expected


@pytest.mark.parametrize(
    "title, description, expected",
    [
        ("Forward Deployed AI Engineer", "Ship agents.", True),
        ("AI Engineer", "You will be customer-facing and run technical demos.", True),
        ("AI Engineer", "You will work directly with customers to scope pilots.", True),
        ("AI Engineer", "Build internal tools for our analysts.", False),
    ],
)
def test_customer_facing(tagger, title, description, expected):
    assert categories(tagger, title, description)["is_customer_facing"] is expected


@pytest.mark.parametrize(
    "title, description, expected",
    [
        ("Lead AI Engineer", "Build things.", True),
        ("Head of AI", "Build things.", True),
        ("AI Engineer", "You will manage a team of five engineers.", True),
        ("AI Engineer", "You will have three direct reports.", True),
        ("Senior AI Engineer", "Write code and review designs.", False),
    ],
)
def test_management(tagger, title, description, expected):
    assert categories(tagger, title, description)["is_management"] is expected


@pytest.mark.parametrize(
    "title, description, expected",
    [
        ("AI Research Engineer", "Study new training methods.", True),
        ("AI Engineer", "Publish at top conferences such as NeurIPS and ICML.", True),
        ("AI Engineer", "Ship features to production.", False),
    ],
)
def test_research(tagger, title, description, expected):
    assert categories(tagger, title, description)["is_research"] is expected


@pytest.mark.parametrize(
    "title, level, expected",
    [
        ("AI Engineer", "Internship", True),
        ("AI Engineer", "Entry level", True),
        ("AI Engineer", "Junior", True),
        ("Graduate AI Engineer", "Mid level", True),
        ("AI Engineer", "Senior level", False),
        ("AI Engineer", None, False),
    ],
)
def test_entry_level(tagger, title, level, expected):
    assert categories(tagger, title, "Build things.", level=level)["is_entry_level"] is expected


def test_fine_tuning_depth_and_use_cases(tagger):
    primary = categories(
        tagger,
        "LLM Fine-Tuning Engineer",
        "Fine-tune open models with LoRA and PEFT for clinical notes, in several languages "
        "(multilingual), deployed on-prem for data privacy.",
    )
    assert primary["fine_tuning"] == "primary"
    assert {"domain knowledge", "language", "privacy"} <= set(primary["fine_tuning_use_cases"])

    secondary = categories(tagger, "AI Engineer", "Build RAG systems; fine-tuning models is a plus.")
    assert secondary["fine_tuning"] == "secondary"

    none = categories(tagger, "AI Engineer", "Build RAG systems with LangChain.")
    assert none["fine_tuning"] == "none" and none["fine_tuning_use_cases"] == []


@pytest.mark.parametrize(
    "title, expected",
    [
        ("AI Sales Engineer", "sales/solutions"),
        ("AI Data Engineer", "data/pipelines"),
        ("AI Platform Engineer", "platform/infrastructure"),
        ("Frontend Engineer, AI Products", "frontend/UI"),
    ],
)
def test_support_category(tagger, title, expected):
    found = categories(tagger, title, AI_SUPPORT)
    assert found["ai_type"] == "ai-support"
    assert found["support_category"] == expected


def test_support_category_is_none_for_ai_first(tagger):
    assert categories(tagger, "AI Engineer", AI_FIRST)["support_category"] is None


@pytest.mark.parametrize(
    "title, description, frontend, backend, fullstack",
    [
        ("AI Engineer", "React and Next.js front ends.", True, False, False),
        ("AI Engineer", "REST APIs in FastAPI.", False, True, False),
        ("AI Engineer", "React front ends and FastAPI services.", True, True, True),
        ("Full Stack AI Engineer", "Build products.", True, True, True),
        ("AI Engineer", "Build RAG pipelines.", False, False, False),
    ],
)
def test_stack_flags(tagger, title, description, frontend, backend, fullstack):
    found = categories(tagger, title, description)
    assert (found["is_frontend"], found["is_backend"], found["is_fullstack"]) == (frontend, backend, fullstack)


def test_rules_are_data():
    rules = CategoryRules(
        {
            "phrases": {"remote": ["remote(?:-first)?", "work from anywhere"]},
            "skill_groups": {"clouds": ["AWS", "GCP"]},
            "categories": {
                "is_remote": {"default": False, "rules": [{"value": True, "when": {"text": "remote"}}]},
                "multi_cloud": {"default": False, "rules": [{"value": True, "when": {"skills": "clouds", "min": 2}}]},
            },
        }
    )
    skills = [{"skill": "AWS", "category": "cloud"}, {"skill": "GCP", "category": "cloud"}]
    assert rules.classify("Engineer", "A remote-first team.", skills) == {"is_remote": True, "multi_cloud": True}
    assert rules.classify("Engineer", "Office based.", skills[:1]) == {"is_remote": False, "multi_cloud": False}


def test_phrase_sets_are_searched_only_where_rules_use_them():
    rules = CategoryRules(
        {
            "phrases": {"senior": ["senior", "staff"], "remote": ["remote(?:-first)?"], "lead": ["lead"]},
            "categories": {
                "is_senior": {"default": False, "rules": [{"value": True, "when": {"title": "senior"}}]},
                "is_remote": {"default": False, "rules": [{"value": True, "when": {"text": "remote"}}]},
                "leads": {"default": False, "rules": [{"value": True, "when": {"any": [{"title": "lead"}, {"text": "lead"}]}}]},
            },
        }
    )
    assert set(rules._phrases["title"].names) == {"senior", "lead"}
    assert set(rules._phrases["text"].names) == {"remote", "lead"}
    # a title-only set is not looked for in the description, a shared one is found in both
    assert rules.classify("Engineer", "Senior people, remote-first.", []) == {"is_senior": False, "is_remote": True, "leads": False}
    assert rules.classify("Staff Engineer", "You will lead the design.", [])["leads"] is True
    assert rules.classify("Lead Engineer", "Office based.", []) == {"is_senior": False, "is_remote": False, "leads": True}


def test_unknown_names_in_rules_fail_at_load():
    with pytest.raises(ValueError):
        CategoryRules({"categories": {"x": {"rules": [{"value": 1, "when": {"text": "missing"}}]}}})
    with pytest.raises(ValueError):
        CategoryRules({"categories": {"x": {"rules": [{"value": 1, "when": {"colour": "red"}}]}}})


def test_industries_give_domain_fine_tuning(tagger):
    found = categories(tagger, "LLM Fine-Tuning Engineer", "Fine-tune open models.", industries=["Fintech", "Software"])
    assert found["fine_tuning_use_cases"] == ["domain knowledge"]


def test_every_phrase_set_and_skill_group_is_used():
    config = yaml.safe_load(CATEGORIES_PATH.read_text())
    used: set[str] = set()

    def collect(node):
        if isinstance(node, dict):
            for key, value in node.items():
                used.add(value) if key in {"title", "text", "industries", "skills"} else collect(value)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    collect(config["categories"])
    assert set(config["phrases"]) | set(config["skill_groups"]) <= used
