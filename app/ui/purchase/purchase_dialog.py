"""立即购买: modules and voucher packs for exactly one ledger and fiscal year, confirmed, paid, applied without restart.

Buying in the wrong 账套 or 会计年度 is the most common refund reason, so the target is shown large at the top and
ticked again at the confirm step. Opened from 系统认证 the dialog asks for the ledger and the fiscal year first and
chooses nothing itself; opened for a host program's ledger-year it is bound to it, and moving away takes a
confirmation that shows both (app/domain/purchase_scope.py).
"""

from __future__ import annotations

import logging
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import i18n
from app.domain import purchase, purchase_blocked, purchase_scope
from app.domain.formatting import native_digits
from app.domain.ledgers import LicenceLedgers
from app.domain.orders import Order, OrderItem
from app.domain.purchase import BuyVerdict, Catalogue, ItemRow, LedgerYear, Selection
from app.domain.purchase_blocked import BlockedScreen
from app.domain.purchase_scope import PurchaseScope
from app.domain.states import Action, PurchasePolicy, StateCode, state_info
from app.i18n import state_label, tr
from app.services.errors import CancelledError, ServiceError
from app.services.http import CancelToken
from app.services.local_status import LocalStatus
from app.ui import presenter
from app.ui.purchase.blocked_view import BlockedView
from app.ui.purchase.payment_view import OrderSource, PaymentView
from app.ui.purchase.scope_change import ScopeChangeDialog, align_with_layout, notice_text, target_text
from app.ui.runner import Op, run_kept
from app.ui.theme import repolish

log = logging.getLogger(__name__)

OPENED = "Opened"  # 已开通
NOT_OPENED = "Module not opened"  # -功能模块未开通 in Chinese (the vendor's exact wording, hyphen included)
MAX_PACKS = 20
COL_NAME, COL_STATE, COL_PRICE, COL_BUY = range(4)

# Why buying is limited, per purchase policy of the state catalogue (docs/PROTOCOL.md "States", "can buy").
_POLICY_REASONS = {
    PurchasePolicy.BLOCKED: "Nothing can be bought while the licence is in this state, so nothing is paid for by "
    "mistake.",
    PurchasePolicy.RENEWAL_ONLY: "Only a renewal can be bought until the licence is renewed.",
    PurchasePolicy.LEDGERS_ONLY: "Only more ledgers or a renewal can be bought until this is fixed.",
    PurchasePolicy.ALLOWED: "",
}


class PurchaseService(OrderSource, Protocol):
    """What 立即购买 asks of the service."""

    def local_status(self) -> LocalStatus: ...

    def ledgers(self, licence_id: int | None = None, *, cancel: CancelToken | None = None) -> LicenceLedgers: ...

    def catalogue(
        self, ledger_id: int, fiscal_year: int, licence_id: int | None = None, *, cancel: CancelToken | None = None
    ) -> Catalogue: ...

    def create_order(
        self, items: Sequence[OrderItem], licence_id: int | None = None, *, cancel: CancelToken | None = None
    ) -> Order: ...

    def after_payment(self, *, cancel: CancelToken | None = None) -> LocalStatus: ...

    def orders(self, *, cancel: CancelToken | None = None) -> tuple[Order, ...]: ...

    def now(self) -> datetime: ...


@dataclass(frozen=True)
class PurchaseLoad:
    """What the dialog opens with: this computer's state and, with a licence, the ledger-years and a catalogue."""

    state: str
    details: Mapping[str, Any] = field(default_factory=dict)
    scope: PurchaseScope = field(default_factory=PurchaseScope)
    ledgers_loaded: bool = False  # the server answered with the ledgers (there is a licence to ask about)
    catalogue: Catalogue | None = None
    error: ServiceError | None = None


@dataclass(frozen=True)
class PaidResult:
    """After a payment: the re-authenticated status and the target's catalogue as it is now."""

    status: LocalStatus
    catalogue: Catalogue | None


def _explanation(msgid: str, details: Mapping[str, Any]) -> str:
    """The state's explanation, or nothing when its placeholders cannot be filled (a server-only verdict)."""
    fields = {name for _text, name, _spec, _conv in string.Formatter().parse(msgid) if name}
    return tr(msgid, **details) if fields <= set(details) else ""


class LedgerYearPicker(QDialog):
    """The only way to change the target: a plain list of every ledger × fiscal year."""

    def __init__(self, parent: QWidget, choices: list[LedgerYear], current: LedgerYear | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Choose the ledger and fiscal year"))
        self.choices = choices
        hint = QLabel(tr("The purchase applies only to the ledger and fiscal year chosen here."))
        hint.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("ledgerYearList")
        self.list.setSpacing(3)
        for index, choice in enumerate(choices):
            item = QListWidgetItem(f"{target_text(choice)}    {choice.name}")
            item.setData(Qt.ItemDataRole.UserRole, index)
            self.list.addItem(item)
            if choice == current:
                self.list.setCurrentRow(index)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Use this ledger and year"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(hint)
        box.addWidget(self.list, 1)
        box.addWidget(self.buttons)
        self.resize(480, 360)

    @property
    def chosen(self) -> LedgerYear | None:
        row = self.list.currentRow()
        return self.choices[row] if 0 <= row < len(self.choices) else None

    @classmethod
    def ask(
        cls,
        parent: QWidget,
        choices: list[LedgerYear],
        current: LedgerYear | None,
        on_chosen: Callable[[LedgerYear], None],
    ) -> LedgerYearPicker:
        picker = cls(parent, choices, current)
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        picker.accepted.connect(lambda: on_chosen(picker.chosen) if picker.chosen is not None else None)
        picker.open()
        return picker


class PurchaseDialog(QDialog):
    """Choose → confirm → pay → done. ``paid`` carries the re-authenticated status (for the main window).

    ``ledger_id`` and ``fiscal_year`` (both or neither) bind the purchase to a host program's ledger-year.
    """

    paid = Signal(LocalStatus)

    def __init__(
        self,
        parent: QWidget,
        service: PurchaseService,
        *,
        ledger_id: int | None = None,
        fiscal_year: int | None = None,
        on_manage_machines: Callable[[], None] | None = None,
        on_action: Callable[[str], None] | None = None,
        on_refund: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.ops: list[Op] = []
        self.on_manage_machines = on_manage_machines
        # Nothing can be bought: the state's action and the refund path are the panel's (the dialog closes first).
        self.on_action = on_action
        self.on_refund = on_refund
        self.handed_over: str | None = None  # what the dialog closed for (an action, "REFUND"); None otherwise
        self.blocked: BlockedScreen | None = None
        self.orders_checked = False
        self.requested = (ledger_id, fiscal_year) if ledger_id is not None and fiscal_year is not None else None
        self.local_state: str | None = None
        self.local_details: Mapping[str, Any] = {}
        self.scope = purchase_scope.before_loading(self.requested)
        self.ledgers_loaded = False
        self.scope_changeable = True  # False while an order for the target is placed or paid
        self.scope_box: ScopeChangeDialog | None = None  # the last confirmation asked to leave the bound ledger-year
        self.catalogue: Catalogue | None = None
        self.paid_catalogue: Catalogue | None = None
        self.rows: list[ItemRow] = []
        self.verdict = BuyVerdict(frozenset(), StateCode.NOT_ACTIVATED.value, "none")
        self.buy_controls: dict[str, QCheckBox | QSpinBox] = {}
        self.order: Order | None = None
        self.setWindowTitle(tr("Buy now"))
        self.setMinimumSize(720, 620)
        self._build()
        self._show_scope()

    @property
    def target(self) -> LedgerYear | None:
        """The ledger-year the purchase is for now; None until chosen."""
        return self.scope.target

    @property
    def choices(self) -> list[LedgerYear]:
        return list(self.scope.choices)

    @classmethod
    def open_for(
        cls,
        parent: QWidget,
        service: PurchaseService,
        *,
        ledger_id: int | None = None,
        fiscal_year: int | None = None,
        on_paid: Callable[[LocalStatus], None] | None = None,
        on_manage_machines: Callable[[], None] | None = None,
        on_action: Callable[[str], None] | None = None,
        on_refund: Callable[[int], None] | None = None,
        after: Op | None = None,
    ) -> PurchaseDialog:
        """Open (non-modal loop: ``open()``) and start loading; ``on_paid`` gets the re-authenticated status.

        ``after``: a call still running whose end the loading waits for (the panel's start-up, which resumes the
        session the server calls need)."""
        dialog = cls(
            parent,
            service,
            ledger_id=ledger_id,
            fiscal_year=fiscal_year,
            on_manage_machines=on_manage_machines,
            on_action=on_action,
            on_refund=on_refund,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if on_paid is not None:
            dialog.paid.connect(on_paid)
        dialog.open()
        if after is not None and after.running:
            after.finished.connect(dialog.load)
        else:
            dialog.load()
        return dialog

    # -- layout -------------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.header = header = QFrame()
        header.setObjectName("card")
        for_label = QLabel(tr("This purchase is for"))
        for_label.setObjectName("muted")
        self.target_label = QLabel(target_text(None))
        self.target_label.setObjectName("purchaseTarget")
        self.target_label.setWordWrap(True)
        self.target_name = align_with_layout(QLabel())
        self.target_name.setObjectName("muted")
        # Bound to a host's ledger-year: where it comes from, or that the user moved away from it.
        self.scope_note = QLabel()
        self.scope_note.setWordWrap(True)
        self.scope_note.hide()
        # The host asked for a ledger this licence cannot buy for: said here, where the choice is made.
        self.scope_problem = QLabel()
        self.scope_problem.setObjectName("errorText")
        self.scope_problem.setWordWrap(True)
        self.scope_problem.hide()
        self.change_button = QPushButton(tr("Change…"))
        self.change_button.setEnabled(False)
        self.change_button.clicked.connect(self.on_change_button_clicked)
        head_text = QVBoxLayout()
        head_text.setSpacing(2)
        head_text.addWidget(for_label)
        head_text.addWidget(self.target_label)
        head_text.addWidget(self.target_name)
        head_text.addWidget(self.scope_note)
        head_text.addWidget(self.scope_problem)
        head_text.addWidget(self._build_chooser())
        head = QHBoxLayout(header)
        head.setContentsMargins(18, 12, 18, 12)
        head.addLayout(head_text, 1)
        head.addWidget(self.change_button, 0, Qt.AlignmentFlag.AlignVCenter)

        self.pages = QStackedWidget()
        self.choose_page = self._build_choose_page()
        self.confirm_page = self._build_confirm_page()
        self.payment_view = PaymentView(self.service)
        self.payment_view.paid.connect(self.on_payment_paid)
        self.payment_view.expired.connect(self.on_payment_expired)
        self.payment_view.cancelled.connect(self.on_payment_cancelled)
        self.done_page = self._build_done_page()
        self.blocked_view = BlockedView()  # instead of the header and the list when nothing can be bought
        self.blocked_view.action_requested.connect(self.on_blocked_action_requested)
        self.blocked_view.refund_requested.connect(self.on_refund_requested)
        self.blocked_view.close_requested.connect(self.reject)
        for page in (self.choose_page, self.confirm_page, self.payment_view, self.done_page, self.blocked_view):
            self.pages.addWidget(page)

        box = QVBoxLayout(self)
        box.setContentsMargins(16, 16, 16, 16)
        box.setSpacing(12)
        box.addWidget(header)
        box.addWidget(self.pages, 1)

    def _build_chooser(self) -> QWidget:
        """Opened without a ledger-year: the ledger, then the fiscal year, both chosen by the user."""
        self.chooser = QWidget()
        self.ledger_combo = QComboBox()
        self.ledger_combo.setObjectName("ledgerCombo")
        self.ledger_combo.setPlaceholderText(tr("Choose a ledger"))
        self.ledger_combo.setMinimumWidth(220)
        self.ledger_combo.currentIndexChanged.connect(self.on_ledger_combo_changed)
        self.year_combo = QComboBox()
        self.year_combo.setObjectName("yearCombo")
        self.year_combo.setPlaceholderText(tr("Choose a fiscal year"))
        self.year_combo.setMinimumWidth(150)
        self.year_combo.currentIndexChanged.connect(self.on_year_combo_changed)
        ledger_label = QLabel(tr("Ledger"))
        ledger_label.setBuddy(self.ledger_combo)
        year_label = QLabel(tr("Fiscal year"))
        year_label.setBuddy(self.year_combo)
        row = QHBoxLayout(self.chooser)
        row.setContentsMargins(0, 8, 0, 0)
        row.addWidget(ledger_label)
        row.addWidget(self.ledger_combo, 2)
        row.addSpacing(12)
        row.addWidget(year_label)
        row.addWidget(self.year_combo, 1)
        self.chooser.hide()
        return self.chooser

    def _build_choose_page(self) -> QWidget:
        page = QWidget()
        self.banner = QFrame()
        self.banner.setObjectName("card")
        self.banner.setStyleSheet("#card { background: #fef2f2; border-color: #fca5a5; }")
        self.banner_state = QLabel()
        self.banner_state.setObjectName("sectionTitle")
        self.banner_state.setWordWrap(True)
        self.banner_why = QLabel()
        self.banner_why.setObjectName("explanation")
        self.banner_why.setWordWrap(True)
        self.banner_todo = QLabel()
        self.banner_todo.setObjectName("nextStep")
        self.banner_todo.setWordWrap(True)
        banner_box = QVBoxLayout(self.banner)
        banner_box.setContentsMargins(14, 10, 14, 10)
        banner_box.addWidget(self.banner_state)
        banner_box.addWidget(self.banner_why)
        banner_box.addWidget(self.banner_todo)
        self.banner.hide()

        self.voucher_label = QLabel()
        self.voucher_bar = QProgressBar()
        self.voucher_bar.setRange(0, 1000)
        self.voucher_bar.setTextVisible(False)
        self.voucher_bar.setFixedHeight(8)
        vouchers = QHBoxLayout()
        vouchers.addWidget(self.voucher_label)
        vouchers.addWidget(self.voucher_bar, 1)

        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([tr("Item"), tr("Status"), tr("Price"), tr("Buy")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        for col in (COL_STATE, COL_PRICE, COL_BUY):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)

        # In place of the table until the ledger and year are chosen: nothing is listed for a guessed ledger-year.
        self.scope_hint = QLabel(
            tr(
                "Modules, vouchers and prices are shown once the ledger and fiscal year are chosen, for exactly that "
                "ledger and fiscal year. What you buy cannot be moved to another one later."
            )
        )
        self.scope_hint.setObjectName("muted")
        self.scope_hint.setStyleSheet("font-size: 11pt; padding: 24px 48px;")
        self.scope_hint.setWordWrap(True)
        self.scope_hint.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scope_hint.hide()

        self.error_label = QLabel()
        self.error_label.setObjectName("errorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.total_label = QLabel()
        self.total_label.setObjectName("sectionTitle")
        self.close_button = QPushButton(tr("Close"))
        self.close_button.clicked.connect(self.reject)
        self.buy_button = QPushButton(tr("Buy now…"))
        self.buy_button.setProperty("primary", True)
        self.buy_button.setEnabled(False)
        self.buy_button.clicked.connect(self.on_buy_button_clicked)
        bottom = QHBoxLayout()
        bottom.addWidget(self.total_label)
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        bottom.addWidget(self.buy_button)

        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.banner)
        box.addLayout(vouchers)
        box.addWidget(self.table, 1)
        box.addWidget(self.scope_hint, 1)
        box.addWidget(self.error_label)
        box.addLayout(bottom)
        self._update_total()
        return page

    def _build_confirm_page(self) -> QWidget:
        page = QWidget()
        title = QLabel(tr("Confirm the purchase"))
        title.setObjectName("sectionTitle")
        self.confirm_target = QLabel()
        self.confirm_target.setWordWrap(True)
        self.confirm_target.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.confirm_items = QLabel()
        self.confirm_items.setWordWrap(True)
        self.confirm_items.setTextFormat(Qt.TextFormat.PlainText)
        self.confirm_total = QLabel()
        self.confirm_total.setObjectName("sectionTitle")
        self.pay_button = QPushButton(tr("Confirm and pay"))
        self.confirm_tick = QCheckBox()
        self.confirm_tick.toggled.connect(self.pay_button.setEnabled)
        tick_text = QLabel()
        tick_text.setWordWrap(True)
        self.confirm_tick_text = tick_text
        tick_row = QHBoxLayout()
        tick_row.addWidget(self.confirm_tick, 0, Qt.AlignmentFlag.AlignTop)
        tick_row.addWidget(tick_text, 1)
        self.confirm_error = QLabel()
        self.confirm_error.setObjectName("errorText")
        self.confirm_error.setWordWrap(True)
        self.confirm_error.hide()
        back = QPushButton(tr("Back"))
        back.clicked.connect(self.on_back_button_clicked)
        self.back_button = back
        self.pay_button.setProperty("primary", True)
        self.pay_button.setEnabled(False)
        self.pay_button.clicked.connect(self.on_pay_button_clicked)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(back)
        buttons.addWidget(self.pay_button)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        box.addWidget(title)
        box.addWidget(self.confirm_target)
        box.addWidget(self.confirm_items)
        box.addWidget(self.confirm_total)
        box.addLayout(tick_row)
        box.addWidget(self.confirm_error)
        box.addStretch(1)
        box.addLayout(buttons)
        return page

    def _build_done_page(self) -> QWidget:
        page = QWidget()
        title = QLabel(tr("Payment received"))
        title.setObjectName("sectionTitle")
        title.setStyleSheet("color: #15803d; font-size: 14pt;")
        self.done_text = QLabel()
        self.done_text.setWordWrap(True)
        self.done_opened = QLabel()
        self.done_opened.setWordWrap(True)
        self.done_opened.setTextFormat(Qt.TextFormat.PlainText)
        self.done_opened.setStyleSheet("font-size: 11pt;")
        more = QPushButton(tr("Back to the list"))
        more.clicked.connect(self.on_more_button_clicked)
        self.more_button = more
        close = QPushButton(tr("Close"))
        close.setProperty("primary", True)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(more)
        buttons.addWidget(close)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(title)
        box.addWidget(self.done_text)
        box.addWidget(self.done_opened)
        box.addStretch(1)
        box.addLayout(buttons)
        return page

    # -- loading ------------------------------------------------------------------------------------------

    def run(self, fn: Callable[[CancelToken], Any], on_success: Callable[[Any], None], **kw: Any) -> Op:
        kw.setdefault("on_failure", self.on_op_failed)
        return run_kept(self, self.ops, fn, on_success=on_success, **kw)

    def load(self) -> Op:
        """Worker: this computer's state, then (with a licence) the ledgers and, once known, the target's catalogue."""
        requested = self.requested

        def work(cancel: CancelToken) -> PurchaseLoad:
            status = self.service.local_status()
            state = status.state.code.value if status.state is not None else StateCode.UNKNOWN_BLOCKED.value
            loaded = PurchaseLoad(state, dict(status.details), purchase_scope.before_loading(requested))
            if status.document is None:
                return loaded  # no licence to ask the server about (未登录, 未激活, 非法复制品…)
            try:
                loaded = replace(
                    loaded,
                    scope=purchase_scope.resolve(self.service.ledgers(cancel=cancel), requested),
                    ledgers_loaded=True,
                )
                target = loaded.scope.target  # only a host's ledger-year: nothing is chosen for the user
                if target is not None:
                    loaded = replace(
                        loaded, catalogue=self.service.catalogue(target.ledger_id, target.fiscal_year, cancel=cancel)
                    )
            except CancelledError:
                raise
            except ServiceError as exc:
                return replace(loaded, error=exc)
            return loaded

        return self.run(work, self.on_loaded, progress_text=tr("Loading what can be bought…"))

    def on_loaded(self, loaded: PurchaseLoad) -> None:
        self.local_state = loaded.state
        self.local_details = loaded.details
        self.scope = loaded.scope
        self.ledgers_loaded = loaded.ledgers_loaded
        self._show_scope()
        error = loaded.error
        self._show_error(presenter.error_text(error) if error is not None else None)
        no_ledgers = loaded.ledgers_loaded and not self.scope.choices
        if no_ledgers and self.local_state and state_info(self.local_state).can_purchase:
            self._show_error(tr("This organisation has no ledger yet. Create a ledger in the accounting software."))
        self.show_catalogue(loaded.catalogue)

    def load_catalogue(self, target: LedgerYear) -> Op:
        self.scope = self.scope.with_target(target)
        self._show_scope()
        self.show_catalogue(None)
        return self.run(
            lambda cancel: self.service.catalogue(target.ledger_id, target.fiscal_year, cancel=cancel),
            self.show_catalogue,
            progress_text=tr("Loading what can be bought…"),
        )

    def on_op_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            return
        if not isinstance(exc, ServiceError):
            log.error("purchase step failed", exc_info=exc)
        if self.pages.currentWidget() is self.confirm_page:
            self.confirm_error.setText(presenter.error_text(exc))
            self.confirm_error.show()
        elif self.pages.currentWidget() is self.done_page:
            self.done_text.setText(
                tr(
                    "The payment was received, but the licence could not be checked online yet: {error}",
                    error=presenter.error_text(exc),
                )
            )
        else:
            self._show_error(presenter.error_text(exc))

    # -- the catalogue ------------------------------------------------------------------------------------

    @property
    def choosing(self) -> bool:
        """Opened without a ledger-year and with ledgers to choose from: the ledger and year combos are shown."""
        return not self.scope.is_bound and self.ledgers_loaded and bool(self.scope.choices)

    def _show_scope(self) -> None:
        """The header: the target large (or the request to choose one), its origin, and the way to change it."""
        scope, target = self.scope, self.scope.target
        if target is None and self.choosing:
            self.target_label.setText(tr("Choose the ledger and fiscal year first"))
            self.target_label.setStyleSheet("font-size: 16pt; font-weight: 700; color: #b45309;")
        else:
            self.target_label.setText(target_text(target))
            self.target_label.setStyleSheet("font-size: 18pt; font-weight: 700; color: #1d4ed8;")
        self.target_name.setText(target.name if target else "")
        self.target_name.setVisible(bool(target and target.name))
        note = scope.note()
        self.scope_note.setText(notice_text(note) if note is not None else "")
        self.scope_note.setStyleSheet(
            "color: #b45309; font-weight: 600;" if scope.away_from_bound else "color: #15803d; font-weight: 600;"
        )
        self.scope_note.setVisible(note is not None)
        self.scope_problem.setText(notice_text(scope.problem) if scope.problem is not None else "")
        self.scope_problem.setVisible(scope.problem is not None)
        self.chooser.setVisible(self.choosing)
        self.change_button.setVisible(not self.choosing)
        self._fill_chooser()
        self._enable_scope_controls()
        waiting = self.choosing and target is None
        self.table.setVisible(not waiting)
        self.scope_hint.setVisible(waiting)

    def _fill_chooser(self) -> None:
        """The combos show the target (or nothing): filling them never chooses for the user."""
        target = self.scope.target
        ledger_id = target.ledger_id if target is not None else self.ledger_combo.currentData()
        for combo in (self.ledger_combo, self.year_combo):
            combo.blockSignals(True)
        try:
            self.ledger_combo.clear()
            for ledger in self.scope.ledgers():
                self.ledger_combo.addItem(ledger.label, ledger.ledger_id)
            self.ledger_combo.setCurrentIndex(self.ledger_combo.findData(ledger_id) if ledger_id is not None else -1)
            self._fill_years(target.fiscal_year if target is not None else None)
        finally:
            for combo in (self.ledger_combo, self.year_combo):
                combo.blockSignals(False)

    def _fill_years(self, year: int | None) -> None:
        self.year_combo.clear()
        for fiscal_year in self.scope.years_of(self.ledger_combo.currentData()):
            self.year_combo.addItem(tr("Fiscal year {year}", year=fiscal_year), fiscal_year)
        self.year_combo.setCurrentIndex(self.year_combo.findData(year) if year is not None else -1)

    def _enable_scope_controls(self) -> None:
        changeable = self.scope_changeable and bool(self.scope.choices)
        self.change_button.setEnabled(changeable and len(self.scope.choices) > 1)
        self.ledger_combo.setEnabled(changeable)
        self.year_combo.setEnabled(changeable and self.ledger_combo.currentIndex() >= 0)

    def _set_scope_changeable(self, changeable: bool) -> None:
        self.scope_changeable = changeable
        self._enable_scope_controls()

    def show_catalogue(self, catalogue: Catalogue | None) -> None:
        self.catalogue = catalogue
        self.rows = purchase.item_rows(catalogue)
        self.verdict = purchase.buy_verdict(self.local_state, catalogue.purchase if catalogue else None)
        self._show_banner()
        self._show_blocked()
        used, quota = (catalogue.vouchers.used, catalogue.vouchers.quota) if catalogue else (0, 0)
        self.voucher_label.setText(
            tr("Vouchers used in this ledger-year: {used} / {quota}", used=used, quota=quota) if catalogue else ""
        )
        self.voucher_bar.setValue(int(purchase.voucher_fraction(used, quota) * 1000))
        self.voucher_bar.setVisible(catalogue is not None)
        self._fill_table()
        self._update_total()

    def _fill_table(self) -> None:
        language = i18n.current_language()
        self.buy_controls = {}
        self.table.setRowCount(len(self.rows))
        for index, row in enumerate(self.rows):
            name = row.name(language)
            if row.kind == "vouchers" and row.pack_size:
                name += "  " + tr("(adds {count} vouchers to this ledger-year)", count=row.pack_size)
            name_item = QTableWidgetItem(name)
            name_item.setToolTip(name)  # the pack's note elides in the longer languages: in full on hover
            self.table.setItem(index, COL_NAME, name_item)
            state = QTableWidgetItem(self.state_text(row))
            if row.is_module:
                state.setForeground(Qt.GlobalColor.darkGreen if row.opened else Qt.GlobalColor.darkRed)
            self.table.setItem(index, COL_STATE, state)
            price = QTableWidgetItem(purchase.format_money(row.price_minor, row.currency))
            price.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(index, COL_PRICE, price)
            control: QCheckBox | QSpinBox
            if row.is_module:
                control = QCheckBox(tr("Buy"))
                control.toggled.connect(self._update_total)
            else:
                control = QSpinBox()
                control.setRange(0, MAX_PACKS)
                control.setMinimumWidth(72)  # room for two digits beside the styled arrows
                control.valueChanged.connect(self._update_total)
            control.setEnabled(purchase.row_buyable(row, self.verdict))
            self.buy_controls[row.sku] = control
            cell = QWidget()
            cell_box = QHBoxLayout(cell)
            cell_box.setContentsMargins(6, 0, 6, 0)
            cell_box.addWidget(control)
            self.table.setCellWidget(index, COL_BUY, cell)
        self.table.resizeRowsToContents()

    @staticmethod
    def state_text(row: ItemRow) -> str:
        if row.is_module:
            return tr(OPENED) if row.opened else tr(NOT_OPENED)
        return tr("Can be added")

    def row_state(self, sku: str) -> str:
        """The status text shown for ``sku`` (what a user reads in the 状态 column)."""
        for index, row in enumerate(self.rows):
            if row.sku == sku:
                item = self.table.item(index, COL_STATE)
                return item.text() if item is not None else ""
        return ""

    def _show_banner(self) -> None:
        verdict = self.verdict
        if not verdict.restricted or verdict.decided_by == "none" or self.local_state is None:
            self.banner.hide()
            return
        info = state_info(verdict.state)
        label = state_label(info)
        if i18n.current_language() not in ("zh_CN", "en"):
            shown = label  # the Chinese name beside Vietnamese or Persian words is a leftover, not a help
        else:
            shown = info.label_zh if label == info.label_zh else f"{info.label_zh} · {label}"
        self.banner_state.setText(tr("Licence state: {label}", label=shown))
        details = self.local_details if verdict.decided_by == "local" else {}
        why = [text for text in (_explanation(info.explanation, details), tr(_POLICY_REASONS[info.purchase])) if text]
        if info.purchase is PurchasePolicy.ALLOWED:  # the server restricted a state this computer thinks allowed
            why.append(tr(_POLICY_REASONS[PurchasePolicy.BLOCKED]))
        self.banner_why.setText(("" if i18n.current_language() == "zh_CN" else " ").join(why))
        self.banner_todo.setText(tr("What to do: {step}", step=tr(info.next_step)))
        self.banner.show()
        repolish(self.banner)

    def _show_blocked(self) -> None:
        """Nothing can be bought: the one blocked screen replaces the ledger-year header and the list."""
        screen = purchase_blocked.blocked_screen(self.verdict) if self.local_state is not None else None
        self.blocked = screen
        current = self.pages.currentWidget()
        if screen is None:
            self.header.show()
            if current is self.blocked_view:
                self.pages.setCurrentWidget(self.choose_page)
            return
        if current not in (self.choose_page, self.blocked_view):
            return  # mid-purchase or paid: that step stays; the state shows once the user is back
        details = self.local_details if self.verdict.decided_by == "local" else {}
        self.blocked_view.show_screen(screen, details)
        self.header.hide()
        self.pages.setCurrentWidget(self.blocked_view)
        self._check_refund()

    def _check_refund(self) -> None:
        """Once per dialog: whether a recent payment can still be refunded (only a signed-in account has orders)."""
        if self.orders_checked or self.on_refund is None or not getattr(self.service, "signed_in", True):
            return
        self.orders_checked = True
        licence_id = self.catalogue.licence_id if self.catalogue is not None else None

        def offer(orders: tuple[Order, ...]) -> None:
            self.blocked_view.show_refund(purchase_blocked.refund_offer(orders, self.service.now(), licence_id))

        # Quietly: without the refund path the screen is complete, so a failure only leaves it out.
        self.run(lambda cancel: self.service.orders(cancel=cancel), offer, on_failure=lambda _exc: None, silent=True)

    def selection(self) -> list[Selection]:
        chosen = []
        for sku, control in self.buy_controls.items():
            if not control.isEnabled():
                continue
            quantity = (1 if control.isChecked() else 0) if isinstance(control, QCheckBox) else control.value()
            if quantity > 0:
                chosen.append(Selection(sku, quantity))
        return chosen

    @property
    def currency(self) -> str:
        """The currency the server prices this catalogue in (the organisation's market: CNY, VND, IRR)."""
        return next((row.currency for row in self.rows), "CNY")

    def _update_total(self, *_args: Any) -> None:
        chosen = self.selection()
        total = purchase.order_total(self.rows, chosen)
        self.total_label.setText(tr("Total: {amount}", amount=purchase.format_money(total, self.currency)))
        self.buy_button.setEnabled(bool(chosen) and not self.verdict.blocked and self.target is not None)

    def _show_error(self, text: str | None) -> None:
        self.error_label.setText(text or "")
        self.error_label.setVisible(bool(text))

    # -- buttons ------------------------------------------------------------------------------------------

    def on_change_button_clicked(self) -> None:
        LedgerYearPicker.ask(self, self.choices, self.target, self.on_target_chosen)

    def on_ledger_combo_changed(self, _index: int) -> None:
        """A ledger chosen: its years are offered; the year chosen before stays only if this ledger has it."""
        year = self.year_combo.currentData()
        self.year_combo.blockSignals(True)
        try:
            self._fill_years(year)
        finally:
            self.year_combo.blockSignals(False)
        self._enable_scope_controls()
        self.on_year_combo_changed(self.year_combo.currentIndex())

    def on_year_combo_changed(self, _index: int) -> None:
        chosen = self.scope.choice(self.ledger_combo.currentData(), self.year_combo.currentData())
        if chosen is None:
            if self.target is not None:  # the ledger changed to one without that year: nothing is chosen now
                self.scope = self.scope.with_target(None)
                self._show_scope()
                self.show_catalogue(None)
            return
        self.on_target_chosen(chosen)

    def on_target_chosen(self, target: LedgerYear) -> None:
        """A ledger-year chosen (picker or combos): loaded at once, or after the confirmation a bound purchase needs."""
        if target == self.target:
            return
        change = self.scope.change_to(target)
        if change is None:
            self.load_catalogue(target)
        else:
            self.scope_box = ScopeChangeDialog.ask(self, change, lambda: self.load_catalogue(target))

    def on_blocked_action_requested(self, action: str) -> None:
        """The blocked screen's action is the panel's: the dialog closes and hands it over."""
        if self.on_action is not None:
            self.handed_over = action
            self.reject()
            self.on_action(action)
        elif action == Action.MANAGE_MACHINES and self.on_manage_machines is not None:
            self.on_manage_machines()

    def on_refund_requested(self, order_id: int) -> None:
        """我的订单 → 申请退款 for that order: the orders page has the rule, the confirmation and the refund."""
        if self.on_refund is not None:
            self.handed_over = "REFUND"
            self.reject()
            self.on_refund(order_id)

    def on_buy_button_clicked(self) -> None:
        chosen = self.selection()
        if not chosen or self.target is None:
            return
        names = {row.sku: row.name(i18n.current_language()) for row in self.rows}
        prices = {row.sku: row for row in self.rows}
        lines = [  # name and amount isolated: each keeps its own order on a right-to-left screen
            f"• {i18n.isolate(names[s.sku])} × {native_digits(str(s.quantity))}    "
            + i18n.isolate(purchase.format_money(prices[s.sku].price_minor * s.quantity, prices[s.sku].currency))
            for s in chosen
        ]
        where = target_text(self.target)
        applies = tr("This purchase applies to {target}.", target=where)
        note = self.scope.note() if self.scope.away_from_bound else None
        self.confirm_target.setText(applies if note is None else f"{applies}\n{notice_text(note)}")
        self.confirm_items.setText("\n".join(lines))
        self.confirm_total.setText(
            tr("Total: {amount}", amount=purchase.format_money(purchase.order_total(self.rows, chosen), self.currency))
        )
        self.confirm_tick_text.setText(
            tr(
                "I have checked: this purchase is for {target} ({name}). It cannot be moved to another ledger or "
                "fiscal year later.",
                target=where,
                name=self.target.name,
            )
        )
        self.confirm_tick.setChecked(False)
        self.confirm_error.hide()
        self._set_scope_changeable(False)  # what is confirmed is this ledger-year: go back to change it
        self.pages.setCurrentWidget(self.confirm_page)

    def on_back_button_clicked(self) -> None:
        self._set_scope_changeable(True)
        self.pages.setCurrentWidget(self.choose_page)

    def on_pay_button_clicked(self) -> None:
        if not self.confirm_tick.isChecked() or self.target is None:
            return
        items = purchase.order_items(self.target, self.selection())
        self.run(
            lambda cancel: self.service.create_order(items, cancel=cancel),
            self.on_order_created,
            progress_text=tr("Placing the order…"),
            trigger=self.pay_button,
        )

    def on_order_created(self, order: Order) -> None:
        self.order = order
        self._set_scope_changeable(False)  # the order names its ledger-year; it cannot change now
        self.pages.setCurrentWidget(self.payment_view)
        self.payment_view.start(order)

    def on_payment_cancelled(self) -> None:
        self._set_scope_changeable(True)
        self.pages.setCurrentWidget(self.choose_page)

    def on_payment_expired(self, _order: Order) -> None:
        self._set_scope_changeable(True)

    def on_payment_paid(self, order: Order) -> None:
        """Paid: re-authenticate by itself (the new signed document) and show what is now opened."""
        self.order = order
        target = self.target
        before = self.catalogue

        def work(cancel: CancelToken) -> PaidResult:
            status = self.service.after_payment(cancel=cancel)
            after = None
            if target is not None:
                after = self.service.catalogue(target.ledger_id, target.fiscal_year, cancel=cancel)
            return PaidResult(status, after)

        self.done_text.setText(tr("Applying the purchase to this computer…"))
        self.pages.setCurrentWidget(self.done_page)
        self.run(
            work,
            lambda result: self.on_applied(result, before),
            progress_text=tr("Checking the licence online…"),
            cancellable=False,
        )

    def on_applied(self, result: PaidResult, before: Catalogue | None) -> None:
        status = result.status
        if status.state is not None:
            self.local_state = status.state.code.value
            self.local_details = dict(status.details)
        self.paid_catalogue = result.catalogue
        self.show_catalogue(result.catalogue)
        where = target_text(self.target)
        self.done_text.setText(
            tr("The licence was checked online again: the purchase is in use now, no restart needed.")
        )
        language = i18n.current_language()
        opened = purchase.newly_opened(before, result.catalogue)
        lines = [tr("Now opened for {target}:", target=where)] + [f"✓ {row.name(language)}" for row in opened]
        if result.catalogue is not None:
            vouchers = result.catalogue.vouchers
            lines.append(
                tr("Vouchers for {target}: {used} / {quota}", target=where, used=vouchers.used, quota=vouchers.quota)
            )
        self.done_opened.setText("\n".join(lines))
        self.paid.emit(status)

    def on_more_button_clicked(self) -> None:
        self._set_scope_changeable(True)
        self.pages.setCurrentWidget(self.choose_page)

    # -- closing ------------------------------------------------------------------------------------------

    def done(self, result: int) -> None:
        self._stop()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop()
        super().closeEvent(event)

    def _stop(self) -> None:
        self.payment_view.stop()
        for op in list(self.ops):
            op.cancel()
