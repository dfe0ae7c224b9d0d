"""The signed licence document: verifies with the served key, breaks on any changed byte, has the agreed payload."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from licence_protocol.envelope import (
    SIGNING_PREFIX,
    BadSignatureError,
    EnvelopeError,
    b64url_decode,
    b64url_encode,
    public_key_from_b64,
    verify_envelope,
)

from server.models import Entitlement, Organisation
from server.services.admin import create_ledger
from tests.support.licensing import Customer, customer, issue_licence, machine
from tests.support.live import LiveServer

PAYLOAD_KEYS = {
    "format", "licence_id", "serial_masked", "product", "edition", "policy", "status", "account", "organisation",
    "machine", "seats", "ledgers", "entitlements", "vouchers", "addons", "certification", "expires_at",
    "issued_at", "lease_expires_at", "server_time", "nonce",
}  # fmt: skip


def served_keys(live: LiveServer) -> dict[str, Any]:
    keys = live.http().get(f"{live.url}/api/v1/keys", timeout=10).json()["keys"]
    return {k["kid"]: public_key_from_b64(k["public_key"]) for k in keys}


@pytest.fixture
def activated(live_server: LiveServer) -> tuple[Customer, dict[str, Any]]:
    alice = customer(live_server, "13800000001")
    key = issue_licence(live_server)
    with live_server.session() as s:
        org = s.get(Organisation, alice.org_id)
        assert org is not None
        ledger = create_ledger(
            s, organisation=org, code="001", name="总账", now=live_server.clock.now(), years={2025: 12}
        )
        s.add(
            Entitlement(
                licence_id=key.licence_id,
                ledger_id=ledger.id,
                fiscal_year=2025,
                module="period_close",
                created_at=live_server.clock.now(),
            )
        )
    alice.activate(key, 1)
    body = {"fingerprint": machine(1)["fingerprint"], "components": machine(1)["components"], "nonce": "A" * 32}
    r = alice.post(f"/licences/{key.licence_id}/validate", body)
    assert r.status_code == 200, r.text
    return alice, r.json()["document"]


def test_document_verifies_with_the_served_key(live_server: LiveServer, activated: tuple[Customer, Any]) -> None:
    _, envelope = activated
    assert envelope["v"] == 1 and envelope["alg"] == "Ed25519"
    verified = verify_envelope(envelope, served_keys(live_server))
    assert verified.payload["format"] == 1 and verified.payload["nonce"] == "A" * 32


def test_changing_any_payload_byte_breaks_the_signature(
    live_server: LiveServer, activated: tuple[Customer, Any]
) -> None:
    _, envelope = activated
    keys = served_keys(live_server)
    payload = b64url_decode(envelope["payload"])
    for i in range(len(payload)):
        tampered = bytearray(payload)
        tampered[i] ^= 0x01
        with pytest.raises(BadSignatureError):
            verify_envelope({**envelope, "payload": b64url_encode(bytes(tampered))}, keys)


def test_signature_is_domain_separated(live_server: LiveServer, activated: tuple[Customer, Any]) -> None:
    _, envelope = activated
    key = next(iter(served_keys(live_server).values()))
    payload, signature = b64url_decode(envelope["payload"]), b64url_decode(envelope["signature"])
    key.verify(signature, SIGNING_PREFIX + payload)  # what is signed: the prefix, then the payload bytes
    with pytest.raises(InvalidSignature):
        key.verify(signature, payload)


def test_unknown_kid_is_refused(live_server: LiveServer, activated: tuple[Customer, Any]) -> None:
    _, envelope = activated
    with pytest.raises(EnvelopeError):
        verify_envelope({**envelope, "kid": "someone-else"}, served_keys(live_server))


def test_payload_has_the_agreed_shape(live_server: LiveServer, activated: tuple[Customer, Any]) -> None:
    alice, envelope = activated
    p = verify_envelope(envelope, served_keys(live_server)).payload
    assert set(p) == PAYLOAD_KEYS
    assert p["serial_masked"].count("****") == 2
    assert p["account"] == {"id": alice.account_id, "display": "138****0001"}
    assert p["organisation"] == {"id": alice.org_id, "name": "示例科技有限公司", "tax_id": "91310000MA1K000001"}
    assert set(p["machine"]) == {"id", "feature_code", "components", "name"}
    assert p["machine"]["components"] == machine(1)["components"]
    assert p["ledgers"] == {"purchased": 1, "in_use": 1}
    ledger_id = p["vouchers"][0]["ledger_id"]
    assert p["vouchers"] == [
        {"ledger_id": ledger_id, "fiscal_year": 2025, "used": 12, "quota": 50, "offline_allowance": 30}
    ]
    assert p["entitlements"] == [{"module": "period_close", "ledger_id": ledger_id, "fiscal_year": 2025}]
    assert p["addons"] == [] and p["expires_at"] is None
    assert p["server_time"] == p["issued_at"]
