"""Orders: creation at server prices, crediting when paid, refunds, invoices and recharge codes (充值码)."""

from __future__ import annotations

import calendar
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from server.errors import ApiError, not_found
from server.models import (
    Account,
    Entitlement,
    InvoiceRequest,
    LedgerYear,
    Licence,
    Order,
    OrderItem,
    Payment,
    Product,
    RechargeCode,
)
from server.services.catalogue import SKUS, ledger_of_licence, money, opened_modules, price_of
from server.services.purchase_policy import PurchaseVerdict, ensure_can_buy

REFUND_WINDOW = timedelta(days=7)
# Seed 000: once an invoice exists, customer service reverses it (红冲) before refunding.
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
    """Every purchase names one ledger and one fiscal year (DESIGN §6); nothing is guessed."""
    if ledger_id is None or fiscal_year is None:
        raise ApiError("LEDGER_YEAR_REQUIRED", "choose the ledger and the fiscal year first", 422)
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
    lines: list[OrderItem] = []
    seen_modules: set[tuple[str, int, int]] = set()
    for item in items:
        ledger_id, year = require_ledger_year(item.ledger_id, item.fiscal_year)
        unit = price_of(edition, item.sku)
        ledger = ledger_of_licence(session, licence, ledger_id)
        if ledger.archived_at is not None:
            raise ApiError("LEDGER_ARCHIVED", "this ledger is archived", 409, {"ledger_id": ledger.id})
        kind = SKUS[item.sku].kind
        if kind == "module":
            if item.quantity != 1:
                raise ApiError("INVALID_QUANTITY", "a module is opened once per ledger-year", 422, {"sku": item.sku})
            key = (item.sku, ledger.id, year)
            if key in seen_modules:
                raise ApiError("DUPLICATE_ITEM", "the same module is in the order twice", 422, {"sku": item.sku})
            seen_modules.add(key)
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
    for line in lines:
        if line.kind == "module" and line.sku in opened_modules(session, licence.id, line.ledger_id, line.fiscal_year):
            raise ApiError(
                "ALREADY_OPENED",
                "this module is already opened for that ledger and fiscal year",
                409,
                {"sku": line.sku, "ledger_id": line.ledger_id, "fiscal_year": line.fiscal_year},
            )
    order = Order(
        account_id=account.id,
        licence_id=licence.id,
        status="pending_payment",
        amount_minor=sum(line.amount_minor for line in lines),
        currency="CNY",
        created_at=now,
        items=lines,
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


def pay_url(base_url: str, payment_id: str) -> str:
    return f"{base_url.rstrip('/')}/pay/{payment_id}"


def payment_json(payment: Payment, base_url: str) -> dict[str, Any]:
    url = pay_url(base_url, payment.id)
    return {
        "id": payment.id,
        "status": payment.status,
        "method": payment.method,
        "amount": money(payment.amount_minor),
        "expires_at": payment.expires_at.isoformat(),
        "paid_at": payment.paid_at.isoformat() if payment.paid_at else None,
        "pay_url": url,
        "qr_payload": url,
    }


def order_json(session: Session, order: Order, now: datetime, base_url: str) -> dict[str, Any]:
    invoice = _invoice(session, order.id)
    payment = latest_payment(order)
    codes = session.scalars(select(RechargeCode).where(RechargeCode.order_id == order.id).order_by(RechargeCode.id))
    return {
        "id": order.id,
        "licence_id": order.licence_id,
        "status": order.status,
        "amount": money(order.amount_minor),
        "created_at": order.created_at.isoformat(),
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
        "refunded_at": order.refunded_at.isoformat() if order.refunded_at else None,
        "items": [
            {
                "sku": item.sku,
                "kind": item.kind,
                "name_zh": SKUS[item.sku].name_zh,
                "name_en": SKUS[item.sku].name_en,
                "ledger": {"id": item.ledger.id, "code": item.ledger.code, "name": item.ledger.name},
                "ledger_id": item.ledger_id,
                "fiscal_year": item.fiscal_year,
                "quantity": item.quantity,
                "unit_price": money(item.unit_amount_minor),
                "amount": money(item.amount_minor),
            }
            for item in order.items
        ],
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


# ---------------------------------------------------------------- crediting and revoking


def _shift_voucher_quota(session: Session, licence: Licence, ledger_id: int, year: int, delta: int) -> None:
    # One UPDATE with arithmetic in SQL: concurrent credits to the same ledger-year cannot lose one another.
    new_quota = (
        LedgerYear.voucher_quota + delta
        if delta >= 0
        else case((LedgerYear.voucher_quota + delta > 0, LedgerYear.voucher_quota + delta), else_=0)
    )
    result = session.execute(
        update(LedgerYear)
        .where(LedgerYear.ledger_id == ledger_id, LedgerYear.fiscal_year == year)
        .values(voucher_quota=new_quota)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0 and delta > 0:  # type: ignore[attr-defined]
        default = licence.policy.voucher_quota_default
        session.add(LedgerYear(ledger_id=ledger_id, fiscal_year=year, vouchers_used=0, voucher_quota=default + delta))
        session.flush()


def _shift_ledgers_purchased(session: Session, licence_id: int, delta: int) -> None:
    new_count = case((Licence.ledgers_purchased + delta > 0, Licence.ledgers_purchased + delta), else_=0)
    session.execute(
        update(Licence)
        .where(Licence.id == licence_id)
        .values(ledgers_purchased=new_count)
        .execution_options(synchronize_session=False)
    )


def credit_order(session: Session, order: Order, now: datetime) -> None:
    """Apply a paid order: each item on exactly its ledger-year. The caller holds the payment row lock."""
    # Renewal orders extend their licences; renewals build on orders, hence the import here.
    from server.services.renewals import apply_paid_renewal

    apply_paid_renewal(session, order, now)
    licence = session.get(Licence, order.licence_id)
    assert licence is not None
    for item in order.items:
        if item.kind == "module":
            if item.sku not in opened_modules(session, licence.id, item.ledger_id, item.fiscal_year):
                session.add(
                    Entitlement(
                        licence_id=licence.id,
                        ledger_id=item.ledger_id,
                        fiscal_year=item.fiscal_year,
                        module=item.sku,
                        source=f"order:{order.id}",
                        created_at=now,
                    )
                )
        elif item.kind == "vouchers":
            size = SKUS[item.sku].pack_size * item.quantity
            _shift_voucher_quota(session, licence, item.ledger_id, item.fiscal_year, size)
        elif item.kind == "ledgers":
            _shift_ledgers_purchased(session, licence.id, item.quantity)
        elif item.kind == "renewal":
            months = SKUS[item.sku].pack_size * item.quantity
            session.add(_new_recharge_code(months, licence.policy.product_id, now, order_id=order.id))
    order.status = "paid"
    order.paid_at = now
    session.flush()


def _revoke_order(session: Session, order: Order, now: datetime) -> None:
    from server.services.renewals import revoke_paid_renewal

    revoke_paid_renewal(session, order, now)
    session.execute(
        update(Entitlement)
        .where(Entitlement.source == f"order:{order.id}", Entitlement.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    licence = session.get(Licence, order.licence_id)
    assert licence is not None
    for item in order.items:
        if item.kind == "vouchers":
            size = SKUS[item.sku].pack_size * item.quantity
            _shift_voucher_quota(session, licence, item.ledger_id, item.fiscal_year, -size)
        elif item.kind == "ledgers":
            _shift_ledgers_purchased(session, licence.id, -item.quantity)
    codes = session.scalars(
        select(RechargeCode)
        .where(RechargeCode.order_id == order.id, RechargeCode.voided_at.is_(None))
        .with_for_update()
    )
    for code in codes:
        code.voided_at = now
        if code.redeemed_licence_id is not None:  # already added to a licence: take the months back
            target = session.scalar(select(Licence).where(Licence.id == code.redeemed_licence_id).with_for_update())
            if target is not None and target.expires_at is not None:
                target.expires_at = add_months(target.expires_at, -code.months)


# ---------------------------------------------------------------- refunds and invoices


def request_refund(session: Session, *, account: Account, order_id: int, now: datetime) -> Order:
    """Seed 000: refund within 7 days of payment unless an invoice was issued; the sandbox refunds at once."""
    order = owned_order(session, account, order_id, lock=True)
    if order.status != "paid" or order.paid_at is None:
        raise ApiError("ORDER_NOT_PAID", "only a paid order can be refunded", 409, {"status": order.status})
    eligibility = refund_eligibility(order, _invoice(session, order.id), now)
    if eligibility["reason"] == "INVOICE_ISSUED":
        raise ApiError(
            "INVOICE_ISSUED", "an invoice was issued: customer service refunds this order", 409, {"support": SUPPORT}
        )
    if eligibility["reason"] == "REFUND_WINDOW_CLOSED":
        raise ApiError(
            "REFUND_WINDOW_CLOSED",
            "refunds are possible within 7 days of payment",
            409,
            {"paid_at": order.paid_at.isoformat(), "deadline": eligibility["deadline"], "support": SUPPORT},
        )
    _revoke_order(session, order, now)
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
        raise ApiError("ORDER_NOT_PAID", "an invoice needs a paid order", 409, {"status": order.status})
    if _invoice(session, order.id) is not None:
        raise ApiError("INVOICE_ALREADY_REQUESTED", "this order already has an invoice", 409)
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


# ---------------------------------------------------------------- recharge codes (充值码)

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand


def _new_code() -> str:
    chars = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(16))  # 80 bits
    return "RC-" + "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def canonical_code(text: str) -> str | None:
    """Accept the code however it was pasted: case, spaces and dashes do not matter."""
    chars = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(chars) != 18 or not chars.startswith("RC"):
        return None
    body = chars[2:]
    return "RC-" + "-".join(body[i : i + 4] for i in range(0, 16, 4))


def _new_recharge_code(months: int, product_id: int | None, now: datetime, order_id: int | None) -> RechargeCode:
    return RechargeCode(code=_new_code(), months=months, product_id=product_id, order_id=order_id, created_at=now)


def issue_recharge_codes(
    session: Session, *, count: int, months: int, now: datetime, product: Product | None = None
) -> list[str]:
    """Vendor operation (admin CLI, demo data): codes not tied to an order."""
    rows = [_new_recharge_code(months, product.id if product else None, now, None) for _ in range(count)]
    session.add_all(rows)
    session.flush()
    return [row.code for row in rows]


def add_months(when: datetime, months: int) -> datetime:
    index = when.month - 1 + months
    year, month = when.year + index // 12, index % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


def redeem_recharge_code(
    session: Session, *, licence: Licence, account: Account, code: str, now: datetime
) -> RechargeCode:
    """产品充值: extend the licence by the code's months from max(now, current expiry); a code works once."""
    canonical = canonical_code(code)
    row = None
    if canonical is not None:
        row = session.scalar(
            select(RechargeCode)
            .where(RechargeCode.code == canonical)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    if row is None or row.voided_at is not None:
        raise ApiError("CODE_INVALID", "this recharge code does not exist", 404)
    if row.redeemed_at is not None:
        raise ApiError(
            "CODE_ALREADY_REDEEMED",
            "this recharge code was already used",
            409,
            {"redeemed_at": row.redeemed_at.isoformat()},
        )
    locked = session.scalar(
        select(Licence).where(Licence.id == licence.id).with_for_update().execution_options(populate_existing=True)
    )
    assert locked is not None
    if row.product_id is not None and row.product_id != locked.policy.product_id:
        raise ApiError("PRODUCT_MISMATCH", "this recharge code is for another product", 409)
    if locked.status in ("suspended", "revoked"):
        raise ApiError("LICENCE_SUSPENDED", "this licence is suspended", 409)
    if locked.expires_at is None:
        raise ApiError("RECHARGE_NOT_APPLICABLE", "this licence never expires", 409)
    locked.expires_at = add_months(max(now, locked.expires_at), row.months)
    row.redeemed_at = now
    row.redeemed_licence_id = locked.id
    row.redeemed_by_account_id = account.id
    session.flush()
    return row
