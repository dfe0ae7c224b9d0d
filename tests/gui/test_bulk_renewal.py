"""批量续费 for a service accountant (as in MISA ASP): customers by tax id, per-row periods, recipients,
the review with its confirmation tick, one order, one payment — or an expired one that changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from licence_protocol.dates import add_months
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.ui.renewal.bulk.choose_step import COMPANY, TAX_ID, TICK
from app.ui.renewal.bulk.page import BulkRenewalPage
from server.services.demo import ACCOUNTANT_LOGIN, ACCOUNTANT_PASSWORD
from tests.gui.helpers import TIMEOUT, open_window
from tests.gui.test_renewal import click, press_pay
from tests.support.renewals import licence_expiry

pytestmark = pytest.mark.gui

TAX = {"chenguang": "91110105MA01H1UALX", "nanfeng": "91440101MA59442H2T", "shuxiang": "91510100MA6CMA9MMA"}


def bulk_nav_hidden(window: Any) -> bool:
    for row in range(window.nav.count()):
        item = window.nav.item(row)
        if item.data(Qt.ItemDataRole.UserRole) == "bulk_renewal":
            return item.isHidden()
    raise AssertionError("no bulk renewal page in the navigation")


def open_bulk(qtbot: Any, demo: Any, service: Any) -> tuple[Any, BulkRenewalPage]:
    service.sign_in(ACCOUNTANT_LOGIN, ACCOUNTANT_PASSWORD, remember=False)
    window = open_window(qtbot, service)
    assert not bulk_nav_hidden(window)  # listed for a service-accountant login
    window.show_page("bulk_renewal")
    page: BulkRenewalPage = window.renewal_pages.bulk_page
    qtbot.waitUntil(lambda: page.loaded and not page.ops, timeout=TIMEOUT)
    return window, page


def row_of(page: BulkRenewalPage, tax_id: str) -> int:
    for r in range(page.choose.table.rowCount()):
        if page.choose.table.item(r, TAX_ID).text() == tax_id:
            return r
    raise AssertionError(f"{tax_id} is not shown")


def choose_three(qtbot: Any, page: BulkRenewalPage) -> dict[str, int]:
    """Tick two customers in the table, give one 24 months, and add the third by its tax id."""
    ids = {}
    for key in ("chenguang", "nanfeng"):
        r = row_of(page, TAX[key])
        page.choose.table.item(r, TICK).setCheckState(Qt.CheckState.Checked)
        ids[key] = int(page.choose.table.item(r, TICK).data(Qt.ItemDataRole.UserRole))
    box = page.choose.period_box(ids["nanfeng"])
    assert box is not None and box.isEnabled()
    box.setCurrentIndex(box.findData(24))
    page.choose.search.setText("南风")  # 蜀香 filtered out of view, then added by tax id: "add row" still finds it
    qtbot.keyClicks(page.choose.add_tax_id, TAX["shuxiang"])
    click(qtbot, page.choose.add_button)
    assert page.choose.search.text() == ""  # the table shows the added row again
    r = row_of(page, TAX["shuxiang"])
    assert page.choose.table.item(r, TICK).checkState() == Qt.CheckState.Checked
    ids["shuxiang"] = int(page.choose.table.item(r, TICK).data(Qt.ItemDataRole.UserRole))
    assert page.choose.selection_label.text() == "3 customer(s) selected"
    return ids


def review(qtbot: Any, page: BulkRenewalPage) -> None:
    click(qtbot, page.choose.review_button)
    qtbot.waitUntil(lambda: page.steps.currentWidget() is page.review and not page.ops, timeout=TIMEOUT)
    assert page.review.table.rowCount() == 3
    assert not page.review.place_button.isEnabled()  # the tick gates "Place order"
    page.review.confirm.setChecked(True)
    assert page.review.place_button.isEnabled()
    click(qtbot, page.review.place_button)
    qtbot.waitUntil(lambda: page.steps.currentWidget() is page.payment and not page.ops, timeout=TIMEOUT)


def test_bulk_renewal_of_three_customers_updates_all_after_one_payment(qtbot, panel_app, demo, demo_service):
    _window, page = open_bulk(qtbot, demo, demo_service)
    assert page.choose.table.rowCount() == 5
    assert page.choose.table.item(0, TAX_ID).text() == TAX["shuxiang"]  # sorted by expiry: the expired one leads
    page.choose.search.setText("南风")
    assert page.choose.table.rowCount() == 1 and page.choose.table.item(0, COMPANY).text() == "广州南风服饰有限公司"
    page.choose.search.setText("h1ualx")  # a part of the tax id, in any case
    assert page.choose.table.rowCount() == 1 and page.choose.table.item(0, TAX_ID).text() == TAX["chenguang"]
    page.choose.search.clear()

    ids = choose_three(qtbot, page)
    before = {k: licence_expiry(demo.live, v) for k, v in ids.items()}

    # The invoice goes to another party: its name is required, and the check says so before anything is sent.
    page.recipients.invoice_other.setChecked(True)
    click(qtbot, page.choose.review_button)
    assert page.choose.error.isVisible() and "name the invoice is made out to" in page.choose.error.text()
    page.recipients.invoice_name.setText("上海代账服务有限公司")
    page.recipients.invoice_tax_id.setText("91310000MA1GB68RFL")
    page.recipients.invoice_email.setText("fapiao@daizhang.example")
    page.recipients.notify_other.setChecked(True)
    page.recipients.notify_name.setText("王会计")
    page.recipients.notify_email.setText("wang@daizhang.example")

    review(qtbot, page)
    assert page.review.total.text() == "Total for 3 customer(s): CN¥2,392.00"  # ¥598 a year × (1 + 2 + 1) years
    assert "wang@daizhang.example" in page.review.notify.text()
    nanfeng = next(r for r in range(3) if page.review.table.item(r, 1).text() == TAX["nanfeng"])
    page.review.table.setCurrentCell(nanfeng, 0)  # click a row: that customer's details
    details = page.review.details.text()
    assert "广州南风服饰有限公司" in details and "24 months" in details and "上海代账服务有限公司" in details

    # Copy the payment link for the customer; the customer pays on the sandbox page.
    click(qtbot, page.payment.copy_link_button)
    link = QApplication.clipboard().text()
    assert link == page.order.pay_url and "/pay/" in link
    press_pay(demo.live, link)
    click(qtbot, page.payment_view.paid_button)
    qtbot.waitUntil(lambda: page.steps.currentWidget() is page.status and not page.ops, timeout=TIMEOUT)

    assert "is paid: 3 customer(s) renewed" in page.status.title.text()
    assert [page.status.table.item(r, 4).text() for r in range(3)] == ["Renewed"] * 3
    assert page.renewal_order is not None and page.renewal_order.paid_at is not None
    now = page.renewal_order.paid_at
    months = {"chenguang": 12, "nanfeng": 24, "shuxiang": 12}
    for key, licence_id in ids.items():
        start = before[key] if before[key] > now else now
        after = licence_expiry(demo.live, licence_id)
        assert after is not None and abs(after - add_months(start, months[key])) < timedelta(minutes=1), key
    # The expired customer started from the day of payment; the valid ones stacked on their expiry.
    assert licence_expiry(demo.live, ids["chenguang"]) == add_months(before["chenguang"], 12)


def test_an_expired_bulk_payment_changes_no_expiry(qtbot, panel_app, demo, demo_service):
    _window, page = open_bulk(qtbot, demo, demo_service)
    ids = choose_three(qtbot, page)
    before = {k: licence_expiry(demo.live, v) for k, v in ids.items()}
    review(qtbot, page)

    demo.live.clock.advance(timedelta(minutes=20))  # past the 15-minute payment window
    click(qtbot, page.payment_view.paid_button)
    qtbot.waitUntil(lambda: page.steps.currentWidget() is page.status and not page.ops, timeout=TIMEOUT)
    assert "not paid in time" in page.status.title.text()
    assert [page.status.table.item(r, 4).text() for r in range(3)] == ["Awaiting payment"] * 3
    assert {k: licence_expiry(demo.live, v) for k, v in ids.items()} == before


def test_bulk_renewal_is_listed_only_for_a_service_accountant(qtbot, panel_app, demo, demo_service):
    demo_service.sign_in(*demo.login, remember=False)
    window = open_window(qtbot, demo_service)
    assert bulk_nav_hidden(window)
