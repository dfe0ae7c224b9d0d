"""``app.host`` without a server: ``check`` answers what ``python -m app check`` prints, errors map to the command
line's exit codes and words, and importing it (and checking) loads neither Qt, requests nor keyring."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from licence_protocol.errors import ErrorCode

import app.i18n as i18n
from app.cli import main
from app.domain.error_codes import ClientErrorCode
from app.host import LicenceError, LicenceHost
from app.host.api import licence_error
from app.services.errors import ApiError, NetworkError, NotSignedInError, RefusedError
from app.services.fingerprint import SystemFingerprint
from app.services.paths import AppPaths
from tests.support.documents import Signer, payload, write_cache

VOUCHERS = [{"ledger_id": 2, "fiscal_year": 2025, "used": 12, "quota": 50, "offline_allowance": 30}]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    saved = i18n._current
    i18n.set_language("en")
    yield
    i18n._current = saved


def licensed(data_dir: Path, **overrides: Any) -> None:
    """A valid document for this very machine, trusted by demo hosts of ``data_dir``."""
    signer = Signer()
    components = SystemFingerprint(AppPaths.from_data_dir(data_dir)).components()
    overrides.setdefault("vouchers", VOUCHERS)
    signer.trust_in(write_cache(data_dir, signer.sign(payload(components, datetime.now(UTC), **overrides))))


def cli_check(capsys: pytest.CaptureFixture[str], data_dir: Path, module: str) -> tuple[int, Any]:
    argv = ["--data-dir", str(data_dir), "--demo", "check", "--module", module, "--ledger", "2", "--year", "2025"]
    code = main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("module", ["period_close", "tax_filing", "vouchers"])
def test_check_answers_what_the_check_command_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], module: str
) -> None:
    licensed(tmp_path)
    exit_code, printed = cli_check(capsys, tmp_path, module)
    answer = LicenceHost(tmp_path, demo=True).check(module, 2, 2025)
    assert answer.to_json() == printed
    assert (answer.exit_code, answer.open, answer.reason, answer.state) == (
        exit_code,
        printed["open"],
        printed["reason"],
        "ACTIVE",
    )


def test_check_and_state_of_a_licence_over_its_ledger_limit(tmp_path: Path) -> None:
    licensed(tmp_path, ledgers={"purchased": 4, "in_use": 5})
    host = LicenceHost(tmp_path, demo=True)
    answer = host.check("period_close", 2, 2025)
    assert (answer.open, answer.reason, answer.exit_code) == (False, "ledger_limit", 2)
    state = host.state()
    assert (state.code, state.usable, state.exit_code, state.ledgers) == ("LEDGER_LIMIT_EXCEEDED", False, 2, (4, 5))
    assert state.label == "More ledgers in use than bought"
    i18n.set_language("zh_CN")
    assert host.state().label == "账套已用数量大于可用数量,请先购买账套数量"
    assert {(e.module, e.ledger_id, e.fiscal_year) for e in state.entitlements} == {("period_close", 2, 2025)}


def test_without_a_licence_check_says_not_activated_and_the_online_calls_ask_for_one(tmp_path: Path) -> None:
    host = LicenceHost(tmp_path)
    answer = host.check("period_close", 2, 2025)
    assert (answer.reason, answer.exit_code, answer.state) == ("licence_state", 1, "NOT_ACTIVATED")
    assert answer.vouchers is None
    assert host.refresh().code == "NOT_ACTIVATED"  # nothing to refresh: no network needed to say so
    with pytest.raises(LicenceError) as refused:
        host.ledgers()
    assert (refused.value.code, refused.value.exit_code) == ("NOT_ACTIVATED", 1)
    assert refused.value.message == "This computer has no licence. Activate it first."


@pytest.mark.parametrize(
    ("error", "code", "exit_code", "words"),
    [
        (
            ApiError(ErrorCode.LEDGER_LIMIT_EXCEEDED, details={"purchased": 4, "in_use": 4}, status=403),
            "LEDGER_LIMIT_EXCEEDED",
            2,
            "All ledgers bought are in use (4 of 4).",
        ),
        (
            ApiError(ErrorCode.VOUCHER_QUOTA_EXCEEDED, details={"used": 8, "quota": 10, "requested": 3}),
            "VOUCHER_QUOTA_EXCEEDED",
            2,
            "(8 of 10 used, 3 more asked for)",
        ),
        (ApiError(ErrorCode.TOO_MANY_MACHINES, details={"seats_max": 3}), "TOO_MANY_MACHINES", 2, "3"),
        (ApiError(ErrorCode.INVALID_CREDENTIALS, details={"attempts_left": 2}), "INVALID_CREDENTIALS", 1, "2"),
        (ApiError(ErrorCode.MAINTENANCE), "MAINTENANCE", 3, "maintenance"),
        (NetworkError("connect"), "NETWORK_ERROR", 3, "server"),
        (NetworkError("timeout"), "TIMEOUT", 3, ""),
        (NotSignedInError(), "UNAUTHORIZED", 1, ""),
        (
            RefusedError(
                ClientErrorCode.OFFLINE_VOUCHER_ALLOWANCE_USED_UP, {"allowance": 3, "offline_used": 3, "requested": 1}
            ),
            "OFFLINE_VOUCHER_ALLOWANCE_USED_UP",
            2,
            "this computer may post 3 vouchers",
        ),
        (RefusedError(ClientErrorCode.VOUCHERS_LICENCE_NOT_USABLE, {"state": "EXPIRED"}), None, 2, "EXPIRED"),
    ],
)
def test_errors_carry_the_command_lines_exit_code_and_the_catalogues_words(
    error: Exception, code: str | None, exit_code: int, words: str
) -> None:
    mapped = licence_error(error)  # type: ignore[arg-type]
    assert mapped.code == (code or str(error.code))  # type: ignore[attr-defined]
    assert mapped.exit_code == exit_code and mapped.refused == (exit_code == 2)
    assert words in mapped.message and mapped.message
    assert str(mapped) == mapped.code  # safe to log: the code only


def test_importing_the_host_api_and_checking_loads_neither_qt_nor_requests_nor_keyring(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "import app.host\n"
        f"host = app.host.LicenceHost({str(tmp_path)!r})\n"
        "answer = host.check('period_close', 2, 2025)\n"
        "state = host.state()\n"
        "heavy = {'PySide6', 'shiboken6', 'requests', 'urllib3', 'keyring', 'secretstorage', 'jeepney', 'sqlalchemy'}\n"
        "print(answer.exit_code, state.code, sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "1 NOT_ACTIVATED []"
