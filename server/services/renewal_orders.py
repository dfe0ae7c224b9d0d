"""What a renewal order adds to an ordinary order, read back: its rows, its lines in words, its notifications.

A renewal order is an ordinary ``Order`` (paid through the same payment and signed callback) with a
``RenewalOrder`` row naming the invoice and notification recipients and one ``RenewalLine`` per licence.
Placing one is ``renewals``; what paying or refunding it does is ``fulfilment``; both tell the recipient here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.languages import DEFAULT_LANGUAGE, LANGUAGES
from server.models import Licence, Organisation, OutboxMessage, RenewalOrder
from server.services.wording import say


def renewal_of(session: Session, order_id: int) -> RenewalOrder | None:
    """The renewal rows of an order; None for an order of items."""
    return session.scalar(select(RenewalOrder).where(RenewalOrder.order_id == order_id))


def organisation_of(session: Session, licence: Licence) -> Organisation | None:
    return session.get(Organisation, licence.organisation_id) if licence.organisation_id else None


def notice_language(renewal: RenewalOrder) -> str:
    """The language notices of this order are written in: the one of the request that placed it."""
    language = renewal.notify_recipient.get("language")
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def lines_text(session: Session, renewal: RenewalOrder) -> str:
    """One line per company, for messages: before payment the quoted expiry, after it the one it got."""
    rows = []
    for line in renewal.lines:
        org = organisation_of(session, line.licence)
        expiry = line.new_expiry or line.quoted_new_expiry
        rows.append(
            say(
                "notify.line",
                notice_language(renewal),
                company=org.name if org else "",
                tax_id=org.tax_id if org else "",
                months=line.months,
                ledgers=line.ledgers,
                expiry=f"{expiry:%Y-%m-%d}",
            )
        )
    return "\n".join(rows)


def notify(session: Session, renewal: RenewalOrder, *, subject: str, body: str, now: datetime) -> None:
    """Tell the recipient chosen on the order, by e-mail when there is one, else by SMS; nobody, when neither."""
    recipient = renewal.notify_recipient
    email, phone = recipient.get("email") or "", recipient.get("phone") or ""
    channel, address = ("email", email) if email else ("sms", phone)
    if not address:
        return
    session.add(OutboxMessage(channel=channel, recipient=address, subject=subject, body=body, created_at=now))
