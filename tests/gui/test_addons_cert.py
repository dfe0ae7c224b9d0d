"""Add-on services, enterprise certification, 重新注册 with its yearly limit, and deactivating this computer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from app.services.fingerprint import FixedFingerprint
from app.ui.activation.addons_dialog import AddonsDialog
from app.ui.activation.certification_dialog import CertificationDialog
from tests.gui.clocked_panel_setup import ClientClock, activate, advance_both, clocked_service
from tests.gui.conftest import machine
from tests.gui.helpers import TIMEOUT, badge_code, gone, idle, open_window, top_dialog

pytestmark = pytest.mark.gui


def click(qtbot, button) -> None:
    qtbot.waitUntil(button.isEnabled, timeout=TIMEOUT)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_an_add_on_is_activated_with_its_own_cdkey_and_listed_with_its_expiry(qtbot, panel_app, demo, tmp_path):
    service = clocked_service(demo, tmp_path / "pc", ClientClock())
    activate(demo, service, "addon")
    window = open_window(qtbot, service)
    assert window.auth_page.values["addons"].text() == "—"

    click(qtbot, window.auth_page.addons_button)
    dialog = top_dialog(AddonsDialog)
    assert dialog is not None and dialog.empty.isVisible() and not dialog.activate_button.isEnabled()
    qtbot.keyClicks(dialog.cdkey_edit, demo.scenario("addon")["addon_cdkey"])
    click(qtbot, dialog.activate_button)
    qtbot.waitUntil(lambda: dialog.rows() != [], timeout=TIMEOUT)
    [(name, expiry)] = dialog.rows()
    assert name == "云之家" and "Until" in expiry and ("364 days left" in expiry or "365 days left" in expiry)
    assert dialog.message.text() == "The add-on service is activated."
    assert "云之家 (until" in window.auth_page.values["addons"].text()  # 系统认证 shows it too
    assert badge_code(window) == "ACTIVE"

    qtbot.keyClicks(dialog.cdkey_edit, demo.scenario("addon")["addon_cdkey"])  # the same key once more
    click(qtbot, dialog.activate_button)
    qtbot.waitUntil(dialog.message.isVisible, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: "already been used" in dialog.message.text(), timeout=TIMEOUT)
    dialog.accept()


def test_certification_counts_down_turns_overdue_and_is_submitted_from_the_panel(qtbot, panel_app, demo, tmp_path):
    clock = ClientClock()
    service = clocked_service(demo, tmp_path / "pc", clock)
    service.sign_in(*demo.login, remember=True)
    org = service.create_org("武汉新开商贸有限公司", "91420100MA4LFY6DAN")  # never certified: due in 3 months
    fresh = demo.scenario("fresh")
    service.activate(fresh["serial"], fresh["cdkey"], org.id)
    window = open_window(qtbot, service)
    assert badge_code(window) == "ACTIVE"  # the deadline is far: a fact, not yet a warning
    assert "days left" in window.auth_page.values["certification"].text()
    assert window.auth_page.certify_button.isVisible()

    def days_pass(days: int) -> None:
        # Checked online every 20 days, as a panel left running does: the session (30-day refresh) stays alive.
        for step in [20] * (days // 20) + [days % 20]:
            advance_both(demo, clock, timedelta(days=step))
            window.reauthenticate()
            idle(qtbot, window)

    days_pass(75)
    assert badge_code(window) == "CERTIFICATION_PENDING"
    assert "days left" in window.auth_page.explanation.text()

    days_pass(20)
    assert badge_code(window) == "CERTIFICATION_OVERDUE" and window.auth_page.badge.zh_label.text() == "企业认证已逾期"
    assert "Overdue since" in window.auth_page.values["certification"].text()

    click(qtbot, window.auth_page.action_buttons["CERTIFY"])
    dialog = top_dialog(CertificationDialog)
    assert dialog is not None
    assert dialog.name_edit.text() == "武汉新开商贸有限公司" and dialog.tax_edit.text() == "91420100MA4LFY6DAN"
    assert "has passed" in dialog.deadline.text()
    assert not dialog.submit_button.isEnabled()  # a contact is required
    qtbot.keyClicks(dialog.contact_edit, "Wang 13800001111")
    click(qtbot, dialog.submit_button)
    qtbot.waitUntil(lambda: gone(dialog), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: badge_code(window) == "ACTIVE", timeout=TIMEOUT)
    assert window.auth_page.values["certification"].text() == "Certified"
    assert not window.auth_page.certify_button.isVisible()


def test_a_changed_machine_shows_the_reregistration_limit_and_reregisters(qtbot, panel_app, demo, tmp_path):
    clock = ClientClock()
    original = machine("pc1")
    service = clocked_service(demo, tmp_path / "pc", clock, fingerprint=original)
    activate(demo, service, "fresh")
    # A new main board and network card: one strong component still matches (特征码已变更, not another PC).
    parts = original.components()
    other = machine("pc2").components()
    service.fingerprint = FixedFingerprint({**parts, "machine_id": other["machine_id"], "mac": other["mac"]})

    window = open_window(qtbot, service)
    assert badge_code(window) == "FINGERPRINT_CHANGED"
    note = window.auth_page.reregister_note
    assert note.isVisible() and "Re-registered 0 of" in note.text()

    click(qtbot, window.auth_page.action_buttons["REREGISTER"])
    idle(qtbot, window)
    assert badge_code(window) == "ACTIVE" and not note.isVisible()


def test_deactivating_this_computer_is_one_click_with_a_confirmation(qtbot, panel_app, demo, tmp_path):
    service = clocked_service(demo, tmp_path / "pc", ClientClock())
    status = activate(demo, service, "fresh")
    licence_id = status.document.licence_id
    window = open_window(qtbot, service)

    click(qtbot, window.auth_page.deactivate_button)
    box = window.deactivate_box
    qtbot.waitUntil(box.isVisible, timeout=TIMEOUT)
    assert "free its seat" in box.text()
    [cancel] = [b for b in box.buttons() if b.text() == "Cancel"]
    click(qtbot, cancel)  # changed my mind: nothing happens
    idle(qtbot, window)
    assert badge_code(window) == "ACTIVE"

    click(qtbot, window.auth_page.deactivate_button)
    box = window.deactivate_box
    qtbot.waitUntil(box.isVisible, timeout=TIMEOUT)
    [confirm] = [b for b in box.buttons() if b.text() == "Deactivate"]
    click(qtbot, confirm)
    qtbot.waitUntil(lambda: badge_code(window) == "NOT_ACTIVATED", timeout=TIMEOUT)
    idle(qtbot, window)
    assert service.machines(licence_id).seats.used == 0  # the seat is free for the new PC
