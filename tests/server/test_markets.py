"""Markets: an organisation's market decides the currency, the price list and the payment methods; the request's
Accept-Language decides the words (item names, the pay page, the offline page, renewal notices)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from server.languages import negotiate
from server.models import Organisation, OutboxMessage
from server.services.catalogue import LICENCE_PRICES, LOCAL_PRICES, PRICES
from server.services.markets import format_amount
from server.services.renewals import PRICES_PER_YEAR
from tests.support.live import LiveServer
from tests.support.purchase import Shop, item, make_shop
from tests.support.renewals import make_accountant

VN_TAX_ID, IR_TAX_ID = "0105943788", "10320479158"


def in_market(shop: Shop, market: str, tax_id: str) -> Shop:
    with shop.live.session() as s:
        org = s.get(Organisation, shop.org_id)
        assert org is not None
        org.market, org.tax_id = market, tax_id
    return shop


def get(shop: Shop, path: str, language: str, **params: Any) -> dict[str, Any]:
    headers = {**shop.headers, "Accept-Language": language}
    r = shop.http.get(f"{shop.live.url}/api/v1{path}", params=params, headers=headers, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def post(shop: Shop, path: str, body: dict[str, Any], language: str) -> Any:
    headers = {**shop.headers, "Accept-Language": language}
    return shop.http.post(f"{shop.live.url}/api/v1{path}", json=body, headers=headers, timeout=10)


def test_every_item_an_edition_sells_has_a_price_in_every_currency() -> None:
    for currency, table in LOCAL_PRICES.items():
        for edition in PRICES.keys() | LICENCE_PRICES.keys():
            sold = PRICES.get(edition, {}).keys() | LICENCE_PRICES.get(edition, {}).keys()
            assert table.get(edition, {}).keys() == sold, (currency, edition)
            assert all(type(v) is int and v > 0 for v in table[edition].values())
    for currency in ("CNY", "VND", "IRR"):
        assert PRICES_PER_YEAR[currency].keys() == {"cloud", "standard"}


def test_amounts_read_the_way_each_market_writes_them() -> None:
    assert format_amount(19_900, "CNY") == "¥199.00"
    assert format_amount(1_049_000, "VND") == "1.049.000 ₫"  # whole dong: no minor unit
    assert format_amount(27_900_000, "IRR") == "27,900,000 ریال"


def test_accept_language_picks_the_preferred_supported_language() -> None:
    assert negotiate("vi-VN,vi;q=0.9,en;q=0.8") == "vi"
    assert negotiate("de-DE, fa;q=0.5, en;q=0.4") == "fa"
    assert negotiate("en;q=0.2, zh-CN") == "zh_CN"
    assert negotiate("de, fr") == "zh_CN" and negotiate(None, "vi") == "vi" and negotiate("fa;q=0") == "zh_CN"


@pytest.mark.parametrize(
    ("market", "tax_id", "currency", "language", "methods", "name"),
    [
        ("VN", VN_TAX_ID, "VND", "vi", ["vietqr", "momo", "vnpay"], "Mở sổ kế toán (khóa sổ kỳ)"),
        ("IR", IR_TAX_ID, "IRR", "fa", ["shaparak"], "گشایش دفتر (بستن دوره)"),
    ],
)
def test_a_market_buys_in_its_currency_and_pays_with_its_methods(
    sqlite_server: LiveServer, market: str, tax_id: str, currency: str, language: str, methods: list[str], name: str
) -> None:
    shop = in_market(make_shop(sqlite_server), market, tax_id)
    catalogue = get(shop, "/catalogue", language, licence_id=shop.licence_id, ledger_id=shop.ledger_b, fiscal_year=2025)
    items = {i["sku"]: i for i in catalogue["items"]}
    assert items["period_close"]["name"] == name and items["period_close"]["name_zh"] == "开通账套(结账)"
    assert {i["price"]["currency"] for i in catalogue["items"]} == {currency}
    assert items["period_close"]["price"]["amount_minor"] == LOCAL_PRICES[currency]["standard"]["period_close"]

    # Whatever the client believes, the server prices: a price sent along is refused, the order is in the currency.
    body = {"licence_id": shop.licence_id, "items": [item("period_close", shop.ledger_b, 2025)]}
    refused = post(shop, "/orders", {**body, "items": [{**body["items"][0], "price": 1}]}, language)
    assert refused.status_code == 422
    r = post(shop, "/orders", body, language)
    assert r.status_code == 201, r.text
    order = r.json()
    unit = LOCAL_PRICES[currency]["standard"]["period_close"]
    assert order["amount"] == {"amount_minor": unit, "currency": currency}
    assert order["items"][0]["name"] == name and order["items"][0]["unit_price"]["currency"] == currency
    assert order["payment"]["methods"] == methods and order["payment"]["amount"]["currency"] == currency

    pay_url = order["payment"]["pay_url"]
    # China's methods are not this payment's: refused, nothing is paid.
    wrong = shop.http.post(pay_url, data={"method": "wechat"}, timeout=15)
    assert wrong.status_code == 400 and "BAD_REQUEST" in wrong.text
    # A browser naming no language of ours sees the market's language (right to left for Persian).
    page = shop.http.get(pay_url, headers={"Accept-Language": "de-DE"}, timeout=10).text
    assert f"lang='{language}'" in page and ("dir='rtl'" in page) == (language == "fa")
    assert format_amount(unit, currency) in page and name in page
    assert [f"value='{m}'" in page for m in methods] == [True] * len(methods) and "value='wechat'" not in page
    # The same page in English for a browser that asks for it.
    english = shop.http.get(pay_url, headers={"Accept-Language": "en"}, timeout=10).text
    assert "Ledger opening (period close)" in english and "dir='ltr'" in english

    paid = shop.http.post(pay_url, data={"method": methods[-1]}, headers={"Accept-Language": language}, timeout=15)
    assert paid.status_code == 200 and "id='state'" in paid.text and "class='state paid'" in paid.text
    after = get(shop, f"/orders/{order['id']}", language)
    assert after["status"] == "paid" and after["payment"]["method"] == methods[-1]
    assert after["payment"]["amount"] == {"amount_minor": unit, "currency": currency}


def test_a_chinese_order_keeps_wechat_and_alipay(sqlite_server: LiveServer) -> None:
    shop = make_shop(sqlite_server)
    order = shop.new_order(item("accounting", shop.ledger_a, 2025))
    assert order["amount"]["currency"] == "CNY" and order["payment"]["methods"] == ["wechat", "alipay"]
    assert order["items"][0]["name"] == "账务处理"  # no Accept-Language: Chinese, as before there were others
    assert get(shop, f"/orders/{order['id']}", "en")["items"][0]["name"] == "Bookkeeping"


def test_renewals_quote_and_charge_in_the_organisations_currency(sqlite_server: LiveServer) -> None:
    agent = make_accountant(sqlite_server)
    hanoi = agent.add_customer("Công ty TNHH Thương mại Sông Hồng", VN_TAX_ID)
    in_market(hanoi, "VN", VN_TAX_ID)
    shanghai = agent.add_customer("上海示例商贸有限公司", "91310000MA1FL0DE01")

    quote = agent.get(f"/licences/{hanoi.licence_id}/renewal-quote", months=24)
    assert quote.status_code == 200, quote.text
    assert quote.json()["amount"] == {"amount_minor": 2 * PRICES_PER_YEAR["VND"]["standard"], "currency": "VND"}

    # One order is paid in one currency: Vietnam and China are renewed apart.
    lines = ({"licence_id": hanoi.licence_id, "months": 12}, {"licence_id": shanghai.licence_id, "months": 12})
    mixed = agent.renew(*lines)
    assert mixed.status_code == 422 and mixed.json()["error"]["code"] == "MIXED_CURRENCIES"
    assert mixed.json()["error"]["details"] == {"currencies": ["CNY", "VND"]}

    headers = {**agent.headers, "Accept-Language": "vi"}
    notify = {"kind": "other", "name": "Chị Lan", "email": "lan@songhong.example"}
    body = {"items": [{"licence_id": hanoi.licence_id, "months": 12}], "notify_recipient": notify}
    r = agent.http.post(f"{sqlite_server.url}/api/v1/renewals", json=body, headers=headers, timeout=10)
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["amount"] == {"amount_minor": PRICES_PER_YEAR["VND"]["standard"], "currency": "VND"}
    assert order["renewal"]["lines"][0]["amount"]["currency"] == "VND"
    paid = agent.http.post(order["payment"]["pay_url"], data={"method": "vietqr"}, timeout=15)
    assert paid.status_code == 200 and "class='state paid'" in paid.text

    with sqlite_server.session() as s:
        messages = s.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "lan@songhong.example").order_by(OutboxMessage.id)
        ).all()
        texts = [(m.subject, m.body) for m in messages]
    assert len(texts) == 2
    (placed_subject, placed_body), (paid_subject, paid_body) = texts
    amount = format_amount(PRICES_PER_YEAR["VND"]["standard"], "VND")
    assert placed_subject == f"Đã đặt đơn gia hạn số {order['id']}" and amount in placed_body
    assert paid_subject == f"Đơn gia hạn số {order['id']} đã được thanh toán" and "12 tháng" in paid_body


@pytest.mark.parametrize(
    ("language", "title", "direction"),
    [
        ("zh-CN", "离线激活", "ltr"),
        ("en", "Offline activation", "ltr"),
        ("vi", "Kích hoạt ngoại tuyến", "ltr"),
        ("fa-IR", "فعال\u200cسازی آفلاین", "rtl"),
    ],
)
def test_the_offline_page_speaks_the_browsers_language(
    sqlite_server: LiveServer, language: str, title: str, direction: str
) -> None:
    http = sqlite_server.http()
    page = http.get(f"{sqlite_server.url}/offline", headers={"Accept-Language": language}, timeout=10).text
    assert f"<h1>{title}</h1>" in page and f'dir="{direction}"' in page
    refused = http.post(
        f"{sqlite_server.url}/offline",
        data={"request": "not a file", "login": "x", "password": "y"},
        headers={"Accept-Language": language},
        timeout=10,
    )
    assert refused.status_code == 422 and f"<h1>{title}</h1>" in refused.text
