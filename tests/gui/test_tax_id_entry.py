"""Tax ids checked as they are typed: a hint under the field naming the rule, the confirm button held meanwhile."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from app import i18n
from app.ui.activation.activation_wizard import ActivationWizard
from app.ui.main_window import MainWindow
from tests.gui.conftest import trusted_keys
from tests.gui.helpers import TIMEOUT
from tests.gui.purchase_setup import Buyer, make_buyer
from tests.gui.test_orders import buy, open_page

pytestmark = pytest.mark.gui


@pytest.fixture
def buyer(sqlite_server, make_service) -> Buyer:
    return make_buyer(sqlite_server, make_service(sqlite_server.url, trusted=trusted_keys(sqlite_server)))


def test_invoice_tax_id_typed_wrong_then_right(qtbot, panel_app, buyer):
    buy(buyer, ("vouchers_100", buyer.ledger_a, 2024, 1))
    page = open_page(qtbot, buyer.service)
    qtbot.mouseClick(page.invoice_button, Qt.MouseButton.LeftButton)
    dialog = page.invoice_dialog
    assert dialog is not None
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.title_edit.setText("腾讯科技（深圳）有限公司")  # QTest types Latin keys only
    dialog.email_edit.setText("finance@example.com")
    hint = dialog.tax_field.hint

    qtbot.keyClicks(dialog.tax_edit, "9144030071526726")  # still short
    assert hint.isVisible() and hint.text() == "A unified social credit code has 18 characters (16 typed)."
    assert not ok.isEnabled()
    qtbot.keyClicks(dialog.tax_edit, "XH")  # one character off: the check character catches it
    assert hint.isVisible() and "does not match the others" in hint.text()
    assert not ok.isEnabled()

    qtbot.keyClick(dialog.tax_edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(dialog.tax_edit, "g")  # lower case is fine: it is sent as printed
    assert not hint.isVisible() and ok.isEnabled()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.ops, timeout=TIMEOUT)
    assert page.invoice_state.text().startswith("Issued on") and "9144030071526726XG" in page.invoice_state.text()


def test_a_vietnamese_panel_creates_an_organisation_with_a_checked_mst(qtbot, panel_app, demo_service, demo):
    i18n.set_language("vi")  # the panel's market follows its language: a new organisation is Vietnamese
    demo_service.sign_in(*demo.login, remember=False)
    window = MainWindow(demo_service)
    qtbot.addWidget(window)
    wizard = ActivationWizard(window, demo_service)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitUntil(wizard.next_button.isEnabled, timeout=TIMEOUT)  # 1: who is signed in
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    step = wizard.organisation_step  # 2: the organisation, or a new one
    qtbot.waitUntil(lambda: not wizard.ops and step.orgs.count() > 0, timeout=TIMEOUT)
    hint = step.new_tax_field.hint

    step.new_name.setText("Công ty TNHH Mẫu")
    qtbot.keyClicks(step.new_tax_id, "9144030071526726XG")  # a Chinese code is no mã số thuế
    assert hint.isVisible()
    assert hint.text() == "Mã số thuế (MST) chỉ gồm chữ số; chi nhánh thêm 3 chữ số, ví dụ 0123456789-001."
    assert not step.create_button.isEnabled()

    step.new_tax_id.clear()
    qtbot.keyClicks(step.new_tax_id, "0314409058-00")
    assert hint.isVisible() and "(đã nhập 12)" in hint.text()
    assert not step.create_button.isEnabled()
    qtbot.keyClicks(step.new_tax_id, "2")
    assert not hint.isVisible() and step.create_button.isEnabled()

    before = step.orgs.count()
    qtbot.mouseClick(step.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: step.orgs.count() == before + 1, timeout=TIMEOUT)
    created = step.selected
    assert created is not None and (created.tax_id, created.market) == ("0314409058-002", "VN")
    assert "0314409058-002" in step.orgs.currentItem().text()
