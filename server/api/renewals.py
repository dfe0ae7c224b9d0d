"""Renewal endpoints: quotes, renewal orders over one or many licences, a service accountant's customers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy.orm import Session

from server.deps import AccountDep, ClockDep, LanguageDep, PublicUrlDep, SessionDep
from server.models import Account
from server.schemas.purchase import MAX_ID
from server.schemas.renewals import CustomersOut, RenewalIn, RenewalOrderOut, RenewalQuoteOut
from server.services import customers, orders, renewals

router = APIRouter(tags=["renewal"])


def _order_out(
    session: Session, account: Account, order_id: int, now: datetime, base: str, language: str
) -> dict[str, Any]:
    order, renewal = renewals.owned_renewal_order(session, account, order_id)
    orders.expire_if_due(order, now)
    return {
        **orders.order_json(session, order, now, base, language),
        **renewals.renewal_json(session, order, renewal, now),
    }


@router.get("/licences/{licence_id}/renewal-quote", response_model=RenewalQuoteOut)
def renewal_quote(
    licence_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    # Checked by the service (12, 24 or 36): a Literal of ints does not parse from a query string.
    months: Annotated[int, Query(ge=1, le=120)],
    account: AccountDep,
    session: SessionDep,
    clock: ClockDep,
    ledgers: Annotated[int | None, Query(ge=1, le=1000)] = None,
) -> Any:
    """Price and new expiry; LEDGER_COUNT_BELOW_IN_USE names the ledgers to archive (cloud edition)."""
    licence = renewals.renewable_licence(session, account, licence_id)
    return renewals.quote(session, licence, months=months, ledgers=ledgers, now=clock.now()).as_json()


@router.post("/renewals", status_code=201, response_model=RenewalOrderOut)
def place_renewal(
    body: RenewalIn,
    account: AccountDep,
    session: SessionDep,
    clock: ClockDep,
    base: PublicUrlDep,
    language: LanguageDep,
) -> Any:
    """One order over one or many licences (a service accountant's customers), with its payment link."""
    now = clock.now()
    order = renewals.place_renewal_order(
        session,
        account=account,
        lines=[renewals.LineRequest(i.licence_id, i.months, i.ledgers) for i in body.items],
        invoice_recipient=body.invoice_recipient.model_dump(),
        notify_recipient=body.notify_recipient.model_dump(),
        now=now,
        base_url=base,
        language=language,
    )
    session.refresh(order)
    return _order_out(session, account, order.id, now, base, language)


@router.get("/renewals/{order_id}", response_model=RenewalOrderOut)
def get_renewal(
    order_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    account: AccountDep,
    session: SessionDep,
    clock: ClockDep,
    base: PublicUrlDep,
    language: LanguageDep,
) -> Any:
    """The order with each licence's status: after payment, the expiry each one actually got."""
    return _order_out(session, account, order_id, clock.now(), base, language)


@router.get("/customers", response_model=CustomersOut)
def list_customers(
    account: AccountDep,
    session: SessionDep,
    clock: ClockDep,
    q: Annotated[str, Query(max_length=100)] = "",
    sort: Annotated[customers.CustomerSort, Query()] = "name",
) -> Any:
    """A service accountant's customers (one row per licence); other logins answer 403 FORBIDDEN."""
    customers.require_service_accountant(account)
    now = clock.now()
    rows = customers.customer_licences(session, account, query=q, sort=sort)
    return {"customers": [customers.customer_json(session, row, now) for row in rows]}
