"""Purchase endpoints: catalogue per ledger-year, orders, refunds, invoices, recharge codes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from server.deps import AccountDep, ClientIpDep, ClockDep, LanguageDep, PublicUrlDep, SessionDep
from server.schemas.common import FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR
from server.schemas.purchase import (
    MAX_ID,
    CatalogueOut,
    InvoiceIn,
    LicenceCatalogueOut,
    OrderIn,
    OrderOut,
    OrdersOut,
    RedeemIn,
    RedeemOut,
    SeatOrderIn,
)
from server.services import catalogue, fulfilment, markets, orders, payments, purchase_policy
from server.services.documents import seats_used
from server.services.seats import seats_max

router = APIRouter(tags=["purchase"])

OrderId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/catalogue", response_model=CatalogueOut)
def get_catalogue(
    account: AccountDep,
    session: SessionDep,
    clock: ClockDep,
    client_ip: ClientIpDep,
    language: LanguageDep,
    licence_id: Annotated[int, Query(ge=1, le=MAX_ID)],
    ledger_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    fiscal_year: Annotated[int | None, Query(ge=FIRST_FISCAL_YEAR, le=LAST_FISCAL_YEAR)] = None,
) -> Any:
    now = clock.now()
    licence = purchase_policy.owned_licence(session, account, licence_id)
    ledger_id, fiscal_year = orders.require_ledger_year(ledger_id, fiscal_year)
    ledger = catalogue.ledger_of_licence(session, licence, ledger_id)
    verdict = purchase_policy.evaluate(session, licence, account, now, client_ip)
    return {
        "licence_id": licence.id,
        "edition": licence.policy.edition,
        "ledger": {"id": ledger.id, "code": ledger.code, "name": ledger.name},
        "fiscal_year": fiscal_year,
        "vouchers": catalogue.voucher_usage(session, licence, ledger.id, fiscal_year),
        "purchase": verdict.as_json(),
        "items": catalogue.catalogue_items(
            session,
            licence,
            ledger,
            fiscal_year,
            verdict.allowed_kinds,
            currency=markets.licence_currency(session, licence.id),
            language=language,
        ),
    }


@router.get("/licences/{licence_id}/catalogue", response_model=LicenceCatalogueOut)
def get_licence_catalogue(
    licence_id: OrderId,
    account: AccountDep,
    session: SessionDep,
    clock: ClockDep,
    client_ip: ClientIpDep,
    language: LanguageDep,
) -> Any:
    """What is sold for the licence as a whole (seat packs), with its seats now; no ledger-year involved."""
    licence = purchase_policy.owned_licence(session, account, licence_id)
    verdict = purchase_policy.evaluate(session, licence, account, clock.now(), client_ip)
    return {
        "licence_id": licence.id,
        "edition": licence.policy.edition,
        "seats": {
            "used": seats_used(session, licence.id),
            "max": seats_max(licence),
            "included": licence.policy.max_machines,
            "extra": licence.extra_seats or 0,
        },
        "purchase": verdict.as_json(),
        "items": catalogue.licence_catalogue_items(
            licence, verdict.allowed_kinds, currency=markets.licence_currency(session, licence.id), language=language
        ),
    }


@router.post("/licences/{licence_id}/seat-orders", status_code=201, response_model=OrderOut)
def create_seat_order(
    licence_id: OrderId,
    body: SeatOrderIn,
    account: AccountDep,
    session: SessionDep,
    clock: ClockDep,
    client_ip: ClientIpDep,
    base: PublicUrlDep,
    language: LanguageDep,
) -> Any:
    """Seat packs for the licence, paid like any order; once paid every seat limit and new document counts them."""
    now = clock.now()
    licence = purchase_policy.owned_licence(session, account, licence_id)
    verdict = purchase_policy.evaluate(session, licence, account, now, client_ip)
    order = orders.create_seat_order(
        session, account=account, licence=licence, verdict=verdict, sku=body.sku, quantity=body.quantity, now=now
    )
    payments.create_payment(session, order, now)
    session.refresh(order)
    return orders.order_json(session, order, now, base, language)


@router.post("/orders", status_code=201, response_model=OrderOut)
def create_order(
    body: OrderIn,
    account: AccountDep,
    session: SessionDep,
    clock: ClockDep,
    client_ip: ClientIpDep,
    base: PublicUrlDep,
    language: LanguageDep,
) -> Any:
    now = clock.now()
    licence = purchase_policy.owned_licence(session, account, body.licence_id)
    verdict = purchase_policy.evaluate(session, licence, account, now, client_ip)
    items = [orders.ItemRequest(i.sku, i.ledger_id, i.fiscal_year, i.quantity) for i in body.items]
    order = orders.create_order(session, account=account, licence=licence, verdict=verdict, items=items, now=now)
    payments.create_payment(session, order, now)
    session.refresh(order)
    return orders.order_json(session, order, now, base, language)


@router.get("/orders", response_model=OrdersOut)
def list_orders(
    account: AccountDep, session: SessionDep, clock: ClockDep, base: PublicUrlDep, language: LanguageDep
) -> Any:
    now = clock.now()
    return {
        "orders": [
            orders.order_json(session, o, now, base, language) for o in orders.list_orders(session, account, now)
        ]
    }


@router.get("/orders/{order_id}", response_model=OrderOut)
def get_order(
    order_id: OrderId,
    account: AccountDep,
    session: SessionDep,
    clock: ClockDep,
    base: PublicUrlDep,
    language: LanguageDep,
) -> Any:
    now = clock.now()
    order = orders.owned_order(session, account, order_id)
    orders.expire_if_due(order, now)
    return orders.order_json(session, order, now, base, language)


@router.post("/orders/{order_id}/refund-request", response_model=OrderOut)
def refund_request(
    order_id: OrderId,
    account: AccountDep,
    session: SessionDep,
    clock: ClockDep,
    base: PublicUrlDep,
    language: LanguageDep,
) -> Any:
    now = clock.now()
    order = orders.request_refund(session, account=account, order_id=order_id, now=now)
    return orders.order_json(session, order, now, base, language)


@router.post("/orders/{order_id}/invoice", response_model=OrderOut)
def invoice_request(
    order_id: OrderId,
    body: InvoiceIn,
    account: AccountDep,
    session: SessionDep,
    clock: ClockDep,
    base: PublicUrlDep,
    language: LanguageDep,
) -> Any:
    now = clock.now()
    order = orders.request_invoice(
        session, account=account, order_id=order_id, title=body.title, tax_id=body.tax_id, email=body.email, now=now
    )
    return orders.order_json(session, order, now, base, language)


@router.post("/recharge-codes/redeem", response_model=RedeemOut)
def redeem(body: RedeemIn, account: AccountDep, session: SessionDep, clock: ClockDep) -> Any:
    now = clock.now()
    licence = purchase_policy.owned_licence(session, account, body.licence_id)
    code = fulfilment.redeem_recharge_code(session, licence=licence, account=account, code=body.code, now=now)
    session.refresh(licence)
    assert licence.expires_at is not None and code.redeemed_at is not None
    return {
        "licence_id": licence.id,
        "months": code.months,
        "expires_at": licence.expires_at.isoformat(),
        "redeemed_at": code.redeemed_at.isoformat(),
    }
