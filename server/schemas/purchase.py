"""Request and response models of the purchase and payment endpoints (docs/PROTOCOL.md, "HTTP API")."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from server.schemas.common import FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR
from server.schemas.common import MAX_ID as MAX_ID  # re-exported: the purchase and renewal routers import it here


class OrderItemIn(BaseModel):
    # Unknown fields (a client-sent price or amount) are refused: the server alone prices an order.
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(min_length=1, max_length=40)
    # Optional here so a missing one answers LEDGER_YEAR_REQUIRED rather than a generic validation error.
    ledger_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    fiscal_year: int | None = Field(default=None, ge=FIRST_FISCAL_YEAR, le=LAST_FISCAL_YEAR)
    quantity: int = Field(default=1, ge=1, le=100)


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    licence_id: int = Field(ge=1, le=MAX_ID)
    items: list[OrderItemIn] = Field(min_length=1, max_length=20)


class InvoiceIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    tax_id: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=200)


class RedeemIn(BaseModel):
    code: str = Field(min_length=1, max_length=64)
    licence_id: int = Field(ge=1, le=MAX_ID)


class Money(BaseModel):
    amount_minor: int
    currency: str


class Vouchers(BaseModel):
    used: int
    quota: int


class PurchaseState(BaseModel):
    allowed: bool
    state: str
    kinds: list[str]


class LedgerRef(BaseModel):
    id: int
    code: str
    name: str


class CatalogueItem(BaseModel):
    sku: str
    kind: str
    name_zh: str
    name_en: str
    name: str  # in the request's Accept-Language (zh_CN, en, vi, fa)
    pack_size: int | None
    price: Money
    state: str  # opened | not_opened (modules) | available (packs, ledgers, renewals)
    purchasable: bool


class CatalogueOut(BaseModel):
    licence_id: int
    edition: str
    ledger: LedgerRef
    fiscal_year: int
    vouchers: Vouchers
    purchase: PurchaseState
    items: list[CatalogueItem]


class OrderItemOut(BaseModel):
    sku: str
    kind: str  # module | vouchers | ledgers | renewal | seats
    name_zh: str
    name_en: str
    name: str  # in the request's Accept-Language (zh_CN, en, vi, fa)
    # null for an item of the whole licence (seats)
    ledger: LedgerRef | None
    ledger_id: int | None
    fiscal_year: int | None
    quantity: int
    unit_price: Money
    amount: Money


class PaymentOut(BaseModel):
    id: str
    status: str  # pending | paid | expired | refunded
    method: str | None
    methods: list[str]  # what the pay page offers for the order's market: wechat alipay | vietqr momo vnpay | shaparak
    amount: Money
    expires_at: str
    paid_at: str | None
    pay_url: str
    qr_payload: str


class SupportRoute(BaseModel):
    qq_group: str
    phone: str
    email: str
    note: str


class RefundEligibility(BaseModel):
    allowed: bool
    reason: str | None  # REFUND_WINDOW_CLOSED | INVOICE_ISSUED | null
    deadline: str | None
    support: SupportRoute | None = None


class InvoiceOut(BaseModel):
    status: str  # none | requested | issued
    title: str | None
    tax_id: str | None
    email: str | None
    issued_at: str | None


class RechargeCodeOut(BaseModel):
    code: str
    months: int
    status: str  # unused | redeemed | voided
    redeemed_at: str | None


class SeatOrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(default="seats_1", min_length=1, max_length=40)
    quantity: int = Field(default=1, ge=1, le=100)


class Seats(BaseModel):
    used: int
    max: int
    included: int  # the edition's seats
    extra: int  # bought as seat packs


class LicenceCatalogueOut(BaseModel):
    licence_id: int
    edition: str
    seats: Seats
    purchase: PurchaseState
    items: list[CatalogueItem]


class OrderOut(BaseModel):
    id: int
    licence_id: int
    status: str  # pending_payment | paid | expired | refund_requested | refunded
    amount: Money
    created_at: str
    paid_at: str | None
    refunded_at: str | None
    items: list[OrderItemOut]
    payment: PaymentOut | None
    refund: RefundEligibility
    invoice: InvoiceOut
    recharge_codes: list[RechargeCodeOut]


class OrdersOut(BaseModel):
    orders: list[OrderOut]


class RedeemOut(BaseModel):
    licence_id: int
    months: int
    expires_at: str
    redeemed_at: str


class CallbackOut(BaseModel):
    payment_id: str
    status: str
    duplicate: bool
