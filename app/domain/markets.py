"""The markets an organisation buys in: China, Vietnam and Iran (ISO 3166 codes, as the server names them)."""

from __future__ import annotations

from app.domain.msgids import N_

MARKET_NAMES: dict[str, str] = {"CN": N_("China"), "VN": N_("Vietnam"), "IR": N_("Iran")}


def market_msgid(market: str) -> str:
    """The msgid naming ``market`` (the code itself for one this panel does not know yet)."""
    return MARKET_NAMES.get(market, market)
