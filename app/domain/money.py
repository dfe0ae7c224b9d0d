"""Money as the server sends it: integer minor units and a currency code (no float ever touches an amount)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.domain.wire import JsonReader

_SYMBOLS = {"CNY": "¥"}


@dataclass(frozen=True)
class Money:
    amount_minor: int
    currency: str = "CNY"

    @classmethod
    def from_json(cls, data: Any, where: str = "money") -> Money:
        return cls.read(JsonReader(data, where))

    @classmethod
    def read(cls, r: JsonReader) -> Money:
        return cls(r.integer("amount_minor"), r.text("currency"))

    @property
    def text(self) -> str:
        return format_money(self.amount_minor, self.currency)


def format_money(amount_minor: int, currency: str = "CNY") -> str:
    """Minor units to text: 1200 CNY → ``¥12.00`` (integers only: no float rounding of money)."""
    sign = "-" if amount_minor < 0 else ""
    whole, cents = divmod(abs(int(amount_minor)), 100)
    symbol = _SYMBOLS.get(currency)
    return f"{sign}{symbol}{whole}.{cents:02d}" if symbol else f"{sign}{whole}.{cents:02d} {currency}"


def money_text(money: Money | None) -> str:
    """The amount, or a dash where there is none."""
    return money.text if money is not None else "—"
