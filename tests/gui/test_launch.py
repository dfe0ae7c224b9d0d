"""The real start-up path in demo mode: embedded server, trusted demo key, demo logins, the chosen language."""

from __future__ import annotations

import argparse

import pytest
from PySide6.QtCore import Qt

from app import i18n
from app.services.paths import AppPaths
from app.ui.auth.sign_in_dialog import SignInDialog
from app.ui.launch import start_gui
from tests.gui.helpers import TIMEOUT, badge_code, top_dialog

pytestmark = pytest.mark.gui


def test_demo_mode_opens_the_panel_in_chinese_and_the_demo_login_signs_in(qtbot, qapp, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")  # never the developer's keyring
    args = argparse.Namespace(
        demo=True, lang="zh_CN", data_dir=str(tmp_path), server=None, paths=AppPaths.from_data_dir(tmp_path)
    )
    panel = start_gui(args)
    window = panel.window
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: not window.ops, timeout=TIMEOUT)
        assert window.auth_page.badge.pill.text() == "未登录"
        assert window.nav.item(0).text() == "系统认证"

        window.on_action_requested("SIGN_IN")
        dialog = top_dialog(SignInDialog)
        assert dialog.demo_box is not None  # the demo logins are shown on the dialog
        dialog.demo_box.linkActivated.emit("0")
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: badge_code(window) == "NOT_ACTIVATED", timeout=TIMEOUT)
        assert window.auth_page.badge.pill.text() == "未激活"
    finally:
        window.close()
        panel.stop()
        i18n.set_language("en")
