"""The hint under a tax-id field as the user types: which rule of the market the text breaks, in words.

The rules are ``licence_protocol.tax_ids`` (the server refuses the same tax ids with INVALID_TAX_ID). Each hint is
an English msgid plus format arguments for ``app.i18n.tr``; no Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from licence_protocol.tax_ids import MARKETS, TaxIdRule, check_tax_id

DEFAULT_MARKET = "CN"

# One text per market and rule: it says what a valid tax id of that market looks like, so the user can fix it.
HINTS: dict[tuple[str, TaxIdRule], str] = {
    ("CN", TaxIdRule.CHARACTERS): "A unified social credit code has only digits and capital letters other than I, "
    "O, Z, S and V, and its first 8 characters are digits.",
    ("CN", TaxIdRule.LENGTH): "A unified social credit code has 18 characters ({count} typed).",
    ("CN", TaxIdRule.NOT_ISSUED): "No such unified social credit code is issued.",
    ("CN", TaxIdRule.CHECK_DIGIT): "The last character of the code does not match the others (its check "
    "character): look for a typo.",
    ("VN", TaxIdRule.CHARACTERS): "A Vietnamese tax code (MST) has only digits; a branch adds a 3-digit "
    "suffix, as in 0123456789-001.",
    ("VN", TaxIdRule.LENGTH): "A Vietnamese tax code (MST) has 10 digits, or 13 for a branch ({count} typed).",
    ("VN", TaxIdRule.NOT_ISSUED): "No such tax code is issued: its serial or branch number is all zeros.",
    ("VN", TaxIdRule.CHECK_DIGIT): "The 10th digit of the tax code does not match the first nine (its check "
    "digit): look for a typo.",
    ("IR", TaxIdRule.CHARACTERS): "An Iranian national id has only digits.",
    ("IR", TaxIdRule.LENGTH): "An Iranian national id has 10 digits for a person, or 11 for a legal entity "
    "({count} typed).",
    ("IR", TaxIdRule.NOT_ISSUED): "No such national id is issued: its serial is all zeros, or all its digits are "
    "the same.",
    ("IR", TaxIdRule.CHECK_DIGIT): "The last digit of the national id does not match the others (its check "
    "digit): look for a typo.",
}


@dataclass(frozen=True)
class TaxIdHint:
    """``acceptable``: the form may be sent with this text; ``msgid`` (with ``fmt``): the hint, None for none."""

    acceptable: bool
    msgid: str | None = None
    fmt: dict[str, Any] = field(default_factory=dict)


def tax_id_hint(market: str, text: str, *, optional: bool) -> TaxIdHint:
    """The hint for ``text`` typed as a tax id of ``market`` (an unknown market is checked as the default one).

    An empty field shows no hint: it is acceptable when the tax id is ``optional``, and otherwise only keeps the
    form from being sent, as an empty required field does everywhere in the panel.
    """
    if not text.strip():
        return TaxIdHint(acceptable=optional)
    market = market if market in MARKETS else DEFAULT_MARKET
    check = check_tax_id(market, text)
    if check.failed_rule is None:
        return TaxIdHint(acceptable=True)
    return TaxIdHint(False, HINTS[(market, check.failed_rule)], {"count": len(check.value)})


def tax_id_value(market: str, text: str) -> str:
    """What to send for ``text``: the normalised tax id when it is valid (``0123456789-001``), else as typed."""
    check = check_tax_id(market if market in MARKETS else DEFAULT_MARKET, text)
    return check.display if check.valid else text.strip()


def all_hint_ids() -> frozenset[str]:
    """Every msgid a hint can be (the translation test checks each is translated)."""
    return frozenset(HINTS.values())
