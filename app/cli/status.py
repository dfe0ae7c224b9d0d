"""``python -m app status`` and ``fingerprint``: offline, and light (no Qt, requests or keyring).

IT scripts run these at every logon, so only what the offline check needs is imported, inside the commands.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.services.local_status import LocalStatus


def run_status(args: argparse.Namespace) -> int:
    """The licence state from the local cache; the exit code is the state's (README.md)."""
    from datetime import UTC, datetime

    from app.services.fingerprint import SystemFingerprint
    from app.services.local_status import read_local_status
    from app.services.trust import load_trusted

    status = read_local_status(
        args.paths,
        now=datetime.now(UTC),
        components=SystemFingerprint(args.paths).components(),
        trusted=load_trusted(args.paths, demo=args.demo),
    )
    return print_status(args, status)


def print_status(args: argparse.Namespace, status: LocalStatus) -> int:
    """What ``status`` prints (``--json``: the schema's object), for every command that ends with a state."""
    from app.services.local_status import format_status_text, status_as_json

    if args.json:
        from app.cli.output import write_json

        write_json(status_as_json(status))
    else:
        print(format_status_text(status))
    return status.exit_code


def run_fingerprint(args: argparse.Namespace) -> int:
    """This computer's feature code (特征码), as the vendor's support asks for it."""
    from app.services.fingerprint import SystemFingerprint

    print(SystemFingerprint(args.paths).feature_code())
    return 0  # app.cli.errors.EXIT_OK, not imported: nothing failed
