"""``python -m app …``: the panel, and the commands IT staff script (DESIGN §2).

Only argparse and the standard library are imported at module level: ``status`` and ``fingerprint``
must start fast and must not pull in Qt, requests or keyring, so every command imports what it needs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

LANGUAGES = ("zh_CN", "en", "vi", "fa")
EXIT_OK, EXIT_NOT_SET_UP, EXIT_BLOCKED, EXIT_CACHE_ERROR = 0, 1, 2, 3
EXIT_FAILED = 1  # activate / offline / GUI: the command did not succeed (reason on stderr)
EXIT_USAGE = 2  # argparse's own code for bad arguments
READ_ONLY_COMMANDS = frozenset({"status", "fingerprint"})

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
exit codes of the other commands: 0 success, 1 failure (reason on stderr), 2 bad arguments.

example: python -m app --data-dir D status --json
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    status.add_argument("--json", action="store_true", help="machine-readable output (resources/status.schema.json)")

    commands.add_parser("fingerprint", help="print this computer's feature code (特征码)")

    activate = commands.add_parser(
        "activate",
        help="unattended activation for roll-outs",
        description="Activate this computer without the panel. Signs in with the refresh token saved in the "
        "keyring, or with --login and the password read from standard input.",
    )
    activate.add_argument("--serial", required=True, help="serial number")
    activate.add_argument("--cdkey", required=True, help="CDkey")
    activate.add_argument("--org", type=int, metavar="ID", help="organisation id (default: the only one)")
    activate.add_argument("--login", help="account login; the password is read from stdin")

    offline = commands.add_parser("offline", help="air-gapped activation through files")
    offline_commands = offline.add_subparsers(dest="offline_command", metavar="STEP", required=True)
    request = offline_commands.add_parser("request", help="write an activation request file on this computer")
    request.add_argument("--action", choices=("activate", "refresh", "deactivate"), default="activate")
    request.add_argument("--serial", help="serial number (activate)")
    request.add_argument("--cdkey", help="CDkey (activate; only a proof of it goes into the file)")
    request.add_argument("--org", type=int, metavar="ID", help="receiving organisation id (activate)")
    request.add_argument("--out", required=True, metavar="FILE", help="where to write the request file")
    imported = offline_commands.add_parser("import", help="import the server's response file")
    imported.add_argument("file", metavar="FILE")
    upload = offline_commands.add_parser("upload", help="on a connected computer: turn a request into a response")
    upload.add_argument("request", metavar="REQUEST", help="the offline computer's request file")
    upload.add_argument("--out", required=True, metavar="RESPONSE", help="where to write the response file")
    upload.add_argument("--org", type=int, metavar="ID", help="receiving organisation id (default: the only one)")
    upload.add_argument("--login", help="account login; the password is read from stdin")
    return parser


def main(argv: Sequence[str] | None = None, *, setup_logging: bool = False) -> int:
    """Run one command; returns the process exit code. ``python -m app`` sets ``setup_logging``."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return int(exc.code or 0)

    from app.services.paths import AppPaths

    args.paths = AppPaths.from_data_dir(args.data_dir)
    if setup_logging:
        from app.logging_setup import configure_logging

        # Read-only commands leave no files behind: their warnings go to stderr only.
        configure_logging(args.paths, verbose=args.verbose, to_file=args.command not in READ_ONLY_COMMANDS)
    if args.lang:
        from app.i18n import set_language

        set_language(args.lang)

    handlers: dict[str | None, Callable[[argparse.Namespace], int]] = {
        None: _run_gui,
        "status": _run_status,
        "fingerprint": _run_fingerprint,
        "activate": _run_activate,
        "offline": _run_offline,
    }
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `status | head`: the reader left; not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED


def _run_status(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from app.services.fingerprint import SystemFingerprint
    from app.services.local_status import format_status_text, read_local_status, status_as_json
    from app.services.trust import load_trusted

    status = read_local_status(
        args.paths,
        now=datetime.now(UTC),
        components=SystemFingerprint(args.paths).components(),
        trusted=load_trusted(args.paths, demo=args.demo),
    )
    if args.json:
        import json

        print(json.dumps(status_as_json(status), ensure_ascii=False, indent=2))
    else:
        print(format_status_text(status))
    return status.exit_code


def _run_fingerprint(args: argparse.Namespace) -> int:
    from app.services.fingerprint import SystemFingerprint

    print(SystemFingerprint(args.paths).feature_code())
    return EXIT_OK


def _run_gui(args: argparse.Namespace) -> int:
    try:
        from app.ui.launch import run_gui
    except ImportError as exc:
        _error(f"the panel cannot start: {exc}")
        return EXIT_FAILED
    return int(run_gui(args))


def _run_activate(args: argparse.Namespace) -> int:
    args.password = _read_password() if args.login else None
    return _delegate("run_activate", args)


def _run_offline(args: argparse.Namespace) -> int:
    if args.offline_command == "upload":
        args.password = _read_password() if args.login else None
    return _delegate(f"run_offline_{args.offline_command}", args, module="offline_files")


def _delegate(name: str, args: argparse.Namespace, module: str = "licence_service") -> int:
    """Online commands live with the services (app/services/licence_service.py, offline_files.py)."""
    import importlib

    try:
        services = importlib.import_module(f"app.services.{module}")
    except ImportError as exc:
        _error(f"this command is not available in this build ({exc})")
        return EXIT_FAILED
    command: Any = getattr(services, name, None)
    if command is None:
        _error(f"this command is not available in this build ({module}.{name} is missing)")
        return EXIT_FAILED
    return int(command(args))


def _read_password() -> str:
    """The password for --login: prompted on a terminal, else one line of stdin (scripts pipe it)."""
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("Password: ")
    return sys.stdin.readline().rstrip("\r\n")


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
