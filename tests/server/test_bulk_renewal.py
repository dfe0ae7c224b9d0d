"""Service accountants renewing many customers in one order (as in MISA ASP), over real HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from licence_protocol.dates import add_months
from sqlalchemy import select

from server.models import Account
from server.services.demo import ACCOUNTANT_LOGIN, seed_demo
from tests.support.accounts import auth_headers, token_for
from tests.support.live import LiveServer
from tests.support.purchase import signed_callback
from tests.support.renewals import Accountant, iso_date, licence_expiry, line, make_accountant, outbox

DAY = timedelta(days=1)


def _three_customers(live: LiveServer, **accountant: Any) -> Accountant:
    agent = make_accountant(live, **accountant)
    agent.add_customer("北京晨光餐饮有限公司", "91110105MA01CUST01", expires_in=12 * DAY)
    agent.add_customer("广州南风服饰有限公司", "91440101MA59CUST02", expires_in=45 * DAY)
    agent.add_customer("成都蜀香食品有限公司", "91510100MA6CCUST03", expires_in=-6 * DAY)
    return agent


def _expiries(agent: Accountant) -> list[datetime | None]:
    return [licence_expiry(agent.live, c.licence_id) for c in agent.customers]


def _error(r: Any) -> dict[str, Any]:
    return r.json()["error"]  # type: ignore[no-any-return]


def test_customers_list_with_search_and_sort_by_expiry(live_server: LiveServer) -> None:
    agent = _three_customers(live_server)
    stranger = make_accountant(live_server)
    stranger.add_customer("深圳别家代账客户有限公司", "91440300MA5NOTMINE")

    r = agent.get("/customers")
    assert r.status_code == 200, r.text
    rows = r.json()["customers"]
    assert [c["name"] for c in rows] == sorted(c["name"] for c in rows) and len(rows) == 3
    by_name = {c["name"]: c for c in rows}
    chenguang = by_name["北京晨光餐饮有限公司"]
    assert chenguang["tax_id"] == "91110105MA01CUST01"
    assert chenguang["licence_id"] == agent.customers[0].licence_id
    assert chenguang["product"]["code"] == "KJH-STANDARD" and chenguang["edition"] == "standard"
    assert chenguang["status"] == "expiring_soon" and chenguang["ledgers"]["in_use"] == 2
    assert by_name["广州南风服饰有限公司"]["status"] == "active"
    assert by_name["成都蜀香食品有限公司"]["status"] == "expired"

    by_expiry = agent.get("/customers", sort="expiry").json()["customers"]
    assert [c["tax_id"][-6:] for c in by_expiry] == ["CUST03", "CUST01", "CUST02"]

    assert [c["name"] for c in agent.get("/customers", q="南风").json()["customers"]] == ["广州南风服饰有限公司"]
    assert [c["tax_id"] for c in agent.get("/customers", q="cust03").json()["customers"]] == ["91510100MA6CCUST03"]
    assert agent.get("/customers", q="别家").json()["customers"] == []  # another accountant's customer

    customer = agent.customers[0]
    r = customer.get("/customers")
    assert r.status_code == 403 and _error(r)["code"] == "FORBIDDEN"
    assert agent.get("/customers", sort="price").status_code == 422


def test_bulk_renewal_of_three_customers_updates_all_after_one_payment(live_server: LiveServer) -> None:
    agent = _three_customers(live_server, email=True)
    before = _expiries(agent)
    c1, c2, c3 = agent.customers

    r = agent.renew(line(c1.licence_id, 12), line(c2.licence_id, 24), line(c3.licence_id, 36))
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["kind"] == "renewal" and order["amount"]["amount_minor"] == 59_800 * (1 + 2 + 3)
    lines = order["renewal"]["lines"]
    assert [x["organisation"]["name"] for x in lines] == [
        "北京晨光餐饮有限公司",
        "广州南风服饰有限公司",
        "成都蜀香食品有限公司",
    ]
    assert [x["months"] for x in lines] == [12, 24, 36]
    assert [x["status"] for x in lines] == ["pending"] * 3
    # Invoice recipient "customer": each invoice carries that company's own name and tax id.
    assert [(x["invoice"]["title"], x["invoice"]["tax_id"]) for x in lines] == [
        (x["organisation"]["name"], x["organisation"]["tax_id"]) for x in lines
    ]
    assert _expiries(agent) == before  # nothing changes before payment

    # The payment link goes to a customer, who pays on the sandbox page without signing in.
    paid = agent.pay(order)
    now = live_server.clock.now()
    after = _expiries(agent)
    assert after[0] == add_months(before[0], 12)  # type: ignore[arg-type]
    assert after[1] == add_months(before[1], 24)  # type: ignore[arg-type]
    assert after[2] is not None and abs(after[2] - add_months(now, 36)) < timedelta(minutes=1)  # was expired
    assert paid["status"] == "paid" and [x["status"] for x in paid["renewal"]["lines"]] == ["applied"] * 3
    assert [x["new_expiry"] for x in paid["renewal"]["lines"]] == [a.isoformat() for a in after if a]
    assert {c["status"] for c in agent.get("/customers").json()["customers"]} == {"active"}

    # Order notifications to the accountant (the default recipient), by e-mail: placed, then paid.
    placed, done = outbox(live_server, agent.login)
    assert placed.channel == "email" and order["payment"]["pay_url"] in placed.body
    assert "支付成功" in done.subject
    for renewed in paid["renewal"]["lines"]:
        assert renewed["organisation"]["tax_id"] in done.body and iso_date(renewed["new_expiry"]) in done.body


def test_invoice_and_notifications_to_another_party(live_server: LiveServer) -> None:
    agent = _three_customers(live_server, email=True)
    c1, c2, _ = agent.customers
    invoice = {
        "kind": "other",
        "name": "上海汇总集团有限公司",
        "tax_id": "91310000MA1GB68RFL",
        "email": "fin@group.example",
    }
    notify = {"kind": "other", "name": "王经理", "email": "wang@chenguang.example"}
    order = agent.renew(line(c1.licence_id), line(c2.licence_id), invoice_recipient=invoice, notify_recipient=notify)
    assert order.status_code == 201, order.text
    body = order.json()
    for x in body["renewal"]["lines"]:
        assert x["invoice"] == {
            "title": "上海汇总集团有限公司",
            "tax_id": "91310000MA1GB68RFL",
            "email": "fin@group.example",
            "address": "",
        }
    assert body["renewal"]["notify_recipient"]["email"] == "wang@chenguang.example"
    agent.pay(body)
    assert [m.subject.split(" ")[0] for m in outbox(live_server, "wang@chenguang.example")] == [
        "订单已提交",
        "支付成功",
    ]
    assert outbox(live_server, agent.login) == []

    r = agent.renew(line(c1.licence_id), notify_recipient={"kind": "other", "name": "无联系方式"})
    assert r.status_code == 422 and _error(r)["code"] == "VALIDATION_ERROR"
    r = agent.renew(line(c1.licence_id), invoice_recipient={"kind": "other", "tax_id": "123"})
    assert r.status_code == 422 and _error(r)["code"] == "VALIDATION_ERROR"


def test_expired_payment_changes_no_customer(live_server: LiveServer) -> None:
    agent = _three_customers(live_server)
    before = _expiries(agent)
    order = agent.renew(*(line(c.licence_id) for c in agent.customers)).json()
    live_server.clock.advance(timedelta(minutes=15, seconds=1))
    page = agent.http.post(order["payment"]["pay_url"], data={"method": "alipay"}, timeout=15)
    assert "支付已过期" in page.text
    late = signed_callback(agent.customers[0], order["payment"]["id"], amount_minor=order["amount"]["amount_minor"])
    assert late.status_code == 409 and _error(late)["code"] == "PAYMENT_EXPIRED"
    assert _expiries(agent) == before
    shown = agent.get(f"/renewals/{order['id']}").json()
    assert shown["status"] == "expired" and {x["status"] for x in shown["renewal"]["lines"]} == {"pending"}


def test_forged_callback_changes_nothing_and_a_replay_credits_once(live_server: LiveServer) -> None:
    agent = _three_customers(live_server)
    before = _expiries(agent)
    order = agent.renew(*(line(c.licence_id, 12) for c in agent.customers)).json()
    pid, amount = order["payment"]["id"], order["amount"]["amount_minor"]
    shop = agent.customers[0]

    forged = signed_callback(shop, pid, amount_minor=amount, secret=b"guessed-secret")
    assert forged.status_code == 401 and _error(forged)["code"] == "INVALID_SIGNATURE"
    assert _expiries(agent) == before
    short = signed_callback(shop, pid, amount_minor=amount - 1, txn="WX-LOW")
    assert short.status_code == 409 and _error(short)["code"] == "AMOUNT_MISMATCH"
    assert _expiries(agent) == before

    first = signed_callback(shop, pid, amount_minor=amount, txn="WX-42")
    replay = signed_callback(shop, pid, amount_minor=amount, txn="WX-42")
    assert first.status_code == 200 and first.json()["duplicate"] is False
    assert replay.status_code == 200 and replay.json()["duplicate"] is True
    after = _expiries(agent)
    assert after[0] == add_months(before[0], 12) and after[1] == add_months(before[1], 12)  # type: ignore[arg-type]
    assert len(outbox(live_server, agent.login)) == 2  # placed + paid, not paid twice


def test_another_accountants_customer_is_not_found(live_server: LiveServer) -> None:
    agent = _three_customers(live_server)
    other = make_accountant(live_server)
    theirs = other.add_customer("深圳别家代账客户有限公司", "91440300MA5NOTMINE")
    mine = agent.customers[0]

    r = agent.get(f"/licences/{theirs.licence_id}/renewal-quote", months=12)
    assert r.status_code == 404 and _error(r)["code"] == "NOT_FOUND"
    r = agent.renew(line(mine.licence_id), line(theirs.licence_id))
    assert r.status_code == 404 and _error(r)["code"] == "NOT_FOUND"
    assert agent.get("/orders").json()["orders"] == []  # the refused order left nothing behind

    order = agent.renew(line(mine.licence_id)).json()
    assert other.get(f"/renewals/{order['id']}").status_code == 404
    assert agent.get(f"/licences/{mine.licence_id}/renewal-quote", months=12).status_code == 200

    # A customer's own login still renews its own licence; it cannot see the accountant's order.
    assert mine.get(f"/licences/{mine.licence_id}/renewal-quote", months=24).status_code == 200
    assert mine.get(f"/renewals/{order['id']}").status_code == 404


def test_ledger_count_rule_applies_per_line(live_server: LiveServer) -> None:
    agent = _three_customers(live_server)
    cloud = agent.add_customer(
        "杭州云账科技有限公司", "91330100MA2CL0UD02", edition="cloud", ledgers_purchased=4, extra_ledgers=3
    )
    r = agent.renew(line(agent.customers[0].licence_id), line(cloud.licence_id, 12, ledgers=4))
    assert r.status_code == 409, r.text
    error = _error(r)
    assert error["code"] == "LEDGER_COUNT_BELOW_IN_USE"
    assert error["details"]["licence_id"] == cloud.licence_id and error["details"]["in_use"] == 5
    assert len(error["details"]["ledgers"]) == 5

    r = agent.renew(line(agent.customers[0].licence_id), line(cloud.licence_id, 12, ledgers=5))
    assert r.status_code == 201 and r.json()["amount"]["amount_minor"] == 59_800 + 5 * 24_950
    agent.pay(r.json())
    assert cloud.get(f"/licences/{cloud.licence_id}/ledgers").json()["purchased"] == 5


def test_demo_service_accountant_sees_its_seeded_customers(live_server: LiveServer) -> None:
    with live_server.session() as s:
        data = seed_demo(s, live_server.clock.now())
        accountant_id = s.scalars(select(Account.id).where(Account.login == ACCOUNTANT_LOGIN)).one()
    seeded = data.scenarios["service_accountant"]["customers"]
    http = live_server.http()
    headers = auth_headers(token_for(live_server, accountant_id))
    r = http.get(f"{live_server.url}/api/v1/customers", params={"sort": "expiry"}, headers=headers, timeout=10)
    assert r.status_code == 200, r.text
    rows = r.json()["customers"]
    assert {c["tax_id"] for c in rows} == {c["tax_id"] for c in seeded}
    assert rows[0]["status"] == "expired" and rows[1]["status"] == "expiring_soon"

    order = http.post(
        f"{live_server.url}/api/v1/renewals",
        json={"items": [{"licence_id": c["licence_id"], "months": 12} for c in rows]},
        headers=headers,
        timeout=10,
    )
    assert order.status_code == 201, order.text
    assert len(order.json()["renewal"]["lines"]) == len(seeded)
