"""This machine's fingerprint components, read from stable OS sources and hashed before use.

No subprocesses (WMIC is gone from Windows 11 and child processes misbehave in windowed PyInstaller
builds): the registry, Win32 calls through ctypes, files under /etc and /sys, IOKit through ctypes.
Each raw value is hashed with its component name, so hardware ids never leave the machine.

Sources per OS (component names match app/domain/fingerprint.py's STRONG_COMPONENTS):
- Windows: ``machine_guid`` (HKLM\\SOFTWARE\\Microsoft\\Cryptography MachineGuid, 64-bit view) and
  ``volume_serial`` (serial of the system volume).
- Linux: ``machine_id`` (/etc/machine-id or /var/lib/dbus/machine-id) and ``product_uuid`` (DMI; usually
  readable by root only, then quietly skipped).
- macOS: ``platform_uuid`` (IOPlatformUUID, best effort).
- Everywhere: ``mac``, a real (universal, unicast) network address — a weak extra. On Linux it is read
  from /sys/class/net (physical interfaces only) because ``uuid.getnode()`` may start ``ip``/``ifconfig``
  there; elsewhere ``uuid.getnode()``, whose Windows and macOS getters are library calls.
- Last resort: when none of the strong sources answers (minimal containers), ``install_id``, a random
  id created once and kept in the data dir, so the machine still has a stable identity for as long
  as its data dir lives.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from licence_protocol.fingerprint import STRONG_COMPONENTS, feature_code, sha256_digest

from app.deferred_logging import DeferredLogger
from app.services.paths import AppPaths, write_atomically

log = DeferredLogger(__name__)  # `status` and `check` import logging only if they log

HASH_PREFIX = "licence-panel/v1/"
LINUX_MACHINE_ID_FILES = (Path("/etc/machine-id"), Path("/var/lib/dbus/machine-id"))
LINUX_PRODUCT_UUID_FILE = Path("/sys/class/dmi/id/product_uuid")
LINUX_NET_DIR = Path("/sys/class/net")
# Placeholder UUIDs some firmware reports for every board: worse than nothing as an identity.
_BOGUS_UUIDS = frozenset({"", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"})


def hash_component(name: str, value: str) -> str:
    return sha256_digest(f"{HASH_PREFIX}{name}/{value}".encode()).hex()


class FingerprintSource(Protocol):
    """Where the client gets this machine's components from (injectable for tests)."""

    def components(self) -> dict[str, str]: ...

    def feature_code(self) -> str: ...


class FixedFingerprint:
    """A machine with given (already hashed) components: for tests and for simulating another PC."""

    def __init__(self, components: Mapping[str, str]) -> None:
        self._components = dict(components)

    def components(self) -> dict[str, str]:
        return dict(self._components)

    def feature_code(self) -> str:
        return feature_code(self._components)


class SystemFingerprint:
    """The real machine. Components are read once per instance, so every call agrees."""

    def __init__(self, paths: AppPaths | None = None) -> None:
        self._paths = paths
        self._cached: dict[str, str] | None = None

    def components(self) -> dict[str, str]:
        if self._cached is None:
            self._cached = collect_components(self._paths)
        return dict(self._cached)

    def feature_code(self) -> str:
        return feature_code(self.components())


def collect_components(paths: AppPaths | None = None) -> dict[str, str]:
    """Hashed components of this machine. Never raises; sources that fail are skipped."""
    raw: dict[str, str] = {}
    readers: dict[str, Callable[[], str | None]]
    if sys.platform == "win32":
        readers = {"machine_guid": _windows_machine_guid, "volume_serial": _windows_volume_serial}
    elif sys.platform == "darwin":
        readers = {"platform_uuid": _macos_platform_uuid}
    else:
        readers = {"machine_id": _linux_machine_id, "product_uuid": _linux_product_uuid}
    readers["mac"] = _mac_address
    for name, reader in readers.items():
        try:
            value = reader()
        except Exception as exc:  # a source we cannot read is skipped, never fatal
            log.debug("fingerprint source %s unavailable: %s", name, type(exc).__name__)
            value = None
        if value:
            raw[name] = value
    if not any(name in STRONG_COMPONENTS for name in raw) and paths is not None:
        install_id = _install_id(paths)
        if install_id:
            raw["install_id"] = install_id
    return {name: hash_component(name, value) for name, value in raw.items()}


# --- Linux -------------------------------------------------------------------------------------


def _read_small_text(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return handle.read(256).decode("ascii", "replace").strip()
    except OSError:  # missing, or root-only (DMI): skip quietly
        return None


def _linux_machine_id() -> str | None:
    for path in LINUX_MACHINE_ID_FILES:
        value = (_read_small_text(path) or "").lower()
        # An empty or "uninitialized" file appears in fresh images before first boot.
        if len(value) == 32 and all(c in "0123456789abcdef" for c in value):
            return value
    return None


def _linux_product_uuid() -> str | None:
    value = (_read_small_text(LINUX_PRODUCT_UUID_FILE) or "").lower()
    return None if value in _BOGUS_UUIDS else value


# --- MAC (all systems) -----------------------------------------------------------------------------


def _mac_address() -> str | None:
    if sys.platform.startswith("linux"):
        return _linux_mac_address()
    import uuid

    if sys.platform == "darwin" and getattr(uuid, "_generate_time_safe", None) is None:
        return None  # without libuuid, getnode() would run ifconfig/arp/netstat
    node = uuid.getnode()
    # getnode() invents a random address with the multicast bit set when it finds no real one.
    return None if _is_random_or_local(node) else f"{node:012x}"


def _is_random_or_local(node: int) -> bool:
    """Multicast (getnode()'s invented address) or locally administered (randomised Wi-Fi, containers, VMs)."""
    first_octet = node >> 40
    return node == 0 or bool(first_octet & 0x03)


def _linux_mac_address() -> str | None:
    """The lowest universal address of a physical interface (one with a ``device`` link in sysfs)."""
    candidates = []
    try:
        interfaces = list(LINUX_NET_DIR.iterdir())
    except OSError:
        return None
    for interface in interfaces:
        if not (interface / "device").exists():  # virtual: bridges, veth, docker0, VPN tunnels
            continue
        text = (_read_small_text(interface / "address") or "").replace(":", "").lower()
        try:
            node = int(text, 16)
        except ValueError:
            continue
        if len(text) == 12 and not _is_random_or_local(node):
            candidates.append(text)
    return min(candidates) if candidates else None


# --- Windows ---------------------------------------------------------------------------------------


def _windows_machine_guid() -> str | None:
    if sys.platform != "win32":  # also tells type checkers on other systems to skip the Windows-only API
        return None
    import winreg

    access = winreg.KEY_READ | winreg.KEY_WOW64_64KEY  # the 64-bit view, also from a 32-bit Python
    with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Microsoft\Cryptography", 0, access) as key:
        value, _ = winreg.QueryValueEx(key, "MachineGuid")
    value = str(value).strip().lower()
    return None if value in _BOGUS_UUIDS else value


def _windows_volume_serial() -> str | None:
    if sys.platform != "win32":
        return None
    import ctypes
    from ctypes import wintypes

    drive = os.environ.get("SYSTEMDRIVE", "C:")  # Windows environment names ignore case
    drive = drive.rstrip("\\") + "\\"
    serial = wintypes.DWORD()
    ok = ctypes.windll.kernel32.GetVolumeInformationW(
        ctypes.c_wchar_p(drive), None, 0, ctypes.byref(serial), None, None, None, 0
    )
    if not ok or serial.value == 0:
        return None
    return f"{serial.value:08x}"


# --- macOS -----------------------------------------------------------------------------------------


def _macos_platform_uuid() -> str | None:
    import ctypes
    import ctypes.util

    iokit_path = ctypes.util.find_library("IOKit")
    cf_path = ctypes.util.find_library("CoreFoundation")
    if not iokit_path or not cf_path:
        return None
    iokit, cf = ctypes.CDLL(iokit_path), ctypes.CDLL(cf_path)
    iokit.IOServiceMatching.restype = ctypes.c_void_p
    iokit.IOServiceMatching.argtypes = [ctypes.c_char_p]
    iokit.IOServiceGetMatchingService.restype = ctypes.c_uint32
    iokit.IOServiceGetMatchingService.argtypes = [ctypes.c_uint32, ctypes.c_void_p]
    iokit.IORegistryEntryCreateCFProperty.restype = ctypes.c_void_p
    iokit.IORegistryEntryCreateCFProperty.argtypes = [
        ctypes.c_uint32,
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.c_uint32,
    ]
    iokit.IOObjectRelease.argtypes = [ctypes.c_uint32]
    cf.CFStringCreateWithCString.restype = ctypes.c_void_p
    cf.CFStringCreateWithCString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint32]
    cf.CFStringGetCString.restype = ctypes.c_bool
    cf.CFStringGetCString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_long, ctypes.c_uint32]
    cf.CFRelease.argtypes = [ctypes.c_void_p]
    utf8 = 0x08000100  # kCFStringEncodingUTF8

    service = iokit.IOServiceGetMatchingService(0, iokit.IOServiceMatching(b"IOPlatformExpertDevice"))
    if not service:
        return None
    key = cf.CFStringCreateWithCString(None, b"IOPlatformUUID", utf8)
    try:
        prop = iokit.IORegistryEntryCreateCFProperty(service, key, None, 0)
        if not prop:
            return None
        buffer = ctypes.create_string_buffer(64)
        ok = cf.CFStringGetCString(prop, buffer, len(buffer), utf8)
        cf.CFRelease(prop)
    finally:
        cf.CFRelease(key)
        iokit.IOObjectRelease(service)
    value = buffer.value.decode("ascii", "replace").strip().lower() if ok else ""
    return None if value in _BOGUS_UUIDS else value


# --- last resort ---------------------------------------------------------------------------------


def _install_id(paths: AppPaths) -> str | None:
    """A random id kept in the data dir; created on first need. None if the dir is unwritable."""
    path = paths.install_id_file
    try:
        data = json.loads(path.read_text("utf-8"))
        if isinstance(data, dict) and isinstance(data.get("install_id"), str) and len(data["install_id"]) >= 32:
            return str(data["install_id"])
    except (OSError, ValueError):
        pass
    import secrets

    value = secrets.token_hex(16)
    try:
        write_atomically(path, json.dumps({"install_id": value}).encode("ascii"))
    except OSError:
        log.warning("no stable machine identity available and the data dir is not writable")
        return None
    return value
