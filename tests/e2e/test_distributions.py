"""The three distributions install on their own: a server host gets the server without Qt or keyring."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ONLY = ("pyside6", "pyside6-essentials", "shiboken6", "keyring", "requests", "licence-panel")


def _copy_sources(dest: Path) -> tuple[Path, Path]:
    # Built from copies: a wheel build writes build/ and *.egg-info next to the sources it is given.
    ignore = shutil.ignore_patterns("__pycache__", "build", "*.egg-info")
    protocol = shutil.copytree(ROOT / "protocol", dest / "protocol", ignore=ignore)
    server = shutil.copytree(ROOT / "server", dest / "server", ignore=ignore)
    return protocol, server


@pytest.fixture(scope="module")
def server_host(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with exactly `pip install ./protocol ./server`, as README tells a server host."""
    root = tmp_path_factory.mktemp("server-host")
    protocol, server = _copy_sources(root / "src")
    env_dir = root / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(protocol), str(server)],
        check=True,
        timeout=600,
    )
    return python


def test_a_server_host_install_has_no_qt_keyring_or_panel(server_host: Path) -> None:
    listed = subprocess.run(
        [str(server_host), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        check=True,
        capture_output=True,
        text=True,
    )
    names = {entry["name"].lower() for entry in json.loads(listed.stdout)}
    assert {"licence-server", "licence-protocol", "fastapi", "sqlalchemy"} <= names
    assert names.isdisjoint(CLIENT_ONLY), sorted(names & set(CLIENT_ONLY))


def test_the_installed_server_seeds_demo_data_and_builds_its_app(server_host: Path, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    seeded = subprocess.run(
        [
            str(server_host),
            "-m",
            "server",
            "demo-data",
            "--database-url",
            database,
            "--data-dir",
            str(tmp_path),
            "--json",
        ],
        cwd=tmp_path,  # not the checkout: only the installed packages are importable
        capture_output=True,
        encoding="utf-8",  # the server prints JSON as UTF-8 on any code page
        timeout=300,
    )
    assert seeded.returncode == 0, seeded.stderr
    assert json.loads(seeded.stdout)["logins"]
    probe = (
        "import sys, server.app, server.cli\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'app', 'keyring', 'requests'))\n"
        "print(server.__file__); print(loaded)\n"
    )
    imported = subprocess.run(
        [str(server_host), "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True, timeout=120
    )
    where, loaded = imported.stdout.splitlines()
    assert "site-packages" in where
    assert loaded == "[]"
