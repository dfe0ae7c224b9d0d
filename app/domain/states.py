"""The licence state catalogue (docs/PROTOCOL.md): code, labels, explanation, next step, actions, purchase policy.

Explanations and next steps are English msgids (translated by ``app.i18n.tr``); ``{placeholders}`` in
them are filled from ``Evaluation.details``. Unknown codes from a newer server map to UNKNOWN_BLOCKED,
never to a usable state: a newer server must not unlock anything by accident.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class StateCode(StrEnum):
    NOT_LOGGED_IN = "NOT_LOGGED_IN"
    NOT_ACTIVATED = "NOT_ACTIVATED"
    ACTIVE = "ACTIVE"
    EXPIRING_SOON = "EXPIRING_SOON"
    EXPIRED = "EXPIRED"
    OFFLINE_GRACE = "OFFLINE_GRACE"
    LEASE_EXPIRED = "LEASE_EXPIRED"
    ILLEGAL_COPY = "ILLEGAL_COPY"
    PANEL_UPDATE_REQUIRED = "PANEL_UPDATE_REQUIRED"
    TOO_MANY_MACHINES = "TOO_MANY_MACHINES"
    IP_BOUND_TO_OTHER_ACCOUNT = "IP_BOUND_TO_OTHER_ACCOUNT"
    ACCOUNT_MISMATCH = "ACCOUNT_MISMATCH"
    ACTIVATION_LIMIT_REACHED = "ACTIVATION_LIMIT_REACHED"
    FINGERPRINT_CHANGED = "FINGERPRINT_CHANGED"
    CLOCK_TAMPERED = "CLOCK_TAMPERED"
    LEDGER_LIMIT_EXCEEDED = "LEDGER_LIMIT_EXCEEDED"
    CERTIFICATION_PENDING = "CERTIFICATION_PENDING"
    CERTIFICATION_OVERDUE = "CERTIFICATION_OVERDUE"
    SUSPENDED = "SUSPENDED"
    UNKNOWN_BLOCKED = "UNKNOWN_BLOCKED"


class Action(StrEnum):
    SIGN_IN = "SIGN_IN"
    SWITCH_ACCOUNT = "SWITCH_ACCOUNT"
    ACTIVATE = "ACTIVATE"
    OFFLINE_ACTIVATION = "OFFLINE_ACTIVATION"
    REAUTHENTICATE = "REAUTHENTICATE"
    RENEW = "RENEW"
    BUY = "BUY"
    BUY_LEDGERS = "BUY_LEDGERS"
    ARCHIVE_LEDGERS = "ARCHIVE_LEDGERS"
    MANAGE_MACHINES = "MANAGE_MACHINES"
    BUY_SEATS = "BUY_SEATS"
    UPGRADE = "UPGRADE"  # the vendor's page selling the paid editions (a free licence out of activations)
    REREGISTER = "REREGISTER"
    CERTIFY = "CERTIFY"
    CHECK_CLOCK = "CHECK_CLOCK"
    CONTACT_SUPPORT = "CONTACT_SUPPORT"
    CHECK_CONNECTION = "CHECK_CONNECTION"
    UPDATE_PANEL = "UPDATE_PANEL"


class PurchasePolicy(StrEnum):
    ALLOWED = "ALLOWED"
    RENEWAL_ONLY = "RENEWAL_ONLY"
    LEDGERS_ONLY = "LEDGERS_ONLY"  # renewal or buying ledger count only (cloud edition over its ledgers)
    BLOCKED = "BLOCKED"


class Severity(StrEnum):
    """Badge colour: green, amber, red."""

    OK = "OK"
    WARNING = "WARNING"
    ERROR = "ERROR"


# Button texts (English msgids; the Chinese ones follow the vendors' wording: 在线认证, 重新注册, 企业认证…).
ACTION_LABELS: dict[Action, str] = {
    Action.SIGN_IN: "Sign in",
    Action.SWITCH_ACCOUNT: "Switch account",
    Action.ACTIVATE: "Activate",
    Action.OFFLINE_ACTIVATION: "Offline activation",
    Action.REAUTHENTICATE: "Check online",
    Action.RENEW: "Renew",
    Action.BUY: "Buy now",
    Action.BUY_LEDGERS: "Buy ledgers",
    Action.ARCHIVE_LEDGERS: "Archive ledgers",
    Action.MANAGE_MACHINES: "Manage computers",
    Action.BUY_SEATS: "Buy more seats",
    Action.UPGRADE: "Upgrade to a paid edition",
    Action.REREGISTER: "Re-register",
    Action.CERTIFY: "Enterprise certification",
    Action.CHECK_CLOCK: "Check date and time",
    Action.CONTACT_SUPPORT: "Contact support",
    Action.CHECK_CONNECTION: "Test connection",
    Action.UPDATE_PANEL: "Update the panel",
}


def action_label(action: Action | str) -> str:
    """The msgid of an action's button text."""
    return ACTION_LABELS[Action(action)]


@dataclass(frozen=True)
class StateInfo:
    code: StateCode
    label_zh: str
    label_en: str
    explanation: str  # msgid: why the licence is in this state and what it means
    next_step: str  # msgid: what the user can do
    actions: tuple[Action, ...]  # first = primary button
    purchase: PurchasePolicy
    severity: Severity
    usable: bool  # the accounting software may run (exit code 0 of `status`)

    @property
    def primary_action(self) -> Action | None:
        return self.actions[0] if self.actions else None

    @property
    def can_purchase(self) -> bool:
        return self.purchase is not PurchasePolicy.BLOCKED


_S, _A, _P, _V = StateCode, Action, PurchasePolicy, Severity


def _info(
    code: StateCode,
    zh: str,
    en: str,
    explanation: str,
    next_step: str,
    actions: tuple[Action, ...],
    purchase: PurchasePolicy = PurchasePolicy.BLOCKED,
    severity: Severity = Severity.ERROR,
    usable: bool = False,
) -> StateInfo:
    return StateInfo(code, zh, en, explanation, next_step, actions, purchase, severity, usable)


_ENTRIES = (
    _info(
        _S.NOT_LOGGED_IN,
        "未登录",
        "Not signed in",
        "No cloud account is signed in. Licences belong to an account, so the panel cannot check or activate one yet.",
        "Sign in with the account that bought the licence.",
        (_A.SIGN_IN, _A.OFFLINE_ACTIVATION),  # an air-gapped machine never signs in: files instead
        severity=_V.WARNING,
    ),
    _info(
        _S.NOT_ACTIVATED,
        "未激活",
        "Not activated",
        "This computer has no licence yet.",
        "Activate it with the serial number and CDkey of your purchase. Check the account, organisation "
        "and product before you confirm.",
        (_A.ACTIVATE, _A.OFFLINE_ACTIVATION, _A.SWITCH_ACCOUNT),
        severity=_V.WARNING,
    ),
    _info(
        _S.ACTIVE,
        "已激活",
        "Activated",
        "The licence is valid on this computer.",
        "Nothing to do. You can buy modules or vouchers for a ledger and fiscal year.",
        (_A.REAUTHENTICATE, _A.BUY, _A.MANAGE_MACHINES),
        purchase=_P.ALLOWED,
        severity=_V.OK,
        usable=True,
    ),
    _info(
        _S.EXPIRING_SOON,
        "即将到期",
        "Expiring soon",
        "The licence ends on {expires_on}, in {days_left} days. After that the software stops working "
        "until it is renewed.",
        "Renew now so your work is not interrupted.",
        (_A.RENEW, _A.REAUTHENTICATE, _A.BUY),
        purchase=_P.ALLOWED,
        severity=_V.WARNING,
        usable=True,
    ),
    _info(
        _S.EXPIRED,
        "已过期",
        "Expired",
        "The licence period is over, so the software is locked. Until it is renewed, only a renewal can be bought.",
        "Renew the licence. After payment the panel checks it again by itself.",
        (_A.RENEW, _A.REAUTHENTICATE, _A.CONTACT_SUPPORT),
        purchase=_P.RENEWAL_ONLY,
    ),
    _info(
        _S.OFFLINE_GRACE,
        "离线使用中",
        "Offline use",
        "The licence server cannot be reached right now. The licence saved on this computer stays valid "
        "offline until {lease_end} ({lease_days_left} days left).",
        "Connect to the internet and check online before then.",
        (_A.REAUTHENTICATE, _A.CHECK_CONNECTION),
        severity=_V.WARNING,
        usable=True,
    ),
    _info(
        _S.LEASE_EXPIRED,
        "需联网认证",
        "Online check required",
        "This computer has been offline longer than the licence allows (until {lease_end}). The licence "
        "must be confirmed online once before the software can be used again.",
        "Connect to the internet and check online. A computer that never goes online can use an offline "
        "activation file instead.",
        (_A.REAUTHENTICATE, _A.CHECK_CONNECTION, _A.OFFLINE_ACTIVATION),
    ),
    _info(
        _S.ILLEGAL_COPY,
        "非法复制品",
        "Illegal copy",
        "The licence file on this computer is not valid: it was changed, or copied from another computer. "
        "Nothing can be bought in this state.",
        "Check online to fetch a fresh licence, or activate this computer with your own serial number and CDkey.",
        (_A.REAUTHENTICATE, _A.ACTIVATE, _A.CONTACT_SUPPORT),
    ),
    _info(
        # A vendor key rotation, not a copy: the signature names a key this (older) panel does not ship yet.
        _S.PANEL_UPDATE_REQUIRED,
        "需要更新面板",
        "Panel update needed",
        "The licence on this computer is signed with a newer vendor key than this version of the panel knows. "
        "The vendor changes its signing keys from time to time; the licence is not damaged, but this panel "
        "cannot verify it, so the software stays locked until the panel is updated.",
        "Download and install the latest version of the panel, then check online. If this still shows after "
        "the update, contact support.",
        (_A.UPDATE_PANEL, _A.CONTACT_SUPPORT),
    ),
    _info(
        _S.TOO_MANY_MACHINES,
        "认证超台数",
        "Too many computers",
        "This licence is already activated on {seats_max} computers, the most it allows.",
        "Deactivate a computer you no longer use, or buy more seats.",
        (_A.MANAGE_MACHINES, _A.BUY_SEATS, _A.CONTACT_SUPPORT),
    ),
    _info(
        _S.IP_BOUND_TO_OTHER_ACCOUNT,
        "当前ip地址已使用了其他账号",
        "IP address used by another account",
        "The free edition allows one account per public IP address, and this address is already used by "
        "another account.",
        "Sign in with the account that first used the free edition here, or contact support.",
        (_A.SWITCH_ACCOUNT, _A.CONTACT_SUPPORT),
    ),
    _info(
        _S.ACCOUNT_MISMATCH,
        "激活账号异常",
        "Activation account mismatch",
        "The licence on this computer belongs to another account ({licence_account}) than the one signed in.",
        "Sign in as {licence_account}, the account that activated it. If the licence was activated to the wrong "
        "account, contact support.",
        (_A.SWITCH_ACCOUNT, _A.CONTACT_SUPPORT),
    ),
    _info(
        _S.ACTIVATION_LIMIT_REACHED,
        "激活次数已用完",
        "No activations left",
        "The free edition can be activated only a limited number of times, and all of them are used up.",
        "Upgrade to a paid edition, or contact support.",
        (_A.UPGRADE, _A.CONTACT_SUPPORT, _A.SWITCH_ACCOUNT),
    ),
    _info(
        _S.FINGERPRINT_CHANGED,
        "特征码已变更",
        "Feature code changed",
        "The hardware of this computer has changed, so its feature code no longer matches the one "
        "recorded in the licence.",
        "Re-register this computer to move the licence to its new feature code.",
        (_A.REREGISTER, _A.CONTACT_SUPPORT),
    ),
    _info(
        _S.CLOCK_TAMPERED,
        "系统时间异常",
        "System clock problem",
        "The computer's clock is set earlier than a time already seen ({watermark}). The licence cannot be "
        "checked while the clock is wrong.",
        "Set the correct date and time (or turn on automatic time), then check online.",
        (_A.CHECK_CLOCK, _A.REAUTHENTICATE),
    ),
    _info(
        _S.LEDGER_LIMIT_EXCEEDED,
        "账套已用数量大于可用数量,请先购买账套数量",
        "More ledgers in use than bought",
        "{ledgers_in_use} ledgers are in use, but only {ledgers_purchased} were bought. Only ledgers or a "
        "renewal can be bought until this is fixed.",
        "Buy more ledgers, or archive the ledgers you no longer use.",
        (_A.BUY_LEDGERS, _A.ARCHIVE_LEDGERS, _A.RENEW),
        purchase=_P.LEDGERS_ONLY,
    ),
    _info(
        _S.CERTIFICATION_PENDING,
        "企业认证未完成",
        "Enterprise certification pending",
        "The organisation must complete enterprise certification by {certification_deadline} "
        "({certification_days_left} days left); after that the software is restricted.",
        "Submit the organisation's details for certification. Use the organisation the licence was activated for.",
        (_A.CERTIFY, _A.REAUTHENTICATE, _A.BUY),
        purchase=_P.ALLOWED,
        severity=_V.WARNING,
        # A deadline still ahead restricts nothing, so logon scripts must not block on it (exit 0).
        usable=True,
    ),
    _info(
        _S.CERTIFICATION_OVERDUE,
        "企业认证已逾期",
        "Enterprise certification overdue",
        "The deadline for enterprise certification ({certification_deadline}) has passed, so the software "
        "is restricted.",
        "Complete enterprise certification now, with the details of the organisation the licence was activated for.",
        (_A.CERTIFY, _A.REAUTHENTICATE, _A.CONTACT_SUPPORT),
    ),
    _info(
        _S.SUSPENDED,
        "已停用",
        "Suspended",
        "The vendor has suspended or revoked this licence.",
        "Contact support to find out why and how to restore it.",
        (_A.CONTACT_SUPPORT, _A.REAUTHENTICATE),
    ),
    _info(
        _S.UNKNOWN_BLOCKED,
        "未知状态",
        "Unknown state",
        "The licence is in a state this version of the panel does not know. To be safe, it is treated as not usable.",
        "Check online again, update the panel, or contact support.",
        (_A.REAUTHENTICATE, _A.CONTACT_SUPPORT),
    ),
)

CATALOGUE: dict[StateCode, StateInfo] = {info.code: info for info in _ENTRIES}

# More precise explanations for when the server's error details name what the plain text can only allude to
# (the account that holds this public IP, masked). Used only when the details fill every placeholder.
DETAILED_EXPLANATIONS: dict[StateCode, str] = {
    StateCode.IP_BOUND_TO_OTHER_ACCOUNT: "The free edition allows one account per public IP address, and this "
    "address is already used by the account {ip_account}.",
}

# The account a state asks the user to sign in as: the detail that names it (masked by the server).
SIGN_IN_AS_DETAIL: dict[StateCode, str] = {
    StateCode.ACCOUNT_MISMATCH: "licence_account",
    StateCode.IP_BOUND_TO_OTHER_ACCOUNT: "ip_account",
}


def explanation_msgid(info: StateInfo, details: Mapping[str, Any]) -> str:
    """The state's explanation, the detailed variant when ``details`` carry all it names."""
    detailed = DETAILED_EXPLANATIONS.get(info.code)
    if detailed is not None and all(details.get(name) not in (None, "") for name in _fields(detailed)):
        return detailed
    return info.explanation


def sign_in_as(info: StateInfo, details: Mapping[str, Any]) -> str | None:
    """The (masked) account the state's "switch account" should sign in as, when the details name it."""
    key = SIGN_IN_AS_DETAIL.get(info.code)
    value = details.get(key) if key else None
    return value if isinstance(value, str) and value else None


def _fields(text: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in string.Formatter().parse(text) if name)


# Codes that mean "not set up yet" rather than "blocked" (exit code 1 of `status`, docs/PROTOCOL.md "Command line").
_NOT_SET_UP = frozenset({StateCode.NOT_LOGGED_IN, StateCode.NOT_ACTIVATED})


def state_info(code: str) -> StateInfo:
    """The catalogue entry for ``code``; any code this client does not know is UNKNOWN_BLOCKED."""
    try:
        return CATALOGUE[StateCode(code)]
    except ValueError:
        return CATALOGUE[StateCode.UNKNOWN_BLOCKED]


def exit_code_for(code: str) -> int:
    """Exit code of ``python -m app status``: 0 usable, 1 not activated / not signed in, 2 blocked."""
    info = state_info(code)
    if info.usable:
        return 0
    return 1 if info.code in _NOT_SET_UP else 2
