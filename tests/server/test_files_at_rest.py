"""The server's data at rest: the SQLite database and its WAL owner-only, keys too, no temp files left behind."""

from __future__ import annotations

import os
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from server.config import Settings
from server.db import make_engine, upgrade_to_head
from server.files import STALE_TEMP_SECONDS
from server.services.payments import callback_secret
from server.signing import ACTIVE_FILE, KeyStore

posix_modes = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes mean little on Windows")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual umask (022), under which SQLite and mkdir -p would make 0644 files and 0755 directories."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@posix_modes
def test_a_new_sqlite_database_and_its_wal_are_owner_only_in_an_owner_only_data_dir(
    tmp_path: Path, loose_umask: None
) -> None:
    settings = Settings(data_dir=tmp_path / "srv" / "data")
    database = settings.data_dir / "licence-server.sqlite3"
    upgrade_to_head(settings.resolved_database_url())
    engine = make_engine(settings.resolved_database_url())
    try:
        with engine.connect() as conn:  # a connection holds the WAL and shared-memory files open
            conn.execute(text("SELECT count(*) FROM accounts")).scalar()
            wal, shm = (database.with_name(database.name + suffix) for suffix in ("-wal", "-shm"))
            assert wal.exists() and shm.exists()
            assert (mode(database), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
    finally:
        engine.dispose()
    assert mode(settings.data_dir) == 0o700
    assert mode(settings.data_dir.parent) == 0o700, "a directory made on the way is owner-only too"


@posix_modes
def test_a_database_an_earlier_version_left_readable_is_tightened(tmp_path: Path, loose_umask: None) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    database = shared / "licence-server.sqlite3"
    url = f"sqlite:///{database}"
    upgrade_to_head(url)
    for path in (database, database.with_name(database.name + "-wal")):
        path.touch()
        os.chmod(path, 0o644)
    engine = make_engine(url)
    engine.dispose()
    assert mode(database) == 0o600
    assert mode(database.with_name(database.name + "-wal")) == 0o600
    assert mode(shared) == 0o755, "an existing directory keeps its mode (it may be shared)"


@posix_modes
def test_signing_keys_and_the_payment_secret_are_owner_only(tmp_path: Path, loose_umask: None) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url="postgresql://unused/x")
    keys = KeyStore(settings.resolved_key_dir())
    kid = keys.ensure()
    callback_secret(settings)
    assert mode(settings.data_dir) == 0o700, "on PostgreSQL the key store makes the data dir"
    assert mode(keys.directory) == 0o700
    files = sorted(keys.directory.iterdir())
    assert [p.name for p in files] == [ACTIVE_FILE, f"{kid}.pem", "payment-callback.secret"]
    assert all(mode(p) == 0o600 for p in files)


def test_temp_files_killed_writers_left_in_the_key_store_are_removed_at_start(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path / "keys")
    kid = keys.ensure()
    old = time.time() - STALE_TEMP_SECONDS - 60
    stale = [keys.directory / ".ACTIVE.x1y2z3.tmp", keys.directory / ".payment-callback.secret.0a1b2c3d.tmp"]
    fresh = keys.directory / ".ACTIVE.q9w8e7.tmp"  # another instance's rename may still be on its way
    for path in (*stale, fresh):
        path.write_text("partial")
    for path in stale:
        os.utime(path, (old, old))

    assert KeyStore(tmp_path / "keys").ensure() == kid

    assert not any(p.exists() for p in stale)
    assert fresh.exists()
    assert keys.active_kid() == kid


def test_rotating_leaves_no_temp_file(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path / "keys")
    first = keys.ensure()
    second = keys.rotate()
    assert keys.active_kid() == second != first
    assert not list(keys.directory.glob(".*"))
