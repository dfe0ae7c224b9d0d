"""Purchase rules the dialog shows: target ledger-year, the catalogue and its item rows, money, what may be bought
and why.

Pure Python over the typed answers of docs/ARCHITECTURE.md "Purchase and payments"; no Qt, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from licence_protocol.dates import as_utc, parse_iso

from app.domain.ledgers import LedgerRef, LicenceLedgers, VoucherCount
from app.domain.money import format_money as format_money
from app.domain.money import money_text as money_text
from app.domain.orders import OrderItem
from app.domain.states import PurchasePolicy, StateCode, state_info
from app.domain.wire import JsonReader

ALL_KINDS = frozenset({"module", "vouchers", "ledgers", "renewal"})
_POLICY_KINDS: dict[PurchasePolicy, frozenset[str]] = {
    PurchasePolicy.ALLOWED: ALL_KINDS,
    PurchasePolicy.RENEWAL_ONLY: frozenset({"renewal"}),
    PurchasePolicy.LEDGERS_ONLY: frozenset({"ledgers", "renewal"}),
    PurchasePolicy.BLOCKED: frozenset(),
}


@dataclass(frozen=True, order=True)
class LedgerYear:
    """One target of a purchase: exactly one ledger (账套) and one fiscal year (会计年度)."""

    ledger_id: int
    fiscal_year: int
    code: str = ""
    name: str = ""


def ledger_years(ledgers: LicenceLedgers) -> list[LedgerYear]:
    """Every ledger × fiscal year of ``GET /licences/{id}/ledgers`` that can receive a purchase (not archived)."""
    choices = [
        LedgerYear(ledger.id, year.fiscal_year, ledger.code, ledger.name)
        for ledger in ledgers.ledgers
        if not ledger.archived
        for year in ledger.years
    ]
    return sorted(choices, key=lambda c: (c.code, c.ledger_id, -c.fiscal_year))


@dataclass(frozen=True)
class ItemRow:
    """One item of the catalogue, for exactly the catalogue's ledger-year."""

    sku: str
    kind: str  # module | vouchers | ledgers | renewal
    name_zh: str
    name_en: str
    price_minor: int
    currency: str
    state: str  # opened | not_opened | available
    server_purchasable: bool
    pack_size: int | None = None
    # In the language the panel asked for (Accept-Language); empty from a server that does not send it.
    name_local: str = ""

    @property
    def opened(self) -> bool:
        return self.state == "opened"

    @property
    def is_module(self) -> bool:
        return self.kind == "module"

    def name(self, language: str) -> str:
        return self.name_local or (self.name_zh if language == "zh_CN" else self.name_en)

    @classmethod
    def read(cls, r: JsonReader) -> ItemRow:
        price = r.child("price")
        return cls(
            sku=r.text("sku"),
            kind=r.text("kind"),
            name_zh=r.text("name_zh"),
            name_en=r.text("name_en"),
            price_minor=price.integer("amount_minor"),
            currency=price.text("currency"),
            state=r.text("state"),
            server_purchasable=r.flag("purchasable"),
            pack_size=r.optional_integer("pack_size"),
            name_local=r.text_or_empty("name"),
        )


@dataclass(frozen=True)
class ServerVerdict:
    """``catalogue.purchase``: what the server sells for this licence now, and the state that decided it."""

    allowed: bool
    state: str
    kinds: frozenset[str]

    @classmethod
    def read(cls, r: JsonReader) -> ServerVerdict:
        return cls(r.flag("allowed"), r.text("state"), frozenset(r.texts("kinds")))


@dataclass(frozen=True)
class Catalogue:
    """``GET /catalogue``: what can be bought for exactly one ledger-year, with the server's purchase verdict."""

    licence_id: int
    edition: str
    ledger: LedgerRef
    fiscal_year: int
    vouchers: VoucherCount
    purchase: ServerVerdict
    items: tuple[ItemRow, ...]

    @classmethod
    def from_json(cls, data: Any) -> Catalogue:
        r = JsonReader(data, "catalogue")
        return cls(
            licence_id=r.integer("licence_id"),
            edition=r.text("edition"),
            ledger=LedgerRef.read(r.child("ledger")),
            fiscal_year=r.integer("fiscal_year"),
            vouchers=VoucherCount.read(r.child("vouchers")),
            purchase=ServerVerdict.read(r.child("purchase")),
            items=tuple(ItemRow.read(x) for x in r.required_items("items")),
        )


_KIND_ORDER = {"module": 0, "vouchers": 1, "ledgers": 2, "renewal": 3}


def item_rows(catalogue: Catalogue | None) -> list[ItemRow]:
    """The catalogue's items, modules first (the dialog lists every module for the ledger-year)."""
    if catalogue is None:
        return []
    return sorted(catalogue.items, key=lambda r: _KIND_ORDER.get(r.kind, 9))


def voucher_fraction(used: int, quota: int) -> float:
    """How full the ledger-year's voucher quota is, 0..1 (over-used shows as full)."""
    if quota <= 0:
        return 1.0 if used > 0 else 0.0
    return max(0.0, min(1.0, used / quota))


@dataclass(frozen=True)
class BuyVerdict:
    """Which kinds of item may be bought now, and the state that decided it (shown when something is refused)."""

    kinds: frozenset[str]
    state: str  # a StateCode value; UNKNOWN_BLOCKED for a code this client does not know
    decided_by: str  # "local" | "server" | "none"

    @property
    def blocked(self) -> bool:
        return not self.kinds

    @property
    def restricted(self) -> bool:
        return self.kinds != ALL_KINDS


def buy_verdict(local_state: str | None, server_purchase: ServerVerdict | None) -> BuyVerdict:
    """The stricter of this computer's state (PurchasePolicy) and the server's ``catalogue.purchase``.

    Both must allow a kind: a copied document the server never sees, and a seat limit the cached
    document does not know yet, each block on their own. No state at all (not signed in / no licence) blocks.
    """
    if local_state is None:
        return BuyVerdict(frozenset(), StateCode.NOT_ACTIVATED.value, "local")
    local_info = state_info(local_state)
    local_kinds = _POLICY_KINDS[local_info.purchase]
    if server_purchase is None:
        # No answer from the server (yet, or no licence to ask about): nothing is bought on the local word alone.
        return BuyVerdict(frozenset(), local_info.code.value, "local" if local_kinds != ALL_KINDS else "none")
    server_kinds = server_purchase.kinds & ALL_KINDS
    server_state = state_info(server_purchase.state or "UNKNOWN_BLOCKED").code.value
    kinds = local_kinds & server_kinds
    if not local_kinds:
        return BuyVerdict(kinds, local_info.code.value, "local")
    if not server_kinds:
        return BuyVerdict(kinds, server_state, "server")
    if local_kinds != ALL_KINDS and local_kinds == kinds:
        return BuyVerdict(kinds, local_info.code.value, "local")
    if server_kinds != ALL_KINDS:
        return BuyVerdict(kinds, server_state, "server")
    return BuyVerdict(kinds, local_info.code.value, "none")


def row_buyable(row: ItemRow, verdict: BuyVerdict) -> bool:
    """A row's buy control is enabled only when the server sells it, the state allows its kind, and it is not opened."""
    return row.server_purchasable and row.kind in verdict.kinds and not row.opened


@dataclass(frozen=True)
class Selection:
    sku: str
    quantity: int


def order_items(target: LedgerYear, selection: Iterable[Selection]) -> list[OrderItem]:
    """The order request: every item names the one target ledger-year (never a price: the server prices)."""
    return [OrderItem(s.sku, target.ledger_id, target.fiscal_year, s.quantity) for s in selection if s.quantity > 0]


def order_total(rows: Iterable[ItemRow], selection: Iterable[Selection]) -> int:
    """The expected total in minor units, for the confirm step; the server's order amount is what is paid."""
    prices = {r.sku: r.price_minor for r in rows}
    return sum(prices.get(s.sku, 0) * s.quantity for s in selection if s.quantity > 0)


def opened_modules(catalogue: Catalogue | None) -> set[str]:
    return {r.sku for r in item_rows(catalogue) if r.opened}


def newly_opened(before: Catalogue | None, after: Catalogue | None) -> list[ItemRow]:
    """Modules opened by the payment: the rows of ``after`` that were not opened in ``before``."""
    was = opened_modules(before)
    return [r for r in item_rows(after) if r.opened and r.sku not in was]


def remaining_seconds(expires_at: str | datetime | None, now: datetime) -> int:
    moment = parse_iso(expires_at)
    if moment is None:
        return 0
    return max(0, int((moment - as_utc(now)).total_seconds()))


def format_countdown(seconds: int) -> str:
    minutes, secs = divmod(max(0, int(seconds)), 60)
    return f"{minutes:02d}:{secs:02d}"
