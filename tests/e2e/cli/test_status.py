"""`python -m app status` as IT staff run it: a real process, a real server's document, no Qt/requests/keyring."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import platformdirs
import pytest
from licence_protocol.envelope import public_key_from_b64

from app.resources import resource_path
from app.services.cache import LicenceCache
from app.services.fingerprint import SystemFingerprint
from app.services.paths import AppPaths
from app.services.trust import DemoTrust
from tests.support.documents import Signer, payload, tamper_payload, write_cache
from tests.support.licensing import customer, issue_licence
from tests.support.live import LiveServer
from tests.support.processes import UTF8_TEXT

REPO = Path(__file__).resolve().parents[3]
# Heavy or online-only packages the offline check must never load.
FORBIDDEN = ("PySide6", "shiboken6", "requests", "urllib3", "keyring", "secretstorage", "jeepney", "sqlalchemy")


def run_app(
    *argv: str, env: dict[str, str] | None = None, importtime: bool = False
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, *(["-X", "importtime"] if importtime else []), "-m", "app", *argv]
    return subprocess.run(
        command, cwd=REPO, capture_output=True, timeout=60, env={**os.environ, **(env or {})}, **UTF8_TEXT
    )


def imported_modules(stderr: str) -> set[str]:
    """Top-level package names from `-X importtime` lines (`import time: self | cumulative | name`)."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


@pytest.fixture
def active_data_dir(tmp_path: Path) -> Path:
    """A data dir holding a valid document for this very machine, signed by a key trusted in --demo runs."""
    data_dir = tmp_path / "client"
    signer = Signer()
    components = SystemFingerprint(AppPaths.from_data_dir(data_dir)).components()
    signer.trust_in(write_cache(data_dir, signer.sign(payload(components))))
    return data_dir


def test_status_process_imports_neither_qt_requests_nor_keyring(active_data_dir: Path) -> None:
    result = run_app("--data-dir", str(active_data_dir), "--demo", "status", "--json", importtime=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout)["state"]["code"] == "ACTIVE"
    modules = imported_modules(result.stderr)
    assert "app" in modules, "the importtime trace was not captured"
    assert not modules & set(FORBIDDEN), sorted(modules & set(FORBIDDEN))
    assert "platformdirs" not in modules, "--data-dir given: no need to ask platformdirs"


def test_status_without_data_dir_uses_the_user_data_dir(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "share"), "XDG_STATE_HOME": str(tmp_path / "state")}
    result = run_app("status", "--json", env=env, importtime=True)
    report = json.loads(result.stdout)
    assert result.returncode == 1 and report["state"]["code"] == "NOT_ACTIVATED"
    if sys.platform == "win32":  # %LOCALAPPDATA%, which platformdirs asks Windows for (no environment variable)
        expected = platformdirs.user_data_dir("licence-panel", appauthor=False)
    else:
        expected = str(tmp_path / "share")
    assert report["cache"]["file"].startswith(expected)
    assert not imported_modules(result.stderr) & set(FORBIDDEN)


def test_exit_codes_of_the_real_process(tmp_path: Path, active_data_dir: Path) -> None:
    assert run_app("--data-dir", str(active_data_dir), "--demo", "status").returncode == 0
    assert run_app("--data-dir", str(tmp_path / "empty"), "status").returncode == 1

    cache = LicenceCache(AppPaths.from_data_dir(active_data_dir))
    envelope = cache.load().envelope
    assert envelope is not None
    cache.save(tamper_payload(envelope), last_online_check=None)
    tampered = run_app("--data-dir", str(active_data_dir), "--demo", "status")
    # The code, not the Chinese label: a cp1252 console (English Windows) prints '?' for 非法复制品.
    assert tampered.returncode == 2 and "ILLEGAL_COPY" in tampered.stdout

    (active_data_dir / "licence.json").write_bytes(b'{"format": 1, "env')
    broken = run_app("--data-dir", str(active_data_dir), "--demo", "status")
    assert broken.returncode == 3 and "cannot be read" in broken.stdout
    assert "Traceback" not in broken.stderr


def test_a_document_activated_on_the_real_server_reads_active(sqlite_server: LiveServer, tmp_path: Path) -> None:
    data_dir = tmp_path / "client"
    paths = AppPaths.from_data_dir(data_dir)
    this_pc = SystemFingerprint(paths)
    key = issue_licence(sqlite_server)
    buyer = customer(sqlite_server, "13800000001")
    answer = buyer.post(
        "/activations",
        {
            "serial": key.serial,
            "cdkey": key.cdkey,
            "org_id": buyer.org_id,
            "fingerprint": this_pc.feature_code(),
            "components": this_pc.components(),
            "machine_name": "IT-ROLLOUT-01",
        },
    )
    assert answer.status_code == 200, answer.text
    LicenceCache(paths).save(answer.json()["document"], last_online_check=None)
    for served in buyer.get("/keys").json()["keys"]:  # what the demo mode trusts
        if served["active"]:
            DemoTrust(paths).save(served["kid"], public_key_from_b64(served["public_key"]))

    result = run_app("--data-dir", str(data_dir), "--demo", "status", "--json")
    report = json.loads(result.stdout)
    schema = json.loads(resource_path("status.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, schema)
    assert result.returncode == 0, report
    assert report["state"]["code"] == "ACTIVE", report["state"]
    assert report["licence"]["machine"]["name"] == "IT-ROLLOUT-01"
    assert report["licence"]["serial_masked"] != key.serial and key.serial[-4:] in report["licence"]["serial_masked"]

    fingerprint = run_app("--data-dir", str(data_dir), "fingerprint")
    assert fingerprint.stdout.strip() == report["licence"]["machine"]["feature_code"]


def run_app_bytes(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "app", *argv], cwd=REPO, capture_output=True, timeout=60, env={**os.environ, **env}
    )


@pytest.mark.parametrize("console", ["cp1252", "gbk", "ascii"])
def test_status_json_is_utf8_and_text_never_crashes_on_any_code_page(active_data_dir: Path, console: str) -> None:
    # An English Windows console redirected to a file encodes in cp1252, a Chinese one in GBK.
    env = {"PYTHONIOENCODING": console, "PYTHONUTF8": "0"}
    as_json = run_app_bytes("--data-dir", str(active_data_dir), "--demo", "status", "--json", env=env)
    assert as_json.returncode == 0, as_json.stderr.decode("utf-8", "replace")
    document = json.loads(as_json.stdout.decode("utf-8"))  # UTF-8 bytes, whatever the console's encoding
    assert document["state"]["label_zh"] == "已激活"
    as_text = run_app_bytes("--data-dir", str(active_data_dir), "--demo", "--lang", "zh_CN", "status", env=env)
    assert as_text.returncode == 0, as_text.stderr.decode("utf-8", "replace")
    assert as_text.stdout.strip()  # printed, with '?' at worst where the code page lacks a character


def test_a_program_that_cannot_start_exits_4_with_one_line(tmp_path: Path) -> None:
    # A broken install: the command-line package fails to import. Scripts must not read that as a licence state.
    broken = tmp_path / "broken"
    (broken / "app" / "cli").mkdir(parents=True)
    (broken / "app" / "__init__.py").write_text("", encoding="utf-8")
    (broken / "app" / "__main__.py").write_text((REPO / "app" / "__main__.py").read_text("utf-8"), "utf-8")
    (broken / "app" / "cli" / "__init__.py").write_text("raise RuntimeError('damaged file')\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "app", "status"], cwd=broken, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 4
    assert result.stderr.strip().count("\n") == 0 and "cannot start" in result.stderr
