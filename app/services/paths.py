"""Every on-disk location of the client, from one place; directories are made on first write only."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "licence-panel"


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
    def demo_key_file(self) -> Path:
        return self.data_dir / "demo-trusted-key.json"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "licence-panel.log"

    def ensure_data_dir(self) -> Path:
        _make_private_dir(self.data_dir)
        return self.data_dir

    def ensure_log_dir(self) -> Path:
        _make_private_dir(self.log_dir)
        return self.log_dir


def _make_private_dir(path: Path) -> None:
    # 0700: the licence cache and settings are nobody else's business on a shared PC.
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def write_atomically(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, never a mix.

    A temp file in the same directory (same file system, so the rename is atomic), flushed and
    fsynced before ``os.replace``; the directory is fsynced afterwards where the OS allows it, so
    the rename itself survives a power cut.
    """
    import tempfile  # lazily: read-only commands (`status`) never pay for it

    _make_private_dir(path.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
    _fsync_dir(path.parent)


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


def _fsync_dir(directory: Path) -> None:
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
