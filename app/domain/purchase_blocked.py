"""立即购买 when nothing can be bought: one screen for every such state — the state, why, the one action that helps,
and, when the person already paid for something that can still be refunded, the way to 我的订单 → 申请退款.

The dialog used to show the item list with a red banner in these states: an empty ledger-year headline
("未选择账套") over a list with every box disabled, "cannot buy" said twice and, for most states, no way out.
Which screen shows, which action it offers and whether the refund path shows is decided here; the dialog only
draws it. Pure Python, no Qt; texts are English msgids for ``tr``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.msgids import N_
from app.domain.orders import REFUND_DAYS, Order
from app.domain.purchase import BuyVerdict
from app.domain.states import Action, StateCode, StateInfo, state_info

# Actions that lead nowhere from inside 立即购买: buying is what is refused.
_NOT_HELPFUL = frozenset({Action.BUY, Action.BUY_LEDGERS})
# States whose explanation already says what can be bought: the screen must not say it a second time.
_EXPLANATION_NAMES_PURCHASE = frozenset({StateCode.ILLEGAL_COPY, StateCode.EXPIRED, StateCode.LEDGER_LIMIT_EXCEEDED})

NOTHING_CAN_BE_BOUGHT = N_(
    "Nothing can be bought while the licence is in this state, so nothing is paid for by mistake."
)
ONLY_RENEWAL = N_("Only a renewal can be bought, on the Renewal page.")


@dataclass(frozen=True)
class BlockedScreen:
    """What the dialog shows instead of the item list: a state, its action, and the purchase note if needed."""

    info: StateInfo
    action: Action | None  # the one action that helps (the state's first that makes sense here)
    purchase_note: str | None  # msgid, only when the explanation does not already say it

    @property
    def state(self) -> StateCode:
        return self.info.code


def helpful_action(info: StateInfo) -> Action | None:
    """The state's first action that helps from 立即购买 (the same the 系统认证 screen puts first)."""
    return next((action for action in info.actions if action not in _NOT_HELPFUL), None)


def blocked_screen(verdict: BuyVerdict) -> BlockedScreen | None:
    """The blocked screen, or None when the list is shown (something can be bought, or nothing is decided yet).

    Renewal-only counts as blocked: a renewal is bought on the Renewal page (续费), with its quote and period."""
    if verdict.decided_by == "none" or verdict.kinds - {"renewal"}:
        return None
    info = state_info(verdict.state)
    if info.code in _EXPLANATION_NAMES_PURCHASE:
        note = None
    elif verdict.kinds:
        note = ONLY_RENEWAL
    else:
        note = NOTHING_CAN_BE_BOUGHT
    return BlockedScreen(info, helpful_action(info), note)


def refundable(order: Order, now: datetime) -> bool:
    """Paid, within the 7 days after payment, no invoice issued, and the server agrees (its rule decides)."""
    if order.status != "paid" or order.paid_at is None or order.invoice.issued or not order.refund.allowed:
        return False
    deadline = order.refund.deadline or order.paid_at + timedelta(days=REFUND_DAYS)
    return now < deadline


def refund_offer(orders: Iterable[Order], now: datetime, licence_id: int | None = None) -> Order | None:
    """The order to offer 申请退款 for on the blocked screen: the newest refundable one (of this licence, if known)."""
    candidates = [o for o in orders if refundable(o, now) and (licence_id is None or o.licence_id == licence_id)]
    return max(candidates, key=lambda o: (o.paid_at or now, o.id), default=None)
