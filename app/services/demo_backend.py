"""The reference server embedded for ``python -m app --demo``; the only client module that imports ``server``."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from licence_protocol.envelope import public_key_from_b64

from app.services.paths import write_atomically

log = logging.getLogger(__name__)

DEMO_SERVER_DIR = "demo-server"
DEMO_DATA_FILE = "demo.json"


@dataclass
class DemoBackend:
    """A running demo server: its URL, the keys to trust, and the demo logins and scenario keys."""

    url: str
    public_keys: dict[str, Ed25519PublicKey]
    data: dict[str, Any]  # {"logins": [...], "scenarios": {name: {...}}} as `server demo-data --json` prints
    root: Path
    _server: Any = field(repr=False)

    @property
    def demo_login(self) -> dict[str, Any] | None:
        logins = self.data.get("logins") or []
        return logins[0] if logins else None

    def stop(self) -> None:
        self._server.stop()


def start_demo_backend(data_dir: Path) -> DemoBackend:
    """Start (seeding on first use) the demo server under ``<data_dir>/demo-server`` on a free loopback port."""
    from server.clock import Clock
    from server.config import Settings
    from server.context import ServerContext
    from server.db import session_scope, upgrade_to_head
    from server.embedded import EmbeddedServer

    root = Path(data_dir) / DEMO_SERVER_DIR
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Every location given explicitly: LP_* variables meant for a real server must not redirect the demo.
    settings = Settings(
        data_dir=root, database_url=f"sqlite:///{root / 'demo.sqlite3'}", key_dir=root / "keys", demo=True
    )
    upgrade_to_head(settings.resolved_database_url())
    ctx = ServerContext.create(settings, Clock())

    data_file = root / DEMO_DATA_FILE
    data = _read_demo_data(data_file)
    if data is None:
        from server.services.demo import seed_demo

        with session_scope(ctx.sessions) as session:
            data = seed_demo(session, ctx.clock.now()).to_json()
        # Seeding issues new keys each time and the server keeps only CDkey hashes, so the clear-text
        # demo logins and scenario CDkeys are kept here to show them again on the next start. This is
        # acceptable only because it is demo data, in the demo server's own directory (owner-only file).
        write_atomically(data_file, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))

    server = EmbeddedServer(ctx).start()
    keys = {k["kid"]: public_key_from_b64(k["public_key"]) for k in ctx.keys.public_keys()}
    log.info("demo server running at %s", server.url)
    return DemoBackend(url=server.url, public_keys=keys, data=data, root=root, _server=server)


def _read_demo_data(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        log.warning("demo data file unreadable; seeding the demo again")
        return None
    return data if isinstance(data, dict) and isinstance(data.get("logins"), list) else None
