"""Catalogue per ledger and fiscal year (docs/PROTOCOL.md "Purchase"), over real HTTP."""

from __future__ import annotations

from tests.support.live import LiveServer
from tests.support.purchase import item, make_shop


def test_module_bought_for_b_2025_is_opened_there_only(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    assert shop.item_state(shop.ledger_b, 2025, "period_close") == "not_opened"

    order = shop.buy(item("period_close", shop.ledger_b, 2025))

    assert order["status"] == "paid"
    assert shop.item_state(shop.ledger_b, 2025, "period_close") == "opened"
    assert shop.item_state(shop.ledger_b, 2024, "period_close") == "not_opened"
    assert shop.item_state(shop.ledger_a, 2025, "period_close") == "not_opened"
    assert shop.item_state(shop.ledger_b, 2025, "accounting") == "not_opened"


def test_catalogue_lists_every_item_with_price_state_and_voucher_usage(live_server: LiveServer) -> None:
    shop = make_shop(live_server, edition="standard")
    cat = shop.catalogue(shop.ledger_a, 2025)

    assert cat["ledger"] == {"id": shop.ledger_a, "code": "A", "name": "账套A"} and cat["fiscal_year"] == 2025
    assert cat["vouchers"] == {"used": 12, "quota": 50}
    assert cat["purchase"]["allowed"] is True and cat["purchase"]["state"] == "ACTIVE"
    items = {i["sku"]: i for i in cat["items"]}
    assert {"period_close", "accounting", "tax_filing", "cloud_backup", "vouchers_100", "vouchers_500"} <= set(items)
    assert items["accounting"]["name_zh"] == "账务处理" and items["accounting"]["kind"] == "module"
    assert items["vouchers_100"]["kind"] == "vouchers" and items["vouchers_100"]["pack_size"] == 100
    assert all(i["price"]["currency"] == "CNY" and i["price"]["amount_minor"] > 0 for i in items.values())
    assert all(i["purchasable"] for i in items.values())


def test_prices_follow_the_edition(live_server: LiveServer) -> None:
    free = make_shop(live_server, edition="free", expires_in=None)
    cloud = make_shop(live_server, edition="cloud")
    free_items = {i["sku"]: i for i in free.catalogue(free.ledger_a, 2025)["items"]}
    cloud_items = {i["sku"]: i for i in cloud.catalogue(cloud.ledger_a, 2025)["items"]}

    assert "renewal_12m" not in free_items and "ledgers_1" not in free_items  # lifetime free: nothing to renew
    assert "ledgers_1" in cloud_items
    # Renewal belongs to the licence (the renewal screen), seats too (the licence's catalogue): neither is here.
    assert not {"renewal_12m", "seats_1"} & (set(cloud_items) | set(free_items))
    assert free_items["period_close"]["price"] != cloud_items["period_close"]["price"]


def test_ledger_and_year_are_required(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    for params in ({"ledger_id": shop.ledger_a}, {"fiscal_year": 2025}, {}):
        r = shop.get("/catalogue", licence_id=shop.licence_id, **params)
        assert r.status_code == 422 and r.json()["error"]["code"] == "LEDGER_YEAR_REQUIRED"


def test_ledgers_and_licences_of_others_are_not_found(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    other = make_shop(live_server)

    r = shop.get("/catalogue", licence_id=shop.licence_id, ledger_id=other.ledger_a, fiscal_year=2025)
    assert r.status_code == 404 and r.json()["error"]["code"] == "LEDGER_NOT_FOUND"
    r = shop.get("/catalogue", licence_id=other.licence_id, ledger_id=other.ledger_a, fiscal_year=2025)
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"


def test_catalogue_shows_a_blocked_state_with_nothing_purchasable(live_server: LiveServer) -> None:
    shop = make_shop(live_server, status="suspended")
    cat = shop.catalogue(shop.ledger_a, 2025)

    assert cat["purchase"] == {"allowed": False, "state": "SUSPENDED", "kinds": []}
    assert not any(i["purchasable"] for i in cat["items"])
