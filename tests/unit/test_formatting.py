"""Money, numbers and dates as people write them in each UI language, and the placeholders of tr() that use them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from app import i18n
from app.domain import formatting
from app.domain.money import Money


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    yield
    i18n.set_language("en")


NBSP = "\xa0"  # between an amount and a currency written after it: the two never break apart


@pytest.mark.parametrize(
    ("lang", "amount_minor", "currency", "text"),
    [
        ("zh_CN", 150000, "CNY", "¥1,500.00"),
        ("zh_CN", 1200, "CNY", "¥12.00"),
        ("zh_CN", -150, "CNY", "-¥1.50"),
        ("zh_CN", 1500000, "VND", "₫1,500,000"),
        ("en", 150000, "CNY", "CN¥1,500.00"),  # not "¥": the yen's sign too
        ("en", 1500000, "VND", "₫1,500,000"),
        ("en", 1500000, "IRR", f"IRR{NBSP}1,500,000"),
        ("vi", 1500000, "VND", f"1.500.000{NBSP}₫"),
        ("vi", 150000, "CNY", f"1.500,00{NBSP}CN¥"),
        ("fa", 1500000, "IRR", f"۱٬۵۰۰٬۰۰۰{NBSP}ریال"),
        ("fa", 150050, "CNY", f"۱٬۵۰۰٫۵۰{NBSP}یوآن چین"),  # CLDR's "¥CN" would tear apart in RTL
        ("fa", 5, "CNY", f"۰٫۰۵{NBSP}یوآن چین"),
        ("fa", 1500000, "VND", f"۱٬۵۰۰٬۰۰۰{NBSP}₫"),
    ],
)
def test_money_as_each_language_writes_it(lang: str, amount_minor: int, currency: str, text: str) -> None:
    assert formatting.format_money(amount_minor, currency, lang) == text


def test_vnd_and_irr_are_whole_units_and_cny_has_fen() -> None:
    # ISO 4217 gives IRR two decimals; amounts in Iran are written in whole rials, so the server sends those.
    assert [formatting.minor_digits(c) for c in ("CNY", "VND", "IRR")] == [2, 0, 0]
    assert formatting.format_money(1, "IRR", "en") == f"IRR{NBSP}1"
    assert formatting.format_money(1, "VND", "vi") == f"1{NBSP}₫"


def test_money_text_follows_the_ui_language() -> None:
    price = Money(1500000, "VND")
    i18n.set_language("vi")
    assert price.text == f"1.500.000{NBSP}₫"
    i18n.set_language("fa")
    assert Money(1500000, "IRR").text == f"۱٬۵۰۰٬۰۰۰{NBSP}ریال"
    i18n.set_language("zh_CN")
    assert Money(35700).text == "¥357.00"


@pytest.mark.parametrize(
    ("lang", "text"), [("zh_CN", "1,500,000"), ("en", "1,500,000"), ("vi", "1.500.000"), ("fa", "۱٬۵۰۰٬۰۰۰")]
)
def test_numbers_are_grouped_and_written_in_the_languages_digits(lang: str, text: str) -> None:
    assert formatting.format_number(1500000, lang) == text


@pytest.mark.parametrize(
    ("lang", "day", "moment"),
    [
        ("zh_CN", "2026年12月1日", "2026年12月1日 14:05"),
        ("en", "1 Dec 2026", "1 Dec 2026 14:05"),
        ("vi", "01/12/2026", "01/12/2026 14:05"),
        (
            "fa",
            "۱۴۰۵/۰۹/۱۰",
            "۱۴۰۵/۰۹/۱۰\u060c\u200f ۱۴:۰۵",
        ),  # the comma and RLM keep date before time in RTL  # Solar Hijri: 1 December 2026 is 10 Azar 1405
    ],
)
def test_dates_and_moments(lang: str, day: str, moment: str) -> None:
    assert formatting.format_date(date(2026, 12, 1), lang) == day
    assert formatting.format_datetime(datetime(2026, 12, 1, 14, 5, 59, tzinfo=UTC), lang) == moment


def test_a_moment_is_written_in_the_zone_it_is_given() -> None:
    late = datetime(2026, 3, 20, 20, 30, tzinfo=UTC)  # 00:00 next day in Tehran: Nowruz, 1 Farvardin 1405
    tehran = late.astimezone(timezone(timedelta(hours=3, minutes=30)))
    assert formatting.format_datetime(tehran, "fa") == "۱۴۰۵/۰۱/۰۱\u060c\u200f ۰۰:۰۰"
    assert formatting.format_date(late, "fa") == "۱۴۰۴/۱۲/۲۹"


def test_tr_writes_dates_and_numbers_of_its_placeholders_in_the_language() -> None:
    i18n.set_language("fa")
    text = i18n.tr("Until {day} ({days} days left)", day=date(2026, 12, 1), days=12)
    assert "\u2068۱۴۰۵/۰۹/۱۰\u2069" in text and "\u2068۱۲\u2069" in text and "12" not in text
    i18n.set_language("vi")
    assert i18n.tr("Until {day} ({days} days left)", day=date(2026, 12, 1), days=12) == "Đến 01/12/2026 (còn 12 ngày)"
    i18n.set_language("en")
    assert (
        i18n.tr("Until {day} ({days} days left)", day=date(2026, 12, 1), days=12) == "Until 1 Dec 2026 (12 days left)"
    )
    assert i18n.tr("{used} of {max} used", used=True, max=3) == "True of 3 used"  # a bool is no number


def test_formatting_loads_babel_and_jdatetime_only_when_asked() -> None:
    code = (
        "import sys\n"
        "import app.i18n\n"
        "from app.domain import formatting\n"
        "formatting.format_date(__import__('datetime').date(2026, 12, 1), 'zh_CN')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('babel', 'jdatetime', 'jalali_core')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
