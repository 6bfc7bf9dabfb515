"""A re-tag beside a crawl writes labels only for jobs whose text is still the one it read: a crawl
that re-fetched a job meanwhile gave it the labels of its new text, which stay. (The LLM labeller's
side of it: tests/test_label.py.)"""

from __future__ import annotations

from jobcrawler import retag, storage
from tests.test_label import query
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
    def tag_while_a_crawl_refetches_job_1(rows, tagger=None):
        tagged = TAG(rows, tagger)  # labels of the old text
        crawl_stores(path, posting("1", NEW_TEXT))
        return tagged

    monkeypatch.setattr(retag, "_tag_rows", tag_while_a_crawl_refetches_job_1)
    assert retag.retag(path, everything=True) == retag.RetagResult(written=1, changed=1)
    assert "Python" not in skills_of(path, "1") and "React" in skills_of(path, "1")
    assert "Python" in skills_of(path, "2")
    monkeypatch.setattr(retag, "_tag_rows", TAG)
    assert retag.retag(path) == retag.RetagResult()  # nothing left of another version: and nothing stale
