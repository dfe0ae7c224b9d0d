"""续费: renew this computer's subscription — expiry banner, period and ledger count, the server's quote (price and
new expiry) before ordering, the ledger-count rule with archiving, then the payment view and the new expiry.

``RenewalPages.install(window)`` adds 续费 and, for a service-accountant login, 批量续费 to the main window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from licence_protocol.errors import ErrorCode
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import renewal
from app.domain.ledgers import LicenceLedgers
from app.domain.orders import Order
from app.domain.renewal import LedgerInUse, LedgerShortfall, RenewalItem, RenewalQuote, RenewalRequest
from app.domain.states import state_info
from app.i18n import isolate, state_label, tr
from app.services.errors import ApiError, CancelledError
from app.services.http import CancelToken
from app.services.local_status import LocalStatus
from app.ui import presenter
from app.ui.purchase.payment_view import PaymentView
from app.ui.renewal.archive_ledgers_dialog import ArchiveLedgersDialog, ArchiveService
from app.ui.renewal.bulk.page import BulkRenewalPage
from app.ui.renewal.common import RenewalOrders, date_text, period_text
from app.ui.runner import Op, run_kept
from app.ui.theme import repolish

log = logging.getLogger(__name__)

QUOTE_DELAY_MS = 250  # a burst of spin-box clicks asks the server once
BANNER_STYLE = (
    'QFrame#renewalBanner[severity="warning"] { background: #fef3c7; border: 1px solid #fcd34d; border-radius: 6px; }'
    'QFrame#renewalBanner[severity="warning"] QLabel { color: #92400e; background: transparent; }'
    'QFrame#renewalBanner[severity="error"] { background: #fee2e2; border: 1px solid #fca5a5; border-radius: 6px; }'
    'QFrame#renewalBanner[severity="error"] QLabel { color: #991b1b; background: transparent; }'
)


__all__ = ["RenewalPage", "RenewalPages", "date_text", "period_text", "state_text"]


class RenewalService(RenewalOrders, ArchiveService, Protocol):
    """What 续费 asks of the service."""

    def local_status(self) -> LocalStatus: ...

    def ledgers(self, licence_id: int | None = None, *, cancel: CancelToken | None = None) -> LicenceLedgers: ...

    def reauthenticate(self, *, cancel: CancelToken | None = None) -> LocalStatus: ...

    def after_payment(self, *, cancel: CancelToken | None = None) -> LocalStatus: ...


@dataclass(frozen=True)
class RenewalLoad:
    status: LocalStatus
    ledgers: LicenceLedgers | None  # cloud edition only: the ledgers in use decide the count to renew


@dataclass(frozen=True)
class RenewalPaid:
    status: LocalStatus  # re-authenticated: the new expiry is in the cached document
    order: Order


@dataclass(frozen=True)
class RenewalViewState:
    """What the user chose and where they are, carried over when the window is rebuilt (a language switch)."""

    months: int
    ledger_count: int
    step: str  # form | payment | done
    quote: RenewalQuote | None
    shortfall: LedgerShortfall | None
    order: Order | None
    paid: RenewalPaid | None
    payment_ends: datetime | None  # the payment countdown's end, so a rebuild does not restart it


def field_card(rows: list[tuple[str, QLabel]], *, value_style: str | None = "fieldValue") -> tuple[QFrame, QFormLayout]:
    """A card of name → value rows (names styled ``fieldName``, values ``value_style`` unless None)."""
    card = QFrame()
    card.setObjectName("card")
    form = QFormLayout(card)
    form.setContentsMargins(16, 12, 16, 12)
    for name, value in rows:
        if value_style is not None:
            value.setObjectName(value_style)
        label = QLabel(name)
        label.setObjectName("fieldName")
        form.addRow(label, value)
    return card, form


def state_text(code: str) -> str:
    info = state_info(code)
    return f"{state_label(info)} ({isolate(info.code.value)})"


class RenewalPage(QWidget):
    """One licence's renewal. ``licence_changed`` carries the fresh LocalStatus after archiving or payment."""

    licence_changed = Signal(LocalStatus)
    renewed = Signal(LocalStatus)  # a renewal was paid and applied (also announced as licence_changed)

    def __init__(self, service: RenewalService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.ops: list[Op] = []
        self.status: LocalStatus | None = None  # of the last load
        self.licence_id: int | None = None
        self.edition = ""
        self.expires_at: datetime | None = None
        self.ledgers: list[LedgerInUse] = []
        self.quote: RenewalQuote | None = None
        self.shortfall: LedgerShortfall | None = None  # the server refused the count: LEDGER_COUNT_BELOW_IN_USE
        self.order: Order | None = None
        self.renewed_order: Order | None = None
        self.renewed_result: RenewalPaid | None = None
        self._quote_op: Op | None = None
        self._archive_after_load = False
        self._quote_timer = QTimer(self)
        self._quote_timer.setSingleShot(True)
        self._quote_timer.setInterval(QUOTE_DELAY_MS)
        self._quote_timer.timeout.connect(self.request_quote)

        title = QLabel(tr("Renew subscription"))
        title.setObjectName("pageTitle")
        self.steps = QStackedWidget()
        self.form_page = self._build_form()
        self.payment_page = QWidget()
        pay_box = QVBoxLayout(self.payment_page)
        pay_box.setContentsMargins(0, 0, 0, 0)
        self.pay_summary = QLabel()
        self.pay_summary.setObjectName("sectionTitle")
        self.pay_summary.setWordWrap(True)
        self.payment_view = PaymentView(service)
        self.payment_view.paid.connect(self.on_payment_paid)
        self.payment_view.expired.connect(self.on_payment_expired)
        self.payment_view.cancelled.connect(self.on_payment_cancelled)
        pay_box.addWidget(self.pay_summary)
        pay_box.addWidget(self.payment_view, 1)
        self.done_page = self._build_done()
        for page in (self.form_page, self.payment_page, self.done_page):
            self.steps.addWidget(page)

        box = QVBoxLayout(self)
        box.setContentsMargins(24, 20, 24, 20)
        box.setSpacing(12)
        box.addWidget(title)
        box.addWidget(self.steps, 1)

    # -- layout -----------------------------------------------------------------------------------------

    def _build_form(self) -> QWidget:
        page = QWidget()
        # The reminder from 30 days before expiry and after it; a frame so the colour has room around the text.
        self.banner_box = QFrame()
        self.banner_box.setObjectName("renewalBanner")
        self.banner_box.setStyleSheet(BANNER_STYLE)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        banner_row = QHBoxLayout(self.banner_box)
        banner_row.setContentsMargins(12, 8, 12, 8)
        banner_row.addWidget(self.banner)
        self.banner_box.hide()

        self.product_value = QLabel("—")
        self.org_value = QLabel("—")
        self.expiry_value = QLabel("—")
        self.state_value = QLabel("—")
        for value in (self.product_value, self.org_value, self.expiry_value, self.state_value):
            value.setWordWrap(True)
        summary, _form = field_card(
            [
                (tr("Product"), self.product_value),
                (tr("Organisation"), self.org_value),
                (tr("Current expiry"), self.expiry_value),
                (tr("Licence state"), self.state_value),
            ]
        )

        choose = QFrame()
        choose.setObjectName("card")
        choose_form = QFormLayout(choose)
        choose_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        choose_form.setContentsMargins(16, 12, 16, 12)
        self.period = QComboBox()
        for months in renewal.PERIODS:
            self.period.addItem(period_text(months), months)
        self.period.setMinimumWidth(220)
        self.period.currentIndexChanged.connect(lambda _i: self.schedule_quote())
        self.ledger_count = QSpinBox()
        self.ledger_count.setRange(1, 1000)
        self.ledger_count.valueChanged.connect(lambda _v: self.schedule_quote())
        self.ledger_hint = QLabel()
        self.ledger_hint.setObjectName("muted")
        ledger_row = QHBoxLayout()
        ledger_row.addWidget(self.ledger_count)
        ledger_row.addWidget(self.ledger_hint, 1)
        self.ledger_label = QLabel(tr("Ledgers to renew"))
        self.ledger_label.setObjectName("fieldName")
        period_label = QLabel(tr("Renewal period"))
        period_label.setObjectName("fieldName")
        choose_form.addRow(period_label, self.period)
        self.ledger_widget = QWidget()
        self.ledger_widget.setLayout(ledger_row)
        ledger_row.setContentsMargins(0, 0, 0, 0)
        choose_form.addRow(self.ledger_label, self.ledger_widget)

        self.price_value = QLabel("—")
        self.new_expiry_value = QLabel("—")
        quote, quote_form = field_card(
            [(tr("Price"), self.price_value), (tr("New expiry"), self.new_expiry_value)], value_style="sectionTitle"
        )
        self.quote_note = QLabel()
        self.quote_note.setObjectName("muted")
        self.quote_note.setWordWrap(True)
        quote_form.addRow(self.quote_note)

        # The ledger-count rule (云盘版): name the ledgers in use, offer both ways out.
        self.shortfall_box = QFrame()
        self.shortfall_box.setObjectName("card")
        short = QVBoxLayout(self.shortfall_box)
        short.setContentsMargins(16, 12, 16, 12)
        self.shortfall_text = QLabel()
        self.shortfall_text.setObjectName("errorText")
        self.shortfall_text.setWordWrap(True)
        self.shortfall_ledgers = QLabel()
        self.shortfall_ledgers.setWordWrap(True)
        self.archive_button = QPushButton(tr("Archive ledgers…"))
        self.archive_button.clicked.connect(self.open_archive_dialog)
        self.raise_button = QPushButton()
        self.raise_button.clicked.connect(self.on_raise_button_clicked)
        short_buttons = QHBoxLayout()
        short_buttons.addWidget(self.archive_button)
        short_buttons.addWidget(self.raise_button)
        short_buttons.addStretch(1)
        short.addWidget(self.shortfall_text)
        short.addWidget(self.shortfall_ledgers)
        short.addLayout(short_buttons)
        self.shortfall_box.hide()

        self.error_label = QLabel()
        self.error_label.setObjectName("errorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.order_button = QPushButton(tr("Place renewal order"))
        self.order_button.setProperty("primary", True)
        self.order_button.setEnabled(False)
        self.order_button.clicked.connect(self.on_order_button_clicked)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.order_button)

        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        box.addWidget(self.banner_box)
        box.addWidget(summary)
        box.addWidget(choose)
        box.addWidget(quote)
        box.addWidget(self.shortfall_box)
        box.addWidget(self.error_label)
        box.addStretch(1)
        box.addLayout(buttons)
        return page

    def _build_done(self) -> QWidget:
        page = QWidget()
        self.done_title = QLabel()
        self.done_title.setObjectName("sectionTitle")
        self.done_title.setWordWrap(True)
        self.done_expiry = QLabel("—")
        self.done_state = QLabel("—")
        self.done_ledgers = QLabel("—")
        card, _form = field_card(
            [
                (tr("New expiry"), self.done_expiry),
                (tr("Licence state"), self.done_state),
                (tr("Ledgers bought"), self.done_ledgers),
            ]
        )
        self.done_note = QLabel()
        self.done_note.setObjectName("muted")
        self.done_note.setWordWrap(True)
        back = QPushButton(tr("Back to renewal"))
        back.clicked.connect(self.on_back_button_clicked)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(back)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.done_title)
        box.addWidget(card)
        box.addWidget(self.done_note)
        box.addStretch(1)
        box.addLayout(row)
        return page

    # -- loading ----------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.steps.currentWidget() is self.form_page and not self.ops:
            self.load()

    def run(
        self, fn: Callable[[CancelToken], Any], on_success: Callable[[Any], None], *, quiet: bool = False, **kw: Any
    ) -> Op:
        kw.setdefault("on_failure", self.on_op_failed)
        # Quotes refresh quietly: no progress cover on every spin-box click.
        return run_kept(self, self.ops, fn, on_success=on_success, silent=quiet, **kw)

    def load(self, *, then_archive: bool = False) -> Op:
        """This computer's licence (local) and, for the cloud edition, its ledgers in use (server).

        ``then_archive`` opens the archive dialog once the ledgers are known (归档账套 from 系统认证).
        """
        self._archive_after_load = self._archive_after_load or then_archive
        service = self.service

        def work(cancel: CancelToken) -> RenewalLoad:
            status = service.local_status()
            doc = status.document
            ledgers = None
            if doc is not None and doc.edition == "cloud":
                ledgers = service.ledgers(doc.licence_id, cancel=cancel)
            return RenewalLoad(status, ledgers)

        return self.run(work, self.on_loaded, progress_text=tr("Loading the subscription…"))

    def on_loaded(self, result: RenewalLoad) -> None:
        status = result.status
        self.status = status
        doc = status.document
        archive, self._archive_after_load = self._archive_after_load, False
        self.error_label.hide()
        if status.state is not None:
            self.state_value.setText(state_text(status.state.code.value))
        if doc is None:
            self.licence_id = None
            self._show_unavailable(tr("No licence is activated on this computer yet. Activate one first."))
            return
        self.licence_id = doc.licence_id
        self.edition = doc.edition
        self.expires_at = doc.expires_at
        self.product_value.setText(f"{doc.product.name} {doc.product.version}".strip())
        self.org_value.setText(f"{isolate(doc.organisation.name)}  ({isolate(doc.organisation.tax_id)})")
        self._show_expiry(doc.expires_at)
        if doc.perpetual:
            self._show_unavailable(tr("This licence never expires, so there is nothing to renew."))
            return
        cloud = doc.edition == "cloud"
        self.ledger_label.setVisible(cloud)
        self.ledger_widget.setVisible(cloud)
        if cloud and result.ledgers is not None:
            answer = result.ledgers
            self.ledgers = renewal.ledgers_in_use(answer)
            in_use, purchased = answer.in_use, answer.purchased
            self.ledger_hint.setText(tr("In use: {in_use} · bought: {purchased}", in_use=in_use, purchased=purchased))
            if self.quote is None and self.shortfall is None:
                self.ledger_count.blockSignals(True)
                self.ledger_count.setValue(max(1, purchased))  # the count bought: the rule may then ask for more
                self.ledger_count.blockSignals(False)
        self.request_quote()
        if archive and cloud:
            self.open_archive_dialog()

    def _show_expiry(self, expires_at: datetime | None) -> None:
        self.expires_at = expires_at
        self.expiry_value.setText(date_text(expires_at) if expires_at else tr("Never expires"))
        banner = renewal.banner_for(expires_at, datetime.now(UTC))
        if banner is None:
            self.banner_box.hide()
            return
        self.banner.setText(tr(banner.msgid, **banner.fmt))
        self.banner_box.setProperty("severity", banner.severity)
        repolish(self.banner_box)
        repolish(self.banner)
        self.banner_box.show()

    def _show_unavailable(self, text: str) -> None:
        self.order_button.setEnabled(False)
        self.shortfall_box.hide()
        self.price_value.setText("—")
        self.new_expiry_value.setText("—")
        self.error_label.setText(text)
        self.error_label.show()

    # -- the quote --------------------------------------------------------------------------------------

    @property
    def months(self) -> int:
        return int(self.period.currentData() or renewal.DEFAULT_PERIOD)

    @property
    def requested_ledgers(self) -> int | None:
        return self.ledger_count.value() if self.edition == "cloud" else None

    def schedule_quote(self) -> None:
        if self.licence_id is None:
            return
        self.order_button.setEnabled(False)
        # A preview from the local expiry right away; the server's quote replaces it.
        preview = renewal.new_expiry_preview(self.expires_at, datetime.now(UTC), self.months)
        self.new_expiry_value.setText(date_text(preview))
        self.price_value.setText(tr("Calculating…"))
        self._quote_timer.start()

    def request_quote(self) -> None:
        if self.licence_id is None:
            return
        if self._quote_op is not None and self._quote_op.running:
            self._quote_op.cancel()
        months, ledgers, licence_id = self.months, self.requested_ledgers, self.licence_id
        self.order_button.setEnabled(False)
        self.price_value.setText(tr("Calculating…"))
        self._quote_op = self.run(
            lambda cancel: self.service.renewal_quote(months, ledgers, licence_id, cancel=cancel),
            self.on_quote,
            on_failure=self.on_quote_failed,
            quiet=True,
        )

    def on_quote(self, quote: RenewalQuote) -> None:
        self.quote, self.shortfall = quote, None
        self.shortfall_box.hide()
        self.error_label.hide()
        self.price_value.setText(quote.amount.text)
        self.new_expiry_value.setText(date_text(quote.new_expiry))
        if quote.current_expiry is not None:  # the server's expiry wins over the cached document's (it may be older)
            self._show_expiry(quote.current_expiry)
        if quote.state == "EXPIRED":
            self.quote_note.setText(tr("The licence has expired: the new period starts today."))
        else:
            self.quote_note.setText(tr("The new period is added to the current expiry."))
        if quote.priced_per == "ledger":
            self.quote_note.setText(
                self.quote_note.text()
                + " "
                + tr(
                    "Priced per ledger: {requested} ledgers × {unit} per year.",
                    requested=quote.ledgers.requested,
                    unit=quote.unit_price.text,
                )
            )
        self.order_button.setEnabled(True)

    def on_quote_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            return
        self.quote = None
        self.price_value.setText("—")
        if isinstance(exc, ApiError) and exc.code is ErrorCode.LEDGER_COUNT_BELOW_IN_USE:
            self.show_shortfall(exc.details)
            return
        self._show_unavailable(presenter.error_text(exc))

    def show_shortfall(self, details: Mapping[str, Any]) -> None:
        """Never a dead end: archive chosen ledgers, or renew as many ledgers as are in use."""
        shortfall = LedgerShortfall.from_details(details)
        self.shortfall = shortfall
        in_use, requested = shortfall.in_use, shortfall.requested
        if shortfall.ledgers:  # the error names the ledgers; keep voucher counts from the ledgers call where known
            known = {x.id: x for x in self.ledgers}
            self.ledgers = [known.get(x.id, x) for x in shortfall.ledgers]
        need = shortfall.to_archive
        self.shortfall_text.setText(
            tr(
                "{in_use} ledgers are in use, but this renewal covers {requested}. Archive {count} ledger(s) you no "
                "longer use, or renew {in_use} ledgers.",
                in_use=in_use,
                requested=requested,
                count=need,
            )
        )
        self.shortfall_ledgers.setText(tr("Ledgers in use:") + "\n" + "\n".join(f"• {x.label}" for x in self.ledgers))
        self.raise_button.setText(tr("Renew {count} ledgers instead", count=in_use))
        self.new_expiry_value.setText("—")
        self.quote_note.setText("")
        self.shortfall_box.show()
        self.order_button.setEnabled(False)

    def on_raise_button_clicked(self) -> None:
        if self.shortfall is not None:
            self.ledger_count.setValue(self.shortfall.in_use)

    # -- archiving --------------------------------------------------------------------------------------

    def open_archive_dialog(self) -> ArchiveLedgersDialog:
        in_use = len(self.ledgers)
        need = renewal.archive_shortfall(in_use, self.ledger_count.value())
        self.archive_dialog = ArchiveLedgersDialog.ask(
            self,
            self.service,
            self.ledgers,
            needed=need,
            suggested=renewal.suggest_archive(self.ledgers, need),
            on_archived=self.on_ledgers_archived,
        )
        return self.archive_dialog

    def on_ledgers_archived(self, _ids: list[int]) -> None:
        """Fewer ledgers in use: check the licence online (the state may clear) and quote again."""
        self.shortfall = None

        def work(cancel: CancelToken) -> LocalStatus:
            try:
                return self.service.reauthenticate(cancel=cancel)
            except ApiError:
                return self.service.local_status()

        self.run(work, self.on_archived_status, progress_text=tr("Checking the licence online…"))

    def on_archived_status(self, status: LocalStatus) -> None:
        self.licence_changed.emit(status)
        self.load()

    # -- ordering and payment ---------------------------------------------------------------------------

    def on_order_button_clicked(self) -> None:
        if self.licence_id is None or self.quote is None:
            return
        # One's own licence: the invoice goes to its own organisation, the notices to the signed-in account.
        request = RenewalRequest((RenewalItem(self.licence_id, self.months, self.requested_ledgers),))
        self.run(
            lambda cancel: self.service.place_renewal(request, cancel=cancel),
            self.on_order_placed,
            on_failure=self.on_order_failed,
            progress_text=tr("Placing the order…"),
            trigger=self.order_button,
        )

    def on_order_placed(self, order: Order) -> None:
        self.order = order
        line = order.renewal_lines[0] if order.renewal_lines else None
        self.pay_summary.setText(
            tr(
                "Renewal order #{id}: {period}, new expiry {expiry}.",
                id=order.id,
                period=period_text(line.months if line else self.months),
                expiry=date_text(line.new_expiry if line else None),
            )
        )
        self.steps.setCurrentWidget(self.payment_page)
        self.payment_view.start(order)

    def on_order_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ApiError) and exc.code is ErrorCode.LEDGER_COUNT_BELOW_IN_USE:
            self.show_shortfall(exc.details)
            return
        if not isinstance(exc, CancelledError):
            self.error_label.setText(presenter.error_text(exc))
            self.error_label.show()

    def on_payment_cancelled(self) -> None:
        self.steps.setCurrentWidget(self.form_page)
        self.load()

    def on_payment_expired(self, _order: Order) -> None:
        self.error_label.setText(tr("The payment has expired. Nothing was charged and the expiry is unchanged."))
        self.error_label.show()

    def on_payment_paid(self, order: Order) -> None:
        """Paid: re-authenticate by itself, so the new expiry and state show without a restart."""
        order_id = order.id

        def work(cancel: CancelToken) -> RenewalPaid:
            status = self.service.after_payment(cancel=cancel)
            return RenewalPaid(status, self.service.renewal_order(order_id, cancel=cancel))

        self.done_title.setText(tr("Applying the renewal to this computer…"))
        self.steps.setCurrentWidget(self.done_page)
        self.run(work, self.on_renewal_applied, progress_text=tr("Checking the licence online…"), cancellable=False)

    def on_renewal_applied(self, result: RenewalPaid) -> None:
        self._show_renewed(result)
        self.licence_changed.emit(result.status)
        self.renewed.emit(result.status)

    def _show_renewed(self, result: RenewalPaid) -> None:
        status, order = result.status, result.order
        self.renewed_result = result
        self.renewed_order = order
        self.status = status
        doc = status.document
        line = order.renewal_lines[0] if order.renewal_lines else None
        expiry = doc.expires_at if doc is not None else (line.licence_expires_at if line else None)
        self.done_title.setText(tr("Renewal paid: the subscription runs until {date}.", date=date_text(expiry)))
        self.done_expiry.setText(date_text(expiry))
        self.done_state.setText(state_text(status.state.code.value) if status.state is not None else "—")
        self.done_ledgers.setText(str(doc.ledgers.purchased) if doc is not None and doc.edition == "cloud" else "—")
        self.done_note.setText(tr("The licence was checked online again: no restart is needed."))
        self._show_expiry(expiry)
        self.quote = None

    def on_back_button_clicked(self) -> None:
        self.steps.setCurrentWidget(self.form_page)
        self.load()

    def on_op_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            return
        log.info("renewal call failed: %s", type(exc).__name__)
        self.error_label.setText(presenter.error_text(exc))
        self.error_label.show()

    def stop(self) -> None:
        self.payment_view.stop()
        for op in list(self.ops):
            op.cancel()

    # -- rebuilt in another language ------------------------------------------------------------------

    def view_state(self) -> RenewalViewState:
        step = {self.payment_page: "payment", self.done_page: "done"}.get(self.steps.currentWidget(), "form")
        return RenewalViewState(
            months=self.months,
            ledger_count=self.ledger_count.value(),
            step=step,
            quote=self.quote,
            shortfall=self.shortfall,
            order=self.order,
            paid=self.renewed_result,
            payment_ends=getattr(self.payment_view, "_expires_local", None),
        )

    def restore_view_state(self, state: RenewalViewState) -> None:
        """Take over a page built in the previous language: the choices, the step, a payment still open.

        Called before the page is shown; showing the form then loads and quotes with the restored choices."""
        for widget in (self.period, self.ledger_count):
            widget.blockSignals(True)
        try:
            self.period.setCurrentIndex(max(0, self.period.findData(state.months)))
            self.ledger_count.setValue(state.ledger_count)
        finally:
            for widget in (self.period, self.ledger_count):
                widget.blockSignals(False)
        self.quote, self.shortfall, self.order = state.quote, state.shortfall, state.order
        if state.step == "form" and state.quote is not None:
            self.on_quote(state.quote)  # the last price shows at once; loading the page asks for a fresh one
        if state.step == "payment" and state.order is not None:
            self.on_order_placed(state.order)
            if state.payment_ends is not None:
                self.payment_view._expires_local = state.payment_ends
                self.payment_view.on_tick_timeout()
        elif state.step == "done" and state.paid is not None:
            self._show_renewed(state.paid)
            self.steps.setCurrentWidget(self.done_page)


class RenewalPages(QObject):
    """Puts 续费 (and 批量续费 for a service accountant) into the main window and routes its actions."""

    def __init__(self, window: Any) -> None:
        self.renewal_page = RenewalPage(window.service)
        super().__init__(self.renewal_page)  # goes away with the page when the window rebuilds (language switch)
        self.window = window
        self.bulk_page = BulkRenewalPage(window.service)

    @classmethod
    def install(cls, window: Any) -> RenewalPages:
        pages = cls(window)
        window.add_page("renewal", lambda: tr("Renewal"), pages.renewal_page)
        window.add_page("bulk_renewal", lambda: tr("Bulk renewal"), pages.bulk_page)
        pages.renewal_page.licence_changed.connect(window.on_reauthenticate_succeeded)
        pages.renewal_page.renewed.connect(lambda _status: window.payment_applied.emit())
        window.status_changed.connect(pages.on_status_changed)
        window.installEventFilter(pages)  # closing the window stops payment polling and running calls
        pages.on_status_changed(None)
        return pages

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            self.renewal_page.stop()
            self.bulk_page.stop()
        return False

    def open_renewal(self) -> None:
        self.window.show_page("renewal")

    def open_archive(self) -> None:
        """归档账套 from 系统认证: the renewal page, then the archive dialog once the ledgers are known."""
        self.open_renewal()
        self.renewal_page.load(then_archive=True)

    def on_status_changed(self, _view: object) -> None:
        """批量续费 is listed only for a service-accountant login."""
        account = self.window.service.account
        accountant = account is not None and account.is_service_accountant
        nav = self.window.nav
        for row in range(nav.count()):
            item = nav.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == "bulk_renewal":
                item.setHidden(not accountant)
