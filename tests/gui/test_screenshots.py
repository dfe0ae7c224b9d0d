"""Every screen and state rendered offscreen in zh_CN, en, vi and fa at the default window size: PNGs written,
nothing clipped or elided unreadably, nothing left in another language (scripts/render_common.layout_problems)."""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path

import pytest

from app.domain.states import StateCode
from app.resources import resource_path
from tests.support.platform import UNDER_WINE

pytestmark = pytest.mark.gui

# Rendering every screen in every state (hundreds of grabs in one process) crashes Qt6Core under Wine in about
# two runs of three (an access violation in QCoreApplication::notifyInternal2 while delivering posted events);
# the renders are the same on Linux, where these tests run in CI. On a real Windows machine they run.
renders = pytest.mark.skipif(UNDER_WINE, reason="crashes Qt6Core's event delivery under Wine 8; runs on Linux")

UI_DIR = Path(__file__).resolve().parents[2] / "app" / "ui"


def ui_msgids(folder: Path = UI_DIR) -> set[str]:
    """Every literal passed to tr() in the Python files under ``folder`` (app/ui by default)."""
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "tr"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.add(node.args[0].value)
    return found


# 立即购买 asking for the ledger and year first (系统认证), bound to a host's ledger-year, leaving it, an unknown one.
PURCHASE_SCOPE_SHOTS = (
    "purchase_0_choose_first",
    "purchase_0_ledger_chosen",
    "purchase_bound",
    "purchase_bound_confirm_change",
    "purchase_bound_changed",
    "purchase_bound_unknown_ledger",
)


def test_every_ui_text_has_a_chinese_translation():
    catalogue = json.loads(resource_path("i18n", "zh_CN.json").read_text(encoding="utf-8"))
    missing = sorted(m for m in ui_msgids() if not catalogue.get(m))
    assert missing == []


LANGUAGES = ("zh_CN", "en", "vi", "fa")

# Every screen of the panel, per render script: the main window's pages and the 系统认证 states (render_screens,
# which also runs 立即购买 and 我的订单), 续费 and 批量续费, offline activation, buying in VND / IRR, and keeping a
# licence in order.
EXPECTED_SHOTS = {
    "render_screens": (
        "state_NOT_LOGGED_IN",
        "state_NOT_ACTIVATED",
        "state_ACTIVE",
        "dialog_sign_in",
        "dialog_register",
        "dialog_forgot_password",
        "dialog_wrong_password",
        *(f"wizard_{step}" for step in ("1_account", "2_organisation", "3_product", "4_serial", "5_review")),
        "wizard_6_result",
        "wizard_6_too_many_machines",
        "dialog_machines",
        "dialog_settings",
        "scenario_seats_full",
        "scenario_account_mismatch",
        "dialog_sign_in_as_owner",
        "dialog_support",
        "dialog_update_panel",
        *(f"catalogue_{code.value}" for code in StateCode),
        *PURCHASE_SCOPE_SHOTS,
        *(f"purchase_{n}" for n in ("1_unopened", "2_picker", "3_selected", "4_confirm", "5_payment", "6_paid")),
        "purchase_blocked_TOO_MANY_MACHINES",
        "purchase_blocked_ILLEGAL_COPY",
        "purchase_blocked_PANEL_UPDATE_REQUIRED",
        "orders_1_paid",
        "orders_3_recharge_dialog",
        "orders_4_refund_refused",
    ),
    "render_renewal_screens": (
        *(f"renewal_{n}" for n in ("1_banner_quote", "2_too_few_ledgers", "3_archive_dialog", "6_payment", "7_paid")),
        *(f"bulk_{n}" for n in ("1_customers", "2_review", "3_payment", "4_status")),
    ),
    "render_offline_screens": (
        *(f"offline_{n}" for n in ("1_start", "2_request_written", "3_upload_tab", "6_imported", "7_refused")),
        "offline_8_deactivate",
    ),
    # Buying outside China: vi as the Vietnamese login (VND), fa as the Iranian one (IRR), en and zh_CN as the former.
    "render_market_screens": tuple(
        f"market_{n}" for n in ("1_system_auth", "2_selected", "3_confirm", "4_payment", "5_paid")
    ),
    "render_upkeep_screens": (
        "upkeep_lease_1_offline",
        "upkeep_lease_3_expired",
        "upkeep_banner_1_announcements",
        "upkeep_banner_2_maintenance",
        "upkeep_addons_2_listed",
        "upkeep_cert_2_dialog_pending",
        "upkeep_reregister",
        "upkeep_deactivate_confirm",
    ),
}


def test_words_left_in_another_language_are_found_but_names_identifiers_and_numbers_are_not():
    from scripts.render_common import foreign_words

    assert foreign_words("Kích hoạt (Activate)", "vi") == ["Activate"]
    assert foreign_words("Đơn vị: 激活账号", "vi") == ["激活账号"]
    assert foreign_words("فعال‌سازی Renewal", "fa") == ["Renewal"]
    assert foreign_words("Organisation: 上海示例商贸有限公司", "zh_CN") == ["Organisation"]
    # data the server or the user gave, codes, e-mails and numbers are nobody's leftovers
    assert foreign_words("Đơn vị: 上海示例商贸有限公司", "vi", ["上海示例商贸有限公司"]) == []
    assert foreign_words("序列号 KJH-****-7F3A · ACCOUNT_MISMATCH · service@kuaijihui.com · 2026", "zh_CN") == []
    assert foreign_words("Licence details", "en") == []


def test_a_button_past_the_window_and_an_elided_header_without_tooltip_are_reported(qapp):
    from PySide6.QtWidgets import QPushButton, QTableWidget, QWidget

    from scripts.render_common import layout_problems

    window = QWidget()
    window.resize(200, 120)
    button = QPushButton("Deactivate this computer…", window)
    button.setGeometry(150, 10, button.sizeHint().width(), 30)  # half of it past the right edge
    table = QTableWidget(1, 1, window)
    table.setGeometry(0, 50, 200, 70)
    table.setHorizontalHeaderLabels(["A header far too long for a column forty pixels wide"])
    table.setColumnWidth(0, 40)
    window.show()
    problems = layout_problems(window, "en")
    assert any(p.startswith("cut by the window: QPushButton") for p in problems)
    assert any(p.startswith("elided header without a tooltip") for p in problems)
    table.horizontalHeaderItem(0).setToolTip("A header far too long for a column forty pixels wide")
    button.move(10, 10)
    button.resize(button.sizeHint())
    assert layout_problems(window, "en") == []
    window.close()
    window.deleteLater()


@renders
@pytest.mark.parametrize("script", sorted(EXPECTED_SHOTS))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_screen_renders_without_clipping_or_words_left_in_another_language(qapp, tmp_path, lang, script):
    """At the default window size, in each language: nothing cut (by its widget, the window, a table's width),
    nothing elided without a tooltip, no English (or, in vi/fa, Chinese) left but names, identifiers, numbers."""
    render = importlib.import_module(f"scripts.{script}").render

    shots = render(tmp_path / "out", [lang])
    names = {s.name for s in shots}
    assert set(EXPECTED_SHOTS[script]) - names == set()
    assert all(s.path.stat().st_size > 5_000 for s in shots)
    problems = [f"{s.path.parent.name}/{s.name}: {p}" for s in shots for p in s.problems]
    assert problems == []


@renders
def test_the_mini_ledger_journey_renders_in_both_languages_without_clipping_or_english_left(qapp, tmp_path):
    """The sample host program (examples/mini_ledger) from the ledger limit to 结账, and 系统认证 embedded in it."""
    from scripts.render_mini_ledger_screens import render

    shots = render(tmp_path / "out", ["zh_CN", "en"])
    names = {(s.path.parent.name, s.name) for s in shots}
    for lang in ("zh_CN", "en"):
        for name in (
            "mini_ledger_2_new_ledger_refused",
            "mini_ledger_7_quota_used_up",
            "mini_ledger_8_buy_now_bound_dialog",
            "mini_ledger_11_period_close_open",
            "mini_ledger_12_system_auth_tab",
        ):
            assert (lang, name) in names
    assert all(s.path.stat().st_size > 5_000 for s in shots)
    problems = [f"{s.path.parent.name}/{s.name}: {p}" for s in shots for p in s.problems]
    assert problems == []
