"""立即购买 when nothing can be bought: one screen for every such state — the state, why, the one action that helps,
and 我的订单 → 申请退款 only for a payment still refundable (7 days, no invoice). Real server, real widgets."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.domain.orders import Order, OrderItem
from app.ui.purchase.purchase_dialog import PurchaseDialog
from tests.gui.conftest import trusted_keys
from tests.gui.helpers import TIMEOUT, gone, idle, open_window, top_dialog
from tests.gui.purchase_setup import Buyer, make_buyer
from tests.support.accounts import DEFAULT_PASSWORD, make_account

pytestmark = pytest.mark.gui

_hosts: list[QWidget] = []


@pytest.fixture
def buyer(sqlite_server, make_service) -> Buyer:
    return make_buyer(sqlite_server, make_service(sqlite_server.url, trusted=trusted_keys(sqlite_server)))


def pay_for_a_module(buyer: Buyer) -> Order:
    """Bought and paid as a payer does on the sandbox pay page; the panel applies it."""
    order = buyer.service.create_order([OrderItem("period_close", buyer.ledger_b, 2025, 1)])
    assert buyer.press_pay(order.pay_url).status_code == 200
    buyer.service.after_payment()
    return buyer.service.order(order.id)


def copy_the_licence(buyer: Buyer) -> None:
    """Another public key under the signer's key id: the cached document's signature fails — 非法复制品."""
    service = buyer.service
    service.trusted_keys = {kid: Ed25519PrivateKey.generate().public_key() for kid in service.trusted_keys}


class Handed:
    """What the dialog handed to the panel: the state's action, or the order to refund."""

    def __init__(self) -> None:
        self.actions: list[str] = []
        self.refunds: list[int] = []


def open_dialog(qtbot: Any, service: Any, handed: Handed | None = None, **kw: Any) -> PurchaseDialog:
    host = QWidget()  # the panel window the dialog belongs to
    qtbot.addWidget(host)
    _hosts.append(host)
    if handed is not None:
        kw.update(on_action=handed.actions.append, on_refund=handed.refunds.append)
    dialog = PurchaseDialog.open_for(host, service, **kw)
    qtbot.waitUntil(lambda: not dialog.ops and dialog.local_state is not None, timeout=TIMEOUT)
    return dialog


def assert_blocked_screen(dialog: PurchaseDialog, *, state: str, action: str) -> None:
    """The one layout: the state as 系统认证 shows it, why, one action; no ledger-year headline, no item list."""
    view = dialog.blocked_view
    assert dialog.pages.currentWidget() is view and view.isVisible()
    assert not dialog.header.isVisible() and not dialog.target_label.isVisible()  # no "未选择账套" headline
    assert not dialog.table.isVisible() and not dialog.buy_button.isVisible()
    assert view.badge.code_label.text() == state
    assert view.why.text()
    assert view.action_button.isVisible() and view.action_button.text() == action


def test_illegal_copy_offers_check_online_and_the_refund_of_a_recent_payment(qtbot, panel_app, buyer):
    order = pay_for_a_module(buyer)
    copy_the_licence(buyer)
    window = open_window(qtbot, buyer.service)
    window.switch_language("zh_CN")
    try:
        dialog = window.open_purchase()  # as the accounting software's 立即购买 does
        qtbot.waitUntil(lambda: not dialog.ops and dialog.blocked_view.refund_card.isVisible(), timeout=TIMEOUT)
        assert_blocked_screen(dialog, state="ILLEGAL_COPY", action="在线认证")
        view = dialog.blocked_view
        assert view.badge.pill.text() == "非法复制品"
        assert "未选择账套" not in dialog.target_label.text() or not dialog.target_label.isVisible()
        shown = view.why.text() + view.todo.text()
        assert shown.count("不能购买") <= 1  # the explanation says it; the screen does not repeat it
        assert view.todo.text().startswith("处理办法：")
        assert f"#{order.id}" in view.refund_text.text()
        assert view.refund_button.text() == "我的订单 → 申请退款"

        qtbot.mouseClick(view.refund_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: gone(dialog), timeout=TIMEOUT)
        page = window.orders_page
        assert window.current_page() == "orders"
        qtbot.waitUntil(lambda: not page.ops and page.current is not None, timeout=TIMEOUT)
        assert page.current.id == order.id
        assert page.refund_button.isEnabled() and page.refund_button.text() == "申请退款"
    finally:
        window.switch_language("en")


def test_illegal_copy_action_is_handed_to_the_panel(qtbot, panel_app, buyer):
    copy_the_licence(buyer)
    window = open_window(qtbot, buyer.service)
    dialog = window.open_purchase()
    qtbot.waitUntil(lambda: not dialog.ops and dialog.blocked is not None, timeout=TIMEOUT)
    assert_blocked_screen(dialog, state="ILLEGAL_COPY", action="Check online")
    assert not dialog.blocked_view.refund_card.isVisible()  # nothing was paid
    assert dialog.blocked_view.why.text().count("Nothing can be bought") == 1
    qtbot.mouseClick(dialog.blocked_view.action_button, Qt.MouseButton.LeftButton)
    assert gone(dialog)
    idle(qtbot, window)
    assert window.status is not None and window.status.code == "ILLEGAL_COPY"  # checked online: the copy stays one


def test_expired_licence_offers_renew_which_opens_the_renewal_page(qtbot, panel_app, buyer):
    buyer.set_licence(expires_at=buyer.live.clock.now() - timedelta(days=1))
    buyer.service.reauthenticate()
    window = open_window(qtbot, buyer.service)
    dialog = window.open_purchase()
    qtbot.waitUntil(lambda: not dialog.ops and dialog.blocked is not None, timeout=TIMEOUT)
    assert_blocked_screen(dialog, state="EXPIRED", action="Renew")
    view = dialog.blocked_view
    assert view.why.text().count("only a renewal can be bought") == 1
    assert "Renew the licence" in view.todo.text()
    assert not view.refund_card.isVisible()
    qtbot.mouseClick(view.action_button, Qt.MouseButton.LeftButton)
    assert gone(dialog)
    assert window.current_page() == "renewal"
    assert window.stack.currentWidget() is window.renewal_pages.renewal_page


def test_not_activated_offers_activate_and_says_once_that_nothing_can_be_bought(
    qtbot, panel_app, sqlite_server, make_service
):
    make_account(sqlite_server, "13700000011")
    service = make_service(sqlite_server.url, trusted=trusted_keys(sqlite_server))
    service.sign_in("13700000011", DEFAULT_PASSWORD, remember=False)
    handed = Handed()
    dialog = open_dialog(qtbot, service, handed)
    assert_blocked_screen(dialog, state="NOT_ACTIVATED", action="Activate")
    view = dialog.blocked_view
    assert "This computer has no licence yet." in view.why.text()
    assert view.why.text().count("Nothing can be bought") == 1
    qtbot.waitUntil(lambda: not dialog.ops, timeout=TIMEOUT)
    assert not view.refund_card.isVisible()  # the account has no orders
    qtbot.mouseClick(view.action_button, Qt.MouseButton.LeftButton)
    assert handed.actions == ["ACTIVATE"] and gone(dialog)


def test_too_many_machines_found_by_the_server_shows_the_same_screen(qtbot, panel_app, buyer):
    buyer.add_machines(3)  # 4 machines on 3 seats: the server's verdict, unknown to the cached document
    opened: list[bool] = []
    dialog = open_dialog(qtbot, buyer.service, on_manage_machines=lambda: opened.append(True))
    assert dialog.pages.currentWidget() is dialog.choose_page  # 已激活 here: the ledger-year is chosen first
    dialog.ledger_combo.setCurrentIndex(dialog.ledger_combo.findData(buyer.ledger_a))
    dialog.year_combo.setCurrentIndex(dialog.year_combo.findData(2025))
    qtbot.waitUntil(lambda: not dialog.ops and dialog.blocked is not None, timeout=TIMEOUT)
    assert_blocked_screen(dialog, state="TOO_MANY_MACHINES", action="Manage computers")
    assert "Deactivate a computer" in dialog.blocked_view.todo.text()
    qtbot.mouseClick(dialog.blocked_view.action_button, Qt.MouseButton.LeftButton)
    assert opened == [True]


def test_no_refund_path_after_7_days_or_once_invoiced(qtbot, panel_app, buyer):
    invoiced = pay_for_a_module(buyer)
    buyer.service.request_invoice(invoiced.id, "上海示例商贸有限公司", "91310000MA1F5K90P6", "finance@example.com")
    copy_the_licence(buyer)
    handed = Handed()
    dialog = open_dialog(qtbot, buyer.service, handed)
    assert_blocked_screen(dialog, state="ILLEGAL_COPY", action="Check online")
    qtbot.waitUntil(lambda: not dialog.ops and dialog.orders_checked, timeout=TIMEOUT)
    assert not dialog.blocked_view.refund_card.isVisible()  # invoiced: a refund only goes through support
    dialog.reject()

    buyer.service.trusted_keys = trusted_keys(buyer.live)
    late = pay_for_a_module_for(buyer, "tax_filing")
    buyer.live.clock.advance(timedelta(days=8))
    copy_the_licence(buyer)
    dialog = open_dialog(qtbot, buyer.service, handed)
    qtbot.waitUntil(lambda: not dialog.ops and dialog.orders_checked, timeout=TIMEOUT)
    assert not dialog.blocked_view.refund_card.isVisible(), late.id  # paid 8 days ago: the 7 days are over
    dialog.reject()
    assert handed.refunds == []


def pay_for_a_module_for(buyer: Buyer, sku: str) -> Order:
    order = buyer.service.create_order([OrderItem(sku, buyer.ledger_a, 2025, 1)])
    assert buyer.press_pay(order.pay_url).status_code == 200
    buyer.service.after_payment()
    return buyer.service.order(order.id)


def test_the_host_screen_keeps_the_panel_open_when_the_dialog_hands_over(qtbot, panel_app, buyer):
    from app.ui.screens import open_screen

    copy_the_licence(buyer)
    window = open_window(qtbot, buyer.service)
    screen = open_screen(window, "purchase")
    qtbot.waitUntil(lambda: top_dialog(PurchaseDialog) is not None, timeout=TIMEOUT)
    dialog = top_dialog(PurchaseDialog)
    qtbot.waitUntil(lambda: not dialog.ops and dialog.blocked is not None, timeout=TIMEOUT)
    qtbot.mouseClick(dialog.blocked_view.action_button, Qt.MouseButton.LeftButton)
    assert gone(dialog) and window.isVisible() and not screen.over  # the user goes on in the panel
    window.close()
    assert screen.over and screen.exit_code == 1  # nothing was paid
