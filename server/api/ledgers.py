"""Ledger endpoints: thin handlers over ``server.services.ledgers``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from server.deps import AccountDep, ClockDep, SessionDep
from server.schemas.common import FiscalYear, Id
from server.schemas.ledgers import (
    FiscalYearCreate,
    LedgerCreate,
    LedgerOut,
    LicenceLedgersOut,
    OneLedgerYearOut,
    VoucherUsageIn,
    VoucherUsageOut,
)
from server.services import ledgers

router = APIRouter(tags=["ledgers"])


@router.get("/licences/{licence_id}/ledgers", response_model=LicenceLedgersOut)
def licence_ledgers(licence_id: Id, session: SessionDep, account: AccountDep) -> Any:
    """The organisation's ledgers: fiscal years, modules this licence opened, voucher usage and quota."""
    return ledgers.licence_ledgers(session, account=account, licence_id=licence_id)


@router.post("/licences/{licence_id}/ledgers", status_code=201, response_model=LedgerOut)
def create_ledger(licence_id: Id, body: LedgerCreate, session: SessionDep, clock: ClockDep, account: AccountDep) -> Any:
    """A new ledger in the licence's organisation, while a purchased ledger is free (LEDGER_LIMIT_EXCEEDED)."""
    return ledgers.create_ledger(
        session, account=account, licence_id=licence_id, code=body.code, name=body.name, now=clock.now()
    )


@router.post(
    "/ledgers/{ledger_id}/years",
    status_code=201,
    response_model=OneLedgerYearOut,
    responses={200: {"model": OneLedgerYearOut, "description": "The fiscal year existed already"}},
)
def add_fiscal_year(
    ledger_id: Id, body: FiscalYearCreate, response: Response, session: SessionDep, account: AccountDep
) -> Any:
    """Open a fiscal year of the ledger with the edition's voucher quota; idempotent (200 when it exists)."""
    year, created = ledgers.add_fiscal_year(session, account=account, ledger_id=ledger_id, fiscal_year=body.fiscal_year)
    if not created:
        response.status_code = 200
    return year


@router.post("/ledgers/{ledger_id}/years/{fiscal_year}/voucher-usage", response_model=VoucherUsageOut)
def voucher_usage(
    ledger_id: Id,
    fiscal_year: FiscalYear,
    body: VoucherUsageIn,
    session: SessionDep,
    clock: ClockDep,
    account: AccountDep,
) -> Any:
    """Count vouchers posted in a ledger-year, once per idempotency key; VOUCHER_QUOTA_EXCEEDED past the quota."""
    return ledgers.record_voucher_usage(
        session,
        account=account,
        ledger_id=ledger_id,
        fiscal_year=fiscal_year,
        count=body.count,
        idempotency_key=body.idempotency_key,
        offline=body.offline,
        now=clock.now(),
    )


@router.post("/ledgers/{ledger_id}/archive", response_model=LedgerOut)
def archive(ledger_id: Id, session: SessionDep, clock: ClockDep, account: AccountDep) -> Any:
    """Archive a ledger so it no longer counts as in use (cloud edition renewals)."""
    return ledgers.archive_ledger(session, account=account, ledger_id=ledger_id, now=clock.now())
