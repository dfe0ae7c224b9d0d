"""Every catalogue item, order state, payment method and error code in zh_CN, en, vi and fa: nothing left in
English (or Chinese) under vi and fa, nothing left in English under zh_CN.

Item names and the pay page's words come from the server (by Accept-Language); states, methods and error
codes are worded by the panel (``tr``). Both are walked here, each text as the user reads it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from licence_protocol.errors import ErrorCode

import app.i18n as i18n
from app.domain.error_codes import ClientErrorCode
from app.domain.payment_methods import METHOD_NAMES, method_msgid
from app.ui.orders.orders_page import status_text
from server.services.catalogue import SKUS
from server.services.wording import TEXTS, method_name, say

LANGUAGES = ("zh_CN", "en", "vi", "fa")
ORDER_STATES = ("pending_payment", "paid", "expired", "refund_requested", "refunded")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")
_VIETNAMESE = re.compile(r"[ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ]", re.I)
_WORDS = re.compile(r"[^\W\d_]+")
# Vietnamese is written in Latin letters too: a leftover shows as an English word no Vietnamese text has.
_ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "you",
        "your",
        "this",
        "that",
        "please",
        "is",
        "are",
        "was",
        "with",
        "for",
        "from",
        "not",
        "has",
        "have",
        "order",
        "payment",
        "licence",
        "server",
        "ledger",
        "account",
        "again",
        "try",
        "contact",
        "support",
        "here",
    ]
)
# Persian has no Latin letters of its own: any Latin word is a leftover, unless a brand or a code people type.
_LATIN_KEPT = frozenset({"VietQR", "MoMo", "VNPay", "Shaparak", "WeChat", "Pay", "Alipay", "UTC", "CDkey", "IP", "CA"})


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    saved = i18n._current
    yield
    i18n._current = saved


def _english_left(language: str, text: str) -> set[str]:
    words = set(_WORDS.findall(text))
    if language == "vi":
        return {w for w in words if w.lower() in _ENGLISH_WORDS}
    return {w for w in words if w.isascii()} - _LATIN_KEPT


def assert_worded(language: str, what: str, text: str, english: str) -> None:
    assert text.strip(), f"{language}: {what} is empty"
    if language == "en":
        return
    if language == "zh_CN":
        assert text != english and _CJK.search(text), f"zh_CN: {what} is still English: {text!r}"
        return
    assert not _CJK.search(text), f"{language}: {what} has Chinese left: {text!r}"
    left = _english_left(language, text)
    assert text != english and not left, f"{language}: {what} has English left {left}: {text!r}"
    script = _ARABIC_SCRIPT if language == "fa" else _VIETNAMESE
    assert script.search(text), f"{language}: {what} is not written in {language}: {text!r}"


def _in_panel(language: str, words: Callable[[], str]) -> str:
    i18n.set_language(language)
    return words()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_item_is_named_in_the_language(language: str) -> None:
    for sku, info in SKUS.items():
        assert_worded(language, f"item {sku}", info.name(language), info.name_en)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_of_the_pay_page_offline_page_and_notices_is_in_the_language(language: str) -> None:
    for key, row in TEXTS.items():
        values = {name: "1" for name in re.findall(r"{(\w+)}", row[1])}
        assert_worded(language, key, say(key, language, **values), say(key, "en", **values))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_order_state_is_worded_in_the_language(language: str) -> None:
    for state in ORDER_STATES:
        english = _in_panel("en", lambda s=state: status_text(s))
        assert english != state, f"order state {state} has no label"
        assert_worded(language, f"order state {state}", _in_panel(language, lambda s=state: status_text(s)), english)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_payment_method_is_named_in_the_language(language: str) -> None:
    for method in METHOD_NAMES:
        panel = _in_panel(language, lambda m=method: i18n.tr(method_msgid(m)))
        assert_worded(language, f"method {method} (panel)", panel, method_msgid(method))
        assert_worded(language, f"method {method} (pay page)", method_name(method, language), method_msgid(method))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("code", [*ErrorCode, *ClientErrorCode], ids=str)
def test_every_error_code_is_worded_in_the_language(language: str, code: ErrorCode | ClientErrorCode) -> None:
    english = _in_panel("en", lambda: i18n.tr_error(code))
    assert_worded(language, f"error {code}", _in_panel(language, lambda: i18n.tr_error(code)), english)
