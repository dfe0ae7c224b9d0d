"""The demo scenarios end on their state: the badge's code, its Chinese label and the offered actions."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.domain.states import state_info
from tests.gui.helpers import TIMEOUT, badge_code, idle, open_window, run_wizard, sign_in, top_dialog

pytestmark = pytest.mark.gui

SCENARIOS = {
    "seats_full": "TOO_MANY_MACHINES",
    "ip_bound": "IP_BOUND_TO_OTHER_ACCOUNT",
    "expired": "EXPIRED",
    "cloud_over_ledgers": "LEDGER_LIMIT_EXCEEDED",
}


def activate_scenario(qtbot, window, demo, name):
    sign_in(qtbot, window, *demo.login)
    qtbot.waitUntil(lambda: badge_code(window) == "NOT_ACTIVATED", timeout=TIMEOUT)
    idle(qtbot, window)
    scenario = demo.scenario(name)
    return run_wizard(qtbot, window, scenario["serial"], scenario["cdkey"], scenario["org_id"])


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_demo_scenario_ends_on_its_state(qtbot, panel_app, demo, demo_service, name):
    expected = SCENARIOS[name]
    window = open_window(qtbot, demo_service)
    wizard = activate_scenario(qtbot, window, demo, name)
    qtbot.waitUntil(lambda: badge_code(window) == expected, timeout=TIMEOUT)
    wizard.close()

    page = window.auth_page
    info = state_info(expected)
    assert page.badge.zh_label.text() == info.label_zh
    assert page.badge.pill.property("severity") == "error"
    assert list(page.action_buttons) == [a.value for a in info.actions]
    for button in page.action_buttons.values():
        assert button.isVisible() and button.text()
    primary = next(iter(page.action_buttons.values()))
    assert primary.property("primary") is True
    assert page.explanation.text() and "?" not in page.explanation.text()


def test_too_many_machines_offers_the_machines_dialog_and_a_freed_seat_activates(qtbot, panel_app, demo, demo_service):
    from app.ui.machines.machines_dialog import MachinesDialog

    window = open_window(qtbot, demo_service)
    wizard = activate_scenario(qtbot, window, demo, "seats_full")
    step = wizard.confirm_step
    assert "3 computers" in step.message.text()  # TOO_MANY_MACHINES in plain words, with the seat count
    assert step.machines_button.isVisible()
    wizard.close()
    qtbot.waitUntil(lambda: badge_code(window) == "TOO_MANY_MACHINES", timeout=TIMEOUT)

    qtbot.mouseClick(window.auth_page.action_buttons["MANAGE_MACHINES"], Qt.MouseButton.LeftButton)
    dialog = top_dialog(MachinesDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 3, timeout=TIMEOUT)
    assert dialog.seats.text() == "Seats used: 3 of 3"
    assert dialog.table.item(0, 0).text().startswith("FRONT-DESK-")
    dialog.table.selectRow(0)
    qtbot.mouseClick(dialog.deactivate_button, Qt.MouseButton.LeftButton)
    box = dialog.confirm_box
    assert isinstance(box, QMessageBox) and "FRONT-DESK-" in box.text()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=TIMEOUT)
    dialog.accept()

    scenario = demo.scenario("seats_full")
    run_wizard(qtbot, window, scenario["serial"], scenario["cdkey"], scenario["org_id"])
    qtbot.waitUntil(lambda: badge_code(window) == "ACTIVE", timeout=TIMEOUT)
    assert window.auth_page.values["seats"].text() == "3 / 3"
