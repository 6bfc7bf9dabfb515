"""The published labels, through the LLM labeller: the two sources must come out the same.

Imports batch 2026-02-04 of ../shared/fieldguide (the published 895 postings), then runs
``jobcrawler.label`` against a local OpenAI-compatible server that answers each posting with its
published structured label (data_structured). The labels stored as ``llm:<model>`` must equal the
imported ``fieldguide`` ones (all but the version and the time of labelling), their skills too, and
every report table built from the two sources must be identical.
"""

from __future__ import annotations

import sqlite3


from analysis.build import BUILD_TABLE, build
from jobcrawler import fieldguide
from jobcrawler import label as labeller
from jobcrawler.storage import JOB_LABEL_COLUMNS
from tests.helpers import FIELDGUIDE, REPO, needs_fieldguide
from tests.label_server import MODEL_ID, LabelServer, llm_config

DATASET = FIELDGUIDE
SOURCE = f"llm:{MODEL_ID}"
pytestmark = needs_fieldguide()


def published_answers(db_path) -> dict[str, dict]:
    """Posting text (as the labeller writes it) -> that posting's published label."""
    root = fieldguide.dataset_root(DATASET)
    files = {path.name.split("_", 1)[0]: path for path in (root / "data_structured").glob("*.yaml")}
    conn = sqlite3.connect(db_path)
    answers = {}
    for job_id, title, company, description in conn.execute(
            "SELECT job_id, coalesce(title_raw, title), company, description FROM jobs"):
        label = fieldguide.load_yaml(files[job_id])[0] if job_id in files else None
        if label is not None:
            answers[labeller.posting_text(title, company, description)] = label
    conn.close()
    return answers


def table(conn, sql: str, source: str) -> list[tuple]:
    return conn.execute(sql, [source]).fetchall()


def test_the_published_labels_through_the_labeller_equal_the_imported_ones(tmp_path, monkeypatch):
    db = tmp_path / "jobs.db"
    imported = fieldguide.import_dataset(DATASET, db, batch="2026-02-04")
    assert imported.batches == {"2026-02-04": 895}
    answers = published_answers(db)
    home = tmp_path / "llm"
    monkeypatch.setenv("LLM_USER_PATH", str(home))
    with LabelServer(answers.__getitem__) as server:
        llm_config(home, server.url)
        report = labeller.label(db, MODEL_ID, concurrency=4, progress=False,
                                settings=labeller.Settings(attempts=2, backoff=0.01, timeout=30))
        assert (report.status, report.failed, report.labelled) == ("ok", 0, 895)
        assert server.requests == len(answers) == 895
        again = labeller.label(db, MODEL_ID, progress=False)
        assert (again.cached, again.calls, server.requests) == (895, 0, 895)  # a re-run asks nothing

    conn = sqlite3.connect(db)
    columns = ", ".join(c for c in JOB_LABEL_COLUMNS if c not in ("labels", "version", "labelled_at"))
    labels = f"SELECT {columns} FROM job_labels WHERE labels = ? ORDER BY job_id"
    assert len(table(conn, labels, "fieldguide")) == 895
    assert table(conn, labels, SOURCE) == table(conn, labels, "fieldguide")
    skills = "SELECT job_id, skill, category, matched, source FROM job_skills WHERE labels = ? ORDER BY job_id, rowid"
    assert table(conn, skills, SOURCE) == table(conn, skills, "fieldguide")
    assert report.unknown_skills == imported.unknown_skills  # the same names, counted alike

    build(db, "fieldguide")
    build(db, SOURCE)
    reports = [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'report\\_%' ESCAPE '\\' ORDER BY name")]
    compared = []
    for name in reports:
        every = [row[1] for row in conn.execute(f"PRAGMA table_info({name})")]
        if name == BUILD_TABLE or "labels" not in every:  # when each source was built; no report
            continue
        columns = [column for column in every if column != "labels"]
        select = f"SELECT {', '.join(columns)} FROM {name} WHERE labels = ? ORDER BY rowid"
        published = table(conn, select, "fieldguide")
        assert published, name
        ours = table(conn, select, SOURCE)
        if name == "report_label_agreement":  # each source measured against the other: name the other alike
            other = columns.index("other_labels")
            published, ours = ([tuple("the twin" if i == other and v == twin else v for i, v in enumerate(row))
                                for row in rows] for rows, twin in ((published, SOURCE), (ours, "fieldguide")))
        if name == "report_label_deciders":  # each source decided its own jobs: name it alike
            decided = columns.index("decided_by")
            published, ours = ([tuple("itself" if i == decided and v == own else v for i, v in enumerate(row))
                                for row in rows] for rows, own in ((published, "fieldguide"), (ours, SOURCE)))
        assert ours == published, name
        compared.append(name)
    queries = {f"report_{path.stem}" for path in (REPO / "analysis" / "reports").glob("*.sql") if not path.stem.startswith("_")}
    assert set(compared) == queries  # every report table, compared
    conn.close()
