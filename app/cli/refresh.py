"""``python -m app refresh``: 在线认证 from the command line — a fresh signed document into the cache, then the
state exactly as ``status`` prints it. Vouchers posted offline are reported first, so the document counts them."""

from __future__ import annotations

import argparse

from app.cli import session
from app.cli.status import print_status


def run_refresh(args: argparse.Namespace) -> int:
    """Exit codes of ``status`` for the refreshed state; 3 when the server cannot be reached (the cache untouched)."""
    from datetime import UTC, datetime

    from app.services.fingerprint import SystemFingerprint
    from app.services.local_status import read_local_status
    from app.services.trust import load_trusted

    paths = args.paths
    before = read_local_status(
        paths,
        now=datetime.now(UTC),
        components=SystemFingerprint(paths).components(),
        trusted=load_trusted(paths, demo=args.demo),
        record_clock=False,
    )
    if before.document is None:  # not activated, or a document nobody can refresh: say so as `status` does
        return print_status(args, before)

    password = session.read_password(args)
    service = session.open_for(args)
    try:
        session.sign_in_online(service, args.login, password)
        status = service.reauthenticate()
        if service.online is False or service.maintenance is not None:  # reauthenticate() kept the cache
            raise session.server_unavailable_error(service)
    finally:
        service.api.close()
    return print_status(args, status)
