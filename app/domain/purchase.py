"""Purchase rules the dialog shows (DESIGN §5, §6): target ledger-year, item rows, money, what may be bought and why.

Pure Python over the JSON shapes of docs/ARCHITECTURE.md "Purchase and payments"; no Qt, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.domain.states import PurchasePolicy, StateCode, state_info

ALL_KINDS = frozenset({"module", "vouchers", "ledgers", "renewal"})
_POLICY_KINDS: dict[PurchasePolicy, frozenset[str]] = {
    PurchasePolicy.ALLOWED: ALL_KINDS,
    PurchasePolicy.RENEWAL_ONLY: frozenset({"renewal"}),
    PurchasePolicy.LEDGERS_ONLY: frozenset({"ledgers", "renewal"}),
    PurchasePolicy.BLOCKED: frozenset(),
}
_SYMBOLS = {"CNY": "¥"}
REFUND_DAYS = 7


@dataclass(frozen=True, order=True)
class LedgerYear:
    """One target of a purchase: exactly one ledger (账套) and one fiscal year (会计年度)."""

    ledger_id: int
    fiscal_year: int
    code: str = ""
    name: str = ""


def ledger_years(ledgers_answer: Mapping[str, Any]) -> list[LedgerYear]:
    """Every ledger × fiscal year of ``GET /licences/{id}/ledgers`` that can receive a purchase (not archived)."""
    choices = []
    for ledger in ledgers_answer.get("ledgers") or []:
        if ledger.get("archived"):
            continue
        ledger_id, code, name = int(ledger["id"]), str(ledger.get("code", "")), str(ledger.get("name", ""))
        for year in ledger.get("years") or []:
            choices.append(LedgerYear(ledger_id, int(year["fiscal_year"]), code, name))
    return sorted(choices, key=lambda c: (c.code, c.ledger_id, -c.fiscal_year))


def default_target(
    choices: list[LedgerYear], ledger_id: int | None = None, fiscal_year: int | None = None
) -> LedgerYear | None:
    """The ledger-year asked for (opened from a ledger), else the first ledger's latest year; the user confirms it."""
    for choice in choices:
        if choice.ledger_id == ledger_id and (fiscal_year is None or choice.fiscal_year == fiscal_year):
            return choice
    return choices[0] if choices else None


def format_money(amount_minor: int, currency: str = "CNY") -> str:
    """Minor units to text: 1200 CNY → ``¥12.00`` (integers only: no float rounding of money)."""
    sign = "-" if amount_minor < 0 else ""
    whole, cents = divmod(abs(int(amount_minor)), 100)
    symbol = _SYMBOLS.get(currency)
    return f"{sign}{symbol}{whole}.{cents:02d}" if symbol else f"{sign}{whole}.{cents:02d} {currency}"


def money_text(money: Mapping[str, Any] | None) -> str:
    if not money:
        return "—"
    return format_money(int(money.get("amount_minor", 0)), str(money.get("currency", "CNY")))


@dataclass(frozen=True)
class ItemRow:
    sku: str
    kind: str  # module | vouchers | ledgers | renewal
    name_zh: str
    name_en: str
    price_minor: int
    currency: str
    state: str  # opened | not_opened | available
    server_purchasable: bool
    pack_size: int | None = None

    @property
    def opened(self) -> bool:
        return self.state == "opened"

    @property
    def is_module(self) -> bool:
        return self.kind == "module"

    def name(self, language: str) -> str:
        return self.name_zh if language == "zh_CN" else self.name_en


def item_rows(catalogue: Mapping[str, Any]) -> list[ItemRow]:
    """The catalogue's items, modules first (the dialog lists every module for the ledger-year)."""
    rows = []
    for item in catalogue.get("items") or []:
        price = item.get("price") or {}
        rows.append(
            ItemRow(
                sku=str(item["sku"]),
                kind=str(item.get("kind", "")),
                name_zh=str(item.get("name_zh", item["sku"])),
                name_en=str(item.get("name_en", item["sku"])),
                price_minor=int(price.get("amount_minor", 0)),
                currency=str(price.get("currency", "CNY")),
                state=str(item.get("state", "available")),
                server_purchasable=bool(item.get("purchasable")),
                pack_size=item.get("pack_size"),
            )
        )
    order = {"module": 0, "vouchers": 1, "ledgers": 2, "renewal": 3}
    return sorted(rows, key=lambda r: order.get(r.kind, 9))


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


def buy_verdict(local_state: str | None, server_purchase: Mapping[str, Any] | None) -> BuyVerdict:
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
    server_kinds = frozenset(str(k) for k in server_purchase.get("kinds") or ()) & ALL_KINDS
    server_state = state_info(str(server_purchase.get("state") or "UNKNOWN_BLOCKED")).code.value
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


def order_items(target: LedgerYear, selection: Iterable[Selection]) -> list[dict[str, Any]]:
    """The order request: every item names the one target ledger-year (never a price: the server prices)."""
    return [
        {"sku": s.sku, "ledger_id": target.ledger_id, "fiscal_year": target.fiscal_year, "quantity": s.quantity}
        for s in selection
        if s.quantity > 0
    ]


def order_total(rows: Iterable[ItemRow], selection: Iterable[Selection]) -> int:
    """The expected total in minor units, for the confirm step; the server's order amount is what is paid."""
    prices = {r.sku: r.price_minor for r in rows}
    return sum(prices.get(s.sku, 0) * s.quantity for s in selection if s.quantity > 0)


def opened_modules(catalogue: Mapping[str, Any] | None) -> set[str]:
    return {str(i["sku"]) for i in (catalogue or {}).get("items") or [] if i.get("state") == "opened"}


def newly_opened(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[ItemRow]:
    """Modules opened by the payment: the rows of ``after`` that were not opened in ``before``."""
    was = opened_modules(before)
    return [r for r in item_rows(after or {}) if r.opened and r.sku not in was]


def remaining_seconds(expires_at: str | datetime | None, now: datetime) -> int:
    moment = parse_time(expires_at)
    if moment is None:
        return 0
    return max(0, int((moment - now).total_seconds()))


def format_countdown(seconds: int) -> str:
    minutes, secs = divmod(max(0, int(seconds)), 60)
    return f"{minutes:02d}:{secs:02d}"


def parse_time(value: str | datetime | None) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class RefundView:
    """What the orders page says about refunding one order (seed 000: 7 days, no invoice)."""

    allowed: bool
    reason: str | None  # REFUND_WINDOW_CLOSED | INVOICE_ISSUED | None
    deadline: datetime | None
    support: Mapping[str, Any]


def refund_view(order: Mapping[str, Any]) -> RefundView:
    refund = order.get("refund") or {}
    return RefundView(
        allowed=bool(refund.get("allowed")),
        reason=refund.get("reason"),
        deadline=parse_time(refund.get("deadline")),
        support=dict(refund.get("support") or {}),
    )


def is_final(order: Mapping[str, Any]) -> bool:
    """Polling stops here: paid (or refunded) and expired orders no longer change by themselves."""
    return str(order.get("status")) in ("paid", "expired", "refunded")
