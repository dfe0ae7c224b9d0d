"""The panel's screens inside a Qt host program's QApplication (the non-GUI API is ``app.host``).

``HostPanel`` opens them for one ``LicenceHost``:

- ``open_purchase(parent, ledger_id, fiscal_year)``: 立即购买 over the host's window, bound to the ledger-year the
  user works in (moving away takes a confirmation showing both); sign-in first when nobody is signed in;
- ``open_renewal()`` and ``open_system_auth()``: the panel's window on 续费 or 系统认证;
- ``licence_widget(parent)``: 系统认证 embedded in a host window (``LicenceWidget``).

Each opened screen is a run with ``finished(exit code)``, the codes of ``python -m app purchase|renew|open`` (0
something was paid, check again; 1 closed without paying; ``open`` 0). ``HostPanel.payment_applied`` fires after
any payment made through them, once the fresh signed document is cached: ``LicenceHost.check`` answers anew.
Nothing here quits the application: the host owns it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from app import i18n
from app.domain.purchase_scope import Notice, Screen, requested_ledger_year, screen_exit_code
from app.host.api import LicenceHost
from app.services.local_status import LocalStatus
from app.ui.auth.sign_in_dialog import SignInDialog
from app.ui.collector import collect_on_gui_thread
from app.ui.main_window import MainWindow
from app.ui.purchase.purchase_dialog import PurchaseDialog
from app.ui.runner import CancelToken, Op, run_op
from app.ui.screens import ScreenRun, open_screen
from app.ui.status_view import StatusView
from app.ui.theme import apply_theme

__all__ = ["HostPanel", "LicenceWidget", "PurchaseRun", "apply_panel_look", "collect_on_gui_thread"]

PANEL_SIZE = (1040, 720)


def apply_panel_look(app: QApplication) -> None:
    """The panel's style sheet, fonts and writing direction for the current language, application-wide."""
    apply_theme(app)


def ledger_year_of(ledger_id: int | None, fiscal_year: int | None) -> tuple[int, int] | None:
    """Both or neither, as ``--ledger``/``--year``; a wrong pair is the host's bug: ValueError."""
    requested = requested_ledger_year(ledger_id, fiscal_year)
    if isinstance(requested, Notice):
        raise ValueError(f"ledger_id={ledger_id!r}, fiscal_year={fiscal_year!r}: {requested.msgid}")
    return requested


def start_panel(window: MainWindow) -> None:
    """``MainWindow.start()``, except that a session the host signed in already is used as it is rather than
    resumed from the keyring again (a session signed in without 记住我 has nothing there to resume)."""
    if not window.service.signed_in:
        window.start()
        return
    window.refresh_local()
    service = window.service

    def check_online(cancel: CancelToken) -> LocalStatus:
        if service.local_status().document is None:  # nothing to check online yet (未激活)
            return service.local_status()
        return service.reauthenticate(cancel=cancel)

    window.startup = window.run(
        check_online,
        window.on_reauthenticate_succeeded,
        on_failure=window.on_reauthenticate_failed,
        silent=True,  # as at the panel's start-up: the window stays usable meanwhile
    )


class PurchaseRun(QObject):
    """One 立即购买 the host opened: ``finished(exit code)`` when its dialog closes (0 something was paid, 1 not)."""

    finished = Signal(int)

    def __init__(self, panel: HostPanel, parent: QWidget, ledger_year: tuple[int, int] | None) -> None:
        super().__init__(panel)
        self.panel = panel
        self.parent_widget = parent
        self.ledger_year = ledger_year
        self.paid = False
        self.over = False
        self.dialog: PurchaseDialog | None = None
        self.sign_in: SignInDialog | None = None
        self.op: Op | None = None

    @property
    def exit_code(self) -> int:
        return screen_exit_code("purchase", self.paid)

    def start(self) -> None:
        """Signed in already, or the remembered session resumed (off the GUI thread), or 登录 first."""
        host = self.panel.host
        if host.signed_in:
            self.show_purchase()
            return
        self.op = run_op(
            self.parent_widget,
            lambda cancel: host.restore_session(cancel=cancel),
            on_success=self.on_session_checked,
            on_failure=lambda _exc: self.on_session_checked(False),
            on_cancelled=self.finish,
        )

    def on_session_checked(self, signed_in: bool) -> None:
        self.op = None
        if signed_in:
            self.show_purchase()
            return
        self.sign_in = SignInDialog.ask(
            self.parent_widget, self.panel.host.service, lambda _account: None, demo_logins=self.panel.demo_logins
        )
        # Signed in or not, 立即购买 follows, as `python -m app purchase` does: it says what is missing.
        self.sign_in.accepted.connect(self.show_purchase)
        self.sign_in.rejected.connect(self.show_purchase)

    def show_purchase(self) -> None:
        self.sign_in = None
        ledger_id, fiscal_year = self.ledger_year or (None, None)
        self.dialog = PurchaseDialog.open_for(
            self.parent_widget,
            self.panel.host.service,
            ledger_id=ledger_id,
            fiscal_year=fiscal_year,
            on_paid=self.on_paid,
            on_manage_machines=self.open_machines,
        )
        self.dialog.finished.connect(self.on_dialog_finished)

    def open_machines(self) -> None:
        """设备管理 from a purchase blocked by 认证超台数: the panel's 系统认证, where it is."""
        self.panel.open_system_auth()

    def on_paid(self, _status: LocalStatus) -> None:
        self.paid = True
        self.panel.payment_applied.emit()

    def on_dialog_finished(self, _result: int) -> None:
        self.dialog = None
        self.finish()

    def finish(self) -> None:
        if not self.over:
            self.over = True
            self.finished.emit(self.exit_code)
            self.panel.forget(self)


class HostPanel(QObject):
    """The panel's screens for one ``LicenceHost``, inside the host's QApplication.

    ``demo_logins`` ((login, password) pairs) are shown on the sign-in dialog, as ``python -m app --demo`` does.
    """

    # Something was paid through a screen opened here and the fresh signed document is cached: check again.
    payment_applied = Signal()

    def __init__(
        self, host: LicenceHost, parent: QObject | None = None, *, demo_logins: Sequence[tuple[str, str]] = ()
    ) -> None:
        super().__init__(parent)
        self.host = host
        self.demo_logins = list(demo_logins)
        self.runs: list[QObject] = []  # open screens, kept until they finish

    def open_purchase(
        self, parent: QWidget, ledger_id: int | None = None, fiscal_year: int | None = None
    ) -> PurchaseRun:
        """立即购买 over ``parent`` for exactly this ledger-year (None and None: the dialog asks for it first)."""
        run = PurchaseRun(self, parent, ledger_year_of(ledger_id, fiscal_year))
        self.runs.append(run)
        run.start()
        return run

    def open_renewal(self, ledger_id: int | None = None, fiscal_year: int | None = None) -> ScreenRun:
        """The panel's window on 续费; ``finished`` when it is closed (0 when something was paid)."""
        return self._open_window("renew", ledger_year_of(ledger_id, fiscal_year))

    def open_system_auth(self, ledger_id: int | None = None, fiscal_year: int | None = None) -> ScreenRun:
        """The panel's window on 系统认证 (its 立即购买 bound to the ledger-year, when given)."""
        return self._open_window("open", ledger_year_of(ledger_id, fiscal_year))

    def licence_widget(
        self, parent: QWidget | None = None, *, ledger_id: int | None = None, fiscal_year: int | None = None
    ) -> LicenceWidget:
        """系统认证 to embed in a host window; payments made in it count as this panel's."""
        return LicenceWidget(self, parent, ledger_year=ledger_year_of(ledger_id, fiscal_year))

    def forget(self, run: QObject) -> None:
        if run in self.runs:
            self.runs.remove(run)

    def _open_window(self, screen: Screen, ledger_year: tuple[int, int] | None) -> ScreenRun:
        window = MainWindow(self.host.service, demo_logins=self.demo_logins, ledger_year=ledger_year)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.resize(*PANEL_SIZE)
        window.payment_applied.connect(self.payment_applied)
        window.show()
        start_panel(window)
        run = open_screen(window, screen)
        self.runs.append(run)
        run.finished.connect(lambda _code: self.forget(run))
        return run


class LicenceWidget(QWidget):
    """系统认证 — the panel itself (its state, actions, orders, renewal) — embedded in a host window.

    Call ``start()`` once the host has signed in (or to let the panel resume the remembered session). Signals:
    ``state_changed(code)`` with the first state and whenever it changes (ACTIVE, LEDGER_LIMIT_EXCEEDED, …);
    ``entitlements_changed()`` when the modules opened or the voucher figures of the signed document change
    (after a payment, 在线认证, a refund); ``payment_applied()`` after a payment made in it;
    ``language_changed(lang)`` when the user switches the panel's language.
    """

    state_changed = Signal(str)
    entitlements_changed = Signal()
    payment_applied = Signal()
    language_changed = Signal(str)

    def __init__(
        self, panel: HostPanel, parent: QWidget | None = None, *, ledger_year: tuple[int, int] | None = None
    ) -> None:
        super().__init__(parent)
        self.panel = panel
        self.started = False
        self._state: str | None = None
        self._entitlements: object = None
        self._language = i18n.current_language()
        self.panel_window = MainWindow(panel.host.service, demo_logins=panel.demo_logins, ledger_year=ledger_year)
        self.panel_window.setWindowFlags(Qt.WindowType.Widget)  # a child widget, not a window of its own
        self.panel_window.setMinimumSize(0, 0)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.panel_window)
        self.panel_window.status_changed.connect(self.on_status_changed)
        self.panel_window.payment_applied.connect(self.payment_applied)
        self.payment_applied.connect(panel.payment_applied)
        # A payment through another screen: the document in the cache is new, show it here too.
        panel.payment_applied.connect(self.panel_window.refresh_local)

    @property
    def busy(self) -> bool:
        """A call of the embedded panel is running (tests and hosts wait for it)."""
        return bool(self.panel_window.ops)

    def start(self) -> None:
        if not self.started:
            self.started = True
            start_panel(self.panel_window)

    def refresh(self) -> None:
        """Show the cached licence again: the host refreshed it (``LicenceHost.refresh``) or changed ledgers."""
        self.panel_window.refresh_local()

    def set_ledger_year(self, ledger_id: int | None, fiscal_year: int | None) -> None:
        """Where the user works now: the embedded 立即购买 is bound to it (None and None: it asks)."""
        self.panel_window.ledger_year = ledger_year_of(ledger_id, fiscal_year)

    def stop(self) -> None:
        """Stop the panel's background checks and calls (the host's window is closing)."""
        self.panel_window.close()

    def on_status_changed(self, view: StatusView) -> None:
        code = view.code.value
        if code != self._state:
            self._state = code
            self.state_changed.emit(code)
        doc = self.panel.host.service.local_status().document
        entitlements = (frozenset(doc.entitlements), doc.vouchers) if doc is not None else None
        if entitlements != self._entitlements:
            self._entitlements = entitlements
            self.entitlements_changed.emit()
        language = i18n.current_language()
        if language != self._language:
            self._language = language
            self.language_changed.emit(language)
