"""The accounting program keeps the server's books: creating ledgers and fiscal years, counting vouchers.

Over real HTTP on SQLite and PostgreSQL: the ledger limit, codes, idempotent years and voucher reports, the
quota (online and offline), ownership, the signed document after validation, and parallel requests.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from licence_protocol.document import LicenceDocument
from licence_protocol.envelope import public_key_from_b64, verify_envelope

from server.services.admin import IssuedKey
from tests.support.licensing import Customer, customer, error_code, issue_licence, machine
from tests.support.live import LiveServer

PARALLEL = 20


def _licensed(live: LiveServer, *, ledgers: int = 3, quota: int = 100, offline: int = 30) -> tuple[Customer, IssuedKey]:
    """A signed-in customer whose organisation holds an activated licence with these terms."""
    alice = customer(live, "13800000001")
    key = issue_licence(live, ledgers_included=ledgers, voucher_quota_default=quota, offline_voucher_allowance=offline)
    assert alice.activate(key, 1).status_code == 200
    return alice, key


def _new_ledger(who: Customer, key: IssuedKey, code: str, name: str = "总账") -> dict[str, Any]:
    r = who.post(f"/licences/{key.licence_id}/ledgers", {"code": code, "name": name})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def _served_keys(live: LiveServer) -> dict[str, Any]:
    keys = live.http().get(f"{live.url}/api/v1/keys", timeout=10).json()["keys"]
    return {k["kid"]: public_key_from_b64(k["public_key"]) for k in keys}


def _use(who: Customer, ledger_id: int, year: int, count: int, key: str, **extra: Any) -> Any:
    body = {"count": count, "idempotency_key": key, **extra}
    return who.post(f"/ledgers/{ledger_id}/years/{year}/voucher-usage", body)


def _details(r: Any) -> dict[str, Any]:
    return r.json()["error"]["details"]  # type: ignore[no-any-return]


def test_ledgers_are_created_until_the_purchased_number_is_in_use(live_server: LiveServer) -> None:
    alice, key = _licensed(live_server, ledgers=2)

    first = _new_ledger(alice, key, " 001 ", "总账")
    _new_ledger(alice, key, "002", "分公司")
    refused = alice.post(f"/licences/{key.licence_id}/ledgers", {"code": "003", "name": "门店"})

    assert first == {"id": first["id"], "code": "001", "name": "总账", "archived": False, "years": []}
    assert refused.status_code == 403 and error_code(refused) == "LEDGER_LIMIT_EXCEEDED"
    assert _details(refused) == {"purchased": 2, "in_use": 2}
    listing = alice.get(f"/licences/{key.licence_id}/ledgers").json()
    assert [x["code"] for x in listing["ledgers"]] == ["001", "002"] and listing["in_use"] == 2
    # An archived ledger frees its place.
    assert alice.post(f"/ledgers/{first['id']}/archive").status_code == 200
    assert _new_ledger(alice, key, "003", "门店")["code"] == "003"


def test_a_code_the_organisation_has_is_taken_archived_or_not(live_server: LiveServer) -> None:
    alice, key = _licensed(live_server, ledgers=5)
    ledger = _new_ledger(alice, key, "001")

    again = alice.post(f"/licences/{key.licence_id}/ledgers", {"code": "001", "name": "另一个"})
    assert again.status_code == 409 and error_code(again) == "LEDGER_CODE_TAKEN"
    assert _details(again) == {"code": "001"}
    alice.post(f"/ledgers/{ledger['id']}/archive")
    archived = alice.post(f"/licences/{key.licence_id}/ledgers", {"code": "001", "name": "另一个"})
    assert archived.status_code == 409 and error_code(archived) == "LEDGER_CODE_TAKEN"


def test_a_fiscal_year_is_created_once_with_the_editions_quota(live_server: LiveServer) -> None:
    alice, key = _licensed(live_server, quota=100)
    ledger = _new_ledger(alice, key, "001")

    created = alice.post(f"/ledgers/{ledger['id']}/years", {"fiscal_year": 2026})
    again = alice.post(f"/ledgers/{ledger['id']}/years", {"fiscal_year": 2026})

    expected = {"ledger_id": ledger["id"], "fiscal_year": 2026, "modules": [], "vouchers": {"used": 0, "quota": 100}}
    assert (created.status_code, created.json()) == (201, expected)
    assert (again.status_code, again.json()) == (200, expected)
    years = alice.get(f"/licences/{key.licence_id}/ledgers").json()["ledgers"][0]["years"]
    assert years == [{"fiscal_year": 2026, "modules": [], "vouchers": {"used": 0, "quota": 100}}]
    out_of_range = alice.post(f"/ledgers/{ledger['id']}/years", {"fiscal_year": 1200})
    assert out_of_range.status_code == 422 and error_code(out_of_range) == "VALIDATION_ERROR"


def test_vouchers_are_counted_once_per_idempotency_key(live_server: LiveServer) -> None:
    alice, key = _licensed(live_server, quota=100)
    ledger_id = _new_ledger(alice, key, "001")["id"]

    first = _use(alice, ledger_id, 2026, 3, "post-0001")  # the year is opened by its first report
    retried = _use(alice, ledger_id, 2026, 3, "post-0001")
    second = _use(alice, ledger_id, 2026, 2, "post-0002")
    other_year = _use(alice, ledger_id, 2025, 1, "post-0001")  # keys are per ledger-year

    answer = {"ledger_id": ledger_id, "fiscal_year": 2026, "quota": 100}
    assert (first.status_code, first.json()) == (200, {**answer, "used": 3, "requested": 3, "counted": True})
    assert (retried.status_code, retried.json()) == (200, {**answer, "used": 3, "requested": 3, "counted": False})
    assert second.json() == {**answer, "used": 5, "requested": 2, "counted": True}
    assert other_year.json()["counted"] is True and other_year.json()["used"] == 1
    years = alice.get(f"/licences/{key.licence_id}/ledgers").json()["ledgers"][0]["years"]
    assert [(y["fiscal_year"], y["vouchers"]) for y in years] == [
        (2025, {"used": 1, "quota": 100}),
        (2026, {"used": 5, "quota": 100}),
    ]


def test_over_the_quota_nothing_is_counted_and_the_key_stays_free(live_server: LiveServer) -> None:
    alice, key = _licensed(live_server, quota=10)
    ledger_id = _new_ledger(alice, key, "001")["id"]
    assert _use(alice, ledger_id, 2026, 8, "batch-1").status_code == 200

    refused = _use(alice, ledger_id, 2026, 3, "batch-2")

    assert refused.status_code == 409 and error_code(refused) == "VOUCHER_QUOTA_EXCEEDED"
    assert _details(refused) == {"used": 8, "quota": 10, "requested": 3}
    # Nothing of the refused report was kept: the same key counts when it fits.
    fits = _use(alice, ledger_id, 2026, 2, "batch-2")
    assert fits.status_code == 200 and fits.json()["counted"] is True and fits.json()["used"] == 10
    full = _use(alice, ledger_id, 2026, 1, "batch-3")
    assert full.status_code == 409 and _details(full) == {"used": 10, "quota": 10, "requested": 1}


def test_vouchers_posted_offline_are_accepted_up_to_the_offline_allowance(live_server: LiveServer) -> None:
    alice, key = _licensed(live_server, quota=10, offline=5)
    ledger_id = _new_ledger(alice, key, "001")["id"]
    assert _use(alice, ledger_id, 2026, 10, "online-1").json()["used"] == 10
    assert _use(alice, ledger_id, 2026, 1, "online-2").status_code == 409

    accepted = _use(alice, ledger_id, 2026, 5, "offline-1", offline=True)
    beyond = _use(alice, ledger_id, 2026, 1, "offline-2", offline=True)

    assert accepted.status_code == 200 and accepted.json()["used"] == 15 and accepted.json()["quota"] == 10
    assert beyond.status_code == 409 and error_code(beyond) == "VOUCHER_QUOTA_EXCEEDED"
    assert _details(beyond) == {"used": 15, "quota": 10, "requested": 1}
    assert _use(alice, ledger_id, 2026, 5, "offline-1", offline=True).json()["counted"] is False


def test_an_archived_ledger_takes_no_years_and_no_vouchers(live_server: LiveServer) -> None:
    alice, key = _licensed(live_server)
    ledger_id = _new_ledger(alice, key, "001")["id"]
    assert alice.post(f"/ledgers/{ledger_id}/archive").status_code == 200

    for r in (
        alice.post(f"/ledgers/{ledger_id}/years", {"fiscal_year": 2026}),
        _use(alice, ledger_id, 2026, 1, "after-archive"),
        _use(alice, ledger_id, 2026, 1, "after-archive-offline", offline=True),
    ):
        assert r.status_code == 409 and error_code(r) == "LEDGER_ARCHIVED"
        assert _details(r) == {"ledger_id": ledger_id}


def test_another_accounts_ledger_and_licence_are_not_found(live_server: LiveServer) -> None:
    alice, key = _licensed(live_server)
    ledger_id = _new_ledger(alice, key, "001")["id"]
    bob = customer(live_server, "13900000002", "邻桌贸易有限公司")

    for r in (
        bob.post(f"/ledgers/{ledger_id}/years", {"fiscal_year": 2026}),
        _use(bob, ledger_id, 2026, 1, "probe"),
        alice.post("/ledgers/999999/years", {"fiscal_year": 2026}),
    ):
        assert r.status_code == 404 and error_code(r) == "LEDGER_NOT_FOUND"
    taken = bob.post(f"/licences/{key.licence_id}/ledgers", {"code": "X", "name": "X"})
    assert taken.status_code == 404 and error_code(taken) == "NOT_FOUND"
    # Bob's attempts changed nothing.
    assert alice.get(f"/licences/{key.licence_id}/ledgers").json()["ledgers"][0]["years"] == []


def test_the_next_validation_signs_the_new_counts_and_the_offline_allowance(live_server: LiveServer) -> None:
    alice, key = _licensed(live_server, quota=100, offline=30)
    ledger_id = _new_ledger(alice, key, "001")["id"]
    assert _use(alice, ledger_id, 2026, 80, "month-end").status_code == 200
    assert alice.post(f"/ledgers/{ledger_id}/years", {"fiscal_year": 2027}).status_code == 201

    r = alice.post(f"/licences/{key.licence_id}/validate", {**machine(1), "nonce": "B" * 32})

    assert r.status_code == 200, r.text
    document = LicenceDocument.from_payload(verify_envelope(r.json()["document"], _served_keys(live_server)).payload)
    this_year, next_year = document.voucher_usage(ledger_id, 2026), document.voucher_usage(ledger_id, 2027)
    assert this_year is not None and next_year is not None
    # The allowance never exceeds what is left of the quota: 20 here, the policy's 30 in a fresh year.
    assert (this_year.used, this_year.quota, this_year.offline_allowance) == (80, 100, 20)
    assert (next_year.used, next_year.quota, next_year.offline_allowance) == (0, 100, 30)
    assert document.ledgers.in_use == 1


def _post_as_a_host(live: LiveServer, url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    """A request on its own connection, sent again while the server answers SERVER_BUSY (it served nothing)."""
    http = live.http()
    for _ in range(50):
        r = http.post(url, json=body, headers=headers, timeout=60)
        if r.status_code != 503 or error_code(r) != "SERVER_BUSY":
            return r
        time.sleep(0.1)
    raise AssertionError("the server stayed busy")


def _at_once(n: int, request: Any) -> list[Any]:
    """``request(i)`` from ``n`` threads released together, each on its own connection."""
    start = threading.Barrier(n)

    def run(i: int) -> Any:
        start.wait(timeout=30)
        return request(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def test_twenty_parallel_reports_against_ten_remaining_vouchers(live_server: LiveServer) -> None:
    alice, key = _licensed(live_server, quota=100)
    ledger_id = _new_ledger(alice, key, "001")["id"]
    assert _use(alice, ledger_id, 2026, 90, "opening").json()["used"] == 90
    url = f"{live_server.url}/api/v1/ledgers/{ledger_id}/years/2026/voucher-usage"

    def report(i: int) -> tuple[int, str]:
        body = {"count": 1, "idempotency_key": f"parallel-{i}"}
        r = _post_as_a_host(live_server, url, body, alice.headers)
        return r.status_code, (error_code(r) if r.status_code != 200 else "OK")

    results = _at_once(PARALLEL, report)

    assert sorted(results).count((200, "OK")) == 10, results
    assert sorted(results).count((409, "VOUCHER_QUOTA_EXCEEDED")) == PARALLEL - 10, results
    years = alice.get(f"/licences/{key.licence_id}/ledgers").json()["ledgers"][0]["years"]
    assert years[0]["vouchers"] == {"used": 100, "quota": 100}


def test_the_same_key_reported_in_parallel_counts_once(live_server: LiveServer) -> None:
    alice, key = _licensed(live_server, quota=100)
    ledger_id = _new_ledger(alice, key, "001")["id"]
    url = f"{live_server.url}/api/v1/ledgers/{ledger_id}/years/2026/voucher-usage"

    def report(_: int) -> tuple[int, bool]:
        body = {"count": 4, "idempotency_key": "one-posting"}
        r = _post_as_a_host(live_server, url, body, alice.headers)
        return r.status_code, bool(r.json().get("counted"))

    results = _at_once(8, report)

    assert all(status == 200 for status, _ in results), results
    assert sum(counted for _, counted in results) == 1, results
    years = alice.get(f"/licences/{key.licence_id}/ledgers").json()["ledgers"][0]["years"]
    assert years[0]["vouchers"] == {"used": 4, "quota": 100}


def test_two_parallel_creates_for_the_last_free_ledger(live_server: LiveServer) -> None:
    alice, key = _licensed(live_server, ledgers=2)
    _new_ledger(alice, key, "001")
    url = f"{live_server.url}/api/v1/licences/{key.licence_id}/ledgers"

    def create(i: int) -> tuple[int, str]:
        r = _post_as_a_host(live_server, url, {"code": f"10{i}", "name": f"门店{i}"}, alice.headers)
        return r.status_code, (error_code(r) if r.status_code != 201 else "CREATED")

    results = _at_once(2, create)

    assert sorted(results) == [(201, "CREATED"), (403, "LEDGER_LIMIT_EXCEEDED")], results
    listing = alice.get(f"/licences/{key.licence_id}/ledgers").json()
    assert (listing["in_use"], len(listing["ledgers"])) == (2, 2)
