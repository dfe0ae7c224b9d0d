"""Texts that read oddly: the edition said twice, "(1 year(s))", the English "- module not opened"."""

from __future__ import annotations

import pytest
from licence_protocol.document import Product

from app import i18n
from app.ui.presenter import product_text
from app.ui.purchase.purchase_dialog import NOT_OPENED
from app.ui.renewal.common import period_text


@pytest.fixture(autouse=True)
def _english_after() -> object:
    yield
    i18n.set_language("en")


@pytest.mark.parametrize(
    ("lang", "name", "edition", "expected"),
    [
        ("zh_CN", "e会计 标准版", "standard", "e会计 标准版 5.0"),  # not "标准版 · 标准版"
        ("en", "e会计 标准版", "standard", "e会计 标准版 5.0"),
        ("zh_CN", "e会计 终身免费版", "free", "e会计 终身免费版 5.0"),
        ("zh_CN", "KIS 专业版 (示例)", "standard", "KIS 专业版 (示例) 5.0 · 标准版"),  # a name without its edition
        ("en", "Mini ledger", "cloud", "Mini ledger 5.0 · Cloud edition"),
    ],
)
def test_the_edition_is_said_once(lang: str, name: str, edition: str, expected: str) -> None:
    i18n.set_language(lang)
    assert product_text(Product("X", name, "5.0"), edition) == expected


@pytest.mark.parametrize(
    ("lang", "months", "expected"),
    [
        ("en", 12, "12 months (1 year)"),
        ("en", 24, "24 months (2 years)"),
        ("en", 6, "6 months"),
        ("en", 18, "18 months"),
        ("zh_CN", 12, "12 个月（1 年）"),
        ("vi", 36, "36 tháng (3 năm)"),
    ],
)
def test_renewal_periods_name_whole_years_in_their_number(lang: str, months: int, expected: str) -> None:
    i18n.set_language(lang)
    assert period_text(months) == expected


def test_module_not_opened_keeps_the_vendors_hyphen_only_in_chinese() -> None:
    i18n.set_language("en")
    assert i18n.tr(NOT_OPENED) == "Module not opened"
    i18n.set_language("zh_CN")
    assert i18n.tr(NOT_OPENED) == "-功能模块未开通"
    for lang in ("vi", "fa"):
        i18n.set_language(lang)
        assert not i18n.tr(NOT_OPENED).startswith("-")
