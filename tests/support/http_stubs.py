"""Network misbehaviour for client tests: a gateway in front of the real server, and a server that never answers.

Neither fakes the licence server: ``Gateway`` forwards to the real one and only replaces the answers a
test asks it to (a flaky 503, a replayed old document, a captive-portal page); ``SilentServer``
accepts connections and never replies, like a firewall that swallows packets after the handshake.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "server", "date"}


@dataclass
class Seen:
    method: str
    path: str
    body: bytes


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Hook = Callable[[Seen], Reply | None]


class Gateway:
    """A loopback HTTP server forwarding to ``upstream``; ``hook`` may answer a request itself.

    ``answers`` records what the upstream answered, so a test can capture a real response and replay it.
    """

    def __init__(self, upstream: str | None, hook: Hook | None = None) -> None:
        self.upstream = upstream.rstrip("/") if upstream else None
        self.hook = hook
        self.seen: list[Seen] = []
        self.answers: list[tuple[Seen, Reply]] = []
        self._lock = threading.Lock()
        self._upstream_http = requests.Session()
        self._upstream_http.trust_env = False
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(self.command, self.path, self.rfile.read(length) if length else b"")
                reply = gateway._answer(seen, dict(self.headers))
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                # One request per connection: once the gateway stops, no pooled connection can reach it.
                self.send_header("Connection", "close")
                self.close_connection = True
                self.end_headers()
                self.wfile.write(reply.body)

            def do_GET(self) -> None:
                self._handle()

            def do_POST(self) -> None:
                self._handle()

            def do_DELETE(self) -> None:
                self._handle()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="test-gateway", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def _answer(self, seen: Seen, headers: dict[str, str]) -> Reply:
        with self._lock:
            self.seen.append(seen)
        reply = self.hook(seen) if self.hook else None
        if reply is not None:
            return reply
        if self.upstream is None:
            return Reply(404, b"<html>nothing here</html>", {"Content-Type": "text/html"})
        forward = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "host"}
        upstream = self._upstream_http.request(
            seen.method, self.upstream + seen.path, data=seen.body or None, headers=forward, timeout=30
        )
        out = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP}
        reply = Reply(upstream.status_code, upstream.content, out)
        with self._lock:
            self.answers.append((seen, reply))
        return reply

    def count(self, path_part: str) -> int:
        with self._lock:
            return sum(1 for s in self.seen if path_part in s.path)

    def __enter__(self) -> Gateway:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._upstream_http.close()


class SilentServer:
    """Accepts TCP connections and never answers; ``accepted`` is set once a client has connected."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.1)  # so the accept loop notices the stop flag
        self.accepted = threading.Event()
        self._conns: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="silent-server", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._conns.append(conn)
            self.accepted.set()

    def __enter__(self) -> SilentServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()
        for conn in self._conns:
            conn.close()


def dead_url() -> str:
    """A loopback URL nobody listens on (the port was free a moment ago)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"
