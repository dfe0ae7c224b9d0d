"""Organisations of an account: listing, creation, enterprise certification, and the licences bound to each.

The ``Organisation`` shape (with "overdue" derived from the server clock) is ``documents.organisation_out``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from server.errors import not_found
from server.models import Account, Ledger, Licence, Machine, Organisation, Policy
from server.services.admin import create_organisation
from server.services.documents import organisation_out
from server.services.keys import mask_serial
from server.services.seats import seats_max
from server.services.tax_ids import DEFAULT_MARKET, accepted_tax_id, market_of

__all__ = [
    "add_organisation",
    "licence_summaries",
    "list_organisations",
    "organisation_out",
    "own_organisation",
    "submit_certification",
]


def list_organisations(session: Session, *, account: Account) -> list[Organisation]:
    return list(
        session.scalars(select(Organisation).where(Organisation.account_id == account.id).order_by(Organisation.id))
    )


def own_organisation(session: Session, *, account: Account, org_id: int) -> Organisation:
    """The account's organisation; another account's id answers exactly like a missing one (404)."""
    org = session.get(Organisation, org_id)
    if org is None or org.account_id != account.id:
        raise not_found("organisation")
    return org


def add_organisation(
    session: Session, *, account: Account, name: str, tax_id: str, now: datetime, market: str = DEFAULT_MARKET
) -> Organisation:
    """A new organisation buying in ``market``; its tax id (optional) must pass that market's rule."""
    tax_id = accepted_tax_id(market, tax_id)
    return create_organisation(session, account=account, name=name, tax_id=tax_id, now=now, market=market)


def submit_certification(
    session: Session, *, account: Account, org_id: int, name: str, tax_id: str, now: datetime
) -> Organisation:
    """Record the organisation's details; the sandbox certifies at once (a real vendor would review them)."""
    org = own_organisation(session, account=account, org_id=org_id)
    # Checked after the ownership test, so another account's id still answers 404 whatever the tax id.
    org.name, org.tax_id = name, accepted_tax_id(market_of(org), tax_id, optional=False)
    if org.certification_status != "certified":
        org.certification_status = "certified"
        org.certified_at = now
    session.flush()
    return org


def _licence_status(licence: Licence, now: datetime) -> str:
    if licence.status == "active" and licence.expires_at is not None and licence.expires_at <= now:
        return "expired"
    return licence.status


def licence_summaries(session: Session, *, account: Account, org_id: int, now: datetime) -> list[dict[str, Any]]:
    """The licences bound to one of the account's organisations, as ``LicenceSummary`` dicts."""
    org = own_organisation(session, account=account, org_id=org_id)
    licences = session.scalars(
        select(Licence)
        .where(Licence.organisation_id == org.id)
        .options(selectinload(Licence.policy).selectinload(Policy.product))
        .order_by(Licence.id)
    ).all()
    seats_used = dict(
        session.execute(
            select(Machine.licence_id, func.count(Machine.id))
            .where(Machine.licence_id.in_([lic.id for lic in licences]), Machine.deactivated_at.is_(None))
            .group_by(Machine.licence_id)
        ).all()
    )
    ledgers_in_use = session.scalar(
        select(func.count(Ledger.id)).where(Ledger.organisation_id == org.id, Ledger.archived_at.is_(None))
    )
    return [
        {
            "id": lic.id,
            "serial_masked": mask_serial(lic.serial),
            "product": {
                "code": lic.policy.product.code,
                "name": lic.policy.product.name,
                "version": lic.policy.product.version,
            },
            "edition": lic.policy.edition,
            "status": _licence_status(lic, now),
            "expires_at": lic.expires_at.isoformat() if lic.expires_at is not None else None,
            "seats": {"used": seats_used.get(lic.id, 0), "max": seats_max(lic)},
            "ledgers": {"purchased": lic.ledgers_purchased, "in_use": ledgers_in_use or 0},
        }
        for lic in licences
    ]
