"""Switching language at run time keeps the user where they were: 续费 stays 续费, with its choices and its payment."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from app import i18n
from app.ui.renewal.renewal_page import RenewalPage
from app.ui.settings.settings_dialog import SettingsDialog
from tests.gui.conftest import trusted_keys
from tests.gui.helpers import TIMEOUT, idle, open_window, top_dialog
from tests.gui.purchase_setup import make_buyer

pytestmark = pytest.mark.gui


def quoted_renewal_page(qtbot: Any, window: Any) -> RenewalPage:
    page: RenewalPage = window.renewal_pages.renewal_page
    qtbot.waitUntil(lambda: window.stack.currentWidget() is page, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not page.ops and page.quote is not None, timeout=TIMEOUT)
    return page


def choose_language_in_menu(window: Any, name: str) -> None:
    actions = {a.text(): a for a in window.findChildren(type(window.sign_in_action)) if a.isCheckable()}
    actions[name].trigger()


def test_language_switch_on_the_renewal_page_stays_there_with_its_choices_and_payment(
    qtbot, panel_app, sqlite_server, make_service
):
    buyer = make_buyer(sqlite_server, make_service(sqlite_server.url, trusted=trusted_keys(sqlite_server)))
    window = open_window(qtbot, buyer.service)
    try:
        window.on_action_requested("RENEW")
        page = quoted_renewal_page(qtbot, window)
        page.period.setCurrentIndex(page.period.findData(24))
        qtbot.waitUntil(lambda: not page.ops and page.quote is not None and page.quote.months == 24, timeout=TIMEOUT)
        amount_24 = page.quote.amount

        choose_language_in_menu(window, "简体中文")  # the language menu
        assert window.current_page() == "renewal"
        page = window.renewal_pages.renewal_page  # the rebuilt page, shown at once with the last quote
        assert window.stack.currentWidget() is page and window.nav.currentItem().text() == "续费"
        assert page.period.currentData() == 24 and page.period.currentText() == "24 个月（2 年）"
        assert page.price_value.text() == amount_24.text
        qtbot.waitUntil(page.isVisible, timeout=TIMEOUT)  # the rebuilt window shows on the next event-loop pass
        qtbot.waitUntil(lambda: not page.ops, timeout=TIMEOUT)  # showing it asks for a fresh quote, same choice
        assert page.quote is not None and page.quote.months == 24 and page.quote.amount == amount_24
        assert page.price_value.text() == amount_24.text
        assert page.order_button.text() == "提交续费订单"

        # A payment still open survives a switch too (here from the settings dialog): same order, same countdown.
        qtbot.mouseClick(page.order_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.steps.currentWidget() is page.payment_page and not page.ops, timeout=TIMEOUT)
        order = page.order
        assert order is not None
        window.on_action_requested("OPEN_SETTINGS")
        settings = top_dialog(SettingsDialog)
        assert settings is not None
        settings.language.setCurrentIndex(settings.language.findData("en"))
        qtbot.mouseClick(settings.save_button, Qt.MouseButton.LeftButton)
        idle(qtbot, window)
        assert window.current_page() == "renewal"
        page = window.renewal_pages.renewal_page
        assert window.stack.currentWidget() is page and page.steps.currentWidget() is page.payment_page
        assert page.order is not None and page.order.id == order.id
        assert page.pay_summary.text().startswith(f"Renewal order #{order.id}: 24 months (2 years)")
        assert page.payment_view.countdown.text().startswith("Time left to pay: 1")

        assert buyer.press_pay(order.pay_url).status_code == 200
        qtbot.mouseClick(page.payment_view.paid_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.renewed_order is not None and not page.ops, timeout=TIMEOUT)
        assert page.steps.currentWidget() is page.done_page
        assert page.done_title.text().startswith("Renewal paid")
    finally:
        i18n.set_language("en")


def test_other_pages_stay_shown_across_a_switch(qtbot, panel_app, sqlite_server, make_service):
    buyer = make_buyer(sqlite_server, make_service(sqlite_server.url, trusted=trusted_keys(sqlite_server)))
    window = open_window(qtbot, buyer.service)
    try:
        window.show_page("orders")
        window.switch_language("vi")
        assert window.current_page() == "orders" and window.stack.currentWidget() is window.orders_page
        assert window.nav.currentItem().text() == "Đơn hàng của tôi"
    finally:
        window.switch_language("en")
