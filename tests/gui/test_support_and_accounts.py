"""联系客服 from the server, whose account a licence or an IP is, 需要更新面板, the status bar, serial + CDkey.

Against the real demo server over loopback: what the person reads and where the cursor is.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from app import i18n
from app.ui.auth.sign_in_dialog import SignInDialog
from app.ui.support.support_dialog import SupportDialog
from tests.gui.helpers import TIMEOUT, badge_code, idle, open_window, run_wizard, sign_in, top_dialog
from tests.support.documents import Signer


def _activate(qtbot, window, demo, name, login=None):
    sign_in(qtbot, window, *(login or demo.login))
    qtbot.waitUntil(lambda: window.status is not None and window.status.signed_in, timeout=TIMEOUT)
    idle(qtbot, window)
    scenario = demo.scenario(name)
    return run_wizard(qtbot, window, scenario["serial"], scenario["cdkey"], scenario["org_id"])


def _contacts_dialog(qtbot, window, action="CONTACT_SUPPORT") -> SupportDialog:
    qtbot.mouseClick(window.auth_page.action_buttons[action], Qt.MouseButton.LeftButton)
    dialog = top_dialog(SupportDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.contacts is not None, timeout=TIMEOUT)
    return dialog


def test_the_ip_holder_is_named_masked_and_support_shows_the_servers_contacts(qtbot, panel_app, demo, demo_service):
    window = open_window(qtbot, demo_service)
    wizard = _activate(qtbot, window, demo, "ip_bound")
    qtbot.waitUntil(lambda: badge_code(window) == "IP_BOUND_TO_OTHER_ACCOUNT", timeout=TIMEOUT)
    wizard.close()

    page = window.auth_page
    assert "138****0002" in page.explanation.text()  # 当前ip地址已使用了其他账号: which account, masked
    assert "13800000002" not in page.explanation.text()
    assert page.action_buttons["SWITCH_ACCOUNT"].text() == "Sign in as 138****0002"

    dialog = _contacts_dialog(qtbot, window)
    shown = {name: label.text() for name, label in dialog.values.items()}
    assert shown["QQ group"] == "636016246" and shown["Phone"] == "400-821-6036"  # English: the CN market
    assert shown["Opening hours"] == "Monday to Friday, 09:00–18:00 (Asia/Shanghai)"
    assert "Activation" not in dialog.context.text() and "IP address used by another account" in dialog.context.text()
    assert not dialog.download_button.isVisible()
    dialog.close()


def test_support_follows_the_language_market(qtbot, panel_app, demo, demo_service):
    i18n.set_language("vi")
    window = open_window(qtbot, demo_service)
    wizard = _activate(qtbot, window, demo, "expired")  # 已过期 offers 联系客服 too
    qtbot.waitUntil(lambda: badge_code(window) == "EXPIRED", timeout=TIMEOUT)
    wizard.close()

    dialog = _contacts_dialog(qtbot, window)
    shown = {name: label.text() for name, label in dialog.values.items()}
    assert shown["Nhắn tin"] == "Zalo 0903 686 036" and "Nhóm QQ" not in shown
    assert shown["Giờ làm việc"].startswith("Thứ Hai đến thứ Bảy, 08:00–17:30")
    dialog.close()


def test_after_switching_account_the_owner_is_named_and_sign_in_as_them_is_offered(
    qtbot, panel_app, demo, demo_service
):
    demo_logins = [(x["login"], x["password"]) for x in demo.data["logins"]]
    window = open_window(qtbot, demo_service, demo_logins=demo_logins)
    wizard = _activate(qtbot, window, demo, "fresh")
    qtbot.waitUntil(lambda: badge_code(window) == "ACTIVE", timeout=TIMEOUT)
    wizard.close()

    other = next(x for x in demo.data["logins"] if x["login"] == "13800000002")
    sign_in(qtbot, window, other["login"], other["password"])
    qtbot.waitUntil(lambda: badge_code(window) == "ACCOUNT_MISMATCH", timeout=TIMEOUT)
    idle(qtbot, window)

    page = window.auth_page
    assert not page.error_line.isVisible(), "the server's answer is the state, not a raw 'not found' line"
    assert "138****0001" in page.explanation.text() and "138****0001" in page.next_step.text()
    assert list(page.action_buttons) == ["SWITCH_ACCOUNT", "CONTACT_SUPPORT"]
    assert page.action_buttons["SWITCH_ACCOUNT"].text() == "Sign in as 138****0001"
    assert not page.deactivate_button.isVisible(), "no 注销本机 of another account's seat"
    assert not page.machines_button.isVisible()

    qtbot.mouseClick(page.action_buttons["SWITCH_ACCOUNT"], Qt.MouseButton.LeftButton)
    dialog = top_dialog(SignInDialog)
    assert dialog is not None
    assert dialog.expected_hint.isVisible() and "138****0001" in dialog.expected_hint.text()
    assert dialog.login_edit.text() == "13800000001", "the known login that fits the mask is filled in"
    dialog.password_edit.setText(demo.login[1])
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: badge_code(window) == "ACTIVE", timeout=TIMEOUT)


def test_a_licence_signed_by_a_key_the_panel_does_not_know_asks_for_an_update(qtbot, panel_app, demo, make_service):
    # This panel was built before the vendor's key rotation: it trusts only an older key.
    service = make_service(demo.live.url, trusted=Signer(kid="retired-before-the-rotation").trusted)
    window = open_window(qtbot, service)
    wizard = _activate(qtbot, window, demo, "fresh")
    qtbot.waitUntil(lambda: badge_code(window) == "PANEL_UPDATE_REQUIRED", timeout=TIMEOUT)
    wizard.close()

    page = window.auth_page
    assert page.badge.zh_label.text() == "需要更新面板" and "Illegal" not in page.badge.pill.text()
    assert "newer vendor key" in page.explanation.text()
    assert list(page.action_buttons) == ["UPDATE_PANEL", "CONTACT_SUPPORT"]
    assert page.action_buttons["UPDATE_PANEL"].text() == "Update the panel"

    dialog = _contacts_dialog(qtbot, window, "UPDATE_PANEL")
    assert dialog.download_button.isVisible() and dialog.contacts.download_url
    dialog.close()


def test_check_date_and_time_explains_the_way_where_it_cannot_open_the_settings(qtbot, panel_app, demo, demo_service):
    window = open_window(qtbot, demo_service)
    window.on_action_requested("CHECK_CLOCK")
    box = window.clock_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    # Windows says "Date & time" (shown only where ms-settings cannot open: offscreen, Wine); Linux "Date & Time".
    assert "date & time" in box.text().lower() and "Check online" in box.text()
    box.close()


def test_the_status_bar_follows_any_answered_request(qtbot, panel_app, demo, demo_service):
    window = open_window(qtbot, demo_service)  # a fresh install makes no call before sign-in
    assert window.network_label.text() == "Server not checked yet"
    sign_in(qtbot, window, *demo.login)
    qtbot.waitUntil(lambda: window.network_label.text() == "Server reachable", timeout=TIMEOUT)


@pytest.mark.parametrize("how", ["typed", "pasted"])
def test_serial_space_cdkey_fills_both_fields_and_the_cursor_follows(qtbot, panel_app, demo, demo_service, how):
    window = open_window(qtbot, demo_service)
    sign_in(qtbot, window, *demo.login)
    qtbot.waitUntil(lambda: badge_code(window) == "NOT_ACTIVATED", timeout=TIMEOUT)
    idle(qtbot, window)
    qtbot.mouseClick(window.auth_page.action_buttons["ACTIVATE"], Qt.MouseButton.LeftButton)
    wizard = window.wizard
    for index in range(3):  # account → organisation → product → serial and CDkey
        if index == 1:
            qtbot.waitUntil(lambda: wizard.organisation_step.orgs.count() > 0, timeout=TIMEOUT)
            wizard.organisation_step.orgs.setCurrentRow(0)
        qtbot.waitUntil(lambda: not wizard.ops and wizard.next_button.isEnabled(), timeout=TIMEOUT)
        qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    step = wizard.serial_step
    assert wizard.stack.currentWidget() is step
    scenario = demo.scenario("fresh")
    step.serial.setFocus()
    if how == "typed":  # as printed on the card: serial, a space, the CDkey — typed on without looking
        qtbot.keyClicks(step.serial, scenario["serial"] + " ")
        qtbot.keyClicks(QApplication.focusWidget(), scenario["cdkey"])
    else:
        step.serial.insert(f"{scenario['serial']}  {scenario['cdkey']}\n")
        step.on_serial_text_edited(step.serial.text())
    assert step.serial.text() == scenario["serial"]
    assert step.cdkey.text() == scenario["cdkey"]
    assert QApplication.focusWidget() is step.cdkey
    assert step.ready() and "too long" not in step.serial_hint.text()
    wizard.close()
