"""Accounts and sign-in over real HTTP: codes, registration, lockout, token rotation, logout, password reset."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import select

from server.models import OutboxMessage
from tests.support.accounts import DEFAULT_PASSWORD, auth_headers, make_account
from tests.support.live import LiveServer

STRONG = "Books#2026ok"


class Api:
    """A thin caller of the live server, answering (status, json)."""

    def __init__(self, live: LiveServer) -> None:
        self.live = live
        self.http = live.http()

    def post(self, path: str, body: Any = None, token: str | None = None) -> requests.Response:
        headers = auth_headers(token) if token else {}
        return self.http.post(f"{self.live.url}/api/v1{path}", json=body, headers=headers, timeout=10)

    def get(self, path: str, token: str | None = None) -> requests.Response:
        headers = auth_headers(token) if token else {}
        return self.http.get(f"{self.live.url}/api/v1{path}", headers=headers, timeout=10)

    def request_code(self, login: str, purpose: str = "register") -> requests.Response:
        return self.post("/auth/verification-codes", {"login": login, "purpose": purpose})

    def login(self, login: str, password: str) -> requests.Response:
        return self.post("/auth/login", {"login": login, "password": password})


def error(r: requests.Response) -> dict[str, Any]:
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    return body["error"]  # type: ignore[no-any-return]


def outbox_codes(live: LiveServer, login: str) -> list[str]:
    """The codes the default sender delivered to ``login``, oldest first (what the user reads in their SMS)."""
    with live.session() as s:
        bodies = s.scalars(
            select(OutboxMessage.body).where(OutboxMessage.recipient == login).order_by(OutboxMessage.id)
        ).all()
    return [re.search(r"\b(\d{6})\b", body).group(1) for body in bodies]  # type: ignore[union-attr]


def register(api: Api, login: str, password: str = STRONG) -> dict[str, Any]:
    assert api.request_code(login).status_code == 202
    r = api.post("/auth/register", {"login": login, "password": password, "code": outbox_codes(api.live, login)[-1]})
    assert r.status_code == 201, r.text
    return r.json()["account"]  # type: ignore[no-any-return]


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_register_with_code_from_outbox_then_sign_in(live_server: LiveServer) -> None:
    api = Api(live_server)
    r = api.request_code("13800000001")
    assert r.status_code == 202
    assert r.json() == {"sent": True, "expires_in": 7 * 24 * 3600}
    (code,) = outbox_codes(live_server, "13800000001")

    r = api.post(
        "/auth/register",
        {"login": " 13800000001 ", "password": STRONG, "code": code, "display_name": "王会计"},
    )
    assert r.status_code == 201, r.text
    account = r.json()["account"]
    assert account["login"] == "13800000001" and account["display_name"] == "王会计"
    assert account["role"] == "customer"

    r = api.login("13800000001", STRONG)
    assert r.status_code == 200, r.text
    tokens = r.json()
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 15 * 60
    assert tokens["account"] == account
    assert api.get("/me", tokens["access_token"]).json()["account"] == account


def test_email_login_gets_its_code_too(live_server: LiveServer) -> None:
    api = Api(live_server)
    assert register(api, "kuaiji@example.com")["login"] == "kuaiji@example.com"
    assert api.login("KuaiJi@Example.com", STRONG).status_code == 200  # e-mail case does not matter
    assert error(api.request_code("KUAIJI@example.com"))["code"] == "DUPLICATE_LOGIN"


def test_default_sender_also_writes_the_code_to_the_server_log(
    sqlite_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="server.services.senders")
    Api(sqlite_server).request_code("13800000022")
    (code,) = outbox_codes(sqlite_server, "13800000022")
    assert any(code in r.getMessage() and "13800000022" in r.getMessage() for r in caplog.records)


class RecordingSender:
    """An SMS gateway stand-in plugged in where a deployment would plug its own."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send_code(self, session: Any, *, login: str, purpose: str, code: str, now: Any, expires_at: Any) -> None:
        self.sent.append((login, purpose, code))


def test_a_plugged_in_sender_delivers_the_code(sqlite_server: LiveServer) -> None:
    sender = RecordingSender()
    sqlite_server.server.app.state.code_sender = sender
    api = Api(sqlite_server)
    assert api.request_code("13800000021").status_code == 202
    ((login, purpose, code),) = sender.sent
    assert (login, purpose) == ("13800000021", "register")
    assert outbox_codes(sqlite_server, "13800000021") == []  # the default outbox was replaced
    r = api.post("/auth/register", {"login": "13800000021", "password": STRONG, "code": code})
    assert r.status_code == 201


def test_code_expires_after_seven_days(live_server: LiveServer) -> None:
    api = Api(live_server)
    api.request_code("13800000002")
    (code,) = outbox_codes(live_server, "13800000002")
    live_server.clock.advance(timedelta(days=7, seconds=1))

    r = api.post("/auth/register", {"login": "13800000002", "password": STRONG, "code": code})
    assert r.status_code == 400
    assert error(r)["code"] == "CODE_EXPIRED"

    # A fresh code works.
    assert api.request_code("13800000002").status_code == 202
    fresh = outbox_codes(live_server, "13800000002")[-1]
    r = api.post("/auth/register", {"login": "13800000002", "password": STRONG, "code": fresh})
    assert r.status_code == 201


def test_code_still_valid_just_before_seven_days(live_server: LiveServer) -> None:
    api = Api(live_server)
    api.request_code("13800000012")
    live_server.clock.advance(timedelta(days=7, seconds=-5))
    code = outbox_codes(live_server, "13800000012")[-1]
    r = api.post("/auth/register", {"login": "13800000012", "password": STRONG, "code": code})
    assert r.status_code == 201


def test_used_code_cannot_be_replayed(live_server: LiveServer) -> None:
    api = Api(live_server)
    register(api, "13800000003")
    code = outbox_codes(live_server, "13800000003")[-1]
    r = api.post("/auth/register", {"login": "13800000003", "password": STRONG, "code": code})
    assert r.status_code == 400
    assert error(r)["code"] == "CODE_INVALID"


def test_only_the_newest_code_counts(live_server: LiveServer) -> None:
    api = Api(live_server)
    api.request_code("13800000013")
    live_server.clock.advance(timedelta(seconds=61))
    api.request_code("13800000013")
    old, new = outbox_codes(live_server, "13800000013")
    if old != new:
        r = api.post("/auth/register", {"login": "13800000013", "password": STRONG, "code": old})
        assert error(r)["code"] == "CODE_INVALID"
    r = api.post("/auth/register", {"login": "13800000013", "password": STRONG, "code": new})
    assert r.status_code == 201


def test_wrong_code_tries_burn_the_code(live_server: LiveServer) -> None:
    api = Api(live_server)
    api.request_code("13800000004")
    (code,) = outbox_codes(live_server, "13800000004")
    lefts = []
    for _ in range(5):
        r = api.post("/auth/register", {"login": "13800000004", "password": STRONG, "code": wrong(code)})
        assert r.status_code == 400
        assert error(r)["code"] == "CODE_INVALID"
        lefts.append(error(r)["details"]["attempts_left"])
    assert lefts == [4, 3, 2, 1, 0]
    r = api.post("/auth/register", {"login": "13800000004", "password": STRONG, "code": code})
    assert error(r)["code"] == "CODE_INVALID"  # burnt: even the right code no longer works


def test_duplicate_login_is_refused(live_server: LiveServer) -> None:
    make_account(live_server, "13800000005")
    r = Api(live_server).request_code("13800000005")
    assert r.status_code == 409
    assert error(r)["code"] == "DUPLICATE_LOGIN"


@pytest.mark.parametrize(
    ("password", "failed"),
    [
        ("Ab1!xyz", ["length"]),
        ("books#2026ok", ["upper"]),
        ("BOOKS#2026OK", ["lower"]),
        ("Books#ledger", ["digit"]),
        ("Books2026ok", ["special"]),
        ("Books#2026账套", ["latin_only"]),
        ("abc", ["length", "upper", "digit", "special"]),
    ],
)
def test_weak_passwords_name_each_failed_rule(sqlite_server: LiveServer, password: str, failed: list[str]) -> None:
    api = Api(sqlite_server)
    api.request_code("13800000006")
    (code,) = outbox_codes(sqlite_server, "13800000006")
    r = api.post("/auth/register", {"login": "13800000006", "password": password, "code": code})
    assert r.status_code == 422
    assert error(r)["code"] == "WEAK_PASSWORD"
    assert sorted(error(r)["details"]["failed_rules"]) == sorted(failed)
    # A weak password does not use up the code.
    r = api.post("/auth/register", {"login": "13800000006", "password": STRONG, "code": code})
    assert r.status_code == 201


def test_code_resend_is_throttled(live_server: LiveServer) -> None:
    api = Api(live_server)
    assert api.request_code("13800000007").status_code == 202
    r = api.request_code("13800000007")
    assert r.status_code == 429
    assert error(r)["code"] == "RATE_LIMITED"
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert error(r)["details"]["retry_after"] == int(r.headers["Retry-After"])
    live_server.clock.advance(timedelta(seconds=61))
    assert api.request_code("13800000007").status_code == 202
    assert len(outbox_codes(live_server, "13800000007")) == 2


def test_password_reset_code_for_unknown_login_answers_alike(live_server: LiveServer) -> None:
    api = Api(live_server)
    make_account(live_server, "13800000008")
    known = api.request_code("13800000008", "password_reset")
    unknown = api.request_code("13899999999", "password_reset")
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json()) == (202, known.json())
    assert len(outbox_codes(live_server, "13800000008")) == 1
    assert outbox_codes(live_server, "13899999999") == []
    # The throttle answers alike too.
    assert api.request_code("13800000008", "password_reset").status_code == 429
    assert api.request_code("13899999999", "password_reset").status_code == 429


def _iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_lockout_after_five_wrong_passwords_and_unlock_after_fifteen_minutes(live_server: LiveServer) -> None:
    api = Api(live_server)
    make_account(live_server, "13800000009")
    lefts = []
    for _ in range(4):
        r = api.login("13800000009", "Wrong#2026pw")
        assert r.status_code == 401
        assert error(r)["code"] == "INVALID_CREDENTIALS"
        lefts.append(error(r)["details"]["attempts_left"])
    assert lefts == [4, 3, 2, 1]

    before = live_server.clock.now()
    r = api.login("13800000009", "Wrong#2026pw")
    assert r.status_code == 423
    assert error(r)["code"] == "ACCOUNT_LOCKED"
    unlock_at = _iso(error(r)["details"]["unlock_at"])
    assert unlock_at.utcoffset() == timedelta(0)
    assert timedelta(minutes=15) <= unlock_at - before <= timedelta(minutes=15, seconds=5)

    # Locked: even the right password waits.
    live_server.clock.advance(timedelta(minutes=14))
    r = api.login("13800000009", DEFAULT_PASSWORD)
    assert r.status_code == 423
    assert _iso(error(r)["details"]["unlock_at"]) == unlock_at

    live_server.clock.advance(timedelta(minutes=1, seconds=5))
    assert api.login("13800000009", DEFAULT_PASSWORD).status_code == 200
    r = api.login("13800000009", "Wrong#2026pw")
    assert error(r)["details"]["attempts_left"] == 4  # a fresh count after the unlock


def test_successful_login_resets_the_counter(live_server: LiveServer) -> None:
    api = Api(live_server)
    make_account(live_server, "13800000010")
    for _ in range(3):
        api.login("13800000010", "Wrong#2026pw")
    assert api.login("13800000010", DEFAULT_PASSWORD).status_code == 200
    assert error(api.login("13800000010", "Wrong#2026pw"))["details"]["attempts_left"] == 4


def test_unknown_login_answers_like_a_real_one(live_server: LiveServer) -> None:
    api = Api(live_server)
    lefts = [error(api.login("13877777777", "Wrong#2026pw"))["details"].get("attempts_left") for _ in range(4)]
    assert lefts == [4, 3, 2, 1]
    r = api.login("13877777777", "Wrong#2026pw")
    assert r.status_code == 423
    assert error(r)["code"] == "ACCOUNT_LOCKED"


def test_login_attempts_are_rate_limited_per_ip(sqlite_server: LiveServer) -> None:
    api = Api(sqlite_server)
    for i in range(30):
        assert api.login(f"1390000{i:04d}", "Wrong#2026pw").status_code == 401
    r = api.login("13900009999", "Wrong#2026pw")
    assert r.status_code == 429
    assert error(r)["code"] == "RATE_LIMITED"
    assert int(r.headers["Retry-After"]) >= 1
    sqlite_server.clock.advance(timedelta(minutes=10, seconds=1))
    assert api.login("13900009999", "Wrong#2026pw").status_code == 401


def test_refresh_rotates_and_reuse_revokes_the_family(live_server: LiveServer) -> None:
    api = Api(live_server)
    make_account(live_server, "13800000011")
    first = api.login("13800000011", DEFAULT_PASSWORD).json()
    other_device = api.login("13800000011", DEFAULT_PASSWORD).json()

    r = api.post("/auth/refresh", {"refresh_token": first["refresh_token"]})
    assert r.status_code == 200, r.text
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["account"]["login"] == "13800000011"
    assert api.get("/me", second["access_token"]).status_code == 200

    # The rotated token shows up again: someone copied it. The whole sign-in is revoked.
    r = api.post("/auth/refresh", {"refresh_token": first["refresh_token"]})
    assert r.status_code == 401
    assert error(r)["code"] == "UNAUTHORIZED"
    assert error(r)["details"]["reason"] == "refresh_token_reused"
    assert error(api.post("/auth/refresh", {"refresh_token": second["refresh_token"]}))["code"] == "UNAUTHORIZED"
    assert api.get("/me", second["access_token"]).status_code == 401

    # Another sign-in of the same account is left alone.
    assert api.post("/auth/refresh", {"refresh_token": other_device["refresh_token"]}).status_code == 200


def test_unknown_or_expired_refresh_token(live_server: LiveServer) -> None:
    api = Api(live_server)
    make_account(live_server, "13800000014")
    tokens = api.login("13800000014", DEFAULT_PASSWORD).json()
    assert error(api.post("/auth/refresh", {"refresh_token": "x" * 43}))["code"] == "UNAUTHORIZED"
    live_server.clock.advance(timedelta(days=31))
    r = api.post("/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 401


def test_access_token_expires(live_server: LiveServer) -> None:
    api = Api(live_server)
    make_account(live_server, "13800000015")
    tokens = api.login("13800000015", DEFAULT_PASSWORD).json()
    live_server.clock.advance(timedelta(minutes=15, seconds=1))
    assert error(api.get("/me", tokens["access_token"]))["code"] == "UNAUTHORIZED"
    refreshed = api.post("/auth/refresh", {"refresh_token": tokens["refresh_token"]}).json()
    assert api.get("/me", refreshed["access_token"]).status_code == 200


def test_logout_revokes_access_and_refresh(live_server: LiveServer) -> None:
    api = Api(live_server)
    make_account(live_server, "13800000016")
    tokens = api.login("13800000016", DEFAULT_PASSWORD).json()
    assert api.post("/auth/logout", None).status_code == 401  # needs the bearer token

    r = api.post("/auth/logout", {"refresh_token": tokens["refresh_token"]}, tokens["access_token"])
    assert r.status_code == 204
    assert error(api.get("/me", tokens["access_token"]))["code"] == "UNAUTHORIZED"
    assert api.post("/auth/refresh", {"refresh_token": tokens["refresh_token"]}).status_code == 401


def test_logout_without_body_revokes_the_session_family(live_server: LiveServer) -> None:
    api = Api(live_server)
    make_account(live_server, "13800000017")
    tokens = api.login("13800000017", DEFAULT_PASSWORD).json()
    assert api.post("/auth/logout", None, tokens["access_token"]).status_code == 204
    assert api.post("/auth/refresh", {"refresh_token": tokens["refresh_token"]}).status_code == 401


def test_password_reset(live_server: LiveServer) -> None:
    api = Api(live_server)
    make_account(live_server, "13800000018")
    old_session = api.login("13800000018", DEFAULT_PASSWORD).json()
    for _ in range(5):
        api.login("13800000018", "Wrong#2026pw")
    assert api.login("13800000018", DEFAULT_PASSWORD).status_code == 423

    assert api.request_code("13800000018", "password_reset").status_code == 202
    (code,) = outbox_codes(live_server, "13800000018")
    r = api.post("/auth/password-reset", {"login": "13800000018", "code": code, "new_password": "weak"})
    assert error(r)["code"] == "WEAK_PASSWORD"
    r = api.post("/auth/password-reset", {"login": "13800000018", "code": code, "new_password": STRONG})
    assert r.status_code == 204, r.text

    assert api.login("13800000018", STRONG).status_code == 200  # lockout lifted at once
    assert error(api.login("13800000018", DEFAULT_PASSWORD))["code"] == "INVALID_CREDENTIALS"
    # Signed out everywhere else.
    assert api.post("/auth/refresh", {"refresh_token": old_session["refresh_token"]}).status_code == 401
    assert api.get("/me", old_session["access_token"]).status_code == 401
    # The code was used once.
    r = api.post("/auth/password-reset", {"login": "13800000018", "code": code, "new_password": "Other#2026pw"})
    assert error(r)["code"] == "CODE_INVALID"


def test_password_reset_with_a_register_code_is_refused(live_server: LiveServer) -> None:
    api = Api(live_server)
    api.request_code("13800000019")
    (code,) = outbox_codes(live_server, "13800000019")
    r = api.post("/auth/password-reset", {"login": "13800000019", "code": code, "new_password": STRONG})
    assert error(r)["code"] == "CODE_INVALID"


BAD_BODIES = [
    ("/auth/verification-codes", {"login": "13800000020", "purpose": "spam"}),
    ("/auth/verification-codes", {"login": 13800000020, "purpose": "register"}),
    ("/auth/verification-codes", {"login": "1" * 121, "purpose": "register"}),
    ("/auth/verification-codes", {"login": "  ", "purpose": "register"}),
    ("/auth/verification-codes", ["13800000020"]),
    ("/auth/register", {"login": "13800000020", "password": STRONG}),
    ("/auth/register", {"login": "13800000020", "password": "A#1" + "a" * 126, "code": "123456"}),
    ("/auth/register", {"login": "13800000020", "password": STRONG, "code": "1" * 17}),
    ("/auth/register", {"login": "13800000020", "password": STRONG, "code": "123456", "display_name": "x" * 121}),
    ("/auth/register", {"login": "13800000020", "password": None, "code": "123456"}),
    ("/auth/login", {"login": "13800000020", "password": ["x"]}),
    ("/auth/login", {"login": "13800000020", "password": "p" * 129}),
    ("/auth/login", {"login": "13800000020", "password": ""}),
    ("/auth/login", {"login": {"$ne": ""}, "password": "x"}),
    ("/auth/login", "13800000020"),
    ("/auth/refresh", {"refresh_token": "r" * 201}),
    ("/auth/refresh", {"refresh_token": 5}),
    ("/auth/password-reset", {"login": "13800000020", "code": "123456", "new_password": "P#1" + "a" * 126}),
]


def test_bad_requests_answer_4xx_in_the_error_shape(live_server: LiveServer) -> None:
    api = Api(live_server)
    for path, body in BAD_BODIES:
        r = api.post(path, body)
        assert r.status_code == 422, (path, body, r.status_code)
        assert error(r)["code"] == "VALIDATION_ERROR", (path, body)

    for path in ("/auth/login", "/auth/register", "/auth/refresh", "/auth/verification-codes"):
        r = api.http.post(
            f"{live_server.url}/api/v1{path}",
            data=b'{"login": "13800000020", "password": ',
            headers={"Content-Type": "application/json"},
            timeout=10,
        )
        assert r.status_code == 400, path
        assert error(r)["code"] == "MALFORMED_JSON"

    r = api.http.post(f"{live_server.url}/api/v1/auth/logout", data=b"{", headers={"Authorization": "Bearer x"})
    assert 400 <= r.status_code < 500
    error(r)
