"""The offline voucher journal: vouchers this computer posted while the licence server could not be reached.

``<data dir>/voucher-journal.jsonl``, one JSON object per line, only ever appended to (docs/PROTOCOL.md, "The
voucher journal"):

- ``{"type": "consumed", "key", "licence_id", "ledger_id", "fiscal_year", "count", "at"}``: vouchers posted
  offline; written, flushed and fsync'd before ``vouchers consume`` answers, so a voucher the host was told it
  may post is never forgotten, whatever kill -9 or a power cut does afterwards;
- ``{"type": "reported", "key", "ledger_id", "fiscal_year", "outcome", "at"}``: the server has it now
  (``outcome`` ``counted``, ``already_counted`` or ``refused``); entries are marked by appending this line,
  never by rewriting the file.

A line cut short by a crash (no newline at the end, or not JSON) is ignored; the next append first ends it
with a newline so it cannot swallow the new line. One key of one ledger-year is recorded once, whatever
the retries. Writers take a lock file (``voucher-journal.lock``) around read-check-append, so two host
processes posting at once cannot both spend the last voucher of the allowance. ``compact`` rewrites the file
atomically without the entries reported long ago; readers never need the lock.

Qt-free and light (no requests, keyring): ``python -m app check`` reads it.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final, Literal

from licence_protocol.dates import parse_iso

from app.deferred_logging import DeferredLogger
from app.services.paths import AppPaths, fsync_dir, make_private_dir, write_atomically

log = DeferredLogger(__name__)  # `status` and `check` import logging only if they log

LOCK_NAME: Final = "voucher-journal.lock"
# Reported entries are kept this long (and at most this many) so a late retry of the same key is still known.
KEEP_REPORTED_FOR: Final = timedelta(days=90)
KEEP_REPORTED_AT_MOST: Final = 1000
# Past this size, reporting compacts the file (about 1000 entries with their "reported" lines).
COMPACT_ABOVE_BYTES: Final = 512 * 1024
LOCK_TIMEOUT_S: Final = 10.0

ReportOutcome = Literal["counted", "already_counted", "refused"]
_OUTCOMES: frozenset[str] = frozenset({"counted", "already_counted", "refused"})


@dataclass(frozen=True)
class JournalEntry:
    """Vouchers posted offline in one ledger-year under one idempotency key."""

    key: str
    licence_id: int
    ledger_id: int
    fiscal_year: int
    count: int
    at: datetime  # this computer's clock when they were posted
    outcome: ReportOutcome | None = None  # None: not reported yet
    reported_at: datetime | None = None

    @property
    def reported(self) -> bool:
        return self.outcome is not None

    @property
    def identity(self) -> tuple[int, int, str]:
        """What the server keeps unique: the key within one ledger-year."""
        return (self.ledger_id, self.fiscal_year, self.key)


@dataclass(frozen=True)
class Recorded:
    """What ``record`` did: ``recorded`` (a new entry), ``duplicate`` (the key was there) or ``refused``."""

    outcome: Literal["recorded", "duplicate", "refused"]
    offline_used: int  # the ledger-year's unreported offline vouchers afterwards


class JournalLockTimeoutError(OSError):
    """Another process held the journal's lock for longer than LOCK_TIMEOUT_S."""


class VoucherJournal:
    """The journal file of one data dir. Safe across threads and processes (a lock file serialises writers)."""

    def __init__(self, path: Path, lock_path: Path | None = None) -> None:
        self.path = path
        self.lock_path = lock_path or path.with_name(LOCK_NAME)

    @classmethod
    def of(cls, paths: AppPaths) -> VoucherJournal:
        return cls(paths.voucher_journal_file)

    # -- reading (no lock: appends are whole lines, compaction replaces the file atomically) ----------------

    def entries(self) -> list[JournalEntry]:
        """Every entry still in the file, in the order recorded, each with its report outcome (if any)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        return _parse(data)

    def pending(self) -> list[JournalEntry]:
        """The entries the server does not have yet, oldest first."""
        return [entry for entry in self.entries() if not entry.reported]

    def offline_used(self, licence_id: int, ledger_id: int, fiscal_year: int) -> int:
        """Vouchers of that ledger-year posted offline and not reported yet."""
        return _unreported(self.entries(), licence_id, ledger_id, fiscal_year)

    # -- writing ----------------------------------------------------------------------------------------

    def record(self, entry: JournalEntry, *, allowance: int) -> Recorded:
        """Append ``entry`` unless its key is recorded already or it would take the unreported vouchers of its
        ledger-year past ``allowance``. Durable (fsync) before it returns."""
        with self._locked():
            data = self._read_locked()
            entries = _parse(data)
            used = _unreported(entries, entry.licence_id, entry.ledger_id, entry.fiscal_year)
            if any(e.identity == entry.identity for e in entries):
                return Recorded("duplicate", used)
            if used + entry.count > allowance:
                return Recorded("refused", used)
            self._append_locked(data, [_consumed_line(entry)])
            return Recorded("recorded", used + entry.count)

    def mark_reported(self, entry: JournalEntry, outcome: ReportOutcome, now: datetime) -> None:
        """Note that the server has ``entry`` (appends a "reported" line; the file is never rewritten here)."""
        with self._locked():
            line = {
                "type": "reported",
                "key": entry.key,
                "ledger_id": entry.ledger_id,
                "fiscal_year": entry.fiscal_year,
                "outcome": outcome,
                "at": now.isoformat(),
            }
            self._append_locked(self._read_locked(), [line])

    def compact(self, now: datetime) -> int:
        """Rewrite the file without the entries reported before KEEP_REPORTED_FOR (keeping at most
        KEEP_REPORTED_AT_MOST reported ones); unreported entries always stay. Answers how many entries went."""
        with self._locked():
            entries = _parse(self._read_locked())
            reported = [e for e in entries if e.reported]
            cutoff = now - KEEP_REPORTED_FOR
            recent = [e for e in reported if (e.reported_at or e.at) >= cutoff][-KEEP_REPORTED_AT_MOST:]
            kept_reported = {e.identity for e in recent}
            kept = [e for e in entries if not e.reported or e.identity in kept_reported]
            dropped = len(entries) - len(kept)
            lines: list[dict[str, Any]] = []
            for e in kept:
                lines.append(_consumed_line(e))
                if e.outcome is not None:
                    lines.append(
                        {
                            "type": "reported",
                            "key": e.key,
                            "ledger_id": e.ledger_id,
                            "fiscal_year": e.fiscal_year,
                            "outcome": e.outcome,
                            "at": (e.reported_at or e.at).isoformat(),
                        }
                    )
            write_atomically(self.path, b"".join(_encode(line) for line in lines))
            return dropped

    def compact_if_large(self, now: datetime) -> None:
        try:
            large = self.path.stat().st_size > COMPACT_ABOVE_BYTES
        except FileNotFoundError:
            return
        if large:
            self.compact(now)

    # -- internals --------------------------------------------------------------------------------------

    def _read_locked(self) -> bytes:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return b""

    def _append_locked(self, current: bytes, lines: list[dict[str, Any]]) -> None:
        payload = b"".join(_encode(line) for line in lines)
        if current and not current.endswith(b"\n"):
            payload = b"\n" + payload  # end the torn line a crash left, so it cannot swallow this one
        created = not self.path.exists()
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
        fd = os.open(self.path, flags, 0o600)
        try:
            view = memoryview(payload)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            fsync_dir(self.path.parent)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        make_private_dir(self.lock_path.parent)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
        try:
            _lock(fd)
            try:
                yield
            finally:
                _unlock(fd)
        finally:
            os.close(fd)


# -- the file format -------------------------------------------------------------------------------------


def _encode(line: dict[str, Any]) -> bytes:
    return json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def _consumed_line(entry: JournalEntry) -> dict[str, Any]:
    return {
        "type": "consumed",
        "key": entry.key,
        "licence_id": entry.licence_id,
        "ledger_id": entry.ledger_id,
        "fiscal_year": entry.fiscal_year,
        "count": entry.count,
        "at": entry.at.isoformat(),
    }


def _parse(data: bytes) -> list[JournalEntry]:
    """The entries of the file's bytes; the reported lines folded into them. Bad lines are skipped."""
    lines = data.split(b"\n")
    # The last element is b"" after a final newline; otherwise it is a line a crash cut short.
    complete, torn = lines[:-1], lines[-1]
    if torn.strip():
        log.info("voucher journal: ignoring an incomplete last line (%d bytes)", len(torn))
    entries: dict[tuple[int, int, str], JournalEntry] = {}
    skipped = 0
    for raw in complete:
        if not raw.strip():
            continue
        line = _json_object(raw)
        if line is None:
            skipped += 1
            continue
        kind = line.get("type")
        if kind == "consumed":
            entry = _read_consumed(line)
            if entry is None:
                skipped += 1
            elif entry.identity not in entries:  # the first record of a key counts, never a second
                entries[entry.identity] = entry
        elif kind == "reported":
            identity = _identity(line)
            outcome = line.get("outcome")
            found = entries.get(identity) if identity is not None else None
            if found is None or outcome not in _OUTCOMES:
                skipped += 1
                continue
            entries[found.identity] = replace(found, outcome=outcome, reported_at=parse_iso(line.get("at")))
        else:
            skipped += 1
    if skipped:
        log.warning("voucher journal: %d unreadable line(s) ignored", skipped)
    return list(entries.values())


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _identity(line: dict[str, Any]) -> tuple[int, int, str] | None:
    ledger_id, fiscal_year, key = _int(line.get("ledger_id")), _int(line.get("fiscal_year")), line.get("key")
    if ledger_id is None or fiscal_year is None or not isinstance(key, str) or not key:
        return None
    return (ledger_id, fiscal_year, key)


def _read_consumed(line: dict[str, Any]) -> JournalEntry | None:
    identity = _identity(line)
    licence_id, count, at = _int(line.get("licence_id")), _int(line.get("count")), parse_iso(line.get("at"))
    if identity is None or licence_id is None or count is None or count < 1 or at is None:
        return None
    ledger_id, fiscal_year, key = identity
    return JournalEntry(key, licence_id, ledger_id, fiscal_year, count, at)


def _unreported(entries: list[JournalEntry], licence_id: int, ledger_id: int, fiscal_year: int) -> int:
    return sum(
        e.count
        for e in entries
        if not e.reported and e.licence_id == licence_id and e.ledger_id == ledger_id and e.fiscal_year == fiscal_year
    )


# -- the lock file --------------------------------------------------------------


def _lock(fd: int) -> None:
    """Wait for the exclusive lock on ``fd`` (at most LOCK_TIMEOUT_S): another thread or process is writing."""
    deadline = time.monotonic() + LOCK_TIMEOUT_S
    while True:
        try:
            _try_lock(fd)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise JournalLockTimeoutError("the voucher journal is locked by another process") from None
            time.sleep(0.01)


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:  # "Permission denied" / "Resource deadlock avoided": someone else holds it
            raise BlockingIOError(str(exc)) from None

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    # flock, not lockf: its lock belongs to the open file, so two threads of one process exclude each other too.
    def _try_lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
