"""The on-disk licence cache (licence.json) and the clock watermark, both written atomically.

licence.json holds ``{"format": 1, "envelope": {...}, "last_online_check": iso|null,
"clock_watermark": iso|null}``. The envelope is kept exactly as the server signed it; it is verified
on every read by the caller, so this module only cares about getting bytes safely to and from disk.

The clock watermark ("latest time seen") is stored twice, in its own file and inside licence.json,
and the later of the two counts: deleting either file alone does not reset it. It only ever moves
forward, except through ``ClockWatermark.reset`` after a signed online answer (the server's clock is
the authority, which also heals a watermark pushed into the future by a mis-set clock). Judging a
rollback (and tolerating small corrections) is the domain's job: app/domain/evaluate.py.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from licence_protocol.dates import parse_iso

from app.services.paths import AppPaths, write_atomically

log = logging.getLogger(__name__)

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
    with open(path, "rb") as handle:
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


class ClockWatermark:
    """The latest time this client has seen, to detect a system clock set back."""

    def __init__(self, paths: AppPaths, cache: LicenceCache | None = None) -> None:
        self.paths = paths
        self.cache = cache or LicenceCache(paths)

    def latest(self) -> datetime | None:
        """The later of the two stored copies (None when neither exists or both are unreadable)."""
        candidates = [self._file_value(), self.cache.load().clock_watermark]
        known = [c for c in candidates if c is not None]
        return max(known) if known else None

    def observe(self, *moments: datetime | None) -> datetime | None:
        """Record ``max(moments)`` (e.g. now, the document's server_time) if it is later than what is stored.

        Best effort: an unwritable data dir is logged, not raised, so a read-only `status` still answers.
        Returns the watermark in force afterwards.
        """
        seen = [m for m in moments if m is not None]
        stored = self.latest()
        if not seen:
            return stored
        candidate = max(seen)
        if stored is not None and candidate <= stored + WATERMARK_GRANULARITY:
            return max(stored, candidate)
        self._store(candidate)
        return candidate

    def reset(self, trusted: datetime) -> None:
        """Set both copies to a signed server time, even backwards (after a successful online check)."""
        self._store(trusted)

    def _store(self, moment: datetime) -> None:
        try:
            write_atomically(self.paths.watermark_file, json.dumps({"latest_seen": to_iso(moment)}).encode("ascii"))
            self.cache.set_embedded_watermark(moment)
        except OSError as exc:
            log.warning("could not record the clock watermark: %s", exc.strerror or type(exc).__name__)

    def _file_value(self) -> datetime | None:
        data, problem, _ = _read_json_file(self.paths.watermark_file)
        if problem is not None or not isinstance(data, dict):
            return None
        return parse_iso(data.get("latest_seen"))
