"""What a licence gets when an order is paid or a recharge code redeemed, and what a refund takes back.

Chosen by the kind of order: a renewal order (one with a ``RenewalOrder`` row) extends every licence it
covers; any other order credits its items, each on exactly its ledger-year: a module opened, a voucher
pack added to the quota, a ledger added to the cloud edition's count, or a recharge code (充值码) issued
to be redeemed later. A refund reverses each of these. Every function runs in the caller's transaction,
which already holds the lock of the payment or order row, so a payment is credited or revoked once.
"""

from __future__ import annotations

from datetime import datetime

from licence_protocol.dates import add_months
from licence_protocol.errors import ErrorCode
from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from server.db import rows_updated
from server.errors import ApiError
from server.models import Account, Entitlement, LedgerYear, Licence, Order, OrderItem, RechargeCode, RenewalOrder
from server.services.catalogue import SKUS, opened_modules
from server.services.markets import format_amount
from server.services.recharge_codes import canonical_code, new_code
from server.services.renewal_orders import lines_text, notice_language, notify, renewal_of
from server.services.seats import shift_extra_seats
from server.services.wording import say


def renewal_start(current_expiry: datetime | None, now: datetime) -> datetime:
    """Months added stack on a future expiry; an expired licence starts again from now."""
    return current_expiry if current_expiry is not None and current_expiry > now else now


def extended_expiry(current_expiry: datetime | None, months: int, now: datetime) -> datetime:
    """The expiry after adding ``months`` (a renewal or a recharge code): what a quote promises and payment gives."""
    return add_months(renewal_start(current_expiry, now), months)


def credit_order(session: Session, order: Order, now: datetime) -> None:
    """Apply a paid order and mark it paid."""
    renewal = renewal_of(session, order.id)
    if renewal is not None:
        _credit_renewal(session, order, renewal, now)
    else:
        _credit_items(session, order, now)
    order.status = "paid"
    order.paid_at = now
    session.flush()


def revoke_order(session: Session, order: Order, now: datetime) -> None:
    """Take back what a refunded order gave; the caller marks the order and its payment refunded."""
    renewal = renewal_of(session, order.id)
    if renewal is not None:
        _revoke_renewal(session, renewal, now)
    else:
        _revoke_items(session, order, now)
    session.flush()


# ---------------------------------------------------------------- orders of items


def _credit_items(session: Session, order: Order, now: datetime) -> None:
    licence = session.get(Licence, order.licence_id)
    assert licence is not None
    for item in order.items:
        if item.kind == "module":
            ledger_id, year = _ledger_year(item)
            if item.sku not in opened_modules(session, licence.id, ledger_id, year):
                session.add(
                    Entitlement(
                        licence_id=licence.id,
                        ledger_id=ledger_id,
                        fiscal_year=year,
                        module=item.sku,
                        source=_source(order),
                        created_at=now,
                    )
                )
        elif item.kind == "vouchers":
            size = SKUS[item.sku].pack_size * item.quantity
            _shift_voucher_quota(session, licence, *_ledger_year(item), size)
        elif item.kind == "ledgers":
            _shift_ledgers_purchased(session, licence.id, item.quantity)
        elif item.kind == "seats":
            shift_extra_seats(session, licence.id, SKUS[item.sku].pack_size * item.quantity)
        elif item.kind == "renewal":
            months = SKUS[item.sku].pack_size * item.quantity
            session.add(
                RechargeCode(
                    code=new_code(),
                    months=months,
                    product_id=licence.policy.product_id,
                    order_id=order.id,
                    created_at=now,
                )
            )


def _revoke_items(session: Session, order: Order, now: datetime) -> None:
    session.execute(
        update(Entitlement)
        .where(Entitlement.source == _source(order), Entitlement.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    licence = session.get(Licence, order.licence_id)
    assert licence is not None
    for item in order.items:
        if item.kind == "vouchers":
            size = SKUS[item.sku].pack_size * item.quantity
            _shift_voucher_quota(session, licence, *_ledger_year(item), -size)
        elif item.kind == "ledgers":
            _shift_ledgers_purchased(session, licence.id, -item.quantity)
        elif item.kind == "seats":
            shift_extra_seats(session, licence.id, -SKUS[item.sku].pack_size * item.quantity)
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


def _ledger_year(item: OrderItem) -> tuple[int, int]:
    """The ledger-year a module or voucher line credits; only lines of the whole licence (seats) have none."""
    if item.ledger_id is None or item.fiscal_year is None:
        # create_order requires both for these kinds: a line without them is corrupt storage, not a user error.
        raise ValueError(f"order line {item.id} ({item.kind}) names no ledger-year")
    return item.ledger_id, item.fiscal_year


def _source(order: Order) -> str:
    # Entitlements name the order that opened them, so a refund closes exactly those.
    return f"order:{order.id}"


def _shift_voucher_quota(session: Session, licence: Licence, ledger_id: int, year: int, delta: int) -> None:
    # One UPDATE with arithmetic in SQL: concurrent credits to the same ledger-year cannot lose one another.
    new_quota = (
        LedgerYear.voucher_quota + delta
        if delta >= 0
        else case((LedgerYear.voucher_quota + delta > 0, LedgerYear.voucher_quota + delta), else_=0)
    )
    updated = rows_updated(
        session,
        update(LedgerYear)
        .where(LedgerYear.ledger_id == ledger_id, LedgerYear.fiscal_year == year)
        .values(voucher_quota=new_quota),
    )
    if updated == 0 and delta > 0:
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


# ---------------------------------------------------------------- renewal orders


def _credit_renewal(session: Session, order: Order, renewal: RenewalOrder, now: datetime) -> None:
    """Extend every covered licence and tell the order's recipient.

    Each new expiry is computed now, from the licence's expiry as it is now, so two paid renewals of one
    licence stack. Licences are locked in id order so concurrent credits cannot deadlock.
    """
    by_licence = {line.licence_id: line for line in renewal.lines}
    locked = session.scalars(
        select(Licence)
        .where(Licence.id.in_(by_licence))
        .order_by(Licence.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    for licence in locked:
        line = by_licence[licence.id]
        line.previous_expiry = licence.expires_at
        line.previous_ledgers = licence.ledgers_purchased
        licence.expires_at = extended_expiry(licence.expires_at, line.months, now)
        if licence.policy.edition == "cloud":  # only the cloud edition sells a ledger count
            licence.ledgers_purchased = line.ledgers
        line.new_expiry = licence.expires_at
        line.applied_at = now
    session.flush()
    notify(
        session,
        renewal,
        subject=say("notify.paid.subject", notice_language(renewal), id=order.id),
        body=say("notify.paid.body", notice_language(renewal), amount=format_amount(order.amount_minor, order.currency))
        + "\n"
        + lines_text(session, renewal),
        now=now,
    )


def _revoke_renewal(session: Session, renewal: RenewalOrder, now: datetime) -> None:
    """Take back the months and ledgers the order added (from a later renewal's expiry, if one came since)."""
    for line in renewal.lines:
        if line.applied_at is None or line.revoked_at is not None:
            continue
        licence = session.scalar(
            select(Licence)
            .where(Licence.id == line.licence_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if licence is None or licence.expires_at is None:
            continue
        if licence.expires_at == line.new_expiry:
            licence.expires_at = line.previous_expiry
        else:
            licence.expires_at = add_months(licence.expires_at, -line.months)
        if line.previous_ledgers is not None and licence.ledgers_purchased == line.ledgers:
            licence.ledgers_purchased = line.previous_ledgers
        line.revoked_at = now


# ---------------------------------------------------------------- recharge codes (充值码)


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
        raise ApiError(ErrorCode.CODE_INVALID, "this recharge code does not exist")
    if row.redeemed_at is not None:
        raise ApiError(
            ErrorCode.CODE_ALREADY_REDEEMED,
            "this recharge code was already used",
            {"redeemed_at": row.redeemed_at.isoformat()},
        )
    locked = session.scalar(
        select(Licence).where(Licence.id == licence.id).with_for_update().execution_options(populate_existing=True)
    )
    assert locked is not None
    if row.product_id is not None and row.product_id != locked.policy.product_id:
        raise ApiError(ErrorCode.PRODUCT_MISMATCH, "this recharge code is for another product")
    if locked.status in ("suspended", "revoked"):
        raise ApiError(ErrorCode.LICENCE_SUSPENDED, "this licence is suspended")
    if locked.expires_at is None:
        raise ApiError(ErrorCode.RECHARGE_NOT_APPLICABLE, "this licence never expires")
    locked.expires_at = extended_expiry(locked.expires_at, row.months, now)
    row.redeemed_at = now
    row.redeemed_licence_id = locked.id
    row.redeemed_by_account_id = account.id
    session.flush()
    return row
