"""One state from document, clock, machine and account: every branch and the order of precedence."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from licence_protocol.document import LicenceDocument
from licence_protocol.errors import ErrorCode
from licence_protocol.fingerprint import MachineMatch

from app.domain.error_codes import UnknownErrorCode
from app.domain.evaluate import Evaluation, EvaluationInput, evaluate, evaluate_for_status
from app.domain.states import StateCode, exit_code_for
from tests.unit.test_document import COMPONENTS, make_payload

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
_MISSING: Any = object()


def at(delta: timedelta) -> str:
    return (NOW + delta).isoformat()


def doc(**changes: Any) -> LicenceDocument:
    """Valid, certified, expiring 2027-06-30, lease until 2026-12-20, cloud with 2 of 4 ledgers in use."""
    return LicenceDocument.from_payload(make_payload(**changes))


def run(document: Any = _MISSING, **changes: Any) -> Evaluation:
    fields: dict[str, Any] = {
        "document": doc() if document is _MISSING else document,
        "now": NOW,
        "local_components": dict(COMPONENTS),
        "signed_in_account_id": 1,
        "online": True,
        "tz": UTC,
    }
    fields.update(changes)
    return evaluate(EvaluationInput(**fields))


def components(**changes: str) -> dict[str, str]:
    return {**COMPONENTS, **changes}


# (name, document changes or None for no document, input changes, expected state)
SCENARIOS: list[tuple[str, dict[str, Any] | None, dict[str, Any], StateCode]] = [
    ("valid", {}, {}, StateCode.ACTIVE),
    ("perpetual", {"expires_at": None}, {}, StateCode.ACTIVE),
    ("not checked online yet", {}, {"online": None}, StateCode.ACTIVE),
    ("no account", {}, {"signed_in_account_id": None}, StateCode.NOT_LOGGED_IN),
    (
        "no account beats a rolled-back clock",
        {},
        {"signed_in_account_id": None, "watermark": NOW + timedelta(days=9)},
        StateCode.NOT_LOGGED_IN,
    ),
    ("no account, no document", None, {"signed_in_account_id": None}, StateCode.NOT_LOGGED_IN),
    ("clock 23 h back is tolerated", {}, {"watermark": NOW + timedelta(hours=23)}, StateCode.ACTIVE),
    ("clock exactly 24 h back is tolerated", {}, {"watermark": NOW + timedelta(hours=24)}, StateCode.ACTIVE),
    ("clock 25 h back", {}, {"watermark": NOW + timedelta(hours=25)}, StateCode.CLOCK_TAMPERED),
    (
        "clock before the server time of the document",
        {"server_time": at(timedelta(days=3))},
        {},
        StateCode.CLOCK_TAMPERED,
    ),
    (
        "clock beats a bad signature",
        None,
        {"document_problem": "bad_signature", "watermark": NOW + timedelta(days=2)},
        StateCode.CLOCK_TAMPERED,
    ),
    ("corrupt cache", None, {"document_problem": "corrupt"}, StateCode.ILLEGAL_COPY),
    ("bad signature", None, {"document_problem": "bad_signature"}, StateCode.ILLEGAL_COPY),
    ("unknown key (vendor key rotation)", None, {"document_problem": "unknown_key"}, StateCode.PANEL_UPDATE_REQUIRED),
    ("newer document format", None, {"document_problem": "format"}, StateCode.UNKNOWN_BLOCKED),
    (
        "bad signature beats a server error",
        None,
        {"document_problem": "bad_signature", "last_server_error": ErrorCode.TOO_MANY_MACHINES},
        StateCode.ILLEGAL_COPY,
    ),
    ("missing document", None, {"document_problem": "missing"}, StateCode.NOT_ACTIVATED),
    ("no document", None, {}, StateCode.NOT_ACTIVATED),
    ("network card replaced: same machine", {}, {"local_components": components(mac="d" * 64)}, StateCode.ACTIVE),
    (
        "one strong part replaced: same machine",
        {},
        {"local_components": components(machine_id="e" * 64)},
        StateCode.ACTIVE,
    ),
    (
        "both strong parts replaced",
        {},
        {"local_components": components(machine_id="e" * 64, product_uuid="f" * 64)},
        StateCode.FINGERPRINT_CHANGED,
    ),
    (
        "copied to another machine",
        {},
        {"local_components": {"machine_id": "1" * 64, "mac": "2" * 64}},
        StateCode.ILLEGAL_COPY,
    ),
    (
        "copied machine beats a server error",
        {},
        {"local_components": {"machine_id": "1" * 64}, "last_server_error": ErrorCode.FINGERPRINT_CHANGED},
        StateCode.ILLEGAL_COPY,
    ),
    (
        "changed machine beats the account check",
        {},
        {"local_components": components(machine_id="e" * 64, product_uuid="f" * 64), "signed_in_account_id": 2},
        StateCode.FINGERPRINT_CHANGED,
    ),
    ("another account signed in", {}, {"signed_in_account_id": 2}, StateCode.ACCOUNT_MISMATCH),
    (
        "account check beats suspension",
        {"status": "suspended"},
        {"signed_in_account_id": 2},
        StateCode.ACCOUNT_MISMATCH,
    ),
    ("suspended", {"status": "suspended"}, {}, StateCode.SUSPENDED),
    ("revoked", {"status": "revoked"}, {}, StateCode.SUSPENDED),
    ("status from a newer server", {"status": "frozen"}, {}, StateCode.UNKNOWN_BLOCKED),
    (
        "suspension beats a server error",
        {"status": "revoked"},
        {"last_server_error": ErrorCode.TOO_MANY_MACHINES},
        StateCode.SUSPENDED,
    ),
    (
        "seats full at activation",
        None,
        {
            "last_server_error": ErrorCode.TOO_MANY_MACHINES,
            "error_details": {"seats_used": 3, "seats_max": 3, "machines": []},
        },
        StateCode.TOO_MANY_MACHINES,
    ),
    (
        "IP bound at activation",
        None,
        {"last_server_error": ErrorCode.IP_BOUND_TO_OTHER_ACCOUNT},
        StateCode.IP_BOUND_TO_OTHER_ACCOUNT,
    ),
    (
        "activation limit",
        None,
        {"last_server_error": ErrorCode.ACTIVATION_LIMIT_REACHED},
        StateCode.ACTIVATION_LIMIT_REACHED,
    ),
    ("server says expired", {}, {"last_server_error": ErrorCode.LICENCE_EXPIRED}, StateCode.EXPIRED),
    ("server says suspended", {}, {"last_server_error": ErrorCode.LICENCE_SUSPENDED}, StateCode.SUSPENDED),
    (
        "server says fingerprint changed",
        {},
        {"last_server_error": ErrorCode.FINGERPRINT_CHANGED, "error_details": {"changed": ["machine_id"]}},
        StateCode.FINGERPRINT_CHANGED,
    ),
    (
        "server deactivated this machine",
        {},
        {"last_server_error": ErrorCode.NOT_ACTIVATED_ON_MACHINE},
        StateCode.NOT_ACTIVATED,
    ),
    ("unknown server code", {}, {"last_server_error": UnknownErrorCode("QUANTUM_FLUX")}, StateCode.UNKNOWN_BLOCKED),
    (
        "unknown server code without document",
        None,
        {"last_server_error": UnknownErrorCode("QUANTUM_FLUX")},
        StateCode.UNKNOWN_BLOCKED,
    ),
    ("rate limit is no licence state", {}, {"last_server_error": ErrorCode.RATE_LIMITED}, StateCode.ACTIVE),
    (
        "maintenance is no licence state",
        {},
        {"last_server_error": ErrorCode.MAINTENANCE, "online": False},
        StateCode.OFFLINE_GRACE,
    ),
    (
        "wrong password is no licence state",
        None,
        {"last_server_error": ErrorCode.INVALID_CREDENTIALS},
        StateCode.NOT_ACTIVATED,
    ),
    (
        "server error beats the document's dates",
        {"expires_at": at(timedelta(days=-3))},
        {"last_server_error": ErrorCode.TOO_MANY_MACHINES},
        StateCode.TOO_MANY_MACHINES,
    ),
    ("expired", {"expires_at": at(timedelta(days=-1))}, {}, StateCode.EXPIRED),
    ("expired this very second", {"expires_at": at(timedelta(0))}, {}, StateCode.EXPIRED),
    ("status expired", {"status": "expired"}, {}, StateCode.EXPIRED),
    (
        "expired beats lease over",
        {"expires_at": at(timedelta(days=-1)), "lease_expires_at": at(timedelta(days=-1))},
        {},
        StateCode.EXPIRED,
    ),
    ("lease over", {"lease_expires_at": at(timedelta(minutes=-1))}, {}, StateCode.LEASE_EXPIRED),
    (
        "lease over while offline",
        {"lease_expires_at": at(timedelta(days=-1))},
        {"online": False},
        StateCode.LEASE_EXPIRED,
    ),
    (
        "lease over beats ledgers",
        {"lease_expires_at": at(timedelta(days=-1)), "ledgers": {"purchased": 4, "in_use": 5}},
        {},
        StateCode.LEASE_EXPIRED,
    ),
    ("cloud over its ledgers", {"ledgers": {"purchased": 4, "in_use": 5}}, {}, StateCode.LEDGER_LIMIT_EXCEEDED),
    (
        "standard edition does not count ledgers",
        {"edition": "standard", "ledgers": {"purchased": 0, "in_use": 2}},
        {},
        StateCode.ACTIVE,
    ),
    (
        "ledgers beat certification",
        {
            "ledgers": {"purchased": 4, "in_use": 5},
            "certification": {"status": "overdue", "deadline": at(timedelta(days=-1))},
        },
        {},
        StateCode.LEDGER_LIMIT_EXCEEDED,
    ),
    (
        "certification overdue",
        {"certification": {"status": "overdue", "deadline": at(timedelta(days=-1))}},
        {},
        StateCode.CERTIFICATION_OVERDUE,
    ),
    (
        "pending past its deadline",
        {"certification": {"status": "pending", "deadline": at(timedelta(hours=-1))}},
        {},
        StateCode.CERTIFICATION_OVERDUE,
    ),
    (
        "overdue beats offline",
        {"certification": {"status": "overdue", "deadline": at(timedelta(days=-1))}},
        {"online": False},
        StateCode.CERTIFICATION_OVERDUE,
    ),
    ("offline inside the lease", {}, {"online": False}, StateCode.OFFLINE_GRACE),
    ("offline beats expiring soon", {"expires_at": at(timedelta(days=5))}, {"online": False}, StateCode.OFFLINE_GRACE),
    ("expiring in 10 days", {"expires_at": at(timedelta(days=10))}, {}, StateCode.EXPIRING_SOON),
    ("expiring in exactly 30 days", {"expires_at": at(timedelta(days=30))}, {}, StateCode.EXPIRING_SOON),
    ("expiring in 31 days", {"expires_at": at(timedelta(days=31))}, {}, StateCode.ACTIVE),
    (
        "expiring soon beats certification pending",
        {
            "expires_at": at(timedelta(days=10)),
            "certification": {"status": "pending", "deadline": at(timedelta(days=10))},
        },
        {},
        StateCode.EXPIRING_SOON,
    ),
    (
        "certification due in 20 days",
        {"certification": {"status": "pending", "deadline": at(timedelta(days=20))}},
        {},
        StateCode.CERTIFICATION_PENDING,
    ),
    (
        "certification due in 80 days is only a fact",
        {"certification": {"status": "pending", "deadline": at(timedelta(days=80))}},
        {},
        StateCode.ACTIVE,
    ),
]


@pytest.mark.parametrize(("name", "doc_changes", "changes", "expected"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_state(name: str, doc_changes: dict[str, Any] | None, changes: dict[str, Any], expected: StateCode) -> None:
    document = None if doc_changes is None else doc(**doc_changes)
    assert run(document, **changes).code is expected


@pytest.mark.parametrize(("name", "doc_changes", "changes", "expected"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_every_placeholder_of_the_state_texts_is_filled(
    name: str, doc_changes: dict[str, Any] | None, changes: dict[str, Any], expected: StateCode
) -> None:
    result = run(None if doc_changes is None else doc(**doc_changes), **changes)
    for text in (result.state.explanation, result.state.next_step):
        wanted = {field for _, field, _, _ in string.Formatter().parse(text) if field}
        assert wanted <= result.details.keys(), f"{result.code}: {wanted - result.details.keys()} not filled"


def test_active_facts_for_the_screen() -> None:
    result = run()
    assert result.state.usable and result.document is not None
    assert result.days_to_expiry == (datetime(2027, 6, 30, 16, tzinfo=UTC) - NOW).days
    assert result.lease_remaining == datetime(2026, 12, 20, 8, tzinfo=UTC) - NOW
    assert not result.lease_ending_soon
    assert result.machine_match is MachineMatch.SAME and result.changed_components == ()
    assert result.details["seats_max"] == 3 and result.details["expires_on"].isoformat() == "2027-06-30"
    assert result.details["lease_end"].strftime("%Y-%m-%d %H:%M") == "2026-12-20 08:00"  # tr() writes it


def test_dates_are_shown_in_the_users_time_zone() -> None:
    from datetime import timezone

    beijing = timezone(timedelta(hours=8))
    assert run(tz=beijing).details["expires_on"].isoformat() == "2027-07-01"  # 16:00 UTC is the next morning in Beijing


def test_not_logged_in_still_shows_the_cached_facts() -> None:
    result = run(signed_in_account_id=None)
    assert result.code is StateCode.NOT_LOGGED_IN
    assert result.document is not None and result.details["organisation"] == "示例贸易有限公司"
    assert result.days_to_expiry is not None


def test_fingerprint_changed_names_the_changed_parts() -> None:
    result = run(local_components=components(machine_id="e" * 64, product_uuid="f" * 64))
    assert result.changed_components == ("machine_id", "product_uuid")
    assert result.details["changed"] == "machine_id, product_uuid"


def test_server_details_fill_the_explanation() -> None:
    result = run(None, last_server_error=ErrorCode.TOO_MANY_MACHINES, error_details={"seats_used": 5, "seats_max": 5})
    assert result.details["seats_max"] == 5
    with_doc = run(last_server_error=ErrorCode.TOO_MANY_MACHINES, error_details={"seats_max": 4})
    assert with_doc.details["seats_max"] == 4  # the server's word is newer than the cached document


def test_offline_grace_warns_in_the_last_three_days() -> None:
    result = run(doc(lease_expires_at=at(timedelta(days=2, hours=5))), online=False)
    assert result.code is StateCode.OFFLINE_GRACE and result.lease_ending_soon
    assert result.details["lease_days_left"] == 2


def test_expired_counts_days_negative_and_lease_never_negative() -> None:
    result = run(doc(expires_at=at(timedelta(days=-3)), lease_expires_at=at(timedelta(days=-3))))
    assert result.days_to_expiry == -3 and result.lease_remaining == timedelta(0)


def test_certification_countdown_is_a_fact_in_every_state() -> None:
    result = run(doc(certification={"status": "pending", "deadline": at(timedelta(days=80))}))
    assert result.code is StateCode.ACTIVE and result.certification_days_left == 80


def test_clock_tampered_shows_the_time_already_seen() -> None:
    result = run(watermark=NOW + timedelta(days=2))
    assert result.code is StateCode.CLOCK_TAMPERED
    assert result.details["watermark"] == NOW + timedelta(days=2)  # a moment: tr() writes it in the UI language


def test_naive_now_is_read_as_utc() -> None:
    assert run(now=NOW.replace(tzinfo=None)).code is StateCode.ACTIVE


class TestStatusCheck:
    """``python -m app status``: offline, no keyring, so the document's account counts as signed in."""

    def status(self, document: LicenceDocument | None, **changes: Any) -> Evaluation:
        fields: dict[str, Any] = {"document": document, "now": NOW, "local_components": dict(COMPONENTS), "tz": UTC}
        fields.update(changes)
        return evaluate_for_status(EvaluationInput(**fields))

    def test_valid_cache_is_usable(self) -> None:
        result = self.status(doc())
        assert result.code is StateCode.ACTIVE and exit_code_for(result.code) == 0

    def test_no_cache_is_not_activated(self) -> None:
        result = self.status(None, document_problem="missing")
        assert result.code is StateCode.NOT_ACTIVATED and exit_code_for(result.code) == 1

    def test_tampered_cache_is_blocked(self) -> None:
        result = self.status(None, document_problem="bad_signature")
        assert result.code is StateCode.ILLEGAL_COPY and exit_code_for(result.code) == 2

    def test_lease_over_is_blocked(self) -> None:
        result = self.status(doc(lease_expires_at=at(timedelta(days=-1))))
        assert result.code is StateCode.LEASE_EXPIRED and exit_code_for(result.code) == 2

    def test_copied_cache_is_an_illegal_copy(self) -> None:
        assert self.status(doc(), local_components={"machine_id": "9" * 64}).code is StateCode.ILLEGAL_COPY
