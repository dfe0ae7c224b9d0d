"""Under load the server answers: 200, or 503 SERVER_BUSY with Retry-After; never a hang, never another 5xx.

Real HTTP on loopback against the live server (SQLite and PostgreSQL), bounded in count and in time.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from licence_protocol.envelope import b64url_decode

from tests.support.licensing import Customer, customer, issue_licence, machine
from tests.support.live import LiveServer

VALIDATIONS = 200
LICENCES = 5
MACHINES_EACH = 2
CLIENT_TIMEOUT_S = 30.0
HEALTHZ_TIMEOUT_S = 2.0  # a busy server still answers its health check at once (it used to take 20-48 s)


def _activated_machines(live: LiveServer, alice: Customer) -> list[tuple[int, dict[str, Any]]]:
    """(licence id, machine fields) for every machine activated before the burst."""
    out = []
    for k in range(LICENCES):
        key = issue_licence(live, max_machines=3)
        for m in range(MACHINES_EACH):
            fields = machine(k * 10 + m)
            r = alice.post("/activations", {"serial": key.serial, "cdkey": key.cdkey, "org_id": alice.org_id, **fields})
            assert r.status_code == 200, r.text
            out.append((key.licence_id, fields))
    return out


async def _burst(live: LiveServer, alice: Customer, targets: list[tuple[int, dict[str, Any]]]) -> list[Any]:
    limits = httpx.Limits(max_connections=VALIDATIONS, max_keepalive_connections=VALIDATIONS)
    async with httpx.AsyncClient(base_url=live.url, limits=limits, trust_env=False) as http:

        async def validate(n: int) -> httpx.Response | Exception:
            licence_id, fields = targets[n % len(targets)]
            nonce = f"burst-nonce-{n:06d}"
            body = {"fingerprint": fields["fingerprint"], "components": fields["components"], "nonce": nonce}
            try:
                return await http.post(
                    f"/api/v1/licences/{licence_id}/validate",
                    json=body,
                    headers=alice.headers,
                    timeout=CLIENT_TIMEOUT_S,
                )
            except httpx.HTTPError as exc:  # a timeout is a hang: reported, not raised, so all are counted
                return exc

        return list(await asyncio.gather(*(validate(n) for n in range(VALIDATIONS))))


@contextmanager
def _health_probe(live: LiveServer) -> Iterator[list[int | str]]:
    """``/healthz`` asked every 50 ms while the burst runs; each answer's status (or the error) is kept."""
    answers: list[int | str] = []
    stop = threading.Event()

    def probe() -> None:
        with httpx.Client(base_url=live.url, trust_env=False) as http:
            while not stop.is_set():
                try:
                    answers.append(http.get("/healthz", timeout=HEALTHZ_TIMEOUT_S).status_code)
                except httpx.HTTPError as exc:
                    answers.append(type(exc).__name__)
                time.sleep(0.05)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    try:
        yield answers
    finally:
        stop.set()
        thread.join(timeout=10)


def test_two_hundred_concurrent_validations_answer_200_or_503_busy(live_server: LiveServer) -> None:
    alice = customer(live_server, "13800000001")
    targets = _activated_machines(live_server, alice)

    with _health_probe(live_server) as health:
        answers = asyncio.run(_burst(live_server, alice, targets))

    hangs = [repr(a) for a in answers if isinstance(a, Exception)]
    assert not hangs, hangs[:3]
    responses = [a for a in answers if isinstance(a, httpx.Response)]
    statuses = sorted({r.status_code for r in responses})
    assert set(statuses) <= {200, 503}, [(r.status_code, r.text[:200]) for r in responses if r.status_code >= 500][:3]
    assert any(r.status_code == 200 for r in responses)
    for busy in (r for r in responses if r.status_code == 503):
        assert busy.json()["error"]["code"] == "SERVER_BUSY"
        assert busy.headers["Retry-After"] == "1"
        assert busy.json()["error"]["details"] == {"retry_after": 1}
    for ok in (r for r in responses if r.status_code == 200):
        payload = json.loads(b64url_decode(ok.json()["document"]["payload"]))
        assert payload["seats"] == {"used": MACHINES_EACH, "max": 3}

    assert health and all(status == 200 for status in health), health

    # Afterwards the seats are what they were, and the server answers normally.
    for licence_id in sorted({licence_id for licence_id, _ in targets}):
        listing = alice.get(f"/licences/{licence_id}/machines").json()
        assert listing["seats"] == {"used": MACHINES_EACH, "max": 3}
    licence_id, fields = targets[0]
    again = alice.post(f"/licences/{licence_id}/validate", {**fields, "nonce": "after-the-burst-0001"})
    assert again.status_code == 200, again.text


def test_reads_do_not_wait_for_the_sqlite_write_lock(sqlite_server: LiveServer) -> None:
    """A GET begins without the write lock: it answers while another process holds that lock."""
    alice = customer(sqlite_server, "13800000001")
    key = issue_licence(sqlite_server)
    assert alice.activate(key, 1).status_code == 200
    database = sqlite_server.ctx.engine.url.database
    assert database is not None
    holder = sqlite3.connect(database, isolation_level=None, timeout=5)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer, e.g. a CLI run, holds the write lock
        with httpx.Client(base_url=sqlite_server.url, headers=alice.headers, trust_env=False) as http:
            # Well inside the 10 s SQLite busy timeout a writer would wait for.
            listing = http.get(f"/api/v1/licences/{key.licence_id}/machines", timeout=5)
            me = http.get("/api/v1/me", timeout=5)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert listing.status_code == 200 and listing.json()["seats"]["used"] == 1
    assert me.status_code == 200
