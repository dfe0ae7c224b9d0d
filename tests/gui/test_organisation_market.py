"""The organisation's own market decides its tax-id rule, whatever the panel's language."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.ui.activation.activation_wizard import ActivationWizard
from app.ui.activation.certification_dialog import CertificationDialog
from app.ui.orders.orders_page import InvoiceDialog
from tests.gui.helpers import TIMEOUT, open_window

pytestmark = pytest.mark.gui

CHINESE_CODE = "9144030071526726XG"  # a valid unified social credit code: no mã số thuế


def test_an_english_panel_certifies_a_vietnamese_organisation_by_its_mst(qtbot, panel_app, demo, demo_service):
    vn = demo.scenario("market_vn")
    demo_service.sign_in(vn["login"], vn["password"], remember=False)
    demo_service.activate(vn["licence"]["serial"], vn["licence"]["cdkey"], vn["org_id"])
    window = open_window(qtbot, demo_service)
    assert window.status is not None and window.status.organisation_market == "VN"

    dialog = CertificationDialog(window, demo_service, window.status)
    qtbot.addWidget(dialog)
    dialog.show()
    hint = dialog.tax_field.hint
    assert dialog.tax_edit.text() == "0105943788" and not hint.isVisible()  # the English panel no longer flags it
    dialog.contact_edit.setText("Nguyễn Văn An 0912345678")
    assert dialog.submit_button.isEnabled()

    dialog.tax_edit.setText(CHINESE_CODE)
    assert hint.isVisible() and "Vietnamese tax code (MST)" in hint.text()
    assert not dialog.submit_button.isEnabled()
    dialog.reject()

    # The invoice of this licence's orders is issued in Vietnam too.
    assert window.orders_page.organisation_market == "VN"
    invoice = InvoiceDialog(window, market=window.orders_page.organisation_market)
    qtbot.addWidget(invoice)
    invoice.tax_edit.setText("0105943788")
    assert invoice.tax_field.acceptable() and not invoice.tax_field.hint.isVisible()


def test_the_new_organisations_market_choice_switches_the_tax_id_rule(qtbot, panel_app, demo_service, demo):
    demo_service.sign_in(*demo.login, remember=False)
    window = open_window(qtbot, demo_service)
    wizard = ActivationWizard(window, demo_service)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitUntil(wizard.next_button.isEnabled, timeout=TIMEOUT)  # 1: who is signed in
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    step = wizard.organisation_step
    qtbot.waitUntil(lambda: not wizard.ops and step.orgs.count() > 0, timeout=TIMEOUT)
    hint = step.new_tax_field.hint
    assert step.new_market.currentText() == "China"  # an English panel's market
    assert [step.new_market.itemText(i) for i in range(step.new_market.count())] == ["China", "Vietnam", "Iran"]

    step.new_name.setText("Cong ty TNHH Ha Noi")
    qtbot.keyClicks(step.new_tax_id, "0105943788")
    assert hint.isVisible() and not step.create_button.isEnabled()  # ten digits are no Chinese code

    step.new_market.setCurrentIndex(step.new_market.findText("Vietnam"))
    assert not hint.isVisible() and step.create_button.isEnabled()
    step.new_tax_id.setText(CHINESE_CODE)
    assert hint.isVisible() and "Vietnamese tax code (MST)" in hint.text()
    assert not step.create_button.isEnabled()
    step.new_tax_id.setText("0105943788")

    before = step.orgs.count()
    qtbot.mouseClick(step.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: step.orgs.count() == before + 1, timeout=TIMEOUT)
    created = step.selected
    assert created is not None and (created.tax_id, created.market) == ("0105943788", "VN")
