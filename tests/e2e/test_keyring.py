"""Refresh tokens in a REAL Secret Service (gnome-keyring inside dbus-run-session; see scripts/test.sh).

The ``keyring``-marked tests are skipped unless LP_HAVE_SECRET_SERVICE=1; with LP_REQUIRE_KEYRING=1 a
missing Secret Service fails them instead. The fallback tests at the end need no keyring at all.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import KeyringError, PasswordSetError

from app.logging_setup import RedactingFilter
from app.services.cache import LicenceCache
from app.services.credentials import SERVICE_NAME, CredentialError, CredentialStore
from app.services.paths import AppPaths
from app.services.settings import ClientSettings, load_settings, save_settings
from tests.support.accounts import DEFAULT_PASSWORD, make_account
from tests.support.live import LiveServer


@pytest.fixture
def secret_service() -> None:
    if os.environ.get("LP_HAVE_SECRET_SERVICE") != "1":
        if os.environ.get("LP_REQUIRE_KEYRING") == "1":
            pytest.fail("LP_REQUIRE_KEYRING=1 but no Secret Service session (run through scripts/test.sh)")
        pytest.skip("no Secret Service session (LP_HAVE_SECRET_SERVICE is not 1)")


@pytest.fixture
def login(secret_service: None) -> Iterator[str]:
    name = f"1380000{uuid.uuid4().int % 10_000:04d}-{uuid.uuid4().hex[:6]}"
    yield name
    CredentialStore().delete(name)


def secret_service_items(login: str) -> list[str]:
    """Read the keyring with secretstorage directly, not through our code: what is really stored."""
    import secretstorage

    connection = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(connection)
        return [
            item.get_secret().decode() for item in collection.search_items({"service": SERVICE_NAME, "username": login})
        ]
    finally:
        connection.close()


@pytest.mark.keyring
def test_the_secret_service_is_a_persistent_backend(secret_service: None) -> None:
    store = CredentialStore()
    assert store.persistent, store.unavailable_reason
    assert store.unavailable_reason is None


@pytest.mark.keyring
def test_round_trip_survives_a_new_store_and_delete_forgets(login: str) -> None:
    token = "rt_" + uuid.uuid4().hex
    CredentialStore().save_refresh_token(login, token)

    assert secret_service_items(login) == [token]
    assert CredentialStore().load_refresh_token(login) == token  # a later session reads it back

    CredentialStore().save_refresh_token(login, token + "-rotated")  # rotation replaces, never duplicates
    assert secret_service_items(login) == [token + "-rotated"]

    CredentialStore().delete(login)
    assert CredentialStore().load_refresh_token(login) is None
    assert secret_service_items(login) == []
    CredentialStore().delete(login)  # deleting twice is harmless


@pytest.mark.keyring
def test_after_a_session_no_token_or_password_is_in_any_file_of_the_data_dir(
    sqlite_server: LiveServer, tmp_path: Path, login: str
) -> None:
    paths = AppPaths.from_data_dir(tmp_path / "client")
    make_account(sqlite_server, login)
    answer = sqlite_server.http().post(
        f"{sqlite_server.url}/api/v1/auth/login", json={"login": login, "password": DEFAULT_PASSWORD}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    tokens = answer.json()
    secrets_seen = [tokens["refresh_token"], tokens["access_token"], DEFAULT_PASSWORD]

    # What a session leaves behind: settings, a log written through our redacting filter, a cache.
    handler = logging.FileHandler(paths.ensure_log_dir() / "session.log", encoding="utf-8")
    handler.addFilter(RedactingFilter())
    log = logging.getLogger("test.keyring.session")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        store = CredentialStore()
        store.save_refresh_token(login, tokens["refresh_token"])
        save_settings(paths, ClientSettings(last_login=login, remember_login=True))
        LicenceCache(paths).save({"v": 1, "kid": "none"}, last_online_check=datetime.now(UTC))
        # A careless log line: the filter is the second line of defence.
        log.info("signed in %s with refresh_token=%s", login, tokens["refresh_token"])
        log.info("login body %s", {"login": login, "password": DEFAULT_PASSWORD})
        log.info("bearer header: Bearer %s", tokens["access_token"])
    finally:
        log.removeHandler(handler)
        handler.close()

    assert CredentialStore().load_refresh_token(login) == tokens["refresh_token"]
    assert load_settings(paths).settings.last_login == login
    files = [p for p in paths.data_dir.rglob("*") if p.is_file()]
    assert len(files) >= 3
    for path in files:
        content = path.read_bytes()
        for secret in secrets_seen:
            assert secret.encode() not in content, f"a secret leaked into {path.name}"


# --- without a usable keyring: said clearly, and the session keeps working --------------------------


class BrokenKeyring(KeyringBackend):
    """A backend that looks usable but fails every call (a locked or crashing Secret Service)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringError("the keyring daemon went away")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError(f"refused to store {password}")  # a careless backend echoing the secret

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringError(f"refused for {username}")


def test_no_keyring_backend_keeps_tokens_for_the_session_only() -> None:
    store = CredentialStore(backend=fail.Keyring())
    assert not store.persistent
    assert "no system keyring" in (store.unavailable_reason or "")
    store.save_refresh_token("alice", "rt-secret-1")
    assert store.load_refresh_token("alice") == "rt-secret-1"
    assert CredentialStore(backend=fail.Keyring()).load_refresh_token("alice") is None  # gone with the session
    store.delete("alice")
    assert store.load_refresh_token("alice") is None


def test_an_empty_chainer_is_no_keyring() -> None:
    from keyring.backends import chainer

    class EmptyChainer(chainer.ChainerBackend):
        backends: ClassVar[list[KeyringBackend]] = []  # what the chainer finds on a machine without a keyring

    assert not CredentialStore(backend=EmptyChainer()).persistent


def test_a_failing_keyring_degrades_without_leaking_the_token(caplog: pytest.LogCaptureFixture) -> None:
    store = CredentialStore(backend=BrokenKeyring())
    assert store.persistent
    with caplog.at_level(logging.DEBUG):
        store.save_refresh_token("alice", "rt-secret-2")
    assert not store.persistent and "PasswordSetError" in (store.unavailable_reason or "")
    assert store.load_refresh_token("alice") == "rt-secret-2"  # still signed in for this session
    assert "rt-secret-2" not in caplog.text

    failing = CredentialStore(backend=BrokenKeyring())
    with pytest.raises(CredentialError) as raised:
        failing.delete("alice")
    assert "alice" not in str(raised.value) and raised.value.__cause__ is None
