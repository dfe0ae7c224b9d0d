"""``python -m app check``: may a host program use one module in one ledger-year? Offline, and as light as
``status`` (no Qt, requests or keyring): a host may run it before every guarded action."""

from __future__ import annotations

import argparse


def run_check(args: argparse.Namespace) -> int:
    """Exit 0 open; 2 not open or blocked; 1 not activated; 3 the cache cannot be read (docs/PROTOCOL.md)."""
    from datetime import UTC, datetime

    from app.services.fingerprint import SystemFingerprint
    from app.services.local_check import check_as_json, format_check_text, read_local_check
    from app.services.trust import load_trusted

    paths = args.paths
    check = read_local_check(
        paths,
        module=args.module,
        ledger_id=args.ledger,
        fiscal_year=args.year,
        now=datetime.now(UTC),
        components=SystemFingerprint(paths).components(),
        trusted=load_trusted(paths, demo=args.demo),
    )
    if args.json:
        from app.cli.output import write_json

        write_json(check_as_json(check))
    else:
        print(format_check_text(check))
    return check.exit_code
