"""The licence cache and clock watermark on a real file system: atomic writes, damaged files reported."""

from __future__ import annotations

import json
import os
import stat
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.services.cache import MAX_CACHE_BYTES, ClockWatermark, LicenceCache
from app.services.paths import AppPaths, open_for_reading

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ENVELOPE = {"v": 1, "alg": "Ed25519", "kid": "k1", "payload": "eyJhIjoxfQ", "signature": "c2ln"}


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths.from_data_dir(tmp_path / "data")


def test_save_then_load_round_trips_the_envelope_and_last_check(paths: AppPaths) -> None:
    cache = LicenceCache(paths)
    cache.save(ENVELOPE, last_online_check=NOW)
    read = cache.load()
    assert read.ok and read.problem is None
    assert read.envelope == ENVELOPE
    assert read.last_online_check == NOW


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_cache_file_is_private_and_no_temp_files_are_left(paths: AppPaths) -> None:
    LicenceCache(paths).save(ENVELOPE, last_online_check=None)
    assert stat.S_IMODE(paths.licence_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(paths.data_dir.stat().st_mode) == 0o700
    assert sorted(p.name for p in paths.data_dir.iterdir()) == ["licence.json"]


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="Windows refuses to rename over a file another handle holds open unless that handle shares delete "
    "(open_for_reading asks for it); Wine 8 refuses even then, so this runs on POSIX only",
)
def test_save_replaces_the_file_rather_than_rewriting_it_in_place(paths: AppPaths) -> None:
    cache = LicenceCache(paths)
    cache.save(ENVELOPE, last_online_check=None)
    reader = open_for_reading(paths.licence_file)  # another process of ours reading the old file sees it whole
    old_inode = os.fstat(reader.fileno()).st_ino
    cache.save({**ENVELOPE, "kid": "k2"}, last_online_check=NOW)
    try:
        assert json.loads(reader.read())["envelope"]["kid"] == "k1"
    finally:
        reader.close()
    assert paths.licence_file.stat().st_ino != old_inode
    assert cache.load().envelope["kid"] == "k2"  # type: ignore[index]


def test_nothing_is_created_until_the_first_write(tmp_path: Path) -> None:
    paths = AppPaths.from_data_dir(tmp_path / "absent")
    assert LicenceCache(paths).load().problem == "missing"
    assert ClockWatermark(paths).latest() is None
    assert not paths.data_dir.exists()


@pytest.mark.parametrize(
    ("content", "reason_part"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b'{"format": 1, "envelope": {"v": 1, "kid": "k1", "pay', "not valid JSON"),
        (b"garbage, not json at all", "not valid JSON"),
        (bytes(range(256)) * 4, "not text"),
        (b"\xff\xfe\x00binary", "not text"),
        (b"[1, 2, 3]", "unknown layout"),
        (b'{"format": 99, "envelope": {}}', "unknown layout"),
        (b'{"format": 1, "envelope": "nope"}', "no licence document"),
        (b"[" * 100_000, "not valid JSON"),
    ],
    ids=["empty", "blank", "truncated", "garbage", "binary", "bom-binary", "list", "future", "no-envelope", "deep"],
)
def test_damaged_cache_files_are_reported_not_raised(paths: AppPaths, content: bytes, reason_part: str) -> None:
    paths.ensure_data_dir()
    paths.licence_file.write_bytes(content)
    read = LicenceCache(paths).load()
    assert read.problem == "corrupt"
    assert read.envelope is None
    assert reason_part in (read.reason or "")


def test_a_huge_cache_file_is_refused_without_reading_it_whole(paths: AppPaths) -> None:
    paths.ensure_data_dir()
    with paths.licence_file.open("wb") as handle:
        handle.truncate(MAX_CACHE_BYTES * 8)  # sparse: cheap to make
    read = LicenceCache(paths).load()
    assert read.problem == "corrupt"
    assert "larger than" in (read.reason or "")


def test_a_directory_in_place_of_the_file_is_reported(paths: AppPaths) -> None:
    paths.licence_file.mkdir(parents=True)
    assert LicenceCache(paths).load().problem == "corrupt"


def test_clear_forgets_the_document(paths: AppPaths) -> None:
    cache = LicenceCache(paths)
    cache.save(ENVELOPE, last_online_check=NOW)
    cache.clear()
    cache.clear()  # twice is fine
    assert cache.load().problem == "missing"


def test_watermark_only_moves_forward(paths: AppPaths) -> None:
    mark = ClockWatermark(paths)
    assert mark.observe(NOW) == NOW
    assert mark.observe(NOW - timedelta(days=30)) == NOW  # a clock set back does not lower it
    later = NOW + timedelta(days=2)
    assert mark.observe(later, NOW) == later
    assert ClockWatermark(paths).latest() == later


def test_watermark_survives_deleting_either_copy(paths: AppPaths) -> None:
    cache = LicenceCache(paths)
    cache.save(ENVELOPE, last_online_check=NOW)
    later = NOW + timedelta(days=5)
    ClockWatermark(paths).observe(later)

    paths.watermark_file.unlink()
    assert ClockWatermark(paths).latest() == later  # still inside licence.json

    ClockWatermark(paths).observe(later + timedelta(days=1))
    cache.clear()
    assert ClockWatermark(paths).latest() == later + timedelta(days=1)  # still in its own file


def test_saving_a_new_document_keeps_the_embedded_watermark(paths: AppPaths) -> None:
    cache = LicenceCache(paths)
    cache.save(ENVELOPE, last_online_check=NOW)
    ClockWatermark(paths).observe(NOW + timedelta(days=3))
    cache.save({**ENVELOPE, "kid": "k2"}, last_online_check=NOW + timedelta(days=3))
    paths.watermark_file.unlink()
    assert ClockWatermark(paths).latest() == NOW + timedelta(days=3)


def test_reset_to_a_signed_server_time_heals_a_future_watermark(paths: AppPaths) -> None:
    LicenceCache(paths).save(ENVELOPE, last_online_check=NOW)
    mark = ClockWatermark(paths)
    mark.observe(NOW + timedelta(days=400))  # someone's clock was set a year ahead once
    mark.reset(NOW)
    assert ClockWatermark(paths).latest() == NOW


def test_small_clock_advances_are_not_written_every_time(paths: AppPaths) -> None:
    mark = ClockWatermark(paths)
    mark.observe(NOW)
    before = paths.watermark_file.stat().st_mtime_ns
    assert mark.observe(NOW + timedelta(minutes=1)) == NOW + timedelta(minutes=1)
    assert paths.watermark_file.stat().st_mtime_ns == before


def test_garbage_watermark_file_is_ignored(paths: AppPaths) -> None:
    paths.ensure_data_dir()
    paths.watermark_file.write_bytes(b"\x00\x01 not json")
    assert ClockWatermark(paths).latest() is None
    assert ClockWatermark(paths).observe(NOW) == NOW
