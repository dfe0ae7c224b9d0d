"""Air-gapped activation on the client (docs/OFFLINE.md): write request files, import response files, upload.

The offline machine writes a request file and remembers the pending request (action, nonce, feature code,
ids; never the CDkey, whose proof is only in the file) in its data dir. Importing a response checks it
answers exactly that request on this machine, then hands the signed document to the LicenceService's own
verify-and-cache path. A connected machine uploads the request with its signed-in account (``upload_request``).
Qt-free; ``python -m app offline request|import|upload`` is in app/cli/offline.py.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from licence_protocol.errors import ErrorCode
from licence_protocol.fingerprint import feature_code
from licence_protocol.offline import ACTIONS, OfflineResponseError, build_request, check_response

from app.domain.error_codes import ClientErrorCode, KnownErrorCode
from app.services.errors import ServiceError
from app.services.local_status import LocalStatus
from app.services.paths import AppPaths, write_atomically

log = logging.getLogger(__name__)

PENDING_FORMAT = 1
# A request or response file is about 1–3 kB; anything far larger is not ours and is not read into memory.
MAX_FILE_BYTES = 256 * 1024

OfflineAction = Literal["activate", "refresh", "deactivate"]

# check_response's reasons → the error codes worded in app/domain/error_catalogue.py.
_REASON_CODES: dict[str, KnownErrorCode] = {
    "nonce_mismatch": ClientErrorCode.OFFLINE_RESPONSE_OTHER_REQUEST,
    "action_mismatch": ClientErrorCode.OFFLINE_RESPONSE_OTHER_REQUEST,
    "document_nonce_mismatch": ClientErrorCode.OFFLINE_RESPONSE_OTHER_REQUEST,
    "fingerprint_mismatch": ClientErrorCode.OFFLINE_RESPONSE_OTHER_MACHINE,
    "document_machine_mismatch": ClientErrorCode.OFFLINE_RESPONSE_OTHER_MACHINE,
    "unsupported_version": ErrorCode.OFFLINE_VERSION_UNSUPPORTED,
}


class OfflineFileError(ServiceError):
    """An offline file that cannot be used here. ``code`` is worded by app.domain.error_catalogue."""

    def __init__(self, code: KnownErrorCode, reason: str = "") -> None:
        super().__init__(f"{code}: {reason}" if reason else code)
        self.code = code
        self.reason = reason or code.lower()


@dataclass(frozen=True)
class ImportResult:
    action: OfflineAction
    status: LocalStatus
    licence_id: int | None = None
    machine_id: int | None = None


def pending_file(paths: AppPaths) -> Path:
    return paths.data_dir / "offline-pending.json"


def load_pending(paths: AppPaths) -> dict[str, Any] | None:
    """The request this machine is waiting for an answer to, or None."""
    try:
        data = json.loads(_read_small(pending_file(paths)))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, OfflineFileError) as exc:
        log.warning("the pending offline request is unreadable (%s); it is ignored", type(exc).__name__)
        return None
    if not isinstance(data, dict) or data.get("action") not in ACTIONS or not isinstance(data.get("nonce"), str):
        return None
    return data


def clear_pending(paths: AppPaths) -> None:
    pending_file(paths).unlink(missing_ok=True)


def write_request(
    service: Any,
    action: str,
    out_path: Path | str,
    *,
    serial: str | None = None,
    cdkey: str | None = None,
    org_id: int | None = None,
) -> dict[str, Any]:
    """Write the request file for ``action`` atomically and remember it as pending; returns its JSON.

    ``activate`` needs the serial and CDkey; ``refresh`` and ``deactivate`` take the ids of this machine's
    lease document. A deactivation request deletes that document at once (docs/OFFLINE.md): from then on
    this machine is not activated, whether or not the file ever reaches the server.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown offline action {action!r}")
    components = service.fingerprint.components()
    fingerprint = feature_code(components)
    licence_id = machine_id = None
    if action != "activate":
        document = service.local_status().document
        if document is None:
            raise OfflineFileError(ClientErrorCode.OFFLINE_NO_LICENCE, "no verified licence on this computer")
        licence_id, machine_id = document.licence_id, document.machine.id
        if action == "deactivate" and machine_id is None:
            raise OfflineFileError(ClientErrorCode.OFFLINE_NO_LICENCE, "the licence document names no machine id")
    elif not serial or not cdkey:
        raise OfflineFileError(ErrorCode.VALIDATION_ERROR, "an activation request needs the serial number and CDkey")
    request = build_request(
        action,
        fingerprint=fingerprint,
        components=components,
        nonce=secrets.token_urlsafe(24),
        created_at=service.now(),
        machine_name=service.machine_name,
        serial=serial,
        cdkey=cdkey,
        org_id=org_id,
        licence_id=licence_id,
        machine_id=machine_id if action == "deactivate" else None,
    )
    # No secret inside (only the CDkey proof, bound to this nonce and machine): readable where it is carried.
    write_atomically(Path(out_path), _json_bytes(request), mode=0o644)
    pending = {
        "format": PENDING_FORMAT,
        "action": action,
        "nonce": request["nonce"],
        "fingerprint": fingerprint,
        "created_at": request["created_at"],
        "licence_id": licence_id,
        "machine_id": machine_id,
        "request_file": str(Path(out_path).resolve()),
    }
    write_atomically(pending_file(service.paths), _json_bytes(pending))
    if action == "deactivate":
        service.cache.clear()
    log.info("offline %s request written", action)
    return request


def read_json_file(path: Path | str) -> Any:
    """A small JSON file (request or response); OfflineFileError when it is missing, huge or not JSON."""
    try:
        return json.loads(_read_small(Path(path)).decode("utf-8-sig"))
    except FileNotFoundError:
        raise OfflineFileError(ClientErrorCode.OFFLINE_FILE_UNREADABLE, "file not found") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise OfflineFileError(ClientErrorCode.OFFLINE_FILE_UNREADABLE, type(exc).__name__) from None


def import_response(service: Any, response_path: Path | str) -> ImportResult:
    """Import a response file: it must answer this machine's pending request; then the licence is updated."""
    response = read_json_file(response_path)
    return import_response_json(service, response)


def import_response_json(service: Any, response: Any) -> ImportResult:
    if not isinstance(response, dict):
        raise OfflineFileError(ClientErrorCode.OFFLINE_FILE_UNREADABLE, "not a response file")
    here = feature_code(service.fingerprint.components())
    if response.get("fingerprint") not in (None, here):
        raise OfflineFileError(ClientErrorCode.OFFLINE_RESPONSE_OTHER_MACHINE, "fingerprint_mismatch")
    pending = load_pending(service.paths)
    if pending is None:
        raise OfflineFileError(ClientErrorCode.OFFLINE_NO_PENDING_REQUEST, "no request is waiting for an answer")
    if pending.get("fingerprint") != here:  # the data dir was copied from another machine
        raise OfflineFileError(ClientErrorCode.OFFLINE_RESPONSE_OTHER_MACHINE, "pending request of another machine")
    try:
        # The signature is checked by the service's accept path, with the same trusted keys as online.
        envelope = check_response(pending, response)
    except OfflineResponseError as exc:
        code = _REASON_CODES.get(exc.reason, ClientErrorCode.OFFLINE_FILE_UNREADABLE)
        raise OfflineFileError(code, exc.reason) from None
    action: OfflineAction = pending["action"]
    if envelope is None:  # the seat was released on the server; the document went when the request was made
        service.cache.clear()
        clear_pending(service.paths)
        status = service.local_status()
    else:
        status = service.accept_offline_document(envelope, nonce=pending["nonce"])
        clear_pending(service.paths)
    log.info("offline %s response imported", action)
    ids = (_int_or_none(response.get("licence_id")), _int_or_none(response.get("machine_id")))
    return ImportResult(action, status, *ids)


def upload_request(
    service: Any, request_path: Path | str, out_path: Path | str, org_id: int | None = None, *, cancel: Any = None
) -> dict[str, Any]:
    """On a connected machine: send a request file with the signed-in account and write the response file."""
    request = read_json_file(request_path)
    if not isinstance(request, dict) or request.get("type") != "licence-panel/offline-request":
        raise OfflineFileError(ClientErrorCode.OFFLINE_FILE_UNREADABLE, "not a request file")
    response = service.api.offline_activation(request, org_id=org_id, cancel=cancel)
    write_atomically(Path(out_path), _json_bytes(response), mode=0o644)
    return dict(response)


def default_response_name(request: dict[str, Any]) -> str:
    """The file name the server's page uses, so both routes produce alike-named files."""
    return f"offline-response-{request.get('action', 'activate')}-{str(request.get('nonce', ''))[:8]}.json"


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _read_small(path: Path) -> bytes:
    with open(path, "rb") as handle:
        raw = handle.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise OfflineFileError(ClientErrorCode.OFFLINE_FILE_UNREADABLE, "file too large")
    return raw


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
