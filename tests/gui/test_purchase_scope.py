"""Which ledger-year 立即购买 is for, against the real server: asked first from 系统认证, bound to the host program's
ledger-year otherwise (leaving it confirmed with both shown), and `python -m app --ledger --year purchase|renew`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication

import app.ui.launch
from app import cli
from app.ui.main_window import MainWindow
from app.ui.purchase.purchase_dialog import PurchaseDialog
from app.ui.purchase.scope_change import ScopeChangeDialog
from app.ui.screens import open_screen
from tests.gui.conftest import trusted_keys
from tests.gui.helpers import TIMEOUT, open_window, top_dialog
from tests.gui.purchase_setup import Buyer, make_buyer
from tests.gui.test_purchase import choose_target, open_dialog, pick_in_picker

pytestmark = pytest.mark.gui

BOUND_NOTE = "Set by the accounting software: the ledger and fiscal year you are working in."


@pytest.fixture
def buyer(sqlite_server, make_service) -> Buyer:
    return make_buyer(sqlite_server, make_service(sqlite_server.url, trusted=trusted_keys(sqlite_server)))


# -- opened from 系统认证: nothing chosen for the user -----------------------------------------------------------


def test_opened_without_a_ledger_year_it_asks_for_the_ledger_and_the_year_first(qtbot, panel_app, buyer):
    dialog = open_dialog(qtbot, buyer.service)
    assert dialog.choosing and dialog.target is None and dialog.catalogue is None
    assert dialog.target_label.text() == "Choose the ledger and fiscal year first"
    assert dialog.chooser.isVisible() and not dialog.change_button.isVisible()
    assert dialog.ledger_combo.currentIndex() == -1 and dialog.ledger_combo.currentText() == ""
    assert [dialog.ledger_combo.itemText(i) for i in range(dialog.ledger_combo.count())] == [
        "A · 总公司账套",
        "B · 分公司账套",
    ]
    assert not dialog.year_combo.isEnabled() and dialog.year_combo.currentIndex() == -1
    assert not dialog.table.isVisible() and dialog.scope_hint.isVisible()
    assert not dialog.buy_button.isEnabled()

    # The ledger alone is not a target: the year is chosen too, and nothing is guessed meanwhile.
    dialog.ledger_combo.setCurrentIndex(dialog.ledger_combo.findData(buyer.ledger_b))
    assert dialog.year_combo.isEnabled() and dialog.year_combo.currentIndex() == -1
    assert [dialog.year_combo.itemText(i) for i in range(dialog.year_combo.count())] == [
        "Fiscal year 2025",
        "Fiscal year 2024",
    ]
    assert dialog.target is None and not dialog.buy_button.isEnabled() and not dialog.ops

    dialog.year_combo.setCurrentIndex(dialog.year_combo.findData(2024))
    qtbot.waitUntil(lambda: not dialog.ops and dialog.catalogue is not None, timeout=TIMEOUT)
    assert dialog.target_label.text() == "Ledger B · fiscal year 2024"
    assert dialog.table.isVisible() and not dialog.scope_hint.isVisible()
    assert not dialog.scope_note.isVisible()  # no host: nothing to be bound to
    assert not dialog.buy_button.isEnabled()  # a ledger-year, but nothing ticked yet
    dialog.buy_controls["period_close"].setChecked(True)
    assert dialog.buy_button.isEnabled()

    # Another ledger keeps the year the user chose when it has it; no confirmation without a host.
    dialog.ledger_combo.setCurrentIndex(dialog.ledger_combo.findData(buyer.ledger_a))
    qtbot.waitUntil(lambda: not dialog.ops and dialog.catalogue is not None, timeout=TIMEOUT)
    assert dialog.target_label.text() == "Ledger A · fiscal year 2024"
    assert dialog.scope_box is None
    dialog.reject()


# -- bound to the host program's ledger-year --------------------------------------------------------------------


def test_bound_dialog_shows_the_host_ledger_year_and_leaving_it_is_confirmed_showing_both(qtbot, panel_app, buyer):
    dialog = open_dialog(qtbot, buyer.service, ledger_id=buyer.ledger_b, fiscal_year=2024)
    qtbot.waitUntil(lambda: dialog.catalogue is not None, timeout=TIMEOUT)
    assert dialog.target_label.text() == "Ledger B · fiscal year 2024"
    assert dialog.target_name.text() == "分公司账套"
    assert dialog.scope_note.isVisible() and dialog.scope_note.text() == BOUND_NOTE
    assert not dialog.chooser.isVisible() and dialog.change_button.isVisible()
    assert dialog.voucher_label.text().endswith("30 / 50")

    # Cancel: the host's ledger-year stays, and nothing was loaded for the other one.
    pick_in_picker(qtbot, dialog, buyer.ledger_a, 2025)
    box = dialog.scope_box
    assert isinstance(box, ScopeChangeDialog) and box.isVisible()
    assert box.bound_label.text() == "Ledger B · fiscal year 2024"
    assert box.new_label.text() == "Ledger A · fiscal year 2025"
    assert box.change_button.text() == "Buy for Ledger A · fiscal year 2025"
    assert box.keep_button.text() == "Keep Ledger B · fiscal year 2024" and box.keep_button.isDefault()
    qtbot.mouseClick(box.keep_button, Qt.MouseButton.LeftButton)
    assert not dialog.ops
    assert dialog.target_label.text() == "Ledger B · fiscal year 2024"
    assert dialog.catalogue.ledger.id == buyer.ledger_b and dialog.catalogue.fiscal_year == 2024
    assert dialog.scope_note.text() == BOUND_NOTE

    # Confirmed: the new ledger-year, and the header says which one the accounting software opened.
    choose_target(qtbot, dialog, buyer.ledger_a, 2025, confirm=True)
    assert dialog.target_label.text() == "Ledger A · fiscal year 2025"
    assert dialog.scope_note.text() == "Changed by you: the accounting software opened Ledger B · fiscal year 2024."
    dialog.buy_controls["tax_filing"].setChecked(True)
    qtbot.mouseClick(dialog.buy_button, Qt.MouseButton.LeftButton)
    assert "Ledger A · fiscal year 2025" in dialog.confirm_target.text()
    assert "the accounting software opened Ledger B · fiscal year 2024" in dialog.confirm_target.text()
    assert not dialog.change_button.isEnabled()  # what is being confirmed cannot change under the tick
    qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)
    assert dialog.change_button.isEnabled()

    # Back to what the host opened: no question asked.
    choose_target(qtbot, dialog, buyer.ledger_b, 2024)
    assert dialog.scope_note.text() == BOUND_NOTE
    dialog.reject()


def test_a_ledger_the_licence_does_not_have_is_said_in_the_dialog(qtbot, panel_app, buyer):
    dialog = open_dialog(qtbot, buyer.service, ledger_id=999_999, fiscal_year=2025)
    assert dialog.scope_problem.isVisible()
    assert dialog.scope_problem.text() == (
        "The accounting software asked for ledger 999999, fiscal year 2025, but this licence has no such ledger. "
        "Choose the ledger and fiscal year for this purchase."
    )
    assert dialog.choosing and dialog.target is None and not dialog.buy_button.isEnabled()
    choose_target(qtbot, dialog, buyer.ledger_a, 2024)  # the user chooses, as from 系统认证
    assert dialog.buy_controls
    dialog.reject()


def test_the_panel_started_with_a_ledger_year_binds_its_buy_now(qtbot, panel_app, buyer):
    window = open_window(qtbot, buyer.service, ledger_year=(buyer.ledger_a, 2024))
    qtbot.mouseClick(window.auth_page.action_buttons["BUY"], Qt.MouseButton.LeftButton)
    dialog = top_dialog(PurchaseDialog)
    qtbot.waitUntil(lambda: not dialog.ops and dialog.catalogue is not None, timeout=TIMEOUT)
    assert dialog.target_label.text() == "Ledger A · fiscal year 2024"
    assert dialog.scope_note.text() == BOUND_NOTE
    dialog.reject()
    window.close()


# -- python -m app --ledger ID --year YYYY purchase | renew -------------------------------------------------------


def run_command(
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    buyer: Buyer,
    data_dir: Path,
    argv: list[str],
    drive: Callable[[], None],
) -> int:
    """``python -m app …`` in this process: the real parser and start-up (the service is the buyer's, signed in on
    the test server); ``drive`` plays the user inside the panel's event loop.

    The application's own loop is swapped for a local one: once QApplication.exec() has returned through quit(), no
    event loop of the test process would start again (pytest-qt, "A note about QApplication.exit()")."""
    monkeypatch.setattr(app.ui.launch, "build_service", lambda paths, **kw: buyer.service)
    loop = QEventLoop()
    monkeypatch.setattr(QApplication, "exec", lambda _app: loop.exec())
    monkeypatch.setattr(QApplication, "quit", staticmethod(loop.quit))
    failures: list[BaseException] = []

    def play() -> None:
        try:
            drive()
        except BaseException as exc:  # end the event loop, then fail the test with it
            failures.append(exc)
            for widget in QApplication.topLevelWidgets():
                if isinstance(widget, PurchaseDialog | MainWindow) and widget.isVisible():
                    widget.close()

    watchdog = QTimer()
    watchdog.setSingleShot(True)
    watchdog.timeout.connect(lambda: loop.exit(99))  # never hang the suite on a screen that stays open
    watchdog.start(120_000)
    QTimer.singleShot(0, play)
    try:
        code = cli.main(["--data-dir", str(data_dir), "--lang", "en", *argv])
    finally:
        watchdog.stop()
    if failures:
        raise failures[0]
    return code


def bound_dialog(qtbot: Any) -> PurchaseDialog:
    qtbot.waitUntil(lambda: top_dialog(PurchaseDialog) is not None, timeout=TIMEOUT)
    dialog: PurchaseDialog = top_dialog(PurchaseDialog)
    qtbot.waitUntil(lambda: not dialog.ops and dialog.catalogue is not None, timeout=TIMEOUT)
    return dialog


def test_purchase_command_opens_bound_and_exits_0_after_a_sandbox_payment(
    qtbot, panel_app, buyer, monkeypatch, tmp_path
):
    seen: dict[str, str] = {}

    def pay() -> None:
        dialog = bound_dialog(qtbot)
        seen["target"], seen["note"] = dialog.target_label.text(), dialog.scope_note.text()
        dialog.buy_controls["period_close"].setChecked(True)
        qtbot.mouseClick(dialog.buy_button, Qt.MouseButton.LeftButton)
        dialog.confirm_tick.setChecked(True)
        qtbot.mouseClick(dialog.pay_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.payment_view, timeout=TIMEOUT)
        buyer.press_pay(dialog.payment_view.link.value.text())
        qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.done_page and not dialog.ops, timeout=TIMEOUT)
        dialog.accept()  # 关闭 on the paid page

    argv = ["--ledger", str(buyer.ledger_b), "--year", "2025", "purchase"]
    assert run_command(qtbot, monkeypatch, buyer, tmp_path / "cli", argv, pay) == 0
    assert seen == {"target": "Ledger B · fiscal year 2025", "note": BOUND_NOTE}
    doc = buyer.service.local_status().document
    assert {(e.module, e.ledger_id, e.fiscal_year) for e in doc.entitlements} == {
        ("period_close", buyer.ledger_b, 2025)
    }


def test_purchase_command_exits_1_when_closed_without_paying(qtbot, panel_app, buyer, monkeypatch, tmp_path):
    def close() -> None:
        dialog = bound_dialog(qtbot)
        assert dialog.target_label.text() == "Ledger A · fiscal year 2024"
        qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)

    argv = ["purchase", "--ledger", str(buyer.ledger_a), "--year", "2024"]
    assert run_command(qtbot, monkeypatch, buyer, tmp_path / "cli", argv, close) == 1


def test_renew_screen_is_the_renewal_page_and_says_whether_a_renewal_was_paid(qtbot, panel_app, buyer):
    from tests.gui.test_renewal import click, pay_and_wait, renewal_page

    window = open_window(qtbot, buyer.service)
    screen = open_screen(window, "renew")
    finished: list[int] = []
    screen.finished.connect(finished.append)
    page = renewal_page(qtbot, window)
    click(qtbot, page.order_button)
    pay_and_wait(qtbot, buyer.live, page)
    window.close()
    assert finished == [0]

    unpaid = open_screen(open_window(qtbot, buyer.service), "renew")
    unpaid.finished.connect(finished.append)
    renewal_page(qtbot, unpaid.window)
    unpaid.window.close()
    assert finished == [0, 1]


def test_purchase_screen_signs_in_first_when_nobody_is_signed_in(qtbot, panel_app, buyer):
    from app.ui.auth.sign_in_dialog import SignInDialog
    from tests.support.accounts import DEFAULT_PASSWORD

    buyer.service.sign_out()
    window = open_window(qtbot, buyer.service, ledger_year=(buyer.ledger_b, 2025))
    assert not window.status.signed_in
    screen = open_screen(window, "purchase")
    sign_in = top_dialog(SignInDialog)
    assert sign_in is not None and screen.dialog is None
    sign_in.login_edit.setText(buyer.login)
    sign_in.password_edit.setText(DEFAULT_PASSWORD)
    qtbot.mouseClick(sign_in.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.dialog is not None, timeout=TIMEOUT)
    dialog = bound_dialog(qtbot)
    assert dialog is screen.dialog
    assert dialog.target_label.text() == "Ledger B · fiscal year 2025" and dialog.buy_controls
    finished: list[int] = []
    screen.finished.connect(finished.append)
    dialog.reject()
    assert finished == [1] and not window.isVisible()
