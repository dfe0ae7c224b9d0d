"""The one error shape of the API: ``{"error": {"code", "message", "details"}}`` (docs/PROTOCOL.md, "HTTP API")."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from licence_protocol.errors import ErrorCode, error_body
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A business error with a stable code; clients map the code, never the message. The code fixes the status."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code.value}: {message}")
        self.code = code
        self.message = message
        self.status = code.status
        self.details = details or {}
        self.headers = headers or {}


def not_found(what: str = "resource") -> ApiError:
    # Another account's id answers exactly like a missing one, so ids cannot be probed.
    return ApiError(ErrorCode.NOT_FOUND, f"{what} not found")


def unauthorized(message: str = "sign-in required", **details: Any) -> ApiError:
    return ApiError(ErrorCode.UNAUTHORIZED, message, details, headers={"WWW-Authenticate": "Bearer"})


_HTTP_CODES = {
    code.status: code
    for code in (
        ErrorCode.BAD_REQUEST,
        ErrorCode.UNAUTHORIZED,
        ErrorCode.FORBIDDEN,
        ErrorCode.NOT_FOUND,
        ErrorCode.METHOD_NOT_ALLOWED,
        ErrorCode.PAYLOAD_TOO_LARGE,
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    )
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message, exc.details), exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "type": e.get("type", ""), "msg": e.get("msg", "")}
            for e in exc.errors()
        ]
        if any(e["type"] == "json_invalid" for e in errors):
            return JSONResponse(error_body(ErrorCode.MALFORMED_JSON, "request body is not valid JSON"), 400)
        return JSONResponse(
            error_body(ErrorCode.VALIDATION_ERROR, "request fields are invalid", {"errors": errors}), 422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, ErrorCode.HTTP_ERROR)
        message = exc.detail if isinstance(exc.detail, str) else code.value.lower()
        return JSONResponse(error_body(code, message), exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")  # the traceback stays in the server log, not in the answer
        return JSONResponse(error_body(ErrorCode.INTERNAL_ERROR, "internal server error"), 500)
