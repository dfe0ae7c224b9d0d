"""Accounts and bearer tokens made straight in the database, so suites need not depend on each other."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from server.models import AuthToken
from server.services.admin import create_account, create_organisation
from server.services.auth import hash_token
from tests.support.live import LiveServer

DEFAULT_PASSWORD = "Ledger#2025ok"


def make_account(live: LiveServer, login: str, *, role: str = "customer", password: str = DEFAULT_PASSWORD) -> int:
    with live.session() as s:
        return create_account(s, login=login, password=password, now=live.clock.now(), role=role).id


def make_org(
    live: LiveServer, account_id: int, name: str = "示例科技有限公司", tax_id: str = "91310000MA1K000001"
) -> int:
    from server.models import Account

    with live.session() as s:
        account = s.get(Account, account_id)
        assert account is not None
        return create_organisation(s, account=account, name=name, tax_id=tax_id, now=live.clock.now()).id


def token_for(live: LiveServer, account_id: int, ttl: timedelta = timedelta(hours=1)) -> str:
    token = secrets.token_urlsafe(32)
    now = live.clock.now()
    with live.session() as s:
        s.add(
            AuthToken(
                account_id=account_id,
                kind="access",
                token_hash=hash_token(token),
                family=uuid.uuid4().hex,
                expires_at=now + ttl,
                created_at=now,
            )
        )
    return token


def auth_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
