"""立即购买's one screen for every state in which nothing can be bought (app/domain/purchase_blocked.py): the state
as 系统认证 shows it, why, the one action that helps, and 我的订单 → 申请退款 when a recent payment can be refunded."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.domain.orders import Order
from app.domain.purchase_blocked import BlockedScreen
from app.i18n import current_language, state_label, tr
from app.ui.presenter import format_when
from app.ui.status_view import action_label, severity_for
from app.ui.theme import repolish
from app.ui.widgets.state_badge import StateBadge


def filled(msgid: str, details: Mapping[str, Any]) -> str:
    """A state text with its placeholders filled; empty when the details cannot fill them (a server-only verdict)."""
    fields = {name for _text, name, _spec, _conv in string.Formatter().parse(msgid) if name}
    return tr(msgid, **details) if fields <= set(details) else ""


class BlockedView(QWidget):
    """``action_requested(action)`` for the state's action; ``refund_requested(order id)`` for the refund path."""

    action_requested = Signal(str)
    refund_requested = Signal(int)
    close_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen: BlockedScreen | None = None
        self.refund_order: Order | None = None
        # The state is the headline; "cannot buy" is said once, by the explanation or the purchase note.
        title = QLabel(tr("Licence state"))
        title.setObjectName("muted")
        self.badge = StateBadge()
        self.why = QLabel()
        self.why.setObjectName("explanation")
        self.why.setWordWrap(True)
        self.todo = QLabel()
        self.todo.setObjectName("nextStep")
        self.todo.setWordWrap(True)
        self.action_button = QPushButton()
        self.action_button.setProperty("primary", True)
        self.action_button.clicked.connect(self.on_action_button_clicked)

        # Paid recently for something this state now blocks: the refund the vendor allows (7 days, no invoice).
        self.refund_card = QFrame()
        self.refund_card.setObjectName("card")
        self.refund_text = QLabel()
        self.refund_text.setWordWrap(True)
        self.refund_button = QPushButton(tr("My orders → Request refund"))
        self.refund_button.clicked.connect(self.on_refund_button_clicked)
        refund_box = QVBoxLayout(self.refund_card)
        refund_box.setContentsMargins(14, 10, 14, 10)
        refund_box.addWidget(self.refund_text)
        refund_box.addWidget(self.refund_button, 0, Qt.AlignmentFlag.AlignLeading)
        self.refund_card.hide()

        card = QFrame()
        card.setObjectName("card")
        card_box = QVBoxLayout(card)
        card_box.setContentsMargins(18, 14, 18, 14)
        card_box.setSpacing(8)
        card_box.addWidget(title)
        card_box.addWidget(self.badge)
        card_box.addWidget(self.why)
        card_box.addWidget(self.todo)
        card_box.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignLeading)

        self.close_button = QPushButton(tr("Close"))
        self.close_button.clicked.connect(self.close_requested)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(12)
        box.addWidget(card)
        box.addWidget(self.refund_card)
        box.addStretch(1)
        box.addLayout(bottom)

    def show_screen(self, screen: BlockedScreen, details: Mapping[str, Any]) -> None:
        """``details`` fill the state's texts when this computer's state decided (empty for the server's verdict)."""
        self.screen = screen
        info = screen.info
        self.badge.set_state(
            code=info.code.value, label=state_label(info), label_zh=info.label_zh, severity=severity_for(info.code)
        )
        why = [text for text in (filled(info.explanation, details), tr(screen.purchase_note or "")) if text]
        self.why.setText(("" if current_language() == "zh_CN" else " ").join(why))
        step = filled(info.next_step, details)
        self.todo.setText(tr("What to do: {step}", step=step) if step else "")
        self.todo.setVisible(bool(step))
        action = screen.action
        self.action_button.setVisible(action is not None)
        if action is not None:
            self.action_button.setText(action_label(action))
            self.action_button.setObjectName(f"action_{action.value}")
            repolish(self.action_button)

    def show_refund(self, order: Order | None) -> None:
        self.refund_order = order
        self.refund_card.setVisible(order is not None)
        if order is None:
            return
        self.refund_text.setText(
            tr(
                "You paid {amount} for order #{id} on {paid}. It can be refunded until {deadline}, as long as no "
                "invoice is issued for it.",
                amount=order.amount.text,
                id=order.id,
                paid=format_when(order.paid_at),
                deadline=format_when(order.refund.deadline),
            )
        )

    def on_action_button_clicked(self) -> None:
        if self.screen is not None and self.screen.action is not None:
            self.action_requested.emit(self.screen.action.value)

    def on_refund_button_clicked(self) -> None:
        if self.refund_order is not None:
            self.refund_requested.emit(self.refund_order.id)
