"""立即购买 against the real server: one ledger-year per purchase, paid on the sandbox pay page, blocked states."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app import i18n
from app.ui.purchase.purchase_dialog import LedgerYearPicker, PurchaseDialog
from tests.gui.conftest import trusted_keys
from tests.gui.helpers import TIMEOUT, top_dialog
from tests.gui.purchase_setup import Buyer, make_buyer

pytestmark = pytest.mark.gui

UNOPENED = "-功能模块未开通"


@pytest.fixture
def buyer(sqlite_server, make_service) -> Buyer:
    return make_buyer(sqlite_server, make_service(sqlite_server.url, trusted=trusted_keys(sqlite_server)))


_hosts: list[QWidget] = []


def open_dialog(qtbot, service, **kw) -> PurchaseDialog:
    host = QWidget()  # the panel window the dialog belongs to
    qtbot.addWidget(host)
    _hosts.append(host)  # qtbot holds it weakly only
    paid: list[object] = []
    dialog = PurchaseDialog.open_for(host, service, on_paid=paid.append, **kw)
    dialog.paid_statuses = paid  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: not dialog.ops and dialog.local_state is not None, timeout=TIMEOUT)
    return dialog


def choose_target(qtbot, dialog: PurchaseDialog, ledger_id: int, year: int, *, confirm: bool = False) -> None:
    """Choose the target the ways there are: the ledger and year lists (opened from 系统认证), or the explicit
    picker (bound to a host's ledger-year; ``confirm`` answers the confirmation that leaving it asks)."""
    if dialog.choosing:
        dialog.ledger_combo.setCurrentIndex(dialog.ledger_combo.findData(ledger_id))
        dialog.year_combo.setCurrentIndex(dialog.year_combo.findData(year))
    else:
        pick_in_picker(qtbot, dialog, ledger_id, year)
        if confirm:
            box = dialog.scope_box
            assert box is not None and box.isVisible()
            qtbot.mouseClick(box.change_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.ops and dialog.catalogue is not None, timeout=TIMEOUT)
    assert (dialog.target.ledger_id, dialog.target.fiscal_year) == (ledger_id, year)


def pick_in_picker(qtbot, dialog: PurchaseDialog, ledger_id: int, year: int) -> None:
    qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    picker = top_dialog(LedgerYearPicker)
    assert picker is not None
    index = next(i for i, c in enumerate(picker.choices) if (c.ledger_id, c.fiscal_year) == (ledger_id, year))
    picker.list.setCurrentRow(index)
    picker.accept()


def test_buy_a_module_for_ledger_b_2025_through_the_sandbox_pay_page(qtbot, panel_app, buyer):
    i18n.set_language("zh_CN")
    dialog = open_dialog(qtbot, buyer.service)
    choose_target(qtbot, dialog, buyer.ledger_b, 2025)
    assert dialog.target_label.text() == "账套 B · 2025 年度"
    assert dialog.row_state("period_close") == UNOPENED
    assert dialog.voucher_label.text().endswith("12 / 50")
    assert not dialog.banner.isVisible()

    checkbox = dialog.buy_controls["period_close"]
    assert checkbox.isEnabled()
    checkbox.setChecked(True)
    assert "¥199.00" in dialog.total_label.text()
    qtbot.mouseClick(dialog.buy_button, Qt.MouseButton.LeftButton)

    # Confirm: the ledger-year in words, and a tick without which nothing is ordered.
    assert "账套 B · 2025 年度" in dialog.confirm_target.text()
    assert "¥199.00" in dialog.confirm_total.text()
    assert not dialog.pay_button.isEnabled()
    dialog.confirm_tick.setChecked(True)
    qtbot.mouseClick(dialog.pay_button, Qt.MouseButton.LeftButton)
    view = dialog.payment_view
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is view, timeout=TIMEOUT)
    assert not view.qr.pixmap().isNull()
    assert "¥199.00" in view.amount.text()
    pay_url = view.link.value.text()
    assert "/pay/" in pay_url
    assert not dialog.change_button.isEnabled()

    # The payer presses pay on the provider's page; the panel notices by itself and re-authenticates.
    assert buyer.press_pay(pay_url).status_code == 200
    qtbot.mouseClick(view.paid_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.paid_statuses != [], timeout=TIMEOUT)  # type: ignore[attr-defined]
    assert dialog.pages.currentWidget() is dialog.done_page
    assert "开通账套(结账)" in dialog.done_opened.text()
    assert "账套 B · 2025 年度" in dialog.done_opened.text()
    doc = buyer.service.local_status().document
    assert {(e.module, e.ledger_id, e.fiscal_year) for e in doc.entitlements} == {
        ("period_close", buyer.ledger_b, 2025)
    }

    qtbot.mouseClick(dialog.more_button, Qt.MouseButton.LeftButton)
    assert dialog.row_state("period_close") == "已开通"
    assert not dialog.buy_controls["period_close"].isEnabled()
    choose_target(qtbot, dialog, buyer.ledger_b, 2024)
    assert dialog.target_label.text() == "账套 B · 2024 年度"
    assert dialog.row_state("period_close") == UNOPENED
    choose_target(qtbot, dialog, buyer.ledger_a, 2025)
    assert dialog.row_state("period_close") == UNOPENED
    choose_target(qtbot, dialog, buyer.ledger_a, 2024)
    assert dialog.row_state("period_close") == UNOPENED
    dialog.reject()


def test_voucher_pack_adds_to_one_ledger_year_and_the_bar_follows(qtbot, panel_app, buyer):
    dialog = open_dialog(qtbot, buyer.service, ledger_id=buyer.ledger_a, fiscal_year=2024)
    assert dialog.target_label.text() == "Ledger A · fiscal year 2024"
    assert dialog.voucher_label.text().endswith("30 / 50")
    assert dialog.voucher_bar.value() == 600
    dialog.buy_controls["vouchers_100"].setValue(2)
    assert "¥58.00" in dialog.total_label.text()
    qtbot.mouseClick(dialog.buy_button, Qt.MouseButton.LeftButton)
    dialog.confirm_tick.setChecked(True)
    qtbot.mouseClick(dialog.pay_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.payment_view, timeout=TIMEOUT)
    buyer.press_pay(dialog.payment_view.link.value.text())
    # No click: the poll on the worker notices the payment.
    qtbot.waitUntil(lambda: dialog.paid_statuses != [], timeout=TIMEOUT)  # type: ignore[attr-defined]
    assert "30 / 250" in dialog.done_opened.text()
    qtbot.mouseClick(dialog.more_button, Qt.MouseButton.LeftButton)
    assert dialog.voucher_label.text().endswith("30 / 250")
    choose_target(qtbot, dialog, buyer.ledger_a, 2025, confirm=True)  # opened for A 2024: leaving it is confirmed
    assert dialog.voucher_label.text().endswith("12 / 50")


def test_cancelling_the_payment_returns_to_the_list(qtbot, panel_app, buyer):
    dialog = open_dialog(qtbot, buyer.service, ledger_id=buyer.ledger_b, fiscal_year=2025)
    dialog.buy_controls["tax_filing"].setChecked(True)
    qtbot.mouseClick(dialog.buy_button, Qt.MouseButton.LeftButton)
    dialog.confirm_tick.setChecked(True)
    qtbot.mouseClick(dialog.pay_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.payment_view, timeout=TIMEOUT)
    assert dialog.payment_view.countdown.text().startswith("Time left to pay: 1")  # 15 minutes
    qtbot.mouseClick(dialog.payment_view.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentWidget() is dialog.choose_page
    assert dialog.change_button.isEnabled()
    assert not dialog.payment_view.ops


# -- blocked states: the one blocked screen is tested in test_purchase_blocked.py -------------------------


def test_server_refusal_is_shown_when_the_state_changed_after_opening(qtbot, panel_app, buyer):
    dialog = open_dialog(qtbot, buyer.service, ledger_id=buyer.ledger_b, fiscal_year=2025)
    dialog.buy_controls["accounting"].setChecked(True)
    qtbot.mouseClick(dialog.buy_button, Qt.MouseButton.LeftButton)
    buyer.set_licence(status="suspended")  # the vendor suspends it while the user reads the confirm step
    dialog.confirm_tick.setChecked(True)
    qtbot.mouseClick(dialog.pay_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.ops, timeout=TIMEOUT)
    assert dialog.confirm_error.isVisible()
    assert "Nothing can be bought" in dialog.confirm_error.text()
    assert dialog.pages.currentWidget() is dialog.confirm_page


def test_the_panel_opens_the_dialog_from_buy_now_and_shows_the_new_state_after_payment(qtbot, panel_app, buyer):
    from tests.gui.helpers import open_window

    window = open_window(qtbot, buyer.service)
    assert window.status.code == "ACTIVE"
    qtbot.mouseClick(window.auth_page.action_buttons["BUY"], Qt.MouseButton.LeftButton)
    dialog = top_dialog(PurchaseDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.ops and dialog.choosing, timeout=TIMEOUT)
    assert dialog.target is None  # 系统认证 has no ledger-year: the user chooses one
    choose_target(qtbot, dialog, buyer.ledger_a, 2025)
    dialog.buy_controls["cloud_backup"].setChecked(True)
    qtbot.mouseClick(dialog.buy_button, Qt.MouseButton.LeftButton)
    dialog.confirm_tick.setChecked(True)
    qtbot.mouseClick(dialog.pay_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.payment_view, timeout=TIMEOUT)
    checked_before = window.status.last_online_check
    buyer.press_pay(dialog.payment_view.link.value.text())
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.done_page and not dialog.ops, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.status.last_online_check != checked_before, timeout=TIMEOUT)
    assert window.status.code == "ACTIVE"
    dialog.accept()

    window.show_page("orders")
    qtbot.waitUntil(lambda: window.orders_page.table.rowCount() == 1 and not window.orders_page.ops, timeout=TIMEOUT)
    assert window.orders_page.table.item(0, 3).text() == "Paid"
