"""批量续费 for a service accountant (as in MISA ASP): choose customers, a period per customer, invoice and notification
recipients, a review list with per-customer details and the confirmation tick, one order, then pay now or copy the
payment link for the customer, and the status of every customer once it is paid.

Each step is its own widget (app/ui/renewal/bulk/*_step.py); this page runs the service calls and moves between them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from app.domain import renewal
from app.domain.orders import Order
from app.domain.renewal import Customer, QuoteOutcome, QuoteRefusal, RenewalItem, RenewalRequest
from app.i18n import tr
from app.services.errors import ApiError, CancelledError
from app.services.http import CancelToken
from app.ui import presenter
from app.ui.renewal.bulk.choose_step import ChooseStep, ledgers_for
from app.ui.renewal.bulk.payment_step import PaymentStep
from app.ui.renewal.bulk.review_step import ReviewStep
from app.ui.renewal.bulk.status_step import StatusStep
from app.ui.renewal.common import RenewalOrders
from app.ui.runner import Op, run_kept

log = logging.getLogger(__name__)


class BulkRenewalService(RenewalOrders, Protocol):
    def customers(
        self, q: str = "", sort: str = "name", *, cancel: CancelToken | None = None
    ) -> tuple[Customer, ...]: ...


class BulkRenewalPage(QWidget):
    def __init__(self, service: BulkRenewalService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.ops: list[Op] = []
        self.quotes: dict[int, QuoteOutcome] = {}
        self.order: Order | None = None
        self.renewal_order: Order | None = None
        self.loaded = False

        title = QLabel(tr("Bulk renewal for your customers"))
        title.setObjectName("pageTitle")
        self.steps = QStackedWidget()
        self.choose = ChooseStep()
        self.choose.refresh_button.clicked.connect(self.load)
        self.choose.review_button.clicked.connect(self.on_review_button_clicked)
        self.recipients = self.choose.recipients
        self.review = ReviewStep()
        self.review.back_button.clicked.connect(lambda: self.steps.setCurrentWidget(self.choose))
        self.review.place_button.clicked.connect(self.on_place_button_clicked)
        self.payment = PaymentStep(service)
        self.payment_view = self.payment.payment_view
        self.payment_view.paid.connect(self.on_payment_done)
        self.payment_view.expired.connect(self.on_payment_done)
        self.payment_view.cancelled.connect(lambda: self.steps.setCurrentWidget(self.review))
        self.status = StatusStep()
        self.status.refresh_button.clicked.connect(self.on_status_refresh_clicked)
        self.status.new_button.clicked.connect(self.on_new_button_clicked)
        for step in (self.choose, self.review, self.payment, self.status):
            self.steps.addWidget(step)
        box = QVBoxLayout(self)
        box.setContentsMargins(24, 20, 24, 20)
        box.setSpacing(10)
        box.addWidget(title)
        box.addWidget(self.steps, 1)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.loaded and not self.ops:
            self.load()

    def run(self, fn: Callable[[CancelToken], Any], on_success: Callable[[Any], None], **kw: Any) -> Op:
        kw.setdefault("on_failure", self.on_op_failed)
        return run_kept(self, self.ops, fn, on_success=on_success, **kw)

    # -- step 1: customers -------------------------------------------------------------------------------

    def load(self) -> Op:
        return self.run(
            lambda cancel: self.service.customers(sort="expiry", cancel=cancel),
            self.on_customers_loaded,
            progress_text=tr("Loading your customers…"),
            trigger=self.choose.refresh_button,
        )

    def on_customers_loaded(self, customers: tuple[Customer, ...]) -> None:
        self.loaded = True
        self.choose.show_customers(customers)

    def on_review_button_clicked(self) -> None:
        problems = self.choose.recipient_problems()
        if problems:
            self.choose.show_problem(" ".join(problems))
            return
        self.choose.error.hide()
        chosen = self.choose.selected_customers()

        def work(cancel: CancelToken) -> dict[int, QuoteOutcome]:
            quotes: dict[int, QuoteOutcome] = {}
            for customer, months in chosen:
                try:
                    quotes[customer.licence_id] = self.service.renewal_quote(
                        months, ledgers_for(customer), customer.licence_id, cancel=cancel
                    )
                except ApiError as exc:  # one customer's refusal is shown on its row, not for the whole list
                    quotes[customer.licence_id] = QuoteRefusal(exc.code, presenter.error_text(exc))
            return quotes

        self.run(work, self.on_quotes, progress_text=tr("Pricing the renewals…"), trigger=self.choose.review_button)

    # -- step 2: review ----------------------------------------------------------------------------------

    def on_quotes(self, quotes: dict[int, QuoteOutcome]) -> None:
        self.quotes = quotes
        invoice = self.recipients.invoice_recipient()
        rows = renewal.review_rows(self.choose.selected_customers(), quotes, invoice)
        self.steps.setCurrentWidget(self.review)
        self.review.show_rows(rows, invoice, self.recipients.notify_text())

    def on_place_button_clicked(self) -> None:
        if not self.review.ready:
            return
        request = RenewalRequest(
            tuple(RenewalItem(r.customer.licence_id, r.months, ledgers_for(r.customer)) for r in self.review.rows),
            self.recipients.invoice_recipient(),
            self.recipients.notify_recipient(),
        )
        self.run(
            lambda cancel: self.service.place_renewal(request, cancel=cancel),
            self.on_order_placed,
            on_failure=self.on_place_failed,
            progress_text=tr("Placing the order…"),
            trigger=self.review.place_button,
        )

    def on_place_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            return
        self.review.show_error(presenter.error_text(exc))

    # -- step 3: pay now, or send the link ---------------------------------------------------------------

    def on_order_placed(self, order: Order) -> None:
        self.order = order
        self.steps.setCurrentWidget(self.payment)
        self.payment.start(order)

    def payment_link(self) -> str:
        return self.payment.payment_link()

    def on_payment_done(self, order: Order) -> None:
        """Paid or expired: show each customer's line as the server has it now."""
        order_id = order.id
        self.run(
            lambda cancel: self.service.renewal_order(order_id, cancel=cancel),
            self.on_renewal_order,
            progress_text=tr("Loading the renewal status…"),
        )

    # -- step 4: status per customer ---------------------------------------------------------------------

    def on_renewal_order(self, order: Order) -> None:
        self.renewal_order = order
        self.status.show_order(order)
        self.steps.setCurrentWidget(self.status)

    def on_status_refresh_clicked(self) -> None:
        if self.order is not None:
            self.on_payment_done(self.order)

    def on_new_button_clicked(self) -> None:
        self.choose.clear_selection()
        self.review.rows = []
        self.order = None
        self.steps.setCurrentWidget(self.choose)
        self.load()

    def on_op_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            return
        log.info("bulk renewal call failed: %s", type(exc).__name__)
        if self.steps.currentWidget() is self.review:
            self.review.show_error(presenter.error_text(exc))
        else:
            self.choose.show_problem(presenter.error_text(exc))

    def stop(self) -> None:
        self.payment_view.stop()
        for op in list(self.ops):
            op.cancel()
