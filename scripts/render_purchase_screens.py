"""Render 立即购买 (choose first / bound / unopened / blocked / confirm / payment / paid) and 我的订单 offscreen to PNG.

    QT_QPA_PLATFORM=offscreen python scripts/render_purchase_screens.py [--out screenshots] [--langs vi,fa]

Also called by scripts/render_screens.py (``render_purchase(renderer)``) after its main flow. A real order is
paid on the embedded demo server's sandbox pay page; blocked states the demo cannot reach on one machine are
rendered from the real catalogue with the state's verdict, like render_screens renders the state catalogue.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QWidget  # noqa: E402

from app.services.demo_backend import DemoBackend  # noqa: E402
from app.services.licence_service import LicenceService  # noqa: E402
from scripts import render_common  # noqa: E402
from scripts.render_common import Shot, pay, wait_until  # noqa: E402

DIALOG_SIZE = (760, 660)


def _signed_in_service(renderer: Any) -> LicenceService:
    """The "main" machine of render_screens (same feature code), signed in, holding the `fresh` licence."""
    service: LicenceService = renderer.service("main")
    demo = renderer.backend.data["logins"][0]
    service.sign_in(demo["login"], demo["password"], remember=False)
    if service.local_status().document is None:
        fresh = renderer.backend.data["scenarios"]["fresh"]
        service.activate(fresh["serial"], fresh["cdkey"], fresh["org_id"])
    else:
        service.reauthenticate()
    return service


def render_purchase(renderer: Any) -> None:
    """立即购买 and 我的订单 into ``renderer`` (a render_screens.Renderer): shots named purchase_* and orders_*."""
    from dataclasses import replace

    from app.domain.purchase import ServerVerdict
    from app.domain.purchase_scope import PurchaseScope
    from app.ui.main_window import MainWindow
    from app.ui.purchase.purchase_dialog import PurchaseDialog, PurchaseLoad
    from scripts.render_screens import WINDOW_SIZE

    service = _signed_in_service(renderer)
    host = QWidget()
    host.resize(1040, 720)
    choices = None

    dialog = PurchaseDialog(host, service)  # from 系统认证: nothing chosen, the ledger and year are asked first
    dialog.resize(*DIALOG_SIZE)
    dialog.show()
    dialog.load()
    wait_until(lambda: not dialog.ops and dialog.local_state is not None)
    renderer.grab("purchase_0_choose_first", dialog)
    choices = dialog.choices
    ledger_b = [c for c in choices if c.code == "B"]
    target = min(ledger_b, key=lambda c: c.fiscal_year) if ledger_b else choices[0]
    dialog.ledger_combo.setCurrentIndex(dialog.ledger_combo.findData(target.ledger_id))
    renderer.grab("purchase_0_ledger_chosen", dialog)
    dialog.year_combo.setCurrentIndex(dialog.year_combo.findData(target.fiscal_year))
    wait_until(lambda: not dialog.ops and dialog.catalogue is not None)
    renderer.grab("purchase_1_unopened", dialog)

    render_bound(renderer, host, service, choices, target)

    buyable = [sku for sku, control in dialog.buy_controls.items() if control.isEnabled() and sku != "renewal_12m"]
    module = next(sku for sku in buyable if not sku.startswith("vouchers"))
    dialog.buy_controls[module].setChecked(True)  # type: ignore[union-attr]
    dialog.buy_controls["vouchers_100"].setValue(2)  # type: ignore[union-attr]
    renderer.grab("purchase_3_selected", dialog)
    dialog.buy_button.click()
    dialog.confirm_tick.setChecked(True)
    renderer.grab("purchase_4_confirm", dialog)
    dialog.pay_button.click()
    wait_until(lambda: not dialog.ops and dialog.pages.currentWidget() is dialog.payment_view)
    renderer.grab("purchase_5_payment", dialog)
    pay(dialog.payment_view.link.value.text())
    dialog.payment_view.paid_button.click()
    wait_until(lambda: dialog.pages.currentWidget() is dialog.done_page and not dialog.ops)
    renderer.grab("purchase_6_paid", dialog)
    dialog.more_button.click()
    renderer.grab("purchase_7_opened", dialog)
    catalogue = dialog.catalogue
    dialog.close()

    # Blocked: the server's verdict for a state (seats full, expired), over the real catalogue of the ledger-year.
    for code, local, kinds in (
        ("ILLEGAL_COPY", "ILLEGAL_COPY", []),
        ("TOO_MANY_MACHINES", "ACTIVE", []),
        ("EXPIRED", "EXPIRED", ["renewal"]),
        ("LEDGER_LIMIT_EXCEEDED", "LEDGER_LIMIT_EXCEEDED", ["ledgers", "renewal"]),
    ):
        blocked = PurchaseDialog(host, service, on_manage_machines=lambda: None)
        blocked.resize(*DIALOG_SIZE)
        assert catalogue is not None
        answer = replace(
            catalogue,
            purchase=ServerVerdict(False, code, frozenset(kinds)),
            items=tuple(replace(i, server_purchasable=i.kind in kinds and not i.opened) for i in catalogue.items),
        )
        details = {"expires_on": "2025-12-31", "ledgers_in_use": 5, "ledgers_purchased": 4}
        blocked.on_loaded(
            PurchaseLoad(
                local, details, PurchaseScope(tuple(choices), target=target), ledgers_loaded=True, catalogue=answer
            )
        )
        renderer.grab(f"purchase_blocked_{code}", blocked)
        blocked.close()

    # 需要更新面板 for real: the cached document is signed by a key this panel does not trust, so nothing is asked
    # of the server.
    keys, service.trusted_keys = service.trusted_keys, {}
    illegal = PurchaseDialog(host, service)
    illegal.resize(*DIALOG_SIZE)
    illegal.show()
    illegal.load()
    wait_until(lambda: not illegal.ops and illegal.local_state is not None)
    renderer.grab("purchase_blocked_PANEL_UPDATE_REQUIRED", illegal)
    illegal.close()
    service.trusted_keys = keys

    # 我的订单 as the main window shows it, at its default size (the page is narrower there than on its own).
    window = MainWindow(service)
    window.resize(*WINDOW_SIZE)
    window.show()
    window.start()
    wait_until(lambda: not window.ops)
    window.show_page("orders")
    page = window.orders_page
    wait_until(lambda: not page.ops and page.table.rowCount() > 0)
    renderer.grab("orders_1_paid", window)
    renewal_id = paid_past_renewal(renderer, page.orders[0].id, target.ledger_id, target.fiscal_year)
    page.refresh()
    wait_until(lambda: not page.ops and any(o.id == renewal_id for o in page.orders))
    page.table.selectRow([o.id for o in page.orders].index(renewal_id))
    renderer.grab("orders_2_recharge_code", window)
    codes = page.current.recharge_codes if page.current else ()
    recharge = page.open_recharge(codes[0].code if codes else "")
    renderer.grab("orders_3_recharge_dialog", recharge)
    recharge.close()
    # Eight days later the refund is refused with the support route (the demo server's own clock moves).
    clock = renderer.backend._server.ctx.clock
    clock.advance(timedelta(days=8))
    try:
        page.refresh()
        wait_until(lambda: not page.ops)
        renderer.grab("orders_4_refund_refused", window)
    finally:
        clock.reset()
    window.close()
    host.close()


def paid_past_renewal(renderer: Any, paid_order_id: int, ledger_id: int, fiscal_year: int) -> int:
    """A paid 产品续费 12 个月 order as ledger purchases sold it before renewal moved to the licence's renewal
    screen: its 充值码 still show in 我的订单. Placed in the demo server's storage for the licence and account of
    ``paid_order_id`` (the server no longer sells it), paid on the sandbox pay page; returns its id."""
    from server.models import Order, OrderItem
    from server.services import payments

    ctx = renderer.backend._server.ctx
    now = ctx.clock.now()
    unit = 59_800
    with ctx.sessions() as session:
        paid = session.get(Order, paid_order_id)
        assert paid is not None
        order = Order(
            account_id=paid.account_id,
            licence_id=paid.licence_id,
            status="pending_payment",
            amount_minor=unit,
            currency=paid.currency,
            created_at=now,
            items=[
                OrderItem(
                    sku="renewal_12m",
                    kind="renewal",
                    ledger_id=ledger_id,
                    fiscal_year=fiscal_year,
                    quantity=1,
                    unit_amount_minor=unit,
                    amount_minor=unit,
                )
            ],
        )
        session.add(order)
        session.flush()
        payment_id = payments.create_payment(session, order, now).id
        order_id = order.id
        session.commit()
    pay(f"{renderer.backend.url}/pay/{payment_id}")
    return order_id


def render_bound(renderer: Any, host: QWidget, service: LicenceService, choices: list[Any], target: Any) -> None:
    """Opened by a host program for one ledger-year: bound, the confirmation to leave it, and an unknown ledger."""
    from app.ui.purchase.purchase_dialog import LedgerYearPicker, PurchaseDialog

    other = next(c for c in choices if (c.ledger_id, c.fiscal_year) != (target.ledger_id, target.fiscal_year))
    bound = PurchaseDialog(host, service, ledger_id=target.ledger_id, fiscal_year=target.fiscal_year)
    bound.resize(*DIALOG_SIZE)
    bound.show()
    bound.load()
    wait_until(lambda: not bound.ops and bound.catalogue is not None)
    renderer.grab("purchase_bound", bound)
    picker = LedgerYearPicker(bound, bound.choices, bound.target)
    renderer.grab("purchase_2_picker", picker)
    picker.close()
    bound.on_target_chosen(other)
    box = bound.scope_box
    renderer.grab("purchase_bound_confirm_change", box)
    box.change_button.click()
    wait_until(lambda: not bound.ops and bound.catalogue is not None and bound.target == other)
    renderer.grab("purchase_bound_changed", bound)
    bound.close()

    unknown = PurchaseDialog(host, service, ledger_id=999_999, fiscal_year=target.fiscal_year)
    unknown.resize(*DIALOG_SIZE)
    unknown.show()
    unknown.load()
    wait_until(lambda: not unknown.ops and unknown.local_state is not None)
    renderer.grab("purchase_bound_unknown_ledger", unknown)
    unknown.close()


def render(out_dir: Path, languages: list[str]) -> list[Shot]:
    from scripts.render_screens import Renderer

    def run(out: Path, lang: str, backend: DemoBackend, work: Path) -> list[Shot]:
        renderer = Renderer(out, lang, backend, work)
        render_purchase(renderer)
        return renderer.shots

    return render_common.render_languages(out_dir, languages, run, prefix="render-purchase-")


def main(argv: list[str] | None = None) -> int:
    return render_common.main(argv, __doc__, render)


if __name__ == "__main__":
    sys.exit(main())
