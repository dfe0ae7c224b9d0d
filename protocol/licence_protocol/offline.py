"""Air-gapped activation files (docs/OFFLINE.md): build a request, prove the CDkey, check a response. No I/O.

Shared by the client (which writes requests and imports responses) and the reference server (which checks
the CDkey proof), so both sides compute the proof and the bindings alike.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from licence_protocol.envelope import EnvelopeError, b64url_decode, verify_envelope

REQUEST_TYPE = "licence-panel/offline-request"
RESPONSE_TYPE = "licence-panel/offline-response"
FORMAT_VERSION = 1
ACTIONS = ("activate", "refresh", "deactivate")
# Domain separation: an HMAC made for anything else never passes as an offline CDkey proof.
PROOF_CONTEXT = "licence-panel/offline-proof/v1"


class OfflineResponseError(ValueError):
    """A response file that is not the answer to this request (another machine, another request, a bad file)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalise_key(text: str) -> str:
    """Upper-case and strip spaces, as the server does for serials and CDkeys."""
    return "".join(text.split()).upper()


def cdkey_hash(cdkey: str) -> str:
    """The hash the server stores for a CDkey (hex SHA-256 of ``cdkey/v1:`` + the normalised key)."""
    return hashlib.sha256(b"cdkey/v1:" + normalise_key(cdkey).encode("utf-8")).hexdigest()


def proof_from_cdkey_hash(stored_hash: str, *, serial: str, nonce: str, fingerprint: str) -> str:
    """HMAC-SHA256 keyed by the CDkey hash's bytes over the request's serial, nonce and feature code (hex)."""
    message = "\n".join((PROOF_CONTEXT, normalise_key(serial), nonce, fingerprint)).encode("utf-8")
    return hmac.new(bytes.fromhex(stored_hash), message, hashlib.sha256).hexdigest()


def cdkey_proof(cdkey: str, *, serial: str, nonce: str, fingerprint: str) -> str:
    """What the offline machine writes instead of the CDkey: useless for any other serial, nonce or machine."""
    return proof_from_cdkey_hash(cdkey_hash(cdkey), serial=serial, nonce=nonce, fingerprint=fingerprint)


def build_request(
    action: str,
    *,
    fingerprint: str,
    components: Mapping[str, str],
    nonce: str,
    created_at: datetime,
    machine_name: str = "",
    serial: str | None = None,
    cdkey: str | None = None,
    org_id: int | None = None,
    product_code: str | None = None,
    licence_id: int | None = None,
    machine_id: int | None = None,
) -> dict[str, Any]:
    """The request file's JSON. ``activate`` needs serial + CDkey; ``refresh``/``deactivate`` need the ids
    of the lease document (``deactivate`` also its machine id). The clear CDkey never enters the file."""
    if action not in ACTIONS:
        raise ValueError(f"unknown offline action {action!r}")
    request: dict[str, Any] = {
        "type": REQUEST_TYPE,
        "version": FORMAT_VERSION,
        "action": action,
        "nonce": nonce,
        "created_at": created_at.isoformat(),
        "fingerprint": fingerprint,
        "components": dict(components),
        "machine_name": machine_name,
    }
    if action == "activate":
        if not serial or not cdkey:
            raise ValueError("an activation request needs the serial and the CDkey")
        request["serial"] = normalise_key(serial)
        request["cdkey_proof"] = cdkey_proof(cdkey, serial=serial, nonce=nonce, fingerprint=fingerprint)
        if org_id is not None:
            request["org_id"] = org_id
        if product_code is not None:
            request["product_code"] = product_code
    else:
        if licence_id is None:
            raise ValueError(f"a {action} request needs the licence id of the lease document")
        request["licence_id"] = licence_id
        if serial:
            request["serial"] = normalise_key(serial)
    if action == "deactivate":
        if machine_id is None:
            raise ValueError("a deactivation request needs the machine id of the lease document")
        request["machine_id"] = machine_id
    return request


def _payload_of(envelope: Mapping[str, Any], trusted_keys: Mapping[str, Ed25519PublicKey] | None) -> dict[str, Any]:
    if trusted_keys is not None:
        return verify_envelope(envelope, trusted_keys).payload
    if not isinstance(envelope.get("payload"), str):
        raise OfflineResponseError("document_unreadable")
    try:
        payload = json.loads(b64url_decode(envelope["payload"]).decode("utf-8"))
    except (EnvelopeError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OfflineResponseError("document_unreadable") from exc
    if not isinstance(payload, dict):
        raise OfflineResponseError("document_unreadable")
    return payload


def check_response(
    request: Mapping[str, Any],
    response: Any,
    trusted_keys: Mapping[str, Ed25519PublicKey] | None = None,
) -> dict[str, Any] | None:
    """The envelope answering ``request`` (None for a deactivation), or OfflineResponseError.

    Checks the response echoes this request's action, nonce and feature code, and that the signed document
    inside names the same nonce and machine. With ``trusted_keys`` the signature is verified too
    (EnvelopeError when it does not); without them the caller must verify it before trusting the document.
    """
    if not isinstance(response, Mapping) or response.get("type") != RESPONSE_TYPE:
        raise OfflineResponseError("not_a_response")
    if response.get("version") != FORMAT_VERSION:
        raise OfflineResponseError("unsupported_version")
    if response.get("action") != request.get("action"):
        raise OfflineResponseError("action_mismatch")
    if response.get("request_nonce") != request.get("nonce"):
        raise OfflineResponseError("nonce_mismatch")
    if response.get("fingerprint") != request.get("fingerprint"):
        raise OfflineResponseError("fingerprint_mismatch")
    if request.get("action") == "deactivate":
        if response.get("released") is not True:
            raise OfflineResponseError("not_released")
        return None
    envelope = response.get("document")
    if not isinstance(envelope, Mapping):
        raise OfflineResponseError("document_missing")
    payload = _payload_of(envelope, trusted_keys)
    if payload.get("nonce") != request.get("nonce"):
        raise OfflineResponseError("document_nonce_mismatch")
    machine = payload.get("machine")
    if not isinstance(machine, Mapping) or machine.get("feature_code") != request.get("fingerprint"):
        raise OfflineResponseError("document_machine_mismatch")
    return dict(envelope)
