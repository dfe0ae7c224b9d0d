"""Buying outside China, end to end: the Vietnamese and the Iranian demo logins sign in, activate, buy a module in
the panel in their own language and pay it in VND / IRR with one of their market's methods, against the real
server over loopback (seeded by `python -m server demo-data`)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from sqlalchemy import select

from app import i18n
from app.domain.money import Money
from app.ui.purchase.purchase_dialog import COL_NAME, PurchaseDialog
from server.models import Ledger, Payment
from server.services.catalogue import LOCAL_PRICES
from tests.gui.conftest import Demo, ServiceFactory, trusted_keys
from tests.gui.helpers import TIMEOUT

pytestmark = pytest.mark.gui

_hosts: list[QWidget] = []


@pytest.mark.parametrize(
    ("scenario", "language", "currency", "methods", "pay_with", "item_name"),
    [
        (
            "market_vn",
            "vi",
            "VND",
            ["Chuyển khoản ngân hàng VietQR", "Ví điện tử MoMo", "Cổng thanh toán VNPay"],
            "momo",
            "Ghi sổ kế toán",
        ),
        ("market_ir", "fa", "IRR", ["درگاه پرداخت کارتی شاپرک"], "shaparak", "ثبت اسناد حسابداری"),
    ],
)
def test_a_foreign_demo_login_buys_a_module_and_pays_in_its_currency(
    qtbot,
    panel_app,
    demo: Demo,
    make_service: ServiceFactory,
    scenario: str,
    language: str,
    currency: str,
    methods: list[str],
    pay_with: str,
    item_name: str,
) -> None:
    seeded = demo.scenario(scenario)
    i18n.set_language(language)
    service = make_service(demo.live.url, trusted=trusted_keys(demo.live), name=f"pc-{scenario}")
    service.sign_in(seeded["login"], seeded["password"], remember=False)
    status = service.activate(seeded["licence"]["serial"], seeded["licence"]["cdkey"], seeded["org_id"])
    assert status.state is not None and status.state.code.value == "ACTIVE", status.state
    with demo.live.session() as s:
        ledger_id = s.scalar(select(Ledger.id).where(Ledger.organisation_id == seeded["org_id"]))
    year = demo.live.clock.now().year

    host = QWidget()
    qtbot.addWidget(host)
    _hosts.append(host)  # qtbot holds it weakly only
    paid: list[object] = []
    dialog = PurchaseDialog.open_for(host, service, ledger_id=ledger_id, fiscal_year=year, on_paid=paid.append)
    qtbot.waitUntil(lambda: not dialog.ops and dialog.catalogue is not None, timeout=TIMEOUT)

    # The catalogue in the panel's language, priced in the market's currency by the server.
    names = [dialog.table.item(i, COL_NAME).text() for i in range(dialog.table.rowCount())]
    assert item_name in names
    unit = LOCAL_PRICES[currency]["standard"]["accounting"]
    row = next(r for r in dialog.rows if r.sku == "accounting")
    assert (row.price_minor, row.currency) == (unit, currency)

    dialog.buy_controls["accounting"].setChecked(True)
    qtbot.mouseClick(dialog.buy_button, Qt.MouseButton.LeftButton)
    dialog.confirm_tick.setChecked(True)
    qtbot.mouseClick(dialog.pay_button, Qt.MouseButton.LeftButton)
    view = dialog.payment_view
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is view, timeout=TIMEOUT)
    assert view.order is not None and view.order.amount == Money(unit, currency)
    assert view.method_names == methods  # exactly the market's methods, named in the panel's language

    # The payer opens the link in a browser of the same language and pays with one of those methods.
    pay_url = view.link.value.text()
    headers = {"Accept-Language": i18n.current_language().replace("_", "-")}
    with demo.live.http() as http:
        page = http.get(pay_url, headers=headers, timeout=10).text
        assert f"lang='{language}'" in page and item_name in page and methods[-1] in page
        assert ("dir='rtl'" in page) == (language == "fa")
        assert http.post(pay_url, data={"method": pay_with}, headers=headers, timeout=15).status_code == 200
    qtbot.waitUntil(lambda: paid != [], timeout=TIMEOUT)
    assert item_name in dialog.done_opened.text()
    paid_order = service.order(view.order.id)
    assert paid_order.status == "paid" and paid_order.amount == Money(unit, currency)
    with demo.live.session() as s:
        payment = s.scalar(select(Payment).where(Payment.order_id == paid_order.id))
        assert payment is not None and (payment.method, payment.currency) == (pay_with, currency)
    doc = service.local_status().document
    assert doc is not None and ("accounting", ledger_id, year) in {
        (e.module, e.ledger_id, e.fiscal_year) for e in doc.entitlements
    }
    dialog.reject()
