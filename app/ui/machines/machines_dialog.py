"""设备管理: the computers a licence is activated on; deactivate one to free a seat (e.g. when 认证超台数), or buy
one more (增购台数)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.machines import Machine, MachineList
from app.i18n import tr
from app.services.errors import CancelledError
from app.services.licence_service import LicenceService
from app.services.local_status import LocalStatus
from app.ui import presenter
from app.ui.runner import Op, run_op


class MachinesDialog(QDialog):
    """Lists the machines; ``changed`` is True once one was deactivated (the caller re-authenticates)."""

    def __init__(self, parent: QWidget, service: LicenceService, licence_id: int) -> None:
        super().__init__(parent)
        self.service = service
        self.licence_id = licence_id
        self.changed = False
        self.op: Op | None = None
        self.rows: tuple[Machine, ...] = ()
        self.seat_dialog: QDialog | None = None  # 增购台数, opened from here
        self.setWindowTitle(tr("Computers using this licence"))
        self.setMinimumSize(760, 400)
        self.seats = QLabel()
        self.seats.setObjectName("sectionTitle")
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("machinesTable")
        self.table.setHorizontalHeaderLabels([tr("Computer"), tr("Feature code"), tr("Activated"), tr("Last seen")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for index in (1, 2, 3):
            header.setSectionResizeMode(index, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.message.hide()
        self.refresh_button = QPushButton(tr("Refresh"))
        self.refresh_button.clicked.connect(self.load)
        self.deactivate_button = QPushButton(tr("Deactivate…"))
        self.deactivate_button.setObjectName("deactivateButton")
        self.deactivate_button.setProperty("danger", True)
        self.deactivate_button.clicked.connect(self.on_deactivate_button_clicked)
        # Freeing a seat or buying one: both ways out of 认证超台数, side by side.
        self.buy_seats_button = QPushButton(tr("Buy more seats"))
        self.buy_seats_button.setObjectName("buySeatsButton")
        self.buy_seats_button.clicked.connect(self.on_buy_seats_button_clicked)
        close = QPushButton(tr("Close"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        buttons.addWidget(self.buy_seats_button)
        buttons.addWidget(self.deactivate_button)
        buttons.addWidget(close)
        hint = QLabel(
            tr("Deactivating a computer frees its seat; that computer must be activated again to use the software.")
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        column = QVBoxLayout(self)
        column.setContentsMargins(20, 18, 20, 16)
        column.setSpacing(10)
        column.addWidget(self.seats)
        column.addWidget(self.table, 1)
        column.addWidget(hint)
        column.addWidget(self.message)
        column.addLayout(buttons)
        self._update_buttons()
        self.load()

    def load(self) -> None:
        self.message.hide()
        self.op = run_op(
            self,
            lambda cancel: self.service.machines(self.licence_id, cancel=cancel),
            on_success=self.on_loaded,
            on_failure=self.on_failed,
            progress_text=tr("Loading the computers…"),
            trigger=self.refresh_button,
        )

    def on_loaded(self, result: MachineList) -> None:
        self.rows = result.machines
        mine = self.service.fingerprint.feature_code()
        self.seats.setText(presenter.seats_text(result.seats))
        self.table.setRowCount(len(self.rows))
        for row, machine in enumerate(self.rows):
            for column, text in enumerate(presenter.machine_cells(machine, mine)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, machine.id)
                self.table.setItem(row, column, item)
        self._update_buttons()

    def on_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            return
        self.message.setText(presenter.error_text(exc))
        self.message.show()

    def selected(self) -> Machine | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        self.deactivate_button.setEnabled(self.selected() is not None and (self.op is None or not self.op.running))

    def on_deactivate_button_clicked(self) -> None:
        machine = self.selected()
        if machine is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            tr("Deactivate computer"),
            tr(
                "Deactivate “{name}”? It will stop working with this licence until it is activated again.",
                name=machine.name or "—",
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.button(QMessageBox.StandardButton.Yes).setText(tr("Deactivate"))
        box.button(QMessageBox.StandardButton.Cancel).setText(tr("Cancel"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setObjectName("confirmDeactivate")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(
            lambda result: self._deactivate(machine) if result == QMessageBox.StandardButton.Yes else None
        )
        self.confirm_box = box
        box.open()

    def _deactivate(self, machine: Machine) -> None:
        self.op = run_op(
            self,
            lambda cancel: self.service.deactivate(machine.id, self.licence_id, cancel=cancel),
            on_success=self.on_deactivated,
            on_failure=self.on_failed,
            progress_text=tr("Deactivating…"),
            trigger=self.deactivate_button,
        )

    def on_buy_seats_button_clicked(self) -> None:
        from app.ui.purchase.seat_dialog import SeatPurchaseDialog

        self.seat_dialog = SeatPurchaseDialog.open_for(self, self.service, self.licence_id, on_paid=self.on_seats_paid)

    def on_seats_paid(self, _status: LocalStatus) -> None:
        self.changed = True  # the caller re-authenticates: the new seat maximum reaches the cached document
        self.load()

    def on_deactivated(self, _status: LocalStatus) -> None:
        self.changed = True
        self.load()

    def reject(self) -> None:
        if self.op is not None and self.op.running:
            self.op.cancel()
        super().reject()
