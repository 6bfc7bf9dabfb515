"""A real forwarding HTTP proxy on a free loopback port, for the proxy tests.

It forwards absolute-URI requests (``GET http://host/path``) and opens CONNECT tunnels, as a
residential proxy does; with ``credentials`` it answers 407 to any request without the right
``Proxy-Authorization``. ``hosts`` maps names to addresses only the proxy knows (the crawler
cannot resolve them itself), so a page that arrived went through the proxy. Every request is
recorded in ``requests`` as (method, target, authorized).
"""

from __future__ import annotations

import base64
import select
import socket
import socketserver
import threading
from urllib.parse import urlsplit


class ForwardingProxy:
    def __init__(self, credentials: tuple[str, str] | None = None, hosts: dict[str, str] | None = None):
        self.credentials = credentials
        self.hosts = hosts or {}
        self.requests: list[tuple[str, str, bool]] = []
        self.seen_headers: list[str] = []  # every header line received, to check what was sent
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                proxy._handle(self.connection, self.rfile)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, user: str | None = None, password: str | None = None) -> str:
        auth = f"{user}:{password}@" if user is not None else ""
        return f"http://{auth}127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _authorized(self, headers: dict[str, str]) -> bool:
        if self.credentials is None:
            return True
        expected = base64.b64encode(":".join(self.credentials).encode()).decode()
        return headers.get("proxy-authorization", "") == f"Basic {expected}"

    def _address(self, host: str, port: int) -> tuple[str, int]:
        return self.hosts.get(host, host), port

    def _handle(self, client: socket.socket, rfile) -> None:
        request_line = rfile.readline().decode("latin-1").rstrip("\r\n")
        if not request_line:
            return
        header_lines = []
        while (line := rfile.readline().decode("latin-1")) not in ("\r\n", "\n", ""):
            header_lines.append(line.rstrip("\r\n"))
        self.seen_headers.extend(header_lines)
        headers = {name.strip().lower(): value.strip() for name, _, value in (h.partition(":") for h in header_lines)}
        method, target, _version = request_line.split(" ", 2)
        authorized = self._authorized(headers)
        self.requests.append((method, target, authorized))
        if not authorized:
            client.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                           b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
            return
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            upstream = socket.create_connection(self._address(host, int(port)), timeout=30)
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self._pipe(client, upstream)
            return
        parts = urlsplit(target)
        upstream = socket.create_connection(self._address(parts.hostname, parts.port or 80), timeout=30)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        kept = [h for h in header_lines if not h.lower().startswith(("proxy-", "connection:", "keep-alive:"))]
        upstream.sendall((f"{method} {path or '/'} HTTP/1.1\r\n" + "".join(f"{h}\r\n" for h in kept)
                          + "Connection: close\r\n\r\n").encode("latin-1"))
        with upstream:
            while chunk := upstream.recv(65536):
                client.sendall(chunk)

    @staticmethod
    def _pipe(client: socket.socket, upstream: socket.socket) -> None:
        with upstream:
            sockets = [client, upstream]
            while True:
                readable, _, _ = select.select(sockets, [], [], 30)
                if not readable:
                    return
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is client else client).sendall(data)


def refusing_port() -> int:
    """A loopback port nothing listens on (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
