"""How a ledger-year reads on screen, and the confirmation a purchase bound to a host's ledger-year needs to move.

The confirmation shows both ledger-years the same way the dialog's header does, one above the other, so the
user compares them instead of reading a sentence; keeping the host's ledger-year is the default (Enter, Esc).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.domain.purchase import LedgerYear
from app.domain.purchase_scope import Notice, ScopeChange
from app.i18n import is_rtl, tr


def target_text(target: LedgerYear | None) -> str:
    """``账套 B · 2025 年度``: the words the vendor's pages use for one ledger-year."""
    if target is None:
        return tr("No ledger chosen")
    return tr("Ledger {code} · fiscal year {year}", code=target.code or target.ledger_id, year=target.fiscal_year)


def notice_text(notice: Notice) -> str:
    """A domain text in the current language, its ledger-years worded as ``target_text``."""
    fmt = {key: target_text(value) if isinstance(value, LedgerYear) else value for key, value in notice.fmt.items()}
    return tr(notice.msgid, **fmt)


def align_with_layout(label: QLabel) -> QLabel:
    """Align a label at the start of the line in the panel's direction, whatever script its text is in.

    QLabel aligns by the text's own direction: a Chinese ledger name in the Persian (right-to-left) panel would sit at
    the far left, away from the ledger-year it names."""
    start = Qt.AlignmentFlag.AlignRight if is_rtl() else Qt.AlignmentFlag.AlignLeft
    label.setAlignment(start | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter)
    return label


class ScopeChangeDialog(QDialog):
    """ "Change the ledger and fiscal year?": the host's ledger-year, the new one, and which button keeps which."""

    def __init__(self, parent: QWidget, change: ScopeChange) -> None:
        super().__init__(parent)
        self.change = change
        self.setWindowTitle(notice_text(change.title))
        self.setObjectName("scopeChangeConfirmation")
        title = QLabel(notice_text(change.title))
        title.setObjectName("sectionTitle")
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(4)
        self.bound_label = self._ledger_year(grid, 0, notice_text(change.from_label), change.bound, "#1d4ed8")
        self.new_label = self._ledger_year(grid, 2, notice_text(change.to_label), change.new, "#b45309")
        grid.setColumnStretch(1, 1)
        note = QLabel(notice_text(change.note))
        note.setObjectName("muted")
        note.setWordWrap(True)
        note.setMinimumWidth(460)  # a wrapped label would let the dialog shrink to a column
        self.change_button = QPushButton(notice_text(change.change_button))
        self.change_button.clicked.connect(self.accept)
        self.keep_button = QPushButton(notice_text(change.keep_button))
        self.keep_button.setProperty("primary", True)
        self.keep_button.setDefault(True)  # Enter keeps what the accounting software opened
        self.keep_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.change_button)
        buttons.addWidget(self.keep_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(20, 18, 20, 16)
        box.setSpacing(12)
        box.addWidget(title)
        box.addLayout(grid)
        box.addWidget(note)
        box.addLayout(buttons)

    @staticmethod
    def _ledger_year(grid: QGridLayout, row: int, caption: str, target: LedgerYear, colour: str) -> QLabel:
        label = QLabel(caption)
        label.setObjectName("muted")
        value = QLabel(target_text(target))
        value.setStyleSheet(f"font-size: 14pt; font-weight: 700; color: {colour};")
        grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignVCenter)
        grid.addWidget(value, row, 1)
        if target.name:
            name = align_with_layout(QLabel(target.name))
            name.setObjectName("muted")
            grid.addWidget(name, row + 1, 1)
        return value

    @classmethod
    def ask(cls, parent: QWidget, change: ScopeChange, on_confirmed: Callable[[], None]) -> ScopeChangeDialog:
        dialog = cls(parent, change)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(on_confirmed)
        dialog.open()
        return dialog
