"""Step 4 of 批量续费: every customer's line as the server has it (renewed, awaiting payment, refunded)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.domain import renewal
from app.domain.orders import Order, RenewalLine
from app.i18n import tr
from app.ui.renewal.bulk.tables import fill_row, table
from app.ui.renewal.common import date_text, period_text

# Status table columns.
COMPANY, TAX_ID, PERIOD, EXPIRY, RENEWAL_STATUS, SUBSCRIPTION_STATUS = range(6)


def order_title(order: Order) -> str:
    count = len(order.renewal_lines)
    if order.status == "paid":
        return tr("Order #{id} is paid: {count} customer(s) renewed.", id=order.id, count=count)
    if order.status == "expired":
        return tr("Order #{id} was not paid in time: no customer's expiry was changed.", id=order.id)
    return tr("Order #{id} is awaiting payment.", id=order.id)


def line_cells(line: RenewalLine) -> list[str]:
    org = line.organisation
    return [
        org.name if org else "",
        org.tax_id if org else "",
        period_text(line.months),
        date_text(line.licence_expires_at),
        tr(renewal.LINE_STATUS.get(line.status, line.status)),
        tr(renewal.CUSTOMER_STATUS.get(line.licence_status, line.licence_status)),
    ]


class StatusStep(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.title.setWordWrap(True)
        self.table = table(
            [
                tr("Company"),
                tr("Tax ID"),
                tr("Renewal period"),
                tr("Expiry"),
                tr("Renewal status"),
                tr("Subscription status"),
            ],
            elided=(0,),  # the company's name, in full in its tooltip
        )
        self.refresh_button = QPushButton(tr("Refresh"))
        self.new_button = QPushButton(tr("New bulk renewal"))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        row.addWidget(self.new_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.title)
        box.addWidget(self.table, 1)
        box.addLayout(row)

    def show_order(self, order: Order) -> None:
        self.title.setText(order_title(order))
        self.table.setRowCount(len(order.renewal_lines))
        for r, line in enumerate(order.renewal_lines):
            fill_row(self.table, r, line_cells(line))
