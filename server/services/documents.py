"""The signed licence document: what one machine is entitled to (docs/PROTOCOL.md, "Licence document")."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.models import Account, AddonKey, Entitlement, Ledger, LedgerYear, Licence, Machine, Organisation
from server.services.keys import mask_serial
from server.signing import KeyStore

DOCUMENT_FORMAT = 1


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def mask_login(login: str) -> str:
    """An account as a document may show it: ``13800000001`` → ``138****0001``, ``ab****@example.com``."""
    local, at, domain = login.partition("@")
    if at:
        return f"{local[:2]}****@{domain}"
    if len(login) >= 8:
        return f"{login[:3]}****{login[-4:]}"
    return f"{login[:1]}****"


def certification_of(org: Organisation, now: datetime) -> dict[str, Any]:
    """The organisation's certification as clients see it: a pending one past its deadline is overdue."""
    status = org.certification_status
    deadline = org.certification_deadline
    if status == "pending" and deadline is not None and deadline <= now:
        status = "overdue"
    return {"status": status, "deadline": iso(deadline)}


def organisation_out(org: Organisation, now: datetime) -> dict[str, Any]:
    return {"id": org.id, "name": org.name, "tax_id": org.tax_id, "certification": certification_of(org, now)}


def active_machines(session: Session, licence_id: int) -> list[Machine]:
    stmt = (
        select(Machine).where(Machine.licence_id == licence_id, Machine.deactivated_at.is_(None)).order_by(Machine.id)
    )
    return list(session.scalars(stmt))


def seats_used(session: Session, licence_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(Machine)
        .where(Machine.licence_id == licence_id, Machine.deactivated_at.is_(None))
    )
    return int(session.scalar(stmt) or 0)


def ledgers_in_use(session: Session, organisation_id: int | None) -> int:
    """Ledgers that count against the purchased number: archived ones do not."""
    if organisation_id is None:
        return 0
    stmt = (
        select(func.count())
        .select_from(Ledger)
        .where(Ledger.organisation_id == organisation_id, Ledger.archived_at.is_(None))
    )
    return int(session.scalar(stmt) or 0)


def build_payload(
    session: Session, licence: Licence, machine: Machine | None, now: datetime, nonce: str | None = None
) -> dict[str, Any]:
    policy = licence.policy
    product = policy.product
    account = session.get(Account, licence.account_id) if licence.account_id is not None else None
    org = session.get(Organisation, licence.organisation_id) if licence.organisation_id is not None else None
    entitlements = session.scalars(
        select(Entitlement)
        .where(Entitlement.licence_id == licence.id, Entitlement.revoked_at.is_(None))
        .order_by(Entitlement.ledger_id, Entitlement.fiscal_year, Entitlement.module)
    ).all()
    years = (
        session.execute(
            select(LedgerYear)
            .join(Ledger, Ledger.id == LedgerYear.ledger_id)
            .where(Ledger.organisation_id == licence.organisation_id)
            .order_by(LedgerYear.ledger_id, LedgerYear.fiscal_year)
        )
        .scalars()
        .all()
        if org is not None
        else []
    )
    addons = session.scalars(select(AddonKey).where(AddonKey.licence_id == licence.id).order_by(AddonKey.id)).all()
    return {
        "format": DOCUMENT_FORMAT,
        "licence_id": licence.id,
        "serial_masked": mask_serial(licence.serial),
        "product": {"code": product.code, "name": product.name, "version": product.version},
        "edition": policy.edition,
        "policy": policy.name,
        "status": licence.status,
        "account": {"id": account.id, "display": mask_login(account.login)} if account is not None else None,
        "organisation": {"id": org.id, "name": org.name, "tax_id": org.tax_id} if org is not None else None,
        "machine": (
            {
                "id": machine.id,
                "feature_code": machine.fingerprint,
                "components": dict(machine.components),
                "name": machine.name,
            }
            if machine is not None
            else None
        ),
        "seats": {"used": seats_used(session, licence.id), "max": policy.max_machines},
        "ledgers": {"purchased": licence.ledgers_purchased, "in_use": ledgers_in_use(session, licence.organisation_id)},
        "entitlements": [
            {"module": e.module, "ledger_id": e.ledger_id, "fiscal_year": e.fiscal_year} for e in entitlements
        ],
        "vouchers": [
            {"ledger_id": y.ledger_id, "fiscal_year": y.fiscal_year, "used": y.vouchers_used, "quota": y.voucher_quota}
            for y in years
        ],
        "addons": [{"code": a.code, "name": a.name, "expires_at": iso(a.expires_at)} for a in addons],
        "certification": (certification_of(org, now) if org is not None else {"status": "none", "deadline": None}),
        "expires_at": iso(licence.expires_at),
        "issued_at": iso(now),
        # How long the client may trust this document without reaching the server again.
        "lease_expires_at": iso(now + timedelta(days=policy.lease_days)),
        "server_time": iso(now),
        "nonce": nonce,
    }


def issue_document(
    session: Session,
    keys: KeyStore,
    licence: Licence,
    machine: Machine | None,
    now: datetime,
    nonce: str | None = None,
) -> dict[str, Any]:
    """Build the payload and sign it with the active key (the envelope: docs/PROTOCOL.md, "Licence document")."""
    return keys.sign(build_payload(session, licence, machine, now, nonce))
