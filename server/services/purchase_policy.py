"""Server side of "can this licence buy now" (docs/PROTOCOL.md, "States": the "can buy" column)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from licence_protocol.errors import ErrorCode
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.errors import ApiError, not_found
from server.models import Account, IpBinding, Ledger, Licence, Machine, Organisation
from server.services.seats import seats_max

ALL_KINDS = frozenset({"module", "vouchers", "ledgers", "renewal", "seats"})
EXPIRING_SOON_DAYS = 30


@dataclass(frozen=True)
class PurchaseVerdict:
    """The licence's state code and which kinds of item it may buy in that state."""

    state: str
    allowed_kinds: frozenset[str]

    @property
    def allowed(self) -> bool:
        """True when buying is not restricted at all (modules included)."""
        return self.allowed_kinds == ALL_KINDS

    def as_json(self) -> dict[str, object]:
        return {"allowed": self.allowed, "state": self.state, "kinds": sorted(self.allowed_kinds)}


def owned_licence(session: Session, account: Account, licence_id: int) -> Licence:
    """The licence if the caller holds it or owns its organisation; anything else answers 404."""
    licence = session.get(Licence, licence_id)
    if licence is None:
        raise not_found("licence")
    if licence.account_id == account.id:
        return licence
    org = session.get(Organisation, licence.organisation_id) if licence.organisation_id else None
    if org is not None and org.account_id == account.id:
        return licence
    raise not_found("licence")


def ledgers_in_use(session: Session, licence: Licence) -> int:
    if licence.organisation_id is None:
        return 0
    count = session.scalar(
        select(func.count(Ledger.id)).where(
            Ledger.organisation_id == licence.organisation_id, Ledger.archived_at.is_(None)
        )
    )
    return int(count or 0)


def _blocked(state: str) -> PurchaseVerdict:
    return PurchaseVerdict(state, frozenset())


def evaluate(session: Session, licence: Licence, account: Account, now: datetime, client_ip: str) -> PurchaseVerdict:
    """One state per licence, strictest first, mirroring the client's evaluation order."""
    policy = licence.policy
    if licence.status in ("suspended", "revoked"):
        return _blocked("SUSPENDED")
    if licence.status != "active" or licence.account_id is None:
        return _blocked("NOT_ACTIVATED")
    if licence.account_id != account.id:
        return _blocked("ACCOUNT_MISMATCH")
    if policy.one_account_per_ip:
        holder = session.scalar(
            select(IpBinding.account_id).where(
                IpBinding.product_id == policy.product_id, IpBinding.public_ip == client_ip
            )
        )
        if holder is not None and holder != account.id:
            return _blocked("IP_BOUND_TO_OTHER_ACCOUNT")
    seats_used = session.scalar(
        select(func.count(Machine.id)).where(Machine.licence_id == licence.id, Machine.deactivated_at.is_(None))
    )
    if int(seats_used or 0) > seats_max(licence):
        # More computers than seats: free one, or buy a seat pack (the only purchase in this state).
        return PurchaseVerdict("TOO_MANY_MACHINES", frozenset({"seats"}))
    org = session.get(Organisation, licence.organisation_id) if licence.organisation_id else None
    deadline = org.certification_deadline if org else None
    overdue = org is not None and (
        org.certification_status == "overdue"
        or (org.certification_status == "pending" and deadline is not None and deadline <= now)
    )
    if overdue:
        return _blocked("CERTIFICATION_OVERDUE")
    if licence.expires_at is not None and licence.expires_at <= now:
        return PurchaseVerdict("EXPIRED", frozenset({"renewal"}))
    if policy.edition == "cloud" and ledgers_in_use(session, licence) > licence.ledgers_purchased:
        return PurchaseVerdict("LEDGER_LIMIT_EXCEEDED", frozenset({"ledgers", "renewal"}))
    if licence.expires_at is not None and licence.expires_at <= now + timedelta(days=EXPIRING_SOON_DAYS):
        return PurchaseVerdict("EXPIRING_SOON", ALL_KINDS)
    if org is not None and org.certification_status == "pending":
        return PurchaseVerdict("CERTIFICATION_PENDING", ALL_KINDS)
    return PurchaseVerdict("ACTIVE", ALL_KINDS)


def ensure_can_buy(verdict: PurchaseVerdict, kinds: set[str]) -> None:
    """PURCHASE_BLOCKED (409) unless every requested kind of item is allowed in the licence's state."""
    refused = kinds - verdict.allowed_kinds
    if refused:
        raise ApiError(
            ErrorCode.PURCHASE_BLOCKED,
            "this licence cannot buy these items in its current state",
            {"state": verdict.state, "allowed_kinds": sorted(verdict.allowed_kinds), "refused_kinds": sorted(refused)},
        )
