"""A read-only value with a copy-to-clipboard button (the 特征码 a support agent asks for)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QToolButton, QWidget

from app.i18n import tr


class CopyField(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.value = QLabel(self)
        self.value.setObjectName("fieldValue")
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QToolButton(self)
        self.button.setObjectName("copyButton")
        self.button.setText(tr("Copy"))
        self.button.clicked.connect(self.on_button_clicked)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        row.addWidget(self.value)
        row.addWidget(self.button)
        row.addStretch(1)

    def set_text(self, text: str) -> None:
        self.value.setText(text)
        self.button.setEnabled(bool(text))

    def on_button_clicked(self) -> None:
        QApplication.clipboard().setText(self.value.text())
        self.button.setText(tr("Copied"))
        QTimer.singleShot(1500, self.button, lambda: self.button.setText(tr("Copy")))
