"""Response models of the ledger endpoints (docs/ARCHITECTURE.md, HTTP shapes)."""

from __future__ import annotations

from pydantic import BaseModel


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
