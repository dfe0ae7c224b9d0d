"""Silent background re-authentication: every few hours, sooner while offline, and right after maintenance.

Each successful online check renews the offline lease, so a machine that is online now and then never
reaches 需联网认证. One single-shot QTimer is re-armed after every check, whoever started it (start-up,
the user's 在线认证 button, this class), from the service's answer: maintenance → its Retry-After; server
unreachable → OFFLINE_RETRY; otherwise CHECK_INTERVAL. Checks never overlap and run off the GUI thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from app.domain.lease import CHECK_INTERVAL, OFFLINE_RETRY, Announcement, maintenance_retry_delay
from app.services.errors import CancelledError, ServiceError
from app.services.licence_service import LicenceService
from app.services.local_status import LocalStatus
from app.ui.runner import CancelToken, Op, run_op

log = logging.getLogger(__name__)

StartOp = Callable[..., Op]
# What one check found: the re-authenticated status (None: nothing to check yet) and the announcements
# (None: they could not be read).
CheckResult = tuple[LocalStatus | None, list[Announcement] | None]
# A window never painted (hidden) does not hold its start-up calls back longer than this.
FIRST_PAINT_WAIT_S = 5.0
_POLL_S = 0.05
T = TypeVar("T")


class BackgroundChecks(QObject):
    """``checked`` carries a CheckResult (LocalStatus or None, announcements or None); ``failed`` the exception."""

    checked = Signal(object, object)
    failed = Signal(BaseException)

    def __init__(
        self,
        parent: QWidget,
        service: LicenceService,
        *,
        start_op: StartOp | None = None,
        interval: timedelta = CHECK_INTERVAL,
        offline_retry: timedelta = OFFLINE_RETRY,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.interval = interval
        self.offline_retry = offline_retry
        self._start_op: StartOp = start_op or (
            lambda fn, on_success, **kw: run_op(parent, fn, on_success=on_success, **kw)
        )
        self.op: Op | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.check_now)
        # Loading the OS backend can take long (and never returns under Wine): not before the first paint. A child
        # timer, so nothing fires once this object is gone.
        self.network_timer = QTimer(self)
        self.network_timer.setSingleShot(True)
        self.network_timer.timeout.connect(self._watch_network)
        self.network_timer.start(0)
        # Set at the window's first paint. The start-up calls wait for it on their worker thread: their first HTTP
        # call and keyring access import requests, urllib3 and keyring (~270 ms of bytecode holding the GIL), which
        # would otherwise run while the window paints and delay it.
        self.painted = threading.Event()
        parent.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted.set()
            watched.removeEventFilter(self)  # one paint is all this waits for
        return False

    def after_first_paint(self, fn: Callable[[CancelToken], T]) -> Callable[[CancelToken], T]:
        """``fn`` for a worker thread, started once the window has painted (or after FIRST_PAINT_WAIT_S)."""
        painted = self.painted  # not ``self`` on the worker: this QObject may be gone with its window

        def run(cancel: CancelToken) -> T:
            deadline = time.monotonic() + FIRST_PAINT_WAIT_S
            while not painted.wait(_POLL_S):
                if cancel.is_set():  # the window closed before it painted: nothing to load or ask
                    raise CancelledError()
                if time.monotonic() >= deadline:
                    break
            return fn(cancel)

        return run

    # -- scheduling --------------------------------------------------------------------------------

    def reschedule(self) -> timedelta:
        """Arm the timer from what the last answer said; returns the delay (tests and the banner read it)."""
        window = self.service.maintenance
        if window is not None:
            delay = maintenance_retry_delay(window, self.service.now())
        elif self.service.online is False:
            delay = self.offline_retry
        else:
            delay = self.interval
        self.timer.start(max(1, int(delay.total_seconds() * 1000)))
        return delay

    def stop(self) -> None:
        self.timer.stop()
        if self.op is not None:
            self.op.cancel()

    @property
    def running(self) -> bool:
        return self.op is not None and self.op.running

    # -- checking ----------------------------------------------------------------------------------

    def check_now(self) -> Op | None:
        """Re-authenticate silently (and read the announcements); skipped while a check is already running."""
        if self.running:
            return None
        self.op = self._start_op(self._work, self._on_succeeded, on_failure=self._on_failed, silent=True)
        return self.op

    def on_network_reachable(self) -> None:
        """The OS says the network is back: do not wait for the offline retry."""
        if self.service.online is not True:
            self.check_now()

    def _work(self, cancel: CancelToken) -> CheckResult:
        service = self.service
        announcements = None
        try:
            announcements = service.announcements(cancel=cancel)  # answered even during maintenance
        except ServiceError as exc:
            log.info("announcements not read: %s", type(exc).__name__)
        if service.local_status().document is None:
            return None, announcements  # nothing to re-authenticate (not activated yet)
        if service.login is None:
            service.restore_session(cancel=cancel)
        return service.reauthenticate(cancel=cancel), announcements

    def _on_succeeded(self, result: CheckResult) -> None:
        status, announcements = result
        self.reschedule()
        self.checked.emit(status, announcements)

    def _on_failed(self, exc: BaseException) -> None:
        self.reschedule()
        self.failed.emit(exc)

    # -- the OS network state ----------------------------------------------------------------------

    def _watch_network(self) -> None:
        """Qt's network information backend, where the platform has one (NetworkManager, Windows NLM)."""
        try:
            from PySide6.QtNetwork import QNetworkInformation

            if QNetworkInformation.instance() is None and not QNetworkInformation.loadDefaultBackend():
                return
            info = QNetworkInformation.instance()
        except (ImportError, RuntimeError, AttributeError):
            return
        if info is None:
            return
        self._online_value = QNetworkInformation.Reachability.Online
        # A bound slot: Qt drops the connection when this object is destroyed (the backend lives on).
        info.reachabilityChanged.connect(self.on_reachability_changed)

    def on_reachability_changed(self, reachability: Any) -> None:
        if reachability == getattr(self, "_online_value", None):
            self.on_network_reachable()
