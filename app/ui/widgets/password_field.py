"""A password input with a hint under it when Caps Lock is on or the keyboard types Persian (app/domain/keyboard_hints).

The hint is a line under the field, never a popup: it must not take the focus from what is being typed. Caps Lock is
asked of Windows (GetKeyState) and otherwise inferred from the letters typed; the layout from the letters typed and,
on platforms where it follows the keyboard (Windows, macOS), the input method's locale.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from app.domain.keyboard_hints import KeyboardHints
from app.i18n import tr

VK_CAPITAL = 0x14
# Platforms whose input method locale follows the keyboard layout; elsewhere (X11) it is just the system locale.
_LAYOUT_AWARE_PLATFORMS = frozenset({"windows", "cocoa"})


def windows_caps_lock() -> bool | None:
    """Caps Lock as Windows knows it (the toggle bit of GetKeyState); None anywhere else or if the call fails."""
    if sys.platform != "win32":
        return None
    try:
        import ctypes

        return bool(ctypes.windll.user32.GetKeyState(VK_CAPITAL) & 1)  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return None


def input_locale() -> str | None:
    """The input method's locale (``fa_IR``) where it reflects the keyboard layout; None where it does not."""
    if QGuiApplication.platformName() not in _LAYOUT_AWARE_PLATFORMS:
        return None
    method = QGuiApplication.inputMethod()
    return method.locale().name() if method is not None else None


class PasswordField(QWidget):
    """``edit`` is the QLineEdit (echo mode Password); ``hint`` the warning line under it, hidden when all is well.

    ``caps_lock_probe`` and ``locale_probe`` ask the system (None answers: not known); both can be replaced."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caps_lock_probe: Callable[[], bool | None] = windows_caps_lock
        self.locale_probe: Callable[[], str | None] = input_locale
        self.hints = KeyboardHints()
        self.edit = QLineEdit(self)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.installEventFilter(self)
        self.hint = QLabel(self)
        self.hint.setObjectName("passwordHint")
        self.hint.setStyleSheet("color: #b45309; font-size: 9pt;")  # amber: a warning, not an error
        self.hint.setWordWrap(True)
        self.hint.hide()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(self.edit)
        box.addWidget(self.hint)
        self.setFocusProxy(self.edit)
        method = QGuiApplication.inputMethod()
        if method is not None:
            method.localeChanged.connect(self.on_input_locale_changed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit:
            kind = event.type()
            if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
                self.on_key_pressed(event)
            elif kind == QEvent.Type.FocusIn:
                self.hints = self.hints.with_locale(self.locale_probe()).with_caps_lock(self.caps_lock_probe())
                self._show()
            elif kind == QEvent.Type.FocusOut:
                self.hint.hide()  # a warning about typing matters only while typing here
        return False

    def on_key_pressed(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_CapsLock:
            hints = self.hints.after_caps_lock_key()
        else:
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            hints = self.hints.after_text(event.text(), shift)
        self.hints = hints.with_caps_lock(self.caps_lock_probe())
        self._show()

    def on_input_locale_changed(self) -> None:
        if self.edit.hasFocus():
            self.hints = self.hints.with_locale(self.locale_probe())
            self._show()

    def _show(self) -> None:
        texts = [tr(msgid) for msgid in self.hints.warnings()]
        self.hint.setText("\n".join(texts))
        self.hint.setVisible(bool(texts))
