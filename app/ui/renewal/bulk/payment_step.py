"""Step 3 of 批量续费: pay now, or copy the payment link and send it to the customer."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.domain.orders import Order
from app.i18n import tr
from app.ui.purchase.payment_view import OrderSource, PaymentView


class PaymentStep(QWidget):
    def __init__(self, service: OrderSource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.order: Order | None = None
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.title.setWordWrap(True)
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
        self.payment_view = PaymentView(service)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.title)
        box.addWidget(hint)
        box.addLayout(row)
        box.addWidget(self.payment_view, 1)

    def start(self, order: Order) -> None:
        self.order = order
        self.title.setText(
            tr(
                "Order #{id} placed for {count} customer(s): {amount}",
                id=order.id,
                count=len(order.renewal_lines),
                amount=order.amount.text,
            )
        )
        self.copied_label.setText("")
        self.payment_view.start(order)

    def payment_link(self) -> str:
        return self.order.pay_url if self.order is not None else ""

    def on_copy_link_button_clicked(self) -> None:
        QApplication.clipboard().setText(self.payment_link())
        self.copied_label.setText(tr("Link copied. Send it to the customer; this page shows when it is paid."))
