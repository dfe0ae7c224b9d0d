"""The panel's main window: left navigation (系统认证 first), account menu, settings, language, status bar."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import i18n
from app.domain.accounts import Account
from app.domain.lease import Announcement
from app.domain.states import Action
from app.i18n import tr
from app.services.errors import ApiError, CancelledError, NetworkError
from app.services.licence_service import LicenceService
from app.services.local_status import LocalStatus
from app.ui import presenter
from app.ui.activation.auth_page import DEACTIVATE_THIS_MACHINE, OPEN_ADDONS, AuthPage
from app.ui.background_checks import BackgroundChecks
from app.ui.orders.orders_page import OrdersPage
from app.ui.renewal.renewal_page import RenewalPages
from app.ui.runner import CancelToken, Op, run_kept
from app.ui.status_view import StatusView, action_label
from app.ui.theme import apply_language, icon, repolish
from app.ui.widgets.banner import Banner

if TYPE_CHECKING:  # dialogs are imported when first opened: the first paint needs none of them
    from app.domain.support import SupportContacts
    from app.ui.activation.activation_wizard import ActivationWizard
    from app.ui.machines.machines_dialog import MachinesDialog
    from app.ui.purchase.purchase_dialog import PurchaseDialog
    from app.ui.purchase.seat_dialog import SeatPurchaseDialog

log = logging.getLogger(__name__)

LANGUAGES: tuple[tuple[str, str], ...] = (
    ("zh_CN", "简体中文"),
    ("en", "English"),
    ("vi", "Tiếng Việt"),
    ("fa", "فارسی"),
)
# How often the status bar's "as of" and the lease countdown are refreshed from the cached state.
TICK_MS = 60_000
OPEN_SETTINGS = "OPEN_SETTINGS"  # a menu entry, not a state action

T = TypeVar("T")


class MainWindow(QMainWindow):
    """Owns the LicenceService; pages and dialogs ask it to act through ``run_op`` only."""

    status_changed = Signal(StatusView)
    # A purchase or a renewal of this licence was paid and applied (`python -m app purchase|renew` exit 0).
    payment_applied = Signal()
    # The server answered a request (its HTTP status), from any page or dialog; emitted from worker threads.
    server_answered = Signal(int)

    def __init__(
        self,
        service: LicenceService,
        *,
        demo_logins: list[tuple[str, str]] | None = None,
        ledger_year: tuple[int, int] | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.demo_logins = demo_logins or []
        # The host program's ledger-year (--ledger/--year): 立即购买 is bound to it.
        self.ledger_year = ledger_year
        self.startup: Op | None = None
        self.status: StatusView | None = None
        self.network = "unknown"
        self.ops: list[Op] = []
        self.pending_licence_id: int | None = None  # a licence that failed to activate (认证超台数)
        self.wizard: ActivationWizard | None = None
        self.seat_dialog: SeatPurchaseDialog | None = None
        self.upgrade_url_opened: str | None = None  # the vendor page 升级到付费版 last opened in the browser
        self._pages: list[tuple[str, Callable[[], str], QWidget]] = []
        self.setMinimumSize(QSize(960, 680))
        self.setWindowIcon(icon("app"))
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self.on_tick_timeout)
        self._tick.start()
        # Silent re-authentication (start-up, every few hours, after maintenance) and the banner's data.
        self.announcements: list[Announcement] = []
        self.background = BackgroundChecks(self, service, start_op=self.run)
        self.background.checked.connect(self.on_background_checked)
        self.background.failed.connect(self.on_background_failed)
        self.server_answered.connect(self.on_server_answered)  # queued: the listener runs on worker threads
        service.answer_listeners.append(self._hear_answer)
        self._build()

    # -- structure ------------------------------------------------------------------------------------

    def _build(self) -> None:
        """(Re)build every widget with the current language: switching language re-translates live."""
        self.setWindowTitle(tr("Licence panel"))
        self.auth_page = AuthPage()
        self.auth_page.action_requested.connect(self.on_action_requested)
        self.nav = QListWidget()
        self.nav.setObjectName("navList")
        self.nav.setFixedWidth(200)
        self.stack = QStackedWidget()
        self._pages = []
        self.add_page("auth", lambda: tr("System authentication"), self.auth_page)
        # 我的订单: a refund or a redeemed recharge code re-authenticates; show the new state here.
        self.orders_page = OrdersPage(self.service, on_buy=self.open_purchase)
        self.orders_page.licence_changed.connect(self.on_reauthenticate_succeeded)
        self.add_page("orders", lambda: tr("My orders"), self.orders_page)
        # 续费 and, for a service-accountant login, 批量续费.
        self.renewal_pages = RenewalPages.install(self)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setCurrentRow(0)
        nav_title = QLabel(tr("Licence panel"))
        nav_title.setObjectName("navTitle")
        nav_title.setWordWrap(True)  # the side bar has a fixed width; a long translated title wraps
        side = QWidget()
        side_box = QVBoxLayout(side)
        side_box.setContentsMargins(0, 0, 0, 0)
        side_box.setSpacing(0)
        side_box.addWidget(nav_title)
        side_box.addWidget(self.nav, 1)
        side.setFixedWidth(200)
        side.setStyleSheet("background: #1e293b;")
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(side)
        self.banner = Banner()  # announcements, maintenance, the offline lease running out
        right = QWidget()
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(0, 0, 0, 0)
        right_box.setSpacing(0)
        right_box.addWidget(self.banner)
        right_box.addWidget(self.stack, 1)
        row.addWidget(right, 1)
        self.setCentralWidget(central)
        self._build_menus()
        self._build_status_bar()
        if self.status is not None:
            self._render(self.status)

    def add_page(self, key: str, title: Callable[[], str], widget: QWidget) -> None:
        """Later issues add 购买 / 续费 / 订单 here; ``title`` is called again on a language switch."""
        self._pages.append((key, title, widget))
        item = QListWidgetItem(title())
        item.setData(Qt.ItemDataRole.UserRole, key)
        self.nav.addItem(item)
        self.stack.addWidget(widget)

    def show_page(self, key: str) -> None:
        for index, (page_key, _title, _widget) in enumerate(self._pages):
            if page_key == key:
                self.nav.setCurrentRow(index)

    def current_page(self) -> str | None:
        """The key of the page shown ("auth", "orders", "renewal", …)."""
        row = self.nav.currentRow()
        return self._pages[row][0] if 0 <= row < len(self._pages) else None

    def _page_states(self) -> dict[str, object]:
        """What pages that keep state across a rebuild (``view_state``/``restore_view_state``) hold now."""
        return {key: widget.view_state() for key, _title, widget in self._pages if hasattr(widget, "view_state")}

    def _stop_pages(self) -> None:
        """Pages about to be replaced stop polling: a payment still open goes on in their successors."""
        for _key, _title, widget in self._pages:
            stop = getattr(widget, "stop", None)
            if callable(stop):
                stop()

    def _restore_pages(self, states: dict[str, object], shown: str | None) -> None:
        for key, _title, widget in self._pages:
            if key in states and hasattr(widget, "restore_view_state"):
                widget.restore_view_state(states[key])
        if shown is not None:
            self.show_page(shown)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        bar.clear()
        account = bar.addMenu(tr("&Account"))
        self.sign_in_action = account.addAction(tr("Sign in…"), lambda: self.on_action_requested(Action.SIGN_IN))
        self.switch_action = account.addAction(
            tr("Switch account…"), lambda: self.on_action_requested(Action.SWITCH_ACCOUNT)
        )
        self.sign_out_action = account.addAction(tr("Sign out"), self.on_sign_out_triggered)
        account.addSeparator()
        account.addAction(tr("Quit"), self.close)
        licence = bar.addMenu(tr("&Licence"))
        licence.addAction(tr("Check online"), lambda: self.on_action_requested(Action.REAUTHENTICATE))
        licence.addAction(tr("Activate…"), lambda: self.on_action_requested(Action.ACTIVATE))
        licence.addAction(tr("Manage computers…"), lambda: self.on_action_requested(Action.MANAGE_MACHINES))
        tools = bar.addMenu(tr("&Settings"))
        tools.addAction(tr("Settings…"), lambda: self.on_action_requested(OPEN_SETTINGS))
        language = tools.addMenu(tr("Language"))
        group = QActionGroup(self)
        for code, name in LANGUAGES:
            action = QAction(name, self, checkable=True)
            action.setChecked(i18n.current_language() == code)
            action.triggered.connect(lambda _=False, c=code: self.switch_language(c))
            group.addAction(action)
            language.addAction(action)
        self._update_account_actions()

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        for widget in getattr(self, "_status_widgets", []):
            bar.removeWidget(widget)
        self.network_dot = QLabel("●")
        self.network_dot.setObjectName("networkDot")
        self.network_label = QLabel()
        self.network_label.setObjectName("networkLabel")
        self.licence_label = QLabel()
        self.licence_label.setObjectName("licenceLabel")
        self.account_label = QLabel()
        self.account_label.setObjectName("accountLabel")
        self._status_widgets = [self.network_dot, self.network_label, self.licence_label, self.account_label]
        bar.addWidget(self.network_dot)
        bar.addWidget(self.network_label)
        bar.addWidget(self.licence_label, 1)
        bar.addPermanentWidget(self.account_label)
        self._show_network(self.network)

    # -- start-up -------------------------------------------------------------------------------------

    def start(self) -> Op:
        """Show what this computer knows at once (offline), then ask the server in the background.

        Returns the start-up call (session resumed, 在线认证), which calls needing the session wait for."""
        self.refresh_local()
        self.startup = self.run(
            self.background.after_first_paint(self._restore_and_check),
            self.on_reauthenticate_succeeded,
            on_failure=self.on_reauthenticate_failed,
            progress_text=tr("Authenticating online…"),
            silent=True,  # the lease is renewed in the background: the window stays usable meanwhile
        )
        if (self.status is not None and self.status.has_licence) or self.service.settings.last_login:
            # Only when start-up goes online anyway: a fresh install makes no network call before sign-in.
            self.run(
                self.background.after_first_paint(lambda cancel: self.service.announcements(cancel=cancel)),
                self.on_announcements_read,
                on_failure=lambda _exc: None,  # no announcements when the server is unreachable: nothing to say
                silent=True,
            )
        return self.startup

    def _restore_and_check(self, cancel: CancelToken) -> LocalStatus:
        """Worker side of start-up: resume the remembered session, then 在线认证 if a licence is cached."""
        self.service.restore_session(cancel=cancel)
        if self.service.local_status().document is None:
            return self.service.local_status()
        return self.service.reauthenticate(cancel=cancel)

    # -- state ------------------------------------------------------------------------------------

    def show_status(self, view: StatusView) -> None:
        self.status = view
        self._render(view)
        self.status_changed.emit(view)

    def _now(self) -> datetime:
        """The service's clock (injectable), so countdowns agree with the state it evaluated."""
        return self.service.now()

    def _render(self, view: StatusView) -> None:
        self.auth_page.show_status(view, self._now())
        self.orders_page.organisation_market = view.organisation_market
        self._refresh_banner()
        self.licence_label.setText(tr("Licence: {label}", label=view.label))
        login = view.signed_in_login
        self.account_label.setText(tr("Signed in as {login}", login=login) if login else tr("Not signed in"))
        self._update_account_actions()

    def _update_account_actions(self) -> None:
        signed_in = bool(self.status and self.status.signed_in)
        if hasattr(self, "sign_out_action"):
            self.sign_in_action.setVisible(not signed_in)
            self.switch_action.setVisible(signed_in)
            self.sign_out_action.setEnabled(signed_in)

    def _hear_answer(self, status: int) -> None:
        with contextlib.suppress(RuntimeError):  # the window is gone while a call of its service still finishes
            self.server_answered.emit(status)

    def on_server_answered(self, status: int) -> None:
        """Any answer means the server is reachable: "not checked yet" and "unreachable" are out of date.

        A 503 (maintenance, busy) is left to the call that got it; and an answer of the announcements, which
        are served during maintenance too, must not overwrite the maintenance shown."""
        if status != 503 and self.network in ("unknown", "offline"):
            self._show_network("online")

    def _show_network(self, network: str, detail: str | None = None) -> None:
        """Network state is shown apart from the licence: "server unreachable" never means "licence invalid"."""
        self.network = network
        texts = {
            "online": tr("Server reachable"),
            "offline": tr("Server unreachable — showing the licence saved on this computer"),
            "unknown": tr("Server not checked yet"),
            "maintenance": tr("Server under maintenance — showing the licence saved on this computer"),
        }
        self.network_label.setText(detail or texts.get(network, network))
        self.network_dot.setProperty("net", network)
        repolish(self.network_dot)

    # -- operations -----------------------------------------------------------------------------------

    def run(self, fn: Callable[[CancelToken], T], on_success: Callable[[T], None], **kw: Any) -> Op:
        """run_op with failures shown on this window; kept in ``ops`` so tests and close() can see them."""
        kw.setdefault("on_failure", self.on_op_failed)
        return run_kept(self, self.ops, fn, on_success=on_success, **kw)

    def reauthenticate(self, *, quiet: bool = False) -> Op | None:
        if self.status is not None and not self.status.has_licence:
            self.refresh_local()  # nothing to check online yet: the state is 未登录 / 未激活
            return None
        return self.run(
            lambda cancel: self.service.reauthenticate(cancel=cancel),
            self.on_reauthenticate_succeeded,
            on_failure=self.on_reauthenticate_failed,
            progress_text=tr("Authenticating online…"),
            trigger=None if quiet else self.auth_page.button_for(Action.REAUTHENTICATE),
        )

    def on_reauthenticate_succeeded(self, result: LocalStatus) -> None:
        view = presenter.status_view(result, self.service)
        network = presenter.network_after_check(self.service, view)
        if network is not None:
            self._show_network(network)
        self.auth_page.show_error(None)
        self.show_status(view)
        self.background.reschedule()  # whoever checked, the next silent check counts from now

    def on_reauthenticate_failed(self, exc: BaseException) -> None:
        self.on_op_failed(exc)
        # The server's verdict (or our offline evaluation) decides the state, never the failure alone.
        self.refresh_local()
        self.background.reschedule()

    def on_op_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            return
        if isinstance(exc, NetworkError):
            self._show_network("offline")
        elif isinstance(exc, ApiError):
            self._show_network("online")
        else:
            log.error("operation failed", exc_info=exc)
        self.auth_page.show_error(presenter.error_text(exc))

    def refresh_local(self) -> None:
        self.show_status(presenter.status_view(self.service.local_status(), self.service))

    def on_tick_timeout(self) -> None:
        if self.status is not None:
            self.auth_page.show_status(self.status, self._now())
            self._refresh_banner()

    # -- banner, background checks, add-ons, certification, deactivating this computer ---------------------

    def _refresh_banner(self) -> None:
        self.banner.set_maintenance(self.service.maintenance)
        self.banner.set_announcements(self.announcements)
        self.banner.set_status(self.status)
        self.banner.refresh(self._now())

    def on_announcements_read(self, announcements: list[Announcement]) -> None:
        self.announcements = list(announcements)
        self._refresh_banner()

    def on_background_checked(self, status: LocalStatus | None, announcements: list[Announcement] | None) -> None:
        if announcements is not None:
            self.announcements = list(announcements)
        if status is not None:
            self.on_reauthenticate_succeeded(status)
        else:
            self._refresh_banner()

    def on_background_failed(self, exc: BaseException) -> None:
        """Silent: a background check never writes an error line; only the network state and the state change."""
        if isinstance(exc, NetworkError):
            self._show_network("offline")
        if not isinstance(exc, CancelledError):
            self.refresh_local()

    def open_addons(self) -> None:
        from app.ui.activation.addons_dialog import AddonsDialog

        AddonsDialog.ask(self, self.service, self.status, on_changed=self.on_reauthenticate_succeeded)

    def open_certification(self) -> None:
        from app.ui.activation.certification_dialog import CertificationDialog

        CertificationDialog.ask(self, self.service, self.status, on_changed=self.on_reauthenticate_succeeded)

    def confirm_deactivate_this_machine(self) -> QMessageBox:
        """One click and one confirmation: the seat is freed so the licence can move to a new PC."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            tr("Deactivate this computer"),
            tr(
                "Deactivate this computer and free its seat? The licence then no longer works here, and you can "
                "activate it on your new PC with the same serial number and CDkey."
            ),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        confirm = box.addButton(tr("Deactivate"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(box.addButton(tr("Cancel"), QMessageBox.ButtonRole.RejectRole))  # Qt's own is untranslated
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: self.deactivate_this_machine() if box.clickedButton() is confirm else None)
        self.deactivate_box = box
        box.open()
        return box

    def deactivate_this_machine(self) -> Op:
        return self.run(
            lambda cancel: self.service.deactivate_this_machine(cancel=cancel),
            self.on_reauthenticate_succeeded,
            progress_text=tr("Deactivating this computer…"),
            trigger=self.auth_page.button_for(DEACTIVATE_THIS_MACHINE),
        )

    # -- actions --------------------------------------------------------------------------------------

    def on_action_requested(self, action: str) -> None:
        handlers: dict[str, Callable[[], object]] = {
            Action.SIGN_IN: self.open_sign_in,
            Action.SWITCH_ACCOUNT: self.open_sign_in,
            Action.ACTIVATE: self.open_activation,
            Action.REAUTHENTICATE: self.reauthenticate,
            Action.MANAGE_MACHINES: self.open_machines,
            Action.BUY_SEATS: self.open_seat_purchase,
            Action.UPGRADE: self.open_upgrade_page,
            Action.REREGISTER: self.reregister,
            Action.BUY: self.open_purchase,
            Action.RENEW: self.renewal_pages.open_renewal,
            Action.BUY_LEDGERS: self.renewal_pages.open_renewal,  # a cloud renewal sets the ledger count
            Action.ARCHIVE_LEDGERS: self.renewal_pages.open_archive,
            OPEN_SETTINGS: self.open_settings,
            Action.CHECK_CONNECTION: self.open_settings,
            Action.OFFLINE_ACTIVATION: self.open_offline,
            Action.CERTIFY: self.open_certification,
            OPEN_ADDONS: self.open_addons,
            DEACTIVATE_THIS_MACHINE: self.confirm_deactivate_this_machine,
            Action.CONTACT_SUPPORT: self.open_support,
            Action.UPDATE_PANEL: lambda: self.open_support(update=True),
            Action.CHECK_CLOCK: self.open_clock_settings,
        }
        handler = handlers.get(action)
        if handler is None:
            self._explain_unavailable(action)
            return
        handler()

    def _explain_unavailable(self, action: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            action_label(action),
            tr("This is done on the vendor's website or by support for now; this panel will offer it later."),
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def open_offline(self) -> None:
        from app.ui.offline.offline_dialog import open_offline_dialog

        open_offline_dialog(self)

    def open_support(self, *, update: bool = False) -> None:
        """联系客服 (or, after a signing-key rotation, the panel's download page) with the server's contacts."""
        from app.ui.support.support_dialog import SupportDialog

        self.support_dialog = SupportDialog.ask(self, self.service, self.status, update=update)

    def open_clock_settings(self) -> None:
        from app.ui.support.support_dialog import open_date_time_settings

        self.clock_box = open_date_time_settings(self)

    def open_sign_in(self) -> None:
        from app.ui.auth.sign_in_dialog import SignInDialog

        # 激活账号异常 / IP held by another account: the dialog says whom to sign in as (masked by the server).
        expected = self.status.sign_in_as if self.status is not None else None
        SignInDialog.ask(self, self.service, self.on_signed_in, demo_logins=self.demo_logins, expected_login=expected)

    def on_signed_in(self, _account: Account | None) -> None:
        self.refresh_local()
        self.reauthenticate(quiet=True)

    def on_sign_out_triggered(self) -> None:
        def failed(exc: BaseException) -> None:
            self.on_op_failed(exc)
            self.refresh_local()  # signed out locally all the same

        self.run(
            lambda cancel: self.service.sign_out(cancel=cancel),
            lambda _r: self.refresh_local(),
            on_failure=failed,
            progress_text=tr("Signing out…"),
        )

    def open_activation(self) -> None:
        from app.ui.activation.activation_wizard import ActivationWizard
        from app.ui.auth.sign_in_dialog import SignInDialog

        if self.status is None or not self.status.signed_in:
            # The checklist starts with "who is signed in": sign in first, then come back here.
            def signed_in_then_activate(account: Account) -> None:
                self.on_signed_in(account)
                self.open_activation()

            SignInDialog.ask(self, self.service, signed_in_then_activate, demo_logins=self.demo_logins)
            return
        wizard = ActivationWizard(self, self.service, on_activated=self.on_activated, demo_logins=self.demo_logins)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.confirm_step.failed.connect(lambda _exc: self._after_failed_activation(wizard))
        wizard.account_switched.connect(lambda: self.on_signed_in(None))
        self.wizard = wizard
        wizard.open()

    def _after_failed_activation(self, wizard: ActivationWizard) -> None:
        # e.g. TOO_MANY_MACHINES: the service recorded the state; 设备管理 then needs that licence's id.
        self.pending_licence_id = wizard.failed_licence_id()
        self._show_network("online")  # the server answered: it said no, it was not unreachable
        self.refresh_local()

    def on_activated(self, result: LocalStatus) -> None:
        self._show_network("online")
        self.auth_page.show_error(None)
        self.show_status(presenter.status_view(result, self.service))

    def open_purchase(self) -> PurchaseDialog:
        """立即购买: after payment the dialog re-authenticates by itself and hands the new status here.

        Bound to the host program's ledger-year when the panel was started with one; otherwise the dialog asks."""
        from app.ui.purchase.purchase_dialog import PurchaseDialog

        ledger_id, fiscal_year = self.ledger_year or (None, None)
        return PurchaseDialog.open_for(
            self,
            self.service,
            ledger_id=ledger_id,
            fiscal_year=fiscal_year,
            on_paid=self.on_purchase_paid,
            on_manage_machines=self.open_machines,
            on_action=self.on_action_requested,  # nothing can be bought: the state's action, as on 系统认证
            on_refund=self.open_refund,
            after=self.startup,
        )

    def open_refund(self, order_id: int) -> None:
        """我的订单 with that order chosen: its refund rule and the 申请退款 button (confirmed there)."""
        self.orders_page.focus_order(order_id)
        self.show_page("orders")

    def on_purchase_paid(self, status: LocalStatus) -> None:
        self.on_reauthenticate_succeeded(status)
        self.payment_applied.emit()

    def open_seat_purchase(self) -> SeatPurchaseDialog | None:
        """增购台数: seats for the licence shown (or the one an activation was just refused on for lack of seats)."""
        from app.ui.purchase.seat_dialog import SeatPurchaseDialog

        licence_id = self.status.licence_id if self.status is not None else None
        licence_id = licence_id if licence_id is not None else self.pending_licence_id
        if licence_id is None:
            return None
        self.seat_dialog = SeatPurchaseDialog.open_for(self, self.service, licence_id, on_paid=self.on_seats_paid)
        return self.seat_dialog

    def on_seats_paid(self, status: LocalStatus) -> None:
        self.on_reauthenticate_succeeded(status)  # seated here: the new maximum; refused here: activate now
        self.payment_applied.emit()

    def open_upgrade_page(self) -> Op:
        """激活次数已用完 → the vendor's page selling the paid editions, as the server names it for this market."""
        from app.domain.support import market_for_language

        market = market_for_language(i18n.current_language())
        return self.run(
            lambda cancel: self.service.support_contacts(market, cancel=cancel),
            self.on_upgrade_contacts,
            progress_text=tr("Opening the vendor's page…"),
            trigger=self.auth_page.button_for(Action.UPGRADE),
        )

    def on_upgrade_contacts(self, contacts: SupportContacts) -> None:
        url = contacts.purchase_url or contacts.help_url
        if not url or not QDesktopServices.openUrl(QUrl(url)):
            self.open_support()  # no page known (or no browser): support sells the upgrade too
            return
        self.upgrade_url_opened = url

    def open_machines(self) -> None:

        licence_id = self.status.licence_id if self.status is not None else None
        licence_id = licence_id if licence_id is not None else self.pending_licence_id
        if licence_id is not None:
            self.open_machines_for(licence_id)

    def open_machines_for(self, licence_id: int) -> None:
        from app.ui.machines.machines_dialog import MachinesDialog

        dialog = MachinesDialog(self, self.service, licence_id)
        dialog.finished.connect(lambda _r: self._after_machines(dialog))
        dialog.open()

    def _after_machines(self, dialog: MachinesDialog) -> None:
        if dialog.changed:
            self.refresh_local()
            self.reauthenticate(quiet=True)

    def reregister(self) -> Op:
        return self.run(
            lambda cancel: self.service.reregister(cancel=cancel),
            self.on_reauthenticate_succeeded,
            progress_text=tr("Re-registering this computer…"),
            trigger=self.auth_page.button_for(Action.REREGISTER),
        )

    def open_settings(self) -> None:
        from app.ui.settings.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self, self.service)
        dialog.accepted.connect(lambda: self._after_settings(dialog.chosen_language))
        dialog.open()

    def _after_settings(self, language: str | None) -> None:
        if language and language != i18n.current_language():
            self.switch_language(language)
        self.reauthenticate(quiet=True)

    def switch_language(self, language: str) -> None:
        """Re-translate live: the widgets are rebuilt in the new language and the last state re-rendered."""
        i18n.set_language(language)
        try:
            self.service.apply_settings(self.service.settings.replace(language=language))
        except Exception:  # remembering the choice is a nicety; the switch itself already happened
            log.warning("could not save the language setting", exc_info=True)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_language(app)  # Persian mirrors the layout; each language gets a font with its script
        # The user stays where they were (续费 with its period, an open payment…), only the words change.
        shown, states = self.current_page(), self._page_states()
        self._stop_pages()
        self._build()
        self._restore_pages(states, shown)
        if self.status is not None:
            self.refresh_local()  # state texts are made in the language of the moment: evaluate them again

    def closeEvent(self, event: QCloseEvent) -> None:
        self.background.stop()
        if self._hear_answer in self.service.answer_listeners:
            self.service.answer_listeners.remove(self._hear_answer)
        for op in list(self.ops):
            op.cancel()
        super().closeEvent(event)
