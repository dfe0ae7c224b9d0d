"""Admission: at most ``capacity`` requests are served at once; the next ones wait briefly, then answer 503.

Why a limit, and why this one: a request holds a pooled connection (and on SQLite, while it writes, the
write lock) across several hops onto anyio's worker threads (dependencies, handler, commit). If more
requests were in flight than there are threads, the threads could all be taken by requests waiting for
a connection or the lock while the holder waits for a thread: a deadlock that only the pool's timeout
breaks. With no more requests in flight than pooled connections and worker threads, every admitted
request always finds both. The others wait here, on the event loop and without a thread, for at most
``QUEUE_WAIT_S``; then they answer 503 SERVER_BUSY with ``Retry-After`` instead of hanging
(docs/PROTOCOL.md, "HTTP API").

``/healthz`` is never queued: a load balancer must hear from a busy server that it is alive.
"""

from __future__ import annotations

import anyio
import anyio.to_thread
from licence_protocol.errors import ErrorCode, error_body
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

QUEUE_WAIT_S = 0.5
RETRY_AFTER_S = 1
# Worker threads beyond the admitted requests: for the odd blocking call made outside a request.
SPARE_THREADS = 4
NEVER_QUEUED = frozenset({"/healthz"})


def busy_response() -> JSONResponse:
    body = error_body(
        ErrorCode.SERVER_BUSY, "the licence server is busy, try again shortly", {"retry_after": RETRY_AFTER_S}
    )
    return JSONResponse(body, ErrorCode.SERVER_BUSY.status, headers={"Retry-After": str(RETRY_AFTER_S)})


def is_busy_database(exc: BaseException) -> bool:
    """The database did not hand out a connection or a lock in time: load, not a fault of the request."""
    if isinstance(exc, PoolTimeoutError):
        return True
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)


async def answer_busy(_request: Request, exc: Exception) -> JSONResponse:
    """Exception handler: a pool or SQLite lock timeout answers 503 SERVER_BUSY, never 500."""
    if not is_busy_database(exc):
        raise exc  # any other database error is a fault: the catch-all handler answers 500 and logs it
    return busy_response()


class AdmissionMiddleware:
    """Pure ASGI middleware; the semaphore and the thread limit are set up in the server's event loop."""

    def __init__(self, app: ASGIApp, capacity: int, queue_wait_s: float = QUEUE_WAIT_S) -> None:
        self.app = app
        self.capacity = capacity
        self.queue_wait_s = queue_wait_s
        self._slots: anyio.Semaphore | None = None

    def _slots_here(self) -> anyio.Semaphore:
        if self._slots is None:
            self._slots = anyio.Semaphore(self.capacity)
            # The threads sync handlers and dependencies run on: enough for every admitted request.
            anyio.to_thread.current_default_thread_limiter().total_tokens = self.capacity + SPARE_THREADS
        return self._slots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in NEVER_QUEUED:
            await self.app(scope, receive, send)
            return
        slots = self._slots_here()
        try:
            slots.acquire_nowait()  # the usual case, without the cost of a timeout scope
        except anyio.WouldBlock:
            try:
                with anyio.fail_after(self.queue_wait_s):
                    await slots.acquire()
            except TimeoutError:
                await busy_response()(scope, receive, send)
                return
        try:
            await self.app(scope, receive, send)
        finally:
            slots.release()
