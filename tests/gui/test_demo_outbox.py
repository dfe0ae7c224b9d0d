"""Demo mode: the register and forgot-password tabs show the code the demo server sent (it has no SMS gateway)."""

from __future__ import annotations

import argparse
import re

import pytest
from PySide6.QtCore import Qt

from app import i18n
from app.services.paths import AppPaths
from app.ui.auth.sign_in_dialog import SignInDialog
from app.ui.launch import start_gui
from tests.gui.helpers import TIMEOUT, badge_code, open_window, top_dialog

pytestmark = pytest.mark.gui

NEW_LOGIN = "13811112222"
NEW_PASSWORD = "Newcomer#2025"


def _shown_code(label) -> str:
    found = re.search(r"is <a href='(\d+)'>", label.text())
    assert found, label.text()
    return found.group(1)


def test_a_newcomer_registers_in_the_demo_with_the_code_the_dialog_shows(qtbot, qapp, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")  # never the developer's keyring
    args = argparse.Namespace(
        demo=True, lang="en", data_dir=str(tmp_path), server=None, paths=AppPaths.from_data_dir(tmp_path)
    )
    panel = start_gui(args)
    window = panel.window
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: not window.ops, timeout=TIMEOUT)
        window.on_action_requested("SIGN_IN")
        dialog = top_dialog(SignInDialog)
        dialog.tabs.setCurrentIndex(1)
        assert not dialog.reg_demo_code.isVisible()
        qtbot.keyClicks(dialog.reg_login, NEW_LOGIN)
        qtbot.mouseClick(dialog.reg_code_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(dialog.reg_demo_code.isVisible, timeout=TIMEOUT)
        assert f"Demo: the code sent to {NEW_LOGIN} is" in dialog.reg_demo_code.text()
        code = _shown_code(dialog.reg_demo_code)

        qtbot.keyClicks(dialog.reg_code, code)  # typed as a person would read it off the dialog
        qtbot.keyClicks(dialog.reg_password, NEW_PASSWORD)
        qtbot.mouseClick(dialog.reg_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.tabs.currentIndex() == 0, timeout=TIMEOUT)
        assert "Account created" in dialog.sign_in_message.text()
        assert dialog.login_edit.text() == NEW_LOGIN

        # Forgot password: the demo shows that code too, and a click fills it in.
        dialog.tabs.setCurrentIndex(2)
        qtbot.keyClicks(dialog.reset_login, NEW_LOGIN)
        qtbot.mouseClick(dialog.reset_code_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(dialog.reset_demo_code.isVisible, timeout=TIMEOUT)
        reset_code = _shown_code(dialog.reset_demo_code)
        dialog.reset_demo_code.linkActivated.emit(reset_code)
        assert dialog.reset_code.text() == reset_code and reset_code != code

        dialog.tabs.setCurrentIndex(0)
        dialog.password_edit.setText(NEW_PASSWORD)
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: badge_code(window) == "NOT_ACTIVATED", timeout=TIMEOUT)
        assert NEW_LOGIN in window.account_label.text()
    finally:
        window.close()
        panel.stop()
        i18n.set_language("en")


def test_outside_the_demo_no_code_is_shown(qtbot, panel_app, demo_service):
    window = open_window(qtbot, demo_service)
    window.on_action_requested("SIGN_IN")
    dialog = top_dialog(SignInDialog)
    dialog.tabs.setCurrentIndex(1)
    qtbot.keyClicks(dialog.reg_login, NEW_LOGIN)
    qtbot.mouseClick(dialog.reg_code_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.reg_message.isVisible, timeout=TIMEOUT)
    assert "A code was sent" in dialog.reg_message.text()
    assert not dialog.reg_demo_code.isVisible() and dialog.reg_demo_code.text() == ""
    dialog.reject()
