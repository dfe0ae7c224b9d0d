"""The on-disk licence cache (licence.json) and the clock watermark, both written atomically.

licence.json holds ``{"format": 1, "envelope": {...}, "last_online_check": iso|null,
"clock_watermark": iso|null}``. The envelope is kept exactly as the server signed it; it is verified
on every read by the caller, so this module only cares about getting bytes safely to and from disk.
Everything beside the envelope is a local note anyone who can write the file can change: the time of the
last online check that is reported is the signed document's ``issued_at`` (app/services/local_status.py).

The clock watermark ("latest time seen") is stored in its own file, inside licence.json and, where the OS
offers one, outside the data dir (``WatermarkCopy``); the latest copy counts, so deleting some of them does
not reset it. It only ever moves forward, except through ``ClockWatermark.reset`` after a signed online
answer (the server's clock is the authority, which also heals a watermark pushed into the future by a
mis-set clock). Judging a rollback (and tolerating small corrections) is the domain's job:
app/domain/evaluate.py.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol

from licence_protocol.dates import parse_iso

from app.deferred_logging import DeferredLogger
from app.services.paths import AppPaths, open_for_reading, write_atomically

log = DeferredLogger(__name__)  # `status` and `check` import logging only if they log

CACHE_FORMAT = 1
# A real document is a few KiB; anything far larger is not ours and is not read into memory.
MAX_CACHE_BYTES = 1024 * 1024
# Persist a new watermark only when it moved this much: a 24 h rule does not need minute precision,
# and `status` should not rewrite files on every run.
WATERMARK_GRANULARITY = timedelta(minutes=10)

CacheProblem = Literal["missing", "corrupt"]


def to_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class CacheRead:
    envelope: dict[str, Any] | None
    last_online_check: datetime | None = None
    clock_watermark: datetime | None = None
    problem: CacheProblem | None = None
    reason: str | None = None  # human-readable, for logs and `status`

    @property
    def ok(self) -> bool:
        return self.problem is None


def _read_bounded(path: Path) -> bytes:
    """Read at most MAX_CACHE_BYTES + 1 bytes, so a huge file is detected without loading it."""
    with open_for_reading(path) as handle:
        return handle.read(MAX_CACHE_BYTES + 1)


def _read_json_file(path: Path) -> tuple[Any, CacheProblem | None, str | None]:
    try:
        raw = _read_bounded(path)
    except FileNotFoundError:
        return None, "missing", "no licence cache file"
    except IsADirectoryError:
        return None, "corrupt", "the licence cache path is a directory"
    except OSError as exc:
        return None, "corrupt", f"cannot read the licence cache ({exc.strerror or type(exc).__name__})"
    if not raw.strip():
        return None, "corrupt", "the licence cache file is empty"
    if len(raw) > MAX_CACHE_BYTES:
        return None, "corrupt", f"the licence cache file is larger than {MAX_CACHE_BYTES} bytes"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "corrupt", "the licence cache file is not text (binary or damaged)"
    try:
        return json.loads(text), None, None
    except (ValueError, RecursionError):
        return None, "corrupt", "the licence cache file is not valid JSON (truncated or damaged)"


class LicenceCache:
    """licence.json: the last signed document the server gave this machine."""

    def __init__(self, paths: AppPaths) -> None:
        self.paths = paths

    @property
    def path(self) -> Path:
        return self.paths.licence_file

    def load(self) -> CacheRead:
        """Never raises: a missing file or any garbage is reported through ``problem``/``reason``."""
        data, problem, reason = _read_json_file(self.path)
        if problem is not None:
            return CacheRead(None, problem=problem, reason=reason)
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
            return CacheRead(None, problem="corrupt", reason="the licence cache file has an unknown layout")
        envelope = data.get("envelope")
        if not isinstance(envelope, dict):
            return CacheRead(None, problem="corrupt", reason="the licence cache file holds no licence document")
        return CacheRead(
            envelope=envelope,
            last_online_check=parse_iso(data.get("last_online_check")),
            clock_watermark=parse_iso(data.get("clock_watermark")),
        )

    def save(
        self,
        envelope: dict[str, Any],
        *,
        last_online_check: datetime | None,
        clock_watermark: datetime | None = None,
    ) -> None:
        """Replace the cached document. The embedded watermark copy is kept unless one is given."""
        if clock_watermark is None:
            clock_watermark = self._embedded_watermark()
        self._write(envelope, last_online_check, clock_watermark)

    def clear(self) -> None:
        """Forget the document (deactivation, switching account). The watermark file stays."""
        self.path.unlink(missing_ok=True)

    def set_embedded_watermark(self, moment: datetime) -> bool:
        """Rewrite only the watermark copy inside a readable licence.json; False when there is none."""
        current = self.load()
        if current.envelope is None:
            return False
        self._write(current.envelope, current.last_online_check, moment)
        return True

    def _embedded_watermark(self) -> datetime | None:
        return self.load().clock_watermark

    def _write(self, envelope: dict[str, Any], last_check: datetime | None, watermark: datetime | None) -> None:
        record = {
            "format": CACHE_FORMAT,
            "envelope": envelope,
            "last_online_check": to_iso(last_check) if last_check else None,
            "clock_watermark": to_iso(watermark) if watermark else None,
        }
        write_atomically(self.path, json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8"))


class WatermarkCopy(Protocol):
    """One place the clock watermark is kept. Reads and writes never raise: each copy is best effort."""

    @property
    def available(self) -> bool:
        """False when this place cannot hold a value now (no licence cache, no keyring): not a deleted copy."""
        ...

    def read(self) -> datetime | None: ...

    def write(self, moment: datetime) -> None: ...


class _FileCopy:
    """clock-watermark.json in the data dir."""

    available = True

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> datetime | None:
        data, problem, _ = _read_json_file(self.path)
        if problem is not None or not isinstance(data, dict):
            return None
        return parse_iso(data.get("latest_seen"))

    def write(self, moment: datetime) -> None:
        try:
            write_atomically(self.path, json.dumps({"latest_seen": to_iso(moment)}).encode("ascii"))
        except OSError as exc:
            log.warning("could not record the clock watermark: %s", exc.strerror or type(exc).__name__)


class _CacheCopy:
    """The ``clock_watermark`` field of licence.json; there is no such place while no licence is cached."""

    def __init__(self, cache: LicenceCache) -> None:
        self.cache = cache
        self._read: CacheRead | None = None

    @property
    def available(self) -> bool:
        return self._load().envelope is not None

    def read(self) -> datetime | None:
        self._read = None  # each read sees the file as it is now
        return self._load().clock_watermark

    def write(self, moment: datetime) -> None:
        self._read = None
        try:
            self.cache.set_embedded_watermark(moment)
        except OSError as exc:
            log.warning("could not record the clock watermark: %s", exc.strerror or type(exc).__name__)

    def _load(self) -> CacheRead:
        if self._read is None:
            self._read = self.cache.load()
        return self._read


def watermark_key(paths: AppPaths) -> str:
    """The name of this data dir's watermark outside it (registry value, keyring entry).

    One per data dir, so a second installation (or a test) with ``--data-dir`` has a watermark of its own.
    """
    import hashlib  # only for the copies outside the data dir: `status` on Linux never needs it

    digest = hashlib.sha256(str(paths.data_dir).encode("utf-8")).hexdigest()[:16]
    return f"clock-watermark-{digest}"


class RegistryWatermarkCopy:
    """Windows: a value under HKEY_CURRENT_USER\\Software\\LicencePanel\\ClockWatermark, outside the data dir.

    ``winreg`` is a built-in module and cheap to import, so the offline ``status`` reads and refreshes this copy.
    """

    available = True
    KEY = r"Software\LicencePanel\ClockWatermark"  # beside the installer's presets, not among them

    def __init__(self, paths: AppPaths, registry: Any = None) -> None:
        self.name = watermark_key(paths)
        self._registry = registry  # the winreg module; a stand-in in tests

    def read(self) -> datetime | None:
        reg = self._winreg()
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, self.KEY) as key:
                value, _kind = reg.QueryValueEx(key, self.name)
        except OSError:  # no key or no value yet
            return None
        return parse_iso(value) if isinstance(value, str) else None

    def write(self, moment: datetime) -> None:
        reg = self._winreg()
        try:
            with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, self.KEY, 0, reg.KEY_SET_VALUE) as key:
                reg.SetValueEx(key, self.name, 0, reg.REG_SZ, to_iso(moment))
        except OSError as exc:
            log.warning("could not record the clock watermark in the registry: %s", type(exc).__name__)

    def _winreg(self) -> Any:
        if self._registry is None:
            import importlib

            self._registry = importlib.import_module("winreg")
        return self._registry


def os_watermark_copies(paths: AppPaths) -> list[WatermarkCopy]:
    """Copies outside the data dir that need no import beyond the standard library: the registry on Windows.

    The keyring copy (app/services/credentials.py) is added by the panel only: the offline ``status`` imports
    no keyring.
    """
    return [RegistryWatermarkCopy(paths)] if sys.platform == "win32" else []


class ClockWatermark:
    """The latest time this client has seen, to detect a system clock set back.

    Kept in several copies (the watermark file, licence.json, and where the OS offers one a copy outside the
    data dir: the Windows registry, the keyring through the panel); the latest of them counts, and a copy found
    missing or behind is rewritten from the others. Deleting every copy, then setting the clock back, is not
    detected: only the signed document's server time still bounds the clock then (README.md, ``status``).
    """

    def __init__(
        self, paths: AppPaths, cache: LicenceCache | None = None, *, extra_copies: Sequence[WatermarkCopy] = ()
    ) -> None:
        self.paths = paths
        self.cache = cache or LicenceCache(paths)
        self.copies: list[WatermarkCopy] = [
            _FileCopy(paths.watermark_file),
            _CacheCopy(self.cache),
            *os_watermark_copies(paths),
            *extra_copies,
        ]

    def latest(self) -> datetime | None:
        """The latest of the stored copies (None when none exists or all are unreadable)."""
        known = [value for _copy, value in self._read_all() if value is not None]
        return max(known) if known else None

    def observe(self, *moments: datetime | None) -> datetime | None:
        """Record ``max(moments)`` (e.g. now, the document's server_time) if it is later than what is stored.

        Best effort: an unwritable data dir is logged, not raised, so a read-only `status` still answers.
        A copy that went missing (or lags) is rewritten too. Returns the watermark in force afterwards.
        """
        values = self._read_all()
        known = [value for _copy, value in values if value is not None]
        stored = max(known) if known else None
        seen = [m for m in moments if m is not None]
        if not seen:
            return stored
        candidate = max(seen)
        if stored is not None and candidate <= stored + WATERMARK_GRANULARITY:
            if any(copy.available and _lags(value, stored) for copy, value in values):
                self._store(stored)
            return max(stored, candidate)
        self._store(candidate)
        return candidate

    def reset(self, trusted: datetime) -> None:
        """Set every copy to a signed server time, even backwards (after a successful online check)."""
        self._store(trusted)

    def _read_all(self) -> list[tuple[WatermarkCopy, datetime | None]]:
        return [(copy, copy.read()) for copy in self.copies]

    def _store(self, moment: datetime) -> None:
        for copy in self.copies:
            copy.write(moment)


def _lags(value: datetime | None, stored: datetime) -> bool:
    return value is None or value < stored - WATERMARK_GRANULARITY
