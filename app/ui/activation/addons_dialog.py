"""增值服务: the add-on services (云之家-like) of this licence with their expiry, and activating one by its CDkey."""

from __future__ import annotations

from datetime import UTC, datetime

from licence_protocol.errors import ErrorCode
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.error_codes import ClientErrorCode
from app.i18n import tr
from app.services.licence_service import LicenceService
from app.services.local_status import LocalStatus
from app.ui import presenter
from app.ui.activation.licence_dialog import LicenceChangingDialog
from app.ui.runner import Op, run_kept
from app.ui.status_view import StatusView
from app.ui.widgets.button_row import closing_row
from app.ui.widgets.code_entry import CodeEntry

MIN_CDKEY_CHARS = 16  # letters and digits; the server checks the rest


def expiry_text(expires_at: datetime | None, now: datetime) -> str:
    if expires_at is None:
        return tr("No expiry")
    days = (expires_at - now).days
    day = expires_at.astimezone().date()  # tr() writes it in the UI language's calendar
    if expires_at <= now:
        return tr("Expired on {day}", day=day)
    return tr("Until {day} ({days} days left)", day=day, days=days)


class AddonsDialog(LicenceChangingDialog):
    """``licence_changed`` carries the status with the fresh document after an add-on was activated."""

    def __init__(self, parent: QWidget, service: LicenceService, view: StatusView | None) -> None:
        super().__init__(parent, service, view)
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
        # The server shares CODE_ALREADY_REDEEMED with recharge codes; here it is about an add-on CDkey.
        self.entry = CodeEntry(
            tr("Add-on CDkey"),
            tr("Activate add-on"),
            min_chars=MIN_CDKEY_CHARS,
            renamed_errors={ErrorCode.CODE_ALREADY_REDEEMED: ClientErrorCode.ADDON_CDKEY_USED},
        )
        self.entry.submitted.connect(self.on_cdkey_submitted)
        self.cdkey_edit, self.activate_button, self.message = self.entry.edit, self.entry.button, self.entry.message
        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addWidget(self.table)
        box.addWidget(self.empty)
        box.addWidget(QLabel(tr("Activate an add-on service")))
        box.addWidget(self.entry)
        box.addLayout(closing_row(self))
        self.setMinimumWidth(560)
        self.show_addons(view.addons if view is not None else ())

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

    def on_cdkey_submitted(self, cdkey: str) -> None:
        run_kept(
            self,
            self.ops,
            lambda cancel: self.service.add_addon(cdkey, cancel=cancel),
            on_success=self.on_activated,
            on_failure=self.entry.show_failure,
            progress_text=tr("Activating the add-on service…"),
            trigger=self.entry.button,
        )

    def on_activated(self, status: LocalStatus) -> None:
        view = presenter.status_view(status, self.service)
        self.show_addons(view.addons)
        self.entry.show_done(tr("The add-on service is activated."))
        self.licence_changed.emit(status)
