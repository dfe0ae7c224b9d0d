"""`python -m app vouchers consume` as a host program posts vouchers: online the server counts, offline the journal
does within the signed allowance, and the next online check reports it exactly once. Real processes, real server;
"the server stopped" is a loopback port nobody listens on."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from app.resources import resource_path
from app.services.credentials import CredentialStore
from app.services.voucher_journal import VoucherJournal
from tests.support.host_cli import HostMachine, host_machine
from tests.support.http_stubs import dead_url
from tests.support.live import LiveServer

YEAR = "2025"


@pytest.fixture
def host(sqlite_server: LiveServer, tmp_path: Path) -> Iterator[HostMachine]:
    machine = host_machine(sqlite_server, tmp_path, voucher_quota=10, offline_allowance=3)
    yield machine
    machine.close()


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(resource_path("vouchers-consume.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def ledger_year(host: HostMachine) -> int:
    created = host.run("ledgers", "create", "--code", "A", "--name", "账套A", "--json")
    assert created.returncode == 0, created.stderr[-2000:]
    ledger = int(json.loads(created.stdout)["ledger"]["id"])
    host.open_year(ledger, int(YEAR))
    return ledger


def consume(
    host: HostMachine, ledger: int, key: str, count: int = 1, *, server: str | None = None
) -> tuple[int, dict[str, Any], str]:
    argv = ("vouchers", "consume", "--ledger", str(ledger), "--year", YEAR, "--count", str(count), "--key", key)
    result = host.run(*argv, "--json", server=server)
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    return result.returncode, json.loads(result.stdout), result.stderr


def server_count(host: HostMachine, ledger: int) -> int:
    listing = host.api.ledgers(host.licence_id)
    [year] = [y for x in listing["ledgers"] if x["id"] == ledger for y in x["years"] if y["fiscal_year"] == int(YEAR)]
    return int(year["vouchers"]["used"])


def signed_vouchers(host: HostMachine, ledger: int) -> dict[str, Any]:
    """The ledger-year's vouchers in the signed document on this computer (what `status --json` reports)."""
    status = host.run("status", "--json")
    [entry] = [v for v in json.loads(status.stdout)["licence"]["vouchers"] if v["ledger_id"] == ledger]
    return entry  # type: ignore[no-any-return]


def check_vouchers(host: HostMachine, ledger: int) -> dict[str, Any]:
    result = host.run("check", "--module", "vouchers", "--ledger", str(ledger), "--year", YEAR, "--json")
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_online_the_server_counts_and_a_key_counts_once(
    host: HostMachine, validator: jsonschema.Draft202012Validator
) -> None:
    ledger = ledger_year(host)
    code, answer, _ = consume(host, ledger, "PZ-2025-0001", 2)
    validator.validate(answer)
    assert code == 0
    assert {k: answer[k] for k in ("counted", "offline", "used", "quota", "requested", "remaining")} == {
        "counted": True,
        "offline": False,
        "used": 2,
        "quota": 10,
        "requested": 2,
        "remaining": 8,
    }
    code, again, _ = consume(host, ledger, "PZ-2025-0001", 2)  # the host retries after a lost answer
    assert (code, again["counted"], again["used"]) == (0, False, 2)
    assert server_count(host, ledger) == 2

    code, refused, stderr = consume(host, ledger, "PZ-2025-0002", 9)
    validator.validate(refused)
    assert code == 2 and (refused["counted"], refused["used"], refused["quota"], refused["remaining"]) == (
        False,
        2,
        10,
        8,
    )
    assert "VOUCHER_QUOTA_EXCEEDED" in stderr and "used up" in refused["message"]
    assert server_count(host, ledger) == 2

    text = host.run("vouchers", "consume", "--ledger", str(ledger), "--year", YEAR, "--key", "PZ-3", lang="zh_CN")
    assert text.returncode == 0 and "已用 3 / 共 10" in text.stdout
    assert not VoucherJournal.of(host.paths).entries()  # online vouchers never touch the offline journal


def test_offline_up_to_the_allowance_then_refused_and_reported_exactly_once(
    host: HostMachine, validator: jsonschema.Draft202012Validator
) -> None:
    ledger = ledger_year(host)
    assert consume(host, ledger, "PZ-1", 2)[0] == 0
    assert host.run("refresh").returncode == 0
    assert signed_vouchers(host, ledger) == {
        "ledger_id": ledger,
        "fiscal_year": int(YEAR),
        "used": 2,
        "quota": 10,
    }  # `status` keeps its schema; the allowance is read by `check`
    assert check_vouchers(host, ledger)["vouchers"]["offline_allowance"] == 3

    stopped = dead_url()
    code, answer, _ = consume(host, ledger, "PZ-2", 2, server=stopped)
    validator.validate(answer)
    assert code == 0 and (answer["counted"], answer["offline"], answer["used"], answer["remaining"]) == (
        True,
        True,
        4,
        1,
    )
    code, refused, stderr = consume(host, ledger, "PZ-3", 2, server=stopped)
    validator.validate(refused)
    assert code == 2 and (refused["counted"], refused["offline"], refused["remaining"]) == (False, True, 1)
    assert "OFFLINE_VOUCHER_ALLOWANCE_USED_UP" in stderr and "3 vouchers" in refused["message"]
    zh = host.run(
        "vouchers",
        "consume",
        "--ledger",
        str(ledger),
        "--year",
        YEAR,
        "--count",
        "2",
        "--key",
        "PZ-3",
        server=stopped,
        lang="zh_CN",
    )
    assert zh.returncode == 2 and "最多可记 3 张凭证" in zh.stderr
    code, answer, _ = consume(host, ledger, "PZ-4", 1, server=stopped)
    assert code == 0 and (answer["counted"], answer["remaining"]) == (True, 0)
    code, answer, _ = consume(host, ledger, "PZ-2", 2, server=stopped)  # the host retries offline
    assert code == 0 and (answer["counted"], answer["offline"]) == (False, True)
    assert consume(host, ledger, "PZ-5", 1, server=stopped)[0] == 2

    offline_check = check_vouchers(host, ledger)
    assert offline_check["vouchers"] == {
        "used": 2,
        "quota": 10,
        "offline_allowance": 3,
        "offline_used": 3,
        "remaining": 5,
    }
    assert server_count(host, ledger) == 2  # the server has not heard of them yet

    # The server is back: the next online check reports the journal, and the fresh document counts it once.
    refreshed = host.run("refresh", "--json")
    assert refreshed.returncode == 0, refreshed.stderr[-2000:]
    assert server_count(host, ledger) == 5
    assert signed_vouchers(host, ledger)["used"] == 5
    assert check_vouchers(host, ledger)["vouchers"]["offline_used"] == 0
    journal = VoucherJournal.of(host.paths)
    assert {e.key: e.outcome for e in journal.entries()} == {"PZ-2": "counted", "PZ-4": "counted"}

    assert host.run("refresh").returncode == 0  # reporting again adds nothing
    assert server_count(host, ledger) == 5 and signed_vouchers(host, ledger)["used"] == 5
    code, answer, _ = consume(host, ledger, "PZ-2", 2)  # the server knows the offline key now
    assert (code, answer["counted"], answer["used"]) == (0, False, 5)


def test_consume_reports_the_journal_before_counting(host: HostMachine) -> None:
    ledger = ledger_year(host)
    assert host.run("refresh").returncode == 0
    assert consume(host, ledger, "OFF-1", 2, server=dead_url())[0] == 0
    code, answer, _ = consume(host, ledger, "ON-1", 1)
    assert (code, answer["counted"], answer["offline"], answer["used"]) == (0, True, False, 3)
    assert not VoucherJournal.of(host.paths).pending()
    assert signed_vouchers(host, ledger)["used"] == 3  # the document was refreshed after the report


def test_offline_needs_a_usable_licence_and_a_listed_ledger_year(host: HostMachine, tmp_path: Path) -> None:
    ledger = ledger_year(host)  # opened after the last document: it lists no vouchers for this ledger-year
    code, refused, stderr = consume(host, ledger, "PZ-1", 1, server=dead_url())
    assert code == 2 and refused["counted"] is False and "OFFLINE_VOUCHER_ALLOWANCE_USED_UP" in stderr

    # Another computer of the same user, signed in the same way, where nothing was activated.
    elsewhere = tmp_path / "never-activated"
    elsewhere.mkdir()
    shutil.copy(host.paths.settings_file, elsewhere / "settings.json")
    host.data_dir = elsewhere
    result = host.run(
        "vouchers", "consume", "--ledger", str(ledger), "--year", YEAR, "--key", "PZ-2", server=dead_url()
    )
    assert result.returncode == 1 and "VOUCHERS_LICENCE_NOT_USABLE" in result.stderr


@pytest.mark.keyring
def test_the_session_comes_from_the_keyring_and_survives_its_rotation(host: HostMachine) -> None:
    if not host.use_keyring:
        pytest.skip("no Secret Service session (LP_HAVE_SECRET_SERVICE is not 1)")
    ledger = ledger_year(host)
    first = CredentialStore().load_refresh_token(host.login)
    for n in range(3):  # each process refreshes once: the rotated token must be back in the keyring each time
        code, answer, stderr = consume(host, ledger, f"KR-{n}", 1)
        assert code == 0, stderr[-2000:]
        assert answer["used"] == n + 1
    assert CredentialStore().load_refresh_token(host.login) not in (None, first)


def test_a_report_the_server_refuses_is_marked_and_not_sent_again(host: HostMachine) -> None:
    ledger = ledger_year(host)
    assert host.run("refresh").returncode == 0
    assert consume(host, ledger, "OFF-1", 1, server=dead_url())[0] == 0
    host.api.archive_ledger(ledger)  # archived meanwhile on another computer: nothing more may be counted there

    assert host.run("refresh").returncode == 0, "a refused report does not fail the online check"
    [entry] = VoucherJournal.of(host.paths).entries()
    assert entry.outcome == "refused"
    assert server_count(host, ledger) == 0
    code, refused, stderr = consume(host, ledger, "ON-1", 1)
    assert code == 2 and "LEDGER_ARCHIVED" in stderr and refused["counted"] is False
