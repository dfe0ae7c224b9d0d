"""A signed-in panel with an activated licence whose organisation has ledgers A and B, fiscal years 2024 and 2025."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from app.services.licence_service import LicenceService
from server.models import Licence, Machine, Organisation
from server.services import admin
from tests.support.accounts import DEFAULT_PASSWORD, make_account, make_org
from tests.support.live import LiveServer

_counter = iter(range(1, 10_000))


@dataclass
class Buyer:
    live: LiveServer
    service: LicenceService
    login: str
    licence_id: int
    org_id: int
    ledger_a: int
    ledger_b: int

    def press_pay(self, pay_url: str, method: str = "wechat") -> requests.Response:
        """What the payer's phone or browser does on the sandbox pay page: press the pay button."""
        with self.live.http() as http:
            page = http.get(pay_url, timeout=10)
            assert page.status_code == 200 and "微信支付" in page.text, page.text[:200]
            return http.post(pay_url, data={"method": method}, timeout=15)

    def set_licence(self, **fields: Any) -> None:
        with self.live.session() as s:
            licence = s.get(Licence, self.licence_id)
            assert licence is not None
            for name, value in fields.items():
                setattr(licence, name, value)

    def add_machines(self, count: int) -> None:
        now = self.live.clock.now()
        with self.live.session() as s:
            for m in range(count):
                s.add(
                    Machine(
                        licence_id=self.licence_id,
                        fingerprint=f"other-{self.licence_id}-{m}",
                        name=f"OTHER-{m}",
                        activated_at=now,
                        last_seen_at=now,
                    )
                )


def make_buyer(live: LiveServer, service: LicenceService, *, edition: str = "standard", max_machines: int = 3) -> Buyer:
    """Sign in and activate for real (the server's activation endpoint), so the panel holds a signed document."""
    n = next(_counter)
    login = f"1390000{n:04d}"
    account_id = make_account(live, login)
    org_id = make_org(live, account_id, name=f"上海示例商贸{n}有限公司", tax_id=f"91310000MA1P{n:06d}")
    now = live.clock.now()
    with live.session() as s:
        org = s.get(Organisation, org_id)
        assert org is not None
        org.certification_status = "certified"  # 已激活, not 企业认证未完成
        product = admin.create_product(s, code=f"KJH-G{n}", name="e会计", version="5.0")
        policy = admin.create_policy(
            s,
            product=product,
            code=f"{edition}{n}",
            name=edition,
            edition=edition,
            max_machines=max_machines,
            duration_days=365,
            ledgers_included=5,
        )
        key = admin.issue_licences(s, policy=policy, count=1, now=now)[0]
        years = {2024: 30, 2025: 12}
        ledger_a = admin.create_ledger(s, organisation=org, code="A", name="总公司账套", now=now, years=years).id
        ledger_b = admin.create_ledger(s, organisation=org, code="B", name="分公司账套", now=now, years=years).id
    service.sign_in(login, DEFAULT_PASSWORD, remember=False)
    status = service.activate(key.serial, key.cdkey, org_id)
    assert status.state is not None and status.state.code.value == "ACTIVE", status.state
    return Buyer(live, service, login, key.licence_id, org_id, ledger_a, ledger_b)
