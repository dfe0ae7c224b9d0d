"""Run the server in-process on a loopback port: used by ``app --demo`` and by the tests."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

from server.app import create_app
from server.context import ServerContext


class EmbeddedServer:
    """uvicorn on a pre-bound loopback socket in a daemon thread; ``url`` is known before it starts."""

    def __init__(self, ctx: ServerContext, host: str = "127.0.0.1", port: int = 0) -> None:
        self.ctx = ctx
        self.app = create_app(ctx)
        # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP; without it every
        # reused connection waits ~40 ms on delayed ACKs (uvicorn writes head and body separately).
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.host, self.port = self._sock.getsockname()[:2]
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="embedded-licence-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _run(self) -> None:
        self._server.run(sockets=[self._sock])

    def start(self, timeout: float = 15.0) -> EmbeddedServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("embedded licence server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()
        self.ctx.engine.dispose()

    def __enter__(self) -> EmbeddedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
