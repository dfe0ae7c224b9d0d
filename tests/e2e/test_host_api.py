"""``app.host.LicenceHost`` against the real server, as a Python host program uses it in-process: ``check`` is the
``check`` command, vouchers are counted once per key and refused past the quota, offline they go to the journal
within the signed allowance and are reported at the next online check, and the ledger limit is a refusal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import app.i18n as i18n
from app.domain.ledgers import VoucherCount
from app.host import LicenceError, LicenceHost
from app.services.credentials import CredentialStore
from app.services.fingerprint import SystemFingerprint
from app.services.licence_service import LicenceService
from app.services.settings import load_settings
from app.services.trust import load_trusted
from tests.support.accounts import DEFAULT_PASSWORD
from tests.support.host_cli import HostMachine, host_machine
from tests.support.http_stubs import dead_url
from tests.support.keyring import MemoryKeyring
from tests.support.live import LiveServer

YEAR = 2025


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    saved = i18n._current
    i18n.set_language("en")
    yield
    i18n._current = saved


@pytest.fixture
def machine(sqlite_server: LiveServer, tmp_path: Path) -> Iterator[HostMachine]:
    made = host_machine(sqlite_server, tmp_path, ledgers=2, voucher_quota=10, offline_allowance=3)
    yield made
    made.close()


def host_of(machine: HostMachine, keyring: MemoryKeyring, *, server: str | None = None) -> LicenceHost:
    """The host program's LicenceHost on the machine's data dir: this machine, the keys `--demo` trusts, and a
    keyring of its own (``server``: the URL it talks to, e.g. one nobody listens on)."""
    paths = machine.paths
    settings = load_settings(paths).settings.replace(server_url=server or machine.live.url, proxy_mode="none")
    service = LicenceService(
        paths, settings, CredentialStore(backend=keyring), SystemFingerprint(paths), load_trusted(paths, demo=True)
    )
    return LicenceHost(service=service)


@pytest.fixture
def keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def host(machine: HostMachine, keyring: MemoryKeyring) -> LicenceHost:
    signed_in = host_of(machine, keyring)
    signed_in.sign_in(machine.login, DEFAULT_PASSWORD, remember=True)  # 记住我: the keyring keeps the session
    return signed_in


def test_check_answers_exactly_what_the_check_command_prints(machine: HostMachine, host: LicenceHost) -> None:
    ledger = host.create_ledger("A", "账套A").id
    opened = host.open_year(ledger, YEAR)
    assert (opened.vouchers, opened.modules) == (VoucherCount(0, 10), ())
    machine.open_module(ledger, YEAR, "period_close")
    assert host.refresh().code == "ACTIVE"
    for module in ("period_close", "tax_filing", "vouchers"):
        run = machine.run("check", "--module", module, "--ledger", str(ledger), "--year", str(YEAR), "--json")
        answer = host.check(module, ledger, YEAR)
        assert answer.to_json() == json.loads(run.stdout), module
        assert answer.exit_code == run.returncode
    assert host.check("period_close", ledger, YEAR).open
    assert host.check("tax_filing", ledger, YEAR).reason == "module_not_opened"


def test_vouchers_count_once_per_key_and_are_refused_past_the_quota(host: LicenceHost) -> None:
    ledger = host.create_ledger("A", "账套A").id
    host.open_year(ledger, YEAR)
    posted = host.consume_vouchers(ledger, YEAR, key="2025-记-0001", count=8)
    assert (posted.used, posted.quota, posted.remaining, posted.counted, posted.offline) == (8, 10, 2, True, False)
    again = host.consume_vouchers(ledger, YEAR, key="2025-记-0001", count=8)  # a retry of the same posting
    assert (again.used, again.counted) == (8, False)
    with pytest.raises(LicenceError) as refused:
        host.consume_vouchers(ledger, YEAR, key="2025-记-0002", count=3)
    error = refused.value
    assert (error.code, error.exit_code, error.refused) == ("VOUCHER_QUOTA_EXCEEDED", 2, True)
    assert dict(error.details) == {"used": 8, "quota": 10, "requested": 3}
    assert error.message == (
        "The vouchers of this ledger and fiscal year are used up (8 of 10 used, 3 more asked for). Buy vouchers for "
        "this ledger-year."
    )
    host.refresh()
    assert host.check("vouchers", ledger, YEAR).vouchers.remaining == 2  # type: ignore[union-attr]


def test_offline_vouchers_go_to_the_journal_and_are_reported_at_the_next_online_check(
    machine: HostMachine, host: LicenceHost, keyring: MemoryKeyring
) -> None:
    ledger = host.create_ledger("A", "账套A").id
    host.open_year(ledger, YEAR)
    host.consume_vouchers(ledger, YEAR, key="on-1", count=2)
    host.refresh()  # the document: 2 of 10 used, 3 may be posted offline

    offline = host_of(machine, keyring, server=dead_url())  # the same computer, the server out of reach
    posted = offline.consume_vouchers(ledger, YEAR, key="off-1", count=2)
    assert (posted.offline, posted.counted, posted.used, posted.quota, posted.remaining) == (True, True, 4, 10, 1)
    standing = offline.check("vouchers", ledger, YEAR).vouchers
    assert standing is not None and (standing.used, standing.offline_used, standing.remaining) == (2, 2, 6)
    with pytest.raises(LicenceError) as refused:
        offline.consume_vouchers(ledger, YEAR, key="off-2", count=2)
    assert (refused.value.code, refused.value.exit_code) == ("OFFLINE_VOUCHER_ALLOWANCE_USED_UP", 2)
    assert "this computer may post 3 vouchers" in refused.value.message
    with pytest.raises(LicenceError) as unreachable:
        offline.refresh()
    assert (unreachable.value.code, unreachable.value.exit_code) == ("SERVER_UNAVAILABLE", 3)

    host.refresh()  # back online: the journal is reported first, so the fresh document counts it
    standing = host.check("vouchers", ledger, YEAR).vouchers
    assert standing is not None and (standing.used, standing.offline_used) == (4, 0)
    assert machine.api.ledgers(machine.licence_id)["ledgers"][0]["years"][0]["vouchers"] == {"used": 4, "quota": 10}


def test_a_ledger_beyond_those_bought_is_refused_until_one_is_archived(host: LicenceHost) -> None:
    a = host.create_ledger("A", "账套A")
    host.create_ledger("B", "账套B")
    with pytest.raises(LicenceError) as refused:
        host.create_ledger("C", "账套C")
    assert (refused.value.code, refused.value.exit_code) == ("LEDGER_LIMIT_EXCEEDED", 2)
    assert dict(refused.value.details) == {"purchased": 2, "in_use": 2}
    assert host.archive_ledger(a.id).archived
    with pytest.raises(LicenceError) as taken:
        host.create_ledger("A", "again")  # an archived ledger keeps its code
    assert taken.value.code == "LEDGER_CODE_TAKEN"
    host.create_ledger("C", "账套C")
    listing = host.ledgers()
    assert (listing.purchased, listing.in_use) == (2, 2)
    assert [(x.code, x.archived) for x in listing.ledgers] == [("A", True), ("B", False), ("C", False)]
    assert host.refresh().ledgers == (2, 2)


def test_without_a_session_the_online_calls_say_so(machine: HostMachine) -> None:
    nobody = host_of(machine, MemoryKeyring())  # a keyring holding no session of this login
    assert not nobody.restore_session()
    with pytest.raises(LicenceError) as refused:
        nobody.ledgers()
    assert (refused.value.code, refused.value.exit_code) == ("NOT_SIGNED_IN", 1)
    assert nobody.check("vouchers", 1, YEAR).state == "ACTIVE"  # offline answers need no session
    with pytest.raises(LicenceError) as wrong:
        nobody.sign_in(machine.login, "Wrong#pass1")
    assert (wrong.value.code, wrong.value.exit_code) == ("INVALID_CREDENTIALS", 1)
