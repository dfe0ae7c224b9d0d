"""`python -m app --lang fa status`: dates in the Solar Hijri calendar with Persian digits; `--json` stays ISO 8601."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.services.fingerprint import SystemFingerprint
from app.services.paths import AppPaths
from tests.support.documents import Signer, payload, write_cache

EXPIRES = "2027-03-21T08:00:00Z"  # Nowruz: 1 Farvardin 1406


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    signer = Signer()
    components = SystemFingerprint(AppPaths.from_data_dir(tmp_path)).components()
    paths = write_cache(
        tmp_path, signer.sign(payload(components, expires_at=EXPIRES)), last_online_check=datetime.now(UTC)
    )
    signer.trust_in(paths)
    return tmp_path


def cli(data_dir: Path, *argv: str, probe: bool = False) -> str:
    """Run the command line as an IT script does: a new process, in UTC; ``probe`` adds the heavy modules loaded."""
    code = (
        "import sys\n"
        "from app.cli import main\n"
        f"exit_code = main(['--data-dir', {str(data_dir)!r}, '--demo', *{list(argv)!r}])\n"
        "sys.stdout.flush()\n"
        + (
            "heavy = ('babel', 'jdatetime', 'jalali_core')\n"
            "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
            if probe
            else ""
        )
    )
    env = {**os.environ, "TZ": "UTC", "PYTHONIOENCODING": "utf-8"}
    # UTF-8 both ways: Windows Python would otherwise decode the child's output with the ANSI code page.
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, encoding="utf-8", check=True, env=env)
    return run.stdout


def test_persian_status_shows_the_expiry_in_the_solar_hijri_calendar_with_persian_digits(data_dir: Path) -> None:
    out = cli(data_dir, "--lang", "fa", "status")
    expiry = next(line for line in out.splitlines() if line.startswith("انقضا:"))
    assert "۱۴۰۶/۰۱/۰۱" in expiry and "2027" not in expiry
    assert "روز مانده" in expiry and not any(ch.isascii() and ch.isdigit() for ch in expiry)
    seats = next(line for line in out.splitlines() if line.startswith("رایانه‌ها:"))
    assert "۱" in seats and "۳" in seats and not any(ch.isascii() and ch.isdigit() for ch in seats)
    assert "ACTIVE  فعال شده" in out and "Activated" not in out  # the state in Persian, not Chinese and English


def test_other_languages_write_the_expiry_their_way(data_dir: Path) -> None:
    assert "2027年3月21日" in cli(data_dir, "--lang", "zh_CN", "status")
    assert "21/03/2027" in cli(data_dir, "--lang", "vi", "status")
    assert "21 Mar 2027" in cli(data_dir, "--lang", "en", "status")


def test_json_stays_iso_8601_in_every_language_and_loads_no_formatting_library(data_dir: Path) -> None:
    reports = {}
    for lang in ("fa", "en"):
        out, loaded = cli(data_dir, "--lang", lang, "status", "--json", probe=True).rsplit("LOADED ", 1)
        assert loaded.strip() == "[]", lang  # neither Babel nor the Jalali calendar: status --json runs at logon
        reports[lang] = json.loads(out)
    fa, en = reports["fa"]["licence"], reports["en"]["licence"]
    assert fa["expires_at"] == EXPIRES and fa["days_to_expiry"] == en["days_to_expiry"]
    assert {k: v for k, v in fa.items() if k != "days_to_expiry"} == {
        k: v for k, v in en.items() if k != "days_to_expiry"
    }


def test_check_loads_no_formatting_library(data_dir: Path) -> None:
    out = cli(data_dir, "--lang", "fa", "check", "--module", "vouchers", "--ledger", "2", "--year", "2025", probe=True)
    assert out.rsplit("LOADED ", 1)[1].strip() == "[]"
