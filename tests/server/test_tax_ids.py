"""Tax ids over real HTTP: every place the API accepts one checks it against its organisation's market (422)."""

from __future__ import annotations

from typing import Any

import requests
from licence_protocol.tax_ids import check_tax_id
from sqlalchemy import select

from server.models import Organisation
from server.services.demo import seed_demo
from tests.support.accounts import auth_headers, make_account, make_org, token_for
from tests.support.live import LiveServer
from tests.support.purchase import item, make_shop
from tests.support.renewals import line, make_accountant


class Api:
    def __init__(self, live: LiveServer, token: str) -> None:
        self.live, self.headers, self.http = live, auth_headers(token), live.http()

    def get(self, path: str) -> requests.Response:
        return self.http.get(f"{self.live.url}/api/v1{path}", headers=self.headers, timeout=10)

    def post(self, path: str, body: Any) -> requests.Response:
        return self.http.post(f"{self.live.url}/api/v1{path}", json=body, headers=self.headers, timeout=10)


def signed_in(live: LiveServer, login: str) -> tuple[int, Api]:
    account_id = make_account(live, login)
    return account_id, Api(live, token_for(live, account_id))


def refusal(r: requests.Response) -> dict[str, Any]:
    assert r.status_code == 422, r.text
    body = r.json()["error"]
    assert body["code"] == "INVALID_TAX_ID", body
    return body["details"]  # type: ignore[no-any-return]


def set_market(live: LiveServer, org_id: int, market: str) -> None:
    with live.session() as s:
        org = s.get(Organisation, org_id)
        assert org is not None
        org.market = market


def test_a_new_organisation_is_checked_by_the_market_it_is_created_in(live_server: LiveServer) -> None:
    _, api = signed_in(live_server, "13700000101")
    # CN by default: one wrong character of Tencent's published code is caught by the check character.
    assert refusal(api.post("/orgs", {"name": "腾讯", "tax_id": "9144030071526726XH"})) == {
        "market": "CN",
        "rule": "check_digit",
        "field": "tax_id",
    }
    assert refusal(api.post("/orgs", {"name": "短", "tax_id": "914403007152"}))["rule"] == "length"
    assert refusal(api.post("/orgs", {"name": "字母", "tax_id": "91440300715267260I"}))["rule"] == "characters"
    # Typed in lower case with spaces: stored as the code is printed.
    r = api.post("/orgs", {"name": "腾讯科技（深圳）有限公司", "tax_id": "9144 0300 7152 6726 xg"})
    assert r.status_code == 201, r.text
    assert (r.json()["tax_id"], r.json()["market"]) == ("9144030071526726XG", "CN")

    # Vietnam: a branch MST is kept in its written form; a Chinese code is no Vietnamese one.
    r = api.post("/orgs", {"name": "Chi nhánh Hà Nội", "tax_id": "0314409058 - 002", "market": "VN"})
    assert r.status_code == 201, r.text
    assert (r.json()["tax_id"], r.json()["market"]) == ("0314409058-002", "VN")
    assert refusal(api.post("/orgs", {"name": "X", "tax_id": "9144030071526726XG", "market": "VN"})) == {
        "market": "VN",
        "rule": "characters",
        "field": "tax_id",
    }
    assert refusal(api.post("/orgs", {"name": "X", "tax_id": "0100233480", "market": "VN"}))["rule"] == "check_digit"

    # Iran: a legal entity's national id typed in Persian digits; a person's with a wrong last digit.
    r = api.post("/orgs", {"name": "شرکت نمونه", "tax_id": "۱۰۳۸۰۲۸۴۷۹۰", "market": "IR"})
    assert r.status_code == 201, r.text
    assert r.json()["tax_id"] == "10380284790"
    assert refusal(api.post("/orgs", {"name": "X", "tax_id": "0076229646", "market": "IR"}))["rule"] == "check_digit"
    # Still optional, and a market the server does not sell in is a field error.
    assert api.post("/orgs", {"name": "个体户", "market": "IR"}).json()["tax_id"] == ""
    assert api.post("/orgs", {"name": "X", "market": "US"}).json()["error"]["code"] == "VALIDATION_ERROR"
    markets = {o["name"]: o["market"] for o in api.get("/me").json()["organisations"]}
    assert markets["Chi nhánh Hà Nội"] == "VN" and markets["腾讯科技（深圳）有限公司"] == "CN"


def test_certification_checks_by_the_organisations_market_after_ownership(live_server: LiveServer) -> None:
    account_id, api = signed_in(live_server, "13700000102")
    org_id = make_org(live_server, account_id, name="Công ty Mẫu", tax_id="")
    set_market(live_server, org_id, "VN")
    details = {"name": "Công ty Mẫu", "contact": "0901234567"}
    r = api.post(f"/orgs/{org_id}/certification", {**details, "tax_id": "91440300MA5FU4CF58"})
    assert refusal(r) == {"market": "VN", "rule": "characters", "field": "tax_id"}
    r = api.post(f"/orgs/{org_id}/certification", {**details, "tax_id": "0100233488"})
    assert r.status_code == 200, r.text
    assert (r.json()["tax_id"], r.json()["certification"]["status"]) == ("0100233488", "certified")

    # Another account's organisation answers 404 whatever the tax id: nothing to learn by probing.
    other = make_org(live_server, make_account(live_server, "13700000103"))
    r = api.post(f"/orgs/{other}/certification", {**details, "tax_id": "1"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"


def test_an_invoice_tax_id_is_checked_and_nothing_is_issued_on_refusal(live_server: LiveServer) -> None:
    shop = make_shop(live_server)
    paid = shop.buy(item("accounting", shop.ledger_a, 2025))
    invoice = {"title": "示例科技有限公司", "tax_id": "91310000MA1KCHMLJ0", "email": "a@example.com"}
    assert refusal(shop.post(f"/orders/{paid['id']}/invoice", invoice))["rule"] == "check_digit"
    assert shop.get(f"/orders/{paid['id']}").json()["invoice"]["status"] == "none"
    r = shop.post(f"/orders/{paid['id']}/invoice", {**invoice, "tax_id": "91310000ma1kchmljh"})
    assert r.status_code == 200, r.text
    assert r.json()["invoice"]["tax_id"] == "91310000MA1KCHMLJH"


def test_a_renewal_invoice_to_another_party_is_checked_by_the_customers_market(live_server: LiveServer) -> None:
    agent = make_accountant(live_server)
    customer = agent.add_customer("Công ty Khách", "0100233488")
    set_market(live_server, customer.org_id, "VN")
    other = {"kind": "other", "name": "Công ty Dịch vụ Kế toán", "tax_id": "0100233480"}
    r = agent.renew(line(customer.licence_id), invoice_recipient=other)
    assert refusal(r) == {"market": "VN", "rule": "check_digit", "field": "invoice_recipient.tax_id"}
    assert agent.get("/orders").json()["orders"] == []  # nothing stored on refusal
    r = agent.renew(line(customer.licence_id), invoice_recipient={**other, "tax_id": "0312687878-001"})
    assert r.status_code == 201, r.text
    assert r.json()["renewal"]["lines"][0]["invoice"]["tax_id"] == "0312687878-001"


def test_every_tax_id_the_demo_seeds_is_valid_in_its_market(live_server: LiveServer) -> None:
    with live_server.session() as s:
        seed_demo(s, live_server.clock.now())
    with live_server.session() as s:
        orgs = s.scalars(select(Organisation)).all()
        assert orgs
        invalid = [(o.name, o.market, o.tax_id) for o in orgs if not check_tax_id(o.market, o.tax_id).valid]
    assert not invalid, invalid


def test_the_openapi_document_names_invalid_tax_id_where_a_tax_id_is_accepted(live_server: LiveServer) -> None:
    spec = live_server.http().get(f"{live_server.url}/openapi.json", timeout=10).json()
    for path in ("/api/v1/orgs", "/api/v1/orgs/{org_id}/certification", "/api/v1/orders/{order_id}/invoice"):
        assert "INVALID_TAX_ID" in spec["paths"][path]["post"]["responses"]["422"]["description"], path
