"""The client's files at rest: owner-only directories and files, and no temp files left by killed writers."""

from __future__ import annotations

import logging
import os
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main
from app.logging_setup import _rotating_file_handler
from app.services.cache import ClockWatermark, LicenceCache
from app.services.paths import STALE_TEMP_SECONDS, AppPaths, remove_stale_temp_files, write_atomically

posix_modes = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes mean little on Windows")
ENVELOPE = {"v": 1, "alg": "Ed25519", "kid": "k1", "payload": "eyJhIjoxfQ", "signature": "c2ln"}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftover(directory: Path, name: str, *, age: float) -> Path:
    """A temp file as a writer killed between mkstemp and os.replace leaves it, ``age`` seconds old."""
    path = directory / f".{name}.k1ll3d{int(age)}.tmp"
    path.write_bytes(b'{"half": ')
    then = time.time() - age
    os.utime(path, (then, then))
    return path


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual desktop umask (022), under which mkdir -p and open() make 0755 and 0644."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@posix_modes
def test_a_new_data_dir_and_every_directory_made_above_it_are_owner_only(tmp_path: Path, loose_umask: None) -> None:
    paths = AppPaths.from_data_dir(tmp_path / "home" / "share" / "licence-panel")
    LicenceCache(paths).save(ENVELOPE, last_online_check=None)
    for directory in (paths.data_dir, paths.data_dir.parent, paths.data_dir.parent.parent):
        assert mode(directory) == 0o700, directory
    assert mode(paths.licence_file) == 0o600


@posix_modes
def test_the_log_written_first_still_leaves_the_data_dir_owner_only(tmp_path: Path, loose_umask: None) -> None:
    paths = AppPaths.from_data_dir(tmp_path / "data")  # the log dir is data/logs: data is made on the way
    handler = _rotating_file_handler(paths.log_file)
    try:
        handler.emit(logging.LogRecord("t", logging.INFO, __file__, 1, "hello", None, None))
    finally:
        handler.close()
    assert mode(paths.log_dir) == 0o700
    assert mode(paths.data_dir) == 0o700
    assert mode(paths.log_file) == 0o600
    assert "hello" in paths.log_file.read_text("utf-8")


@posix_modes
def test_a_log_made_readable_by_an_earlier_version_is_tightened(tmp_path: Path, loose_umask: None) -> None:
    paths = AppPaths.from_data_dir(tmp_path / "data")
    paths.ensure_log_dir()
    paths.log_file.write_text("old line\n", encoding="utf-8")
    os.chmod(paths.log_file, 0o644)
    handler = _rotating_file_handler(paths.log_file)
    try:
        handler.emit(logging.LogRecord("t", logging.INFO, __file__, 1, "new line", None, None))
    finally:
        handler.close()
    assert mode(paths.log_file) == 0o600
    assert paths.log_file.read_text("utf-8").splitlines() == ["old line", "new line"]


@posix_modes
def test_rolled_over_logs_stay_owner_only(tmp_path: Path, loose_umask: None) -> None:
    paths = AppPaths.from_data_dir(tmp_path / "data")
    handler = _rotating_file_handler(paths.log_file)
    try:
        handler.emit(logging.LogRecord("t", logging.INFO, __file__, 1, "first", None, None))
        handler.doRollover()
        handler.emit(logging.LogRecord("t", logging.INFO, __file__, 1, "second", None, None))
    finally:
        handler.close()
    logs = sorted(paths.log_dir.iterdir())
    assert len(logs) == 2
    assert all(mode(p) == 0o600 for p in logs)


@posix_modes
def test_the_clock_watermark_file_is_owner_only(tmp_path: Path, loose_umask: None) -> None:
    from datetime import UTC, datetime

    paths = AppPaths.from_data_dir(tmp_path / "data")
    ClockWatermark(paths).observe(datetime(2026, 3, 1, tzinfo=UTC))
    assert mode(paths.watermark_file) == 0o600


def test_write_atomically_removes_its_own_stale_temp_files_but_not_a_live_writers(tmp_path: Path) -> None:
    target = tmp_path / "licence.json"
    write_atomically(target, b"{}")
    stale = leftover(tmp_path, "licence.json", age=STALE_TEMP_SECONDS + 60)
    live = leftover(tmp_path, "licence.json", age=1)
    other = leftover(tmp_path, "settings.json", age=STALE_TEMP_SECONDS + 60)
    write_atomically(target, b"[]")
    assert not stale.exists()
    assert live.exists(), "a temp file seconds old may still be renamed by a writer in another process"
    assert other.exists(), "only the target's own temp files are touched by its writer"
    assert target.read_bytes() == b"[]"


def test_stale_temp_files_of_killed_writers_are_removed_at_the_next_start(tmp_path: Path) -> None:
    paths = AppPaths.from_data_dir(tmp_path / "data")
    paths.ensure_data_dir()
    stale = [leftover(paths.data_dir, name, age=3600) for name in ("licence.json", "settings.json", "install-id.json")]
    live = leftover(paths.data_dir, "settings.json", age=0)
    keep = paths.data_dir / "notes.tmp"  # not ours (no leading dot): left alone
    keep.write_text("x")
    os.utime(keep, (time.time() - 3600,) * 2)

    # A command that may write (here one that fails on its arguments after start-up) cleans the data dir.
    main(["--data-dir", str(paths.data_dir), "offline", "import", str(tmp_path / "absent.json")])

    assert not any(p.exists() for p in stale)
    assert live.exists() and keep.exists()


def test_a_read_only_command_leaves_temp_files_of_others_alone(tmp_path: Path) -> None:
    paths = AppPaths.from_data_dir(tmp_path / "data")
    paths.ensure_data_dir()
    stale = leftover(paths.data_dir, "settings.json", age=3600)
    assert main(["--data-dir", str(paths.data_dir), "fingerprint"]) == 0
    assert stale.exists()


def test_cleaning_a_missing_directory_is_harmless(tmp_path: Path) -> None:
    assert remove_stale_temp_files(tmp_path / "absent") == 0
    assert not (tmp_path / "absent").exists()
