"""An organisation's licences and a serial's preview as typed values: good answers, missing fields, wrong types."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain.activation import ActivationPreview, LicenceSummary, Product, Seats
from app.domain.wire import ResponseFormatError

PRODUCT = {"code": "KIS-PRO", "name": "金蝶KIS 专业版", "version": "V16.0"}
LICENCE = {
    "id": 12,
    "serial_masked": "KJH-****-****-7Q2M",
    "product": PRODUCT,
    "edition": "standard",
    "status": "active",
    "expires_at": "2026-03-01T00:00:00+08:00",
    "seats": {"used": 1, "max": 3},
    "ledgers": {"purchased": 1, "in_use": 1},
}
PREVIEW = {
    "serial_masked": "KJH-****-****-7Q2M",
    "product": PRODUCT,
    "edition": "standard",
    "policy_name": "standard-1y",
    "seats": {"used": 0, "max": 3},
    "expires_at": None,
    "duration_days": 365,
    "already_activated": False,
    "organisation": None,
    "account_display": None,
}


def test_an_organisations_licences_read_as_summaries() -> None:
    [licence] = LicenceSummary.list_from_json({"licences": [LICENCE]})
    assert licence.product == Product("KIS-PRO", "金蝶KIS 专业版", "V16.0")
    assert licence.seats == Seats(1, 3)
    assert licence.expires_at == datetime(2026, 2, 28, 16, tzinfo=UTC)  # any offset becomes UTC
    assert (licence.id, licence.edition, licence.status) == (12, "standard", "active")


def test_a_perpetual_licence_says_so_with_null() -> None:
    [licence] = LicenceSummary.list_from_json({"licences": [{**LICENCE, "expires_at": None}]})
    assert licence.expires_at is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"expires_at": "missing"}, r"licences\[0\]\.expires_at is missing"),  # missing is not "perpetual"
        ({"expires_at": "soon"}, r"licences\[0\]\.expires_at is not an ISO 8601 date-time"),
        ({"seats": {"used": 1}}, r"licences\[0\]\.seats\.max is missing"),
        ({"seats": {"used": 1, "max": 3.0}}, r"licences\[0\]\.seats\.max is not an integer"),
        ({"product": "KIS-PRO"}, r"licences\[0\]\.product is not an object"),
        ({"edition": None}, r"licences\[0\]\.edition is not a string"),
    ],
)
def test_a_licence_of_another_shape_is_refused_naming_the_field(change: dict[str, object], message: str) -> None:
    licence = {**LICENCE, **change}
    if change.get("expires_at") == "missing":
        del licence["expires_at"]
    with pytest.raises(ResponseFormatError, match=message):
        LicenceSummary.list_from_json({"licences": [licence]})


def test_a_preview_counted_from_activation_is_neither_dated_nor_perpetual() -> None:
    preview = ActivationPreview.from_json(PREVIEW)
    assert preview.expires_at is None and preview.duration_days == 365 and not preview.perpetual
    assert preview.organisation is None
    assert ActivationPreview.from_json({**PREVIEW, "duration_days": None}).perpetual


def test_a_preview_names_the_organisation_the_serial_is_already_bound_to() -> None:
    bound = {"id": 9, "name": "另一家公司", "tax_id": "914201", "certification": {"status": "none", "deadline": None}}
    preview = ActivationPreview.from_json({**PREVIEW, "organisation": bound})
    assert preview.organisation is not None and (preview.organisation.id, preview.organisation.name) == (
        9,
        "另一家公司",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"serial_masked": None}, r"preview\.serial_masked is not a string"),
        ({"duration_days": "365"}, r"preview\.duration_days is not an integer"),
        ({"organisation": {"id": 9}}, r"preview\.organisation\.name is missing"),
        ({"product": {"name": "x"}}, r"preview\.product\.code is missing"),
    ],
)
def test_a_preview_of_another_shape_is_refused_naming_the_field(change: dict[str, object], message: str) -> None:
    with pytest.raises(ResponseFormatError, match=message):
        ActivationPreview.from_json({**PREVIEW, **change})
