"""Orders: server prices only, one ledger-year per item, PURCHASE_BLOCKED, ownership (docs/PROTOCOL.md "Purchase")."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.models import Ledger
from tests.support.live import LiveServer
from tests.support.purchase import item, make_shop


def test_order_is_priced_by_the_server_and_names_ledger_and_year(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    prices = {i["sku"]: i["price"]["amount_minor"] for i in shop.catalogue(shop.ledger_b, 2025)["items"]}

    order = shop.new_order(item("period_close", shop.ledger_b, 2025), item("vouchers_100", shop.ledger_a, 2024, 2))

    assert order["status"] == "pending_payment"
    assert order["amount"] == {"amount_minor": prices["period_close"] + 2 * prices["vouchers_100"], "currency": "CNY"}
    first, second = order["items"]
    assert (first["ledger"]["name"], first["fiscal_year"], first["quantity"]) == ("账套B", 2025, 1)
    assert (second["ledger"]["name"], second["fiscal_year"], second["quantity"]) == ("账套A", 2024, 2)
    payment = order["payment"]
    assert payment["status"] == "pending" and payment["amount"] == order["amount"]
    assert payment["pay_url"] == f"{live_server.url}/pay/{payment['id']}" == payment["qr_payload"]
    assert len(payment["id"]) >= 20  # unguessable: the pay page needs no login
    assert [o["id"] for o in shop.get("/orders").json()["orders"]] == [order["id"]]


@pytest.mark.parametrize(
    "tampered",
    [
        {"items": [item("period_close", 0, 2025, amount_minor=1)]},
        {"amount_minor": 1, "currency": "CNY"},
        {"items": [item("period_close", 0, 2025, price={"amount_minor": 1, "currency": "CNY"})]},
    ],
)
def test_client_sent_prices_are_refused(live_server: LiveServer, tampered: dict[str, object]) -> None:
    shop = make_shop(live_server)
    body: dict[str, object] = {"licence_id": shop.licence_id, "items": [item("period_close", shop.ledger_a, 2025)]}
    body.update(tampered)
    if "items" in tampered:
        body["items"] = [{**i, "ledger_id": shop.ledger_a} for i in tampered["items"]]  # type: ignore[attr-defined]

    r = shop.post("/orders", body)

    assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION_ERROR"
    assert shop.get("/orders").json()["orders"] == []


def test_items_need_a_ledger_and_year_of_the_licence(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    other = make_shop(live_server)

    r = shop.order({"sku": "period_close", "ledger_id": shop.ledger_a})
    assert r.status_code == 422 and r.json()["error"]["code"] == "LEDGER_YEAR_REQUIRED"
    r = shop.order(item("period_close", other.ledger_a, 2025))
    assert r.status_code == 404 and r.json()["error"]["code"] == "LEDGER_NOT_FOUND"
    r = shop.order(item("no_such_module", shop.ledger_a, 2025))
    assert r.status_code == 422 and r.json()["error"]["code"] == "UNKNOWN_SKU"


def test_an_opened_module_cannot_be_bought_again_for_the_same_ledger_year(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    shop.buy(item("tax_filing", shop.ledger_b, 2025))

    r = shop.order(item("tax_filing", shop.ledger_b, 2025))
    assert r.status_code == 409 and r.json()["error"]["code"] == "ALREADY_OPENED"
    assert r.json()["error"]["details"] == {"sku": "tax_filing", "ledger_id": shop.ledger_b, "fiscal_year": 2025}
    assert shop.order(item("tax_filing", shop.ledger_b, 2024)).status_code == 201


@pytest.mark.parametrize(
    ("setup", "state"),
    [
        ({"status": "suspended"}, "SUSPENDED"),
        ({"status": "unused"}, "NOT_ACTIVATED"),
        ({"expires_in": timedelta(days=-1)}, "EXPIRED"),
        ({"max_machines": 1, "machines": 2}, "TOO_MANY_MACHINES"),
        ({"edition": "cloud", "ledgers_purchased": 2, "extra_ledgers": 1}, "LEDGER_LIMIT_EXCEEDED"),
    ],
)
def test_blocked_licences_cannot_buy_modules(live_server: LiveServer, setup: dict[str, object], state: str) -> None:
    shop = make_shop(live_server, **setup)  # type: ignore[arg-type]

    r = shop.order(item("accounting", shop.ledger_a, 2025))

    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "PURCHASE_BLOCKED" and error["details"]["state"] == state
    assert shop.catalogue(shop.ledger_a, 2025)["purchase"]["state"] == state


def test_renewal_is_refused_in_a_ledger_purchase_and_cloud_over_ledgers_may_buy_ledgers(
    live_server: LiveServer,
) -> None:
    expired = make_shop(live_server, expires_in=timedelta(days=-1))
    r = expired.order(item("renewal_12m", expired.ledger_a, 2025))
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "UNKNOWN_SKU" and error["details"] == {"sku": "renewal_12m"}
    assert "renewal screen" in error["message"] and "/renewals" in error["message"]
    assert expired.get("/orders").json()["orders"] == []
    cat = expired.catalogue(expired.ledger_a, 2025)
    assert cat["purchase"]["state"] == "EXPIRED" and not any(i["purchasable"] for i in cat["items"])

    cloud = make_shop(live_server, edition="cloud", ledgers_purchased=2, extra_ledgers=1)
    order = cloud.buy(item("ledgers_1", cloud.ledger_a, 2025))
    assert order["status"] == "paid"
    assert cloud.catalogue(cloud.ledger_a, 2025)["purchase"] == {
        "allowed": True,
        "state": "ACTIVE",
        "kinds": ["ledgers", "module", "renewal", "seats", "vouchers"],
    }


def test_archived_ledger_cannot_be_bought_for(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    with live_server.session() as s:
        ledger = s.get(Ledger, shop.ledger_a)
        assert ledger is not None
        ledger.archived_at = live_server.clock.now()

    r = shop.order(item("accounting", shop.ledger_a, 2025))
    assert r.status_code == 409 and r.json()["error"]["code"] == "LEDGER_ARCHIVED"


def test_orders_of_another_account_are_not_found(live_server: LiveServer) -> None:
    mine = make_shop(live_server)
    theirs = make_shop(live_server)
    their_order = theirs.new_order(item("accounting", theirs.ledger_a, 2025))

    for path in (f"/orders/{their_order['id']}",):
        r = mine.get(path)
        assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
    for path in (f"/orders/{their_order['id']}/refund-request", f"/orders/{their_order['id']}/invoice"):
        assert mine.post(path, {"title": "x"}).status_code == 404
    r = mine.post("/orders", {"licence_id": theirs.licence_id, "items": [item("accounting", theirs.ledger_a, 2025)]})
    assert r.status_code == 404
    assert mine.get("/orders").json()["orders"] == []


def test_unpaid_order_expires_with_its_payment(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    order = shop.new_order(item("accounting", shop.ledger_a, 2025))

    live_server.clock.advance(timedelta(minutes=15, seconds=1))

    again = shop.get(f"/orders/{order['id']}").json()
    assert again["status"] == "expired" and again["payment"]["status"] == "expired"


def test_invoice_is_issued_on_a_paid_order_only(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    pending = shop.new_order(item("accounting", shop.ledger_a, 2024))
    invoice = {"title": "示例科技有限公司", "tax_id": "91310000MA1KCHMLJH", "email": "a@example.com"}
    r = shop.post(f"/orders/{pending['id']}/invoice", invoice)
    assert r.status_code == 409 and r.json()["error"]["code"] == "ORDER_NOT_PAID"

    paid = shop.buy(item("accounting", shop.ledger_a, 2025))
    assert paid["invoice"]["status"] == "none"
    r = shop.post(f"/orders/{paid['id']}/invoice", invoice)
    assert r.status_code == 200
    assert r.json()["invoice"]["status"] == "issued" and r.json()["invoice"]["title"] == "示例科技有限公司"
    assert shop.post(f"/orders/{paid['id']}/invoice", invoice).json()["error"]["code"] == "INVOICE_ALREADY_REQUESTED"
