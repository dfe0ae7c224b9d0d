"""归档账套: choose ledgers in use to archive (checkboxes), with a clear confirmation that they become read-only."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.ledgers import Ledger
from app.domain.renewal import LedgerInUse
from app.i18n import N_, tr
from app.services.errors import CancelledError
from app.services.http import CancelToken
from app.ui import presenter
from app.ui.runner import Op, run_kept

log = logging.getLogger(__name__)

READ_ONLY_NOTE = N_(
    "Archived ledgers become read-only: they can still be opened, viewed and printed, but no vouchers can be "
    "entered and nothing can be bought for them. They no longer count as ledgers in use."
)


class ArchiveService(Protocol):
    def archive_ledger(self, ledger_id: int, *, cancel: CancelToken | None = None) -> Ledger: ...


class ArchiveLedgersDialog(QDialog):
    """Emits ``archived`` with the archived ledgers' ids once the server has archived them all."""

    archived = Signal(list)  # list[int]

    def __init__(
        self,
        parent: QWidget,
        service: ArchiveService,
        ledgers: list[LedgerInUse],
        *,
        needed: int,
        suggested: list[int] | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.ledgers = ledgers
        self.needed = needed
        self.ops: list[Op] = []
        self.confirm_box: QMessageBox | None = None
        self.setWindowTitle(tr("Archive ledgers"))
        self.setMinimumWidth(560)

        if needed > 0:
            intro_text = tr(
                "{in_use} ledgers are in use. Choose at least {count} to archive, so the renewal can cover the rest.",
                in_use=len(ledgers),
                count=needed,
            )
        else:
            intro_text = tr("Choose the ledgers you no longer use.")
        intro = QLabel(intro_text)
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("ledgerList")
        chosen = set(suggested or [])
        for ledger in ledgers:
            text = tr("{ledger}  ·  {vouchers} vouchers this year", ledger=ledger.label, vouchers=ledger.vouchers_used)
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, ledger.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if ledger.id in chosen else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.itemChanged.connect(lambda _item: self._update())
        note = QLabel(tr(READ_ONLY_NOTE))
        note.setObjectName("nextStep")
        note.setWordWrap(True)
        self.count_label = QLabel()
        self.count_label.setObjectName("muted")
        self.error_label = QLabel()
        self.error_label.setObjectName("errorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox()
        self.archive_button = QPushButton(tr("Archive selected ledgers"))
        self.archive_button.setProperty("danger", True)
        self.archive_button.clicked.connect(self.on_archive_button_clicked)
        self.buttons.addButton(self.archive_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Cancel"))

        box = QVBoxLayout(self)
        box.setSpacing(10)
        box.addWidget(intro)
        box.addWidget(self.list, 1)
        box.addWidget(self.count_label)
        box.addWidget(note)
        box.addWidget(self.error_label)
        box.addWidget(self.buttons)
        self._update()

    @classmethod
    def ask(
        cls,
        parent: QWidget,
        service: ArchiveService,
        ledgers: list[LedgerInUse],
        *,
        needed: int,
        suggested: list[int] | None,
        on_archived: Callable[[list[int]], None],
    ) -> ArchiveLedgersDialog:
        dialog = cls(parent, service, ledgers, needed=needed, suggested=suggested)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.archived.connect(on_archived)
        dialog.open()
        return dialog

    def checked_ids(self) -> list[int]:
        return [
            int(self.list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def set_checked(self, ledger_ids: list[int]) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            wanted = int(item.data(Qt.ItemDataRole.UserRole)) in ledger_ids
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)

    def _update(self) -> None:
        chosen = len(self.checked_ids())
        self.count_label.setText(
            tr("Selected: {chosen} (needed: at least {needed})", chosen=chosen, needed=self.needed)
        )
        self.archive_button.setEnabled(chosen > 0)

    def _names(self, ids: list[int]) -> str:
        return "\n".join(f"• {x.label}" for x in self.ledgers if x.id in ids)

    def on_archive_button_clicked(self) -> None:
        ids = self.checked_ids()
        if not ids:
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            tr("Archive ledgers"),
            tr("Archive these ledgers?\n{names}", names=self._names(ids)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setInformativeText(tr(READ_ONLY_NOTE))
        box.button(QMessageBox.StandardButton.Yes).setText(tr("Archive (read-only)"))
        box.button(QMessageBox.StandardButton.No).setText(tr("Keep them"))
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.finished.connect(lambda result: self.on_confirm_finished(result, ids))
        self.confirm_box = box
        box.open()

    def on_confirm_finished(self, result: int, ids: list[int]) -> None:
        self.confirm_box = None
        if result != QMessageBox.StandardButton.Yes:
            return

        def work(cancel: CancelToken) -> list[int]:
            done = []
            for ledger_id in ids:
                self.service.archive_ledger(ledger_id, cancel=cancel)
                done.append(ledger_id)
            return done

        run_kept(
            self,
            self.ops,
            work,
            on_success=self.on_archived,
            on_failure=self.on_archive_failed,
            progress_text=tr("Archiving ledgers…"),
            trigger=self.archive_button,
        )

    def on_archived(self, ids: list[int]) -> None:
        self.archived.emit(ids)
        self.accept()

    def on_archive_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            return
        log.info("archiving failed: %s", type(exc).__name__)
        self.error_label.setText(presenter.error_text(exc))
        self.error_label.show()
        # Some may have been archived before the failure: the page reloads the ledgers either way.
        self.archived.emit([])
