"""The one place that turns error codes (server ``error.code`` and the client's own) into states and user text.

``state_for_error`` maps licence-check errors onto the state catalogue; ``error_message`` gives an
English msgid plus format arguments for ``app.i18n.tr``. The message text of the server is never shown:
the client maps the code (DESIGN §3).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from app.domain.states import StateCode

# Error codes that are a licence state of DESIGN §5 (answers of activate / validate / reregister).
_STATE_ERRORS: dict[str, StateCode] = {
    "TOO_MANY_MACHINES": StateCode.TOO_MANY_MACHINES,
    "IP_BOUND_TO_OTHER_ACCOUNT": StateCode.IP_BOUND_TO_OTHER_ACCOUNT,
    "ACTIVATION_LIMIT_REACHED": StateCode.ACTIVATION_LIMIT_REACHED,
    "FINGERPRINT_CHANGED": StateCode.FINGERPRINT_CHANGED,
    "LICENCE_EXPIRED": StateCode.EXPIRED,
    "LICENCE_SUSPENDED": StateCode.SUSPENDED,
    "NOT_ACTIVATED_ON_MACHINE": StateCode.NOT_ACTIVATED,
}

GENERIC_MESSAGE = "The server reported an unexpected problem ({code}). Try again later, or contact support."

# code → msgid. Codes whose text needs details are completed in ``error_message``.
_MESSAGES: dict[str, str] = {
    # auth
    "INVALID_CREDENTIALS": "Wrong login or password.",
    "ACCOUNT_LOCKED": "Too many wrong passwords: this login is locked for a while. Try again later, or reset the "
    "password.",
    "WEAK_PASSWORD": "The password is too weak. Use at least 8 Latin characters with an upper-case letter, a "
    "lower-case letter, a digit and a special character.",
    "DUPLICATE_LOGIN": "An account with this mobile number or e-mail already exists. Sign in, or reset its password.",
    "CODE_INVALID": "The verification code is wrong. Check it and type it again.",
    "CODE_EXPIRED": "The verification code has expired. Ask for a new one.",
    "RATE_LIMITED": "Too many attempts. Wait a moment and try again.",
    "UNAUTHORIZED": "Your session has ended. Please sign in again.",
    # general
    "NOT_FOUND": "Not found. It may have been removed, or it belongs to another account.",
    "VALIDATION_ERROR": "Some of the entered information is not valid. Check the fields and try again.",
    "MALFORMED_JSON": "The server could not read the request. Update the panel, or contact support.",
    "BAD_REQUEST": "The server could not read the request. Update the panel, or contact support.",
    "FORBIDDEN": "This account is not allowed to do that.",
    "METHOD_NOT_ALLOWED": "The server does not support this request. Update the panel, or contact support.",
    "PAYLOAD_TOO_LARGE": "The request is too large for the server.",
    "UNSUPPORTED_MEDIA_TYPE": "The server could not read the request. Update the panel, or contact support.",
    "HTTP_ERROR": "The server answered with an error. Try again later.",
    "MAINTENANCE": "The licence server is under maintenance. Your saved licence keeps working; try again later.",
    "INTERNAL_ERROR": "The licence server had an internal error. Try again later, or contact support.",
    # activation
    "INVALID_SERIAL_OR_CDKEY": "The serial number or CDkey is wrong. Check both against your purchase and type "
    "them again.",
    "LICENCE_OWNED_BY_OTHER_ORG": "This serial number is already activated for another organisation. Choose that "
    "organisation, or contact support if it was activated by mistake.",
    "PRODUCT_MISMATCH": "This serial number is for a different product. Check which product you bought.",
    "TOO_MANY_MACHINES": "This licence is already activated on {seats_max} computers, the most it allows. "
    "Deactivate a computer you no longer use, or buy more seats.",
    "IP_BOUND_TO_OTHER_ACCOUNT": "The free edition allows one account per public IP address, and this address is "
    "already used by another account.",
    "ACTIVATION_LIMIT_REACHED": "All activations of the free edition are used up.",
    "FINGERPRINT_CHANGED": "The feature code of this computer has changed. Re-register the computer to keep using "
    "the licence.",
    "LICENCE_EXPIRED": "The licence has expired. Renew it to continue.",
    "LICENCE_SUSPENDED": "The licence has been suspended by the vendor. Contact support.",
    "REREGISTER_LIMIT_REACHED": "This licence cannot be re-registered again this year: the yearly limit is used up. "
    "Contact support.",
    "NOT_ACTIVATED_ON_MACHINE": "This computer is no longer activated for this licence. It may have been "
    "deactivated from another computer; activate it again.",
    # ledgers, purchase, renewal, payment
    "LEDGER_NOT_FOUND": "The ledger was not found. It may have been archived or removed.",
    "PURCHASE_BLOCKED": "Nothing can be bought in the licence's current state. Resolve the problem shown on the "
    "System authentication page first.",
    "LEDGER_YEAR_REQUIRED": "Choose the ledger and fiscal year the purchase is for.",
    "REFUND_WINDOW_CLOSED": "Refunds are possible only within 7 days of payment. Contact support for help.",
    "INVOICE_ISSUED": "An invoice was already issued for this order, so it cannot be refunded here. Contact "
    "support: the invoice is cancelled first, then the refund is made.",
    "CODE_ALREADY_REDEEMED": "This recharge code has already been used.",
    # the client's name for CODE_ALREADY_REDEEMED answered by POST /licences/{id}/addons (issue 6)
    "ADDON_CDKEY_USED": "This add-on CDkey has already been used. Each add-on CDkey activates one licence once.",
    # the client's name for CODE_INVALID answered by POST /recharge-codes/redeem (the server shares the code)
    "RECHARGE_CODE_INVALID": "This recharge code does not exist. Check it and type it again.",
    "LEDGER_COUNT_BELOW_IN_USE": "{in_use} ledgers are in use, but the renewal covers only {requested}. Archive "
    "ledgers you no longer use, or renew more ledgers.",
    "ALREADY_OPENED": "This module is already opened for that ledger and fiscal year; there is no need to buy it "
    "again.",
    "DUPLICATE_ITEM": "The same module is in the order twice. Remove one of them.",
    "INVALID_QUANTITY": "A module is opened once per ledger and fiscal year: the quantity must be 1.",
    "LEDGER_ARCHIVED": "This ledger is archived (read-only), so nothing can be bought for it.",
    "UNKNOWN_SKU": "This item is not sold for your edition. Refresh the list and choose again.",
    "ORDER_NOT_PAID": "This order has not been paid yet.",
    "INVOICE_ALREADY_REQUESTED": "An invoice has already been requested for this order.",
    "RECHARGE_NOT_APPLICABLE": "This licence never expires, so a recharge code cannot extend it.",
    "RENEWAL_NOT_APPLICABLE": "This licence never expires, so there is nothing to renew.",
    "ALREADY_PAID": "This payment has already been completed.",
    "BAD_CALLBACK": "The payment provider's message was not understood. Contact support.",
    "INVALID_SIGNATURE": "The payment provider's message could not be verified. Contact support.",
    "PAYMENT_EXPIRED": "The payment has expired. Place the order again.",
    "AMOUNT_MISMATCH": "The payment amount does not match the order. Refresh the order and pay again, or contact "
    "support.",
    # air-gapped activation (docs/OFFLINE.md): the server's codes, then the client's checks of a response file
    "ORG_REQUIRED": "Choose the organisation that receives the licence: this account has several, or none yet.",
    "OFFLINE_REQUEST_REPLAYED": "This request file has already been used. Make a new request file on the offline "
    "computer.",
    "OFFLINE_VERSION_UNSUPPORTED": "This offline file has a format this program does not read. Update the panel or "
    "the server, or make a new request file.",
    "OFFLINE_RESPONSE_OTHER_REQUEST": "This response file answers another request, not the last one made on this "
    "computer. Nothing was changed. Upload the latest request file and import its response.",
    "OFFLINE_RESPONSE_OTHER_MACHINE": "This response file was made for another computer. Nothing was changed. Import "
    "it on the computer that wrote the request.",
    "OFFLINE_NO_PENDING_REQUEST": "No offline request of this computer is waiting for an answer (a response is "
    "imported only once). Make a request file first.",
    "OFFLINE_FILE_UNREADABLE": "This is not an offline activation file, or it is damaged. Choose the file the "
    "licence server gave you.",
    "OFFLINE_NO_LICENCE": "This computer has no licence to renew or deactivate. Activate it first.",
    # the client's own codes (no server involved)
    "NETWORK_ERROR": "The licence server cannot be reached. Check the internet connection.",
    "TIMEOUT": "The licence server did not answer in time. Check the connection and try again.",
    "PROXY_ERROR": "The proxy server refused the connection. Check the proxy settings.",
    "TLS_ERROR": "The server's certificate could not be verified. If your company inspects secure traffic, set "
    "its CA certificate in the settings.",
    "INVALID_DOCUMENT": "The server sent a licence that does not verify. Nothing was saved; contact support.",
    "NONCE_MISMATCH": "The answer was not made for this request (a stale or replayed answer). Nothing was saved; "
    "try again.",
    "KEYRING_UNAVAILABLE": "No secure password store is available. You stay signed in until the panel is closed.",
}

# Variants used when the details carry the numbers.
_WITH_DETAILS: dict[str, tuple[str, tuple[str, ...]]] = {
    "INVALID_CREDENTIALS": (
        "Wrong login or password. {attempts_left} attempts left before this login is locked.",
        ("attempts_left",),
    ),
    "ACCOUNT_LOCKED": ("Too many wrong passwords: this login is locked until {unlock_at}.", ("unlock_at",)),
    "RATE_LIMITED": ("Too many attempts. Try again in {retry_after} seconds.", ("retry_after",)),
    "ACTIVATION_LIMIT_REACHED": (
        "All {activation_limit} activations of the free edition are used up.",
        ("activation_limit",),
    ),
    "REREGISTER_LIMIT_REACHED": (
        "This licence has been re-registered {used} of {limit} times this year, the most allowed. Contact support.",
        ("used", "limit"),
    ),
    "LEDGER_COUNT_BELOW_IN_USE": (
        "{in_use} ledgers are in use ({ledgers}), but the renewal covers only {requested}. Archive ledgers you no "
        "longer use, or renew more ledgers.",
        ("in_use", "requested", "ledgers"),
    ),
}

# Messages with placeholders, and the text to use when the server sent no such details.
_WITHOUT_DETAILS: dict[str, tuple[str, tuple[str, ...]]] = {
    "TOO_MANY_MACHINES": (
        "This licence is already activated on as many computers as it allows. Deactivate a computer you no "
        "longer use, or buy more seats.",
        ("seats_max",),
    ),
    "LEDGER_COUNT_BELOW_IN_USE": (
        "The renewal covers fewer ledgers than are in use. Archive ledgers you no longer use, or renew more ledgers.",
        ("in_use", "requested"),
    ),
}

KNOWN_CODES = frozenset(_MESSAGES) | frozenset(_STATE_ERRORS)
# Answers that say nothing about the licence itself: keep the last known state when they happen.
NON_STATE_CODES = KNOWN_CODES - frozenset(_STATE_ERRORS)


def state_for_error(code: str) -> StateCode | None:
    """The licence state an error code means; None for errors that are no state (wrong password, network…).

    A code this client does not know comes from a newer server and is a generic blocked state (DESIGN §4).
    """
    if code in _STATE_ERRORS:
        return _STATE_ERRORS[code]
    if code in NON_STATE_CODES:
        return None
    return StateCode.UNKNOWN_BLOCKED


def is_known_error(code: str) -> bool:
    return code in KNOWN_CODES


def error_message(
    code: str, details: Mapping[str, Any] | None = None, *, tz: tzinfo | None = None
) -> tuple[str, dict[str, Any]]:
    """English msgid and its format arguments for ``code``; ``tr(msgid, **fmt)`` makes the user text.

    ``tz`` is the zone times are shown in (default: the computer's local zone).
    """
    details = dict(details or {})
    fmt = _normalise_details(code, details, tz)
    variant = _WITH_DETAILS.get(code)
    if variant and all(fmt.get(name) not in (None, "") for name in variant[1]):
        return variant[0], {name: fmt[name] for name in variant[1]}
    msgid = _MESSAGES.get(code)
    if msgid is None:
        return GENERIC_MESSAGE, {"code": code}
    fallback = _WITHOUT_DETAILS.get(code)
    if fallback and not all(fmt.get(name) not in (None, "") for name in fallback[1]):
        return fallback[0], {}
    return msgid, fmt


def _normalise_details(code: str, details: dict[str, Any], tz: tzinfo | None) -> dict[str, Any]:
    fmt: dict[str, Any] = {
        k: v for k, v in details.items() if isinstance(v, str | int | float) and not isinstance(v, bool)
    }
    if code == "ACCOUNT_LOCKED" and isinstance(details.get("unlock_at"), str):
        fmt["unlock_at"] = format_local_time(details["unlock_at"], tz)
    if code == "REREGISTER_LIMIT_REACHED" and isinstance(details.get("reregistrations"), Mapping):
        fmt.update({k: details["reregistrations"].get(k) for k in ("used", "limit")})
    if code == "LEDGER_COUNT_BELOW_IN_USE" and isinstance(details.get("ledgers"), list):
        # Name the ledgers in use, so the user knows which ones could be archived (DESIGN §6).
        names = [str(x.get("name") or x.get("code")) for x in details["ledgers"] if isinstance(x, Mapping)]
        fmt["ledgers"] = ", ".join(names)
    retry_after = fmt.get("retry_after")
    if code == "RATE_LIMITED" and isinstance(retry_after, float):
        fmt["retry_after"] = max(1, round(retry_after))
    return fmt


def format_local_time(value: str | datetime, tz: tzinfo | None = None) -> str:
    """``YYYY-MM-DD HH:MM`` in ``tz`` (default local); the raw text when it is no ISO date-time."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    except (ValueError, OverflowError, OSError):
        return str(value)


def all_message_ids() -> frozenset[str]:
    """Every msgid ``error_message`` can return (the translation test checks each is translated)."""
    variants = [*_WITH_DETAILS.values(), *_WITHOUT_DETAILS.values()]
    return frozenset(_MESSAGES.values()) | {text for text, _ in variants} | {GENERIC_MESSAGE}
