"""Renewal helpers: service accountants with linked customers, quotes, orders and the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlalchemy import select

from server.models import Account, Licence, Organisation, OutboxMessage
from server.services.customers import link_customer
from tests.support.accounts import auth_headers, make_account, token_for
from tests.support.live import LiveServer
from tests.support.purchase import Shop, make_shop

_counter = iter(range(1, 10_000))


@dataclass
class Accountant:
    """A service accountant (代账会计) signed in over HTTP, and the customers linked to it."""

    live: LiveServer
    account_id: int
    login: str
    headers: dict[str, str]
    http: requests.Session
    customers: list[Shop] = field(default_factory=list)

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.http.get(f"{self.live.url}/api/v1{path}", params=params, headers=self.headers, timeout=10)

    def post(self, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        return self.http.post(f"{self.live.url}/api/v1{path}", json=body or {}, headers=self.headers, timeout=10)

    def add_customer(self, name: str, tax_id: str, **shop: Any) -> Shop:
        """A customer company with its own account and licence, put in this accountant's care."""
        customer = make_shop(self.live, **shop)
        with self.live.session() as s:
            org = s.get(Organisation, customer.org_id)
            accountant = s.get(Account, self.account_id)
            assert org is not None and accountant is not None
            org.name, org.tax_id = name, tax_id
            link_customer(s, accountant=accountant, organisation=org, now=self.live.clock.now())
        self.customers.append(customer)
        return customer

    def renew(self, *items: dict[str, Any], **recipients: Any) -> requests.Response:
        return self.post("/renewals", {"items": list(items), **recipients})

    def pay(self, order: dict[str, Any]) -> dict[str, Any]:
        """Pay through the sandbox pay page, as the customer opening the payment link would."""
        page = self.http.post(order["payment"]["pay_url"], data={"method": "wechat"}, timeout=15)
        assert page.status_code == 200 and "支付成功" in page.text, page.text
        r = self.get(f"/renewals/{order['id']}")
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]


def make_accountant(live: LiveServer, *, email: bool = False) -> Accountant:
    n = next(_counter)
    login = f"agent{n}@daizhang.example" if email else f"1390000{n:04d}"
    account_id = make_account(live, login, role="service_accountant")
    headers = auth_headers(token_for(live, account_id, ttl=timedelta(days=800)))
    return Accountant(live, account_id, login, headers, live.http())


def line(licence_id: int, months: int = 12, ledgers: int | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"licence_id": licence_id, "months": months}
    if ledgers is not None:
        item["ledgers"] = ledgers
    return item


def licence_expiry(live: LiveServer, licence_id: int) -> datetime | None:
    with live.session() as s:
        licence = s.get(Licence, licence_id)
        assert licence is not None
        return licence.expires_at


def outbox(live: LiveServer, recipient: str) -> list[OutboxMessage]:
    with live.session() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id))
        return list(rows)


def iso_date(value: str | None) -> str:
    assert value is not None
    return datetime.fromisoformat(value).date().isoformat()
