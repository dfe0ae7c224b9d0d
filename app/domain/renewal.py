"""Renewal rules the panel shows (DESIGN §5, §6; seeds 000 and 003): periods, the expiry banner, the new-expiry
preview, which ledgers to archive, bulk-renewal review rows and the recipient checks.

Pure Python over the JSON shapes of the renewal endpoints; no Qt, no I/O. Texts are English msgids (marked with
``N_`` so the translation test finds them) plus format arguments; the UI passes them through ``tr``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

PERIODS: tuple[int, ...] = (12, 24, 36)
DEFAULT_PERIOD = 12
# DESIGN §5: EXPIRING_SOON starts 30 days before expiry; the banner shows from then on, and after expiry.
BANNER_DAYS = 30

Severity = Literal["warning", "error"]


def N_(msgid: str) -> str:
    """Mark a msgid for translation (the UI calls ``tr`` on it)."""
    return msgid


# -- dates -----------------------------------------------------------------------------------------


def parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def add_months(moment: datetime, months: int) -> datetime:
    """Calendar months, the day clamped to the month's end (29 Feb + 12 months → 28 Feb), as the server does."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


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
    date = expires_at.astimezone().strftime("%Y-%m-%d")
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


def ledgers_in_use(ledgers_answer: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> list[LedgerInUse]:
    """The ledgers still in use (not archived), from ``GET /licences/{id}/ledgers`` or an error's ``ledgers``."""
    rows = (ledgers_answer.get("ledgers") or []) if isinstance(ledgers_answer, Mapping) else ledgers_answer
    out = []
    for ledger in rows:
        if ledger.get("archived"):
            continue
        years = sorted(ledger.get("years") or [], key=lambda y: int(y.get("fiscal_year", 0)))
        used = int((years[-1].get("vouchers") or {}).get("used") or 0) if years else 0
        out.append(LedgerInUse(int(ledger["id"]), str(ledger.get("code", "")), str(ledger.get("name", "")), used))
    return out


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


# -- customers and bulk renewal (seed 003) ---------------------------------------------------------

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


def customers_from(answer: Mapping[str, Any]) -> list[Customer]:
    out = []
    for c in answer.get("customers") or []:
        product = c.get("product") or {}
        ledgers = c.get("ledgers") or {}
        out.append(
            Customer(
                licence_id=int(c["licence_id"]),
                organisation_id=int(c.get("organisation_id", 0)),
                name=str(c.get("name", "")),
                tax_id=str(c.get("tax_id", "")),
                product=f"{product.get('name', '')} {product.get('version', '')}".strip(),
                edition=str(c.get("edition", "")),
                expires_at=parse_time(c.get("expires_at")),
                status=str(c.get("status", "")),
                ledgers_in_use=int(ledgers.get("in_use") or 0),
                ledgers_purchased=int(ledgers.get("purchased") or 0),
            )
        )
    return out


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


def renewal_body(
    lines: Iterable[tuple[int, int, int | None]], invoice: InvoiceRecipient, notify: NotifyRecipient
) -> dict[str, Any]:
    """``POST /renewals``: (licence_id, months, ledgers or None) per line; the server prices everything."""
    items = []
    for licence_id, months, ledgers in lines:
        item: dict[str, Any] = {"licence_id": int(licence_id), "months": int(months)}
        if ledgers is not None:
            item["ledgers"] = int(ledgers)
        items.append(item)
    return {"items": items, "invoice_recipient": invoice.as_json(), "notify_recipient": notify.as_json()}


@dataclass(frozen=True)
class ReviewRow:
    """One customer in the bulk review list; ``quote`` is the server's answer (or None if it refused)."""

    customer: Customer
    months: int
    amount_minor: int | None
    currency: str
    new_expiry: datetime | None
    invoice_title: str
    invoice_tax_id: str
    problem: str | None = None  # an error code the server answered for this customer's quote


def review_rows(
    selected: Iterable[tuple[Customer, int]],
    quotes: Mapping[int, Mapping[str, Any]],
    invoice: InvoiceRecipient,
) -> list[ReviewRow]:
    """Per customer: period, price and new expiry from its quote, and who the invoice is made out to."""
    rows = []
    for customer, months in selected:
        quote = quotes.get(customer.licence_id) or {}
        amount = quote.get("amount") or {}
        if invoice.kind == "customer":
            title, tax_id = customer.name, customer.tax_id
        else:
            title, tax_id = invoice.name.strip(), invoice.tax_id.strip()
        rows.append(
            ReviewRow(
                customer=customer,
                months=months,
                amount_minor=int(amount["amount_minor"]) if "amount_minor" in amount else None,
                currency=str(amount.get("currency", "CNY")),
                new_expiry=parse_time(quote.get("new_expiry")),
                invoice_title=title,
                invoice_tax_id=tax_id,
                problem=str(quote["error"]) if quote.get("error") else None,
            )
        )
    return rows


def review_total(rows: Iterable[ReviewRow]) -> int:
    return sum(r.amount_minor or 0 for r in rows)


def order_ready(rows: list[ReviewRow], confirmed: bool) -> bool:
    """ "Place order" needs the tick, at least one row, and every row quoted without a refusal."""
    return confirmed and bool(rows) and all(r.problem is None and r.amount_minor is not None for r in rows)
