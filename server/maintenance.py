"""Maintenance windows: every call answers 503 MAINTENANCE + Retry-After while one is in force.

A window is an Announcement of kind ``maintenance`` with ``starts_at <= now < ends_at`` on the server's
clock. Only ``GET /api/v1/announcements`` is let through, so clients can read the window's title and end
and show them in their banner; ``/healthz`` answers 503 too, so load balancers see the window.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime

from licence_protocol.errors import ErrorCode, error_body
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from server.context import ServerContext
from server.models import Announcement

log = logging.getLogger(__name__)

# (method, path) answered normally during a window.
LET_THROUGH = frozenset({("GET", "/api/v1/announcements")})


@dataclass(frozen=True)
class Window:
    title: str
    ends_at: datetime


def current_window(sessions: sessionmaker[Session], now: datetime) -> Window | None:
    """The maintenance window in force at ``now`` (the latest-ending one if several overlap), else None.

    A database that cannot be read is no window: the check must not turn calls that need no database
    (``/api/v1/keys``) into errors, and the others report the database problem themselves.
    """
    try:
        with sessions() as session:
            row = _latest_window(session, now)
            return Window(row.title, row.ends_at) if row is not None and row.ends_at is not None else None
    except SQLAlchemyError:
        log.warning("maintenance check skipped: the database cannot be read")
        return None


def _latest_window(session: Session, now: datetime) -> Announcement | None:
    return session.scalar(
        select(Announcement)
        .where(
            Announcement.kind == "maintenance",
            Announcement.starts_at <= now,
            Announcement.ends_at.is_not(None),
            Announcement.ends_at > now,
        )
        .order_by(Announcement.ends_at.desc())
        .limit(1)
    )


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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"], scope["path"]) in LET_THROUGH:
            await self.app(scope, receive, send)
            return
        now = self.ctx.clock.now()
        # The query blocks, so it runs off the event loop like the sync route handlers do.
        window = await run_in_threadpool(current_window, self.ctx.sessions, now)
        if window is None:
            await self.app(scope, receive, send)
            return
        await maintenance_response(window, now)(scope, receive, send)
