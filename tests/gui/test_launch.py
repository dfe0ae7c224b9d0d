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


def test_the_network_information_backend_loads_only_after_the_first_paint(qtbot, panel_app, make_service, monkeypatch):
    # Loading the OS backend may take long (under Wine it never returns): the window must be painted first.
    from PySide6.QtNetwork import QNetworkInformation

    from app.ui.main_window import MainWindow
    from tests.support.http_stubs import dead_url

    loads: list[bool] = []
    monkeypatch.setattr(QNetworkInformation, "instance", staticmethod(lambda: None))
    monkeypatch.setattr(QNetworkInformation, "loadDefaultBackend", staticmethod(lambda: loads.append(True) or False))
    window = MainWindow(make_service(dead_url()))
    qtbot.addWidget(window)
    assert loads == []  # the window is built and nothing was loaded yet
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: loads == [True], timeout=TIMEOUT)
    window.close()


def test_demo_mode_with_a_server_uses_that_server_and_the_key_trusted_for_it(qtbot, qapp, tmp_path, sqlite_server):
    # What the installed panel does against a demo server on another port: no embedded server of its own, and the
    # demo key saved for that server (as `--server URL --demo activate` uses it) is not replaced.
    from licence_protocol.envelope import public_key_from_b64

    from app.services.trust import DemoTrust

    paths = AppPaths.from_data_dir(tmp_path)
    [key] = [k for k in sqlite_server.ctx.keys.public_keys() if k["active"]]
    DemoTrust(paths).save(key["kid"], public_key_from_b64(key["public_key"]))
    saved = paths.demo_key_file.read_bytes()
    args = argparse.Namespace(demo=True, lang="en", data_dir=str(tmp_path), server=sqlite_server.url, paths=paths)
    panel = start_gui(args)
    qtbot.addWidget(panel.window)
    try:
        qtbot.waitUntil(lambda: not panel.window.ops, timeout=TIMEOUT)
        assert panel.backend is None
        assert panel.window.service.server_url == sqlite_server.url
        assert paths.demo_key_file.read_bytes() == saved
    finally:
        panel.window.close()
        panel.stop()
        i18n.set_language("en")
