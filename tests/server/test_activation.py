"""Activation over real HTTP: preview, activate, validate, machines, re-register, add-ons, abuse limits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from licence_protocol.envelope import b64url_decode

from server.services.admin import issue_addon_keys, set_licence_status
from tests.support.licensing import Customer, customer, error_code, issue_licence, machine
from tests.support.live import LiveServer, start_live_server

NONCE = "n0nce-abcdefghijklmnop"


def payload_of(document: dict[str, Any]) -> dict[str, Any]:
    import json

    return dict(json.loads(b64url_decode(document["payload"])))


@pytest.fixture
def alice(live_server: LiveServer) -> Customer:
    return customer(live_server, "13800000001")


# ------------------------------------------------------------------------------------------- preview


def test_preview_shows_what_would_be_activated_and_where_it_is_bound(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server, duration_days=365)
    body = {"serial": key.serial, "cdkey": key.cdkey}

    before = alice.post("/activations/preview", body).json()
    assert before["product"] == {"code": "KJH-CLOUD", "name": "e会计 云盘版", "version": "5.0"}
    assert before["edition"] == "cloud" and before["policy_name"] == "云盘版 3 台"
    assert before["seats"] == {"used": 0, "max": 3}
    assert before["duration_days"] == 365 and before["expires_at"] is None
    assert before["already_activated"] is False and before["organisation"] is None
    assert key.serial not in before["serial_masked"] and before["serial_masked"].endswith(key.serial[-4:])

    assert alice.activate(key, 1).status_code == 200
    after = alice.post("/activations/preview", body).json()
    assert after["already_activated"] is True
    assert after["organisation"]["name"] == "示例科技有限公司"
    assert after["account_display"] == "138****0001"
    assert after["seats"]["used"] == 1 and after["expires_at"] is not None


# ------------------------------------------------------------------------------------------- activate


def test_first_activation_binds_licence_and_starts_certification(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server, duration_days=365, lease_days=10)
    now = live_server.clock.now()

    r = alice.activate(key, 1)

    assert r.status_code == 200, r.text
    doc = payload_of(r.json()["document"])
    assert doc["licence_id"] == key.licence_id and doc["status"] == "active"
    assert doc["account"] == {"id": alice.account_id, "display": "138****0001"}
    assert doc["organisation"]["id"] == alice.org_id
    assert doc["machine"]["id"] == r.json()["machine_id"] and doc["machine"]["name"] == "PC-1"
    assert doc["machine"]["feature_code"] == machine(1)["fingerprint"]
    assert doc["seats"] == {"used": 1, "max": 3}
    expires = datetime.fromisoformat(doc["expires_at"])
    assert timedelta(days=364) < expires - now < timedelta(days=366)
    lease = datetime.fromisoformat(doc["lease_expires_at"]) - datetime.fromisoformat(doc["issued_at"])
    assert lease == timedelta(days=10)
    assert doc["certification"]["status"] == "pending"
    deadline = datetime.fromisoformat(doc["certification"]["deadline"])
    assert (deadline.year * 12 + deadline.month) - (now.year * 12 + now.month) == 3  # three calendar months
    assert timedelta(days=88) < deadline - now < timedelta(days=93)


def test_activating_the_same_machine_again_is_idempotent(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server, activation_limit=1, edition="free")
    first = alice.activate(key, 1).json()
    again = alice.activate(key, 1)  # a free licence with one lifetime activation: a second count would fail
    assert again.status_code == 200, again.text
    assert again.json()["machine_id"] == first["machine_id"]
    assert payload_of(again.json()["document"])["seats"] == {"used": 1, "max": 3}


def test_small_hardware_drift_is_the_same_machine(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server)
    first = alice.activate(key, 1).json()
    drifted = machine(1, mac="new-network-card")

    body = {"serial": key.serial, "cdkey": key.cdkey, "org_id": alice.org_id, **drifted, "fingerprint": "DRIFT-1"}
    r = alice.post("/activations", body)

    assert r.status_code == 200, r.text
    assert r.json()["machine_id"] == first["machine_id"]
    listing = alice.get(f"/licences/{key.licence_id}/machines").json()
    assert listing["seats"]["used"] == 1 and listing["machines"][0]["fingerprint"] == "DRIFT-1"


def test_unknown_serial_and_wrong_cdkey_get_the_same_answer(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server)
    wrong_key = alice.post("/activations", {**_activation(alice, key), "cdkey": "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE"})
    unknown = alice.post("/activations", {**_activation(alice, key), "serial": "KJH-XXXX-XXXX-XXXX"})
    assert wrong_key.status_code == unknown.status_code == 400
    assert error_code(wrong_key) == error_code(unknown) == "INVALID_SERIAL_OR_CDKEY"
    assert wrong_key.json()["error"]["message"] == unknown.json()["error"]["message"]


def test_serial_typed_in_lower_case_with_spaces_is_accepted(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server)
    body = {**_activation(alice, key), "serial": f" {key.serial.lower()} ", "cdkey": key.cdkey.lower()}
    assert alice.post("/activations", body).status_code == 200


def test_another_accounts_organisation_is_not_found(live_server: LiveServer, alice: Customer) -> None:
    bob = customer(live_server, "13900000002")
    key = issue_licence(live_server)
    r = alice.post("/activations", {**_activation(alice, key), "org_id": bob.org_id})
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"


def test_licence_owned_by_other_org(live_server: LiveServer, alice: Customer) -> None:
    bob = customer(live_server, "13900000002", org_name="乙公司")
    key = issue_licence(live_server)
    assert alice.activate(key, 1).status_code == 200

    by_bob = bob.activate(key, 2)
    assert by_bob.status_code == 409 and error_code(by_bob) == "LICENCE_OWNED_BY_OTHER_ORG"

    from tests.support.accounts import make_org

    second_org = make_org(live_server, alice.account_id, name="丙公司", tax_id="91310000MA1K000002")
    other_org = alice.post("/activations", {**_activation(alice, key, 3), "org_id": second_org})
    assert other_org.status_code == 409 and error_code(other_org) == "LICENCE_OWNED_BY_OTHER_ORG"
    assert other_org.json()["error"]["details"]["organisation_id"] == alice.org_id


def test_product_mismatch(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server)
    r = alice.post("/activations", {**_activation(alice, key), "product_code": "KIS-PRO"})
    assert r.status_code == 409 and error_code(r) == "PRODUCT_MISMATCH"
    preview = alice.post("/activations/preview", {"serial": key.serial, "cdkey": key.cdkey, "product_code": "KIS-PRO"})
    assert error_code(preview) == "PRODUCT_MISMATCH"
    assert alice.post("/activations", {**_activation(alice, key), "product_code": "KJH-CLOUD"}).status_code == 200


@pytest.mark.parametrize("status", ["suspended", "revoked"])
def test_suspended_licence(live_server: LiveServer, alice: Customer, status: str) -> None:
    key = issue_licence(live_server)
    assert alice.activate(key, 1).status_code == 200
    with live_server.session() as s:
        set_licence_status(s, serial=key.serial, status=status)

    r = alice.activate(key, 2)
    assert r.status_code == 403 and error_code(r) == "LICENCE_SUSPENDED"
    v = alice.post(f"/licences/{key.licence_id}/validate", {**_machine_only(1), "nonce": NONCE})
    assert v.status_code == 403 and error_code(v) == "LICENCE_SUSPENDED"


def test_expired_licence(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server, duration_days=30)
    assert alice.activate(key, 1).status_code == 200
    live_server.clock.advance(timedelta(days=31))

    r = alice.activate(key, 2)
    assert r.status_code == 403 and error_code(r) == "LICENCE_EXPIRED"
    assert r.json()["error"]["details"]["expires_at"]
    v = alice.post(f"/licences/{key.licence_id}/validate", _machine_only(1))
    assert error_code(v) == "LICENCE_EXPIRED"


def test_free_edition_lifetime_activation_limit(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server, edition="free", activation_limit=2, policy_code="free")
    first = alice.activate(key, 1).json()["machine_id"]
    assert alice.delete(f"/licences/{key.licence_id}/machines/{first}").status_code == 204
    assert alice.activate(key, 2).status_code == 200

    r = alice.activate(key, 3)  # a seat is free, but both lifetime activations are used
    assert r.status_code == 403 and error_code(r) == "ACTIVATION_LIMIT_REACHED"
    assert r.json()["error"]["details"] == {"activations_used": 2, "activation_limit": 2}


def test_free_edition_public_ip_bound_to_other_account(live_server: LiveServer, alice: Customer) -> None:
    bob = customer(live_server, "13900000002")
    free = {"edition": "free", "one_account_per_ip": True, "policy_code": "free", "product_code": "KJH-FREE"}
    alice_key = issue_licence(live_server, **free)
    bob_key = issue_licence(live_server, **free)
    assert alice.activate(alice_key, 1).status_code == 200  # binds 127.0.0.1 to Alice for this product

    r = bob.activate(bob_key, 2)
    assert r.status_code == 403 and error_code(r) == "IP_BOUND_TO_OTHER_ACCOUNT"
    # Which account holds the IP, masked (当前ip地址已使用了其他账号 names it); never the full login.
    assert r.json()["error"]["details"] == {"ip_account": "138****0001"}
    assert "13800000001" not in r.text
    assert alice.activate(alice_key, 3).status_code == 200  # the bound account itself is welcome


def test_too_many_machines_lists_the_machines(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server, max_machines=2)
    assert alice.activate(key, 1).status_code == 200
    assert alice.activate(key, 2).status_code == 200

    r = alice.activate(key, 3)

    assert r.status_code == 409 and error_code(r) == "TOO_MANY_MACHINES"
    details = r.json()["error"]["details"]
    assert details["seats_used"] == 2 and details["seats_max"] == 2
    assert details["licence_id"] == key.licence_id
    assert [m["name"] for m in details["machines"]] == ["PC-1", "PC-2"]
    assert all(m["id"] and m["last_seen_at"] for m in details["machines"])


# ------------------------------------------------------------------------------------------- validate


def test_validate_returns_a_fresh_document_echoing_the_nonce(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server)
    alice.activate(key, 1)
    live_server.clock.advance(timedelta(hours=5))

    r = alice.post(f"/licences/{key.licence_id}/validate", {**_machine_only(1), "nonce": NONCE})

    assert r.status_code == 200, r.text
    doc = payload_of(r.json()["document"])
    assert doc["nonce"] == NONCE
    issued = datetime.fromisoformat(doc["issued_at"])
    assert abs(issued - live_server.clock.now()) < timedelta(minutes=1)
    last_seen = alice.get(f"/licences/{key.licence_id}/machines").json()["machines"][0]["last_seen_at"]
    assert datetime.fromisoformat(last_seen) == issued


def test_validate_without_nonce_answers_null_nonce(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server)
    alice.activate(key, 1)
    r = alice.post(f"/licences/{key.licence_id}/validate", _machine_only(1))
    assert payload_of(r.json()["document"])["nonce"] is None


@pytest.mark.parametrize("nonce", ["short", "x" * 129, "has spaces in it !!!!"])
def test_validate_refuses_malformed_nonce(live_server: LiveServer, alice: Customer, nonce: str) -> None:
    key = issue_licence(live_server)
    alice.activate(key, 1)
    r = alice.post(f"/licences/{key.licence_id}/validate", {**_machine_only(1), "nonce": nonce})
    assert r.status_code == 422 and error_code(r) == "VALIDATION_ERROR"


def test_validate_reports_a_changed_fingerprint(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server, reregister_limit_per_year=2)
    alice.activate(key, 1)
    changed = machine(1, product_uuid="new-board", mac="new-nic", disk="new-disk")

    r = alice.post(f"/licences/{key.licence_id}/validate", _machine_only_from(changed))

    assert r.status_code == 409 and error_code(r) == "FINGERPRINT_CHANGED"
    details = r.json()["error"]["details"]
    assert details["changed"] == ["disk", "mac", "product_uuid"]
    assert details["reregistrations"] == {"used": 0, "limit": 2}
    assert details["machine_id"] == alice.get(f"/licences/{key.licence_id}/machines").json()["machines"][0]["id"]


def test_validate_follows_small_hardware_drift(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server)
    alice.activate(key, 1)
    drifted = {**_machine_only_from(machine(1, mac="new-network-card")), "fingerprint": "DRIFT-1"}

    r = alice.post(f"/licences/{key.licence_id}/validate", drifted)

    assert r.status_code == 200, r.text
    named = payload_of(r.json()["document"])["machine"]
    assert named["feature_code"] == "DRIFT-1" and named["components"] == drifted["components"]
    listed = alice.get(f"/licences/{key.licence_id}/machines").json()["machines"]
    assert [m["fingerprint"] for m in listed] == ["DRIFT-1"]  # one seat, the machine as it is now
    assert alice.post(f"/licences/{key.licence_id}/validate", drifted).status_code == 200


def test_validate_answers_sign_in_before_a_malformed_id_and_that_before_a_foreign_one(
    live_server: LiveServer, alice: Customer
) -> None:
    bob = customer(live_server, "13900000002")
    key = issue_licence(live_server)
    assert bob.activate(key, 1).status_code == 200
    body = _machine_only(2)  # not the machine bob's licence is on (that one is told whose licence it is)

    anonymous = alice.post("/licences/abc/validate", body, headers={"Authorization": ""})
    wrong_token = alice.post("/licences/abc/validate", body, headers={"Authorization": "Bearer not-a-token"})
    malformed = alice.post("/licences/abc/validate", body)
    foreign = alice.post(f"/licences/{key.licence_id}/validate", body)

    assert anonymous.status_code == wrong_token.status_code == 401
    assert error_code(anonymous) == error_code(wrong_token) == "UNAUTHORIZED"
    assert malformed.status_code == 422 and error_code(malformed) == "VALIDATION_ERROR"
    assert foreign.status_code == 404 and error_code(foreign) == "NOT_FOUND"


def test_validate_on_a_machine_without_a_seat(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server, max_machines=1)
    alice.activate(key, 1)
    full = alice.post(f"/licences/{key.licence_id}/validate", _machine_only(2))
    assert full.status_code == 409 and error_code(full) == "TOO_MANY_MACHINES"

    roomy = issue_licence(live_server, max_machines=2, policy_code="two")
    alice.activate(roomy, 1)
    r = alice.post(f"/licences/{roomy.licence_id}/validate", _machine_only(2))
    assert r.status_code == 404 and error_code(r) == "NOT_ACTIVATED_ON_MACHINE"


# ------------------------------------------------------------------------------------------- machines


def test_deactivating_a_machine_frees_its_seat(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server, max_machines=1)
    machine_id = alice.activate(key, 1).json()["machine_id"]
    assert error_code(alice.activate(key, 2)) == "TOO_MANY_MACHINES"

    assert alice.delete(f"/licences/{key.licence_id}/machines/{machine_id}").status_code == 204
    assert alice.get(f"/licences/{key.licence_id}/machines").json() == {"seats": {"used": 0, "max": 1}, "machines": []}
    assert alice.activate(key, 2).status_code == 200
    again = alice.delete(f"/licences/{key.licence_id}/machines/{machine_id}")
    assert again.status_code == 404 and error_code(again) == "NOT_FOUND"


def test_reregister_moves_the_seat_within_the_yearly_limit(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server, reregister_limit_per_year=1)
    machine_id = alice.activate(key, 1).json()["machine_id"]
    changed = machine(1, product_uuid="new-board", mac="new-nic", disk="new-disk")

    r = alice.post(f"/licences/{key.licence_id}/reregister", changed)

    assert r.status_code == 200, r.text
    assert r.json()["machine_id"] == machine_id
    assert r.json()["reregistrations"] == {"used": 1, "limit": 1}
    assert payload_of(r.json()["document"])["machine"]["feature_code"] == changed["fingerprint"]
    ok = alice.post(f"/licences/{key.licence_id}/validate", _machine_only_from(changed))
    assert ok.status_code == 200

    changed_again = machine(1, product_uuid="newer-board", mac="newer-nic", disk="newer-disk")
    limit = alice.post(f"/licences/{key.licence_id}/reregister", changed_again)
    assert limit.status_code == 429 and error_code(limit) == "REREGISTER_LIMIT_REACHED"
    assert limit.json()["error"]["details"] == {"used": 1, "limit": 1}

    live_server.clock.advance(timedelta(days=366))  # a year later the allowance is back
    assert alice.post(f"/licences/{key.licence_id}/reregister", changed_again).status_code == 200


def test_reregister_of_an_unrelated_machine_is_refused(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server)
    alice.activate(key, 1)
    r = alice.post(f"/licences/{key.licence_id}/reregister", machine(2))
    assert r.status_code == 404 and error_code(r) == "NOT_ACTIVATED_ON_MACHINE"


# ------------------------------------------------------------------------------------------- add-ons


def test_addon_cdkey_attaches_once(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server)
    alice.activate(key, 1)
    with live_server.session() as s:
        (addon,) = issue_addon_keys(s, code="yunzhijia", name="云之家", count=1, now=live_server.clock.now())

    r = alice.post(f"/licences/{key.licence_id}/addons", {"cdkey": addon, **_machine_only(1)})

    assert r.status_code == 200, r.text
    doc = payload_of(r.json()["document"])
    assert [(a["code"], a["name"]) for a in doc["addons"]] == [("yunzhijia", "云之家")]
    expires = datetime.fromisoformat(doc["addons"][0]["expires_at"])
    assert timedelta(days=364) < expires - live_server.clock.now() < timedelta(days=366)
    assert doc["machine"]["name"] == "PC-1"
    used = alice.post(f"/licences/{key.licence_id}/addons", {"cdkey": addon})
    assert used.status_code == 409 and error_code(used) == "CODE_ALREADY_REDEEMED"
    wrong = alice.post(f"/licences/{key.licence_id}/addons", {"cdkey": "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE"})
    assert wrong.status_code == 400 and error_code(wrong) == "INVALID_SERIAL_OR_CDKEY"


# ------------------------------------------------------------------------------------------- ownership


def test_another_account_cannot_see_or_touch_a_licence(live_server: LiveServer, alice: Customer) -> None:
    bob = customer(live_server, "13900000002")
    key = issue_licence(live_server)
    machine_id = alice.activate(key, 1).json()["machine_id"]
    lid = key.licence_id

    answers = [
        bob.get(f"/licences/{lid}/machines"),
        bob.delete(f"/licences/{lid}/machines/{machine_id}"),
        bob.post(f"/licences/{lid}/validate", _machine_only(2)),  # from a machine without a seat of it
        bob.post(f"/licences/{lid}/reregister", machine(1)),
        bob.post(f"/licences/{lid}/addons", {"cdkey": "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE"}),
        bob.get(f"/licences/{lid}/ledgers"),
        alice.get("/licences/999999/machines"),  # and a missing id answers alike
    ]
    assert [(r.status_code, error_code(r)) for r in answers] == [(404, "NOT_FOUND")] * len(answers)
    assert alice.get(f"/licences/{lid}/machines").json()["seats"]["used"] == 1


def test_after_switching_account_the_seated_machine_learns_the_owner_masked(
    live_server: LiveServer, alice: Customer
) -> None:
    # 激活账号异常: Alice activated PC-1, then Bob signs in there. The machine holds Alice's document (which
    # names her masked), so the server says whose licence it is — masked, never the full login.
    bob = customer(live_server, "13900000002")
    key = issue_licence(live_server)
    assert alice.activate(key, 1).status_code == 200

    r = bob.post(f"/licences/{key.licence_id}/validate", {**_machine_only(1), "nonce": NONCE})

    assert r.status_code == 403 and error_code(r) == "LICENCE_OWNED_BY_OTHER_ACCOUNT"
    assert r.json()["error"]["details"] == {"licence_account": "138****0001"}
    assert "13800000001" not in r.text
    elsewhere = bob.post(f"/licences/{key.licence_id}/validate", {**_machine_only(2), "nonce": NONCE})
    assert (elsewhere.status_code, error_code(elsewhere)) == (404, "NOT_FOUND")  # ids still cannot be probed


def test_activation_requires_sign_in(live_server: LiveServer) -> None:
    key = issue_licence(live_server)
    r = live_server.http().post(
        f"{live_server.url}/api/v1/activations/preview", json={"serial": key.serial, "cdkey": "x"}
    )
    assert r.status_code == 401 and error_code(r) == "UNAUTHORIZED"


# ------------------------------------------------------------------------------------------- request limits


@pytest.mark.parametrize(
    "change",
    [
        {"components": {f"c{i}": "v" for i in range(17)}},
        {"components": {"n" * 41: "v"}},
        {"components": {"machine_id": "v" * 129}},
        {"serial": "S" * 41},
        {"machine_name": "m" * 121},
        {"org_id": "not-a-number"},
        {"components": ["not", "a", "mapping"]},
    ],
)
def test_oversized_or_wrong_fields_are_422(live_server: LiveServer, alice: Customer, change: dict[str, Any]) -> None:
    key = issue_licence(live_server)
    r = alice.post("/activations", {**_activation(alice, key), **change})
    assert r.status_code == 422 and error_code(r) == "VALIDATION_ERROR"


def test_malformed_json_is_400(live_server: LiveServer, alice: Customer) -> None:
    r = alice.http.post(
        f"{live_server.url}/api/v1/activations",
        data=b"{not json",
        headers={**alice.headers, "Content-Type": "application/json"},
        timeout=10,
    )
    assert r.status_code == 400 and error_code(r) == "MALFORMED_JSON"


# ------------------------------------------------------------------------------------------- abuse limits


@pytest.fixture
def churny_server(tmp_path: Path, database_url: str) -> Iterator[LiveServer]:
    live = start_live_server(tmp_path / "churny", database_url, churn_limit=4, churn_window_days=30)
    yield live
    live.server.stop()


def test_activation_churn_is_capped(churny_server: LiveServer) -> None:
    alice = customer(churny_server, "13800000001")
    key = issue_licence(churny_server, max_machines=1)
    for n in (1, 2):  # activate + deactivate twice: four events, the cap
        machine_id = alice.activate(key, n).json()["machine_id"]
        assert alice.delete(f"/licences/{key.licence_id}/machines/{machine_id}").status_code == 204

    r = alice.activate(key, 3)

    assert r.status_code == 429 and error_code(r) == "RATE_LIMITED"
    retry_after = r.json()["error"]["details"]["retry_after"]
    assert int(r.headers["Retry-After"]) == retry_after
    assert timedelta(days=29) < timedelta(seconds=retry_after) <= timedelta(days=30)
    churny_server.clock.advance(timedelta(seconds=retry_after))
    assert alice.activate(key, 3).status_code == 200


def test_wrong_key_guesses_back_off_per_account(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server)
    free = live_server.ctx.settings.guess_free_attempts
    wrong = {**_activation(alice, key), "cdkey": "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE"}
    for _ in range(free):
        assert error_code(alice.post("/activations", wrong)) == "INVALID_SERIAL_OR_CDKEY"

    blocked = alice.post("/activations", _activation(alice, key))  # even the right key waits now
    assert blocked.status_code == 429 and error_code(blocked) == "RATE_LIMITED"
    first_wait = int(blocked.headers["Retry-After"])
    assert first_wait == blocked.json()["error"]["details"]["retry_after"] > 0

    live_server.clock.advance(timedelta(seconds=first_wait))
    assert error_code(alice.post("/activations", wrong)) == "INVALID_SERIAL_OR_CDKEY"
    second_wait = int(alice.post("/activations", wrong).headers["Retry-After"])
    assert second_wait > first_wait  # exponential back-off

    live_server.clock.advance(timedelta(seconds=live_server.ctx.settings.guess_window_s + 1))
    assert alice.post("/activations", _activation(alice, key)).status_code == 200


@pytest.fixture
def proxied_server(tmp_path: Path, sqlite_url: str) -> Iterator[LiveServer]:
    # an IP ceiling low enough to reach in a test (the default is far above an office behind one NAT)
    live = start_live_server(tmp_path / "proxied", sqlite_url, trust_forwarded_for=True, guess_ip_free_attempts=5)
    yield live
    live.server.stop()


def test_wrong_key_guesses_back_off_per_ip(proxied_server: LiveServer) -> None:
    key = issue_licence(proxied_server)
    wrong = {"serial": key.serial, "cdkey": "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE"}
    guessers = [
        customer(proxied_server, f"1380000010{i}") for i in range(proxied_server.ctx.settings.guess_ip_free_attempts)
    ]
    for guesser in guessers:  # one failure per account, all from one address
        r = guesser.post("/activations/preview", wrong, headers={"X-Forwarded-For": "203.0.113.9"})
        assert error_code(r) == "INVALID_SERIAL_OR_CDKEY"

    fresh = customer(proxied_server, "13800000200")
    right = {"serial": key.serial, "cdkey": key.cdkey}
    same_ip = fresh.http.post(
        f"{proxied_server.url}/api/v1/activations/preview",
        json=right,
        headers={**fresh.headers, "X-Forwarded-For": "203.0.113.9"},
        timeout=10,
    )
    assert same_ip.status_code == 429 and error_code(same_ip) == "RATE_LIMITED"
    other_ip = fresh.http.post(
        f"{proxied_server.url}/api/v1/activations/preview",
        json=right,
        headers={**fresh.headers, "X-Forwarded-For": "198.51.100.7"},
        timeout=10,
    )
    assert other_ip.status_code == 200


# ------------------------------------------------------------------------------------------- helpers


def _activation(who: Customer, key: Any, n: int = 1) -> dict[str, Any]:
    return {"serial": key.serial, "cdkey": key.cdkey, "org_id": who.org_id, **machine(n)}


def _machine_only(n: int) -> dict[str, Any]:
    return _machine_only_from(machine(n))


def _machine_only_from(m: dict[str, Any]) -> dict[str, Any]:
    return {"fingerprint": m["fingerprint"], "components": m["components"]}
