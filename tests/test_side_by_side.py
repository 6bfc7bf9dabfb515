"""Processes that run beside a crawl: a re-tag or an LLM label run writes labels only for jobs whose
text is still the one it read (a crawl that re-fetched a job meanwhile gave it the labels of its
new text, which stay), and a label run counts every request it sent, even on the one it stopped."""

from __future__ import annotations

import json

import pytest

from jobcrawler import label as labeller
from jobcrawler import retag, storage
from tests.helpers import JOBS
from tests.test_label import FAST, MODEL_ID, SOURCE, db, llm_home, query, server, text_of  # noqa: F401 - fixtures
from tests.test_storage_batches import SEEN

OLD_TEXT = "Build RAG pipelines in Python with LangChain."
NEW_TEXT = "Build React and TypeScript front ends for our chat product."
TAG = retag._tag_rows  # the tagger, as a crawl runs it (the tests below wrap retag's)


def posting(job_id: str, description: str) -> dict:
    row = storage.job_row({"job_id": job_id, "title": "AI Engineer", "company": "Acme", "description": description,
                           "top_skills": [], "industries": [], "posted_date": "2026-01-20"})
    return {"row": row, "city": "berlin", "run_id": None, "seen_at": SEEN, "locations": [], "skills": []}


def crawl_stores(path, job: dict) -> None:
    """What a crawl does to a re-fetched job: its new text, tagged, in one transaction."""
    (job_id, labels, skills), = TAG([(job["row"]["job_id"], job["row"]["title"], job["row"]["description"],
                                                  "[]", "[]", None, None)])
    crawler = storage.open_db(path)
    storage.save_jobs(crawler, [{**job, "labels": labels, "skills": skills}])
    crawler.close()


def skills_of(path, job_id: str) -> set[str]:
    return {row[0] for row in query(path, "SELECT skill FROM job_skills WHERE job_id = ? AND labels = 'rules'",
                                    [job_id])}


def test_a_retag_does_not_overwrite_the_labels_a_crawl_gave_a_job_s_new_text(tmp_path, monkeypatch):
    path = tmp_path / "jobs.db"
    for job_id in ("1", "2"):
        crawl_stores(path, posting(job_id, OLD_TEXT))
    assert "Python" in skills_of(path, "1")
    def tag_while_a_crawl_refetches_job_1(rows):
        tagged = TAG(rows)  # labels of the old text
        crawl_stores(path, posting("1", NEW_TEXT))
        return tagged

    monkeypatch.setattr(retag, "_tag_rows", tag_while_a_crawl_refetches_job_1)
    assert retag.retag(path, everything=True) == retag.RetagResult(written=1, changed=1)
    assert "Python" not in skills_of(path, "1") and "React" in skills_of(path, "1")
    assert "Python" in skills_of(path, "2")
    monkeypatch.setattr(retag, "_tag_rows", TAG)
    assert retag.retag(path) == retag.RetagResult()  # nothing left of another version: and nothing stale


def test_a_label_run_leaves_a_posting_a_crawl_changed_while_it_was_asked(db, server):  # noqa: F811
    changed = JOBS[0]
    answer = server.answer

    def answer_while_a_crawl_refetches(text):
        if text == text_of(changed):
            conn = storage.open_db(db)
            with storage.transaction(conn):
                conn.execute("UPDATE jobs SET description = ? WHERE job_id = ?", [NEW_TEXT, changed["job_id"]])
            conn.close()
        return answer(text)

    server.answer = answer_while_a_crawl_refetches
    report = labeller.label(db, MODEL_ID, concurrency=2, settings=FAST, progress=False)
    assert (report.status, report.labelled, report.changed) == ("ok", 13, 1)
    assert query(db, "SELECT count(*) FROM job_labels WHERE labels = ? AND job_id = ?",
                 [SOURCE, changed["job_id"]]) == [(0,)]
    assert any("re-fetched by a crawl" in line for line in labeller.summary(report, db))
    server.answer = lambda text: answer(text_of(changed)) if NEW_TEXT in text else answer(text)
    again = labeller.label(db, MODEL_ID, settings=FAST, progress=False)
    assert (again.calls, again.labelled, again.changed) == (1, 14, 0)  # the new text, asked once


def test_a_label_run_stopped_by_a_refusal_counts_every_request_it_sent(db, server):  # noqa: F811
    server.faults = {text_of(job): ["401"] for job in JOBS}
    report = labeller.label(db, MODEL_ID, concurrency=4, settings=FAST, progress=False)
    assert report.status == "failed" and report.requests == server.requests >= 1
    assert query(db, "SELECT requests FROM label_runs") == [(server.requests,)]
    outcomes = [json.dumps(row) for row in query(db, "SELECT outcome FROM label_calls")]
    assert len(outcomes) == server.requests and all("http 401" in outcome for outcome in outcomes)


def test_a_second_label_run_of_one_model_is_refused_while_the_first_runs(db, server):  # noqa: F811
    conn = storage.open_db(db)
    first = storage.start_label_run(conn, SOURCE, MODEL_ID, "v", {})  # this process: alive, running
    conn.close()
    with pytest.raises(labeller.LabelError, match=f"label run {first} of {SOURCE} is running"):
        labeller.label(db, MODEL_ID, settings=FAST, progress=False)
    assert server.requests == 0
