"""TOO_MANY_MACHINES opens the machines of the licence the server named, even when two share a masked serial."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.ui.machines.machines_dialog import MachinesDialog
from server.models import Licence
from server.services.keys import mask_serial
from tests.gui.conftest import trusted_keys
from tests.gui.helpers import TIMEOUT, badge_code, idle, open_window, run_wizard, sign_in, top_dialog

pytestmark = pytest.mark.gui


def test_the_machines_dialog_opens_the_full_licence_not_a_look_alike(
    qtbot, panel_app, demo, demo_service, make_service
):
    fresh, full = demo.scenario("fresh"), demo.scenario("seats_full")
    # Another licence of the same organisation, activated on another computer, with a lower id (listed first)
    # and, after the edit below, the same masked serial as the full one: "KJH-****-****-7F3A" is no identity.
    other_pc = make_service(demo.live.url, trusted=trusted_keys(demo.live), name="pc2")
    other_pc.sign_in(*demo.login, remember=False)
    other_pc.activate(fresh["serial"], fresh["cdkey"], fresh["org_id"])
    head, *_, tail = full["serial"].split("-")
    with demo.live.session() as s:
        look_alike = s.query(Licence).filter_by(serial=fresh["serial"]).one()
        look_alike.serial = f"{head}-ZZZZ-ZZZZ-{tail}"
        assert mask_serial(look_alike.serial) == mask_serial(full["serial"])

    window = open_window(qtbot, demo_service)
    sign_in(qtbot, window, *demo.login)
    qtbot.waitUntil(lambda: badge_code(window) == "NOT_ACTIVATED", timeout=TIMEOUT)
    idle(qtbot, window)
    wizard = run_wizard(qtbot, window, full["serial"], full["cdkey"], full["org_id"])
    step = wizard.confirm_step
    qtbot.waitUntil(step.machines_button.isVisible, timeout=TIMEOUT)

    qtbot.mouseClick(step.machines_button, Qt.MouseButton.LeftButton)
    dialog = top_dialog(MachinesDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 3, timeout=TIMEOUT)
    assert dialog.seats.text() == "Seats used: 3 of 3"
    names = [dialog.table.item(row, 0).text() for row in range(3)]
    assert all(name.startswith("FRONT-DESK-") for name in names)  # not pc2, the look-alike's computer
    dialog.reject()
    wizard.close()
