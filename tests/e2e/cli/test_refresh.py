"""`python -m app refresh` (在线认证 for hosts and IT scripts): a fresh document, printed as `status` prints it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest

from app.resources import resource_path
from server.models import Licence
from tests.support.host_cli import HostMachine, host_machine
from tests.support.http_stubs import dead_url
from tests.support.live import LiveServer


@pytest.fixture
def host(sqlite_server: LiveServer, tmp_path: Path) -> Iterator[HostMachine]:
    machine = host_machine(sqlite_server, tmp_path)
    yield machine
    machine.close()


def test_refresh_fetches_a_new_document_and_prints_what_status_prints(host: HostMachine) -> None:
    before = json.loads(host.run("status", "--json").stdout)
    host.live.clock.advance(timedelta(minutes=5))  # so the new document is visibly newer
    result = host.run("refresh", "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    schema = json.loads(resource_path("status.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, schema)
    assert report["state"]["code"] == "ACTIVE" and report["exit_code"] == 0
    assert report["last_online_check"] > before["last_online_check"]

    status = json.loads(host.run("status", "--json").stdout)
    for key in ("exit_code", "usable", "state", "licence", "last_online_check", "document", "this_machine"):
        assert report[key] == status[key], key

    text = host.run("refresh", lang="zh_CN")
    assert text.returncode == 0 and "ACTIVE  已激活" in text.stdout and "最近在线认证" in text.stdout


def test_server_down_exits_3_and_leaves_the_cache_as_it_was(host: HostMachine) -> None:
    cached = host.paths.licence_file.read_bytes()
    result = host.run("refresh", "--json", server=dead_url())
    assert result.returncode == 3, result.stderr[-2000:]
    assert "cannot be reached" in result.stderr and result.stdout == "" and "Traceback" not in result.stderr
    assert host.paths.licence_file.read_bytes() == cached
    zh = host.run("refresh", server=dead_url(), lang="zh_CN")
    assert zh.returncode == 3 and "无法连接许可服务器" in zh.stderr


def test_a_licence_the_server_suspended_exits_2(host: HostMachine) -> None:
    with host.live.session() as s:
        licence = s.get(Licence, host.licence_id)
        assert licence is not None
        licence.status = "suspended"
    result = host.run("refresh")
    assert result.returncode == 2, result.stderr[-2000:]
    assert "SUSPENDED" in result.stdout


def test_nothing_to_refresh_on_a_computer_without_a_licence(host: HostMachine, tmp_path: Path) -> None:
    host.data_dir = tmp_path / "never-activated"
    result = host.run("refresh", "--json")
    assert result.returncode == 1, result.stderr[-2000:]
    assert json.loads(result.stdout)["state"]["code"] == "NOT_ACTIVATED"

    host.data_dir.mkdir(exist_ok=True)
    host.data_dir.joinpath("licence.json").write_bytes(b'{"format": 1, "env')
    damaged = host.run("refresh")
    assert damaged.returncode == 3 and "cannot be read" in damaged.stdout
