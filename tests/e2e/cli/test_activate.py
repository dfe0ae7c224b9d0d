"""`python -m app activate` as an IT roll-out script runs it: a real process against the real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from licence_protocol.envelope import public_key_from_b64
from licence_protocol.fingerprint import feature_code

from app.services.fingerprint import hash_component
from app.services.http import ApiClient
from app.services.paths import AppPaths
from app.services.trust import DemoTrust
from server.services.admin import IssuedKey, create_policy, create_product, issue_licences
from tests.support.accounts import DEFAULT_PASSWORD, make_account, make_org
from tests.support.http_stubs import dead_url
from tests.support.live import LiveServer
from tests.support.processes import UTF8_TEXT

REPO = Path(__file__).resolve().parents[3]
LOGIN = "13600000001"
# Tokens stay in memory in these processes; the real Secret Service has its own tests.
NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}


def licence(live: LiveServer, seats: int = 3) -> IssuedKey:
    with live.session() as s:
        product = create_product(s, code="KJH-STD", name="e会计 标准版", version="5.0")
        policy = create_policy(
            s, product=product, code=f"cli-{seats}", name="标准版", edition="standard", max_machines=seats
        )
        return issue_licences(s, policy=policy, count=1, now=live.clock.now())[0]


def run_app(
    data_dir: Path, live: LiveServer, *argv: str, stdin: str = "", server: str | None = None
) -> subprocess.CompletedProcess[str]:
    # --demo: trust the test server's key, kept in the data dir like the demo server's.
    url = server or live.url
    command = [sys.executable, "-m", "app", "--data-dir", str(data_dir), "--server", url, "--demo", *argv]
    env = {**os.environ, **NO_KEYRING, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    return subprocess.run(command, cwd=REPO, input=stdin, capture_output=True, timeout=120, env=env, **UTF8_TEXT)


@pytest.fixture
def data_dir(sqlite_server: LiveServer, tmp_path: Path) -> Path:
    account_id = make_account(sqlite_server, LOGIN)
    make_org(sqlite_server, account_id)
    data_dir = tmp_path / "client"
    active = sqlite_server.ctx.keys.active()
    [public] = [k for k in sqlite_server.ctx.keys.public_keys() if k["kid"] == active.kid]
    DemoTrust(AppPaths.from_data_dir(data_dir)).save(active.kid, public_key_from_b64(public["public_key"]))
    return data_dir


def test_activate_with_login_and_password_on_stdin(sqlite_server: LiveServer, data_dir: Path) -> None:
    key = licence(sqlite_server)
    result = run_app(
        data_dir,
        sqlite_server,
        "activate",
        "--serial",
        key.serial,
        "--cdkey",
        key.cdkey,
        "--login",
        LOGIN,
        stdin=DEFAULT_PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ACTIVE" in result.stdout
    for secret in (DEFAULT_PASSWORD, key.cdkey):
        assert secret not in result.stdout + result.stderr

    status = run_app(data_dir, sqlite_server, "status", "--json")
    assert status.returncode == 0, status.stderr[-2000:]
    assert json.loads(status.stdout)["state"]["code"] == "ACTIVE"
    cached = (data_dir / "licence.json").read_text("utf-8") + (data_dir / "settings.json").read_text("utf-8")
    assert DEFAULT_PASSWORD not in cached and key.cdkey not in cached


def test_wrong_password_fails_with_exit_1_and_says_why(sqlite_server: LiveServer, data_dir: Path) -> None:
    key = licence(sqlite_server)
    args = ("activate", "--serial", key.serial, "--cdkey", key.cdkey, "--login", LOGIN)
    result = run_app(data_dir, sqlite_server, *args, stdin="Wrong#pass2025\n")
    assert result.returncode == 1
    assert "INVALID_CREDENTIALS" in result.stderr
    assert "Wrong#pass2025" not in result.stdout + result.stderr


def test_full_licence_exits_2_with_too_many_machines(sqlite_server: LiveServer, data_dir: Path) -> None:
    key = licence(sqlite_server, seats=1)
    # Another PC took the only seat.
    other_pc = {name: hash_component(name, f"other-{name}") for name in ("machine_id", "mac")}
    api = ApiClient(sqlite_server.url, proxy_mode="none")
    api.login(LOGIN, DEFAULT_PASSWORD)
    org_id = api.me()["organisations"][0]["id"]
    api.activate(key.serial, key.cdkey, org_id, feature_code(other_pc), other_pc, "OTHER-PC")

    args = ("activate", "--serial", key.serial, "--cdkey", key.cdkey, "--login", LOGIN)
    result = run_app(data_dir, sqlite_server, *args, stdin=DEFAULT_PASSWORD + "\n")
    assert result.returncode == 2
    assert "TOO_MANY_MACHINES" in result.stderr


def test_several_organisations_need_org(sqlite_server: LiveServer, data_dir: Path) -> None:
    with sqlite_server.session() as s:
        from server.models import Account

        account = s.query(Account).filter_by(login=LOGIN).one()
        account_id = account.id
    make_org(sqlite_server, account_id, name="第二家公司", tax_id="91310000MA1K000002")
    key = licence(sqlite_server)
    args = ("activate", "--serial", key.serial, "--cdkey", key.cdkey, "--login", LOGIN)
    result = run_app(data_dir, sqlite_server, *args, stdin=DEFAULT_PASSWORD + "\n")
    assert result.returncode == 1
    assert "--org" in result.stderr


def test_unreachable_server_exits_3_and_changes_nothing(sqlite_server: LiveServer, data_dir: Path) -> None:
    key = licence(sqlite_server)
    args = ("activate", "--serial", key.serial, "--cdkey", key.cdkey, "--login", LOGIN)
    result = run_app(data_dir, sqlite_server, *args, stdin=DEFAULT_PASSWORD + "\n", server=dead_url())
    assert result.returncode == 3, result.stderr[-2000:]
    assert "cannot be reached" in result.stderr and "Traceback" not in result.stderr
    assert not (data_dir / "licence.json").exists()
