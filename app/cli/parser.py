"""The command line of ``python -m app``: options, commands, and the function each command runs."""

from __future__ import annotations

import argparse
import functools
import os
import sys
from typing import Any

from app.cli.status import run_fingerprint, run_status
from app.i18n import LANGUAGES

DESCRIPTION = "Licence panel for the accounting software (系统认证). Without a command, opens the panel."
EPILOG = """\
commands:
  (none)            open the panel against the configured server (--demo: against an embedded demo server)
  purchase          open the panel's 立即购买 (Buy now); with --ledger ID --year YYYY it is bound to that
                    ledger-year; exit 0 when something was paid, 1 when closed without paying
  renew             open the panel on its renewal page; exit 0 when a renewal was paid, 1 otherwise
  open              open the panel on 系统认证; exit 0 when it is closed
  status [--json]   offline licence check from the local cache: no network, no Qt
  check             --module CODE --ledger ID --year YYYY [--json]: may the host use this module in this
                    ledger-year? offline, from the signed document (module `vouchers`: may it post vouchers)
  vouchers consume  --ledger ID --year YYYY [--count N] --key KEY [--json]: count posted vouchers; offline,
                    within the document's offline allowance (kept in a journal, reported when back online)
  refresh [--json]  在线认证: a fresh signed document from the server, then the state as `status` prints it
  ledgers           list [--json] | create --code C --name N [--json] | archive ID [--json]: the licence's
                    ledgers (账套), online as the signed-in account
  fingerprint       print this computer's feature code (特征码)
  activate          unattended activation: --serial S --cdkey K [--org ID] [--login L];
                    credentials from the keyring, or --login with the password read from stdin
  offline request   air-gapped activation: --serial S --cdkey K --out FILE writes the request file
                    (--action refresh|deactivate: renew the lease / free the seat of this computer)
  offline import    FILE: import the server's response file
  offline upload    REQUEST --out RESPONSE [--org ID] [--login L]: on a connected computer, send a
                    request file with your account and write the response file

exit codes of `status`:
  0  usable (ACTIVE, EXPIRING_SOON, OFFLINE_GRACE, CERTIFICATION_PENDING)
  1  not activated / not signed in
  2  blocked (any other state: ILLEGAL_COPY, EXPIRED, LEASE_EXPIRED, CLOCK_TAMPERED, …)
  3  the licence cache could not be read (damaged file)
  4  an unexpected failure (one line on stderr, details in the log)
exit codes of `check`:
  0  open;  1 not activated;  2 not open or blocked (the JSON's reason says which);  3 cache unreadable
exit codes of the other commands (the reason on stderr):
  0  done (`activate`, `offline import`, `refresh`: the code of the resulting state, as above)
  1  not signed in; wrong serial, CDkey, password or file; a choice to make (--org)
  2  a blocked state (TOO_MANY_MACHINES, …); refused (no ledger left, vouchers or the offline
     allowance used up); bad arguments
  3  the server cannot be reached, a document does not verify, a file cannot be written
  4  an unexpected failure

example: python -m app --data-dir D status --json
"""


@functools.cache
def terminal_columns() -> int:
    """``shutil.get_terminal_size().columns`` without importing shutil, which loads zlib, bz2 and lzma.

    argparse asks shutil for the width whenever it makes a formatter, that is for every argument added,
    whether or not help is ever printed; ``status`` runs at every logon and never prints help."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):  # no stdout, or not a terminal
        return 80


class _MeasuredWithOs:
    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: Any = None) -> None:
        # The width argparse would compute: the terminal's, less two columns.
        width = terminal_columns() - 2 if width is None else width
        super().__init__(prog, indent_increment, max_help_position, width)  # type: ignore[call-arg]


class HelpFormatter(_MeasuredWithOs, argparse.HelpFormatter):
    pass


class RawDescriptionHelpFormatter(_MeasuredWithOs, argparse.RawDescriptionHelpFormatter):
    pass


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser whose help formatters do not import shutil; its sub-commands' parsers are alike."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(**kwargs)


# The commands besides `status` and `fingerprint` load their module when they run, not when the parser is built:
# `status` runs at every logon and loads nothing it does not use.


def _panel(args: argparse.Namespace) -> int:
    from app.cli.panel import run_panel

    return run_panel(args)


def _activate(args: argparse.Namespace) -> int:
    from app.cli.activate import run_activate

    return run_activate(args)


def _check(args: argparse.Namespace) -> int:
    from app.cli.check import run_check

    _require_ledger_year(args)
    return run_check(args)


def _vouchers_consume(args: argparse.Namespace) -> int:
    from app.cli.vouchers import run_vouchers_consume

    _require_ledger_year(args)
    return run_vouchers_consume(args)


def _refresh(args: argparse.Namespace) -> int:
    from app.cli.refresh import run_refresh

    return run_refresh(args)


def _ledgers_list(args: argparse.Namespace) -> int:
    from app.cli.ledgers import run_ledgers_list

    return run_ledgers_list(args)


def _ledgers_create(args: argparse.Namespace) -> int:
    from app.cli.ledgers import run_ledgers_create

    return run_ledgers_create(args)


def _ledgers_archive(args: argparse.Namespace) -> int:
    from app.cli.ledgers import run_ledgers_archive

    return run_ledgers_archive(args)


def _bounded(low: int, high: int) -> Any:
    """An argparse type: an integer from ``low`` to ``high`` (what the server accepts), else a usage error."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}")
        return value

    return parse


_LEDGER_IDS = (1, 2_147_483_647)
_FISCAL_YEARS = (1990, 2200)


def _add_required_ledger_year(parser: argparse.ArgumentParser) -> None:
    """``--ledger``/``--year`` after the command; before it (the global options) they count too."""
    ledger, year = _bounded(*_LEDGER_IDS), _bounded(*_FISCAL_YEARS)
    parser.add_argument("--ledger", type=ledger, metavar="ID", default=argparse.SUPPRESS, help="ledger id (required)")
    parser.add_argument("--year", type=year, metavar="YYYY", default=argparse.SUPPRESS, help="fiscal year (required)")


def _require_ledger_year(args: argparse.Namespace) -> None:
    """A usage error (exit 2) unless both are given and in the ranges the server accepts."""
    ledger, year = getattr(args, "ledger", None), getattr(args, "year", None)
    if (
        isinstance(ledger, int)
        and isinstance(year, int)
        and _LEDGER_IDS[0] <= ledger <= _LEDGER_IDS[1]
        and _FISCAL_YEARS[0] <= year <= _FISCAL_YEARS[1]
    ):
        return
    from app.cli.errors import EXIT_BLOCKED, CommandError

    raise CommandError(
        f"{args.command}: --ledger ID (1-{_LEDGER_IDS[1]}) and --year YYYY ({_FISCAL_YEARS[0]}-{_FISCAL_YEARS[1]}) "
        "are required",
        EXIT_BLOCKED,
    )


def _idempotency_key(text: str) -> str:
    if not 1 <= len(text) <= 80:
        raise argparse.ArgumentTypeError("must be 1 to 80 characters")
    return text


def _offline_request(args: argparse.Namespace) -> int:
    from app.cli.offline import run_offline_request

    return run_offline_request(args)


def _offline_import(args: argparse.Namespace) -> int:
    from app.cli.offline import run_offline_import

    return run_offline_import(args)


def _offline_upload(args: argparse.Namespace) -> int:
    from app.cli.offline import run_offline_upload

    return run_offline_upload(args)


def build_parser() -> argparse.ArgumentParser:
    """Each command's parser names the function that runs it (``args.run``); ``read_only`` runs leave no files."""
    parser = ArgumentParser(
        prog="python -m app",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=RawDescriptionHelpFormatter,
    )
    parser.set_defaults(run=_panel, read_only=False)
    parser.add_argument("--server", metavar="URL", help="licence server URL (default: from settings)")
    parser.add_argument("--lang", choices=LANGUAGES, help="language of the panel and of texts (default: system)")
    parser.add_argument("--data-dir", metavar="DIR", help="keep licence cache, settings and logs here")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run against an embedded demo server with demo data, and trust its signing key",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    _add_ledger_year(parser, default=None)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    status = commands.add_parser(
        "status",
        help="offline licence check (exit 0 usable, 1 not activated, 2 blocked, 3 cache unreadable)",
        description="Offline licence check from the local cache: no network, no Qt.",
        epilog=EPILOG,
        formatter_class=RawDescriptionHelpFormatter,
    )
    status.set_defaults(run=run_status, read_only=True)
    status.add_argument("--json", action="store_true", help="machine-readable output (resources/status.schema.json)")

    check = commands.add_parser(
        "check",
        help="may the host use a module in a ledger-year? (exit 0 open, 1 not activated, 2 not open, 3 unreadable)",
        description="Offline, from the signed document only: is MODULE open for this ledger and fiscal year? "
        "Module `vouchers`: may vouchers be posted there (the quota left, this computer's offline vouchers "
        "counted). No network, no Qt.",
        epilog=EPILOG,
        formatter_class=RawDescriptionHelpFormatter,
    )
    check.set_defaults(run=_check, read_only=True)
    check.add_argument("--module", required=True, metavar="CODE", help="module code (period_close, …, vouchers)")
    _add_required_ledger_year(check)
    check.add_argument("--json", action="store_true", help="machine-readable output (resources/check.schema.json)")

    vouchers = commands.add_parser("vouchers", help="count the vouchers the host posts")
    voucher_commands = vouchers.add_subparsers(dest="vouchers_command", metavar="ACTION", required=True)
    consume = voucher_commands.add_parser(
        "consume",
        help="count vouchers posted in a ledger-year (online; offline within the offline allowance)",
        description="Count vouchers posted in one ledger and fiscal year. The server counts when it can be "
        "reached; otherwise they are recorded on this computer against the signed document's offline "
        "allowance and reported at the next online check. The same --key never counts twice.",
    )
    consume.set_defaults(run=_vouchers_consume)
    _add_required_ledger_year(consume)
    consume.add_argument("--count", type=_bounded(1, 1000), default=1, metavar="N", help="vouchers (default 1)")
    consume.add_argument(
        "--key", required=True, type=_idempotency_key, help="idempotency key, e.g. the voucher's number (1-80 chars)"
    )
    consume.add_argument("--json", action="store_true", help="machine-readable output")
    consume.add_argument("--login", help="account login; the password is read from stdin")

    refresh = commands.add_parser(
        "refresh",
        help="在线认证: fetch a fresh signed document, then print the state as `status` does",
        description="Online check (在线认证): report vouchers posted offline, fetch a fresh signed licence "
        "document into the cache, and print the state exactly as `status` does (same exit codes; 3 when the "
        "server cannot be reached, the cache unchanged).",
    )
    refresh.set_defaults(run=_refresh)
    refresh.add_argument("--json", action="store_true", help="machine-readable output (resources/status.schema.json)")
    refresh.add_argument("--login", help="account login; the password is read from stdin")

    ledgers = commands.add_parser("ledgers", help="list, create or archive the licence's ledgers (账套), online")
    ledger_commands = ledgers.add_subparsers(dest="ledgers_command", metavar="ACTION", required=True)
    listed = ledger_commands.add_parser("list", help="every ledger with its fiscal years")
    listed.set_defaults(run=_ledgers_list)
    created = ledger_commands.add_parser("create", help="a new ledger (exit 2 when every bought one is in use)")
    created.set_defaults(run=_ledgers_create)
    created.add_argument("--code", required=True, help="ledger code, 1-20 characters")
    created.add_argument("--name", required=True, help="ledger name, 1-80 characters")
    archived = ledger_commands.add_parser("archive", help="archive a ledger: read-only, no longer in use")
    archived.set_defaults(run=_ledgers_archive)
    archived.add_argument("ledger_id", type=_bounded(*_LEDGER_IDS), metavar="ID")
    for sub in (listed, created, archived):
        sub.add_argument("--json", action="store_true", help="machine-readable output")
        sub.add_argument("--login", help="account login; the password is read from stdin")

    fingerprint = commands.add_parser("fingerprint", help="print this computer's feature code (特征码)")
    fingerprint.set_defaults(run=run_fingerprint, read_only=True)

    activate = commands.add_parser(
        "activate",
        help="unattended activation for roll-outs",
        description="Activate this computer without the panel. Signs in with the refresh token saved in the "
        "keyring, or with --login and the password read from standard input.",
    )
    activate.set_defaults(run=_activate)
    activate.add_argument("--serial", required=True, help="serial number")
    activate.add_argument("--cdkey", required=True, help="CDkey")
    activate.add_argument("--org", type=int, metavar="ID", help="organisation id (default: the only one)")
    activate.add_argument("--login", help="account login; the password is read from stdin")

    offline = commands.add_parser("offline", help="air-gapped activation through files")
    offline_commands = offline.add_subparsers(dest="offline_command", metavar="STEP", required=True)
    request = offline_commands.add_parser("request", help="write an activation request file on this computer")
    request.set_defaults(run=_offline_request)
    request.add_argument("--action", choices=("activate", "refresh", "deactivate"), default="activate")
    request.add_argument("--serial", help="serial number (activate)")
    request.add_argument("--cdkey", help="CDkey (activate; only a proof of it goes into the file)")
    request.add_argument("--org", type=int, metavar="ID", help="receiving organisation id (activate)")
    request.add_argument("--out", required=True, metavar="FILE", help="where to write the request file")
    imported = offline_commands.add_parser("import", help="import the server's response file")
    imported.set_defaults(run=_offline_import)
    imported.add_argument("file", metavar="FILE")
    upload = offline_commands.add_parser("upload", help="on a connected computer: turn a request into a response")
    upload.set_defaults(run=_offline_upload)
    upload.add_argument("request", metavar="REQUEST", help="the offline computer's request file")
    upload.add_argument("--out", required=True, metavar="RESPONSE", help="where to write the response file")
    upload.add_argument("--org", type=int, metavar="ID", help="receiving organisation id (default: the only one)")
    upload.add_argument("--login", help="account login; the password is read from stdin")

    for name, summary in _SCREENS:
        screen = commands.add_parser(name, help=summary, description=f"{summary[0].upper()}{summary[1:]}.")
        screen.set_defaults(run=_panel, screen=name)
        _add_ledger_year(screen, default=argparse.SUPPRESS)  # also after the command; never resets the global one
    return parser


# The panel opened on one screen for a host program (app/ui/screens.py); --ledger/--year may come before or after.
_SCREENS = (
    ("purchase", "open 立即购买 (Buy now), bound to --ledger/--year when given; exit 0 when something was paid"),
    ("renew", "open the renewal page; exit 0 when a renewal was paid, 1 when closed without paying"),
    ("open", "open the panel on 系统认证 (System authentication); exit 0"),
)


def _add_ledger_year(parser: argparse.ArgumentParser, *, default: Any) -> None:
    """The host program's ledger-year (账套, 会计年度): both or neither, checked when the panel starts."""
    parser.add_argument(
        "--ledger", type=int, metavar="ID", default=default, help="the ledger (账套) id the host program works in"
    )
    parser.add_argument(
        "--year", type=int, metavar="YYYY", default=default, help="the fiscal year (会计年度) the host works in"
    )
