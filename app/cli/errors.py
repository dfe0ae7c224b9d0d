"""Exit codes of ``python -m app`` and the one place that turns an error into a user message and an exit code.

Every command lets its errors propagate; ``failure_for`` decides what the user reads on stderr and what a
script sees as the exit code, so ``activate`` and the ``offline`` commands cannot disagree. The codes are
those of ``status`` (README.md): a script tells "someone must act" (1) from "blocked" (2) from "try again"
(3) the same way whichever command it ran. This module is loaded when something failed (or by a command that
raises its errors), never on the way to a successful ``status``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXIT_OK = 0
# Not activated, not signed in, a wrong serial, CDkey, password or file, a choice left to make: someone must act.
EXIT_NOT_SET_UP = 1
# A licence state that blocks (TOO_MANY_MACHINES, EXPIRED, …); argparse also uses 2 for bad arguments.
EXIT_BLOCKED = 2
# The licence cache cannot be read, the server cannot be reached, a document does not verify, a file cannot be
# written: nothing is wrong with the licence itself, so trying again later may help.
EXIT_UNAVAILABLE = 3
# A failure the program did not expect (a bug, a build missing a part): never 1–3, which scripts act on.
EXIT_INTERNAL = 4
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT

SIGN_IN_HINT = "use --login and give the password on stdin"


@dataclass(frozen=True)
class Failure:
    """What a failed command tells the user (on stderr, after ``error:``; empty: nothing) and the exit code."""

    message: str
    exit_code: int
    is_bug: bool = False  # not an error the program expects: its traceback belongs in the log


class CommandError(Exception):
    """A command cannot go on for a reason it words itself (no saved session, an organisation to choose)."""

    def __init__(self, message: str, exit_code: int = EXIT_NOT_SET_UP) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class OutputFileError(Exception):
    """The file the user asked for could not be written (the OSError may name a temp file beside it)."""

    def __init__(self, path: Path | str, cause: OSError) -> None:
        super().__init__(str(path))
        self.path = Path(path)
        self.reason = cause.strerror or type(cause).__name__


def failure_for(exc: BaseException) -> Failure:
    """The user message and exit code for any error a command raised."""
    # Imported here: the error types live with the services, and `status` rarely fails.
    from licence_protocol.errors import ErrorCode

    from app.domain.error_catalogue import state_for_error
    from app.domain.error_codes import ClientErrorCode
    from app.domain.states import exit_code_for
    from app.i18n import tr_error
    from app.services.errors import (
        ApiError,
        InvalidDocumentError,
        NetworkError,
        NotSignedInError,
        RefusedError,
        ServiceError,
    )
    from app.services.offline_files import OfflineFileError

    # Answers refusing what was asked within the licence's limits (no ledger left, a code taken, an archived ledger,
    # the vouchers used up): "refused" (2) for a script, like a blocking state.
    refusals = {
        ErrorCode.LEDGER_LIMIT_EXCEEDED,
        ErrorCode.LEDGER_CODE_TAKEN,
        ErrorCode.LEDGER_ARCHIVED,
        ErrorCode.VOUCHER_QUOTA_EXCEEDED,
    }

    if isinstance(exc, CommandError):
        return Failure(exc.message, exc.exit_code)
    if isinstance(exc, KeyboardInterrupt):
        return Failure("", EXIT_INTERRUPTED)
    if isinstance(exc, OutputFileError):
        return Failure(f"cannot write {exc.path} ({exc.reason})", EXIT_UNAVAILABLE)
    if isinstance(exc, RefusedError):  # the client's own rule (an offline allowance used up), or a blocked licence
        state = exc.details.get("state")
        exit_code = exit_code_for(state) if isinstance(state, str) else EXIT_BLOCKED
        return Failure(f"{tr_error(exc.code, exc.details)} [{exc.code}]", exit_code)
    if isinstance(exc, ApiError) and exc.code in refusals:
        return Failure(f"{tr_error(exc.code, exc.details)} [{exc.code}]", EXIT_BLOCKED)
    if isinstance(exc, ApiError):
        lines = [f"{tr_error(exc.code, exc.details)} [{exc.code}]"]
        # ORG_REQUIRED names the organisations to choose from: a script's author needs their ids for --org.
        lines += [f"  --org {org.get('id')}  {org.get('name')}" for org in exc.details.get("organisations") or []]
        state = state_for_error(exc.code)
        return Failure("\n".join(lines), EXIT_NOT_SET_UP if state is None else exit_code_for(state))
    if isinstance(exc, NotSignedInError):
        return Failure(f"not signed in: the saved session has ended; {SIGN_IN_HINT}", EXIT_NOT_SET_UP)
    if isinstance(exc, NetworkError):
        return Failure(f"the licence server cannot be reached ({exc.kind})", EXIT_UNAVAILABLE)
    if isinstance(exc, InvalidDocumentError):
        invalid = ClientErrorCode.INVALID_DOCUMENT
        return Failure(f"{tr_error(invalid)} [{invalid}] ({exc.reason})", EXIT_UNAVAILABLE)
    if isinstance(exc, OfflineFileError):  # a wrong, damaged or spent file: the user chooses another
        return Failure(f"{tr_error(exc.code)} [{exc.code}]", EXIT_NOT_SET_UP)
    if isinstance(exc, ServiceError):  # the keyring failed, or another local service problem
        return Failure(str(exc), EXIT_UNAVAILABLE)
    if isinstance(exc, BrokenPipeError):  # `status | head`: the reader left; not an error of ours
        return Failure("", EXIT_NOT_SET_UP)
    if isinstance(exc, ImportError):  # a build without the online parts (requests, keyring) or without Qt
        return Failure(f"this command is not available in this build ({exc})", EXIT_INTERNAL, is_bug=True)
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return Failure(f"{exc.strerror or type(exc).__name__}{where}", EXIT_UNAVAILABLE)
    return Failure(f"unexpected error ({type(exc).__name__}); see the log", EXIT_INTERNAL, is_bug=True)
