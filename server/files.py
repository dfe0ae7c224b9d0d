"""The server's files at rest: owner-only, and no temp files left behind by killed writers.

The data dir holds the SQLite database (password, token and CDkey hashes) and the signing keys: its
directories are made 0700 and its files 0600, whatever the umask. A directory that already exists keeps
its mode (it may be shared, e.g. the parent of an explicit ``sqlite:////srv/…`` URL); files of ours made
readable by an earlier version are tightened.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

# A temp file older than this was left by a killed writer: writing a key or a secret takes milliseconds, and a
# younger one may belong to another instance sharing the directory that is about to rename it.
STALE_TEMP_SECONDS = 60.0
# SQLite's companions of a database file. WAL and SHM are created with the database file's own mode.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def make_private_dir(directory: Path) -> None:
    """``mkdir -p`` where every directory it makes is 0700 (plain ``mkdir -p`` makes the ones above 0755)."""
    missing: list[Path] = []
    probe = directory
    while not probe.exists() and probe.parent != probe:
        missing.append(probe)
        probe = probe.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another instance made it first
            path.mkdir(mode=0o700)


def prepare_sqlite_file(database: Path) -> None:
    """Create the database file 0600 before SQLite does (it would use 0644), and tighten an existing one.

    SQLite gives the -wal and -shm files the mode of the database file, so they are 0600 from their first byte.
    """
    make_private_dir(database.parent)
    os.close(os.open(database, os.O_RDWR | os.O_CREAT, 0o600))  # an empty file is an empty SQLite database
    if os.name != "posix":
        return
    for path in (database, *(database.with_name(database.name + suffix) for suffix in SQLITE_COMPANIONS)):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            if path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)


def remove_stale_temp_files(directory: Path) -> list[str]:
    """Delete the ``.*.tmp`` files killed writers left in ``directory``; answers the names removed."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    removed: list[str] = []
    for path in directory.glob(".*.tmp"):
        with contextlib.suppress(OSError):  # gone meanwhile (another instance cleaned it) or not ours
            if not path.is_symlink() and path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path.name)
    return removed
