"""Air-gapped activation end to end: the offline machine never reaches the server; a second data dir does.

Machine A is a client whose server URL is a dead loopback port. Machine B is another data dir, signed in,
talking to the real live server. Only files travel between them, as on a USB stick. The same exchange through
`python -m app offline …` processes is in tests/e2e/cli/test_offline.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from licence_protocol.envelope import public_key_from_b64

from app.domain.machines import MachineList
from app.domain.states import StateCode
from app.services.credentials import CredentialStore
from app.services.fingerprint import FixedFingerprint, hash_component
from app.services.licence_service import LicenceService
from app.services.offline_files import OfflineFileError, import_response, load_pending, upload_request, write_request
from app.services.paths import AppPaths
from app.services.settings import load_settings
from server.services.admin import IssuedKey
from tests.support.accounts import DEFAULT_PASSWORD, make_account, make_org
from tests.support.http_stubs import dead_url
from tests.support.keyring import MemoryKeyring
from tests.support.licensing import issue_licence
from tests.support.live import LiveServer

LOGIN = "13500000001"


@dataclass
class Machines:
    live: LiveServer
    tmp: Path
    key: IssuedKey
    keyring: MemoryKeyring

    def service(self, name: str, url: str) -> LicenceService:
        paths = AppPaths.from_data_dir(self.tmp / name)
        settings = load_settings(paths).settings.replace(server_url=url, proxy_mode="none")
        components = {n: hash_component(n, f"{name}-{n}") for n in ("machine_id", "product_uuid", "mac")}
        trusted = {k["kid"]: public_key_from_b64(k["public_key"]) for k in self.live.ctx.keys.public_keys()}
        return LicenceService(
            paths,
            settings,
            CredentialStore(backend=self.keyring),
            FixedFingerprint(components),
            trusted,
            now=self.live.clock.now,  # one clock for both sides: the tests move it by days
            machine_name=name.upper(),
        )

    def offline(self, name: str = "pc-a") -> LicenceService:
        return self.service(name, dead_url())

    def connected(self) -> LicenceService:
        b = self.service("pc-b", self.live.url)
        b.sign_in(LOGIN, DEFAULT_PASSWORD, remember=False)
        return b

    def exchange(self, offline: LicenceService, request_path: Path) -> Path:
        """Carry the request to B, upload it there, carry the response back."""
        response_path = request_path.with_name(request_path.stem + "-response.json")
        b = self.connected()
        try:
            upload_request(b, request_path, response_path)
        finally:
            b.api.close()
        return response_path

    def machines_on_server(self) -> MachineList:
        b = self.connected()
        try:
            return b.machines(self.key.licence_id)
        finally:
            b.api.close()


@pytest.fixture
def world(sqlite_server: LiveServer, tmp_path: Path) -> Machines:
    account_id = make_account(sqlite_server, LOGIN)
    make_org(sqlite_server, account_id)
    return Machines(sqlite_server, tmp_path, issue_licence(sqlite_server, lease_days=14), MemoryKeyring())


# ------------------------------------------------------------------------------------------ in-process services


def activate_offline(world: Machines, a: LicenceService, name: str = "activate.json") -> Path:
    request = world.tmp / "usb" / name
    write_request(a, "activate", request, serial=world.key.serial, cdkey=world.key.cdkey)
    return world.exchange(a, request)


def test_a_response_for_another_request_is_rejected(world: Machines) -> None:
    a = world.offline()
    first_response = activate_offline(world, a, "first.json")
    write_request(a, "activate", world.tmp / "usb" / "second.json", serial=world.key.serial, cdkey=world.key.cdkey)

    with pytest.raises(OfflineFileError) as refused:
        import_response(a, first_response)

    assert refused.value.code == "OFFLINE_RESPONSE_OTHER_REQUEST"
    assert a.local_status().document is None  # nothing was saved
    second_response = world.exchange(a, world.tmp / "usb" / "second.json")
    assert import_response(a, second_response).status.state.code == StateCode.ACTIVE


def test_a_response_for_another_machine_is_rejected(world: Machines) -> None:
    a, c = world.offline("pc-a"), world.offline("pc-c")
    response_for_a = activate_offline(world, a)
    write_request(c, "activate", world.tmp / "c-request.json", serial=world.key.serial, cdkey=world.key.cdkey)

    with pytest.raises(OfflineFileError) as other_machine:
        import_response(c, response_for_a)
    # A copied data dir does not help either: the pending request names A's feature code.
    (c.paths.data_dir / "offline-pending.json").write_bytes((a.paths.data_dir / "offline-pending.json").read_bytes())
    with pytest.raises(OfflineFileError) as copied:
        import_response(c, response_for_a)
    # Nor does editing the response's echo to C's feature code and nonce: the signed document names A.
    forged = json.loads(response_for_a.read_text("utf-8"))
    write_request(c, "activate", world.tmp / "c-request-2.json", serial=world.key.serial, cdkey=world.key.cdkey)
    pending_c = load_pending(c.paths)
    assert pending_c is not None
    forged.update(fingerprint=pending_c["fingerprint"], request_nonce=pending_c["nonce"])
    (world.tmp / "forged.json").write_text(json.dumps(forged), "utf-8")
    with pytest.raises(OfflineFileError) as edited:
        import_response(c, world.tmp / "forged.json")

    assert other_machine.value.code == copied.value.code == "OFFLINE_RESPONSE_OTHER_MACHINE"
    assert edited.value.code == "OFFLINE_RESPONSE_OTHER_REQUEST"  # the signed nonce is A's
    assert c.local_status().document is None
    assert import_response(a, response_for_a).status.state.code == StateCode.ACTIVE


def test_the_same_exchange_refreshes_the_lease(world: Machines) -> None:
    a = world.offline()
    first = import_response(a, activate_offline(world, a)).status
    assert first.document is not None and first.state.code == StateCode.ACTIVE
    world.live.clock.advance(timedelta(days=10))  # ten days offline; the lease (14 days) is running out

    refresh = world.tmp / "usb" / "refresh.json"
    write_request(a, "refresh", refresh)
    refreshed = import_response(a, world.exchange(a, refresh))

    assert refreshed.action == "refresh" and refreshed.status.document is not None
    assert refreshed.status.document.lease_expires_at >= first.document.lease_expires_at + timedelta(days=10)
    assert refreshed.status.state.code == StateCode.ACTIVE
    assert len(world.machines_on_server().machines) == 1  # the same seat, renewed


def test_the_same_exchange_deactivates_and_frees_the_seat(world: Machines) -> None:
    a = world.offline()
    activated = import_response(a, activate_offline(world, a)).status
    assert activated.document is not None
    machine_id = activated.document.machine.id
    assert [m.id for m in world.machines_on_server().machines] == [machine_id]

    request = world.tmp / "usb" / "deactivate.json"
    write_request(a, "deactivate", request)
    # Writing the request deletes the document at once, whether or not the file reaches the server.
    assert a.local_status().document is None
    assert a.local_status().state.code == StateCode.NOT_ACTIVATED

    response = world.exchange(a, request)
    listing = world.machines_on_server()
    assert listing.machines == () and listing.seats.used == 0

    released = import_response(a, response)
    assert released.action == "deactivate" and released.machine_id == machine_id
    assert load_pending(a.paths) is None
    with pytest.raises(OfflineFileError) as again:
        import_response(a, response)
    assert again.value.code == "OFFLINE_NO_PENDING_REQUEST"


def test_an_air_gapped_panel_still_shows_its_licence_after_a_restart(world: Machines) -> None:
    a = world.offline()
    assert import_response(a, activate_offline(world, a)).status.state.code == StateCode.ACTIVE

    restarted = world.offline()  # the panel starts again on the same data dir; nobody can ever sign in here
    assert restarted.restore_session() is None
    assert restarted.local_status().state.code == StateCode.ACTIVE

    restarted.sign_out()  # an explicit sign-out is respected from then on
    again = world.offline()
    assert again.restore_session() is None
    assert again.local_status().state.code == StateCode.NOT_LOGGED_IN
