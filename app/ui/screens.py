"""The screen a host program asked the panel for (``python -m app [--ledger ID --year YYYY] purchase|renew|open``).

``purchase`` opens 立即购买 over the panel (bound to the host's ledger-year when one was given; 登录 first when no
account is signed in on this computer, since nothing can be bought signed out) and is over when that dialog
closes; ``renew`` shows the renewal page and ``open`` 系统认证, and are over when the panel is closed. Whether
something was paid meanwhile is the exit code the host reads (app/domain/purchase_scope.py ``screen_exit_code``).
Quitting the application is the caller's business: a Python host embedding the panel must not be quit by it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Signal

from app.domain.purchase_scope import Screen, screen_exit_code
from app.ui.main_window import MainWindow

if TYPE_CHECKING:  # imported when the screen is purchase: the panel's first paint needs no dialog
    from app.ui.auth.sign_in_dialog import SignInDialog
    from app.ui.purchase.purchase_dialog import PurchaseDialog


class ScreenRun(QObject):
    """One opened screen: notes payments, and says ``finished(exit code)`` when the screen is over."""

    finished = Signal(int)

    def __init__(self, window: MainWindow, screen: Screen | None) -> None:
        super().__init__(window)
        self.window = window
        self.screen = screen
        self.paid = False
        self.dialog: PurchaseDialog | None = None
        self.sign_in: SignInDialog | None = None
        self.over = False
        window.payment_applied.connect(self.on_payment_applied)
        window.installEventFilter(self)

    @property
    def exit_code(self) -> int:
        return screen_exit_code(self.screen, self.paid)

    def on_payment_applied(self) -> None:
        self.paid = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.finish()
        return False

    def open_purchase(self) -> None:
        """Once the start-up has resumed the remembered session: 立即购买, after 登录 when nobody is signed in."""
        startup = self.window.startup
        if startup is not None and startup.running:
            startup.finished.connect(self.open_purchase)
            return
        status = self.window.status
        if status is not None and not status.signed_in:
            from app.ui.auth.sign_in_dialog import SignInDialog

            self.sign_in = SignInDialog.ask(
                self.window, self.window.service, self.window.on_signed_in, demo_logins=self.window.demo_logins
            )
            # Signed in (after the window took note of it) or not, 立即购买 follows: it says what is missing.
            self.sign_in.accepted.connect(self.show_purchase)
            self.sign_in.rejected.connect(self.show_purchase)
            return
        self.show_purchase()

    def show_purchase(self) -> None:
        self.sign_in = None
        self.dialog = self.window.open_purchase()
        self.dialog.finished.connect(self.on_dialog_finished)

    def on_dialog_finished(self, _result: int) -> None:
        """立即购买 closed: the host's purchase is over, and the panel opened for it closes with it.

        Unless it closed to hand the user to the panel (nothing could be bought: activate, renew, refund…): then
        the panel stays, and the screen is over when the panel is closed, as for ``renew``."""
        handed_over = self.dialog is not None and self.dialog.handed_over is not None
        self.dialog = None
        if handed_over:
            return
        self.finish()
        self.window.close()

    def finish(self) -> None:
        if not self.over:
            self.over = True
            self.finished.emit(self.exit_code)


def open_screen(window: MainWindow, screen: Screen | None) -> ScreenRun:
    """Show ``screen`` on a started panel window (None and ``open``: 系统认证 as always)."""
    run = ScreenRun(window, screen)
    if screen == "renew":
        window.show_page("renewal")
    elif screen == "purchase":
        run.open_purchase()
    return run
