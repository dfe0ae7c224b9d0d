"""Render 续费 (banner, too-low ledger count, archive dialog, quote, payment, paid) and 批量续费 (customers,
review, payment, status per customer) offscreen to PNG, in zh_CN, en, vi and fa.

    QT_QPA_PLATFORM=offscreen python scripts/render_renewal_screens.py [--out screenshots] [--langs vi,fa]

Each language gets its own embedded demo server, since the flow archives a ledger and pays real sandbox orders.
Reports cut texts and words left in another language, like scripts/render_screens.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import shiboken6  # noqa: E402

from app.services.demo_backend import DemoBackend  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402
from scripts import render_common  # noqa: E402
from scripts.render_common import Shot, pay, wait_until  # noqa: E402
from scripts.render_screens import WINDOW_SIZE, Renderer  # noqa: E402


def _window(renderer: Renderer, machine: str, login: str, password: str) -> MainWindow:
    service = renderer.service(machine)
    service.sign_in(login, password, remember=False)
    window = MainWindow(service)
    window.resize(*WINDOW_SIZE)
    window.show()
    window.start()
    wait_until(lambda: not window.ops)
    return window


def render_renewal(renderer: Renderer) -> None:
    data = renderer.backend.data
    demo = data["logins"][0]

    # 即将到期: the banner from 30 days before expiry, with the quote.
    window = _window(renderer, "renew-soon", demo["login"], demo["password"])
    soon = data["scenarios"]["expiring_soon"]
    window.service.activate(soon["serial"], soon["cdkey"], soon["org_id"])
    window.reauthenticate(quiet=True)
    wait_until(lambda: not window.ops)
    page = window.renewal_pages.renewal_page
    window.show_page("renewal")
    wait_until(lambda: not page.ops and page.quote is not None)
    renderer.grab("renewal_1_banner_quote", window)
    window.close()

    # 云盘版 over its ledgers: too-low count, archive dialog, quote, payment, paid.
    window = _window(renderer, "renew-cloud", demo["login"], demo["password"])
    cloud = data["scenarios"]["cloud_over_ledgers"]
    window.service.activate(cloud["serial"], cloud["cdkey"], cloud["org_id"])
    window.reauthenticate(quiet=True)
    wait_until(lambda: not window.ops)
    page = window.renewal_pages.renewal_page
    window.on_action_requested("BUY_LEDGERS")
    wait_until(lambda: not page.ops and page.shortfall is not None)
    renderer.grab("renewal_2_too_few_ledgers", window)
    dialog = page.open_archive_dialog()
    dialog.resize(600, 460)
    renderer.grab("renewal_3_archive_dialog", dialog)
    dialog.on_archive_button_clicked()
    box = dialog.confirm_box
    if box is not None:
        renderer.grab("renewal_4_archive_confirm", box)
        box.done(box.StandardButton.Yes.value)
    wait_until(lambda: not shiboken6.isValid(dialog) and not page.ops and page.quote is not None)
    renderer.grab("renewal_5_quote_after_archive", window)
    page.on_order_button_clicked()
    wait_until(lambda: not page.ops and page.order is not None)
    renderer.grab("renewal_6_payment", window)
    assert page.order is not None
    pay(page.order.pay_url)
    page.payment_view.check(manual=True)
    wait_until(lambda: page.renewed_order is not None and not page.ops)
    renderer.grab("renewal_7_paid", window)
    window.close()

    # 批量续费 for the service accountant.
    agent = next(x for x in data["logins"] if x["role"] == "service_accountant")
    window = _window(renderer, "bulk", agent["login"], agent["password"])
    window.show_page("bulk_renewal")
    bulk = window.renewal_pages.bulk_page
    wait_until(lambda: bulk.loaded and not bulk.ops)
    for customer in bulk.choose.shown_customers()[:3]:
        bulk.choose.set_checked(customer.licence_id, True)
    box2 = bulk.choose.period_box(bulk.choose.shown_customers()[1].licence_id)
    if box2 is not None:
        box2.setCurrentIndex(1)
    recipients = bulk.recipients
    renderer.typed_texts |= {"上海代账服务有限公司", "fapiao@daizhang.example", "上海市浦东新区世纪大道 100 号"}
    recipients.invoice_other.setChecked(True)
    recipients.invoice_name.setText("上海代账服务有限公司")
    recipients.invoice_tax_id.setText("91310000MA1DC0001N")
    recipients.invoice_email.setText("fapiao@daizhang.example")
    recipients.invoice_address.setText("上海市浦东新区世纪大道 100 号")
    renderer.grab("bulk_1_customers", window)
    bulk.on_review_button_clicked()
    wait_until(lambda: not bulk.ops and bulk.steps.currentWidget() is bulk.review)
    bulk.review.table.setCurrentCell(1, 0)
    bulk.review.confirm.setChecked(True)
    renderer.grab("bulk_2_review", window)
    bulk.on_place_button_clicked()
    wait_until(lambda: not bulk.ops and bulk.steps.currentWidget() is bulk.payment)
    bulk.payment.on_copy_link_button_clicked()
    renderer.grab("bulk_3_payment", window)
    pay(bulk.payment_link())
    bulk.payment_view.check(manual=True)
    wait_until(lambda: not bulk.ops and bulk.steps.currentWidget() is bulk.status)
    renderer.grab("bulk_4_status", window)
    window.close()


def render(out_dir: Path, languages: list[str]) -> list[Shot]:
    def run(out: Path, lang: str, backend: DemoBackend, work: Path) -> list[Shot]:
        renderer = Renderer(out, lang, backend, work)
        render_renewal(renderer)
        return renderer.shots

    return render_common.render_languages(out_dir, languages, run, prefix="render-renewal-")


def main(argv: list[str] | None = None) -> int:
    return render_common.main(argv, __doc__, render)


if __name__ == "__main__":
    sys.exit(main())
