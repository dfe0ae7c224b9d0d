"""Sign in → activation checklist → 系统认证 shows 已激活, against the real server with the demo data."""

from __future__ import annotations

import re

import pytest

from app import i18n
from tests.gui.helpers import TIMEOUT, badge_code, gone, idle, open_window, run_wizard, sign_in

pytestmark = pytest.mark.gui


def test_sign_in_checklist_and_activation_end_on_active(qtbot, panel_app, demo, demo_service):
    window = open_window(qtbot, demo_service)
    assert badge_code(window) == "NOT_LOGGED_IN"
    assert window.auth_page.badge.zh_label.text() == "未登录"
    assert window.auth_page.values["account"].text() == "(blank) — not activated to an account"

    dialog = sign_in(qtbot, window, *demo.login)
    qtbot.waitUntil(lambda: gone(dialog), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: badge_code(window) == "NOT_ACTIVATED", timeout=TIMEOUT)
    idle(qtbot, window)
    assert demo.login[0] in window.account_label.text()

    fresh = demo.scenario("fresh")
    wizard = run_wizard(qtbot, window, fresh["serial"], fresh["cdkey"], fresh["org_id"])
    assert wizard.confirm_step.badge.code_label.text() == "ACTIVE"

    qtbot.waitUntil(lambda: badge_code(window) == "ACTIVE", timeout=TIMEOUT)
    page = window.auth_page
    assert page.badge.pill.text() == "Activated"
    assert page.badge.zh_label.text() == "已激活"  # the canonical Chinese wording, visible in English too
    assert page.values["organisation"].text().startswith(fresh["org_name"])
    assert page.values["serial"].text().endswith(fresh["serial"][-4:])
    assert "****" in page.values["serial"].text()
    assert page.feature_code.value.text() == demo_service.fingerprint.feature_code()
    assert page.values["seats"].text() == "1 / 3"
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}", page.values["last_check"].text())  # 最近在线认证
    assert "Server reachable" in window.network_label.text()


def test_the_review_step_needs_the_tick_and_names_what_will_be_activated(qtbot, panel_app, demo, demo_service):
    window = open_window(qtbot, demo_service)
    sign_in(qtbot, window, *demo.login)
    qtbot.waitUntil(lambda: badge_code(window) == "NOT_ACTIVATED", timeout=TIMEOUT)
    fresh = demo.scenario("fresh")
    wizard = run_wizard(qtbot, window, fresh["serial"], fresh["cdkey"], fresh["org_id"])
    review = wizard.review_step
    assert review.fields["organisation"].text().startswith(fresh["org_name"])
    assert review.fields["account"].text() == demo.login[0]
    assert fresh["product_name"] in review.fields["product"].text()


def test_serial_format_is_checked_as_typed_and_pasting_both_fills_both(qtbot, panel_app, demo_service):
    from app.ui.activation.activation_wizard import ActivationWizard
    from app.ui.main_window import MainWindow

    window = MainWindow(demo_service)
    qtbot.addWidget(window)
    wizard = ActivationWizard(window, demo_service)
    step = wizard.serial_step
    qtbot.keyClicks(step.serial, "KJH-0")
    assert step.serial_hint.objectName() == "errorText"  # 0 is never used in keys: said at once
    step.serial.clear()
    step.serial.setText("")
    step.on_serial_text_edited("")
    pasted = "KJH-ABCD-EFGH-JKMN  ABCDE-FGHJK-MNPQR-STUVW-XYZ23"
    step.serial.setText(pasted)
    step.on_serial_text_edited(pasted)
    assert step.serial.text() == "KJH-ABCD-EFGH-JKMN"
    assert step.cdkey.text() == "ABCDE-FGHJK-MNPQR-STUVW-XYZ23"
    assert step.ready()
    assert i18n.current_language() == "en"
