"""Maintenance windows over real HTTP: 503 MAINTENANCE + Retry-After on every call, announcements still readable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from server.maintenance import retry_after_seconds
from server.models import Announcement
from tests.support.licensing import Customer, customer, issue_licence, machine
from tests.support.live import LiveServer


def announce(
    live: LiveServer, *, kind: str, starts_in: timedelta, lasts: timedelta, title: str = "系统升级"
) -> datetime:
    starts = live.clock.now() + starts_in
    with live.session() as s:
        s.add(Announcement(kind=kind, title=title, body="升级期间暂停服务", starts_at=starts, ends_at=starts + lasts))
    return starts + lasts


@pytest.fixture
def alice(live_server: LiveServer) -> Customer:
    return customer(live_server, "13800000001")


def calls(live: LiveServer, who: Customer) -> dict[str, requests.Response]:
    """One call of each kind a client makes: service, auth, me, activation, offline page."""
    http = live.http()
    return {
        "healthz": http.get(f"{live.url}/healthz", timeout=30),
        "keys": http.get(f"{live.url}/api/v1/keys", timeout=30),
        "login": http.post(f"{live.url}/api/v1/auth/login", json={"login": "x", "password": "y"}, timeout=30),
        "me": who.get("/me"),
        "validate": who.post("/licences/1/validate", machine(1)),
        "offline": who.post("/offline-activations", {}),
        "offline page": http.get(f"{live.url}/offline", timeout=30),
    }


def test_every_call_answers_maintenance_during_a_window(live_server: LiveServer, alice: Customer) -> None:
    ends_at = announce(live_server, kind="maintenance", starts_in=-timedelta(minutes=5), lasts=timedelta(hours=1))

    for name, r in calls(live_server, alice).items():
        assert r.status_code == 503, name
        error = r.json()["error"]
        assert error["code"] == "MAINTENANCE", name
        assert error["details"]["title"] == "系统升级"
        assert datetime.fromisoformat(error["details"]["ends_at"]) == ends_at
        assert 3000 < int(r.headers["Retry-After"]) <= 55 * 60, name


def test_announcements_stay_readable_during_a_window(live_server: LiveServer) -> None:
    ends_at = announce(live_server, kind="maintenance", starts_in=-timedelta(minutes=5), lasts=timedelta(hours=1))

    r = live_server.http().get(f"{live_server.url}/api/v1/announcements", timeout=30)

    assert r.status_code == 200
    [window] = r.json()["announcements"]
    assert window["kind"] == "maintenance" and window["title"] == "系统升级"
    assert datetime.fromisoformat(window["ends_at"]) == ends_at


def test_calls_work_again_after_the_window(live_server: LiveServer, alice: Customer) -> None:
    key = issue_licence(live_server)
    announce(live_server, kind="maintenance", starts_in=-timedelta(minutes=5), lasts=timedelta(hours=1))
    assert alice.activate(key, 1).status_code == 503

    live_server.clock.advance(timedelta(hours=1))

    assert alice.activate(key, 1).status_code == 200
    answers = calls(live_server, alice)
    assert answers["healthz"].status_code == 200 and answers["keys"].status_code == 200
    assert answers["offline page"].status_code == 200
    assert all(r.status_code != 503 for r in answers.values())


def test_a_window_is_in_force_only_between_its_start_and_end(live_server: LiveServer) -> None:
    announce(live_server, kind="maintenance", starts_in=timedelta(hours=2), lasts=timedelta(minutes=30))
    health = f"{live_server.url}/healthz"
    http = live_server.http()
    assert http.get(health, timeout=30).status_code == 200  # announced, not yet started

    live_server.clock.advance(timedelta(hours=2, minutes=10))
    during = http.get(health, timeout=30)
    assert during.status_code == 503
    assert 19 * 60 < int(during.headers["Retry-After"]) <= 20 * 60  # until the end, not the full length

    live_server.clock.advance(timedelta(minutes=20))
    assert http.get(health, timeout=30).status_code == 200


def test_an_information_announcement_is_no_window(live_server: LiveServer) -> None:
    announce(live_server, kind="info", starts_in=-timedelta(minutes=5), lasts=timedelta(hours=1))
    assert live_server.http().get(f"{live_server.url}/healthz", timeout=30).status_code == 200


def test_retry_after_is_never_below_one_second() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after_seconds(now + timedelta(milliseconds=200), now) == 1
    assert retry_after_seconds(now, now) == 1
    assert retry_after_seconds(now + timedelta(seconds=90, milliseconds=1), now) == 91
