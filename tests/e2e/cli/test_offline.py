"""`python -m app offline request|upload|import` as real processes: air-gapped activation through files only.

Machine A's server URL is a dead loopback port; machine B is another data dir talking to the live server.
Only files travel between them, as on a USB stick. The file rules themselves are tested in-process in
tests/e2e/test_air_gapped.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from licence_protocol.envelope import public_key_from_b64

from app.services.paths import AppPaths
from app.services.trust import DemoTrust
from tests.support.accounts import DEFAULT_PASSWORD, make_account, make_org
from tests.support.http_stubs import dead_url
from tests.support.licensing import issue_licence
from tests.support.live import LiveServer
from tests.support.processes import UTF8_TEXT

REPO = Path(__file__).resolve().parents[3]
LOGIN = "13500000001"
NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}


def trust_live_key(live: LiveServer, data_dir: Path) -> None:
    """What `--demo` runs trust: the test server's signing key, kept in the data dir."""
    active = live.ctx.keys.active()
    [public] = [k for k in live.ctx.keys.public_keys() if k["kid"] == active.kid]
    DemoTrust(AppPaths.from_data_dir(data_dir)).save(active.kid, public_key_from_b64(public["public_key"]))


def run_app(data_dir: Path, server: str, *argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "app", "--data-dir", str(data_dir), "--server", server, "--demo", *argv]
    env = {**os.environ, **NO_KEYRING, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    return subprocess.run(command, cwd=REPO, input=stdin, capture_output=True, timeout=120, env=env, **UTF8_TEXT)


def test_an_offline_machine_is_activated_through_files_only(sqlite_server: LiveServer, tmp_path: Path) -> None:
    account_id = make_account(sqlite_server, LOGIN)
    make_org(sqlite_server, account_id)
    key = issue_licence(sqlite_server)
    a, b = tmp_path / "machine-a", tmp_path / "machine-b"
    trust_live_key(sqlite_server, a)
    request, response = tmp_path / "usb" / "request.json", tmp_path / "usb" / "response.json"
    offline = dead_url()

    make_request = ("offline", "request", "--serial", key.serial, "--cdkey", key.cdkey, "--out", str(request))
    wrote = run_app(a, offline, *make_request)
    assert wrote.returncode == 0, wrote.stderr[-2000:]
    assert key.cdkey not in request.read_text("utf-8") and key.cdkey not in wrote.stdout + wrote.stderr
    assert "/offline" in wrote.stdout  # tells the user where to take the file

    upload = ("offline", "upload", str(request), "--out", str(response), "--login", LOGIN)
    uploaded = run_app(b, sqlite_server.url, *upload, stdin=DEFAULT_PASSWORD + "\n")
    assert uploaded.returncode == 0, uploaded.stderr[-2000:]
    assert DEFAULT_PASSWORD not in uploaded.stdout + uploaded.stderr

    imported = run_app(a, offline, "offline", "import", str(response))
    assert imported.returncode == 0, imported.stderr[-2000:]
    status = run_app(a, offline, "status", "--json")
    assert status.returncode == 0, status.stderr[-2000:]
    report = json.loads(status.stdout)
    assert report["state"]["code"] == "ACTIVE"
    # The offline machine's cache holds nothing secret either.
    assert key.cdkey not in "".join(p.read_text("utf-8", "replace") for p in a.rglob("*.json"))

    # The response is spent: importing it again (or on a machine that asked nothing) is refused.
    again = run_app(a, offline, "offline", "import", str(response))
    assert again.returncode == 1 and "OFFLINE_NO_PENDING_REQUEST" in again.stderr


def test_upload_with_several_organisations_names_them(sqlite_server: LiveServer, tmp_path: Path) -> None:
    account_id = make_account(sqlite_server, LOGIN)
    make_org(sqlite_server, account_id)
    second = make_org(sqlite_server, account_id, name="第二家公司", tax_id="91310000MA1K000002")
    key = issue_licence(sqlite_server)
    a, b = tmp_path / "machine-a", tmp_path / "machine-b"
    request, response = tmp_path / "request.json", tmp_path / "response.json"
    run_app(a, dead_url(), "offline", "request", "--serial", key.serial, "--cdkey", key.cdkey, "--out", str(request))
    upload = ("offline", "upload", str(request), "--out", str(response), "--login", LOGIN)

    ambiguous = run_app(b, sqlite_server.url, *upload, stdin=DEFAULT_PASSWORD + "\n")
    assert ambiguous.returncode == 1 and "ORG_REQUIRED" in ambiguous.stderr
    assert f"--org {second}" in ambiguous.stderr and not response.exists()

    chosen = run_app(b, sqlite_server.url, *upload, "--org", str(second), stdin=DEFAULT_PASSWORD + "\n")
    assert chosen.returncode == 0, chosen.stderr[-2000:]
    assert json.loads(response.read_text("utf-8"))["action"] == "activate"


def test_a_response_whose_document_does_not_verify_exits_3_and_saves_nothing(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    account_id = make_account(sqlite_server, LOGIN)
    make_org(sqlite_server, account_id)
    key = issue_licence(sqlite_server)
    a, b = tmp_path / "machine-a", tmp_path / "machine-b"  # A trusts no key: the server's signature is unknown
    request, response = tmp_path / "request.json", tmp_path / "response.json"
    offline = dead_url()
    run_app(a, offline, "offline", "request", "--serial", key.serial, "--cdkey", key.cdkey, "--out", str(request))
    upload = ("offline", "upload", str(request), "--out", str(response), "--login", LOGIN)
    assert run_app(b, sqlite_server.url, *upload, stdin=DEFAULT_PASSWORD + "\n").returncode == 0

    refused = run_app(a, offline, "offline", "import", str(response))
    assert refused.returncode == 3 and "[INVALID_DOCUMENT]" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (a / "licence.json").exists()


def test_upload_without_the_server_or_to_an_unwritable_place_exits_3(sqlite_server: LiveServer, tmp_path: Path) -> None:
    account_id = make_account(sqlite_server, LOGIN)
    make_org(sqlite_server, account_id)
    key = issue_licence(sqlite_server)
    a, b = tmp_path / "machine-a", tmp_path / "machine-b"
    request = tmp_path / "request.json"
    run_app(a, dead_url(), "offline", "request", "--serial", key.serial, "--cdkey", key.cdkey, "--out", str(request))
    upload = ("offline", "upload", str(request), "--login", LOGIN)

    unreachable = run_app(b, dead_url(), *upload, "--out", str(tmp_path / "r.json"), stdin=DEFAULT_PASSWORD + "\n")
    assert unreachable.returncode == 3 and "cannot be reached" in unreachable.stderr

    blocked = tmp_path / "a-file"  # a file where a directory should be: nothing can be written below it
    blocked.write_text("", "utf-8")
    out = blocked / "response.json"
    unwritable = run_app(b, sqlite_server.url, *upload, "--out", str(out), stdin=DEFAULT_PASSWORD + "\n")
    assert unwritable.returncode == 3 and f"cannot write {out}" in unwritable.stderr
    assert "Traceback" not in unwritable.stderr
