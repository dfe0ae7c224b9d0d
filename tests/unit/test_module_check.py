"""`check`'s verdict from the evaluated state and the verified document: reasons in order, exit codes, vouchers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from licence_protocol.document import LicenceDocument

from app.domain.module_check import REASONS, VOUCHERS_MODULE, check_module
from app.domain.states import StateCode
from app.domain.vouchers import VoucherConsumption, voucher_standing
from tests.support.documents import machine_components, payload

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def document(**overrides: Any) -> LicenceDocument:
    body = payload(machine_components(1), NOW, **overrides)
    body.setdefault("vouchers", [])
    body["vouchers"] = [
        {"ledger_id": 2, "fiscal_year": 2025, "used": 12, "quota": 50, "offline_allowance": 30},
        {"ledger_id": 3, "fiscal_year": 2025, "used": 100, "quota": 100, "offline_allowance": 0},
    ]
    return LicenceDocument.from_payload(body)


def check(module: str = "period_close", ledger: int = 2, year: int = 2025, **kw: Any) -> Any:
    kw.setdefault("state", StateCode.ACTIVE)
    kw.setdefault("document", document())
    return check_module(module=module, ledger_id=ledger, fiscal_year=year, **kw)


def test_an_opened_module_is_open_for_exactly_its_ledger_year() -> None:
    opened = check()
    assert (opened.open, opened.reason, opened.exit_code) == (True, "open", 0)
    assert check(year=2024).reason == "module_not_opened"
    assert check(ledger=3).reason == "module_not_opened"
    assert check(module="tax_filing").reason == "module_not_opened"
    assert check(module="tax_filing").exit_code == 2


@pytest.mark.parametrize("state", [StateCode.OFFLINE_GRACE, StateCode.EXPIRING_SOON, StateCode.CERTIFICATION_PENDING])
def test_every_usable_state_lets_an_opened_module_open(state: StateCode) -> None:
    assert check(state=state).open


@pytest.mark.parametrize(
    ("state", "exit_code"),
    [
        (StateCode.NOT_ACTIVATED, 1),
        (StateCode.NOT_LOGGED_IN, 1),
        (StateCode.EXPIRED, 2),
        (StateCode.ILLEGAL_COPY, 2),
        (StateCode.LEASE_EXPIRED, 2),
        (StateCode.CLOCK_TAMPERED, 2),
        (StateCode.UNKNOWN_BLOCKED, 2),
    ],
)
def test_a_licence_that_is_not_usable_closes_every_module(state: StateCode, exit_code: int) -> None:
    for module in ("period_close", "tax_filing", VOUCHERS_MODULE):
        result = check(module=module, state=state)
        assert (result.open, result.reason, result.exit_code) == (False, "licence_state", exit_code)
        assert result.state is state


def test_the_ledger_limit_is_its_own_reason_before_the_module() -> None:
    result = check(state=StateCode.LEDGER_LIMIT_EXCEEDED, module="tax_filing")
    assert (result.reason, result.exit_code) == ("ledger_limit", 2)


def test_an_unreadable_cache_exits_3_without_a_state() -> None:
    result = check(state=None, document=None)
    assert (result.reason, result.exit_code, result.state, result.vouchers) == ("licence_state", 3, None, None)


def test_no_document_is_never_open_even_in_a_usable_state() -> None:
    result = check(document=None)
    assert not result.open and result.reason == "licence_state" and result.exit_code == 2


def test_vouchers_open_while_the_quota_minus_unreported_offline_vouchers_remains() -> None:
    result = check(module=VOUCHERS_MODULE)
    assert result.open and result.vouchers is not None
    assert (result.vouchers.used, result.vouchers.quota, result.vouchers.remaining) == (12, 50, 38)
    assert result.vouchers.offline_allowance == 30

    posted_offline = check(module=VOUCHERS_MODULE, offline_used=37)
    assert posted_offline.open and posted_offline.vouchers is not None
    assert posted_offline.vouchers.remaining == 1

    used_up = check(module=VOUCHERS_MODULE, offline_used=38)
    assert (used_up.open, used_up.reason, used_up.exit_code) == (False, "voucher_quota_used_up", 2)
    assert check(module=VOUCHERS_MODULE, ledger=3).reason == "voucher_quota_used_up"


def test_vouchers_of_a_ledger_year_the_document_does_not_list_are_not_opened() -> None:
    result = check(module=VOUCHERS_MODULE, year=2026)
    assert (result.reason, result.vouchers) == ("module_not_opened", None)


def test_any_module_reports_its_ledger_years_vouchers() -> None:
    assert check().vouchers == voucher_standing(document().voucher_usage(2, 2025), 0)


def test_reasons_are_the_contracts() -> None:
    assert REASONS == ("open", "licence_state", "ledger_limit", "module_not_opened", "voucher_quota_used_up")


class TestVoucherStanding:
    def test_offline_the_allowance_bounds_what_may_be_posted(self) -> None:
        usage = document().voucher_usage(2, 2025)
        standing = voucher_standing(usage, 28)
        assert standing is not None
        assert (standing.remaining, standing.offline_remaining) == (10, 2)
        assert voucher_standing(usage, 40) is not None and voucher_standing(usage, 40).offline_remaining == 0  # type: ignore[union-attr]

    def test_a_document_without_allowances_allows_nothing_offline(self) -> None:
        body = payload(machine_components(1), NOW)  # vouchers without offline_allowance: an older server
        usage = LicenceDocument.from_payload(body).voucher_usage(2, 2025)
        standing = voucher_standing(usage, 0)
        assert standing is not None and standing.offline_allowance == 0 and standing.offline_remaining == 0

    def test_the_servers_answer_reads_into_a_consumption(self) -> None:
        answer = {"ledger_id": 2, "fiscal_year": 2025, "used": 14, "quota": 50, "requested": 2, "counted": True}
        result = VoucherConsumption.from_json(answer)
        assert (result.counted, result.offline, result.remaining) == (True, False, 36)

    def test_an_offline_consumption_counts_the_journal(self) -> None:
        standing = voucher_standing(document().voucher_usage(2, 2025), 5)
        assert standing is not None
        result = VoucherConsumption.recorded_offline(2, 2025, standing, 2, counted=True)
        assert (result.used, result.quota, result.remaining, result.offline) == (17, 50, 25, True)
