"""企业认证: submit the organisation's details before the deadline (3 months after activation)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.services.errors import CancelledError
from app.ui import presenter
from app.ui.activation.status_view import StatusView
from app.ui.runner import Op, keep_while_running, run_op
from app.ui.widgets.message import message_label, set_message

MIN_CONTACT_CHARS = 3  # the server's rule (server/schemas/me.py CertificationRequest)


def deadline_text(view: StatusView | None, now: datetime) -> str:
    """The countdown said on 系统认证 and in this dialog."""
    if view is None or view.certification_status in (None, "none"):
        return ""
    if view.certification_status == "certified":
        return tr("The organisation is certified.")
    deadline = view.certification_deadline
    if deadline is None:
        return tr("Certification is pending.")
    day = deadline.astimezone().strftime("%Y-%m-%d")
    if view.certification_status == "overdue" or deadline <= now:
        return tr("The deadline ({day}) has passed: the software is restricted until certification is done.", day=day)
    return tr("Due by {day}: {days} days left.", day=day, days=(deadline - now).days)


class CertificationDialog(QDialog):
    """``licence_changed`` carries the status re-authenticated after the details were accepted."""

    licence_changed = Signal(object)

    def __init__(self, parent: QWidget, service: Any, view: StatusView | None) -> None:
        super().__init__(parent)
        self.service = service
        self.view = view
        self.ops: list[Op] = []
        self.setWindowTitle(tr("Enterprise certification"))
        intro = QLabel(
            tr(
                "Enterprise certification confirms the organisation the licence was activated for. Check the "
                "name and tax ID exactly as registered, and give a contact the vendor can reach."
            )
        )
        intro.setWordWrap(True)
        self.deadline = QLabel(deadline_text(view, datetime.now(UTC)))
        self.deadline.setObjectName("nextStep")
        self.deadline.setWordWrap(True)
        self.name_edit = QLineEdit((view.organisation_name or "") if view is not None else "")
        self.tax_edit = QLineEdit((view.organisation_tax_id or "") if view is not None else "")
        self.contact_edit = QLineEdit()
        self.contact_edit.setPlaceholderText(tr("Name and phone or e-mail"))
        form = QFormLayout()
        form.addRow(tr("Organisation name"), self.name_edit)
        form.addRow(tr("Tax ID"), self.tax_edit)
        form.addRow(tr("Contact"), self.contact_edit)
        for edit in (self.name_edit, self.tax_edit, self.contact_edit):
            edit.textChanged.connect(self.on_field_text_changed)
        self.message = message_label()
        self.submit_button = QPushButton(tr("Submit for certification"))
        self.submit_button.setProperty("primary", True)
        self.submit_button.clicked.connect(self.on_submit_button_clicked)
        cancel = QPushButton(tr("Cancel"))
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.submit_button)
        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addWidget(self.deadline)
        box.addLayout(form)
        box.addWidget(self.message)
        box.addStretch(1)
        box.addLayout(buttons)
        self.setMinimumWidth(560)
        self.on_field_text_changed()

    @classmethod
    def ask(
        cls, parent: QWidget, service: Any, view: StatusView | None, on_changed: Callable[[Any], None] | None = None
    ) -> CertificationDialog:
        dialog = cls(parent, service, view)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if on_changed is not None:
            dialog.licence_changed.connect(on_changed)
        dialog.open()
        return dialog

    def on_field_text_changed(self, _text: str = "") -> None:
        ready = (
            bool(self.name_edit.text().strip())
            and bool(self.tax_edit.text().strip())
            and len(self.contact_edit.text().strip()) >= MIN_CONTACT_CHARS
        )
        self.submit_button.setEnabled(ready)

    def on_submit_button_clicked(self) -> None:
        name, tax_id = self.name_edit.text().strip(), self.tax_edit.text().strip()
        contact = self.contact_edit.text().strip()
        org_id = self.view.organisation_id if self.view is not None else None
        op = run_op(
            self,
            lambda cancel: self.service.submit_certification(name, tax_id, contact, org_id, cancel=cancel),
            on_success=self.on_submitted,
            on_failure=self.on_failed,
            progress_text=tr("Submitting the certification…"),
            trigger=self.submit_button,
        )
        keep_while_running(self.ops, op)

    def on_submitted(self, status: Any) -> None:
        self.licence_changed.emit(status)
        self.accept()

    def on_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            return
        set_message(self.message, presenter.error_text(exc))
