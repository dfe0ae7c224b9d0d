"""Every error code the licence server answers, with its HTTP status and the shape of its details.

An error body is always ``{"error": {"code", "message", "details"}}``. Clients act on ``code`` (a member
of ``ErrorCode``) and the documented ``details`` keys, never on the English ``message``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """A stable error code; ``status`` is the HTTP status it is answered with, ``details`` its detail keys."""

    status: int
    details: tuple[str, ...]

    def __new__(cls, value: str, status: int, details: tuple[str, ...] = ()) -> ErrorCode:
        member = str.__new__(cls, value)
        member._value_ = value
        member.status = status
        member.details = details
        return member

    # General answers of the HTTP layer
    BAD_REQUEST = "BAD_REQUEST", 400
    MALFORMED_JSON = "MALFORMED_JSON", 400
    VALIDATION_ERROR = "VALIDATION_ERROR", 422, ("errors", "periods")
    UNAUTHORIZED = "UNAUTHORIZED", 401, ("reason",)
    FORBIDDEN = "FORBIDDEN", 403
    NOT_FOUND = "NOT_FOUND", 404
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED", 405
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE", 413
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE", 415
    RATE_LIMITED = "RATE_LIMITED", 429, ("retry_after",)
    HTTP_ERROR = "HTTP_ERROR", 400
    INTERNAL_ERROR = "INTERNAL_ERROR", 500
    MAINTENANCE = "MAINTENANCE", 503, ("ends_at", "title", "retry_after")
    SERVER_BUSY = "SERVER_BUSY", 503, ("retry_after",)

    # Accounts
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS", 401, ("attempts_left",)
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED", 423, ("unlock_at", "retry_after")
    WEAK_PASSWORD = "WEAK_PASSWORD", 422, ("failed_rules", "min_length")
    DUPLICATE_LOGIN = "DUPLICATE_LOGIN", 409
    CODE_INVALID = "CODE_INVALID", 400, ("attempts_left",)
    CODE_EXPIRED = "CODE_EXPIRED", 400, ("expired_at",)
    # A tax id that breaks its market's rule (licence_protocol.tax_ids): "rule" is a TaxIdRule value
    INVALID_TAX_ID = "INVALID_TAX_ID", 422, ("market", "rule", "field")

    # Activation and the licence itself
    INVALID_SERIAL_OR_CDKEY = "INVALID_SERIAL_OR_CDKEY", 400
    LICENCE_OWNED_BY_OTHER_ORG = "LICENCE_OWNED_BY_OTHER_ORG", 409, ("same_account", "organisation_id")
    LICENCE_OWNED_BY_OTHER_ACCOUNT = "LICENCE_OWNED_BY_OTHER_ACCOUNT", 403, ("licence_account",)
    PRODUCT_MISMATCH = "PRODUCT_MISMATCH", 409, ("licence_product", "requested_product")
    TOO_MANY_MACHINES = "TOO_MANY_MACHINES", 409, ("licence_id", "seats_used", "seats_max", "machines")
    IP_BOUND_TO_OTHER_ACCOUNT = "IP_BOUND_TO_OTHER_ACCOUNT", 403, ("ip_account",)
    ACTIVATION_LIMIT_REACHED = "ACTIVATION_LIMIT_REACHED", 403, ("activations_used", "activation_limit")
    FINGERPRINT_CHANGED = "FINGERPRINT_CHANGED", 409, ("machine_id", "changed", "reregistrations")
    LICENCE_EXPIRED = "LICENCE_EXPIRED", 403, ("expires_at",)
    LICENCE_SUSPENDED = "LICENCE_SUSPENDED", 403, ("status",)
    NOT_ACTIVATED_ON_MACHINE = "NOT_ACTIVATED_ON_MACHINE", 404
    REREGISTER_LIMIT_REACHED = "REREGISTER_LIMIT_REACHED", 429, ("used", "limit")
    CODE_ALREADY_REDEEMED = "CODE_ALREADY_REDEEMED", 409, ("redeemed_at",)

    # Ledgers, purchase, renewal, payment
    LEDGER_NOT_FOUND = "LEDGER_NOT_FOUND", 404, ("ledger_id",)
    LEDGER_ARCHIVED = "LEDGER_ARCHIVED", 409, ("ledger_id",)
    LEDGER_YEAR_REQUIRED = "LEDGER_YEAR_REQUIRED", 422
    LEDGER_LIMIT_EXCEEDED = "LEDGER_LIMIT_EXCEEDED", 403, ("purchased", "in_use")
    LEDGER_CODE_TAKEN = "LEDGER_CODE_TAKEN", 409, ("code",)
    VOUCHER_QUOTA_EXCEEDED = "VOUCHER_QUOTA_EXCEEDED", 409, ("used", "quota", "requested")
    PURCHASE_BLOCKED = "PURCHASE_BLOCKED", 409, ("state", "allowed_kinds", "refused_kinds")
    ALREADY_OPENED = "ALREADY_OPENED", 409, ("sku", "ledger_id", "fiscal_year")
    DUPLICATE_ITEM = "DUPLICATE_ITEM", 422, ("sku", "licence_id")
    INVALID_QUANTITY = "INVALID_QUANTITY", 422, ("sku",)
    UNKNOWN_SKU = "UNKNOWN_SKU", 422, ("sku",)
    REFUND_WINDOW_CLOSED = "REFUND_WINDOW_CLOSED", 409, ("paid_at", "deadline", "support")
    INVOICE_ISSUED = "INVOICE_ISSUED", 409, ("support",)
    INVOICE_ALREADY_REQUESTED = "INVOICE_ALREADY_REQUESTED", 409
    ORDER_NOT_PAID = "ORDER_NOT_PAID", 409, ("status",)
    RECHARGE_NOT_APPLICABLE = "RECHARGE_NOT_APPLICABLE", 409
    RENEWAL_NOT_APPLICABLE = "RENEWAL_NOT_APPLICABLE", 409, ("edition",)
    LEDGER_COUNT_BELOW_IN_USE = "LEDGER_COUNT_BELOW_IN_USE", 409, ("licence_id", "in_use", "requested", "ledgers")
    # One renewal order is paid in one currency: licences of organisations in different markets are renewed apart
    MIXED_CURRENCIES = "MIXED_CURRENCIES", 422, ("currencies",)
    ALREADY_PAID = "ALREADY_PAID", 409
    BAD_CALLBACK = "BAD_CALLBACK", 400
    INVALID_SIGNATURE = "INVALID_SIGNATURE", 401
    PAYMENT_EXPIRED = "PAYMENT_EXPIRED", 409, ("expires_at",)
    AMOUNT_MISMATCH = "AMOUNT_MISMATCH", 409, ("expected",)

    # Air-gapped activation by request and response files
    ORG_REQUIRED = "ORG_REQUIRED", 422, ("organisations",)
    OFFLINE_REQUEST_REPLAYED = "OFFLINE_REQUEST_REPLAYED", 409
    OFFLINE_VERSION_UNSUPPORTED = "OFFLINE_VERSION_UNSUPPORTED", 422, ("version", "supported")

    @classmethod
    def parse(cls, text: Any) -> ErrorCode | None:
        """The member named ``text``; None for a code this version does not know (a newer server's)."""
        member = cls._value2member_map_.get(text) if isinstance(text, str) else None
        return member if isinstance(member, cls) else None


def error_body(code: ErrorCode, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The one JSON shape of every error answer."""
    return {"error": {"code": code.value, "message": message, "details": details or {}}}
