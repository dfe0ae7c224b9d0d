"""Machine fingerprint sources: hashed, stable, never raising, no subprocess, a fallback for bare containers."""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from licence_protocol.fingerprint import MachineMatch, compare_components, feature_code

from app.services import fingerprint as fp
from app.services.fingerprint import FixedFingerprint, SystemFingerprint, collect_components, hash_component
from app.services.paths import AppPaths

MACHINE_ID = "0123456789abcdef0123456789abcdef"
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux sources")


@pytest.fixture
def no_subprocess(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("fingerprint code must not start processes")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)


@pytest.fixture
def fake_linux(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the Linux readers at files we control (the real ones differ per machine)."""
    root = tmp_path / "root"
    root.mkdir()
    monkeypatch.setattr(fp, "LINUX_MACHINE_ID_FILES", (root / "machine-id", root / "dbus-machine-id"))
    monkeypatch.setattr(fp, "LINUX_PRODUCT_UUID_FILE", root / "product_uuid")
    monkeypatch.setattr(fp, "LINUX_NET_DIR", root / "net")
    add_interface(root, "eth0", "00:1a:2b:3c:4d:5e", physical=True)
    return root


def add_interface(root: Path, name: str, address: str, *, physical: bool) -> None:
    interface = root / "net" / name
    interface.mkdir(parents=True)
    (interface / "address").write_text(address + "\n")
    if physical:
        (interface / "device").mkdir()


def test_hash_is_namespaced_by_component_name() -> None:
    assert hash_component("machine_id", "x") != hash_component("product_uuid", "x")
    assert len(hash_component("machine_id", "x")) == 64


@linux_only
def test_linux_sources_are_hashed_and_raw_ids_never_appear(fake_linux: Path, no_subprocess: None) -> None:
    (fake_linux / "machine-id").write_text(MACHINE_ID + "\n")
    (fake_linux / "product_uuid").write_text("4C4C4544-0031-3510-8052-B4C04F4E4D32\n")
    components = collect_components()
    assert set(components) == {"machine_id", "product_uuid", "mac"}
    assert components["machine_id"] == hash_component("machine_id", MACHINE_ID)
    assert components["product_uuid"] == hash_component("product_uuid", "4c4c4544-0031-3510-8052-b4c04f4e4d32")
    joined = " ".join(components.values())
    assert components["mac"] == hash_component("mac", "001a2b3c4d5e")
    assert MACHINE_ID not in joined and "4c4c4544" not in joined.lower() and "001a2b3c4d5e" not in joined


@linux_only
def test_dbus_machine_id_is_used_when_etc_has_none(fake_linux: Path) -> None:
    (fake_linux / "machine-id").write_text("uninitialized\n")
    (fake_linux / "dbus-machine-id").write_text(MACHINE_ID)
    assert collect_components()["machine_id"] == hash_component("machine_id", MACHINE_ID)


@linux_only
def test_unreadable_or_placeholder_sources_are_skipped_quietly(fake_linux: Path) -> None:
    (fake_linux / "machine-id").write_text(MACHINE_ID)
    (fake_linux / "product_uuid").mkdir()  # reading fails like a root-only file does
    assert "product_uuid" not in collect_components()
    (fake_linux / "product_uuid").rmdir()
    (fake_linux / "product_uuid").write_text("00000000-0000-0000-0000-000000000000")
    assert "product_uuid" not in collect_components()


@linux_only
def test_only_a_physical_universal_mac_counts(fake_linux: Path) -> None:
    add_interface(fake_linux, "docker0", "00:00:5e:00:53:01", physical=False)  # virtual: ignored
    add_interface(fake_linux, "wlan0", "06:1a:2b:3c:4d:5e", physical=True)  # randomised (locally administered)
    assert collect_components()["mac"] == hash_component("mac", "001a2b3c4d5e")
    shutil.rmtree(fake_linux / "net" / "eth0")
    assert "mac" not in collect_components()


def test_random_or_local_addresses_are_recognised() -> None:
    assert fp._is_random_or_local(0x010203040506)  # multicast bit: invented by uuid.getnode()
    assert fp._is_random_or_local(0x0242AC110002)  # a container's locally administered address
    assert not fp._is_random_or_local(0x001A2B3C4D5E)


@linux_only
def test_bare_container_falls_back_to_a_persisted_install_id(fake_linux: Path, tmp_path: Path) -> None:
    paths = AppPaths.from_data_dir(tmp_path / "data")
    first = collect_components(paths)
    assert set(first) == {"mac", "install_id"}  # the MAC alone is too weak to be the identity
    assert collect_components(paths) == first  # same id next time: read back from the data dir
    assert paths.install_id_file.exists()
    other = collect_components(AppPaths.from_data_dir(tmp_path / "other"))
    assert other["install_id"] != first["install_id"]


@linux_only
def test_no_fallback_file_when_a_strong_source_exists(fake_linux: Path, tmp_path: Path) -> None:
    (fake_linux / "machine-id").write_text(MACHINE_ID)
    paths = AppPaths.from_data_dir(tmp_path / "data")
    assert "install_id" not in collect_components(paths)
    assert not paths.data_dir.exists()


def test_a_failing_source_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom() -> str:
        raise OSError("device gone")

    sources = ("_linux_machine_id", "_linux_product_uuid", "_windows_machine_guid", "_windows_volume_serial")
    for name in (*sources, "_macos_platform_uuid"):
        monkeypatch.setattr(fp, name, boom)
    monkeypatch.setattr(fp, "_linux_mac_address", boom)
    monkeypatch.setattr(uuid, "getnode", boom)
    assert collect_components() == {}


def test_this_machine_is_stable_across_calls_and_instances(tmp_path: Path, no_subprocess: None) -> None:
    paths = AppPaths.from_data_dir(tmp_path)
    first, second = SystemFingerprint(paths), SystemFingerprint(paths)
    assert first.components() == first.components() == second.components()
    assert first.components(), "at least one source (or the fallback) must answer"
    assert first.feature_code() == second.feature_code() == feature_code(first.components())
    assert compare_components(first.components(), second.components()).verdict is MachineMatch.SAME


def test_fixed_fingerprint_is_what_tests_inject() -> None:
    source = FixedFingerprint({"machine_id": "a" * 64, "mac": "b" * 64})
    assert source.components() == {"machine_id": "a" * 64, "mac": "b" * 64}
    assert source.feature_code() == feature_code({"machine_id": "a" * 64})
