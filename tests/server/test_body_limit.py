"""Request bodies have a ceiling, enforced before they are read whole: 413 PAYLOAD_TOO_LARGE."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.licensing import customer, error_code
from tests.support.live import LiveServer
from tests.support.server_process import ServerProcess, rss_bytes

MB = 1024 * 1024


def _raw_post(url: str, path: str, size: int, *, chunked: bool, chunk: int = 64 * 1024) -> tuple[int | None, int]:
    """POST ``size`` bytes over a raw socket (declared or chunked): the answer's status (None when the server
    closed before one could be read) and how many body bytes went out before it stopped reading."""
    parts = urlsplit(url)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
    head = f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n{framing}\r\n\r\n"
    block = b" " * chunk
    sent = 0
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        try:
            sock.sendall(head.encode("ascii"))
            while sent < size:
                sock.sendall(b"%x\r\n%s\r\n" % (len(block), block) if chunked else block)
                sent += len(block)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed without reading the rest: what a limit should do
        try:
            answer = sock.recv(4096)
        except OSError:
            return None, sent
    return (int(answer.split()[1]) if answer.startswith(b"HTTP/1.1 ") else None), sent


def test_a_declared_length_over_the_limit_is_refused_unread(sqlite_server: LiveServer) -> None:
    limit = sqlite_server.ctx.settings.max_body_bytes
    r = sqlite_server.http().post(
        f"{sqlite_server.url}/api/v1/auth/register",
        data=b" " * (limit + 1),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert r.status_code == 413 and error_code(r) == "PAYLOAD_TOO_LARGE"


def test_a_chunked_body_is_counted_as_it_streams(sqlite_server: LiveServer) -> None:
    limit = sqlite_server.ctx.settings.max_body_bytes

    def body() -> Iterator[bytes]:  # a generator: requests sends it chunked, with no length up front
        for _ in range(limit // 1024 + 2):
            yield b" " * 1024

    r = sqlite_server.http().post(
        f"{sqlite_server.url}/api/v1/auth/login", data=body(), headers={"Content-Type": "application/json"}, timeout=30
    )
    assert r.status_code == 413 and error_code(r) == "PAYLOAD_TOO_LARGE"


def test_a_chunked_body_under_the_limit_reaches_the_handler(sqlite_server: LiveServer) -> None:
    def body() -> Iterator[bytes]:
        yield b'{"login": "13800000001",'
        yield b' "password": "wrong-password"}'

    r = sqlite_server.http().post(
        f"{sqlite_server.url}/api/v1/auth/login", data=body(), headers={"Content-Type": "application/json"}, timeout=30
    )
    assert r.status_code == 401 and error_code(r) == "INVALID_CREDENTIALS"


def test_the_offline_upload_has_its_own_larger_limit(sqlite_server: LiveServer) -> None:
    settings = sqlite_server.ctx.settings
    assert settings.max_upload_bytes > settings.max_body_bytes
    alice = customer(sqlite_server, "13800000001")
    padded = b'{"padding": "' + b"x" * (settings.max_body_bytes * 2) + b'"}'
    url = f"{sqlite_server.url}/api/v1/offline-activations"
    headers = {**alice.headers, "Content-Type": "application/json"}

    within = alice.http.post(url, data=padded, headers=headers, timeout=30)
    assert within.status_code == 422  # read and judged by its fields, not refused for its size
    over = alice.http.post(url, data=b" " * (settings.max_upload_bytes + 1), headers=headers, timeout=30)
    assert over.status_code == 413 and error_code(over) == "PAYLOAD_TOO_LARGE"
    other = alice.http.post(f"{sqlite_server.url}/api/v1/orgs", data=padded, headers=headers, timeout=30)
    assert other.status_code == 413


@pytest.fixture
def server_process(tmp_path: Path, sqlite_url: str) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path / "server-data", sqlite_url).wait_ready()
    yield server
    server.stop()


def test_four_parallel_100_mb_uploads_leave_memory_flat(server_process: ServerProcess) -> None:
    pid = server_process.process.pid
    for _ in range(3):  # warm the paths the uploads take, so the baseline is the server at rest
        _raw_post(server_process.url, "/api/v1/auth/register", 1024, chunked=False)
    baseline = rss_bytes(pid)
    peak = baseline
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_bytes(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(
                pool.map(
                    lambda chunked: _raw_post(server_process.url, "/api/v1/auth/register", 100 * MB, chunked=chunked),
                    (False, False, True, True),
                )
            )
    finally:
        done.set()
        sampler.join(timeout=10)

    grown = peak - baseline
    print(f"server RSS {baseline / MB:.1f} MB at rest, peak {peak / MB:.1f} MB (+{grown / MB:.1f} MB)")
    assert grown < 50 * MB
    for status, sent in results:  # each upload was refused, not swallowed
        assert status == 413 or sent < 100 * MB, results
    assert server_process.process.poll() is None
