"""我的订单: orders with status and items (ledger + fiscal year), refunds with their rule, invoices, recharge codes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from licence_protocol.errors import ErrorCode
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import i18n
from app.domain.error_catalogue import error_message
from app.domain.formatting import native_digits
from app.domain.orders import REFUND_DAYS, Order, OrderLine, SupportRoute, support_from_details
from app.i18n import tr
from app.services.errors import ApiError, CancelledError, NotSignedInError
from app.services.http import CancelToken
from app.services.local_status import LocalStatus
from app.ui import presenter
from app.ui.presenter import format_when
from app.ui.renewal.recharge_dialog import RechargeDialog, RechargeService
from app.ui.runner import Op, run_kept
from app.ui.widgets.copy_field import CopyField
from app.ui.widgets.tax_id_field import TaxIdField

log = logging.getLogger(__name__)

STATUS_LABELS = {
    "pending_payment": "Awaiting payment",
    "paid": "Paid",
    "expired": "Closed (not paid in time)",
    "refund_requested": "Refund requested",
    "refunded": "Refunded",
}
CODE_STATUS = {"unused": "Not used yet", "redeemed": "Redeemed", "voided": "Void (order refunded)"}
REFUND_RULE = (
    "Refund rule: a refund can be requested within {days} days of payment, and only while no invoice has been "
    "issued. Opened modules and added vouchers are taken back."
)


class OrdersService(RechargeService, Protocol):
    """What 我的订单 asks of the service (and of 产品充值, which it opens)."""

    def orders(self, *, cancel: CancelToken | None = None) -> tuple[Order, ...]: ...

    def request_refund(self, order_id: int, *, cancel: CancelToken | None = None) -> Order: ...

    def request_invoice(
        self, order_id: int, title: str, tax_id: str, email: str, *, cancel: CancelToken | None = None
    ) -> Order: ...


@dataclass(frozen=True)
class Refunded:
    order: Order
    status: LocalStatus  # re-authenticated: the refund took back what the order opened


def status_text(status: str) -> str:
    return tr(STATUS_LABELS.get(status, status))


def support_text(support: SupportRoute | None) -> str:
    """The support route (QQ group, phone, e-mail) in one line."""
    if support is None:
        return ""
    return tr(
        "Customer service: QQ group {qq} · phone {phone} · e-mail {email}",
        qq=support.qq_group or "—",
        phone=support.phone or "—",
        email=support.email or "—",
    )


def item_line(item: OrderLine) -> str:
    name = item.name(i18n.current_language())
    quantity = native_digits(str(item.quantity))
    # Names and the amount isolated: each keeps its own order on a right-to-left screen.
    amount = i18n.isolate(item.amount.text)
    if item.ledger is None or item.fiscal_year is None:  # a seat pack: the whole licence, no ledger-year
        return f"{i18n.isolate(name)} × {quantity}    {tr('Whole licence')}    {amount}"
    where = tr("Ledger {code} · fiscal year {year}", code=item.ledger.code, year=item.fiscal_year)
    ledger = i18n.isolate(item.ledger.name)
    return f"{i18n.isolate(name)} × {quantity}    {where} ({ledger})    {amount}"


class InvoiceDialog(QDialog):
    """发票: title, tax id and e-mail; the sandbox issues it at once (and a refund then goes through support)."""

    def __init__(self, parent: QWidget, title: str = "", tax_id: str = "", *, market: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Request an invoice"))
        self.title_edit = QLineEdit(title)
        # The server issues the invoice in the market of the licence's organisation (None: the panel's market).
        self.tax_field = TaxIdField(tax_id, optional=False, market=market)
        self.tax_edit = self.tax_field.edit
        self.email_edit = QLineEdit()
        warn = QLabel(tr("After an invoice is issued, this order can be refunded only through customer service."))
        warn.setObjectName("hint")
        warn.setWordWrap(True)
        form = QFormLayout()
        form.addRow(tr("Invoice title"), self.title_edit)
        form.addRow(tr("Tax ID"), self.tax_field)
        form.addRow(tr("E-mail"), self.email_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Request invoice"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for edit in (self.title_edit, self.tax_edit, self.email_edit):
            edit.textChanged.connect(self._update_ok)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(warn)
        box.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self._update_ok()

    def _update_ok(self) -> None:
        ok = bool(self.title_edit.text().strip() and self.tax_field.acceptable() and "@" in self.email_edit.text())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def values(self) -> tuple[str, str, str]:
        return self.title_edit.text().strip(), self.tax_edit.text().strip(), self.email_edit.text().strip()


class OrdersPage(QWidget):
    """``licence_changed`` carries a re-authenticated status after a refund or a redeemed code."""

    licence_changed = Signal(LocalStatus)

    def __init__(
        self, service: OrdersService, parent: QWidget | None = None, *, on_buy: Callable[[], None] | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.ops: list[Op] = []
        self.orders: list[Order] = []
        self.current: Order | None = None
        self.confirm_box: QMessageBox | None = None
        self.invoice_dialog: InvoiceDialog | None = None
        self.code_fields: list[CopyField] = []
        self.code_rows: list[QWidget] = []
        self.code_notes: list[QLabel] = []
        self._loaded_once = False
        self.wanted_order: int | None = None  # shown once the list is loaded (立即购买's refund path)
        # The licence's organisation's market (CN | VN | IR), set by the window from the status; None: not known.
        self.organisation_market: str | None = None

        title = QLabel(tr("My orders"))
        title.setObjectName("pageTitle")
        self.refresh_button = QPushButton(tr("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        self.recharge_button = QPushButton(tr("Recharge…"))
        self.recharge_button.clicked.connect(self.on_recharge_button_clicked)
        self.buy_button = QPushButton(tr("Buy now…"))
        self.buy_button.setProperty("primary", True)
        self.buy_button.setVisible(on_buy is not None)
        if on_buy is not None:
            self.buy_button.clicked.connect(on_buy)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.buy_button)
        head.addWidget(self.recharge_button)
        head.addWidget(self.refresh_button)

        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([tr("Order"), tr("Created"), tr("Amount"), tr("Status"), tr("Paid at")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self.on_table_selection_changed)
        self.table.setMinimumHeight(150)
        self.empty_label = QLabel(tr("No orders yet."))
        self.empty_label.setObjectName("muted")
        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.message.hide()

        box = QVBoxLayout(self)
        box.setContentsMargins(24, 20, 24, 20)
        box.setSpacing(12)
        box.addLayout(head)
        # The order's details get most of the height: at 1040×720 the list still shows a few orders, and an
        # order's refund, invoice and recharge-code rows show whole in the longer languages (Vietnamese).
        box.addWidget(self.table, 1)
        box.addWidget(self.empty_label)
        box.addWidget(self.message)
        box.addWidget(self._build_detail(), 4)

    def _build_detail(self) -> QWidget:
        card = QFrame()
        card.setObjectName("card")
        self.detail_title = QLabel()
        self.detail_title.setObjectName("sectionTitle")
        self.items_label = QLabel()
        self.items_label.setTextFormat(Qt.TextFormat.PlainText)
        self.items_label.setWordWrap(True)
        refund_title = QLabel(tr("Refund"))
        refund_title.setObjectName("sectionTitle")
        self.refund_rule = QLabel(tr(REFUND_RULE, days=REFUND_DAYS))
        self.refund_rule.setObjectName("hint")
        self.refund_rule.setWordWrap(True)
        self.refund_state = QLabel()
        self.refund_state.setWordWrap(True)
        self.support_label = QLabel()
        self.support_label.setObjectName("nextStep")
        self.support_label.setWordWrap(True)
        self.support_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.refund_button = QPushButton(tr("Request refund"))
        self.refund_button.setProperty("danger", True)
        self.refund_button.clicked.connect(self.on_refund_button_clicked)
        invoice_title = QLabel(tr("Invoice"))
        invoice_title.setObjectName("sectionTitle")
        self.invoice_state = QLabel()
        self.invoice_state.setWordWrap(True)
        self.invoice_button = QPushButton(tr("Request invoice…"))
        self.invoice_button.clicked.connect(self.on_invoice_button_clicked)
        codes_title = QLabel(tr("Recharge codes of this order"))
        codes_title.setObjectName("sectionTitle")
        self.codes_box = QVBoxLayout()
        self.codes_box.setSpacing(4)
        self.codes_empty = QLabel(tr("None: this order contains no renewal."))
        self.codes_empty.setObjectName("muted")

        refund_row = QHBoxLayout()
        refund_row.addWidget(self.refund_state, 1)
        refund_row.addWidget(self.refund_button, 0, Qt.AlignmentFlag.AlignTop)
        invoice_row = QHBoxLayout()
        invoice_row.addWidget(self.invoice_state, 1)
        invoice_row.addWidget(self.invoice_button, 0, Qt.AlignmentFlag.AlignTop)
        inner = QWidget()
        inner.setObjectName("ordersDetail")
        inner.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        inner.setStyleSheet("#ordersDetail { background: #ffffff; border-radius: 8px; }")
        box = QVBoxLayout(inner)
        box.setContentsMargins(18, 14, 18, 14)
        box.setSpacing(8)
        box.addWidget(self.detail_title)
        box.addWidget(self.items_label)
        box.addWidget(refund_title)
        box.addWidget(self.refund_rule)
        box.addLayout(refund_row)
        box.addWidget(self.support_label)
        box.addWidget(invoice_title)
        box.addLayout(invoice_row)
        box.addWidget(codes_title)
        box.addWidget(self.codes_empty)
        box.addLayout(self.codes_box)
        box.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        outer = QVBoxLayout(card)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.detail = card
        card.hide()
        return card

    # -- loading -----------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.ops:  # each visit shows the server's current view (a payment or refund may be new)
            self.refresh()

    def run(self, fn: Callable[[CancelToken], Any], on_success: Callable[[Any], None], **kw: Any) -> Op:
        kw.setdefault("on_failure", self.on_op_failed)
        return run_kept(self, self.ops, fn, on_success=on_success, **kw)

    def refresh(self) -> Op:
        self._loaded_once = True
        return self.run(
            lambda cancel: self.service.orders(cancel=cancel),
            self.show_orders,
            progress_text=tr("Loading orders…"),
            trigger=self.refresh_button,
        )

    def on_op_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            return
        if isinstance(exc, NotSignedInError):
            self._say(tr("Sign in to see your orders."))
            return
        if not isinstance(exc, ApiError):
            log.info("orders call failed: %s", type(exc).__name__)
        self._say(presenter.error_text(exc))

    def _say(self, text: str | None) -> None:
        self.message.setText(text or "")
        self.message.setVisible(bool(text))

    def focus_order(self, order_id: int) -> None:
        """Show this order once the list is (re)loaded: the page loads whenever it is shown."""
        self.wanted_order = order_id
        if self.isVisible() and not self.ops:
            self.refresh()

    def show_orders(self, orders: tuple[Order, ...]) -> None:
        keep = self.wanted_order or (self.current.id if self.current else None)
        self.wanted_order = None
        self.orders = list(orders)
        self._say(None)
        self.table.setRowCount(len(self.orders))
        for row, order in enumerate(self.orders):
            cells = (
                f"#{native_digits(str(order.id))}",  # the order number in the digits of the other texts
                format_when(order.created_at),
                order.amount.text,
                status_text(order.status),
                format_when(order.paid_at),
            )
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.empty_label.setVisible(not self.orders)
        ids = [o.id for o in self.orders]
        index = ids.index(keep) if keep in ids else 0
        if self.orders:
            self.table.blockSignals(True)  # the same row may stay selected: show its fresh copy below either way
            self.table.selectRow(index)
            self.table.blockSignals(False)
        self.show_order(self.orders[index] if self.orders else None)

    def on_table_selection_changed(self) -> None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        self.show_order(self.orders[min(rows)] if rows else None)

    def replace_order(self, order: Order) -> None:
        """Put the server's fresh copy of one order in the list and show it."""
        for index, existing in enumerate(self.orders):
            if existing.id == order.id:
                self.orders[index] = order
                cell = self.table.item(index, 3)
                if cell is not None:
                    cell.setText(status_text(order.status))
        self.show_order(order)

    # -- one order ---------------------------------------------------------------------------------------

    def show_order(self, order: Order | None) -> None:
        self.current = order
        self.detail.setVisible(order is not None)
        if order is None:
            return
        self.detail_title.setText(
            tr("Order #{id} · {status}", id=order.id, status=status_text(order.status))
            + (f"  · {tr('paid at {when}', when=format_when(order.paid_at))}" if order.paid_at else "")
        )
        self.items_label.setText("\n".join(item_line(i) for i in order.items))
        self._show_refund(order)
        self._show_invoice(order)
        self._show_codes(order)

    def _show_refund(self, order: Order) -> None:
        status = order.status
        view = order.refund
        self.refund_button.setEnabled(view.allowed)
        if status == "refunded":
            text = tr("Refunded on {when}.", when=format_when(order.refunded_at))
        elif status != "paid":
            text = tr("Only a paid order can be refunded.")
        elif view.allowed:
            text = tr("A refund can be requested until {when}.", when=format_when(view.deadline))
        else:
            msgid, fmt = error_message(view.reason or ErrorCode.REFUND_WINDOW_CLOSED)
            text = tr(msgid, **fmt)
        self.refund_state.setText(text)
        self._show_support(view.support if view.reason else None)

    def _show_support(self, support: SupportRoute | None) -> None:
        self.support_label.setText(support_text(support))
        self.support_label.setVisible(support is not None)

    def _show_invoice(self, order: Order) -> None:
        invoice = order.invoice
        if invoice.issued:
            text = tr(
                "Issued on {when} to {title} ({tax_id}), sent to {email}.",
                when=format_when(invoice.issued_at),
                title=invoice.title,
                tax_id=invoice.tax_id,
                email=invoice.email,
            )
            self.invoice_button.setEnabled(False)
        else:
            text = tr("No invoice requested.")
            self.invoice_button.setEnabled(order.status == "paid")
        self.invoice_state.setText(text)

    def _show_codes(self, order: Order) -> None:
        for row in self.code_rows:
            self.codes_box.removeWidget(row)
            row.deleteLater()
        self.code_fields, self.code_rows, self.code_notes = [], [], []
        codes = order.recharge_codes
        self.codes_empty.setVisible(not codes)
        for code in codes:
            field = CopyField()
            field.set_text(code.code)
            status = tr(CODE_STATUS.get(code.status, code.status))
            note = QLabel(tr("{months} months · {status}", months=code.months, status=status))
            note.setObjectName("muted")
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(field)
            line.addWidget(note)
            if code.unused:
                redeem = QPushButton(tr("Redeem…"))
                redeem.clicked.connect(lambda _=False, c=code.code: self.open_recharge(c))
                line.addWidget(redeem)
            line.addStretch(1)
            self.codes_box.addWidget(row)
            self.code_fields.append(field)
            self.code_rows.append(row)
            self.code_notes.append(note)

    # -- refund, invoice, recharge -----------------------------------------------------------------------

    def on_refund_button_clicked(self) -> None:
        if self.current is None:
            return
        order_id = self.current.id
        box = QMessageBox(
            QMessageBox.Icon.Question,
            tr("Request refund"),
            tr("Refund order #{id}? What it opened for its ledger and fiscal year is closed again.", id=order_id),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.button(QMessageBox.StandardButton.Yes).setText(tr("Request refund"))
        box.button(QMessageBox.StandardButton.No).setText(tr("Cancel"))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda result: self._after_refund_box(result, order_id))
        self.confirm_box = box
        box.open()

    def _after_refund_box(self, result: int, order_id: int) -> None:
        self.confirm_box = None
        if result != QMessageBox.StandardButton.Yes:
            return

        def work(cancel: CancelToken) -> Refunded:
            order = self.service.request_refund(order_id, cancel=cancel)
            # The refund took modules back: the cached document must not keep them (best effort when offline).
            return Refunded(order, self.service.after_payment(cancel=cancel))

        self.run(
            work,
            self.on_refunded,
            on_failure=self.on_refund_failed,
            progress_text=tr("Requesting the refund…"),
            trigger=self.refund_button,
        )

    def on_refunded(self, result: Refunded) -> None:
        self._say(None)
        self.replace_order(result.order)
        self.licence_changed.emit(result.status)

    def on_refund_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            return
        if isinstance(exc, ApiError) and exc.code in (ErrorCode.REFUND_WINDOW_CLOSED, ErrorCode.INVOICE_ISSUED):
            msgid, fmt = error_message(exc.code, exc.details)
            self.refund_state.setText(tr(msgid, **fmt))
            self.refund_button.setEnabled(False)
            self._show_support(support_from_details(exc.details))
            return
        self.on_op_failed(exc)

    def on_invoice_button_clicked(self) -> None:
        if self.current is None:
            return
        order_id = self.current.id
        dialog = InvoiceDialog(self, market=self.organisation_market)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._request_invoice(order_id, *dialog.values()))
        self.invoice_dialog = dialog
        dialog.open()

    def _request_invoice(self, order_id: int, title: str, tax_id: str, email: str) -> None:
        self.run(
            lambda cancel: self.service.request_invoice(order_id, title, tax_id, email, cancel=cancel),
            self.replace_order,
            progress_text=tr("Requesting the invoice…"),
            trigger=self.invoice_button,
        )

    def on_recharge_button_clicked(self) -> None:
        self.open_recharge("")

    def open_recharge(self, code: str) -> RechargeDialog:
        return RechargeDialog.ask(self, self.service, self._after_recharge, code=code)

    def _after_recharge(self, status: LocalStatus) -> None:
        self.licence_changed.emit(status)
        self.refresh()  # the order's code now reads 已使用
