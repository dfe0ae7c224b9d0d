"""Tax ids per market (licence_protocol.tax_ids) and the hint the panel shows for each broken rule.

Valid examples are published ones: python-stdnum's own doctests (CN 91110000600037341L; VN 0100233488,
0314409058-002, 0100112437, 0312687878-001), codes printed on well-known companies' business licences (腾讯
9144030071526726XG, 华为 914403001922038216), and persian-tools' documented examples (IR person 0076229645,
1583250689; legal entity 10380284790).
"""

from __future__ import annotations

import json
import string

import pytest
from licence_protocol.tax_ids import (
    MARKETS,
    TaxIdKind,
    TaxIdRule,
    check_tax_id,
    iran_legal_id_check_digit,
    iran_national_id_check_digit,
    normalise_tax_id,
)

from app.domain.tax_id_hints import HINTS, all_hint_ids, tax_id_hint, tax_id_value
from app.resources import resource_path

VALID = [
    ("CN", "91110000600037341L", TaxIdKind.CN_USCC),
    ("CN", "9144030071526726XG", TaxIdKind.CN_USCC),
    ("CN", "914403001922038216", TaxIdKind.CN_USCC),
    ("CN", "91350100M000100Y43", TaxIdKind.CN_USCC),
    ("VN", "0100233488", TaxIdKind.VN_MST),
    ("VN", "0100112437", TaxIdKind.VN_MST),
    ("VN", "0314409058-002", TaxIdKind.VN_MST_BRANCH),
    ("VN", "0312687878-001", TaxIdKind.VN_MST_BRANCH),
    ("IR", "0076229645", TaxIdKind.IR_NATIONAL_ID),
    ("IR", "1583250689", TaxIdKind.IR_NATIONAL_ID),
    ("IR", "10380284790", TaxIdKind.IR_LEGAL_ID),
]

INVALID = [
    # CN
    ("CN", "91110000600037341M", TaxIdRule.CHECK_DIGIT),  # the last character of a valid code changed
    ("CN", "9144030071526726GX", TaxIdRule.CHECK_DIGIT),  # two characters swapped
    ("CN", "91110000600037341", TaxIdRule.LENGTH),
    ("CN", "91110000600037341LL", TaxIdRule.LENGTH),
    ("CN", "9111000060003734IL", TaxIdRule.CHARACTERS),  # I is never used (it looks like 1)
    ("CN", "91110000600O37341L", TaxIdRule.CHARACTERS),  # nor O (like 0)
    ("CN", "A1110000600037341L", TaxIdRule.CHARACTERS),  # stdnum: the first 8 are digits
    ("CN", "91110000MA1K000001", TaxIdRule.CHECK_DIGIT),  # a made-up "round" code
    # VN
    ("VN", "0100233480", TaxIdRule.CHECK_DIGIT),  # stdnum's doctest of a wrong check digit
    ("VN", "0314409058-000", TaxIdRule.NOT_ISSUED),  # branch 000 is the head office itself
    ("VN", "0100000008", TaxIdRule.NOT_ISSUED),  # serial 0000000
    ("VN", "12345", TaxIdRule.LENGTH),
    ("VN", "0314409058-02", TaxIdRule.LENGTH),
    ("VN", "01002334A8", TaxIdRule.CHARACTERS),
    # IR
    ("IR", "0076229646", TaxIdRule.CHECK_DIGIT),
    ("IR", "10380284791", TaxIdRule.CHECK_DIGIT),
    ("IR", "1111111111", TaxIdRule.NOT_ISSUED),  # passes the sum, never issued
    ("IR", "0000000000", TaxIdRule.NOT_ISSUED),
    ("IR", "12300000090", TaxIdRule.NOT_ISSUED),  # serial digits 4-9 all zero
    ("IR", "11537027", TaxIdRule.LENGTH),  # written without its leading zeros: typed in full it is 0011537027
    ("IR", "123456789012", TaxIdRule.LENGTH),
    ("IR", "007622964x", TaxIdRule.CHARACTERS),
]


@pytest.mark.parametrize(("market", "text", "kind"), VALID)
def test_published_tax_ids_are_valid(market: str, text: str, kind: TaxIdKind) -> None:
    check = check_tax_id(market, text)
    assert (check.valid, check.failed_rule, check.kind) == (True, None, kind)
    assert check.display == text


@pytest.mark.parametrize(("market", "text", "rule"), INVALID)
def test_invalid_tax_ids_name_the_rule_they_break(market: str, text: str, rule: TaxIdRule) -> None:
    check = check_tax_id(market, text)
    assert (check.valid, check.failed_rule, check.kind) == (False, rule, None)


def test_input_is_normalised_before_the_check() -> None:
    assert normalise_tax_id(" 9144 0300-7152.6726 xg ") == "9144030071526726XG"
    assert normalise_tax_id("９１４４０３００７１５２６７２６ＸＧ") == "9144030071526726XG"  # full-width
    assert normalise_tax_id("۰۰۷۶۲۲۹۶۴۵") == "0076229645"  # Persian digits
    assert normalise_tax_id("٠٠٧٦٢٢٩٦٤٥") == "0076229645"  # Arabic-Indic digits
    assert check_tax_id("vn", "0314 409 058 – 002").display == "0314409058-002"
    assert check_tax_id("IR", "۱۰۳۸۰۲۸۴۷۹۰").kind is TaxIdKind.IR_LEGAL_ID


def test_an_empty_tax_id_fails_length_and_an_unknown_market_is_an_error() -> None:
    assert all(check_tax_id(m, " ").failed_rule is TaxIdRule.LENGTH for m in MARKETS)
    with pytest.raises(ValueError, match="market"):
        check_tax_id("US", "123")


def test_the_iranian_check_digits_follow_their_published_rules() -> None:
    # Person: Σ d·(10−i) over the first nine, mod 11; r < 2 is the digit itself, else 11 − r.
    assert iran_national_id_check_digit("007622964") == 5  # 7·8+6·7+2·6+2·5+9·4+6·3+4·2 = 182, r = 6, 11 − 6
    assert iran_national_id_check_digit("100000001") == 1  # 1·10 + 1·2 = 12, r = 1: the digit itself
    # Legal entity: weights 29 27 23 19 17 (twice) over each digit plus (10th digit + 2), mod 11, 10 → 0.
    assert iran_legal_id_check_digit("1038028479") == 0


def test_any_single_character_change_of_a_chinese_or_vietnamese_id_is_caught() -> None:
    # Not so in Iran: both of its rules fold two remainders onto one check digit (10 and 0 for an entity, 10 and
    # 1 for a person), so e.g. 40380284790 passes like 10380284790; the published rules are kept as they are.
    assert check_tax_id("IR", "40380284790").valid
    for market, text, _ in (v for v in VALID if v[0] != "IR"):
        value = check_tax_id(market, text).value
        for i, c in enumerate(value):
            alphabet = string.digits if market != "CN" or i < 8 else "0123456789ABCDEFGHJKLMNPQRTUWXY"
            for other in alphabet.replace(c, ""):
                changed = value[:i] + other + value[i + 1 :]
                if market == "VN" and i >= 10:
                    continue  # the branch suffix is outside the check digit
                assert not check_tax_id(market, changed).valid, (market, changed)


@pytest.mark.parametrize(
    ("market", "text", "optional", "acceptable", "has_hint"),
    [
        ("CN", "", True, True, False),
        ("CN", "", False, False, False),  # required and empty: no hint, but the form cannot be sent
        ("CN", "9144030071526726XG", False, True, False),
        ("CN", "9144030071526726XH", True, False, True),
        ("XX", "9144030071526726XG", True, True, False),  # an unknown market is checked as CN
    ],
)
def test_the_hint_under_the_field(market: str, text: str, optional: bool, acceptable: bool, has_hint: bool) -> None:
    hint = tax_id_hint(market, text, optional=optional)
    assert hint.acceptable is acceptable
    assert (hint.msgid is not None) is has_hint


def test_the_hint_names_the_rule_and_counts_what_was_typed() -> None:
    hint = tax_id_hint("VN", "01002", optional=True)
    assert hint.msgid == HINTS[("VN", TaxIdRule.LENGTH)] and hint.fmt == {"count": 5}
    assert tax_id_hint("IR", "0076229646", optional=True).msgid == HINTS[("IR", TaxIdRule.CHECK_DIGIT)]
    assert tax_id_value("VN", " 0314409058 002 ") == "0314409058-002"
    assert tax_id_value("VN", " 03144 ") == "03144"  # as typed: the server names the rule


def test_every_market_and_rule_has_a_hint() -> None:
    assert set(HINTS) == {(m, r) for m in MARKETS for r in TaxIdRule}


@pytest.mark.parametrize("lang", ["zh_CN", "vi", "fa"])
def test_every_hint_is_translated_with_its_placeholders(lang: str) -> None:
    table = json.loads(resource_path("i18n", f"{lang}.json").read_text(encoding="utf-8"))
    for msgid in all_hint_ids():
        text = table.get(msgid, "")
        assert text.strip() and text != msgid, (lang, msgid)
        fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
        assert fields == {f for _, f, _, _ in string.Formatter().parse(msgid) if f}, (lang, msgid)
