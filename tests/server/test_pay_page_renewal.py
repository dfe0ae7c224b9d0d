"""The sandbox pay page of a bulk renewal names what is paid for: one line per company, not just an amount."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

from tests.support.live import LiveServer
from tests.support.purchase import item, make_shop
from tests.support.renewals import iso_date, line, make_accountant

DAY = timedelta(days=1)


class _Rows(HTMLParser):
    """The page's table rows as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _rows(page: str) -> list[list[str]]:
    parser = _Rows()
    parser.feed(page)
    return parser.rows


def test_the_pay_page_lists_each_company_of_a_bulk_renewal(live_server: LiveServer) -> None:
    agent = make_accountant(live_server)
    c1 = agent.add_customer("北京晨光餐饮有限公司", "91110105MA01CUST01", expires_in=12 * DAY)
    c2 = agent.add_customer("广州南风服饰有限公司", "91440101MA59CUST02", expires_in=45 * DAY)
    r = agent.renew(line(c1.licence_id, 12), line(c2.licence_id, 24))
    assert r.status_code == 201, r.text
    order = r.json()
    quoted = [iso_date(x["new_expiry"]) for x in order["renewal"]["lines"]]

    page = agent.http.get(order["payment"]["pay_url"], timeout=10)
    assert page.status_code == 200
    assert "¥1794.00" in page.text  # the amount is still there: 598 × (1 + 2)
    rows = _rows(page.text)
    # A Chinese organisation's payment, opened by a browser that names no language: the page is in Chinese.
    assert rows == [
        ["公司", "税号", "续费", "新到期日"],
        ["北京晨光餐饮有限公司", "91110105MA01CUST01", "12 个月", quoted[0]],
        ["广州南风服饰有限公司", "91440101MA59CUST02", "24 个月", quoted[1]],
    ]

    # After payment the page shows the expiry the payment actually gave.
    paid = agent.pay(order)
    applied = [iso_date(x["new_expiry"]) for x in paid["renewal"]["lines"]]
    rows = _rows(agent.http.get(order["payment"]["pay_url"], timeout=10).text)
    assert [row[3] for row in rows[1:]] == applied
    assert "支付成功" in agent.http.get(order["payment"]["pay_url"], timeout=10).text


def test_a_module_purchase_page_keeps_its_item_rows(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    order = shop.new_order(item("period_close", shop.ledger_a, live_server.clock.now().year))
    rows = _rows(shop.pay_page(order["payment"]["id"]).text)
    assert len(rows) == 1 and "Company" not in " ".join(rows[0]) and rows[0][2] == "×1"
