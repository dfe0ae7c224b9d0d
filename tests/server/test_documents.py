"""The signed licence document: verifies with the served key, breaks on any changed byte, has the agreed payload."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from licence_protocol.document import LicenceDocument
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
    assert p["organisation"] == {
        "id": alice.org_id,
        "name": "示例科技有限公司",
        "tax_id": "91310000MA1K000001",
        "market": "CN",
    }
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


def test_a_vietnamese_organisations_document_names_its_market(live_server: LiveServer) -> None:
    """The panel checks the organisation's tax id by the market the document names, not by its UI language."""
    alice = customer(live_server, "13800000002")
    created = alice.post("/orgs", {"name": "Công ty TNHH Hà Nội", "tax_id": "0105943788", "market": "VN"})
    assert created.status_code == 201, created.text
    assert created.json()["market"] == "VN"
    alice.org_id = created.json()["id"]
    key = issue_licence(live_server)
    assert alice.activate(key, 1).status_code in (200, 201)
    body = {"fingerprint": machine(1)["fingerprint"], "components": machine(1)["components"], "nonce": "B" * 32}
    r = alice.post(f"/licences/{key.licence_id}/validate", body)
    assert r.status_code == 200, r.text
    payload = verify_envelope(r.json()["document"], served_keys(live_server)).payload
    assert payload["organisation"]["market"] == "VN"
    assert payload["organisation"]["tax_id"] == "0105943788"
    assert LicenceDocument.from_payload(payload).organisation.market == "VN"


def test_a_document_from_a_server_before_markets_reads_as_china() -> None:
    payload = {
        "format": 1, "licence_id": 1, "product": {"code": "p", "name": "P"}, "edition": "standard",
        "status": "active", "account": {"id": 1}, "organisation": {"id": 2, "name": "示例", "tax_id": "x"},
        "machine": {"feature_code": "f", "components": {}}, "seats": {"used": 1, "max": 1}, "expires_at": None,
        "issued_at": "2026-01-01T00:00:00Z", "lease_expires_at": "2026-02-01T00:00:00Z",
        "server_time": "2026-01-01T00:00:00Z",
    }  # fmt: skip
    assert LicenceDocument.from_payload(payload).organisation.market == "CN"
