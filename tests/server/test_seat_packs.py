"""Seat packs: sold for the licence (not a ledger-year), paid like any order, counted by every seat limit."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from licence_protocol.envelope import b64url_decode

from server.models import Licence, Organisation
from server.services import admin
from server.services.admin import IssuedKey
from tests.support.licensing import Customer, customer, error_code, issue_licence, machine
from tests.support.live import LiveServer
from tests.support.purchase import item


@pytest.fixture
def bob(live_server: LiveServer) -> Customer:
    return customer(live_server, "13900000077", org_name="座位测试有限公司")


def _ledger(live: LiveServer, org_id: int) -> int:
    with live.session() as s:
        org = s.get(Organisation, org_id)
        assert org is not None
        return admin.create_ledger(
            s, organisation=org, code="A", name="账套A", now=live.clock.now(), years={2025: 1}
        ).id


def _standard(live: LiveServer, seats: int = 2) -> IssuedKey:
    return issue_licence(
        live,
        product_code="KJH-STD",
        product_name="e会计 标准版",
        policy_code="std",
        policy_name="标准版",
        edition="standard",
        max_machines=seats,
        duration_days=365,
    )


def _pay(live: LiveServer, bob: Customer, order: dict[str, Any]) -> dict[str, Any]:
    r = bob.http.post(f"{live.url}/pay/{order['payment']['id']}", data={"method": "alipay"}, timeout=15)
    assert r.status_code == 200, r.text
    return bob.get(f"/orders/{order['id']}").json()  # type: ignore[no-any-return]


def _document_seats(bob: Customer, licence_id: int, n: int) -> dict[str, int]:
    only = machine(n)
    r = bob.post(
        f"/licences/{licence_id}/validate", {"fingerprint": only["fingerprint"], "components": only["components"]}
    )
    assert r.status_code == 200, r.text
    return json.loads(b64url_decode(r.json()["document"]["payload"]))["seats"]  # type: ignore[no-any-return]


def test_a_paid_seat_pack_raises_the_documents_seat_maximum_and_one_more_machine_activates(
    live_server: LiveServer, bob: Customer
) -> None:
    key = _standard(live_server)
    assert bob.activate(key, 1).status_code == 200
    assert bob.activate(key, 2).status_code == 200
    assert error_code(bob.activate(key, 3)) == "TOO_MANY_MACHINES"
    _ledger(live_server, bob.org_id)

    catalogue = bob.get(f"/licences/{key.licence_id}/catalogue").json()
    assert catalogue["seats"] == {"used": 2, "max": 2, "included": 2, "extra": 0}
    [seat] = catalogue["items"]
    assert seat["sku"] == "seats_1" and seat["kind"] == "seats" and seat["purchasable"] is True
    r = bob.post(f"/licences/{key.licence_id}/seat-orders", {"sku": "seats_1", "quantity": 2})
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["amount"] == {"amount_minor": 2 * seat["price"]["amount_minor"], "currency": "CNY"}
    [line] = order["items"]
    # A line of the licence: no ledger-year named (unlike every ledger purchase).
    assert (line["kind"], line["quantity"], line["ledger"], line["fiscal_year"]) == ("seats", 2, None, None)
    assert _document_seats(bob, key.licence_id, 1) == {"used": 2, "max": 2}  # nothing before payment
    page = bob.http.get(order["payment"]["pay_url"], timeout=10).text
    assert "整个许可" in page and "年度" not in page  # the pay page names no ledger-year for seats either

    assert _pay(live_server, bob, order)["status"] == "paid"

    assert _document_seats(bob, key.licence_id, 1) == {"used": 2, "max": 4}
    assert bob.activate(key, 3).status_code == 200
    assert bob.get(f"/licences/{key.licence_id}/machines").json()["seats"] == {"used": 3, "max": 4}
    [summary] = bob.get(f"/orgs/{bob.org_id}/licences").json()["licences"]
    assert summary["seats"] == {"used": 3, "max": 4}
    assert bob.activate(key, 4).status_code == 200
    refused = bob.activate(key, 5)
    assert error_code(refused) == "TOO_MANY_MACHINES" and refused.json()["error"]["details"]["seats_max"] == 4


def test_a_refund_takes_the_seats_back_and_only_a_seat_pack_can_then_be_bought(
    live_server: LiveServer, bob: Customer
) -> None:
    key = _standard(live_server, seats=1)
    ledger_id = _ledger(live_server, bob.org_id)
    bob.activate(key, 1)
    order = _pay(live_server, bob, bob.post(f"/licences/{key.licence_id}/seat-orders", {"quantity": 1}).json())
    assert bob.activate(key, 2).status_code == 200

    refunded = bob.post(f"/orders/{order['id']}/refund-request")

    assert refunded.status_code == 200 and refunded.json()["status"] == "refunded"
    with live_server.session() as s:
        licence = s.get(Licence, key.licence_id)
        assert licence is not None and licence.extra_seats == 0
    catalogue = bob.get(f"/licences/{key.licence_id}/catalogue").json()
    assert catalogue["seats"]["max"] == 1
    assert catalogue["purchase"] == {"allowed": False, "state": "TOO_MANY_MACHINES", "kinds": ["seats"]}
    r = bob.post("/orders", {"licence_id": key.licence_id, "items": [item("accounting", ledger_id, 2025)]})
    assert error_code(r) == "PURCHASE_BLOCKED"
    assert bob.post(f"/licences/{key.licence_id}/seat-orders", {"quantity": 1}).status_code == 201


def test_seats_are_not_sold_inside_a_ledger_purchase_nor_to_the_free_edition_or_an_expired_licence(
    live_server: LiveServer, bob: Customer
) -> None:
    key = _standard(live_server)
    ledger_id = _ledger(live_server, bob.org_id)
    bob.activate(key, 1)
    r = bob.post("/orders", {"licence_id": key.licence_id, "items": [item("seats_1", ledger_id, 2025)]})
    assert r.status_code == 422 and error_code(r) == "UNKNOWN_SKU" and "seat-orders" in r.json()["error"]["message"]

    free = issue_licence(
        live_server, product_code="KJH-FREE", policy_code="free", edition="free", max_machines=1, activation_limit=3
    )
    bob.activate(free, 7)
    assert bob.get(f"/licences/{free.licence_id}/catalogue").json()["items"] == []
    assert error_code(bob.post(f"/licences/{free.licence_id}/seat-orders", {"quantity": 1})) == "UNKNOWN_SKU"

    with live_server.session() as s:
        licence = s.get(Licence, key.licence_id)
        assert licence is not None
        licence.expires_at = live_server.clock.now() - timedelta(days=1)
    r = bob.post(f"/licences/{key.licence_id}/seat-orders", {"quantity": 1})
    assert error_code(r) == "PURCHASE_BLOCKED" and r.json()["error"]["details"]["state"] == "EXPIRED"


def test_a_licence_whose_organisation_has_no_ledger_buys_a_seat_pack_and_gets_the_seat(
    live_server: LiveServer, bob: Customer
) -> None:
    key = _standard(live_server, seats=1)
    assert bob.activate(key, 1).status_code == 200
    assert error_code(bob.activate(key, 2)) == "TOO_MANY_MACHINES"
    assert bob.get(f"/licences/{key.licence_id}/ledgers").json()["ledgers"] == []

    r = bob.post(f"/licences/{key.licence_id}/seat-orders", {"sku": "seats_1", "quantity": 1})

    assert r.status_code == 201, r.text
    page = bob.http.get(r.json()["payment"]["pay_url"], timeout=10).text
    assert "整个许可" in page and "年度" not in page
    order = _pay(live_server, bob, r.json())
    assert order["status"] == "paid"
    [line] = order["items"]
    assert (line["kind"], line["ledger"], line["ledger_id"], line["fiscal_year"]) == ("seats", None, None, None)
    [listed] = [o for o in bob.get("/orders").json()["orders"] if o["id"] == order["id"]]
    assert listed["items"] == order["items"]
    assert bob.activate(key, 2).status_code == 200
    assert bob.get(f"/licences/{key.licence_id}/machines").json()["seats"] == {"used": 2, "max": 2}
    assert _document_seats(bob, key.licence_id, 1) == {"used": 2, "max": 2}

    refunded = bob.post(f"/orders/{order['id']}/refund-request")
    assert refunded.status_code == 200 and refunded.json()["status"] == "refunded"
    assert bob.get(f"/licences/{key.licence_id}/catalogue").json()["seats"]["max"] == 1


def test_another_accounts_licence_is_not_found(live_server: LiveServer, bob: Customer) -> None:
    key = _standard(live_server)
    bob.activate(key, 1)
    eve = customer(live_server, "13900000078")
    assert eve.get(f"/licences/{key.licence_id}/catalogue").status_code == 404
    assert error_code(eve.post(f"/licences/{key.licence_id}/seat-orders", {"quantity": 1})) == "NOT_FOUND"
