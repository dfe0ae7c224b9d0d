"""Entering one code (an add-on CDkey, a recharge code): the field, its button, and the outcome line under them."""

from __future__ import annotations

from collections.abc import Mapping

from licence_protocol.errors import ErrorCode
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.domain.error_codes import ClientErrorCode
from app.services.errors import ApiError, CancelledError
from app.ui import presenter
from app.ui.widgets.message import message_label, set_message


class CodeEntry(QWidget):
    """``submitted`` carries the code, trimmed, when the button is clicked.

    The button is enabled once the text holds ``min_chars`` letters and digits: how a code is pasted (case,
    dashes, spaces) does not matter, and the server checks the rest. ``renamed_errors`` maps a server code
    shared with other kinds of code (CODE_INVALID, CODE_ALREADY_REDEEMED) to the one worded for this field.
    """

    submitted = Signal(str)

    def __init__(
        self,
        placeholder: str,
        button_text: str,
        *,
        min_chars: int,
        text: str = "",
        renamed_errors: Mapping[ErrorCode, ClientErrorCode] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.min_chars = min_chars
        self.renamed_errors = dict(renamed_errors or {})
        self.edit = QLineEdit(text)
        self.edit.setPlaceholderText(placeholder)
        self.edit.textChanged.connect(self.on_edit_text_changed)
        self.button = QPushButton(button_text)
        self.button.setProperty("primary", True)
        self.button.clicked.connect(lambda: self.submitted.emit(self.code()))
        self.message = message_label()
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(self.button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        column.addWidget(self.message)
        self.on_edit_text_changed(text)

    def code(self) -> str:
        return self.edit.text().strip()

    def on_edit_text_changed(self, text: str) -> None:
        self.button.setEnabled(sum(ch.isalnum() for ch in text) >= self.min_chars)

    def show_done(self, text: str) -> None:
        """The code worked: say so, and clear the field for the next one."""
        set_message(self.message, text, ok=True)
        self.edit.clear()

    def show_failure(self, exc: BaseException) -> None:
        """Why the code did not work, in plain words; a cancelled call says nothing."""
        if isinstance(exc, CancelledError):
            return
        if isinstance(exc, ApiError) and isinstance(exc.code, ErrorCode) and exc.code in self.renamed_errors:
            exc = ApiError(self.renamed_errors[exc.code], exc.message, exc.details, exc.status)
        set_message(self.message, presenter.error_text(exc), ok=False)
