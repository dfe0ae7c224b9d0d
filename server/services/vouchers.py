"""Voucher metering per ledger-year: the quota a new year starts with, usage counted once per idempotency key.

Counting is one conditional UPDATE (``vouchers_used + n <= quota``) in the transaction that also claims the
idempotency key, so parallel reports never push a ledger-year past its quota and a retried report never
counts twice, on SQLite and PostgreSQL alike (docs/PROTOCOL.md, "Ledgers").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from licence_protocol.errors import ErrorCode
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.db import rows_updated
from server.errors import ApiError
from server.models import LedgerYear, Licence, Policy, VoucherConsumption


@dataclass(frozen=True)
class VoucherTerms:
    """What the organisation's policies grant each ledger-year."""

    quota: int  # vouchers a new ledger-year starts with
    offline_allowance: int  # vouchers one machine may post offline for a ledger-year, beyond what is counted


# An organisation without a licence is granted nothing: its ledger-years start without vouchers.
NO_TERMS = VoucherTerms(quota=0, offline_allowance=0)


@dataclass(frozen=True)
class VoucherCount:
    used: int
    quota: int
    counted: bool  # False: the idempotency key had been counted already, nothing was added


def voucher_terms(session: Session, organisation_id: int) -> VoucherTerms:
    """The most generous terms among the policies of the organisation's licences.

    Ledgers belong to the organisation, not to one licence: with a free and a paid licence in one
    organisation, the paid edition's quota applies."""
    quota, allowance = session.execute(
        select(func.max(Policy.voucher_quota_default), func.max(Policy.offline_voucher_allowance))
        .join(Licence, Licence.policy_id == Policy.id)
        .where(Licence.organisation_id == organisation_id)
    ).one()
    if quota is None:
        return NO_TERMS
    return VoucherTerms(quota=int(quota), offline_allowance=int(allowance))


def offline_allowance(policy_allowance: int, used: int, quota: int) -> int:
    """Vouchers a machine may post offline for a ledger-year: the policy's allowance, at most what is left."""
    return min(policy_allowance, max(0, quota - used))


def _find_year(session: Session, ledger_id: int, fiscal_year: int) -> LedgerYear | None:
    stmt = select(LedgerYear).where(LedgerYear.ledger_id == ledger_id, LedgerYear.fiscal_year == fiscal_year)
    return session.scalar(stmt.execution_options(populate_existing=True))


def ensure_ledger_year(session: Session, ledger_id: int, fiscal_year: int, quota: int) -> tuple[LedgerYear, bool]:
    """The ledger-year, created with ``quota`` when missing; True when this call created it.

    Two requests creating the same year at once: one insert wins the unique (ledger, year) constraint, the
    other reads the winner's row (PostgreSQL; SQLite runs write transactions one at a time)."""
    year = _find_year(session, ledger_id, fiscal_year)
    if year is not None:
        return year, False
    try:
        with session.begin_nested():
            year = LedgerYear(ledger_id=ledger_id, fiscal_year=fiscal_year, vouchers_used=0, voucher_quota=quota)
            session.add(year)
    except IntegrityError:
        year = _find_year(session, ledger_id, fiscal_year)
        if year is None:  # the winner rolled back after all: its constraint no longer stands in the way
            return ensure_ledger_year(session, ledger_id, fiscal_year, quota)
        return year, False
    return year, True


def _claim_key(
    session: Session, year_id: int, key: str, count: int, offline: bool, account_id: int, now: datetime
) -> bool:
    """Record the key for this ledger-year; False when it was recorded before (then nothing is counted)."""
    try:
        with session.begin_nested():
            session.add(
                VoucherConsumption(
                    ledger_year_id=year_id,
                    idempotency_key=key,
                    count=count,
                    offline=offline,
                    account_id=account_id,
                    created_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


def _usage(session: Session, year_id: int) -> tuple[int, int]:
    row = session.execute(
        select(LedgerYear.vouchers_used, LedgerYear.voucher_quota).where(LedgerYear.id == year_id)
    ).one()
    return int(row[0]), int(row[1])


def count_vouchers(
    session: Session,
    *,
    ledger_id: int,
    organisation_id: int,
    fiscal_year: int,
    count: int,
    key: str,
    offline: bool,
    account_id: int,
    now: datetime,
) -> VoucherCount:
    """Count ``count`` vouchers of a ledger-year under ``key``; 409 ``VOUCHER_QUOTA_EXCEEDED`` past the quota.

    ``offline`` vouchers were already posted against the document's offline allowance: they are accepted up to
    the quota plus the policy's allowance, since refusing them would lose only the record, not the vouchers.
    A refusal raises, and the request's rollback releases the key, so the same key may be reported again."""
    terms = voucher_terms(session, organisation_id)
    year, _ = ensure_ledger_year(session, ledger_id, fiscal_year, terms.quota)
    if not _claim_key(session, year.id, key, count, offline, account_id, now):
        used, quota = _usage(session, year.id)
        return VoucherCount(used=used, quota=quota, counted=False)
    ceiling = LedgerYear.voucher_quota + (terms.offline_allowance if offline else 0)
    # The check and the increment are one statement: a parallel report sees the other's committed count
    # (PostgreSQL re-checks the WHERE on the row it waited for), so the ceiling is never passed.
    counted = rows_updated(
        session,
        update(LedgerYear)
        .where(LedgerYear.id == year.id, LedgerYear.vouchers_used + count <= ceiling)
        .values(vouchers_used=LedgerYear.vouchers_used + count),
    )
    used, quota = _usage(session, year.id)
    if counted != 1:
        raise ApiError(
            ErrorCode.VOUCHER_QUOTA_EXCEEDED,
            "the vouchers of this ledger-year are used up",
            {"used": used, "quota": quota, "requested": count},
        )
    return VoucherCount(used=used, quota=quota, counted=True)
