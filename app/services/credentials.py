"""Refresh tokens in the OS keyring (service ``licence-panel``), with a session-only fallback.

Only the refresh token is stored, only in the keyring: never in a file, a log or an exception text.
When no usable keyring backend exists (a headless Linux without Secret Service, a locked or broken
backend), tokens are kept in memory for this session only, ``persistent`` is False and
``unavailable_reason`` says why, so the UI can tell the user "you will have to sign in again".
"""

from __future__ import annotations

import logging
from datetime import datetime

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail
from licence_protocol.dates import parse_iso

from app.services.cache import to_iso, watermark_key
from app.services.errors import ServiceError
from app.services.paths import AppPaths

log = logging.getLogger(__name__)

SERVICE_NAME = "licence-panel"
# Not SERVICE_NAME: the user names there are logins, and the clock watermark is no credential.
CLOCK_SERVICE_NAME = "licence-panel-clock"


class CredentialError(ServiceError):
    """The keyring failed; the message names the operation and error type, never the secret."""


def _unusable_reason(backend: keyring.backend.KeyringBackend) -> str | None:
    if isinstance(backend, fail.Keyring):
        return "no system keyring is available"
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return "no system keyring is available"
    try:
        if backend.priority <= 0:
            return f"the keyring backend {type(backend).__name__} is not suitable for secrets"
    except Exception:  # some backends compute priority by probing the system
        return "the system keyring cannot be used"
    return None


class CredentialStore:
    """Save, load and delete a login's refresh token."""

    def __init__(self, service: str = SERVICE_NAME, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self.service = service
        self._memory: dict[str, str] = {}
        try:
            self._backend: keyring.backend.KeyringBackend | None = backend or keyring.get_keyring()
        except Exception as exc:
            self._backend = None
            self._reason: str | None = f"the system keyring cannot be used ({type(exc).__name__})"
        else:
            self._reason = _unusable_reason(self._backend)
        if self._reason:
            log.warning("refresh tokens kept for this session only: %s", self._reason)

    @property
    def persistent(self) -> bool:
        """True while tokens are saved to a real keyring (False: this session only)."""
        return self._reason is None

    @property
    def unavailable_reason(self) -> str | None:
        return self._reason

    @property
    def backend_name(self) -> str:
        return type(self._backend).__name__ if self._backend is not None else "none"

    def save_refresh_token(self, login: str, token: str) -> None:
        """Keep the token for ``login``; on a keyring failure fall back to memory (never raises for it)."""
        self._memory[login] = token
        if not self.persistent or self._backend is None:
            return
        try:
            self._backend.set_password(self.service, login, token)
        except Exception as exc:
            self._degrade(f"saving to the keyring failed ({type(exc).__name__})")
        else:
            # Saved for good: drop the memory copy so the keyring stays the single source of truth.
            self._memory.pop(login, None)

    def load_refresh_token(self, login: str) -> str | None:
        if login in self._memory:
            return self._memory[login]
        if not self.persistent or self._backend is None:
            return None
        try:
            return self._backend.get_password(self.service, login)
        except Exception as exc:
            log.warning("reading the keyring failed (%s)", type(exc).__name__)
            return None

    def delete(self, login: str) -> None:
        """Forget ``login``'s token everywhere. Raises CredentialError if the keyring refuses."""
        self._memory.pop(login, None)
        if not self.persistent or self._backend is None:
            return
        try:
            self._backend.delete_password(self.service, login)
        except keyring.errors.PasswordDeleteError:
            pass  # nothing stored: already forgotten
        except Exception as exc:
            # `from None`: the backend's exception chain is not ours to vouch for.
            raise CredentialError(f"deleting from the keyring failed ({type(exc).__name__})") from None

    def load_clock_watermark(self, name: str) -> str | None:
        """The clock watermark copy ``name`` kept in the keyring; None without one or without a keyring."""
        if not self.persistent or self._backend is None:
            return None
        try:
            return self._backend.get_password(CLOCK_SERVICE_NAME, name)
        except Exception as exc:
            log.warning("reading the clock watermark from the keyring failed (%s)", type(exc).__name__)
            return None

    def save_clock_watermark(self, name: str, value: str) -> bool:
        """Keep a clock watermark copy; False when it could not be (no memory fallback: it is no secret)."""
        if not self.persistent or self._backend is None:
            return False
        try:
            self._backend.set_password(CLOCK_SERVICE_NAME, name, value)
        except Exception as exc:
            log.warning("saving the clock watermark to the keyring failed (%s)", type(exc).__name__)
            return False
        return True

    def _degrade(self, reason: str) -> None:
        self._reason = reason
        log.warning("refresh tokens kept for this session only: %s", reason)


class KeyringWatermarkCopy:
    """The clock watermark in the keyring: a copy outside the data dir, kept by the panel.

    The offline ``status`` imports no keyring, so it does not read this copy; the panel reads it once per
    session and rewrites the file copies from it when they were deleted, after which ``status`` sees them again.
    """

    def __init__(self, store: CredentialStore, paths: AppPaths) -> None:
        self.store = store
        self.name = watermark_key(paths)
        self._known: datetime | None = None
        self._loaded = False

    @property
    def available(self) -> bool:
        return self.store.persistent

    def read(self) -> datetime | None:
        if not self._loaded:  # one keyring round trip per session: this process is the only writer
            self._known = parse_iso(self.store.load_clock_watermark(self.name))
            self._loaded = True
        return self._known

    def write(self, moment: datetime) -> None:
        if self.store.save_clock_watermark(self.name, to_iso(moment)):
            self._known, self._loaded = moment, True
