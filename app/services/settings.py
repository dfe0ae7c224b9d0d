"""Client settings (server URL, proxy, language…) in settings.json. Never a secret in here."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from app.services.admin_settings import AdminSettings, read_admin_settings
from app.services.paths import AppPaths, write_atomically

log = logging.getLogger(__name__)

ProxyMode = Literal["system", "none", "manual"]
PROXY_MODES: tuple[str, ...] = ("system", "none", "manual")
DEFAULT_SERVER_URL = "http://127.0.0.1:8765"
MAX_SETTINGS_BYTES = 64 * 1024


@dataclass(frozen=True)
class ClientSettings:
    server_url: str = DEFAULT_SERVER_URL
    proxy_mode: ProxyMode = "system"
    proxy_url: str | None = None
    ca_bundle: str | None = None  # path of a PEM bundle for TLS-inspecting company proxies
    language: str | None = None  # None: follow the system locale
    remember_login: bool = True
    last_login: str | None = None  # the login name only; its refresh token lives in the keyring
    demo: bool = False
    # Activated by file exchange with nobody signed in (an air-gapped PC): the document's own account
    # counts, so a restart shows the licence rather than 未登录. Cleared by any sign-in or sign-out.
    offline_activated: bool = False
    # A remembered session was open when the panel last ran: until restore_session() has asked the keyring
    # and the server, it counts provisionally, so the first paint shows the cached licence, not 未登录.
    session_remembered: bool = False

    def replace(self, **changes: Any) -> ClientSettings:
        return dataclasses.replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class LoadedSettings:
    settings: ClientSettings
    warning: str | None = None  # shown to the user once: the file was unreadable and defaults were used
    locked: frozenset[str] = frozenset()  # settings the administrator enforces: the user cannot change them


def _valid(name: str, value: Any) -> bool:
    if name == "proxy_mode":
        return value in PROXY_MODES
    if name in ("remember_login", "demo", "offline_activated", "session_remembered"):
        return isinstance(value, bool)
    if name == "server_url":
        return isinstance(value, str) and value.startswith(("http://", "https://"))
    return value is None or isinstance(value, str)  # the optional strings


def settings_from_json(data: Any, admin: AdminSettings | None = None) -> LoadedSettings:
    """Build settings from parsed JSON: unknown keys ignored, each bad value replaced by its default.

    The administrator's presets fill what the file does not set; enforced values win over the file.
    """
    admin = admin or AdminSettings()
    values: dict[str, Any] = _admin_values(admin.presets, "preset")
    bad: list[str] = []
    if isinstance(data, dict):
        for field in dataclasses.fields(ClientSettings):
            if field.name not in data:
                continue
            if _valid(field.name, data[field.name]):
                values[field.name] = data[field.name]
            else:
                bad.append(field.name)
    enforced = _admin_values(admin.enforced, "policy")
    values.update(enforced)
    if not isinstance(data, dict):
        warning: str | None = "settings file is not a JSON object; defaults used"
    else:
        warning = f"invalid settings ignored ({', '.join(bad)}); defaults used for them" if bad else None
    return LoadedSettings(ClientSettings(**values), warning, frozenset(enforced))


def _admin_values(values: Mapping[str, str], source: str) -> dict[str, Any]:
    valid = {name: value for name, value in values.items() if _valid(name, value)}
    for name in sorted(set(values) - set(valid)):
        log.warning("administrator %s for %s is not valid; ignored", source, name)
    return valid


def load_settings(paths: AppPaths, admin: AdminSettings | None = None) -> LoadedSettings:
    """Read settings.json over the administrator's presets, under what the administrator enforces.

    A missing file gives the defaults, a corrupt one the defaults plus a warning. ``admin`` defaults to what is
    set on this computer (the Windows registry's policy keys, or /etc/licence-panel).
    """
    admin = read_admin_settings() if admin is None else admin
    path = paths.settings_file
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_SETTINGS_BYTES + 1)
    except FileNotFoundError:
        return settings_from_json({}, admin)
    except OSError as exc:
        return _defaults_because(f"settings file unreadable ({exc.strerror or type(exc).__name__})", admin)
    if len(raw) > MAX_SETTINGS_BYTES:
        return _defaults_because("settings file is too large", admin)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _defaults_because("settings file is not valid JSON", admin)
    loaded = settings_from_json(data, admin)
    if loaded.warning:
        log.warning("%s: %s", path, loaded.warning)
    return loaded


def _defaults_because(reason: str, admin: AdminSettings) -> LoadedSettings:
    log.warning("%s; defaults used", reason)
    loaded = settings_from_json({}, admin)
    return dataclasses.replace(loaded, warning=f"{reason}; defaults used")


def save_settings(paths: AppPaths, settings: ClientSettings) -> None:
    data = json.dumps(settings.to_json(), ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    write_atomically(paths.settings_file, data)
