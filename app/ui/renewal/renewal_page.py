"""续费: renew this computer's subscription — expiry banner, period and ledger count, the server's quote (price and
new expiry) before ordering, the ledger-count rule with archiving, then the payment view and the new expiry.

``RenewalPages.install(window)`` adds 续费 and, for a service-accountant login, 批量续费 to the main window.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

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

from app.domain import purchase, renewal
from app.domain.renewal import LedgerInUse
from app.domain.states import state_info
from app.i18n import state_label, tr
from app.services.errors import ApiError, CancelledError
from app.ui import presenter
from app.ui.purchase.payment_view import PaymentView
from app.ui.renewal.archive_ledgers_dialog import ArchiveLedgersDialog
from app.ui.runner import Op, keep_while_running, run_op
from app.ui.theme import repolish

log = logging.getLogger(__name__)

QUOTE_DELAY_MS = 250  # a burst of spin-box clicks asks the server once
BANNER_STYLE = (
    'QFrame#renewalBanner[severity="warning"] { background: #fef3c7; border: 1px solid #fcd34d; border-radius: 6px; }'
    'QFrame#renewalBanner[severity="warning"] QLabel { color: #92400e; background: transparent; }'
    'QFrame#renewalBanner[severity="error"] { background: #fee2e2; border: 1px solid #fca5a5; border-radius: 6px; }'
    'QFrame#renewalBanner[severity="error"] QLabel { color: #991b1b; background: transparent; }'
)


def period_text(months: int) -> str:
    return tr("{months} months ({years} year(s))", months=months, years=months // 12)


def date_text(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d") if value is not None else "—"


def state_text(code: str) -> str:
    info = state_info(code)
    return f"{state_label(info)} ({info.code.value})"


class RenewalPage(QWidget):
    """One licence's renewal. ``licence_changed`` carries the fresh LocalStatus after archiving or payment."""

    licence_changed = Signal(object)

    def __init__(self, service: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.ops: list[Op] = []
        self.status: Any = None  # LocalStatus of the last load
        self.licence_id: int | None = None
        self.edition = ""
        self.expires_at: datetime | None = None
        self.ledgers: list[LedgerInUse] = []
        self.quote: dict[str, Any] | None = None
        self.shortfall: dict[str, Any] | None = None  # LEDGER_COUNT_BELOW_IN_USE details
        self.order: dict[str, Any] | None = None
        self.renewed_order: dict[str, Any] | None = None
        self._quote_op: Op | None = None
        self._archive_after_load = False
        self._quiet_host = QWidget()  # quotes refresh quietly: no progress cover on every spin-box click
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

        summary = QFrame()
        summary.setObjectName("card")
        form = QFormLayout(summary)
        form.setContentsMargins(16, 12, 16, 12)
        self.product_value = QLabel("—")
        self.org_value = QLabel("—")
        self.expiry_value = QLabel("—")
        self.state_value = QLabel("—")
        for name, value in (
            (tr("Product"), self.product_value),
            (tr("Organisation"), self.org_value),
            (tr("Current expiry"), self.expiry_value),
            (tr("Licence state"), self.state_value),
        ):
            value.setObjectName("fieldValue")
            value.setWordWrap(True)
            label = QLabel(name)
            label.setObjectName("fieldName")
            form.addRow(label, value)

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

        quote = QFrame()
        quote.setObjectName("card")
        quote_form = QFormLayout(quote)
        quote_form.setContentsMargins(16, 12, 16, 12)
        self.price_value = QLabel("—")
        self.price_value.setObjectName("sectionTitle")
        self.new_expiry_value = QLabel("—")
        self.new_expiry_value.setObjectName("sectionTitle")
        self.quote_note = QLabel()
        self.quote_note.setObjectName("muted")
        self.quote_note.setWordWrap(True)
        for name, value in ((tr("Price"), self.price_value), (tr("New expiry"), self.new_expiry_value)):
            label = QLabel(name)
            label.setObjectName("fieldName")
            quote_form.addRow(label, value)
        quote_form.addRow(self.quote_note)

        # The ledger-count rule (seed 000 云盘版): name the ledgers in use, offer both ways out.
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
        card = QFrame()
        card.setObjectName("card")
        form = QFormLayout(card)
        form.setContentsMargins(16, 12, 16, 12)
        self.done_expiry = QLabel("—")
        self.done_state = QLabel("—")
        self.done_ledgers = QLabel("—")
        for name, value in (
            (tr("New expiry"), self.done_expiry),
            (tr("Licence state"), self.done_state),
            (tr("Ledgers bought"), self.done_ledgers),
        ):
            value.setObjectName("fieldValue")
            label = QLabel(name)
            label.setObjectName("fieldName")
            form.addRow(label, value)
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

    def run(self, fn: Any, on_success: Any, *, quiet: bool = False, **kw: Any) -> Op:
        kw.setdefault("on_failure", self.on_op_failed)
        op = run_op(self._quiet_host if quiet else self, fn, on_success=on_success, **kw)
        keep_while_running(self.ops, op)
        return op

    def load(self, *, then_archive: bool = False) -> Op:
        """This computer's licence (local) and, for the cloud edition, its ledgers in use (server).

        ``then_archive`` opens the archive dialog once the ledgers are known (归档账套 from 系统认证).
        """
        self._archive_after_load = self._archive_after_load or then_archive
        service = self.service

        def work(cancel: Any) -> dict[str, Any]:
            status = service.local_status()
            doc = status.document
            ledgers = None
            if doc is not None and doc.edition == "cloud":
                ledgers = service.ledgers(doc.licence_id, cancel=cancel)
            return {"status": status, "ledgers": ledgers}

        return self.run(work, self.on_loaded, progress_text=tr("Loading the subscription…"))

    def on_loaded(self, result: dict[str, Any]) -> None:
        status = result["status"]
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
        self.org_value.setText(f"{doc.organisation.name}  ({doc.organisation.tax_id})")
        self._show_expiry(doc.expires_at)
        if doc.perpetual:
            self._show_unavailable(tr("This licence never expires, so there is nothing to renew."))
            return
        cloud = doc.edition == "cloud"
        self.ledger_label.setVisible(cloud)
        self.ledger_widget.setVisible(cloud)
        if cloud and result["ledgers"] is not None:
            answer = result["ledgers"]
            self.ledgers = renewal.ledgers_in_use(answer)
            in_use = int(answer.get("in_use", len(self.ledgers)))
            purchased = int(answer.get("purchased", doc.ledgers.purchased))
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

    def on_quote(self, quote: dict[str, Any]) -> None:
        self.quote, self.shortfall = quote, None
        self.shortfall_box.hide()
        self.error_label.hide()
        self.price_value.setText(purchase.money_text(quote.get("amount")))
        new_expiry = renewal.parse_time(quote.get("new_expiry"))
        current = renewal.parse_time(quote.get("current_expiry"))
        self.new_expiry_value.setText(date_text(new_expiry))
        if current is not None:  # the server's expiry wins over the cached document's (it may be older)
            self._show_expiry(current)
        if quote.get("state") == "EXPIRED":
            self.quote_note.setText(tr("The licence has expired: the new period starts today."))
        else:
            self.quote_note.setText(tr("The new period is added to the current expiry."))
        if quote.get("priced_per") == "ledger":
            ledgers = quote.get("ledgers") or {}
            self.quote_note.setText(
                self.quote_note.text()
                + " "
                + tr(
                    "Priced per ledger: {requested} ledgers × {unit} per year.",
                    requested=ledgers.get("requested"),
                    unit=purchase.money_text(quote.get("unit_price")),
                )
            )
        self.order_button.setEnabled(True)

    def on_quote_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            return
        self.quote = None
        self.price_value.setText("—")
        if isinstance(exc, ApiError) and exc.code == "LEDGER_COUNT_BELOW_IN_USE":
            self.show_shortfall(dict(exc.details))
            return
        self._show_unavailable(presenter.error_text(exc))

    def show_shortfall(self, details: dict[str, Any]) -> None:
        """Never a dead end: archive chosen ledgers, or renew as many ledgers as are in use."""
        self.shortfall = details
        in_use, requested = int(details.get("in_use", 0)), int(details.get("requested", 0))
        named = renewal.ledgers_in_use(details.get("ledgers") or [])
        if named:  # the error names the ledgers; keep voucher counts from the ledgers call where known
            known = {x.id: x for x in self.ledgers}
            self.ledgers = [known.get(x.id, x) for x in named]
        need = renewal.archive_shortfall(in_use, requested)
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
            self.ledger_count.setValue(int(self.shortfall.get("in_use", self.ledger_count.value())))

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

        def work(cancel: Any) -> Any:
            try:
                return self.service.reauthenticate(cancel=cancel)
            except ApiError:
                return self.service.local_status()

        self.run(work, self.on_archived_status, progress_text=tr("Checking the licence online…"))

    def on_archived_status(self, status: Any) -> None:
        self.licence_changed.emit(status)
        self.load()

    # -- ordering and payment ---------------------------------------------------------------------------

    def on_order_button_clicked(self) -> None:
        if self.licence_id is None or self.quote is None:
            return
        body = renewal.renewal_body(
            [(self.licence_id, self.months, self.requested_ledgers)],
            renewal.InvoiceRecipient(kind="customer"),
            renewal.NotifyRecipient(kind="self"),
        )
        self.run(
            lambda cancel: self.service.place_renewal(body, cancel=cancel),
            self.on_order_placed,
            on_failure=self.on_order_failed,
            progress_text=tr("Placing the order…"),
            trigger=self.order_button,
        )

    def on_order_placed(self, order: dict[str, Any]) -> None:
        self.order = order
        line = ((order.get("renewal") or {}).get("lines") or [{}])[0]
        self.pay_summary.setText(
            tr(
                "Renewal order #{id}: {period}, new expiry {expiry}.",
                id=order.get("id"),
                period=period_text(int(line.get("months", self.months))),
                expiry=date_text(renewal.parse_time(line.get("new_expiry"))),
            )
        )
        self.steps.setCurrentWidget(self.payment_page)
        self.payment_view.start(order)

    def on_order_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ApiError) and exc.code == "LEDGER_COUNT_BELOW_IN_USE":
            self.show_shortfall(dict(exc.details))
            return
        if not isinstance(exc, CancelledError):
            self.error_label.setText(presenter.error_text(exc))
            self.error_label.show()

    def on_payment_cancelled(self) -> None:
        self.steps.setCurrentWidget(self.form_page)
        self.load()

    def on_payment_expired(self, _order: object) -> None:
        self.error_label.setText(tr("The payment has expired. Nothing was charged and the expiry is unchanged."))
        self.error_label.show()

    def on_payment_paid(self, order: dict[str, Any]) -> None:
        """Paid: re-authenticate by itself, so the new expiry and state show without a restart."""
        order_id = int(order["id"])

        def work(cancel: Any) -> dict[str, Any]:
            status = self.service.after_payment(cancel=cancel)
            return {"status": status, "order": self.service.renewal_order(order_id, cancel=cancel)}

        self.done_title.setText(tr("Applying the renewal to this computer…"))
        self.steps.setCurrentWidget(self.done_page)
        self.run(work, self.on_renewal_applied, progress_text=tr("Checking the licence online…"), cancellable=False)

    def on_renewal_applied(self, result: dict[str, Any]) -> None:
        status, order = result["status"], result["order"]
        self.renewed_order = order
        self.status = status
        doc = status.document
        line = ((order.get("renewal") or {}).get("lines") or [{}])[0]
        expiry = doc.expires_at if doc is not None else renewal.parse_time(line.get("licence_expires_at"))
        self.done_title.setText(tr("Renewal paid: the subscription runs until {date}.", date=date_text(expiry)))
        self.done_expiry.setText(date_text(expiry))
        self.done_state.setText(state_text(status.state.code.value) if status.state is not None else "—")
        self.done_ledgers.setText(str(doc.ledgers.purchased) if doc is not None and doc.edition == "cloud" else "—")
        self.done_note.setText(tr("The licence was checked online again: no restart is needed."))
        self._show_expiry(expiry)
        self.quote = None
        self.licence_changed.emit(status)

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


class RenewalPages(QObject):
    """Puts 续费 (and 批量续费 for a service accountant) into the main window and routes its actions."""

    def __init__(self, window: Any) -> None:
        from app.ui.renewal.bulk_renewal_page import BulkRenewalPage

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
        """批量续费 is listed only for a service-accountant login (seed 003)."""
        account = getattr(self.window.service, "account", None) or {}
        accountant = account.get("role") == "service_accountant"
        nav = self.window.nav
        for row in range(nav.count()):
            item = nav.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == "bulk_renewal":
                item.setHidden(not accountant)
