"""What an LLM endpoint can do to a label run: an answer trickled byte by byte ends at --timeout for
the whole answer, an answer too long is refused, and a key echoed in an error body is never
stored, shown or logged."""

from __future__ import annotations

import json
import logging

from jobcrawler import label as labeller
from tests.helpers import JOBS
from tests.label_server import LabelServer, any_posting_answer, llm_config
from tests.test_label import FAST, MODEL_ID, db, llm_home, query, text_of  # noqa: F401 - fixtures

KEY = "sk-test-0123456789abcdefSECRET"


def test_an_answer_trickled_byte_by_byte_is_cut_at_the_timeout(db, llm_home):  # noqa: F811
    """Each byte comes well within the read timeout; the whole answer would take minutes."""
    job = JOBS[0]
    with LabelServer(lambda text: any_posting_answer(), faults={text_of(job): ["trickle"] * 2},
                     slow_seconds=0.3) as server:
        llm_config(llm_home, server.url)
        settings = labeller.Settings(attempts=2, backoff=0.01, max_wait=0.1, timeout=1.0)
        report = labeller.label(db, MODEL_ID, limit=1, settings=settings, progress=False)
    assert (report.labelled, report.failed) == (0, 1)
    outcomes = [row[0] for row in query(db, "SELECT outcome FROM label_calls")]
    assert len(outcomes) == 2 and all("Timeout" in outcome for outcome in outcomes), outcomes


def test_an_answer_too_long_is_refused_and_never_stored(db, llm_home):  # noqa: F811
    huge = any_posting_answer()
    huge["company"]["focus"] = "x" * (labeller.MAX_ANSWER_CHARS + 1)
    with LabelServer(lambda text: huge) as server:
        llm_config(llm_home, server.url)
        report = labeller.label(db, MODEL_ID, limit=1, settings=FAST, progress=False)
    assert (report.labelled, report.failed) == (0, 1)
    assert query(db, "SELECT count(*), max(length(answer)) FROM label_cache") == [(0, None)]
    reasons = [row[0] for row in query(db, "SELECT reason FROM label_failures")]
    assert reasons and reasons[0].startswith("invalid answer: an answer of ")


def test_a_key_echoed_in_an_error_is_not_stored_shown_or_logged(db, llm_home, monkeypatch, caplog):  # noqa: F811
    (llm_home / "keys.json").write_text(json.dumps({"stand_in": KEY}))
    with LabelServer(lambda text: any_posting_answer(), faults={text_of(job): ["401 echo"] for job in JOBS}) as server:
        llm_config(llm_home, server.url, api_key_name="stand_in")
        with caplog.at_level(logging.DEBUG):
            report = labeller.label(db, MODEL_ID, concurrency=1, settings=FAST, progress=False)
    assert server.requests >= 1 and report.status == "failed"
    stored = json.dumps(query(db, "SELECT * FROM label_runs") + query(db, "SELECT * FROM label_calls"))
    assert "[redacted]" in stored and KEY not in stored
    assert KEY not in "\n".join(labeller.summary(report, db)) and KEY not in caplog.text
