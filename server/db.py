"""Database engine, sessions and schema upgrades (Alembic only; never ``create_all`` at run time)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Engine, Update, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from server.files import prepare_sqlite_file

if TYPE_CHECKING:
    from sqlalchemy.engine import CursorResult

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _normalise_url(url: str) -> str:
    # Accept the usual postgresql:// spelling and route it to psycopg 3.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


# Requests served at once (server/admission.py admits no more): each holds at most one pooled connection,
# so the pool never makes an admitted request wait, and no request waits for a connection while holding a
# thread another one needs. On SQLite writers then queue on its write lock (busy_timeout), readers do not.
REQUEST_CONNECTIONS = {"sqlite": 16, "postgresql": 16}
# Beyond those: the few code paths that open a second session (payment callbacks, the sandbox pay page), the
# maintenance-window refresh, and a CLI sharing the engine.
SPARE_CONNECTIONS = 4
# The connection option that marks a read-only session: on SQLite it begins without taking the write lock.
READ_ONLY = "licence_read_only"
# The connection option for one statement on its own (SQLite): no BEGIN at all, the statement is atomic alone.
SINGLE_STATEMENT = "licence_single_statement"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def request_capacity(engine: Engine) -> int:
    """How many requests may use the database at once (the pool is sized for them)."""
    return REQUEST_CONNECTIONS.get(engine.dialect.name, REQUEST_CONNECTIONS["postgresql"])


def make_engine(url: str) -> Engine:
    url = _normalise_url(url)
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    pool: dict[str, int] = {
        "pool_size": REQUEST_CONNECTIONS.get(backend, REQUEST_CONNECTIONS["postgresql"]),
        "max_overflow": SPARE_CONNECTIONS,
        "pool_timeout": 10,
    }
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            prepare_sqlite_file(Path(parsed.database))  # 0600 with its WAL, in a 0700 data dir
        else:
            pool = {}  # an in-memory database lives in one connection: SQLAlchemy's default pool for it
        timeout_s = SQLITE_BUSY_TIMEOUT_MS / 1000
        connect_args = {"check_same_thread": False, "timeout": timeout_s, "factory": _writer_queue_connection()}
        engine = create_engine(url, connect_args=connect_args, **pool)
        _make_sqlite_serialisable(engine)
        return engine
    # No pre-ping: it is one more round trip per request. A connection the database dropped fails one request,
    # and SQLAlchemy then discards the whole pool, so the next requests reconnect.
    return create_engine(url, pool_recycle=1800, **pool)


def _make_sqlite_serialisable(engine: Engine) -> None:
    """Write transactions take SQLite's write lock at BEGIN, so read-check-write sequences (seat counts) cannot
    interleave; read-only sessions (``READ_ONLY``) begin deferred and never take it (WAL readers do not block)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's BEGIN below be the only one
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get(SINGLE_STATEMENT):
            return
        if options.get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.connection.dbapi_connection.begin_write()


class _QueuedWriterConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions queue on one lock per engine.

    SQLite's own busy handler polls with sleeps that grow to 100 ms, so with ten writers waiting most of the
    wait was sleep (validate's p99 was 2 s at 10 concurrent). A lock wakes the next writer the moment the
    last one commits. Other processes sharing the file still meet ``busy_timeout``."""

    writers: threading.Lock  # set per engine by _writer_queue_connection
    _holds_writer = False

    def begin_write(self) -> None:
        if not self.writers.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            raise sqlite3.OperationalError("database is locked")  # what busy_timeout says when it runs out
        self._holds_writer = True
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self) -> None:
        if self._holds_writer:
            self._holds_writer = False
            self.writers.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release_writer()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release_writer()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release_writer()


def _writer_queue_connection() -> type[_QueuedWriterConnection]:
    """A connection class whose instances share one writer lock: one per engine (one per database file)."""
    return type("QueuedWriterConnection", (_QueuedWriterConnection,), {"writers": threading.Lock()})


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def single_statement_engine(engine: Engine) -> Engine:
    """The engine for a request that reads with one statement: no transaction around it (a lone SELECT sees one
    snapshot by itself), so no BEGIN and COMMIT round trips. Never for writes, nor for several statements."""
    if engine.dialect.name == "sqlite":
        # Not SQLAlchemy's AUTOCOMMIT level: handing the connection back would reset it to Python's implicit
        # transactions, which the write lock hand-off (``_make_sqlite_serialisable``) does not expect.
        return engine.execution_options(**{SINGLE_STATEMENT: True})
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for requests that only read: on SQLite they never wait for, nor hold, the write lock."""
    return sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def write_after_read(read_session: Session, writes: sessionmaker[Session]) -> Iterator[Session]:
    """A session for a write that a read-only request found it needs.

    On SQLite a read transaction must not turn into a write one: had another writer committed since it began,
    SQLite refuses at once (no busy wait). So the read ends and a write transaction begins. Elsewhere the
    read's own transaction writes: one BEGIN and one COMMIT for the request."""
    if read_session.get_bind().dialect.name != "sqlite":
        yield read_session
        return
    read_session.commit()
    with session_scope(writes) as session:
        yield session


def rows_updated(session: Session, statement: Update) -> int:
    """Run an UPDATE in SQL (objects already loaded are left alone) and answer how many rows it changed."""
    result = session.execute(statement.execution_options(synchronize_session=False))
    # An UPDATE answers a CursorResult, which has rowcount; Session.execute is typed with the general Result.
    return cast("CursorResult[Any]", result).rowcount


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", _normalise_url(url).replace("%", "%%"))
    return cfg


def upgrade_to_head(url: str) -> None:
    """Bring the schema up to date; works on an empty database."""
    from alembic import command

    url = _normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        prepare_sqlite_file(Path(parsed.database))  # 0600 with its WAL, in a 0700 data dir
    command.upgrade(alembic_config(url), "head")
