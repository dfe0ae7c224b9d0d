"""Offline use on 系统认证: lease days left, the stronger warning of the last 3 days, 需联网认证, and the silent
re-authentication that renews the lease when the network comes back. Real server; the client clock is moved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from tests.gui.clocked_panel_setup import ClientClock, activate, clocked_service, restart, stop
from tests.gui.helpers import TIMEOUT, badge_code, idle, open_window

pytestmark = pytest.mark.gui


def banner_kinds(window) -> list[str]:
    return [kind for kind, _text in window.banner.texts()]


def check_online(qtbot, window) -> None:
    qtbot.mouseClick(window.auth_page.button_for("REAUTHENTICATE"), Qt.MouseButton.LeftButton)
    idle(qtbot, window)


def test_the_lease_counts_down_offline_warns_strongly_then_asks_for_one_online_check(qtbot, panel_app, demo, tmp_path):
    clock = ClientClock()
    service = clocked_service(demo, tmp_path / "pc", clock)
    activate(demo, service, "fresh")
    window = open_window(qtbot, service)
    assert badge_code(window) == "ACTIVE" and window.network == "online"
    lease_end = window.status.lease_expires_at
    assert lease_end is not None and window.banner.isHidden()  # online, lease fresh: nothing to warn about

    stop(demo.live)
    clock.offset = lease_end - clock.now() - timedelta(days=5, hours=1)
    check_online(qtbot, window)
    assert badge_code(window) == "OFFLINE_GRACE" and window.network == "offline"
    assert "unreachable" in window.network_label.text()  # network state, apart from the licence state
    assert not window.auth_page.error_line.isVisible()  # "server unreachable" is no licence error
    assert banner_kinds(window) == ["lease"]
    assert "5 more days" in window.banner.texts()[0][1]
    assert window.auth_page.values["lease"].property("lease") == "normal"

    clock.advance(timedelta(days=3))  # 2 days and an hour left: the last 3 days
    check_online(qtbot, window)
    assert badge_code(window) == "OFFLINE_GRACE"
    assert banner_kinds(window) == ["lease_strong"]
    assert "Only 2 days of offline use left" in window.banner.texts()[0][1]
    assert window.auth_page.values["lease"].property("lease") == "strong"

    clock.advance(timedelta(days=3))  # past the lease
    check_online(qtbot, window)
    assert badge_code(window) == "LEASE_EXPIRED" and window.auth_page.badge.zh_label.text() == "需联网认证"
    assert banner_kinds(window) == ["lease_expired"]
    assert window.auth_page.action_buttons["REAUTHENTICATE"].property("primary") is True

    # The network comes back (the OS says so): a silent check renews the lease, no button pressed.
    demo.live.clock.advance(clock.offset)
    restart(demo.live)
    window.background.on_network_reachable()
    qtbot.waitUntil(lambda: badge_code(window) == "ACTIVE", timeout=TIMEOUT)
    idle(qtbot, window)
    assert window.network == "online" and window.banner.isHidden()
    assert window.status.lease_expires_at - clock.now() > timedelta(days=10)
    assert not window.auth_page.error_line.isVisible()


def test_after_each_check_the_next_silent_check_is_scheduled(qtbot, panel_app, demo, tmp_path):
    clock = ClientClock()
    service = clocked_service(demo, tmp_path / "pc", clock)
    activate(demo, service, "fresh")
    window = open_window(qtbot, service)
    timer = window.background.timer
    assert timer.isActive() and timer.remainingTime() > 5 * 3600 * 1000  # online: every 6 hours

    stop(demo.live)
    check_online(qtbot, window)
    assert badge_code(window) == "OFFLINE_GRACE"
    assert timer.isActive() and timer.remainingTime() < 20 * 60 * 1000  # offline: about 15 minutes, not 6 hours

    restart(demo.live)
    op = window.background.check_now()
    assert op is not None and window.background.check_now() is None  # never two checks at once
    qtbot.waitUntil(lambda: badge_code(window) == "ACTIVE", timeout=TIMEOUT)
    idle(qtbot, window)
    assert timer.remainingTime() > 5 * 3600 * 1000
