"""Module loggers that import ``logging`` only when something is logged.

``status`` and ``check`` run at every logon and before guarded actions, and usually log nothing; the
``logging`` package (with ``traceback``, ``threading``, ``string`` …) is a tenth of their start-up. Modules on
that path name their logger with ``DeferredLogger(__name__)``; ``python -m app`` registers how logging is
configured with ``configure_on_first_use`` instead of configuring it up front, and the first record (or any
use of a logger's attributes) imports ``logging``, configures it, then goes to the real logger.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import logging

_pending_configuration: Callable[[], None] | None = None


def configure_on_first_use(configure: Callable[[], None]) -> None:
    """Run ``configure`` before the first record of any ``DeferredLogger``, if one is ever written."""
    global _pending_configuration
    _pending_configuration = configure


def configure_now() -> None:
    """Run the registered configuration at once (a code path that uses ``logging`` directly)."""
    global _pending_configuration
    configure, _pending_configuration = _pending_configuration, None
    if configure is not None:
        configure()


class DeferredLogger:
    """Stands for ``logging.getLogger(name)``; every attribute (``warning``, ``debug`` …) is the real one's."""

    __slots__ = ("_logger", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._logger: logging.Logger | None = None

    @property
    def logger(self) -> logging.Logger:
        if self._logger is None:
            import logging

            configure_now()
            self._logger = logging.getLogger(self._name)
        return self._logger

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.logger, attribute)
