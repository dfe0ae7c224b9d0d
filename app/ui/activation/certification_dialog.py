"""企业认证: submit the organisation's details before the deadline (3 months after activation)."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtWidgets import (
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
from app.services.licence_service import LicenceService
from app.services.local_status import LocalStatus
from app.ui import presenter
from app.ui.activation.licence_dialog import LicenceChangingDialog
from app.ui.runner import Op, run_kept
from app.ui.status_view import StatusView
from app.ui.widgets.message import message_label, set_message
from app.ui.widgets.tax_id_field import TaxIdField

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
    day = deadline.astimezone().date()  # tr() writes it in the UI language's calendar
    if view.certification_status == "overdue" or deadline <= now:
        return tr("The deadline ({day}) has passed: the software is restricted until certification is done.", day=day)
    return tr("Due by {day}: {days} days left.", day=day, days=(deadline - now).days)


class CertificationDialog(LicenceChangingDialog):
    """``licence_changed`` carries the status re-authenticated after the details were accepted."""

    def __init__(self, parent: QWidget, service: LicenceService, view: StatusView | None) -> None:
        super().__init__(parent, service, view)
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
        # The organisation's own market decides the tax-id rule, not the UI language (None: the panel's market).
        self.tax_field = TaxIdField(
            (view.organisation_tax_id or "") if view is not None else "",
            optional=False,
            market=view.organisation_market if view is not None else None,
        )
        self.tax_edit = self.tax_field.edit
        self.contact_edit = QLineEdit()
        self.contact_edit.setPlaceholderText(tr("Name and phone or e-mail"))
        form = QFormLayout()
        form.addRow(tr("Organisation name"), self.name_edit)
        form.addRow(tr("Tax ID"), self.tax_field)
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

    def on_field_text_changed(self, _text: str = "") -> None:
        ready = (
            bool(self.name_edit.text().strip())
            and self.tax_field.acceptable()
            and len(self.contact_edit.text().strip()) >= MIN_CONTACT_CHARS
        )
        self.submit_button.setEnabled(ready)

    def on_submit_button_clicked(self) -> None:
        name, tax_id = self.name_edit.text().strip(), self.tax_edit.text().strip()
        contact = self.contact_edit.text().strip()
        org_id = self.view.organisation_id if self.view is not None else None
        run_kept(
            self,
            self.ops,
            lambda cancel: self.service.submit_certification(name, tax_id, contact, org_id, cancel=cancel),
            on_success=self.on_submitted,
            on_failure=self.on_failed,
            progress_text=tr("Submitting the certification…"),
            trigger=self.submit_button,
        )

    def on_submitted(self, status: LocalStatus) -> None:
        self.licence_changed.emit(status)
        self.accept()

    def on_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            return
        set_message(self.message, presenter.error_text(exc))
