"""`python -m app check` as a host program runs it: real processes, documents the real server signed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from app.resources import resource_path
from app.services.cache import LicenceCache
from server.models import Licence
from tests.e2e.cli.test_status import FORBIDDEN, imported_modules
from tests.support.documents import tamper_payload
from tests.support.host_cli import REPO, HostMachine, host_machine
from tests.support.live import LiveServer
from tests.support.processes import UTF8_TEXT


@pytest.fixture
def host(sqlite_server: LiveServer, tmp_path: Path) -> Iterator[HostMachine]:
    machine = host_machine(sqlite_server, tmp_path)
    yield machine
    machine.close()


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(resource_path("check.schema.json").read_text(encoding="utf-8")))


def new_ledger(host: HostMachine, code: str = "A", name: str = "账套A") -> int:
    created = host.run("ledgers", "create", "--code", code, "--name", name, "--json")
    assert created.returncode == 0, created.stderr[-2000:]
    return int(json.loads(created.stdout)["ledger"]["id"])


def check(host: HostMachine, module: str, ledger: int, year: int = 2025) -> tuple[int, dict]:
    result = host.run("check", "--module", module, "--ledger", str(ledger), "--year", str(year), "--json")
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    return result.returncode, json.loads(result.stdout)


def test_modules_open_for_exactly_the_ledger_year_they_were_bought_for(
    host: HostMachine, validator: jsonschema.Draft202012Validator
) -> None:
    ledger = new_ledger(host)
    host.open_year(ledger, 2025)
    host.open_module(ledger, 2025, "period_close")
    assert check(host, "period_close", ledger)[1]["reason"] == "module_not_opened"  # the old document knows nothing
    refreshed = host.run("refresh")
    assert refreshed.returncode == 0, refreshed.stderr[-2000:]

    code, report = check(host, "period_close", ledger)
    validator.validate(report)
    assert (code, report["open"], report["reason"], report["state"]) == (0, True, "open", "ACTIVE")
    assert report["vouchers"] == {"used": 0, "quota": 10, "offline_allowance": 3, "offline_used": 0, "remaining": 10}

    code, report = check(host, "tax_filing", ledger)
    assert (code, report["reason"]) == (2, "module_not_opened")
    code, report = check(host, "period_close", ledger, 2024)
    assert (code, report["reason"], report["vouchers"]) == (2, "module_not_opened", None)
    assert check(host, "vouchers", ledger)[1]["open"] is True
    assert check(host, "vouchers", ledger, 2024)[1]["reason"] == "module_not_opened"

    text = host.run("check", "--module", "period_close", "--ledger", str(ledger), "--year", "2025", lang="zh_CN")
    assert text.returncode == 0 and "已开通" in text.stdout and f"账套 {ledger}" in text.stdout


def test_blocked_not_activated_and_unreadable_have_their_exit_codes(
    host: HostMachine, tmp_path: Path, validator: jsonschema.Draft202012Validator
) -> None:
    ledger = new_ledger(host)
    host.open_year(ledger, 2025)
    host.open_module(ledger, 2025, "period_close")
    with host.live.session() as s:  # a renewal for fewer ledgers than are in use: 账套已用数量大于可用数量
        licence = s.get(Licence, host.licence_id)
        assert licence is not None
        licence.ledgers_purchased = 0
    assert host.run("refresh").returncode == 2
    code, report = check(host, "period_close", ledger)
    validator.validate(report)
    assert (code, report["reason"], report["state"]) == (2, "ledger_limit", "LEDGER_LIMIT_EXCEEDED")
    assert (
        "账套已用数量大于可用数量"
        in host.run("check", "--module", "period_close", "--ledger", str(ledger), "--year", "2025", lang="zh_CN").stdout
    )

    cache = LicenceCache(host.paths)
    envelope = cache.load().envelope
    assert envelope is not None
    cache.save(tamper_payload(envelope), last_online_check=None)  # an edited licence file
    code, report = check(host, "period_close", ledger)
    assert (code, report["reason"], report["state"]) == (2, "licence_state", "ILLEGAL_COPY")

    host.paths.licence_file.write_bytes(b'{"format": 1, "env')
    code, report = check(host, "period_close", ledger)
    validator.validate(report)
    assert (code, report["reason"], report["state"], report["open"]) == (3, "licence_state", None, False)

    host.data_dir = tmp_path / "never-activated"
    code, report = check(host, "period_close", ledger)
    assert (code, report["reason"], report["state"]) == (1, "licence_state", "NOT_ACTIVATED")


def test_check_imports_neither_qt_requests_nor_keyring(host: HostMachine) -> None:
    result = host.run("check", "--module", "vouchers", "--ledger", "1", "--year", "2025", "--json")
    assert result.returncode == 2, result.stderr[-2000:]
    traced = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "app",
            "--data-dir",
            str(host.data_dir),
            "--demo",
            "check",
            "--module",
            "vouchers",
            "--ledger",
            "1",
            "--year",
            "2025",
            "--json",
        ],
        cwd=REPO,
        capture_output=True,
        **UTF8_TEXT,
        timeout=60,
        env=dict(os.environ),
    )
    assert traced.returncode == 2
    modules = imported_modules(traced.stderr)
    assert "app" in modules, "the importtime trace was not captured"
    assert not modules & set(FORBIDDEN), sorted(modules & set(FORBIDDEN))
