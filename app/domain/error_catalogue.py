"""What every error code means on this client: the licence state it is (if any) and the words the user reads.

One table maps each code once, server codes (``ErrorCode``) and the client's own (``ClientErrorCode``) alike.
``state_for_error`` gives the licence state of the catalogue in app/domain/states.py; ``error_message`` an
English msgid plus format arguments for ``app.i18n.tr``. The server's own ``message`` is never shown: the
client words the code and its documented details (docs/PROTOCOL.md).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from types import MappingProxyType
from typing import Any

from licence_protocol.errors import ErrorCode

from app.domain.error_codes import AnyErrorCode, ClientErrorCode, KnownErrorCode, UnknownErrorCode
from app.domain.states import StateCode

GENERIC_MESSAGE = "The server reported an unexpected problem ({code}). Try again later, or contact support."

# Turns an error's raw details into format arguments beyond its plain scalars (dates, nested counts, lists).
DetailReader = Callable[[Mapping[str, Any], tzinfo | None], dict[str, Any]]


@dataclass(frozen=True)
class ErrorMeaning:
    """What one code means. ``message`` is the msgid; its placeholders are filled from the details.

    ``with_details`` replaces it when the details carry every placeholder of the variant (a more precise text);
    ``without_details`` replaces it when the details lack one of ``message``'s own placeholders.
    """

    message: str
    state: StateCode | None = None  # the licence state this answer of activate / validate / reregister means
    with_details: str | None = None
    without_details: str | None = None
    read_details: DetailReader | None = None


def local_moment(value: str, tz: tzinfo | None = None) -> datetime | str:
    """An ISO date-time in ``tz`` (default local), to the minute, for tr() to write in the UI language; the raw
    text when it is no ISO date-time."""
    try:
        return datetime.fromisoformat(value).astimezone(tz).replace(second=0, microsecond=0)
    except (ValueError, OverflowError, OSError):
        return value


def _unlock_time(details: Mapping[str, Any], tz: tzinfo | None) -> dict[str, Any]:
    unlock_at = details.get("unlock_at")
    return {"unlock_at": local_moment(unlock_at, tz)} if isinstance(unlock_at, str) else {}


def _reregistrations(details: Mapping[str, Any], tz: tzinfo | None) -> dict[str, Any]:
    counts = details.get("reregistrations")
    return {k: counts.get(k) for k in ("used", "limit")} if isinstance(counts, Mapping) else {}


def _ledger_names(details: Mapping[str, Any], tz: tzinfo | None) -> dict[str, Any]:
    # Name the ledgers in use, so the user knows which ones could be archived.
    ledgers = details.get("ledgers")
    if not isinstance(ledgers, list):
        return {}
    return {"ledgers": ", ".join(str(x.get("name") or x.get("code")) for x in ledgers if isinstance(x, Mapping))}


def _whole_seconds(details: Mapping[str, Any], tz: tzinfo | None) -> dict[str, Any]:
    retry_after = details.get("retry_after")
    return {"retry_after": max(1, round(retry_after))} if isinstance(retry_after, float) else {}


_UNREADABLE_REQUEST = "The server could not read the request. Update the panel, or contact support."

_CATALOGUE: dict[KnownErrorCode, ErrorMeaning] = {
    # General answers of the HTTP layer
    ErrorCode.BAD_REQUEST: ErrorMeaning(_UNREADABLE_REQUEST),
    ErrorCode.MALFORMED_JSON: ErrorMeaning(_UNREADABLE_REQUEST),
    ErrorCode.VALIDATION_ERROR: ErrorMeaning(
        "Some of the entered information is not valid. Check the fields and try again."
    ),
    ErrorCode.UNAUTHORIZED: ErrorMeaning("Your session has ended. Please sign in again."),
    ErrorCode.FORBIDDEN: ErrorMeaning("This account is not allowed to do that."),
    ErrorCode.NOT_FOUND: ErrorMeaning("Not found. It may have been removed, or it belongs to another account."),
    ErrorCode.METHOD_NOT_ALLOWED: ErrorMeaning(
        "The server does not support this request. Update the panel, or contact support."
    ),
    ErrorCode.PAYLOAD_TOO_LARGE: ErrorMeaning("The request is too large for the server."),
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: ErrorMeaning(_UNREADABLE_REQUEST),
    ErrorCode.RATE_LIMITED: ErrorMeaning(
        "Too many attempts. Wait a moment and try again.",
        with_details="Too many attempts. Try again in {retry_after} seconds.",
        read_details=_whole_seconds,
    ),
    ErrorCode.HTTP_ERROR: ErrorMeaning("The server answered with an error. Try again later."),
    ErrorCode.INTERNAL_ERROR: ErrorMeaning(
        "The licence server had an internal error. Try again later, or contact support."
    ),
    ErrorCode.MAINTENANCE: ErrorMeaning(
        "The licence server is under maintenance. Your saved licence keeps working; try again later."
    ),
    ErrorCode.SERVER_BUSY: ErrorMeaning(
        "The licence server is busy. Your saved licence keeps working; try again in a moment."
    ),
    # Accounts
    ErrorCode.INVALID_CREDENTIALS: ErrorMeaning(
        "Wrong login or password.",
        with_details="Wrong login or password. {attempts_left} attempts left before this login is locked.",
    ),
    ErrorCode.ACCOUNT_LOCKED: ErrorMeaning(
        "Too many wrong passwords: this login is locked for a while. Try again later, or reset the password.",
        with_details="Too many wrong passwords: this login is locked until {unlock_at}.",
        read_details=_unlock_time,
    ),
    ErrorCode.WEAK_PASSWORD: ErrorMeaning(
        "The password is too weak. Use at least 8 Latin characters with an upper-case letter, a lower-case "
        "letter, a digit and a special character."
    ),
    ErrorCode.DUPLICATE_LOGIN: ErrorMeaning(
        "An account with this mobile number or e-mail already exists. Sign in, or reset its password."
    ),
    ErrorCode.CODE_INVALID: ErrorMeaning("The verification code is wrong. Check it and type it again."),
    ErrorCode.CODE_EXPIRED: ErrorMeaning("The verification code has expired. Ask for a new one."),
    # The field's own hint (app.domain.tax_id_hints) names the rule; the panel checks as the user types.
    ErrorCode.INVALID_TAX_ID: ErrorMeaning(
        "The tax id is not valid for the organisation's market. Check it against the registration certificate "
        "and type it again."
    ),
    # Activation and the licence itself
    ErrorCode.INVALID_SERIAL_OR_CDKEY: ErrorMeaning(
        "The serial number or CDkey is wrong. Check both against your purchase and type them again."
    ),
    ErrorCode.LICENCE_OWNED_BY_OTHER_ORG: ErrorMeaning(
        "This serial number is already activated for another organisation. Choose that organisation, or "
        "contact support if it was activated by mistake."
    ),
    ErrorCode.LICENCE_OWNED_BY_OTHER_ACCOUNT: ErrorMeaning(
        "This licence belongs to another account than the one signed in. Sign in with the account that activated it.",
        state=StateCode.ACCOUNT_MISMATCH,
        with_details="This licence belongs to the account {licence_account}, not the one signed in. Sign in as "
        "{licence_account}, or contact support if it was activated to the wrong account.",
    ),
    ErrorCode.PRODUCT_MISMATCH: ErrorMeaning(
        "This serial number is for a different product. Check which product you bought."
    ),
    ErrorCode.TOO_MANY_MACHINES: ErrorMeaning(
        "This licence is already activated on {seats_max} computers, the most it allows. Deactivate a computer "
        "you no longer use, or buy more seats.",
        state=StateCode.TOO_MANY_MACHINES,
        without_details="This licence is already activated on as many computers as it allows. Deactivate a "
        "computer you no longer use, or buy more seats.",
    ),
    ErrorCode.IP_BOUND_TO_OTHER_ACCOUNT: ErrorMeaning(
        "The free edition allows one account per public IP address, and this address is already used by "
        "another account.",
        state=StateCode.IP_BOUND_TO_OTHER_ACCOUNT,
        with_details="The free edition allows one account per public IP address, and this address is already "
        "used by the account {ip_account}.",
    ),
    ErrorCode.ACTIVATION_LIMIT_REACHED: ErrorMeaning(
        "All activations of the free edition are used up.",
        state=StateCode.ACTIVATION_LIMIT_REACHED,
        with_details="All {activation_limit} activations of the free edition are used up.",
    ),
    ErrorCode.FINGERPRINT_CHANGED: ErrorMeaning(
        "The feature code of this computer has changed. Re-register the computer to keep using the licence.",
        state=StateCode.FINGERPRINT_CHANGED,
    ),
    ErrorCode.LICENCE_EXPIRED: ErrorMeaning("The licence has expired. Renew it to continue.", state=StateCode.EXPIRED),
    ErrorCode.LICENCE_SUSPENDED: ErrorMeaning(
        "The licence has been suspended by the vendor. Contact support.", state=StateCode.SUSPENDED
    ),
    ErrorCode.NOT_ACTIVATED_ON_MACHINE: ErrorMeaning(
        "This computer is no longer activated for this licence. It may have been deactivated from another "
        "computer; activate it again.",
        state=StateCode.NOT_ACTIVATED,
    ),
    ErrorCode.REREGISTER_LIMIT_REACHED: ErrorMeaning(
        "This licence cannot be re-registered again this year: the yearly limit is used up. Contact support.",
        with_details="This licence has been re-registered {used} of {limit} times this year, the most allowed. "
        "Contact support.",
        read_details=_reregistrations,
    ),
    ErrorCode.CODE_ALREADY_REDEEMED: ErrorMeaning("This recharge code has already been used."),
    # Ledgers, purchase, renewal, payment
    ErrorCode.LEDGER_NOT_FOUND: ErrorMeaning("The ledger was not found. It may have been archived or removed."),
    ErrorCode.LEDGER_ARCHIVED: ErrorMeaning("This ledger is archived (read-only), so nothing can be bought for it."),
    ErrorCode.LEDGER_YEAR_REQUIRED: ErrorMeaning("Choose the ledger and fiscal year the purchase is for."),
    ErrorCode.LEDGER_LIMIT_EXCEEDED: ErrorMeaning(
        "All ledgers bought are in use ({in_use} of {purchased}). Buy more ledgers, or archive a ledger you no "
        "longer use.",
        without_details="All ledgers bought are in use. Buy more ledgers, or archive a ledger you no longer use.",
    ),
    ErrorCode.LEDGER_CODE_TAKEN: ErrorMeaning(
        "This organisation already has a ledger with the code {code}. Choose another code.",
        without_details="This organisation already has a ledger with this code. Choose another code.",
    ),
    ErrorCode.VOUCHER_QUOTA_EXCEEDED: ErrorMeaning(
        "The vouchers of this ledger and fiscal year are used up ({used} of {quota} used, {requested} more "
        "asked for). Buy vouchers for this ledger-year.",
        without_details="The vouchers of this ledger and fiscal year are used up. Buy vouchers for this ledger-year.",
    ),
    ErrorCode.PURCHASE_BLOCKED: ErrorMeaning(
        "Nothing can be bought in the licence's current state. Resolve the problem shown on the System "
        "authentication page first."
    ),
    ErrorCode.ALREADY_OPENED: ErrorMeaning(
        "This module is already opened for that ledger and fiscal year; there is no need to buy it again."
    ),
    ErrorCode.DUPLICATE_ITEM: ErrorMeaning("The same module is in the order twice. Remove one of them."),
    ErrorCode.INVALID_QUANTITY: ErrorMeaning(
        "A module is opened once per ledger and fiscal year: the quantity must be 1."
    ),
    ErrorCode.UNKNOWN_SKU: ErrorMeaning("This item is not sold for your edition. Refresh the list and choose again."),
    ErrorCode.REFUND_WINDOW_CLOSED: ErrorMeaning(
        "Refunds are possible only within 7 days of payment. Contact support for help."
    ),
    ErrorCode.INVOICE_ISSUED: ErrorMeaning(
        "An invoice was already issued for this order, so it cannot be refunded here. Contact support: the "
        "invoice is cancelled first, then the refund is made."
    ),
    ErrorCode.INVOICE_ALREADY_REQUESTED: ErrorMeaning("An invoice has already been requested for this order."),
    ErrorCode.ORDER_NOT_PAID: ErrorMeaning("This order has not been paid yet."),
    ErrorCode.RECHARGE_NOT_APPLICABLE: ErrorMeaning("This licence never expires, so a recharge code cannot extend it."),
    ErrorCode.RENEWAL_NOT_APPLICABLE: ErrorMeaning("This licence never expires, so there is nothing to renew."),
    ErrorCode.LEDGER_COUNT_BELOW_IN_USE: ErrorMeaning(
        "{in_use} ledgers are in use, but the renewal covers only {requested}. Archive ledgers you no longer "
        "use, or renew more ledgers.",
        with_details="{in_use} ledgers are in use ({ledgers}), but the renewal covers only {requested}. Archive "
        "ledgers you no longer use, or renew more ledgers.",
        without_details="The renewal covers fewer ledgers than are in use. Archive ledgers you no longer use, or "
        "renew more ledgers.",
        read_details=_ledger_names,
    ),
    ErrorCode.MIXED_CURRENCIES: ErrorMeaning(
        "These licences are paid in different currencies ({currencies}). Renew them in one order per currency.",
        without_details="These licences are paid in different currencies. Renew them in one order per currency.",
    ),
    ErrorCode.ALREADY_PAID: ErrorMeaning("This payment has already been completed."),
    ErrorCode.BAD_CALLBACK: ErrorMeaning("The payment provider's message was not understood. Contact support."),
    ErrorCode.INVALID_SIGNATURE: ErrorMeaning("The payment provider's message could not be verified. Contact support."),
    ErrorCode.PAYMENT_EXPIRED: ErrorMeaning("The payment has expired. Place the order again."),
    ErrorCode.AMOUNT_MISMATCH: ErrorMeaning(
        "The payment amount does not match the order. Refresh the order and pay again, or contact support."
    ),
    # Air-gapped activation (docs/OFFLINE.md): the server's codes
    ErrorCode.ORG_REQUIRED: ErrorMeaning(
        "Choose the organisation that receives the licence: this account has several, or none yet."
    ),
    ErrorCode.OFFLINE_REQUEST_REPLAYED: ErrorMeaning(
        "This request file has already been used. Make a new request file on the offline computer."
    ),
    ErrorCode.OFFLINE_VERSION_UNSUPPORTED: ErrorMeaning(
        "This offline file has a format this program does not read. Update the panel or the server, or make a "
        "new request file."
    ),
    # The client's own: no server involved, or a server code worded for its context
    ClientErrorCode.NETWORK_ERROR: ErrorMeaning("The licence server cannot be reached. Check the internet connection."),
    ClientErrorCode.TIMEOUT: ErrorMeaning(
        "The licence server did not answer in time. Check the connection and try again."
    ),
    ClientErrorCode.PROXY_ERROR: ErrorMeaning("The proxy server refused the connection. Check the proxy settings."),
    ClientErrorCode.TLS_ERROR: ErrorMeaning(
        "The server's certificate could not be verified. If your company inspects secure traffic, set its CA "
        "certificate in the settings."
    ),
    ClientErrorCode.INVALID_DOCUMENT: ErrorMeaning(
        "The server sent a licence that does not verify. Nothing was saved; contact support."
    ),
    ClientErrorCode.UNKNOWN_SIGNING_KEY: ErrorMeaning(
        "The server sent a licence signed with a newer vendor key than this panel knows. Nothing was saved; "
        "update the panel.",
        state=StateCode.PANEL_UPDATE_REQUIRED,
    ),
    ClientErrorCode.NONCE_MISMATCH: ErrorMeaning(
        "The answer was not made for this request (a stale or replayed answer). Nothing was saved; try again."
    ),
    ClientErrorCode.KEYRING_UNAVAILABLE: ErrorMeaning(
        "No secure password store is available. You stay signed in until the panel is closed."
    ),
    ClientErrorCode.ADDON_CDKEY_USED: ErrorMeaning(
        "This add-on CDkey has already been used. Each add-on CDkey activates one licence once."
    ),
    ClientErrorCode.RECHARGE_CODE_INVALID: ErrorMeaning(
        "This recharge code does not exist. Check it and type it again."
    ),
    ClientErrorCode.OFFLINE_RESPONSE_OTHER_REQUEST: ErrorMeaning(
        "This response file answers another request, not the last one made on this computer. Nothing was "
        "changed. Upload the latest request file and import its response."
    ),
    ClientErrorCode.OFFLINE_RESPONSE_OTHER_MACHINE: ErrorMeaning(
        "This response file was made for another computer. Nothing was changed. Import it on the computer that "
        "wrote the request."
    ),
    ClientErrorCode.OFFLINE_NO_PENDING_REQUEST: ErrorMeaning(
        "No offline request of this computer is waiting for an answer (a response is imported only once). Make "
        "a request file first."
    ),
    ClientErrorCode.OFFLINE_FILE_UNREADABLE: ErrorMeaning(
        "This is not an offline activation file, or it is damaged. Choose the file the licence server gave you."
    ),
    ClientErrorCode.OFFLINE_NO_LICENCE: ErrorMeaning(
        "This computer has no licence to renew or deactivate. Activate it first."
    ),
    ClientErrorCode.OFFLINE_VOUCHER_ALLOWANCE_USED_UP: ErrorMeaning(
        "The licence server cannot be reached, and this computer may post no more vouchers in this ledger and "
        "fiscal year until it can. Connect to the internet and try again.",
        with_details="The licence server cannot be reached. While offline, this computer may post {allowance} "
        "vouchers in this ledger and fiscal year; {offline_used} are posted, so {requested} more are refused. "
        "Connect to the internet and try again.",
    ),
    ClientErrorCode.VOUCHERS_LICENCE_NOT_USABLE: ErrorMeaning(
        "The licence on this computer is not usable now, so no vouchers can be posted. Open System "
        "authentication (系统认证) to see what to do.",
        with_details="The licence on this computer is not usable now ({state}), so no vouchers can be posted. "
        "Open System authentication (系统认证) to see what to do.",
    ),
}

ERROR_CATALOGUE: Mapping[KnownErrorCode, ErrorMeaning] = MappingProxyType(_CATALOGUE)


def state_for_error(code: AnyErrorCode) -> StateCode | None:
    """The licence state an error code means; None for errors that are no state (wrong password, network…).

    A code this client does not know comes from a newer server and is a generic blocked state.
    """
    meaning = None if isinstance(code, UnknownErrorCode) else _CATALOGUE.get(code)
    return meaning.state if meaning is not None else StateCode.UNKNOWN_BLOCKED


def error_message(
    code: AnyErrorCode, details: Mapping[str, Any] | None = None, *, tz: tzinfo | None = None
) -> tuple[str, dict[str, Any]]:
    """English msgid and its format arguments for ``code``; ``tr(msgid, **fmt)`` makes the user text.

    ``tz`` is the zone times are shown in (default: the computer's local zone).
    """
    meaning = None if isinstance(code, UnknownErrorCode) else _CATALOGUE.get(code)
    if meaning is None:
        return GENERIC_MESSAGE, {"code": str(code)}
    raw = details or {}
    fmt: dict[str, Any] = {k: v for k, v in raw.items() if isinstance(v, str | int | float) and not isinstance(v, bool)}
    if meaning.read_details is not None:
        fmt.update(meaning.read_details(raw, tz))
    if meaning.with_details is not None and _fills(meaning.with_details, fmt):
        return meaning.with_details, {name: fmt[name] for name in placeholders(meaning.with_details)}
    if meaning.without_details is not None and not _fills(meaning.message, fmt):
        return meaning.without_details, {}
    return meaning.message, fmt


def placeholders(text: str) -> frozenset[str]:
    """The ``{name}`` fields of a msgid."""
    return frozenset(field for _, field, _, _ in string.Formatter().parse(text) if field)


def _fills(text: str, fmt: Mapping[str, Any]) -> bool:
    return all(fmt.get(name) not in (None, "") for name in placeholders(text))


def message_ids(meaning: ErrorMeaning) -> tuple[str, ...]:
    """Every msgid one code can be worded with."""
    return tuple(text for text in (meaning.message, meaning.with_details, meaning.without_details) if text)


def all_message_ids() -> frozenset[str]:
    """Every msgid ``error_message`` can return (the translation test checks each is translated)."""
    return frozenset(text for meaning in _CATALOGUE.values() for text in message_ids(meaning)) | {GENERIC_MESSAGE}
