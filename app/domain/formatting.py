"""Money, numbers and dates as people write them in each UI language (zh_CN, en, vi, fa).

Pure: no Qt and no I/O; a datetime is written as given (the caller picks the time zone, usually the local one).
Babel and jdatetime are imported inside the functions that need them: ``status --json`` and ``check`` run at
every logon and must not pay for loading them.

The language is the UI's: ``app.i18n`` registers where to read it (``follow_language``), since the domain must
not import the translation layer. Every function also takes ``lang`` to override it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from decimal import Decimal

# Digits of the minor unit as amounts are paid, not as ISO 4217 lists them: the server sends integer minor units
# and VND and IRR are paid in whole units (ISO gives IRR two decimals that nobody writes; VND has none).
MINOR_DIGITS: Final = {"CNY": 2, "VND": 0, "IRR": 0}
DEFAULT_MINOR_DIGITS: Final = 2

_PERSIAN_DIGITS: Final = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_EN_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Where the symbol goes and how the number is grouped. Vietnamese and Persian put the currency after the number
# (1.500.000 ₫, ۱٬۵۰۰٬۰۰۰ ریال); the no-break space keeps the two on one line. Babel's Persian pattern puts
# the symbol first behind a left-to-right mark, which is not how amounts are written in Iran.
_SYMBOL_AFTER: Final = frozenset({"vi", "fa"})
_BABEL_LOCALE: Final = {"zh_CN": "zh_CN", "en": "en", "vi": "vi", "fa": "fa"}
# Persian separators (٬ thousands, ٫ decimal) come with the Extended Arabic-Indic numbering system; Babel keeps
# Latin digits in it, so native_digits swaps those.
_NUMBERING: Final = {"fa": "arabext"}

LanguageSource = Callable[[], str]


def _english() -> str:
    return "en"


_language_source: LanguageSource = _english


def follow_language(source: LanguageSource) -> None:
    """Read the UI language from ``source`` whenever no ``lang`` is passed (``app.i18n`` sets its own)."""
    global _language_source
    _language_source = source


def _lang(lang: str | None) -> str:
    chosen = lang or _language_source()
    return chosen if chosen in _BABEL_LOCALE else "en"


def native_digits(text: str, lang: str | None = None) -> str:
    """Latin digits as the language writes them: Persian digits (۰–۹) under fa, unchanged otherwise."""
    return text.translate(_PERSIAN_DIGITS) if _lang(lang) == "fa" else text


def minor_digits(currency: str) -> int:
    return MINOR_DIGITS.get(currency, DEFAULT_MINOR_DIGITS)


def format_money(amount_minor: int, currency: str = "CNY", lang: str | None = None) -> str:
    """Integer minor units to text: 150000 CNY → ``¥1,500.00`` (zh_CN), ``CN¥1,500.00`` (en);
    1500000 VND → ``1.500.000 ₫`` (vi); 1500000 IRR → ``۱٬۵۰۰٬۰۰۰ ریال`` (fa). No float ever touches the amount."""
    from babel.numbers import format_currency, get_currency_name, get_currency_symbol

    language = _lang(lang)
    locale = _BABEL_LOCALE[language]
    digits = minor_digits(currency)
    from decimal import Decimal  # not at import: `status` and `check` import this module and format no money

    amount = Decimal(int(amount_minor)).scaleb(-digits)
    number = "#,##0" + ("." + "0" * digits if digits else "")
    if language == "fa" and any("a" <= ch.lower() <= "z" for ch in get_currency_symbol(currency, locale)):
        # CLDR's Persian symbol for the yuan is "¥CN": Latin letters that the right-to-left sentence around would
        # tear from the yen sign. Persian text names the currency instead: ۱۹۹٫۰۰ یوآن چین.
        pattern = number + "\xa0" + get_currency_name(currency, locale=locale).replace("'", "''")
    elif language in _SYMBOL_AFTER:
        pattern = number + "\xa0¤"
    else:
        # An ISO code standing in for a symbol (IRR in English) is spaced off the number: "IRR 1,500,000".
        symbol = get_currency_symbol(currency, locale)
        pattern = "¤" + ("\xa0" if symbol[-1:].isalpha() else "") + number
    text = format_currency(
        amount,
        currency,
        pattern,
        locale=locale,
        currency_digits=False,
        numbering_system=_NUMBERING.get(language, "latn"),
    )
    return native_digits(text, language)


def format_number(value: int | Decimal, lang: str | None = None) -> str:
    """A count or quantity with the language's grouping and digits: 1500000 → ``1.500.000`` (vi), ``۱٬۵۰۰٬۰۰۰`` (fa)."""
    from babel.numbers import format_decimal

    language = _lang(lang)
    text = format_decimal(value, locale=_BABEL_LOCALE[language], numbering_system=_NUMBERING.get(language, "latn"))
    return native_digits(text, language)


def format_date(value: date, lang: str | None = None) -> str:
    """A day: ``2026年12月1日`` (zh_CN), ``1 Dec 2026`` (en), ``01/12/2026`` (vi), ``۱۴۰۵/۰۹/۱۰`` (fa, Solar Hijri).

    English spells the month: 12/01 and 01/12 mean different days to different English readers.
    """
    day = value.date() if isinstance(value, datetime) else value
    language = _lang(lang)
    if language == "zh_CN":
        return f"{day.year}年{day.month}月{day.day}日"
    if language == "vi":
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    if language == "fa":
        import jdatetime

        solar = jdatetime.date.fromgregorian(date=day)
        return native_digits(f"{solar.year:04d}/{solar.month:02d}/{solar.day:02d}", language)
    return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"


def format_time(value: datetime, lang: str | None = None) -> str:
    """Hours and minutes on the 24-hour clock, which all four languages read."""
    return native_digits(f"{value.hour:02d}:{value.minute:02d}", lang)


def format_datetime(value: datetime, lang: str | None = None) -> str:
    """A moment as given (convert to the local zone first): ``2026年12月1日 14:05``, ``۱۴۰۵/۰۹/۱۰،‏ ۱۴:۰۵``."""
    if _lang(lang) == "fa":
        # CLDR's Persian joint: a comma and a right-to-left mark, so the date reads before the time even where the
        # line holds nothing but digits (which would otherwise be laid out left to right).
        return f"{format_date(value, 'fa')}\u060c\u200f {format_time(value, 'fa')}"
    return f"{format_date(value, lang)} {format_time(value, lang)}"
