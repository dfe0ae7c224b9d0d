"""ApiClient against the real server over loopback, and against the network failures a desktop meets."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest

from app.services.errors import ApiError, CancelledError, NetworkError, NotSignedInError, ServiceError
from app.services.http import ApiClient
from tests.support.accounts import DEFAULT_PASSWORD, make_account
from tests.support.http_stubs import Gateway, Reply, Seen, SilentServer, dead_url
from tests.support.live import LiveServer


def client_for(url: str, **kw: object) -> ApiClient:
    # proxy_mode none: loopback test traffic must not go through a proxy from the environment.
    return ApiClient(url, proxy_mode="none", **kw)  # type: ignore[arg-type]


def error_body(code: str, **details: object) -> bytes:
    return json.dumps({"error": {"code": code, "message": "m", "details": details}}).encode()


# -- test connection: tell the failing layer apart ---------------------------------------------------


def test_connection_ok_reports_server_time_and_clock_skew(sqlite_server: LiveServer) -> None:
    sqlite_server.clock.advance(timedelta(hours=2))
    report = client_for(sqlite_server.url).test_connection()
    assert report.ok and not report.network_problem
    assert report.clock_skew is not None
    assert timedelta(hours=1, minutes=59) < report.clock_skew < timedelta(hours=2, minutes=1)


def test_dead_server_is_a_connect_error() -> None:
    client = client_for(dead_url())
    with pytest.raises(NetworkError) as caught:
        client.health()
    assert caught.value.kind == "connect"
    report = client.test_connection()
    assert report.outcome == "connect" and report.network_problem


def test_unknown_host_is_a_dns_error() -> None:
    report = client_for("http://licence-server.invalid").test_connection()
    assert report.outcome == "dns"


def test_dead_proxy_is_a_proxy_error(sqlite_server: LiveServer) -> None:
    client = ApiClient(sqlite_server.url, proxy_mode="manual", proxy_url=dead_url())
    with pytest.raises(NetworkError) as caught:
        client.keys()
    assert caught.value.kind == "proxy"
    assert client.test_connection().outcome == "proxy"


def test_tls_handshake_failure_is_a_tls_error(sqlite_server: LiveServer) -> None:
    # An https URL on a plain-HTTP port: the handshake fails, as behind a broken TLS-inspecting proxy.
    report = client_for(sqlite_server.url.replace("http://", "https://")).test_connection()
    assert report.outcome == "tls"


def test_captive_portal_is_not_our_api() -> None:
    portal = Reply(200, b"<html>Please sign in to the hotel Wi-Fi</html>", {"Content-Type": "text/html"})
    with Gateway(None, hook=lambda _seen: portal) as gateway:
        client = client_for(gateway.url)
        assert client.test_connection().outcome == "not_our_api"
        with pytest.raises(NetworkError) as caught:
            client.keys()
        assert caught.value.kind == "bad_response"


def test_proxy_error_page_is_a_bad_response_not_a_licence_error() -> None:
    page = Reply(502, b"<html>Bad gateway</html>", {"Content-Type": "text/html"})
    with (
        Gateway(None, hook=lambda seen: page if seen.method == "POST" else None) as gateway,
        pytest.raises(NetworkError) as caught,
    ):
        client_for(gateway.url).login("13800000001", "whatever")
    assert caught.value.kind == "bad_response" and caught.value.status == 502


# -- retries: idempotent calls only, bounded waits -----------------------------------------------------


def test_gateway_503_is_retried_for_get_but_never_for_post(sqlite_server: LiveServer) -> None:
    failures = {"GET": 2, "POST": 1}

    def flaky(seen: Seen) -> Reply | None:
        if failures.get(seen.method, 0) > 0:
            failures[seen.method] -= 1
            return Reply(503, b"busy", {"Retry-After": "0"})
        return None

    with Gateway(sqlite_server.url, hook=flaky) as gateway:
        client = client_for(gateway.url)
        assert client.health()["status"] == "ok"
        assert gateway.count("/healthz") == 3
        with pytest.raises(ServiceError):
            client.login("13800000001", DEFAULT_PASSWORD)
        assert gateway.count("/auth/login") == 1  # a login is never sent twice


def test_long_maintenance_is_surfaced_with_its_retry_after_not_slept_through() -> None:
    maintenance = Reply(503, error_body("MAINTENANCE"), {"Retry-After": "600", "Content-Type": "application/json"})
    with Gateway(None, hook=lambda _seen: maintenance) as gateway:
        client = client_for(gateway.url)
        with pytest.raises(ApiError) as caught:
            client.announcements()
        assert caught.value.code == "MAINTENANCE" and caught.value.retry_after == 600
        assert gateway.count("/announcements") == 1
        report = client.test_connection()
        assert report.outcome == "maintenance" and report.retry_after == 600


# -- timeouts and cancellation -----------------------------------------------------------------------


def test_server_that_never_answers_times_out() -> None:
    with SilentServer() as silent, pytest.raises(NetworkError) as caught:
        client_for(silent.url, timeout=(2.0, 0.3)).health()
    assert caught.value.kind == "timeout"


def test_cancel_from_another_thread_ends_a_hung_call() -> None:
    cancel = threading.Event()
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            client_for(silent.url, timeout=(5.0, 60.0)).health(cancel=cancel)
        except BaseException as exc:
            outcome.append(exc)

    with SilentServer() as silent:
        worker = threading.Thread(target=call)
        worker.start()
        assert silent.accepted.wait(10), "the client never connected"
        cancel.set()
        worker.join(timeout=5)
        assert not worker.is_alive(), "the call did not return after cancel"
    assert len(outcome) == 1 and isinstance(outcome[0], CancelledError)


def test_already_cancelled_call_sends_nothing() -> None:
    cancel = threading.Event()
    cancel.set()
    with Gateway(None) as gateway:
        with pytest.raises(CancelledError):
            client_for(gateway.url).health(cancel=cancel)
        assert gateway.seen == []


# -- errors and tokens -------------------------------------------------------------------------------


def test_wrong_password_is_an_api_error_with_attempts_left(sqlite_server: LiveServer) -> None:
    make_account(sqlite_server, "13800138000")
    with pytest.raises(ApiError) as caught:
        client_for(sqlite_server.url).login("13800138000", "Wrong#password1")
    error = caught.value
    assert error.code == "INVALID_CREDENTIALS" and error.status == 401
    assert error.details["attempts_left"] == 4
    assert "Wrong#password1" not in str(error) + repr(error)


def test_calls_needing_an_account_refuse_without_a_session(sqlite_server: LiveServer) -> None:
    with Gateway(sqlite_server.url) as gateway:
        with pytest.raises(NotSignedInError):
            client_for(gateway.url).me()
        assert gateway.seen == []


def test_refresh_rotates_and_hands_the_new_token_to_the_store(sqlite_server: LiveServer) -> None:
    make_account(sqlite_server, "13800138001")
    stored: list[str] = []
    client = client_for(sqlite_server.url, on_refresh_token=stored.append)
    first = client.login("13800138001", DEFAULT_PASSWORD)["refresh_token"]
    assert stored == []  # login: the caller decides whether to remember
    second = client.refresh()
    assert stored == [second] and second != first
    assert client.me()["account"]["login"] == "13800138001"

    replayer = client_for(sqlite_server.url)
    replayer.set_refresh_token(first)  # a stolen, already rotated token
    with pytest.raises(NotSignedInError):
        replayer.me()
    with pytest.raises(NotSignedInError):  # reuse revoked the whole family
        client.refresh()


def test_expired_access_token_refreshes_once_and_retries(sqlite_server: LiveServer) -> None:
    make_account(sqlite_server, "13800138002")
    stored: list[str] = []
    with Gateway(sqlite_server.url) as gateway:
        client = client_for(gateway.url, on_refresh_token=stored.append)
        client.login("13800138002", DEFAULT_PASSWORD)
        sqlite_server.clock.advance(timedelta(minutes=20))  # past the access token's lifetime

        results: list[object] = []
        workers = [threading.Thread(target=lambda: results.append(client.me())) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
        assert len(results) == 2
        # Two calls met the same 401 at once; only one spent the refresh token (reuse would revoke it).
        assert gateway.count("/auth/refresh") == 1
        assert len(stored) == 1
        assert client.me()["account"]["login"] == "13800138002"


def test_restored_session_starts_from_the_refresh_token(sqlite_server: LiveServer) -> None:
    make_account(sqlite_server, "13800138003")
    first = client_for(sqlite_server.url)
    refresh = first.login("13800138003", DEFAULT_PASSWORD)["refresh_token"]
    stored: list[str] = []
    restored = client_for(sqlite_server.url, on_refresh_token=stored.append)
    restored.set_refresh_token(refresh)
    assert restored.me()["account"]["login"] == "13800138003"
    assert len(stored) == 1 and stored[0] != refresh
    restored.logout()
    assert not restored.has_session
