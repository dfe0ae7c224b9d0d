"""A licence's ledgers (账套) and their fiscal years, as ``GET /licences/{id}/ledgers`` answers them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.domain.wire import JsonReader


@dataclass(frozen=True)
class LedgerRef:
    """A ledger named in another answer (a catalogue, an order line, an error's details)."""

    id: int
    code: str
    name: str

    @classmethod
    def read(cls, r: JsonReader) -> LedgerRef:
        return cls(r.integer("id"), r.text("code"), r.text("name"))


@dataclass(frozen=True)
class VoucherCount:
    used: int
    quota: int

    @classmethod
    def read(cls, r: JsonReader) -> VoucherCount:
        return cls(r.integer("used"), r.integer("quota"))


@dataclass(frozen=True)
class FiscalYear:
    fiscal_year: int
    vouchers: VoucherCount
    modules: tuple[str, ...] = ()

    @classmethod
    def read(cls, r: JsonReader) -> FiscalYear:
        return cls(r.integer("fiscal_year"), VoucherCount.read(r.child("vouchers")), r.texts("modules"))


@dataclass(frozen=True)
class LedgerYear:
    """One opened ledger-year, as ``POST /ledgers/{id}/years`` answers it (the same whether new or existing)."""

    ledger_id: int
    fiscal_year: int
    vouchers: VoucherCount
    modules: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: Any) -> LedgerYear:
        r = JsonReader(data, "ledger_year")
        return cls(
            r.integer("ledger_id"), r.integer("fiscal_year"), VoucherCount.read(r.child("vouchers")), r.texts("modules")
        )


@dataclass(frozen=True)
class Ledger:
    id: int
    code: str
    name: str
    archived: bool
    years: tuple[FiscalYear, ...]

    @classmethod
    def from_json(cls, data: Any, where: str = "ledger") -> Ledger:
        return cls.read(JsonReader(data, where))

    @classmethod
    def read(cls, r: JsonReader) -> Ledger:
        return cls(
            id=r.integer("id"),
            code=r.text("code"),
            name=r.text("name"),
            archived=r.flag("archived"),
            years=tuple(FiscalYear.read(y) for y in r.required_items("years")),
        )

    @property
    def latest_year(self) -> FiscalYear | None:
        return max(self.years, key=lambda y: y.fiscal_year, default=None)


@dataclass(frozen=True)
class LicenceLedgers:
    """Every ledger of a licence's organisation, with the cloud edition's counts (bought, in use)."""

    ledgers: tuple[Ledger, ...]
    purchased: int
    in_use: int

    @classmethod
    def from_json(cls, data: Any) -> LicenceLedgers:
        r = JsonReader(data, "ledgers")
        return cls(
            ledgers=tuple(Ledger.read(x) for x in r.required_items("ledgers")),
            purchased=r.integer("purchased"),
            in_use=r.integer("in_use"),
        )
