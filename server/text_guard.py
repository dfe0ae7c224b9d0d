"""Refuse text no database column can hold, before any handler sees it: 422 VALIDATION_ERROR.

JSON may legally carry ``\\u0000`` and unpaired surrogates (``\\ud800``), and a URL or form may carry ``%00``.
PostgreSQL refuses NUL in text and psycopg cannot encode a lone surrogate, so such a value would turn
any lookup or insert into a 500. No field of this API has a use for either, so they are refused here,
once, for every route (and the pages outside /api/v1), instead of in every string type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from licence_protocol.errors import ErrorCode, error_body
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MESSAGE = "text must not contain NUL characters or unpaired surrogates"


def _unstorable(value: Any, loc: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    """Where in a decoded JSON document a string (or an object key) holds unstorable text."""
    if isinstance(value, str):
        if UNSTORABLE.search(value):
            yield loc
    elif isinstance(value, dict):
        for key, item in value.items():
            if UNSTORABLE.search(key):
                yield (*loc, key)
            yield from _unstorable(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unstorable(item, (*loc, index))


def _body_problems(body: bytes, content_type: str) -> list[tuple[str | int, ...]]:
    if "form-urlencoded" in content_type:
        return [("body",)] if b"\x00" in unquote_to_bytes(body) else []
    if b"\\u" not in body:
        return []  # no escape sequence, so no NUL or surrogate (raw control characters are invalid JSON)
    try:
        document = json.loads(body)
    except ValueError:
        return []  # FastAPI answers 400 MALFORMED_JSON for it
    return list(_unstorable(document, ("body",)))


def _response(locs: list[tuple[str | int, ...]]) -> JSONResponse:
    errors = [{"loc": [str(part) for part in loc], "type": "string_unstorable", "msg": MESSAGE} for loc in locs]
    return JSONResponse(error_body(ErrorCode.VALIDATION_ERROR, "request fields are invalid", {"errors": errors}), 422)


class TextGuardMiddleware:
    """Pure ASGI middleware: checks the path, the query and JSON or form bodies, then replays the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problems: list[tuple[str | int, ...]] = []
        if UNSTORABLE.search(scope["path"]):
            problems.append(("path",))
        if b"\x00" in unquote_to_bytes(scope.get("query_string", b"")):
            problems.append(("query",))
        content_type = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"content-type"), "")
        if scope["method"] in ("POST", "PUT", "PATCH") and (
            "json" in content_type or "form" in content_type or not content_type
        ):
            body, receive = await _buffered(receive)
            problems += _body_problems(body, content_type)
        if problems:
            await _response(problems)(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body, and a ``receive`` that hands it on once, then defers to the original."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), _replay(b"".join(chunks), receive, message)
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks), _replay(b"".join(chunks), receive, None)


def _replay(body: bytes, receive: Receive, pending: Message | None) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return pending if pending is not None else {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
