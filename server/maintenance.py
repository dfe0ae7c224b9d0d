"""Maintenance windows: every call answers 503 MAINTENANCE + Retry-After while one is in force.

A window is an Announcement of kind ``maintenance`` with ``starts_at <= now < ends_at`` on the server's
clock. Only ``GET /api/v1/announcements`` is let through, so clients can read the window's title and end
and show them in their banner; ``/healthz`` answers 503 too, so load balancers see the window.

Windows change rarely and every request asks, so the windows not yet over are read at most every
``CACHE_SECONDS`` (a stale list is answered while a fresh one is read in the background): a window
announced by another process (``admin announce``) takes effect within those seconds, one committed
through this process's sessions at the next request. A request never waits for a worker thread
here, so ``/healthz`` answers at any load.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any

import anyio
import anyio.to_thread
from licence_protocol.errors import ErrorCode, error_body
from sqlalchemy import event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from server.context import ServerContext
from server.models import Announcement

log = logging.getLogger(__name__)

# (method, path) answered normally during a window.
LET_THROUGH = frozenset({("GET", "/api/v1/announcements")})
CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class Window:
    title: str
    starts_at: datetime
    ends_at: datetime


class _AnnouncementChanges:
    """Counts commits that changed an Announcement in this process, so caches reread without waiting."""

    generation = 0

    @staticmethod
    def note_flush(session: Session, _context: Any) -> None:
        if any(isinstance(o, Announcement) for o in chain(session.new, session.dirty, session.deleted)):
            session.info["announcements_changed"] = True

    @classmethod
    def note_commit(cls, session: Session) -> None:
        if session.info.pop("announcements_changed", False):
            cls.generation += 1

    @staticmethod
    def forget(session: Session) -> None:
        session.info.pop("announcements_changed", None)


event.listen(Session, "after_flush", _AnnouncementChanges.note_flush)
event.listen(Session, "after_commit", _AnnouncementChanges.note_commit)
event.listen(Session, "after_rollback", _AnnouncementChanges.forget)


def upcoming_windows(sessions: sessionmaker[Session], now: datetime) -> tuple[Window, ...]:
    """The maintenance windows not over at ``now``, latest-ending first."""
    with sessions() as session:
        rows = session.scalars(
            select(Announcement)
            .where(Announcement.kind == "maintenance", Announcement.ends_at.is_not(None), Announcement.ends_at > now)
            .order_by(Announcement.ends_at.desc())
        )
        return tuple(Window(r.title, r.starts_at, r.ends_at) for r in rows if r.ends_at is not None)


def window_in_force(windows: tuple[Window, ...], now: datetime) -> Window | None:
    """The window in force at ``now`` (the latest-ending one if several overlap), else None."""
    return next((w for w in windows if w.starts_at <= now < w.ends_at), None)


class MaintenanceWindows:
    """The windows not yet over, read from the database at most every ``ttl_s`` seconds."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        ttl_s: float = CACHE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._ttl_s = ttl_s
        self._monotonic = monotonic
        self._windows: tuple[Window, ...] | None = None
        self._read_at = 0.0
        self._generation = -1
        self._refresh: asyncio.Task[None] | None = None
        # One reader at a time, on its own thread: never one of the threads admitted requests count on.
        self._reader = anyio.CapacityLimiter(1)

    def read(self, now: datetime) -> None:
        """Read the windows (blocking). A database that cannot be read is no window: the check must not turn
        calls that need no database (``/api/v1/keys``) into errors, and the others report the problem themselves."""
        generation = _AnnouncementChanges.generation  # before the query: a change committed meanwhile rereads
        try:
            windows = upcoming_windows(self._sessions, now)
        except SQLAlchemyError:
            log.warning("maintenance check skipped: the database cannot be read")
            windows = self._windows or ()
        self._windows, self._read_at, self._generation = windows, self._monotonic(), generation

    async def in_force(self, now: datetime) -> Window | None:
        if self._windows is None or self._generation != _AnnouncementChanges.generation:
            await anyio.to_thread.run_sync(self.read, now, limiter=self._reader)
        elif self._monotonic() - self._read_at > self._ttl_s and (self._refresh is None or self._refresh.done()):
            self._refresh = asyncio.get_running_loop().create_task(self._read_in_background(now))
        return window_in_force(self._windows or (), now)

    async def _read_in_background(self, now: datetime) -> None:
        await anyio.to_thread.run_sync(self.read, now, limiter=self._reader)


def retry_after_seconds(ends_at: datetime, now: datetime) -> int:
    """Whole seconds until the window ends, never less than 1 (0 would invite an immediate retry)."""
    return max(1, math.ceil((ends_at - now).total_seconds()))


def maintenance_response(window: Window, now: datetime) -> JSONResponse:
    seconds = retry_after_seconds(window.ends_at, now)
    body = error_body(
        ErrorCode.MAINTENANCE,
        "the licence server is under maintenance",
        {"ends_at": window.ends_at.isoformat(), "title": window.title, "retry_after": seconds},
    )
    return JSONResponse(body, 503, headers={"Retry-After": str(seconds)})


class MaintenanceMiddleware:
    """Pure ASGI middleware (no BaseHTTPMiddleware: it would buffer streaming responses)."""

    def __init__(self, app: ASGIApp, ctx: ServerContext) -> None:
        self.app = app
        self.ctx = ctx
        self.windows = MaintenanceWindows(ctx.read_sessions)
        self.windows.read(ctx.clock.now())  # at start-up, so no request waits for the first read

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"], scope["path"]) in LET_THROUGH:
            await self.app(scope, receive, send)
            return
        now = self.ctx.clock.now()
        window = await self.windows.in_force(now)
        if window is None:
            await self.app(scope, receive, send)
            return
        await maintenance_response(window, now)(scope, receive, send)
