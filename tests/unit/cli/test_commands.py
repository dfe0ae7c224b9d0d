"""The online commands through ``main``: which function runs, sign-in, and one exit code per error for all of them.

The service is a stand-in (``app.cli.session.open_for`` is replaced): what the server answers is the e2e tests'
business (tests/e2e/cli/); here every command must turn the same error into the same message and exit code.
"""

from __future__ import annotations

import argparse
import importlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from licence_protocol.errors import ErrorCode

from app.cli import main, session
from app.cli.parser import build_parser
from app.cli.status import run_fingerprint, run_status
from app.domain.accounts import Account, Organisation, Profile
from app.domain.error_codes import ClientErrorCode
from app.i18n import set_language
from app.services import offline_files
from app.services.errors import ApiError, InvalidDocumentError, NetworkError, NotSignedInError
from app.services.offline_files import OfflineFileError
from app.services.settings import ClientSettings

PASSWORD = "Secret#pass2025"
CDKEY = "CDKEY-1234-5678"


class FakeApi:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


class FakeService:
    """Answers like LicenceService for the CLI's calls; ``fail_in`` names the call that raises ``error``."""

    def __init__(self, *, error: BaseException | None = None, fail_in: str = "", orgs: int = 1) -> None:
        self.api = FakeApi()
        self.settings = ClientSettings(last_login="13800000001")
        self.error, self.fail_in = error, fail_in
        self.orgs = tuple(Organisation(7 + i, f"公司{i}") for i in range(orgs))
        self.signed_in_with: tuple[str, str] | None = None
        self.server_url = "http://licence.example/"

    def _maybe_fail(self, call: str) -> None:
        if self.fail_in == call and self.error is not None:
            raise self.error

    def sign_in(self, login: str, password: str, remember: bool) -> dict[str, Any]:
        self._maybe_fail("sign_in")
        self.signed_in_with = (login, password)
        return {}

    def restore_session(self) -> dict[str, Any] | None:
        self._maybe_fail("restore_session")
        return None if self.fail_in == "no_session" else {"id": 1}

    def me(self) -> Profile:
        return Profile(Account(1, "13800000001"), self.orgs)

    def activate(self, serial: str, cdkey: str, org_id: int) -> Any:
        self._maybe_fail("activate")
        raise AssertionError("the tests here only take the failing paths")


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Callable[[FakeService], FakeService]:
    def use(service: FakeService) -> FakeService:
        monkeypatch.setattr(session, "open_for", lambda args: service)
        return service

    return use


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    def feed(text: str) -> None:
        monkeypatch.setattr("sys.stdin", io.StringIO(text))

    return feed


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def activate_args(tmp_path: Path, *extra: str) -> list[str]:
    return ["--data-dir", str(tmp_path), "activate", "--serial", "KJH-1", "--cdkey", CDKEY, *extra]


def upload_args(tmp_path: Path, *extra: str) -> list[str]:
    return ["--data-dir", str(tmp_path), "offline", "upload", "req.json", "--out", str(tmp_path / "resp.json"), *extra]


# --- the parser names the function each command runs ---------------------------------------------------------


def test_status_and_fingerprint_run_their_functions_directly() -> None:
    for argv, command in ((["status", "--json"], run_status), (["fingerprint"], run_fingerprint)):
        args = build_parser().parse_args(argv)
        assert args.run is command and args.read_only is True


@pytest.mark.parametrize(
    ("argv", "module", "name"),
    [
        ([], "app.cli.panel", "run_panel"),
        (["activate", "--serial", "S", "--cdkey", "K"], "app.cli.activate", "run_activate"),
        (["offline", "request", "--out", "r.json"], "app.cli.offline", "run_offline_request"),
        (["offline", "import", "r.json"], "app.cli.offline", "run_offline_import"),
        (["offline", "upload", "r.json", "--out", "a.json"], "app.cli.offline", "run_offline_upload"),
    ],
)
def test_each_other_command_runs_its_own_function(
    argv: list[str], module: str, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[argparse.Namespace] = []

    def command(args: argparse.Namespace) -> int:
        ran.append(args)
        return 42

    monkeypatch.setattr(importlib.import_module(module), name, command)
    assert main(["--data-dir", str(tmp_path), *argv]) == 42
    assert len(ran) == 1 and ran[0].read_only is False


# --- one error, one exit code, whichever command met it -------------------------------------------------------

SHARED_ERRORS = [
    (
        ApiError(ErrorCode.INVALID_CREDENTIALS, status=401),
        "sign_in",
        1,
        "Wrong login or password. [INVALID_CREDENTIALS]",
    ),
    (NotSignedInError(), "restore_session", 1, "not signed in: the saved session has ended"),
    (NetworkError("connect"), "sign_in", 3, "the licence server cannot be reached (connect)"),
    (ApiError(ErrorCode.TOO_MANY_MACHINES, details={"seats_max": 1}), "work", 2, "[TOO_MANY_MACHINES]"),
    (ApiError(ErrorCode.NOT_ACTIVATED_ON_MACHINE, status=409), "work", 1, "[NOT_ACTIVATED_ON_MACHINE]"),
    (InvalidDocumentError("licence document refused: EnvelopeError"), "work", 3, "[INVALID_DOCUMENT]"),
]


@pytest.mark.parametrize(("error", "fail_in", "exit_code", "said"), SHARED_ERRORS, ids=lambda v: str(v)[:30])
def test_activate_and_upload_agree_on_every_error(
    error: BaseException,
    fail_in: str,
    exit_code: int,
    said: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    opened: Callable[[FakeService], FakeService],
    stdin: Callable[[str], None],
) -> None:
    def upload_fails(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise error

    monkeypatch.setattr(offline_files, "upload_request", upload_fails)
    login = () if fail_in == "restore_session" else ("--login", "13800000001")
    results = []
    for argv in (activate_args(tmp_path, *login), upload_args(tmp_path, *login)):
        stdin(PASSWORD + "\n")
        service = opened(FakeService(error=error, fail_in="activate" if fail_in == "work" else fail_in))
        code, out, err = run(capsys, *argv)
        assert service.api.closed, "the service is closed on every path"
        assert out == "" and PASSWORD not in err and CDKEY not in err
        results.append((code, err))
    assert results[0] == results[1], "activate and offline upload say and exit the same"
    code, err = results[0]
    assert code == exit_code and err.startswith("error: ") and said in err


def test_the_password_comes_from_stdin_with_login(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    opened: Callable[[FakeService], FakeService],
    stdin: Callable[[str], None],
) -> None:
    stdin(PASSWORD + "\r\n")
    service = opened(FakeService(error=NetworkError("connect"), fail_in="activate"))
    run(capsys, *activate_args(tmp_path, "--login", "13900000009"))
    assert service.signed_in_with == ("13900000009", PASSWORD)


def test_without_a_saved_session_activate_says_how_to_sign_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], opened: Callable[[FakeService], FakeService]
) -> None:
    service = opened(FakeService(fail_in="no_session"))
    code, _, err = run(capsys, *activate_args(tmp_path))
    assert code == 1 and service.api.closed
    assert err == "error: not signed in: no saved session for this login; use --login and give the password on stdin\n"


@pytest.mark.parametrize(("orgs", "said"), [(0, "no organisation yet"), (2, "choose one with --org ID: 7 (公司0)")])
def test_activate_without_org_needs_exactly_one_organisation(
    orgs: int,
    said: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    opened: Callable[[FakeService], FakeService],
) -> None:
    opened(FakeService(orgs=orgs))
    code, _, err = run(capsys, *activate_args(tmp_path))
    assert code == 1 and said in err


def test_offline_import_of_a_refused_file_exits_1_and_of_a_bad_document_exits_3(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    opened: Callable[[FakeService], FakeService],
) -> None:
    for error, exit_code, said in (
        (OfflineFileError(ClientErrorCode.OFFLINE_NO_PENDING_REQUEST), 1, "[OFFLINE_NO_PENDING_REQUEST]"),
        (InvalidDocumentError("licence document refused: BadSignatureError"), 3, "[INVALID_DOCUMENT]"),
    ):
        monkeypatch.setattr(offline_files, "import_response", lambda service, path, error=error: _raise(error))
        service = opened(FakeService())
        code, out, err = run(capsys, "--data-dir", str(tmp_path), "offline", "import", "response.json")
        assert (code, out) == (exit_code, "") and said in err and service.api.closed


def test_offline_request_that_cannot_be_written_names_the_file_and_exits_3(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    opened: Callable[[FakeService], FakeService],
) -> None:
    out_file = tmp_path / "usb" / "request.json"
    denied = PermissionError(13, "Permission denied", str(out_file.with_name(".request.json.abc.tmp")))
    monkeypatch.setattr(offline_files, "write_request", lambda *a, **k: _raise(denied))
    service = opened(FakeService())
    argv = [
        "--data-dir",
        str(tmp_path),
        "offline",
        "request",
        "--serial",
        "S",
        "--cdkey",
        CDKEY,
        "--out",
        str(out_file),
    ]
    code, out, err = run(capsys, *argv)
    assert (code, out) == (3, "") and service.api.closed
    assert err == f"error: cannot write {out_file} (Permission denied)\n"


def test_a_bug_exits_4_and_leaves_its_traceback_in_the_log(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    opened: Callable[[FakeService], FakeService],
) -> None:
    opened(FakeService(error=ZeroDivisionError("oops"), fail_in="activate"))
    code, _, err = run(capsys, *activate_args(tmp_path, "--org", "7"))
    assert code == 4 and "unexpected error (ZeroDivisionError)" in err
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)


def _raise(error: BaseException) -> Any:
    raise error
