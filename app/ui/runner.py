"""Run a blocking service call on a worker pool and deliver its outcome on the GUI thread (Anki's QueryOp)."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from app.ui.widgets.progress_overlay import ProgressOverlay

log = logging.getLogger(__name__)

T = TypeVar("T")

# Show the overlay only for waits a person notices; quick calls should not flash it.
PROGRESS_DELAY_MS = 300


class CancelToken:
    """Set by the UI when the user cancels; the service checks it between (and during) requests."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def cancel(self) -> None:
        with self._lock:
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # an abort hook failing must not break the UI
                log.debug("cancel callback failed", exc_info=True)

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def is_set(self) -> bool:
        """The shape app/services/http.py watches (like ``threading.Event``)."""
        return self._event.is_set()

    def on_cancel(self, callback: Callable[[], None]) -> None:
        """Register a hook (e.g. closing an HTTP session) run when cancelled; runs at once if already cancelled."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return
        callback()


def _pool() -> QThreadPool:
    # A dedicated pool: a hung request must not starve Qt's global pool, and enough threads that a
    # cancelled-but-still-blocked call does not hold up the user's next attempt.
    global _POOL
    if _POOL is None:
        _POOL = QThreadPool()
        _POOL.setMaxThreadCount(8)
        _POOL.setExpiryTimeout(30_000)
    return _POOL


_POOL: QThreadPool | None = None


class _Relay(QObject):
    """Lives on the GUI thread; what a worker emits is queued to it and handled there."""

    done = Signal(object)


_RELAY: _Relay | None = None


def _relay() -> _Relay:
    # Made on first use, which is on the GUI thread (an Op is made there), and kept: a relay deleted with an
    # outcome still queued would drop that outcome, and the objects in it, on the worker thread.
    global _RELAY
    if _RELAY is None:
        _RELAY = _Relay()
        _RELAY.done.connect(_deliver)
    return _RELAY


class _Task(QRunnable):
    def __init__(self, fn: Callable[[CancelToken], Any], op: Op) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn: Callable[[CancelToken], Any] | None = fn
        self._op: Op | None = op
        self._token = op.token
        self._relay = _relay()

    def run(self) -> None:
        # The call and its op travel back with the outcome and this runnable keeps no reference: their closures
        # may hold the last reference to a page or dialog, and a widget freed on a worker thread crashes Qt.
        # The queued signal holds them until the GUI thread has handled it.
        fn, op = self._fn, self._op
        self._fn = self._op = None
        assert fn is not None and op is not None
        outcome: tuple[Op, Callable[[CancelToken], Any], object, BaseException | None]
        try:
            outcome = (op, fn, fn(self._token), None)
        except BaseException as exc:
            outcome = (op, fn, None, exc)
        del fn, op
        with contextlib.suppress(RuntimeError):  # the application is being torn down
            self._relay.done.emit(outcome)
        del outcome  # an exception's traceback holds this frame: leave no cycle through it


def _deliver(outcome: object) -> None:
    op, _fn, result, error = outcome  # type: ignore[misc]
    if not isValid(op):  # the op went away with its window while the call ran
        return
    if error is None:
        op._on_worker_succeeded(result)
    else:
        op._on_worker_failed(error)


class Op(QObject):
    """One running call. ``finished`` fires once: after success, failure or cancel."""

    finished = Signal()

    def __init__(
        self,
        parent: QWidget,
        fn: Callable[[CancelToken], Any],
        *,
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None],
        on_cancelled: Callable[[], None] | None,
        progress_text: str | None,
        cancellable: bool,
        trigger: QWidget | None,
        silent: bool = False,
    ) -> None:
        super().__init__(parent)
        self.token = CancelToken()
        self._on_success = on_success
        self._on_failure = on_failure
        self._on_cancelled = on_cancelled
        self._trigger = trigger
        self._done = False
        self._show_timer = QTimer(self)
        self._show_timer.setSingleShot(True)
        # A background check must not cover the window the user is working in.
        self._overlay = None if silent else ProgressOverlay(parent.window(), progress_text, cancellable=cancellable)
        if self._overlay is not None:
            self._overlay.cancel_requested.connect(self.cancel)
            self._show_timer.timeout.connect(self._overlay.show_over_parent)
            self._show_timer.start(PROGRESS_DELAY_MS)
        if trigger is not None:
            trigger.setEnabled(False)
        _pool().start(_Task(fn, self))

    @property
    def running(self) -> bool:
        return not self._done

    def cancel(self) -> None:
        """Free the UI now; the worker is told to stop and whatever it returns later is dropped."""
        if self._done:
            return
        self.token.cancel()
        self._finish()
        if self._on_cancelled is not None:
            self._on_cancelled()

    def _on_worker_succeeded(self, result: object) -> None:
        if self._done:
            return
        self._finish()
        self._on_success(result)

    def _on_worker_failed(self, exc: BaseException) -> None:
        if self._done:
            return
        self._finish()
        self._on_failure(exc)

    def _finish(self) -> None:
        self._done = True
        self._show_timer.stop()
        if self._overlay is not None:
            self._overlay.hide()
            self._overlay.deleteLater()
        if self._trigger is not None:
            with contextlib.suppress(RuntimeError):  # the button went away with its dialog
                self._trigger.setEnabled(True)
        self.finished.emit()


def run_op(
    parent: QWidget,
    fn: Callable[[CancelToken], T],
    *,
    on_success: Callable[[T], None],
    on_failure: Callable[[BaseException], None],
    on_cancelled: Callable[[], None] | None = None,
    progress_text: str | None = None,
    cancellable: bool = True,
    trigger: QWidget | None = None,
    silent: bool = False,
) -> Op:
    """Run ``fn(cancel_token)`` off the GUI thread; exactly one of the callbacks runs on the GUI thread.

    ``trigger`` (the button that started it) stays disabled while the call runs. After
    PROGRESS_DELAY_MS a progress overlay with a Cancel button covers ``parent``'s window, unless ``silent``.
    """
    return Op(
        parent,
        fn,
        on_success=on_success,  # type: ignore[arg-type]
        on_failure=on_failure,
        on_cancelled=on_cancelled,
        progress_text=progress_text,
        cancellable=cancellable,
        trigger=trigger,
        silent=silent,
    )


def keep_while_running(ops: list[Op], op: Op) -> Op:
    """Hold ``op`` in ``ops`` until it finishes: tests wait for the list to empty and close() cancels what is left."""
    ops.append(op)
    op.finished.connect(lambda: ops.remove(op) if op in ops else None)
    return op


def run_kept(
    parent: QWidget,
    ops: list[Op],
    fn: Callable[[CancelToken], T],
    *,
    on_success: Callable[[T], None],
    on_failure: Callable[[BaseException], None],
    after: Callable[[], None] | None = None,
    **kw: Any,
) -> Op:
    """``run_op`` held in ``ops`` until it finishes (``keep_while_running``): how pages and dialogs run calls.

    ``after`` runs now and again once the call has left ``ops``, for buttons enabled only while none runs.
    ``kw`` are ``run_op``'s (progress_text, trigger, silent…)."""
    op = run_op(parent, fn, on_success=on_success, on_failure=on_failure, **kw)
    keep_while_running(ops, op)
    if after is not None:
        op.finished.connect(after)  # connected after keep_while_running's slot: ``after`` sees the op gone
        after()
    return op
