"""The text of a recharge code (充值码): made to be read aloud and typed by hand, accepted however it is pasted."""

from __future__ import annotations

import secrets

PREFIX = "RC"
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
_LENGTH = 16  # characters after the prefix: 80 bits


def _grouped(chars: str) -> str:
    return PREFIX + "-" + "-".join(chars[i : i + 4] for i in range(0, _LENGTH, 4))


def new_code() -> str:
    """A fresh code such as ``RC-7KQ2-…``."""
    return _grouped("".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH)))


def canonical_code(text: str) -> str | None:
    """The stored form of a typed code (case, spaces and dashes do not matter); None when it cannot be one."""
    chars = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(chars) != len(PREFIX) + _LENGTH or not chars.startswith(PREFIX):
        return None
    return _grouped(chars[len(PREFIX) :])
