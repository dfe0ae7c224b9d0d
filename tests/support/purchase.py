"""A shop to buy in: an account with an activated licence and two ledgers (A, B) of two fiscal years each."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests

from server.models import Licence, Machine, Order, OrderItem, Organisation
from server.services import admin, payments
from tests.support.accounts import auth_headers, make_account, make_org, token_for
from tests.support.live import LiveServer

_counter = iter(range(1, 10_000))


@dataclass
class Shop:
    live: LiveServer
    account_id: int
    org_id: int
    licence_id: int
    ledger_a: int
    ledger_b: int
    headers: dict[str, str]
    http: requests.Session

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.http.get(f"{self.live.url}/api/v1{path}", params=params, headers=self.headers, timeout=10)

    def post(self, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        return self.http.post(f"{self.live.url}/api/v1{path}", json=body or {}, headers=self.headers, timeout=10)

    def catalogue(self, ledger_id: int, fiscal_year: int) -> dict[str, Any]:
        r = self.get("/catalogue", licence_id=self.licence_id, ledger_id=ledger_id, fiscal_year=fiscal_year)
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    def item_state(self, ledger_id: int, fiscal_year: int, sku: str) -> str:
        items = {i["sku"]: i for i in self.catalogue(ledger_id, fiscal_year)["items"]}
        return str(items[sku]["state"])

    def vouchers(self, ledger_id: int, fiscal_year: int) -> dict[str, int]:
        return self.catalogue(ledger_id, fiscal_year)["vouchers"]  # type: ignore[no-any-return]

    def order(self, *items: dict[str, Any]) -> requests.Response:
        return self.post("/orders", {"licence_id": self.licence_id, "items": list(items)})

    def new_order(self, *items: dict[str, Any]) -> dict[str, Any]:
        r = self.order(*items)
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def pay_page(self, payment_id: str) -> requests.Response:
        return self.http.get(f"{self.live.url}/pay/{payment_id}", timeout=10)

    def press_pay(self, payment_id: str, method: str = "wechat") -> requests.Response:
        """What the payer's browser does: a form post of the chosen button."""
        return self.http.post(f"{self.live.url}/pay/{payment_id}", data={"method": method}, timeout=15)

    def buy(self, *items: dict[str, Any]) -> dict[str, Any]:
        """Order and pay through the sandbox pay page; answers the order as the server shows it afterwards."""
        order = self.new_order(*items)
        r = self.press_pay(order["payment"]["id"])
        assert r.status_code == 200, r.text
        return self.get(f"/orders/{order['id']}").json()  # type: ignore[no-any-return]


def place_past_renewal(live: LiveServer, licence_id: int, ledger_id: int, months_packs: int = 1) -> str:
    """A renewal_12m order as the ledger purchase sold it before renewal moved to the renewal screen (its
    recharge codes, refunds and redemption still work), placed in storage; answers its payment's id."""
    now = live.clock.now()
    with live.session() as s:
        unit = 59_800
        licence = s.get(Licence, licence_id)
        assert licence is not None and licence.account_id is not None
        order = Order(
            account_id=licence.account_id,
            licence_id=licence_id,
            status="pending_payment",
            amount_minor=unit * months_packs,
            currency="CNY",
            created_at=now,
            items=[
                OrderItem(
                    sku="renewal_12m",
                    kind="renewal",
                    ledger_id=ledger_id,
                    fiscal_year=2025,
                    quantity=months_packs,
                    unit_amount_minor=unit,
                    amount_minor=unit * months_packs,
                )
            ],
        )
        s.add(order)
        s.flush()
        return payments.create_payment(s, order, now).id


def buy_past_renewal(shop: Shop, months_packs: int = 1) -> dict[str, Any]:
    """``place_past_renewal`` for the shop's licence, paid through the pay page; the order as shown afterwards."""
    payment_id = place_past_renewal(shop.live, shop.licence_id, shop.ledger_a, months_packs)
    r = shop.press_pay(payment_id)
    assert r.status_code == 200, r.text
    [order] = [o for o in shop.get("/orders").json()["orders"] if o["payment"]["id"] == payment_id]
    return order  # type: ignore[no-any-return]


def seat_order(shop: Shop, quantity: int = 1, sku: str = "seats_1") -> requests.Response:
    return shop.post(f"/licences/{shop.licence_id}/seat-orders", {"sku": sku, "quantity": quantity})


def buy_seats(shop: Shop, quantity: int = 1) -> dict[str, Any]:
    """Seat packs ordered for the licence and paid through the sandbox pay page; the order as shown afterwards."""
    r = seat_order(shop, quantity)
    assert r.status_code == 201, r.text
    order = r.json()
    paid = shop.press_pay(order["payment"]["id"])
    assert paid.status_code == 200, paid.text
    return shop.get(f"/orders/{order['id']}").json()  # type: ignore[no-any-return]


def item(sku: str, ledger_id: int, fiscal_year: int, quantity: int = 1, **extra: Any) -> dict[str, Any]:
    return {"sku": sku, "ledger_id": ledger_id, "fiscal_year": fiscal_year, "quantity": quantity, **extra}


def make_shop(
    live: LiveServer,
    *,
    edition: str = "standard",
    status: str = "active",
    expires_in: timedelta | None = timedelta(days=200),
    max_machines: int = 3,
    machines: int = 1,
    ledgers_purchased: int = 5,
    extra_ledgers: int = 0,
) -> Shop:
    n = next(_counter)
    account_id = make_account(live, f"1380000{n:04d}")
    org_id = make_org(live, account_id, name=f"示例科技{n}有限公司", tax_id=f"91310000MA1K{n:06d}")
    now = live.clock.now()
    with live.session() as s:
        product = admin.create_product(s, code=f"KJH-{edition.upper()}", name=f"e会计 {edition}", version="5.0")
        policy = admin.create_policy(
            s, product=product, code=edition, name=edition, edition=edition, max_machines=max_machines
        )
        key = admin.issue_licences(s, policy=policy, count=1, now=now)[0]
        licence = s.get(Licence, key.licence_id)
        assert licence is not None
        # Activation is another part's endpoint: bind the licence as it would.
        licence.status, licence.account_id, licence.organisation_id = status, account_id, org_id
        licence.activated_at = now
        licence.expires_at = now + expires_in if expires_in is not None else None
        licence.ledgers_purchased = ledgers_purchased
        for m in range(machines):
            s.add(
                Machine(
                    licence_id=licence.id, fingerprint=f"fp{n}-{m}", name=f"PC-{m}", activated_at=now, last_seen_at=now
                )
            )
        org = s.get(Organisation, org_id)
        assert org is not None
        years = {2024: 30, 2025: 12}
        ledger_a = admin.create_ledger(s, organisation=org, code="A", name="账套A", now=now, years=years).id
        ledger_b = admin.create_ledger(s, organisation=org, code="B", name="账套B", now=now, years=years).id
        for extra in range(extra_ledgers):
            admin.create_ledger(s, organisation=org, code=f"X{extra}", name=f"账套X{extra}", now=now)
    http = live.http()
    return Shop(
        live,
        account_id,
        org_id,
        key.licence_id,
        ledger_a,
        ledger_b,
        auth_headers(token_for(live, account_id, ttl=timedelta(days=90))),
        http,
    )


def signed_callback(
    shop: Shop, payment_id: str, *, amount_minor: int, txn: str = "TXN-1", secret: bytes | None = None, **overrides: Any
) -> requests.Response:
    """A provider callback, signed like the sandbox provider signs it (or with another secret: a forgery)."""
    body = {
        "payment_id": payment_id,
        "amount_minor": amount_minor,
        "currency": "CNY",
        "provider_txn_id": txn,
        "paid_at": shop.live.clock.now().isoformat(),
        "status": "paid",
        **overrides,
    }
    raw = json.dumps(body).encode("utf-8")
    key = secret if secret is not None else payments.callback_secret(shop.live.ctx.settings)
    return shop.http.post(
        f"{shop.live.url}/api/v1/payments/{payment_id}/callback",
        data=raw,
        headers={"Content-Type": "application/json", payments.SIGNATURE_HEADER: payments.sign(key, raw)},
        timeout=10,
    )
