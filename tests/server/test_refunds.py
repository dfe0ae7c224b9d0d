"""Refunds (7 days, no invoice), the support route, and recharge codes (充值码, 产品充值)."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.models import Licence
from tests.support.live import LiveServer
from tests.support.purchase import buy_past_renewal, item, make_shop, signed_callback


def _expiry(live: LiveServer, licence_id: int) -> datetime:
    with live.session() as s:
        licence = s.get(Licence, licence_id)
        assert licence is not None and licence.expires_at is not None
        return licence.expires_at


def test_refund_within_7_days_revokes_what_was_bought(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    order = shop.buy(item("period_close", shop.ledger_b, 2025), item("vouchers_100", shop.ledger_b, 2025))
    assert shop.item_state(shop.ledger_b, 2025, "period_close") == "opened"
    live_server.clock.advance(timedelta(days=7) - timedelta(minutes=1))  # still inside the window

    r = shop.post(f"/orders/{order['id']}/refund-request")

    assert r.status_code == 200
    refunded = r.json()
    assert refunded["status"] == "refunded" and refunded["payment"]["status"] == "refunded"
    assert refunded["refund"]["allowed"] is False
    assert shop.item_state(shop.ledger_b, 2025, "period_close") == "not_opened"
    assert shop.vouchers(shop.ledger_b, 2025) == {"used": 12, "quota": 50}
    # A replay of the provider's callback after the refund credits nothing again.
    replay = signed_callback(shop, order["payment"]["id"], amount_minor=order["amount"]["amount_minor"], txn="T-9")
    assert replay.status_code == 409
    assert shop.item_state(shop.ledger_b, 2025, "period_close") == "not_opened"
    again = shop.post(f"/orders/{order['id']}/refund-request")
    assert again.status_code == 409 and again.json()["error"]["code"] == "ORDER_NOT_PAID"


def test_refund_after_7_days_is_closed_with_the_support_route(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    order = shop.buy(item("accounting", shop.ledger_a, 2025))
    live_server.clock.advance(timedelta(days=7, seconds=1))

    shown = shop.get(f"/orders/{order['id']}").json()["refund"]
    assert shown["allowed"] is False and shown["reason"] == "REFUND_WINDOW_CLOSED"
    r = shop.post(f"/orders/{order['id']}/refund-request")

    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "REFUND_WINDOW_CLOSED"
    assert error["details"]["paid_at"] == order["paid_at"] and error["details"]["deadline"] == shown["deadline"]
    assert error["details"]["support"]["qq_group"]
    assert shop.item_state(shop.ledger_a, 2025, "accounting") == "opened"


def test_refund_after_an_invoice_goes_through_customer_service(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    order = shop.buy(item("accounting", shop.ledger_a, 2025))
    invoice = {"title": "示例科技有限公司", "tax_id": "91310000MA1KCHMLJH", "email": "a@example.com"}
    assert shop.post(f"/orders/{order['id']}/invoice", invoice).status_code == 200

    r = shop.post(f"/orders/{order['id']}/refund-request")

    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "INVOICE_ISSUED"
    assert set(error["details"]["support"]) >= {"qq_group", "phone", "note"}
    assert shop.get(f"/orders/{order['id']}").json()["refund"]["reason"] == "INVOICE_ISSUED"
    assert shop.item_state(shop.ledger_a, 2025, "accounting") == "opened"


def test_recharge_code_from_a_renewal_extends_the_licence_once(live_server: LiveServer) -> None:
    shop = make_shop(live_server, expires_in=timedelta(days=20))
    before = _expiry(live_server, shop.licence_id)
    order = buy_past_renewal(shop)
    [code] = order["recharge_codes"]
    assert code["months"] == 12 and code["status"] == "unused" and code["code"].startswith("RC-")

    body = {"code": code["code"].lower().replace("-", " "), "licence_id": shop.licence_id}  # pasted loosely
    r = shop.post("/recharge-codes/redeem", body)

    assert r.status_code == 200 and r.json()["months"] == 12
    after = _expiry(live_server, shop.licence_id)
    assert after.year == before.year + 1 and (after.month, after.day) == (before.month, before.day)
    assert r.json()["expires_at"] == after.isoformat()
    replay = shop.post("/recharge-codes/redeem", {"code": code["code"], "licence_id": shop.licence_id})
    assert replay.status_code == 409 and replay.json()["error"]["code"] == "CODE_ALREADY_REDEEMED"
    assert shop.get(f"/orders/{order['id']}").json()["recharge_codes"][0]["status"] == "redeemed"
    assert _expiry(live_server, shop.licence_id) == after


def test_recharging_an_expired_licence_counts_from_now(live_server: LiveServer) -> None:
    shop = make_shop(live_server, expires_in=timedelta(days=-40))
    order = buy_past_renewal(shop)
    now = live_server.clock.now()

    r = shop.post("/recharge-codes/redeem", {"code": order["recharge_codes"][0]["code"], "licence_id": shop.licence_id})

    assert r.status_code == 200
    after = _expiry(live_server, shop.licence_id)
    assert now + timedelta(days=364) < after < now + timedelta(days=367)
    assert shop.catalogue(shop.ledger_a, 2025)["purchase"]["state"] == "ACTIVE"


def test_wrong_refunded_or_foreign_recharge_codes(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    other = make_shop(live_server)
    r = shop.post("/recharge-codes/redeem", {"code": "RC-AAAA-BBBB-CCCC-DDDD", "licence_id": shop.licence_id})
    assert r.status_code == 400 and r.json()["error"]["code"] == "CODE_INVALID"

    order = buy_past_renewal(shop)
    code = order["recharge_codes"][0]["code"]
    assert other.post("/recharge-codes/redeem", {"code": code, "licence_id": shop.licence_id}).status_code == 404
    refunded = shop.post(f"/orders/{order['id']}/refund-request").json()
    assert refunded["recharge_codes"][0]["status"] == "voided"
    r = shop.post("/recharge-codes/redeem", {"code": code, "licence_id": shop.licence_id})
    assert r.status_code == 400 and r.json()["error"]["code"] == "CODE_INVALID"


def test_a_suspended_licence_cannot_be_recharged(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    order = buy_past_renewal(shop)
    code = order["recharge_codes"][0]["code"]
    before = _expiry(live_server, shop.licence_id)
    with live_server.session() as s:
        licence = s.get(Licence, shop.licence_id)
        assert licence is not None
        licence.status = "suspended"

    r = shop.post("/recharge-codes/redeem", {"code": code, "licence_id": shop.licence_id})

    assert r.status_code == 403 and r.json()["error"]["code"] == "LICENCE_SUSPENDED"
    assert _expiry(live_server, shop.licence_id) == before
    assert shop.get(f"/orders/{order['id']}").json()["recharge_codes"][0]["status"] == "unused"


def test_free_edition_orders_issue_no_recharge_code(live_server: LiveServer) -> None:
    shop = make_shop(live_server, edition="free", expires_in=None)
    order = shop.buy(item("period_close", shop.ledger_a, 2025))
    assert order["status"] == "paid" and order["recharge_codes"] == []
