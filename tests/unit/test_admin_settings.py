"""Settings an administrator presets or enforces: presets fill gaps, policies win and are locked."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from app.services.admin_settings import AdminSettings, read_admin_settings
from app.services.paths import AppPaths
from app.services.settings import DEFAULT_SERVER_URL, ClientSettings, load_settings, save_settings

POLICY = "https://licence.corp.example"


def test_presets_fill_what_the_user_has_not_set_and_the_user_wins_over_them(tmp_path: Path) -> None:
    paths = AppPaths.from_data_dir(tmp_path)
    admin = AdminSettings(presets={"server_url": POLICY, "language": "vi"})
    fresh = load_settings(paths, admin)
    assert (fresh.settings.server_url, fresh.settings.language, fresh.locked) == (POLICY, "vi", frozenset())

    save_settings(paths, ClientSettings(server_url="https://mine.example", language="fa"))
    chosen = load_settings(paths, admin).settings
    assert (chosen.server_url, chosen.language) == ("https://mine.example", "fa")


def test_enforced_values_win_over_the_users_file_and_are_locked(tmp_path: Path) -> None:
    paths = AppPaths.from_data_dir(tmp_path)
    save_settings(paths, ClientSettings(server_url="https://mine.example", proxy_mode="none"))
    loaded = load_settings(paths, AdminSettings(enforced={"server_url": POLICY, "proxy_mode": "system"}))
    assert loaded.settings.server_url == POLICY
    assert loaded.settings.proxy_mode == "system"
    assert loaded.locked == {"server_url", "proxy_mode"}


def test_a_damaged_settings_file_still_gets_the_administrators_values(tmp_path: Path) -> None:
    paths = AppPaths.from_data_dir(tmp_path)
    paths.settings_file.parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file.write_bytes(b"{not json")
    loaded = load_settings(paths, AdminSettings(enforced={"server_url": POLICY}))
    assert loaded.settings.server_url == POLICY and loaded.locked == {"server_url"}
    assert loaded.warning is not None


def test_invalid_administrator_values_are_ignored_not_applied(tmp_path: Path) -> None:
    admin = AdminSettings(enforced={"server_url": "ftp://nope", "proxy_mode": "sometimes"})
    loaded = load_settings(AppPaths.from_data_dir(tmp_path), admin)
    assert loaded.settings.server_url == DEFAULT_SERVER_URL and loaded.settings.proxy_mode == "system"
    assert loaded.locked == frozenset()


@pytest.mark.skipif(sys.platform == "win32", reason="Windows reads the registry's policy keys instead")
def test_outside_windows_the_config_folder_holds_policy_and_defaults(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "policy.json").write_text(json.dumps({"server_url": POLICY, "unknown": "x"}), encoding="utf-8")
    (tmp_path / "defaults.json").write_text(json.dumps({"language": "zh_CN", "proxy_url": 3}), encoding="utf-8")
    monkeypatch.setenv("LICENCE_PANEL_CONFIG_DIR", str(tmp_path))
    assert read_admin_settings() == AdminSettings(enforced={"server_url": POLICY}, presets={"language": "zh_CN"})
    (tmp_path / "policy.json").write_text("[1, 2]", encoding="utf-8")  # damaged: ignored, nothing enforced
    assert read_admin_settings().enforced == {}


@pytest.mark.skipif(sys.platform != "win32", reason="the policy keys are a Windows registry feature")
def test_on_windows_policy_values_in_the_registry_are_enforced() -> None:
    import winreg

    key_path = r"Software\Policies\LicencePanel"
    with winreg.CreateKey(winreg.HKEY_CURRENT_USER, key_path) as key:
        winreg.SetValueEx(key, "ServerUrl", 0, winreg.REG_SZ, POLICY)
        winreg.SetValueEx(key, "Language", 0, winreg.REG_DWORD, 7)  # the wrong type: ignored
    try:
        assert read_admin_settings().enforced == {"server_url": POLICY}
    finally:
        winreg.DeleteKey(winreg.HKEY_CURRENT_USER, key_path)
