"""Ledger endpoints: thin handlers over ``server.services.ledgers``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from server.deps import AccountDep, ClockDep, SessionDep
from server.schemas.common import Id
from server.schemas.ledgers import LedgerOut, LicenceLedgersOut
from server.services import ledgers

router = APIRouter(tags=["ledgers"])


@router.get("/licences/{licence_id}/ledgers", response_model=LicenceLedgersOut)
def licence_ledgers(licence_id: Id, session: SessionDep, account: AccountDep) -> Any:
    """The organisation's ledgers: fiscal years, modules this licence opened, voucher usage and quota."""
    return ledgers.licence_ledgers(session, account=account, licence_id=licence_id)


@router.post("/ledgers/{ledger_id}/archive", response_model=LedgerOut)
def archive(ledger_id: Id, session: SessionDep, clock: ClockDep, account: AccountDep) -> Any:
    """Archive a ledger so it no longer counts as in use (cloud edition renewals)."""
    return ledgers.archive_ledger(session, account=account, ledger_id=ledger_id, now=clock.now())
