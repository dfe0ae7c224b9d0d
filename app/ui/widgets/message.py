"""The one-line outcome under a form: green when the action worked, red when it did not, hidden when empty."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from app.ui.theme import repolish


def set_message(label: QLabel, text: str | None, *, ok: bool = False) -> None:
    label.setText(text or "")
    label.setObjectName("okText" if ok else "errorText")
    repolish(label)  # the style sheet picks the colour by object name
    label.setVisible(bool(text))


def message_label() -> QLabel:
    """An empty, wrapping label, hidden until ``set_message`` gives it a text."""
    label = QLabel()
    label.setWordWrap(True)
    label.hide()
    return label
