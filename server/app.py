"""FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI

from server.context import ServerContext
from server.errors import install_error_handlers
from server.maintenance import MaintenanceMiddleware


def create_app(ctx: ServerContext) -> FastAPI:
    from server.api import activations, auth, ledgers, me, offline, payments, purchase, renewals, service

    app = FastAPI(
        title="Licence server",
        version="1",
        description="Reference licence server for the licence panel (DESIGN §3).",
    )
    app.state.ctx = ctx
    install_error_handlers(app)
    app.include_router(service.router)
    for module in (auth, me, activations, offline, ledgers, purchase, payments, renewals):
        app.include_router(module.router, prefix="/api/v1")
    app.include_router(payments.pay_router)  # the sandbox provider's pay page, outside /api/v1
    app.include_router(offline.page_router)  # the offline activation page for people with only a browser
    app.add_middleware(MaintenanceMiddleware, ctx=ctx)  # 503 MAINTENANCE on every call during a window
    return app
