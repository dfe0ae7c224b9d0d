"""The codes an error can carry on this client: the server's ``ErrorCode``, the client's own, or one it does not know.

The server's codes live in the protocol (``licence_protocol.errors``). The client adds its own for failures no
server answer describes (no network, a licence document that does not verify, a damaged offline file) and for
server codes it words differently where the context is known. A code a newer server invents stays visible as its
text (``UnknownErrorCode``) and means the generic blocked state (docs/PROTOCOL.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from licence_protocol.errors import ErrorCode


class ClientErrorCode(StrEnum):
    """A failure the client finds itself; never sent by a server, so never in the protocol."""

    # The server cannot be reached, or its answer cannot be trusted
    NETWORK_ERROR = "NETWORK_ERROR"
    TIMEOUT = "TIMEOUT"
    PROXY_ERROR = "PROXY_ERROR"
    TLS_ERROR = "TLS_ERROR"
    INVALID_DOCUMENT = "INVALID_DOCUMENT"
    NONCE_MISMATCH = "NONCE_MISMATCH"
    KEYRING_UNAVAILABLE = "KEYRING_UNAVAILABLE"
    UNKNOWN_SIGNING_KEY = "UNKNOWN_SIGNING_KEY"  # a document signed by a key newer than this panel

    # A server code worded for the one screen that knows what was typed
    ADDON_CDKEY_USED = "ADDON_CDKEY_USED"  # CODE_ALREADY_REDEEMED answered for an add-on CDkey
    RECHARGE_CODE_INVALID = "RECHARGE_CODE_INVALID"  # CODE_INVALID answered for a recharge code

    # The client's checks of an offline response file (docs/OFFLINE.md)
    OFFLINE_RESPONSE_OTHER_REQUEST = "OFFLINE_RESPONSE_OTHER_REQUEST"
    OFFLINE_RESPONSE_OTHER_MACHINE = "OFFLINE_RESPONSE_OTHER_MACHINE"
    OFFLINE_NO_PENDING_REQUEST = "OFFLINE_NO_PENDING_REQUEST"
    OFFLINE_FILE_UNREADABLE = "OFFLINE_FILE_UNREADABLE"
    OFFLINE_NO_LICENCE = "OFFLINE_NO_LICENCE"

    # Vouchers posted while the server cannot be reached (app/services/voucher_journal.py)
    OFFLINE_VOUCHER_ALLOWANCE_USED_UP = "OFFLINE_VOUCHER_ALLOWANCE_USED_UP"
    VOUCHERS_LICENCE_NOT_USABLE = "VOUCHERS_LICENCE_NOT_USABLE"


@dataclass(frozen=True)
class UnknownErrorCode:
    """A code this client does not know (a newer server's): shown as its text, worded generically."""

    text: str

    def __str__(self) -> str:
        return self.text


KnownErrorCode = ErrorCode | ClientErrorCode
AnyErrorCode = ErrorCode | ClientErrorCode | UnknownErrorCode


def server_error_code(text: str) -> ErrorCode | UnknownErrorCode:
    """The code of a server's error answer; a code this client does not know stays as its text.

    A client code sent by a server is no client failure: it is unknown like any other new code.
    """
    return ErrorCode.parse(text) or UnknownErrorCode(text)
