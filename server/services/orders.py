"""Orders: creation at server prices, reading, refunds and invoices (what paying or refunding gives: ``fulfilment``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from licence_protocol.errors import ErrorCode
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import ApiError, not_found
from server.models import (
    Account,
    InvoiceRequest,
    Licence,
    Order,
    OrderItem,
    Payment,
    RechargeCode,
)
from server.services.catalogue import (
    CURRENCY,
    SKUS,
    ledger_of_licence,
    licence_price_of,
    money,
    opened_modules,
    price_of,
    refuse_if_sold_elsewhere,
)
from server.services.fulfilment import revoke_order
from server.services.markets import licence_currency, methods_for_currency
from server.services.purchase_policy import PurchaseVerdict, ensure_can_buy
from server.services.sandbox_provider import pay_url
from server.services.tax_ids import accepted_tax_id, market_of_licence

REFUND_WINDOW = timedelta(days=7)
# Once an invoice exists, customer service reverses it (红冲) before refunding.
SUPPORT = {
    "qq_group": "636016246",
    "phone": "021-58350168",
    "email": "service@kuaijihui.com",
    "note": "已开具发票的订单请联系客服,红冲发票后退款。 Orders with an invoice are refunded by customer service "
    "after the invoice is reversed.",
}


@dataclass(frozen=True)
class ItemRequest:
    sku: str
    ledger_id: int | None
    fiscal_year: int | None
    quantity: int = 1


# ---------------------------------------------------------------- creation


def require_ledger_year(ledger_id: int | None, fiscal_year: int | None) -> tuple[int, int]:
    """Every purchase names one ledger and one fiscal year; nothing is guessed (docs/PROTOCOL.md, "HTTP API")."""
    if ledger_id is None or fiscal_year is None:
        raise ApiError(ErrorCode.LEDGER_YEAR_REQUIRED, "choose the ledger and the fiscal year first")
    return ledger_id, fiscal_year


def create_order(
    session: Session,
    *,
    account: Account,
    licence: Licence,
    verdict: PurchaseVerdict,
    items: list[ItemRequest],
    now: datetime,
) -> Order:
    """An order priced by the server only; PURCHASE_BLOCKED or ALREADY_OPENED before anything is stored."""
    edition = licence.policy.edition
    currency = licence_currency(session, licence.id)
    lines: list[OrderItem] = []
    # (sku, ledger, year) of each module line, in order: the ALREADY_OPENED check below names the first one.
    module_keys: list[tuple[str, int, int]] = []
    for item in items:
        refuse_if_sold_elsewhere(item.sku)
        ledger_id, year = require_ledger_year(item.ledger_id, item.fiscal_year)
        unit = price_of(edition, item.sku, currency)
        ledger = ledger_of_licence(session, licence, ledger_id)
        if ledger.archived_at is not None:
            raise ApiError(ErrorCode.LEDGER_ARCHIVED, "this ledger is archived", {"ledger_id": ledger.id})
        kind = SKUS[item.sku].kind
        if kind == "module":
            if item.quantity != 1:
                raise ApiError(ErrorCode.INVALID_QUANTITY, "a module is opened once per ledger-year", {"sku": item.sku})
            key = (item.sku, ledger.id, year)
            if key in module_keys:
                raise ApiError(ErrorCode.DUPLICATE_ITEM, "the same module is in the order twice", {"sku": item.sku})
            module_keys.append(key)
        lines.append(
            OrderItem(
                sku=item.sku,
                kind=kind,
                ledger_id=ledger.id,
                fiscal_year=year,
                quantity=item.quantity,
                unit_amount_minor=unit,
                amount_minor=unit * item.quantity,
            )
        )
    ensure_can_buy(verdict, {line.kind for line in lines})
    for sku, ledger_id, year in module_keys:
        if sku in opened_modules(session, licence.id, ledger_id, year):
            raise ApiError(
                ErrorCode.ALREADY_OPENED,
                "this module is already opened for that ledger and fiscal year",
                {"sku": sku, "ledger_id": ledger_id, "fiscal_year": year},
            )
    order = Order(
        account_id=account.id,
        licence_id=licence.id,
        status="pending_payment",
        amount_minor=sum(line.amount_minor for line in lines),
        currency=currency,
        created_at=now,
        items=lines,
    )
    session.add(order)
    session.flush()
    return order


def create_seat_order(
    session: Session,
    *,
    account: Account,
    licence: Licence,
    verdict: PurchaseVerdict,
    sku: str,
    quantity: int,
    now: datetime,
) -> Order:
    """An order of seat packs for the licence as a whole, priced by the server; paid, it raises the seat maximum.

    The line names no ledger-year, so a licence whose organisation has no ledger yet can buy seats too.
    """
    currency = licence_currency(session, licence.id)
    unit = licence_price_of(licence.policy.edition, sku, currency)
    kind = SKUS[sku].kind
    ensure_can_buy(verdict, {kind})
    line = OrderItem(
        sku=sku,
        kind=kind,
        ledger_id=None,
        fiscal_year=None,
        quantity=quantity,
        unit_amount_minor=unit,
        amount_minor=unit * quantity,
    )
    order = Order(
        account_id=account.id,
        licence_id=licence.id,
        status="pending_payment",
        amount_minor=line.amount_minor,
        currency=currency,
        created_at=now,
        items=[line],
    )
    session.add(order)
    session.flush()
    return order


# ---------------------------------------------------------------- reading


def owned_order(session: Session, account: Account, order_id: int, *, lock: bool = False) -> Order:
    """The caller's order; another account's id answers exactly like a missing one."""
    query = select(Order).where(Order.id == order_id, Order.account_id == account.id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    order = session.scalar(query)
    if order is None:
        raise not_found("order")
    return order


def latest_payment(order: Order) -> Payment | None:
    return order.payments[-1] if order.payments else None


def expire_if_due(order: Order, now: datetime) -> None:
    """An unpaid order whose payment window closed reads as expired."""
    payment = latest_payment(order)
    due = payment is not None and payment.status == "pending" and payment.expires_at <= now
    if order.status == "pending_payment" and payment is not None and due:
        payment.status = "expired"
        order.status = "expired"


def _invoice(session: Session, order_id: int) -> InvoiceRequest | None:
    return session.scalar(select(InvoiceRequest).where(InvoiceRequest.order_id == order_id))


def refund_eligibility(order: Order, invoice: InvoiceRequest | None, now: datetime) -> dict[str, Any]:
    if order.status != "paid" or order.paid_at is None:
        return {"allowed": False, "reason": None, "deadline": None}
    deadline = order.paid_at + REFUND_WINDOW
    reason = None
    if invoice is not None:
        reason = "INVOICE_ISSUED"
    elif now > deadline:
        reason = "REFUND_WINDOW_CLOSED"
    answer: dict[str, Any] = {"allowed": reason is None, "reason": reason, "deadline": deadline.isoformat()}
    if reason is not None:
        answer["support"] = SUPPORT
    return answer


def payment_json(payment: Payment, base_url: str) -> dict[str, Any]:
    url = pay_url(base_url, payment.id)
    return {
        "id": payment.id,
        "status": payment.status,
        "method": payment.method,
        # What the pay page offers for this payment's market, in that order.
        "methods": list(methods_for_currency(payment.currency)),
        "amount": money(payment.amount_minor, payment.currency),
        "expires_at": payment.expires_at.isoformat(),
        "paid_at": payment.paid_at.isoformat() if payment.paid_at else None,
        "pay_url": url,
        "qr_payload": url,
    }


def item_json(item: OrderItem, currency: str = CURRENCY, language: str = "zh_CN") -> dict[str, Any]:
    # A seat line belongs to the licence: it names no ledger-year (both columns are NULL).
    ledger = item.ledger
    return {
        "sku": item.sku,
        "kind": item.kind,
        "name_zh": SKUS[item.sku].name_zh,
        "name_en": SKUS[item.sku].name_en,
        "name": SKUS[item.sku].name(language),
        "ledger": None if ledger is None else {"id": ledger.id, "code": ledger.code, "name": ledger.name},
        "ledger_id": item.ledger_id,
        "fiscal_year": item.fiscal_year,
        "quantity": item.quantity,
        "unit_price": money(item.unit_amount_minor, currency),
        "amount": money(item.amount_minor, currency),
    }


def order_json(session: Session, order: Order, now: datetime, base_url: str, language: str = "zh_CN") -> dict[str, Any]:
    """The order as the API answers it; item names in ``language``, amounts in the order's currency."""
    invoice = _invoice(session, order.id)
    payment = latest_payment(order)
    codes = session.scalars(select(RechargeCode).where(RechargeCode.order_id == order.id).order_by(RechargeCode.id))
    return {
        "id": order.id,
        "licence_id": order.licence_id,
        "status": order.status,
        "amount": money(order.amount_minor, order.currency),
        "created_at": order.created_at.isoformat(),
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
        "refunded_at": order.refunded_at.isoformat() if order.refunded_at else None,
        "items": [item_json(item, order.currency, language) for item in order.items],
        "payment": payment_json(payment, base_url) if payment else None,
        "refund": refund_eligibility(order, invoice, now),
        "invoice": {
            "status": invoice.status if invoice else "none",
            "title": invoice.title if invoice else None,
            "tax_id": invoice.tax_id if invoice else None,
            "email": invoice.email if invoice else None,
            "issued_at": invoice.issued_at.isoformat() if invoice and invoice.issued_at else None,
        },
        "recharge_codes": [
            {
                "code": code.code,
                "months": code.months,
                "status": "voided" if code.voided_at else ("redeemed" if code.redeemed_at else "unused"),
                "redeemed_at": code.redeemed_at.isoformat() if code.redeemed_at else None,
            }
            for code in codes
        ],
    }


def list_orders(session: Session, account: Account, now: datetime) -> list[Order]:
    orders = list(session.scalars(select(Order).where(Order.account_id == account.id).order_by(Order.id.desc())))
    for order in orders:
        expire_if_due(order, now)
    return orders


# ---------------------------------------------------------------- refunds and invoices


def request_refund(session: Session, *, account: Account, order_id: int, now: datetime) -> Order:
    """Refund within 7 days of payment unless an invoice was issued; the sandbox refunds at once."""
    order = owned_order(session, account, order_id, lock=True)
    if order.status != "paid" or order.paid_at is None:
        raise ApiError(ErrorCode.ORDER_NOT_PAID, "only a paid order can be refunded", {"status": order.status})
    eligibility = refund_eligibility(order, _invoice(session, order.id), now)
    if eligibility["reason"] == "INVOICE_ISSUED":
        raise ApiError(
            ErrorCode.INVOICE_ISSUED, "an invoice was issued: customer service refunds this order", {"support": SUPPORT}
        )
    if eligibility["reason"] == "REFUND_WINDOW_CLOSED":
        raise ApiError(
            ErrorCode.REFUND_WINDOW_CLOSED,
            "refunds are possible within 7 days of payment",
            {"paid_at": order.paid_at.isoformat(), "deadline": eligibility["deadline"], "support": SUPPORT},
        )
    revoke_order(session, order, now)
    for payment in order.payments:
        if payment.status == "paid":
            payment.status = "refunded"
    order.status = "refunded"
    order.refunded_at = now
    session.flush()
    return order


def request_invoice(
    session: Session, *, account: Account, order_id: int, title: str, tax_id: str, email: str, now: datetime
) -> Order:
    """The sandbox issues the invoice at once; from then on refunds go through customer service."""
    order = owned_order(session, account, order_id, lock=True)
    if order.status != "paid":
        raise ApiError(ErrorCode.ORDER_NOT_PAID, "an invoice needs a paid order", {"status": order.status})
    if _invoice(session, order.id) is not None:
        raise ApiError(ErrorCode.INVOICE_ALREADY_REQUESTED, "this order already has an invoice")
    # The invoice is issued in the market of the licence's organisation, so its tax id follows that rule.
    tax_id = accepted_tax_id(market_of_licence(session, order.licence_id), tax_id)
    session.add(
        InvoiceRequest(
            order_id=order.id,
            title=title,
            tax_id=tax_id,
            email=email,
            status="issued",
            requested_at=now,
            issued_at=now,
        )
    )
    session.flush()
    return order
