"""Renewal rules the panel shows: periods, the expiry banner, the new-expiry preview, the quote, which ledgers to
archive, customers, bulk-renewal review rows, the recipient checks and the renewal request.

Pure Python over the typed answers of the renewal endpoints (docs/ARCHITECTURE.md "Renewals"); no Qt, no I/O.
Texts are English msgids (marked with ``N_`` so the translation test finds them) plus format arguments; the UI
passes them through ``tr``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from licence_protocol.dates import add_months

from app.domain.error_codes import AnyErrorCode
from app.domain.ledgers import LicenceLedgers
from app.domain.money import Money
from app.domain.msgids import N_
from app.domain.wire import JsonReader, ResponseFormatError

PERIODS: tuple[int, ...] = (12, 24, 36)
DEFAULT_PERIOD = 12
# EXPIRING_SOON starts 30 days before expiry; the banner shows from then on, and after expiry.
BANNER_DAYS = 30

Severity = Literal["warning", "error"]


# -- dates -----------------------------------------------------------------------------------------


def renewal_start(current_expiry: datetime | None, now: datetime) -> datetime:
    """A renewal stacks on a future expiry; an expired (or never dated) licence starts again from today."""
    return current_expiry if current_expiry is not None and current_expiry > now else now


def new_expiry_preview(current_expiry: datetime | None, now: datetime, months: int) -> datetime:
    """What the server will quote; shown while the quote is on its way (the server's answer wins)."""
    return add_months(renewal_start(current_expiry, now), months)


@dataclass(frozen=True)
class Banner:
    severity: Severity
    msgid: str
    fmt: Mapping[str, Any] = field(default_factory=dict)


def banner_for(expires_at: datetime | None, now: datetime) -> Banner | None:
    """The page's reminder: from 30 days before expiry (warning) and after it (error); None otherwise."""
    if expires_at is None:
        return None
    date = expires_at.astimezone().date()  # tr() writes it in the UI language's calendar
    if expires_at <= now:
        days = max(1, int((now - expires_at).total_seconds() // 86400))
        return Banner(
            "error",
            N_("The subscription expired {days} day(s) ago, on {date}. Renew now: the new period starts today."),
            {"days": days, "date": date},
        )
    if expires_at <= now + timedelta(days=BANNER_DAYS):
        days = int((expires_at - now).total_seconds() // 86400)
        if days == 0:
            return Banner(
                "warning",
                N_("The subscription expires today ({date}). Renew now to keep working without a break."),
                {"date": date},
            )
        return Banner(
            "warning",
            N_(
                "The subscription expires in {days} day(s), on {date}. Renew now: the new period is added to the "
                "current one, so no day is lost."
            ),
            {"days": days, "date": date},
        )
    return None


# -- the quote ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuoteLedgers:
    in_use: int
    requested: int
    purchased: int


@dataclass(frozen=True)
class RenewalQuote:
    """``GET /licences/{id}/renewal-quote``: the server's price and new expiry, shown before anything is ordered."""

    licence_id: int
    state: str  # ACTIVE | EXPIRING_SOON | EXPIRED | LEDGER_LIMIT_EXCEEDED
    months: int
    ledgers: QuoteLedgers
    priced_per: str  # ledger (cloud) | licence (standard)
    unit_price: Money  # per 12 months
    amount: Money
    current_expiry: datetime | None
    new_expiry: datetime

    @classmethod
    def from_json(cls, data: Any) -> RenewalQuote:
        r = JsonReader(data, "quote")
        ledgers = r.child("ledgers")
        return cls(
            licence_id=r.integer("licence_id"),
            state=r.text("state"),
            months=r.integer("months"),
            ledgers=QuoteLedgers(ledgers.integer("in_use"), ledgers.integer("requested"), ledgers.integer("purchased")),
            priced_per=r.text("priced_per"),
            unit_price=Money.read(r.child("unit_price")),
            amount=Money.read(r.child("amount")),
            current_expiry=r.optional_moment("current_expiry"),
            new_expiry=r.moment("new_expiry"),
        )


@dataclass(frozen=True)
class QuoteRefusal:
    """A customer the server would not quote for (in a bulk renewal): the error code and its words for the user."""

    code: AnyErrorCode
    message: str


QuoteOutcome = RenewalQuote | QuoteRefusal


# -- the cloud ledger-count rule ---------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerInUse:
    id: int
    code: str
    name: str
    vouchers_used: int = 0  # in its latest fiscal year: the least-used ledgers are suggested first

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}".strip() if self.name and not self.name.startswith(self.code) else self.name


def ledgers_in_use(ledgers: LicenceLedgers) -> list[LedgerInUse]:
    """The ledgers still in use (not archived), with the vouchers of each one's latest fiscal year."""
    out = []
    for ledger in ledgers.ledgers:
        if ledger.archived:
            continue
        latest = ledger.latest_year
        out.append(LedgerInUse(ledger.id, ledger.code, ledger.name, latest.vouchers.used if latest else 0))
    return out


@dataclass(frozen=True)
class LedgerShortfall:
    """LEDGER_COUNT_BELOW_IN_USE: more ledgers are in use than the renewal covers; ``ledgers`` names them."""

    in_use: int
    requested: int
    ledgers: tuple[LedgerInUse, ...] = ()

    @property
    def to_archive(self) -> int:
        return archive_shortfall(self.in_use, self.requested)

    @classmethod
    def from_details(cls, details: Mapping[str, Any]) -> LedgerShortfall:
        """From the error's details. They only add to the message, so a malformed part reads as unknown (0, or
        no name) instead of failing the page that shows the way out."""

        def count(key: str) -> int:
            value = details.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else 0

        named = []
        listed = details.get("ledgers")
        for index, item in enumerate(listed if isinstance(listed, list) else []):
            try:
                r = JsonReader(item, f"details.ledgers[{index}]")
                named.append(LedgerInUse(r.integer("id"), r.text("code"), r.text("name")))
            except ResponseFormatError:
                continue
        return cls(count("in_use"), count("requested"), tuple(named))


def archive_shortfall(in_use: int, requested: int) -> int:
    """How many ledgers must be archived before renewing ``requested`` ledgers (0: none)."""
    return max(0, in_use - requested)


def suggest_archive(ledgers: Iterable[LedgerInUse], count: int) -> list[int]:
    """Ids of the ``count`` least-used ledgers (fewest vouchers this year, then the latest code): a suggestion
    the user confirms or changes, never an automatic choice."""
    if count <= 0:
        return []
    ranked = sorted(ledgers, key=lambda x: (x.vouchers_used, _neg(x.code), -x.id))
    return [x.id for x in ranked[:count]]


def _neg(text: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in text)


# -- customers and bulk renewal --------------------------------------------------------------------

CUSTOMER_STATUS: dict[str, str] = {
    "active": N_("Active"),
    "expiring_soon": N_("Expiring soon"),
    "expired": N_("Expired"),
    "suspended": N_("Suspended"),
}
LINE_STATUS: dict[str, str] = {
    "pending": N_("Awaiting payment"),
    "applied": N_("Renewed"),
    "revoked": N_("Refunded"),
}


@dataclass(frozen=True)
class Customer:
    licence_id: int
    organisation_id: int
    name: str
    tax_id: str
    product: str
    edition: str
    expires_at: datetime | None
    status: str  # active | expiring_soon | expired | suspended
    ledgers_in_use: int = 0
    ledgers_purchased: int = 0

    @property
    def renewable(self) -> bool:
        return self.status != "suspended" and self.expires_at is not None

    @classmethod
    def read(cls, r: JsonReader) -> Customer:
        product, ledgers = r.child("product"), r.child("ledgers")
        return cls(
            licence_id=r.integer("licence_id"),
            organisation_id=r.integer("organisation_id"),
            name=r.text("name"),
            tax_id=r.text("tax_id"),
            product=f"{product.text('name')} {product.text_or_empty('version')}".strip(),
            edition=r.text("edition"),
            expires_at=r.optional_moment("expires_at"),
            status=r.text("status"),
            ledgers_in_use=ledgers.integer("in_use"),
            ledgers_purchased=ledgers.integer("purchased"),
        )


def customers_from(answer: Any) -> list[Customer]:
    """``GET /customers``: ``{customers: [...]}``, one row per licence."""
    return [Customer.read(c) for c in JsonReader(answer, "answer").required_items("customers")]


def filter_customers(customers: Iterable[Customer], query: str) -> list[Customer]:
    """By company name or tax id, case- and space-insensitive (a tax id is often typed in pieces)."""
    text = "".join(query.split()).lower()
    if not text:
        return list(customers)
    return [c for c in customers if text in "".join(c.name.split()).lower() or text in c.tax_id.lower()]


def sort_customers(customers: Iterable[Customer], by_expiry: bool) -> list[Customer]:
    """Soonest expiry first (the ones to renew now lead), perpetual last; else by name."""
    if by_expiry:
        return sorted(customers, key=lambda c: (c.expires_at is None, c.expires_at or datetime.max, c.name))
    return sorted(customers, key=lambda c: (c.name, c.licence_id))


def find_by_tax_id(customers: Iterable[Customer], tax_id: str) -> Customer | None:
    """The "add row" picker: an exact tax id (spaces and case ignored), else the only one containing it."""
    wanted = "".join(tax_id.split()).upper()
    if not wanted:
        return None
    pool = list(customers)
    exact = [c for c in pool if c.tax_id.upper() == wanted]
    if exact:
        return exact[0]
    partial = [c for c in pool if wanted in c.tax_id.upper()]
    return partial[0] if len(partial) == 1 else None


# -- recipients --------------------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,18}[0-9]$")
_TAX_ID = re.compile(r"^[0-9A-Za-z\-]{8,20}$")  # 18-char 统一社会信用代码, 10/13-digit Vietnamese MST, others


@dataclass(frozen=True)
class InvoiceRecipient:
    kind: Literal["customer", "other"] = "customer"
    name: str = ""
    tax_id: str = ""
    email: str = ""
    address: str = ""

    def as_json(self) -> dict[str, str]:
        if self.kind == "customer":
            return {"kind": "customer"}
        return {
            "kind": "other",
            "name": self.name.strip(),
            "tax_id": self.tax_id.strip(),
            "email": self.email.strip(),
            "address": self.address.strip(),
        }


@dataclass(frozen=True)
class NotifyRecipient:
    kind: Literal["self", "other"] = "self"
    name: str = ""
    email: str = ""
    phone: str = ""

    def as_json(self) -> dict[str, str]:
        if self.kind == "self":
            return {"kind": "self"}
        return {"kind": "other", "name": self.name.strip(), "email": self.email.strip(), "phone": self.phone.strip()}


def invoice_problems(recipient: InvoiceRecipient) -> list[str]:
    """Msgids of what is missing or wrong; empty when the recipient may be sent."""
    if recipient.kind == "customer":
        return []
    problems = []
    if not recipient.name.strip():
        problems.append(N_("Enter the name the invoice is made out to."))
    if recipient.tax_id.strip() and not _TAX_ID.match(recipient.tax_id.strip()):
        problems.append(N_("The invoice tax id should be 8 to 20 letters or digits."))
    if recipient.email.strip() and not _EMAIL.match(recipient.email.strip()):
        problems.append(N_("The invoice e-mail address is not valid."))
    return problems


def notify_problems(recipient: NotifyRecipient) -> list[str]:
    if recipient.kind == "self":
        return []
    problems = []
    email, phone = recipient.email.strip(), recipient.phone.strip()
    if not email and not phone:
        problems.append(N_("Enter an e-mail address or a phone number for the notifications."))
    if email and not _EMAIL.match(email):
        problems.append(N_("The notification e-mail address is not valid."))
    if phone and not _PHONE.match(phone):
        problems.append(N_("The notification phone number is not valid."))
    return problems


@dataclass(frozen=True)
class RenewalItem:
    """One licence to renew; ``ledgers`` only for the cloud edition (None: renew flat)."""

    licence_id: int
    months: int
    ledgers: int | None = None

    def to_json(self) -> dict[str, int]:
        item = {"licence_id": self.licence_id, "months": self.months}
        if self.ledgers is not None:
            item["ledgers"] = self.ledgers
        return item


@dataclass(frozen=True)
class RenewalRequest:
    """``POST /renewals``: the licences and who gets the invoice and the notices; the server prices everything."""

    items: tuple[RenewalItem, ...]
    invoice: InvoiceRecipient = field(default_factory=InvoiceRecipient)
    notify: NotifyRecipient = field(default_factory=NotifyRecipient)

    def to_json(self) -> dict[str, Any]:
        return {
            "items": [item.to_json() for item in self.items],
            "invoice_recipient": self.invoice.as_json(),
            "notify_recipient": self.notify.as_json(),
        }


@dataclass(frozen=True)
class ReviewRow:
    """One customer in the bulk review list: its quote's price and new expiry, or the refusal (``problem``)."""

    customer: Customer
    months: int
    amount_minor: int | None
    currency: str
    new_expiry: datetime | None
    invoice_title: str
    invoice_tax_id: str
    problem: AnyErrorCode | None = None  # an error code the server answered for this customer's quote
    problem_text: str = ""  # that refusal in the user's words


def review_rows(
    selected: Iterable[tuple[Customer, int]],
    quotes: Mapping[int, QuoteOutcome],
    invoice: InvoiceRecipient,
) -> list[ReviewRow]:
    """Per customer: period, price and new expiry from its quote, and who the invoice is made out to."""
    rows = []
    for customer, months in selected:
        outcome = quotes.get(customer.licence_id)
        quote = outcome if isinstance(outcome, RenewalQuote) else None
        if invoice.kind == "customer":
            title, tax_id = customer.name, customer.tax_id
        else:
            title, tax_id = invoice.name.strip(), invoice.tax_id.strip()
        rows.append(
            ReviewRow(
                customer=customer,
                months=months,
                amount_minor=quote.amount.amount_minor if quote is not None else None,
                currency=quote.amount.currency if quote is not None else "CNY",
                new_expiry=quote.new_expiry if quote is not None else None,
                invoice_title=title,
                invoice_tax_id=tax_id,
                problem=outcome.code if isinstance(outcome, QuoteRefusal) else None,
                problem_text=outcome.message if isinstance(outcome, QuoteRefusal) else "",
            )
        )
    return rows


def review_total(rows: Iterable[ReviewRow]) -> int:
    return sum(r.amount_minor or 0 for r in rows)


def review_currency(rows: Iterable[ReviewRow]) -> str:
    """The currency the review's total is in: the quotes' (the server refuses one order in two currencies)."""
    return next((r.currency for r in rows if r.amount_minor is not None), "CNY")


def order_ready(rows: list[ReviewRow], confirmed: bool) -> bool:
    """ "Place order" needs the tick, at least one row, and every row quoted without a refusal."""
    return confirmed and bool(rows) and all(r.problem is None and r.amount_minor is not None for r in rows)
