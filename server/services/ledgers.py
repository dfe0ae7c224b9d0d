"""Ledgers (账套) as a licence serves them: fiscal years, opened modules, voucher usage; archiving."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from licence_protocol.errors import ErrorCode
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import ApiError, not_found
from server.models import Account, Entitlement, Ledger, Licence, Organisation
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


def archive_ledger(session: Session, *, account: Account, ledger_id: int, now: datetime) -> dict[str, Any]:
    """Archive a ledger: read-only from now on, and no longer counted as in use. Archiving twice is harmless."""
    ledger = session.get(Ledger, ledger_id)
    org = session.get(Organisation, ledger.organisation_id) if ledger is not None else None
    if ledger is None or org is None or org.account_id != account.id:
        raise ApiError(ErrorCode.LEDGER_NOT_FOUND, "ledger not found")
    if ledger.archived_at is None:
        ledger.archived_at = now
    session.commit()
    return ledger_out(ledger, _modules(session, [ledger.id], None))
