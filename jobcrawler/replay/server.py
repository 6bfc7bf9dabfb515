"""The replay site's HTTP server: routing, a request log, and deterministic fault injection.

Faults hit a URL on its first K attempts and then stop, so a crawler that retries recovers,
and tests can tell from the request log (or ``planned_fault``) which requests were faulted.
"""

from __future__ import annotations

import hashlib
import json
import zlib
import math
import re
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qsl, urlencode, urlsplit

from jobcrawler.replay import pages
from jobcrawler.replay.postings import Catalog, Posting, generate

PAGE_SIZE = 20
DETAIL_PATH = re.compile(r"^/job/([^/]+)/(\d+)/?$")
LD_JSON_MARKER = pages.LD_JSON_TYPE.encode()
# Which faults make sense for which page type. Besides transient trouble, faults a crawl must
# give up on: a detail page redirecting in a loop (A -> A?redirect=back -> A), on and on to new
# URLs (?hop=1, ?hop=2...), or to the search page like an expired job (so several jobs redirect
# to one URL); a gzip bomb; a page larger than any real one, sent with its length or streamed
# without it (until the connection closes).
FAULTS_BY_PAGE = {
    "listing": ("429", "500", "503", "slow", "drop", "truncate", "challenge", "repeat", "gzip_bomb", "oversize"),
    "detail": ("429", "500", "503", "slow", "drop", "truncate", "challenge", "404",
               "redirect_loop", "redirect_endless", "redirect_expired", "gzip_bomb", "oversize",
               "oversize_unsized"),
}
FAULT_KINDS = tuple(dict.fromkeys(kind for kinds in FAULTS_BY_PAGE.values() for kind in kinds))
REASONS = {
    200: "OK",
    302: "Found",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass(frozen=True)
class FaultRule:
    """A fault hitting a ``rate`` share of URLs on their first ``attempts`` requests (None: always)."""

    kind: str
    rate: float
    attempts: int | None = 1


def parse_faults(spec) -> list[FaultRule]:
    """Rules from ``"429:0.1,503:0.1:2,404:0.02"`` (KIND:RATE[:ATTEMPTS|all]), a {kind: rate} dict or rules.

    404 defaults to every attempt (a job that is gone stays gone); every other kind to the first.
    """
    if not spec:
        return []
    if isinstance(spec, dict):
        spec = [FaultRule(str(kind), float(rate), None if str(kind) == "404" else 1) for kind, rate in spec.items()]
    if isinstance(spec, str):
        rules = []
        for item in filter(None, (part.strip() for part in spec.split(","))):
            kind, rate, *rest = item.split(":")
            attempts = rest[0] if rest else ("all" if kind == "404" else "1")
            rules.append(FaultRule(kind, float(rate), None if attempts == "all" else int(attempts)))
        spec = rules
    rules = list(spec)
    for rule in rules:
        if rule.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {rule.kind!r}; known: {', '.join(FAULT_KINDS)}")
    return rules


def _unit(seed: int, key: str) -> float:
    """A stable number in [0, 1) for a URL: the same URL draws the same fault in every run."""
    return int(hashlib.sha256(f"{seed}|{key}".encode()).hexdigest()[:13], 16) / 16**13


def url_key(path: str, query: str) -> str:
    """A URL with its query parameters sorted, so parameter order does not make a new URL."""
    return f"{path}?{urlencode(sorted(parse_qsl(query, keep_blank_values=True)))}"


@dataclass
class _Response:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    drop_midway: bool = False
    unsized: bool = False  # no Content-Length: the body ends when the connection closes


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # benchmarks open many connections at once

    def __init__(self, address, site: ReplaySite):
        self.site = site
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like a crawler expects
    server_version = "ReplaySite/1.0"
    timeout = 30  # idle keep-alive connections close eventually
    disable_nagle_algorithm = True  # headers and body go out as separate writes; don't wait for ACKs

    def do_GET(self):
        self.server.site._handle(self, head_only=False)

    def do_HEAD(self):
        self.server.site._handle(self, head_only=True)

    def log_message(self, format, *args):  # quiet: the site keeps its own request log
        pass


class ReplaySite:
    """A local builtin.com stand-in serving synthetic postings, for tests and benchmarks.

    ``with ReplaySite(jobs_per_city=30, seed=1) as site:`` starts it on a free port in a
    background thread; ``site.base_url`` is where to crawl, ``site.expected(job_id)`` what a
    parser must read from a job's page, and ``site.request_log`` what was asked for.
    """

    def __init__(
        self,
        jobs_per_city: int = 60,
        seed: int = 1,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        cities: dict[str, dict] | None = None,
        faults=None,
        retry_after: int = 1,
        slow_seconds: float = 5.0,
        js_listings: bool = False,
        bomb_bytes: int = 300 * 2**20,
        oversize_bytes: int = 16 * 2**20,
    ):
        self.catalog: Catalog = generate(seed, jobs_per_city, cities)
        self.seed = seed
        self.host, self.port = host, port
        self.fault_rules = parse_faults(faults)
        self.retry_after = retry_after
        self.slow_seconds = slow_seconds
        self.js_listings = js_listings
        self.bomb_bytes = bomb_bytes
        self.oversize_bytes = oversize_bytes
        self._bomb: bytes | None = None
        self._lock = threading.Lock()
        self._log: list[dict] = []
        self._attempts: Counter[str] = Counter()
        self._cache: dict[str, _Response] = {}
        self._server: _Server | None = None

    # --- life cycle ---------------------------------------------------------------------------
    def start(self) -> Self:
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, args=(0.05,), name="replay-site", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- what tests compare against -----------------------------------------------------------
    @property
    def postings(self) -> dict[str, Posting]:
        return self.catalog.postings

    def expected(self, job_id: str) -> dict:
        return self.postings[str(job_id)].expected()

    def expected_parses(self) -> dict[str, dict]:
        return {job_id: posting.expected() for job_id, posting in self.postings.items()}

    def listing(self, city_key: str) -> list[Posting]:
        return self.catalog.listing(city_key)

    def listing_url(self, city_key: str, query: str = "AI Engineer", page: int = 1) -> str:
        entry = self.catalog.cities[city_key]
        params = {"search": query}
        params.update({key: entry[key] for key in ("city", "state", "country") if entry.get(key)})
        params["allLocations"] = "true"
        return self.base_url + pages.listing_url("/jobs", params, page)

    def detail_url(self, job_id: str) -> str:
        return self.base_url + self.postings[str(job_id)].path

    def planned_fault(self, url: str) -> FaultRule | None:
        """The fault rule that hits this URL (on its first attempts), or None."""
        split = urlsplit(url)
        page_type, page_number = self._classify(split.path, dict(parse_qsl(split.query)))
        return self._fault_rule(page_type, url_key(split.path, split.query), page_number)

    @property
    def request_log(self) -> list[dict]:
        """Every request: method, path, query, status, timestamp, fault (kind or None), attempt."""
        with self._lock:
            return [dict(entry) for entry in self._log]

    def reset(self) -> None:
        """Forget the request log and attempt counts, so faults fire again."""
        with self._lock:
            self._log.clear()
            self._attempts.clear()

    # --- serving ------------------------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler, head_only: bool) -> None:
        split = urlsplit(handler.path)
        path, query = split.path, split.query
        if path == "/__log":
            self._send(handler, self._log_response(query), head_only)
            return
        params = dict(parse_qsl(query, keep_blank_values=True))
        key = url_key(path, query)
        page_type, page_number = self._classify(path, params)
        with self._lock:
            self._attempts[key] += 1
            attempt = self._attempts[key]
        rule = self._fault_rule(page_type, key, page_number)
        fault = rule.kind if rule and (rule.attempts is None or attempt <= rule.attempts) else None
        if page_type == "detail" and params.get("redirect") == "back":
            fault = "redirect_loop"  # the second half of a loop: back to where it came from
        elif page_type == "detail" and params.get("hop"):
            fault = "redirect_endless"
        response = self._faulted(fault, page_type, path, params, page_number, key)
        with self._lock:
            self._log.append(
                {
                    "method": handler.command,
                    "path": path,
                    "query": query,
                    "status": response.status,
                    "timestamp": time.time(),
                    "fault": fault,
                    "attempt": attempt,
                }
            )
        if response.delay:
            time.sleep(response.delay)
        try:
            self._send(handler, response, head_only)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True

    def _send(self, handler, response: _Response, head_only: bool) -> None:
        handler.send_response(response.status, REASONS.get(response.status))
        handler.send_header("Content-Type", response.content_type)
        for name, value in response.headers:
            handler.send_header(name, value)
        if response.unsized:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        else:
            handler.send_header("Content-Length", str(len(response.body)))
        handler.end_headers()
        if head_only:
            return
        if response.drop_midway:
            handler.wfile.write(response.body[: len(response.body) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        handler.wfile.write(response.body)

    def _classify(self, path: str, params: dict) -> tuple[str | None, int]:
        if path.startswith("/jobs"):
            page = params.get("page", "1")
            return "listing", int(page) if page.isdigit() and int(page) > 0 else 1
        if DETAIL_PATH.match(path):
            return "detail", 0
        return None, 0

    def _fault_rule(self, page_type: str | None, key: str, page_number: int) -> FaultRule | None:
        if page_type is None:
            return None
        draw, edge = _unit(self.seed, key), 0.0
        for rule in self.fault_rules:
            if rule.kind not in FAULTS_BY_PAGE[page_type] or (rule.kind == "repeat" and page_number < 2):
                continue
            edge += rule.rate
            if draw < edge:
                return rule
        return None

    def _faulted(self, fault, page_type, path, params, page_number, key) -> _Response:
        if fault == "429":
            return _Response(
                429, pages.error_page(429, REASONS[429]).encode(), headers=(("Retry-After", str(self.retry_after)),)
            )
        if fault in ("500", "503"):
            return _Response(int(fault), pages.error_page(int(fault), REASONS[int(fault)]).encode())
        if fault == "challenge":
            return _Response(200, pages.challenge_page().encode())
        if fault == "404":
            return _Response(404, pages.not_found_page().encode())
        if fault == "redirect_loop":
            target = path if params.get("redirect") == "back" else f"{path}?redirect=back"
            return _Response(302, b"", headers=(("Location", target),))
        if fault == "redirect_endless":
            hop = int(params["hop"]) + 1 if params.get("hop", "").isdigit() else 1
            return _Response(302, b"", headers=(("Location", f"{path}?hop={hop}"),))
        if fault == "redirect_expired":
            return _Response(302, b"", headers=(("Location", "/jobs"),))
        if fault == "gzip_bomb":
            return _Response(200, self._gzip_bomb(), headers=(("Content-Encoding", "gzip"),))
        if fault == "repeat":
            previous = dict(params, page=str(page_number - 1))
            return self._page(page_type, path, previous, page_number - 1, url_key(path, urlencode(previous)))
        response = self._page(page_type, path, params, page_number, key)
        if fault == "slow":
            return _Response(response.status, response.body, delay=self.slow_seconds)
        if fault == "drop":
            return _Response(response.status, response.body, drop_midway=True)
        if fault in ("oversize", "oversize_unsized"):
            padding = b" " * max(0, self.oversize_bytes - len(response.body))
            body = response.body.replace(b"</body>", padding + b"</body>", 1)
            return _Response(response.status, body, unsized=fault == "oversize_unsized")
        if fault == "truncate":
            start = response.body.find(LD_JSON_MARKER)
            cut = start + len(LD_JSON_MARKER) + 80 if start >= 0 else len(response.body) // 2
            return _Response(response.status, response.body[:cut])
        return response

    def _gzip_bomb(self) -> bytes:
        """``bomb_bytes`` of spaces, gzipped (about 1,000 to 1), made once."""
        with self._lock:
            if self._bomb is None:
                packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
                chunk = b" " * 2**20
                parts = [packer.compress(chunk) for _ in range(self.bomb_bytes // len(chunk))]
                self._bomb = b"".join(parts) + packer.compress(b" " * (self.bomb_bytes % len(chunk))) + packer.flush()
            return self._bomb

    def _page(self, page_type, path, params, page_number, key) -> _Response:
        cached = self._cache.get(key)
        if cached:
            return cached
        detail = DETAIL_PATH.match(path)
        if path == "/robots.txt":
            response = _Response(200, pages.ROBOTS_TXT.encode(), "text/plain; charset=utf-8")
        elif page_type == "listing":
            response = _Response(200, self._listing_html(path, params, page_number).encode())
        elif detail and detail.group(2) in self.postings:
            response = _Response(200, pages.detail_page(self.postings[detail.group(2)]).encode())
        else:
            response = _Response(404, pages.not_found_page().encode())
        if len(self._cache) < 50_000:  # odd query strings must not grow memory without bound
            self._cache[key] = response
        return response

    def _listing_html(self, path: str, params: dict, page_number: int) -> str:
        city_key = self.catalog.city_key(params.get("city"), params.get("state"), params.get("country"))
        postings = self.catalog.listing(city_key) if city_key else []
        entry = self.catalog.cities.get(city_key, {})
        place = entry.get("name") or entry.get("city") or params.get("city") or params.get("country") or "All Locations"
        start = (page_number - 1) * PAGE_SIZE
        return pages.listing_page(
            cards=[pages.card_from_posting(posting, self.base_url) for posting in postings[start : start + PAGE_SIZE]],
            heading=f"{params.get('search') or 'All'} Jobs in {place}",
            total=len(postings),
            path=path,
            params=params,
            page=page_number,
            last_page=max(1, math.ceil(len(postings) / PAGE_SIZE)),
            base_url=self.base_url,
            js=self.js_listings,
        )

    def _log_response(self, query: str) -> _Response:
        since = dict(parse_qsl(query)).get("since", "0")
        entries = self.request_log[int(since) if since.isdigit() else 0 :]
        return _Response(200, json.dumps(entries).encode(), "application/json")
