"""Ledgers (账套) as a licence serves them: fiscal years, opened modules, voucher usage; creating, archiving.

The host accounting program creates ledgers and fiscal years and reports the vouchers it posts through these;
the counting itself is ``server.services.vouchers``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from licence_protocol.errors import ErrorCode
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import ApiError, not_found
from server.models import Account, Entitlement, Ledger, Licence, Organisation
from server.services import admin, vouchers
from server.services.documents import ledgers_in_use


def _modules(session: Session, ledger_ids: list[int], licence_id: int | None) -> dict[tuple[int, int], list[str]]:
    """Opened modules per (ledger, fiscal year); revoked entitlements (refunds) are closed again."""
    if not ledger_ids:
        return {}
    stmt = select(Entitlement).where(Entitlement.ledger_id.in_(ledger_ids), Entitlement.revoked_at.is_(None))
    if licence_id is not None:
        stmt = stmt.where(Entitlement.licence_id == licence_id)
    opened: dict[tuple[int, int], set[str]] = defaultdict(set)
    for e in session.scalars(stmt):
        opened[(e.ledger_id, e.fiscal_year)].add(e.module)
    return {key: sorted(modules) for key, modules in opened.items()}


def ledger_out(ledger: Ledger, modules: dict[tuple[int, int], list[str]]) -> dict[str, Any]:
    return {
        "id": ledger.id,
        "code": ledger.code,
        "name": ledger.name,
        "archived": ledger.archived_at is not None,
        "years": [
            {
                "fiscal_year": y.fiscal_year,
                "modules": modules.get((ledger.id, y.fiscal_year), []),
                "vouchers": {"used": y.vouchers_used, "quota": y.voucher_quota},
            }
            for y in ledger.years
        ],
    }


def licence_ledgers(session: Session, *, account: Account, licence_id: int) -> dict[str, Any]:
    """The ledgers of the licence's organisation, with what this licence opened in each fiscal year."""
    licence = session.get(Licence, licence_id)
    if licence is None or licence.account_id != account.id:
        raise not_found("licence")
    ledgers: list[Ledger] = []
    if licence.organisation_id is not None:
        ledgers = list(
            session.scalars(select(Ledger).where(Ledger.organisation_id == licence.organisation_id).order_by(Ledger.id))
        )
    modules = _modules(session, [ledger.id for ledger in ledgers], licence.id)
    return {
        "ledgers": [ledger_out(ledger, modules) for ledger in ledgers],
        "purchased": licence.ledgers_purchased,
        "in_use": ledgers_in_use(session, licence.organisation_id),
    }


def owned_ledger(session: Session, account: Account, ledger_id: int) -> Ledger:
    """The ledger, when it belongs to one of the account's organisations; another account's answers like none."""
    ledger = session.get(Ledger, ledger_id)
    org = session.get(Organisation, ledger.organisation_id) if ledger is not None else None
    if ledger is None or org is None or org.account_id != account.id:
        raise ApiError(ErrorCode.LEDGER_NOT_FOUND, "ledger not found", {"ledger_id": ledger_id})
    return ledger


def _writable(ledger: Ledger) -> Ledger:
    if ledger.archived_at is not None:
        raise ApiError(ErrorCode.LEDGER_ARCHIVED, "the ledger is archived (read-only)", {"ledger_id": ledger.id})
    return ledger


def create_ledger(
    session: Session, *, account: Account, licence_id: int, code: str, name: str, now: datetime
) -> dict[str, Any]:
    """A new ledger in the licence's organisation, while the licence has a purchased ledger free."""
    licence = session.get(Licence, licence_id)
    if licence is None or licence.account_id != account.id:
        raise not_found("licence")
    if licence.organisation_id is None:
        orgs = session.scalars(
            select(Organisation).where(Organisation.account_id == account.id).order_by(Organisation.id)
        )
        raise ApiError(
            ErrorCode.ORG_REQUIRED,
            "the licence is not bound to an organisation",
            {"organisations": [{"id": o.id, "name": o.name} for o in orgs]},
        )
    # One create at a time per organisation: the row lock makes a parallel create wait here, and then count
    # the ledger this one adds (PostgreSQL; SQLite runs write transactions one at a time anyway).
    org = session.scalars(
        select(Organisation)
        .where(Organisation.id == licence.organisation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    in_use = ledgers_in_use(session, org.id)
    if in_use >= licence.ledgers_purchased:
        raise ApiError(
            ErrorCode.LEDGER_LIMIT_EXCEEDED,
            "every purchased ledger is in use",
            {"purchased": licence.ledgers_purchased, "in_use": in_use},
        )
    # Archived ledgers keep their codes: the books under a code stay identifiable.
    if session.scalar(select(Ledger.id).where(Ledger.organisation_id == org.id, Ledger.code == code)) is not None:
        raise ApiError(
            ErrorCode.LEDGER_CODE_TAKEN, "the organisation already has a ledger with this code", {"code": code}
        )
    ledger = admin.create_ledger(session, organisation=org, code=code, name=name, now=now)
    return ledger_out(ledger, {})


def add_fiscal_year(
    session: Session, *, account: Account, ledger_id: int, fiscal_year: int
) -> tuple[dict[str, Any], bool]:
    """The ledger-year, created with the organisation's voucher quota when missing; True when created now."""
    ledger = _writable(owned_ledger(session, account, ledger_id))
    terms = vouchers.voucher_terms(session, ledger.organisation_id)
    year, created = vouchers.ensure_ledger_year(session, ledger.id, fiscal_year, terms.quota)
    modules = _modules(session, [ledger.id], None)
    out = {
        "ledger_id": ledger.id,
        "fiscal_year": year.fiscal_year,
        "modules": modules.get((ledger.id, year.fiscal_year), []),
        "vouchers": {"used": year.vouchers_used, "quota": year.voucher_quota},
    }
    return out, created


def record_voucher_usage(
    session: Session,
    *,
    account: Account,
    ledger_id: int,
    fiscal_year: int,
    count: int,
    idempotency_key: str,
    offline: bool,
    now: datetime,
) -> dict[str, Any]:
    """Count vouchers the host program posted in a ledger-year (``server.services.vouchers.count_vouchers``)."""
    ledger = _writable(owned_ledger(session, account, ledger_id))
    result = vouchers.count_vouchers(
        session,
        ledger_id=ledger.id,
        organisation_id=ledger.organisation_id,
        fiscal_year=fiscal_year,
        count=count,
        key=idempotency_key,
        offline=offline,
        account_id=account.id,
        now=now,
    )
    return {
        "ledger_id": ledger.id,
        "fiscal_year": fiscal_year,
        "used": result.used,
        "quota": result.quota,
        "requested": count,
        "counted": result.counted,
    }


def archive_ledger(session: Session, *, account: Account, ledger_id: int, now: datetime) -> dict[str, Any]:
    """Archive a ledger: read-only from now on, and no longer counted as in use. Archiving twice is harmless."""
    ledger = owned_ledger(session, account, ledger_id)
    if ledger.archived_at is None:
        ledger.archived_at = now
    session.commit()
    return ledger_out(ledger, _modules(session, [ledger.id], None))
