"""How many times one validate talks to the database: every statement, BEGIN and COMMIT counted.

A behaviour count, not a timing: the licence comes with its policy, product, organisation and seated
machines in one query, the maintenance window from a cache, the token with its account, and no
connection is pinged first.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from tests.support.licensing import customer, issue_licence, machine
from tests.support.live import LiveServer

# BEGIN, token + account, licence + policy + product + organisation + machines, UPDATE of the machine,
# the document's seat count, ledgers in use, entitlements, voucher years and add-ons (one UNION ALL), COMMIT.
VALIDATE_ROUND_TRIPS = 6


@contextmanager
def round_trips(live: LiveServer) -> Iterator[list[str]]:
    """Each statement sent on the server's engine, and each BEGIN, COMMIT and ROLLBACK, in order."""
    seen: list[str] = []
    engine = live.ctx.engine

    def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if not sql.lstrip().upper().startswith("BEGIN"):  # SQLite's BEGIN is counted by the begin event
            seen.append(" ".join(sql.split())[:80])

    listeners = {
        "before_cursor_execute": statement,
        "begin": lambda _conn: seen.append("BEGIN"),
        "commit": lambda _conn: seen.append("COMMIT"),
        "rollback": lambda _conn: seen.append("ROLLBACK"),
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
    assert seen[0] == "BEGIN" and seen[-1] == "COMMIT" and seen.count("BEGIN") == 1, seen
    assert sum(s.startswith("UPDATE") for s in seen) == 1, seen
    assert sum(s.startswith("SELECT") for s in seen) == 3, seen  # token, licence, the document's facts
    assert not any("announcements" in s for s in seen), seen  # the maintenance window comes from a cache
