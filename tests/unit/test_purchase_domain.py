"""Purchase rules of the dialog: target ledger-year, money, voucher bar, and which buy buttons a state allows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.domain import purchase
from app.domain.ledgers import LicenceLedgers
from app.domain.orders import Order, OrderItem
from app.domain.purchase import ALL_KINDS, Catalogue, LedgerYear, Selection, ServerVerdict
from app.domain.states import CATALOGUE, PurchasePolicy


def _years(*years: int) -> list[dict]:
    return [{"fiscal_year": y, "modules": [], "vouchers": {"used": 0, "quota": 50}} for y in years]


LEDGERS = LicenceLedgers.from_json(
    {
        "ledgers": [
            {"id": 1, "code": "A", "name": "总公司", "archived": False, "years": _years(2024, 2025)},
            {"id": 2, "code": "B", "name": "分公司", "archived": False, "years": _years(2024, 2025)},
            {"id": 3, "code": "C", "name": "旧账", "archived": True, "years": _years(2020)},
        ],
        "purchased": 3,
        "in_use": 2,
    }
)


def catalogue(state: str = "ACTIVE", kinds=ALL_KINDS, opened: tuple[str, ...] = ()) -> Catalogue:
    def item(sku, kind, price, state_="available", pack=None):
        return {
            "sku": sku,
            "kind": kind,
            "name_zh": sku + "中",
            "name_en": sku,
            "pack_size": pack,
            "price": {"amount_minor": price, "currency": "CNY"},
            "state": state_,
            "purchasable": kind in kinds and state_ != "opened",
        }

    return Catalogue.from_json(
        {
            "licence_id": 7,
            "edition": "standard",
            "ledger": {"id": 1, "code": "A", "name": "总公司"},
            "fiscal_year": 2025,
            "purchase": {"allowed": set(kinds) == ALL_KINDS, "state": state, "kinds": sorted(kinds)},
            "vouchers": {"used": 12, "quota": 50},
            "items": [
                item("vouchers_100", "vouchers", 2900, pack=100),
                item("renewal_12m", "renewal", 59800),
                *(
                    item(s, "module", p, "opened" if s in opened else "not_opened")
                    for s, p in (("period_close", 19900), ("accounting", 29900))
                ),
            ],
        }
    )


class TestTarget:
    def test_every_ledger_year_except_archived_ledgers(self) -> None:
        choices = purchase.ledger_years(LEDGERS)
        assert [(c.code, c.fiscal_year) for c in choices] == [("A", 2025), ("A", 2024), ("B", 2025), ("B", 2024)]

    def test_order_items_name_the_one_target_and_no_price(self) -> None:
        target = LedgerYear(2, 2025, "B")
        items = purchase.order_items(target, [Selection("period_close", 1), Selection("vouchers_100", 0)])
        assert items == [OrderItem("period_close", 2, 2025, 1)]
        assert items[0].to_json() == {"sku": "period_close", "ledger_id": 2, "fiscal_year": 2025, "quantity": 1}


class TestMoney:
    @pytest.mark.parametrize(
        ("minor", "text"), [(1200, "¥12.00"), (5, "¥0.05"), (19900, "¥199.00"), (0, "¥0.00"), (-150, "-¥1.50")]
    )
    def test_minor_units_to_yuan(self, minor: int, text: str) -> None:
        assert purchase.format_money(minor, "CNY", "zh_CN") == text  # other languages: test_formatting.py

    def test_other_currencies_get_their_symbol(self) -> None:
        assert purchase.format_money(1234, "USD", "en") == "$12.34"
        assert purchase.money_text(None) == "—"

    def test_total_is_price_times_quantity(self) -> None:
        rows = purchase.item_rows(catalogue())
        assert purchase.order_total(rows, [Selection("period_close", 1), Selection("vouchers_100", 3)]) == 28600


class TestRows:
    def test_modules_first_with_their_state(self) -> None:
        rows = purchase.item_rows(catalogue(opened=("accounting",)))
        assert [r.sku for r in rows][:2] == ["period_close", "accounting"]
        assert [r.opened for r in rows[:2]] == [False, True]
        assert rows[0].name("zh_CN") == "period_close中" and rows[0].name("en") == "period_close"

    def test_newly_opened_is_the_difference(self) -> None:
        before, after = catalogue(), catalogue(opened=("period_close",))
        assert [r.sku for r in purchase.newly_opened(before, after)] == ["period_close"]
        assert purchase.newly_opened(after, after) == []

    @pytest.mark.parametrize(("used", "quota", "fraction"), [(12, 50, 0.24), (0, 50, 0.0), (60, 50, 1.0), (1, 0, 1.0)])
    def test_voucher_bar(self, used: int, quota: int, fraction: float) -> None:
        assert purchase.voucher_fraction(used, quota) == pytest.approx(fraction)


def enabled(local: str | None, cat: Catalogue | None) -> set[str]:
    verdict = purchase.buy_verdict(local, cat.purchase if cat else None)
    return {r.sku for r in purchase.item_rows(cat) if purchase.row_buyable(r, verdict)}


class TestBuyVerdict:
    def test_active_everywhere_buys_everything_not_opened(self) -> None:
        cat = catalogue(opened=("accounting",))
        verdict = purchase.buy_verdict("ACTIVE", cat.purchase)
        assert not verdict.restricted and verdict.decided_by == "none"
        assert enabled("ACTIVE", cat) == {"vouchers_100", "renewal_12m", "period_close"}

    @pytest.mark.parametrize("code", [c.value for c, i in CATALOGUE.items() if i.purchase is PurchasePolicy.BLOCKED])
    def test_every_blocked_state_of_the_catalogue_disables_every_buy_button(self, code: str) -> None:
        verdict = purchase.buy_verdict(code, catalogue().purchase)
        assert verdict.blocked and verdict.state == code and verdict.decided_by == "local"
        assert enabled(code, catalogue()) == set()

    def test_the_server_blocks_a_state_this_computer_does_not_know_yet(self) -> None:
        cat = catalogue("TOO_MANY_MACHINES", frozenset())
        verdict = purchase.buy_verdict("ACTIVE", cat.purchase)
        assert verdict.blocked and verdict.state == "TOO_MANY_MACHINES" and verdict.decided_by == "server"
        assert enabled("ACTIVE", cat) == set()

    def test_expired_is_renewal_only(self) -> None:
        cat = catalogue("EXPIRED", frozenset({"renewal"}))
        verdict = purchase.buy_verdict("EXPIRED", cat.purchase)
        assert verdict.restricted and not verdict.blocked and verdict.state == "EXPIRED"
        assert enabled("EXPIRED", cat) == {"renewal_12m"}
        # a stale local ACTIVE does not widen what the server allows
        assert enabled("ACTIVE", cat) == {"renewal_12m"}

    def test_ledger_limit_allows_ledgers_and_renewal_only(self) -> None:
        verdict = purchase.buy_verdict("LEDGER_LIMIT_EXCEEDED", catalogue().purchase)
        assert verdict.kinds == {"ledgers", "renewal"} and verdict.state == "LEDGER_LIMIT_EXCEEDED"

    def test_no_state_or_no_server_answer_buys_nothing(self) -> None:
        assert purchase.buy_verdict(None, None).blocked
        assert purchase.buy_verdict("ACTIVE", None).blocked
        assert purchase.buy_verdict("ACTIVE", None).decided_by == "none"  # waiting, not refused

    def test_an_unknown_server_state_is_blocked(self) -> None:
        verdict = purchase.buy_verdict("ACTIVE", ServerVerdict(False, "SOMETHING_NEW", frozenset()))
        assert verdict.blocked and verdict.state == "UNKNOWN_BLOCKED"


class TestPaymentAndRefund:
    def test_countdown(self) -> None:
        now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
        assert purchase.remaining_seconds((now + timedelta(minutes=15)).isoformat(), now) == 900
        assert purchase.remaining_seconds((now - timedelta(seconds=5)).isoformat(), now) == 0
        assert purchase.remaining_seconds(None, now) == 0
        assert purchase.format_countdown(899) == "14:59"
        assert purchase.format_countdown(-3) == "00:00"

    def test_the_refund_rule_is_the_servers_verdict(self) -> None:
        refund = {
            "allowed": False,
            "reason": "REFUND_WINDOW_CLOSED",
            "deadline": "2025-03-08T12:00:00+00:00",
            "support": {"qq_group": "636016246", "phone": "021-58350168", "email": "service@example.com"},
        }
        order = Order.from_json(order_json(status="paid", refund=refund))
        view = order.refund
        assert not view.allowed and view.reason == "REFUND_WINDOW_CLOSED"
        assert view.deadline == datetime(2025, 3, 8, 12, tzinfo=UTC)
        assert view.support is not None and view.support.phone == "021-58350168"
        assert order.final and not Order.from_json(order_json(status="pending_payment")).final


def order_json(**fields: object) -> dict:
    """An Order as ``GET /orders/{id}`` answers it (docs/ARCHITECTURE.md), with ``fields`` replaced."""
    money = {"amount_minor": 19900, "currency": "CNY"}
    order = {
        "id": 11,
        "licence_id": 7,
        "status": "paid",
        "amount": money,
        "created_at": "2025-03-01T12:00:00+00:00",
        "paid_at": "2025-03-01T12:03:00+00:00",
        "refunded_at": None,
        "items": [
            {
                "sku": "period_close",
                "kind": "module",
                "name_zh": "开通账套(结账)",
                "name_en": "Period close",
                "ledger": {"id": 2, "code": "B", "name": "分公司"},
                "ledger_id": 2,
                "fiscal_year": 2025,
                "quantity": 1,
                "unit_price": money,
                "amount": money,
            }
        ],
        "payment": {
            "id": "pay_1",
            "status": "paid",
            "method": "wechat",
            "amount": money,
            "expires_at": "2025-03-01T12:15:00+00:00",
            "paid_at": "2025-03-01T12:03:00+00:00",
            "pay_url": "http://127.0.0.1/pay/pay_1",
            "qr_payload": "http://127.0.0.1/pay/pay_1",
        },
        "refund": {"allowed": True, "reason": None, "deadline": "2025-03-08T12:03:00+00:00"},
        "invoice": {"status": "none", "title": None, "tax_id": None, "email": None, "issued_at": None},
        "recharge_codes": [],
    }
    order.update(fields)
    return order


def test_the_domain_module_imports_no_qt_and_no_network() -> None:
    source = Path(purchase.__file__).read_text(encoding="utf-8")
    assert "PySide6" not in source and "import requests" not in source
