"""run_op: results on the GUI thread, the trigger disabled while running, progress with Cancel, late results dropped."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThread, QTimer
from PySide6.QtWidgets import QApplication, QPushButton, QVBoxLayout, QWidget

from app.ui.runner import PROGRESS_DELAY_MS, _pool, run_op

pytestmark = pytest.mark.gui


@pytest.fixture
def host(qtbot):
    widget = QWidget()
    button = QPushButton("Go", widget)
    QVBoxLayout(widget).addWidget(button)
    widget.resize(400, 300)
    qtbot.addWidget(widget)
    widget.show()
    return widget, button


def test_success_arrives_on_the_gui_thread_and_reenables_the_button(qtbot, host):
    widget, button = host
    seen: dict[str, object] = {}

    def on_success(value: int) -> None:
        seen["value"] = value
        seen["gui_thread"] = QThread.currentThread() is widget.thread()

    op = run_op(widget, lambda _cancel: 41 + 1, on_success=on_success, on_failure=pytest.fail, trigger=button)
    assert not button.isEnabled()
    with qtbot.waitSignal(op.finished):
        pass
    assert seen == {"value": 42, "gui_thread": True}
    assert button.isEnabled()


def test_failure_is_delivered_and_the_button_comes_back(qtbot, host):
    widget, button = host
    errors: list[BaseException] = []

    def boom(_cancel: object) -> None:
        raise ValueError("nope")

    op = run_op(widget, boom, on_success=pytest.fail, on_failure=errors.append, trigger=button)
    with qtbot.waitSignal(op.finished):
        pass
    assert [type(e) for e in errors] == [ValueError]
    assert button.isEnabled()


def test_a_hung_call_shows_progress_keeps_the_ui_alive_and_cancel_frees_it(qtbot, host):
    widget, button = host
    release = threading.Event()
    late: list[object] = []
    ticks: list[int] = []
    timer = QTimer(widget)
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()

    def hangs(cancel: object) -> str:
        release.wait(30)
        return "too late"

    cancelled: list[bool] = []
    op = run_op(
        widget,
        hangs,
        on_success=late.append,
        on_failure=late.append,
        on_cancelled=lambda: cancelled.append(True),
        progress_text="Waiting",
        trigger=button,
    )
    overlay = op._overlay
    qtbot.waitUntil(overlay.isVisible, timeout=PROGRESS_DELAY_MS + 2000)
    qtbot.waitUntil(lambda: len(ticks) >= 5)  # the event loop keeps running while the call hangs
    assert not button.isEnabled()

    overlay.cancel_button.click()
    assert op.token.is_set()
    assert not overlay.isVisible()
    assert button.isEnabled()
    assert cancelled == [True]

    release.set()  # the worker returns after the cancel: its answer must be dropped
    assert _pool().waitForDone(5000)
    QApplication.processEvents()  # deliver the worker's queued signal, which must be ignored
    assert late == []
