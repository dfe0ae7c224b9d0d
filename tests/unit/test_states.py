"""The state catalogue and the exit codes of `status` (docs/PROTOCOL.md), and the Qt-free domain layer."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.domain.states import (
    ACTION_LABELS,
    CATALOGUE,
    Action,
    PurchasePolicy,
    Severity,
    StateCode,
    action_label,
    exit_code_for,
    state_info,
)

# The catalogue, column by column: code, 中文 (exact), can purchase.
DESIGN_TABLE = [
    ("NOT_LOGGED_IN", "未登录", PurchasePolicy.BLOCKED),
    ("NOT_ACTIVATED", "未激活", PurchasePolicy.BLOCKED),
    ("ACTIVE", "已激活", PurchasePolicy.ALLOWED),
    ("EXPIRING_SOON", "即将到期", PurchasePolicy.ALLOWED),
    ("EXPIRED", "已过期", PurchasePolicy.RENEWAL_ONLY),
    ("OFFLINE_GRACE", "离线使用中", PurchasePolicy.BLOCKED),
    ("LEASE_EXPIRED", "需联网认证", PurchasePolicy.BLOCKED),
    ("ILLEGAL_COPY", "非法复制品", PurchasePolicy.BLOCKED),
    ("PANEL_UPDATE_REQUIRED", "需要更新面板", PurchasePolicy.BLOCKED),
    ("TOO_MANY_MACHINES", "认证超台数", PurchasePolicy.BLOCKED),
    ("IP_BOUND_TO_OTHER_ACCOUNT", "当前ip地址已使用了其他账号", PurchasePolicy.BLOCKED),
    ("ACCOUNT_MISMATCH", "激活账号异常", PurchasePolicy.BLOCKED),
    ("ACTIVATION_LIMIT_REACHED", "激活次数已用完", PurchasePolicy.BLOCKED),
    ("FINGERPRINT_CHANGED", "特征码已变更", PurchasePolicy.BLOCKED),
    ("CLOCK_TAMPERED", "系统时间异常", PurchasePolicy.BLOCKED),
    ("LEDGER_LIMIT_EXCEEDED", "账套已用数量大于可用数量,请先购买账套数量", PurchasePolicy.LEDGERS_ONLY),
    ("CERTIFICATION_PENDING", "企业认证未完成", PurchasePolicy.ALLOWED),
    ("CERTIFICATION_OVERDUE", "企业认证已逾期", PurchasePolicy.BLOCKED),
    ("SUSPENDED", "已停用", PurchasePolicy.BLOCKED),
]


def test_catalogue_has_every_design_state_and_the_unknown_one() -> None:
    assert {code for code, _, _ in DESIGN_TABLE} | {"UNKNOWN_BLOCKED"} == {c.value for c in CATALOGUE}
    assert set(CATALOGUE) == set(StateCode)


@pytest.mark.parametrize(("code", "label_zh", "purchase"), DESIGN_TABLE)
def test_design_labels_and_purchase_policy(code: str, label_zh: str, purchase: PurchasePolicy) -> None:
    info = state_info(code)
    assert info.code == code
    assert info.label_zh == label_zh
    assert info.purchase is purchase
    assert info.can_purchase is (purchase is not PurchasePolicy.BLOCKED)


@pytest.mark.parametrize("info", CATALOGUE.values(), ids=lambda i: i.code)
def test_every_state_explains_and_offers_a_way_out(info) -> None:
    assert info.label_en and info.explanation and info.next_step
    assert info.actions, "every state offers at least one next step button"
    assert len(set(info.actions)) == len(info.actions)
    assert info.primary_action is info.actions[0]
    assert all(action in ACTION_LABELS for action in info.actions)


def test_only_usable_states_are_green_or_usable() -> None:
    usable = {c for c, i in CATALOGUE.items() if i.usable}
    # The three that plainly run, and CERTIFICATION_PENDING: a deadline still ahead restricts nothing.
    assert usable == {
        StateCode.ACTIVE,
        StateCode.EXPIRING_SOON,
        StateCode.OFFLINE_GRACE,
        StateCode.CERTIFICATION_PENDING,
    }
    assert {c for c, i in CATALOGUE.items() if i.severity is Severity.OK} == {StateCode.ACTIVE}


def test_blocked_states_point_at_the_fix() -> None:
    assert state_info("TOO_MANY_MACHINES").actions[:2] == (Action.MANAGE_MACHINES, Action.BUY_SEATS)
    assert state_info("FINGERPRINT_CHANGED").primary_action is Action.REREGISTER
    assert state_info("LEDGER_LIMIT_EXCEEDED").primary_action is Action.BUY_LEDGERS
    assert Action.ARCHIVE_LEDGERS in state_info("LEDGER_LIMIT_EXCEEDED").actions
    assert state_info("NOT_LOGGED_IN").primary_action is Action.SIGN_IN
    assert state_info("EXPIRED").primary_action is Action.RENEW
    assert state_info("CLOCK_TAMPERED").primary_action is Action.CHECK_CLOCK
    assert "{seats_max}" in state_info("TOO_MANY_MACHINES").explanation


@pytest.mark.parametrize("code", ["BRAND_NEW_STATE", "", "active", "ACTIVE "])
def test_unknown_codes_are_blocked_never_valid(code: str) -> None:
    info = state_info(code)
    assert info.code is StateCode.UNKNOWN_BLOCKED
    assert (info.label_zh, info.label_en) == ("未知状态", "Unknown state")
    assert not info.usable and not info.can_purchase
    assert exit_code_for(code) == 2


# `status`: 0 usable, 1 not activated / not logged in, 2 blocked (any other state).
_EXIT_0 = {
    "ACTIVE",
    "EXPIRING_SOON",
    "OFFLINE_GRACE",
    "CERTIFICATION_PENDING",
}  # see test_only_usable_states_are_green_or_usable
_EXIT_1 = {"NOT_LOGGED_IN", "NOT_ACTIVATED"}
EXIT_CASES = [(c, 0 if c in _EXIT_0 else 1 if c in _EXIT_1 else 2) for c, _, _ in DESIGN_TABLE]


@pytest.mark.parametrize(("code", "exit_code"), [*EXIT_CASES, ("UNKNOWN_BLOCKED", 2)])
def test_exit_codes_of_status(code: str, exit_code: int) -> None:
    assert exit_code_for(code) == exit_code


def test_every_action_has_a_label() -> None:
    assert set(ACTION_LABELS) == set(Action)
    assert action_label("REREGISTER") == "Re-register"
    assert len(set(ACTION_LABELS.values())) == len(Action)


def test_domain_imports_no_qt_network_or_keyring() -> None:
    code = (
        "import sys, pkgutil, importlib, app.domain\n"
        "for m in pkgutil.iter_modules(app.domain.__path__): importlib.import_module('app.domain.' + m.name)\n"
        "import app.i18n, app.resources\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in {'PySide6', 'requests', 'keyring', 'shiboken6'})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
