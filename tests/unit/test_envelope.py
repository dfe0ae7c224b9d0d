"""The signed envelope (docs/PROTOCOL.md): strict base64url, domain separation, trusted key ids only."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from licence_protocol.envelope import (
    SIGNING_PREFIX,
    BadSignatureError,
    EnvelopeError,
    UnknownKeyError,
    b64url_decode,
    b64url_encode,
    canonical_json,
    sign_payload,
    verify_envelope,
)

PAYLOAD = {"format": 1, "licence_id": 7, "product": {"name": "e会计 云盘版"}, "expires_at": None}
KEY = Ed25519PrivateKey.generate()
OTHER_KEY = Ed25519PrivateKey.generate()
TRUSTED = {"k1": KEY.public_key()}


def envelope(**changes: Any) -> dict[str, Any]:
    env = sign_payload(PAYLOAD, KEY, "k1")
    env.update(changes)
    return env


def test_round_trip_returns_the_payload() -> None:
    verified = verify_envelope(envelope(), TRUSTED)
    assert verified.payload == PAYLOAD and verified.kid == "k1"
    assert verified.payload_bytes == canonical_json(PAYLOAD)


def test_envelope_shape() -> None:
    env = envelope()
    assert set(env) == {"v", "alg", "kid", "payload", "signature"}
    assert (env["v"], env["alg"]) == (1, "Ed25519")
    assert "=" not in env["payload"] + env["signature"]


@pytest.mark.parametrize("position", [0, 10, -1])
def test_any_changed_payload_byte_fails(position: int) -> None:
    raw = bytearray(b64url_decode(envelope()["payload"]))
    raw[position] ^= 0x01
    with pytest.raises(BadSignatureError):
        verify_envelope(envelope(payload=b64url_encode(bytes(raw))), TRUSTED)


def test_changed_signature_byte_fails() -> None:
    raw = bytearray(b64url_decode(envelope()["signature"]))
    raw[5] ^= 0x80
    with pytest.raises(BadSignatureError):
        verify_envelope(envelope(signature=b64url_encode(bytes(raw))), TRUSTED)


@pytest.mark.parametrize("prefix", [b"", b"licence-document/v2/", b"access-token/v1/", SIGNING_PREFIX[:-1]])
def test_signature_over_anything_but_the_document_prefix_fails(prefix: bytes) -> None:
    payload_bytes = canonical_json(PAYLOAD)
    forged = envelope(signature=b64url_encode(KEY.sign(prefix + payload_bytes)))
    with pytest.raises(BadSignatureError):
        verify_envelope(forged, TRUSTED)


def test_unknown_kid_fails_even_with_a_valid_signature() -> None:
    with pytest.raises(UnknownKeyError):
        verify_envelope(sign_payload(PAYLOAD, OTHER_KEY, "k2"), TRUSTED)


def test_a_key_under_a_trusted_kid_must_be_the_trusted_key() -> None:
    with pytest.raises(BadSignatureError):
        verify_envelope(sign_payload(PAYLOAD, OTHER_KEY, "k1"), TRUSTED)


def test_rotated_keys_both_verify() -> None:
    trusted = {**TRUSTED, "k2": OTHER_KEY.public_key()}
    assert verify_envelope(sign_payload(PAYLOAD, OTHER_KEY, "k2"), trusted).kid == "k2"
    assert verify_envelope(envelope(), trusted).kid == "k1"


def test_padding_is_refused() -> None:
    payload = dict(PAYLOAD, pad="")
    while len(canonical_json(payload)) % 3 == 0:  # make base64 need padding
        payload["pad"] += "x"
    env = sign_payload(payload, KEY, "k1")
    padded = base64.urlsafe_b64encode(b64url_decode(env["payload"])).decode()
    assert padded.endswith("=")
    with pytest.raises(EnvelopeError, match="base64url"):
        verify_envelope(dict(env, payload=padded), TRUSTED)
    assert verify_envelope(env, TRUSTED).payload == payload


@pytest.mark.parametrize(
    "text",
    [
        "QR",  # decodes like "QQ" but has non-zero trailing bits: not what an encoder writes
        "QUJ",  # canonical is "QUI"
        "Q",  # one character cannot encode a byte
        "QQ==",
        "Q Q",
        "a+b/",  # standard, not URL-safe, alphabet
        "QQ\n",
    ],
)
def test_non_canonical_base64url_is_refused(text: str) -> None:
    with pytest.raises(EnvelopeError):
        b64url_decode(text)


def test_canonical_base64url_decodes() -> None:
    assert b64url_decode("QQ") == b"A" and b64url_decode("QUI") == b"AB" and b64url_decode("") == b""
    assert b64url_decode(b64url_encode(b"\xfb\xff")) == b"\xfb\xff"


@pytest.mark.parametrize(
    "changes",
    [
        {"v": 2},
        {"v": "1"},
        {"alg": "RS256"},
        {"alg": "none"},
        {"kid": None},
        {"payload": None},
        {"signature": 5},
    ],
)
def test_malformed_envelope_fails(changes: dict[str, Any]) -> None:
    with pytest.raises(EnvelopeError):
        verify_envelope(envelope(**changes), TRUSTED)


@pytest.mark.parametrize("value", [None, [], "envelope", 1])
def test_envelope_must_be_an_object(value: Any) -> None:
    with pytest.raises(EnvelopeError):
        verify_envelope(value, TRUSTED)


@pytest.mark.parametrize("payload_bytes", [b"not json", b"[1, 2]", b"\xff\xfe"])
def test_signed_payload_must_be_a_json_object(payload_bytes: bytes) -> None:
    signed = envelope(
        payload=b64url_encode(payload_bytes), signature=b64url_encode(KEY.sign(SIGNING_PREFIX + payload_bytes))
    )
    with pytest.raises(EnvelopeError):
        verify_envelope(signed, TRUSTED)


def test_errors_are_value_errors_without_secrets() -> None:
    assert issubclass(EnvelopeError, ValueError)
    with pytest.raises(EnvelopeError) as info:
        verify_envelope(envelope(signature="QR"), TRUSTED)
    assert envelope()["payload"] not in str(info.value)


def test_canonical_json_is_stable() -> None:
    assert canonical_json({"b": 1, "a": "账套"}) == '{"a":"账套","b":1}'.encode()
    assert json.loads(canonical_json(PAYLOAD)) == PAYLOAD
