"""Parsing the licence document payload (ARCHITECTURE, ``format: 1``): typed, tolerant, strict."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from licence_protocol.document import DocumentFormatError, LicenceDocument, VoucherUsage

COMPONENTS = {"machine_id": "a" * 64, "product_uuid": "b" * 64, "mac": "c" * 64}


def make_payload(**changes: Any) -> dict[str, Any]:
    """A complete payload as the server signs it; keyword arguments replace top-level fields."""
    payload: dict[str, Any] = {
        "format": 1,
        "licence_id": 7,
        "serial_masked": "KJH-****-****-7F3A",
        "product": {"code": "KJH-CLOUD", "name": "e会计 云盘版", "version": "5.0"},
        "edition": "cloud",
        "policy": "云盘版 3 台",
        "status": "active",
        "account": {"id": 1, "display": "138****0001"},
        "organisation": {"id": 3, "name": "示例贸易有限公司", "tax_id": "91310000MA1FL00000"},
        "machine": {
            "id": 9,
            "feature_code": "ABCDE-FGHJK-MNPQR-STUVW",
            "components": dict(COMPONENTS),
            "name": "FRONT",
        },
        "seats": {"used": 1, "max": 3},
        "ledgers": {"purchased": 4, "in_use": 2},
        "entitlements": [
            {"module": "period_close", "ledger_id": 2, "fiscal_year": 2025},
            {"module": "tax_filing", "ledger_id": 2, "fiscal_year": 2025},
            {"module": "period_close", "ledger_id": 2, "fiscal_year": 2024},
        ],
        "vouchers": [{"ledger_id": 2, "fiscal_year": 2025, "used": 12, "quota": 50}],
        "addons": [{"code": "yunzhijia", "name": "云之家", "expires_at": "2027-01-01T00:00:00+00:00"}],
        "certification": {"status": "certified", "deadline": None},
        "expires_at": "2027-06-30T16:00:00+00:00",
        "issued_at": "2026-11-20T08:00:00+00:00",
        "lease_expires_at": "2026-12-20T08:00:00+00:00",
        "server_time": "2026-11-20T08:00:00+00:00",
        "nonce": "n-123",
    }
    payload.update(changes)
    return payload


def test_parses_every_field_into_typed_values() -> None:
    doc = LicenceDocument.from_payload(make_payload())
    assert doc.licence_id == 7 and doc.format == 1
    assert doc.product.name == "e会计 云盘版" and doc.product.version == "5.0"
    assert (doc.account.id, doc.account.display) == (1, "138****0001")
    assert doc.organisation.tax_id == "91310000MA1FL00000"
    assert doc.machine.components == COMPONENTS and doc.machine.feature_code.startswith("ABCDE")
    assert (doc.seats.used, doc.seats.max) == (1, 3)
    assert (doc.ledgers.purchased, doc.ledgers.in_use) == (4, 2)
    assert doc.addons[0].name == "云之家" and doc.addons[0].expires_at == datetime(2027, 1, 1, tzinfo=UTC)
    assert doc.certification.status == "certified" and doc.certification.deadline is None
    assert doc.expires_at == datetime(2027, 6, 30, 16, tzinfo=UTC) and not doc.perpetual
    assert doc.lease_expires_at.tzinfo is not None and doc.nonce == "n-123"


def test_modules_and_vouchers_are_per_ledger_and_fiscal_year() -> None:
    doc = LicenceDocument.from_payload(make_payload())
    assert doc.modules_for(2, 2025) == {"period_close", "tax_filing"}
    assert doc.modules_for(2, 2024) == {"period_close"}
    assert doc.modules_for(1, 2025) == frozenset()
    assert doc.voucher_usage(2, 2025) == VoucherUsage(2, 2025, 12, 50)
    assert doc.voucher_usage(2, 2025).remaining == 38  # type: ignore[union-attr]
    assert doc.voucher_usage(2, 2024) is None


def test_null_expiry_is_perpetual_and_offsets_become_utc() -> None:
    doc = LicenceDocument.from_payload(
        make_payload(expires_at=None, issued_at="2026-11-20T16:00:00+08:00", server_time="2026-11-20T08:00:00Z")
    )
    assert doc.perpetual
    assert doc.issued_at == datetime(2026, 11, 20, 8, tzinfo=UTC) and doc.issued_at.utcoffset() == timedelta(0)
    assert doc.server_time == datetime(2026, 11, 20, 8, tzinfo=UTC)


def test_unknown_fields_from_a_newer_server_are_ignored() -> None:
    payload = make_payload(loyalty_points=5, product={"code": "X", "name": "Y", "version": "1", "colour": "blue"})
    assert LicenceDocument.from_payload(payload).product.code == "X"


def test_optional_sections_default_sensibly() -> None:
    payload = make_payload()
    for key in ("entitlements", "vouchers", "addons", "certification", "ledgers", "nonce", "policy"):
        del payload[key]
    doc = LicenceDocument.from_payload(payload)
    assert doc.entitlements == () and doc.addons == () and doc.nonce is None
    assert doc.certification.status == "none" and doc.ledgers.in_use == 0


def _without(path: str) -> dict[str, Any]:
    payload = copy.deepcopy(make_payload())
    *parents, last = path.split(".")
    target = payload
    for name in parents:
        target = target[name]
    del target[last]
    return payload


@pytest.mark.parametrize(
    "path",
    [
        "format",
        "licence_id",
        "product",
        "product.code",
        "account",
        "account.id",
        "organisation.id",
        "machine",
        "machine.components",
        "machine.feature_code",
        "seats.max",
        "expires_at",  # absent is not "perpetual": only an explicit null is
        "issued_at",
        "lease_expires_at",
        "server_time",
        "status",
        "edition",
    ],
)
def test_missing_required_field_is_a_format_error(path: str) -> None:
    with pytest.raises(DocumentFormatError, match=path.split(".")[-1]):
        LicenceDocument.from_payload(_without(path))


@pytest.mark.parametrize(
    "changes",
    [
        {"licence_id": "7"},
        {"licence_id": True},
        {"licence_id": None},
        {"format": 1.0},
        {"seats": {"used": 1, "max": "3"}},
        {"seats": [1, 3]},
        {"account": "138****0001"},
        {"expires_at": "next year"},
        {"expires_at": 1767225600},
        {"lease_expires_at": None},
        {"issued_at": "0001-01-01T00:00:00+01:00"},
        {"entitlements": {"module": "x"}},
        {"entitlements": [{"module": "x", "ledger_id": 2}]},
        {"vouchers": ["50"]},
        {"machine": {"id": 9, "feature_code": "F", "components": {"mac": 5}, "name": ""}},
        {"machine": {"id": 9, "feature_code": "F", "components": ["mac"], "name": ""}},
        {"certification": {"status": 1}},
    ],
)
def test_ill_typed_fields_are_a_format_error_never_a_crash(changes: dict[str, Any]) -> None:
    with pytest.raises(DocumentFormatError):
        LicenceDocument.from_payload(make_payload(**changes))


@pytest.mark.parametrize("payload", [None, [], "doc", 1])
def test_a_payload_that_is_no_object_is_a_format_error(payload: Any) -> None:
    with pytest.raises(DocumentFormatError):
        LicenceDocument.from_payload(payload)


@pytest.mark.parametrize("version", [2, 99, 0, -1])
def test_unsupported_format_version_is_refused(version: int) -> None:
    with pytest.raises(DocumentFormatError, match="format"):
        LicenceDocument.from_payload(make_payload(format=version))


def test_format_error_is_a_value_error() -> None:
    assert issubclass(DocumentFormatError, ValueError)


def test_document_is_immutable() -> None:
    doc = LicenceDocument.from_payload(make_payload())
    with pytest.raises(AttributeError):
        doc.status = "revoked"  # type: ignore[misc]
    with pytest.raises(TypeError):
        doc.machine.components["mac"] = "x"  # type: ignore[index]
