"""Set-up for the lease, maintenance and add-on tests: a controllable client clock, an activated panel, a server
going away and coming back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.services.credentials import CredentialStore
from app.services.fingerprint import FixedFingerprint
from app.services.licence_service import LicenceService
from app.services.paths import AppPaths
from app.services.settings import load_settings
from server.embedded import EmbeddedServer
from server.models import Announcement
from tests.gui.conftest import Demo, MemoryKeyring, machine, trusted_keys
from tests.support.live import LiveServer


@dataclass
class ClientClock:
    """The LicenceService's injectable ``now``: real time plus an offset a test moves."""

    offset: timedelta = field(default_factory=timedelta)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


def clocked_service(
    demo: Demo, data_dir: Path, clock: ClientClock, *, fingerprint: FixedFingerprint | None = None
) -> LicenceService:
    paths = AppPaths.from_data_dir(data_dir)
    settings = load_settings(paths).settings.replace(server_url=demo.live.url, proxy_mode="none")
    return LicenceService(
        paths,
        settings,
        CredentialStore(backend=MemoryKeyring()),
        fingerprint or machine("pc1"),
        trusted_keys(demo.live),
        now=clock.now,
    )


def activate(demo: Demo, service: LicenceService, scenario: str, org_id: int | None = None) -> Any:
    """Sign in (remembered) and activate a demo scenario's licence without the GUI: set-up, not the subject."""
    service.sign_in(*demo.login, remember=True)
    data = demo.scenario(scenario)
    return service.activate(data["serial"], data["cdkey"], org_id or data["org_id"])


def stop(live: LiveServer) -> None:
    """The server goes away (connection refused), as when the office loses its internet link."""
    live.server.stop()


def restart(live: LiveServer) -> None:
    """The server comes back on the same address; the fixture stops this new one at teardown."""
    port = live.server.port
    live.server = EmbeddedServer(live.ctx, port=port).start()


def advance_both(demo: Demo, clock: ClientClock, delta: timedelta) -> None:
    """Time passes for everyone (server and this computer alike)."""
    demo.live.clock.advance(delta)
    clock.advance(delta)


def announce(
    live: LiveServer, *, kind: str, starts_in: timedelta, lasts: timedelta, title: str, body: str = ""
) -> None:
    starts = live.clock.now() + starts_in
    with live.session() as s:
        s.add(Announcement(kind=kind, title=title, body=body, starts_at=starts, ends_at=starts + lasts))
