"""The sandbox provider and its signed, idempotent callback (docs/PROTOCOL.md "Payments"), over real HTTP."""

from __future__ import annotations

import stat
import threading
from datetime import timedelta

import pytest
import requests

from server.services import payments
from tests.support.live import LiveServer
from tests.support.purchase import Shop, item, make_shop, signed_callback


def _order_vouchers(shop: Shop) -> dict[str, object]:
    return shop.new_order(item("vouchers_100", shop.ledger_b, 2025, quantity=2))


def test_pay_page_shows_a_checkout_and_paying_credits_the_order(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    order = shop.new_order(item("period_close", shop.ledger_b, 2025), item("vouchers_500", shop.ledger_b, 2025))
    payment_id = order["payment"]["id"]

    page = shop.pay_page(payment_id)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    yuan = order["amount"]["amount_minor"] // 100
    for text in ("微信支付", "支付宝", f"¥{yuan}.", "账套B", "2025 年度", "id='countdown'", "<svg"):
        assert text in page.text

    paid_page = shop.press_pay(payment_id, "alipay")
    assert paid_page.status_code == 200 and "支付成功" in paid_page.text

    paid = shop.get(f"/orders/{order['id']}").json()
    assert paid["status"] == "paid" and paid["paid_at"] is not None
    assert paid["payment"]["status"] == "paid" and paid["payment"]["method"] == "alipay"
    assert paid["refund"]["allowed"] is True
    assert shop.item_state(shop.ledger_b, 2025, "period_close") == "opened"
    assert shop.vouchers(shop.ledger_b, 2025) == {"used": 12, "quota": 550}
    assert shop.vouchers(shop.ledger_b, 2024) == {"used": 30, "quota": 50}
    assert shop.vouchers(shop.ledger_a, 2025) == {"used": 12, "quota": 50}
    assert "支付成功" in shop.pay_page(payment_id).text  # paying twice is not offered


def test_vouchers_for_a_year_without_a_row_start_from_the_default_quota(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    shop.buy(item("vouchers_100", shop.ledger_a, 2026))
    assert shop.vouchers(shop.ledger_a, 2026) == {"used": 0, "quota": 150}


def test_the_same_callback_twice_credits_once(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    order = _order_vouchers(shop)
    pid, amount = order["payment"]["id"], order["amount"]["amount_minor"]  # type: ignore[index]

    first = signed_callback(shop, pid, amount_minor=amount, txn="WX-0001")
    replay = signed_callback(shop, pid, amount_minor=amount, txn="WX-0001")

    assert first.status_code == 200 and first.json() == {"payment_id": pid, "status": "paid", "duplicate": False}
    assert replay.status_code == 200 and replay.json()["duplicate"] is True
    assert shop.vouchers(shop.ledger_b, 2025)["quota"] == 250
    other = signed_callback(shop, pid, amount_minor=amount, txn="WX-0002")
    assert other.status_code == 409 and other.json()["error"]["code"] == "ALREADY_PAID"
    assert shop.vouchers(shop.ledger_b, 2025)["quota"] == 250


def test_forged_callback_is_refused_and_logged(live_server: LiveServer, caplog: pytest.LogCaptureFixture) -> None:
    shop = make_shop(live_server)
    order = _order_vouchers(shop)
    pid, amount = order["payment"]["id"], order["amount"]["amount_minor"]  # type: ignore[index]

    r = signed_callback(shop, pid, amount_minor=amount, secret=b"not-the-provider-secret")
    assert r.status_code == 401 and r.json()["error"]["code"] == "INVALID_SIGNATURE"
    unsigned = shop.http.post(f"{live_server.url}/api/v1/payments/{pid}/callback", json={"payment_id": pid}, timeout=10)
    assert unsigned.status_code == 401 and unsigned.json()["error"]["code"] == "INVALID_SIGNATURE"

    assert shop.get(f"/orders/{order['id']}").json()["status"] == "pending_payment"  # type: ignore[index]
    assert shop.vouchers(shop.ledger_b, 2025)["quota"] == 50
    messages = [rec.getMessage() for rec in caplog.records]
    assert any("invalid signature" in m for m in messages)
    assert not any(pid in m for m in messages)  # the pay link is a capability: never logged whole


def test_callback_with_a_wrong_amount_is_refused(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    order = _order_vouchers(shop)
    pid, amount = order["payment"]["id"], order["amount"]["amount_minor"]  # type: ignore[index]

    for body in ({"amount_minor": 1}, {"amount_minor": amount, "currency": "USD"}):
        r = signed_callback(shop, pid, **{"amount_minor": amount, **body})  # type: ignore[arg-type]
        assert r.status_code == 409 and r.json()["error"]["code"] == "AMOUNT_MISMATCH"
        assert r.json()["error"]["details"]["expected"] == {"amount_minor": amount, "currency": "CNY"}

    assert shop.get(f"/orders/{order['id']}").json()["status"] == "pending_payment"  # type: ignore[index]
    assert shop.vouchers(shop.ledger_b, 2025)["quota"] == 50
    assert signed_callback(shop, pid, amount_minor=amount).status_code == 200  # the right amount still pays


def test_payment_expires_after_15_minutes(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    order = _order_vouchers(shop)
    pid, amount = order["payment"]["id"], order["amount"]["amount_minor"]  # type: ignore[index]

    live_server.clock.advance(timedelta(minutes=15, seconds=1))

    page = shop.pay_page(pid)
    assert "支付已过期" in page.text and "微信支付" not in page.text
    assert "支付已过期" in shop.press_pay(pid).text
    r = signed_callback(shop, pid, amount_minor=amount)
    assert r.status_code == 409 and r.json()["error"]["code"] == "PAYMENT_EXPIRED"
    assert shop.get(f"/orders/{order['id']}").json()["status"] == "expired"  # type: ignore[index]
    assert shop.vouchers(shop.ledger_b, 2025)["quota"] == 50


def test_concurrent_duplicate_callbacks_credit_once(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    order = _order_vouchers(shop)
    pid, amount = order["payment"]["id"], order["amount"]["amount_minor"]  # type: ignore[index]
    start = threading.Barrier(8)
    answers: list[requests.Response] = []

    def send(txn: str) -> None:
        start.wait()
        answers.append(signed_callback(shop, pid, amount_minor=amount, txn=txn))

    # Six copies of one callback and two other transactions, all at once.
    threads = [threading.Thread(target=send, args=(t,)) for t in ["TX-A"] * 6 + ["TX-B", "TX-C"]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert len(answers) == 8
    credited = [a for a in answers if a.status_code == 200 and a.json()["duplicate"] is False]
    assert len(credited) == 1
    assert all(a.status_code in (200, 409) for a in answers)
    assert all(a.json()["error"]["code"] == "ALREADY_PAID" for a in answers if a.status_code == 409)
    assert shop.vouchers(shop.ledger_b, 2025)["quota"] == 250


def test_unknown_payment_pages_and_callbacks_are_not_found(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    missing = "x" * 22
    assert shop.pay_page(missing).status_code == 404
    assert signed_callback(shop, missing, amount_minor=100).status_code == 404


def test_callback_secret_is_generated_once_and_private(live_server: LiveServer) -> None:
    settings = live_server.ctx.settings
    first = payments.callback_secret(settings)
    path = settings.resolved_key_dir() / payments.SECRET_FILE
    assert len(first) >= 32 and payments.callback_secret(settings) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
