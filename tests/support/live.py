"""Start the real licence server on a loopback port against a fresh database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import requests

from server.clock import Clock
from server.config import Settings
from server.context import ServerContext
from server.db import session_scope, upgrade_to_head
from server.embedded import EmbeddedServer


@dataclass
class LiveServer:
    server: EmbeddedServer

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def ctx(self) -> ServerContext:
        return self.server.ctx

    @property
    def clock(self) -> Clock:
        return self.server.ctx.clock

    def session(self):
        return session_scope(self.ctx.sessions)

    def http(self) -> requests.Session:
        s = requests.Session()
        s.trust_env = False  # never route loopback test traffic through a proxy from the environment
        return s


def start_live_server(data_dir: Path, database_url: str, **overrides: object) -> LiveServer:
    settings = Settings(data_dir=data_dir, database_url=database_url, **overrides)  # type: ignore[arg-type]
    upgrade_to_head(settings.resolved_database_url())
    ctx = ServerContext.create(settings, Clock())
    return LiveServer(EmbeddedServer(ctx).start())
