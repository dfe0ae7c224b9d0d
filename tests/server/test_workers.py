"""``python -m server run --workers N``: N processes share the port, the database and the signing key."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.support.server_process import ServerProcess


def test_run_with_two_workers_serves_from_two_processes_with_one_key(tmp_path: Path, database_url: str) -> None:
    server = ServerProcess(tmp_path / "server-data", database_url, "--workers", "2")
    try:
        server.wait_ready()
        assert len(server.workers()) == 2

        def kids(_: int) -> list[str]:
            http = requests.Session()
            http.trust_env = False
            r = http.get(f"{server.url}/api/v1/keys", timeout=30)
            assert r.status_code == 200
            return [k["kid"] for k in r.json()["keys"]]

        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(kids, range(40)))
        assert len({tuple(a) for a in answers}) == 1  # every worker publishes the one key the parent made
        assert len(answers[0]) == 1
    finally:
        server.stop()
    assert server.workers() == []


def test_a_fleet_member_refuses_to_start_without_the_shared_key(tmp_path: Path, sqlite_url: str) -> None:
    server = ServerProcess(tmp_path / "server-data", sqlite_url, "--require-key")
    assert server.process.wait(timeout=60) == 2
    assert "no signing keys" in server.log.read_text()
    assert not (tmp_path / "server-data" / "keys").exists() or not list(
        (tmp_path / "server-data" / "keys").glob("*.pem")
    )
