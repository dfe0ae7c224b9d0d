"""Sign-in feedback (attempts left, password rules), a server that never answers, network vs licence state."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer

from app.services.settings import ClientSettings
from app.ui.auth.sign_in_dialog import SignInDialog
from tests.gui.helpers import TIMEOUT, badge_code, gone, idle, open_window, run_wizard, sign_in, top_dialog
from tests.support.http_stubs import SilentServer

pytestmark = pytest.mark.gui


def test_a_wrong_password_shows_the_attempts_left(qtbot, panel_app, demo, demo_service):
    window = open_window(qtbot, demo_service)
    dialog = sign_in(qtbot, window, demo.login[0], "Wrong#pass1")
    qtbot.waitUntil(lambda: dialog.sign_in_message.isVisible(), timeout=TIMEOUT)
    text = dialog.sign_in_message.text()
    assert "attempts left" in text and any(ch.isdigit() for ch in text)
    assert dialog.isVisible() and dialog.sign_in_button.isEnabled()
    assert dialog.password_edit.text() == ""  # never left in the field after a failure
    assert badge_code(window) == "NOT_LOGGED_IN"


def test_register_and_reset_show_the_password_rules_live(qtbot, panel_app, demo_service):
    window = open_window(qtbot, demo_service)
    window.on_action_requested("SIGN_IN")
    dialog = top_dialog(SignInDialog)
    dialog.tabs.setCurrentIndex(2)
    qtbot.keyClicks(dialog.reset_password, "abc")
    marks = [label.text()[0] for label in dialog.reset_rules.labels if not label.isHidden()]
    assert marks.count("✓") == 2 and "✗" in marks  # lower case and Latin-only pass; length, upper… not yet
    qtbot.keyClicks(dialog.reset_password, "DEF12#x")
    assert dialog.reset_rules.all_ok
    dialog.reject()


def test_demo_logins_are_shown_in_demo_mode(qtbot, panel_app, demo, demo_service):
    window = open_window(qtbot, demo_service, demo_logins=[demo.login])
    window.on_action_requested("SIGN_IN")
    dialog = top_dialog(SignInDialog)
    assert dialog.demo_box is not None and demo.login[0] in dialog.demo_box.text()
    dialog.demo_box.linkActivated.emit("0")
    assert dialog.login_edit.text() == demo.login[0]
    dialog.reject()


def test_a_server_that_never_answers_keeps_the_window_alive_and_cancel_frees_it(qtbot, panel_app, make_service):
    with SilentServer() as silent:
        service = make_service(silent.url)
        window = open_window(qtbot, service)  # nothing cached: start-up needs no network
        ticks: list[int] = []
        timer = QTimer(window)
        timer.timeout.connect(lambda: ticks.append(1))
        timer.start(20)

        dialog = sign_in(qtbot, window, "13800000001", "Whatever#1")
        overlay = dialog.op._overlay
        qtbot.waitUntil(overlay.isVisible, timeout=TIMEOUT)  # the progress with its Cancel button
        assert silent.accepted.wait(5)
        seen = len(ticks)
        qtbot.waitUntil(lambda: len(ticks) >= seen + 5, timeout=TIMEOUT)  # timers still fire, the GUI repaints
        window.repaint()
        assert not dialog.sign_in_button.isEnabled()

        qtbot.mouseClick(overlay.cancel_button, Qt.MouseButton.LeftButton)
        assert not overlay.isVisible()
        assert dialog.sign_in_button.isEnabled()  # the UI is free at once, the worker may still be blocked
        assert not dialog.sign_in_message.isVisible()  # a cancel is not an error
        dialog.reject()
        qtbot.waitUntil(lambda: gone(dialog), timeout=TIMEOUT)
        assert badge_code(window) == "NOT_LOGGED_IN"


def test_an_unreachable_server_is_a_network_state_not_a_licence_verdict(qtbot, panel_app, demo, demo_service):
    window = open_window(qtbot, demo_service)
    sign_in(qtbot, window, *demo.login)
    qtbot.waitUntil(lambda: badge_code(window) == "NOT_ACTIVATED", timeout=TIMEOUT)
    idle(qtbot, window)
    fresh = demo.scenario("fresh")
    run_wizard(qtbot, window, fresh["serial"], fresh["cdkey"], fresh["org_id"]).close()
    qtbot.waitUntil(lambda: badge_code(window) == "ACTIVE", timeout=TIMEOUT)

    demo.live.server.stop()
    qtbot.mouseClick(window.auth_page.action_buttons["REAUTHENTICATE"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.network == "offline", timeout=TIMEOUT)
    idle(qtbot, window)
    assert "unreachable" in window.network_label.text()
    assert badge_code(window) == "OFFLINE_GRACE"  # still usable offline: not "licence invalid"
    assert window.auth_page.badge.zh_label.text() == "离线使用中"
    assert isinstance(demo_service.settings, ClientSettings)


def test_switching_language_retranslates_live(qtbot, panel_app, demo_service):
    window = open_window(qtbot, demo_service)
    window.switch_language("zh_CN")
    try:
        assert window.auth_page.badge.pill.text() == "未登录"
        assert window.nav.item(0).text() == "系统认证"
        assert window.auth_page.values["account"].text() == "（空）— 未激活到任何账号"
        assert demo_service.settings.language == "zh_CN"
    finally:
        window.switch_language("en")
    assert window.auth_page.badge.pill.text() == "Not signed in"


def test_repeated_wrong_passwords_lock_the_login_and_say_until_when(qtbot, panel_app, demo, demo_service):
    window = open_window(qtbot, demo_service)
    dialog = sign_in(qtbot, window, demo.login[0], "Wrong#pass1")
    for _ in range(10):
        qtbot.waitUntil(
            lambda: dialog.sign_in_message.isVisible() and dialog.sign_in_button.isEnabled(), timeout=TIMEOUT
        )
        if "locked until" in dialog.sign_in_message.text():
            break
        dialog.sign_in_message.hide()
        dialog.password_edit.setText("Wrong#pass1")
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    text = dialog.sign_in_message.text()
    assert "locked until" in text and any(ch.isdigit() for ch in text)


def test_sign_out_returns_to_not_signed_in(qtbot, panel_app, demo, demo_service):
    window = open_window(qtbot, demo_service)
    sign_in(qtbot, window, *demo.login)
    qtbot.waitUntil(lambda: badge_code(window) == "NOT_ACTIVATED", timeout=TIMEOUT)
    idle(qtbot, window)
    assert window.sign_out_action.isEnabled()
    window.sign_out_action.trigger()
    qtbot.waitUntil(lambda: badge_code(window) == "NOT_LOGGED_IN", timeout=TIMEOUT)
    assert window.account_label.text() == "Not signed in"
