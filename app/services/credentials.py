"""Refresh tokens in the OS keyring (service ``licence-panel``), with a session-only fallback.

Only the refresh token is stored, only in the keyring: never in a file, a log or an exception text.
When no usable keyring backend exists (a headless Linux without Secret Service, a locked or broken
backend), tokens are kept in memory for this session only, ``persistent`` is False and
``unavailable_reason`` says why, so the UI can tell the user "you will have to sign in again".
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING

from licence_protocol.dates import parse_iso

from app.services.cache import to_iso, watermark_key
from app.services.errors import ServiceError
from app.services.paths import AppPaths

# keyring (and the OS backend it picks) is imported on the first credential access, which the panel makes in its
# background start-up check after the first paint: building a store loads nothing.
if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE_NAME = "licence-panel"
# Not SERVICE_NAME: the user names there are logins, and the clock watermark is no credential.
CLOCK_SERVICE_NAME = "licence-panel-clock"


class CredentialError(ServiceError):
    """The keyring failed; the message names the operation and error type, never the secret."""


def _unusable_reason(backend: KeyringBackend) -> str | None:
    from keyring.backends import chainer, fail

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

    def __init__(self, service: str = SERVICE_NAME, backend: KeyringBackend | None = None) -> None:
        self.service = service
        self._memory: dict[str, str] = {}
        self._given = backend
        self._backend: KeyringBackend | None = None
        self._reason: str | None = None
        self._opened = False
        # Two worker threads may make the first access at once (the start-up check, a sign-in): one choice only.
        self._open_lock = threading.Lock()

    @property
    def opened(self) -> bool:
        """True once the backend has been chosen (and keyring imported): by ``open`` or any access."""
        return self._opened

    def open(self) -> KeyringBackend | None:
        """Choose the backend now, once: the given one or the system keyring; None when none can be used."""
        if not self._opened:
            with self._open_lock:
                if not self._opened:
                    self._choose_backend()
                    self._opened = True
        return self._backend

    def _choose_backend(self) -> None:
        try:
            if self._given is not None:
                backend = self._given
            else:
                import keyring

                backend = keyring.get_keyring()
        except Exception as exc:
            self._reason = f"the system keyring cannot be used ({type(exc).__name__})"
        else:
            self._backend = backend
            self._reason = _unusable_reason(backend)
        if self._reason:
            log.warning("refresh tokens kept for this session only: %s", self._reason)

    @property
    def persistent(self) -> bool:
        """True while tokens are saved to a real keyring (False: this session only)."""
        self.open()
        return self._reason is None

    @property
    def unavailable_reason(self) -> str | None:
        self.open()
        return self._reason

    @property
    def backend_name(self) -> str:
        backend = self.open()
        return type(backend).__name__ if backend is not None else "none"

    def save_refresh_token(self, login: str, token: str) -> None:
        """Keep the token for ``login``; on a keyring failure fall back to memory (never raises for it)."""
        self._memory[login] = token
        backend = self.open()
        if not self.persistent or backend is None:
            return
        try:
            backend.set_password(self.service, login, token)
        except Exception as exc:
            self._degrade(f"saving to the keyring failed ({type(exc).__name__})")
        else:
            # Saved for good: drop the memory copy so the keyring stays the single source of truth.
            self._memory.pop(login, None)

    def load_refresh_token(self, login: str) -> str | None:
        if login in self._memory:
            return self._memory[login]
        backend = self.open()
        if not self.persistent or backend is None:
            return None
        try:
            return backend.get_password(self.service, login)
        except Exception as exc:
            log.warning("reading the keyring failed (%s)", type(exc).__name__)
            return None

    def delete(self, login: str) -> None:
        """Forget ``login``'s token everywhere. Raises CredentialError if the keyring refuses."""
        self._memory.pop(login, None)
        backend = self.open()
        if not self.persistent or backend is None:
            return
        from keyring.errors import PasswordDeleteError  # loaded with the backend: a lookup in sys.modules

        try:
            backend.delete_password(self.service, login)
        except PasswordDeleteError:
            pass  # nothing stored: already forgotten
        except Exception as exc:
            # `from None`: the backend's exception chain is not ours to vouch for.
            raise CredentialError(f"deleting from the keyring failed ({type(exc).__name__})") from None

    def load_clock_watermark(self, name: str) -> str | None:
        """The clock watermark copy ``name`` kept in the keyring; None without one or without a keyring."""
        backend = self.open()
        if not self.persistent or backend is None:
            return None
        try:
            return backend.get_password(CLOCK_SERVICE_NAME, name)
        except Exception as exc:
            log.warning("reading the clock watermark from the keyring failed (%s)", type(exc).__name__)
            return None

    def save_clock_watermark(self, name: str, value: str) -> bool:
        """Keep a clock watermark copy; False when it could not be (no memory fallback: it is no secret)."""
        backend = self.open()
        if not self.persistent or backend is None:
            return False
        try:
            backend.set_password(CLOCK_SERVICE_NAME, name, value)
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

    The panel defers it (``defer_until_keyring_opens``) so its first paint loads no keyring: until something opens
    the keyring — its background start-up check does, in ``LicenceService.restore_session`` — the copy is
    unavailable, reads as nothing and writes nothing. See ``defer_until_keyring_opens`` for why that stays safe.
    """

    def __init__(self, store: CredentialStore, paths: AppPaths) -> None:
        self.store = store
        self.name = watermark_key(paths)
        self._known: datetime | None = None
        self._loaded = False
        self._deferred = False

    def defer_until_keyring_opens(self) -> None:
        """Leave the keyring closed for now; the copy counts from the moment ``store`` is opened.

        Still safe against a clock set back: meanwhile the state is evaluated from the data dir's copies and the
        document's signed server time, exactly what the offline ``status`` (the host program's check) always uses;
        a write made meanwhile is dropped, never stored over a later keyring value, and the ``max`` of all copies
        counts once this one is read. The panel reads it moments after its first paint, on the start-up check's
        worker thread, and re-evaluates the state with it before the check ends.
        """
        self._deferred = True

    @property
    def _usable(self) -> bool:
        return not self._deferred or self.store.opened

    @property
    def available(self) -> bool:
        return self._usable and self.store.persistent

    def read(self) -> datetime | None:
        if not self._usable:
            return None  # not read yet (not "absent": the first read after the keyring opens asks it)
        if not self._loaded:  # one keyring round trip per session: this process is the only writer
            self._known = parse_iso(self.store.load_clock_watermark(self.name))
            self._loaded = True
        return self._known

    def write(self, moment: datetime) -> None:
        if self._usable and self.store.save_clock_watermark(self.name, to_iso(moment)):
            self._known, self._loaded = moment, True
