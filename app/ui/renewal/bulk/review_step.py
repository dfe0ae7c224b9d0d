"""Step 2 of 批量续费: the review list with per-customer details, the total, and the confirmation tick."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.domain import purchase, renewal
from app.domain.renewal import InvoiceRecipient, ReviewRow
from app.i18n import is_rtl, isolate, tr
from app.ui.renewal.bulk.tables import fill_row, table
from app.ui.renewal.common import date_text, period_text


class ReviewStep(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ReviewRow] = []
        self.invoice = InvoiceRecipient()
        heading = QLabel(tr("Check the order: click a row to see that customer's details."))
        heading.setObjectName("sectionTitle")
        heading.setWordWrap(True)
        self.table = table(
            [
                tr("Company"),
                tr("Tax ID"),
                tr("Renewal period"),
                tr("Current expiry"),
                tr("New expiry"),
                tr("Amount"),
                tr("Invoice to"),
            ],
            elided=(0, 6),  # company and invoice title: in full in the tooltip and in the details below
        )
        self.table.currentCellChanged.connect(lambda row, _c, _pr, _pc: self.show_details(row))
        self.details = QLabel()
        self.details.setObjectName("reviewDetails")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        details_card = QFrame()
        details_card.setObjectName("card")
        dbox = QVBoxLayout(details_card)
        dbox.setContentsMargins(16, 10, 16, 10)
        dbox.addWidget(self.details)
        self.total = QLabel()
        self.total.setObjectName("sectionTitle")
        self.notify = QLabel()
        self.notify.setObjectName("muted")
        self.notify.setWordWrap(True)
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.hide()
        self.confirm = QCheckBox(tr("I have checked and confirm the information above"))
        self.confirm.toggled.connect(lambda _on: self._update_place())
        self.back_button = QPushButton(tr("Back"))
        self.place_button = QPushButton(tr("Place order"))
        self.place_button.setProperty("primary", True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.confirm, 1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.place_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(heading)
        box.addWidget(self.table, 1)
        box.addWidget(details_card)
        box.addWidget(self.total)
        box.addWidget(self.notify)
        box.addWidget(self.error)
        box.addLayout(buttons)

    def show_rows(self, rows: list[ReviewRow], invoice: InvoiceRecipient, notify_text: str) -> None:
        self.rows, self.invoice = rows, invoice
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            c = row.customer
            amount = purchase.format_money(row.amount_minor, row.currency) if row.amount_minor is not None else "—"
            fill_row(
                self.table,
                r,
                [
                    c.name,
                    c.tax_id,
                    period_text(row.months),
                    date_text(c.expires_at),
                    date_text(row.new_expiry) if row.problem is None else "—",
                    amount if row.problem is None else tr("Not possible"),
                    (
                        f"{isolate(row.invoice_title)} ({isolate(row.invoice_tax_id)})"
                        if row.invoice_tax_id
                        else row.invoice_title
                    ),
                ],
            )
        self.total.setText(
            tr(
                "Total for {count} customer(s): {amount}",
                count=len(rows),
                amount=purchase.format_money(renewal.review_total(rows), renewal.review_currency(rows)),
            )
        )
        self.notify.setText(notify_text)
        refused = [f"{r.customer.name}: {r.problem_text}" for r in rows if r.problem is not None]
        if refused:
            self.show_error("\n".join(refused))
        else:
            self.error.hide()
        self.confirm.setChecked(False)
        if rows:
            self.table.selectRow(0)
        self.show_details(0)
        self._update_place()

    def show_details(self, row: int) -> None:
        if not 0 <= row < len(self.rows):
            self.details.setText("")
            return
        r = self.rows[row]
        c = r.customer
        invoice = self.invoice
        lines = [
            c.name,
            tr("Tax ID: {tax_id}", tax_id=c.tax_id),
            tr("Product: {product}", product=c.product),
            tr(
                "Renewal: {period}, expiry {current} → {new}",
                period=period_text(r.months),
                current=date_text(c.expires_at),
                new=date_text(r.new_expiry),
            ),
            tr("Amount: {amount}", amount=purchase.format_money(r.amount_minor or 0, r.currency)),
        ]
        if invoice.kind == "customer":
            lines.append(tr("Invoice to: {title}, tax id {tax_id}", title=r.invoice_title, tax_id=r.invoice_tax_id))
        else:
            extra = ", ".join(isolate(x) for x in (invoice.email.strip(), invoice.address.strip()) if x)
            lines.append(
                tr("Invoice to: {title}, tax id {tax_id}", title=r.invoice_title, tax_id=r.invoice_tax_id or "—")
                + (f" ({extra})" if extra else "")
            )
        # Rich text for the bold name; every value is escaped (company names may hold "<" or "&"). The direction is
        # said: rich text takes it from the first letter, and a Chinese name would lay Persian lines out left to right.
        text = "<br>".join([f"<b>{html.escape(isolate(c.name))}</b>"] + [html.escape(x) for x in lines[1:]])
        self.details.setText(f'<div dir="{"rtl" if is_rtl() else "ltr"}">{text}</div>')

    @property
    def ready(self) -> bool:
        return renewal.order_ready(self.rows, self.confirm.isChecked())

    def _update_place(self) -> None:
        self.place_button.setEnabled(self.ready)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
