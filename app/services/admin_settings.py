"""Settings an administrator presets or enforces for every user of a computer.

Windows admins deploy settings as policy values (Group Policy writes them under ``Software\\Policies``) and
installers as machine presets, so the panel reads, for the server URL, proxy, CA bundle and language:

- enforced: ``HKLM\\Software\\Policies\\LicencePanel``, then ``HKCU\\Software\\Policies\\LicencePanel`` (the
  machine wins); the user cannot change these in the settings dialog;
- presets: ``HKLM\\Software\\LicencePanel``, then ``HKCU\\Software\\LicencePanel`` (what the installer's
  ``/SERVER= /PROXY= /LANG=`` parameters write); used until the user chooses otherwise.

Elsewhere the same values come from ``policy.json`` and ``defaults.json`` in ``/etc/licence-panel`` (or the
folder named by ``LICENCE_PANEL_CONFIG_DIR``), with the setting names as keys.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

REGISTRY_VALUES = {
    "ServerUrl": "server_url",
    "ProxyMode": "proxy_mode",
    "ProxyUrl": "proxy_url",
    "CaBundle": "ca_bundle",
    "Language": "language",
}
ADMIN_FIELDS = frozenset(REGISTRY_VALUES.values())
POLICY_KEY = r"Software\Policies\LicencePanel"
PRESET_KEY = r"Software\LicencePanel"
CONFIG_DIR = Path("/etc/licence-panel")
MAX_FILE_BYTES = 64 * 1024


@dataclass(frozen=True)
class AdminSettings:
    """``enforced`` wins over the user's settings; ``presets`` only fill what the user has not set."""

    enforced: Mapping[str, str] = field(default_factory=dict)
    presets: Mapping[str, str] = field(default_factory=dict)


def read_admin_settings() -> AdminSettings:
    """What the administrator set on this computer; empty when nothing is set or it cannot be read."""
    if sys.platform == "win32":
        return AdminSettings(enforced=_from_registry(POLICY_KEY), presets=_from_registry(PRESET_KEY))
    folder = Path(os.environ.get("LICENCE_PANEL_CONFIG_DIR") or CONFIG_DIR)
    return AdminSettings(enforced=_from_file(folder / "policy.json"), presets=_from_file(folder / "defaults.json"))


def _from_registry(subkey: str) -> dict[str, str]:
    if sys.platform != "win32":  # also tells type checkers that winreg exists below
        return {}
    import winreg

    values: dict[str, str] = {}
    # HKCU first, then HKLM over it: the machine's word is the administrator's.
    for hive in (winreg.HKEY_CURRENT_USER, winreg.HKEY_LOCAL_MACHINE):
        try:
            with winreg.OpenKey(hive, subkey) as key:
                values.update(_registry_strings(winreg, key))
        except OSError:  # no such key: nothing set there
            continue
    return values


def _registry_strings(winreg: Any, key: Any) -> Iterator[tuple[str, str]]:
    for value_name, setting in REGISTRY_VALUES.items():
        try:
            value, kind = winreg.QueryValueEx(key, value_name)
        except OSError:
            continue
        if kind in (winreg.REG_SZ, winreg.REG_EXPAND_SZ) and isinstance(value, str) and value.strip():
            yield setting, value.strip()


def _from_file(path: Path) -> dict[str, str]:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError:  # missing (the usual case) or unreadable: no administrator settings
        return {}
    try:
        data = json.loads(raw.decode("utf-8")) if len(raw) <= MAX_FILE_BYTES else None
    except (UnicodeDecodeError, ValueError):
        data = None
    if not isinstance(data, dict):
        log.warning("%s is not a JSON object of settings; ignored", path)
        return {}
    return {k: v.strip() for k, v in data.items() if k in ADMIN_FIELDS and isinstance(v, str) and v.strip()}
