"""A ceiling on request bodies, enforced before they are read whole: 413 PAYLOAD_TOO_LARGE.

A declared ``Content-Length`` over the limit is refused before one byte of the body is read; a body without one
(chunked) is counted as it streams and refused as soon as it passes the limit. Whatever is under the limit is
held (at most ``limit`` bytes per request) and handed on to the application unchanged, so a flood of huge
uploads costs the server a few buffers, never the uploads themselves (docs/PROTOCOL.md, "Conventions").
"""

from __future__ import annotations

from collections.abc import Mapping

from licence_protocol.errors import ErrorCode, error_body
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLargeError(Exception):
    """The body passed its limit while it was being read."""


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the HTTP server refuses a malformed length before we are called
    return None


async def _read_within(receive: Receive, limit: int) -> tuple[list[bytes], Message | None]:
    """The body's chunks (raising BodyTooLargeError past ``limit``) and a non-body message met on the way, if any."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return chunks, message  # the client went away: hand that on
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks, None


def _replaying(chunks: list[bytes], pending: Message | None, receive: Receive) -> Receive:
    queue: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]
    if pending is not None:
        queue = [pending]

    async def replay() -> Message:
        return queue.pop(0) if queue else await receive()

    return replay


def too_large(limit: int) -> JSONResponse:
    message = f"request body larger than {limit} bytes"
    return JSONResponse(error_body(ErrorCode.PAYLOAD_TOO_LARGE, message), 413, headers={"Connection": "close"})


class BodyLimitMiddleware:
    """Pure ASGI middleware: ``limit`` bytes for every route, ``larger`` for the paths that upload files."""

    def __init__(self, app: ASGIApp, *, limit: int, larger: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.larger = dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.limit)
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await too_large(limit)(scope, receive, send)
            return
        if declared == 0:
            await self.app(scope, receive, send)
            return
        try:
            chunks, pending = await _read_within(receive, limit)
        except BodyTooLargeError:
            await too_large(limit)(scope, receive, send)
            return
        await self.app(scope, _replaying(chunks, pending, receive), send)
