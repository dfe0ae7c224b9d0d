"""`python -m app check` in-process: verdicts, exit codes, JSON against its schema, translated text, what it loads."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import app.i18n as i18n
from app.cli import main
from app.resources import resource_path
from app.services.fingerprint import SystemFingerprint
from app.services.paths import AppPaths
from app.services.voucher_journal import JournalEntry, VoucherJournal
from tests.support.documents import Signer, payload, tamper_payload, write_cache

VOUCHERS = [{"ledger_id": 2, "fiscal_year": 2025, "used": 12, "quota": 50, "offline_allowance": 30}]


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    saved = i18n._current
    yield
    i18n._current = saved


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(resource_path("check.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def licensed(data_dir: Path, **overrides: Any) -> AppPaths:
    """A valid document for this very machine in ``data_dir``, trusted by --demo runs."""
    signer = Signer()
    components = SystemFingerprint(AppPaths.from_data_dir(data_dir)).components()
    overrides.setdefault("vouchers", VOUCHERS)
    paths = write_cache(data_dir, signer.sign(payload(components, datetime.now(UTC), **overrides)))
    signer.trust_in(paths)
    return paths


def check(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> tuple[int, Any, str]:
    code = main(["--data-dir", str(data_dir), "--demo", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if "--json" in argv else out), err


ARGS = ("check", "--ledger", "2", "--year", "2025", "--json", "--module")


@pytest.mark.parametrize(
    ("module", "code", "reason"),
    [("period_close", 0, "open"), ("tax_filing", 2, "module_not_opened"), ("vouchers", 0, "open")],
)
def test_modules_of_a_valid_licence(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    validator: jsonschema.Draft202012Validator,
    module: str,
    code: int,
    reason: str,
) -> None:
    licensed(tmp_path)
    exit_code, report, _ = check(capsys, tmp_path, *ARGS, module)
    validator.validate(report)
    assert (exit_code, report["reason"], report["open"], report["state"]) == (code, reason, code == 0, "ACTIVE")
    assert report["vouchers"] == {"used": 12, "quota": 50, "offline_allowance": 30, "offline_used": 0, "remaining": 38}
    assert str(report["ledger_id"]) in report["message"] and "2025" in report["message"]


def test_exit_codes_of_the_licence_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], validator: jsonschema.Draft202012Validator
) -> None:
    exit_code, report, _ = check(capsys, tmp_path / "nothing", *ARGS, "period_close")
    validator.validate(report)
    assert (exit_code, report["reason"], report["state"], report["vouchers"]) == (
        1,
        "licence_state",
        "NOT_ACTIVATED",
        None,
    )

    over = tmp_path / "over"
    licensed(over, ledgers={"purchased": 2, "in_use": 3})
    exit_code, report, _ = check(capsys, over, *ARGS, "period_close")
    assert (exit_code, report["reason"], report["state"]) == (2, "ledger_limit", "LEDGER_LIMIT_EXCEEDED")

    tampered = tmp_path / "tampered"
    paths = licensed(tampered)
    envelope = json.loads(paths.licence_file.read_text("utf-8"))["envelope"]
    write_cache(tampered, tamper_payload(envelope))
    exit_code, report, _ = check(capsys, tampered, *ARGS, "period_close")
    assert (exit_code, report["reason"], report["state"]) == (2, "licence_state", "ILLEGAL_COPY")

    broken = tmp_path / "broken"
    licensed(broken).licence_file.write_bytes(b'{"format": 1, "env')
    exit_code, report, _ = check(capsys, broken, *ARGS, "period_close")
    validator.validate(report)
    assert (exit_code, report["reason"], report["state"]) == (3, "licence_state", None)
    assert "cannot be read" in report["message"]


def test_offline_vouchers_in_the_journal_count_until_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = licensed(tmp_path, vouchers=[{**VOUCHERS[0], "used": 45}])
    journal = VoucherJournal.of(paths)
    journal.record(JournalEntry("v-1", 7, 2, 2025, 4, datetime.now(UTC)), allowance=30)
    _, report, _ = check(capsys, tmp_path, *ARGS, "vouchers")
    assert report["open"] and report["vouchers"]["offline_used"] == 4 and report["vouchers"]["remaining"] == 1

    journal.record(JournalEntry("v-2", 7, 2, 2025, 1, datetime.now(UTC)), allowance=30)
    exit_code, report, _ = check(capsys, tmp_path, *ARGS, "vouchers")
    assert (exit_code, report["reason"]) == (2, "voucher_quota_used_up")
    assert "50 of 50" in report["message"]

    for pending in journal.pending():  # reported: the next document counts them, the journal no longer does
        journal.mark_reported(pending, "counted", datetime.now(UTC))
    _, report, _ = check(capsys, tmp_path, *ARGS, "vouchers")
    assert report["open"] and report["vouchers"]["offline_used"] == 0


def test_the_text_is_in_the_chosen_language(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    licensed(tmp_path)
    argv = ("check", "--module", "tax_filing", "--ledger", "2", "--year", "2025")
    code, out, _ = check(capsys, tmp_path, "--lang", "zh_CN", *argv)
    assert code == 2 and "未开通" in out and "请为这个账套和会计年度购买" in out
    code, out, _ = check(capsys, tmp_path, "--lang", "vi", *argv)
    assert code == 2 and "chưa được mở cho sổ kế toán 2" in out
    code, out, _ = check(capsys, tmp_path, "--lang", "en", *argv)
    assert "tax_filing is not opened for ledger 2, fiscal year 2025" in out
    code, report, _ = check(capsys, tmp_path, "--lang", "zh_CN", *argv, "--json")
    assert report["reason"] == "module_not_opened" and "尚未为账套 2" in report["message"]


def test_ledger_and_year_may_come_before_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    licensed(tmp_path)
    code, report, _ = check(
        capsys, tmp_path, "--ledger", "2", "--year", "2025", "check", "--module", "period_close", "--json"
    )
    assert code == 0 and report["ledger_id"] == 2
    code, _, err = check(capsys, tmp_path, "check", "--module", "period_close")
    assert code == 2 and "--ledger" in err
    code, _, err = check(capsys, tmp_path, "check", "--module", "period_close", "--ledger", "2", "--year", "1800")
    assert code == 2 and "1990" in err


def test_check_loads_only_the_parser_and_its_own_modules(tmp_path: Path) -> None:
    """Like `status`: no other command's module, no error mapping, no Qt, requests or keyring."""
    code = (
        "import sys\n"
        "from app.cli import main\n"
        f"exit_code = main(['--data-dir', {str(tmp_path)!r}, 'check', '--module', 'vouchers', '--ledger', '2', "
        "'--year', '2025', '--json'])\n"
        "heavy = {'PySide6', 'shiboken6', 'requests', 'urllib3', 'keyring', 'secretstorage', 'jeepney', 'sqlalchemy'}\n"
        "print(exit_code, ','.join(sorted(m for m in sys.modules if m.startswith('app.cli') or m == 'shutil' "
        "or m.split('.')[0] in heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    exit_code, loaded = out.strip().splitlines()[-1].split(" ")
    assert exit_code == "1"  # nothing cached: not activated
    assert loaded.split(",") == ["app.cli", "app.cli.check", "app.cli.output", "app.cli.parser", "app.cli.status"]
