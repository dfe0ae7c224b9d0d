"""Vendor operations behind ``python -m server admin`` and the demo data; also used by tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from licence_protocol.errors import ErrorCode
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import ApiError
from server.models import (
    Account,
    AddonKey,
    Ledger,
    LedgerYear,
    Licence,
    Organisation,
    Policy,
    Product,
)
from server.services.keys import hash_cdkey, new_cdkey, new_serial
from server.services.passwords import check_password_rules, hash_password


@dataclass(frozen=True)
class IssuedKey:
    """A freshly issued serial and CDkey: the only moment the CDkey exists in clear text."""

    licence_id: int
    serial: str
    cdkey: str


def create_account(
    session: Session,
    *,
    login: str,
    password: str,
    now: datetime,
    display_name: str = "",
    role: str = "customer",
) -> Account:
    check_password_rules(password)
    if session.scalar(select(Account).where(Account.login == login)) is not None:
        raise ApiError(ErrorCode.DUPLICATE_LOGIN, "this login is already registered")
    account = Account(
        login=login,
        display_name=display_name or login,
        password_hash=hash_password(password),
        role=role,
        failed_attempts=0,
        created_at=now,
    )
    session.add(account)
    session.flush()
    return account


def create_organisation(
    session: Session, *, account: Account, name: str, tax_id: str, now: datetime, market: str = "CN"
) -> Organisation:
    """Stores the tax id as given: the API checks it first (server.services.tax_ids), admin tools are trusted."""
    org = Organisation(
        account_id=account.id, name=name, tax_id=tax_id, market=market, certification_status="none", created_at=now
    )
    session.add(org)
    session.flush()
    return org


def create_product(session: Session, *, code: str, name: str, version: str = "") -> Product:
    existing = session.scalar(select(Product).where(Product.code == code))
    if existing is not None:
        return existing
    product = Product(code=code, name=name, version=version)
    session.add(product)
    session.flush()
    return product


# e会计 sells its paid editions with 100 vouchers per ledger and fiscal year; the free edition has 50.
PAID_VOUCHER_QUOTA = 100
FREE_VOUCHER_QUOTA = 50


def default_voucher_quota(edition: str) -> int:
    """The vouchers per ledger-year a new policy of ``edition`` grants unless told otherwise."""
    return FREE_VOUCHER_QUOTA if edition == "free" else PAID_VOUCHER_QUOTA


def create_policy(
    session: Session,
    *,
    product: Product,
    code: str,
    name: str,
    edition: str,
    max_machines: int = 1,
    activation_limit: int | None = None,
    one_account_per_ip: bool = False,
    duration_days: int | None = None,
    ledgers_included: int = 1,
    voucher_quota_default: int = 50,
    offline_voucher_allowance: int = 30,
    lease_days: int = 14,
    reregister_limit_per_year: int = 3,
) -> Policy:
    existing = session.scalar(select(Policy).where(Policy.product_id == product.id, Policy.code == code))
    if existing is not None:
        return existing
    policy = Policy(
        product_id=product.id,
        code=code,
        name=name,
        edition=edition,
        max_machines=max_machines,
        activation_limit=activation_limit,
        one_account_per_ip=one_account_per_ip,
        duration_days=duration_days,
        ledgers_included=ledgers_included,
        voucher_quota_default=voucher_quota_default,
        offline_voucher_allowance=offline_voucher_allowance,
        lease_days=lease_days,
        reregister_limit_per_year=reregister_limit_per_year,
    )
    session.add(policy)
    session.flush()
    return policy


def issue_licences(session: Session, *, policy: Policy, count: int, now: datetime) -> list[IssuedKey]:
    issued: list[IssuedKey] = []
    prefix = policy.product.code.split("-")[0][:4].upper() or "LP"
    for _ in range(count):
        serial, cdkey = new_serial(prefix), new_cdkey()
        licence = Licence(
            policy_id=policy.id,
            serial=serial,
            cdkey_hash=hash_cdkey(cdkey),
            status="unused",
            ledgers_purchased=policy.ledgers_included,
            activation_count=0,
            created_at=now,
        )
        session.add(licence)
        session.flush()
        issued.append(IssuedKey(licence.id, serial, cdkey))
    return issued


def issue_addon_keys(
    session: Session, *, code: str, name: str, count: int, now: datetime, duration_days: int | None = 365
) -> list[str]:
    keys: list[str] = []
    for _ in range(count):
        cdkey = new_cdkey()
        session.add(
            AddonKey(code=code, name=name, cdkey_hash=hash_cdkey(cdkey), duration_days=duration_days, created_at=now)
        )
        keys.append(cdkey)
    session.flush()
    return keys


def create_ledger(
    session: Session,
    *,
    organisation: Organisation,
    code: str,
    name: str,
    now: datetime,
    years: dict[int, int] | None = None,
    voucher_quota: int = 50,
) -> Ledger:
    """A 账套 with fiscal years given as ``{year: vouchers_used}``."""
    ledger = Ledger(organisation_id=organisation.id, code=code, name=name, created_at=now)
    session.add(ledger)
    session.flush()
    for year, used in (years or {}).items():
        session.add(LedgerYear(ledger_id=ledger.id, fiscal_year=year, vouchers_used=used, voucher_quota=voucher_quota))
    session.flush()
    return ledger


def set_licence_status(session: Session, *, serial: str, status: str) -> Licence:
    licence = session.scalar(select(Licence).where(Licence.serial == serial))
    if licence is None:
        raise ApiError(ErrorCode.NOT_FOUND, "licence not found")
    licence.status = status
    return licence


def expire_in(now: datetime, days: int) -> datetime:
    return now + timedelta(days=days)
