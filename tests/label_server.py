"""A local OpenAI-compatible chat-completions server for the LLM labeller's tests, and the llm
configuration pointing at it.

Real HTTP on loopback (a free port). ``answer(text)`` gives the JSON record for a posting's text
(what ``jobcrawler.label.posting_text`` makes); ``faults`` maps a posting's text to the faults its
next requests get, in order: ``429`` (with Retry-After), ``500``, ``401``, ``401 echo`` (a 401 whose
message repeats the key it was sent), ``malformed`` (not JSON), ``invalid`` (JSON against the schema),
``slow`` (answers after ``slow_seconds``), ``trickle`` (the answer one byte every ``slow_seconds``).
The server counts requests in all and per posting text.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MODEL_ID = "stand-in"


def any_posting_answer() -> dict:
    """A valid answer for any posting (when what is answered does not matter, only that it is)."""
    from jobcrawler.label import SKILL_LISTS

    skills = {name: [] for name in SKILL_LISTS}
    skills["genai"] = ["RAG"]
    return {
        "company": {"name": "Acme", "stage": None, "focus": "software"},
        "position": {
            "title": "AI Engineer",
            "ai_type": {"type": "ai-first", "reasoning": "builds retrieval over documents"},
            "responsibilities": ["Build RAG pipelines", "Ship features", "Evaluate answers", "Review code"],
            "use_cases": ["search", "support assistant", "document review"],
            "skills": skills,
            "is_customer_facing": False,
            "is_management": False,
        },
    }


class LabelServer:
    def __init__(self, answer, faults: dict[str, list[str]] | None = None, slow_seconds: float = 1.0,
                 retry_after: str = "0.05"):
        self.answer, self.faults, self.slow_seconds, self.retry_after = answer, dict(faults or {}), slow_seconds, retry_after
        self.requests = 0
        self.by_text: Counter = Counter()
        self.faults_served: Counter = Counter()
        self.schemas: list[dict] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> "LabelServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _next_fault(self, text: str) -> str | None:
        with self.lock:
            self.requests += 1
            self.by_text[text] += 1
            queue = self.faults.get(text)
            fault = queue.pop(0) if queue else None
            if fault:
                self.faults_served[fault] += 1
            return fault

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                messages = body.get("messages") or []
                text = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
                if isinstance(text, list):  # content parts
                    text = "".join(part.get("text", "") for part in text)
                schema = ((body.get("response_format") or {}).get("json_schema") or {}).get("schema")
                if schema:
                    server.schemas.append(schema)
                fault = server._next_fault(text)
                if fault == "429":
                    return self._send(429, {"error": {"message": "rate limited", "type": "rate_limit"}},
                                      {"Retry-After": server.retry_after})
                if fault == "401":
                    return self._send(401, {"error": {"message": "invalid api key", "type": "auth"}})
                if fault == "401 echo":
                    key = self.headers.get("authorization", "").removeprefix("Bearer ")
                    return self._send(401, {"error": {"message": f"Incorrect API key provided: {key}", "type": "auth"}})
                if fault == "500":
                    return self._send(500, {"error": {"message": "upstream broke", "type": "server_error"}})
                if fault == "slow":
                    time.sleep(server.slow_seconds)
                if fault == "malformed":
                    content = '{"company": {"name": "Acme", "stage": '  # cut off
                elif fault == "invalid":
                    content = json.dumps({"company": {"name": "Acme"}, "position": {"title": 3}})
                else:
                    content = json.dumps(server.answer(text), ensure_ascii=False, default=str)
                prompt_tokens = sum(len(str(m.get("content", ""))) for m in messages) // 4
                completion_tokens = len(content) // 4
                send = self._trickle if fault == "trickle" else self._send
                send(200, {
                    "id": f"chatcmpl-{server.requests}", "object": "chat.completion", "created": int(time.time()),
                    "model": body.get("model"),
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": content}}],
                    "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                              "total_tokens": prompt_tokens + completion_tokens},
                })

            def _trickle(self, status: int, payload: dict):
                """The whole answer, one byte every ``slow_seconds``: each read is quick, the answer is not."""
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    for i in range(len(data)):
                        self.wfile.write(data[i:i + 1])
                        self.wfile.flush()
                        time.sleep(server.slow_seconds)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                    pass

            def _send(self, status: int, payload: dict, headers: dict | None = None):
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (a timeout)
                    pass

        return Handler


def llm_config(folder: Path, api_base: str, model_id: str = MODEL_ID, **extra) -> Path:
    """An LLM_USER_PATH folder declaring ``model_id`` as an OpenAI-compatible model at ``api_base``."""
    folder.mkdir(parents=True, exist_ok=True)
    entry = {"model_id": model_id, "model_name": model_id, "api_base": api_base, "supports_schema": True, **extra}
    lines = [f"- model_id: {entry.pop('model_id')}"] + [f"  {key}: {json.dumps(value)}" for key, value in entry.items()]
    (folder / "extra-openai-models.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
