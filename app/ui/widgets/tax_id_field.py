"""A tax-id input with a line under it naming the market's rule the text breaks, checked as the user types.

The rule and its words are app/domain/tax_id_hints; a form enables its confirm button only while
``acceptable()`` (and still decides itself whether the field may be empty: ``optional``).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from app.domain.support import market_for_language
from app.domain.tax_id_hints import TaxIdHint, tax_id_hint, tax_id_value
from app.i18n import current_language, tr
from app.ui.theme import repolish


def panel_market() -> str:
    """The market the panel works in when the organisation's own is not known: its language's (as 联系客服)."""
    return market_for_language(current_language())


class TaxIdField(QWidget):
    """``edit`` is the QLineEdit; ``hint`` the line under it, hidden while the text breaks no rule."""

    def __init__(
        self, text: str = "", *, optional: bool, market: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.optional = optional
        self.market = market or panel_market()
        self.edit = QLineEdit(text, self)
        self.hint = QLabel(self)
        self.hint.setObjectName("errorText")
        self.hint.setWordWrap(True)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(self.edit)
        box.addWidget(self.hint)
        # Connected first, so a form's own textChanged slot already sees the hint of the new text.
        self.edit.textChanged.connect(self.on_edit_text_changed)
        self.on_edit_text_changed(text)

    def set_market(self, market: str) -> None:
        self.market = market
        self.on_edit_text_changed(self.edit.text())

    def check(self) -> TaxIdHint:
        return tax_id_hint(self.market, self.edit.text(), optional=self.optional)

    def acceptable(self) -> bool:
        return self.check().acceptable

    def value(self) -> str:
        """The tax id to send: normalised (no spaces, capitals) when it is valid, else as typed."""
        return tax_id_value(self.market, self.edit.text())

    def on_edit_text_changed(self, _text: str) -> None:
        hint = self.check()
        self.hint.setText(tr(hint.msgid, **hint.fmt) if hint.msgid else "")
        repolish(self.hint)
        # Hidden, not just empty, so a valid field takes no more room than a plain line edit.
        self.hint.setVisible(hint.msgid is not None)
