"""`python -m app ledgers list|create|archive`: the licence's ledgers, online, as the signed-in account."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.services.credentials import CredentialStore
from app.services.licence_service import open_service
from tests.support.accounts import DEFAULT_PASSWORD
from tests.support.host_cli import HostMachine, host_machine
from tests.support.http_stubs import dead_url
from tests.support.keyring import MemoryKeyring
from tests.support.live import LiveServer


@pytest.fixture
def host(sqlite_server: LiveServer, tmp_path: Path) -> Iterator[HostMachine]:
    machine = host_machine(sqlite_server, tmp_path, ledgers=2)
    yield machine
    machine.close()


def ledgers(host: HostMachine, *argv: str) -> tuple[int, Any, str]:
    result = host.run("ledgers", *argv, "--json")
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    return result.returncode, json.loads(result.stdout) if result.stdout else None, result.stderr


def test_create_list_and_archive_within_the_ledgers_bought(host: HostMachine) -> None:
    code, listing, _ = ledgers(host, "list")
    assert code == 0 and (listing["purchased"], listing["in_use"], listing["ledgers"]) == (2, 0, [])

    code, created, _ = ledgers(host, "create", "--code", "A", "--name", "北京分公司账套")
    assert code == 0 and created["ledger"]["code"] == "A" and created["ledger"]["archived"] is False
    first = created["ledger"]["id"]
    assert ledgers(host, "create", "--code", "B", "--name", "上海分公司账套")[0] == 0
    host.open_year(first, 2025)

    code, _, stderr = ledgers(host, "create", "--code", "C", "--name", "第三个账套")
    assert code == 2 and "LEDGER_LIMIT_EXCEEDED" in stderr and "(2 of 2)" in stderr
    zh = host.run("ledgers", "create", "--code", "C", "--name", "第三个账套", lang="zh_CN")
    assert zh.returncode == 2 and "请先购买账套数量" in zh.stderr

    code, listing, _ = ledgers(host, "list")
    assert (listing["purchased"], listing["in_use"]) == (2, 2)
    by_code = {x["code"]: x for x in listing["ledgers"]}
    assert by_code["A"]["name"] == "北京分公司账套"
    assert by_code["A"]["years"] == [{"fiscal_year": 2025, "modules": [], "vouchers": {"used": 0, "quota": 10}}]

    code, archived, _ = ledgers(host, "archive", str(by_code["B"]["id"]))
    assert code == 0 and archived["ledger"]["archived"] is True
    code, _, stderr = ledgers(host, "create", "--code", "B", "--name", "again")  # archived codes stay taken
    assert code == 2 and "LEDGER_CODE_TAKEN" in stderr
    assert ledgers(host, "create", "--code", "C", "--name", "第三个账套")[0] == 0

    text = host.run("ledgers", "list", lang="zh_CN")
    assert text.returncode == 0 and "北京分公司账套" in text.stdout and "已归档" in text.stdout
    assert "2025  凭证 0 / 10" in text.stdout


def test_unknown_ledger_server_down_and_no_licence(host: HostMachine, tmp_path: Path) -> None:
    code, _, stderr = ledgers(host, "archive", "999999")
    assert code == 1 and "LEDGER_NOT_FOUND" in stderr

    down = host.run("ledgers", "list", server=dead_url())
    assert down.returncode == 3 and "cannot be reached" in down.stderr

    host.data_dir = tmp_path / "never-activated"
    code, _, stderr = ledgers(host, "list")
    assert code == 1 and "Activate it first" in stderr


def test_the_licence_service_gives_python_hosts_typed_answers(host: HostMachine) -> None:
    """What the command line is built on, for a Python host: ledgers, ledger-years and vouchers as dataclasses."""
    service = open_service(
        host.paths, server_url=host.live.url, demo=True, credentials=CredentialStore(backend=MemoryKeyring())
    )
    try:
        service.sign_in(host.login, DEFAULT_PASSWORD, remember=False)
        ledger = service.create_ledger("K1", "昆明分公司账套")
        assert (ledger.code, ledger.name, ledger.archived, ledger.years) == ("K1", "昆明分公司账套", False, ())
        year = service.open_ledger_year(ledger.id, 2026)
        assert (year.ledger_id, year.fiscal_year, year.vouchers.used, year.vouchers.quota) == (ledger.id, 2026, 0, 10)
        assert service.open_ledger_year(ledger.id, 2026) == year  # idempotent
        counted = service.consume_vouchers(ledger.id, 2026, 3, "PY-1")
        assert (counted.counted, counted.offline, counted.used, counted.remaining) == (True, False, 3, 7)
        assert service.consume_vouchers(ledger.id, 2026, 3, "PY-1").counted is False
        assert service.ledgers().in_use == 1
    finally:
        service.api.close()
