"""A service accountant's (代账会计) customers: linked organisations, their licences and expiries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from licence_protocol.errors import ErrorCode
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from server.errors import ApiError
from server.models import Account, Licence, Organisation, ServiceCustomer
from server.services.documents import iso, ledgers_in_use

SERVICE_ACCOUNTANT = "service_accountant"
EXPIRING_SOON = timedelta(days=30)
# Licences still waiting for their first activation have no customer to renew yet.
LISTED_STATUSES = ("active", "suspended", "revoked")

CustomerSort = Literal["name", "expiry"]


@dataclass(frozen=True)
class CustomerLicence:
    organisation: Organisation
    licence: Licence


def is_service_accountant(account: Account) -> bool:
    return account.role == SERVICE_ACCOUNTANT


def require_service_accountant(account: Account) -> None:
    """Only a service accountant has customers; anyone else is told so rather than shown an empty list."""
    if not is_service_accountant(account):
        raise ApiError(ErrorCode.FORBIDDEN, "only a service accountant login has customers")


def link_customer(session: Session, *, accountant: Account, organisation: Organisation, now: datetime) -> None:
    """Put an organisation in the accountant's care; linking twice is harmless."""
    exists = session.scalar(
        select(ServiceCustomer.id).where(
            ServiceCustomer.accountant_id == accountant.id, ServiceCustomer.organisation_id == organisation.id
        )
    )
    if exists is None:
        session.add(ServiceCustomer(accountant_id=accountant.id, organisation_id=organisation.id, created_at=now))
        session.flush()


def is_customer_licence(session: Session, account: Account, licence: Licence) -> bool:
    """True when the licence serves an organisation in this service accountant's care."""
    if not is_service_accountant(account) or licence.organisation_id is None:
        return False
    link = session.scalar(
        select(ServiceCustomer.id).where(
            ServiceCustomer.accountant_id == account.id, ServiceCustomer.organisation_id == licence.organisation_id
        )
    )
    return link is not None


def subscription_status(licence: Licence, now: datetime) -> str:
    """active | expiring_soon | expired | suspended, as the customer table shows it."""
    if licence.status in ("suspended", "revoked"):
        return "suspended"
    if licence.expires_at is None:
        return "active"
    if licence.expires_at <= now:
        return "expired"
    if licence.expires_at <= now + EXPIRING_SOON:
        return "expiring_soon"
    return "active"


def customer_licences(
    session: Session, accountant: Account, *, query: str = "", sort: CustomerSort = "name"
) -> list[CustomerLicence]:
    """The licences of the accountant's customers, filtered by a name or tax id substring."""
    stmt = (
        select(Organisation, Licence)
        .join(ServiceCustomer, ServiceCustomer.organisation_id == Organisation.id)
        .join(Licence, Licence.organisation_id == Organisation.id)
        .where(ServiceCustomer.accountant_id == accountant.id, Licence.status.in_(LISTED_STATUSES))
    )
    text = query.strip().lower()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                func.lower(Organisation.name).like(pattern, escape="\\"),
                func.lower(Organisation.tax_id).like(pattern, escape="\\"),
            )
        )
    if sort == "expiry":
        # Soonest first, so the customers to renew now lead the table; perpetual licences last.
        stmt = stmt.order_by(Licence.expires_at.is_(None), Licence.expires_at, Organisation.name, Licence.id)
    else:
        stmt = stmt.order_by(Organisation.name, Licence.id)
    return [CustomerLicence(org, licence) for org, licence in session.execute(stmt)]


def customer_json(session: Session, row: CustomerLicence, now: datetime) -> dict[str, Any]:
    org, licence = row.organisation, row.licence
    product = licence.policy.product
    return {
        "organisation_id": org.id,
        "name": org.name,
        "tax_id": org.tax_id,
        "licence_id": licence.id,
        "product": {"code": product.code, "name": product.name, "version": product.version},
        "edition": licence.policy.edition,
        "expires_at": iso(licence.expires_at),
        "status": subscription_status(licence, now),
        "ledgers": {"in_use": ledgers_in_use(session, org.id), "purchased": licence.ledgers_purchased},
    }
