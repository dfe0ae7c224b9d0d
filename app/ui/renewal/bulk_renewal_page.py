"""批量续费 for a service accountant (seed 003, MISA ASP): choose customers (search by name or tax id, sort by
expiry, tick or add by tax id), a period per customer, invoice and notification recipients, a review list with
per-customer details and the confirmation tick, one order, then pay now or copy the payment link for the customer,
and the status of every customer once it is paid.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import purchase, renewal
from app.domain.renewal import Customer, InvoiceRecipient, NotifyRecipient, ReviewRow
from app.i18n import tr
from app.services.errors import ApiError, CancelledError
from app.ui import presenter
from app.ui.purchase.payment_view import PaymentView
from app.ui.renewal.renewal_page import date_text, period_text
from app.ui.runner import Op, keep_while_running, run_op

log = logging.getLogger(__name__)

# Customer table columns.
TICK, COMPANY, TAX_ID, PRODUCT, EXPIRY, STATUS, PERIOD = range(7)


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _cell(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    return item


class BulkRenewalPage(QWidget):
    def __init__(self, service: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.ops: list[Op] = []
        self.customers: list[Customer] = []
        self.selected: dict[int, int] = {}  # licence id → months, in the order the rows were chosen
        self.quotes: dict[int, dict[str, Any]] = {}
        self.review: list[ReviewRow] = []
        self.order: dict[str, Any] | None = None
        self.renewal_order: dict[str, Any] | None = None
        self.loaded = False
        self._filling = False

        title = QLabel(tr("Bulk renewal for your customers"))
        title.setObjectName("pageTitle")
        self.steps = QStackedWidget()
        self.select_page = self._build_select()
        self.review_page = self._build_review()
        self.pay_page = self._build_pay()
        self.status_page = self._build_status()
        for page in (self.select_page, self.review_page, self.pay_page, self.status_page):
            self.steps.addWidget(page)
        box = QVBoxLayout(self)
        box.setContentsMargins(24, 20, 24, 20)
        box.setSpacing(10)
        box.addWidget(title)
        box.addWidget(self.steps, 1)

    # -- step 1: customers, periods, recipients -----------------------------------------------------------

    def _build_select(self) -> QWidget:
        page = QWidget()
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search by company name or tax id"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self.fill_table())
        self.sort_by_expiry = QCheckBox(tr("Sort by expiry (soonest first)"))
        self.sort_by_expiry.setChecked(True)
        self.sort_by_expiry.toggled.connect(lambda _on: self.fill_table())
        self.refresh_button = QPushButton(tr("Refresh"))
        self.refresh_button.clicked.connect(self.load)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.sort_by_expiry)
        top.addWidget(self.refresh_button)

        self.table = _table(
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

        # Who receives the invoice: each customer from its own details, or one other party (seed 003).
        invoice = QGroupBox(tr("Invoice recipient"))
        self.invoice_customer = QRadioButton(tr("Each customer (from its own company details)"))
        self.invoice_other = QRadioButton(tr("Another party"))
        self.invoice_customer.setChecked(True)
        self._invoice_group = QButtonGroup(self)
        self._invoice_group.addButton(self.invoice_customer)
        self._invoice_group.addButton(self.invoice_other)
        self.invoice_name = QLineEdit()
        self.invoice_tax_id = QLineEdit()
        self.invoice_email = QLineEdit()
        self.invoice_address = QLineEdit()
        self.invoice_fields = QWidget()
        form = QFormLayout(self.invoice_fields)
        form.setContentsMargins(18, 0, 0, 0)
        form.addRow(tr("Name"), self.invoice_name)
        form.addRow(tr("Tax ID"), self.invoice_tax_id)
        form.addRow(tr("E-mail"), self.invoice_email)
        form.addRow(tr("Address"), self.invoice_address)
        invoice_box = QVBoxLayout(invoice)
        invoice_box.addWidget(self.invoice_customer)
        invoice_box.addWidget(self.invoice_other)
        invoice_box.addWidget(self.invoice_fields)
        self.invoice_other.toggled.connect(self.invoice_fields.setEnabled)
        self.invoice_fields.setEnabled(False)

        # Who receives the order notifications: the service accountant, or another contact.
        notify = QGroupBox(tr("Order notifications"))
        self.notify_self = QRadioButton(tr("Me (the service accountant)"))
        self.notify_other = QRadioButton(tr("Another contact"))
        self.notify_self.setChecked(True)
        self._notify_group = QButtonGroup(self)
        self._notify_group.addButton(self.notify_self)
        self._notify_group.addButton(self.notify_other)
        self.notify_name = QLineEdit()
        self.notify_email = QLineEdit()
        self.notify_phone = QLineEdit()
        self.notify_fields = QWidget()
        nform = QFormLayout(self.notify_fields)
        nform.setContentsMargins(18, 0, 0, 0)
        nform.addRow(tr("Name"), self.notify_name)
        nform.addRow(tr("E-mail"), self.notify_email)
        nform.addRow(tr("Phone"), self.notify_phone)
        notify_box = QVBoxLayout(notify)
        notify_box.addWidget(self.notify_self)
        notify_box.addWidget(self.notify_other)
        notify_box.addWidget(self.notify_fields)
        notify_box.addStretch(1)
        self.notify_other.toggled.connect(self.notify_fields.setEnabled)
        self.notify_fields.setEnabled(False)
        recipients = QHBoxLayout()
        recipients.addWidget(invoice, 1)
        recipients.addWidget(notify, 1)

        self.select_error = QLabel()
        self.select_error.setObjectName("errorText")
        self.select_error.setWordWrap(True)
        self.select_error.hide()
        self.review_button = QPushButton(tr("Review order…"))
        self.review_button.setProperty("primary", True)
        self.review_button.setEnabled(False)
        self.review_button.clicked.connect(self.on_review_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.select_error, 1)
        buttons.addWidget(self.review_button, 0, Qt.AlignmentFlag.AlignRight)

        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(8)
        box.addLayout(top)
        box.addWidget(self.table, 1)
        box.addLayout(add_row)
        box.addLayout(recipients)
        box.addLayout(buttons)
        return page

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.loaded and not self.ops:
            self.load()

    def run(self, fn: Any, on_success: Any, **kw: Any) -> Op:
        kw.setdefault("on_failure", self.on_op_failed)
        op = run_op(self, fn, on_success=on_success, **kw)
        keep_while_running(self.ops, op)
        return op

    def load(self) -> Op:
        return self.run(
            lambda cancel: self.service.customers(sort="expiry", cancel=cancel),
            self.on_customers_loaded,
            progress_text=tr("Loading your customers…"),
            trigger=self.refresh_button,
        )

    def on_customers_loaded(self, answer: dict[str, Any]) -> None:
        self.loaded = True
        self.customers = renewal.customers_from(answer)
        known = {c.licence_id for c in self.customers}
        self.selected = {k: v for k, v in self.selected.items() if k in known}
        completer = QCompleter([c.tax_id for c in self.customers], self.add_tax_id)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.add_tax_id.setCompleter(completer)
        self.select_error.hide()
        self.fill_table()

    def shown_customers(self) -> list[Customer]:
        rows = renewal.filter_customers(self.customers, self.search.text())
        return renewal.sort_customers(rows, self.sort_by_expiry.isChecked())

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
            self.table.setItem(r, COMPANY, _cell(c.name))
            self.table.setItem(r, TAX_ID, _cell(c.tax_id))
            self.table.setItem(r, PRODUCT, _cell(c.product))
            self.table.setItem(r, EXPIRY, _cell(date_text(c.expires_at)))
            self.table.setItem(r, STATUS, _cell(tr(renewal.CUSTOMER_STATUS.get(c.status, c.status))))
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
            self._select_problem(tr("None of your customers has the tax id {tax_id}.", tax_id=typed.strip()))
            return
        if not customer.renewable:
            self._select_problem(tr("{company} is suspended and cannot be renewed here.", company=customer.name))
            return
        self.select_error.hide()
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

    def _update_selection(self) -> None:
        self.selection_label.setText(tr("{count} customer(s) selected", count=len(self.selected)))
        self.review_button.setEnabled(bool(self.selected))

    def _select_problem(self, text: str) -> None:
        self.select_error.setText(text)
        self.select_error.show()

    def invoice_recipient(self) -> InvoiceRecipient:
        if self.invoice_customer.isChecked():
            return InvoiceRecipient("customer")
        return InvoiceRecipient(
            "other",
            self.invoice_name.text(),
            self.invoice_tax_id.text(),
            self.invoice_email.text(),
            self.invoice_address.text(),
        )

    def notify_recipient(self) -> NotifyRecipient:
        if self.notify_self.isChecked():
            return NotifyRecipient("self")
        return NotifyRecipient("other", self.notify_name.text(), self.notify_email.text(), self.notify_phone.text())

    def selected_customers(self) -> list[tuple[Customer, int]]:
        by_id = {c.licence_id: c for c in self.customers}
        return [(by_id[lid], months) for lid, months in self.selected.items() if lid in by_id]

    @staticmethod
    def ledgers_for(customer: Customer) -> int | None:
        """A cloud customer renews every ledger it uses (the server refuses fewer); others renew flat."""
        if customer.edition != "cloud":
            return None
        return max(customer.ledgers_purchased, customer.ledgers_in_use, 1)

    def on_review_button_clicked(self) -> None:
        problems = renewal.invoice_problems(self.invoice_recipient()) + renewal.notify_problems(self.notify_recipient())
        if problems:
            self._select_problem(" ".join(tr(p) for p in problems))
            return
        self.select_error.hide()
        chosen = self.selected_customers()
        ledgers = {c.licence_id: self.ledgers_for(c) for c, _m in chosen}

        def work(cancel: Any) -> dict[int, dict[str, Any]]:
            quotes: dict[int, dict[str, Any]] = {}
            for customer, months in chosen:
                try:
                    quotes[customer.licence_id] = self.service.renewal_quote(
                        months, ledgers[customer.licence_id], customer.licence_id, cancel=cancel
                    )
                except ApiError as exc:  # one customer's refusal is shown on its row, not for the whole list
                    quotes[customer.licence_id] = {"error": exc.code, "message": presenter.error_text(exc)}
            return quotes

        self.run(work, self.on_quotes, progress_text=tr("Pricing the renewals…"), trigger=self.review_button)

    # -- step 2: review --------------------------------------------------------------------------------

    def _build_review(self) -> QWidget:
        page = QWidget()
        heading = QLabel(tr("Check the order: click a row to see that customer's details."))
        heading.setObjectName("sectionTitle")
        heading.setWordWrap(True)
        self.review_table = _table(
            [
                tr("Company"),
                tr("Tax ID"),
                tr("Renewal period"),
                tr("Current expiry"),
                tr("New expiry"),
                tr("Amount"),
                tr("Invoice to"),
            ]
        )
        self.review_table.currentCellChanged.connect(lambda row, _c, _pr, _pc: self.show_details(row))
        self.details = QLabel()
        self.details.setObjectName("reviewDetails")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        details_card = QFrame()
        details_card.setObjectName("card")
        dbox = QVBoxLayout(details_card)
        dbox.setContentsMargins(16, 10, 16, 10)
        dbox.addWidget(self.details)
        self.review_total = QLabel()
        self.review_total.setObjectName("sectionTitle")
        self.review_notify = QLabel()
        self.review_notify.setObjectName("muted")
        self.review_notify.setWordWrap(True)
        self.review_error = QLabel()
        self.review_error.setObjectName("errorText")
        self.review_error.setWordWrap(True)
        self.review_error.hide()
        self.confirm = QCheckBox(tr("I have checked and confirm the information above"))
        self.confirm.toggled.connect(lambda _on: self._update_place())
        self.back_button = QPushButton(tr("Back"))
        self.back_button.clicked.connect(lambda: self.steps.setCurrentWidget(self.select_page))
        self.place_button = QPushButton(tr("Place order"))
        self.place_button.setProperty("primary", True)
        self.place_button.clicked.connect(self.on_place_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.confirm, 1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.place_button)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(heading)
        box.addWidget(self.review_table, 1)
        box.addWidget(details_card)
        box.addWidget(self.review_total)
        box.addWidget(self.review_notify)
        box.addWidget(self.review_error)
        box.addLayout(buttons)
        return page

    def on_quotes(self, quotes: dict[int, dict[str, Any]]) -> None:
        self.quotes = quotes
        invoice = self.invoice_recipient()
        self.review = renewal.review_rows(self.selected_customers(), quotes, invoice)
        self.review_table.setRowCount(len(self.review))
        for r, row in enumerate(self.review):
            c = row.customer
            amount = purchase.format_money(row.amount_minor, row.currency) if row.amount_minor is not None else "—"
            values = [
                c.name,
                c.tax_id,
                period_text(row.months),
                date_text(c.expires_at),
                date_text(row.new_expiry) if row.problem is None else "—",
                amount if row.problem is None else tr("Not possible"),
                f"{row.invoice_title} ({row.invoice_tax_id})" if row.invoice_tax_id else row.invoice_title,
            ]
            for col, text in enumerate(values):
                self.review_table.setItem(r, col, _cell(text))
        self.review_total.setText(
            tr(
                "Total for {count} customer(s): {amount}",
                count=len(self.review),
                amount=purchase.format_money(renewal.review_total(self.review)),
            )
        )
        self.review_notify.setText(self._notify_text())
        problems = [r for r in self.review if r.problem is not None]
        if problems:
            lines = [f"{r.customer.name}: {quotes[r.customer.licence_id].get('message', '')}" for r in problems]
            self.review_error.setText("\n".join(lines))
            self.review_error.show()
        else:
            self.review_error.hide()
        self.confirm.setChecked(False)
        self.steps.setCurrentWidget(self.review_page)
        if self.review:
            self.review_table.selectRow(0)
        self.show_details(0)
        self._update_place()

    def _notify_text(self) -> str:
        notify = self.notify_recipient()
        if notify.kind == "self":
            return tr("Order notifications go to you, the service accountant.")
        contact = " · ".join(x for x in (notify.name.strip(), notify.email.strip(), notify.phone.strip()) if x)
        return tr("Order notifications go to {contact}.", contact=contact)

    def show_details(self, row: int) -> None:
        if not 0 <= row < len(self.review):
            self.details.setText("")
            return
        r = self.review[row]
        c = r.customer
        invoice = self.invoice_recipient()
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
            extra = ", ".join(x for x in (invoice.email.strip(), invoice.address.strip()) if x)
            lines.append(
                tr("Invoice to: {title}, tax id {tax_id}", title=r.invoice_title, tax_id=r.invoice_tax_id or "—")
                + (f" ({extra})" if extra else "")
            )
        # Rich text for the bold name; every value is escaped (company names may hold "<" or "&").
        self.details.setText("<br>".join([f"<b>{html.escape(c.name)}</b>"] + [html.escape(x) for x in lines[1:]]))

    def _update_place(self) -> None:
        self.place_button.setEnabled(renewal.order_ready(self.review, self.confirm.isChecked()))

    def on_place_button_clicked(self) -> None:
        if not renewal.order_ready(self.review, self.confirm.isChecked()):
            return
        lines = [(r.customer.licence_id, r.months, self.ledgers_for(r.customer)) for r in self.review]
        body = renewal.renewal_body(lines, self.invoice_recipient(), self.notify_recipient())
        self.run(
            lambda cancel: self.service.place_renewal(body, cancel=cancel),
            self.on_order_placed,
            on_failure=self.on_place_failed,
            progress_text=tr("Placing the order…"),
            trigger=self.place_button,
        )

    def on_place_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            return
        self.review_error.setText(presenter.error_text(exc))
        self.review_error.show()

    # -- step 3: pay now, or send the link --------------------------------------------------------------

    def _build_pay(self) -> QWidget:
        page = QWidget()
        self.pay_title = QLabel()
        self.pay_title.setObjectName("sectionTitle")
        self.pay_title.setWordWrap(True)
        hint = QLabel(
            tr(
                "Pay now, or copy the payment link and send it to the customer. Every expiry is updated by itself "
                "once the order is paid."
            )
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.copy_link_button = QPushButton(tr("Copy payment link for the customer"))
        self.copy_link_button.clicked.connect(self.on_copy_link_button_clicked)
        self.copied_label = QLabel()
        self.copied_label.setObjectName("okText")
        self.copied_label.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.copy_link_button)
        row.addWidget(self.copied_label, 1)
        self.payment_view = PaymentView(self.service)
        self.payment_view.paid.connect(self.on_payment_done)
        self.payment_view.expired.connect(self.on_payment_done)
        self.payment_view.cancelled.connect(self.on_payment_cancelled)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.pay_title)
        box.addWidget(hint)
        box.addLayout(row)
        box.addWidget(self.payment_view, 1)
        return page

    def on_order_placed(self, order: dict[str, Any]) -> None:
        self.order = order
        self.pay_title.setText(
            tr(
                "Order #{id} placed for {count} customer(s): {amount}",
                id=order.get("id"),
                count=len((order.get("renewal") or {}).get("lines") or []),
                amount=purchase.money_text(order.get("amount")),
            )
        )
        self.copied_label.setText("")
        self.steps.setCurrentWidget(self.pay_page)
        self.payment_view.start(order)

    def payment_link(self) -> str:
        return str(((self.order or {}).get("payment") or {}).get("pay_url") or "")

    def on_copy_link_button_clicked(self) -> None:
        QApplication.clipboard().setText(self.payment_link())
        self.copied_label.setText(tr("Link copied. Send it to the customer; this page shows when it is paid."))

    def on_payment_cancelled(self) -> None:
        self.steps.setCurrentWidget(self.review_page)

    def on_payment_done(self, order: dict[str, Any]) -> None:
        """Paid or expired: show each customer's line as the server has it now."""
        order_id = int(order["id"])
        self.run(
            lambda cancel: self.service.renewal_order(order_id, cancel=cancel),
            self.on_renewal_order,
            progress_text=tr("Loading the renewal status…"),
        )

    # -- step 4: status per customer ------------------------------------------------------------------

    def _build_status(self) -> QWidget:
        page = QWidget()
        self.status_title = QLabel()
        self.status_title.setObjectName("sectionTitle")
        self.status_title.setWordWrap(True)
        self.status_table = _table(
            [
                tr("Company"),
                tr("Tax ID"),
                tr("Renewal period"),
                tr("Expiry"),
                tr("Renewal status"),
                tr("Subscription status"),
            ]
        )
        self.status_refresh = QPushButton(tr("Refresh"))
        self.status_refresh.clicked.connect(self.on_status_refresh_clicked)
        self.new_button = QPushButton(tr("New bulk renewal"))
        self.new_button.clicked.connect(self.on_new_button_clicked)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.status_refresh)
        row.addWidget(self.new_button)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.status_title)
        box.addWidget(self.status_table, 1)
        box.addLayout(row)
        return page

    def on_renewal_order(self, order: dict[str, Any]) -> None:
        self.renewal_order = order
        lines = (order.get("renewal") or {}).get("lines") or []
        status = str(order.get("status"))
        if status == "paid":
            self.status_title.setText(
                tr("Order #{id} is paid: {count} customer(s) renewed.", id=order.get("id"), count=len(lines))
            )
        elif status == "expired":
            self.status_title.setText(
                tr("Order #{id} was not paid in time: no customer's expiry was changed.", id=order.get("id"))
            )
        else:
            self.status_title.setText(tr("Order #{id} is awaiting payment.", id=order.get("id")))
        self.status_table.setRowCount(len(lines))
        for r, line in enumerate(lines):
            org = line.get("organisation") or {}
            expiry = renewal.parse_time(line.get("licence_expires_at"))
            values = [
                str(org.get("name", "")),
                str(org.get("tax_id", "")),
                period_text(int(line.get("months", 12))),
                date_text(expiry),
                tr(renewal.LINE_STATUS.get(str(line.get("status")), str(line.get("status")))),
                tr(renewal.CUSTOMER_STATUS.get(str(line.get("licence_status")), str(line.get("licence_status")))),
            ]
            for col, text in enumerate(values):
                self.status_table.setItem(r, col, _cell(text))
        self.steps.setCurrentWidget(self.status_page)

    def on_status_refresh_clicked(self) -> None:
        if self.order is not None:
            self.on_payment_done(self.order)

    def on_new_button_clicked(self) -> None:
        self.selected.clear()
        self.review = []
        self.order = None
        self.steps.setCurrentWidget(self.select_page)
        self.load()

    def on_op_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            return
        log.info("bulk renewal call failed: %s", type(exc).__name__)
        label = self.review_error if self.steps.currentWidget() is self.review_page else self.select_error
        label.setText(presenter.error_text(exc))
        label.show()

    def stop(self) -> None:
        self.payment_view.stop()
        for op in list(self.ops):
            op.cancel()
