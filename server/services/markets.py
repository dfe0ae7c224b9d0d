"""Markets (CN, VN, IR): the currency an organisation pays in, how its amounts read, how it can pay.

``Organisation.market`` decides all three; an order and its payment carry the currency they were priced in,
so the payment methods of a payment follow from its currency alone.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from server.services.tax_ids import market_of_licence

MARKETS = ("CN", "VN", "IR")
DEFAULT_MARKET = "CN"
CURRENCIES = {"CN": "CNY", "VN": "VND", "IR": "IRR"}
# Digits after the decimal point of each currency's minor unit: the dong and the rial have none in use.
MINOR_DIGITS = {"CNY": 2, "VND": 0, "IRR": 0}
# The language of the market: what a page shows to a browser that names none of ours.
LANGUAGES = {"CN": "zh_CN", "VN": "vi", "IR": "fa"}
# What the sandbox provider offers for each market; the order on the pay page is this order.
PAYMENT_METHODS: dict[str, tuple[str, ...]] = {
    "CN": ("wechat", "alipay"),
    "VN": ("vietqr", "momo", "vnpay"),
    "IR": ("shaparak",),
}
ALL_METHODS = tuple(method for methods in PAYMENT_METHODS.values() for method in methods)
_MARKET_OF_CURRENCY = {currency: market for market, currency in CURRENCIES.items()}


def licence_currency(session: Session, licence_id: int) -> str:
    """The currency an order for this licence is priced and paid in: its organisation's market's."""
    return currency_of(market_of_licence(session, licence_id))


def currency_of(market: str) -> str:
    return CURRENCIES.get(market, CURRENCIES[DEFAULT_MARKET])


def market_of_currency(currency: str) -> str:
    return _MARKET_OF_CURRENCY.get(currency, DEFAULT_MARKET)


def methods_for_currency(currency: str) -> tuple[str, ...]:
    """The payment methods a payment in ``currency`` can be paid with."""
    return PAYMENT_METHODS[market_of_currency(currency)]


def format_amount(amount_minor: int, currency: str) -> str:
    """An amount as people read it in a message or on the pay page: ¥1234.50, 1.250.000 ₫, 12,500,000 ریال.

    Integers only (no float touches money). The panel formats amounts itself, in its own locale.
    """
    sign = "-" if amount_minor < 0 else ""
    digits = MINOR_DIGITS.get(currency, 2)
    whole, fraction = divmod(abs(int(amount_minor)), 10**digits)
    if currency == "CNY":
        return f"{sign}¥{whole}.{fraction:02d}"
    if currency == "VND":
        return f"{sign}{whole:,}".replace(",", ".") + " ₫"
    if currency == "IRR":
        return f"{sign}{whole:,} ریال"
    return f"{sign}{whole}.{fraction:0{digits}d} {currency}" if digits else f"{sign}{whole} {currency}"
