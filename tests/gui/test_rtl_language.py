"""Persian mirrors the panel (right to left) and Vietnamese does not; long translations wrap instead of overflowing."""

from __future__ import annotations

import argparse

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QPushButton, QWidget

from app import i18n
from app.services.paths import AppPaths
from app.ui.launch import start_gui
from app.ui.widgets.flow_layout import FlowLayout
from tests.gui.helpers import TIMEOUT, open_window

pytestmark = pytest.mark.gui

RTL = Qt.LayoutDirection.RightToLeft
LTR = Qt.LayoutDirection.LeftToRight


def _x_in_window(widget: QWidget, window: QWidget) -> int:
    return widget.mapTo(window, widget.rect().topLeft()).x()


def test_switching_to_persian_mirrors_the_panel_and_back(qtbot, panel_app, demo_service):
    window = open_window(qtbot, demo_service)
    try:
        window.switch_language("fa")
        assert QGuiApplication.layoutDirection() == RTL and window.layoutDirection() == RTL
        pill = window.auth_page.badge.pill
        qtbot.waitUntil(pill.isVisible, timeout=TIMEOUT)  # the rebuilt page shows on the next event-loop pass
        assert pill.text() == "وارد نشده\u200cاید"
        badge = window.auth_page.badge  # no Chinese word on a Persian screen: the code is what support matches on
        assert not badge.zh_label.isVisible() and badge.code_label.text() == "NOT_LOGGED_IN"
        assert window.nav.item(0).text() == "احراز سیستم"
        # the navigation moved to the right-hand side, the page to the left
        qtbot.waitUntil(lambda: _x_in_window(window.nav, window) > _x_in_window(window.stack, window), timeout=TIMEOUT)
        first_family = panel_app.font().families()[0]
        assert QFontDatabase.WritingSystem.Arabic in QFontDatabase.writingSystems(first_family)

        window.switch_language("vi")
        assert QGuiApplication.layoutDirection() == LTR and window.layoutDirection() == LTR
        qtbot.waitUntil(window.auth_page.badge.pill.isVisible, timeout=TIMEOUT)
        assert window.auth_page.badge.pill.text() == "Chưa đăng nhập"
        assert not window.auth_page.badge.zh_label.isVisible()
        qtbot.waitUntil(lambda: _x_in_window(window.nav, window) < _x_in_window(window.stack, window), timeout=TIMEOUT)
        assert QFontDatabase.WritingSystem.Vietnamese in QFontDatabase.writingSystems(panel_app.font().families()[0])
    finally:
        window.switch_language("en")
    assert QGuiApplication.layoutDirection() == LTR


def test_the_language_menu_offers_persian(qtbot, panel_app, demo_service):
    window = open_window(qtbot, demo_service)
    try:
        menu_texts = {a.text(): a for a in window.findChildren(type(window.sign_in_action)) if a.isCheckable()}
        assert {"简体中文", "English", "Tiếng Việt", "فارسی"} <= set(menu_texts)
        menu_texts["فارسی"].trigger()
        assert QGuiApplication.layoutDirection() == RTL
        assert window.auth_page.badge.pill.text() == "وارد نشده\u200cاید"
        assert demo_service.settings.language == "fa"  # remembered for the next start
    finally:
        window.switch_language("en")


def test_starting_with_lang_fa_opens_the_panel_right_to_left(qtbot, qapp, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")  # never the developer's keyring
    args = argparse.Namespace(
        demo=True, lang="fa", data_dir=str(tmp_path), server=None, paths=AppPaths.from_data_dir(tmp_path)
    )
    panel = start_gui(args)
    window = panel.window
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: not window.ops, timeout=TIMEOUT)
        assert QGuiApplication.layoutDirection() == RTL and window.isRightToLeft()
        assert window.auth_page.badge.pill.isVisible()
        assert window.auth_page.badge.pill.text() == "وارد نشده\u200cاید"
    finally:
        window.close()
        panel.stop()
        i18n.set_language("en")
        from app.ui.theme import apply_theme

        apply_theme(qapp)
    assert QGuiApplication.layoutDirection() == LTR


@pytest.mark.parametrize("direction", [LTR, RTL])
def test_a_flow_of_buttons_wraps_into_rows_and_mirrors_right_to_left(qtbot, panel_app, direction):
    host = QWidget()
    qtbot.addWidget(host)
    host.setLayoutDirection(direction)
    flow = FlowLayout(host, spacing=8)
    buttons = [QPushButton(f"Một nút khá dài số {n}") for n in range(5)]
    for button in buttons:
        flow.addWidget(button)
    width = buttons[0].sizeHint().width() * 2 + 40  # room for two buttons a row
    host.resize(width, flow.heightForWidth(width))
    host.show()
    qtbot.waitExposed(host)
    rows = sorted({b.y() for b in buttons})
    assert len(rows) == 3  # 2 + 2 + 1: the row wrapped instead of growing wider than the host
    assert all(b.x() >= 0 and b.geometry().right() < width for b in buttons)
    first, second = buttons[0], buttons[1]
    if direction == LTR:
        assert first.x() < second.x()
    else:
        assert first.x() > second.x() and first.geometry().right() == width - 1  # starts at the right edge
    assert host.minimumSizeHint().width() < sum(b.sizeHint().width() for b in buttons)
