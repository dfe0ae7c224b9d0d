"""The sandbox payment provider: its pay page for one payment, and the signed callback it sends when paid.

It plays the part a real provider would: WeChat Pay and Alipay in China, VietQR, MoMo and VNPay in Vietnam, a
Shaparak card gateway in Iran (the methods of the payment's market, ``markets.PAYMENT_METHODS``). The payer opens
``pay_url`` in a browser, presses pay, and the provider posts a signed callback to the merchant, which is this
same server (``payments.receive_callback``) reached over HTTP like any provider would reach it. No real money
moves.
"""

from __future__ import annotations

import json
import logging
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from licence_protocol.errors import ErrorCode
from sqlalchemy.orm import Session

from server.context import ServerContext
from server.db import session_scope
from server.errors import ApiError, not_found
from server.models import Order, Payment
from server.services.markets import methods_for_currency
from server.services.payments import SIGNATURE_HEADER, callback_secret, log_id, sign
from server.services.renewal_orders import organisation_of, renewal_of

log = logging.getLogger(__name__)

PROVIDER_TIMEOUT_S = 5.0


def pay_url(base_url: str, payment_id: str) -> str:
    """The provider's page for one payment (also the QR code's payload)."""
    return f"{base_url.rstrip('/')}/pay/{payment_id}"


@dataclass(frozen=True)
class PayPageView:
    payment: Payment
    order: Order
    items: list[dict[str, Any]]
    remaining_s: int
    state: str  # pending | paid | expired | refunded
    # A renewal order: one line per company (what the payer is paying for, when the order has no items).
    renewal_lines: list[dict[str, Any]] = field(default_factory=list)


def pay_page_view(ctx: ServerContext, payment_id: str) -> PayPageView:
    now = ctx.clock.now()
    with session_scope(ctx.sessions) as session:
        payment = session.get(Payment, payment_id)
        if payment is None:
            raise not_found("payment")
        order = payment.order
        items = [
            {
                # None on a line of the whole licence (a seat pack): the page names no ledger-year for it.
                "name": item.ledger.name if item.ledger is not None else None,
                "code": item.ledger.code if item.ledger is not None else None,
                "fiscal_year": item.fiscal_year,
                "kind": item.kind,
                "sku": item.sku,
                "quantity": item.quantity,
                "amount_minor": item.amount_minor,
            }
            for item in order.items
        ]
        state = payment.status
        if state == "pending" and payment.expires_at <= now:
            state = "expired"
        remaining = max(0, int((payment.expires_at - now).total_seconds()))
        return PayPageView(payment, order, items, remaining, state, _renewal_lines(session, order))


def _renewal_lines(session: Session, order: Order) -> list[dict[str, Any]]:
    renewal = renewal_of(session, order.id)
    if renewal is None:
        return []
    lines = []
    for line in renewal.lines:
        org = organisation_of(session, line.licence)
        lines.append(
            {
                "company": org.name if org else "",
                "tax_id": org.tax_id if org else "",
                "months": line.months,
                # Before payment the quoted expiry; after it, the one the payment actually gave.
                "new_expiry": line.new_expiry or line.quoted_new_expiry,
                "amount_minor": line.amount_minor,
            }
        )
    return lines


def press_pay(ctx: ServerContext, payment_id: str, method: str, merchant_base_url: str) -> str:
    """The payer pressed pay: the provider sends its signed callback to the merchant over HTTP.

    Returns the outcome shown to the payer: ``paid``, ``expired`` or an error code. Runs outside any
    database transaction of the caller, so the merchant can take its own locks while we wait.
    """
    now = ctx.clock.now()
    with session_scope(ctx.sessions) as session:
        payment = session.get(Payment, payment_id)
        if payment is None:
            raise not_found("payment")
        methods = methods_for_currency(payment.currency)
        if method not in methods:
            raise ApiError(ErrorCode.BAD_REQUEST, "choose one of this payment's methods: " + ", ".join(methods))
        if payment.status in ("paid", "refunded"):
            return "paid"
        if payment.status == "expired" or payment.expires_at <= now:
            return "expired"
        payment.method = method
        body = {
            "payment_id": payment.id,
            "amount_minor": payment.amount_minor,
            "currency": payment.currency,
            "provider_txn_id": "SBX" + secrets.token_hex(12),
            "paid_at": now.isoformat(),
            "status": "paid",
            "method": method,
        }
    raw = json.dumps(body, separators=(",", ":")).encode("utf-8")
    request = urllib.request.Request(
        f"{merchant_base_url.rstrip('/')}/api/v1/payments/{payment_id}/callback",
        data=raw,
        method="POST",
        headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(callback_secret(ctx.settings), raw)},
    )
    # Loopback or the operator's own address: never through an environment proxy.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=PROVIDER_TIMEOUT_S) as response:
            answer = json.loads(response.read() or b"{}")
            return "paid" if answer.get("status") == "paid" else "pending"
    except urllib.error.HTTPError as exc:
        return _refusal(exc)
    except (urllib.error.URLError, TimeoutError, OSError):
        log.warning("sandbox provider could not reach the merchant callback (payment %s)", log_id(payment_id))
        return "PROVIDER_UNREACHABLE"


def _refusal(exc: urllib.error.HTTPError) -> str:
    """What the payer is shown when the merchant refused the callback: expired, or the error code."""
    try:
        code = str(json.loads(exc.read())["error"]["code"])
    except (ValueError, KeyError, TypeError):
        code = "PROVIDER_ERROR"
    return "expired" if code == ErrorCode.PAYMENT_EXPIRED else code
