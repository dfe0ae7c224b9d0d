"""增购台数, 续费 from 立即购买 and 升级到付费版, against the real demo server: the buttons are there and do it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from app import i18n
from app.domain.formatting import format_money
from app.ui.machines.machines_dialog import MachinesDialog
from app.ui.purchase.purchase_dialog import PurchaseDialog
from app.ui.purchase.seat_dialog import SeatPurchaseDialog
from server.models import Licence
from tests.gui.conftest import trusted_keys
from tests.gui.helpers import TIMEOUT, badge_code, idle, open_window, run_wizard, sign_in, top_dialog
from tests.gui.purchase_setup import Buyer, make_buyer

pytestmark = pytest.mark.gui


class UrlCatcher(QObject):
    """Stands in for the browser: the URLs the panel asked the system to open."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


@pytest.fixture
def browser():
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("https", catcher, "open")
    yield catcher
    QDesktopServices.unsetUrlHandler("https")


def press_pay(demo, pay_url: str) -> None:
    with demo.live.http() as http:
        assert http.post(pay_url, data={"method": "wechat"}, timeout=15).status_code == 200


def refused_for_seats(qtbot, demo, demo_service):
    """This computer signs in and tries the demo licence whose 3 seats are all taken: 认证超台数."""
    full = demo.scenario("seats_full")
    window = open_window(qtbot, demo_service)
    sign_in(qtbot, window, *demo.login)
    qtbot.waitUntil(lambda: badge_code(window) == "NOT_ACTIVATED", timeout=TIMEOUT)
    idle(qtbot, window)
    wizard = run_wizard(qtbot, window, full["serial"], full["cdkey"], full["org_id"])
    qtbot.waitUntil(wizard.confirm_step.machines_button.isVisible, timeout=TIMEOUT)
    wizard.close()
    qtbot.waitUntil(lambda: badge_code(window) == "TOO_MANY_MACHINES", timeout=TIMEOUT)
    idle(qtbot, window)
    return window, full


def test_too_many_machines_offers_a_seat_next_to_freeing_one_and_the_paid_seat_lets_this_computer_in(
    qtbot, panel_app, demo, demo_service
):
    i18n.set_language("en")
    window, full = refused_for_seats(qtbot, demo, demo_service)
    buttons = window.auth_page.action_buttons
    assert buttons["MANAGE_MACHINES"].isVisible() and buttons["BUY_SEATS"].isVisible()
    assert buttons["BUY_SEATS"].text() == "Buy more seats"

    qtbot.mouseClick(buttons["BUY_SEATS"], Qt.MouseButton.LeftButton)
    dialog = top_dialog(SeatPurchaseDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.ops and dialog.catalogue is not None, timeout=TIMEOUT)
    assert dialog.seats_label.text() == "Seats used: 3 of 3"
    # The server's price of seats_1 for the standard edition, in the panel's money format (not this part's).
    assert f"{format_money(29_900, 'CNY')} per seat" in dialog.item_label.text()
    assert not dialog.message.isVisible() and dialog.pay_button.isEnabled()
    dialog.quantity.setValue(2)
    assert dialog.total_label.text() == f"Total: {format_money(59_800, 'CNY')}"
    assert dialog.after_label.text() == "After payment this licence allows 5 computers."

    qtbot.mouseClick(dialog.pay_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.payment_view, timeout=TIMEOUT)
    assert "598" in dialog.payment_view.amount.text()
    press_pay(demo, dialog.payment_view.link.value.text())
    qtbot.mouseClick(dialog.payment_view.paid_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.done_page, timeout=TIMEOUT)
    assert dialog.done_seats.text() == "This licence now allows 5 computers (3 in use)."
    dialog.accept()

    # One more computer activates now: this one, with the same serial and CDkey.
    idle(qtbot, window)
    wizard = run_wizard(qtbot, window, full["serial"], full["cdkey"], full["org_id"])
    qtbot.waitUntil(lambda: wizard.confirm_step.result is not None, timeout=TIMEOUT)
    wizard.close()
    qtbot.waitUntil(lambda: badge_code(window) == "ACTIVE", timeout=TIMEOUT)
    assert demo_service.local_status().document.seats.max == 5


def test_the_machines_dialog_sells_a_seat_beside_deactivate(qtbot, panel_app, demo, demo_service):
    i18n.set_language("zh_CN")
    window, _full = refused_for_seats(qtbot, demo, demo_service)
    qtbot.mouseClick(window.auth_page.action_buttons["MANAGE_MACHINES"], Qt.MouseButton.LeftButton)
    machines = top_dialog(MachinesDialog)
    assert machines is not None
    qtbot.waitUntil(lambda: machines.table.rowCount() == 3, timeout=TIMEOUT)
    assert machines.buy_seats_button.text() == "增购台数" and machines.buy_seats_button.isVisible()
    assert machines.deactivate_button.isVisible()

    qtbot.mouseClick(machines.buy_seats_button, Qt.MouseButton.LeftButton)
    dialog = top_dialog(SeatPurchaseDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.ops and dialog.catalogue is not None, timeout=TIMEOUT)
    assert dialog.windowTitle() == "增购台数"
    assert dialog.after_label.text() == "支付后，该许可最多可在 4 台电脑上使用。"
    qtbot.mouseClick(dialog.pay_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.payment_view, timeout=TIMEOUT)
    press_pay(demo, dialog.payment_view.link.value.text())
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.done_page, timeout=TIMEOUT)  # noticed by polling
    assert dialog.done_seats.text() == "该许可现在最多可在 4 台电脑上使用（已使用 3 台）。"
    dialog.accept()
    qtbot.waitUntil(lambda: not machines.op.running, timeout=TIMEOUT)
    assert machines.seats.text() == "已用台数：3 / 4"
    assert machines.changed
    machines.reject()


def test_an_edition_without_seats_says_so_and_sells_nothing(qtbot, panel_app, sqlite_server, make_service):
    i18n.set_language("en")
    buyer: Buyer = make_buyer(sqlite_server, make_service(sqlite_server.url, trusted=trusted_keys(sqlite_server)))
    buyer.set_licence(expires_at=sqlite_server.clock.now() - timedelta(days=1))  # an expired licence renews first
    dialog = SeatPurchaseDialog.open_for(None, buyer.service, buyer.licence_id)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.ops and dialog.catalogue is not None, timeout=TIMEOUT)
    assert dialog.message.isVisible()
    assert dialog.message.text().startswith("Seats cannot be bought while the licence is in this state:")
    assert not dialog.pay_button.isEnabled() and not dialog.quantity.isEnabled()
    dialog.reject()


def test_an_expired_licence_is_sent_to_the_renewal_screen_from_buy_now(qtbot, panel_app, sqlite_server, make_service):
    i18n.set_language("en")
    buyer = make_buyer(sqlite_server, make_service(sqlite_server.url, trusted=trusted_keys(sqlite_server)))
    buyer.set_licence(expires_at=sqlite_server.clock.now() - timedelta(days=1))
    window = open_window(qtbot, buyer.service)
    window.reauthenticate()
    idle(qtbot, window)
    assert badge_code(window) == "EXPIRED"

    window.open_purchase()
    dialog = top_dialog(PurchaseDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.ops and dialog.local_state is not None, timeout=TIMEOUT)
    # No renewal line among a ledger's items any more: the one way is the button to the renewal screen.
    assert all(row.kind != "renewal" for row in dialog.rows)
    button = dialog.blocked_view.action_button
    assert button.isVisible() and button.text() == "Renew"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_page() == "renewal", timeout=TIMEOUT)
    idle(qtbot, window)


def test_no_activations_left_offers_the_upgrade_page_as_a_button(qtbot, panel_app, demo, demo_service, browser):
    i18n.set_language("zh_CN")
    free = demo.scenario("free_edition")
    window = open_window(qtbot, demo_service)
    sign_in(qtbot, window, *demo.login)
    qtbot.waitUntil(lambda: badge_code(window) == "NOT_ACTIVATED", timeout=TIMEOUT)
    idle(qtbot, window)
    wizard = run_wizard(qtbot, window, free["serial"], free["cdkey"], free["org_id"])
    qtbot.waitUntil(lambda: wizard.confirm_step.failure is not None, timeout=TIMEOUT)
    wizard.close()
    qtbot.waitUntil(lambda: badge_code(window) == "ACTIVATION_LIMIT_REACHED", timeout=TIMEOUT)
    idle(qtbot, window)

    upgrade = window.auth_page.action_buttons["UPGRADE"]
    assert upgrade.isVisible() and upgrade.text() == "升级到付费版"
    qtbot.mouseClick(upgrade, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: browser.urls != [], timeout=TIMEOUT)
    assert browser.urls == ["https://www.kuaijihui.com/buy"]  # the CN market's page, as the server names it
    assert window.upgrade_url_opened == "https://www.kuaijihui.com/buy"
    with demo.live.session() as s:  # nothing was changed on the licence by looking
        assert s.query(Licence).filter_by(serial=free["serial"]).one().extra_seats == 0
