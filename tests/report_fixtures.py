"""A small crawl database with hand-countable answers, for the report and Datasette tests.

14 jobs, 4 crawl runs (London and Berlin in January 2026, London and New York in February),
written through jobcrawler.storage like the crawler does. Some jobs are seen twice (J1 in
London both months, J2 in London and Berlin, J7 in London and New York, J13 in Berlin and
London), so the city/period cells overlap. J12 carries script/img markup in its title and
company and has no tags: it must show escaped and count only in totals.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from jobcrawler.storage import finish_run, job_row, label_row, open_db, record_sighting, save_job, start_run

XSS_TITLE = "<script>window.__xss=1</script> AI Engineer"
XSS_COMPANY = 'Evil <img src=x onerror="window.__xss=2">'

RUNS = {  # name: (city key, crawl start)
    "R1": ("london", "2026-01-05T06:00:00+00:00"),
    "R2": ("berlin", "2026-01-06T06:00:00+00:00"),
    "R3": ("london", "2026-02-03T06:00:00+00:00"),
    "R4": ("newyork", "2026-02-04T06:00:00+00:00"),
}

SKILL_CATEGORIES = {
    "RAG": "genai", "prompt engineering": "genai", "LangChain": "genai", "agents": "genai",
    "LangGraph": "genai", "LLMs": "genai", "OpenAI API": "genai", "LlamaIndex": "genai",
    "PyTorch": "ml", "TensorFlow": "ml", "fine-tuning": "ml", "model training": "ml",
    "Python": "languages", "Go": "languages", "TypeScript": "languages", "SQL": "languages",
    "Docker": "ops", "Kubernetes": "ops", "Terraform": "ops",
    "AWS": "cloud",
    "React": "web", "FastAPI": "web", "Next.js": "web",
    "PostgreSQL": "databases", "Pinecone": "databases",
    "Spark": "data",
}


def job(number, title, company, ai_type, stage, posted, skills, seen, **tags):
    return {
        "job_id": str(9000 + number),
        "url": f"https://builtin.com/job/fixture-{number}/{9000 + number}",
        "title": title,
        "company": company,
        "ai_type": ai_type,
        "company_stage": stage,
        "posted_date": posted,
        "skills": skills,
        "seen": seen,  # [(run, city)], the first one saves the job
        **tags,
    }


JOBS = [
    job(1, "AI Engineer", "Acme", "ai-first", "Seed", "2026-01-02",
        ["RAG", "prompt engineering", "LangChain", "Python", "Docker", "PyTorch"],
        [("R1", "london"), ("R3", "london")],
        is_customer_facing=True, fine_tuning="primary",
        fine_tuning_use_cases=["instruction following", "domain knowledge"]),
    job(2, "Senior AI Engineer", "Acme", "ai-first", "Seed", "2026-01-03",
        ["RAG", "agents", "LangGraph", "LangChain", "Python", "AWS", "React"],
        [("R1", "london"), ("R2", "berlin")],
        is_management=True, fine_tuning="secondary", fine_tuning_use_cases=["domain knowledge"],
        is_frontend=True, is_backend=True, is_fullstack=True),
    job(3, "AI Engineer", "Beta", "ai-first", "Series B", "2026-01-04",
        ["RAG", "LLMs", "OpenAI API", "Python", "FastAPI", "Kubernetes", "Pinecone"],
        [("R2", "berlin")],
        is_entry_level=True, is_backend=True, fine_tuning="none"),
    job(4, "Applied AI Engineer", "Beta", "ai-first", "Series B", "2026-01-20",
        ["agents", "prompt engineering", "PyTorch", "Python", "fine-tuning"],
        [("R3", "london")],
        is_research=True),
    job(5, "AI Platform Engineer", "Gamma", "ai-support", "Public", "2026-01-25",
        ["Kubernetes", "Docker", "AWS", "Python", "Terraform", "LLMs"],
        [("R4", "newyork")],
        support_category="platform/infrastructure", fine_tuning_use_cases=["privacy"]),
    job(6, "Senior AI Platform Engineer", "Gamma", "ai-support", "Public", "2026-01-28",
        ["Kubernetes", "Go"],
        [("R4", "newyork")],
        support_category="platform/infrastructure"),
    job(7, "AI Sales Engineer", "Delta", "ai-support", "Series D+", "2026-01-30",
        ["OpenAI API", "RAG"],
        [("R3", "london"), ("R4", "newyork")],
        support_category="sales/solutions", is_customer_facing=True, is_entry_level=True),
    job(8, "Backend Engineer - AI", "Delta", "ai-support", "Series D+", "2025-12-20",
        ["Python", "PostgreSQL"],
        [("R2", "berlin")],
        support_category="backend/general SWE"),
    job(9, "Computer Vision AI Engineer", "Epsilon", "ml", "Series A", "2026-02-01",
        ["PyTorch", "TensorFlow", "Python"],
        [("R4", "newyork")]),
    job(10, "AI Research Engineer", "Zeta", "ai-first", "Private/unknown", "2025-12-28",
        ["PyTorch", "model training", "RAG"],
        [("R1", "london")],
        is_research=True),
    job(11, "Full Stack Engineer (AI)", "Acme", "ai-first", "Seed", "2026-01-31",
        ["React", "TypeScript", "RAG", "Next.js"],
        [("R3", "london")],
        is_frontend=True, is_backend=True, is_fullstack=True),
    job(12, XSS_TITLE, XSS_COMPANY, None, None, "2026-02-02",
        [],
        [("R4", "newyork")],
        description='<b>bold?</b> <img src=x onerror="window.__xss=3">'),
    job(13, "Staff AI Engineer", "Beta", "ai-first", "Series B", "2026-01-10",
        ["LlamaIndex", "LangChain", "RAG"],
        [("R2", "berlin"), ("R3", "london")]),
    job(14, "Data Engineer, AI Platform", "Gamma", "ai-support", "Public", "2026-01-15",
        ["Spark", "Python", "SQL"],
        [("R1", "london")],
        support_category="data/pipelines"),
]


def build_fixture_db(path: str | Path) -> Path:
    """Write the fixture jobs into a new database at ``path`` (report tables not built)."""
    path = Path(path)
    db = open_db(path)
    run_ids = {}
    for name, (city, started_at) in RUNS.items():
        run_id = start_run(db, "builtin", city, "AI Engineer", {"city": city})
        finish_run(db, run_id, {"started_at": started_at, "finished_at": started_at, "status": "ok"})
        run_ids[name] = (run_id, started_at)
    for values in JOBS:
        (first_run, first_city), *later = values["seen"]
        content = {k: v for k, v in values.items() if k not in ("skills", "seen")}
        content.setdefault("description", f"{values['title']} at {values['company']}.")
        skills = [
            {"skill": skill, "category": SKILL_CATEGORIES[skill], "matched": skill, "source": "description"}
            for skill in values["skills"]
        ]
        run_id, seen_at = run_ids[first_run]
        save_job(db, job_row(content), city=first_city, run_id=run_id, locations=[], skills=skills, seen_at=seen_at,
                 labels=label_row(content, "rules", "fixture", seen_at))
        for run, city in later:
            run_id, seen_at = run_ids[run]
            record_sighting(db, values["job_id"], city, run_id, seen_at)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return path


ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_command(db: str | Path, port: int) -> list[str]:
    """What a person runs to open the site."""
    return [sys.executable, "-m", "analysis", "serve", "--db", str(db), "--port", str(port)]


def start_server(command: list[str], log: Path) -> subprocess.Popen:
    with log.open("w") as output:
        return subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=output)


def wait_until_up(url: str, server: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"datasette exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"datasette did not answer at {url}")


def datasette_processes(port: int) -> list[int]:
    """PIDs of live ``datasette`` processes serving ``port`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and b"datasette" in args and str(port).encode() in args:
            found.append(int(entry.name))
    return found
