"""``python -m app ledgers list|create|archive``: the licence's ledgers (账套), online, as the signed-in account."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from app.cli import session
from app.cli.output import write_json

if TYPE_CHECKING:
    from app.domain.ledgers import Ledger, LicenceLedgers
    from app.services.licence_service import LicenceService

LEDGERS_SCHEMA_VERSION = 1


def run_ledgers_list(args: argparse.Namespace) -> int:
    """Every ledger of the licence's organisation with its fiscal years; 0, or an error's exit code."""
    listing: LicenceLedgers = _online(args, lambda service: service.ledgers())
    if args.json:
        write_json(
            {
                "schema_version": LEDGERS_SCHEMA_VERSION,
                "purchased": listing.purchased,
                "in_use": listing.in_use,
                "ledgers": [ledger_json(ledger) for ledger in listing.ledgers],
            }
        )
        return 0
    from app.i18n import tr

    print(tr("{in_use} in use, {purchased} bought", in_use=listing.in_use, purchased=listing.purchased))
    for ledger in listing.ledgers:
        print(ledger_text(ledger))
    return 0


def run_ledgers_create(args: argparse.Namespace) -> int:
    """A new ledger; exit 2 when every bought ledger is in use (LEDGER_LIMIT_EXCEEDED) or the code is taken."""
    from app.i18n import tr

    ledger: Ledger = _online(args, lambda service: service.create_ledger(args.code, args.name))
    return _print_ledger(args, ledger, tr("Ledger created:"))


def run_ledgers_archive(args: argparse.Namespace) -> int:
    """Archive a ledger (read-only from now on; it no longer counts as in use)."""
    from app.i18n import tr

    ledger: Ledger = _online(args, lambda service: service.archive_ledger(args.ledger_id))
    return _print_ledger(args, ledger, tr("Ledger archived:"))


def ledger_json(ledger: Ledger) -> dict[str, Any]:
    """The server's ``Ledger`` shape (docs/PROTOCOL.md)."""
    return {
        "id": ledger.id,
        "code": ledger.code,
        "name": ledger.name,
        "archived": ledger.archived,
        "years": [
            {
                "fiscal_year": year.fiscal_year,
                "modules": list(year.modules),
                "vouchers": {"used": year.vouchers.used, "quota": year.vouchers.quota},
            }
            for year in sorted(ledger.years, key=lambda y: y.fiscal_year)
        ],
    }


def ledger_text(ledger: Ledger) -> str:
    """``  2  A002  北京分公司账套  (archived)`` and one indented line per fiscal year."""
    from app.domain.formatting import native_digits
    from app.i18n import tr

    lines = [f"{ledger.id:>4}  {ledger.code}  {ledger.name}" + (f"  ({tr('archived')})" if ledger.archived else "")]
    for year in sorted(ledger.years, key=lambda y: y.fiscal_year):
        vouchers = tr("vouchers {used} / {quota}", used=year.vouchers.used, quota=year.vouchers.quota)
        modules = ", ".join(year.modules) or "-"
        lines.append(f"        {native_digits(str(year.fiscal_year))}  {vouchers}  {tr('modules')}: {modules}")
    return "\n".join(lines)


def _online(args: argparse.Namespace, call: Any) -> Any:
    """Sign in (keyring, or --login with the password on stdin), then ``call(service)`` for this computer's licence."""
    password = session.read_password(args)
    service: LicenceService = session.open_for(args)
    try:
        session.require_licence(service)
        session.sign_in_online(service, args.login, password)
        return call(service)
    finally:
        service.api.close()


def _print_ledger(args: argparse.Namespace, ledger: Ledger, heading: str) -> int:
    if args.json:
        write_json({"schema_version": LEDGERS_SCHEMA_VERSION, "ledger": ledger_json(ledger)})
    else:
        print(heading)
        print(ledger_text(ledger))
    return 0
