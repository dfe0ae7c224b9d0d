"""增值服务: the add-on services (云之家-like) of this licence with their expiry, and activating one by its CDkey."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.services.errors import ApiError, CancelledError
from app.ui import presenter
from app.ui.activation.status_view import StatusView
from app.ui.runner import Op, keep_while_running, run_op
from app.ui.widgets.message import message_label, set_message

MIN_CDKEY_CHARS = 16  # letters and digits; the server checks the rest


def expiry_text(expires_at: datetime | None, now: datetime) -> str:
    if expires_at is None:
        return tr("No expiry")
    days = (expires_at - now).days
    day = expires_at.astimezone().strftime("%Y-%m-%d")
    if expires_at <= now:
        return tr("Expired on {day}", day=day)
    return tr("Until {day} ({days} days left)", day=day, days=days)


class AddonsDialog(QDialog):
    """``licence_changed`` carries the status with the fresh document after an add-on was activated."""

    licence_changed = Signal(object)

    def __init__(self, parent: QWidget, service: Any, view: StatusView | None) -> None:
        super().__init__(parent)
        self.service = service
        self.ops: list[Op] = []
        self.setWindowTitle(tr("Add-on services"))
        intro = QLabel(
            tr(
                "Add-on services are bought separately and activated after the product, each with its own CDkey. "
                "They end on their own expiry date."
            )
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([tr("Service"), tr("Expiry")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(140)
        self.empty = QLabel(tr("No add-on service is activated on this licence yet."))
        self.empty.setObjectName("muted")
        self.cdkey_edit = QLineEdit()
        self.cdkey_edit.setPlaceholderText(tr("Add-on CDkey"))
        self.cdkey_edit.textChanged.connect(self.on_cdkey_edit_text_changed)
        self.activate_button = QPushButton(tr("Activate add-on"))
        self.activate_button.setProperty("primary", True)
        self.activate_button.clicked.connect(self.on_activate_button_clicked)
        row = QHBoxLayout()
        row.addWidget(self.cdkey_edit, 1)
        row.addWidget(self.activate_button)
        self.message = message_label()
        close = QPushButton(tr("Close"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addWidget(self.table)
        box.addWidget(self.empty)
        box.addWidget(QLabel(tr("Activate an add-on service")))
        box.addLayout(row)
        box.addWidget(self.message)
        box.addLayout(buttons)
        self.setMinimumWidth(560)
        self.show_addons(view.addons if view is not None else ())
        self.on_cdkey_edit_text_changed("")

    @classmethod
    def ask(
        cls, parent: QWidget, service: Any, view: StatusView | None, on_changed: Callable[[Any], None] | None = None
    ) -> AddonsDialog:
        dialog = cls(parent, service, view)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if on_changed is not None:
            dialog.licence_changed.connect(on_changed)
        dialog.open()
        return dialog

    def show_addons(self, addons: tuple[tuple[str, datetime | None], ...], now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        self.table.setRowCount(len(addons))
        for row, (name, expires_at) in enumerate(addons):
            self.table.setItem(row, 0, QTableWidgetItem(name))
            self.table.setItem(row, 1, QTableWidgetItem(expiry_text(expires_at, now)))
        self.table.setVisible(bool(addons))
        self.empty.setVisible(not addons)

    def rows(self) -> list[tuple[str, str]]:
        def text(row: int, column: int) -> str:
            item = self.table.item(row, column)
            return item.text() if item is not None else ""

        return [(text(r, 0), text(r, 1)) for r in range(self.table.rowCount())]

    def on_cdkey_edit_text_changed(self, text: str) -> None:
        self.activate_button.setEnabled(sum(ch.isalnum() for ch in text) >= MIN_CDKEY_CHARS)

    def on_activate_button_clicked(self) -> None:
        cdkey = self.cdkey_edit.text().strip()
        op = run_op(
            self,
            lambda cancel: self.service.add_addon(cdkey, cancel=cancel),
            on_success=self.on_activated,
            on_failure=self.on_failed,
            progress_text=tr("Activating the add-on service…"),
            trigger=self.activate_button,
        )
        keep_while_running(self.ops, op)

    def on_activated(self, status: Any) -> None:
        view = presenter.status_view(status, self.service)
        self.show_addons(view.addons)
        self.cdkey_edit.clear()
        set_message(self.message, tr("The add-on service is activated."), ok=True)
        self.licence_changed.emit(status)

    def on_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            return
        if isinstance(exc, ApiError) and exc.code == "CODE_ALREADY_REDEEMED":
            # The server shares the code with recharge codes; here it is about an add-on CDkey.
            exc = ApiError("ADDON_CDKEY_USED", exc.message, exc.details, exc.status)
        set_message(self.message, presenter.error_text(exc), ok=False)
