"""A translucent cover over a window while a call runs: what is happening, a busy bar and Cancel."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app.i18n import tr


class ProgressOverlay(QWidget):
    cancel_requested = Signal()

    def __init__(self, host: QWidget, text: str | None, *, cancellable: bool = True) -> None:
        super().__init__(host)
        self.setObjectName("progressOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.hide()
        card = QFrame(self)
        card.setObjectName("progressCard")
        self.label = QLabel(text or tr("Working…"), card)
        self.label.setObjectName("progressText")
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        bar = QProgressBar(card)
        bar.setRange(0, 0)  # busy: the server does not tell us how far along it is
        bar.setTextVisible(False)
        bar.setFixedHeight(6)
        self.cancel_button = QPushButton(tr("Cancel"), card)
        self.cancel_button.setObjectName("progressCancel")
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.clicked.connect(self.cancel_requested)
        box = QVBoxLayout(card)
        box.setContentsMargins(24, 20, 24, 20)
        box.setSpacing(12)
        box.addWidget(self.label)
        box.addWidget(bar)
        box.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignHCenter)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignCenter)
        outer.addStretch(1)
        card.setMinimumWidth(300)
        host.installEventFilter(self)

    def show_over_parent(self) -> None:
        host = self.parentWidget()
        if host is None:
            return
        self.setGeometry(host.rect())
        self.raise_()
        self.show()
        self.cancel_button.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.parentWidget():
            self.setGeometry(self.parentWidget().rect())
        return False
