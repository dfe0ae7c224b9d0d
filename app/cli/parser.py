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
  status [--json]   offline licence check from the local cache: no network, no Qt
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
exit codes of the other commands (the reason on stderr):
  0  done (`activate`, `offline import`: the code of the resulting state, as above)
  1  not signed in; wrong serial, CDkey, password or file; a choice to make (--org)
  2  a blocked state (TOO_MANY_MACHINES, …); bad arguments
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
    return parser
