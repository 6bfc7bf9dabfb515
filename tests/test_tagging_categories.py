"""Category rules and sections on synthetic postings (own phrasing, never real page text)."""

from __future__ import annotations

import pytest
import yaml

from jobcrawler.tagging import CATEGORIES_PATH, Tagger, category_columns
from jobcrawler.tagging.classify import CategoryRules
from jobcrawler.tagging.matcher import _anchors
from jobcrawler.tagging.sections import SECTIONS_PATH, SectionSplitter

# every category categories.yaml declares (the label columns storage keeps), and the AI type's confidence
KEYS = set(category_columns()) | {"ai_type_confidence"}

AI_FIRST = """About the role

We are hiring an engineer to build AI agents for our claims team.

Responsibilities

- Design and ship LLM-powered features end to end
- Build RAG pipelines over policy documents with LangChain and Pinecone
- Prompt engineering and evaluation of model outputs
- Python, FastAPI, AWS"""

AI_SUPPORT = """About the role

Join the platform team that runs the GPU compute our AI researchers train models on.

Responsibilities

- Operate Kubernetes clusters and GPU nodes with Terraform
- Build CI/CD and observability for the ML platform
- Keep the infrastructure reliable and be on call for incidents
- Python, Go, AWS"""

CLASSICAL_ML = """What you will do

- Build computer vision models that inspect parts on the line
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


# ---------------------------------------------------------------- sections

POSTING = """Acme is a leading maker of robots, founded in 2001 with offices in 12 countries.

About the role

You will build the agents that plan our robots' work.

Key Responsibilities:

- Build agents
- Review designs

🎯 What You Bring

- Python

Nice to have

- Rust

Benefits

- Health insurance

Acme is an equal opportunity employer and considers all qualified applicants without regard to any protected characteristic."""


@pytest.mark.parametrize(
    "text, kinds",
    [
        (POSTING, ["company", "role", "requirements", "nice_to_have", "benefits"]),
        # no headings: paragraphs read by their cues, legal text as benefits
        ("We are a global bank with offices in 30 countries.\n\nYou will design ranking models.\n\n- PyTorch\n\n"
         "We are an equal opportunity employer and make decisions without regard to race or gender.",
         ["company", "role", "benefits"]),
        # a general heading ("Job Description") says nothing: its paragraphs are read by their cues
        ("Job Description\n\nAt Acme, we make trucks.\n\nThis role builds our pricing models.", ["role", "company", "role"]),
        # a short line that names no section is a sub-heading: the section goes on
        ("Responsibilities\n\nModel Development & Deployment\n\n- Train models\n\nQualifications\n\n- SQL",
         ["role", "requirements"]),
        ("", []),
        ("Just one line about the work.", ["role"]),
    ],
)
def test_sections_follow_headings_and_cues(text, kinds):
    sections = SectionSplitter.load().split(text)
    assert [span.kind for span in sections.spans] == kinds
    # the spans cover the text, in order
    if text:
        assert sections.spans[0].start == 0 and sections.spans[-1].end == len(text)
        assert all(a.end == b.start for a, b in zip(sections.spans, sections.spans[1:]))


@pytest.mark.parametrize(
    "line, kind",
    [
        ("About Acme", "company"),
        ("About the Role:", "role"),
        ("AI Engineer | Day-to-Day", "role"),
        ("What you'll do", "role"),
        ("Preferred Qualifications", "nice_to_have"),
        ("Required Skills & Experience", "requirements"),
        ("Perks & Benefits", "benefits"),
        ("- Build data pipelines", None),  # a bullet is never a heading
        ("We are looking for an engineer who loves shipping agents.", None),  # a sentence is not a heading
    ],
)
def test_heading_kinds(line, kind):
    assert SectionSplitter.load().heading_kind(line) == kind


@pytest.mark.parametrize(
    "line, kind",
    [
        # a team's or the role's own "About ..." heading is the role, the employer's is the company
        ("About the Payments Risk team", "role"),
        ("About our Search Infrastructure teams", "role"),
        ("About the Senior Platform Engineer role", "role"),
        ("About us and our teams", "company"),
        ("About Acme Robotics", "company"),
        # a location line is a fact, not a "preferred" (nice-to-have) heading
        ("Preferred Location(s):", None),
        ("Preferred locations: Lyon, FR & Porto, PT", None),
        ("Preferred Experience", "nice_to_have"),
        # a field line is known by its label, not by its value
        ("Location: Remote (EU preferred)", None),
        ("Education: MSc in Physics (preferred)", "requirements"),
        ("Bonus eligible: yes", "benefits"),
        ("Bonus points", "nice_to_have"),
        # "you will have" names requirements, unless it is the role's opportunity
        ("You will have:", "requirements"),
        ("In this role, you will have the opportunity to", "role"),
        # who fits the role is a requirement, what the role is stays the role
        ("You'll thrive in this role if you", "requirements"),
        ("This role is for you if", "requirements"),
        ("What we look for", "requirements"),
        ("Why this role matters", "role"),
        ("What you'll achieve", "role"),
        ("Success Looks Like", "role"),
        ("A successful candidate will likely have", "requirements"),
        ("What You’ll Get to Do:", "role"),
        ("What you'll get", "benefits"),
        ("What you don't need", "nice_to_have"),
        ("Even better if you have", "nice_to_have"),
        # hiring logistics
        ("Interview Process", "benefits"),
        ("What we can offer you", "benefits"),
        ("Visa sponsorship", "benefits"),
        ("Fraud alert", "benefits"),
        ("What Acme can offer you", "benefits"),
        # "The Work" is the role's; "We are:" opens the employer's blurb, "We are looking for" the requirements
        ("The Work", "role"),
        ("How we work", "company"),
        ("We are:", "company"),
        ("We are looking for", "requirements"),
        # the employer: its mission or culture as a whole heading, not a word inside a sub-heading
        ("💡 Mission", "company"),
        ("Who are we?", "company"),
        ("The Company: Acme Robotics", "company"),
        ("Your mission", "role"),
        ("Model Serving & Mission Planning", None),
        # an aside in parentheses is not a heading
        ("(Go experience is a bonus, but not required)", None),
    ],
)
def test_heading_kinds_of_real_posting_wordings(line, kind):
    assert SectionSplitter.load().heading_kind(line) == kind


@pytest.mark.parametrize(
    "text, kinds",
    [
        # legal text ends a heading's section: the benefit bullets after it are not the role
        ("Responsibilities\n\n- Train ranking models\n\nAcme is an equal opportunity employer and considers "
         "all applicants without regard to any protected characteristic.\n\n- Medical cover\n- Paid leave",
         ["role", "benefits"]),
        # ... and what follows reads by its cues: a role paragraph after it is still the role
        ("Responsibilities\n\n- Train ranking models\n\nThe base salary for this position is set by level, "
         "location and experience in each market.\n\nYou will also mentor two engineers.",
         ["role", "benefits", "role"]),
        # a short pay bullet under a heading does not end it
        ("Responsibilities\n\n- Train ranking models\n- Own the base salary model\n- Ship it", ["role"]),
        # a location line inside the role's section leaves the duties under it in the role
        ("Job Description\n\nYou will design agents.\n\nPreferred locations: Lyon, FR & Porto, PT\n\n"
         "1. Agent Design\n- Build planners\n\nQualifications\n\n- Python", ["role", "requirements"]),
        # the employer described without a heading: company, until the role's cues
        ("Acme is an AI-first insurance technology company.\n\nWe price fleets for carriers.\n\n"
         "You will build pricing agents.", ["company", "role"]),
        ("Acme is on a mission to end paperwork.\n\nYou will build document agents.", ["company", "role"]),
        # a count of countries or employees speaks of the employer; a mere mention of countries does not
        ("Acme has 4,000 employees in 30 countries.\n\nYou will build routing agents.", ["company", "role"]),
        ("Title: AI Engineer\n\nList of accepted countries and locations\n\nHelp train models to write code.",
         ["role"]),
        # an opening no cue places is the employer's blurb when a company cue or a role heading speaks first ...
        ("Acme makes invoices vanish.\n\nAbout the role\n\nYou will build agents.", ["company", "role"]),
        ("Acme makes invoices vanish.\n\nAcme was founded in 2019.\n\nYou will build agents.", ["company", "role"]),
        # ... but for a title line of a few words, which stays with the role
        ("Senior AI Engineer\n\nAcme makes invoices vanish.\n\nAbout the role\n\nYou will build agents.",
         ["role", "company", "role"]),
        ("Senior AI Engineer\n\nAbout the role\n\nYou will build agents.", ["role"]),
        # ... and it stays the role when a role cue or a requirements heading speaks first
        ("Train models that read invoices.\n\nYou will own the pipeline.", ["role"]),
        ("Train models that read invoices.\n\nRequirements\n\n- Python", ["role", "requirements"]),
        # a role paragraph that names the platform stays the role
        ("As an AI engineer you will build the platform that our bank runs on.", ["role"]),
        # a team's heading opens the role
        ("About Acme\n\nWe make trucks.\n\nAbout the Routing AI team\n\nWe plan deliveries with agents.",
         ["company", "role"]),
    ],
)
def test_sections_of_real_posting_layouts(text, kinds):
    assert SectionSplitter.load().split(text).kinds() == kinds


def test_heading_kinds_through_leading_literals_agree_with_the_expressions_alone():
    """The splitter searches only the kinds one of whose leading literals is in a line; searching
    every kind's expressions must give the same kind on lines made of every literal."""
    config = yaml.safe_load(SECTIONS_PATH.read_text())
    fast, plain = SectionSplitter(config), SectionSplitter(config)
    plain._heading_leads = None  # the expressions alone
    literals = sorted({lit for patterns in config["headings"].values() for p in patterns for lit in _anchors(p)[0]})
    lines = ["Tech Stack", "Day to Day:", "☀ Perks", "What we offer ſ", "İnclusion"]
    for literal in literals:
        lines += [literal.title(), f"## Our {literal.upper()}:", f"x{literal}", f"{literal}s and more", f"Team {literal} é"]
    kinds = [fast.heading_kind(line) for line in lines]
    assert kinds == [plain.heading_kind(line) for line in lines]
    assert len({kind for kind in kinds if kind}) >= 5  # the lines reach every kind, not only None


def test_sections_at_an_offset():
    sections = SectionSplitter.load().split(POSTING)
    assert sections.at(POSTING.index("Build agents")) == "role"
    assert sections.at(POSTING.index("Rust")) == "nice_to_have"
    assert sections.at(0) == "company"


# ---------------------------------------------------------------- AI type

@pytest.mark.parametrize(
    "title, description, expected",
    [
        ("AI Engineer", AI_FIRST, "ai-first"),
        ("AI Infrastructure Engineer", AI_SUPPORT, "ai-support"),
        ("Senior Platform Engineer, AI", AI_SUPPORT, "ai-support"),
        ("AI Sales Engineer", AI_FIRST, "ai-support"),
        ("Computer Vision Engineer", CLASSICAL_ML, "ml"),
        # what the role does outweighs its title words
        ("Platform Engineer", AI_FIRST, "ai-first"),
        ("AI Engineer", AI_SUPPORT, "ai-support"),
        # forward deployed engineers deploy AI with customers: AI-first
        ("Forward Deployed Engineer", "Responsibilities\n\n- Deploy our AI agents at customer sites", "ai-first"),
        # no AI content beyond the title: unknown
        ("Gen AI Developer", "Responsibilities\n\n- Build web pages with React\n- Write SQL reports", "unknown"),
        ("AI Engineer", "Join a friendly team. Great benefits.", "unknown"),
        # using AI coding tools does not make a role an AI role
        ("Software Engineer, AI", "Responsibilities\n\n- Build payment APIs in Java\n- Use AI coding assistants such as Cursor daily",
         "unknown"),
        # enabling others: data pipelines and a platform for the teams that build models
        ("AI Data Engineer", "Responsibilities\n\n- Build data pipelines that feed our ML teams\n"
         "- Own the data platform and its governance\n- Keep ETL jobs reliable", "ai-support"),
    ],
)
def test_ai_type(tagger, title, description, expected):
    assert categories(tagger, title, description)["ai_type"] == expected


def test_ai_type_reads_the_role_not_the_company_blurb(tagger):
    blurb = "We are an AI-native company building LLM agents, RAG and fine-tuned models, founded in 2019.\n\n"
    role = "About the role\n\n- Build web pages with React\n- Write SQL reports for finance"
    assert categories(tagger, "Software Engineer", "About us\n\n" + blurb + role)["ai_type"] == "unknown"
    moved = "About the role\n\n- Build LLM agents and RAG pipelines\n- Write SQL reports for finance"
    assert categories(tagger, "Software Engineer", "About us\n\n" + blurb + moved)["ai_type"] == "ai-first"


# What the role builds, line by line (own synthetic lines): each distinction with an AI-first and an
# AI-support side, told apart by the rule named in the comment.
BUILDS_AI_ON_A_PLATFORM = ("Responsibilities\n\n- Build AI agents and the platform services they run on\n"
                           "- Design RAG pipelines on our data platform\n- Own CI/CD for the services")
BUILDS_A_PLATFORM_FOR_AI = ("Responsibilities\n\n- Build the platform that our AI agents run on\n"
                            "- Design data pipelines for the RAG team\n- Own CI/CD for the services")
SERVES_AI_WORKLOADS = ("Responsibilities\n\n- Develop high-throughput systems that support AI workloads and model inference\n"
                       "- Partner with ML researchers to bring their models to production\n- Tune Postgres queries")
TRAINS_MODELS = ("Responsibilities\n\n- Train ML models that support our claims adjusters\n"
                 "- Evaluate model inference quality every week\n- Tune Postgres queries")
ONE_LINE_IN_FOUR = "Responsibilities\n\n- Build LLM agents for the support desk\n- Own the React frontend\n- Write SQL reports"
CHAT_APP = ("Responsibilities\n\n- Integrate LLM features into the mobile app\n- Ship agentic AI flows to users\n"
            "- Own the UI components\n- Write SQL reports")
ML_PLATFORM = ("Responsibilities\n\n- Build the platform our data scientists train deep learning models on\n"
               "- Run the infrastructure for model training and computer vision jobs\n"
               "- Keep PyTorch and TensorFlow images current on the platform\n"
               "- Operate the MLOps platform and its feature engineering pipelines")
FDE_WITH_TOOLS = "Responsibilities\n\n- Bring an AI-first mindset to client projects\n- Use AI coding tools such as Cursor every day"


@pytest.mark.parametrize(
    "title, description, expected",
    [
        # builds_ai: building an agent or RAG is model work even on a line naming a platform ...
        ("Software Engineer", BUILDS_AI_ON_A_PLATFORM, "ai-first"),
        # ... but a platform or pipeline built for AI is enabling work
        ("Software Engineer", BUILDS_A_PLATFORM_FOR_AI, "ai-support"),
        # supports_ai: systems that support AI workloads, partnering with ML teams: enabling ...
        ("Software Engineer", SERVES_AI_WORKLOADS, "ai-support"),
        # ... while models that support a business team are the role's own model work
        ("Software Engineer", TRAINS_MODELS, "ai-first"),
        # ai_role_title: an AI role by name needs a share of 0.25 of model work, any other title 0.3
        ("AI Engineer", ONE_LINE_IN_FOUR, "ai-first"),
        ("Software Engineer", ONE_LINE_IN_FOUR, "ai-support"),
        # interface_title: the app or frontend of an AI product enables it unless model work is most of the role
        ("iOS Developer, AI Apps", CHAT_APP, "ai-support"),
        ("AI Developer", CHAT_APP, "ai-first"),
        # sales_title: marketing an AI product is near AI
        ("AI Product Marketing Manager", AI_FIRST, "ai-support"),
        # classical ML under an enabling title: ML named on platform lines is what the role enables ...
        ("AI Infrastructure Engineer", ML_PLATFORM, "ai-support"),
        # ... ML work on lines of their own is the role's
        ("AI Infrastructure Engineer", CLASSICAL_ML, "ml"),
        # a forward-deployed engineer who codes with AI tools is still AI-first; anyone else is unknown
        ("Forward Deployed AI Engineer", FDE_WITH_TOOLS, "ai-first"),
        ("Software Engineer, AI", FDE_WITH_TOOLS, "unknown"),
    ],
)
def test_ai_type_weighs_what_the_role_builds(tagger, title, description, expected):
    assert categories(tagger, title, description)["ai_type"] == expected


# ---------------------------------------------------------------- customer-facing, management, tech lead

@pytest.mark.parametrize(
    "title, description, expected",
    [
        ("Forward Deployed AI Engineer", "Ship agents.", True),
        ("Solutions Engineer", "Ship agents.", True),
        ("AI Engineer", "Responsibilities\n\n- Work directly with customers to scope pilots", True),
        ("AI Engineer", "Responsibilities\n\n- Run customer workshops and technical demos", True),
        ("AI Engineer", "Responsibilities\n\n- Travel to client sites for deployments", True),
        ("AI Consultant", "Deliver AI projects.", True),
        ("Implementation Engineer", "Ship agents.", True),
        ("Technical Account Manager, AI", "Ship agents.", True),
        ("Technical Support Engineer", "Ship agents.", True),
        # ways postings name direct customer work
        ("AI Engineer", "Responsibilities\n\n- Engage with current and prospective clients about our models", True),
        ("AI Engineer", "Responsibilities\n\n- Partner with the data team and enterprise customers on evaluations", True),
        ("AI Engineer", "Responsibilities\n\n- Work directly with pilot program customers each week", True),
        ("AI Engineer", "Responsibilities\n\n- Work hand-in-hand with customers from pilot to launch", True),
        ("AI Engineer", "Requirements\n\n- A wish for a client- facing role", True),
        ("AI Engineer", "Responsibilities\n\n- Serve as a trusted technical advisor to our largest customers", True),
        ("AI Engineer", "Responsibilities\n\n- Prepare client demos and manage client relationships", True),
        ("AI Engineer", "Responsibilities\n\n- Lead architecture discussions with customers", True),
        ("AI Engineer", "Responsibilities\n\n- Support the sales team in sales activities and pre-sale calls", True),
        ("AI Engineer", "Responsibilities\n\n- Deliver professional services projects on our platform", True),
        ("AI Engineer", "Responsibilities\n\n- Guide enterprise clients through model selection", True),
        # products for customers, culture lines and internal customers are not customer-facing
        ("AI Engineer", "Responsibilities\n\n- Build customer-facing features for millions of users", False),
        ("AI Engineer", "Responsibilities\n\n- Build internal tools for our analysts", False),
        ("AI Engineer", "Responsibilities\n\n- Partner with internal customers in finance", False),
        ("AI Engineer", "Responsibilities\n\n- Be customer-obsessed in everything you ship", False),
        ("AI Engineer", "About us\n\nWe work with clients in 40 countries.\n\nResponsibilities\n\n- Build agents", False),
        # customer words naming an internal team, a product domain, or someone else's customers
        ("AI Engineer", "Responsibilities\n\n- Collaborate with customer success managers on rollout plans", False),
        ("AI Engineer", "Responsibilities\n\n- Work closely with our Client Partners and finance", False),
        ("AI Engineer", "Responsibilities\n\n- Build tools that help brands engage with their customers", False),
        ("AI Engineer", "Responsibilities\n\n- Build copilots that help sellers connect with customers faster", False),
        ("AI Engineer", "Responsibilities\n\n- Partner with product managers and customer support leads", False),
        ("AI Engineer", "Responsibilities\n\n- Build ML models with our product and data teams", False),
        ("AI Engineer", "Responsibilities\n\n- Work with product teams to serve our enterprise customers", False),
        # the company's voice, and a team or company named after its services
        ("AI Engineer", "Responsibilities\n\n- We are proud to partner with our customers on sustainability", False),
        ("AI Engineer", "Responsibilities\n\n- Join the Professional Services team to automate its operations", False),
        ("AI Deployment Engineer", "Responsibilities\n\n- Deploy models to our internal platform", False),
    ],
)
def test_customer_facing(tagger, title, description, expected):
    assert categories(tagger, title, description)["is_customer_facing"] is expected


@pytest.mark.parametrize(
    "title, description, expected, rule",
    [
        # developer relations: outside developers are the role's public; a company "community" is not
        ("Developer Technology Engineer, Inference", "Tune kernels.", True, "developer relations title"),
        ("Developer Advocate, LLM Tooling", "Write tutorials.", True, "developer relations title"),
        ("ML Engineer (Community & Education)", "Run workshops.", True, "developer relations title"),
        ("ML Engineer - Become part of our community", "Train rankers.", False, "default"),
        # pre-sales: the sellers and the buyers together, or the account executives
        ("AI Engineer", "Responsibilities\n\n- Team up with the sales team and prospective customers on pilots", True,
         "works with external customers"),
        ("AI Engineer", "Responsibilities\n\n- Partner closely with account executives during evaluations", True,
         "works with external customers"),
        ("AI Engineer", "Responsibilities\n\n- Work with sales and marketing to automate lead scoring", False, "default"),
        # embedded with outside partners or users, at work inside the customers' own systems
        ("AI Engineer", "Responsibilities\n\n- Embed with our hospital partners to map their intake flow", True,
         "works with external customers"),
        ("AI Engineer", "Responsibilities\n\n- Sit embedded with our product partners in planning", False, "default"),
        ("AI Engineer", "Responsibilities\n\n- Troubleshoot agent behaviour inside live customer environments", True,
         "works with external customers"),
        ("AI Engineer", "Responsibilities\n\n- Install and debug the vision stack within client data centers", True,
         "works with external customers"),
        ("AI Engineer", "Responsibilities\n\n- Ship models that stay reliable in live customer environments", False, "default"),
        ("AI Engineer", "About the role\n\nWe want customer facing problem-solvers who like to travel.", True,
         "works with external customers"),
        # clients that are software, customers as what a model learns
        ("AI Engineer", "Responsibilities\n\n- Work with client-side rendering in the web app", False, "default"),
        ("AI Engineer", "Responsibilities\n\n- Work with customer churn signals to rank retention offers", False, "default"),
        ("AI Engineer", "Responsibilities\n\n- Keep the gateway communicating with mobile clients under load", False, "default"),
        # calls the role joins, not the calls a product answers
        ("AI Engineer", "Responsibilities\n\n- Join customer calls with the account team each week", True, "works with external customers"),
        ("AI Engineer", "Responsibilities\n\n- Build voice agents that answer inbound customer calls", False, "default"),
        # technical workshops are run for customers; workshops for the company's own teams are not
        ("AI Engineer", "Responsibilities\n\n- Lead deep-dive technical workshops on retrieval design", True, "works with external customers"),
        ("AI Engineer", "Responsibilities\n\n- Run internal workshops that help our teams adopt agents", False, "default"),
        ("AI Engineer", "Responsibilities\n\n- Run internal technical workshops to upskill our engineers", False, "default"),
        ("AI Engineer", "Responsibilities\n\n- Attend technical workshops and conferences", False, "default"),
        # words that begin like customer work and are not: embeddings, workloads, workflows
        ("AI Engineer", "Responsibilities\n\n- Train embeddings with implicit feedback from users", False, "default"),
        ("AI Engineer", "Responsibilities\n\n- Optimize GPU workloads running inside customer infrastructure", False, "default"),
        ("AI Engineer", "Responsibilities\n\n- Build agents that automate workflows within client systems", False, "default"),
        ("AI Engineer", "Responsibilities\n\n- Build LLM systems that draft customer-facing communications such as emails",
         False, "default"),
        # the role on the calls and in the meetings: only a product answering them is no customer work
        ("AI Engineer", "Responsibilities\n\n- Handle technical questions on customer calls", True, "works with external customers"),
        ("AI Engineer", "Responsibilities\n\n- Schedule and lead customer meetings to scope deployments", True,
         "works with external customers"),
        # a consultancy named in the legal footer or the requirements is not the employer's description
        ("AI Engineer", "Responsibilities\n\n- Build ML models that help our clients detect fraud\n\nRequirements\n\n"
                        "- 3+ years at a product company or consultancy", False, "default"),
        ("AI Engineer", "Responsibilities\n\n- Build ML models that help our clients detect fraud\n\n"
                        "We do not accept unsolicited resumes from agencies or consultancies.", False, "default"),
        # a community title names developer relations, not a trust-and-safety team
        ("Senior AI Engineer (Community & Education)", "Build things.", True, "developer relations title"),
        ("ML Engineer, Community & Safety", "Build things.", False, "default"),
        # how often or how closely the role works with them
        ("AI Engineer", "Responsibilities\n\n- Meet regularly with enterprise clients to review rollout plans", True,
         "works with external customers"),
        ("AI Engineer", "Responsibilities\n\n- Collaborate hands-on with customers while they onboard", True,
         "works with external customers"),
        # at the customers' own places, however the words are joined
        ("AI Engineer", "Responsibilities\n\n- Spend two days a week at client premises during rollout", True,
         "works with external customers"),
        ("AI Engineer", "Responsibilities\n\n- Calibrate the vision models on customer-site hardware", True,
         "works with external customers"),
        ("AI Engineer", "Requirements\n\n- Three years of client-facing communication in delivery work", True,
         "works with external customers"),
        ("AI Engineer", "Responsibilities\n\n- Store customer locations for the routing model", False, "default"),
        # relationships with clients, by another name
        ("AI Engineer", "Responsibilities\n\n- Build lasting client connections while delivering models", True,
         "works with external customers"),
        # learning what customers need from them, not product empathy
        ("AI Engineer", "Responsibilities\n\n- Identify customer pain points in scoping calls", True, "works with external customers"),
        ("AI Engineer", "Responsibilities\n\n- Understand customer workflows by shadowing operators", True,
         "works with external customers"),
        ("AI Engineer", "Responsibilities\n\n- Bring a deep understanding of customer needs to the roadmap", False, "default"),
        # consulting is client delivery: a consultancy's role that names its clients
        ("AI Engineer", "About us\n\nNorthwind is a data consultancy.\n\nResponsibilities\n\n- Ship retrieval systems for our clients in retail",
         True, "a consultancy's role names its clients"),
        ("AI Engineer", "About us\n\nA consultancy of forty people.\n\nResponsibilities\n\n- Keep our internal data platform healthy",
         False, "default"),
        ("AI Engineer", "About us\n\nOur buyers include large consulting firms.\n\nResponsibilities\n\n- Tune rankers our clients rely on",
         False, "default"),
        ("AI Engineer", "About us\n\nWe are a consultancy.\n\nResponsibilities\n\n- Write client-side caching for the web app",
         False, "default"),
        # a role that might, or might not, be one working with clients
        ("AI Engineer", "Responsibilities\n\n- Some engineers may work in field roles, working directly with clients", False,
         "default"),
    ],
)
def test_customer_facing_phrasings_name_their_rule(tagger, title, description, expected, rule):
    tags = tagger.tag(title, description)
    assert tags.categories["is_customer_facing"] is expected
    assert tags.evidence["is_customer_facing"][0]["rule"] == rule


@pytest.mark.parametrize(
    "title, description, management, tech_lead",
    [
        # a people manager leads the engineers technically too
        ("Engineering Manager, AI", "Build things.", True, True),
        ("Head of AI", "Build things.", True, True),
        ("Director of Machine Learning", "Build things.", True, True),
        ("AI Engineer", "Responsibilities\n\n- Manage a team of five engineers", True, True),
        ("AI Engineer", "Responsibilities\n\n- You will have three direct reports", True, True),
        ("AI Engineer", "Responsibilities\n\n- Hire and grow the team you lead", True, True),
        # technical leadership is not management
        ("Lead AI Engineer", "Build things.", False, True),
        ("Staff AI Engineer", "Build things.", False, True),
        ("Principal ML Engineer", "Build things.", False, True),
        ("AI Engineer", "Responsibilities\n\n- Mentor junior engineers through code reviews", False, True),
        ("AI Engineer", "Responsibilities\n\n- Set the technical direction for our agent platform", False, True),
        ("AI Engineer", "Responsibilities\n\n- Help with the hiring, mentoring, and growth of other engineers", False, True),
        ("AI Engineer", "Responsibilities\n\n- Drive the technical AI strategy for search", False, True),
        # being mentored is not mentoring
        ("AI Engineer Apprentice", "Responsibilities\n\n- Learn through mentorship from senior engineers", False, False),
        ("Senior AI Engineer", "Responsibilities\n\n- Write code and review designs", False, False),
        ("Product Manager, AI", "Build things.", False, False),
        ("AI Engineer", "Responsibilities\n\n- Lead, coach and mentor a team of six engineers", True, True),
        # managing work done for people is not managing them
        ("AI Engineer", "Responsibilities\n\n- Manage and develop the ML platform for engineers across the company", False, False),
        ("AI Engineer", "Responsibilities\n\n- Manage and lead projects across teams to ship LLM features", False, False),
        ("AI Engineer", "Responsibilities\n\n- Manage, coach and develop a small number of staff", True, True),
        # a bank's rank after the job title manages no one; an engineering director does
        ("AI Platform Engineer, Director", "Build things.", False, False),
        ("Engineering Director, AI Platform", "Build things.", True, True),
        # mentoring a team, or leading work without reports, is technical leadership
        ("AI Engineer", "Responsibilities\n\n- Mentor a small team of engineers on evaluation", False, True),
        ("AI Engineer", "Requirements\n\n- Experience mentoring a team of data scientists", False, True),
        # an employer's hedged boilerplate describes no one's reports, nor does a denial
        ("AI Engineer", "Expectations\n\n- If managing a team, they define jobs\n- They supervise a team of analysts", False, False),
        ("AI Engineer", "Responsibilities\n\n- Set the technical direction without direct people management", False, True),
        ("AI Engineer", "Responsibilities\n\n- Lead through influence rather than people management", False, False),
        ("AI Engineer", "About the role\n\nThis role doesn\u2019t include people management.", False, False),
        # managing among other verbs, of staff or of teams
        ("AI Engineer", "Responsibilities\n\n- Manage, coach and develop a few junior staff", True, True),
        ("AI Engineer", "Requirements\n\n- You will manage and mentor teams of engineers on client work", True, True),
        # a rank after the job title, not a director of anything
        ("ML Platform Engineer, Director", "Build things.", False, False),
        ("Director of AI Engineering", "Build things.", True, True),
        # managers of a product, a market or a relationship; APM tools
        ("Senior Product Marketing Manager, AI", "Build things.", False, False),
        ("Customer Success Manager, AI", "Build things.", False, False),
        ("Distinguished Engineer, Office of the CTO", "Build things.", False, True),
        ("AI Engineer", "Requirements\n\n- Experience with application performance management tools", False, False),
    ],
)
def test_management_and_tech_lead(tagger, title, description, management, tech_lead):
    found = categories(tagger, title, description)
    assert (found["is_management"], found["is_tech_lead"]) == (management, tech_lead)


# ---------------------------------------------------------------- evidence

def test_every_category_keeps_its_evidence(tagger):
    tags = tagger.tag("Staff AI Engineer", "About us\n\nWe sell AI.\n\n" + AI_FIRST.replace("About the role", "The Role"))
    assert set(tags.evidence) == KEYS - {"ai_type_confidence"}  # its why is a row of ai_type's
    for rows in tags.evidence.values():
        assert rows and all(set(row) == {"rule", "condition", "matched", "section"} for row in rows)
    ai_type = tags.evidence["ai_type"]
    assert ai_type[0]["rule"] == "model work outweighs enabling work (AI title)"
    assert {row["section"] for row in ai_type if row["matched"]} <= {"title", "role", "requirements"}  # the AI title and the lines weighed
    assert [row["matched"] for row in ai_type if row["matched"]]  # the phrases that decided it
    assert tags.evidence["is_tech_lead"][0] == {
        "rule": "technical leadership title", "condition": "title: tech_lead_title", "matched": "Staff", "section": "title"
    }
    assert tags.evidence["is_customer_facing"] == [{"rule": "default", "condition": None, "matched": None, "section": None}]


def test_skill_evidence_keeps_its_section(tagger):
    tags = tagger.tag("AI Engineer", AI_FIRST)
    by_skill = {s["skill"]: s for s in tags.skills}
    assert by_skill["RAG"]["section"] == "role" and by_skill["Python"]["section"] == "role"


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
                if key in {"title", "text", "industries", "skills", "lines", "phrases", "unless"}:
                    used.update([value] if isinstance(value, str) else value)
                else:
                    collect(value)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    collect(config["categories"])
    collect(config["line_kinds"])
    for entries in config["phrases"].values():  # sets other sets include
        used.update(entry["include"] for entry in entries if isinstance(entry, dict) and "include" in entry)
    assert set(config["phrases"]) | set(config["skill_groups"]) <= used
