"""Driving the panel the way a person does: click, type, and wait for what appears on screen."""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from app.ui.activation.activation_wizard import ActivationWizard
from app.ui.auth.sign_in_dialog import SignInDialog
from app.ui.main_window import MainWindow

TIMEOUT = 20_000


def idle(qtbot: Any, window: Any) -> None:
    """Wait until the window (or dialog) has no call running."""
    qtbot.waitUntil(lambda: not window.ops, timeout=TIMEOUT)


def open_window(qtbot: Any, service: Any, **kw: Any) -> MainWindow:
    window = MainWindow(service, **kw)
    qtbot.addWidget(window)
    window.resize(1040, 720)
    window.show()
    window.start()
    idle(qtbot, window)
    return window


def gone(widget: QWidget) -> bool:
    """Closed: hidden, or already deleted (dialogs opened with WA_DeleteOnClose)."""
    return not shiboken6.isValid(widget) or not widget.isVisible()


def badge_code(window: MainWindow) -> str:
    return window.auth_page.badge.code_label.text()


def top_dialog(kind: type[QWidget]) -> Any:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    return found[-1] if found else None


def sign_in(qtbot: Any, window: MainWindow, login: str, password: str) -> SignInDialog:
    window.on_action_requested("SIGN_IN")
    dialog = top_dialog(SignInDialog)
    assert dialog is not None
    dialog.login_edit.setText(login)
    dialog.password_edit.setText(password)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    return dialog


def run_wizard(qtbot: Any, window: MainWindow, serial: str, cdkey: str, org_id: int | None = None) -> ActivationWizard:
    """Walk the six steps; returns the wizard on its last step with 'Activate now' clicked."""
    qtbot.mouseClick(window.auth_page.action_buttons["ACTIVATE"], Qt.MouseButton.LeftButton)
    wizard = window.wizard
    assert wizard is not None and wizard.isVisible()

    def next_step() -> None:
        qtbot.waitUntil(wizard.next_button.isEnabled, timeout=TIMEOUT)
        qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)

    assert wizard.account_step.account.text()  # 1: who is signed in
    next_step()
    orgs = wizard.organisation_step  # 2: organisation
    qtbot.waitUntil(lambda: orgs.orgs.count() > 0, timeout=TIMEOUT)
    ids = [o.id for o in orgs.organisations]
    orgs.orgs.setCurrentRow(ids.index(org_id) if org_id in ids else 0)
    next_step()
    qtbot.waitUntil(lambda: not wizard.ops, timeout=TIMEOUT)  # 3: product, the organisation's licences
    next_step()
    qtbot.keyClicks(wizard.serial_step.serial, serial)  # 4: typed, checked as typed
    qtbot.keyClicks(wizard.serial_step.cdkey, cdkey)
    next_step()
    review = wizard.review_step  # 5: the server's preview, and the required tick
    qtbot.waitUntil(lambda: review.preview is not None, timeout=TIMEOUT)
    assert not wizard.next_button.isEnabled()
    review.confirm.setChecked(True)
    next_step()
    qtbot.mouseClick(wizard.confirm_step.activate_button, Qt.MouseButton.LeftButton)  # 6: activate
    qtbot.waitUntil(lambda: not wizard.ops, timeout=TIMEOUT)
    return wizard
