"""Maintenance windows and announcements in the banner: the panel says so, keeps the cached state, and checks
again by itself when the window ends (a QTimer armed from Retry-After). Real server, real windows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from tests.gui.clocked_panel_setup import ClientClock, activate, announce, clocked_service
from tests.gui.helpers import TIMEOUT, badge_code, idle, open_window

pytestmark = pytest.mark.gui

# Longer than the HTTP client's own short Retry-After waits (app/services/http.py MAX_RETRY_AFTER_S = 5 s),
# so the window reaches the panel, and short enough that a test can wait for its real end.
WINDOW = timedelta(seconds=8)


def test_during_maintenance_the_panel_says_so_keeps_its_state_and_retries_when_it_ends(
    qtbot, panel_app, demo, tmp_path
):
    clock = ClientClock()
    service = clocked_service(demo, tmp_path / "pc", clock)
    activate(demo, service, "fresh")
    announce(
        demo.live,
        kind="maintenance",
        starts_in=-timedelta(minutes=1),
        lasts=WINDOW + timedelta(minutes=1),
        title="系统升级",
        body="升级期间暂停服务",
    )

    window = open_window(qtbot, service)
    assert badge_code(window) == "ACTIVE", "maintenance is no licence verdict: the cached state stays"
    assert window.network == "maintenance"
    assert "maintenance" in window.network_label.text()
    kinds = [kind for kind, _ in window.banner.texts()]
    assert kinds == ["maintenance"], "one row: the 503 and the announcement are the same window"
    assert "系统升级" in window.banner.texts()[0][1] and "checks again by itself" in window.banner.texts()[0][1]
    timer = window.background.timer
    assert timer.isActive() and timer.remainingTime() <= (WINDOW + timedelta(seconds=2)).total_seconds() * 1000

    # Nobody touches anything: when the window ends the panel asks again and the banner goes away.
    qtbot.waitUntil(lambda: window.network == "online", timeout=TIMEOUT)
    idle(qtbot, window)
    assert badge_code(window) == "ACTIVE" and window.banner.isHidden()
    assert timer.remainingTime() > 5 * 3600 * 1000
    assert not window.auth_page.error_line.isVisible()


def test_a_planned_window_and_a_notice_are_announced_before_anything_stops(qtbot, panel_app, demo, tmp_path):
    announce(demo.live, kind="maintenance", starts_in=timedelta(days=2), lasts=timedelta(hours=2), title="机房迁移")
    announce(
        demo.live,
        kind="notice",
        starts_in=-timedelta(hours=1),
        lasts=timedelta(days=3),
        title="春节客服时间",
        body="2月9日至2月17日客服暂停",
    )
    announce(demo.live, kind="maintenance", starts_in=timedelta(days=30), lasts=timedelta(hours=2), title="远期维护")
    clock = ClientClock()
    service = clocked_service(demo, tmp_path / "pc", clock)
    activate(demo, service, "fresh")

    window = open_window(qtbot, service)
    qtbot.waitUntil(lambda: len(window.banner.texts()) == 2, timeout=TIMEOUT)
    (k1, t1), (k2, t2) = window.banner.texts()
    assert k1 == "maintenance" and "Planned maintenance: 机房迁移" in t1
    assert k2 == "notice" and "春节客服时间" in t2 and "客服暂停" in t2
    assert badge_code(window) == "ACTIVE" and window.network == "online"


def test_maintenance_during_a_check_the_user_asked_for_is_said_not_shown_as_an_error(qtbot, panel_app, demo, tmp_path):
    clock = ClientClock()
    service = clocked_service(demo, tmp_path / "pc", clock)
    activate(demo, service, "fresh")
    window = open_window(qtbot, service)
    announce(demo.live, kind="maintenance", starts_in=-timedelta(minutes=1), lasts=timedelta(hours=2), title="升级")

    qtbot.mouseClick(window.auth_page.button_for("REAUTHENTICATE"), Qt.MouseButton.LeftButton)
    idle(qtbot, window)
    assert badge_code(window) == "ACTIVE" and window.network == "maintenance"
    assert window.banner.texts()[0][0] == "maintenance"
    # Armed from Retry-After (about two hours), not from the 6-hour rhythm.
    assert 100 * 60 * 1000 < window.background.timer.remainingTime() <= (2 * 3600 + 60) * 1000

    demo.live.clock.advance(timedelta(hours=2))  # the window is over on the server's clock
    window.background.check_now()  # what the timer does when it fires
    qtbot.waitUntil(lambda: window.network == "online", timeout=TIMEOUT)
    idle(qtbot, window)
    assert badge_code(window) == "ACTIVE" and window.banner.isHidden()
