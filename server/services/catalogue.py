"""What can be bought for one ledger and fiscal year, priced per edition (server prices only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from licence_protocol.errors import ErrorCode
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import ApiError
from server.models import Entitlement, Ledger, LedgerYear, Licence
from server.services.markets import CURRENCIES, DEFAULT_MARKET

CURRENCY = CURRENCIES[DEFAULT_MARKET]  # the currency of ``PRICES`` and ``LICENCE_PRICES``
MODULES = ("period_close", "accounting", "tax_filing", "cloud_backup")


@dataclass(frozen=True)
class Sku:
    sku: str
    kind: str  # module | vouchers | ledgers | renewal (past orders only) | seats
    name_zh: str
    name_en: str
    pack_size: int = 0  # vouchers per pack; months per renewal
    name_vi: str = ""
    name_fa: str = ""

    def name(self, language: str) -> str:
        """The name in ``language`` (zh_CN, en, vi, fa); English where a name is missing."""
        names = {"zh_CN": self.name_zh, "en": self.name_en, "vi": self.name_vi, "fa": self.name_fa}
        return names.get(language) or self.name_en


SKUS: dict[str, Sku] = {
    s.sku: s
    for s in (
        Sku(
            "period_close",
            "module",
            "开通账套(结账)",
            "Ledger opening (period close)",
            name_vi="Mở sổ kế toán (khóa sổ kỳ)",
            name_fa="گشایش دفتر (بستن دوره)",
        ),
        Sku(
            "accounting",
            "module",
            "账务处理",
            "Bookkeeping",
            name_vi="Ghi sổ kế toán",
            name_fa="ثبت اسناد حسابداری",
        ),
        Sku(
            "tax_filing",
            "module",
            "一键报税",
            "One-click tax filing",
            name_vi="Kê khai thuế một chạm",
            name_fa="اظهارنامه مالیاتی با یک کلیک",
        ),
        Sku(
            "cloud_backup",
            "module",
            "云备份",
            "Cloud backup",
            name_vi="Sao lưu đám mây",
            name_fa="پشتیبان‌گیری ابری",
        ),
        Sku(
            "vouchers_100",
            "vouchers",
            "凭证 100 张",
            "100 vouchers",
            100,
            name_vi="100 chứng từ",
            name_fa="۱۰۰ سند حسابداری",
        ),
        Sku(
            "vouchers_500",
            "vouchers",
            "凭证 500 张",
            "500 vouchers",
            500,
            name_vi="500 chứng từ",
            name_fa="۵۰۰ سند حسابداری",
        ),
        # Cloud edition only: one more ledger in use (账套数量), the way out of LEDGER_LIMIT_EXCEEDED.
        Sku(
            "ledgers_1",
            "ledgers",
            "账套数量 +1",
            "One more ledger",
            1,
            name_vi="Thêm một sổ kế toán",
            name_fa="یک دفتر حسابداری بیشتر",
        ),
        # No longer sold (renewal belongs to the licence: POST /renewals); kept so past orders still read.
        Sku(
            "renewal_12m",
            "renewal",
            "产品续费 12 个月(充值码)",
            "Renewal, 12 months (recharge code)",
            12,
            name_vi="Gia hạn 12 tháng (mã nạp tiền)",
            name_fa="تمدید ۱۲ ماهه (کد شارژ)",
        ),
        # A licence's item, not a ledger-year's: one more computer on top of the edition's seats.
        Sku(
            "seats_1",
            "seats",
            "增购台数 +1 台",
            "One more computer (seat)",
            1,
            name_vi="Thêm một máy tính (chỗ cài đặt)",
            name_fa="یک رایانه بیشتر (جایگاه نصب)",
        ),
    )
}

# Prices in fen (CNY minor units). An edition sells only the SKUs it lists.
PRICES: dict[str, dict[str, int]] = {
    "free": {
        "period_close": 9_900,
        "accounting": 19_900,
        "tax_filing": 9_900,
        "cloud_backup": 4_900,
        "vouchers_100": 1_900,
        "vouchers_500": 6_900,
    },
    "standard": {
        "period_close": 19_900,
        "accounting": 29_900,
        "tax_filing": 19_900,
        "cloud_backup": 9_900,
        "vouchers_100": 2_900,
        "vouchers_500": 9_900,
    },
    "cloud": {
        "period_close": 29_900,
        "accounting": 39_900,
        "tax_filing": 29_900,
        "cloud_backup": 9_900,
        "vouchers_100": 2_900,
        "vouchers_500": 9_900,
        "ledgers_1": 19_900,
    },
}


# What is sold for the licence as a whole (GET /licences/{id}/catalogue), never inside a ledger-year's order.
# Seats only where an edition has more than one computer to add to.
LICENCE_PRICES: dict[str, dict[str, int]] = {
    "standard": {"seats_1": 29_900},
    "cloud": {"seats_1": 39_900},
}
LICENCE_KINDS = frozenset({"seats"})
# Sold elsewhere, named in the refusal so a client can send its user there.
SOLD_ELSEWHERE = {
    "renewal": "renewal is sold for the licence on the renewal screen (POST /api/v1/renewals), "
    "not with a ledger's items",
    "seats": "seats are sold for the licence (POST /api/v1/licences/{id}/seat-orders), not with a ledger's items",
}


def refuse_if_sold_elsewhere(sku: str) -> None:
    """UNKNOWN_SKU, saying where it is sold, for an item of the licence sent in a ledger-year's order."""
    info = SKUS.get(sku)
    if info is not None and info.kind in SOLD_ELSEWHERE:
        raise ApiError(ErrorCode.UNKNOWN_SKU, SOLD_ELSEWHERE[info.kind], {"sku": sku})


def licence_price_of(edition: str, sku: str, currency: str = CURRENCY) -> int:
    """The server's unit price of an item of the licence, or UNKNOWN_SKU when this edition does not sell it."""
    try:
        amount = LICENCE_PRICES[edition][sku]  # what an edition sells is decided once, by the CNY list
        return amount if currency == CURRENCY else LOCAL_PRICES[currency][edition][sku]
    except KeyError:
        raise ApiError(ErrorCode.UNKNOWN_SKU, "this edition does not sell that item", {"sku": sku}) from None


def licence_catalogue_items(
    licence: Licence, allowed_kinds: frozenset[str], *, currency: str = CURRENCY, language: str = "zh_CN"
) -> list[dict[str, Any]]:
    """The items of the licence itself (seat packs) priced in ``currency``, purchasable when its state allows."""
    edition = licence.policy.edition
    return [
        _item_json(
            SKUS[sku],
            money(licence_price_of(edition, sku, currency), currency),
            "available",
            SKUS[sku].kind in allowed_kinds,
            language,
        )
        for sku in LICENCE_PRICES.get(edition, {})
    ]


def _item_json(info: Sku, price: dict[str, Any], state: str, purchasable: bool, language: str) -> dict[str, Any]:
    """One catalogue row as the API answers it, for a ledger-year's items and the licence's own alike."""
    return {
        "sku": info.sku,
        "kind": info.kind,
        "name_zh": info.name_zh,
        "name_en": info.name_en,
        "name": info.name(language),
        "pack_size": info.pack_size or None,
        "price": price,
        "state": state,
        "purchasable": purchasable,
    }


# Local list prices of every item ``PRICES`` and ``LICENCE_PRICES`` sell, set per market (not converted at a
# rate): whole dong and whole rials, neither has a minor unit in use.
LOCAL_PRICES: dict[str, dict[str, dict[str, int]]] = {
    "VND": {
        "free": {
            "period_close": 349_000,
            "accounting": 699_000,
            "tax_filing": 349_000,
            "cloud_backup": 169_000,
            "vouchers_100": 69_000,
            "vouchers_500": 249_000,
        },
        "standard": {
            "period_close": 699_000,
            "accounting": 1_049_000,
            "tax_filing": 699_000,
            "cloud_backup": 349_000,
            "vouchers_100": 99_000,
            "vouchers_500": 349_000,
            "seats_1": 1_049_000,
        },
        "cloud": {
            "period_close": 1_049_000,
            "accounting": 1_390_000,
            "tax_filing": 1_049_000,
            "cloud_backup": 349_000,
            "vouchers_100": 99_000,
            "vouchers_500": 349_000,
            "ledgers_1": 699_000,
            "seats_1": 1_390_000,
        },
    },
    "IRR": {
        "free": {
            "period_close": 13_900_000,
            "accounting": 27_900_000,
            "tax_filing": 13_900_000,
            "cloud_backup": 6_900_000,
            "vouchers_100": 2_700_000,
            "vouchers_500": 9_700_000,
        },
        "standard": {
            "period_close": 27_900_000,
            "accounting": 41_900_000,
            "tax_filing": 27_900_000,
            "cloud_backup": 13_900_000,
            "vouchers_100": 4_100_000,
            "vouchers_500": 13_900_000,
            "seats_1": 41_900_000,
        },
        "cloud": {
            "period_close": 41_900_000,
            "accounting": 55_900_000,
            "tax_filing": 41_900_000,
            "cloud_backup": 13_900_000,
            "vouchers_100": 4_100_000,
            "vouchers_500": 13_900_000,
            "ledgers_1": 27_900_000,
            "seats_1": 55_900_000,
        },
    },
}


def price_of(edition: str, sku: str, currency: str = CURRENCY) -> int:
    """The server's unit price in ``currency``, or UNKNOWN_SKU when this edition does not sell it."""
    try:
        amount = PRICES[edition][sku]  # what an edition sells is decided once, by the CNY list
        return amount if currency == CURRENCY else LOCAL_PRICES[currency][edition][sku]
    except KeyError:
        raise ApiError(ErrorCode.UNKNOWN_SKU, "this edition does not sell that item", {"sku": sku}) from None


def money(amount_minor: int, currency: str = CURRENCY) -> dict[str, Any]:
    return {"amount_minor": amount_minor, "currency": currency}


def ledger_of_licence(session: Session, licence: Licence, ledger_id: int) -> Ledger:
    """The ledger if it belongs to the licence's organisation; anything else reads as not found."""
    ledger = session.get(Ledger, ledger_id)
    if ledger is None or licence.organisation_id is None or ledger.organisation_id != licence.organisation_id:
        raise ApiError(ErrorCode.LEDGER_NOT_FOUND, "ledger not found for this licence", {"ledger_id": ledger_id})
    return ledger


def opened_modules(session: Session, licence_id: int, ledger_id: int, fiscal_year: int) -> set[str]:
    rows = session.scalars(
        select(Entitlement.module).where(
            Entitlement.licence_id == licence_id,
            Entitlement.ledger_id == ledger_id,
            Entitlement.fiscal_year == fiscal_year,
            Entitlement.revoked_at.is_(None),
        )
    )
    return set(rows)


def voucher_usage(session: Session, licence: Licence, ledger_id: int, fiscal_year: int) -> dict[str, int]:
    year = session.scalar(
        select(LedgerYear).where(LedgerYear.ledger_id == ledger_id, LedgerYear.fiscal_year == fiscal_year)
    )
    if year is None:
        return {"used": 0, "quota": licence.policy.voucher_quota_default}
    return {"used": year.vouchers_used, "quota": year.voucher_quota}


def catalogue_items(
    session: Session,
    licence: Licence,
    ledger: Ledger,
    fiscal_year: int,
    allowed_kinds: frozenset[str],
    *,
    currency: str = CURRENCY,
    language: str = "zh_CN",
) -> list[dict[str, Any]]:
    """Every SKU of the licence's edition priced in ``currency``, with its state for exactly this ledger-year."""
    opened = opened_modules(session, licence.id, ledger.id, fiscal_year)
    items = []
    for sku in PRICES.get(licence.policy.edition, {}):
        amount = price_of(licence.policy.edition, sku, currency)
        info = SKUS[sku]
        # Packs, ledgers and renewals can be bought again and again: they are never "opened".
        state = ("opened" if sku in opened else "not_opened") if info.kind == "module" else "available"
        purchasable = info.kind in allowed_kinds and state != "opened"
        items.append(_item_json(info, money(amount, currency), state, purchasable, language))
    return items
