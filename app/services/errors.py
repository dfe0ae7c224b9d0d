"""The client's one error hierarchy for online calls; user text is made in app/domain/error_catalogue.py only.

Every ``str()`` here is safe to log: it names a code, a kind or a status, never a token, password,
CDkey or the server's free-text message (which may echo input).
"""

from __future__ import annotations

from typing import Any, Literal

from app.domain.error_codes import AnyErrorCode

NetworkErrorKind = Literal["dns", "connect", "timeout", "proxy", "tls", "bad_response"]


class ServiceError(Exception):
    """Base of every error a service call raises; the UI catches this one class."""


class ApiError(ServiceError):
    """The server answered in the one error shape (docs/PROTOCOL.md); callers map ``code``, never ``message``."""

    def __init__(
        self,
        code: AnyErrorCode,
        message: str = "",
        details: dict[str, Any] | None = None,
        status: int = 0,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(str(code))
        # The server's ErrorCode; a newer server's code stays visible as UnknownErrorCode. A screen that knows
        # what was typed may re-raise it under a ClientErrorCode that words it for that context.
        self.code: AnyErrorCode = code
        self.message = message  # the server's words: for logs and support, not for the UI
        self.details = details or {}
        self.status = status
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"{self.code} (HTTP {self.status})" if self.status else str(self.code)

    def __repr__(self) -> str:
        return f"ApiError(code={str(self.code)!r}, status={self.status!r}, retry_after={self.retry_after!r})"


class NetworkError(ServiceError):
    """The server could not be reached, or what answered was not our API (``bad_response``)."""

    def __init__(self, kind: NetworkErrorKind, detail: str = "", *, status: int | None = None) -> None:
        super().__init__(kind)
        self.kind: NetworkErrorKind = kind
        self.detail = detail  # an exception class name or a short reason, never a URL with credentials
        self.status = status

    def __str__(self) -> str:
        parts = [f"network error: {self.kind}"]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.detail:
            parts.append(self.detail)
        return ", ".join(parts)


class RefusedError(ServiceError):
    """The client refuses by its own rules, no server involved (an offline allowance used up); ``code`` is a
    ``ClientErrorCode`` worded by app/domain/error_catalogue.py with ``details``."""

    def __init__(self, code: AnyErrorCode, details: dict[str, Any] | None = None) -> None:
        super().__init__(str(code))
        self.code: AnyErrorCode = code
        self.details = details or {}


class InvalidDocumentError(ServiceError):
    """A licence document from the server fails verification or does not echo our nonce; never cached."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CancelledError(ServiceError):
    """The user cancelled the call; its result (if it ever arrives) is discarded."""

    def __init__(self) -> None:
        super().__init__("cancelled")


class NotSignedInError(ServiceError):
    """The call needs a signed-in account and there is none (or its session could not be refreshed)."""

    def __init__(self, reason: str = "not signed in") -> None:
        super().__init__(reason)
