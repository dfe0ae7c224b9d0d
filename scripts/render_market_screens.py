"""Render buying outside China offscreen to PNG: the Vietnamese (market_vn) and Iranian (market_ir) demo logins.

    QT_QPA_PLATFORM=offscreen python scripts/render_market_screens.py [--out screenshots] [--langs vi,fa]

vi renders market_vn, fa market_ir; en and zh_CN render market_vn, so the layout checks run in every language.
The login activates its market's licence (系统认证 showing the organisation, tax id and market), buys a module
priced in VND / IRR, sees its market's payment methods, and pays on the demo server's sandbox pay page with
MoMo / Shaparak (the same flow as tests/gui/test_market_purchase.py).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.services.demo_backend import DemoBackend  # noqa: E402
from scripts import render_common  # noqa: E402
from scripts.render_common import Shot, pay, wait_until  # noqa: E402

# The demo scenario each language buys in: its own market where it has one, Vietnam's otherwise.
SCENARIOS = {"vi": "market_vn", "fa": "market_ir", "en": "market_vn", "zh_CN": "market_vn"}
# The method the payer picks on the pay page: a wallet in Vietnam, the card gateway (the only one) in Iran.
PAY_WITH = {"market_vn": "momo", "market_ir": "shaparak"}
MODULE = "accounting"


def render_market(renderer: Any, scenario: str) -> None:
    """系统认证 after activating, then buying ``MODULE`` for the ledger's current year: shots named market_*."""
    from sqlalchemy import select

    from app.ui.main_window import MainWindow
    from app.ui.purchase.purchase_dialog import PurchaseDialog
    from scripts.render_purchase_screens import DIALOG_SIZE
    from scripts.render_screens import WINDOW_SIZE
    from server.models import Ledger

    data = renderer.backend.data["scenarios"][scenario]
    service = renderer.service(scenario)
    service.sign_in(data["login"], data["password"], remember=False)
    service.activate(data["licence"]["serial"], data["licence"]["cdkey"], data["org_id"])

    window = MainWindow(service)
    window.resize(*WINDOW_SIZE)
    window.show()
    window.start()
    wait_until(lambda: not window.ops and window.status is not None)
    renderer.grab("market_1_system_auth", window)

    ctx = renderer.backend._server.ctx
    with ctx.sessions() as session:
        ledger_id = session.scalar(select(Ledger.id).where(Ledger.organisation_id == data["org_id"]))
    dialog = PurchaseDialog(window, service, ledger_id=ledger_id, fiscal_year=ctx.clock.now().year)
    dialog.resize(*DIALOG_SIZE)
    dialog.show()
    dialog.load()
    wait_until(lambda: not dialog.ops and dialog.catalogue is not None)
    dialog.buy_controls[MODULE].setChecked(True)  # type: ignore[union-attr]
    renderer.grab("market_2_selected", dialog)
    dialog.buy_button.click()
    dialog.confirm_tick.setChecked(True)
    renderer.grab("market_3_confirm", dialog)
    dialog.pay_button.click()
    wait_until(lambda: not dialog.ops and dialog.pages.currentWidget() is dialog.payment_view)
    renderer.grab("market_4_payment", dialog)
    pay(dialog.payment_view.link.value.text(), method=PAY_WITH[scenario])
    dialog.payment_view.paid_button.click()
    wait_until(lambda: dialog.pages.currentWidget() is dialog.done_page and not dialog.ops)
    renderer.grab("market_5_paid", dialog)
    dialog.close()
    window.close()


def render(out_dir: Path, languages: list[str]) -> list[Shot]:
    from scripts.render_screens import Renderer

    def run(out: Path, lang: str, backend: DemoBackend, work: Path) -> list[Shot]:
        renderer = Renderer(out, lang, backend, work)
        render_market(renderer, SCENARIOS[lang])
        return renderer.shots

    return render_common.render_languages(out_dir, languages, run, prefix="render-market-")


def main(argv: list[str] | None = None) -> int:
    return render_common.main(argv, __doc__, render)


if __name__ == "__main__":
    sys.exit(main())
