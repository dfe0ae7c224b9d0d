"""Lease, clock watermark and maintenance with controllable clocks: the server's ``live.clock.advance`` and the
LicenceService's injectable ``now``. Every status along the way is also checked as ``status --json``."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest

from app.domain.lease import LeaseLevel, lease, maintenance_retry_delay
from app.domain.states import StateCode
from app.resources import resource_path
from app.services.local_status import LocalStatus, read_local_status, status_as_json
from server.embedded import EmbeddedServer
from server.models import Announcement
from tests.e2e.test_licence_service import LOGIN, ClientClock, MemoryKeyring, World, activated, machine
from tests.support.accounts import make_account, make_org
from tests.support.live import LiveServer


@pytest.fixture
def world(sqlite_server: LiveServer, tmp_path: Path) -> World:
    account_id = make_account(sqlite_server, LOGIN)
    org_id = make_org(sqlite_server, account_id)
    return World(sqlite_server, tmp_path, MemoryKeyring(), ClientClock(sqlite_server), org_id, account_id)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(resource_path("status.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def code(status: LocalStatus) -> StateCode:
    assert status.state is not None
    return status.state.code


def as_json(status: LocalStatus, validator: jsonschema.Draft202012Validator) -> dict:
    report = status_as_json(status)
    validator.validate(report)
    return report


def test_offline_the_lease_counts_down_expires_and_one_online_check_renews_it(
    world: World, validator: jsonschema.Draft202012Validator
) -> None:
    service, _key = activated(world)
    lease_end = service.local_status().document.lease_expires_at  # type: ignore[union-attr]
    port = world.live.server.port
    world.live.server.stop()  # the office loses its link

    world.clock.offset = lease_end - world.live.clock.now() - timedelta(days=2, hours=1)
    status = service.reauthenticate()
    assert code(status) is StateCode.OFFLINE_GRACE and status.usable and service.online is False
    assert lease(lease_end, service.now()).level is LeaseLevel.STRONG
    report = as_json(status, validator)
    assert report["licence"]["lease_days_left"] == 2 and report["exit_code"] == 0
    assert "2 days left" in report["state"]["explanation"]

    world.clock.advance(timedelta(days=3))
    status = service.reauthenticate()
    assert code(status) is StateCode.LEASE_EXPIRED and not status.usable
    report = as_json(status, validator)
    assert report["exit_code"] == 2 and report["licence"]["lease_days_left"] < 0

    world.live.clock.advance(world.clock.offset)  # the network comes back, days later for everyone
    world.clock.offset = timedelta()
    world.live.server = EmbeddedServer(world.live.ctx, port=port).start()
    status = service.reauthenticate()
    assert code(status) is StateCode.ACTIVE and service.online is True
    renewed = status.document.lease_expires_at  # type: ignore[union-attr]
    assert renewed > lease_end and lease(renewed, service.now()).level is LeaseLevel.NORMAL


def test_a_clock_set_back_reads_clock_tampered_and_small_corrections_do_not(
    world: World, validator: jsonschema.Draft202012Validator
) -> None:
    service, _key = activated(world)
    world.clock.advance(timedelta(days=10))
    assert code(service.local_status()) is StateCode.ACTIVE  # the watermark moves to +10 days

    world.clock.advance(-timedelta(days=8))
    status = service.local_status()
    assert code(status) is StateCode.CLOCK_TAMPERED and status.exit_code == 2
    assert as_json(status, validator)["state"]["label_zh"] == "系统时间异常"

    world.clock.advance(timedelta(days=8) - timedelta(hours=2))  # NTP-sized difference from the latest seen
    assert code(service.local_status()) is StateCode.ACTIVE


def test_the_server_time_is_the_authority_after_an_online_check(world: World) -> None:
    service, _key = activated(world)
    world.clock.advance(timedelta(days=10))
    service.local_status()
    world.clock.advance(-timedelta(days=8))
    assert code(service.local_status()) is StateCode.CLOCK_TAMPERED

    # The server confirms the time is plausible (still ahead of it): the watermark heals.
    assert code(service.reauthenticate()) is StateCode.ACTIVE

    # A clock more than a day behind the server's own time stays refused, online or not.
    world.clock.offset = -timedelta(days=3)
    assert code(service.reauthenticate()) is StateCode.CLOCK_TAMPERED


def test_the_keyring_copy_of_the_watermark_outlives_deleting_both_file_copies(world: World) -> None:
    service, _key = activated(world)
    world.clock.advance(timedelta(days=10))
    assert code(service.local_status()) is StateCode.ACTIVE  # every copy moves to +10 days, the keyring's too
    paths = service.paths
    paths.watermark_file.unlink()
    record = json.loads(paths.licence_file.read_text("utf-8"))
    paths.licence_file.write_text(json.dumps({**record, "clock_watermark": None}), encoding="utf-8")
    world.clock.advance(-timedelta(days=8))

    assert code(world.service().local_status()) is StateCode.CLOCK_TAMPERED  # the next panel session
    # The panel wrote the deleted copies back, so the offline `status` (no keyring) detects it again too.
    offline = read_local_status(
        paths, now=world.clock.now(), components=machine("pc1").components(), trusted=world.trusted()
    )  # type: ignore[arg-type]
    assert code(offline) is StateCode.CLOCK_TAMPERED


def _maintenance(world: World, lasts: timedelta) -> None:
    starts = world.live.clock.now() - timedelta(minutes=5)
    with world.live.session() as s:
        s.add(Announcement(kind="maintenance", title="系统升级", body="", starts_at=starts, ends_at=starts + lasts))


def test_maintenance_keeps_the_cached_state_says_when_to_retry_and_ends(
    world: World, validator: jsonschema.Draft202012Validator
) -> None:
    service, _key = activated(world)
    _maintenance(world, timedelta(hours=1, minutes=5))

    status = service.reauthenticate()
    assert code(status) is StateCode.ACTIVE, "no OFFLINE_GRACE: the server answered, it is only paused"
    assert service.online is None and service.maintenance is not None
    window = service.maintenance
    assert window.title == "系统升级" and window.retry_after is not None and 3500 < window.retry_after <= 3600
    assert timedelta(minutes=58) < maintenance_retry_delay(window, service.now()) <= timedelta(hours=1, seconds=2)
    as_json(status, validator)
    [announced] = service.announcements()  # readable during the window, for the banner
    assert announced.is_maintenance and announced.in_force(world.live.clock.now())

    world.clock.advance(timedelta(days=20))  # offline far beyond the lease meanwhile: the lease still decides
    assert code(service.reauthenticate()) is StateCode.LEASE_EXPIRED
    world.clock.advance(-timedelta(days=20))

    world.live.clock.advance(timedelta(hours=1))
    world.clock.advance(timedelta(hours=1))
    status = service.reauthenticate()
    assert code(status) is StateCode.ACTIVE and service.maintenance is None and service.online is True
