"""Subscription renewals: quotes, the cloud ledger-count rule, bulk orders for service accountants.

A renewal order is an ordinary ``Order`` with renewal rows (see ``renewal_orders``); what paying or
refunding one does to its licences is ``fulfilment``.
"""

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
    Ledger,
    Licence,
    Order,
    Organisation,
    RenewalLine,
    RenewalOrder,
)
from server.services import customers, payments
from server.services.catalogue import money
from server.services.documents import iso, ledgers_in_use
from server.services.fulfilment import extended_expiry
from server.services.markets import format_amount, licence_currency
from server.services.orders import owned_order
from server.services.purchase_policy import EXPIRING_SOON_DAYS, owned_licence
from server.services.renewal_orders import lines_text, notify, organisation_of, renewal_of
from server.services.sandbox_provider import pay_url
from server.services.tax_ids import accepted_tax_id, market_of
from server.services.wording import say

PERIODS = (12, 24, 36)
# Per 12 months, in fen: cloud per ledger covered (4 ledgers = the 云盘版 price of a year), standard per licence.
# In VND and IRR: local list prices in whole dong and rials (no minor unit), set per market, not converted.
PRICES_PER_YEAR: dict[str, dict[str, int]] = {
    "CNY": {"cloud": 24_950, "standard": 59_800},
    "VND": {"cloud": 873_000, "standard": 2_090_000},
    "IRR": {"cloud": 34_900_000, "standard": 83_700_000},
}
RENEWABLE_EDITIONS = frozenset(PRICES_PER_YEAR["CNY"])
# Licence states a renewal is refused in; every other state (expired, expiring, over its ledgers…) may renew.
BLOCKED_STATES = ("SUSPENDED", "NOT_ACTIVATED")


# ---------------------------------------------------------------- access and state


def renewable_licence(session: Session, account: Account, licence_id: int) -> Licence:
    """The caller's own licence or one of its customers' (service accountants); anything else answers 404."""
    licence = session.get(Licence, licence_id)
    if licence is not None and customers.is_customer_licence(session, account, licence):
        return licence
    return owned_licence(session, account, licence_id)


def licence_state(session: Session, licence: Licence, now: datetime) -> str:
    """The state code as far as renewing is concerned (docs/PROTOCOL.md, "States"); machines play no part."""
    if licence.status in ("suspended", "revoked"):
        return "SUSPENDED"
    if licence.status != "active":
        return "NOT_ACTIVATED"
    if licence.expires_at is not None and licence.expires_at <= now:
        return "EXPIRED"
    if (
        licence.policy.edition == "cloud"
        and ledgers_in_use(session, licence.organisation_id) > licence.ledgers_purchased
    ):
        return "LEDGER_LIMIT_EXCEEDED"
    if licence.expires_at is not None and licence.expires_at <= now + timedelta(days=EXPIRING_SOON_DAYS):
        return "EXPIRING_SOON"
    return "ACTIVE"


# ---------------------------------------------------------------- quotes


@dataclass(frozen=True)
class Quote:
    licence: Licence
    state: str
    months: int
    ledgers_in_use: int
    ledgers_requested: int
    unit_amount_minor: int
    amount_minor: int
    current_expiry: datetime | None
    new_expiry: datetime
    currency: str  # of the licence organisation's market: what the renewal is priced and paid in

    def as_json(self) -> dict[str, Any]:
        product = self.licence.policy.product
        return {
            "licence_id": self.licence.id,
            "product": {"code": product.code, "name": product.name, "version": product.version},
            "edition": self.licence.policy.edition,
            "state": self.state,
            "months": self.months,
            "ledgers": {
                "in_use": self.ledgers_in_use,
                "requested": self.ledgers_requested,
                "purchased": self.licence.ledgers_purchased,
            },
            "priced_per": "ledger" if self.licence.policy.edition == "cloud" else "licence",
            "unit_price": money(self.unit_amount_minor, self.currency),
            "amount": money(self.amount_minor, self.currency),
            "current_expiry": iso(self.current_expiry),
            "new_expiry": iso(self.new_expiry),
        }


def _ledgers_to_archive(session: Session, organisation_id: int | None) -> list[dict[str, Any]]:
    if organisation_id is None:
        return []
    ledgers = session.scalars(
        select(Ledger)
        .where(Ledger.organisation_id == organisation_id, Ledger.archived_at.is_(None))
        .order_by(Ledger.id)
    )
    return [{"id": ledger.id, "code": ledger.code, "name": ledger.name} for ledger in ledgers]


def quote(session: Session, licence: Licence, *, months: int, ledgers: int | None, now: datetime) -> Quote:
    """Price and new expiry of renewing ``licence``; the refusals a client must explain come first."""
    if months not in PERIODS:
        raise ApiError(ErrorCode.VALIDATION_ERROR, "a renewal runs 12, 24 or 36 months", {"periods": list(PERIODS)})
    edition = licence.policy.edition
    if edition not in RENEWABLE_EDITIONS or (licence.expires_at is None and licence.status == "active"):
        raise ApiError(
            ErrorCode.RENEWAL_NOT_APPLICABLE, "this licence does not expire and cannot be renewed", {"edition": edition}
        )
    state = licence_state(session, licence, now)
    if state in BLOCKED_STATES:
        raise ApiError(
            ErrorCode.PURCHASE_BLOCKED,
            "this licence cannot be renewed in its current state",
            {"state": state, "allowed_kinds": [], "refused_kinds": ["renewal"]},
        )
    in_use = ledgers_in_use(session, licence.organisation_id)
    if edition == "cloud":
        requested = ledgers if ledgers is not None else licence.ledgers_purchased
        # 云盘版: renew 4 ledgers while 5 are in use → archive one first, or renew 5.
        if requested < in_use:
            raise ApiError(
                ErrorCode.LEDGER_COUNT_BELOW_IN_USE,
                "a renewal may not cover fewer ledgers than are in use; archive ledgers or raise the count",
                {
                    "licence_id": licence.id,
                    "in_use": in_use,
                    "requested": requested,
                    "ledgers": _ledgers_to_archive(session, licence.organisation_id),
                },
            )
        units = requested
    else:
        requested = licence.ledgers_purchased  # a standard licence renews flat; its ledger count is unchanged
        units = 1
    currency = licence_currency(session, licence.id)
    unit = PRICES_PER_YEAR[currency][edition]
    return Quote(
        licence=licence,
        state=state,
        months=months,
        ledgers_in_use=in_use,
        ledgers_requested=requested,
        unit_amount_minor=unit,
        amount_minor=unit * units * months // 12,
        current_expiry=licence.expires_at,
        new_expiry=extended_expiry(licence.expires_at, months, now),
        currency=currency,
    )


# ---------------------------------------------------------------- orders


@dataclass(frozen=True)
class LineRequest:
    licence_id: int
    months: int
    ledgers: int | None = None


def _invoice_for(recipient: dict[str, Any], org: Organisation | None) -> dict[str, str]:
    """Invoices to "customer" carry each company's own details; to "other", the details the user typed."""
    if recipient.get("kind") == "customer":
        return {
            "title": org.name if org else "",
            "tax_id": org.tax_id if org else "",
            "email": "",
            "address": "",
        }
    return {
        "title": recipient.get("name") or "",
        "tax_id": recipient.get("tax_id") or "",
        "email": recipient.get("email") or "",
        "address": recipient.get("address") or "",
    }


def _checked_recipient(session: Session, recipient: dict[str, Any], quotes: list[Quote]) -> dict[str, Any]:
    """An invoice to "other" carries the tax id the user typed: it must pass the rule of every market the
    renewed organisations buy in (one invoice, one tax id), and is stored normalised."""
    if recipient.get("kind") != "other" or not str(recipient.get("tax_id") or "").strip():
        return recipient
    tax_id = str(recipient["tax_id"])
    for market in dict.fromkeys(market_of(organisation_of(session, q.licence)) for q in quotes):
        tax_id = accepted_tax_id(market, tax_id, field="invoice_recipient.tax_id")
    return {**recipient, "tax_id": tax_id}


def _resolve_notify(recipient: dict[str, Any], account: Account) -> dict[str, Any]:
    """Notices to "self" go to the ordering account: the service accountant, when one renews for customers."""
    if recipient.get("kind") == "other":
        return {
            "kind": "other",
            "name": recipient.get("name") or "",
            "email": recipient.get("email") or "",
            "phone": recipient.get("phone") or "",
        }
    email = account.login if "@" in account.login else ""
    return {
        "kind": "self",
        "name": account.display_name or account.login,
        "email": email,
        "phone": "" if email else account.login,
    }


def place_renewal_order(
    session: Session,
    *,
    account: Account,
    lines: list[LineRequest],
    invoice_recipient: dict[str, Any],
    notify_recipient: dict[str, Any],
    now: datetime,
    base_url: str,
    language: str = "zh_CN",
) -> Order:
    """One order over one or many licences, priced by the server, with its payment; nothing is stored on refusal.

    One order is paid in one currency: licences of organisations in different markets are renewed apart
    (MIXED_CURRENCIES). Notices go out in ``language``, the request's.
    """
    seen: set[int] = set()
    quotes: list[Quote] = []
    for line in lines:
        if line.licence_id in seen:
            raise ApiError(
                ErrorCode.DUPLICATE_ITEM, "the same licence is in the order twice", {"licence_id": line.licence_id}
            )
        seen.add(line.licence_id)
        licence = renewable_licence(session, account, line.licence_id)
        quotes.append(quote(session, licence, months=line.months, ledgers=line.ledgers, now=now))
    currencies = sorted({q.currency for q in quotes})
    if len(currencies) > 1:
        raise ApiError(
            ErrorCode.MIXED_CURRENCIES,
            "these licences are paid in different currencies: place one renewal order per currency",
            {"currencies": currencies},
        )
    invoice_recipient = _checked_recipient(session, invoice_recipient, quotes)
    order = Order(
        account_id=account.id,
        licence_id=quotes[0].licence.id,  # the column names one licence; the lines name them all
        status="pending_payment",
        amount_minor=sum(q.amount_minor for q in quotes),
        currency=currencies[0],
        created_at=now,
    )
    session.add(order)
    session.flush()
    renewal = RenewalOrder(
        order_id=order.id,
        invoice_recipient=dict(invoice_recipient),
        notify_recipient={**_resolve_notify(notify_recipient, account), "language": language},
    )
    for q in quotes:
        org = organisation_of(session, q.licence)
        invoice = _invoice_for(invoice_recipient, org)
        renewal.lines.append(
            RenewalLine(
                licence_id=q.licence.id,
                months=q.months,
                ledgers=q.ledgers_requested,
                unit_amount_minor=q.unit_amount_minor,
                amount_minor=q.amount_minor,
                quoted_expiry=q.current_expiry,
                quoted_new_expiry=q.new_expiry,
                invoice_title=invoice["title"],
                invoice_tax_id=invoice["tax_id"],
                invoice_email=invoice["email"],
                invoice_address=invoice["address"],
            )
        )
    session.add(renewal)
    payment = payments.create_payment(session, order, now)
    notify(
        session,
        renewal,
        subject=say("notify.placed.subject", language, id=order.id),
        body=say(
            "notify.placed.body",
            language,
            amount=format_amount(order.amount_minor, order.currency),
            url=pay_url(base_url, payment.id),
            until=f"{payment.expires_at:%Y-%m-%d %H:%M}",
        )
        + "\n"
        + lines_text(session, renewal),
        now=now,
    )
    session.flush()
    return order


def owned_renewal_order(session: Session, account: Account, order_id: int) -> tuple[Order, RenewalOrder]:
    order = owned_order(session, account, order_id)
    renewal = renewal_of(session, order.id)
    if renewal is None:
        raise not_found("renewal order")
    return order, renewal


# ---------------------------------------------------------------- JSON


def _line_json(session: Session, line: RenewalLine, currency: str, now: datetime) -> dict[str, Any]:
    licence = line.licence
    org = organisation_of(session, licence)
    product = licence.policy.product
    return {
        "licence_id": licence.id,
        "organisation": {"id": org.id, "name": org.name, "tax_id": org.tax_id} if org else None,
        "product": {"code": product.code, "name": product.name, "version": product.version},
        "edition": licence.policy.edition,
        "months": line.months,
        "ledgers": line.ledgers,
        "unit_price": money(line.unit_amount_minor, currency),
        "amount": money(line.amount_minor, currency),
        # Before payment: the quote at order time. After: what the payment actually did.
        "current_expiry": iso(line.previous_expiry if line.applied_at else line.quoted_expiry),
        "new_expiry": iso(line.new_expiry if line.applied_at else line.quoted_new_expiry),
        "status": "revoked" if line.revoked_at else ("applied" if line.applied_at else "pending"),
        "applied_at": iso(line.applied_at),
        "licence_expires_at": iso(licence.expires_at),
        "licence_status": customers.subscription_status(licence, now),
        "invoice": {
            "title": line.invoice_title,
            "tax_id": line.invoice_tax_id,
            "email": line.invoice_email,
            "address": line.invoice_address,
        },
    }


def renewal_json(session: Session, order: Order, renewal: RenewalOrder, now: datetime) -> dict[str, Any]:
    """What a renewal order adds to the purchase order shape."""
    return {
        "kind": "renewal",
        "renewal": {
            "invoice_recipient": renewal.invoice_recipient,
            "notify_recipient": renewal.notify_recipient,
            "lines": [_line_json(session, line, order.currency, now) for line in renewal.lines],
        },
    }
