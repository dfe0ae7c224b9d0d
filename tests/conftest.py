"""Fixtures shared by every suite: a live server on loopback over SQLite or PostgreSQL."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.live import LiveServer, start_live_server

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if sys.platform == "win32" and os.environ["QT_QPA_PLATFORM"] == "offscreen":
    # Offscreen Qt on Windows reads fonts only from this folder (.ttf/.otf), not from the system's font list.
    os.environ.setdefault("QT_QPA_FONTDIR", os.path.join(os.environ.get("WINDIR", r"C:\Windows"), "Fonts"))


def _require(var: str) -> bool:
    return os.environ.get(var, "") == "1"


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[object]:
    from tests.support.postgres import PostgresCluster

    try:
        cluster = PostgresCluster().start()
    except Exception as exc:  # binaries missing or not startable here
        if _require("LP_REQUIRE_POSTGRES"):
            raise
        pytest.skip(f"PostgreSQL not available: {exc}")
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: each server test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.sqlite3'}"
    cluster = request.getfixturevalue("postgres_cluster")
    return cluster.new_database()  # type: ignore[attr-defined, no-any-return]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'server.sqlite3'}"


@pytest.fixture
def live_server(tmp_path: Path, database_url: str) -> Iterator[LiveServer]:
    live = start_live_server(tmp_path / "server-data", database_url)
    yield live
    live.server.stop()


@pytest.fixture
def sqlite_server(tmp_path: Path, sqlite_url: str) -> Iterator[LiveServer]:
    """A live server on SQLite only, for client, GUI and end-to-end tests."""
    live = start_live_server(tmp_path / "server-data", sqlite_url)
    yield live
    live.server.stop()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    # Once a GUI test has turned automatic collection off (app/ui/collector.py), collect between tests too:
    # the tests that follow may spin no event loop for the collector's timer.
    if not gc.isenabled():
        from app.ui.collector import collect_due

        collect_due()
