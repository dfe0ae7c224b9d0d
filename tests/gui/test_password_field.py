"""Password fields warn under the field while Caps Lock is on or the keyboard types Persian, and stop after."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from app import i18n
from app.ui.auth.sign_in_dialog import SignInDialog
from app.ui.widgets.password_field import PasswordField
from tests.gui.helpers import TIMEOUT, open_window, top_dialog
from tests.support.accounts import DEFAULT_PASSWORD, make_account

pytestmark = pytest.mark.gui


def type_text(edit: QLineEdit, text: str, *, shift: bool = False) -> None:
    """Key presses as a keyboard layout delivers them: the character typed, Shift held or not (any script)."""
    modifiers = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
    for char in text:
        key = ord(char.upper()) if char.isascii() and char.isalpha() else 0
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(edit, QKeyEvent(kind, key, modifiers, char))


def press_caps_lock(edit: QLineEdit) -> None:
    QApplication.sendEvent(
        edit, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_CapsLock, Qt.KeyboardModifier.NoModifier, "")
    )


def inferring(field: PasswordField) -> PasswordField:
    """Caps Lock inferred from the letters typed (as on X11), so the test means the same on Windows."""
    field.caps_lock_probe = lambda: None
    field.locale_probe = lambda: None
    return field


@pytest.fixture
def sign_in_dialog(qtbot: QtBot, panel_app, sqlite_server, make_service) -> SignInDialog:
    make_account(sqlite_server, "13800000077")
    window = open_window(qtbot, make_service(sqlite_server.url))
    window.on_action_requested("SIGN_IN")
    dialog = top_dialog(SignInDialog)
    assert dialog is not None
    return dialog


def test_caps_lock_warning_shows_while_letters_arrive_upper_case_without_shift(qtbot, sign_in_dialog):
    dialog = sign_in_dialog
    field = inferring(dialog.password_field)
    assert not field.hint.isVisible()
    type_text(field.edit, "12")  # digits say nothing about Caps Lock
    assert not field.hint.isVisible()
    type_text(field.edit, "P")  # upper case, no Shift: Caps Lock is on
    assert field.hint.isVisible() and field.hint.text() == "Caps Lock is on."
    type_text(field.edit, "a", shift=True)  # lower case with Shift: still on
    assert field.hint.isVisible()
    press_caps_lock(field.edit)  # turned off
    assert not field.hint.isVisible()
    type_text(field.edit, "A", shift=True)
    assert not field.hint.isVisible()
    press_caps_lock(field.edit)
    assert field.hint.text() == "Caps Lock is on."
    type_text(field.edit, "b")  # lower case without Shift: it was turned off elsewhere
    assert not field.hint.isVisible()

    # The warning does not get in the way: the typed password signs in.
    field.edit.setText(DEFAULT_PASSWORD)
    dialog.login_edit.setText("13800000077")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.account is not None, timeout=TIMEOUT)


def test_the_system_caps_lock_answer_wins_where_there_is_one(sign_in_dialog):
    field = sign_in_dialog.password_field
    field.caps_lock_probe = lambda: True  # what Windows' GetKeyState answers with Caps Lock on
    QApplication.sendEvent(field.edit, QFocusEvent(QEvent.Type.FocusIn))
    assert field.hint.isVisible() and field.hint.text() == "Caps Lock is on."
    field.caps_lock_probe = lambda: False
    type_text(field.edit, "X")
    assert not field.hint.isVisible()


def test_register_and_reset_fields_warn_too(sign_in_dialog):
    for tab, field in ((1, sign_in_dialog.reg_password_field), (2, sign_in_dialog.reset_password_field)):
        inferring(field)
        sign_in_dialog.tabs.setCurrentIndex(tab)
        type_text(field.edit, "Q")
        assert field.hint.isVisible() and field.hint.text() == "Caps Lock is on."


def test_persian_letters_warn_in_persian_until_latin_ones_arrive(sign_in_dialog):
    i18n.set_language("fa")
    field = inferring(sign_in_dialog.password_field)
    type_text(field.edit, "شی")  # a Persian layout on the keys of "a" and "d"
    assert field.hint.isVisible()
    assert field.hint.text().startswith("صفحه‌کلید روی فارسی است")
    type_text(field.edit, "ad")  # the layout was switched
    assert not field.hint.isVisible()

    # Before anything is typed, an input locale in Persian (Windows, macOS) is enough to warn.
    field.edit.clear()
    field.hints = type(field.hints)()
    field.locale_probe = lambda: "fa_IR"
    QApplication.sendEvent(field.edit, QFocusEvent(QEvent.Type.FocusIn))
    assert field.hint.isVisible() and "Alt+Shift" in field.hint.text()
    field.locale_probe = lambda: "en_US"
    field.on_input_locale_changed()
    QApplication.sendEvent(field.edit, QFocusEvent(QEvent.Type.FocusIn))
    assert not field.hint.isVisible()
