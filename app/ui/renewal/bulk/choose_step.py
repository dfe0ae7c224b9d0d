"""Step 1 of 批量续费: choose customers (search by name or tax id, sort by expiry, tick or add by tax id), a period
per customer, and the invoice and notification recipients."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import renewal
from app.domain.renewal import Customer
from app.i18n import tr
from app.ui.renewal.bulk.recipients import RecipientsBox
from app.ui.renewal.bulk.tables import cell, table
from app.ui.renewal.common import date_text, period_text

# Customer table columns.
TICK, COMPANY, TAX_ID, PRODUCT, EXPIRY, STATUS, PERIOD = range(7)


class ChooseStep(QWidget):
    """The customers and their periods (``selected``: licence id → months, in the order they were chosen)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.customers: list[Customer] = []
        self.selected: dict[int, int] = {}
        self._filling = False

        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search by company name or tax id"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self.fill_table())
        self.sort_by_expiry = QCheckBox(tr("Sort by expiry (soonest first)"))
        self.sort_by_expiry.setChecked(True)
        self.sort_by_expiry.toggled.connect(lambda _on: self.fill_table())
        self.refresh_button = QPushButton(tr("Refresh"))
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.sort_by_expiry)
        top.addWidget(self.refresh_button)

        self.table = table(
            ["", tr("Company"), tr("Tax ID"), tr("Product"), tr("Expiry"), tr("Status"), tr("Renewal period")]
        )
        self.table.setMinimumHeight(180)
        # Long company names elide (the full name is the cell's tooltip) so the period choice always shows whole.
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setSectionResizeMode(COMPANY, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self.on_table_item_changed)

        self.add_tax_id = QLineEdit()
        self.add_tax_id.setPlaceholderText(tr("Customer tax id"))
        self.add_tax_id.returnPressed.connect(self.on_add_button_clicked)
        self.add_button = QPushButton(tr("Add row"))
        self.add_button.clicked.connect(self.on_add_button_clicked)
        self.selection_label = QLabel()
        self.selection_label.setObjectName("muted")
        add_row = QHBoxLayout()
        add_row.addWidget(QLabel(tr("Add a customer by tax id:")))
        add_row.addWidget(self.add_tax_id, 1)
        add_row.addWidget(self.add_button)
        add_row.addSpacing(16)
        add_row.addWidget(self.selection_label)

        self.recipients = RecipientsBox()
        self.recipients.invoice_changed.connect(self._update_selection)

        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.hide()
        self.review_button = QPushButton(tr("Review order…"))
        self.review_button.setProperty("primary", True)
        self.review_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(self.review_button, 0, Qt.AlignmentFlag.AlignRight)

        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(8)
        box.addLayout(top)
        box.addWidget(self.table, 1)
        box.addLayout(add_row)
        box.addWidget(self.recipients)
        box.addLayout(buttons)

    def show_customers(self, customers: Sequence[Customer]) -> None:
        self.customers = list(customers)
        known = {c.licence_id for c in self.customers}
        self.selected = {k: v for k, v in self.selected.items() if k in known}
        completer = QCompleter([c.tax_id for c in self.customers], self.add_tax_id)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.add_tax_id.setCompleter(completer)
        self.error.hide()
        self.fill_table()

    def shown_customers(self) -> list[Customer]:
        rows = renewal.filter_customers(self.customers, self.search.text())
        return renewal.sort_customers(rows, self.sort_by_expiry.isChecked())

    def selected_customers(self) -> list[tuple[Customer, int]]:
        by_id = {c.licence_id: c for c in self.customers}
        return [(by_id[lid], months) for lid, months in self.selected.items() if lid in by_id]

    def fill_table(self) -> None:
        self._filling = True
        rows = self.shown_customers()
        self.table.setRowCount(len(rows))
        for r, c in enumerate(rows):
            tick = QTableWidgetItem()
            tick.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            if c.renewable:
                tick.setCheckState(Qt.CheckState.Checked if c.licence_id in self.selected else Qt.CheckState.Unchecked)
            else:
                tick.setFlags(Qt.ItemFlag.NoItemFlags)
                tick.setToolTip(tr("Suspended: renew it after the vendor lifts the suspension."))
            tick.setData(Qt.ItemDataRole.UserRole, c.licence_id)
            self.table.setItem(r, TICK, tick)
            self.table.setItem(r, COMPANY, cell(c.name))
            self.table.setItem(r, TAX_ID, cell(c.tax_id))
            self.table.setItem(r, PRODUCT, cell(c.product))
            self.table.setItem(r, EXPIRY, cell(date_text(c.expires_at)))
            self.table.setItem(r, STATUS, cell(tr(renewal.CUSTOMER_STATUS.get(c.status, c.status))))
            period = QComboBox()
            for months in renewal.PERIODS:
                period.addItem(period_text(months), months)
            period.setCurrentIndex(renewal.PERIODS.index(self.selected.get(c.licence_id, renewal.DEFAULT_PERIOD)))
            period.setEnabled(c.licence_id in self.selected)
            period.currentIndexChanged.connect(
                lambda _i, lid=c.licence_id, box=period: self.on_period_changed(lid, int(box.currentData()))
            )
            self.table.setCellWidget(r, PERIOD, period)
        self._filling = False
        self._update_selection()

    def row_of(self, licence_id: int) -> int | None:
        """The table row showing this licence's customer, or None when it is filtered out."""
        for r in range(self.table.rowCount()):
            item = self.table.item(r, TICK)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == licence_id:
                return r
        return None

    def period_box(self, licence_id: int) -> QComboBox | None:
        row = self.row_of(licence_id)
        widget = self.table.cellWidget(row, PERIOD) if row is not None else None
        return widget if isinstance(widget, QComboBox) else None

    def on_table_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != TICK:
            return
        licence_id = int(item.data(Qt.ItemDataRole.UserRole))
        if item.checkState() == Qt.CheckState.Checked:
            box = self.period_box(licence_id)
            self.selected[licence_id] = int(box.currentData()) if box is not None else renewal.DEFAULT_PERIOD
        else:
            self.selected.pop(licence_id, None)
        box = self.period_box(licence_id)
        if box is not None:
            box.setEnabled(licence_id in self.selected)
        self._update_selection()

    def on_period_changed(self, licence_id: int, months: int) -> None:
        if licence_id in self.selected:
            self.selected[licence_id] = months

    def set_checked(self, licence_id: int, checked: bool) -> None:
        row = self.row_of(licence_id)
        item = self.table.item(row, TICK) if row is not None else None
        if item is not None:
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            return
        # Not shown (filtered out): change the selection directly.
        if checked:
            self.selected.setdefault(licence_id, renewal.DEFAULT_PERIOD)
        else:
            self.selected.pop(licence_id, None)
        self._update_selection()

    def on_add_button_clicked(self) -> None:
        """ "Add row": pick a customer by tax id; it joins the order (and shows, even when filtered out)."""
        typed = self.add_tax_id.text()
        customer = renewal.find_by_tax_id(self.customers, typed)
        if customer is None:
            self.show_problem(tr("None of your customers has the tax id {tax_id}.", tax_id=typed.strip()))
            return
        if not customer.renewable:
            self.show_problem(tr("{company} is suspended and cannot be renewed here.", company=customer.name))
            return
        self.error.hide()
        self.add_tax_id.clear()
        self.selected.setdefault(customer.licence_id, renewal.DEFAULT_PERIOD)
        if customer not in self.shown_customers():
            self.search.clear()  # refills the table
        else:
            self.fill_table()
        row = self.row_of(customer.licence_id)
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.table.model().index(row, COMPANY))

    def clear_selection(self) -> None:
        self.selected.clear()

    def _update_selection(self) -> None:
        self.selection_label.setText(tr("{count} customer(s) selected", count=len(self.selected)))
        # Not while the invoice's tax id breaks its rule: the hint under the field says which.
        self.review_button.setEnabled(bool(self.selected) and self.recipients.invoice_tax_id_acceptable())

    def show_problem(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def recipient_problems(self) -> list[str]:
        """What is missing or wrong in the recipients, in the user's words; empty when the order may be reviewed."""
        problems = renewal.invoice_problems(self.recipients.invoice_recipient())
        problems += renewal.notify_problems(self.recipients.notify_recipient())
        return [tr(p) for p in problems]


def ledgers_for(customer: Customer) -> int | None:
    """A cloud customer renews every ledger it uses (the server refuses fewer); others renew flat."""
    if customer.edition != "cloud":
        return None
    return max(customer.ledgers_purchased, customer.ledgers_in_use, 1)
