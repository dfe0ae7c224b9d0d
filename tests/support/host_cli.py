"""A host program's computer for the command-line tests: this machine activated on the live server, signed in.

The licence is activated through the real HTTP API for this very machine (its real feature code), the document is
in a fresh data dir, and the test server's key is trusted as ``--demo`` trusts the demo server's. With a real
Secret Service (scripts/test.sh: LP_HAVE_SECRET_SERVICE=1) the account's refresh token is in the keyring, as the
panel leaves it after 记住我, and the online commands restore that session; without one they sign in with
``--login`` and the password on stdin instead. Either way the commands run as real ``python -m app`` processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from licence_protocol.envelope import public_key_from_b64

from app.services.cache import LicenceCache
from app.services.credentials import CredentialStore
from app.services.fingerprint import SystemFingerprint
from app.services.http import ApiClient
from app.services.paths import AppPaths
from app.services.settings import ClientSettings, save_settings
from app.services.trust import DemoTrust
from server.models import Entitlement
from server.services.admin import create_policy, create_product, issue_licences
from tests.support.accounts import DEFAULT_PASSWORD, make_account, make_org
from tests.support.live import LiveServer
from tests.support.processes import UTF8_TEXT

REPO = Path(__file__).resolve().parents[2]
# The commands that sign in: they take --login (and the password on stdin) when no keyring holds the session.
ONLINE_COMMANDS = ("vouchers", "refresh", "ledgers", "activate")
LOOPBACK = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


def secret_service_available() -> bool:
    return os.environ.get("LP_HAVE_SECRET_SERVICE") == "1"


@dataclass
class HostMachine:
    live: LiveServer
    data_dir: Path
    login: str
    licence_id: int
    use_keyring: bool
    api: ApiClient  # the account's own session, for what the host does through the API directly

    @property
    def paths(self) -> AppPaths:
        return AppPaths.from_data_dir(self.data_dir)

    def run(self, *argv: str, server: str | None = None, lang: str = "en") -> subprocess.CompletedProcess[str]:
        """``python -m app --data-dir D --server URL --demo --lang L ARGV…`` as a host program runs it."""
        command = [sys.executable, "-m", "app", "--data-dir", str(self.data_dir), "--server", server or self.live.url]
        command += ["--demo", "--lang", lang, *argv]
        stdin = ""
        # Human text as a UTF-8 console shows it: through a pipe on an English Windows (cp1252) Chinese becomes '?'
        # (what tests/e2e/cli/test_status.py checks); here the words themselves are under test.
        env = {**os.environ, **LOOPBACK, "PYTHONIOENCODING": "utf-8"}
        if not self.use_keyring:
            env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
            if argv and argv[0] in ONLINE_COMMANDS:
                command += ["--login", self.login]
                stdin = DEFAULT_PASSWORD + "\n"
        return subprocess.run(command, cwd=REPO, input=stdin, capture_output=True, timeout=120, env=env, **UTF8_TEXT)

    def open_year(self, ledger_id: int, fiscal_year: int) -> dict[str, Any]:
        """进入账套: the host opens a fiscal year of a ledger through the API."""
        return self.api.open_ledger_year(ledger_id, fiscal_year)

    def open_module(self, ledger_id: int, fiscal_year: int, module: str) -> None:
        """A module bought for exactly one ledger-year (what a paid order leaves behind)."""
        with self.live.session() as s:
            s.add(
                Entitlement(
                    licence_id=self.licence_id,
                    ledger_id=ledger_id,
                    fiscal_year=fiscal_year,
                    module=module,
                    source="test",
                    created_at=self.live.clock.now(),
                )
            )

    def close(self) -> None:
        self.api.close()
        if self.use_keyring:
            CredentialStore().delete(self.login)


def host_machine(
    live: LiveServer,
    tmp_path: Path,
    *,
    ledgers: int = 2,
    voucher_quota: int = 10,
    offline_allowance: int = 3,
    edition: str = "cloud",
) -> HostMachine:
    """An account with one organisation and a licence of ``edition`` activated for this machine."""
    login = f"1370000{uuid.uuid4().int % 10_000:04d}"
    account_id = make_account(live, login)
    make_org(live, account_id)
    with live.session() as s:
        product = create_product(s, code=f"KJH-{uuid.uuid4().hex[:6]}", name="e会计 云盘版", version="5.0")
        policy = create_policy(
            s,
            product=product,
            code=f"host-{uuid.uuid4().hex[:6]}",
            name="云盘版",
            edition=edition,
            max_machines=3,
            duration_days=365,
            ledgers_included=ledgers,
            voucher_quota_default=voucher_quota,
            offline_voucher_allowance=offline_allowance,
        )
        key = issue_licences(s, policy=policy, count=1, now=live.clock.now())[0]

    data_dir = tmp_path / "host"
    paths = AppPaths.from_data_dir(data_dir)
    active = live.ctx.keys.active()
    [public] = [k for k in live.ctx.keys.public_keys() if k["kid"] == active.kid]
    DemoTrust(paths).save(active.kid, public_key_from_b64(public["public_key"]))

    api = ApiClient(live.url, proxy_mode="none")
    api.login(login, DEFAULT_PASSWORD)
    org_id = api.me()["organisations"][0]["id"]
    this_pc = SystemFingerprint(paths)
    answer = api.activate(
        key.serial, key.cdkey, org_id, this_pc.feature_code(), this_pc.components(), "HOST-PC", cancel=None
    )
    LicenceCache(paths).save(answer["document"], last_online_check=datetime.now(UTC))

    use_keyring = secret_service_available()
    settings = ClientSettings(server_url=live.url, proxy_mode="none", last_login=login)
    if use_keyring:
        # What the panel leaves after a sign-in with 记住我: the refresh token in the keyring, the login in settings.
        # A session of its own, so the test's `api` keeps working while the commands rotate theirs.
        keyring_session = ApiClient(live.url, proxy_mode="none")
        keyring_session.login(login, DEFAULT_PASSWORD)
        assert keyring_session.refresh_token is not None
        CredentialStore().save_refresh_token(login, keyring_session.refresh_token)
        keyring_session.close()
        settings = settings.replace(remember_login=True, session_remembered=True)
    save_settings(paths, settings)
    return HostMachine(live, data_dir, login, key.licence_id, use_keyring, api)
