"""Everything a request handler needs, built once per app (no globals, so tests can run several servers)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from server.clock import Clock
from server.config import Settings
from server.db import (
    make_engine,
    make_read_session_factory,
    make_session_factory,
    request_capacity,
    single_statement_engine,
)
from server.signing import KeyStore


@dataclass
class ServerContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    keys: KeyStore
    clock: Clock = field(default_factory=Clock)
    # Sessions for requests that only read (GET): on SQLite they never take the write lock.
    read_sessions: sessionmaker[Session] = field(init=False)
    # Connections for a request that reads with one statement (validate): no transaction around it.
    single_reads: Engine = field(init=False)

    def __post_init__(self) -> None:
        self.read_sessions = make_read_session_factory(self.engine)
        self.single_reads = single_statement_engine(self.engine)

    @property
    def capacity(self) -> int:
        """Requests served at once; more wait briefly, then answer 503 SERVER_BUSY (server/admission.py)."""
        return request_capacity(self.engine)

    @classmethod
    def create(cls, settings: Settings, clock: Clock | None = None) -> ServerContext:
        engine = make_engine(settings.resolved_database_url())
        keys = KeyStore(settings.resolved_key_dir())
        keys.ensure()
        return cls(settings, engine, make_session_factory(engine), keys, clock or Clock())
