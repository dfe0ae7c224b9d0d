"""Collect Python's reference cycles on the GUI thread only.

CPython runs its cycle collector on whichever thread passes an allocation threshold: a worker, or the embedded
demo server. A cycle holding a widget is then freed on that thread, and Qt crashes when a widget is deleted off
the thread it lives on. So, as Anki and other Qt programs in Python do, automatic collection is off while the GUI
runs, and a timer on the GUI thread collects what the automatic collector would have, as often as it would have.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QTimer

CHECK_MS = 500

_timer: QTimer | None = None


def collect_due() -> int:
    """Collect the generations whose thresholds have been passed; returns the oldest collected, or -1 for none."""
    threshold0, threshold1, threshold2 = gc.get_threshold()
    count0, count1, count2 = gc.get_count()
    if count0 <= threshold0:
        return -1
    generation = 0
    if count1 > threshold1:  # counts collections of the generation below, as CPython's own collector does
        generation = 2 if count2 > threshold2 else 1
    gc.collect(generation)
    return generation


def collect_on_gui_thread(app: QCoreApplication) -> None:
    """Turn automatic collection off and collect from a timer on ``app``'s thread instead; once per process."""
    global _timer
    if _timer is not None:
        return
    gc.disable()
    _timer = QTimer(app)
    _timer.setInterval(CHECK_MS)
    _timer.timeout.connect(collect_due)
    _timer.start()
