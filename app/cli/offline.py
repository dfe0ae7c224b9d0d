"""``python -m app offline request|import|upload``: air-gapped activation through files (docs/OFFLINE.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli import session
from app.cli.errors import EXIT_OK, OutputFileError


def run_offline_request(args: argparse.Namespace) -> int:
    """On the offline computer: write the request file and remember it as pending."""
    from app.i18n import tr
    from app.services.offline_files import write_request

    service = session.open_for(args)
    try:
        try:
            request = write_request(
                service, args.action, args.out, serial=args.serial, cdkey=args.cdkey, org_id=args.org
            )
        except OSError as exc:
            raise OutputFileError(args.out, exc) from exc
    finally:
        service.api.close()
    print(tr("Request file written: {path}", path=str(Path(args.out).resolve())))
    print(tr("Feature code: {code}", code=request["fingerprint"]))
    print(
        tr(
            "Take this file to any computer with internet, open {url}/offline or run "
            "`python -m app offline upload` there, then import the response file here.",
            url=service.server_url.rstrip("/"),
        )
    )
    return EXIT_OK


def run_offline_import(args: argparse.Namespace) -> int:
    """On the offline computer: import the response file; exits as ``status`` for the resulting state."""
    from app.i18n import tr
    from app.services.local_status import format_status_text
    from app.services.offline_files import import_response

    service = session.open_for(args)
    try:
        result = import_response(service, args.file)
    finally:
        service.api.close()
    if result.action == "deactivate":
        print(tr("The server released this computer's seat. This computer is no longer activated."))
        return EXIT_OK
    print(format_status_text(result.status))
    return result.status.exit_code


def run_offline_upload(args: argparse.Namespace) -> int:
    """On a connected computer: send a request file with the signed-in account and write the response file."""
    from app.i18n import tr
    from app.services.offline_files import upload_request

    password = session.read_password(args)
    service = session.open_for(args)
    try:
        session.sign_in(service, args.login, password)
        try:
            response = upload_request(service, args.request, args.out, args.org)
        except OSError as exc:
            raise OutputFileError(args.out, exc) from exc
    finally:
        service.api.close()
    print(tr("Response file written: {path}", path=str(Path(args.out).resolve())))
    if response.get("action") == "deactivate":
        print(tr("The seat of that computer is free again."))
    else:
        print(tr("Take it back to the offline computer and import it there."))
    return EXIT_OK
