"""The typed answers of the purchase, order and renewal endpoints: tolerant of extra fields, strict on the ones
the panel reads (a clear ResponseFormatError naming the field), dates in UTC."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from app.domain.ledgers import Ledger, LicenceLedgers
from app.domain.money import Money
from app.domain.orders import Order, RedeemResult, orders_from_json, support_from_details
from app.domain.purchase import Catalogue
from app.domain.renewal import RenewalQuote, customers_from
from app.domain.wire import ResponseFormatError
from tests.unit.test_purchase_domain import catalogue, order_json
from tests.unit.test_renewal_domain import quote_json

MONEY = {"amount_minor": 59_800, "currency": "CNY"}


def renewal_order_json(**fields: Any) -> dict[str, Any]:
    line = {
        "licence_id": 5,
        "organisation": {"id": 9, "name": "北京晨光餐饮有限公司", "tax_id": "91110105MA01CUST01"},
        "product": {"code": "P", "name": "e会计", "version": "5.0"},
        "edition": "standard",
        "months": 24,
        "ledgers": 1,
        "unit_price": MONEY,
        "amount": MONEY,
        "current_expiry": "2026-12-07T12:00:00+00:00",
        "new_expiry": "2028-12-07T12:00:00+00:00",
        "status": "pending",
        "applied_at": None,
        "licence_expires_at": "2026-12-07T12:00:00",  # no offset: UTC, as the server works in UTC
        "licence_status": "expiring_soon",
        "invoice": {"title": "北京晨光餐饮有限公司", "tax_id": "91110105MA01CUST01", "email": "", "address": ""},
    }
    renewal = {
        "invoice_recipient": {"kind": "customer"},
        "notify_recipient": {"kind": "self", "name": "", "email": "", "phone": ""},
        "lines": [line],
    }
    return order_json(kind="renewal", renewal=renewal, items=[], **fields)


def ledgers_json() -> dict[str, Any]:
    year = {"fiscal_year": 2025, "modules": ["accounting"], "vouchers": {"used": 3, "quota": 50}}
    return {
        "ledgers": [{"id": 1, "code": "A", "name": "总公司", "archived": False, "years": [year]}],
        "purchased": 1,
        "in_use": 1,
    }


class TestOrders:
    def test_an_order_reads_its_lines_payment_refund_invoice_and_codes(self) -> None:
        order = Order.from_json(order_json(recharge_codes=[{"code": "RC-1", "months": 12, "status": "unused"}]))
        assert (order.id, order.status, order.amount) == (11, "paid", Money(19900, "CNY"))
        assert order.created_at == datetime(2025, 3, 1, 12, tzinfo=UTC)
        (line,) = order.items
        assert (line.ledger.code, line.fiscal_year, line.quantity, line.name("zh_CN")) == (
            "B",
            2025,
            1,
            "开通账套(结账)",
        )
        assert order.payment is not None and order.pay_url == "http://127.0.0.1/pay/pay_1"
        assert order.payment.expires_at == datetime(2025, 3, 1, 12, 15, tzinfo=UTC)
        assert order.refund.allowed and order.refund.support is None
        assert order.invoice.status == "none" and order.invoice.title == "" and not order.invoice.issued
        assert order.recharge_codes[0].unused and order.recharge_codes[0].redeemed_at is None
        assert order.renewal_lines == () and order.paid and order.final

    def test_extra_fields_are_ignored(self) -> None:
        data = order_json(shipping={"by": "a newer server"})
        data["payment"]["provider_ref"] = "x"
        assert Order.from_json(data) == Order.from_json(order_json())

    @pytest.mark.parametrize(
        ("path", "value", "named"),
        [
            (("id",), "11", "order.id is not an integer"),
            (("status",), None, "order.status is not a string"),
            (("payment", "pay_url"), 5, "order.payment.pay_url is not a string"),
            (("payment", "expires_at"), "soon", "order.payment.expires_at is not an ISO 8601 date-time"),
            (("items", 0, "ledger", "code"), None, "order.items[0].ledger.code is not a string"),
            (("refund", "allowed"), "yes", "order.refund.allowed is not true or false"),
        ],
    )
    def test_a_wrong_field_is_named(self, path: tuple[Any, ...], value: Any, named: str) -> None:
        data = order_json()
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        with pytest.raises(ResponseFormatError, match=re.escape(named)):
            Order.from_json(data)

    def test_a_missing_field_is_named(self) -> None:
        data = order_json()
        del data["refund"]
        with pytest.raises(ResponseFormatError, match=re.escape("order.refund is missing")):
            Order.from_json(data)
        with pytest.raises(ResponseFormatError, match=re.escape("order is not an object")):
            Order.from_json([])
        assert issubclass(ResponseFormatError, ValueError)

    def test_the_orders_list(self) -> None:
        orders = orders_from_json({"orders": [order_json(), order_json(id=12, status="pending_payment")]})
        assert [o.id for o in orders] == [11, 12] and not orders[1].final
        with pytest.raises(ResponseFormatError, match=re.escape("answer.orders[1].amount is missing")):
            orders_from_json({"orders": [order_json(), {k: v for k, v in order_json().items() if k != "amount"}]})

    def test_a_renewal_order_reads_a_line_per_licence(self) -> None:
        order = Order.renewal_from_json(renewal_order_json())
        (line,) = order.renewal_lines
        assert line.organisation is not None and line.organisation.tax_id == "91110105MA01CUST01"
        assert (line.months, line.status, line.licence_status) == (24, "pending", "expiring_soon")
        assert line.licence_expires_at == datetime(2026, 12, 7, 12, tzinfo=UTC)
        with pytest.raises(ResponseFormatError, match=re.escape("order.renewal is missing")):
            Order.renewal_from_json(order_json())

    def test_the_support_route_of_a_refusal(self) -> None:
        support = {"qq_group": "636016246", "phone": "021-58350168", "email": "s@example.com", "note": "n"}
        route = support_from_details({"paid_at": "x", "support": support})
        assert route is not None and route.qq_group == "636016246" and route.note == "n"
        assert support_from_details({}) is None
        assert support_from_details({"support": {"phone": 1}}) is None  # details only add to the message

    def test_a_redeemed_code(self) -> None:
        answer = {
            "licence_id": 5,
            "months": 12,
            "expires_at": "2027-12-07T12:00:00+08:00",
            "redeemed_at": "2026-12-07T12:00:00+00:00",
        }
        result = RedeemResult.from_json(answer)
        assert result.months == 12 and result.expires_at == datetime(2027, 12, 7, 4, tzinfo=UTC)
        with pytest.raises(ResponseFormatError, match=re.escape("redeem.months is missing")):
            RedeemResult.from_json({k: v for k, v in answer.items() if k != "months"})


class TestCatalogueAndLedgers:
    def test_the_catalogue(self) -> None:
        cat = catalogue(opened=("accounting",))
        assert (cat.ledger.code, cat.fiscal_year, cat.vouchers.used, cat.vouchers.quota) == ("A", 2025, 12, 50)
        assert cat.purchase.kinds == {"module", "vouchers", "ledgers", "renewal"}
        vouchers = next(i for i in cat.items if i.sku == "vouchers_100")
        assert vouchers.pack_size == 100 and vouchers.price_minor == 2900 and vouchers.currency == "CNY"

    def test_a_catalogue_item_needs_its_price(self) -> None:
        data = {
            "licence_id": 7,
            "edition": "standard",
            "ledger": {"id": 1, "code": "A", "name": "总公司"},
            "fiscal_year": 2025,
            "vouchers": {"used": 0, "quota": 50},
            "purchase": {"allowed": True, "state": "ACTIVE", "kinds": ["module"]},
            "items": [{"sku": "accounting", "kind": "module", "name_zh": "总账", "name_en": "Ledger"}],
        }
        with pytest.raises(ResponseFormatError, match=re.escape("catalogue.items[0].price is missing")):
            Catalogue.from_json(data)

    def test_ledgers(self) -> None:
        ledgers = LicenceLedgers.from_json(ledgers_json())
        (ledger,) = ledgers.ledgers
        assert ledger.latest_year is not None and ledger.latest_year.modules == ("accounting",)
        assert (ledgers.purchased, ledgers.in_use) == (1, 1)
        broken = copy.deepcopy(ledgers_json())
        broken["ledgers"][0]["archived"] = 0
        with pytest.raises(ResponseFormatError, match=re.escape("ledgers.ledgers[0].archived is not true or false")):
            LicenceLedgers.from_json(broken)
        archived = dict(ledgers_json()["ledgers"][0], archived=True)
        assert Ledger.from_json(archived).archived


class TestRenewal:
    def test_the_quote(self) -> None:
        quote = RenewalQuote.from_json(quote_json(current_expiry=None, priced_per="ledger"))
        assert quote.current_expiry is None and quote.priced_per == "ledger"
        assert "¥598.00" in quote.amount.text and quote.ledgers.requested == 1
        with pytest.raises(ResponseFormatError, match=re.escape("quote.new_expiry is not an ISO 8601 date-time")):
            RenewalQuote.from_json(quote_json(new_expiry=None))

    def test_customers_need_what_the_table_shows(self) -> None:
        customer = {
            "organisation_id": 9,
            "name": "甲",
            "tax_id": "T1",
            "licence_id": 5,
            "product": {"code": "P", "name": "e会计", "version": "5.0"},
            "edition": "standard",
            "expires_at": None,
            "status": "active",
            "ledgers": {"in_use": 1, "purchased": 1},
        }
        (c,) = customers_from({"customers": [customer]})
        assert c.expires_at is None and not c.renewable
        with pytest.raises(ResponseFormatError, match=re.escape("answer.customers[0].tax_id is missing")):
            customers_from({"customers": [{k: v for k, v in customer.items() if k != "tax_id"}]})
        with pytest.raises(ResponseFormatError, match=re.escape("answer.customers is not a list")):
            customers_from({"customers": None})
