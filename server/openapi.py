"""The OpenAPI document: our error shape on every error response (bearer-only operations: see server/deps.py)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from licence_protocol.errors import ErrorCode

from server.schemas.errors import ErrorOut

# What each documented status means; the codes answered with it are listed from ErrorCode, so the list
# follows the codes. Documented on every /api/v1 operation (given to include_router). Declaring 422 here also
# keeps FastAPI from adding its own HTTPValidationError schema, which is not what server/errors.py answers.
_STATUS_MEANINGS = {
    400: "Bad request",
    401: "Not signed in, or the credentials or signature do not verify",
    403: "Not allowed for this caller or licence",
    404: "Not found (another account's id answers the same)",
    409: "Conflict with the current state",
    413: "Request body over the server's limit, refused before it is read (server/body_limit.py)",
    422: "Fields or a rule refused (VALIDATION_ERROR details.errors: [{loc, type, msg}])",
    429: "A limit was reached; Retry-After when it applies",
    503: "Maintenance (Retry-After, details: {ends_at, title, retry_after})",
}


def _description(status: int) -> str:
    codes = ", ".join(code.value for code in ErrorCode if code.status == status)
    return f"{_STATUS_MEANINGS[status]}: {codes}"


API_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": _description(status)} for status in _STATUS_MEANINGS
}

# Pages outside /api/v1 still answer malformed parameters, oversized bodies and maintenance with the error shape.
PAGE_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: API_ERROR_RESPONSES[status] for status in (413, 422, 503)
}

# Statuses only some operations answer, documented on those alone: JSON in the error shape, or an HTML page.
_HTML_PAGE = {"text/html": {"schema": {"type": "string"}}}
# Where a tax id is accepted, 422 is also INVALID_TAX_ID: the rule of the organisation's market it breaks.
_TAX_ID_422 = {
    "422": {
        "description": f"{ErrorCode.VALIDATION_ERROR.value}: fields refused; or {ErrorCode.INVALID_TAX_ID.value}: "
        "the tax id breaks its market's rule (details: {market, rule, field}; rule is characters, length, "
        "not_issued or check_digit)"
    }
}
_OPERATION_RESPONSES: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    ("/api/v1/orgs", "post"): _TAX_ID_422,
    ("/api/v1/orgs/{org_id}/certification", "post"): _TAX_ID_422,
    ("/api/v1/orders/{order_id}/invoice", "post"): _TAX_ID_422,
    ("/api/v1/renewals", "post"): _TAX_ID_422,
    ("/api/v1/auth/login", "post"): {
        "423": {"description": f"{ErrorCode.ACCOUNT_LOCKED.value}: too many wrong passwords (Retry-After)"}
    },
    ("/pay/{payment_id}", "get"): {"404": {"description": "No such payment (an HTML page)", "content": _HTML_PAGE}},
    ("/pay/{payment_id}", "post"): {
        "400": {
            "description": "The payment cannot be paid: expired, paid already… (an HTML page)",
            "content": _HTML_PAGE,
        },
        "404": {"description": "No such payment (an HTML page)", "content": _HTML_PAGE},
    },
}

_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
ERROR_REF = "#/components/schemas/ErrorOut"


def apply_error_shape(spec: dict[str, Any]) -> dict[str, Any]:
    """Every error answer documented with the one shape, in place (idempotent).

    Whatever a route declared (a bare description, an HTML page's media type) and instead of FastAPI's own
    HTTPValidationError, which server/errors.py never answers."""
    for path, path_item in spec["paths"].items():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            for status, extra in _OPERATION_RESPONSES.get((path, method), {}).items():
                responses[status] = dict(extra)
            for status, response in responses.items():
                if status[0] in "45" and response.get("content") != _HTML_PAGE:
                    response["content"] = {"application/json": {"schema": {"$ref": ERROR_REF}}}
    schemas = spec.get("components", {}).get("schemas", {})
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    return spec


def install_openapi(app: FastAPI) -> None:
    """``GET /openapi.json`` serves FastAPI's own document (built once, rebuilt when routes change), post-processed."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        return apply_error_shape(generate())

    app.openapi = openapi  # type: ignore[method-assign]
