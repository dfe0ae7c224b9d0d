"""Who gets the invoice (each customer, or one other party) and the order notifications (me, or another contact)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.renewal import InvoiceRecipient, NotifyRecipient
from app.i18n import tr
from app.ui.widgets.tax_id_field import TaxIdField


class _RecipientGroup(QGroupBox):
    """A default choice, or "another" with its fields (enabled only while "another" is chosen)."""

    def __init__(self, title: str, default_text: str, other_text: str, fields: list[tuple[str, QWidget]]) -> None:
        super().__init__(title)
        self.default = QRadioButton(default_text)
        self.other = QRadioButton(other_text)
        self.default.setChecked(True)
        self._group = QButtonGroup(self)
        self._group.addButton(self.default)
        self._group.addButton(self.other)
        self.fields = QWidget()
        form = QFormLayout(self.fields)
        form.setContentsMargins(18, 0, 0, 0)
        for label, edit in fields:
            form.addRow(label, edit)
        box = QVBoxLayout(self)
        box.addWidget(self.default)
        box.addWidget(self.other)
        box.addWidget(self.fields)
        box.addStretch(1)
        self.other.toggled.connect(self.fields.setEnabled)
        self.fields.setEnabled(False)


class RecipientsBox(QWidget):
    # The invoice recipient or its tax id changed: whether the order may go on to review may have changed.
    invoice_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.invoice_name = QLineEdit()
        # The customers' market is not in the customer list: the tax id is checked by the panel's market.
        self.invoice_tax_field = TaxIdField(optional=True)
        self.invoice_tax_id = self.invoice_tax_field.edit
        self.invoice_email = QLineEdit()
        self.invoice_address = QLineEdit()
        # Who receives the invoice: each customer from its own details, or one other party.
        invoice = _RecipientGroup(
            tr("Invoice recipient"),
            tr("Each customer (from its own company details)"),
            tr("Another party"),
            [
                (tr("Name"), self.invoice_name),
                (tr("Tax ID"), self.invoice_tax_field),
                (tr("E-mail"), self.invoice_email),
                (tr("Address"), self.invoice_address),
            ],
        )
        self.invoice_customer, self.invoice_other = invoice.default, invoice.other
        self.invoice_other.toggled.connect(self.invoice_changed)
        self.invoice_tax_id.textChanged.connect(self.invoice_changed)
        self.notify_name = QLineEdit()
        self.notify_email = QLineEdit()
        self.notify_phone = QLineEdit()
        # Who receives the order notifications: the service accountant, or another contact.
        notify = _RecipientGroup(
            tr("Order notifications"),
            tr("Me (the service accountant)"),
            tr("Another contact"),
            [(tr("Name"), self.notify_name), (tr("E-mail"), self.notify_email), (tr("Phone"), self.notify_phone)],
        )
        self.notify_self, self.notify_other = notify.default, notify.other
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(invoice, 1)
        row.addWidget(notify, 1)

    def invoice_tax_id_acceptable(self) -> bool:
        """The invoice's own tax id breaks no rule of its market (or is not asked for: each customer's is used)."""
        return self.invoice_customer.isChecked() or self.invoice_tax_field.acceptable()

    def invoice_recipient(self) -> InvoiceRecipient:
        if self.invoice_customer.isChecked():
            return InvoiceRecipient("customer")
        return InvoiceRecipient(
            "other",
            self.invoice_name.text(),
            self.invoice_tax_field.value(),
            self.invoice_email.text(),
            self.invoice_address.text(),
        )

    def notify_recipient(self) -> NotifyRecipient:
        if self.notify_self.isChecked():
            return NotifyRecipient("self")
        return NotifyRecipient("other", self.notify_name.text(), self.notify_email.text(), self.notify_phone.text())

    def notify_text(self) -> str:
        """Where the order notifications go, in one sentence for the review."""
        notify = self.notify_recipient()
        if notify.kind == "self":
            return tr("Order notifications go to you, the service accountant.")
        contact = " · ".join(x for x in (notify.name.strip(), notify.email.strip(), notify.phone.strip()) if x)
        return tr("Order notifications go to {contact}.", contact=contact)
