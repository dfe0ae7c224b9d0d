"""Orders as the server answers them (docs/ARCHITECTURE.md "Purchase and payments", "Renewals"): lines with their
ledger-year, the payment, the refund rule, the invoice, recharge codes and, for a renewal, a line per licence.

Pure Python; each ``from_json`` is tolerant of extra fields and strict on the ones the panel reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from licence_protocol.errors import ErrorCode

from app.domain.error_codes import UnknownErrorCode, server_error_code
from app.domain.ledgers import LedgerRef
from app.domain.money import Money
from app.domain.wire import JsonReader, ResponseFormatError

REFUND_DAYS = 7
# Polling stops at these: they no longer change by themselves.
FINAL_STATUSES = frozenset({"paid", "expired", "refunded"})


@dataclass(frozen=True)
class OrderItem:
    """One line of ``POST /orders``: the one target ledger-year and a quantity, never a price (the server prices)."""

    sku: str
    ledger_id: int
    fiscal_year: int
    quantity: int = 1

    def to_json(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "ledger_id": self.ledger_id,
            "fiscal_year": self.fiscal_year,
            "quantity": self.quantity,
        }


@dataclass(frozen=True)
class OrderLine:
    sku: str
    kind: str
    name_zh: str
    name_en: str
    ledger: LedgerRef | None  # None on a line of the whole licence (a seat pack)
    fiscal_year: int | None
    quantity: int
    amount: Money
    # In the language the panel asked for (Accept-Language); empty from a server that does not send it.
    name_local: str = ""

    @classmethod
    def read(cls, r: JsonReader) -> OrderLine:
        return cls(
            sku=r.text("sku"),
            kind=r.text("kind"),
            name_zh=r.text("name_zh"),
            name_en=r.text("name_en"),
            ledger=LedgerRef.read(ledger) if (ledger := r.optional_child("ledger")) is not None else None,
            fiscal_year=r.optional_integer("fiscal_year"),
            quantity=r.integer("quantity"),
            amount=Money.read(r.child("amount")),
            name_local=r.text_or_empty("name"),
        )

    def name(self, language: str) -> str:
        return self.name_local or (self.name_zh if language == "zh_CN" else self.name_en)


@dataclass(frozen=True)
class Payment:
    """The payment of an order at the sandbox provider: where to pay, and until when."""

    id: str
    status: str  # pending | paid | expired | refunded
    amount: Money
    expires_at: datetime
    paid_at: datetime | None
    pay_url: str
    qr_payload: str
    # How this payment can be paid, for the order's market (wechat, alipay | vietqr, momo, vnpay | shaparak).
    methods: tuple[str, ...] = ()

    @classmethod
    def read(cls, r: JsonReader) -> Payment:
        return cls(
            id=r.text("id"),
            status=r.text("status"),
            amount=Money.read(r.child("amount")),
            expires_at=r.moment("expires_at"),
            paid_at=r.optional_moment("paid_at"),
            pay_url=r.text("pay_url"),
            qr_payload=r.text_or_empty("qr_payload"),
            methods=r.texts("methods"),
        )


@dataclass(frozen=True)
class SupportRoute:
    """Customer service: where a refund goes once the panel may not do it (QQ group, phone, e-mail)."""

    qq_group: str
    phone: str
    email: str
    note: str = ""

    @classmethod
    def read(cls, r: JsonReader) -> SupportRoute:
        return cls(r.text("qq_group"), r.text("phone"), r.text("email"), r.text_or_empty("note"))


def support_from_details(details: Mapping[str, Any]) -> SupportRoute | None:
    """The support route named by a refusal's error details (REFUND_WINDOW_CLOSED, INVOICE_ISSUED), if any.

    Error details only add to the message, so a malformed route is left out rather than failing the refusal."""
    value = details.get("support")
    if value is None:
        return None
    try:
        return SupportRoute.read(JsonReader(value, "details.support"))
    except ResponseFormatError:
        return None


def _error_code(text: str | None) -> ErrorCode | UnknownErrorCode | None:
    return server_error_code(text) if text else None


@dataclass(frozen=True)
class RefundRule:
    """The server's verdict on refunding one order (7 days after payment, and no invoice issued)."""

    allowed: bool
    reason: ErrorCode | UnknownErrorCode | None  # REFUND_WINDOW_CLOSED | INVOICE_ISSUED | None
    deadline: datetime | None
    support: SupportRoute | None = None

    @classmethod
    def read(cls, r: JsonReader) -> RefundRule:
        support = r.optional_child("support")
        return cls(
            allowed=r.flag("allowed"),
            reason=_error_code(r.optional_text("reason")),
            deadline=r.optional_moment("deadline"),
            support=SupportRoute.read(support) if support is not None else None,
        )


@dataclass(frozen=True)
class Invoice:
    status: str  # none | requested | issued
    title: str = ""
    tax_id: str = ""
    email: str = ""
    issued_at: datetime | None = None

    @classmethod
    def read(cls, r: JsonReader) -> Invoice:
        return cls(
            status=r.text("status"),
            title=r.text_or_empty("title"),
            tax_id=r.text_or_empty("tax_id"),
            email=r.text_or_empty("email"),
            issued_at=r.optional_moment("issued_at"),
        )

    @property
    def issued(self) -> bool:
        return self.status == "issued"


@dataclass(frozen=True)
class RechargeCode:
    code: str
    months: int
    status: str  # unused | redeemed | voided
    redeemed_at: datetime | None = None

    @classmethod
    def read(cls, r: JsonReader) -> RechargeCode:
        return cls(r.text("code"), r.integer("months"), r.text("status"), r.optional_moment("redeemed_at"))

    @property
    def unused(self) -> bool:
        return self.status == "unused"


@dataclass(frozen=True)
class OrganisationName:
    name: str
    tax_id: str

    @classmethod
    def read(cls, r: JsonReader) -> OrganisationName:
        return cls(r.text("name"), r.text("tax_id"))


@dataclass(frozen=True)
class RenewalLine:
    """One licence of a renewal order: its period, the expiry it gets, and (once paid) the expiry it has."""

    licence_id: int
    organisation: OrganisationName | None
    months: int
    amount: Money
    new_expiry: datetime | None
    status: str  # pending | applied | revoked
    licence_expires_at: datetime | None
    licence_status: str  # active | expiring_soon | expired | suspended

    @classmethod
    def read(cls, r: JsonReader) -> RenewalLine:
        organisation = r.optional_child("organisation")
        return cls(
            licence_id=r.integer("licence_id"),
            organisation=OrganisationName.read(organisation) if organisation is not None else None,
            months=r.integer("months"),
            amount=Money.read(r.child("amount")),
            new_expiry=r.optional_moment("new_expiry"),
            status=r.text("status"),
            licence_expires_at=r.optional_moment("licence_expires_at"),
            licence_status=r.text("licence_status"),
        )


@dataclass(frozen=True)
class Order:
    id: int
    licence_id: int
    status: str  # pending_payment | paid | expired | refund_requested | refunded
    amount: Money
    created_at: datetime
    paid_at: datetime | None
    refunded_at: datetime | None
    items: tuple[OrderLine, ...]
    payment: Payment | None
    refund: RefundRule
    invoice: Invoice
    recharge_codes: tuple[RechargeCode, ...]
    renewal_lines: tuple[RenewalLine, ...] = ()  # a renewal order's licences; () for a purchase

    @classmethod
    def from_json(cls, data: Any) -> Order:
        return cls.read(JsonReader(data, "order"))

    @classmethod
    def renewal_from_json(cls, data: Any) -> Order:
        """``POST /renewals`` and ``GET /renewals/{id}``: an Order that must carry its ``renewal`` lines."""
        r = JsonReader(data, "order")
        r.child("renewal")  # strict: a renewal answer without its lines is no renewal answer
        return cls.read(r)

    @classmethod
    def read(cls, r: JsonReader) -> Order:
        payment = r.optional_child("payment")
        renewal = r.optional_child("renewal")
        return cls(
            id=r.integer("id"),
            licence_id=r.integer("licence_id"),
            status=r.text("status"),
            amount=Money.read(r.child("amount")),
            created_at=r.moment("created_at"),
            paid_at=r.optional_moment("paid_at"),
            refunded_at=r.optional_moment("refunded_at"),
            items=tuple(OrderLine.read(x) for x in r.items("items")),
            payment=Payment.read(payment) if payment is not None else None,
            refund=RefundRule.read(r.child("refund")),
            invoice=Invoice.read(r.child("invoice")),
            recharge_codes=tuple(RechargeCode.read(x) for x in r.items("recharge_codes")),
            renewal_lines=tuple(RenewalLine.read(x) for x in renewal.required_items("lines")) if renewal else (),
        )

    @property
    def final(self) -> bool:
        """Polling stops here: paid (or refunded) and expired orders no longer change by themselves."""
        return self.status in FINAL_STATUSES

    @property
    def paid(self) -> bool:
        return self.status in ("paid", "refunded")

    @property
    def pay_url(self) -> str:
        return self.payment.pay_url if self.payment is not None else ""


def orders_from_json(data: Any) -> tuple[Order, ...]:
    """``GET /orders``: ``{orders: [Order]}``."""
    return tuple(Order.read(x) for x in JsonReader(data, "answer").required_items("orders"))


@dataclass(frozen=True)
class RedeemResult:
    """``POST /recharge-codes/redeem``: the months added and the licence's new expiry."""

    licence_id: int
    months: int
    expires_at: datetime
    redeemed_at: datetime

    @classmethod
    def from_json(cls, data: Any) -> RedeemResult:
        r = JsonReader(data, "redeem")
        return cls(r.integer("licence_id"), r.integer("months"), r.moment("expires_at"), r.moment("redeemed_at"))
