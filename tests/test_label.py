"""The LLM labeller (python -m jobcrawler.label) against a local OpenAI-compatible server.

Real HTTP on loopback; ``llm`` finds the server through LLM_USER_PATH (a temp folder holding
extra-openai-models.yaml), never the user's own llm configuration. The server's request count
proves the cache; its faults (429 with Retry-After, 500, malformed JSON, schema-invalid answers,
slow answers, a refused key) are each retried or recorded, nothing lost, nothing duplicated.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest

from analysis.build import build
from jobcrawler import label as labeller
from jobcrawler import storage
from tests.helpers import JOBS, REPO, SKILL_CATEGORIES, build_fixture_db
from tests.label_server import MODEL_ID, LabelServer, any_posting_answer, llm_config

SOURCE = f"llm:{MODEL_ID}"
FAST = labeller.Settings(attempts=3, backoff=0.01, max_wait=1.0, timeout=5.0)
AI_TYPES = {"ai-first": "ai-first", "ai-support": "ai-support", "ml": "ml-first", None: "unknown"}


def record(job: dict) -> dict:
    """The answer a model would give for one fixture posting."""
    lists = {name: [] for name in labeller.SKILL_LISTS}
    for skill in job["skills"]:
        lists[SKILL_CATEGORIES[skill]].append(skill)
    lists["other"].append("Quantum Basket Weaving")  # no taxonomy skill: kept and counted
    return {
        "company": {"name": job["company"], "stage": {"Series D+": "Series E", "Private/unknown": None}.get(
            job["company_stage"], job["company_stage"]), "focus": "software"},
        "position": {
            "title": job["title"],
            "ai_type": {"type": AI_TYPES[job["ai_type"]], "reasoning": "what the role does"},
            "responsibilities": ["Build LLM features", "Ship to production", "Write tests", "Review code"],
            "use_cases": ["customer support assistant", "search", "document review"],
            "skills": lists,
            "is_customer_facing": bool(job.get("is_customer_facing")),
            "is_management": bool(job.get("is_management")),
        },
    }


def text_of(job: dict) -> str:
    return labeller.posting_text(job["title"], job["company"], job.get("description") or f"{job['title']} at {job['company']}.")


ANSWERS = {text_of(job): record(job) for job in JOBS}
BY_ID = {job["job_id"]: job for job in JOBS}


@pytest.fixture
def db(tmp_path):
    return build_fixture_db(tmp_path / "jobs.db")


@pytest.fixture
def llm_home(tmp_path, monkeypatch):
    """LLM_USER_PATH in a temp folder; no key of the user's leaks in."""
    home = tmp_path / "llm"
    home.mkdir()
    monkeypatch.setenv("LLM_USER_PATH", str(home))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    return home


@pytest.fixture
def server(llm_home):
    with LabelServer(ANSWERS.__getitem__) as running:
        llm_config(llm_home, running.url)
        yield running


def query(db_path, sql, params=()):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_labels_sample_postings_and_builds_reports(db, server):
    report = labeller.label(db, MODEL_ID, concurrency=3, settings=FAST, progress=False)
    assert (report.status, report.selected, report.calls, report.labelled, report.failed) == ("ok", 14, 14, 14, 0)
    assert server.requests == 14 and set(server.by_text.values()) == {1}
    prompt = labeller.load_prompt()
    assert server.schemas and all(schema == prompt.schema for schema in server.schemas)

    labels = {row[0]: row[1:] for row in query(db, "SELECT job_id, ai_type, company_stage, company_stage_raw, version, "
                                               "is_customer_facing FROM job_labels WHERE labels = ?", [SOURCE])}
    assert len(labels) == 14 and {row[3] for row in labels.values()} == {prompt.version}
    assert labels["9009"][:3] == ("ml", "Series A", "Series A")  # ml-first read as ml
    assert labels["9007"][1:3] == ("Series D+", "Series E")  # stage normalized, its text kept
    assert labels["9010"][1:3] == ("Private/unknown", None)
    assert labels["9001"][4] == 1 and labels["9012"][0] == "unknown"
    skills = dict(query(db, "SELECT skill, category FROM job_skills WHERE labels = ? AND job_id = '9003'", [SOURCE]))
    assert skills["Pinecone"] == "databases" and skills["Quantum Basket Weaving"] == "other"
    assert report.unknown_skills == Counter({"Quantum Basket Weaving": 14})

    run = query(db, "SELECT status, selected, calls, requests, labelled, failed, input_tokens, output_tokens, "
                    "prompt_version, labels FROM label_runs")
    calls = query(db, "SELECT sum(input_tokens), sum(output_tokens), count(*), min(input_tokens) FROM label_calls")[0]
    assert run == [("ok", 14, 14, 14, 14, 0, calls[0], calls[1], prompt.version, SOURCE)]
    assert calls[2] == 14 and calls[3] > 100  # every call's tokens, as the server counted them

    counts = build(db, SOURCE)
    assert counts["report_ai_types"] > 0
    types = dict(query(db, "SELECT ai_type, jobs FROM report_ai_types WHERE labels = ? AND city = 'all' AND period = 'all'",
                       [SOURCE]))
    assert types == {"ai-first": 7, "ai-support": 5, "ml": 1, "unknown": 1}
    roles = dict(query(db, "SELECT role, jobs FROM report_roles WHERE labels = ? AND city = 'all' AND period = 'all'",
                       [SOURCE]))
    assert roles["customer-facing"] == 2 and roles["management"] == 1


def test_a_rerun_makes_no_requests_and_changes_nothing(db, server):
    labeller.label(db, MODEL_ID, settings=FAST, progress=False)
    before = query(db, "SELECT * FROM job_labels WHERE labels = ? ORDER BY job_id", [SOURCE])
    skills = query(db, "SELECT * FROM job_skills WHERE labels = ? ORDER BY job_id, skill", [SOURCE])
    again = labeller.label(db, MODEL_ID, settings=FAST, progress=False)
    assert server.requests == 14
    assert (again.cached, again.calls, again.labelled, again.input_tokens) == (14, 0, 14, 0)
    assert query(db, "SELECT * FROM job_labels WHERE labels = ? ORDER BY job_id", [SOURCE]) == before
    assert query(db, "SELECT * FROM job_skills WHERE labels = ? ORDER BY job_id, skill", [SOURCE]) == skills
    assert query(db, "SELECT count(*) FROM label_cache") == [(14,)]


def test_faults_are_retried_or_recorded_nothing_lost_nothing_duplicated(db, server):
    texts = {job_id: text_of(job) for job_id, job in BY_ID.items()}
    server.faults = {
        texts["9001"]: ["429", "429"],
        texts["9002"]: ["500"],
        texts["9003"]: ["malformed"],
        texts["9004"]: ["invalid"],
        texts["9005"]: ["slow"],
        texts["9006"]: ["invalid", "malformed", "invalid"],  # never usable
        texts["9007"]: ["500", "500", "500"],  # never answers
    }
    server.slow_seconds = 1.5
    settings = labeller.Settings(attempts=3, backoff=0.01, max_wait=1.0, timeout=0.5)
    report = labeller.label(db, MODEL_ID, concurrency=4, settings=settings, progress=False)
    assert (report.status, report.labelled, report.failed) == ("ok", 12, 2)
    assert report.requests == server.requests == 14 + 2 + 1 + 1 + 1 + 1 + 2 + 2
    assert report.failures == Counter({"invalid answer": 1, "http 500": 1})
    failures = dict(query(db, "SELECT job_id, reason FROM label_failures"))
    assert set(failures) == {"9006", "9007"}
    assert failures["9006"].startswith("invalid answer: schema: company: 'stage' is a required property") and failures["9007"].startswith("http 500")
    labelled = {row[0] for row in query(db, "SELECT job_id FROM job_labels WHERE labels = ?", [SOURCE])}
    assert labelled == set(BY_ID) - {"9006", "9007"}  # nothing half-stored
    assert query(db, "SELECT count(*) FROM job_skills WHERE labels = ? AND job_id IN ('9006', '9007')", [SOURCE]) == [(0,)]
    outcomes = Counter(row[0].split(":")[0] for row in query(db, "SELECT outcome FROM label_calls"))
    assert outcomes["ok"] == 12 and outcomes["http 429"] == 2 and outcomes["http 500"] == 4
    assert outcomes["APITimeoutError"] == 1 and outcomes["invalid answer"] == 5
    assert sum(outcomes.values()) == server.requests  # every request is accounted for

    requests = server.requests
    again = labeller.label(db, MODEL_ID, settings=settings, progress=False)  # the failed two are asked again
    assert (again.cached, again.calls, again.labelled, again.failed) == (12, 2, 14, 0)
    assert server.requests == requests + 2
    assert query(db, "SELECT count(*), count(DISTINCT job_id) FROM job_labels WHERE labels = ?", [SOURCE]) == [(14, 14)]


def test_retry_after_is_honoured(server):
    text = text_of(JOBS[0])
    server.faults = {text: ["429", "429"]}
    server.retry_after = "0.25"
    waits = []
    model = labeller.resolve_model(MODEL_ID, FAST)
    asker = labeller.Asker(model, labeller.load_prompt(), FAST, sleep=waits.append)
    result = asker.ask("9001", text, labeller.text_hash(text))
    assert result.answer == ANSWERS[text] and waits == [0.25, 0.25]
    assert server.requests == 3  # the SDK's own retries are off: one request each


def test_an_endpoint_that_never_answers_stops_the_run_early_and_fails_it(db, llm_home):
    with socket.socket() as probe:  # a port nothing listens on: every request is refused at once
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    llm_config(llm_home, f"http://127.0.0.1:{port}/v1")
    report = labeller.label(db, MODEL_ID, concurrency=2, settings=FAST, progress=False)
    assert report.status == "failed" and "did not answer" in report.status_reason
    assert report.requests <= labeller.UNREACHABLE_AFTER + 2 * FAST.attempts  # not 14 postings x 3 attempts
    assert query(db, "SELECT count(*) FROM job_labels WHERE labels = ?", [SOURCE]) == [(0,)]


def test_a_run_that_labels_nothing_is_not_ok(db, server):
    server.faults = {text_of(job): ["invalid"] * FAST.attempts for job in JOBS}
    report = labeller.label(db, MODEL_ID, limit=2, settings=FAST, progress=False)
    assert (report.status, report.labelled, report.failed) == ("failed", 0, 2)
    assert report.status_reason == "no posting was labelled: all 2 failed"


def test_a_missing_database_is_an_error_not_a_new_file(tmp_path):
    missing = tmp_path / "typo.db"
    result = subprocess.run([sys.executable, "-m", "jobcrawler.label", "--model", MODEL_ID, "--db", str(missing),
                             "--dry-run"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 2 and f"no database at {missing}" in result.stderr and not missing.exists()


def test_a_refused_key_stops_the_run(db, server):
    server.faults = {text_of(job): ["401"] for job in JOBS}
    report = labeller.label(db, MODEL_ID, concurrency=1, settings=FAST, progress=False)
    assert report.status == "failed" and "http 401" in report.status_reason
    assert server.requests <= 2  # it stopped at the refusal, not after every posting
    assert query(db, "SELECT status FROM label_runs") == [("failed",)]


def test_dry_run_counts_calls_and_what_the_cache_saves(db, server):
    labeller.label(db, MODEL_ID, limit=5, settings=FAST, progress=False)
    dry = labeller.label(db, MODEL_ID, dry_run=True, settings=FAST)
    assert (dry.selected, dry.cached, dry.calls, dry.status) == (14, 5, 9, "dry run")
    assert dry.estimated_input_tokens > 9 * 500 // 4
    budget = labeller.label(db, MODEL_ID, dry_run=True, max_calls=4, settings=FAST)
    assert (budget.calls, budget.over_budget) == (4, 5)
    assert server.requests == 5
    line = labeller.summary(budget, db)[0]
    assert "5 answered from the cache; 4 calls to make" in line and "5 left for a later run" in line
    capped = labeller.label(db, MODEL_ID, max_calls=4, settings=FAST, progress=False)
    assert (capped.calls, capped.labelled, server.requests) == (4, 9, 9)


def test_a_changed_prompt_is_a_new_version(db, server, tmp_path):
    labeller.label(db, MODEL_ID, limit=2, settings=FAST, progress=False)
    changed = tmp_path / "label-v2.md"
    changed.write_text(labeller.PROMPT_PATH.read_text() + "\nBe brief.\n")
    (tmp_path / "label-v2.schema.json").write_text(labeller.PROMPT_PATH.with_name("label-v1.schema.json").read_text())
    report = labeller.label(db, MODEL_ID, limit=2, settings=FAST, prompt_path=changed, progress=False)
    assert report.calls == 2 and server.requests == 4
    assert report.prompt_version.startswith("label-v2@") and report.prompt_version != labeller.load_prompt().version
    assert {row[0] for row in query(db, "SELECT version FROM job_labels WHERE labels = ?", [SOURCE])} == {report.prompt_version}


def test_read_answer():
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(labeller.load_prompt().schema)
    answer = record(JOBS[0])
    as_list = json.loads(json.dumps(answer))
    as_list["position"]["skills"] = [{"name": n, "category": c} for c, names in answer["position"]["skills"].items()
                                     for n in names]
    assert labeller.read_answer(json.dumps(as_list), validator) == answer  # {name, category} items read too
    assert labeller.read_answer("```json\n" + json.dumps(answer) + "\n```", validator) == answer
    with pytest.raises(labeller.AnswerError, match="not JSON"):
        labeller.read_answer("Sure! Here it is", validator)
    broken = json.loads(json.dumps(answer))
    broken["position"]["ai_type"]["type"] = "ai-maybe"
    with pytest.raises(labeller.AnswerError, match="schema: position/ai_type/type"):
        labeller.read_answer(json.dumps(broken), validator)


def cli(*args, env=None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jobcrawler.label", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120, **kwargs)


def test_unknown_model_or_missing_key_is_one_line_before_any_call(db, server, llm_home):
    unknown = cli("--model", "no-such-model", "--db", str(db))
    assert unknown.returncode == 2 and "unknown model 'no-such-model'" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1
    llm_config(llm_home, server.url, api_key_name="standin")  # this endpoint needs a key; none is set
    no_key = cli("--model", MODEL_ID, "--db", str(db))
    assert no_key.returncode == 2 and "no API key for stand-in" in no_key.stderr
    assert len(no_key.stderr.strip().splitlines()) == 1
    assert server.requests == 0
    (llm_home / "keys.json").write_text(json.dumps({"standin": "sk-test"}))
    ok = cli("--model", MODEL_ID, "--db", str(db), "--limit", "3", "--backoff", "0.01")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("label ok (run 1): llm:stand-in, 3 postings: 0 from the cache, 3 calls")
    assert "3 postings 100%" in ok.stderr  # the progress line
    assert server.requests == 3


def test_an_interrupted_run_resumes_where_it_stopped(db, server):
    server.faults = {text: ["slow"] for text in ANSWERS}
    server.slow_seconds = 0.3
    process = subprocess.Popen([sys.executable, "-m", "jobcrawler.label", "--model", MODEL_ID, "--db", str(db),
                                "--concurrency", "1"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.1)
        if os.path.exists(db) and query(db, "SELECT count(*) FROM label_cache")[0][0] >= 3:
            break
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "label interrupted" in out
    done = query(db, "SELECT count(*) FROM label_cache")[0][0]
    assert 3 <= done < 14
    answered_before = server.requests
    report = labeller.label(db, MODEL_ID, settings=FAST, progress=False)
    assert (report.cached, report.calls, report.labelled) == (done, 14 - done, 14)
    assert server.requests == answered_before + 14 - done
    assert query(db, "SELECT status FROM label_runs ORDER BY run_id") == [("interrupted",), ("ok",)]
    assert query(db, "SELECT count(*) FROM job_labels WHERE labels = ?", [SOURCE]) == [(14,)]
    assert query(db, "PRAGMA integrity_check") == [("ok",)]


def test_two_jobs_with_the_same_text_cost_one_call(db, server):
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("INSERT INTO jobs (job_id, url, title, company, description, times_seen) "
                     "SELECT '9999', url || '-again', title, company, description, 1 FROM jobs WHERE job_id = '9003'")
    conn.close()
    report = labeller.label(db, MODEL_ID, settings=FAST, progress=False)
    assert (report.selected, report.calls, report.labelled, server.requests) == (15, 14, 15, 14)
    same = query(db, "SELECT ai_type, company_stage, version FROM job_labels WHERE labels = ? AND job_id IN ('9003', '9999')",
                 [SOURCE])
    assert len(same) == 2 and same[0] == same[1]


def test_city_and_since_select_postings(db, server):
    berlin = {job["job_id"] for job in JOBS if any(city == "berlin" for _, city in job["seen"])}
    recent = {job["job_id"] for job in JOBS if job["posted_date"] >= "2026-01-20"}
    assert labeller.label(db, MODEL_ID, city="berlin", dry_run=True).selected == len(berlin) == 4
    assert labeller.label(db, MODEL_ID, since="2026-01-20", dry_run=True).selected == len(recent)
    report = labeller.label(db, MODEL_ID, city="berlin", since="2026-01-04", settings=FAST, progress=False)
    labelled = {row[0] for row in query(db, "SELECT job_id FROM job_labels WHERE labels = ?", [SOURCE])}
    assert labelled == {job_id for job_id in berlin if BY_ID[job_id]["posted_date"] >= "2026-01-04"} and report.calls == 2


def test_a_killed_run_is_marked_when_the_next_starts(db, server):
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("INSERT INTO label_runs (labels, model, status, host, pid) VALUES (?, ?, 'running', ?, ?)",
                     [SOURCE, MODEL_ID, socket.gethostname(), 2 ** 22 + 12345])  # no such process
    conn.close()
    labeller.label(db, MODEL_ID, limit=1, settings=FAST, progress=False)
    assert query(db, "SELECT status FROM label_runs ORDER BY run_id") == [("killed",), ("ok",)]


def test_only_uncertain_selects_postings_below_the_confidence_or_without_one(db, server):
    jobs = sorted(job["job_id"] for job in JOBS)
    confident, doubtful, unrated = jobs[0], jobs[1], jobs[2]
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE job_labels SET ai_type_confidence = 0.95 WHERE labels = 'rules'")
        conn.execute("UPDATE job_labels SET ai_type_confidence = 0.55 WHERE job_id = ?", [doubtful])
        conn.execute("UPDATE job_labels SET ai_type_confidence = NULL WHERE job_id = ?", [unrated])
    conn.close()
    assert labeller.label(db, MODEL_ID, below=0.7, dry_run=True).selected == 2  # doubtful and unrated
    assert labeller.label(db, MODEL_ID, below=0.96, dry_run=True).selected == len(jobs)
    report = labeller.label(db, MODEL_ID, below=0.7, settings=FAST, progress=False)
    labelled = {row[0] for row in query(db, "SELECT job_id FROM job_labels WHERE labels = ?", [SOURCE])}
    assert labelled == {doubtful, unrated} and confident not in labelled and report.calls == 2
    # the report source that takes the model's AI type where the rules doubt (analysis/blend.py)
    from analysis.build import build
    build(db, "rules+" + SOURCE)
    assert query(db, "SELECT decided_by, doubted, below, jobs FROM report_label_deciders WHERE labels = ? "
                 "AND city = 'all' AND period = 'all' ORDER BY rowid", ["rules+" + SOURCE]) == [
        ("rules", 0, 0.7, len(jobs) - 2), (SOURCE, 1, 0.7, 2)]
    hint = cli("--model", MODEL_ID, "--db", str(db), "--only-uncertain", "--dry-run")
    assert hint.stdout.splitlines()[-1] == (f"reports with the rules where sure and this model where they doubt: "
                                            f"python -m analysis report --db {db} --labels rules+{SOURCE}")


def test_below_must_be_a_confidence(db):
    result = cli("--model", MODEL_ID, "--db", str(db), "--only-uncertain", "--below", "1.5")
    assert result.returncode == 2 and "argument --below: not a confidence between 0 and 1: '1.5'" in result.stderr


@pytest.mark.parametrize("option, value", [("--backoff", "nan"), ("--backoff", "0"), ("--timeout", "-5"),
                                           ("--timeout", "inf"), ("--timeout", "soon")])
def test_waits_must_be_seconds_above_zero(db, option, value):
    """``--backoff nan`` failed the first retry's sleep; a timeout of 0 or less cut every answer off."""
    result = cli("--model", MODEL_ID, "--db", str(db), option, value, "--dry-run")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (f"python -m jobcrawler.label: error: argument {option}: "
                                              f"not a number of seconds above 0: {value!r}")


# --- Beside a crawl: a posting re-fetched while it was asked, a second run of the same source ----

CRAWLED_TEXT = "Build React and TypeScript front ends for our chat product."


def test_a_label_run_leaves_a_posting_a_crawl_changed_while_it_was_asked(db, server):
    changed = JOBS[0]
    answer = server.answer

    def answer_while_a_crawl_refetches(text):
        if text == text_of(changed):
            conn = storage.open_db(db)
            with storage.transaction(conn):
                conn.execute("UPDATE jobs SET description = ? WHERE job_id = ?", [CRAWLED_TEXT, changed["job_id"]])
            conn.close()
        return answer(text)

    server.answer = answer_while_a_crawl_refetches
    report = labeller.label(db, MODEL_ID, concurrency=2, settings=FAST, progress=False)
    assert (report.status, report.labelled, report.changed) == ("ok", 13, 1)
    assert query(db, "SELECT count(*) FROM job_labels WHERE labels = ? AND job_id = ?",
                 [SOURCE, changed["job_id"]]) == [(0,)]
    assert any("re-fetched by a crawl" in line for line in labeller.summary(report, db))
    server.answer = lambda text: answer(text_of(changed)) if CRAWLED_TEXT in text else answer(text)
    again = labeller.label(db, MODEL_ID, settings=FAST, progress=False)
    assert (again.calls, again.labelled, again.changed) == (1, 14, 0)  # the new text, asked once


def test_a_label_run_stopped_by_a_refusal_counts_every_request_it_sent(db, server):
    server.faults = {text_of(job): ["401"] for job in JOBS}
    report = labeller.label(db, MODEL_ID, concurrency=4, settings=FAST, progress=False)
    assert report.status == "failed" and report.requests == server.requests >= 1
    assert query(db, "SELECT requests FROM label_runs") == [(server.requests,)]
    outcomes = [json.dumps(row) for row in query(db, "SELECT outcome FROM label_calls")]
    assert len(outcomes) == server.requests and all("http 401" in outcome for outcome in outcomes)


def test_a_second_label_run_of_one_model_is_refused_while_the_first_runs(db, server):
    conn = storage.open_db(db)
    first = storage.start_label_run(conn, SOURCE, MODEL_ID, "v", {})  # this process: alive, running
    conn.close()
    with pytest.raises(labeller.LabelError, match=f"label run {first} of {SOURCE} is running"):
        labeller.label(db, MODEL_ID, settings=FAST, progress=False)
    assert server.requests == 0


# --- What an endpoint can do: a trickled answer, an answer too long, a key echoed in an error -----

KEY = "sk-test-0123456789abcdefSECRET"


def test_an_answer_trickled_byte_by_byte_is_cut_at_the_timeout(db, llm_home):
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


def test_an_answer_too_long_is_refused_and_never_stored(db, llm_home):
    huge = any_posting_answer()
    huge["company"]["focus"] = "x" * (labeller.MAX_ANSWER_CHARS + 1)
    with LabelServer(lambda text: huge) as server:
        llm_config(llm_home, server.url)
        report = labeller.label(db, MODEL_ID, limit=1, settings=FAST, progress=False)
    assert (report.labelled, report.failed) == (0, 1)
    assert query(db, "SELECT count(*), max(length(answer)) FROM label_cache") == [(0, None)]
    reasons = [row[0] for row in query(db, "SELECT reason FROM label_failures")]
    assert reasons and reasons[0].startswith("invalid answer: an answer of ")


def test_a_key_echoed_in_an_error_is_not_stored_shown_or_logged(db, llm_home, monkeypatch, caplog):
    (llm_home / "keys.json").write_text(json.dumps({"stand_in": KEY}))
    with LabelServer(lambda text: any_posting_answer(), faults={text_of(job): ["401 echo"] for job in JOBS}) as server:
        llm_config(llm_home, server.url, api_key_name="stand_in")
        with caplog.at_level(logging.DEBUG):
            report = labeller.label(db, MODEL_ID, concurrency=1, settings=FAST, progress=False)
    assert server.requests >= 1 and report.status == "failed"
    stored = json.dumps(query(db, "SELECT * FROM label_runs") + query(db, "SELECT * FROM label_calls"))
    assert "[redacted]" in stored and KEY not in stored
    assert KEY not in "\n".join(labeller.summary(report, db)) and KEY not in caplog.text


def test_below_without_only_uncertain_is_an_error_not_every_posting(db):
    result = cli("--model", MODEL_ID, "--db", str(db), "--below", "0.5", "--dry-run")
    assert result.returncode == 2 and "--below goes with --only-uncertain" in result.stderr
    assert "postings selected" not in result.stdout
