"""The demo's outbox over HTTP: verification codes readable only on a server started with ``demo``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.live import LiveServer, start_live_server


@pytest.fixture
def demo_server(tmp_path: Path, database_url: str) -> Iterator[LiveServer]:
    live = start_live_server(tmp_path / "demo-server-data", database_url, demo=True)
    yield live
    live.server.stop()


def _outbox(live: LiveServer, recipient: str):
    return live.http().get(f"{live.url}/api/v1/demo/outbox", params={"recipient": recipient}, timeout=5)


def test_the_demo_server_shows_the_code_it_sent_and_the_code_registers(demo_server: LiveServer) -> None:
    http, url = demo_server.http(), demo_server.url
    login = "13912345678"
    sent = http.post(f"{url}/api/v1/auth/verification-codes", json={"login": login, "purpose": "register"}, timeout=5)
    assert sent.status_code == 202

    r = _outbox(demo_server, login)
    assert r.status_code == 200
    messages = r.json()["messages"]
    assert [m["subject"] for m in messages] == ["Registration code"]
    code = messages[0]["code"]
    assert code and code.isdigit() and code in messages[0]["body"]
    assert messages[0]["channel"] == "sms" and messages[0]["recipient"] == login
    assert messages[0]["purpose"] == "register"
    assert _outbox(demo_server, "13900000000").json()["messages"] == []  # only the recipient asked for

    created = http.post(
        f"{url}/api/v1/auth/register", json={"login": login, "password": "Ledger#2025ok", "code": code}, timeout=5
    )
    assert created.status_code == 201, created.text


def test_the_newest_message_comes_first(demo_server: LiveServer) -> None:
    http, url = demo_server.http(), demo_server.url
    login = "newcomer@example.com"
    http.post(f"{url}/api/v1/auth/verification-codes", json={"login": login, "purpose": "register"}, timeout=5)
    demo_server.clock.advance(timedelta(minutes=2))  # past the one-resend-a-minute throttle
    http.post(f"{url}/api/v1/auth/verification-codes", json={"login": login, "purpose": "register"}, timeout=5)
    messages = _outbox(demo_server, login).json()["messages"]
    assert len(messages) == 2 and messages[0]["channel"] == "email"
    assert messages[0]["created_at"] > messages[1]["created_at"]


def test_a_normal_server_hides_the_outbox(live_server: LiveServer) -> None:
    http, url = live_server.http(), live_server.url
    login = "13912345679"
    http.post(f"{url}/api/v1/auth/verification-codes", json={"login": login, "purpose": "register"}, timeout=5)
    r = _outbox(live_server, login)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "NOT_FOUND"
    assert "messages" not in r.json()


def test_the_recipient_is_required(demo_server: LiveServer) -> None:
    r = demo_server.http().get(f"{demo_server.url}/api/v1/demo/outbox", timeout=5)
    assert r.status_code == 422
