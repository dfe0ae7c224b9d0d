"""`python -m app status`: the offline check IT staff script — states, exit codes, text, and JSON against its schema."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from app.cli import main
from app.resources import resource_path
from app.services.cache import ClockWatermark, LicenceCache
from app.services.fingerprint import FixedFingerprint, SystemFingerprint
from app.services.local_status import read_local_status, status_as_json
from app.services.paths import AppPaths
from tests.support.documents import Signer, machine_components, payload, tamper_payload, write_cache

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
THIS_PC = machine_components(1)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(resource_path("status.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture
def signer() -> Signer:
    return Signer()


def offline_status(data_dir: Path, signer: Signer, *, components: dict[str, str] = THIS_PC, now: datetime = NOW):
    paths = AppPaths.from_data_dir(data_dir)
    return read_local_status(
        paths, now=now, components=FixedFingerprint(components).components(), trusted=signer.trusted
    )


# --- every state the offline check can reach, each validated against the schema ---------------------

CopyFrom = Callable[[Signer], dict[str, Any]]


def _doc(signer: Signer, **overrides: Any) -> dict[str, Any]:
    return signer.sign(payload(THIS_PC, NOW, **overrides))


def _iso(delta: timedelta) -> str:
    return (NOW + delta).isoformat()


SCENARIOS: dict[str, tuple[CopyFrom | None, str, int]] = {
    "missing": (None, "NOT_ACTIVATED", 1),
    "active": (lambda s: _doc(s), "ACTIVE", 0),
    "perpetual": (lambda s: _doc(s, expires_at=None), "ACTIVE", 0),
    "expiring": (lambda s: _doc(s, expires_at=_iso(timedelta(days=10))), "EXPIRING_SOON", 0),
    "expired": (lambda s: _doc(s, expires_at=_iso(-timedelta(days=1))), "EXPIRED", 2),
    "lease": (lambda s: _doc(s, lease_expires_at=_iso(-timedelta(hours=1))), "LEASE_EXPIRED", 2),
    "tampered": (lambda s: tamper_payload(_doc(s)), "ILLEGAL_COPY", 2),
    "unknown-key": (lambda s: Signer(kid="other").sign(payload(THIS_PC, NOW)), "PANEL_UPDATE_REQUIRED", 2),
    "other-pc": (lambda s: s.sign(payload(machine_components(2), NOW)), "ILLEGAL_COPY", 2),
    "suspended": (lambda s: _doc(s, status="suspended"), "SUSPENDED", 2),
    "ledgers": (lambda s: _doc(s, ledgers={"purchased": 4, "in_use": 5}), "LEDGER_LIMIT_EXCEEDED", 2),
    "cert-pending": (
        lambda s: _doc(s, certification={"status": "pending", "deadline": _iso(timedelta(days=20))}),
        "CERTIFICATION_PENDING",
        0,
    ),
    "cert-overdue": (
        lambda s: _doc(s, certification={"status": "pending", "deadline": _iso(-timedelta(days=2))}),
        "CERTIFICATION_OVERDUE",
        2,
    ),
    "newer-format": (lambda s: _doc(s, format=2), "UNKNOWN_BLOCKED", 2),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_each_offline_state_has_its_exit_code_and_valid_json(
    name: str, tmp_path: Path, signer: Signer, validator: jsonschema.Draft202012Validator
) -> None:
    make, code, exit_code = SCENARIOS[name]
    if make is not None:
        write_cache(tmp_path, make(signer), last_online_check=NOW - timedelta(hours=1))
    status = offline_status(tmp_path, signer)
    assert status.state is not None and status.state.code == code
    assert status.exit_code == exit_code
    document = status_as_json(status)
    validator.validate(document)
    assert document["state"]["code"] == code and document["exit_code"] == exit_code


def test_one_changed_byte_in_the_cached_payload_reads_illegal_copy(tmp_path: Path, signer: Signer) -> None:
    write_cache(tmp_path, tamper_payload(_doc(signer)))
    status = offline_status(tmp_path, signer)
    assert status.state is not None and status.state.label_zh == "非法复制品"
    assert status.document is None, "an unverified document's content is never shown as fact"
    assert "signature" in (status.verification_error or "")


def test_a_cache_copied_to_another_pc_reads_per_the_tolerance_rule(tmp_path: Path, signer: Signer) -> None:
    write_cache(tmp_path, _doc(signer))
    elsewhere = offline_status(tmp_path, signer, components=machine_components(2))
    assert elsewhere.state is not None and elsewhere.state.code == "ILLEGAL_COPY"
    assert elsewhere.machine_match == "different"

    new_board = {**THIS_PC, "machine_id": machine_components(2)["machine_id"], "mac": machine_components(2)["mac"]}
    changed = offline_status(tmp_path, signer, components=new_board)
    assert changed.state is not None and changed.state.code == "FINGERPRINT_CHANGED"
    assert changed.machine_match == "changed" and "machine_id" in changed.changed_components

    new_nic = {**THIS_PC, "mac": machine_components(2)["mac"]}
    same = offline_status(tmp_path, signer, components=new_nic)
    assert same.state is not None and same.state.code == "ACTIVE"


def test_a_clock_set_back_before_the_watermark_reads_clock_tampered(tmp_path: Path, signer: Signer) -> None:
    paths = write_cache(tmp_path, _doc(signer))
    assert offline_status(tmp_path, signer, now=NOW + timedelta(days=10)).state.code == "ACTIVE"  # type: ignore[union-attr]
    assert ClockWatermark(paths).latest() == NOW + timedelta(days=10)

    back = offline_status(tmp_path, signer, now=NOW + timedelta(days=3))
    assert back.state is not None and back.state.code == "CLOCK_TAMPERED" and back.exit_code == 2
    small = offline_status(tmp_path, signer, now=NOW + timedelta(days=10) - timedelta(hours=2))
    assert small.state is not None and small.state.code == "ACTIVE", "an NTP-sized correction is tolerated"


def test_deleting_the_watermark_file_does_not_hide_a_clock_rollback(tmp_path: Path, signer: Signer) -> None:
    paths = write_cache(tmp_path, _doc(signer))
    offline_status(tmp_path, signer, now=NOW + timedelta(days=10))
    paths.watermark_file.unlink()
    back = offline_status(tmp_path, signer, now=NOW + timedelta(days=3))
    assert back.state is not None and back.state.code == "CLOCK_TAMPERED"


# --- through the command line (in-process `main`) ----------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def this_machine(data_dir: Path) -> dict[str, str]:
    return SystemFingerprint(AppPaths.from_data_dir(data_dir)).components()


def test_status_json_for_a_valid_licence_on_this_machine(
    tmp_path: Path, signer: Signer, capsys: pytest.CaptureFixture[str], validator: jsonschema.Draft202012Validator
) -> None:
    now = datetime.now(UTC)
    paths = write_cache(tmp_path, signer.sign(payload(this_machine(tmp_path), now)), last_online_check=now)
    signer.trust_in(paths)
    code, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "--demo", "status", "--json")
    report = json.loads(out)
    validator.validate(report)
    assert code == 0 and report["exit_code"] == 0 and report["usable"] is True
    assert report["state"]["code"] == "ACTIVE" and report["state"]["label_zh"] == "已激活"
    licence = report["licence"]
    assert licence["serial_masked"] == "KJH-****-****-7F3A"
    assert licence["organisation"]["name"] == "武汉示例会计服务有限公司"
    assert licence["seats"] == {"used": 1, "max": 3}
    assert licence["lease_days_left"] in (29, 30) and licence["days_to_expiry"] in (364, 365)
    assert licence["addons"][0]["name"] == "云之家"
    assert report["this_machine"]["feature_code"] == licence["machine"]["feature_code"]
    assert report["this_machine"]["match"] == "same"


def test_without_demo_the_demo_key_is_not_trusted(
    tmp_path: Path, signer: Signer, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_cache(tmp_path, signer.sign(payload(this_machine(tmp_path))))
    signer.trust_in(paths)
    code, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "status", "--json")
    report = json.loads(out)
    # An unknown signing key reads as "update the panel", its own code for IT scripts; still blocked (exit 2).
    assert (code, report["state"]["code"]) == (2, "PANEL_UPDATE_REQUIRED")
    assert "unknown key" in report["document"]["error"]


def test_status_text_shows_labels_and_the_fields_a_person_needs(
    tmp_path: Path, signer: Signer, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_cache(tmp_path, signer.sign(payload(this_machine(tmp_path))), last_online_check=datetime.now(UTC))
    signer.trust_in(paths)
    code, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "--demo", "--lang", "en", "status")
    assert code == 0
    for expected in (
        "ACTIVE",
        "已激活",
        "Activated",
        "e会计 云盘版 5.0",
        "武汉示例会计服务有限公司",
        "138****0001",
        "KJH-****-****-7F3A",
        "1 of 3 used",
        "云之家",
        SystemFingerprint(paths).feature_code(),
    ):
        assert expected in out, expected


def test_missing_cache_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "status", "--json")
    report = json.loads(out)
    assert code == 1 and report["state"]["code"] == "NOT_ACTIVATED" and report["cache"]["problem"] == "missing"
    assert not (tmp_path / "licence.json").exists()


@pytest.mark.parametrize("content", [b"", b'{"format": 1, "envelope": {"v": 1, "payl', b"\x00\xff\x10 binary"])
def test_unreadable_cache_exits_3_with_the_reason(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    validator: jsonschema.Draft202012Validator,
    content: bytes,
) -> None:
    (tmp_path / "licence.json").write_bytes(content)
    code, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "status", "--json")
    report = json.loads(out)
    validator.validate(report)
    assert code == 3 and report["exit_code"] == 3 and report["state"] is None
    assert report["cache"]["problem"] == "corrupt" and report["cache"]["reason"]

    code, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "status")
    assert code == 3 and "cannot be read" in out


def test_clock_set_back_through_the_cli(tmp_path: Path, signer: Signer, capsys: pytest.CaptureFixture[str]) -> None:
    paths = write_cache(tmp_path, signer.sign(payload(this_machine(tmp_path))))
    signer.trust_in(paths)
    ClockWatermark(paths).observe(datetime.now(UTC) + timedelta(days=3))  # a later time was seen before
    code, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "--demo", "status", "--json")
    assert (code, json.loads(out)["state"]["code"]) == (2, "CLOCK_TAMPERED")


def test_status_leaves_the_cached_document_untouched(
    tmp_path: Path, signer: Signer, capsys: pytest.CaptureFixture[str]
) -> None:
    envelope = signer.sign(payload(this_machine(tmp_path)))
    paths = write_cache(tmp_path, envelope)
    run_cli(capsys, "--data-dir", str(tmp_path), "status")
    assert LicenceCache(paths).load().envelope == envelope


def test_fingerprint_command_prints_the_feature_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "fingerprint")
    assert code == 0
    assert out.strip() == SystemFingerprint(AppPaths.from_data_dir(tmp_path)).feature_code()


def test_help_documents_every_command_and_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0
    for word in ("status", "fingerprint", "activate", "offline request", "offline import", "--data-dir", "--demo"):
        assert word in out, word
    for line in ("0  usable", "1  not activated", "2  blocked", "3  the licence cache could not be read"):
        assert line in out


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "de", "status"]) == 2
    assert main(["activate", "--serial", "X"]) == 2  # --cdkey missing
    capsys.readouterr()


def test_status_loads_only_the_parser_and_its_own_module(tmp_path: Path) -> None:
    """The other commands' modules, the error mapping and shutil (argparse's, with bz2 and lzma) stay unloaded."""
    code = (
        "import sys\n"
        "from app.cli import main\n"
        f"exit_code = main(['--data-dir', {str(tmp_path)!r}, 'status', '--json'])\n"
        "print(exit_code, ','.join(sorted(m for m in sys.modules if m.startswith('app.cli') or m == 'shutil')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    exit_code, loaded = out.strip().splitlines()[-1].split(" ")
    assert exit_code == "1"  # nothing cached: not activated
    assert loaded.split(",") == ["app.cli", "app.cli.output", "app.cli.parser", "app.cli.status"]
