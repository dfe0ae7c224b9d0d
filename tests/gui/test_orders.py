"""我的订单 and 产品充值 against the real server: refunds inside and after 7 days, invoices, recharge codes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app import i18n
from app.domain.orders import Order, OrderItem
from app.ui.orders.orders_page import OrdersPage
from app.ui.renewal.recharge_dialog import RechargeDialog
from tests.gui.conftest import trusted_keys
from tests.gui.helpers import TIMEOUT, top_dialog
from tests.gui.purchase_setup import Buyer, make_buyer
from tests.support.purchase import place_past_renewal

pytestmark = pytest.mark.gui


@pytest.fixture
def buyer(sqlite_server, make_service) -> Buyer:
    return make_buyer(sqlite_server, make_service(sqlite_server.url, trusted=trusted_keys(sqlite_server)))


def buy(buyer: Buyer, *items: tuple[str, int, int, int]) -> Order:
    """Order with the panel's own service call and pay on the sandbox page, as a payer would."""
    order = buyer.service.create_order([OrderItem(sku, ledger, year, qty) for sku, ledger, year, qty in items])
    assert buyer.press_pay(order.pay_url).status_code == 200
    buyer.service.after_payment()
    return buyer.service.order(order.id)


def open_page(qtbot, service) -> OrdersPage:
    page = OrdersPage(service)
    qtbot.addWidget(page)
    page.resize(900, 760)
    page.show()  # the first show loads the orders
    qtbot.waitUntil(lambda: not page.ops and page._loaded_once, timeout=TIMEOUT)
    return page


def press_refund(qtbot, page: OrdersPage) -> None:
    qtbot.mouseClick(page.refund_button, Qt.MouseButton.LeftButton)
    box = page.confirm_box
    assert isinstance(box, QMessageBox) and "#" in box.text()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.ops, timeout=TIMEOUT)


def test_orders_show_status_items_with_ledger_and_year_and_refund_inside_7_days(qtbot, panel_app, buyer):
    i18n.set_language("zh_CN")
    buy(buyer, ("period_close", buyer.ledger_b, 2025, 1))
    assert ("period_close", buyer.ledger_b, 2025) in {
        (e.module, e.ledger_id, e.fiscal_year) for e in buyer.service.local_status().document.entitlements
    }
    page = open_page(qtbot, buyer.service)
    assert page.table.rowCount() == 1
    assert page.table.item(0, 3).text() == "已支付"
    assert page.table.item(0, 4).text() != "—"  # paid time
    assert "开通账套(结账)" in page.items_label.text()
    assert "账套 B · 2025 年度" in page.items_label.text() and "分公司账套" in page.items_label.text()
    assert "7 天" in page.refund_rule.text() and "发票" in page.refund_rule.text()
    assert page.refund_button.isEnabled()
    assert not page.support_label.isVisible()

    changed: list[object] = []
    page.licence_changed.connect(changed.append)
    press_refund(qtbot, page)
    assert page.table.item(0, 3).text() == "已退款"
    assert not page.refund_button.isEnabled()
    assert changed, "the panel re-authenticated after the refund"
    assert buyer.service.local_status().document.entitlements == ()  # the module is closed again here too


def test_refund_after_7_days_is_refused_with_the_support_route(qtbot, panel_app, buyer):
    buy(buyer, ("accounting", buyer.ledger_a, 2025, 1))
    page = open_page(qtbot, buyer.service)
    assert page.refund_button.isEnabled()
    buyer.live.clock.advance(timedelta(days=8))  # the page still shows the old answer; the server decides

    press_refund(qtbot, page)
    assert "only within 7 days" in page.refund_state.text()
    assert not page.refund_button.isEnabled()
    assert page.support_label.isVisible()
    assert "636016246" in page.support_label.text() and "021-58350168" in page.support_label.text()
    assert page.table.item(0, 3).text() == "Paid"

    qtbot.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)  # a fresh list says the same up front
    qtbot.waitUntil(lambda: not page.ops, timeout=TIMEOUT)
    assert "only within 7 days" in page.refund_state.text() and page.support_label.isVisible()


def test_invoice_request_then_refund_goes_through_support(qtbot, panel_app, buyer):
    buy(buyer, ("vouchers_100", buyer.ledger_a, 2024, 1))
    page = open_page(qtbot, buyer.service)
    assert page.invoice_state.text() == "No invoice requested."
    qtbot.mouseClick(page.invoice_button, Qt.MouseButton.LeftButton)
    dialog = page.invoice_dialog
    assert dialog is not None
    dialog.title_edit.setText("上海示例商贸有限公司")
    dialog.tax_edit.setText("91310000MA1F5K90P6")
    dialog.email_edit.setText("finance@example.com")
    dialog.accept()
    qtbot.waitUntil(lambda: not page.ops, timeout=TIMEOUT)
    assert page.invoice_state.text().startswith("Issued on")
    assert not page.refund_button.isEnabled()
    assert "invoice" in page.refund_state.text() and page.support_label.isVisible()


def test_renewal_code_of_an_order_is_shown_copied_and_redeemed(qtbot, panel_app, buyer):
    before = buyer.service.local_status().document.expires_at
    # Renewal is no longer sold with a ledger's items; an order placed before that still shows its code.
    payment_id = place_past_renewal(buyer.live, buyer.licence_id, buyer.ledger_a)
    assert buyer.press_pay(f"{buyer.live.url}/pay/{payment_id}").status_code == 200
    [order] = [o for o in buyer.service.orders() if o.payment is not None and o.payment.id == payment_id]
    code = order.recharge_codes[0].code
    page = open_page(qtbot, buyer.service)
    assert [f.value.text() for f in page.code_fields] == [code]
    qtbot.mouseClick(page.code_fields[0].button, Qt.MouseButton.LeftButton)
    assert panel_app.clipboard().text() == code

    qtbot.mouseClick(page.recharge_button, Qt.MouseButton.LeftButton)
    dialog = top_dialog(RechargeDialog)
    assert dialog is not None and not dialog.redeem_button.isEnabled()
    dialog.code_edit.setText(code.lower().replace("-", " "))  # pasted however: case and separators do not matter
    qtbot.mouseClick(dialog.redeem_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.ops, timeout=TIMEOUT)
    assert dialog.message.text().startswith("Added 12 months.")
    after = buyer.service.local_status().document.expires_at
    assert after is not None and before is not None and (after - before).days >= 360
    qtbot.waitUntil(lambda: not page.ops, timeout=TIMEOUT)
    assert page.code_notes[0].text() == "12 months · Redeemed"

    dialog.code_edit.setText(code)
    qtbot.mouseClick(dialog.redeem_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.ops, timeout=TIMEOUT)
    assert dialog.message.text() == "This recharge code has already been used."

    dialog.code_edit.setText("RC-AAAA-BBBB-CCCC-DDDD")
    qtbot.mouseClick(dialog.redeem_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.ops, timeout=TIMEOUT)
    assert dialog.message.text() == "This recharge code does not exist. Check it and type it again."
