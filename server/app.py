"""FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI

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
    install_openapi(app)  # every error response documented as ErrorOut
    app.include_router(service.router, responses=API_ERROR_RESPONSES)
    for module in (auth, me, activations, offline, ledgers, purchase, payments, renewals):
        app.include_router(module.router, prefix="/api/v1", responses=API_ERROR_RESPONSES)
    # the sandbox provider's pay page, outside /api/v1
    app.include_router(sandbox_pay.router, responses=PAGE_ERROR_RESPONSES)
    app.include_router(offline.page_router)  # the offline activation page for people with only a browser
    app.add_middleware(TextGuardMiddleware)  # NUL and lone surrogates: 422, never a database error
    app.add_middleware(MaintenanceMiddleware, ctx=ctx)  # 503 MAINTENANCE on every call during a window
    return app
