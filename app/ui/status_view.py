"""What 系统认证 displays, flattened from the service's status into plain values the widgets show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from app.domain import states
from app.domain.states import StateCode, state_info
from app.i18n import tr

Severity = Literal["ok", "warning", "error", "neutral"]
Network = Literal["online", "offline", "unknown"]


def severity_for(code: StateCode | str) -> Severity:
    """Badge colour from the catalogue: green usable, amber needs attention, red blocked (unknown codes too)."""
    return {"OK": "ok", "WARNING": "warning"}.get(str(state_info(code).severity), "error")  # type: ignore[return-value]


def action_label(action: str) -> str:
    try:
        return tr(states.action_label(action))
    except ValueError:  # an action this version does not know: show its name rather than nothing
        return action.replace("_", " ").capitalize()


@dataclass(frozen=True)
class StatusView:
    code: StateCode
    label: str
    label_zh: str
    explanation: str
    next_step: str
    actions: tuple[str, ...]  # primary first
    signed_in: bool = False
    signed_in_login: str | None = None
    has_licence: bool = False
    licence_id: int | None = None
    account: str | None = None  # 激活账号: the account the licence was activated to
    organisation: str | None = None
    product: str | None = None
    serial_masked: str | None = None
    feature_code: str | None = None
    expires_at: datetime | None = None  # None with has_licence: perpetual
    seats: tuple[int, int] | None = None
    last_online_check: datetime | None = None
    lease_expires_at: datetime | None = None
    certification_status: str | None = None
    certification_deadline: datetime | None = None
    network: Network = "unknown"
    addons: tuple[tuple[str, datetime | None], ...] = ()  # (name, expiry) of each add-on service
    reregistrations: tuple[int, int] | None = None  # (used, limit) this year, when the server said (重新注册)
    organisation_id: int | None = None
    organisation_name: str | None = None
    organisation_tax_id: str | None = None
    organisation_market: str | None = None  # CN | VN | IR: whose tax-id rule the organisation's tax id follows
    # The masked account the state asks to sign in as (激活账号异常: the licence's owner; the IP's holder).
    sign_in_as: str | None = None

    @property
    def severity(self) -> Severity:
        return severity_for(self.code)
