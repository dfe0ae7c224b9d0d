"""Refusals of `vouchers consume` and `ledgers create` exit 2 with the translated reason; the arguments are checked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from licence_protocol.errors import ErrorCode

import app.i18n as i18n
from app.cli import main
from app.cli.errors import failure_for
from app.domain.error_codes import ClientErrorCode
from app.services.errors import ApiError, RefusedError


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    saved = i18n._current
    yield
    i18n._current = saved


def test_an_offline_allowance_used_up_exits_2_and_says_how_many_may_be_posted() -> None:
    i18n.set_language("en")
    details = {"allowance": 3, "offline_used": 3, "requested": 2, "used": 5, "quota": 10}
    failure = failure_for(RefusedError(ClientErrorCode.OFFLINE_VOUCHER_ALLOWANCE_USED_UP, details))
    assert failure.exit_code == 2 and not failure.is_bug
    assert "may post 3 vouchers" in failure.message and "[OFFLINE_VOUCHER_ALLOWANCE_USED_UP]" in failure.message
    i18n.set_language("zh_CN")
    failure = failure_for(RefusedError(ClientErrorCode.OFFLINE_VOUCHER_ALLOWANCE_USED_UP, details))
    assert "最多可记 3 张凭证" in failure.message


@pytest.mark.parametrize(("state", "exit_code"), [("NOT_ACTIVATED", 1), ("LEASE_EXPIRED", 2), ("ILLEGAL_COPY", 2)])
def test_a_licence_not_usable_offline_exits_as_its_state(state: str, exit_code: int) -> None:
    failure = failure_for(RefusedError(ClientErrorCode.VOUCHERS_LICENCE_NOT_USABLE, {"state": state}))
    assert failure.exit_code == exit_code and state in failure.message


@pytest.mark.parametrize(
    ("code", "details", "exit_code"),
    [
        (ErrorCode.VOUCHER_QUOTA_EXCEEDED, {"used": 9, "quota": 10, "requested": 2}, 2),
        (ErrorCode.LEDGER_LIMIT_EXCEEDED, {"purchased": 2, "in_use": 2}, 2),
        (ErrorCode.LEDGER_CODE_TAKEN, {"code": "A"}, 2),
        (ErrorCode.LEDGER_ARCHIVED, {"ledger_id": 4}, 2),
        (ErrorCode.LEDGER_NOT_FOUND, {"ledger_id": 4}, 1),
    ],
)
def test_the_servers_refusals_exit_2(code: ErrorCode, details: dict[str, object], exit_code: int) -> None:
    i18n.set_language("en")
    failure = failure_for(ApiError(code, "", details, status=code.status))
    assert failure.exit_code == exit_code and f"[{code}]" in failure.message


@pytest.mark.parametrize(
    "argv",
    [
        ("vouchers", "consume", "--ledger", "2", "--year", "2025", "--key", "K", "--count", "0"),
        ("vouchers", "consume", "--ledger", "2", "--year", "2025", "--key", "K", "--count", "1001"),
        ("vouchers", "consume", "--ledger", "2", "--year", "2025", "--key", "K" * 81),
        ("vouchers", "consume", "--ledger", "2", "--year", "2025"),  # no key
        ("vouchers", "consume", "--key", "K"),  # no ledger-year
        ("ledgers", "create", "--code", "A"),  # no name
        ("ledgers", "archive", "zero"),
    ],
)
def test_bad_arguments_exit_2_before_anything_runs(argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", "/nonexistent/never-created", *argv]) == 2
    capsys.readouterr()
