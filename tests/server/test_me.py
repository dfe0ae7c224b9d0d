"""The signed-in account, its organisations, certification and licences over real HTTP; isolation between accounts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import requests

from server.models import Licence, Machine, Organisation
from server.services.admin import create_ledger, create_policy, create_product, issue_licences
from tests.support.accounts import auth_headers, make_account, make_org, token_for
from tests.support.live import LiveServer


class Api:
    def __init__(self, live: LiveServer, token: str | None = None) -> None:
        self.live, self.token, self.http = live, token, live.http()

    def _headers(self) -> dict[str, str]:
        return auth_headers(self.token) if self.token else {}

    def get(self, path: str) -> requests.Response:
        return self.http.get(f"{self.live.url}/api/v1{path}", headers=self._headers(), timeout=10)

    def post(self, path: str, body: Any) -> requests.Response:
        return self.http.post(f"{self.live.url}/api/v1{path}", json=body, headers=self._headers(), timeout=10)


def error(r: requests.Response) -> dict[str, Any]:
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    return body["error"]  # type: ignore[no-any-return]


def signed_in(live: LiveServer, login: str, role: str = "customer") -> tuple[int, Api]:
    account_id = make_account(live, login, role=role)
    return account_id, Api(live, token_for(live, account_id))


def set_pending(live: LiveServer, org_id: int, deadline: datetime) -> None:
    """What the first activation does (another area): certification becomes due by a deadline."""
    with live.session() as s:
        org = s.get(Organisation, org_id)
        assert org is not None
        org.certification_status, org.certification_deadline = "pending", deadline


def test_me_shows_the_account_and_its_organisations(live_server: LiveServer) -> None:
    _, api = signed_in(live_server, "13700000001", role="service_accountant")
    r = api.post("/orgs", {"name": " 示例科技有限公司 ", "tax_id": "91310000MA1KCHMLJH"})
    assert r.status_code == 201, r.text
    org = r.json()
    assert org["name"] == "示例科技有限公司" and org["tax_id"] == "91310000MA1KCHMLJH"
    assert org["certification"] == {"status": "none", "deadline": None}
    no_tax = api.post("/orgs", {"name": "个体户"}).json()
    assert no_tax["tax_id"] == ""

    me = api.get("/me").json()
    assert me["account"]["login"] == "13700000001"
    assert me["account"]["role"] == "service_accountant"
    assert me["organisations"] == [org, no_tax]


def test_me_requires_a_valid_token(live_server: LiveServer) -> None:
    assert error(Api(live_server).get("/me"))["code"] == "UNAUTHORIZED"
    assert Api(live_server, "not-a-token").get("/me").status_code == 401
    assert Api(live_server).post("/orgs", {"name": "x"}).status_code == 401


def test_certification_turns_overdue_by_the_server_clock(live_server: LiveServer) -> None:
    account_id, api = signed_in(live_server, "13700000002")
    org_id = make_org(live_server, account_id)
    deadline = live_server.clock.now() + timedelta(days=90)
    set_pending(live_server, org_id, deadline)

    cert = api.get("/me").json()["organisations"][0]["certification"]
    assert cert["status"] == "pending"
    assert datetime.fromisoformat(cert["deadline"]) == deadline

    live_server.clock.advance(timedelta(days=90, seconds=1))
    api.token = token_for(live_server, account_id)  # the first one expired long ago
    assert api.get("/me").json()["organisations"][0]["certification"]["status"] == "overdue"


def test_submitting_certification_certifies_in_the_sandbox(live_server: LiveServer) -> None:
    account_id, api = signed_in(live_server, "13700000003")
    org_id = make_org(live_server, account_id, name="旧名称", tax_id="")
    set_pending(live_server, org_id, live_server.clock.now() - timedelta(days=1))  # already overdue

    r = api.post(
        f"/orgs/{org_id}/certification",
        {"name": "新名称有限公司", "tax_id": "91440300MA5FU4CF58", "contact": "13700000003"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["certification"]["status"] == "certified"
    org = api.get("/me").json()["organisations"][0]
    assert (org["name"], org["tax_id"], org["certification"]["status"]) == (
        "新名称有限公司",
        "91440300MA5FU4CF58",
        "certified",
    )


def test_accounts_see_only_their_own_organisations(live_server: LiveServer) -> None:
    a_id, alice = signed_in(live_server, "13700000004")
    b_id, bob = signed_in(live_server, "13700000005")
    alice_org = make_org(live_server, a_id, name="Alice Co")
    bob_org = make_org(live_server, b_id, name="Bob Co")

    assert [o["id"] for o in alice.get("/me").json()["organisations"]] == [alice_org]
    assert [o["id"] for o in bob.get("/me").json()["organisations"]] == [bob_org]
    assert alice.get(f"/orgs/{alice_org}/licences").json() == {"licences": []}

    for r in (
        alice.get(f"/orgs/{bob_org}/licences"),
        alice.post(f"/orgs/{bob_org}/certification", {"name": "Mine now", "tax_id": "1", "contact": "x@y.z"}),
        alice.get("/orgs/999999/licences"),
    ):
        assert r.status_code == 404
        assert error(r)["code"] == "NOT_FOUND"
    assert bob.get("/me").json()["organisations"][0]["name"] == "Bob Co"  # untouched


def _bound_licence(live: LiveServer, account_id: int, org_id: int) -> tuple[int, str]:
    """A 3-seat cloud licence bound to the organisation with one live and one deactivated machine."""
    now = live.clock.now()
    with live.session() as s:
        product = create_product(s, code="KJH-CLOUD", name="e会计 云盘版", version="5.0")
        policy = create_policy(s, product=product, code="cloud-3", name="云盘版 3 台", edition="cloud", max_machines=3)
        issued = issue_licences(s, policy=policy, count=1, now=now)[0]
        licence = s.get(Licence, issued.licence_id)
        assert licence is not None
        licence.status, licence.account_id, licence.organisation_id = "active", account_id, org_id
        licence.expires_at, licence.ledgers_purchased, licence.activated_at = now + timedelta(days=30), 4, now
        for name, gone in (("FRONT-DESK", None), ("OLD-PC", now)):
            s.add(
                Machine(
                    licence_id=licence.id,
                    fingerprint=name.lower(),
                    name=name,
                    activated_at=now,
                    last_seen_at=now,
                    deactivated_at=gone,
                )
            )
        org = s.get(Organisation, org_id)
        assert org is not None
        for code, archived in (("001", False), ("002", False), ("003", True)):
            ledger = create_ledger(s, organisation=org, code=code, name=f"账套{code}", now=now, years={2025: 3})
            ledger.archived_at = now if archived else None
        return issued.licence_id, issued.serial


def test_org_licences_lists_the_bound_licences(live_server: LiveServer) -> None:
    account_id, api = signed_in(live_server, "13700000006")
    org_id = make_org(live_server, account_id)
    other_org = make_org(live_server, account_id, name="空组织")
    licence_id, serial = _bound_licence(live_server, account_id, org_id)

    r = api.get(f"/orgs/{org_id}/licences")
    assert r.status_code == 200, r.text
    (summary,) = r.json()["licences"]
    assert summary["id"] == licence_id
    assert summary["serial_masked"] != serial and summary["serial_masked"].endswith(serial[-4:])
    assert "****" in summary["serial_masked"]
    assert summary["product"] == {"code": "KJH-CLOUD", "name": "e会计 云盘版", "version": "5.0"}
    assert summary["edition"] == "cloud" and summary["status"] == "active"
    assert summary["seats"] == {"used": 1, "max": 3}
    assert summary["ledgers"] == {"purchased": 4, "in_use": 2}
    assert datetime.fromisoformat(summary["expires_at"]) > live_server.clock.now()
    assert api.get(f"/orgs/{other_org}/licences").json() == {"licences": []}

    live_server.clock.advance(timedelta(days=31))
    api.token = token_for(live_server, account_id)
    assert api.get(f"/orgs/{org_id}/licences").json()["licences"][0]["status"] == "expired"


def test_bad_organisation_requests_answer_4xx_in_the_error_shape(live_server: LiveServer) -> None:
    account_id, api = signed_in(live_server, "13700000007")
    org_id = make_org(live_server, account_id)
    for body in (
        {"name": ""},
        {"name": "   "},
        {"name": "n" * 201},
        {"name": "ok", "tax_id": "9" * 41},
        {"name": 42},
        {"tax_id": "1"},
        ["name"],
    ):
        r = api.post("/orgs", body)
        assert r.status_code == 422, (body, r.text)
        assert error(r)["code"] == "VALIDATION_ERROR"
    for body in (
        {"name": "ok", "tax_id": "", "contact": "13700000007"},
        {"name": "ok", "tax_id": "1", "contact": "c" * 121},
        {"name": "ok", "tax_id": "1"},
    ):
        r = api.post(f"/orgs/{org_id}/certification", body)
        assert r.status_code == 422, (body, r.text)
        assert error(r)["code"] == "VALIDATION_ERROR"
    for path in ("/orgs/abc/licences", "/orgs/99999999999999999999/licences", "/orgs/0/licences", "/orgs/-1/licences"):
        r = api.get(path)
        assert r.status_code == 422, (path, r.text)
        assert error(r)["code"] == "VALIDATION_ERROR"
    r = api.http.post(
        f"{live_server.url}/api/v1/orgs",
        data=b'{"name": "x"',
        headers={**auth_headers(api.token or ""), "Content-Type": "application/json"},
        timeout=10,
    )
    assert r.status_code == 400
    assert error(r)["code"] == "MALFORMED_JSON"
