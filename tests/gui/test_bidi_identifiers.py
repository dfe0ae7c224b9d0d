"""Identifiers keep their order inside Persian sentences: the text as Qt lays it out, read left to right on screen."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QTextLayout, QTextOption

from app import i18n
from app.domain.accounts import Organisation
from app.domain.formatting import format_money
from app.domain.purchase import LedgerYear
from app.ui import presenter
from app.ui.purchase.scope_change import target_text

pytestmark = pytest.mark.gui

CONTROLS = "\u2066\u2067\u2068\u2069\u200e\u200f"


def on_screen(text: str) -> str:
    """The characters in the order they are drawn from left to right, brackets as drawn (mirrored in right-to-left
    text), the invisible direction marks left out. The line's direction comes from its text, as in a QLabel."""
    layout = QTextLayout(text, QFont())
    option = QTextOption()
    option.setTextDirection(Qt.LayoutDirection.LayoutDirectionAuto)
    layout.setTextOption(option)
    layout.beginLayout()
    layout.createLine().setLineWidth(10_000)
    layout.endLayout()
    drawn: list[tuple[float, str]] = []
    for index, char in enumerate(text):
        runs = layout.glyphRuns(index, 1)
        if char in CONTROLS or not runs or not runs[0].positions():
            continue
        glyph = {"(": ")", ")": "("}.get(char, char) if runs[0].isRightToLeft() else char
        drawn.append((runs[0].positions()[0].x(), glyph))
    return "".join(glyph for _, glyph in sorted(drawn))


@pytest.fixture
def persian(panel_app: Any) -> Any:
    i18n.set_language("fa")
    yield panel_app
    i18n.set_language("en")


def test_an_organisation_and_its_tax_id_stay_whole(persian: Any) -> None:
    org = Organisation(3, "上海示例商贸有限公司", "91310000MA1FL0DE01")
    drawn = on_screen(presenter.organisation_choice(org))
    # Read from the right: the name, then "کد اقتصادی:" and the id in one piece (the review saw it torn:
    # "(91310000 کد اقتصادی: MA1FL0DE01)", a line laid out left to right since its first letter is Chinese).
    assert drawn.endswith("上海示例商贸有限公司")
    assert "91310000MA1FL0DE01 :یداصتقا دک" in drawn


def test_the_consent_sentence_keeps_a_chinese_ledger_name_in_its_brackets(persian: Any) -> None:
    target = LedgerYear(ledger_id=2, fiscal_year=2025, code="B", name="B 上海示例商贸有限公司(分公司)")
    sentence = i18n.tr(
        "I have checked: this purchase is for {target} ({name}). It cannot be moved to another ledger or "
        "fiscal year later.",
        target=target_text(target),
        name=target.name,
    )
    drawn = on_screen(sentence)
    assert ".تسا (B 上海示例商贸有限公司(分公司)) ۲۰۲۵ یلام لاس · B رتفد" in drawn


def test_an_amount_in_rials_reads_number_then_currency(persian: Any) -> None:
    drawn = on_screen(i18n.tr("Total: {amount}", amount=format_money(1500000, "IRR")))
    assert drawn == "لایر\xa0۱٬۵۰۰٬۰۰۰ :عمج"  # right to left: جمع: ۱٬۵۰۰٬۰۰۰ ریال
