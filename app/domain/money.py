"""Money as the server sends it: integer minor units and a currency code (no float ever touches an amount)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.domain.formatting import format_money as format_money
from app.domain.wire import JsonReader


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
        """In the UI language (see ``app.domain.formatting``)."""
        return format_money(self.amount_minor, self.currency)


def money_text(money: Money | None) -> str:
    """The amount, or a dash where there is none."""
    return money.text if money is not None else "—"
