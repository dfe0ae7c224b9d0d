"""The coloured state pill of 系统认证, with the Chinese label always shown as the canonical wording."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from app.ui.theme import repolish
from app.ui.widgets.flow_layout import FlowLayout


class StateBadge(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pill = QLabel(self)
        self.pill.setObjectName("stateBadge")
        self.pill.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.zh_label = QLabel(self)
        self.zh_label.setObjectName("stateLabelZh")
        self.code_label = QLabel(self)
        self.code_label.setObjectName("stateCode")
        row = FlowLayout(self, spacing=10)  # a long translated label pushes the Chinese one and the code below
        row.addWidget(self.pill)
        row.addWidget(self.zh_label)
        row.addWidget(self.code_label)

    def set_state(self, *, code: str, label: str, label_zh: str, severity: str) -> None:
        self.pill.setText(label)
        self.pill.setProperty("severity", severity)
        repolish(self.pill)
        # The Chinese wording is what support staff and the vendor's pages use; keep it visible in any language.
        self.zh_label.setText(label_zh if label_zh != label else "")
        self.zh_label.setVisible(label_zh != label)
        self.code_label.setText(code)
