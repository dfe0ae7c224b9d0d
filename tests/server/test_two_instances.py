"""Two server instances on one database and one key directory behave as one server: seats, guess limits,
sessions, signing keys and the payment secret hold across them (docs/ARCHITECTURE.md, "Running a fleet")."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
from licence_protocol.envelope import public_key_from_b64, verify_envelope

from server.services.payments import callback_secret
from tests.support.accounts import DEFAULT_PASSWORD, make_account
from tests.support.licensing import Customer, customer, error_code, issue_licence, machine
from tests.support.live import LiveServer, start_live_server

WRONG_CDKEY = "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE"


@pytest.fixture
def pair(tmp_path: Path, database_url: str) -> Iterator[tuple[LiveServer, LiveServer]]:
    shared = tmp_path / "shared-data"  # the key dir every instance mounts
    first = start_live_server(shared, database_url)
    second = start_live_server(shared, database_url)
    yield first, second
    first.server.stop()
    second.server.stop()


def _on(live: LiveServer, who: Customer) -> Customer:
    """The same signed-in customer talking to another instance."""
    return replace(who, live=live, http=live.http())


def test_seats_are_atomic_across_instances(pair: tuple[LiveServer, LiveServer]) -> None:
    machines, seats = 20, 3
    key = issue_licence(pair[0], max_machines=seats)
    alice = customer(pair[0], "13800000001")
    start = threading.Barrier(machines)

    def activate(n: int) -> str:
        who = _on(pair[n % 2], alice)  # alternate instances
        start.wait(timeout=30)
        r = who.activate(key, n)
        return "OK" if r.status_code == 200 else error_code(r)

    with ThreadPoolExecutor(max_workers=machines) as pool:
        results = list(pool.map(activate, range(machines)))

    assert results.count("OK") == seats, results
    # the others find the seats taken (or, on a crowded machine, are told to come back: never a 500)
    assert results.count("TOO_MANY_MACHINES") + results.count("SERVER_BUSY") == machines - seats, results
    assert _on(pair[1], alice).get(f"/licences/{key.licence_id}/machines").json()["seats"] == {
        "used": seats,
        "max": seats,
    }


def test_no_more_than_the_free_guesses_are_checked_across_instances(pair: tuple[LiveServer, LiveServer]) -> None:
    guesses = 30
    free = pair[0].ctx.settings.guess_free_attempts
    key = issue_licence(pair[0])
    mallory = customer(pair[0], "13800000666")
    start = threading.Barrier(guesses)

    def guess(n: int) -> tuple[int, str]:
        who = _on(pair[n % 2], mallory)
        start.wait(timeout=30)
        r = who.post("/activations/preview", {"serial": key.serial, "cdkey": WRONG_CDKEY})
        return r.status_code, error_code(r)

    with ThreadPoolExecutor(max_workers=guesses) as pool:
        results = list(pool.map(guess, range(guesses)))

    checked = [r for r in results if r == (400, "INVALID_SERIAL_OR_CDKEY")]
    limited = [r for r in results if r in ((429, "RATE_LIMITED"), (503, "SERVER_BUSY"))]
    assert 1 <= len(checked) <= free, results
    assert len(checked) + len(limited) == guesses, results


def test_a_session_started_on_one_instance_works_on_the_other(pair: tuple[LiveServer, LiveServer]) -> None:
    make_account(pair[0], "13800000001")
    first, second = pair[0].http(), pair[1].http()
    login = {"login": "13800000001", "password": DEFAULT_PASSWORD}
    tokens = first.post(f"{pair[0].url}/api/v1/auth/login", json=login, timeout=30).json()

    me = second.get(
        f"{pair[1].url}/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=30
    )
    assert me.status_code == 200
    refreshed = second.post(
        f"{pair[1].url}/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}, timeout=30
    )
    assert refreshed.status_code == 200
    replayed = first.post(
        f"{pair[0].url}/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}, timeout=30
    )
    assert replayed.status_code == 401  # a refresh token is spent everywhere once used on one instance


def test_documents_signed_by_either_instance_verify_with_the_keys_both_publish(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    key = issue_licence(pair[0])
    alice = customer(pair[0], "13800000001")
    activated = alice.activate(key, 1).json()
    published = [pair[n].http().get(f"{pair[n].url}/api/v1/keys", timeout=30).json()["keys"] for n in (0, 1)]
    assert published[0] == published[1]
    trusted = {k["kid"]: public_key_from_b64(k["public_key"]) for k in published[0]}
    validated = _on(pair[1], alice).post(f"/licences/{key.licence_id}/validate", machine(1))
    assert validated.status_code == 200
    for envelope in (activated["document"], validated.json()["document"]):
        verify_envelope(envelope, trusted)

    rotated = pair[0].ctx.keys.rotate()  # on the shared key dir: the other instance signs with it at once
    after = _on(pair[1], alice).post(f"/licences/{key.licence_id}/validate", machine(1)).json()
    assert after["document"]["kid"] == rotated


def test_both_instances_check_payment_callbacks_with_one_secret(pair: tuple[LiveServer, LiveServer]) -> None:
    assert callback_secret(pair[0].ctx.settings) == callback_secret(pair[1].ctx.settings)


def test_every_route_is_built_before_the_first_request(sqlite_server: LiveServer, monkeypatch) -> None:
    # Built lazily, two servers in one process built them at once from two threads and raced inside pydantic
    # (a 500 for the first callers of a fresh pair). Nothing may be left to build when requests arrive.
    import fastapi.routing

    built: list[object] = []
    build = fastapi.routing._IncludedRouter._build_effective_context
    monkeypatch.setattr(
        fastapi.routing._IncludedRouter,
        "_build_effective_context",
        lambda self, route: built.append(route) or build(self, route),
    )
    account = make_account(sqlite_server, "13700000009")
    assert account
    r = sqlite_server.http().post(
        f"{sqlite_server.url}/api/v1/auth/login", json={"login": "13700000009", "password": DEFAULT_PASSWORD}
    )
    assert r.status_code == 200 and built == []
