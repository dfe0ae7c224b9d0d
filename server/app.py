"""FastAPI application factory."""

from __future__ import annotations

import gc

from fastapi import FastAPI
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from server.admission import AdmissionMiddleware, answer_busy
from server.body_limit import BodyLimitMiddleware
from server.context import ServerContext
from server.errors import install_error_handlers
from server.maintenance import MaintenanceMiddleware
from server.openapi import API_ERROR_RESPONSES, PAGE_ERROR_RESPONSES, install_openapi
from server.text_guard import TextGuardMiddleware


def create_app(ctx: ServerContext) -> FastAPI:
    from server.api import activations, auth, ledgers, me, offline, payments, purchase, renewals, sandbox_pay, service

    app = FastAPI(
        title="Licence server",
        version="1",
        description='Reference licence server for the licence panel (docs/PROTOCOL.md, "HTTP API").',
    )
    app.state.ctx = ctx
    install_error_handlers(app)
    app.add_exception_handler(PoolTimeoutError, answer_busy)  # load is answered 503, never 500
    app.add_exception_handler(OperationalError, answer_busy)
    install_openapi(app)  # every error response documented as ErrorOut
    app.include_router(service.router, responses=API_ERROR_RESPONSES)
    for module in (activations, auth, me, offline, ledgers, purchase, payments, renewals):  # the busiest first
        app.include_router(module.router, prefix="/api/v1", responses=API_ERROR_RESPONSES)
    # the sandbox provider's pay page, outside /api/v1
    app.include_router(sandbox_pay.router, responses=PAGE_ERROR_RESPONSES)
    app.include_router(offline.page_router)  # the offline activation page for people with only a browser
    app.add_middleware(TextGuardMiddleware)  # NUL and lone surrogates: 422, never a database error
    app.add_middleware(AdmissionMiddleware, capacity=ctx.capacity)  # no more requests than connections
    app.add_middleware(MaintenanceMiddleware, ctx=ctx)  # 503 MAINTENANCE on every call during a window
    # outermost: an oversized body is refused before anything reads it
    uploads = {"/api/v1/offline-activations": ctx.settings.max_upload_bytes, "/offline": ctx.settings.max_upload_bytes}
    app.add_middleware(BodyLimitMiddleware, limit=ctx.settings.max_body_bytes, larger=uploads)
    _build_routes(app)
    return app


def _build_routes(app: FastAPI) -> None:
    """Build every route's handler now, in the creating thread, rather than at the first request.

    FastAPI builds an included router's routes (and pydantic their validators) lazily, at the first request it
    matches. Two servers in one process (an embedded server beside a test's, two instances in a test) building
    them at once from their own event-loop threads race inside pydantic's schema generation: a 500 for the first
    callers. Matching a path no route has walks every route, which builds them all."""
    scope = {"type": "http", "method": "GET", "path": "/\u0000no-such-route", "root_path": "", "headers": []}
    for route in app.router.routes:
        route.matches(scope)


def settle_for_serving() -> None:
    """For a process that serves requests and nothing else, once its app is built: the objects made at
    start-up (routes, schemas, mappers, compiled statements: some 150,000) leave the garbage collector's
    view. Each full collection walked them all, ~80 ms in which no request moved: a tail in every latency."""
    gc.collect()
    gc.freeze()
