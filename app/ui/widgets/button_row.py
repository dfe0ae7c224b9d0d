"""A dialog's bottom row of buttons, right-aligned, ending with the button that closes it."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QWidget

from app.i18n import tr


def closing_row(dialog: QDialog, *leading: QWidget) -> QHBoxLayout:
    """``leading`` buttons, then 关闭 (Close), all pushed to the right; Close accepts the dialog."""
    close = QPushButton(tr("Close"))
    close.clicked.connect(dialog.accept)
    row = QHBoxLayout()
    row.addStretch(1)
    for widget in leading:
        row.addWidget(widget)
    row.addWidget(close)
    return row
