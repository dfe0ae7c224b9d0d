"""Driving the mini ledger (examples/mini_ledger) the way its user does — click, type, wait for the screen — for
its GUI tests and its screenshots (scripts/render_mini_ledger_screens.py). ``wait(condition)`` runs the event loop
until the condition holds: pytest-qt's ``waitUntil`` in the tests, ``render_common.wait_until`` in the script."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.host import LicenceHost
from app.host.qt import HostPanel
from app.ui.purchase.purchase_dialog import PurchaseDialog
from examples.mini_ledger.dialogs import ArchiveConfirmation
from examples.mini_ledger.launch import DEMO_LICENCE
from examples.mini_ledger.window import MiniLedgerWindow

Wait = Callable[[Callable[[], bool]], None]


def open_mini_ledger(host: LicenceHost, demo_logins: list[tuple[str, str]], size: tuple[int, int]) -> MiniLedgerWindow:
    window = MiniLedgerWindow(host, HostPanel(host, demo_logins=demo_logins))
    window.resize(*size)
    window.show()
    return window


def idle(window: MiniLedgerWindow, wait: Wait) -> None:
    wait(lambda: not window.busy)


def start_demo(window: MiniLedgerWindow, wait: Wait, login: tuple[str, str], scenarios: Mapping[str, Any]) -> None:
    """What ``--demo`` does: sign in as the demo customer, activate the demo licence, read the books."""
    window.start(login=login, demo_licence=scenarios[DEMO_LICENCE])
    wait(lambda: window.books is not None)
    idle(window, wait)


def create_ledger(window: MiniLedgerWindow, wait: Wait, code: str, name: str) -> None:
    window.new_button.click()
    dialog = window.new_ledger_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.code_edit.setText(code)
    dialog.name_edit.setText(name)
    dialog.create_button.click()
    idle(window, wait)


def ask_archive(window: MiniLedgerWindow, code: str) -> ArchiveConfirmation:
    """Select the ledger, press "archive" (the refusal's way out when it is shown); the confirmation is open."""
    window.select_ledger(code)
    button = window.limit_archive_button if window.limit_box.isVisible() else window.archive_button
    button.click()
    box = window.archive_box
    assert box is not None and box.isVisible()
    return box


def confirm_archive(window: MiniLedgerWindow, wait: Wait, box: ArchiveConfirmation) -> None:
    box.archive_button.click()
    idle(window, wait)


def open_year(window: MiniLedgerWindow, wait: Wait, code: str, fiscal_year: int | None = None) -> None:
    """进入账套 ``code`` in ``fiscal_year`` (None: the year proposed on selecting it, the ledger's latest)."""
    window.select_ledger(code)
    if fiscal_year is not None:
        window.year_spin.setValue(fiscal_year)
    window.open_button.click()
    idle(window, wait)


def post(window: MiniLedgerWindow, wait: Wait, count: int) -> None:
    window.count_spin.setValue(count)
    window.post_button.click()
    idle(window, wait)


def open_purchase(window: MiniLedgerWindow, wait: Wait, button: Any) -> PurchaseDialog:
    """立即购买 (or the quota's "buy vouchers for …"): the panel's dialog, loaded."""
    button.click()
    wait(lambda: window.purchase is not None and window.purchase.dialog is not None)
    run = window.purchase
    assert run is not None and run.dialog is not None
    dialog = run.dialog
    wait(lambda: not dialog.ops and dialog.catalogue is not None)
    return dialog


def choose_and_confirm(dialog: PurchaseDialog, modules: tuple[str, ...], voucher_packs: int) -> None:
    """Tick the modules and the 100-voucher packs, go to the confirmation and tick it."""
    for module in modules:
        dialog.buy_controls[module].setChecked(True)  # type: ignore[union-attr]
    dialog.buy_controls["vouchers_100"].setValue(voucher_packs)  # type: ignore[union-attr]
    dialog.buy_button.click()
    dialog.confirm_tick.setChecked(True)


def pay(dialog: PurchaseDialog, wait: Wait, press_pay: Callable[[str], object]) -> None:
    """Place the order, pay it on the sandbox pay page (``press_pay(url)``, the payer's phone), wait until applied."""
    dialog.pay_button.click()
    wait(lambda: dialog.pages.currentWidget() is dialog.payment_view)
    press_pay(dialog.payment_view.link.value.text())
    dialog.payment_view.paid_button.click()
    wait(lambda: dialog.paid_catalogue is not None and not dialog.ops)
