"""GUI fixtures: the themed QApplication, a LicenceService on a tmp data dir with an in-memory keyring, demo data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from licence_protocol.envelope import public_key_from_b64

from app import i18n
from app.services.credentials import CredentialStore
from app.services.fingerprint import FixedFingerprint, hash_component
from app.services.licence_service import LicenceService
from app.services.paths import AppPaths
from app.services.settings import load_settings
from app.ui.collector import collect_on_gui_thread
from app.ui.runner import _pool
from tests.support.keyring import MemoryKeyring
from tests.support.live import LiveServer


def machine(seed: str) -> FixedFingerprint:
    return FixedFingerprint({n: hash_component(n, f"{seed}-{n}") for n in ("machine_id", "product_uuid", "mac")})


@pytest.fixture(scope="session")
def qapp(qapp: Any) -> Any:
    """pytest-qt's QApplication, collecting reference cycles on its thread as the panel does."""
    collect_on_gui_thread(qapp)
    return qapp


@pytest.fixture
def panel_app(qapp: Any) -> Iterator[Any]:
    """The QApplication styled like the real panel, in English unless a test switches."""
    from app.ui.theme import apply_theme

    i18n.set_language("en")
    apply_theme(qapp)  # after the language: it sets the font and direction (a Persian test leaves RTL behind)
    yield qapp
    i18n.set_language("en")
    _pool().waitForDone(10_000)  # no worker may outlive its test's server


ServiceFactory = Callable[..., LicenceService]


@pytest.fixture
def make_service(tmp_path: Path) -> ServiceFactory:
    """``make_service(url, trusted=…, name=…)``: a LicenceService on its own data dir, in-memory keyring."""
    store = MemoryKeyring()

    def make(url: str, *, trusted: dict[str, Any] | None = None, name: str = "pc1") -> LicenceService:
        paths = AppPaths.from_data_dir(tmp_path / name)
        settings = load_settings(paths).settings.replace(server_url=url, proxy_mode="none")
        return LicenceService(paths, settings, CredentialStore(backend=store), machine(name), trusted or {})

    return make


def trusted_keys(live: LiveServer) -> dict[str, Any]:
    return {k["kid"]: public_key_from_b64(k["public_key"]) for k in live.ctx.keys.public_keys()}


@dataclass
class Demo:
    live: LiveServer
    data: dict[str, Any]

    @property
    def login(self) -> tuple[str, str]:
        first = self.data["logins"][0]
        return first["login"], first["password"]

    def scenario(self, name: str) -> dict[str, Any]:
        return self.data["scenarios"][name]


@pytest.fixture
def demo(sqlite_server: LiveServer) -> Demo:
    """The live server seeded with the demo data (`python -m server demo-data`)."""
    from server.services.demo import seed_demo

    with sqlite_server.session() as session:
        data = seed_demo(session, sqlite_server.clock.now()).to_json()
    return Demo(sqlite_server, data)


@pytest.fixture
def demo_service(demo: Demo, make_service: ServiceFactory) -> LicenceService:
    return make_service(demo.live.url, trusted=trusted_keys(demo.live))
