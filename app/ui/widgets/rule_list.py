"""Live rule feedback under an input: each rule with a tick or a cross as the user types."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.ui.theme import repolish


class RuleList(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.setSpacing(2)
        self.labels: list[QLabel] = []

    def set_rules(self, rules: list[tuple[str, bool]]) -> None:
        while len(self.labels) < len(rules):
            label = QLabel(self)
            self._box.addWidget(label)
            self.labels.append(label)
        for label, (text, ok) in zip(self.labels, rules, strict=False):
            label.setText(("✓ " if ok else "✗ ") + text)
            label.setObjectName("okText" if ok else "hint")
            repolish(label)
            label.show()
        for label in self.labels[len(rules) :]:
            label.hide()

    @property
    def all_ok(self) -> bool:
        return all(label.text().startswith("✓") for label in self.labels if not label.isHidden())
