"""Objects a worker touched are freed on the GUI thread: Qt crashes when a widget is deleted on another thread."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest
from PySide6.QtWidgets import QWidget

from app.ui.collector import collect_due
from app.ui.runner import _pool, run_op

pytestmark = pytest.mark.gui


class _Held:
    """Stands for what a call's closure holds (the page or dialog that started it)."""


def test_the_call_and_what_it_holds_are_released_on_the_gui_thread(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    released_on: list[str] = []
    held = _Held()
    weakref.finalize(held, lambda: released_on.append(threading.current_thread().name))

    def call(_cancel: object, held: _Held = held) -> int:
        return 1

    done: list[int] = []
    op = run_op(host, call, on_success=done.append, on_failure=pytest.fail, silent=True)
    del call, held
    with qtbot.waitSignal(op.finished):
        pass
    _pool().waitForDone(5_000)
    qtbot.waitUntil(lambda: released_on != [], timeout=5_000)
    assert released_on == [threading.main_thread().name]


def test_a_cycle_is_collected_on_the_gui_thread_however_much_a_worker_allocates(qtbot):
    assert not gc.isenabled()  # the panel's QApplication turned automatic collection off
    released_on: list[str] = []
    cycle: list[object] = [_Held()]
    cycle.append(cycle)
    weakref.finalize(cycle[0], lambda: released_on.append(threading.current_thread().name))
    del cycle

    kept: list[object] = []

    def allocate() -> None:  # far past the first threshold: automatic collection would run here
        kept.extend([i] for i in range(gc.get_threshold()[0] * 20))

    worker = threading.Thread(target=allocate, name="allocating-worker")
    worker.start()
    worker.join()
    assert released_on == []
    qtbot.waitUntil(lambda: released_on != [], timeout=5_000)
    assert released_on == [threading.main_thread().name]


def test_collect_due_collects_the_generations_whose_thresholds_passed():
    gc.collect()
    assert collect_due() == -1  # nothing allocated since
    junk = [[i] for i in range(gc.get_threshold()[0] * 2)]
    assert collect_due() == 0
    del junk
