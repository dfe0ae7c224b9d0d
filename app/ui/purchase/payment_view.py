"""The payment step of 立即购买: QR code, pay link, countdown, waiting progress, "I have paid" and cancel.

The order status is polled every few seconds on the worker pool (runner.run_op) until it is paid or expired.
"""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime, timedelta
from typing import Protocol

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app.domain import purchase
from app.domain.formatting import native_digits
from app.domain.orders import Order
from app.domain.payment_methods import method_msgid, offered_methods
from app.i18n import tr
from app.services.errors import CancelledError
from app.services.http import CancelToken
from app.ui import presenter
from app.ui.runner import Op, run_kept
from app.ui.widgets.copy_field import CopyField
from app.ui.widgets.flow_layout import FlowLayout

log = logging.getLogger(__name__)

POLL_MS = 3000
QR_SCALE = 5


def qr_pixmap(payload: str, scale: int = QR_SCALE) -> QPixmap:
    """The pay link as a QR code (segno writes a PNG into memory; Qt reads it)."""
    import segno

    buffer = io.BytesIO()
    segno.make(payload, error="m").save(buffer, kind="png", scale=scale, border=2)
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    return pixmap


class OrderSource(Protocol):
    """What the payment step asks of the service: the order as the server has it now."""

    def order(self, order_id: int, *, cancel: CancelToken | None = None) -> Order: ...


class PaymentView(QWidget):
    """Shows one order's payment; emits ``paid`` / ``expired`` once with the order as the server shows it."""

    paid = Signal(Order)
    expired = Signal(Order)
    cancelled = Signal()

    def __init__(self, service: OrderSource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.order: Order | None = None
        self.ops: list[Op] = []
        self._poll_op: Op | None = None
        self._finished = False
        self._expires_local: datetime | None = None

        self.amount = QLabel()
        self.amount.setObjectName("payAmount")
        self.amount.setStyleSheet("font-size: 15pt; font-weight: 600; color: #b91c1c;")
        self.qr = QLabel()
        self.qr.setObjectName("payQr")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setMinimumSize(180, 180)
        scan = QLabel(tr("Scan the code or open the pay link in a browser, then pay with one of these:"))
        scan.setObjectName("hint")
        scan.setWordWrap(True)
        # One label per method of the order's market (the server names them; the pay page offers the same).
        # Wrapping: Vietnam's three methods, named in Vietnamese, are wider than the column beside the QR code.
        self.methods_row = FlowLayout(spacing=6)
        self.method_labels: list[QLabel] = []
        self.link = CopyField()
        self.open_button = QPushButton(tr("Open in browser"))
        self.open_button.clicked.connect(self.on_open_button_clicked)
        self.countdown = QLabel()
        self.countdown.setObjectName("payCountdown")
        self.waiting = QLabel(tr("Waiting for the payment… The panel notices it by itself."))
        self.waiting.setObjectName("muted")
        self.waiting.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(6)
        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.message.hide()
        self.paid_button = QPushButton(tr("I have paid"))
        self.paid_button.setProperty("primary", True)
        self.paid_button.clicked.connect(self.on_paid_button_clicked)
        self.cancel_button = QPushButton(tr("Cancel payment"))
        self.cancel_button.clicked.connect(self.on_cancel_button_clicked)

        info = QVBoxLayout()
        info.setSpacing(8)
        info.addWidget(self.amount)
        info.addWidget(scan)
        info.addLayout(self.methods_row)
        info.addWidget(self.link)
        info.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignLeft)
        info.addWidget(self.countdown)
        info.addWidget(self.waiting)
        info.addWidget(self.progress)
        info.addWidget(self.message)
        info.addStretch(1)
        top = QHBoxLayout()
        top.setSpacing(20)
        top.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(info, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.paid_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(top, 1)
        box.addLayout(buttons)

        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.on_tick_timeout)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self.on_poll_timeout)

    # -- showing an order -------------------------------------------------------------------------------

    def start(self, order: Order) -> None:
        self.order = order
        self._finished = False
        payment = order.payment
        url = order.pay_url
        self.amount.setText(tr("Amount to pay: {amount}", amount=order.amount.text))
        self._show_methods(offered_methods(payment.methods if payment is not None else ()))
        self.link.set_text(url)
        self.open_button.setEnabled(bool(url))
        payload = (payment.qr_payload if payment is not None else "") or url
        if payload:
            self.qr.setPixmap(qr_pixmap(payload))
        # Both ends of the window are server times, so a skewed local clock cannot shorten or stretch the
        # countdown; the server decides expiry in the end.
        expires_at = payment.expires_at if payment is not None else None
        seconds = purchase.remaining_seconds(expires_at, order.created_at)
        self._expires_local = datetime.now(UTC) + timedelta(seconds=seconds)
        self.message.hide()
        self.progress.show()
        self.waiting.show()
        self.paid_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.on_tick_timeout()
        self._tick.start()
        self._poll.start()

    def _show_methods(self, methods: tuple[str, ...]) -> None:
        while self.methods_row.count():  # the labels of the order shown before
            widget = self.methods_row.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.method_labels = []
        for method in methods:
            label = QLabel(tr(method_msgid(method)))
            label.setObjectName("payMethod")
            label.setProperty("method", method)
            label.setStyleSheet("border: 1px solid #cbd5e1; border-radius: 4px; padding: 2px 8px;")
            self.methods_row.addWidget(label)
            self.method_labels.append(label)

    @property
    def method_names(self) -> list[str]:
        """The payment methods as the user reads them, in order."""
        return [label.text() for label in self.method_labels]

    def stop(self) -> None:
        """Stop the timers and drop any check still running (the dialog closed, or the user cancelled)."""
        self._tick.stop()
        self._poll.stop()
        for op in list(self.ops):
            op.cancel()

    @property
    def remaining(self) -> int:
        if self._expires_local is None:
            return 0
        return max(0, int((self._expires_local - datetime.now(UTC)).total_seconds()))

    # -- timers and buttons ----------------------------------------------------------------------------

    def on_tick_timeout(self) -> None:
        left = self.remaining
        self.countdown.setText(tr("Time left to pay: {time}", time=native_digits(purchase.format_countdown(left))))
        if left == 0 and self._tick.isActive():
            self._tick.stop()
            self.check(manual=False)  # the server marks it expired; ask once more so the screen agrees

    def on_poll_timeout(self) -> None:
        self.check(manual=False)

    def on_paid_button_clicked(self) -> None:
        self.check(manual=True)

    def on_cancel_button_clicked(self) -> None:
        self.stop()
        self.cancelled.emit()

    def on_open_button_clicked(self) -> None:
        QDesktopServices.openUrl(QUrl(self.link.value.text()))

    def check(self, *, manual: bool) -> None:
        """Reconcile with the server: fetch the order and act on its status."""
        if self.order is None or self._finished:
            return
        if self._poll_op is not None and self._poll_op.running:
            if not manual:
                return
            self._poll_op.cancel()
        order_id = self.order.id
        op = run_kept(
            self,
            self.ops,
            lambda cancel: self.service.order(order_id, cancel=cancel),
            on_success=lambda order: self.on_order_fetched(order, manual),
            on_failure=lambda exc: self.on_check_failed(exc, manual),
            progress_text=tr("Checking the payment…"),
            trigger=self.paid_button if manual else None,
            silent=not manual,  # a poll every few seconds must not flash the progress cover
        )
        self._poll_op = op

    def on_order_fetched(self, order: Order, manual: bool) -> None:
        if self._finished:
            return
        self.order = order
        if order.paid:
            self._finish()
            self.waiting.setText(tr("Payment received."))
            self.paid.emit(order)
        elif order.status == "expired":
            self._finish()
            self._show_message(tr("The payment has expired. Nothing was charged; place the order again."))
            self.expired.emit(order)
        elif manual:
            self._show_message(
                tr("The payment has not arrived yet. If you have paid, wait a moment: the panel keeps checking.")
            )

    def on_check_failed(self, exc: BaseException, manual: bool) -> None:
        if isinstance(exc, CancelledError):
            return
        log.info("payment check failed: %s", type(exc).__name__)
        if manual:
            self._show_message(presenter.error_text(exc))

    def _finish(self) -> None:
        self._finished = True
        self._tick.stop()
        self._poll.stop()
        self.progress.hide()
        self.paid_button.setEnabled(False)
        self.cancel_button.setEnabled(False)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
