"""Every screen and state rendered offscreen in zh_CN and en: PNGs written, nothing clipped or left in English."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

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


@renders
def test_screens_render_in_both_languages_without_clipping_or_english_left(qapp, tmp_path):
    from scripts.render_screens import render

    shots = render(tmp_path / "out", ["zh_CN", "en"], work=tmp_path / "work")
    names = {(s.path.parent.name, s.name) for s in shots}
    for lang in ("zh_CN", "en"):
        for name in (
            "state_NOT_LOGGED_IN",
            "state_ACTIVE",
            "dialog_sign_in",
            "wizard_5_review",
            "dialog_machines",
            "scenario_seats_full",
            "catalogue_ILLEGAL_COPY",
            "catalogue_CLOCK_TAMPERED",
            "catalogue_PANEL_UPDATE_REQUIRED",
            "scenario_account_mismatch",
            "dialog_sign_in_as_owner",
            "dialog_support",
            "dialog_update_panel",
            *PURCHASE_SCOPE_SHOTS,
        ):
            assert (lang, name) in names
    assert all(s.path.stat().st_size > 5_000 for s in shots)
    problems = [f"{s.path.parent.name}/{s.name}: {p}" for s in shots for p in s.problems]
    assert problems == []


@renders
def test_purchase_screens_render_in_vietnamese_and_persian_without_clipping_or_english_left(qapp, tmp_path):
    """zh_CN and en come with every screen above; the ledger-year choice is rendered in the other two too."""
    from scripts.render_purchase_screens import render

    shots = render(tmp_path / "out", ["vi", "fa"])
    names = {(s.path.parent.name, s.name) for s in shots}
    assert {(lang, name) for lang in ("vi", "fa") for name in PURCHASE_SCOPE_SHOTS} <= names
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
