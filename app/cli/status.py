"""``python -m app status`` and ``fingerprint``: offline, and light (no Qt, requests or keyring).

IT scripts run these at every logon, so only what the offline check needs is imported, inside the commands.
"""

from __future__ import annotations

import argparse


def run_status(args: argparse.Namespace) -> int:
    """The licence state from the local cache; the exit code is the state's (README.md)."""
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

        from app.cli.output import write_utf8

        write_utf8(json.dumps(status_as_json(status), ensure_ascii=False, indent=2) + "\n")
    else:
        print(format_status_text(status))
    return status.exit_code


def run_fingerprint(args: argparse.Namespace) -> int:
    """This computer's feature code (特征码), as the vendor's support asks for it."""
    from app.services.fingerprint import SystemFingerprint

    print(SystemFingerprint(args.paths).feature_code())
    return 0  # app.cli.errors.EXIT_OK, not imported: nothing failed
