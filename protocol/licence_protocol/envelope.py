"""The signed licence envelope: strict base64url, domain-separated Ed25519 (docs/PROTOCOL.md "Licence document")."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ENVELOPE_VERSION = 1
ALGORITHM = "Ed25519"
# A signature made for anything else (a token, another document kind) never verifies as a licence.
SIGNING_PREFIX = b"licence-document/v1/"

_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


class EnvelopeError(ValueError):
    """The envelope is malformed, signed by an unknown key, or its signature does not verify."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownKeyError(EnvelopeError):
    """Signed by a key id this client does not trust."""


class BadSignatureError(EnvelopeError):
    """The signature does not cover these payload bytes."""


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url, refusing anything a strict encoder would not have produced."""
    if not isinstance(text, str) or not _B64URL.match(text) or len(text) % 4 == 1:
        raise EnvelopeError("not strict base64url")
    padded = text + "=" * (-len(text) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded)
    except (binascii.Error, ValueError) as exc:
        raise EnvelopeError("not strict base64url") from exc
    if b64url_encode(raw) != text:  # non-canonical trailing bits
        raise EnvelopeError("not strict base64url")
    return raw


def canonical_json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def public_key_from_b64(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(b64url_decode(text))


def public_key_to_b64(key: Ed25519PublicKey) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return b64url_encode(raw)


def sign_payload(payload: Mapping[str, Any], private_key: Ed25519PrivateKey, kid: str) -> dict[str, Any]:
    """Build an envelope (used by the server and by tests that forge documents)."""
    payload_bytes = canonical_json(dict(payload))
    signature = private_key.sign(SIGNING_PREFIX + payload_bytes)
    return {
        "v": ENVELOPE_VERSION,
        "alg": ALGORITHM,
        "kid": kid,
        "payload": b64url_encode(payload_bytes),
        "signature": b64url_encode(signature),
    }


@dataclass(frozen=True)
class VerifiedDocument:
    kid: str
    payload: dict[str, Any]
    payload_bytes: bytes


def verify_envelope(envelope: Any, trusted_keys: Mapping[str, Ed25519PublicKey]) -> VerifiedDocument:
    """Return the payload of an envelope signed by one of ``trusted_keys`` (kid → key), else raise."""
    if not isinstance(envelope, Mapping):
        raise EnvelopeError("envelope is not an object")
    if envelope.get("v") != ENVELOPE_VERSION or envelope.get("alg") != ALGORITHM:
        raise EnvelopeError("unsupported envelope version or algorithm")
    kid, payload_text, signature_text = envelope.get("kid"), envelope.get("payload"), envelope.get("signature")
    if not isinstance(kid, str) or not isinstance(payload_text, str) or not isinstance(signature_text, str):
        raise EnvelopeError("envelope fields missing")
    key = trusted_keys.get(kid)
    if key is None:
        raise UnknownKeyError(f"unknown key id {kid!r}")
    payload_bytes = b64url_decode(payload_text)
    signature = b64url_decode(signature_text)
    try:
        key.verify(signature, SIGNING_PREFIX + payload_bytes)
    except InvalidSignature as exc:
        raise BadSignatureError("signature does not verify") from exc
    try:
        payload = json.loads(payload_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EnvelopeError("payload is not JSON") from exc
    if not isinstance(payload, dict):
        raise EnvelopeError("payload is not an object")
    return VerifiedDocument(kid=kid, payload=payload, payload_bytes=payload_bytes)
