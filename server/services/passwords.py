"""Password hashing (argon2id) and the rules a new password must meet (shared with the client's sign-up form)."""

from __future__ import annotations

import string
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from licence_protocol.errors import ErrorCode

from server.errors import ApiError

_hasher = PasswordHasher()
# Each argon2id hash takes 64 MiB; the server runs up to 40 requests at once, so cap the parallel hashes.
_HASH_SLOTS = threading.BoundedSemaphore(4)
MIN_LENGTH = 8
MAX_LENGTH = 128
SPECIALS = set(string.punctuation)


def password_problems(password: str) -> list[str]:
    """Rule ids the password breaks: length, latin_only, upper, lower, digit, special."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH or len(password) > MAX_LENGTH:
        problems.append("length")
    if any(not (c.isascii() and (c.isalnum() or c in SPECIALS)) for c in password):
        problems.append("latin_only")
    if not any(c.isascii() and c.isupper() for c in password):
        problems.append("upper")
    if not any(c.isascii() and c.islower() for c in password):
        problems.append("lower")
    if not any(c.isdigit() and c.isascii() for c in password):
        problems.append("digit")
    if not any(c in SPECIALS for c in password):
        problems.append("special")
    return problems


def check_password_rules(password: str) -> None:
    problems = password_problems(password)
    if problems:
        raise ApiError(
            ErrorCode.WEAK_PASSWORD,
            "password must have at least 8 Latin characters with upper and lower case, a digit and a special character",
            {"failed_rules": problems, "min_length": MIN_LENGTH},
        )


def hash_password(password: str) -> str:
    with _HASH_SLOTS:
        return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        with _HASH_SLOTS:
            return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the login does not exist, so timing does not reveal which logins exist.
DUMMY_HASH = _hasher.hash("Dummy-password-1")
