"""Renewing one's own subscription (docs/PROTOCOL.md "Renewal"; 云盘版): quotes, ledger-count rule, crediting."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from licence_protocol.dates import add_months

from server.models import Licence
from tests.support.live import LiveServer
from tests.support.purchase import Shop, make_shop, signed_callback
from tests.support.renewals import iso_date, licence_expiry, line, outbox

CLOUD_PER_LEDGER = 24_950
STANDARD_PER_YEAR = 59_800


def _quote(shop: Shop, months: Any = 12, **params: Any) -> Any:
    return shop.get(f"/licences/{shop.licence_id}/renewal-quote", months=months, **params)


def _expiry(shop: Shop) -> datetime:
    expiry = licence_expiry(shop.live, shop.licence_id)
    assert expiry is not None
    return expiry


def _about(moment: datetime, expected: datetime) -> bool:
    """The server clock runs on while a test talks to it: "now" is good to a minute."""
    return abs(moment - expected) < timedelta(minutes=1)


def _renew(shop: Shop, *items: dict[str, Any], **recipients: Any) -> Any:
    return shop.post("/renewals", {"items": list(items), **recipients})


def _pay(shop: Shop, order: dict[str, Any]) -> dict[str, Any]:
    page = shop.press_pay(order["payment"]["id"])
    assert page.status_code == 200 and "支付成功" in page.text, page.text
    return shop.get(f"/renewals/{order['id']}").json()  # type: ignore[no-any-return]


def _ledger_ids(shop: Shop) -> dict[str, int]:
    ledgers = shop.get(f"/licences/{shop.licence_id}/ledgers").json()["ledgers"]
    return {ledger["code"]: ledger["id"] for ledger in ledgers}


def test_quote_on_a_valid_licence_stacks_on_its_expiry(live_server: LiveServer) -> None:
    shop = make_shop(live_server, expires_in=timedelta(days=200))
    expiry = _expiry(shop)

    r = _quote(shop, 12)
    assert r.status_code == 200, r.text
    quote = r.json()
    assert quote["state"] == "ACTIVE" and quote["edition"] == "standard" and quote["priced_per"] == "licence"
    assert datetime.fromisoformat(quote["current_expiry"]) == expiry
    assert datetime.fromisoformat(quote["new_expiry"]) == add_months(expiry, 12)
    assert quote["amount"] == {"amount_minor": STANDARD_PER_YEAR, "currency": "CNY"}

    three_years = _quote(shop, 36).json()
    assert datetime.fromisoformat(three_years["new_expiry"]) == add_months(expiry, 36)
    assert three_years["amount"]["amount_minor"] == 3 * STANDARD_PER_YEAR


def test_quote_on_an_expired_licence_starts_today(live_server: LiveServer) -> None:
    shop = make_shop(live_server, expires_in=timedelta(days=10))
    live_server.clock.advance(timedelta(days=40))
    now = live_server.clock.now()

    quote = _quote(shop, 24).json()
    assert quote["state"] == "EXPIRED"
    assert datetime.fromisoformat(quote["current_expiry"]) < now
    assert _about(datetime.fromisoformat(quote["new_expiry"]), add_months(now, 24))

    live_server.clock.advance(timedelta(days=3))  # paid three days after the quote: counted from payment
    order = _renew(shop, line(shop.licence_id, 24)).json()
    paid = _pay(shop, order)
    assert paid["status"] == "paid" and paid["renewal"]["lines"][0]["status"] == "applied"
    assert _about(_expiry(shop), add_months(live_server.clock.now(), 24))
    assert paid["renewal"]["lines"][0]["licence_status"] == "active"


def test_calendar_months_clamp_the_day(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    with live_server.session() as s:
        licence = s.get(Licence, shop.licence_id)
        assert licence is not None
        licence.expires_at = datetime(2032, 2, 29, 9, 0, tzinfo=UTC)  # a leap day
    assert _quote(shop, 12).json()["new_expiry"].startswith("2033-02-28T09:00")
    assert _quote(shop, 24).json()["new_expiry"].startswith("2034-02-28T09:00")


def test_quote_refusals(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    r = _quote(shop, 6)
    assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION_ERROR"
    r = _renew(shop, line(shop.licence_id, 18))
    assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION_ERROR"

    free = make_shop(live_server, edition="free", expires_in=None)
    r = _quote(free, 12)
    assert r.status_code == 409 and r.json()["error"]["code"] == "RENEWAL_NOT_APPLICABLE"

    suspended = make_shop(live_server, status="suspended")
    r = _quote(suspended, 12)
    assert r.status_code == 409 and r.json()["error"]["code"] == "PURCHASE_BLOCKED"
    assert r.json()["error"]["details"]["state"] == "SUSPENDED"
    r = _renew(suspended, line(suspended.licence_id))
    assert r.status_code == 409 and r.json()["error"]["details"]["state"] == "SUSPENDED"

    # Another account's licence reads as missing, for quotes and orders alike.
    r = shop.get(f"/licences/{free.licence_id}/renewal-quote", months=12)
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
    r = _renew(shop, line(free.licence_id))
    assert r.status_code == 404

    r = _renew(shop, line(shop.licence_id), line(shop.licence_id, 24))
    assert r.status_code == 422 and r.json()["error"]["code"] == "DUPLICATE_ITEM"
    r = shop.post("/renewals", {"items": [{**line(shop.licence_id), "amount_minor": 1}]})
    assert r.status_code == 422  # the client never prices an order


def test_cloud_renewal_below_ledgers_in_use_names_them_and_archiving_frees_a_place(live_server: LiveServer) -> None:
    # 云盘版: five ledgers in use, four bought; renewing four needs one archived first.
    shop = make_shop(live_server, edition="cloud", ledgers_purchased=4, extra_ledgers=3)
    before = _expiry(shop)

    r = _quote(shop, 12, ledgers=4)
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "LEDGER_COUNT_BELOW_IN_USE"
    assert error["details"]["in_use"] == 5 and error["details"]["requested"] == 4
    assert [x["code"] for x in error["details"]["ledgers"]] == ["A", "B", "X0", "X1", "X2"]
    assert {"账套A", "账套X2"} <= {x["name"] for x in error["details"]["ledgers"]}
    assert _quote(shop, 12).json()["error"]["code"] == "LEDGER_COUNT_BELOW_IN_USE"  # default: the count bought
    r = _renew(shop, line(shop.licence_id, 12, ledgers=4))
    assert r.status_code == 409 and r.json()["error"]["code"] == "LEDGER_COUNT_BELOW_IN_USE"

    # Raising the count instead is quoted per ledger.
    five = _quote(shop, 12, ledgers=5).json()
    assert five["state"] == "LEDGER_LIMIT_EXCEEDED" and five["priced_per"] == "ledger"
    assert five["amount"]["amount_minor"] == 5 * CLOUD_PER_LEDGER
    assert five["ledgers"] == {"in_use": 5, "requested": 5, "purchased": 4}

    archived = shop.post(f"/ledgers/{_ledger_ids(shop)['X2']}/archive")
    assert archived.status_code == 200 and archived.json()["archived"] is True

    quote = _quote(shop, 12, ledgers=4).json()
    assert quote["state"] == "ACTIVE" and quote["ledgers"] == {"in_use": 4, "requested": 4, "purchased": 4}
    assert quote["amount"]["amount_minor"] == 4 * CLOUD_PER_LEDGER
    order = _renew(shop, line(shop.licence_id, 12, ledgers=4))
    assert order.status_code == 201, order.text
    paid = _pay(shop, order.json())
    assert paid["renewal"]["lines"][0]["ledgers"] == 4
    assert _expiry(shop) == add_months(before, 12)
    ledgers = shop.get(f"/licences/{shop.licence_id}/ledgers").json()
    assert ledgers["purchased"] == 4 and ledgers["in_use"] == 4


def test_raising_the_ledger_count_updates_it_when_paid(live_server: LiveServer) -> None:
    shop = make_shop(live_server, edition="cloud", ledgers_purchased=4, extra_ledgers=3)
    order = _renew(shop, line(shop.licence_id, 12, ledgers=6)).json()
    assert order["amount"]["amount_minor"] == 6 * CLOUD_PER_LEDGER
    assert shop.get(f"/licences/{shop.licence_id}/ledgers").json()["purchased"] == 4  # not before payment
    _pay(shop, order)
    assert shop.get(f"/licences/{shop.licence_id}/ledgers").json()["purchased"] == 6
    assert _quote(shop, 12).json()["state"] == "ACTIVE"


def test_two_renewals_ordered_together_stack_when_paid(live_server: LiveServer) -> None:
    shop = make_shop(live_server, expires_in=timedelta(days=100))
    expiry = _expiry(shop)
    first = _renew(shop, line(shop.licence_id, 12)).json()
    second = _renew(shop, line(shop.licence_id, 24)).json()
    # Both were quoted from the same expiry …
    assert first["renewal"]["lines"][0]["current_expiry"] == second["renewal"]["lines"][0]["current_expiry"]
    _pay(shop, first)
    paid = _pay(shop, second)
    # … but each is applied to the expiry as it is at payment time.
    assert _expiry(shop) == add_months(add_months(expiry, 12), 24)
    applied = paid["renewal"]["lines"][0]
    assert datetime.fromisoformat(applied["current_expiry"]) == add_months(expiry, 12)
    assert datetime.fromisoformat(applied["new_expiry"]) == _expiry(shop)


def test_order_shape_and_notifications_to_the_account_itself(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    login = shop.get("/me").json()["account"]["login"]
    r = _renew(shop, line(shop.licence_id, 12))
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["kind"] == "renewal" and order["status"] == "pending_payment"
    assert order["amount"] == {"amount_minor": STANDARD_PER_YEAR, "currency": "CNY"}
    payment = order["payment"]
    assert payment["status"] == "pending" and payment["pay_url"].endswith(f"/pay/{payment['id']}")
    assert payment["qr_payload"] == payment["pay_url"] and payment["expires_at"]
    (detail,) = order["renewal"]["lines"]
    assert detail["organisation"]["name"].startswith("示例科技") and detail["organisation"]["tax_id"]
    assert detail["product"]["code"] == "KJH-STANDARD" and detail["months"] == 12 and detail["status"] == "pending"
    assert order["renewal"]["notify_recipient"] == {"kind": "self", "name": login, "email": "", "phone": login}
    # Invoice "customer" (the default): the company's own name and tax id.
    assert detail["invoice"]["title"] == detail["organisation"]["name"]
    assert detail["invoice"]["tax_id"] == detail["organisation"]["tax_id"]

    (placed,) = outbox(live_server, login)
    assert placed.channel == "sms" and f"#{order['id']}" in placed.subject and payment["pay_url"] in placed.body

    paid = _pay(shop, order)
    new_expiry = paid["renewal"]["lines"][0]["new_expiry"]
    messages = outbox(live_server, login)
    assert len(messages) == 2 and "支付成功" in messages[1].subject and iso_date(new_expiry) in messages[1].body

    listed = shop.get(f"/orders/{order['id']}").json()  # the purchase view of the same order
    assert listed["status"] == "paid" and listed["payment"]["status"] == "paid"


def test_unpaid_or_expired_payment_changes_nothing(live_server: LiveServer) -> None:
    shop = make_shop(live_server, edition="cloud", ledgers_purchased=4, extra_ledgers=1)
    expiry = _expiry(shop)
    order = _renew(shop, line(shop.licence_id, 36, ledgers=8)).json()
    live_server.clock.advance(timedelta(minutes=16))
    page = shop.press_pay(order["payment"]["id"])
    assert "支付已过期" in page.text
    after = shop.get(f"/renewals/{order['id']}").json()
    assert after["status"] == "expired" and after["renewal"]["lines"][0]["status"] == "pending"
    assert _expiry(shop) == expiry
    assert shop.get(f"/licences/{shop.licence_id}/ledgers").json()["purchased"] == 4


def test_refund_takes_the_renewal_back(live_server: LiveServer) -> None:
    shop = make_shop(live_server, edition="cloud", ledgers_purchased=4, extra_ledgers=1)
    expiry = _expiry(shop)
    order = _renew(shop, line(shop.licence_id, 12, ledgers=5)).json()
    _pay(shop, order)
    assert _expiry(shop) == add_months(expiry, 12)

    r = shop.post(f"/orders/{order['id']}/refund-request")
    assert r.status_code == 200 and r.json()["status"] == "refunded", r.text
    assert _expiry(shop) == expiry
    assert shop.get(f"/licences/{shop.licence_id}/ledgers").json()["purchased"] == 4
    assert shop.get(f"/renewals/{order['id']}").json()["renewal"]["lines"][0]["status"] == "revoked"


def test_a_purchase_order_is_not_a_renewal(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    purchase = shop.new_order({"sku": "vouchers_100", "ledger_id": shop.ledger_a, "fiscal_year": 2025})
    r = shop.get(f"/renewals/{purchase['id']}")
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"


def test_concurrent_payments_of_two_renewals_both_count(live_server: LiveServer) -> None:
    shop = make_shop(live_server, expires_in=timedelta(days=100))
    expiry = _expiry(shop)
    first = _renew(shop, line(shop.licence_id, 12)).json()
    second = _renew(shop, line(shop.licence_id, 12)).json()
    start = threading.Barrier(2)
    answers: list[int] = []

    def pay(order: dict[str, Any], txn: str) -> None:
        start.wait()
        r = signed_callback(shop, order["payment"]["id"], amount_minor=order["amount"]["amount_minor"], txn=txn)
        answers.append(r.status_code)

    threads = [threading.Thread(target=pay, args=(o, f"WX-{n}")) for n, o in enumerate((first, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert answers == [200, 200]
    assert _expiry(shop) == add_months(add_months(expiry, 12), 12)
