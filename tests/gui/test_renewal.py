"""续费 (云盘版): the ledger-count rule with archiving, the quote before ordering, payment in the
sandbox, and the new expiry and state shown without a restart. Real server, real widgets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from licence_protocol.dates import add_months
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox

from app.domain.renewal import QuoteLedgers
from app.ui.renewal.archive_ledgers_dialog import ArchiveLedgersDialog
from app.ui.renewal.renewal_page import RenewalPage, date_text
from server.models import Licence
from tests.gui.helpers import TIMEOUT, badge_code, gone, idle, open_window
from tests.gui.purchase_setup import make_buyer
from tests.support.live import LiveServer
from tests.support.renewals import licence_expiry

pytestmark = pytest.mark.gui


def click(qtbot: Any, button: Any) -> None:
    qtbot.waitUntil(button.isEnabled, timeout=TIMEOUT)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def press_pay(live: LiveServer, pay_url: str) -> None:
    """The payer's phone on the sandbox pay page: open it and press pay."""
    with live.http() as http:
        assert http.get(pay_url, timeout=10).status_code == 200
        page = http.post(pay_url, data={"method": "wechat"}, timeout=15)
        assert page.status_code == 200 and "支付成功" in page.text


def renewal_page(qtbot: Any, window: Any) -> RenewalPage:
    page: RenewalPage = window.renewal_pages.renewal_page
    qtbot.waitUntil(lambda: window.stack.currentWidget() is page, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not page.ops and (page.quote is not None or page.shortfall is not None), timeout=TIMEOUT)
    return page


def pay_and_wait(qtbot: Any, live: LiveServer, page: RenewalPage) -> None:
    qtbot.waitUntil(lambda: page.steps.currentWidget() is page.payment_page, timeout=TIMEOUT)
    assert page.order is not None
    press_pay(live, page.order.pay_url)
    click(qtbot, page.payment_view.paid_button)  # "I have paid": the panel checks at once
    qtbot.waitUntil(lambda: page.renewed_order is not None and not page.ops, timeout=TIMEOUT)


def test_cloud_over_ledgers_renews_after_archiving_a_ledger_and_is_active_without_restart(
    qtbot, panel_app, demo, demo_service
):
    scenario = demo.scenario("cloud_over_ledgers")
    demo_service.sign_in(*demo.login, remember=False)
    demo_service.activate(scenario["serial"], scenario["cdkey"], scenario["org_id"])
    window = open_window(qtbot, demo_service)
    assert badge_code(window) == "LEDGER_LIMIT_EXCEEDED"
    licence_id = window.status.licence_id
    before = licence_expiry(demo.live, licence_id)
    assert before is not None

    # 账套已用数量大于可用数量 → its primary action leads straight to the renewal page.
    click(qtbot, next(iter(window.auth_page.action_buttons.values())))
    page = renewal_page(qtbot, window)
    assert page.shortfall is not None and not page.order_button.isEnabled()
    assert "5 ledgers are in use" in page.shortfall_text.text() and "covers 4" in page.shortfall_text.text()
    assert "C5 杭州云账科技 门店5" in page.shortfall_ledgers.text()  # the ledgers in use, by name

    # Way out 1: raise the count — priced per ledger, the new expiry shown before ordering.
    click(qtbot, page.raise_button)
    qtbot.waitUntil(lambda: page.quote is not None and not page.ops, timeout=TIMEOUT)
    assert page.quote.ledgers.requested == 5 and page.price_value.text() == "CN¥1,247.50"
    assert page.new_expiry_value.text() == date_text(add_months(before, 12))  # stacks on the current expiry
    assert page.order_button.isEnabled()

    # Way out 2: back to 4, archive one chosen ledger (read-only, confirmed), then renew 4.
    page.ledger_count.setValue(4)
    qtbot.waitUntil(lambda: page.shortfall is not None and not page.ops, timeout=TIMEOUT)
    click(qtbot, page.archive_button)
    dialog = page.archive_dialog
    assert isinstance(dialog, ArchiveLedgersDialog) and dialog.isVisible()
    assert len(dialog.checked_ids()) == 1  # one suggested; the user may change it
    assert dialog.list.count() == 5
    c5 = next(x.id for x in dialog.ledgers if x.code == "C5")
    dialog.set_checked([c5])
    click(qtbot, dialog.archive_button)
    box = dialog.confirm_box
    assert isinstance(box, QMessageBox) and "C5" in box.text() and "read-only" in box.informativeText()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gone(dialog), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: page.quote is not None and not page.ops, timeout=TIMEOUT)
    assert page.quote.ledgers == QuoteLedgers(in_use=4, requested=4, purchased=4)
    assert page.price_value.text() == "CN¥998.00" and not page.shortfall_box.isVisible()

    click(qtbot, page.order_button)
    pay_and_wait(qtbot, demo.live, page)

    after = licence_expiry(demo.live, licence_id)
    assert after == add_months(before, 12)
    assert page.done_expiry.text() == date_text(after)
    assert "ACTIVE" in page.done_state.text()
    qtbot.waitUntil(lambda: badge_code(window) == "ACTIVE", timeout=TIMEOUT)  # no restart, no 系统认证 visit
    assert window.status.has_licence


def test_renewing_an_expired_licence_starts_from_today(qtbot, panel_app, sqlite_server, make_service):
    from tests.gui.conftest import trusted_keys

    service = make_service(sqlite_server.url, trusted=trusted_keys(sqlite_server))
    buyer = make_buyer(sqlite_server, service)
    buyer.set_licence(expires_at=datetime.now(UTC) - timedelta(days=3))
    window = open_window(qtbot, service)
    assert badge_code(window) == "EXPIRED"
    assert window.status.has_licence

    window.on_action_requested("RENEW")
    page = renewal_page(qtbot, window)
    assert page.banner_box.isVisible() and page.banner_box.property("severity") == "error"
    assert "expired 3 day(s) ago" in page.banner.text()
    assert not page.ledger_widget.isVisible()  # a standard licence renews flat
    today = datetime.now(UTC)
    assert page.new_expiry_value.text() == date_text(add_months(today, 12))
    assert "starts today" in page.quote_note.text()

    page.period.setCurrentIndex(page.period.findData(24))
    qtbot.waitUntil(lambda: page.quote is not None and page.quote.months == 24 and not page.ops, timeout=TIMEOUT)
    assert page.price_value.text() == "CN¥1,196.00"
    click(qtbot, page.order_button)
    pay_and_wait(qtbot, sqlite_server, page)

    after = licence_expiry(sqlite_server, buyer.licence_id)
    assert after is not None and abs(after - add_months(datetime.now(UTC), 24)) < timedelta(minutes=5)
    assert page.done_expiry.text() == date_text(after)
    qtbot.waitUntil(lambda: badge_code(window) == "ACTIVE", timeout=TIMEOUT)


def test_expiring_soon_shows_the_banner_and_a_perpetual_licence_has_nothing_to_renew(
    qtbot, panel_app, sqlite_server, make_service
):
    from tests.gui.conftest import trusted_keys

    service = make_service(sqlite_server.url, trusted=trusted_keys(sqlite_server))
    buyer = make_buyer(sqlite_server, service)
    soon = datetime.now(UTC) + timedelta(days=10, hours=2)
    buyer.set_licence(expires_at=soon)
    window = open_window(qtbot, service)
    assert badge_code(window) == "EXPIRING_SOON"
    window.on_action_requested("RENEW")
    page = renewal_page(qtbot, window)
    assert page.banner_box.property("severity") == "warning" and "in 10 day(s)" in page.banner.text()
    assert page.new_expiry_value.text() == date_text(add_months(soon, 12))

    with sqlite_server.session() as s:
        licence = s.get(Licence, buyer.licence_id)
        assert licence is not None
        licence.expires_at = None
    window.reauthenticate(quiet=True)
    idle(qtbot, window)
    window.show_page("auth")
    window.show_page("renewal")
    qtbot.waitUntil(lambda: not page.ops and "never expires" in page.error_label.text(), timeout=TIMEOUT)
    assert not page.order_button.isEnabled() and not page.banner_box.isVisible()


def test_archive_action_opens_the_dialog_and_the_page_follows_a_language_switch(qtbot, panel_app, demo, demo_service):
    scenario = demo.scenario("cloud_over_ledgers")
    demo_service.sign_in(*demo.login, remember=False)
    demo_service.activate(scenario["serial"], scenario["cdkey"], scenario["org_id"])
    window = open_window(qtbot, demo_service)
    window.switch_language("zh_CN")  # rebuilds the window: the renewal pages come back, in Chinese
    idle(qtbot, window)
    titles = [window.nav.item(r).text() for r in range(window.nav.count()) if not window.nav.item(r).isHidden()]
    assert "续费" in titles and "批量续费" not in titles  # bulk renewal is for service accountants only

    window.on_action_requested("ARCHIVE_LEDGERS")  # 归档账套 on 系统认证
    page = renewal_page(qtbot, window)
    qtbot.waitUntil(lambda: getattr(page, "archive_dialog", None) is not None, timeout=TIMEOUT)
    dialog = page.archive_dialog
    assert dialog.isVisible() and dialog.list.count() == 5 and dialog.windowTitle() == "归档账套"
    assert "只读" in dialog.findChild(QLabel, "nextStep").text()
    assert "已使用 5 个账套" in page.shortfall_text.text()
    dialog.reject()  # keeping every ledger is allowed: the count can still be raised
    qtbot.waitUntil(lambda: gone(dialog), timeout=TIMEOUT)
    assert page.raise_button.isVisible() and page.raise_button.text() == "改为续费 5 个账套"
