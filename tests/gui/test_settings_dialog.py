"""Settings: "Test connection" tests what is typed without saving it or touching the session; Save saves."""

from __future__ import annotations

import socket

import pytest
from PySide6.QtCore import Qt

from app.ui.settings.settings_dialog import SettingsDialog
from tests.gui.helpers import TIMEOUT, badge_code, gone, idle, open_window, sign_in, top_dialog

pytestmark = pytest.mark.gui


def _refused_url() -> str:
    """A loopback port nobody listens on: the connection is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _open_settings(window) -> SettingsDialog:
    window.open_settings()
    dialog = top_dialog(SettingsDialog)
    assert dialog is not None
    return dialog


def _test_connection(qtbot, dialog: SettingsDialog) -> str:
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled() and dialog.report.text() != "Testing…", timeout=TIMEOUT)
    return dialog.report.text()


def test_testing_another_server_changes_nothing_until_save(qtbot, panel_app, demo, demo_service):
    window = open_window(qtbot, demo_service)
    sign_in(qtbot, window, *demo.login)
    qtbot.waitUntil(lambda: badge_code(window) == "NOT_ACTIVATED", timeout=TIMEOUT)
    idle(qtbot, window)
    settings_file = demo_service.paths.settings_file
    saved = settings_file.read_bytes()
    other = _refused_url()

    dialog = _open_settings(window)
    dialog.server_url.setText(other)
    assert "could not be reached" in _test_connection(qtbot, dialog)  # the typed server was tested
    assert settings_file.read_bytes() == saved
    assert demo_service.server_url == demo.live.url and demo_service.signed_in
    dialog.server_url.setText(demo.live.url)
    assert "Connected" in _test_connection(qtbot, dialog)
    dialog.server_url.setText(other)
    assert "could not be reached" in _test_connection(qtbot, dialog)
    dialog.reject()
    qtbot.waitUntil(lambda: gone(dialog), timeout=TIMEOUT)

    assert settings_file.read_bytes() == saved  # Cancel: still as before
    assert demo.login[0] in window.account_label.text()  # the session did not end
    assert demo_service.me().account.login == demo.login[0]

    dialog = _open_settings(window)
    dialog.server_url.setText(other)
    _test_connection(qtbot, dialog)
    assert settings_file.read_bytes() == saved
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gone(dialog), timeout=TIMEOUT)
    assert other in settings_file.read_text("utf-8")  # Save is what saves
    assert demo_service.server_url == other
    idle(qtbot, window)  # nothing of this test still running once the next one starts
    window.close()


def test_settings_the_administrator_enforces_are_shown_locked_and_kept_on_save(qtbot, panel_app, demo, demo_service):
    demo_service.locked_settings = frozenset({"server_url", "proxy_mode"})
    window = open_window(qtbot, demo_service)
    dialog = _open_settings(window)
    assert not dialog.server_url.isEnabled() and not dialog.proxy_manual.isEnabled()
    assert dialog.language.isEnabled() and dialog.locked_note.isVisibleTo(dialog)
    assert dialog.server_url.text() == demo.live.url
    dialog.server_url.setText("https://elsewhere.example")  # what a script or a stale value could still put there
    dialog.language.setCurrentIndex(dialog.language.findData("vi"))
    dialog.on_save()
    assert demo_service.settings.server_url == demo.live.url  # enforced: unchanged
    assert demo_service.settings.language == "vi"  # the user's own choice: saved
    window.close()
