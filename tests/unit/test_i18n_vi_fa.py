"""Vietnamese and Persian: complete catalogues (every msgid the Chinese one has), placeholders kept, RTL isolation."""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterator

import pytest
from licence_protocol.errors import ErrorCode

import app.i18n as i18n
from app.resources import resource_path

LANGS = ("vi", "fa")
# Texts that are the same in every language: product codes, numbers, a proxy is a "proxy" in Vietnamese too.
SAME_AS_ENGLISH = {
    "vi": {"CDkey", "{used} / {max}", "Proxy", "Email"},
    "fa": {"CDkey", "{used} / {max}"},
}
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_VIETNAMESE_LETTERS = re.compile(r"[ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ]", re.I)


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    saved = i18n._current
    yield
    i18n._current = saved


def _load(lang: str) -> dict[str, str]:
    return json.loads(resource_path("i18n", f"{lang}.json").read_text(encoding="utf-8"))


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_covers_every_chinese_msgid(lang: str) -> None:
    table = _load(lang)
    missing = sorted(set(_load("zh_CN")) - {k for k, v in table.items() if v.strip()})
    assert not missing, f"{lang}.json lacks {len(missing)} msgid(s), e.g.:\n" + "\n".join(missing[:20])


@pytest.mark.parametrize("lang", LANGS)
def test_every_translation_keeps_the_placeholders_of_its_msgid(lang: str) -> None:
    wrong = {msgid: text for msgid, text in _load(lang).items() if _placeholders(text) != _placeholders(msgid)}
    assert not wrong, f"{lang}: placeholders differ in {wrong}"


@pytest.mark.parametrize("lang", LANGS)
def test_the_file_is_sorted_and_written_like_the_chinese_one(lang: str) -> None:
    raw = resource_path("i18n", f"{lang}.json").read_text(encoding="utf-8")
    assert raw == json.dumps(json.loads(raw), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


@pytest.mark.parametrize("lang", LANGS)
def test_texts_are_translated_not_copied(lang: str) -> None:
    """A text left in English (or Chinese) is a forgotten translation, not a choice."""
    table = _load(lang)
    copied = sorted(m for m, t in table.items() if t == m and m not in SAME_AS_ENGLISH[lang])
    assert not copied, f"{lang}: still in English: {copied}"
    chinese = sorted(m for m, t in table.items() if _CJK.search(t))
    assert not chinese, f"{lang}: Chinese characters in {chinese}"


def test_the_texts_are_written_in_their_script() -> None:
    fa, vi = _load("fa"), _load("vi")
    not_persian = [m for m, t in fa.items() if m not in SAME_AS_ENGLISH["fa"] and not _ARABIC_SCRIPT.search(t)]
    assert not not_persian, not_persian
    assert sum(bool(_VIETNAMESE_LETTERS.search(t)) for t in vi.values()) > 0.9 * len(vi)
    assert not any("~" in t for t in fa.values())  # the batch files' stand-in for ZWNJ never leaks


@pytest.mark.parametrize("lang", LANGS)
def test_menu_mnemonics_are_kept(lang: str) -> None:
    """ "&Account" keeps one accelerator in the translation, so Alt+letter still opens the menu."""
    for msgid, text in _load(lang).items():
        if re.match(r"&\w", msgid):
            assert text.count("&") == 1 and re.search(r"&\w", text), (msgid, text)


def test_service_accountant_vocabulary_of_misa() -> None:
    """As in MISA ASP: the words Vietnamese service accountants already know."""
    vi = _load("vi")
    assert vi["Renew"] == "Gia hạn"
    assert vi["Add row"] == "Thêm dòng"
    assert vi["Place order"] == "Đặt hàng"
    assert (
        vi["I have checked and confirm the information above"] == "Tôi đã kiểm tra và xác nhận thông tin trên là đúng"
    )
    assert "MST" in vi["Tax ID"] and "Kế toán dịch vụ".lower() in vi["Me (the service accountant)"].lower()


def test_persian_texts_format_with_isolated_values() -> None:
    """In Persian a price or tax id is wrapped in FSI…PDI so it keeps its own direction inside the sentence."""
    i18n.set_language("fa")
    text = i18n.tr("Total: {amount}", amount="¥357.00")
    assert text == "جمع: \u2068¥357.00\u2069"
    assert i18n.tr("Order #{id} · {status}", id=7, status="x").count("\u2068") == 2
    i18n.set_language("vi")
    assert i18n.tr("Total: {amount}", amount="¥357.00") == "Tổng cộng: ¥357.00"  # left-to-right: untouched


@pytest.mark.parametrize(("lang", "label"), [("vi", "Đã kích hoạt"), ("fa", "فعال شده")])
def test_state_label_and_a_formatted_error(lang: str, label: str) -> None:
    from app.domain.states import StateCode, state_info

    i18n.set_language(lang)
    assert i18n.state_label(state_info(StateCode.ACTIVE)) == label
    text = i18n.tr_error(ErrorCode.INVALID_CREDENTIALS, {"attempts_left": 2})
    two = "۲" if lang == "fa" else "2"  # Persian writes its own digits
    assert two in text and text != "Wrong login or password. 2 attempts left before this login is locked."
