"""Products, policies, licences and simulated machines for the activation suites (made in the database)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests
from licence_protocol.fingerprint import feature_code

from server.services.admin import IssuedKey, create_policy, create_product, issue_licences
from tests.support.accounts import auth_headers, make_account, make_org, token_for
from tests.support.live import LiveServer

# Tests move the server clock by months; the test's access token should outlive that.
LONG_TOKEN = timedelta(days=800)


def issue_licence(
    live: LiveServer,
    *,
    product_code: str = "KJH-CLOUD",
    product_name: str = "e会计 云盘版",
    policy_code: str = "cloud3",
    policy_name: str = "云盘版 3 台",
    edition: str = "cloud",
    max_machines: int = 3,
    **policy: Any,
) -> IssuedKey:
    with live.session() as s:
        product = create_product(s, code=product_code, name=product_name, version="5.0")
        pol = create_policy(
            s, product=product, code=policy_code, name=policy_name, edition=edition, max_machines=max_machines, **policy
        )
        return issue_licences(s, policy=pol, count=1, now=live.clock.now())[0]


def _h(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def machine(n: int, **replace: str) -> dict[str, Any]:
    """Request fields describing simulated machine ``n``; ``replace`` swaps component values (hardware change)."""
    components = {
        "machine_id": _h(f"mid-{n}"),
        "product_uuid": _h(f"uuid-{n}"),
        "mac": _h(f"mac-{n}"),
        "disk": _h(f"disk-{n}"),
    }
    components.update({k: _h(v) for k, v in replace.items()})
    return {"fingerprint": feature_code(components), "components": components, "machine_name": f"PC-{n}"}


@dataclass
class Customer:
    """A signed-in account with one organisation, talking to the live server over HTTP."""

    live: LiveServer
    account_id: int
    org_id: int
    headers: dict[str, str]
    http: requests.Session

    def post(
        self, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> requests.Response:
        url = f"{self.live.url}/api/v1{path}"
        return self.http.post(url, json=body or {}, headers={**self.headers, **(headers or {})}, timeout=30)

    def get(self, path: str) -> requests.Response:
        return self.http.get(f"{self.live.url}/api/v1{path}", headers=self.headers, timeout=30)

    def delete(self, path: str) -> requests.Response:
        return self.http.delete(f"{self.live.url}/api/v1{path}", headers=self.headers, timeout=30)

    def activate(self, key: IssuedKey, n: int, **extra: Any) -> requests.Response:
        body = {"serial": key.serial, "cdkey": key.cdkey, "org_id": self.org_id, **machine(n), **extra}
        return self.post("/activations", body)


def customer(live: LiveServer, login: str, org_name: str = "示例科技有限公司") -> Customer:
    account_id = make_account(live, login)
    org_id = make_org(live, account_id, name=org_name)
    return Customer(live, account_id, org_id, auth_headers(token_for(live, account_id, ttl=LONG_TOKEN)), live.http())


def error_code(response: requests.Response) -> str:
    return str(response.json()["error"]["code"])
