"""Where the client keeps its files, and its settings file (defaults on damage, never a secret)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from app.services.paths import AppPaths, write_atomically
from app.services.settings import DEFAULT_SERVER_URL, ClientSettings, load_settings, save_settings


def test_data_dir_override_puts_every_file_under_it(tmp_path: Path) -> None:
    paths = AppPaths.from_data_dir(tmp_path / "d")
    files = [paths.licence_file, paths.watermark_file, paths.settings_file, paths.demo_key_file, paths.log_file]
    assert all(f.is_relative_to(tmp_path / "d") for f in files)
    assert paths.licence_file.name == "licence.json" and paths.settings_file.name == "settings.json"
    assert not (tmp_path / "d").exists(), "computing paths must not create directories"


def test_default_paths_come_from_platformdirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    paths = AppPaths.from_data_dir(None)
    assert "licence-panel" in paths.data_dir.parts and "licence-panel" in paths.log_dir.parts
    if sys.platform != "win32":  # Windows asks the shell for %LOCALAPPDATA%: no variable points it elsewhere
        assert not paths.data_dir.exists() and not paths.log_dir.exists()


def test_write_atomically_creates_the_directory_on_first_write(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "file.json"
    write_atomically(target, b"{}")
    write_atomically(target, b"[]")
    assert target.read_bytes() == b"[]"
    assert [p.name for p in target.parent.iterdir()] == ["file.json"]


def test_settings_default_when_missing(tmp_path: Path) -> None:
    loaded = load_settings(AppPaths.from_data_dir(tmp_path))
    assert loaded.settings == ClientSettings()
    assert loaded.settings.server_url == DEFAULT_SERVER_URL and loaded.settings.proxy_mode == "system"
    assert loaded.warning is None


def test_settings_round_trip(tmp_path: Path) -> None:
    paths = AppPaths.from_data_dir(tmp_path)
    wanted = ClientSettings(
        server_url="https://licence.example.com",
        proxy_mode="manual",
        proxy_url="http://proxy.corp:3128",
        ca_bundle="/etc/corp-ca.pem",
        language="zh_CN",
        remember_login=False,
        last_login="13800000001",
        demo=True,
    )
    save_settings(paths, wanted)
    assert load_settings(paths).settings == wanted
    assert load_settings(paths).warning is None


@pytest.mark.parametrize("content", [b"", b"{not json", b"\x89PNG\r\n\x1a\n\x00\x00", b"[]", b" " * 70_000])
def test_corrupt_settings_give_defaults_and_a_warning(tmp_path: Path, content: bytes) -> None:
    paths = AppPaths.from_data_dir(tmp_path)
    paths.ensure_data_dir()
    paths.settings_file.write_bytes(content)
    loaded = load_settings(paths)
    assert loaded.settings == ClientSettings()
    assert loaded.warning


def test_bad_values_fall_back_one_by_one(tmp_path: Path) -> None:
    paths = AppPaths.from_data_dir(tmp_path)
    paths.ensure_data_dir()
    paths.settings_file.write_text(
        json.dumps({"server_url": "ftp://x", "proxy_mode": "magic", "language": "en", "future_option": 1})
    )
    loaded = load_settings(paths)
    assert loaded.settings.language == "en"
    assert loaded.settings.server_url == DEFAULT_SERVER_URL and loaded.settings.proxy_mode == "system"
    assert "server_url" in (loaded.warning or "") and "proxy_mode" in (loaded.warning or "")


def test_settings_file_has_no_secret_fields(tmp_path: Path) -> None:
    paths = AppPaths.from_data_dir(tmp_path)
    save_settings(paths, ClientSettings(last_login="alice"))
    keys = set(json.loads(paths.settings_file.read_text()))
    assert not {k for k in keys if any(word in k for word in ("token", "password", "cdkey", "secret"))}
