"""Serial numbers and CDkeys: generation, normalisation and storage-safe hashing."""

from __future__ import annotations

import hashlib
import secrets

# Crockford-like alphabet: no 0/O, 1/I/L confusion when people type keys from a box label.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _group(text: str, size: int = 5) -> str:
    return "-".join(text[i : i + size] for i in range(0, len(text), size))


def new_serial(prefix: str = "LP") -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return f"{prefix}-" + _group(body, 4)


def new_cdkey() -> str:
    # 25 symbols of a 31-letter alphabet ≈ 124 bits: far beyond guessing, so SHA-256 storage is enough.
    return _group("".join(secrets.choice(ALPHABET) for _ in range(25)))


def normalise_key(text: str) -> str:
    """Upper-case and strip spaces; people paste keys with spaces or lower case."""
    return "".join(text.split()).upper()


def hash_cdkey(cdkey: str) -> str:
    return hashlib.sha256(b"cdkey/v1:" + normalise_key(cdkey).encode("utf-8")).hexdigest()


def mask_serial(serial: str) -> str:
    parts = serial.split("-")
    if len(parts) <= 2:
        return serial[:3] + "****" + serial[-4:]
    return "-".join([parts[0], *["****"] * (len(parts) - 2), parts[-1]])
