"""Which screen 立即购买 shows when nothing can be bought, its one action, and when the refund path shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.money import Money
from app.domain.orders import Invoice, Order, RefundRule
from app.domain.purchase import ALL_KINDS, BuyVerdict
from app.domain.purchase_blocked import (
    NOTHING_CAN_BE_BOUGHT,
    ONLY_RENEWAL,
    blocked_screen,
    helpful_action,
    refund_offer,
    refundable,
)
from app.domain.states import Action, StateCode, state_info

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def order(
    order_id: int = 1,
    *,
    status: str = "paid",
    paid_days_ago: float = 1,
    allowed: bool = True,
    invoice: str = "none",
    licence_id: int = 7,
) -> Order:
    paid_at = NOW - timedelta(days=paid_days_ago)
    return Order(
        id=order_id,
        licence_id=licence_id,
        status=status,
        amount=Money(19900),
        created_at=paid_at,
        paid_at=paid_at if status in ("paid", "refunded") else None,
        refunded_at=None,
        items=(),
        payment=None,
        refund=RefundRule(allowed, None, paid_at + timedelta(days=7)),
        invoice=Invoice(invoice),
        recharge_codes=(),
    )


@pytest.mark.parametrize(
    ("state", "action", "note"),
    [
        (StateCode.ILLEGAL_COPY, Action.REAUTHENTICATE, None),  # its explanation already says nothing can be bought
        (StateCode.NOT_ACTIVATED, Action.ACTIVATE, NOTHING_CAN_BE_BOUGHT),
        (StateCode.NOT_LOGGED_IN, Action.SIGN_IN, NOTHING_CAN_BE_BOUGHT),
        (StateCode.TOO_MANY_MACHINES, Action.MANAGE_MACHINES, NOTHING_CAN_BE_BOUGHT),
        (StateCode.SUSPENDED, Action.CONTACT_SUPPORT, NOTHING_CAN_BE_BOUGHT),
        (StateCode.PANEL_UPDATE_REQUIRED, Action.UPDATE_PANEL, NOTHING_CAN_BE_BOUGHT),
    ],
)
def test_every_blocked_state_gets_the_one_screen_with_its_first_helpful_action(state, action, note):
    screen = blocked_screen(BuyVerdict(frozenset(), state.value, "local"))
    assert screen is not None
    assert (screen.state, screen.action, screen.purchase_note) == (state, action, note)


def test_renewal_only_is_blocked_here_and_leads_to_renew():
    screen = blocked_screen(BuyVerdict(frozenset({"renewal"}), StateCode.EXPIRED.value, "local"))
    assert screen is not None and screen.action is Action.RENEW and screen.purchase_note is None
    server_said = blocked_screen(BuyVerdict(frozenset({"renewal"}), StateCode.SUSPENDED.value, "server"))
    assert server_said is not None and server_said.purchase_note == ONLY_RENEWAL


def test_the_list_shows_when_something_can_be_bought_or_nothing_is_decided_yet():
    assert blocked_screen(BuyVerdict(ALL_KINDS, StateCode.ACTIVE.value, "none")) is None
    assert blocked_screen(BuyVerdict(frozenset(), StateCode.ACTIVE.value, "none")) is None  # no ledger-year yet
    ledgers = BuyVerdict(frozenset({"ledgers", "renewal"}), StateCode.LEDGER_LIMIT_EXCEEDED.value, "local")
    assert blocked_screen(ledgers) is None  # ledgers are sold in the list


def test_buying_is_never_the_action_offered():
    assert helpful_action(state_info(StateCode.ACTIVE.value)) is Action.REAUTHENTICATE
    assert all(helpful_action(state_info(code.value)) not in (Action.BUY, Action.BUY_LEDGERS) for code in StateCode)


def test_unknown_states_are_blocked_with_their_safe_action():
    screen = blocked_screen(BuyVerdict(frozenset(), "SOMETHING_NEW", "server"))
    assert screen is not None and screen.state is StateCode.UNKNOWN_BLOCKED


def test_refund_path_only_for_a_paid_order_within_7_days_without_invoice():
    assert refundable(order(), NOW)
    assert not refundable(order(paid_days_ago=8), NOW)
    assert not refundable(order(invoice="issued"), NOW)
    assert not refundable(order(allowed=False), NOW)  # the server's rule decides
    assert not refundable(order(status="refunded"), NOW)
    assert not refundable(order(status="pending_payment"), NOW)


def test_the_newest_refundable_order_is_offered_for_this_licence():
    orders = [order(1, paid_days_ago=3), order(2, paid_days_ago=1), order(3, paid_days_ago=9), order(4, licence_id=8)]
    offered = refund_offer(orders, NOW, licence_id=7)
    assert offered is not None and offered.id == 2
    newest_any = refund_offer(orders, NOW)
    assert newest_any is not None and newest_any.id in (2, 4)
    assert refund_offer([order(invoice="issued")], NOW) is None
    assert refund_offer([], NOW) is None
