"""``python -m app activate``: unattended activation for roll-outs, no panel."""

from __future__ import annotations

import argparse

from app.cli import session


def run_activate(args: argparse.Namespace) -> int:
    """Sign in (keyring, or --login with the password on stdin), activate, print the state.

    Exits as ``status`` does for the resulting state; errors as app/cli/errors.py decides."""
    from app.services.local_status import format_status_text

    password = session.read_password(args)
    service = session.open_for(args)
    try:
        session.sign_in(service, args.login, password)
        org_id = args.org if args.org is not None else session.only_organisation(service)
        status = service.activate(args.serial, args.cdkey, org_id)
    finally:
        service.api.close()
    print(format_status_text(status))
    return status.exit_code
