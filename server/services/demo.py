"""Demo data: accounts, organisations, ledgers and one licence per state a newcomer should reach.

Re-running is safe. Accounts, organisations, ledgers, products and policies are found again and put back
into their demo state (passwords and lock-outs reset, the demo ledgers un-archived). Every scenario licence
is issued anew with a new serial and CDkey, so the keys printed by the latest run always work; CDkeys are
stored only as hashes, so keys from an earlier run can never be shown again. The service accountant's
customers keep one licence each, which is re-keyed and reset to its seeded expiry.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from licence_protocol.fingerprint import feature_code
from licence_protocol.tax_ids import check_tax_id
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import (
    Account,
    IpBinding,
    Ledger,
    LedgerYear,
    Licence,
    LicenceEvent,
    Machine,
    Organisation,
    Policy,
    Product,
    RechargeCode,
)
from server.services.admin import (
    FREE_VOUCHER_QUOTA,
    PAID_VOUCHER_QUOTA,
    create_account,
    create_ledger,
    create_organisation,
    create_policy,
    create_product,
    issue_addon_keys,
    issue_licences,
)
from server.services.customers import link_customer
from server.services.keys import hash_cdkey, new_cdkey
from server.services.markets import CURRENCIES, PAYMENT_METHODS
from server.services.passwords import hash_password
from server.services.recharge_codes import new_code
from server.services.support import seed_demo_contacts

DEMO_LOGIN = "13800000001"
DEMO_PASSWORD = "Demo#2025pass"
OTHER_LOGIN = "13800000002"
OTHER_PASSWORD = "Other#2025pass"
ACCOUNTANT_LOGIN = "13900000001"
ACCOUNTANT_PASSWORD = "Agent#2025pass"
VN_LOGIN = "ketoan.hanoi@example.vn"
VN_PASSWORD = "SongHong#2025pass"
IR_LOGIN = "hesabdar.tehran@example.ir"
IR_PASSWORD = "ParsAria#2025pass"

# The public IP the demo server sees: the panel talks to it over loopback.
LOOPBACK_IPS = ("127.0.0.1", "::1")

SCENARIO_NAMES = (
    "fresh",
    "seats_full",
    "ip_bound",
    "expired",
    "cloud_over_ledgers",
    "free_edition",
    "addon",
    "recharge_codes",
    "service_accountant",
    "market_vn",
    "market_ir",
)

# The state 系统认证 should show (docs/PROTOCOL.md, "States") → the error code activation answers, where it fails.
ACTIVATION_ERRORS = {
    "TOO_MANY_MACHINES": "TOO_MANY_MACHINES",
    "IP_BOUND_TO_OTHER_ACCOUNT": "IP_BOUND_TO_OTHER_ACCOUNT",
    "EXPIRED": "LICENCE_EXPIRED",
    "ACTIVATION_LIMIT_REACHED": "ACTIVATION_LIMIT_REACHED",
    "SUSPENDED": "LICENCE_SUSPENDED",
}

RECHARGE_CODES = 2
RECHARGE_MONTHS = 12
RECHARGE_NOTE = (
    "unused recharge codes (充值码) of {product}, {months} months each: redeem one on a licence of that product "
    "(产品充值), e.g. the expired scenario's, which it brings back to life"
)


@dataclass(frozen=True)
class DemoLogin:
    login: str
    password: str
    role: str
    display_name: str


@dataclass
class DemoData:
    """What was seeded. The only place the demo CDkeys exist in clear text: print it, never store it."""

    logins: list[DemoLogin]
    scenarios: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def demo_login(self) -> DemoLogin:
        return self.logins[0]

    def to_json(self) -> dict[str, Any]:
        return {
            "logins": [
                {"login": x.login, "password": x.password, "role": x.role, "display_name": x.display_name}
                for x in self.logins
            ],
            "scenarios": self.scenarios,
        }


@dataclass
class _Catalogue:
    free: Policy
    free_ip: Policy
    standard: Policy
    cloud: Policy
    kis: Policy


def _recharge_codes(session: Session, product: Product, now: datetime) -> dict[str, Any]:
    """Fresh unused codes (not from an order, so no refund can void them); printed like the CDkeys."""
    codes = []
    for _ in range(RECHARGE_CODES):
        row = RechargeCode(code=new_code(), months=RECHARGE_MONTHS, product_id=product.id, created_at=now)
        session.add(row)
        codes.append({"code": row.code, "months": row.months, "product_code": product.code})
    session.flush()
    return {
        "codes": codes,
        "product_name": product.name,
        "note": RECHARGE_NOTE.format(product=product.name, months=RECHARGE_MONTHS),
    }


def seed_demo(session: Session, now: datetime) -> DemoData:
    """Seed (or top up) the demo data; all dates are relative to the server clock ``now``."""
    demo = _account(session, DEMO_LOGIN, DEMO_PASSWORD, "演示用户", "customer", now)
    other = _account(session, OTHER_LOGIN, OTHER_PASSWORD, "另一个账号", "customer", now)
    accountant = _account(session, ACCOUNTANT_LOGIN, ACCOUNTANT_PASSWORD, "代账会计", "service_accountant", now)

    # Both demo organisations are certified, so a fresh activation reads 已激活 and not 企业认证未完成.
    org_a = _organisation(session, demo, "上海示例商贸有限公司", "91310000MA1F5K90P6", now, certified=True)
    org_b = _organisation(session, demo, "杭州云账科技有限公司", "91330100MA2CW4WG7J", now, certified=True)
    other_org = _organisation(session, other, "深圳邻桌贸易有限公司", "91440300MA5EH709FJ", now)

    year = now.year
    _ledger(session, org_a, "A", "A 上海示例商贸有限公司", now, {year - 1: 48, year: 12})
    _ledger(session, org_a, "B", "B 上海示例商贸有限公司(分公司)", now, {year - 1: 50, year: 3})
    for i in range(1, 6):
        _ledger(session, org_b, f"C{i}", f"C{i} 杭州云账科技 门店{i}", now, {year - 1: 20 + i, year: 5 * i})

    cat = _catalogue(session)
    data = DemoData(
        logins=[
            DemoLogin(DEMO_LOGIN, DEMO_PASSWORD, "customer", demo.display_name),
            DemoLogin(OTHER_LOGIN, OTHER_PASSWORD, "customer", other.display_name),
            DemoLogin(ACCOUNTANT_LOGIN, ACCOUNTANT_PASSWORD, "service_accountant", accountant.display_name),
        ]
    )
    s = data.scenarios
    day = timedelta(days=1)

    key = _issue(session, cat.standard, now)
    s["fresh"] = _scenario(key, demo, org_a, cat.standard, "ACTIVE", "unused serial, 3 seats: activate it")

    key = _issue(session, cat.standard, now)
    lic = _bind(session, key, demo, org_a, activated=now - 60 * day, expires=now + 305 * day, activations=3)
    for n in range(1, 4):
        _machine(session, lic, f"FRONT-DESK-{n}", f"203.0.113.{10 + n}", now - (60 - n) * day, now - n * day)
    s["seats_full"] = _scenario(
        key, demo, org_a, cat.standard, "TOO_MANY_MACHINES", "all 3 seats are taken by other machines; deactivate one"
    )

    key = _issue(session, cat.free_ip, now)
    _hold_ip(session, cat.free_ip.product, other, now)
    held = _issue(session, cat.free_ip, now)  # why the IP is held: the other account uses this product here
    held_lic = _bind(session, held, other, other_org, activated=now - 10 * day, expires=None, activations=1)
    _machine(session, held_lic, "NEIGHBOUR-PC", LOOPBACK_IPS[0], now - 10 * day, now - day)
    s["ip_bound"] = _scenario(
        key,
        demo,
        org_a,
        cat.free_ip,
        "IP_BOUND_TO_OTHER_ACCOUNT",
        f"free edition; this public IP already belongs to account {OTHER_LOGIN}",
        held_by=OTHER_LOGIN,
        public_ip=LOOPBACK_IPS[0],
    )

    key = _issue(session, cat.standard, now)
    lic = _bind(session, key, demo, org_a, activated=now - 400 * day, expires=now - 35 * day, activations=1)
    _machine(session, lic, "OLD-LAPTOP", "203.0.113.40", now - 400 * day, now - 40 * day)
    s["expired"] = _scenario(key, demo, org_a, cat.standard, "EXPIRED", "subscription ended 35 days ago")

    _unarchive(session, org_b)
    key = _issue(session, cat.cloud, now)
    _bind(session, key, demo, org_b, activated=now - 60 * day, expires=now + 305 * day, ledgers=4)
    s["cloud_over_ledgers"] = _scenario(
        key,
        demo,
        org_b,
        cat.cloud,
        "LEDGER_LIMIT_EXCEEDED",
        "cloud edition: 5 ledgers in use, 4 bought; archive one or buy more",
        ledgers_purchased=4,
        ledgers_in_use=5,
    )

    key = _issue(session, cat.free, now)
    limit = cat.free.activation_limit or 3
    lic = _bind(session, key, demo, org_a, activated=now - 200 * day, expires=None, activations=limit)
    for n in range(1, limit + 1):
        start = now - (200 - 30 * n) * day
        _machine(session, lic, f"RETIRED-PC-{n}", f"198.51.100.{n}", start, start + 20 * day, gone=start + 20 * day)
    s["free_edition"] = _scenario(
        key,
        demo,
        org_a,
        cat.free,
        "ACTIVATION_LIMIT_REACHED",
        f"lifetime free edition; all {limit} activations used",
        activations_used=limit,
        activation_limit=limit,
    )

    base = _issue(session, cat.kis, now)
    addon_cdkey = issue_addon_keys(session, code="yunzhijia", name="云之家", count=1, now=now, duration_days=365)[0]
    s["addon"] = _scenario(
        base,
        demo,
        org_a,
        cat.kis,
        "ACTIVE",
        "activate the product with serial + cdkey first, then add 云之家 with addon_cdkey",
        addon_cdkey=addon_cdkey,
        addon_code="yunzhijia",
        addon_name="云之家",
    )

    s["recharge_codes"] = _recharge_codes(session, cat.standard.product, now)
    s["service_accountant"] = {
        "login": ACCOUNTANT_LOGIN,
        "password": ACCOUNTANT_PASSWORD,
        "customers": _customers(session, accountant, cat, now),
        "note": "a service accountant with several customers to renew at once",
    }

    # Beyond the scenarios above, so every state of docs/PROTOCOL.md ("States") can be reached by hand.
    key = _issue(session, cat.standard, now)
    _bind(session, key, demo, org_a, activated=now - 345 * day, expires=now + 20 * day)
    s["expiring_soon"] = _scenario(key, demo, org_a, cat.standard, "EXPIRING_SOON", "expires in 20 days; renew")
    key = _issue(session, cat.standard, now)
    _bind(session, key, demo, org_a, activated=now - 30 * day, expires=now + 335 * day, status="suspended")
    s["suspended"] = _scenario(key, demo, org_a, cat.standard, "SUSPENDED", "suspended by the vendor")
    s["account_mismatch"] = {
        "login": OTHER_LOGIN,
        "password": OTHER_PASSWORD,
        "expect": "ACCOUNT_MISMATCH",
        "note": f"activate any scenario as {DEMO_LOGIN}, then sign in as {OTHER_LOGIN}",
    }
    for name, market in MARKET_DEMOS.items():
        s[name] = _market_scenario(session, market, cat, now)
        data.logins.append(DemoLogin(market.login, market.password, "customer", market.display_name))
    seed_demo_contacts(session)  # 联系客服 of every market
    session.flush()
    return data


def _account(session: Session, login: str, password: str, name: str, role: str, now: datetime) -> Account:
    account = session.scalar(select(Account).where(Account.login == login))
    if account is None:
        return create_account(session, login=login, password=password, now=now, display_name=name, role=role)
    # Back to the printed password and unlocked, whatever was tried since the last run.
    account.password_hash = hash_password(password)
    account.failed_attempts = 0
    account.locked_until = None
    account.role = role
    return account


def _organisation(
    session: Session, account: Account, name: str, tax_id: str, now: datetime, *, certified: bool = False
) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.account_id == account.id, Organisation.name == name))
    if org is None:
        org = create_organisation(session, account=account, name=name, tax_id=tax_id, now=now)
    elif not check_tax_id(org.market or "CN", org.tax_id).valid:
        org.tax_id = tax_id  # a demo database seeded before tax ids were checked gets the valid one
    if certified:
        org.certification_status = "certified"
        org.certified_at = org.certified_at or now - timedelta(days=100)
        org.certification_deadline = None
    return org


def _ledger(session: Session, org: Organisation, code: str, name: str, now: datetime, years: dict[int, int]) -> Ledger:
    ledger = session.scalar(select(Ledger).where(Ledger.organisation_id == org.id, Ledger.code == code))
    if ledger is None:
        return create_ledger(session, organisation=org, code=code, name=name, now=now, years=years)
    have = {y.fiscal_year for y in ledger.years}
    for year, used in years.items():
        if year not in have:
            session.add(LedgerYear(ledger_id=ledger.id, fiscal_year=year, vouchers_used=used, voucher_quota=50))
    return ledger


def _unarchive(session: Session, org: Organisation) -> None:
    for ledger in session.scalars(select(Ledger).where(Ledger.organisation_id == org.id)):
        ledger.archived_at = None


def _catalogue(session: Session) -> _Catalogue:
    free_kw: dict[str, Any] = {
        "edition": "free",
        "max_machines": 1,
        "activation_limit": 3,
        "one_account_per_ip": True,
        "duration_days": None,
        "voucher_quota_default": FREE_VOUCHER_QUOTA,
    }
    free = create_product(session, code="KJH-FREE", name="e会计 终身免费版", version="5.0")
    # A second free product, so the IP held by another account does not also block `free_edition`.
    free_ip = create_product(session, code="KJH-JXC-FREE", name="e会计 进销存 终身免费版", version="5.0")
    std = create_product(session, code="KJH-STD", name="e会计 标准版", version="5.0")
    cloud = create_product(session, code="KJH-CLOUD", name="e会计 云盘版", version="5.0")
    kis = create_product(session, code="KIS-PRO", name="KIS 专业版 (示例)", version="V16")
    cat = _Catalogue(
        free=create_policy(session, product=free, code="FREE", name="终身免费版", **free_kw),
        free_ip=create_policy(session, product=free_ip, code="FREE", name="终身免费版", **free_kw),
        standard=create_policy(
            session, product=std, code="STD3", name="标准版 3 台", edition="standard", max_machines=3, duration_days=365
        ),
        cloud=create_policy(
            session,
            product=cloud,
            code="CLOUD4",
            name="云盘版 4 账套",
            edition="cloud",
            max_machines=3,
            duration_days=365,
            ledgers_included=4,
        ),
        kis=create_policy(
            session, product=kis, code="PRO3", name="专业版 3 台", edition="standard", max_machines=3, duration_days=365
        ),
    )
    # Set on every run, so a demo database seeded before this was policy data gets it too.
    for paid in (cat.standard, cat.cloud, cat.kis):
        paid.voucher_quota_default = PAID_VOUCHER_QUOTA
    return cat


def _issue(session: Session, policy: Policy, now: datetime) -> tuple[Licence, str]:
    issued = issue_licences(session, policy=policy, count=1, now=now)[0]
    licence = session.get(Licence, issued.licence_id)
    assert licence is not None
    return licence, issued.cdkey


def _bind(
    session: Session,
    key: tuple[Licence, str],
    account: Account,
    org: Organisation,
    *,
    activated: datetime,
    expires: datetime | None,
    status: str = "active",
    activations: int | None = None,
    ledgers: int | None = None,
) -> Licence:
    """Make an issued licence look as if it had been activated into ``org`` at ``activated``."""
    licence = key[0]
    licence.account_id = account.id
    licence.organisation_id = org.id
    licence.status = status
    licence.activated_at = activated
    licence.expires_at = expires
    if activations is not None:
        licence.activation_count = activations
    if ledgers is not None:
        licence.ledgers_purchased = ledgers
    session.flush()
    return licence


def _machine(
    session: Session,
    licence: Licence,
    name: str,
    public_ip: str,
    activated: datetime,
    last_seen: datetime,
    *,
    gone: datetime | None = None,
) -> Machine:
    # Made-up hardware: hashed random components, shaped like what the client sends.
    components = {n: hashlib.sha256(secrets.token_bytes(16)).hexdigest() for n in ("machine_id", "product_uuid", "mac")}
    machine = Machine(
        licence_id=licence.id,
        fingerprint=feature_code(components),
        components=components,
        name=name,
        public_ip=public_ip,
        activated_at=activated,
        last_seen_at=last_seen,
        deactivated_at=gone,
    )
    session.add(machine)
    session.flush()
    session.add(LicenceEvent(licence_id=licence.id, kind="activate", machine_id=machine.id, at=activated))
    if gone is not None:
        session.add(LicenceEvent(licence_id=licence.id, kind="deactivate", machine_id=machine.id, at=gone))
    return machine


def _hold_ip(session: Session, product: Product, holder: Account, now: datetime) -> None:
    for ip in LOOPBACK_IPS:
        binding = session.scalar(select(IpBinding).where(IpBinding.product_id == product.id, IpBinding.public_ip == ip))
        if binding is None:
            session.add(IpBinding(product_id=product.id, public_ip=ip, account_id=holder.id, created_at=now))
        else:
            binding.account_id = holder.id
    session.flush()


def _scenario(
    key: tuple[Licence, str],
    account: Account,
    org: Organisation,
    policy: Policy,
    expect: str,
    note: str,
    **extra: Any,
) -> dict[str, Any]:
    licence, cdkey = key
    return {
        "serial": licence.serial,
        "cdkey": cdkey,
        "login": account.login,
        "org_id": org.id,
        "org_name": org.name,
        "product": policy.product.code,
        "product_name": policy.product.name,
        "edition": policy.edition,
        "expires_at": licence.expires_at.isoformat() if licence.expires_at else None,
        "expect": expect,
        "activation_error": ACTIVATION_ERRORS.get(expect),
        "note": note,
        **extra,
    }


# name, tax id (a valid 统一社会信用代码: tests/server/test_tax_ids.py checks every seeded one), days to expiry,
# certification (status, deadline in days)
_CUSTOMERS: tuple[tuple[str, str, int, str, int | None], ...] = (
    ("北京晨光餐饮有限公司", "91110105MA01H1UALX", 12, "certified", None),
    ("广州南风服饰有限公司", "91440101MA59442H2T", 45, "certified", None),
    ("成都蜀香食品有限公司", "91510100MA6CMA9MMA", -6, "certified", None),
    ("武汉江城物流有限公司", "91420100MA4KBFD7EN", 200, "pending", 25),
    ("苏州园林设计工作室", "91320500MA1XMH9D35", 80, "overdue", -10),
)


def _customers(session: Session, accountant: Account, cat: _Catalogue, now: datetime) -> list[dict[str, Any]]:
    """One licence per customer organisation, re-keyed and reset to its seeded expiry on every run."""
    out: list[dict[str, Any]] = []
    for name, tax_id, days, cert, deadline_days in _CUSTOMERS:
        org = _organisation(session, accountant, name, tax_id, now)
        link_customer(session, accountant=accountant, organisation=org, now=now)  # listed by GET /customers
        org.certification_status = "pending" if cert == "overdue" else cert
        org.certification_deadline = now + timedelta(days=deadline_days) if deadline_days is not None else None
        org.certified_at = now - timedelta(days=300) if cert == "certified" else None
        _ledger(session, org, "A", f"A {name}", now, {now.year - 1: 30, now.year: 8})
        licence = session.scalar(select(Licence).where(Licence.organisation_id == org.id).order_by(Licence.id))
        if licence is None:
            licence, cdkey = _issue(session, cat.standard, now)
        else:
            cdkey = new_cdkey()
            licence.cdkey_hash = hash_cdkey(cdkey)
        expires = now + timedelta(days=days)
        _bind(session, (licence, cdkey), accountant, org, activated=expires - timedelta(days=365), expires=expires)
        out.append(
            {
                "org_id": org.id,
                "name": name,
                "tax_id": tax_id,
                "serial": licence.serial,
                "cdkey": cdkey,
                "expires_at": expires.isoformat(),
                "certification": cert,
            }
        )
    return out


@dataclass(frozen=True)
class MarketDemo:
    """A customer buying outside China: its own login, organisation (with a tax id valid in its market), ledger."""

    market: str
    login: str
    password: str
    display_name: str
    org_name: str
    tax_id: str  # passes licence_protocol.tax_ids for the market
    ledger_name: str


MARKET_DEMOS = {
    # MST of Hanoi (01…), check digit by the official weights: 0105943788.
    "market_vn": MarketDemo(
        "VN",
        VN_LOGIN,
        VN_PASSWORD,
        "Kế toán Sông Hồng",
        "Công ty TNHH Thương mại Sông Hồng",
        "0105943788",
        "Sổ chính Sông Hồng",
    ),
    # شناسه ملی of a legal entity (11 digits, check digit by the registry's rule): 10320479158.
    "market_ir": MarketDemo(
        "IR",
        IR_LOGIN,
        IR_PASSWORD,
        "حسابدار پارس آریا",
        "شرکت بازرگانی پارس آریا",
        "10320479158",
        "دفتر اصلی پارس آریا",
    ),
}


def _market_scenario(session: Session, market: MarketDemo, cat: _Catalogue, now: datetime) -> dict[str, Any]:
    """A login, an organisation of ``market`` with one ledger, and an unused standard licence to activate into it.

    Buying then prices in the market's currency and pays with its methods (``markets``)."""
    account = _account(session, market.login, market.password, market.display_name, "customer", now)
    org = _organisation(session, account, market.org_name, market.tax_id, now, certified=True)
    org.market = market.market
    _ledger(session, org, "A", market.ledger_name, now, {now.year - 1: 40, now.year: 6})
    key = _issue(session, cat.standard, now)
    return {
        "login": market.login,
        "password": market.password,
        "market": market.market,
        "currency": CURRENCIES[market.market],
        "payment_methods": list(PAYMENT_METHODS[market.market]),
        "org_id": org.id,
        "org_name": org.name,
        "tax_id": org.tax_id,
        # Nested, so the scenarios activated as the Chinese demo login leave it alone.
        "licence": {
            "serial": key[0].serial,
            "cdkey": key[1],
            "product": cat.standard.product.code,
            "product_name": cat.standard.product.name,
            "edition": cat.standard.edition,
            "expect": "ACTIVE",
        },
        "note": f"a customer in {market.market}: activate the licence into {org.name}, then buy a module and pay "
        f"in {CURRENCIES[market.market]}",
    }
