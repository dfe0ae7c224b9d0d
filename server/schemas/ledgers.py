"""Request and response models of the ledger endpoints (docs/ARCHITECTURE.md, HTTP shapes)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from server.schemas.common import FiscalYear

LedgerCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
LedgerName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
IdempotencyKey = Annotated[str, StringConstraints(min_length=1, max_length=80)]


class VouchersOut(BaseModel):
    used: int
    quota: int


class LedgerYearOut(BaseModel):
    fiscal_year: int
    modules: list[str]
    vouchers: VouchersOut


class LedgerOut(BaseModel):
    id: int
    code: str
    name: str
    archived: bool
    years: list[LedgerYearOut]


class LicenceLedgersOut(BaseModel):
    ledgers: list[LedgerOut]
    purchased: int
    in_use: int


class LedgerCreate(BaseModel):
    code: LedgerCode
    name: LedgerName


class FiscalYearCreate(BaseModel):
    fiscal_year: FiscalYear


class OneLedgerYearOut(LedgerYearOut):
    """A ledger-year on its own, naming its ledger."""

    ledger_id: int


class VoucherUsageIn(BaseModel):
    count: int = Field(ge=1, le=1000)
    # Chosen by the host program per posting: a retried report with the same key is never counted twice.
    idempotency_key: IdempotencyKey
    # True: the vouchers were posted while offline, against the document's offline allowance.
    offline: bool = False


class VoucherUsageOut(BaseModel):
    ledger_id: int
    fiscal_year: int
    used: int
    quota: int
    requested: int
    counted: bool  # False when the idempotency key had been counted already: nothing was added
