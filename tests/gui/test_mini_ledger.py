"""The sample host program (examples/mini_ledger) end to end against the real server seeded with the demo data: a
new ledger refused at the ledger limit with the way out, vouchers posted until the quota stops them, 结账 closed
until period_close is bought for exactly this ledger-year through the panel's bound 立即购买 and a sandbox payment.
Also the panel's screens a Qt host opens (``app.host.qt``) and the embedded 系统认证's signals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from app import i18n
from app.host import LicenceHost
from app.host.qt import HostPanel
from app.resources import resource_path
from app.ui.main_window import MainWindow
from examples.mini_ledger.window import MiniLedgerWindow
from tests.gui.conftest import Demo, ServiceFactory, trusted_keys
from tests.gui.helpers import TIMEOUT, gone
from tests.gui.test_screenshots import ui_msgids
from tests.support import mini_ledger as journey
from tests.support.live import LiveServer

pytestmark = pytest.mark.gui

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OVER_THE_LIMIT = "账套已用数量大于可用数量,请先购买账套数量"
BUY_PERIOD_CLOSE = "请点击“立即购买”为该账套年度购买：所购功能仅适用于该账套年度。"
BOUND_NOTE = "由财务软件指定：即您当前正在使用的账套和会计年度。"


def press_pay(live: LiveServer, url: str) -> None:
    """The payer's phone on the sandbox pay page."""
    with live.http() as http:
        assert http.post(url, data={"method": "wechat"}, timeout=15).status_code == 200


@pytest.fixture
def open_ledger(qtbot: Any, panel_app: Any, demo: Demo, make_service: ServiceFactory) -> Any:
    """``open_ledger()``: the mini ledger on a fresh computer in the current language, started as ``--demo``."""

    def wait(condition: Any) -> None:
        qtbot.waitUntil(condition, timeout=TIMEOUT)

    def open_it() -> tuple[MiniLedgerWindow, Any]:
        service = make_service(demo.live.url, trusted=trusted_keys(demo.live))
        window = journey.open_mini_ledger(LicenceHost(service=service), [demo.login], (1120, 780))
        qtbot.addWidget(window)
        journey.start_demo(window, wait, demo.login, demo.data["scenarios"])
        return window, wait

    return open_it


def texts(window: MiniLedgerWindow) -> list[str]:
    return [window.ledger_list.item(row).text() for row in range(window.ledger_list.count())]


def test_the_journey_from_the_ledger_limit_to_period_close(qtbot, open_ledger, demo):
    i18n.set_language("zh_CN")
    window, wait = open_ledger()
    states: list[str] = []
    entitlement_changes: list[bool] = []
    window.licence_widget.state_changed.connect(states.append)
    window.licence_widget.entitlements_changed.connect(lambda: entitlement_changes.append(True))
    year = demo.live.clock.now().year

    # The demo licence: the cloud edition, five ledgers in use and four bought.
    assert window.licence_label.text() == f"许可：{OVER_THE_LIMIT}"
    assert window.ledger_count.text() == "已用 5 个，已购 4 个"
    assert [text.split()[0] for text in texts(window)] == ["C1", "C2", "C3", "C4", "C5"]

    # A sixth ledger is refused with the vendor's words and the two ways out.
    journey.create_ledger(window, wait, "C6", "C6 杭州云账科技 门店6")
    assert window.limit_box.isVisible()
    assert window.limit_box.title.text() == OVER_THE_LIMIT
    assert window.limit_box.text.text() == (
        "账套已用数量已达到可用数量（已用 5 个，可用 4 个）。请先购买账套数量，或归档不再使用的账套。"
    )
    assert window.limit_archive_button.text() == "归档一个账套…"
    assert window.limit_buy_button.text() == "购买账套数量…"
    assert len(texts(window)) == 5

    # Way out: archive C5 (confirmed, Cancel the default); the fresh document says 已激活.
    box = journey.ask_archive(window, "C5")
    assert "C5" in box.text() and box.defaultButton() is not box.archive_button
    journey.confirm_archive(window, wait, box)
    assert not window.limit_box.isVisible()
    assert texts(window)[-1].endswith("(已归档)")
    assert window.ledger_count.text() == "已用 4 个，已购 4 个"
    assert window.licence_label.text() == "许可：已激活"
    wait(lambda: "ACTIVE" in states)  # the embedded 系统认证 follows the fresh document too

    # 进入账套 C1 of this year: 5 of 50 vouchers posted, 结账 not opened.
    journey.open_year(window, wait, "C1", year)
    target = f"账套 C1 · {year} 年度"
    assert window.year_title.text() == target
    assert window.voucher_label.text() == "凭证：5 / 50"
    assert not window.close_button.isEnabled()
    assert window.close_note.text() == f"{target} 未开通结账。{BUY_PERIOD_CLOSE}"
    assert window.post_button.isEnabled()

    # Post vouchers: the bar moves; asking for more than is left is refused by the server with the figures.
    journey.post(window, wait, 40)
    assert window.voucher_label.text() == "凭证：45 / 50"
    assert window.voucher_bar.value() == 45 and window.voucher_bar.maximum() == 50
    assert window.posted_list.count() == 40 and window.posted_list.item(0).text() == "记-0006"
    journey.post(window, wait, 10)
    assert window.quota_box.isVisible()
    assert window.quota_box.text.text() == (
        "该账套本会计年度的凭证数量已用完（已用 45 张，共 50 张，本次需要 10 张）。请为该账套年度购买凭证数量。"
    )
    assert window.voucher_label.text() == "凭证：45 / 50" and window.post_button.isEnabled()
    journey.post(window, wait, 5)
    assert window.voucher_label.text() == "凭证：50 / 50"
    assert not window.post_button.isEnabled()
    assert window.quota_box.title.text() == "本账套年度的凭证已用完"
    assert window.quota_buy_button.text() == f"为{target}购买凭证…"

    # The quota's way out: the panel's 立即购买, bound to exactly this ledger-year; closed without paying: exit 1.
    finished: list[int] = []
    dialog = journey.open_purchase(window, wait, window.quota_buy_button)
    window.purchase.finished.connect(finished.append)
    assert dialog.target_label.text() == target
    assert dialog.scope_note.isVisible() and dialog.scope_note.text() == BOUND_NOTE
    assert dialog.voucher_label.text().endswith("50 / 50")
    assert dialog.buy_controls["vouchers_100"].isEnabled()
    dialog.reject()
    assert finished == [1]
    assert window.statusBar().currentMessage() == "未购买任何内容。"
    assert not window.close_button.isEnabled()

    # 立即购买: 结账 and 100 vouchers for this ledger-year, paid in the sandbox; the host checks again by itself.
    dialog = journey.open_purchase(window, wait, window.buy_button)
    window.purchase.finished.connect(finished.append)
    assert dialog.target_label.text() == target
    journey.choose_and_confirm(dialog, ("period_close",), voucher_packs=1)
    assert target in dialog.confirm_target.text()
    journey.pay(dialog, wait, lambda url: press_pay(demo.live, url))
    assert "开通账套(结账)" in dialog.done_opened.text()
    dialog.accept()
    assert finished == [1, 0]
    wait(lambda: window.close_button.isEnabled())
    journey.idle(window, wait)
    assert window.close_note.text() == f"{target} 已开通结账。"
    assert window.voucher_label.text() == "凭证：50 / 150"
    assert window.post_button.isEnabled() and not window.quota_box.isVisible()
    assert entitlement_changes  # the embedded 系统认证 saw the new entitlements
    assert window.host.check("period_close", window.year.ledger_id, year).open

    window.close_button.click()
    assert window.statusBar().currentMessage() == f"{target} 第 1 期已结账。"
    journey.post(window, wait, 1)
    assert window.voucher_label.text() == "凭证：51 / 150"


def test_in_english_the_refusals_read_in_english(qtbot, open_ledger):
    window, wait = open_ledger()
    assert window.licence_label.text() == "Licence: More ledgers in use than bought"
    journey.create_ledger(window, wait, "C1", "taken")
    assert window.limit_box.title.text() == "More ledgers in use than bought"
    assert window.limit_box.text.text().startswith("All ledgers bought are in use (5 of 4).")
    window.limit_box.hide()
    box = journey.ask_archive(window, "C5")
    journey.confirm_archive(window, wait, box)
    # At the limit but not over it: no state to name, the plain refusal.
    journey.create_ledger(window, wait, "C6", "store 6")
    assert window.limit_box.title.text() == "Every ledger bought is in use"
    assert window.limit_box.text.text().startswith("All ledgers bought are in use (4 of 4).")
    # One more archived frees a ledger: a code in use is said on top, without the ways out; a new code is created.
    journey.confirm_archive(window, wait, journey.ask_archive(window, "C4"))
    assert not window.limit_box.isVisible() and window.ledger_count.text() == "3 in use, 4 bought"
    journey.create_ledger(window, wait, "C1", "again")
    assert not window.limit_box.isVisible()
    assert window.error_label.text() == "This organisation already has a ledger with the code C1. Choose another code."
    journey.create_ledger(window, wait, "C6", "store 6")
    assert window.statusBar().currentMessage() == "Ledger C6 created."
    assert window.selected_ledger().code == "C6" and window.ledger_count.text() == "4 in use, 4 bought"
    assert not window.error_label.isVisible()


def test_the_host_opens_the_panel_on_system_auth_and_renewal_and_gets_their_exit_codes(
    qtbot, panel_app, demo, make_service
):
    service = make_service(demo.live.url, trusted=trusted_keys(demo.live))
    service.sign_in(*demo.login, remember=False)
    fresh = demo.scenario("fresh")
    service.activate(fresh["serial"], fresh["cdkey"], fresh["org_id"])
    host = LicenceHost(service=service)
    panel = HostPanel(host, demo_logins=[demo.login])
    codes: list[int] = []

    auth = panel.open_system_auth()
    auth.finished.connect(codes.append)
    window = auth.window
    assert isinstance(window, MainWindow) and window.isVisible()
    qtbot.waitUntil(lambda: not window.ops and window.status is not None, timeout=TIMEOUT)
    assert window.auth_page.badge.code_label.text() == "ACTIVE"
    assert window.status.signed_in  # the host's session, not asked for again
    window.close()
    assert codes == [0]

    renewal = panel.open_renewal()
    renewal.finished.connect(codes.append)
    qtbot.waitUntil(lambda: not renewal.window.ops, timeout=TIMEOUT)
    assert renewal.window.stack.currentWidget() is not renewal.window.auth_page
    renewal.window.close()
    assert codes == [0, 1]  # nothing paid: the host need not check again

    with pytest.raises(ValueError):
        panel.open_purchase(QApplication.activeWindow() or window, ledger_id=1)


def test_the_embedded_system_auth_uses_the_hosts_session_and_signals_its_state(qtbot, panel_app, demo, make_service):
    service = make_service(demo.live.url, trusted=trusted_keys(demo.live))
    service.sign_in(*demo.login, remember=False)  # signed in by the host, nothing in the keyring to resume
    panel = HostPanel(LicenceHost(service=service), demo_logins=[demo.login])
    widget = panel.licence_widget()
    qtbot.addWidget(widget)
    widget.resize(900, 640)
    widget.show()
    states: list[str] = []
    changes: list[bool] = []
    widget.state_changed.connect(states.append)
    widget.entitlements_changed.connect(lambda: changes.append(True))
    widget.start()
    qtbot.waitUntil(lambda: not widget.busy and states != [], timeout=TIMEOUT)
    page = widget.panel_window.auth_page
    assert states == ["NOT_ACTIVATED"] and page.badge.code_label.text() == "NOT_ACTIVATED"
    assert not page.error_line.isVisible()  # nothing to check online yet: no error for it
    assert widget.panel_window.status.signed_in

    fresh = demo.scenario("fresh")
    service.activate(fresh["serial"], fresh["cdkey"], fresh["org_id"])  # the host activated it meanwhile
    widget.refresh()
    assert states == ["NOT_ACTIVATED", "ACTIVE"] and changes == [True]
    widget.refresh()
    assert states == ["NOT_ACTIVATED", "ACTIVE"] and changes == [True]  # nothing changed: nothing signalled
    widget.stop()


def test_a_purchase_opened_by_a_host_that_is_not_signed_in_asks_for_the_sign_in_first(
    qtbot, panel_app, demo, make_service
):
    from app.ui.auth.sign_in_dialog import SignInDialog
    from app.ui.purchase.purchase_dialog import PurchaseDialog
    from tests.gui.helpers import top_dialog

    host = LicenceHost(service=make_service(demo.live.url, trusted=trusted_keys(demo.live)))
    panel = HostPanel(host, demo_logins=[demo.login])
    window = MiniLedgerWindow(host, panel)
    qtbot.addWidget(window)
    window.show()
    run = panel.open_purchase(window, 1, 2025)
    qtbot.waitUntil(lambda: run.sign_in is not None, timeout=TIMEOUT)
    sign_in = top_dialog(SignInDialog)
    assert sign_in is not None
    sign_in.login_edit.setText(demo.login[0])
    sign_in.password_edit.setText(demo.login[1])
    sign_in.sign_in_button.click()
    qtbot.waitUntil(lambda: run.dialog is not None, timeout=TIMEOUT)
    dialog = run.dialog
    assert isinstance(dialog, PurchaseDialog) and dialog.requested == (1, 2025)
    assert host.signed_in
    dialog.reject()
    qtbot.waitUntil(lambda: run.over and gone(dialog), timeout=TIMEOUT)


def test_every_text_of_the_sample_host_is_translated():
    """Its msgids are the project's: zh_CN (and vi, fa) translate each one (the app/ scan does not reach here)."""
    found = ui_msgids(EXAMPLES)
    assert len(found) > 30
    for lang in ("zh_CN", "vi", "fa"):
        catalogue = json.loads(resource_path("i18n", f"{lang}.json").read_text(encoding="utf-8"))
        assert sorted(m for m in found if not catalogue.get(m)) == [], lang
