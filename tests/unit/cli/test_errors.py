"""The one mapping from an error to what the user reads and the exit code a script sees (app/cli/errors.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from licence_protocol.errors import ErrorCode

from app.cli.errors import (
    EXIT_BLOCKED,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NOT_SET_UP,
    EXIT_UNAVAILABLE,
    CommandError,
    Failure,
    OutputFileError,
    failure_for,
)
from app.domain.error_codes import ClientErrorCode, UnknownErrorCode
from app.i18n import set_language
from app.services.credentials import CredentialError
from app.services.errors import ApiError, InvalidDocumentError, NetworkError, NotSignedInError
from app.services.offline_files import OfflineFileError


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


# Every exit code README.md documents for a failure, with the errors that lead to it.
EXIT_CASES: list[tuple[str, BaseException, int]] = [
    # 1: not activated / not signed in / wrong serial, CDkey, password or file: someone must act
    ("wrong password", ApiError(ErrorCode.INVALID_CREDENTIALS, status=401), EXIT_NOT_SET_UP),
    ("wrong serial or CDkey", ApiError(ErrorCode.INVALID_SERIAL_OR_CDKEY, status=404), EXIT_NOT_SET_UP),
    ("seat freed elsewhere", ApiError(ErrorCode.NOT_ACTIVATED_ON_MACHINE, status=409), EXIT_NOT_SET_UP),
    ("session ended", NotSignedInError(), EXIT_NOT_SET_UP),
    ("no saved session", CommandError("not signed in: no saved session for this login"), EXIT_NOT_SET_UP),
    ("spent response file", OfflineFileError(ClientErrorCode.OFFLINE_NO_PENDING_REQUEST), EXIT_NOT_SET_UP),
    ("another machine's file", OfflineFileError(ClientErrorCode.OFFLINE_RESPONSE_OTHER_MACHINE), EXIT_NOT_SET_UP),
    # 2: a licence state that blocks
    ("full licence", ApiError(ErrorCode.TOO_MANY_MACHINES, details={"seats_max": 3}, status=409), EXIT_BLOCKED),
    ("expired", ApiError(ErrorCode.LICENCE_EXPIRED, status=403), EXIT_BLOCKED),
    ("suspended", ApiError(ErrorCode.LICENCE_SUSPENDED, status=403), EXIT_BLOCKED),
    ("a newer server's code", ApiError(UnknownErrorCode("SOMETHING_NEW"), status=409), EXIT_BLOCKED),
    # 3: the server cannot be reached, a document does not verify, a file cannot be written or read
    ("no network", NetworkError("connect"), EXIT_UNAVAILABLE),
    ("timeout", NetworkError("timeout"), EXIT_UNAVAILABLE),
    ("document does not verify", InvalidDocumentError("licence document refused: EnvelopeError"), EXIT_UNAVAILABLE),
    ("keyring failed", CredentialError("keyring read failed (KeyringLocked)"), EXIT_UNAVAILABLE),
    ("output not writable", OutputFileError("out.json", PermissionError(13, "Permission denied")), EXIT_UNAVAILABLE),
    ("disk full", OSError(28, "No space left on device", "/data/licence.json"), EXIT_UNAVAILABLE),
    # and Ctrl-C, as a shell reports it
    ("interrupted", KeyboardInterrupt(), EXIT_INTERRUPTED),
]


@pytest.mark.parametrize(("error", "exit_code"), [c[1:] for c in EXIT_CASES], ids=[c[0] for c in EXIT_CASES])
def test_each_error_has_its_documented_exit_code(error: BaseException, exit_code: int) -> None:
    failure = failure_for(error)
    assert failure.exit_code == exit_code
    assert not failure.is_bug


def test_every_documented_failure_code_is_reached() -> None:
    assert {code for _, _, code in EXIT_CASES} == {1, 2, 3, 130}


@pytest.mark.parametrize("code", [*ErrorCode, *ClientErrorCode])
def test_no_error_code_ever_exits_0(code: ErrorCode | ClientErrorCode) -> None:
    """0 means usable: a script must never read a failed activation as success."""
    assert failure_for(ApiError(code)).exit_code in (EXIT_NOT_SET_UP, EXIT_BLOCKED)


def test_a_server_error_is_worded_by_the_catalogue_and_names_its_code() -> None:
    failure = failure_for(ApiError(ErrorCode.INVALID_CREDENTIALS, "server words", status=401))
    assert failure == Failure("Wrong login or password. [INVALID_CREDENTIALS]", EXIT_NOT_SET_UP)
    full = failure_for(ApiError(ErrorCode.TOO_MANY_MACHINES, details={"seats_max": 3}))
    assert "3 computers" in full.message and full.message.endswith("[TOO_MANY_MACHINES]")
    assert "server words" not in failure.message, "the server's free text is never shown"


def test_an_organisation_to_choose_lists_the_ids_for_org() -> None:
    orgs = [{"id": 7, "name": "武汉示例会计服务有限公司"}, {"id": 9, "name": "第二家公司"}]
    failure = failure_for(ApiError(ErrorCode.ORG_REQUIRED, details={"organisations": orgs}, status=409))
    first, *choices = failure.message.splitlines()
    assert first.endswith("[ORG_REQUIRED]") and failure.exit_code == EXIT_NOT_SET_UP
    assert choices == ["  --org 7  武汉示例会计服务有限公司", "  --org 9  第二家公司"]


def test_local_failures_say_what_to_do() -> None:
    assert failure_for(NotSignedInError()).message == (
        "not signed in: the saved session has ended; use --login and give the password on stdin"
    )
    assert failure_for(NetworkError("dns")).message == "the licence server cannot be reached (dns)"
    spent = failure_for(OfflineFileError(ClientErrorCode.OFFLINE_NO_PENDING_REQUEST))
    assert spent.message.startswith("No offline request") and spent.message.endswith("[OFFLINE_NO_PENDING_REQUEST]")
    invalid = failure_for(InvalidDocumentError("licence document refused: EnvelopeError"))
    assert "[INVALID_DOCUMENT]" in invalid.message and "EnvelopeError" in invalid.message


def test_a_file_that_cannot_be_written_is_named_as_the_user_gave_it(tmp_path: Path) -> None:
    # write_atomically's OSError names its temp file; the user asked for out.json.
    cause = PermissionError(13, "Permission denied", str(tmp_path / ".out.json.x1y2.tmp"))
    failure = failure_for(OutputFileError(tmp_path / "out.json", cause))
    assert failure == Failure(f"cannot write {tmp_path / 'out.json'} (Permission denied)", EXIT_UNAVAILABLE)


def test_a_refusal_keeps_its_words_and_code() -> None:
    assert failure_for(CommandError("choose one with --org ID")) == Failure("choose one with --org ID", 1)
    assert failure_for(CommandError("blocked", EXIT_BLOCKED)).exit_code == EXIT_BLOCKED


def test_quiet_endings_print_nothing() -> None:
    assert failure_for(KeyboardInterrupt()) == Failure("", EXIT_INTERRUPTED)
    assert failure_for(BrokenPipeError()) == Failure("", EXIT_NOT_SET_UP)  # `status | head`: the reader left


def test_a_build_without_a_part_says_so() -> None:
    failure = failure_for(ModuleNotFoundError("No module named 'requests'"))
    assert failure == Failure(
        "this command is not available in this build (No module named 'requests')", EXIT_INTERNAL, is_bug=True
    )


def test_an_unexpected_error_is_a_bug_that_exits_4_never_a_code_scripts_act_on() -> None:
    failure = failure_for(ZeroDivisionError("division by zero"))
    assert failure.exit_code == EXIT_INTERNAL == 4 and failure.is_bug
    assert "ZeroDivisionError" in failure.message
