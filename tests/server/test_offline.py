"""Air-gapped activation by file exchange over real HTTP: activate, refresh, deactivate, replay, browser page."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from licence_protocol.envelope import b64url_decode, public_key_from_b64
from licence_protocol.offline import OfflineResponseError, build_request, cdkey_hash, cdkey_proof, check_response

from server.services.admin import IssuedKey
from server.services.keys import hash_cdkey
from tests.support.accounts import DEFAULT_PASSWORD, make_org
from tests.support.licensing import Customer, customer, error_code, issue_licence, machine
from tests.support.live import LiveServer

WRONG_CDKEY = "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE"


def nonce(tag: str) -> str:
    return f"offline-nonce-{tag}".ljust(24, "x")


def activate_request(key: IssuedKey, n: int, *, tag: str = "a1", cdkey: str | None = None, **extra: Any) -> dict:
    m = machine(n)
    return build_request(
        "activate",
        fingerprint=m["fingerprint"],
        components=m["components"],
        machine_name=m["machine_name"],
        nonce=nonce(tag),
        created_at=datetime.now(UTC),
        serial=key.serial,
        cdkey=cdkey or key.cdkey,
        **extra,
    )


def lease_request(action: str, n: int, *, licence_id: int, tag: str, machine_id: int | None = None) -> dict:
    m = machine(n)
    return build_request(
        action,
        fingerprint=m["fingerprint"],
        components=m["components"],
        nonce=nonce(tag),
        created_at=datetime.now(UTC),
        licence_id=licence_id,
        machine_id=machine_id,
    )


def upload(who: Customer, request: dict) -> requests.Response:
    return who.post("/offline-activations", request)


def trusted_keys(live: LiveServer) -> dict:
    keys = live.http().get(f"{live.url}/api/v1/keys", timeout=30).json()["keys"]
    return {k["kid"]: public_key_from_b64(k["public_key"]) for k in keys}


def payload_of(envelope: dict) -> dict:
    return dict(json.loads(b64url_decode(envelope["payload"])))


@pytest.fixture
def alice(live_server: LiveServer) -> Customer:
    return customer(live_server, "13800000001")


# ------------------------------------------------------------------------------------------- the file format


def test_cdkey_proof_needs_only_what_the_server_stores() -> None:
    assert cdkey_hash(" abcde-fghij-klmno ") == hash_cdkey("ABCDE-FGHIJ-KLMNO")
    proof = cdkey_proof("ABCDE-FGHIJ", serial="LP-1", nonce=nonce("p"), fingerprint="FP-1")
    assert proof != cdkey_proof("ABCDE-FGHIJ", serial="LP-1", nonce=nonce("q"), fingerprint="FP-1")
    assert proof != cdkey_proof("ABCDE-FGHIJ", serial="LP-1", nonce=nonce("p"), fingerprint="FP-2")


def test_the_request_file_never_carries_the_clear_cdkey() -> None:
    key = IssuedKey(licence_id=1, serial="LP-ABCD-EFGH-JKMN", cdkey="QRSTU-VWXYZ-23456-789AB-CDEFG")
    text = json.dumps(activate_request(key, 1))
    assert key.cdkey not in text and key.cdkey.replace("-", "") not in text


# ------------------------------------------------------------------------------------------- activate


def test_offline_activation_end_to_end(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server, duration_days=365)
    request = activate_request(key, 1)

    r = upload(alice, request)

    assert r.status_code == 200, r.text
    response = r.json()
    assert response["type"] == "licence-panel/offline-response" and response["version"] == 1
    assert response["action"] == "activate"
    assert response["request_nonce"] == request["nonce"] and response["fingerprint"] == request["fingerprint"]
    envelope = check_response(request, response, trusted_keys(live_server))
    assert envelope is not None
    doc = payload_of(envelope)
    assert doc["nonce"] == request["nonce"]
    assert doc["machine"]["feature_code"] == request["fingerprint"] and doc["machine"]["name"] == "PC-1"
    assert doc["organisation"]["id"] == alice.org_id and doc["seats"] == {"used": 1, "max": 3}
    assert doc["certification"]["status"] == "pending"
    assert response["licence_id"] == doc["licence_id"] == key.licence_id
    assert response["machine_id"] == doc["machine"]["id"]
    # The IP rules see the machine that uploaded the file.
    listing = alice.get(f"/licences/{key.licence_id}/machines").json()
    assert [m["public_ip"] for m in listing["machines"]] == ["127.0.0.1"]


def test_a_response_is_bound_to_its_request(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server)
    request = activate_request(key, 1, tag="mine")
    response = upload(alice, request).json()

    another_request = activate_request(key, 1, tag="other")  # same machine, a later request
    another_machine = activate_request(key, 2, tag="mine")
    with pytest.raises(OfflineResponseError) as other_nonce:
        check_response(another_request, response)
    with pytest.raises(OfflineResponseError) as other_machine:
        check_response(another_machine, response)
    assert other_nonce.value.reason == "nonce_mismatch"
    assert other_machine.value.reason == "fingerprint_mismatch"


def test_wrong_cdkey_proof_is_invalid_serial_or_cdkey(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server)
    wrong_key = upload(alice, activate_request(key, 1, cdkey=WRONG_CDKEY))
    # A proof made for another machine does not transfer to this one.
    moved = {**activate_request(key, 1, tag="a2"), **{k: machine(2)[k] for k in ("fingerprint", "components")}}
    unknown_serial = {**activate_request(key, 1, tag="a3"), "serial": "LP-XXXX-XXXX-XXXX"}

    for r in (wrong_key, upload(alice, moved), upload(alice, unknown_serial)):
        assert r.status_code == 400 and error_code(r) == "INVALID_SERIAL_OR_CDKEY"
    assert alice.get(f"/licences/{key.licence_id}/machines").status_code == 404  # still unbound


def test_wrong_proofs_count_towards_the_guess_limit(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server)
    free = live_server.ctx.settings.guess_free_attempts
    codes = [error_code(upload(alice, activate_request(key, 1, tag=f"g{i}", cdkey=WRONG_CDKEY))) for i in range(free)]
    assert set(codes) == {"INVALID_SERIAL_OR_CDKEY"}

    blocked = upload(alice, activate_request(key, 1, tag="g-right"))
    assert blocked.status_code == 429 and error_code(blocked) == "RATE_LIMITED"
    assert int(blocked.headers["Retry-After"]) >= 1


def test_seats_full_is_too_many_machines(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server, max_machines=1)
    assert alice.activate(key, 1).status_code == 200  # online

    r = upload(alice, activate_request(key, 2))

    assert r.status_code == 409 and error_code(r) == "TOO_MANY_MACHINES"
    details = r.json()["error"]["details"]
    assert details["seats_used"] == 1 and details["seats_max"] == 1
    assert [m["name"] for m in details["machines"]] == ["PC-1"]


def test_free_edition_limits_apply_as_online(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server, edition="free", activation_limit=1, one_account_per_ip=True)
    assert upload(alice, activate_request(key, 1, tag="f1")).status_code == 200

    second_machine = upload(alice, activate_request(key, 2, tag="f2"))
    assert second_machine.status_code == 403 and error_code(second_machine) == "ACTIVATION_LIMIT_REACHED"
    assert second_machine.json()["error"]["details"] == {"activations_used": 1, "activation_limit": 1}

    bob = customer(live_server, "13900000002", org_name="乙公司")
    other = issue_licence(live_server, edition="free", policy_code="free2", one_account_per_ip=True)
    same_ip = upload(bob, activate_request(other, 3, tag="f3"))
    assert same_ip.status_code == 403 and error_code(same_ip) == "IP_BOUND_TO_OTHER_ACCOUNT"


def test_the_receiving_organisation_is_chosen_when_there_are_several(live_server: LiveServer, alice: Customer) -> None:
    second_org = make_org(live_server, alice.account_id, name="丙公司", tax_id="91310000MA1K000002")
    key = issue_licence(live_server)

    ambiguous = upload(alice, activate_request(key, 1))
    assert ambiguous.status_code == 422 and error_code(ambiguous) == "ORG_REQUIRED"
    names = {o["name"] for o in ambiguous.json()["error"]["details"]["organisations"]}
    assert names == {"示例科技有限公司", "丙公司"}

    chosen = upload(alice, {**activate_request(key, 1), "org_id": second_org})
    assert chosen.status_code == 200, chosen.text
    assert payload_of(chosen.json()["document"])["organisation"]["id"] == second_org


# ------------------------------------------------------------------------------------------- refresh, deactivate


def test_refresh_returns_a_new_lease_echoing_the_nonce(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server, lease_days=14)
    first = upload(alice, activate_request(key, 1)).json()
    first_lease = datetime.fromisoformat(payload_of(first["document"])["lease_expires_at"])
    live_server.clock.advance(timedelta(days=10))
    request = lease_request("refresh", 1, licence_id=key.licence_id, tag="r1")

    r = upload(alice, request)

    assert r.status_code == 200, r.text
    envelope = check_response(request, r.json(), trusted_keys(live_server))
    assert envelope is not None
    doc = payload_of(envelope)
    assert doc["nonce"] == request["nonce"] != first["request_nonce"]
    lease = datetime.fromisoformat(doc["lease_expires_at"])
    assert lease - datetime.fromisoformat(doc["issued_at"]) == timedelta(days=14)
    assert lease - first_lease >= timedelta(days=10)  # ten days later, a fresh 14-day lease
    assert r.json()["machine_id"] == first["machine_id"]


def test_refresh_carries_certification_to_the_offline_machine(live_server: LiveServer, alice: Customer) -> None:
    """Enterprise certification done on a connected machine reaches the air-gapped one with its next lease."""
    key = issue_licence(live_server)
    first = upload(alice, activate_request(key, 1)).json()
    assert payload_of(first["document"])["certification"]["status"] == "pending"
    live_server.clock.advance(timedelta(days=100))  # past the 3-month deadline
    overdue = upload(alice, lease_request("refresh", 1, licence_id=key.licence_id, tag="c1")).json()
    assert payload_of(overdue["document"])["certification"]["status"] == "overdue"

    details = {"name": "示例科技有限公司", "tax_id": "91310000MA1KCHMLJH", "contact": "13800000001"}
    assert alice.post(f"/orgs/{alice.org_id}/certification", details).status_code == 200
    refreshed = upload(alice, lease_request("refresh", 1, licence_id=key.licence_id, tag="c2")).json()

    assert payload_of(refreshed["document"])["certification"]["status"] == "certified"


def test_refresh_of_a_machine_without_a_seat_is_refused(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server)
    assert alice.activate(key, 1).status_code == 200
    r = upload(alice, lease_request("refresh", 2, licence_id=key.licence_id, tag="r2"))
    assert r.status_code == 404 and error_code(r) == "NOT_ACTIVATED_ON_MACHINE"


def test_refresh_of_another_accounts_licence_names_the_owner_masked(live_server: LiveServer, alice: Customer) -> None:
    # The request comes from a machine seated on the licence: its user learns whose it is (masked), nothing more.
    key = issue_licence(live_server)
    assert upload(alice, activate_request(key, 1)).status_code == 200
    bob = customer(live_server, "13900000002", org_name="乙公司")
    r = upload(bob, lease_request("refresh", 1, licence_id=key.licence_id, tag="r3"))
    assert r.status_code == 403 and error_code(r) == "LICENCE_OWNED_BY_OTHER_ACCOUNT"
    assert "13800000001" not in r.text and r.json()["error"]["details"]["licence_account"] == "138****0001"


def test_refresh_from_a_machine_without_a_seat_on_another_accounts_licence_is_not_found(
    live_server: LiveServer, alice: Customer
) -> None:
    key = issue_licence(live_server)
    assert upload(alice, activate_request(key, 1)).status_code == 200
    bob = customer(live_server, "13900000002", org_name="乙公司")
    r = upload(bob, lease_request("refresh", 2, licence_id=key.licence_id, tag="r4"))
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"


def test_deactivate_frees_the_seat(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server, max_machines=1)
    activated = upload(alice, activate_request(key, 1)).json()
    request = lease_request("deactivate", 1, licence_id=key.licence_id, machine_id=activated["machine_id"], tag="d1")

    r = upload(alice, request)

    assert r.status_code == 200, r.text
    assert r.json()["released"] is True and "document" not in r.json()
    assert check_response(request, r.json()) is None
    assert alice.get(f"/licences/{key.licence_id}/machines").json()["seats"]["used"] == 0
    assert alice.activate(key, 2).status_code == 200  # the seat is free for another machine


def test_deactivate_file_for_another_machine_is_refused(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server)
    first = upload(alice, activate_request(key, 1)).json()
    # Machine 2 writes a deactivation naming machine 1's seat: not its own, so nothing is released.
    r = upload(
        alice, lease_request("deactivate", 2, licence_id=key.licence_id, machine_id=first["machine_id"], tag="d2")
    )
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"
    assert alice.get(f"/licences/{key.licence_id}/machines").json()["seats"]["used"] == 1


# ------------------------------------------------------------------------------------------- replay


def test_the_same_file_again_gets_the_same_answer_and_changes_nothing(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server, edition="free", activation_limit=2)
    request = activate_request(key, 1)
    first = upload(alice, request)
    live_server.clock.advance(timedelta(hours=1))

    again = upload(alice, request)  # the response file was lost on the way: upload the request again

    assert again.status_code == 200
    assert again.json() == first.json()
    assert alice.get(f"/licences/{key.licence_id}/machines").json()["seats"]["used"] == 1
    # The replay did not count as an activation: the second lifetime activation is still available.
    assert upload(alice, activate_request(key, 2, tag="a2")).status_code == 200


def test_a_spent_nonce_is_refused_for_anything_else(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server)
    request = activate_request(key, 1)
    assert upload(alice, request).status_code == 200

    bob = customer(live_server, "13900000002", org_name="乙公司")
    by_bob = upload(bob, request)
    other_machine_same_nonce = upload(alice, activate_request(key, 2))  # same tag → same nonce

    for r in (by_bob, other_machine_same_nonce):
        assert r.status_code == 409 and error_code(r) == "OFFLINE_REQUEST_REPLAYED"


def test_a_refused_file_can_be_uploaded_again_later(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server, max_machines=1)
    online = alice.activate(key, 1).json()
    request = activate_request(key, 2)
    assert error_code(upload(alice, request)) == "TOO_MANY_MACHINES"

    assert alice.delete(f"/licences/{key.licence_id}/machines/{online['machine_id']}").status_code == 204
    r = upload(alice, request)
    assert r.status_code == 200, r.text
    assert check_response(request, r.json()) is not None


# ------------------------------------------------------------------------------------------- malformed files


def test_malformed_requests(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server)
    newer = upload(alice, {**activate_request(key, 1), "version": 2})
    assert newer.status_code == 422 and error_code(newer) == "OFFLINE_VERSION_UNSUPPORTED"
    assert newer.json()["error"]["details"]["supported"] == [1]

    no_licence = {k: v for k, v in lease_request("refresh", 1, licence_id=1, tag="m1").items() if k != "licence_id"}
    wrong_type = {**activate_request(key, 1, tag="m2"), "type": "licence-panel/offline-response"}
    short_nonce = {**activate_request(key, 1, tag="m3"), "nonce": "short"}
    for body in (no_licence, wrong_type, short_nonce):
        r = upload(alice, body)
        assert r.status_code == 422 and error_code(r) == "VALIDATION_ERROR"


def test_uploading_needs_a_signed_in_account(live_server: LiveServer) -> None:
    key = issue_licence(live_server)
    r = live_server.http().post(f"{live_server.url}/api/v1/offline-activations", json=activate_request(key, 1))
    assert r.status_code == 401 and error_code(r) == "UNAUTHORIZED"


# ------------------------------------------------------------------------------------------- browser page


def post_page(live: LiveServer, fields: dict[str, str]) -> requests.Response:
    return live.http().post(f"{live.url}/offline", data=fields, timeout=30)


def test_the_browser_page_renders_a_form(live_server: LiveServer) -> None:
    r = live_server.http().get(f"{live_server.url}/offline", timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for needle in ('name="request"', 'name="login"', 'name="password"', 'type="file"', "离线激活"):
        assert needle in r.text


def test_the_browser_page_produces_the_same_response(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server)
    request = activate_request(key, 1)

    r = post_page(live_server, {"request": json.dumps(request), "login": "13800000001", "password": DEFAULT_PASSWORD})

    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"].startswith("attachment;")
    from_page = json.loads(r.content)
    assert check_response(request, from_page, trusted_keys(live_server)) is not None
    assert upload(alice, request).json() == from_page  # the API answers the same file identically


def test_the_browser_page_shows_errors_and_keeps_the_file(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server)
    request_text = json.dumps(activate_request(key, 1))

    wrong_password = post_page(live_server, {"request": request_text, "login": "13800000001", "password": "nope"})
    not_a_file = post_page(live_server, {"request": "{}", "login": "13800000001", "password": DEFAULT_PASSWORD})
    wrong_cdkey = post_page(
        live_server,
        {
            "request": json.dumps(activate_request(key, 1, tag="w", cdkey=WRONG_CDKEY)),
            "login": "13800000001",
            "password": DEFAULT_PASSWORD,
        },
    )

    assert wrong_password.status_code == 401 and "INVALID_CREDENTIALS" in wrong_password.text
    assert "offline-nonce-a1" in wrong_password.text  # the pasted file stays in the form
    assert DEFAULT_PASSWORD not in wrong_password.text
    assert not_a_file.status_code == 422 and 'class="error"' in not_a_file.text
    assert wrong_cdkey.status_code == 400 and "INVALID_SERIAL_OR_CDKEY" in wrong_cdkey.text
