"""What `status` reports as fact is what the signature covers; the clock watermark survives losing its file copies."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.services.cache import ClockWatermark, LicenceCache, RegistryWatermarkCopy, to_iso, watermark_key
from app.services.credentials import CLOCK_SERVICE_NAME, CredentialStore, KeyringWatermarkCopy
from app.services.fingerprint import SystemFingerprint
from app.services.local_status import read_local_status
from app.services.paths import AppPaths
from tests.support.documents import Signer, payload, write_cache
from tests.support.keyring import MemoryKeyring

FORGED_CHECK = "2030-01-01T00:00:00Z"


@pytest.fixture
def signer() -> Signer:
    return Signer()


def this_machine(data_dir: Path) -> dict[str, str]:
    return SystemFingerprint(AppPaths.from_data_dir(data_dir)).components()


def status_json(capsys: pytest.CaptureFixture[str], data_dir: Path) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["--data-dir", str(data_dir), "--demo", "status", "--json"])
    return code, json.loads(capsys.readouterr().out)


def edit_cache(paths: AppPaths, **fields: Any) -> None:
    """What anyone who can write the data dir can do: change licence.json's unsigned fields."""
    record = json.loads(paths.licence_file.read_text("utf-8"))
    record.update(fields)
    paths.licence_file.write_text(json.dumps(record), encoding="utf-8")


def drop_file_copies(paths: AppPaths) -> None:
    """Delete the watermark file and the copy inside licence.json: the two copies in the data dir."""
    paths.watermark_file.unlink()
    edit_cache(paths, clock_watermark=None)
    if sys.platform == "win32":  # the registry copy is status's own there: delete it as well, to defeat status
        import winreg

        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RegistryWatermarkCopy.KEY, 0, winreg.KEY_SET_VALUE) as key:
            winreg.DeleteValue(key, watermark_key(paths))
    assert ClockWatermark(paths).latest() is None  # status alone sees nothing now


# --- the last online check ---------------------------------------------------------------------------


def test_a_forged_last_online_check_in_the_cache_is_not_reported_as_fact(
    tmp_path: Path, signer: Signer, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC)
    paths = write_cache(tmp_path, signer.sign(payload(this_machine(tmp_path), now)), last_online_check=now)
    signer.trust_in(paths)
    edit_cache(paths, last_online_check=FORGED_CHECK)

    code, report = status_json(capsys, tmp_path)

    assert code == 0 and report["document"]["verified"] is True
    assert report["last_online_check"] != FORGED_CHECK
    assert report["last_online_check"] == report["licence"]["issued_at"], "the signed issued_at is the fact"
    capsys.readouterr()
    main(["--data-dir", str(tmp_path), "--demo", "--lang", "en", "status"])
    assert "2030" not in capsys.readouterr().out


def test_without_a_verified_document_there_is_no_last_online_check(
    tmp_path: Path, signer: Signer, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_cache(tmp_path, signer.sign(payload(this_machine(tmp_path))))  # not trusted: no --demo key
    edit_cache(paths, last_online_check=FORGED_CHECK)
    code, report = status_json(capsys, tmp_path)
    assert code == 2 and report["document"]["verified"] is False
    assert report["last_online_check"] is None


# --- a third copy of the clock watermark -------------------------------------------------------------


class FakeCopy:
    """A copy outside the data dir, as the keyring or the registry keeps it."""

    available = True

    def __init__(self) -> None:
        self.value: datetime | None = None

    def read(self) -> datetime | None:
        return self.value

    def write(self, moment: datetime) -> None:
        self.value = moment


def activated(tmp_path: Path, signer: Signer) -> AppPaths:
    now = datetime.now(UTC)
    paths = write_cache(tmp_path, signer.sign(payload(this_machine(tmp_path), now)), last_online_check=now)
    signer.trust_in(paths)
    return paths


def offline_check(paths: AppPaths, signer: Signer, now: datetime, watermark: ClockWatermark | None = None) -> str:
    status = read_local_status(
        paths,
        now=now,
        components=this_machine(paths.data_dir),
        trusted=signer.trusted,
        watermark=watermark,
    )
    assert status.state is not None
    return status.state.code.value


def test_a_clock_set_back_is_still_detected_after_both_file_copies_are_deleted(tmp_path: Path, signer: Signer) -> None:
    paths = activated(tmp_path, signer)
    outside = FakeCopy()
    later = datetime.now(UTC) + timedelta(days=20)  # the machine ran for weeks, offline
    ClockWatermark(paths, extra_copies=[outside]).observe(later)
    assert outside.value == later

    drop_file_copies(paths)
    assert offline_check(paths, signer, datetime.now(UTC)) == "ACTIVE"  # two copies only: defeated (README)

    with_third = ClockWatermark(paths, extra_copies=[outside])
    assert offline_check(paths, signer, datetime.now(UTC), with_third) == "CLOCK_TAMPERED"
    # The copies that were deleted are written back, so the next `status` without the third copy sees them too.
    assert ClockWatermark(paths).latest() == later
    assert offline_check(paths, signer, datetime.now(UTC)) == "CLOCK_TAMPERED"


def test_every_copy_follows_a_signed_reset_backwards(tmp_path: Path) -> None:
    paths = AppPaths.from_data_dir(tmp_path)
    LicenceCache(paths).save({"v": 1}, last_online_check=None)
    outside = FakeCopy()
    mark = ClockWatermark(paths, extra_copies=[outside])
    mark.observe(datetime(2031, 1, 1, tzinfo=UTC))  # a clock once set years ahead
    server_time = datetime(2026, 6, 1, tzinfo=UTC)
    mark.reset(server_time)
    assert outside.value == server_time
    assert ClockWatermark(paths, extra_copies=[outside]).latest() == server_time


def test_a_copy_that_cannot_hold_a_value_is_not_rewritten_on_every_check(tmp_path: Path) -> None:
    paths = AppPaths.from_data_dir(tmp_path)

    class NoKeyring(FakeCopy):
        available = False
        writes = 0

        def write(self, moment: datetime) -> None:
            NoKeyring.writes += 1

    mark = ClockWatermark(paths, extra_copies=[NoKeyring()])
    start = datetime(2026, 6, 1, tzinfo=UTC)
    mark.observe(start)
    before = paths.watermark_file.stat().st_mtime_ns
    for minutes in range(1, 5):  # no licence cached (no cache copy) and no keyring: nothing lags
        mark.observe(start + timedelta(minutes=minutes))
    assert NoKeyring.writes == 1
    assert paths.watermark_file.stat().st_mtime_ns == before


# --- the keyring copy (the panel) ---------------------------------------------------------------------


def test_the_keyring_copy_is_kept_per_data_dir_outside_the_token_service(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    paths = AppPaths.from_data_dir(tmp_path / "a")
    copy = KeyringWatermarkCopy(CredentialStore(backend=backend), paths)
    moment = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
    copy.write(moment)
    assert backend.items == {(CLOCK_SERVICE_NAME, watermark_key(paths)): to_iso(moment)}
    assert KeyringWatermarkCopy(CredentialStore(backend=backend), paths).read() == moment  # a later session
    other = AppPaths.from_data_dir(tmp_path / "b")
    assert KeyringWatermarkCopy(CredentialStore(backend=backend), other).read() is None


def test_without_a_keyring_the_copy_is_unavailable_and_harmless() -> None:
    from keyring.backends import fail

    copy = KeyringWatermarkCopy(CredentialStore(backend=fail.Keyring()), AppPaths.from_data_dir("/nonexistent"))
    assert copy.available is False
    copy.write(datetime(2026, 6, 1, tzinfo=UTC))
    assert copy.read() is None


# --- the registry copy (Windows) ----------------------------------------------------------------------


class FakeRegistry:
    """The parts of ``winreg`` the registry copy uses, over a dict."""

    HKEY_CURRENT_USER = "HKCU"
    KEY_SET_VALUE = 2
    REG_SZ = 1

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], Any] = {}
        self.keys: set[str] = set()

    class _Key:
        def __init__(self, path: str) -> None:
            self.path = path

        def __enter__(self) -> FakeRegistry._Key:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

    def OpenKey(self, root: str, sub: str) -> _Key:  # winreg's names
        if f"{root}\\{sub}" not in self.keys:
            raise FileNotFoundError(sub)
        return self._Key(f"{root}\\{sub}")

    def CreateKeyEx(self, root: str, sub: str, reserved: int, access: int) -> _Key:
        self.keys.add(f"{root}\\{sub}")
        return self._Key(f"{root}\\{sub}")

    def QueryValueEx(self, key: _Key, name: str) -> tuple[Any, int]:
        if (key.path, name) not in self.values:
            raise FileNotFoundError(name)
        return self.values[(key.path, name)], self.REG_SZ

    def SetValueEx(self, key: _Key, name: str, reserved: int, kind: int, value: Any) -> None:
        self.values[(key.path, name)] = value


@pytest.fixture
def windows_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRegistry]:
    """`status` as on Windows: the registry copy is one of the copies it reads without importing keyring."""
    fake = FakeRegistry()
    monkeypatch.setattr(
        "app.services.cache.os_watermark_copies", lambda paths: [RegistryWatermarkCopy(paths, registry=fake)]
    )
    yield fake


def test_on_windows_status_itself_detects_the_clock_set_back_through_the_registry_copy(
    tmp_path: Path, signer: Signer, windows_registry: FakeRegistry, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = activated(tmp_path, signer)
    ClockWatermark(paths).observe(datetime.now(UTC) + timedelta(days=20))
    assert list(windows_registry.values) == [(r"HKCU\Software\LicencePanel\ClockWatermark", watermark_key(paths))]

    paths.watermark_file.unlink()
    edit_cache(paths, clock_watermark=None)
    code, report = status_json(capsys, tmp_path)
    assert (code, report["state"]["code"]) == (2, "CLOCK_TAMPERED")


def test_a_registry_without_the_value_reads_nothing(tmp_path: Path) -> None:
    assert RegistryWatermarkCopy(AppPaths.from_data_dir(tmp_path), registry=FakeRegistry()).read() is None


@pytest.mark.skipif(sys.platform != "win32", reason="the real registry exists on Windows only")
def test_the_real_registry_round_trips_a_watermark(tmp_path: Path) -> None:
    import winreg

    paths = AppPaths.from_data_dir(tmp_path)
    copy = RegistryWatermarkCopy(paths)
    moment = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
    copy.write(moment)
    try:
        assert RegistryWatermarkCopy(paths).read() == moment
    finally:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RegistryWatermarkCopy.KEY, 0, winreg.KEY_SET_VALUE) as key:
            winreg.DeleteValue(key, copy.name)
