"""The app for process managers: ``uvicorn --factory server.asgi:create_app_from_environment``.

Each worker process builds its own context from the ``LP_*`` environment (server/config.py), which
``python -m server run --workers N`` fills from its command line before it starts the workers. Workers
and other instances share only the database and the key directory, never memory (docs/ARCHITECTURE.md,
"Running a fleet").
"""

from __future__ import annotations

from fastapi import FastAPI

from server.app import create_app, settle_for_serving
from server.config import Settings
from server.context import ServerContext


def create_app_from_environment() -> FastAPI:
    app = create_app(ServerContext.create(Settings()))
    settle_for_serving()
    return app
