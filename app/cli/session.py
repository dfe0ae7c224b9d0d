"""The service and the signed-in account an online command (``activate``, ``offline upload``) works with.

Everything heavy (requests, keyring) is imported inside the functions: ``status`` imports this package too.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from app.cli.errors import SIGN_IN_HINT, CommandError

if TYPE_CHECKING:
    from app.services.licence_service import LicenceService


def open_for(args: argparse.Namespace) -> LicenceService:
    """A service for this run: ``--data-dir``, ``--server`` and ``--demo`` from ``args``."""
    from app.services.licence_service import open_service

    return open_service(args.paths, server_url=args.server, demo=bool(args.demo))


def read_password(args: argparse.Namespace) -> str | None:
    """The password for ``--login``: prompted on a terminal, else one line of stdin (scripts pipe it)."""
    if not args.login:
        return None
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("Password: ")
    return sys.stdin.readline().rstrip("\r\n")


def sign_in(service: LicenceService, login: str | None, password: str | None) -> None:
    """Sign in with ``login`` and ``password``, or restore the saved session of ``login`` (or of the last login).

    CommandError when there is no saved session; raises what ``sign_in`` raises."""
    if login and password:
        service.sign_in(login, password, remember=False)
        return
    if login and login != service.settings.last_login:
        service.settings = service.settings.replace(last_login=login)
    if service.restore_session() is None:
        raise CommandError(f"not signed in: no saved session for this login; {SIGN_IN_HINT}")


def only_organisation(service: LicenceService) -> int:
    """The account's organisation when it has exactly one; otherwise CommandError saying what to do."""
    orgs = service.me().organisations
    if len(orgs) == 1:
        return orgs[0].id
    if not orgs:
        raise CommandError("this account has no organisation yet; create one in the panel first")
    choices = ", ".join(f"{o.id} ({o.name})" for o in orgs)
    raise CommandError(f"this account has several organisations; choose one with --org ID: {choices}")
