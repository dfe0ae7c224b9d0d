"""``python -m server run|admin``: vendor operations against a real database, and the server starting for real."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from licence_protocol.envelope import public_key_from_b64
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from server.cli import main
from server.clock import Clock
from server.config import Settings
from server.context import ServerContext
from server.db import make_engine, make_session_factory
from server.embedded import EmbeddedServer
from server.models import Licence
from server.services.keys import hash_cdkey

REPO = Path(__file__).resolve().parents[2]


class Cli:
    """``python -m server`` in-process against one database and data dir."""

    def __init__(self, capsys: pytest.CaptureFixture[str], url: str, data_dir: Path) -> None:
        self.capsys, self.url, self.data_dir = capsys, url, data_dir

    def __call__(self, *argv: str, stdin: str = "") -> tuple[int, str, str]:
        self.capsys.readouterr()
        args = [*argv, "--database-url", self.url, "--data-dir", str(self.data_dir)]
        code = main(args, stdin=io.StringIO(stdin))
        out, err = self.capsys.readouterr()
        return code, out, err

    def ok(self, *argv: str, stdin: str = "") -> str:
        code, out, err = self(*argv, stdin=stdin)
        assert code == 0, err
        return out

    def licence(self, serial: str) -> Licence:
        engine = make_engine(self.url)
        try:
            with make_session_factory(engine)() as s:
                row = s.scalar(select(Licence).options(joinedload(Licence.policy)).where(Licence.serial == serial))
                assert row is not None
                return row
        finally:
            engine.dispose()


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], database_url: str, tmp_path: Path) -> Cli:
    return Cli(capsys, database_url, tmp_path / "data")


@pytest.fixture
def sqlite_cli(capsys: pytest.CaptureFixture[str], sqlite_url: str, tmp_path: Path) -> Cli:
    return Cli(capsys, sqlite_url, tmp_path / "data")


def make_standard_policy(cli: Cli) -> None:
    cli.ok("admin", "product", "create", "--code", "KJH-STD", "--name", "e会计 标准版", "--version", "5.0")
    cli.ok(
        "admin", "policy", "create", "--product", "KJH-STD", "--code", "STD3", "--name", "标准版 3 台",
        "--edition", "standard", "--seats", "3", "--duration-days", "365", "--lease-days", "7",
    )  # fmt: skip


def test_issued_keys_are_stored_only_as_hashes(cli: Cli) -> None:
    make_standard_policy(cli)
    out = cli.ok("admin", "licence", "issue", "--product", "KJH-STD", "--policy", "STD3", "--count", "2", "--json")
    issued = json.loads(out)["licences"]
    assert len(issued) == 2
    for key in issued:
        row = cli.licence(key["serial"])
        assert row.status == "unused" and row.policy.max_machines == 3 and row.policy.lease_days == 7
        assert row.cdkey_hash == hash_cdkey(key["cdkey"]) and key["cdkey"] not in row.cdkey_hash

    text = cli.ok("admin", "licence", "issue", "--product", "KJH-STD", "--policy", "STD3")
    serial, cdkey = text.strip().split("\t")
    assert cli.licence(serial).cdkey_hash == hash_cdkey(cdkey.lower())  # typed in lower case still matches


def test_create_is_idempotent_and_options_go_before_or_after(
    sqlite_cli: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    make_standard_policy(sqlite_cli)
    again = sqlite_cli.ok("admin", "product", "create", "--code", "KJH-STD", "--name", "other name")
    assert "already existed" in again and "e会计 标准版" in again
    capsys.readouterr()
    storage = ["--database-url", sqlite_cli.url, "--data-dir", str(sqlite_cli.data_dir)]
    assert main(["admin", *storage, "product", "list"]) == 0
    assert "STD3  标准版 3 台  standard, 3 seats, 365 days" in capsys.readouterr().out


def test_suspend_and_resume(cli: Cli) -> None:
    make_standard_policy(cli)
    serial = json.loads(cli.ok("admin", "licence", "issue", "--product", "KJH-STD", "--policy", "STD3", "--json"))[
        "licences"
    ][0]["serial"]
    assert "suspended" in cli.ok("admin", "licence", "suspend", "--serial", serial)
    assert cli.licence(serial).status == "suspended"
    cli.ok("admin", "licence", "resume", "--serial", serial)
    assert cli.licence(serial).status == "unused"  # never activated, so back to unused


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["admin", "licence", "issue", "--product", "NOPE", "--policy", "STD3"], "unknown product 'NOPE'"),
        (["admin", "licence", "issue", "--product", "KJH-STD", "--policy", "NOPE"], "unknown policy 'NOPE'"),
        (["admin", "policy", "create", "--product", "NOPE", "--code", "P", "--name", "n", "--edition", "free"], "NOPE"),
        (["admin", "licence", "issue", "--product", "KJH-STD", "--policy", "STD3", "--count", "0"], "at least 1"),
        (["admin", "licence", "issue", "--product", "KJH-STD"], "--policy"),
        (["admin", "policy", "create", "--product", "KJH-STD", "--code", "P", "--name", "n", "--edition", "x"], "x"),
        (["admin", "licence", "suspend", "--serial", "KJH-0000-0000-0000"], "unknown serial"),
        (["admin", "machines", "list", "--serial", "KJH-0000-0000-0000"], "unknown serial"),
        (["admin", "announce", "--title", "t", "--maintenance"], "--ends"),
        (["admin", "announce", "--title", "t", "--ends", "tomorrow"], "ISO 8601"),
        (["bogus"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(sqlite_cli: Cli, argv: list[str], message: str) -> None:
    make_standard_policy(sqlite_cli)
    code, out, err = sqlite_cli(*argv)
    assert code == 2
    assert message in err and err.startswith("error: ")
    assert "Traceback" not in err + out


def test_missing_action_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["admin", "licence"]) == 2
    assert "required: ACTION" in capsys.readouterr().err


def test_machines_list_shows_the_seats_taken(sqlite_cli: Cli) -> None:
    serial = json.loads(sqlite_cli.ok("demo-data", "--json"))["scenarios"]["seats_full"]["serial"]
    listing = json.loads(sqlite_cli.ok("admin", "machines", "list", "--serial", serial, "--json"))
    assert listing["seats"] == {"used": 3, "max": 3}
    assert len({m["fingerprint"] for m in listing["machines"]}) == 3
    assert "3/3 seats" in sqlite_cli.ok("admin", "machines", "list", "--serial", serial)


def test_account_create_reads_the_password_from_stdin(sqlite_cli: Cli) -> None:
    out = sqlite_cli.ok(
        "admin", "account", "create", "--login", "13700000009", "--password-stdin", "--role", "service_accountant",
        stdin="Strong#2025pw\n",
    )  # fmt: skip
    assert "13700000009" in out and "service_accountant" in out and "Strong#2025pw" not in out

    code, _, err = sqlite_cli("admin", "account", "create", "--login", "13700000009", "--password-stdin", stdin="x\n")
    assert code == 2 and "password must have" in err and "x\n" not in err
    code, _, err = sqlite_cli(
        "admin", "account", "create", "--login", "13700000009", "--password-stdin", stdin="Strong#2025pw\n"
    )
    assert code == 2 and "already registered" in err


def test_keys_generate_rotate_export(sqlite_cli: Cli, tmp_path: Path) -> None:
    code, _, err = sqlite_cli("admin", "keys", "list")
    assert code == 2 and "keys generate" in err

    first = sqlite_cli.ok("admin", "keys", "generate").split()[-1]
    assert sqlite_cli.ok("admin", "keys", "generate").split()[-1] == first  # idempotent
    pem = sqlite_cli.data_dir / "keys" / f"{first}.pem"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600

    second = sqlite_cli.ok("admin", "keys", "rotate").split()[1]
    assert second != first
    assert stat.S_IMODE((sqlite_cli.data_dir / "keys" / f"{second}.pem").stat().st_mode) == 0o600
    listing = sqlite_cli.ok("admin", "keys", "list").splitlines()
    assert f"{second}  (active)" in listing and first in listing

    out_dir = tmp_path / "resources-keys"
    sqlite_cli.ok("admin", "keys", "export-public", "--out", str(out_dir))
    exported = {p.stem: p.read_text(encoding="ascii").strip() for p in out_dir.glob("*.pub")}
    assert set(exported) == {first, second}
    for text in exported.values():
        public_key_from_b64(text)  # strict base64url of a raw Ed25519 key

    # A server on that data dir signs with the new key and still publishes the old one.
    settings = Settings(data_dir=sqlite_cli.data_dir, database_url=sqlite_cli.url)
    with EmbeddedServer(ServerContext.create(settings, Clock())) as server:
        http = requests.Session()
        http.trust_env = False
        keys = {k["kid"]: k for k in http.get(f"{server.url}/api/v1/keys", timeout=5).json()["keys"]}
    assert set(keys) == {first, second} and keys[second]["active"] and not keys[first]["active"]
    assert {k: v["public_key"] for k, v in keys.items()} == exported


def test_announcement_is_served(sqlite_cli: Cli) -> None:
    sqlite_cli.ok("admin", "announce", "--title", "系统升级通知", "--body", "周六晚维护")
    settings = Settings(data_dir=sqlite_cli.data_dir, database_url=sqlite_cli.url)
    with EmbeddedServer(ServerContext.create(settings, Clock())) as server:
        http = requests.Session()
        http.trust_env = False
        items = http.get(f"{server.url}/api/v1/announcements", timeout=5).json()["announcements"]
    assert [(a["title"], a["kind"]) for a in items] == [("系统升级通知", "info")]


def test_unreachable_database_is_reported_without_its_password(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql://vendor:s3cret-pw@127.0.0.1:1/licences"
    code = main(["admin", "product", "list", "--database-url", url])
    err = capsys.readouterr().err
    assert code == 1 and "127.0.0.1" in err and "s3cret-pw" not in err and "Traceback" not in err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_health(url: str, proc: subprocess.Popen[Any], deadline_s: float = 60) -> dict[str, Any]:
    http = requests.Session()
    http.trust_env = False
    deadline = time.monotonic() + deadline_s
    while True:
        assert proc.poll() is None, "server exited early"
        try:
            return http.get(url, timeout=2).json()  # type: ignore[no-any-return]
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)  # polling a starting process, not waiting for time to pass


def test_run_upgrades_an_empty_database_and_serves(tmp_path: Path) -> None:
    port = free_port()
    data_dir = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("LP_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "run", "--port", str(port), "--data-dir", str(data_dir)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        health = wait_for_health(f"http://127.0.0.1:{port}/healthz", proc)
        assert health["status"] == "ok"
        assert (data_dir / "licence-server.sqlite3").exists()
        assert (data_dir / "keys" / "ACTIVE").exists()  # a signing key was made on first start
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0].decode("utf-8", "replace")
    # uvicorn shuts down cleanly, then re-raises SIGTERM so the exit status tells what stopped it.
    assert proc.returncode in (0, -signal.SIGTERM), output
    assert "Finished server process" in output


def test_demo_data_survives_a_console_that_cannot_encode_its_text(tmp_path: Path) -> None:
    # An English Windows console redirected to a file encodes in cp1252, which has no arrows or Chinese.
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    command = [sys.executable, "-m", "server", "demo-data", "--database-url", url, "--data-dir", str(tmp_path)]
    text = subprocess.run(command, capture_output=True, env=env, timeout=300)
    assert text.returncode == 0, text.stderr.decode("utf-8", "replace")[-2000:]
    assert b"Demo logins" in text.stdout
    as_json = subprocess.run([*command, "--json"], capture_output=True, env=env, timeout=300)
    assert as_json.returncode == 0 and json.loads(as_json.stdout.decode("utf-8"))["logins"]
