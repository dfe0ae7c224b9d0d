"""What the mini ledger asks the licence panel, as blocking calls: the window runs each one off the GUI thread.

Every function takes the ``LicenceHost`` and the runner's cancel token and returns plain values (app.host's and
books.py's); failures are ``LicenceError`` with the words to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.host import VOUCHERS_MODULE, Ledger, LicenceError, LicenceHost, ModuleAccess, VoucherConsumption
from examples.mini_ledger.books import BLOCKING_REASONS, PERIOD_CLOSE, Books, OpenYear

# What LicenceError.exit_code says when the server could not be reached (the command line's 3).
UNREACHABLE = 3


@dataclass(frozen=True)
class Posting:
    """One 记账: the server's (or the offline journal's) count, or the licence's verdict that stopped it first."""

    gate: ModuleAccess
    consumption: VoucherConsumption | None = None


def start(
    host: LicenceHost,
    cancel: Any,
    *,
    login: tuple[str, str] | None = None,
    demo_licence: Mapping[str, Any] | None = None,
) -> Books:
    """Resume the panel's remembered session (or sign in with ``login``), activate ``demo_licence`` when this
    computer holds no licence yet (``--demo``), then read the books."""
    if login is not None and not host.restore_session(cancel=cancel):
        host.sign_in(*login, cancel=cancel)
    if demo_licence is not None and host.state().licence_id is None:
        host.activate(demo_licence["serial"], demo_licence["cdkey"], int(demo_licence["org_id"]), cancel=cancel)
    return read_books(host, cancel)


def read_books(host: LicenceHost, cancel: Any) -> Books:
    """The licence's state (offline) and its ledgers (online); a reason instead of the ledgers when they cannot be
    read (nobody signed in, no licence, no server)."""
    try:
        return Books(host.state(), host.ledgers(cancel=cancel))
    except LicenceError as exc:
        return Books(host.state(), problem=exc)


def refresh_books(host: LicenceHost, cancel: Any) -> Books:
    """在线认证, then the books: what the server counts now is in the signed document."""
    host.refresh(cancel=cancel)
    return read_books(host, cancel)


def create_ledger(host: LicenceHost, code: str, name: str, cancel: Any) -> tuple[Ledger, Books]:
    ledger = host.create_ledger(code, name, cancel=cancel)
    return ledger, read_books(host, cancel)


def archive_ledger(host: LicenceHost, ledger_id: int, cancel: Any) -> Books:
    """Archive, then 在线认证: the document's ledger count (and so the state) follows at once."""
    host.archive_ledger(ledger_id, cancel=cancel)
    return refresh_books(host, cancel)


def checks(host: LicenceHost, ledger_id: int, fiscal_year: int) -> tuple[ModuleAccess, ModuleAccess]:
    """The licence's verdicts for the ledger-year, offline: 结账, and posting vouchers."""
    return host.check(PERIOD_CLOSE, ledger_id, fiscal_year), host.check(VOUCHERS_MODULE, ledger_id, fiscal_year)


def open_year(host: LicenceHost, ledger: Ledger, fiscal_year: int, cancel: Any, *, refresh: bool = True) -> OpenYear:
    """进入账套: the server opens the fiscal year (its quota and count); with ``refresh`` a fresh signed document
    follows, so ``check`` knows a year opened just now. Without the server, the signed document's figures."""
    offline = False
    try:
        opened = host.open_year(ledger.id, fiscal_year, cancel=cancel)
        if refresh:
            host.refresh(cancel=cancel)
        used, quota = opened.vouchers.used, opened.vouchers.quota
    except LicenceError as exc:
        standing = host.check(VOUCHERS_MODULE, ledger.id, fiscal_year).vouchers
        if exc.exit_code != UNREACHABLE or standing is None:
            raise
        used, quota, offline = standing.used + standing.offline_used, standing.quota, True
    period_close, posting = checks(host, ledger.id, fiscal_year)
    return OpenYear(ledger.id, ledger.code, ledger.name, fiscal_year, used, quota, period_close, posting, offline)


def post_vouchers(host: LicenceHost, year: OpenYear, count: int, key: str, cancel: Any) -> Posting:
    """记账: asked of the licence first (offline), then counted under ``key`` — one key per posting, so a retry
    of the same posting never counts twice."""
    gate = host.check(VOUCHERS_MODULE, year.ledger_id, year.fiscal_year)
    if gate.reason in BLOCKING_REASONS:
        return Posting(gate)
    return Posting(gate, host.consume_vouchers(year.ledger_id, year.fiscal_year, key=key, count=count, cancel=cancel))


def reload(
    host: LicenceHost, ledger: Ledger | None, fiscal_year: int | None, cancel: Any
) -> tuple[Books, OpenYear | None]:
    """After a payment or a change in the panel: the books and the open ledger-year as they are now (the panel has
    cached the fresh signed document already)."""
    books = read_books(host, cancel)
    current = books.ledger(ledger.id if ledger is not None else None)
    if current is None or current.archived or fiscal_year is None:  # archived meanwhile (in the panel): closed
        return books, None
    return books, open_year(host, current, fiscal_year, cancel, refresh=False)
