"""增购台数: buy seats for the licence — how many, the server's price, the existing payment step, the new seat count.

Seats belong to the whole licence (no ledger-year to choose). Opened from 系统认证 (认证超台数 offers it next to
设备管理) and from 设备管理 itself. After payment the licence's catalogue is read again, so the dialog shows the
seat maximum the server now enforces, and the signed document is fetched again when this computer holds one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import i18n
from app.domain.formatting import format_money
from app.domain.orders import Order
from app.domain.seats import MAX_SEATS_PER_ORDER, LicenceCatalogue, seat_total, seats_after
from app.domain.states import state_info
from app.i18n import state_label, tr
from app.services.errors import CancelledError
from app.services.http import CancelToken
from app.services.local_status import LocalStatus
from app.ui import presenter
from app.ui.purchase.payment_view import OrderSource, PaymentView
from app.ui.runner import Op, run_kept


class SeatService(OrderSource, Protocol):
    def licence_catalogue(
        self, licence_id: int | None = None, *, cancel: CancelToken | None = None
    ) -> LicenceCatalogue: ...

    def create_seat_order(
        self, quantity: int, sku: str = ..., licence_id: int | None = None, *, cancel: CancelToken | None = None
    ) -> Order: ...

    def after_seat_payment(self, licence_id: int, *, cancel: CancelToken | None = None) -> LocalStatus: ...


@dataclass(frozen=True)
class SeatsPaid:
    catalogue: LicenceCatalogue
    status: LocalStatus  # this computer's, once the new seats are known to it


def unavailable_reason(catalogue: LicenceCatalogue) -> str | None:
    """Why no seat can be bought for this licence now; None when one can."""
    if catalogue.seat_item is None:
        return tr("This edition has no seats to add. Upgrade to a paid edition for more computers.")
    if not catalogue.can_buy_seats:
        label = state_label(state_info(catalogue.purchase.state))
        return tr("Seats cannot be bought while the licence is in this state: {label}.", label=label)
    return None


class SeatPurchaseDialog(QDialog):
    """Choose → pay → done; ``paid`` carries this computer's status once the new seats are known to it."""

    paid = Signal(LocalStatus)

    def __init__(self, parent: QWidget, service: SeatService, licence_id: int) -> None:
        super().__init__(parent)
        self.service = service
        self.licence_id = licence_id
        self.ops: list[Op] = []
        self.catalogue: LicenceCatalogue | None = None
        self.order: Order | None = None
        self.setWindowTitle(tr("Buy more seats"))
        self.setMinimumSize(560, 420)

        self.pages = QStackedWidget()
        self.choose_page = self._build_choose_page()
        self.payment_view = PaymentView(service)
        self.payment_view.paid.connect(self.on_payment_paid)
        self.payment_view.expired.connect(self.on_payment_expired)
        self.payment_view.cancelled.connect(self.on_payment_cancelled)
        self.done_page = self._build_done_page()
        for page in (self.choose_page, self.payment_view, self.done_page):
            self.pages.addWidget(page)
        box = QVBoxLayout(self)
        box.setContentsMargins(16, 16, 16, 16)
        box.addWidget(self.pages, 1)

    @classmethod
    def open_for(
        cls,
        parent: QWidget,
        service: SeatService,
        licence_id: int,
        *,
        on_paid: Callable[[LocalStatus], None] | None = None,
    ) -> SeatPurchaseDialog:
        dialog = cls(parent, service, licence_id)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if on_paid is not None:
            dialog.paid.connect(on_paid)
        dialog.open()
        dialog.load()
        return dialog

    # -- layout -------------------------------------------------------------------------------------------

    def _build_choose_page(self) -> QWidget:
        page = QWidget()
        title = QLabel(tr("Buy more seats"))
        title.setObjectName("sectionTitle")
        intro = QLabel(tr("Seats belong to the whole licence: each one lets one more computer use it."))
        intro.setWordWrap(True)
        intro.setObjectName("muted")
        self.seats_label = QLabel()
        self.seats_label.setObjectName("seatCount")
        self.item_label = QLabel()
        self.item_label.setWordWrap(True)
        quantity_label = QLabel(tr("How many seats"))
        self.quantity = QSpinBox()
        self.quantity.setRange(1, MAX_SEATS_PER_ORDER)
        self.quantity.setEnabled(False)
        self.quantity.valueChanged.connect(self._update_total)
        quantity_label.setBuddy(self.quantity)
        self.after_label = QLabel()
        self.total_label = QLabel()
        self.total_label.setObjectName("total")
        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.message.hide()
        self.cancel_button = QPushButton(tr("Cancel"))
        self.cancel_button.clicked.connect(self.reject)
        self.pay_button = QPushButton(tr("Confirm and pay"))
        self.pay_button.setProperty("primary", True)
        self.pay_button.setEnabled(False)
        self.pay_button.clicked.connect(self.on_pay_button_clicked)

        row = QHBoxLayout()
        row.addWidget(quantity_label)
        row.addWidget(self.quantity)
        row.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.pay_button)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        for widget in (title, intro, self.seats_label, self.item_label):
            box.addWidget(widget)
        box.addLayout(row)
        box.addWidget(self.after_label)
        box.addWidget(self.total_label)
        box.addWidget(self.message)
        box.addStretch(1)
        box.addLayout(buttons)
        return page

    def _build_done_page(self) -> QWidget:
        page = QWidget()
        self.done_title = QLabel(tr("Payment received."))
        self.done_title.setObjectName("sectionTitle")
        self.done_seats = QLabel()
        self.done_seats.setObjectName("seatCount")
        self.done_seats.setWordWrap(True)
        close = QPushButton(tr("Close"))
        close.setProperty("primary", True)
        close.clicked.connect(self.accept)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.done_title)
        box.addWidget(self.done_seats)
        box.addStretch(1)
        box.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        return page

    # -- loading ------------------------------------------------------------------------------------------

    def run(self, fn: Callable[[CancelToken], Any], on_success: Callable[[Any], None], **kw: Any) -> Op:
        kw.setdefault("on_failure", self.on_op_failed)
        return run_kept(self, self.ops, fn, on_success=on_success, **kw)

    def load(self) -> Op:
        licence_id = self.licence_id
        return self.run(
            lambda cancel: self.service.licence_catalogue(licence_id, cancel=cancel),
            self.show_catalogue,
            progress_text=tr("Loading what can be bought…"),
        )

    def show_catalogue(self, catalogue: LicenceCatalogue) -> None:
        self.catalogue = catalogue
        self.seats_label.setText(presenter.seats_text(catalogue.seats))
        item = catalogue.seat_item
        if item is not None:
            price = format_money(item.price_minor, item.currency)
            name = item.name(i18n.current_language())
            self.item_label.setText(tr("{item}: {price} per seat", item=i18n.isolate(name), price=i18n.isolate(price)))
        reason = unavailable_reason(catalogue)
        self._show_message(reason)
        self.quantity.setEnabled(reason is None)
        self._update_total()

    def _update_total(self, *_args: Any) -> None:
        catalogue = self.catalogue
        item = catalogue.seat_item if catalogue is not None else None
        buyable = catalogue is not None and item is not None and unavailable_reason(catalogue) is None
        if catalogue is None or item is None or not buyable:
            self.after_label.clear()
            self.total_label.clear()
            self.pay_button.setEnabled(False)
            return
        quantity = self.quantity.value()
        self.after_label.setText(
            tr("After payment this licence allows {max} computers.", max=seats_after(catalogue.seats, item, quantity))
        )
        self.total_label.setText(tr("Total: {amount}", amount=format_money(seat_total(item, quantity), item.currency)))
        self.pay_button.setEnabled(not self.ops)

    def _show_message(self, text: str | None) -> None:
        self.message.setText(text or "")
        self.message.setVisible(bool(text))

    def on_op_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            return
        self._show_message(presenter.error_text(exc))
        self.pay_button.setEnabled(self.catalogue is not None and unavailable_reason(self.catalogue) is None)

    # -- buying -------------------------------------------------------------------------------------------

    def on_pay_button_clicked(self) -> None:
        quantity, licence_id = self.quantity.value(), self.licence_id
        self.pay_button.setEnabled(False)
        self._show_message(None)
        self.run(
            lambda cancel: self.service.create_seat_order(quantity, licence_id=licence_id, cancel=cancel),
            self.on_order_created,
            progress_text=tr("Placing the order…"),
            trigger=self.pay_button,
        )

    def on_order_created(self, order: Order) -> None:
        self.order = order
        self.pages.setCurrentWidget(self.payment_view)
        self.payment_view.start(order)

    def on_payment_cancelled(self) -> None:
        self.pages.setCurrentWidget(self.choose_page)
        self._update_total()

    def on_payment_expired(self, _order: Order) -> None:
        self.pages.setCurrentWidget(self.choose_page)
        self._show_message(tr("The payment has expired. Nothing was charged; place the order again."))
        self._update_total()

    def on_payment_paid(self, _order: Order) -> None:
        licence_id = self.licence_id

        def work(cancel: CancelToken) -> SeatsPaid:
            catalogue = self.service.licence_catalogue(licence_id, cancel=cancel)
            return SeatsPaid(catalogue, self.service.after_seat_payment(licence_id, cancel=cancel))

        self.run(work, self.on_seats_applied, progress_text=tr("Applying the purchase to this computer…"))

    def on_seats_applied(self, result: SeatsPaid) -> None:
        self.catalogue = result.catalogue
        seats = result.catalogue.seats
        self.done_seats.setText(
            tr(
                "This licence now allows {max} computers ({used} in use).",
                max=seats.max,
                used=seats.used,
            )
        )
        self.pages.setCurrentWidget(self.done_page)
        self.paid.emit(result.status)

    def done(self, result: int) -> None:
        self.payment_view.stop()
        for op in list(self.ops):
            op.cancel()
        super().done(result)
