"""The mini ledger's small dialogs: a new ledger's code and name, and the confirmation before archiving one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.host import Ledger
from app.i18n import tr

# The server's limits for a ledger's code and name (docs/PROTOCOL.md, POST /licences/{id}/ledgers).
CODE_MAX = 20
NAME_MAX = 80


class NewLedgerDialog(QDialog):
    """新建账套: a code and a name; the licence decides whether it may be created."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("New ledger"))
        self.code_edit = QLineEdit()
        self.code_edit.setMaxLength(CODE_MAX)
        self.code_edit.setPlaceholderText(tr("e.g. C6"))
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(NAME_MAX)
        self.name_edit.setPlaceholderText(tr("e.g. Hangzhou branch, store 6"))
        form = QFormLayout()
        form.addRow(tr("Ledger code"), self.code_edit)
        form.addRow(tr("Ledger name"), self.name_edit)
        self.buttons = QDialogButtonBox()
        self.create_button = self.buttons.addButton(tr("Create"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setProperty("primary", True)
        self.buttons.addButton(tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for edit in (self.code_edit, self.name_edit):
            edit.textChanged.connect(self.on_text_changed)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self.on_text_changed()

    @property
    def code(self) -> str:
        return self.code_edit.text().strip()

    @property
    def name(self) -> str:
        return self.name_edit.text().strip()

    def on_text_changed(self, _text: str = "") -> None:
        self.create_button.setEnabled(bool(self.code and self.name))


class ArchiveConfirmation(QMessageBox):
    """归档账套? What archiving means, and Cancel as the default."""

    def __init__(self, parent: QWidget, ledger: Ledger) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle(tr("Archive the ledger"))
        self.setText(tr("Archive ledger {code} · {name}?", code=ledger.code, name=ledger.name))
        self.setInformativeText(
            tr(
                "Archived ledgers become read-only: they can still be opened, viewed and printed, but no vouchers "
                "can be entered and nothing can be bought for them. They no longer count as ledgers in use."
            )
        )
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.archive_button: QPushButton = self.addButton(tr("Archive (read-only)"), QMessageBox.ButtonRole.AcceptRole)
        self.archive_button.setProperty("danger", True)
        cancel = self.addButton(tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(cancel)  # Enter keeps the ledger

    @property
    def confirmed(self) -> bool:
        return self.clickedButton() is self.archive_button


def hint_label(text: str = "") -> QLabel:
    """A grey, wrapping line of explanation."""
    label = QLabel(text)
    label.setObjectName("muted")
    label.setWordWrap(True)
    return label
