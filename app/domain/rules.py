"""Input rules the UI checks as the user types: password rules, serial/CDkey formats, masking for display.

They mirror the server (``server/services/passwords.py``, ``server/services/keys.py``); the server
stays the authority, these only give feedback before a round trip.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass, field
from typing import Any

# --- passwords (docs/PROTOCOL.md "Accounts") -------------------------------------------------------

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
_SPECIALS = frozenset(string.punctuation)

PASSWORD_RULES: tuple[tuple[str, str], ...] = (
    ("length", "At least 8 characters (at most 128)"),
    ("latin_only", "Only Latin letters, digits and special characters"),
    ("upper", "An upper-case letter (A–Z)"),
    ("lower", "A lower-case letter (a–z)"),
    ("digit", "A digit (0–9)"),
    ("special", "A special character, such as ! @ # $ %"),
)


def _password_checks(password: str) -> dict[str, bool]:
    return {
        "length": PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH,
        "latin_only": all(c.isascii() and (c.isalnum() or c in _SPECIALS) for c in password),
        "upper": any(c.isascii() and c.isupper() for c in password),
        "lower": any(c.isascii() and c.islower() for c in password),
        "digit": any(c.isascii() and c.isdigit() for c in password),
        "special": any(c in _SPECIALS for c in password),
    }


def password_feedback(password: str) -> list[tuple[str, bool, str]]:
    """``(rule_id, ok, msgid)`` for every rule, in display order; rule ids are the server's WEAK_PASSWORD ids."""
    checks = _password_checks(password)
    return [(rule_id, checks[rule_id], msgid) for rule_id, msgid in PASSWORD_RULES]


def password_ok(password: str) -> bool:
    return all(_password_checks(password).values())


# --- serial numbers and CDkeys (server/services/keys.py) -------------------------------------------

# The alphabet printed on box labels: no 0/O, 1/I/L to confuse.
KEY_ALPHABET = frozenset("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
SERIAL_GROUPS, SERIAL_GROUP_LEN, SERIAL_PREFIX_MAX = 3, 4, 8
CDKEY_GROUPS, CDKEY_GROUP_LEN = 5, 5
_CDKEY_LEN = CDKEY_GROUPS * CDKEY_GROUP_LEN
_PREFIX = re.compile(r"^[A-Z0-9_]*$")

MSG_KEY_CHARACTERS = "Only letters, digits and dashes can be used."
MSG_KEY_CONFUSABLE = "Keys never contain {char}: 0, O, 1, I and L are not used. Check this character."
MSG_SERIAL_SHAPE = "A serial number looks like LP-XXXX-XXXX-XXXX."
MSG_SERIAL_TOO_LONG = "The serial number is too long: it has a prefix and 3 groups of 4 characters."
MSG_SERIAL_INCOMPLETE = "Keep typing: a serial number has a prefix and 3 groups of 4 characters."
MSG_CDKEY_INCOMPLETE = "Keep typing: {count} of 25 characters."
MSG_CDKEY_TOO_LONG = "The CDkey is too long: it has 25 characters in 5 groups of 5."
MSG_CDKEY_GROUPS = "A CDkey has 5 groups of 5 characters separated by dashes."

KEY_MESSAGES: tuple[str, ...] = (
    MSG_KEY_CHARACTERS,
    MSG_KEY_CONFUSABLE,
    MSG_SERIAL_SHAPE,
    MSG_SERIAL_TOO_LONG,
    MSG_SERIAL_INCOMPLETE,
    MSG_CDKEY_INCOMPLETE,
    MSG_CDKEY_TOO_LONG,
    MSG_CDKEY_GROUPS,
)


@dataclass(frozen=True)
class KeyCheck:
    """Result of checking a serial or CDkey while it is typed."""

    ok: bool
    partial: bool  # not complete yet, but nothing wrong so far: show a hint, not an error
    normalised: str  # the form to send to the server
    reason: str | None = None  # msgid; None when ok or empty
    fmt: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.ok


def normalise_key(text: str) -> str:
    """Upper case, no spaces; full-width letters and dashes typed with a Chinese input method become ASCII."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\u2010-\u2015\u2212\uff0d]", "-", text)  # hyphen/dash look-alikes
    return "".join(text.split()).upper()


def _bad_char(text: str, allowed: str = "-") -> KeyCheck | None:
    for char in text:
        if char in allowed:
            continue
        if not (char.isascii() and char.isalnum()):
            return KeyCheck(False, False, text, MSG_KEY_CHARACTERS)
    return None


def _confusable(group: str, text: str) -> KeyCheck | None:
    for char in group:
        if char not in KEY_ALPHABET:
            return KeyCheck(False, False, text, MSG_KEY_CONFUSABLE, {"char": char})
    return None


def serial_format_ok(text: str) -> KeyCheck:
    """Check a serial number ``PREFIX-XXXX-XXXX-XXXX`` (prefix: product code, up to 8 characters)."""
    value = normalise_key(text)
    if not value:
        return KeyCheck(False, True, value)
    problem = _bad_char(value, allowed="-_")  # product-code prefixes may hold an underscore
    if problem is not None:
        return problem
    prefix, *groups = value.split("-")
    if not prefix or not _PREFIX.match(prefix) or len(prefix) > SERIAL_PREFIX_MAX:
        return KeyCheck(False, False, value, MSG_SERIAL_SHAPE)
    if len(groups) > SERIAL_GROUPS:
        return KeyCheck(False, False, value, MSG_SERIAL_TOO_LONG)
    for index, group in enumerate(groups):
        problem = _confusable(group, value)
        if problem is not None:
            return problem
        last = index == len(groups) - 1
        if len(group) > SERIAL_GROUP_LEN or (not last and len(group) < SERIAL_GROUP_LEN):
            return KeyCheck(False, False, value, MSG_SERIAL_SHAPE)
    if len(groups) == SERIAL_GROUPS and len(groups[-1]) == SERIAL_GROUP_LEN:
        return KeyCheck(True, False, value)
    return KeyCheck(False, True, value, MSG_SERIAL_INCOMPLETE)


def cdkey_format_ok(text: str) -> KeyCheck:
    """Check a CDkey: 25 characters of the key alphabet in 5 groups of 5. Dashes may be left out."""
    value = normalise_key(text)
    if not value:
        return KeyCheck(False, True, value)
    problem = _bad_char(value)
    if problem is not None:
        return problem
    groups = value.split("-")
    body = "".join(groups)
    problem = _confusable(body, value)
    if problem is not None:
        return problem
    if len(body) > _CDKEY_LEN:
        return KeyCheck(False, False, value, MSG_CDKEY_TOO_LONG)
    # Dashes, where typed, must sit between groups of 5: a misplaced one means a slipped character.
    if len(groups) > 1 and (
        len(groups) > CDKEY_GROUPS
        or any(len(g) != CDKEY_GROUP_LEN for g in groups[:-1])
        or len(groups[-1]) > CDKEY_GROUP_LEN
    ):
        return KeyCheck(False, False, value, MSG_CDKEY_GROUPS)
    canonical = "-".join(body[i : i + CDKEY_GROUP_LEN] for i in range(0, len(body), CDKEY_GROUP_LEN))
    if len(body) == _CDKEY_LEN:
        return KeyCheck(True, False, canonical)
    return KeyCheck(False, True, value, MSG_CDKEY_INCOMPLETE, {"count": len(body)})


# --- masking for display ----------------------------------------------------------------------------


def mask_login(login: str) -> str:
    """A login safe to show in a list or a log: ``138****0001``, ``a***@x.com``."""
    login = login.strip()
    if "@" in login:
        local, _, domain = login.rpartition("@")
        return (local[:1] or "*") + "***@" + domain
    digits = login.lstrip("+")
    if digits.isdigit() and len(digits) >= 7:
        return login[: len(login) - len(digits) + 3] + "****" + login[-4:]
    if len(login) <= 2:
        return "***"
    return login[0] + "***" + login[-1]


def matches_masked_login(login: str, masked: str) -> bool:
    """Whether ``login`` can be the account the server showed masked (``138****0002``, ``ab****@x.com``).

    The server keeps a login's start and end around ``****``; a login fits when it has both."""
    head, stars, tail = masked.partition("****")
    login = login.strip()
    if not stars or not login:
        return False
    return login.startswith(head) and login.endswith(tail) and len(login) > len(head) + len(tail)


def mask_serial(serial: str) -> str:
    """``LP-****-****-7F3A``: the prefix and last group only (same rule as the server)."""
    parts = serial.split("-")
    if len(parts) <= 2:
        return serial[:3] + "****" + serial[-4:]
    return "-".join([parts[0], *["****"] * (len(parts) - 2), parts[-1]])


def mask_cdkey(cdkey: str) -> str:
    """Only the last group of a CDkey is ever shown."""
    groups = cdkey.split("-")
    return "-".join(["*****"] * (len(groups) - 1) + [groups[-1]]) if len(groups) > 1 else "*****"
