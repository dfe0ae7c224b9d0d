"""The mini ledger's window: its books on one tab, the panel's 系统认证 embedded on the other.

Every call that may reach the server runs through app/ui/runner.py (``run_kept``), so the window never waits on
the network; ``check`` is offline and cheap, so 结账 asks it right before closing a period, on the GUI thread.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.host import Ledger, LicenceError, LicenceHost
from app.host.qt import HostPanel, PurchaseRun
from app.i18n import current_language, tr
from app.ui.runner import CancelToken, Op, run_kept
from examples.mini_ledger import licensing
from examples.mini_ledger.books import Books, OpenYear, default_year, new_voucher_numbers
from examples.mini_ledger.dialogs import ArchiveConfirmation, NewLedgerDialog, hint_label
from examples.mini_ledger.licensing import Posting

log = logging.getLogger(__name__)

T = TypeVar("T")

WINDOW_SIZE = (1120, 780)
MAX_POSTING = 100  # vouchers one 记账 may post at once (an import of a day's vouchers)
LEDGER_CODE_ROLE = Qt.ItemDataRole.UserRole + 1

_OK_BANNER = "#licenceBanner { background: #ecfdf5; border: 1px solid #a7f3d0; border-radius: 8px; }"
_BAD_BANNER = "#licenceBanner { background: #fef2f2; border: 1px solid #fca5a5; border-radius: 8px; }"
_REFUSAL_BOX = "#refusal { background: #fff7ed; border: 1px solid #fdba74; border-radius: 8px; }"


def card(name: str = "card") -> QFrame:
    frame = QFrame()
    frame.setObjectName(name)
    return frame


def title_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    label.setWordWrap(True)
    return label


def target_text(year: OpenYear) -> str:
    """``账套 C1 · 2026 年度``: the words the panel's 立即购买 uses for the same ledger-year."""
    return tr("Ledger {code} · fiscal year {year}", code=year.code, year=year.fiscal_year)


class RefusalBox(QFrame):
    """What the licence refused, in its words, with the ways out as buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("refusal")
        self.setStyleSheet(_REFUSAL_BOX)
        self.title = title_label()
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        box = QVBoxLayout(self)
        box.setContentsMargins(14, 10, 14, 10)
        box.addWidget(self.title)
        box.addWidget(self.text)
        box.addLayout(self.buttons)
        self.hide()

    def add_button(self, on_click: Callable[[], object]) -> QPushButton:
        button = QPushButton()
        button.clicked.connect(lambda: on_click())
        self.buttons.addWidget(button)
        return button

    def show_refusal(self, title: str, text: str) -> None:
        self.title.setText(title)
        self.title.setVisible(bool(title))
        self.text.setText(text)
        self.show()


class MiniLedgerWindow(QMainWindow):
    """A tiny bookkeeping program licensed per ledger-year through ``host`` and the panel's screens (``panel``)."""

    def __init__(self, host: LicenceHost, panel: HostPanel) -> None:
        super().__init__()
        self.host = host
        self.panel = panel
        self.ops: list[Op] = []
        self.books: Books | None = None
        self.year: OpenYear | None = None
        self.posted: list[int] = []  # voucher numbers posted in this session, in the open ledger-year
        self.closed_periods: dict[tuple[int, int], int] = {}
        self.new_ledger_dialog: NewLedgerDialog | None = None
        self.archive_box: ArchiveConfirmation | None = None
        self.purchase: PurchaseRun | None = None
        self.error: str | None = None
        # Payments, 在线认证, a change in the embedded panel: read the books again, once for a burst of signals.
        self.reload_timer = QTimer(self)
        self.reload_timer.setSingleShot(True)
        self.reload_timer.timeout.connect(self.reload)
        self._build()
        self.retranslate()
        panel.payment_applied.connect(self.reload_timer.start)
        panel.payment_applied.connect(self.limit_box.hide)  # bought: creating may work now, the refusal is old
        self.licence_widget.state_changed.connect(lambda _code: self.reload_timer.start())
        self.licence_widget.entitlements_changed.connect(self.reload_timer.start)
        self.licence_widget.language_changed.connect(lambda _lang: self.retranslate())

    # -- layout ---------------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.resize(*WINDOW_SIZE)
        self.tabs = QTabWidget()
        books = QWidget()
        self.tabs.addTab(books, "")
        self.licence_widget = self.panel.licence_widget(self)
        self.tabs.addTab(self.licence_widget, "")
        self.setCentralWidget(self.tabs)

        self.licence_banner = QFrame()
        self.licence_banner.setObjectName("licenceBanner")
        self.licence_label = QLabel()
        self.licence_label.setWordWrap(True)
        self.licence_label.setTextFormat(Qt.TextFormat.PlainText)
        self.licence_explanation = hint_label()
        banner_box = QVBoxLayout(self.licence_banner)
        banner_box.setContentsMargins(14, 8, 14, 8)
        banner_box.addWidget(self.licence_label)
        banner_box.addWidget(self.licence_explanation)
        self.error_label = QLabel()
        self.error_label.setObjectName("errorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        self.limit_box = RefusalBox()
        self.limit_archive_button = self.limit_box.add_button(self.ask_archive)
        self.limit_buy_button = self.limit_box.add_button(self.buy_ledgers)

        row = QHBoxLayout()
        row.setSpacing(12)
        row.addWidget(self._build_ledgers(), 2)
        row.addWidget(self._build_year(), 3)
        box = QVBoxLayout(books)
        box.setContentsMargins(14, 14, 14, 14)
        box.setSpacing(10)
        box.addWidget(self.licence_banner)
        box.addWidget(self.error_label)
        box.addWidget(self.limit_box)
        box.addLayout(row, 1)
        self._build_menus()

    def _build_ledgers(self) -> QFrame:
        frame = card()
        self.ledgers_title = title_label()
        self.ledger_count = hint_label()
        self.ledger_list = QListWidget()
        self.ledger_list.setObjectName("ledgerList")
        self.ledger_list.setSpacing(2)
        self.ledger_list.currentItemChanged.connect(self.on_ledger_selected)
        self.ledger_list.itemDoubleClicked.connect(lambda _item: self.open_year())
        self.new_button = QPushButton()
        self.new_button.clicked.connect(self.ask_new_ledger)
        self.archive_button = QPushButton()
        self.archive_button.setProperty("danger", True)
        self.archive_button.clicked.connect(self.ask_archive)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.archive_button)
        buttons.addStretch(1)
        box = QVBoxLayout(frame)
        box.setContentsMargins(14, 12, 14, 12)
        box.addWidget(self.ledgers_title)
        box.addWidget(self.ledger_count)
        box.addWidget(self.ledger_list, 1)
        box.addLayout(buttons)
        return frame

    def _build_year(self) -> QFrame:
        frame = card()
        self.year_caption = QLabel()
        self.year_spin = QSpinBox()
        self.year_spin.setRange(1990, 2200)
        self.year_spin.setValue(date.today().year)
        self.year_spin.setMinimumWidth(96)
        self.open_button = QPushButton()
        self.open_button.setProperty("primary", True)
        self.open_button.clicked.connect(self.open_year)
        opener = QHBoxLayout()
        opener.addWidget(self.year_caption)
        opener.addWidget(self.year_spin)
        opener.addWidget(self.open_button)
        opener.addStretch(1)

        self.year_title = QLabel()
        self.year_title.setStyleSheet("font-size: 16pt; font-weight: 700; color: #1d4ed8;")
        self.year_name = hint_label()
        self.year_hint = hint_label()
        self.year_hint.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeading)
        self.voucher_label = QLabel()
        self.voucher_bar = QProgressBar()
        self.voucher_bar.setTextVisible(False)
        self.voucher_bar.setFixedHeight(10)
        self.offline_note = hint_label()
        self.offline_note.setStyleSheet("color: #b45309;")

        self.count_caption = QLabel()
        self.count_spin = QSpinBox()
        self.count_spin.setRange(1, MAX_POSTING)
        self.count_spin.setMinimumWidth(80)
        self.post_button = QPushButton()
        self.post_button.setProperty("primary", True)
        self.post_button.clicked.connect(self.post_vouchers)
        poster = QHBoxLayout()
        poster.addWidget(self.count_caption)
        poster.addWidget(self.count_spin)
        poster.addWidget(self.post_button)
        poster.addStretch(1)

        self.quota_box = RefusalBox()
        self.quota_buy_button = self.quota_box.add_button(self.buy_now)

        self.posted_caption = hint_label()
        self.posted_list = QListWidget()
        self.posted_list.setFlow(QListWidget.Flow.LeftToRight)
        self.posted_list.setWrapping(True)
        self.posted_list.setMaximumHeight(96)

        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.close_period)
        self.buy_button = QPushButton()
        self.buy_button.setProperty("primary", True)
        self.buy_button.clicked.connect(self.buy_now)
        closer = QHBoxLayout()
        closer.addWidget(self.close_button)
        closer.addStretch(1)
        closer.addWidget(self.buy_button)
        self.close_note = hint_label()

        self.year_panel = QWidget()
        panel = QVBoxLayout(self.year_panel)
        panel.setContentsMargins(0, 0, 0, 0)
        panel.setSpacing(8)
        panel.addWidget(self.year_title)
        panel.addWidget(self.year_name)
        panel.addWidget(self.voucher_label)
        panel.addWidget(self.voucher_bar)
        panel.addWidget(self.offline_note)
        panel.addLayout(poster)
        panel.addWidget(self.quota_box)
        panel.addWidget(self.posted_caption)
        panel.addWidget(self.posted_list)
        panel.addSpacing(6)
        panel.addLayout(closer)
        panel.addWidget(self.close_note)
        panel.addStretch(1)

        box = QVBoxLayout(frame)
        box.setContentsMargins(14, 12, 14, 12)
        box.setSpacing(10)
        box.addLayout(opener)
        box.addWidget(self.year_hint)
        box.addWidget(self.year_panel, 1)
        return frame

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.books_menu = bar.addMenu("")
        self.new_action = self.books_menu.addAction("", self.ask_new_ledger)
        self.archive_action = self.books_menu.addAction("", self.ask_archive)
        self.books_menu.addSeparator()
        self.quit_action = self.books_menu.addAction("", self.close)
        self.licence_menu = bar.addMenu("")
        self.check_action = self.licence_menu.addAction("", self.check_online)
        self.buy_action = self.licence_menu.addAction("", self.buy_now)
        self.renew_action = self.licence_menu.addAction("", self.renew)
        self.panel_action = self.licence_menu.addAction("", self.open_system_auth)

    def retranslate(self) -> None:
        """Every text in the current language (at start and when the user switches it in the embedded panel)."""
        self.setWindowTitle(tr("Mini ledger — a sample accounting program"))
        self.tabs.setTabText(0, tr("Books"))
        self.tabs.setTabText(1, tr("System authentication"))
        self.limit_archive_button.setText(tr("Archive a ledger…"))
        self.limit_buy_button.setText(tr("Buy ledgers…"))
        self.ledgers_title.setText(tr("Ledgers"))
        self.new_button.setText(tr("New ledger…"))
        self.archive_button.setText(tr("Archive this ledger…"))
        self.year_caption.setText(tr("Fiscal year"))
        self.open_button.setText(tr("Open the ledger-year"))
        self.year_hint.setText(tr("Choose a ledger, then open one of its fiscal years."))
        self.count_caption.setText(tr("Vouchers to post"))
        self.post_button.setText(tr("Post"))
        self.posted_caption.setText(tr("Posted in this session"))
        self.close_button.setText(tr("Period close"))
        self.buy_button.setText(tr("Buy now"))
        self.books_menu.setTitle(tr("&Books"))
        self.new_action.setText(tr("New ledger…"))
        self.archive_action.setText(tr("Archive this ledger…"))
        self.quit_action.setText(tr("Quit"))
        self.licence_menu.setTitle(tr("&Licence"))
        self.check_action.setText(tr("Check online"))
        self.buy_action.setText(tr("Buy now…"))
        self.renew_action.setText(tr("Renew…"))
        self.panel_action.setText(tr("System authentication…"))
        self.update_view()

    # -- calls ----------------------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """A call is running (or about to) here or in the embedded panel: tests wait until none is."""
        return bool(self.ops) or self.reload_timer.isActive() or self.licence_widget.busy

    def run(
        self,
        fn: Callable[[CancelToken], T],
        on_success: Callable[[T], None],
        *,
        progress: str,
        trigger: QWidget | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        silent: bool = False,
    ) -> Op:
        """``run_kept``: off the GUI thread, the result back on it; ``silent`` shows no progress over the window."""
        return run_kept(
            self,
            self.ops,
            fn,
            on_success=on_success,
            on_failure=on_failure or self.on_failed,
            progress_text=progress,
            trigger=trigger,
            silent=silent,
        )

    def on_failed(self, exc: BaseException) -> None:
        if isinstance(exc, LicenceError):
            self.show_error(exc.message)
        else:
            log.error("mini ledger call failed", exc_info=exc)
            self.show_error(tr("The operation failed unexpectedly ({name}).", name=type(exc).__name__))

    def show_error(self, text: str | None) -> None:
        self.error = text
        self.error_label.setText(text or "")
        self.error_label.setVisible(bool(text))

    # -- start, books ---------------------------------------------------------------------------------------

    def start(self, *, login: tuple[str, str] | None = None, demo_licence: Mapping[str, Any] | None = None) -> Op:
        """Sign in (the remembered session, or ``login``), activate the demo licence if needed, read the books;
        then the embedded 系统认证 starts on the same session."""

        def started(books: Books) -> None:
            self.show_books(books)
            self.licence_widget.start()
            self.reload_timer.stop()  # its first state is the one just read: nothing to reload for it

        def failed(exc: BaseException) -> None:
            self.on_failed(exc)
            self.licence_widget.start()  # 系统认证 says what to do: sign in, activate

        return self.run(
            lambda cancel: licensing.start(self.host, cancel, login=login, demo_licence=demo_licence),
            started,
            on_failure=failed,
            progress=tr("Loading the ledgers…"),
        )

    def show_books(self, books: Books) -> None:
        self.books = books
        self.show_error(books.problem.message if books.problem is not None else None)
        selected = self.selected_ledger_id()
        self.ledger_list.blockSignals(True)
        try:
            self.ledger_list.clear()
            for ledger in books.ledgers.ledgers if books.ledgers is not None else ():
                text = f"{ledger.code}    {ledger.name}"
                if ledger.archived:
                    text += f"    ({tr('archived')})"
                item = QListWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, ledger.id)
                item.setData(LEDGER_CODE_ROLE, ledger.code)
                if ledger.archived:
                    item.setForeground(Qt.GlobalColor.gray)
                self.ledger_list.addItem(item)
                if ledger.id == selected:
                    self.ledger_list.setCurrentItem(item)
        finally:
            self.ledger_list.blockSignals(False)
        self.update_view()

    def selected_ledger_id(self) -> int | None:
        item = self.ledger_list.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return value if isinstance(value, int) else None

    def selected_ledger(self) -> Ledger | None:
        return self.books.ledger(self.selected_ledger_id()) if self.books is not None else None

    def select_ledger(self, code: str) -> None:
        """Select the ledger with ``code`` in the list (as a click would)."""
        for row in range(self.ledger_list.count()):
            if self.ledger_list.item(row).data(LEDGER_CODE_ROLE) == code:
                self.ledger_list.setCurrentRow(row)
                return
        raise LookupError(code)

    def on_ledger_selected(self, *_items: object) -> None:
        self.year_spin.setValue(default_year(self.selected_ledger(), date.today().year))
        self.update_view()

    def reload(self) -> None:
        """The books and the open ledger-year as they are now (after a payment or a change in the panel)."""
        year = self.year
        ledger = self.books.ledger(year.ledger_id) if self.books is not None and year is not None else None

        def reloaded(result: tuple[Books, OpenYear | None]) -> None:
            books, opened = result
            self.show_books(books)
            if year is not None:
                self.show_year(opened)  # None: its ledger was archived meanwhile (in the panel)

        self.run(
            lambda cancel: licensing.reload(self.host, ledger, year.fiscal_year if year else None, cancel),
            reloaded,
            progress=tr("Loading the ledgers…"),
            silent=True,  # the window stays usable while it follows a change made elsewhere
        )

    def show_panel_state(self) -> None:
        """The embedded 系统认证 shows the document this window just had refreshed; what it signals about it is
        known here already, so no reload follows."""
        self.licence_widget.refresh()
        self.reload_timer.stop()

    def check_online(self) -> None:
        """在线认证 from the host's menu; the embedded panel shows the fresh state too."""

        def refreshed(books: Books) -> None:
            self.show_panel_state()
            self.show_books(books)

        self.run(
            lambda cancel: licensing.refresh_books(self.host, cancel), refreshed, progress=tr("Authenticating online…")
        )

    # -- ledgers --------------------------------------------------------------------------------------------

    def ask_new_ledger(self) -> NewLedgerDialog:
        dialog = NewLedgerDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.create_ledger(dialog.code, dialog.name))
        self.new_ledger_dialog = dialog
        dialog.open()
        return dialog

    def create_ledger(self, code: str, name: str) -> Op:
        def created(result: tuple[Ledger, Books]) -> None:
            ledger, books = result
            self.limit_box.hide()
            self.show_books(books)
            self.select_ledger(ledger.code)
            self.statusBar().showMessage(tr("Ledger {code} created.", code=ledger.code), 10_000)

        def refused(exc: BaseException) -> None:
            if isinstance(exc, LicenceError) and exc.code == "LEDGER_LIMIT_EXCEEDED":
                self.show_ledger_limit(exc)
            else:
                self.on_failed(exc)

        return self.run(
            lambda cancel: licensing.create_ledger(self.host, code, name, cancel),
            created,
            on_failure=refused,
            progress=tr("Creating the ledger…"),
            trigger=self.new_button,
        )

    def show_ledger_limit(self, exc: LicenceError) -> None:
        """账套已用数量大于可用数量: the licence's words, and the two ways out (archive one, buy more)."""
        books = self.books
        if books is not None and books.over_the_limit:
            title = books.licence.label  # the state's own words, as the vendor words them
        else:
            title = tr("Every ledger bought is in use")
        self.limit_box.show_refusal(title, exc.message)

    def archivable(self) -> Ledger | None:
        ledger = self.selected_ledger()
        return ledger if ledger is not None and not ledger.archived else None

    def ask_archive(self) -> ArchiveConfirmation | None:
        ledger = self.archivable()
        if ledger is None:
            self.statusBar().showMessage(tr("Choose the ledger to archive in the list first."), 10_000)
            self.ledger_list.setFocus()
            return None
        box = ArchiveConfirmation(self, ledger)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _result: self.archive(ledger) if box.confirmed else None)
        self.archive_box = box
        box.open()
        return box

    def archive(self, ledger: Ledger) -> Op:
        def archived(books: Books) -> None:
            self.archive_box = None
            self.limit_box.hide()
            if self.year is not None and self.year.ledger_id == ledger.id:
                self.show_year(None)
            self.show_panel_state()
            self.show_books(books)
            self.statusBar().showMessage(tr("Ledger {code} archived.", code=ledger.code), 10_000)

        return self.run(
            lambda cancel: licensing.archive_ledger(self.host, ledger.id, cancel),
            archived,
            progress=tr("Archiving the ledger…"),
            trigger=self.archive_button,
        )

    def buy_ledgers(self) -> PurchaseRun:
        """More ledgers (cloud edition): the panel's 立即购买, for the open ledger-year or asking for one."""
        return self.buy_now()

    # -- the open ledger-year -------------------------------------------------------------------------------

    def open_year(self) -> Op | None:
        ledger = self.archivable()
        if ledger is None:
            return None
        fiscal_year = self.year_spin.value()

        def opened(year: OpenYear) -> None:
            self.show_panel_state()
            self.show_year(year)

        return self.run(
            lambda cancel: licensing.open_year(self.host, ledger, fiscal_year, cancel),
            opened,
            progress=tr("Opening the ledger-year…"),
            trigger=self.open_button,
        )

    def show_year(self, year: OpenYear | None) -> None:
        if year is None or self.year is None or (year.ledger_id, year.fiscal_year) != self.key():
            self.posted = []
        self.year = year
        if year is not None:
            self.licence_widget.set_ledger_year(year.ledger_id, year.fiscal_year)  # its 立即购买 too
        self.show_posting_state()
        self.update_view()

    def show_posting_state(self) -> None:
        """Why posting stops, with the way out: the licence's own verdict, or the quota used up."""
        year = self.year
        if year is None or year.can_post:
            self.quota_box.hide()
        elif year.posting_blocked:
            self.quota_box.show_refusal("", year.posting.message)
            self.quota_buy_button.hide()
        else:
            self.quota_box.show_refusal(
                tr("The vouchers of this ledger-year are used up"),
                tr(
                    "{used} of {quota} vouchers are posted in {target}. Posting stops here until vouchers are "
                    "bought for exactly this ledger-year.",
                    used=year.used,
                    quota=year.quota,
                    target=target_text(year),
                ),
            )
            self.quota_buy_button.show()

    def key(self) -> tuple[int, int] | None:
        return (self.year.ledger_id, self.year.fiscal_year) if self.year is not None else None

    def post_vouchers(self) -> Op | None:
        year = self.year
        if year is None:
            return None
        count = self.count_spin.value()
        key = f"mini-ledger-{uuid.uuid4().hex}"  # this posting's idempotency key

        def posted(posting: Posting) -> None:
            current = self.year
            if current is None or self.key() != (year.ledger_id, year.fiscal_year):
                return
            consumption = posting.consumption
            if consumption is None:  # the licence stopped it before anything was counted
                self.year = current.with_checks(current.period_close, posting.gate)
                self.show_posting_state()
                self.update_view()
                return
            before = current.used
            self.year = current.with_counts(consumption.used, consumption.quota)
            self.posted += new_voucher_numbers(before, consumption.used) if consumption.counted else []
            if consumption.offline:
                message = tr(
                    "{count} voucher(s) recorded on this computer: the licence server cannot be reached. They are "
                    "reported at the next online check; {remaining} more may be posted offline.",
                    count=consumption.requested,
                    remaining=consumption.remaining,
                )
            else:
                message = tr(
                    "{count} voucher(s) posted: {used} of {quota} used.",
                    count=consumption.requested,
                    used=consumption.used,
                    quota=consumption.quota,
                )
            self.statusBar().showMessage(message, 10_000)
            self.show_posting_state()
            self.update_view()

        def refused(exc: BaseException) -> None:
            current = self.year
            if not isinstance(exc, LicenceError) or current is None:
                self.on_failed(exc)
                return
            used, quota = exc.details.get("used"), exc.details.get("quota")
            if exc.code == "VOUCHER_QUOTA_EXCEEDED" and isinstance(used, int) and isinstance(quota, int):
                self.year = current.with_counts(used, quota)
            self.statusBar().clearMessage()  # the refusal says what happened; the last success is old news
            self.quota_box.show_refusal("", exc.message)
            self.quota_buy_button.setVisible(exc.code == "VOUCHER_QUOTA_EXCEEDED")
            self.update_view()

        return self.run(
            lambda cancel: licensing.post_vouchers(self.host, year, count, key, cancel),
            posted,
            on_failure=refused,
            progress=tr("Posting vouchers…"),
            trigger=self.post_button,
        )

    def close_period(self) -> None:
        """结账: asked of the licence right before (offline, from the signed document), as a host should."""
        year = self.year
        if year is None:
            return
        access = self.host.check("period_close", year.ledger_id, year.fiscal_year)
        self.year = year.with_checks(access, year.posting)
        if access.open:
            key = (year.ledger_id, year.fiscal_year)
            period = self.closed_periods.get(key, 0) + 1
            self.closed_periods[key] = period
            self.statusBar().showMessage(
                tr("Period {period} of {target} is closed.", period=period, target=target_text(year)), 10_000
            )
        self.update_view()

    def buy_now(self) -> PurchaseRun:
        """立即购买 of the panel, bound to the open ledger-year (without one, the panel asks for it)."""
        year = self.year
        if year is None:
            run = self.panel.open_purchase(self)
        else:
            run = self.panel.open_purchase(self, year.ledger_id, year.fiscal_year)
        run.finished.connect(self.on_purchase_finished)
        self.purchase = run
        return run

    def on_purchase_finished(self, exit_code: int) -> None:
        self.purchase = None
        if exit_code != 0:
            self.statusBar().showMessage(tr("Nothing was bought."), 10_000)
        # Paid: payment_applied has already asked for the books again.

    def renew(self) -> None:
        self.panel.open_renewal(*(self.key() or (None, None)))

    def open_system_auth(self) -> None:
        self.panel.open_system_auth(*(self.key() or (None, None)))

    # -- the view ---------------------------------------------------------------------------------------------

    def update_view(self) -> None:
        """Every dynamic text and button state from ``books`` and ``year``."""
        self._show_licence()
        books, year = self.books, self.year
        ledgers = books.ledgers if books is not None else None
        self.ledger_count.setText(
            tr("{in_use} in use, {purchased} bought", in_use=ledgers.in_use, purchased=ledgers.purchased)
            if ledgers is not None
            else ""
        )
        signed_in = ledgers is not None
        self.new_button.setEnabled(signed_in)
        self.new_action.setEnabled(signed_in)
        self.archive_button.setEnabled(self.archivable() is not None)
        self.archive_action.setEnabled(self.archivable() is not None)
        self.open_button.setEnabled(self.archivable() is not None)
        self.year_hint.setVisible(year is None)
        self.year_panel.setVisible(year is not None)
        if year is None:
            return
        self.year_title.setText(target_text(year))
        self.year_name.setText(year.name)
        self.voucher_label.setText(tr("Vouchers: {used} / {quota}", used=year.used, quota=year.quota))
        self.voucher_bar.setRange(0, max(1, year.quota))
        self.voucher_bar.setValue(min(year.used, year.quota))
        chunk = "#dc2626" if year.remaining == 0 else "#d97706" if year.remaining <= year.quota // 10 else "#2563eb"
        self.voucher_bar.setStyleSheet(f"QProgressBar::chunk {{ background: {chunk}; border-radius: 3px; }}")
        self.offline_note.setText(
            tr("Offline: these figures are the signed licence's on this computer.") if year.offline else ""
        )
        self.offline_note.setVisible(year.offline)
        self.post_button.setEnabled(year.can_post)
        self.count_spin.setEnabled(year.can_post)
        self.posted_list.clear()
        for number in self.posted[-200:]:
            self.posted_list.addItem(tr("JV-{number}", number=f"{number:04d}"))
        self.posted_caption.setVisible(bool(self.posted))
        self.posted_list.setVisible(bool(self.posted))
        self.close_button.setEnabled(year.can_close)
        self.close_note.setText(self._close_note(year))
        self.close_note.setStyleSheet("color: #15803d;" if year.can_close else "color: #b91c1c;")
        self.quota_buy_button.setText(tr("Buy vouchers for {target}…", target=target_text(year)))

    def _show_licence(self) -> None:
        books = self.books
        if books is None:
            self.licence_banner.hide()
            return
        licence = books.licence
        self.licence_banner.show()
        self.licence_banner.setStyleSheet(_OK_BANNER if licence.usable else _BAD_BANNER)
        self.licence_label.setText(tr("Licence: {label}", label=licence.label))
        self.licence_label.setStyleSheet(
            "font-weight: 600; color: #166534;" if licence.usable else "font-weight: 600; color: #991b1b;"
        )
        separator = "" if current_language() == "zh_CN" else " "  # Chinese sentences are not spaced
        detail = "" if licence.usable else separator.join(t for t in (licence.explanation, licence.next_step) if t)
        self.licence_explanation.setText(detail)
        self.licence_explanation.setVisible(bool(detail))

    @staticmethod
    def _close_note(year: OpenYear) -> str:
        access = year.period_close
        if access.open:
            return tr("Period close is open for {target}.", target=target_text(year))
        if access.reason == "module_not_opened":
            return tr(
                "Period close (结账) is not opened for {target}. Buy it with Buy now: the purchase is for exactly "
                "this ledger-year.",
                target=target_text(year),
            )
        return access.message  # the licence itself: its state and what to do

    # -- panel screens --------------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        for op in list(self.ops):
            op.cancel()
        self.licence_widget.stop()
        super().closeEvent(event)
