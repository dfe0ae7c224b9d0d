"""The coloured state pill of 系统认证, with the Chinese label beside an English one as the canonical wording."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from app.i18n import current_language
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
        # The Chinese wording is what the vendor's pages and Chinese support staff use: shown beside English. A
        # Vietnamese or Persian reader has their own support team and gets no foreign words (the code stays: it
        # is what an IT script and any support desk match on).
        shown = label_zh != label and current_language() == "en"
        self.zh_label.setText(label_zh if shown else "")
        self.zh_label.setVisible(shown)
        self.code_label.setText(code)
