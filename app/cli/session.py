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


def sign_in_or_offline(service: LicenceService, login: str | None, password: str | None) -> bool:
    """Sign in as ``sign_in`` does; False instead of an error when the server cannot be reached (or cannot answer
    now), for the commands that work offline too. CommandError when there is no saved session at all."""
    from app.services.errors import ApiError, NetworkError
    from app.services.licence_service import server_unavailable

    try:
        sign_in(service, login, password)
    except NetworkError:
        return False
    except ApiError as exc:
        if server_unavailable(exc):
            return False
        raise
    except CommandError:
        # restore_session() answers None both without a session and without a server: only the first is an error.
        if service.online is False or service.maintenance is not None:
            return False
        raise
    return True


def sign_in_online(service: LicenceService, login: str | None, password: str | None) -> None:
    """``sign_in`` for a command that needs the server: without it, exit 3 ("try again later"), not "not signed in"."""
    if not sign_in_or_offline(service, login, password):
        raise server_unavailable_error(service)


def server_unavailable_error(service: LicenceService) -> CommandError:
    """What to say when the server could not be reached (or is under maintenance): exit 3."""
    from licence_protocol.errors import ErrorCode

    from app.cli.errors import EXIT_UNAVAILABLE
    from app.i18n import tr, tr_error

    if service.maintenance is not None:
        return CommandError(f"{tr_error(ErrorCode.MAINTENANCE)} [{ErrorCode.MAINTENANCE}]", EXIT_UNAVAILABLE)
    return CommandError(
        tr("The licence server cannot be reached. The saved licence is unchanged; try again later."), EXIT_UNAVAILABLE
    )


def require_licence(service: LicenceService) -> None:
    """CommandError (exit 1) unless this computer holds a verified licence document to work with."""
    from app.i18n import tr

    if service.local_status().document is None:
        raise CommandError(tr("This computer has no licence. Activate it first."))


def only_organisation(service: LicenceService) -> int:
    """The account's organisation when it has exactly one; otherwise CommandError saying what to do."""
    orgs = service.me().organisations
    if len(orgs) == 1:
        return orgs[0].id
    if not orgs:
        raise CommandError("this account has no organisation yet; create one in the panel first")
    choices = ", ".join(f"{o.id} ({o.name})" for o in orgs)
    raise CommandError(f"this account has several organisations; choose one with --org ID: {choices}")
