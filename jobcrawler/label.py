"""Label postings the way the published analysis did: one LLM call per posting, through `llm`.

    python -m jobcrawler.label --model MODEL [--db DB] [--city KEY] [--since YYYY-MM-DD]
        [--limit N] [--max-calls N] [--concurrency N] [--dry-run] [--only-uncertain [--below X]]

Each posting (title, company, description) goes to MODEL, any model Simon Willison's ``llm``
knows (OpenAI, Anthropic, Gemini and local models through their plugins, any OpenAI-compatible
endpoint declared in ``extra-openai-models.yaml``), with the prompt ``prompts/label-v1.md`` and
the structured-output schema beside it: the published analysis' record (ai_type and why, company
stage and focus, responsibilities, use cases, skills in ten lists, customer-facing, management).
The answer is read by the Field Guide importer's ``LabelReader``, so label source
``llm:<model id>`` holds exactly what ``fieldguide`` holds for the same answer: canonical skill
names (unknown names kept and counted), the stage normalized with its text kept, and research,
entry level, fine-tuning, support category and frontend/backend derived the published way.

Every valid answer is cached by (model, prompt version, hash of the posting text): a re-run asks
the model nothing it answered before, and an interrupted run resumes where it stopped. Requests
that fail with 429 / 5xx / a timeout are retried with backoff, honouring Retry-After; an answer
that stays unusable (not JSON, not the schema) is recorded in ``label_failures`` with its reason,
never stored in part, and the run goes on. Tokens in and out are kept per request
(``label_calls``) and per run (``label_runs``), every request counted, those of a posting the
run stopped on too. ``--timeout`` bounds the whole answer, an answer too long is refused, and a
key an endpoint echoes in an error is redacted before anything stores or shows it. A posting a
crawl re-fetched while it was asked keeps its labels (its new text's turn comes next run), and
one label source has one run at a time (a second would pay for every answer twice).
``--only-uncertain`` sends only the postings whose rule-tagger AI type has a confidence below
``--below`` (default 0.7), or none yet: the costly path where the rules are least sure.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
import re
import sqlite3
import sys
import threading
import time
from collections import Counter
from contextlib import closing
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path

from jobcrawler import number_input, storage
from jobcrawler.fieldguide import LabelReader
from jobcrawler.settings import SQLITE_PATH

logger = logging.getLogger(__name__)

PROMPT_PATH = Path(__file__).parent / "prompts" / "label-v1.md"
SKILL_LISTS = ("genai", "ml", "web", "databases", "data", "cloud", "ops", "languages", "domains", "other")
RETRY_STATUSES = {408, 409, 429}  # and every 5xx
STOP_STATUSES = {401, 403}  # a wrong key or no access: every further call would fail the same way
CACHE_CHUNK = 200  # cached answers stored per transaction
# Requests in a row that got no answer at all (refused connection, timeout): the endpoint is
# down or mistyped, and every further request would wait out its retries the same way.
UNREACHABLE_AFTER = 8
CHARS_PER_TOKEN = 4  # English text in the tokenizers of GPT-4-class models; --dry-run's estimate
# An answer is ~3 kB of JSON: a longer one is refused (never cached or stored), and a response body
# is not read past MAX_RESPONSE_BYTES, so a runaway or hostile endpoint cannot fill the database.
MAX_ANSWER_CHARS = 100_000
MAX_RESPONSE_BYTES = 1 << 20
# What an endpoint may echo of a key in an error (a 401 body): never kept or shown.
_SECRET = re.compile(r"(?i)\b(bearer\s+)?(sk|pk|rk|key|api[-_]?key)[-_][A-Za-z0-9_-]{8,}|\bbearer\s+[A-Za-z0-9._~+/=-]{8,}")


class LabelError(Exception):
    """The run cannot start (unknown model, no key, bad arguments): said in one line."""


class StopRun(Exception):
    """The model refuses every call (no access, wrong key): the run stops, recorded as failed.
    ``calls``: the requests the posting it stopped on had made, counted all the same."""

    def __init__(self, reason: str, calls: list[dict] = ()):
        super().__init__(reason)
        self.calls = list(calls)


@dataclass(frozen=True)
class Settings:
    """How hard a posting is tried: attempts per posting, the first backoff (doubled each retry,
    with jitter), the longest wait (a longer Retry-After is cut to it) and the request timeout:
    the whole answer must have arrived within it (an answer trickled byte by byte is cut off)."""
    attempts: int = 4
    backoff: float = 2.0
    max_wait: float = 120.0
    timeout: float = 180.0


# --- The prompt and the answer (pure) ---------------------------------------------------------

@dataclass(frozen=True)
class Prompt:
    name: str  # the file's stem: label-v1
    system: str
    schema: dict

    @property
    def version(self) -> str:
        """``label-v1@<hash>``: the hash of the instructions and the schema, stored with every label."""
        canonical = self.system + "\n" + json.dumps(self.schema, sort_keys=True)
        return f"{self.name}@{hashlib.sha256(canonical.encode()).hexdigest()[:16]}"


def load_prompt(path: Path = PROMPT_PATH) -> Prompt:
    """The prompt file and its schema (``<name>.schema.json`` beside it)."""
    schema = json.loads(path.with_name(f"{path.stem}.schema.json").read_text(encoding="utf-8"))
    return Prompt(path.stem, path.read_text(encoding="utf-8").strip(), schema)


def posting_text(title: str | None, company: str | None, description: str | None) -> str:
    """What the model reads of one posting (and what the cache key hashes)."""
    return f"Title: {title or ''}\nCompany: {company or ''}\n\nDescription:\n{(description or '').strip()}"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AnswerError(ValueError):
    """An answer that cannot be used; its message is the reason recorded."""


def read_answer(text: str | None, validator) -> dict:
    """The model's answer as the published record, or AnswerError saying what is wrong with it.

    Skills given as one list of ``{name, category}`` are read as the ten per-category lists.
    """
    if text is not None and len(text) > MAX_ANSWER_CHARS:
        raise AnswerError(f"an answer of {len(text):,} characters, over the {MAX_ANSWER_CHARS:,} an answer may have")
    try:
        answer = json.loads(_without_code_fence(text or ""))
    except ValueError as error:
        raise AnswerError(f"not JSON: {error}") from None
    if isinstance(answer, dict):
        position = answer.get("position")
        if isinstance(position, dict) and isinstance(position.get("skills"), list):
            position["skills"] = _skills_by_category(position["skills"])
    problems = sorted(validator.iter_errors(answer), key=lambda e: list(e.absolute_path))
    if problems:
        where = "/".join(str(p) for p in problems[0].absolute_path) or "(top)"
        raise AnswerError(f"schema: {where}: {problems[0].message[:200]}")
    return answer


def _without_code_fence(text: str) -> str:
    """Models without structured output often wrap their JSON in a ```json fence."""
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        stripped = stripped.rsplit("```", 1)[0]
    return stripped


def _skills_by_category(items: list) -> dict | list:
    lists: dict[str, list] = {name: [] for name in SKILL_LISTS}
    for item in items:
        if not (isinstance(item, dict) and item.get("category") in lists and isinstance(item.get("name"), str)):
            return items  # left as it is: the schema check says what is wrong
        lists[item["category"]].append(item["name"])
    return lists


def labels_of(answer: dict, reader: LabelReader, source: str, version: str, unknown: Counter) -> tuple[dict, list[dict]]:
    """(job_labels row, skills) of a valid answer: the Field Guide importer's own reading."""
    skills = reader.skills(answer["position"].get("skills"), unknown)
    return storage.label_row(reader.categories(answer, skills), source, version), skills


def retry_after(error: BaseException) -> float | None:
    """Seconds the server asked to wait (``Retry-After``: seconds or a date; ``retry-after-ms``)."""
    headers = getattr(getattr(error, "response", None), "headers", None)
    if not headers:
        return None
    try:
        if headers.get("retry-after-ms"):
            return max(float(headers["retry-after-ms"]) / 1000, 0.0)
        value = headers.get("retry-after")
        if value is None:
            return None
        try:
            return max(float(value), 0.0)
        except ValueError:
            return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None


def http_status(error: BaseException) -> int | None:
    status = getattr(error, "status_code", None) or getattr(getattr(error, "response", None), "status_code", None)
    return status if isinstance(status, int) else None


# --- The model ----------------------------------------------------------------------------------

def resolve_model(name: str, settings: Settings):
    """The ``llm`` model called ``name`` (id or alias), ready for labelling; LabelError when llm
    knows no such model. Its plugin's own hidden retries are switched off where it allows (OpenAI
    and OpenAI-compatible models), so every request is counted and retried here, and each worker
    thread keeps its client (llm makes one per call: a TLS context and a connection each time)."""
    import llm

    try:
        model = llm.get_model(name)
    except llm.UnknownModelError:
        raise LabelError(f"unknown model {name!r}: `llm models` lists the models llm knows; install its plugin "
                         "or declare an OpenAI-compatible endpoint in extra-openai-models.yaml") from None
    get_client = getattr(model, "get_client", None)
    if callable(get_client):
        clients = threading.local()  # one client per worker thread, kept: its connections stay open

        def client_without_retries(*args, **kwargs):
            key = repr((args, sorted(kwargs.items())))
            cached = getattr(clients, "by_key", None)
            if cached is None:
                cached = clients.by_key = {}
            if key not in cached:
                cached[key] = get_client(*args, **kwargs).with_options(
                    max_retries=0, timeout=settings.timeout, http_client=_bounded_http_client(settings.timeout))
            return cached[key]
        model.get_client = client_without_retries
    return model


def _bounded_http_client(seconds: float):
    """An HTTP client for the OpenAI SDK whose every response must arrive whole within ``seconds``
    and under MAX_RESPONSE_BYTES (the SDK's own timeout bounds each read, not the whole answer)."""
    import httpx2
    import openai

    class BoundedBody(httpx2.SyncByteStream):
        def __init__(self, stream, deadline: float):
            self.stream, self.deadline = stream, deadline

        def __iter__(self):
            size = 0
            for chunk in self.stream:
                size += len(chunk)
                if time.monotonic() > self.deadline:
                    raise httpx2.ReadTimeout(f"no whole answer within {seconds:g} s")
                if size > MAX_RESPONSE_BYTES:
                    raise httpx2.ReadError(f"a response over {MAX_RESPONSE_BYTES:,} bytes")
                yield chunk

        def close(self):
            self.stream.close()

    class WholeAnswerDeadline(httpx2.BaseTransport):
        def __init__(self):
            self.inner = httpx2.HTTPTransport()

        def handle_request(self, request):
            deadline = time.monotonic() + seconds
            response = self.inner.handle_request(request)
            response.stream = BoundedBody(response.stream, deadline)
            return response

        def close(self):
            self.inner.close()

    return openai.DefaultHttpxClient(transport=WholeAnswerDeadline(), timeout=seconds)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` without the given secrets (the model's key) or anything shaped like a key or a
    bearer token: an endpoint's error message may echo them, and outcomes are stored and published."""
    for secret in secrets:
        if secret and len(secret) >= 8:
            text = text.replace(secret, "[redacted]")
    return _SECRET.sub("[redacted]", text)


def check_key(model) -> None:
    """LabelError when the model needs a key and none is set (keys.json, or its variable)."""
    import llm

    try:
        model.get_key()
    except llm.NeedsKeyException as error:
        raise LabelError(f"no API key for {model.model_id}: {error}") from None


@dataclass
class Answer:
    """What asking for one posting gave: the requests made, and the answer or why there is none."""
    job_id: str
    posting_hash: str
    calls: list[dict] = field(default_factory=list)
    answer: dict | None = None
    reason: str | None = None


class Asker:
    """Asks the model about one posting, retrying until the answer is usable or attempts run out."""

    def __init__(self, model, prompt: Prompt, settings: Settings, sleep=time.sleep):
        from jsonschema import Draft202012Validator

        self.model, self.prompt, self.settings, self.sleep = model, prompt, settings, sleep
        self.stopping = threading.Event()  # a refusal (401/403) or Ctrl-C: no worker asks again
        self.stop_reason = ""
        self.unanswered = 0  # requests in a row, over all workers, that no server answered
        self.lock = threading.Lock()
        self.validator = Draft202012Validator(prompt.schema)
        self.secrets = (_key_of(model),)
        self.system = prompt.system
        if not getattr(model, "supports_schema", False):  # the schema goes in the instructions instead
            self.system += "\n\nThe JSON schema of the answer:\n" + json.dumps(prompt.schema)

    def stop(self, reason: str) -> None:
        """Every worker stops before its next request (the first reason stays)."""
        if not self.stopping.is_set():
            self.stop_reason = reason
            self.stopping.set()

    def _unanswered(self, answered: bool) -> int:
        """Count requests in a row that no server answered; an answer of any kind resets it."""
        with self.lock:
            self.unanswered = 0 if answered else self.unanswered + 1
            return self.unanswered

    def ask(self, job_id: str, text: str, posting_hash: str) -> Answer:
        result = Answer(job_id, posting_hash)
        for attempt in range(1, self.settings.attempts + 1):
            if self.stopping.is_set():
                raise StopRun(self.stop_reason, result.calls)
            call = {"job_id": job_id, "model": self.model.model_id, "prompt_version": self.prompt.version,
                    "posting_hash": posting_hash, "attempt": attempt, "called_at": storage.utc_now()}
            started, wait_for = time.monotonic(), None
            try:
                response = self.model.prompt(text, system=self.system, stream=False,
                                             schema=self.prompt.schema if self.model.supports_schema else None)
                output = response.text()
                self._unanswered(answered=True)
                usage = response.usage()
                call.update(input_tokens=usage.input, output_tokens=usage.output)
                result.answer = read_answer(output, self.validator)
                call["outcome"] = "ok"
            except AnswerError as error:
                call["outcome"] = f"invalid answer: {error}"
            except Exception as error:  # noqa: BLE001 - each plugin raises its own SDK's errors
                status = http_status(error)
                call["outcome"] = redact((f"http {status}: " if status else f"{type(error).__name__}: ")
                                         + _first_line(error), self.secrets)
                if status is not None:
                    self._unanswered(answered=True)
                elif self._unanswered(answered=False) >= UNREACHABLE_AFTER:
                    self.stop(f"{self.model.model_id} did not answer {UNREACHABLE_AFTER} requests in a row "
                              f"(last: {call['outcome']}): is its endpoint (api_base) up?")
                    raise StopRun(self.stop_reason, [*result.calls, self._ended(call, started)]) from error
                if status in STOP_STATUSES:
                    self.stop(f"{self.model.model_id} refused the call ({call['outcome']})")
                    raise StopRun(self.stop_reason, [*result.calls, self._ended(call, started)]) from error
                if status and 400 <= status < 500 and status not in RETRY_STATUSES:
                    result.calls.append(self._ended(call, started))
                    result.reason = call["outcome"]  # the request itself is wrong: asking again changes nothing
                    return result
                wait_for = retry_after(error)
            result.calls.append(self._ended(call, started))
            if result.answer is not None:
                return result
            result.reason = call["outcome"]
            if attempt < self.settings.attempts:
                backoff = self.settings.backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.0)
                self.sleep(min(wait_for if wait_for is not None else backoff, self.settings.max_wait))
        return result


    @staticmethod
    def _ended(call: dict, started: float) -> dict:
        call["duration_ms"] = int((time.monotonic() - started) * 1000)
        return call


def _key_of(model) -> str | None:
    """The key the model's requests carry, to redact (None when it needs none or has none)."""
    try:
        return model.get_key() if getattr(model, "needs_key", None) else None
    except Exception:  # noqa: BLE001 - llm raises NeedsKeyException; a plugin may raise its own
        return None


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:300] if text else ""


# --- A run ------------------------------------------------------------------------------------

@dataclass
class RunReport:
    source: str
    prompt_version: str
    run_id: int | None = None
    status: str = "ok"
    status_reason: str | None = None
    selected: int = 0
    cached: int = 0  # postings answered from the cache
    calls: int = 0  # postings sent to the model
    over_budget: int = 0  # postings left for a later run by --max-calls
    requests: int = 0
    retries: int = 0
    labelled: int = 0
    changed: int = 0  # postings a crawl re-fetched while they were asked: left for the next run
    failed: int = 0
    failures: Counter = field(default_factory=Counter)  # reason (its kind) -> postings
    unknown_skills: Counter = field(default_factory=Counter)
    input_tokens: int = 0
    output_tokens: int = 0
    estimated_input_tokens: int = 0  # --dry-run: characters of the calls it would make / CHARS_PER_TOKEN
    estimated_output_tokens: int | None = None  # --dry-run: the mean answer of this model and prompt so far
    seconds: float = 0.0

    def totals(self) -> dict:
        return {"status": self.status, "status_reason": self.status_reason, "selected": self.selected,
                "cached": self.cached, "calls": self.calls, "requests": self.requests, "retries": self.retries,
                "labelled": self.labelled, "failed": self.failed, "unknown_skills": dict(self.unknown_skills),
                "input_tokens": self.input_tokens, "output_tokens": self.output_tokens}


class Progress:
    """One line on stderr: a bar, postings done of the total, rate, time left, tokens, failures."""

    def __init__(self, total: int, stream=sys.stderr, interval: float = 0.5):
        self.total, self.stream, self.interval = total, stream, interval
        self.started = self.shown = time.monotonic()
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        if not self.tty:
            self.interval = 10.0  # a log file gets a line every 10 s, not a redrawn bar

    def update(self, done: int, report: RunReport, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.shown < self.interval:
            return
        self.shown = now
        elapsed = max(now - self.started, 1e-9)
        rate = done / elapsed
        left = (self.total - done) / rate if rate else None
        share = done / self.total if self.total else 1.0
        bar = "#" * int(share * 24) + "." * (24 - int(share * 24))
        eta = "--:--" if left is None else f"{int(left // 60):02d}:{int(left % 60):02d}"
        line = (f"[{bar}] {done}/{self.total} postings {share:4.0%}  {rate:.1f}/s  ETA {eta}  "
                f"tokens {report.input_tokens:,} in / {report.output_tokens:,} out  failed {report.failed}")
        self.stream.write(("\r" + line) if self.tty else (line + "\n"))
        if final and self.tty:
            self.stream.write("\n")
        self.stream.flush()


def label(db_path: str | Path, model_name: str, *, city: str | None = None, since: str | None = None,
          limit: int | None = None, max_calls: int | None = None, concurrency: int = 4, dry_run: bool = False,
          settings: Settings = Settings(), prompt_path: Path = PROMPT_PATH, progress: bool = True,
          below: float | None = None, read_only: bool = False) -> RunReport:
    """Label the selected postings of the database with the model; what the run did.
    ``read_only`` (a dry run only): read the file as it is, as one a site serves immutable must be."""
    if read_only and not dry_run:
        raise ValueError("only a dry run reads the database read-only: a run writes its labels")
    model = resolve_model(model_name, settings)
    prompt = load_prompt(prompt_path)
    source = storage.LLM_PREFIX + model.model_id
    report = RunReport(source, prompt.version)
    started = time.perf_counter()
    db = storage.open_db_read_only(db_path) if read_only else storage.open_db(db_path)
    try:
        postings = []  # (job_id, text, hash)
        read: dict[str, tuple] = {}  # job id -> what the model reads of it (checked again when its labels are written)
        try:
            for job_id, title, company, description in storage.label_candidates(db, city, since, limit, below):
                text = posting_text(title, company, description)
                postings.append((job_id, text, text_hash(text)))
                read[job_id] = (title, company, description)
            hashes = sorted({digest for _, _, digest in postings})
            cache = storage.cached_label_answers(db, model.model_id, prompt.version, hashes)
            measured = storage.label_cache_mean_output(db, model.model_id, prompt.version)
        except sqlite3.Error as error:  # read as it is (read_only): an older version's file, not brought up to date
            raise storage.StorageError(f"cannot read the database {db_path}: {error}") from error
        to_ask: dict[str, tuple[str, str]] = {}  # posting hash -> (first job id, text): one call per text
        for job_id, text, digest in postings:
            if digest not in cache:
                to_ask.setdefault(digest, (job_id, text))
        budget = list(to_ask.items())[:max_calls] if max_calls is not None else list(to_ask.items())
        asked = {digest for digest, _ in budget}
        report.selected = len(postings)
        report.cached = sum(1 for _, _, digest in postings if digest in cache)
        report.calls = len(budget)
        report.over_budget = sum(1 for _, _, digest in postings if digest not in cache and digest not in asked)
        instructions = len(prompt.system) + len(json.dumps(prompt.schema))  # a schema counts as input too
        report.estimated_input_tokens = sum(instructions + len(text) for _, (_, text) in budget) // CHARS_PER_TOKEN
        report.estimated_output_tokens = round(measured * len(budget)) if measured else None
        if dry_run:
            report.status = "dry run"
            return report
        check_key(model)
        run_args = {"city": city, "since": since, "limit": limit, "max_calls": max_calls, "concurrency": concurrency,
                    "below": below}
        try:
            report.run_id = storage.start_label_run(db, source, model.model_id, prompt.version, run_args)
        except storage.LabelRunBusy as error:
            raise LabelError(str(error)) from None
        reader = LabelReader.load()
        bar = Progress(len(postings)) if progress else None
        done = 0

        def store(answers: list[tuple[str, dict, list[dict], dict | None]]) -> None:
            """(job id, answer, requests, cache row) of postings answered: stored in one transaction."""
            rows = []
            for job_id, answer, calls, cache_row in answers:
                row, skills = labels_of(answer, reader, source, prompt.version, report.unknown_skills)
                rows.append((calls, cache_row, (job_id, row, skills)))
            changed = storage.save_label_answers(db, rows, read={job_id: read[job_id] for job_id, *_ in answers})
            report.labelled += len(rows) - len(changed)
            report.changed += len(changed)

        try:
            waiting: dict[str, list[str]] = {}  # posting hash -> other jobs with the same text
            from_cache = []
            for job_id, text, digest in postings:
                if digest in cache:
                    from_cache.append((job_id, json.loads(cache[digest]), [], None))
                elif digest in asked and to_ask[digest][0] != job_id:
                    waiting.setdefault(digest, []).append(job_id)
            for start in range(0, len(from_cache), CACHE_CHUNK):
                store(from_cache[start:start + CACHE_CHUNK])
                done += len(from_cache[start:start + CACHE_CHUNK])
                if bar:
                    bar.update(done, report)
            asker = Asker(model, prompt, settings)
            with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
                pending = {pool.submit(asker.ask, job_id, text, digest) for digest, (job_id, text) in budget}
                try:
                    while pending:
                        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                        done += _record_finished(db, finished, report, store, waiting)
                        if bar:
                            bar.update(done, report)
                except BaseException as error:
                    # Stop asking; the requests under way end (each within one call's timeout), and
                    # every answer already paid for is kept, whatever stopped the run.
                    asker.stop("interrupted" if isinstance(error, KeyboardInterrupt) else str(error))
                    for future in pending:
                        future.cancel()
                    done += _record_finished(db, wait(pending)[0], report, store, waiting, stopping=True)
                    raise
        except KeyboardInterrupt:
            report.status, report.status_reason = "interrupted", "interrupted (Ctrl-C): run it again to resume"
        except StopRun as error:
            report.status, report.status_reason = "failed", str(error)
        except sqlite3.Error as error:  # the database, not a posting: every further write would fail too
            report.status, report.status_reason = "failed", f"cannot write the database {db_path}: {error}"
        if report.status == "ok" and report.failed and not report.labelled:
            report.status = "failed"
            report.status_reason = f"no posting was labelled: all {report.failed} failed"
        if bar:
            bar.update(done, report, final=True)
        report.seconds = time.perf_counter() - started
        try:
            storage.finish_label_run(db, report.run_id, report.totals())
        except sqlite3.Error as error:
            logger.error("cannot record the end of label run %s in %s: %s", report.run_id, db_path, error)
        return report
    finally:
        db.close()


def _record_finished(db, futures, report: RunReport, store, waiting: dict, stopping: bool = False) -> int:
    """Record every finished posting; then raise the first StopRun one of them raised (unless the
    run is stopping already). Postings done."""
    done, stop = 0, None
    for future in futures:
        if future.cancelled():
            continue
        try:
            result = future.result()
        except StopRun as error:
            _record_calls(db, error.calls, report)
            stop = stop or error
            continue
        done += _record(db, result, report, store, waiting.get(result.posting_hash, []))
    if stop is not None and not stopping:
        raise stop
    return done


def _count_calls(calls: list[dict], report: RunReport) -> None:
    report.requests += len(calls)
    report.retries += max(len(calls) - 1, 0)
    for call in calls:
        call["run_id"] = report.run_id
        report.input_tokens += call.get("input_tokens") or 0
        report.output_tokens += call.get("output_tokens") or 0


def _record_calls(db, calls: list[dict], report: RunReport) -> None:
    """The requests of a posting the run stopped on (a refusal, an endpoint gone): no answer, no
    failure to record, but sent, and maybe paid for."""
    _count_calls(calls, report)
    if calls:
        storage.save_label_calls(db, calls)


def _record(db, result: Answer, report: RunReport, store, same_text: list[str]) -> int:
    """Store one posting's outcome (and that of jobs with the very same text); postings done."""
    _count_calls(result.calls, report)
    if result.answer is None:
        for job_id in (result.job_id, *same_text):
            storage.save_label_failure(db, result.calls if job_id == result.job_id else [], {
                "run_id": report.run_id, "job_id": job_id, "model": result.calls[0]["model"] if result.calls else None,
                "prompt_version": report.prompt_version, "posting_hash": result.posting_hash,
                "reason": result.reason, "attempts": len(result.calls), "failed_at": storage.utc_now()})
            report.failed += 1
            report.failures[(result.reason or "").split(":", 1)[0]] += 1
            logger.warning("job %s: no usable answer after %d requests: %s", job_id, len(result.calls), result.reason)
        return 1 + len(same_text)
    last = result.calls[-1]
    cache_row = {"model": last["model"], "prompt_version": last["prompt_version"], "posting_hash": result.posting_hash,
                 "job_id": result.job_id, "answer": json.dumps(result.answer, ensure_ascii=False),
                 "input_tokens": last.get("input_tokens"), "output_tokens": last.get("output_tokens"),
                 "run_id": report.run_id, "cached_at": storage.utc_now()}
    store([(result.job_id, result.answer, result.calls, cache_row), *((job_id, result.answer, [], None) for job_id in same_text)])
    return 1 + len(same_text)


# --- The command ------------------------------------------------------------------------------

def summary(report: RunReport, db_path) -> list[str]:
    if report.status == "dry run":
        return [f"dry run: {report.selected} postings selected; {report.cached} answered from the cache; "
                f"{report.calls} calls to make (~{report.estimated_input_tokens:,} input tokens at "
                f"{CHARS_PER_TOKEN} characters a token"
                + (f", ~{report.estimated_output_tokens:,} output tokens as its answers so far"
                   if report.estimated_output_tokens is not None else "") + ")"
                + (f"; {report.over_budget} left for a later run by --max-calls" if report.over_budget else "")]
    lines = [f"label {report.status} (run {report.run_id}): {report.source}, {report.selected} postings: "
             f"{report.cached} from the cache, {report.calls} calls ({report.retries} retries), "
             f"{report.labelled} labelled, {report.failed} failed; tokens {report.input_tokens:,} in / "
             f"{report.output_tokens:,} out; {report.seconds:.1f} s -> {db_path}"]
    if report.status_reason:
        lines.append(report.status_reason)
    if report.over_budget:
        lines.append(f"{report.over_budget} postings left for a later run by --max-calls")
    if report.changed:
        lines.append(f"{report.changed} postings were re-fetched by a crawl while they were asked: their labels "
                     "are left for the next run (the answers are cached)")
    for reason, count in report.failures.most_common():
        lines.append(f"failed {count}: {reason} (see label_failures)")
    if report.unknown_skills:
        top = ", ".join(f"{name} ({n})" for name, n in report.unknown_skills.most_common(8))
        lines.append(f"{len(report.unknown_skills)} skill names ({sum(report.unknown_skills.values())} mentions) are "
                     f"no taxonomy skill, kept as written; most common: {top}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobcrawler.label", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="an llm model id or alias (`llm models` lists them)")
    parser.add_argument("--db", default=SQLITE_PATH, help=f"the database (default: {SQLITE_PATH})")
    parser.add_argument("--city", help="only postings listed under this city key (any case) or city name")
    parser.add_argument("--since", metavar="YYYY-MM-DD", type=_date, help="only postings posted on or after this day")
    parser.add_argument("--limit", type=number_input.positive_whole, metavar="N", help="at most N postings (in job id order)")
    parser.add_argument("--max-calls", type=number_input.positive_whole, metavar="N", help="at most N calls to the model; the rest wait "
                        "for a later run")
    parser.add_argument("--concurrency", type=number_input.positive_whole, default=4, metavar="N", help="calls in flight (default 4)")
    parser.add_argument("--dry-run", action="store_true", help="say how many calls the run would make, make none")
    parser.add_argument("--only-uncertain", action="store_true",
                        help="only postings whose rule-tagger AI type is below the --below confidence (or has none)")
    parser.add_argument("--below", type=number_input.share_option(1.0, "a confidence between 0 and 1"), metavar="X",
                        help=f"the confidence --only-uncertain sends below (default {storage.UNCERTAIN_BELOW})")
    defaults = Settings()
    parser.add_argument("--attempts", type=number_input.positive_whole, default=defaults.attempts, help="tries per posting (default %(default)s)")
    parser.add_argument("--backoff", type=number_input.positive_seconds, default=defaults.backoff, metavar="SECONDS",
                        help="first wait before a retry, doubled each time (default %(default)s)")
    parser.add_argument("--timeout", type=number_input.positive_seconds, default=defaults.timeout, metavar="SECONDS",
                        help="longest wait for one whole answer, however slowly it arrives (default %(default)s)")
    args = parser.parse_args(argv)
    if args.below is not None and not args.only_uncertain:  # ignored, it would send every posting
        parser.error("--below goes with --only-uncertain")
    if why := storage.database_file_error(args.db):  # a mistyped path must not become a new, empty database
        parser.exit(2, f"{parser.prog}: error: {why}\n")
    # A site serving the file opened it immutable: a run would write into it; a dry run reads it as it is.
    served = storage.being_served(args.db, "label")
    if served and not args.dry_run:
        parser.exit(1, f"{parser.prog}: error: {served}\n")
    if served:
        print(f"note: reading {args.db} as it is, read-only: a site serves it", file=sys.stderr)
    if args.city is not None:  # "0 postings selected" would hide a typo
        try:  # listed_city_key reads job_cities: not a database, or another program's
            db = (storage.open_db_read_only if served else storage.open_db)(args.db)
        except storage.StorageError as error:
            parser.exit(2, f"{parser.prog}: error: {error}\n")
        with closing(db):
            try:
                args.city = storage.listed_city_key(db, args.city)  # "BERLIN", "New York": the key postings have
            except ValueError as unknown:
                parser.exit(2, f"{parser.prog}: error: {unknown}\n")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    settings = Settings(attempts=args.attempts, backoff=args.backoff, timeout=args.timeout)
    try:
        report = label(args.db, args.model, city=args.city, since=args.since, limit=args.limit,
                       max_calls=args.max_calls, concurrency=args.concurrency, dry_run=args.dry_run,
                       settings=settings, progress=not args.dry_run, read_only=bool(served),
                       below=(storage.UNCERTAIN_BELOW if args.below is None else args.below) if args.only_uncertain else None)
    except (LabelError, storage.StorageError) as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    except KeyboardInterrupt:  # before the run started: nothing to record
        parser.exit(130, f"{parser.prog}: interrupted\n")
    for line in summary(report, args.db):
        print(line)
    if args.only_uncertain and report.status in ("ok", "dry run"):
        print(f"reports with the rules where sure and this model where they doubt: python -m analysis report "
              f"--db {args.db} --labels rules+{report.source}")
    return {"ok": 0, "dry run": 0, "interrupted": 130}.get(report.status, 1)


def _date(value: str) -> str:
    try:
        time.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {value!r}") from None
    return value


if __name__ == "__main__":
    sys.exit(main())
