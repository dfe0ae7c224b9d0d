"""LicenceService end to end: sign in, activate, re-authenticate, offline — against the real server on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from licence_protocol.envelope import public_key_from_b64

from app.domain.machines import Seats
from app.domain.states import StateCode
from app.services.credentials import CLOCK_SERVICE_NAME, CredentialStore
from app.services.errors import ApiError, CancelledError, InvalidDocumentError, NetworkError
from app.services.fingerprint import FixedFingerprint, hash_component
from app.services.licence_service import LicenceService
from app.services.paths import AppPaths
from app.services.settings import ClientSettings, load_settings
from server.services.admin import IssuedKey, create_policy, create_product, issue_licences, set_licence_status
from tests.support.accounts import DEFAULT_PASSWORD, make_account, make_org
from tests.support.http_stubs import Gateway, Reply, Seen, SilentServer
from tests.support.keyring import MemoryKeyring
from tests.support.live import LiveServer

LOGIN = "13700000001"


class ClientClock:
    """The client's own clock, moved by tests independently of the server's."""

    def __init__(self, live: LiveServer) -> None:
        self.live = live
        self.offset = timedelta()

    def now(self) -> datetime:
        return self.live.clock.now() + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


def machine(seed: str) -> FixedFingerprint:
    return FixedFingerprint(
        {name: hash_component(name, f"{seed}-{name}") for name in ("machine_id", "product_uuid", "mac")}
    )


@dataclass
class World:
    live: LiveServer
    tmp: Path
    keyring: MemoryKeyring
    clock: ClientClock
    org_id: int
    account_id: int

    def trusted(self) -> dict[str, object]:
        return {k["kid"]: public_key_from_b64(k["public_key"]) for k in self.live.ctx.keys.public_keys()}

    def service(
        self, url: str | None = None, *, name: str = "pc1", fingerprint: FixedFingerprint | None = None
    ) -> LicenceService:
        paths = AppPaths.from_data_dir(self.tmp / name)
        settings = load_settings(paths).settings.replace(server_url=url or self.live.url, proxy_mode="none")
        return LicenceService(
            paths,
            settings,
            CredentialStore(backend=self.keyring),
            fingerprint or machine(name),
            self.trusted(),  # type: ignore[arg-type]
            now=self.clock.now,
        )

    def licence(self, seats: int = 3) -> IssuedKey:
        with self.live.session() as s:
            product = create_product(s, code="KJH-STD", name="e会计 标准版", version="5.0")
            policy = create_policy(
                s,
                product=product,
                code=f"std-{seats}",
                name=f"标准版 {seats} 台",
                edition="standard",
                max_machines=seats,
                duration_days=365,
            )
            return issue_licences(s, policy=policy, count=1, now=self.live.clock.now())[0]


@pytest.fixture
def world(sqlite_server: LiveServer, tmp_path: Path) -> Iterator[World]:
    account_id = make_account(sqlite_server, LOGIN)
    org_id = make_org(sqlite_server, account_id)
    yield World(sqlite_server, tmp_path, MemoryKeyring(), ClientClock(sqlite_server), org_id, account_id)


def activated(world: World, url: str | None = None, **kw: object) -> tuple[LicenceService, IssuedKey]:
    service = world.service(url, **kw)  # type: ignore[arg-type]
    service.sign_in(LOGIN, DEFAULT_PASSWORD, remember=True)
    key = world.licence()
    status = service.activate(key.serial, key.cdkey, world.org_id)
    assert status.state is not None and status.state.code is StateCode.ACTIVE
    return service, key


# -- sign-in, activation, restore ----------------------------------------------------------------------


def test_sign_in_activate_then_a_new_session_reads_active_from_the_cache(world: World) -> None:
    service, key = activated(world)
    status = service.local_status()
    assert status.document is not None and status.document.organisation.id == world.org_id
    assert status.document.serial_masked != key.serial  # only the masked serial is cached
    assert key.cdkey not in service.paths.licence_file.read_text("utf-8")

    again = world.service()  # the panel started again
    # First paint, before the keyring and the server are asked: the remembered session counts provisionally.
    assert again.local_status().state.code is StateCode.ACTIVE  # type: ignore[union-attr]
    account = again.restore_session()
    assert account is not None and account.login == LOGIN
    assert again.local_status().state.code is StateCode.ACTIVE  # type: ignore[union-attr]


def credentials_in(keyring: MemoryKeyring) -> dict[tuple[str, str], str]:
    """The keyring entries other than the clock watermark's copy (which is no credential)."""
    return {key: value for key, value in keyring.items.items() if key[0] != CLOCK_SERVICE_NAME}


def test_only_the_refresh_token_is_kept_and_only_when_remembered(world: World) -> None:
    service = world.service()
    service.sign_in(LOGIN, DEFAULT_PASSWORD, remember=False)
    assert credentials_in(world.keyring) == {}
    saved = load_settings(service.paths).settings
    assert saved.last_login == LOGIN and saved.remember_login is False
    assert "token" not in service.paths.settings_file.read_text("utf-8").replace('"remember_login"', "")

    service.sign_in(LOGIN, DEFAULT_PASSWORD, remember=True)
    assert list(credentials_in(world.keyring)) == [("licence-panel", LOGIN)]
    service.sign_out()
    assert credentials_in(world.keyring) == {}
    assert service.local_status().state.code is StateCode.NOT_LOGGED_IN  # type: ignore[union-attr]


def test_rotated_refresh_token_is_saved_to_the_keyring(world: World) -> None:
    service = world.service()
    service.sign_in(LOGIN, DEFAULT_PASSWORD, remember=True)
    first = world.keyring.items[("licence-panel", LOGIN)]
    world.live.clock.advance(timedelta(minutes=20))  # the access token expired: the next call refreshes
    assert service.me().account.login == LOGIN
    second = world.keyring.items[("licence-panel", LOGIN)]
    assert second != first
    assert world.service().restore_session() is not None  # the stored (rotated) token works


# -- online re-authentication --------------------------------------------------------------------------


def test_reauthenticate_refreshes_the_cached_document(world: World) -> None:
    service, _key = activated(world)
    first_check = service.local_status().last_online_check
    world.live.clock.advance(timedelta(days=2))
    world.clock.offset = timedelta()
    status = service.reauthenticate()
    assert status.state.code is StateCode.ACTIVE  # type: ignore[union-attr]
    assert status.last_online_check is not None and first_check is not None
    assert status.last_online_check - first_check >= timedelta(days=2)


def test_replayed_old_validate_answer_is_refused_and_not_saved(world: World) -> None:
    captured: dict[str, Reply] = {}

    def replay(seen: Seen) -> Reply | None:
        return captured.get("validate") if seen.path.endswith("/validate") else None

    with Gateway(world.live.url, hook=replay) as gateway:
        service, _key = activated(world, gateway.url)
        service.reauthenticate()  # a genuine answer, captured by the gateway
        captured["validate"] = next(r for s, r in gateway.answers if s.path.endswith("/validate"))
        before = service.paths.licence_file.read_bytes()
        world.live.clock.advance(timedelta(days=1))
        with pytest.raises(InvalidDocumentError):
            service.reauthenticate()  # the proxy now replays the old "valid" answer
        assert service.paths.licence_file.read_bytes() == before


def test_dead_server_gives_offline_grace_then_lease_expired(world: World) -> None:
    with Gateway(world.live.url) as gateway:
        service, _key = activated(world, gateway.url)
    # The gateway is gone: nobody listens on its port any more.
    with pytest.raises(NetworkError) as caught:
        service.machines()
    assert caught.value.kind == "connect"
    assert service.reauthenticate().state.code is StateCode.OFFLINE_GRACE  # type: ignore[union-attr]
    world.clock.advance(timedelta(days=30))  # past the offline lease
    assert service.reauthenticate().state.code is StateCode.LEASE_EXPIRED  # type: ignore[union-attr]


def test_remembered_login_offline_reads_offline_grace_not_logged_out(world: World) -> None:
    with Gateway(world.live.url) as gateway:
        activated(world, gateway.url)
        again = world.service(gateway.url)
    assert again.restore_session() is None  # the server cannot confirm the session…
    assert again.local_status().state.code is StateCode.OFFLINE_GRACE  # type: ignore[union-attr]


def test_cancel_ends_a_restore_against_a_server_that_never_answers(world: World) -> None:
    world.service().sign_in(LOGIN, DEFAULT_PASSWORD, remember=True)
    with SilentServer() as silent:
        service = world.service(silent.url)
        cancel = threading.Event()
        outcome: list[BaseException] = []

        def restore() -> None:
            try:
                service.restore_session(cancel=cancel)
            except BaseException as exc:
                outcome.append(exc)

        worker = threading.Thread(target=restore)
        worker.start()
        assert silent.accepted.wait(10)
        cancel.set()
        worker.join(timeout=5)
        assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], CancelledError)


# -- licence errors become states ------------------------------------------------------------------------


def test_suspension_found_online_keeps_the_document_and_shows_suspended(world: World) -> None:
    service, key = activated(world)
    with world.live.session() as s:
        set_licence_status(s, serial=key.serial, status="suspended")
    status = service.reauthenticate()
    assert status.state.code is StateCode.SUSPENDED  # type: ignore[union-attr]
    assert status.document is not None  # the cached document is kept


def test_seat_limit_then_deactivate_frees_the_seat(world: World) -> None:
    first = world.service(name="pc1")
    first.sign_in(LOGIN, DEFAULT_PASSWORD, remember=False)
    key = world.licence(seats=1)
    first.activate(key.serial, key.cdkey, world.org_id)

    second = world.service(name="pc2")
    second.sign_in(LOGIN, DEFAULT_PASSWORD, remember=False)
    with pytest.raises(ApiError) as caught:
        second.activate(key.serial, key.cdkey, world.org_id)
    assert caught.value.code == "TOO_MANY_MACHINES"
    assert second.local_status().state.code is StateCode.TOO_MANY_MACHINES  # type: ignore[union-attr]

    listed = first.machines()
    assert listed.seats == Seats(used=1, max=1)
    status = first.deactivate(listed.machines[0].id)  # this very machine
    assert status.state.code is StateCode.NOT_ACTIVATED  # type: ignore[union-attr]
    assert second.activate(key.serial, key.cdkey, world.org_id).state.code is StateCode.ACTIVE  # type: ignore[union-attr]


def test_changed_hardware_reads_fingerprint_changed_until_reregistered(world: World) -> None:
    service, _key = activated(world)
    old = service.fingerprint.components()
    # The board was replaced: machine id and network card differ, the product UUID stayed.
    service.fingerprint = FixedFingerprint({**old, "machine_id": "0" * 64, "mac": "1" * 64})
    status = service.reauthenticate()
    assert status.state.code is StateCode.FINGERPRINT_CHANGED  # type: ignore[union-attr]
    assert service.reregister().state.code is StateCode.ACTIVE  # type: ignore[union-attr]


def test_settings_change_of_server_drops_the_session(world: World) -> None:
    service = world.service()
    service.sign_in(LOGIN, DEFAULT_PASSWORD, remember=False)
    service.apply_settings(service.settings.replace(proxy_mode="none", language="en"))
    assert service.signed_in  # same server: still signed in
    service.apply_settings(ClientSettings(server_url="http://127.0.0.1:9", proxy_mode="none"))
    assert not service.signed_in


# -- the embedded demo backend ---------------------------------------------------------------------------


def test_demo_backend_seeds_once_and_its_fresh_scenario_activates(tmp_path: Path) -> None:
    from app.services.demo_backend import start_demo_backend

    backend = start_demo_backend(tmp_path)
    try:
        fresh, login = backend.data["scenarios"]["fresh"], backend.demo_login
        assert login is not None
        service = LicenceService(
            AppPaths.from_data_dir(tmp_path),
            ClientSettings(proxy_mode="none"),
            CredentialStore(backend=MemoryKeyring()),
            machine("demo-pc"),
            backend.public_keys,
            server_url=backend.url,
        )
        service.sign_in(login["login"], login["password"], remember=False)
        status = service.activate(fresh["serial"], fresh["cdkey"], fresh["org_id"])
        assert status.state.code is StateCode.ACTIVE  # type: ignore[union-attr]
        assert load_settings(service.paths).settings.server_url != backend.url  # the demo port is not saved
    finally:
        backend.stop()
    restarted = start_demo_backend(tmp_path)
    try:
        assert restarted.data == backend.data  # not seeded again: the shown keys stay valid
        assert restarted.public_keys.keys() == backend.public_keys.keys()
    finally:
        restarted.stop()


def test_a_remembered_session_that_is_gone_ends_at_not_logged_in(world: World) -> None:
    activated(world)
    world.keyring.items.clear()  # e.g. the keyring was reset, or the token was revoked and forgotten

    again = world.service()
    assert again.local_status().state.code is StateCode.ACTIVE  # type: ignore[union-attr]  # provisional
    assert again.restore_session() is None
    assert again.local_status().state.code is StateCode.NOT_LOGGED_IN  # type: ignore[union-attr]
    assert world.service().local_status().state.code is StateCode.NOT_LOGGED_IN  # and so from the next start on
