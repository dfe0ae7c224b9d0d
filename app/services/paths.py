"""Every on-disk location of the client, from one place; directories are made on first write only."""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

APP_NAME = "licence-panel"
TEMP_SUFFIX = ".tmp"  # write_atomically's temp files: ".<target name>.<random>.tmp" next to the target
# A temp file older than this belongs to a writer that was killed: an atomic write of a few KiB takes milliseconds.
STALE_TEMP_SECONDS = 60.0


@dataclass(frozen=True)
class AppPaths:
    """The client's data and log directories and the files inside them.

    Nothing is created here: ``from_data_dir`` only computes paths, so importing or building
    an ``AppPaths`` (e.g. for the read-only ``status`` command) never touches the disk.
    """

    data_dir: Path
    log_dir: Path

    @classmethod
    def from_data_dir(cls, data_dir: Path | str | None = None) -> AppPaths:
        """Paths under ``data_dir`` (tests, ``--data-dir``) or the platformdirs user directories."""
        if data_dir is not None:
            root = Path(data_dir).expanduser().resolve()
            return cls(data_dir=root, log_dir=root / "logs")
        import platformdirs  # only when no override is given: keeps `--data-dir … status` lean

        return cls(
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        )

    @property
    def licence_file(self) -> Path:
        return self.data_dir / "licence.json"

    @property
    def watermark_file(self) -> Path:
        return self.data_dir / "clock-watermark.json"

    @property
    def settings_file(self) -> Path:
        return self.data_dir / "settings.json"

    @property
    def install_id_file(self) -> Path:
        """Random id used as the fingerprint of last resort (see services/fingerprint.py)."""
        return self.data_dir / "install-id.json"

    @property
    def voucher_journal_file(self) -> Path:
        """Vouchers posted while the server could not be reached (app/services/voucher_journal.py)."""
        return self.data_dir / "voucher-journal.jsonl"

    @property
    def demo_key_file(self) -> Path:
        return self.data_dir / "demo-trusted-key.json"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "licence-panel.log"

    def ensure_data_dir(self) -> Path:
        make_private_dir(self.data_dir)
        return self.data_dir

    def ensure_log_dir(self) -> Path:
        make_private_dir(self.log_dir)
        return self.log_dir

    def remove_stale_temp_files(self) -> int:
        """At start-up: delete what killed writers left in the data dir (see ``write_atomically``)."""
        return remove_stale_temp_files(self.data_dir)


def make_private_dir(path: Path) -> None:
    """Create ``path`` owner-only (0700), and every missing directory above it too.

    The licence cache, settings and log are nobody else's business on a shared PC. ``mkdir -p`` would make
    the directories on the way 0755 (the data dir is one of them when the log is written first); an existing
    directory keeps the mode it has.
    """
    if path.is_dir():
        return
    if path.parent != path:
        make_private_dir(path.parent)
    path.mkdir(mode=0o700, exist_ok=True)


def create_private_file(path: Path) -> None:
    """Make sure ``path`` exists and only its owner may read it (a file an earlier version made 0644 is tightened)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    if os.name == "posix":
        with contextlib.suppress(OSError):  # not ours to change (another owner): leave it, the open still works
            os.chmod(path, 0o600)


def remove_stale_temp_files(directory: Path, *, prefix: str = ".", older_than: float = STALE_TEMP_SECONDS) -> int:
    """Delete ``<prefix>*.tmp`` files that a killed writer left in ``directory``; answers how many went.

    Only files older than ``older_than`` seconds: a younger one may belong to a writer still running in another
    process (the panel and a ``status`` run at the same time), whose rename must not lose its source.
    """
    import time

    removed = 0
    deadline = time.time() - older_than
    try:
        entries = list(os.scandir(directory))
    except OSError:  # no directory yet, or not readable: nothing to clean
        return 0
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX)):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < deadline:
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue
    return removed


def write_atomically(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, never a mix.

    A temp file in the same directory (same file system, so the rename is atomic), flushed and
    fsynced before ``os.replace``; the directory is fsynced afterwards where the OS allows it, so
    the rename itself survives a power cut.
    """
    import tempfile  # lazily: read-only commands (`status`) never pay for it

    make_private_dir(path.parent)
    remove_stale_temp_files(path.parent, prefix=f".{path.name}.")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    fsync_dir(path.parent)


def _replace(source: str, target: Path) -> None:
    """``os.replace``; on Windows retried briefly, since a reader holding the file open blocks it there."""
    attempts = 5 if os.name == "nt" else 1
    for attempt in range(attempts):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if attempt == attempts - 1:
                raise
            import time

            time.sleep(0.05 * (attempt + 1))


def fsync_dir(directory: Path) -> None:
    """Make a new or renamed directory entry survive a power cut (POSIX; a no-op elsewhere)."""
    if os.name != "posix":  # Windows cannot open a directory for fsync; ReplaceFile is durable enough there
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def open_for_reading(path: Path) -> BinaryIO:
    """Open ``path`` to read while letting a writer replace it meanwhile.

    Windows refuses to rename over a file that another process holds open unless that process allowed it
    (FILE_SHARE_DELETE, which Python's ``open`` never asks for): the panel saving a fresh licence while a
    logon script's ``status`` reads the old one would fail. Elsewhere a plain open already allows it.
    """
    if sys.platform != "win32":  # (also tells type checkers that the Windows-only names below exist)
        return path.open("rb")
    import ctypes
    import msvcrt
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    create_file = kernel32.CreateFileW
    create_file.argtypes = [
        wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD, wintypes.LPVOID, wintypes.DWORD, wintypes.DWORD,
        wintypes.HANDLE,
    ]  # fmt: skip
    create_file.restype = wintypes.HANDLE
    generic_read, share_all, open_existing, normal = 0x80000000, 0x1 | 0x2 | 0x4, 3, 0x80
    handle = create_file(str(path), generic_read, share_all, None, open_existing, normal, None)
    if handle is None or handle == wintypes.HANDLE(-1).value:
        error = ctypes.WinError(ctypes.get_last_error())  # an OSError subclass: FileNotFoundError for code 2
        error.filename = str(path)
        raise error
    fd = msvcrt.open_osfhandle(handle, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    return os.fdopen(fd, "rb")
