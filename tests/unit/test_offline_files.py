"""The offline machine's side of the file exchange: request files, the pending request, response import rules."""

from __future__ import annotations

import json
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keyring.backends.null
import pytest

from app.domain.states import StateCode
from app.services.credentials import CredentialStore
from app.services.errors import InvalidDocumentError
from app.services.fingerprint import FixedFingerprint
from app.services.licence_service import LicenceService
from app.services.offline_files import (
    OfflineFileError,
    import_response,
    load_pending,
    pending_file,
    write_request,
)
from app.services.paths import AppPaths
from app.services.settings import load_settings
from tests.support.documents import Signer, machine_components, payload

SERIAL, CDKEY = "KJH-ABCD-EFGH-JKMN", "QRSTU-VWXYZ-23456-789AB-CDEFG"
NOW = datetime.now(UTC)


def offline_service(tmp_path: Path, signer: Signer, pc: int = 1) -> LicenceService:
    paths = AppPaths.from_data_dir(tmp_path / f"pc{pc}")
    # The server URL is never used: these functions work without a network.
    settings = load_settings(paths).settings.replace(server_url="http://127.0.0.1:9", proxy_mode="none")
    return LicenceService(
        paths,
        settings,
        CredentialStore(backend=keyring.backends.null.Keyring()),
        FixedFingerprint(machine_components(pc)),
        signer.trusted,
        now=lambda: NOW,
    )


def response_for(request: dict[str, Any], signer: Signer, pc: int = 1, **override: Any) -> dict[str, Any]:
    """What the server answers: the request's echo and a document for machine ``pc`` naming its nonce."""
    body: dict[str, Any] = {
        "type": "licence-panel/offline-response",
        "version": 1,
        "action": request["action"],
        "request_nonce": request["nonce"],
        "fingerprint": request["fingerprint"],
        "licence_id": 7,
        "machine_id": 9,
    }
    if request["action"] == "deactivate":
        body["released"] = True
    else:
        body["document"] = signer.sign(payload(machine_components(pc), NOW, nonce=request["nonce"]))
    body.update(override)
    return body


def save(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), "utf-8")
    return path


@pytest.fixture
def signer() -> Signer:
    return Signer()


def activate_here(service: LicenceService, signer: Signer, tmp_path: Path) -> None:
    request = write_request(service, "activate", tmp_path / "req.json", serial=SERIAL, cdkey=CDKEY)
    import_response(service, save(tmp_path / "resp.json", response_for(request, signer)))


def test_the_request_file_and_the_pending_request_hold_no_cdkey(tmp_path: Path, signer: Signer) -> None:
    service = offline_service(tmp_path, signer)
    out = tmp_path / "usb" / "request.json"

    request = write_request(service, "activate", out, serial=SERIAL.lower(), cdkey=CDKEY, org_id=3)

    on_disk = json.loads(out.read_text("utf-8"))
    assert on_disk == request
    assert on_disk["serial"] == SERIAL and on_disk["org_id"] == 3 and len(on_disk["cdkey_proof"]) == 64
    assert on_disk["fingerprint"] == service.fingerprint.feature_code()
    request_text, pending_text = out.read_text("utf-8"), pending_file(service.paths).read_text("utf-8")
    assert CDKEY not in request_text and CDKEY.replace("-", "") not in request_text
    assert CDKEY not in pending_text and on_disk["cdkey_proof"] not in pending_text
    pending = load_pending(service.paths)
    assert pending is not None and pending["nonce"] == request["nonce"] and pending["action"] == "activate"
    if sys.platform != "win32":  # POSIX modes: Windows reports 0o666 for any file that is not read-only
        assert stat.S_IMODE(pending_file(service.paths).stat().st_mode) == 0o600


def test_each_request_has_a_fresh_nonce_and_the_last_one_is_pending(tmp_path: Path, signer: Signer) -> None:
    service = offline_service(tmp_path, signer)
    first = write_request(service, "activate", tmp_path / "1.json", serial=SERIAL, cdkey=CDKEY)
    second = write_request(service, "activate", tmp_path / "2.json", serial=SERIAL, cdkey=CDKEY)
    assert first["nonce"] != second["nonce"]
    assert load_pending(service.paths)["nonce"] == second["nonce"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("action", "kw", "code"),
    [
        ("activate", {"serial": SERIAL}, "VALIDATION_ERROR"),
        ("refresh", {}, "OFFLINE_NO_LICENCE"),
        ("deactivate", {}, "OFFLINE_NO_LICENCE"),
    ],
)
def test_requests_that_cannot_be_made(tmp_path: Path, signer: Signer, action: str, kw: dict, code: str) -> None:
    service = offline_service(tmp_path, signer)
    with pytest.raises(OfflineFileError) as refused:
        write_request(service, action, tmp_path / "r.json", **kw)  # type: ignore[arg-type]
    assert refused.value.code == code
    assert not (tmp_path / "r.json").exists() and load_pending(service.paths) is None


def test_importing_the_answer_activates_and_spends_the_pending_request(tmp_path: Path, signer: Signer) -> None:
    service = offline_service(tmp_path, signer)
    request = write_request(service, "activate", tmp_path / "req.json", serial=SERIAL, cdkey=CDKEY)

    result = import_response(service, save(tmp_path / "resp.json", response_for(request, signer)))

    assert result.action == "activate" and result.licence_id == 7 and result.machine_id == 9
    assert result.status.state.code == StateCode.ACTIVE  # no account can sign in here: the document's counts
    assert load_pending(service.paths) is None
    # A fresh process (the CLI's `status`) reads the same licence from the cache.
    assert offline_service(tmp_path, signer).local_status().document is not None


def test_refresh_request_names_the_lease_document(tmp_path: Path, signer: Signer) -> None:
    service = offline_service(tmp_path, signer)
    activate_here(service, signer, tmp_path)

    refresh = write_request(service, "refresh", tmp_path / "refresh.json")

    assert refresh["action"] == "refresh" and refresh["licence_id"] == 7 and "cdkey_proof" not in refresh
    result = import_response(service, save(tmp_path / "r.json", response_for(refresh, signer)))
    assert result.action == "refresh" and result.status.state.code == StateCode.ACTIVE


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"request_nonce": "another-request-nonce-xxxxxxx"}, "OFFLINE_RESPONSE_OTHER_REQUEST"),
        ({"action": "refresh"}, "OFFLINE_RESPONSE_OTHER_REQUEST"),
        ({"fingerprint": "OTHER-MACHINE-CODE"}, "OFFLINE_RESPONSE_OTHER_MACHINE"),
        ({"version": 2}, "OFFLINE_VERSION_UNSUPPORTED"),
        ({"type": "something-else"}, "OFFLINE_FILE_UNREADABLE"),
        ({"document": None}, "OFFLINE_FILE_UNREADABLE"),
    ],
)
def test_a_response_to_something_else_is_refused(tmp_path: Path, signer: Signer, change: dict, code: str) -> None:
    service = offline_service(tmp_path, signer)
    request = write_request(service, "activate", tmp_path / "req.json", serial=SERIAL, cdkey=CDKEY)

    with pytest.raises(OfflineFileError) as refused:
        import_response(service, save(tmp_path / "resp.json", response_for(request, signer, **change)))

    assert refused.value.code == code
    assert service.local_status().document is None and load_pending(service.paths) is not None


def test_a_document_for_another_machine_inside_a_matching_echo_is_refused(tmp_path: Path, signer: Signer) -> None:
    service = offline_service(tmp_path, signer)
    request = write_request(service, "activate", tmp_path / "req.json", serial=SERIAL, cdkey=CDKEY)
    with pytest.raises(OfflineFileError) as refused:
        import_response(service, save(tmp_path / "resp.json", response_for(request, signer, pc=2)))
    assert refused.value.code == "OFFLINE_RESPONSE_OTHER_MACHINE"


def test_a_document_signed_by_an_unknown_key_is_never_stored(tmp_path: Path, signer: Signer) -> None:
    service = offline_service(tmp_path, signer)
    request = write_request(service, "activate", tmp_path / "req.json", serial=SERIAL, cdkey=CDKEY)
    with pytest.raises(InvalidDocumentError):
        import_response(service, save(tmp_path / "resp.json", response_for(request, Signer(kid="forger"))))
    assert service.local_status().document is None and not service.paths.licence_file.exists()


def test_files_that_are_not_responses(tmp_path: Path, signer: Signer) -> None:
    service = offline_service(tmp_path, signer)
    (tmp_path / "junk.json").write_text("not json {", "utf-8")
    (tmp_path / "huge.json").write_bytes(b" " * 300_000)
    for path in (tmp_path / "junk.json", tmp_path / "huge.json", tmp_path / "missing.json"):
        with pytest.raises(OfflineFileError) as refused:
            import_response(service, path)
        assert refused.value.code == "OFFLINE_FILE_UNREADABLE"


def test_a_response_without_a_pending_request_is_refused(tmp_path: Path, signer: Signer) -> None:
    asker, other = offline_service(tmp_path, signer, pc=1), offline_service(tmp_path / "x", signer, pc=1)
    request = write_request(asker, "activate", tmp_path / "req.json", serial=SERIAL, cdkey=CDKEY)
    with pytest.raises(OfflineFileError) as refused:
        import_response(other, save(tmp_path / "resp.json", response_for(request, signer)))
    assert refused.value.code == "OFFLINE_NO_PENDING_REQUEST"


def test_deactivation_deletes_the_document_when_the_request_is_written(tmp_path: Path, signer: Signer) -> None:
    service = offline_service(tmp_path, signer)
    activate_here(service, signer, tmp_path)

    request = write_request(service, "deactivate", tmp_path / "off.json")

    assert request["licence_id"] == 7 and request["machine_id"] == 9
    assert service.local_status().document is None
    assert service.local_status().state.code == StateCode.NOT_ACTIVATED
    released = import_response(service, save(tmp_path / "released.json", response_for(request, signer)))
    assert released.action == "deactivate" and load_pending(service.paths) is None
    with pytest.raises(OfflineFileError):
        import_response(service, tmp_path / "released.json")  # spent
