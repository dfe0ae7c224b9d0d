"""Tax ids of the markets the licence server sells in, checked by their check digits (server and panel alike).

One pure function, ``check_tax_id(market, text)``, normalises what a person typed and says which rule it breaks,
so the server's ``INVALID_TAX_ID`` details and the panel's hint under the field name the same rule:

- CN: the 18-character unified social credit code (统一社会信用代码, GB 32100-2015): digits and the capital
  letters other than I, O, Z, S and V; the 18th is a check character, mod 31. python-stdnum's ``stdnum.cn.uscc``.
- VN: the tax code (mã số thuế, MST): 10 digits, the 10th a check digit over the first nine; a branch adds a
  3-digit suffix (13 digits, usually written ``0123456789-001``). python-stdnum's ``stdnum.vn.mst``.
- IR: the 10-digit national id of a person (کد ملی, mod 11) or the 11-digit national id of a legal entity
  (شناسه ملی, its own weighted mod 11), which is also the entity's economic code. python-stdnum has no Iranian
  numbers, so both are written here, with their sources in the docstrings.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.vn import mst

__all__ = [
    "MARKETS",
    "TaxIdCheck",
    "TaxIdKind",
    "TaxIdRule",
    "check_tax_id",
    "iran_legal_id_check_digit",
    "iran_national_id_check_digit",
    "normalise_tax_id",
]

MARKETS = ("CN", "VN", "IR")


class TaxIdRule(StrEnum):
    """The rule a tax id breaks, in the order they are checked (a message names the first one broken)."""

    CHARACTERS = "characters"  # a character the market's tax ids never contain
    LENGTH = "length"  # too short or too long for every kind of the market's tax ids
    NOT_ISSUED = "not_issued"  # well formed, but of a form never issued (an all-zero serial or branch)
    CHECK_DIGIT = "check_digit"  # the check digit (or character) does not match the rest: a typo


class TaxIdKind(StrEnum):
    """Which of the market's tax ids a valid one is."""

    CN_USCC = "cn_uscc"  # 统一社会信用代码
    VN_MST = "vn_mst"  # mã số thuế of an enterprise
    VN_MST_BRANCH = "vn_mst_branch"  # mã số thuế of a branch: the parent's ten digits and a 3-digit suffix
    IR_NATIONAL_ID = "ir_national_id"  # کد ملی of a person
    IR_LEGAL_ID = "ir_legal_id"  # شناسه ملی of a legal entity (its economic code)


@dataclass(frozen=True)
class TaxIdCheck:
    """The outcome of checking one tax id against one market's rules."""

    market: str
    value: str  # normalised: no spaces or hyphens, capital letters, ASCII digits
    failed_rule: TaxIdRule | None
    kind: TaxIdKind | None = None  # set when valid

    @property
    def valid(self) -> bool:
        return self.failed_rule is None

    @property
    def display(self) -> str:
        """The value as it is conventionally written: a Vietnamese branch code as ``0123456789-001``."""
        if self.kind is TaxIdKind.VN_MST_BRANCH:
            return f"{self.value[:10]}-{self.value[10:]}"
        return self.value


# Persian (U+06F0…) and Arabic-Indic (U+0660…) digits, as an Iranian keyboard types them.
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
# What people put between groups of characters: spaces of every width, hyphens and dashes, dots (01.00.112.437).
_SEPARATORS = frozenset(" \t\u00a0\u2007\u202f\u200c\u200b-\u2010\u2011\u2012\u2013\u2014\u2212.")

# GB 32100-2015, table 1: the 31 characters of the code, each standing for its index (the check is mod 31).
_CN_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ASCII_DIGITS = "0123456789"
_IR_LENGTHS = (10, 11)


def normalise_tax_id(text: str) -> str:
    """``text`` without separators, in capitals, with ASCII digits (full-width and Persian digits folded)."""
    folded = unicodedata.normalize("NFKC", text).translate(_DIGITS)
    return "".join(c for c in folded if c not in _SEPARATORS).upper()


def check_tax_id(market: str, text: str) -> TaxIdCheck:
    """Check ``text`` against the tax-id rules of ``market`` (CN, VN or IR); ValueError for another market.

    An empty text fails the length rule: whether a tax id may be left out is the caller's decision.
    """
    market = market.upper()
    value = normalise_tax_id(text)
    if market == "CN":
        return _check_cn(value)
    if market == "VN":
        return _check_vn(value)
    if market == "IR":
        return _check_ir(value)
    raise ValueError(f"unknown market {market!r}")


def _check_cn(value: str) -> TaxIdCheck:
    # Characters first (as the person types), then stdnum's own length, format and check-character rules.
    # stdnum also wants the first eight characters digits (authority, entity type, region code).
    if any(c not in _CN_ALPHABET for c in value) or any(c not in _ASCII_DIGITS for c in value[:8]):
        return TaxIdCheck("CN", value, TaxIdRule.CHARACTERS)
    rule = _stdnum_rule(uscc.validate, value)
    return TaxIdCheck("CN", value, rule, None if rule else TaxIdKind.CN_USCC)


def _check_vn(value: str) -> TaxIdCheck:
    if any(c not in _ASCII_DIGITS for c in value):
        return TaxIdCheck("VN", value, TaxIdRule.CHARACTERS)
    rule = _stdnum_rule(mst.validate, value)
    if rule is not None:
        return TaxIdCheck("VN", value, rule)
    return TaxIdCheck("VN", value, None, TaxIdKind.VN_MST if len(value) == 10 else TaxIdKind.VN_MST_BRANCH)


def _stdnum_rule(validate: Callable[[str], str], value: str) -> TaxIdRule | None:
    try:
        validate(value)
    except InvalidLength:
        return TaxIdRule.LENGTH
    except InvalidFormat:
        return TaxIdRule.CHARACTERS
    except InvalidComponent:
        return TaxIdRule.NOT_ISSUED
    except InvalidChecksum:
        return TaxIdRule.CHECK_DIGIT
    except ValidationError:  # a rule a newer stdnum adds: still a refusal, worded as the generic form rule
        return TaxIdRule.CHARACTERS
    return None


def _check_ir(value: str) -> TaxIdCheck:
    if any(c not in _ASCII_DIGITS for c in value):
        return TaxIdCheck("IR", value, TaxIdRule.CHARACTERS)
    if len(value) not in _IR_LENGTHS:
        return TaxIdCheck("IR", value, TaxIdRule.LENGTH)
    # Both kinds number their serial in digits 4-9; all zeros there is never issued (nor are ten equal digits,
    # which happen to pass the person's check: 1111111111).
    if int(value[3:9]) == 0 or len(set(value)) == 1:
        return TaxIdCheck("IR", value, TaxIdRule.NOT_ISSUED)
    if len(value) == 10:
        ok, kind = int(value[9]) == iran_national_id_check_digit(value), TaxIdKind.IR_NATIONAL_ID
    else:
        ok, kind = int(value[10]) == iran_legal_id_check_digit(value), TaxIdKind.IR_LEGAL_ID
    return TaxIdCheck("IR", value, None, kind) if ok else TaxIdCheck("IR", value, TaxIdRule.CHECK_DIGIT)


def iran_national_id_check_digit(value: str) -> int:
    """The check digit (10th) of an Iranian person's national id, کد ملی, from its first nine digits.

    Rule (National Organization for Civil Registration, as published e.g. by persian-tools'
    ``verifyIranianNationalId`` and Wikipedia "National identification number", Iran): s = Σ dᵢ·(10−i) for
    i = 0…8; r = s mod 11; the check digit is r when r < 2, else 11 − r.
    """
    remainder = sum(int(d) * (10 - i) for i, d in enumerate(value[:9])) % 11
    return remainder if remainder < 2 else 11 - remainder


def iran_legal_id_check_digit(value: str) -> int:
    """The check digit (11th) of an Iranian legal entity's national id, شناسه ملی, from its first ten digits.

    Rule (Iran's national-id system for legal entities, as published by persian-tools' ``verifyIranianLegalId``
    after aliarash.com "شناسه ملی"): with d = the 10th digit + 2 and weights 29, 27, 23, 19, 17 repeated,
    s = Σ (dᵢ + d)·wᵢ for i = 0…9; r = s mod 11, and 10 counts as 0.
    """
    weights = (29, 27, 23, 19, 17)
    offset = int(value[9]) + 2
    remainder = sum((int(d) + offset) * weights[i % 5] for i, d in enumerate(value[:10])) % 11
    return 0 if remainder == 10 else remainder
