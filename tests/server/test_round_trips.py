"""How many times validate, activate and login talk to the database: every statement, BEGIN and COMMIT counted.

A behaviour count, not a timing: validate reads the token with its account, the licence with its policy,
product, organisation and seated machines, and what the document counts and lists, in one query; the
maintenance window comes from a cache, and no connection is pinged first.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from licence_protocol.envelope import b64url_decode
from sqlalchemy import Connection, event

from server.db import SINGLE_STATEMENT
from server.models import AddonKey, Entitlement, Organisation
from server.services.admin import create_ledger
from tests.support.accounts import DEFAULT_PASSWORD, make_account
from tests.support.licensing import customer, issue_licence, machine
from tests.support.live import LiveServer

# Token + account + licence + policy + product + organisation + seated machines + the document's seat count,
# ledgers in use, entitlements, voucher years and add-ons: one SELECT, on its own (no BEGIN, no COMMIT).
VALIDATE_ROUND_TRIPS = 1
# Once a minute per machine validate also writes when it was last seen: BEGIN, one UPDATE, COMMIT.
VALIDATE_SEEN_ROUND_TRIPS = {"sqlite": 4, "postgresql": 4}
# The same machine activated again. BEGIN, token + account, (PostgreSQL: the guess lock), pruning old
# guesses, both guess counts (one query), organisation, licence (locked), its machines, UPDATE of the
# machine, the document's facts, COMMIT.
ACTIVATE_AGAIN_ROUND_TRIPS = {"sqlite": 10, "postgresql": 11}
# The attempt counted and the account read (BEGIN, prune, count, INSERT, SELECT, COMMIT); the password is
# checked holding no lock; then BEGIN, the account locked, both tokens (one INSERT), COMMIT.
LOGIN_ROUND_TRIPS = 10


@contextmanager
def round_trips(live: LiveServer) -> Iterator[list[str]]:
    """Each statement sent on the server's engine, and each BEGIN, COMMIT and ROLLBACK, in order."""
    seen: list[str] = []
    engine = live.ctx.engine

    def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if not sql.lstrip().upper().startswith("BEGIN"):  # SQLite's BEGIN is counted by the begin event
            seen.append(" ".join(sql.split())[:80])

    def transaction(word: str) -> Callable[[Connection], None]:
        def record(conn: Connection) -> None:
            options = conn.get_execution_options()
            # A statement on its own: SQLAlchemy still tells of a transaction, the database hears of none.
            if not options.get(SINGLE_STATEMENT) and options.get("isolation_level") != "AUTOCOMMIT":
                seen.append(word)

        return record

    listeners = {
        "before_cursor_execute": statement,
        "begin": transaction("BEGIN"),
        "commit": transaction("COMMIT"),
        "rollback": transaction("ROLLBACK"),
    }
    for name, fn in listeners.items():
        event.listen(engine, name, fn)
    try:
        yield seen
    finally:
        for name, fn in listeners.items():
            event.remove(engine, name, fn)


def test_one_validate_makes_few_round_trips(live_server: LiveServer) -> None:
    alice = customer(live_server, "13800000001")
    key = issue_licence(live_server)
    assert alice.activate(key, 1).status_code == 200
    body = {**machine(1), "nonce": "round-trip-nonce-0001"}
    assert alice.post(f"/licences/{key.licence_id}/validate", body).status_code == 200  # warm: pool, caches

    with round_trips(live_server) as seen:
        r = alice.post(f"/licences/{key.licence_id}/validate", body)

    assert r.status_code == 200, r.text
    assert len(seen) <= VALIDATE_ROUND_TRIPS, "\n".join(seen)
    assert sum(s.startswith("SELECT") for s in seen) == 1, seen  # token, licence and the document's facts
    assert not any(s.startswith("UPDATE") for s in seen), seen  # seen a moment ago: nothing to write
    assert not any("announcements" in s for s in seen), seen  # the maintenance window comes from a cache


def test_validate_writes_when_the_machine_was_last_seen_once_a_minute(live_server: LiveServer) -> None:
    alice = customer(live_server, "13800000001")
    key = issue_licence(live_server)
    assert alice.activate(key, 1).status_code == 200
    body = {**machine(1), "nonce": "round-trip-nonce-0002"}
    live_server.clock.advance(timedelta(minutes=2))

    with round_trips(live_server) as seen:
        r = alice.post(f"/licences/{key.licence_id}/validate", body)

    assert r.status_code == 200, r.text
    dialect = live_server.ctx.engine.dialect.name
    assert len(seen) <= VALIDATE_SEEN_ROUND_TRIPS[dialect], "\n".join(seen)
    assert sum(s.startswith("SELECT") for s in seen) == 1, seen
    assert sum(s.startswith("UPDATE machines") for s in seen) == 1, seen
    issued = json.loads(b64url_decode(r.json()["document"]["payload"]))["issued_at"]
    machines = alice.get(f"/licences/{key.licence_id}/machines").json()["machines"]
    assert datetime.fromisoformat(machines[0]["last_seen_at"]) == datetime.fromisoformat(issued)


def test_activate_and_login_make_few_round_trips(live_server: LiveServer) -> None:
    alice = customer(live_server, "13800000001")
    key = issue_licence(live_server)
    assert alice.activate(key, 1).status_code == 200
    with round_trips(live_server) as seen:
        r = alice.activate(key, 1)
    assert r.status_code == 200, r.text
    assert len(seen) <= ACTIVATE_AGAIN_ROUND_TRIPS[live_server.ctx.engine.dialect.name], "\n".join(seen)

    make_account(live_server, "13900000002")
    http, url = live_server.http(), f"{live_server.url}/api/v1/auth/login"
    with round_trips(live_server) as seen:
        r = http.post(url, json={"login": "13900000002", "password": DEFAULT_PASSWORD}, timeout=30)
    assert r.status_code == 200, r.text
    assert len(seen) <= LOGIN_ROUND_TRIPS, "\n".join(seen)
    assert http.get(f"{live_server.url}/api/v1/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
    assert sum(s.startswith("INSERT INTO auth_tokens") for s in seen) == 1, seen


def _payload(envelope: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(b64url_decode(envelope["payload"]))
    return payload


def test_validate_signs_the_facts_activate_signs(live_server: LiveServer) -> None:
    """Validate reads the document's counts and lists inside its one query; activate reads them on their own.
    Both documents of one machine must say the same: seats, ledgers, entitlements in their order, voucher
    years (archived ledger: no offline allowance), add-ons with their expiry times."""
    alice = customer(live_server, "13800000001")
    key = issue_licence(live_server, max_machines=5)
    now = live_server.clock.now()
    with live_server.session() as s:
        org = s.get(Organisation, alice.org_id)
        assert org is not None
        books = create_ledger(s, organisation=org, code="001", name="总账", now=now, years={2025: 12, 2024: 50})
        old = create_ledger(s, organisation=org, code="002", name="旧账", now=now, years={2023: 3})
        old.archived_at = now - timedelta(days=3)
        for ledger_id, year, module in [
            (books.id, 2025, "period_close"),
            (books.id, 2025, "Payroll"),
            (books.id, 2025, "fixed_assets"),
            (books.id, 2024, "period_close"),
            (old.id, 2023, "b_c"),
            (old.id, 2023, "bc"),
        ]:
            s.add(
                Entitlement(
                    licence_id=key.licence_id, ledger_id=ledger_id, fiscal_year=year, module=module, created_at=now
                )
            )
        s.add(
            Entitlement(
                licence_id=key.licence_id,
                ledger_id=books.id,
                fiscal_year=2025,
                module="gone",
                created_at=now,
                revoked_at=now,
            )
        )
        for n, (code, expires) in enumerate([("yzj", now + timedelta(days=30, microseconds=120_000)), ("tax", None)]):
            s.add(
                AddonKey(
                    code=code,
                    name=f"服务 {code}",
                    cdkey_hash=f"{n:064d}",
                    licence_id=key.licence_id,
                    activated_at=now,
                    expires_at=expires,
                    created_at=now,
                )
            )
    for n in (1, 2, 3):
        assert alice.activate(key, n).status_code == 200
    assert (
        alice.delete(f"/licences/{key.licence_id}/machines/{alice.activate(key, 3).json()['machine_id']}").status_code
        == 204
    )

    activated = _payload(alice.activate(key, 1).json()["document"])
    body = {"fingerprint": machine(1)["fingerprint"], "components": machine(1)["components"], "nonce": "F" * 32}
    r = alice.post(f"/licences/{key.licence_id}/validate", body)
    assert r.status_code == 200, r.text
    validated = _payload(r.json()["document"])

    moments = ("issued_at", "lease_expires_at", "server_time", "nonce")
    assert {k: v for k, v in validated.items() if k not in moments} == {
        k: v for k, v in activated.items() if k not in moments
    }
    assert validated["seats"]["used"] == 2 and validated["ledgers"]["in_use"] == 1
    assert len(validated["entitlements"]) == 6 and len(validated["vouchers"]) == 3
    assert [a["code"] for a in validated["addons"]] == ["yzj", "tax"] and validated["addons"][1]["expires_at"] is None
