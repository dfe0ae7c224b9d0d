"""Request and response models of the renewal endpoints (docs/PROTOCOL.md, "HTTP API", "Renewal")."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from server.schemas.purchase import MAX_ID, Money, OrderOut

Months = Literal[12, 24, 36]


class RenewalItemIn(BaseModel):
    # Unknown fields (a client-sent price) are refused: the server alone prices a renewal.
    model_config = ConfigDict(extra="forbid")

    licence_id: int = Field(ge=1, le=MAX_ID)
    months: Months
    ledgers: int | None = Field(default=None, ge=1, le=1000)  # cloud edition; default: the count bought now


class InvoiceRecipientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["customer", "other"] = "customer"
    name: str = Field(default="", max_length=200)
    tax_id: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=300)

    @model_validator(mode="after")
    def _other_needs_a_name(self) -> InvoiceRecipientIn:
        if self.kind == "other" and not self.name.strip():
            raise ValueError("an invoice for another party needs its name")
        return self


class NotifyRecipientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["self", "other"] = "self"
    name: str = Field(default="", max_length=120)
    email: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40)

    @model_validator(mode="after")
    def _other_needs_a_contact(self) -> NotifyRecipientIn:
        if self.kind == "other" and not (self.email.strip() or self.phone.strip()):
            raise ValueError("another notification recipient needs an e-mail address or a phone number")
        return self


class RenewalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[RenewalItemIn] = Field(min_length=1, max_length=200)
    invoice_recipient: InvoiceRecipientIn = Field(default_factory=InvoiceRecipientIn)
    notify_recipient: NotifyRecipientIn = Field(default_factory=NotifyRecipientIn)


class ProductRef(BaseModel):
    code: str
    name: str
    version: str


class LedgerCounts(BaseModel):
    in_use: int
    requested: int
    purchased: int


class RenewalQuoteOut(BaseModel):
    licence_id: int
    product: ProductRef
    edition: str
    state: str  # ACTIVE | EXPIRING_SOON | EXPIRED | LEDGER_LIMIT_EXCEEDED
    months: int
    ledgers: LedgerCounts
    priced_per: str  # ledger (cloud) | licence (standard)
    unit_price: Money  # per 12 months
    amount: Money
    current_expiry: str | None
    new_expiry: str


class OrganisationRef(BaseModel):
    id: int
    name: str
    tax_id: str


class InvoiceDetails(BaseModel):
    title: str
    tax_id: str
    email: str
    address: str


class RenewalLineOut(BaseModel):
    licence_id: int
    organisation: OrganisationRef | None
    product: ProductRef
    edition: str
    months: int
    ledgers: int
    unit_price: Money
    amount: Money
    current_expiry: str | None
    new_expiry: str | None
    status: str  # pending | applied | revoked
    applied_at: str | None
    licence_expires_at: str | None
    licence_status: str  # active | expiring_soon | expired | suspended
    invoice: InvoiceDetails


class NotifyRecipientOut(BaseModel):
    kind: str
    name: str
    email: str
    phone: str


class RenewalDetails(BaseModel):
    invoice_recipient: InvoiceRecipientIn
    notify_recipient: NotifyRecipientOut
    lines: list[RenewalLineOut]


class RenewalOrderOut(OrderOut):
    kind: Literal["renewal"]
    renewal: RenewalDetails


class CustomerLedgers(BaseModel):
    in_use: int
    purchased: int


class CustomerOut(BaseModel):
    organisation_id: int
    name: str
    tax_id: str
    licence_id: int
    product: ProductRef
    edition: str
    expires_at: str | None
    status: str  # active | expiring_soon | expired | suspended
    ledgers: CustomerLedgers


class CustomersOut(BaseModel):
    customers: list[CustomerOut]
