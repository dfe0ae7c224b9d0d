"""What can be bought for one ledger and fiscal year, priced per edition (server prices only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from licence_protocol.errors import ErrorCode
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import ApiError
from server.models import Entitlement, Ledger, LedgerYear, Licence

CURRENCY = "CNY"
MODULES = ("period_close", "accounting", "tax_filing", "cloud_backup")


@dataclass(frozen=True)
class Sku:
    sku: str
    kind: str  # module | vouchers | ledgers | renewal
    name_zh: str
    name_en: str
    pack_size: int = 0  # vouchers per pack; months per renewal


SKUS: dict[str, Sku] = {
    s.sku: s
    for s in (
        Sku("period_close", "module", "开通账套(结账)", "Ledger opening (period close)"),
        Sku("accounting", "module", "账务处理", "Bookkeeping"),
        Sku("tax_filing", "module", "一键报税", "One-click tax filing"),
        Sku("cloud_backup", "module", "云备份", "Cloud backup"),
        Sku("vouchers_100", "vouchers", "凭证 100 张", "100 vouchers", 100),
        Sku("vouchers_500", "vouchers", "凭证 500 张", "500 vouchers", 500),
        # Cloud edition only: one more ledger in use (账套数量), the way out of LEDGER_LIMIT_EXCEEDED.
        Sku("ledgers_1", "ledgers", "账套数量 +1", "One more ledger", 1),
        # Paid editions: a 12-month 充值码 to redeem with 产品充值; the only purchase while EXPIRED.
        Sku("renewal_12m", "renewal", "产品续费 12 个月(充值码)", "Renewal, 12 months (recharge code)", 12),
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
        "renewal_12m": 59_800,
    },
    "cloud": {
        "period_close": 29_900,
        "accounting": 39_900,
        "tax_filing": 29_900,
        "cloud_backup": 9_900,
        "vouchers_100": 2_900,
        "vouchers_500": 9_900,
        "ledgers_1": 19_900,
        "renewal_12m": 99_800,
    },
}


def price_of(edition: str, sku: str) -> int:
    """The server's unit price, or UNKNOWN_SKU when this edition does not sell it."""
    try:
        return PRICES[edition][sku]
    except KeyError:
        raise ApiError(ErrorCode.UNKNOWN_SKU, "this edition does not sell that item", {"sku": sku}) from None


def money(amount_minor: int) -> dict[str, Any]:
    return {"amount_minor": amount_minor, "currency": CURRENCY}


def yuan(amount_minor: int) -> str:
    """An amount as people read it on a page or in a message: ¥1234.50."""
    return f"¥{amount_minor // 100}.{amount_minor % 100:02d}"


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
    session: Session, licence: Licence, ledger: Ledger, fiscal_year: int, allowed_kinds: frozenset[str]
) -> list[dict[str, Any]]:
    """Every SKU of the licence's edition, with its state for exactly this ledger-year."""
    opened = opened_modules(session, licence.id, ledger.id, fiscal_year)
    items = []
    for sku, amount in PRICES.get(licence.policy.edition, {}).items():
        info = SKUS[sku]
        # Packs, ledgers and renewals can be bought again and again: they are never "opened".
        state = ("opened" if sku in opened else "not_opened") if info.kind == "module" else "available"
        items.append(
            {
                "sku": sku,
                "kind": info.kind,
                "name_zh": info.name_zh,
                "name_en": info.name_en,
                "pack_size": info.pack_size or None,
                "price": money(amount),
                "state": state,
                "purchasable": info.kind in allowed_kinds and state != "opened",
            }
        )
    return items
