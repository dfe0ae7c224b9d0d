"""SQLAlchemy 2 typed models. Every change here needs an Alembic migration in ``migrations/versions``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Always hands back timezone-aware UTC datetimes, also from SQLite which stores none."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(120), unique=True)  # mobile number or e-mail
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32), default="customer")  # customer | service_accountant
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]

    organisations: Mapped[list[Organisation]] = relationship(back_populates="account")


class VerificationCode(Base):
    __tablename__ = "verification_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(String(120), index=True)
    purpose: Mapped[str] = mapped_column(String(32))  # register | password_reset
    code_hash: Mapped[str] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class OutboxMessage(Base):
    """What the pluggable senders would deliver (SMS, e-mail); the demo shows it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))  # sms | email
    recipient: Mapped[str] = mapped_column(String(200), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class AuthToken(Base):
    """Bearer tokens, stored only as SHA-256 hashes. Refresh tokens rotate within a family."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # access | refresh
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family: Mapped[str] = mapped_column(String(64), index=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]  # refresh tokens: set when rotated
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class RateEvent(Base):
    """One counted event (failed guess, login attempt…) under a key such as ``guess:ip:1.2.3.4``."""

    __tablename__ = "rate_events"
    __table_args__ = (Index("ix_rate_events_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    tax_id: Mapped[str] = mapped_column(String(40), default="")
    # The market it buys in (CN, VN, IR): its currency, price list, payment methods and tax-id rule.
    market: Mapped[str] = mapped_column(String(2), default="CN", server_default="CN")
    # none → pending (deadline set at first activation) → certified
    certification_status: Mapped[str] = mapped_column(String(16), default="none")
    certification_deadline: Mapped[datetime | None]
    certified_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    account: Mapped[Account] = relationship(back_populates="organisations")
    ledgers: Mapped[list[Ledger]] = relationship(back_populates="organisation", order_by="Ledger.id")


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    version: Mapped[str] = mapped_column(String(40), default="")


class Policy(Base):
    """An edition of a product and the rules every licence of it follows."""

    __tablename__ = "policies"
    __table_args__ = (UniqueConstraint("product_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    edition: Mapped[str] = mapped_column(String(24))  # free | standard | cloud
    max_machines: Mapped[int] = mapped_column(Integer, default=1)
    activation_limit: Mapped[int | None]  # lifetime activations, free edition
    one_account_per_ip: Mapped[bool] = mapped_column(Boolean, default=False)
    duration_days: Mapped[int | None]  # None = perpetual
    ledgers_included: Mapped[int] = mapped_column(Integer, default=1)
    voucher_quota_default: Mapped[int] = mapped_column(Integer, default=50)  # per ledger and fiscal year
    # Vouchers one machine may post for a ledger-year while it cannot reach the server (the document's
    # ``offline_allowance``, never more than the quota left). The server default fills existing rows.
    offline_voucher_allowance: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    lease_days: Mapped[int] = mapped_column(Integer, default=14)
    reregister_limit_per_year: Mapped[int] = mapped_column(Integer, default=3)

    product: Mapped[Product] = relationship()


class Licence(Base):
    __tablename__ = "licences"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"))
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    # SHA-256 of a 125-bit random CDkey: a leaked table does not give usable keys.
    cdkey_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="unused")  # unused | active | suspended | revoked
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    expires_at: Mapped[datetime | None]
    ledgers_purchased: Mapped[int] = mapped_column(Integer, default=1)
    # Seats bought as seat packs on top of the edition's ``max_machines``.
    extra_seats: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    activation_count: Mapped[int] = mapped_column(Integer, default=0)
    activated_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    policy: Mapped[Policy] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    machines: Mapped[list[Machine]] = relationship(back_populates="licence", order_by="Machine.id")
    # The machines holding a seat, to load with the licence in one query. Read-only: seats are taken and
    # freed through Machine rows, and a collection loaded earlier in a request does not see that.
    seated_machines: Mapped[list[Machine]] = relationship(
        primaryjoin="and_(Machine.licence_id == Licence.id, Machine.deactivated_at.is_(None))",
        order_by="Machine.id",
        viewonly=True,
    )


class Machine(Base):
    __tablename__ = "machines"
    __table_args__ = (Index("ix_machines_licence_fingerprint", "licence_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    components: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    name: Mapped[str] = mapped_column(String(120), default="")
    public_ip: Mapped[str] = mapped_column(String(64), default="")
    activated_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    deactivated_at: Mapped[datetime | None]

    licence: Mapped[Licence] = relationship(back_populates="machines")


class LicenceEvent(Base):
    """Activation, deactivation and re-registration history: churn caps and yearly limits count these."""

    __tablename__ = "licence_events"
    __table_args__ = (Index("ix_licence_events_licence_at", "licence_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # activate | deactivate | reregister
    machine_id: Mapped[int | None]
    at: Mapped[datetime]


class IpBinding(Base):
    """Free edition: one account per public IP, per product."""

    __tablename__ = "ip_bindings"
    __table_args__ = (UniqueConstraint("product_id", "public_ip"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    public_ip: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]


class AddonKey(Base):
    """An add-on service (云之家-like) sold with its own CDkey, attached to a product licence."""

    __tablename__ = "addon_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    cdkey_hash: Mapped[str] = mapped_column(String(64), unique=True)
    duration_days: Mapped[int | None]
    licence_id: Mapped[int | None] = mapped_column(ForeignKey("licences.id"), index=True)
    activated_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Ledger(Base):
    """A 账套: the books of one company, kept per fiscal year."""

    __tablename__ = "ledgers"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    archived_at: Mapped[datetime | None]  # archived ledgers are read-only and do not count as in use
    created_at: Mapped[datetime]

    organisation: Mapped[Organisation] = relationship(back_populates="ledgers")
    years: Mapped[list[LedgerYear]] = relationship(back_populates="ledger", order_by="LedgerYear.fiscal_year")


class LedgerYear(Base):
    __tablename__ = "ledger_years"
    __table_args__ = (UniqueConstraint("ledger_id", "fiscal_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledgers.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    vouchers_used: Mapped[int] = mapped_column(Integer, default=0)
    voucher_quota: Mapped[int] = mapped_column(Integer, default=50)

    ledger: Mapped[Ledger] = relationship(back_populates="years")


class VoucherConsumption(Base):
    """Vouchers counted for a ledger-year under the host program's idempotency key: the same key never counts twice."""

    __tablename__ = "voucher_consumptions"
    __table_args__ = (UniqueConstraint("ledger_year_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ledger_year_id: Mapped[int] = mapped_column(ForeignKey("ledger_years.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(80))
    count: Mapped[int] = mapped_column(Integer)
    offline: Mapped[bool] = mapped_column(Boolean, default=False)  # posted offline, reported afterwards
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class Entitlement(Base):
    """A module opened for exactly one ledger and one fiscal year."""

    __tablename__ = "entitlements"
    __table_args__ = (Index("ix_entitlements_licence_ledger_year", "licence_id", "ledger_id", "fiscal_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id", ondelete="CASCADE"))
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledgers.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    module: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(40), default="")  # e.g. "order:12"
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class OfflineRequest(Base):
    """An air-gapped request file already answered: its nonce is spent; the same file again gets the same answer."""

    __tablename__ = "offline_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(128), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))  # activate | refresh | deactivate
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the request's canonical JSON
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class Announcement(Base):
    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="info")  # info | maintenance
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]


class SupportContact(Base):
    """Customer service of one market (CN, VN, IR): what the panel's 联系客服 shows.

    Opening hours are stored as data (days, times, zone) so each client words them in its own language."""

    __tablename__ = "support_contacts"

    market: Mapped[str] = mapped_column(String(2), primary_key=True)  # ISO 3166 country code
    team: Mapped[str] = mapped_column(String(120))  # in the market's language
    phone: Mapped[str] = mapped_column(String(40))
    email: Mapped[str] = mapped_column(String(120))
    qq_group: Mapped[str | None] = mapped_column(String(20))  # China: the community QQ group
    chat: Mapped[str | None] = mapped_column(String(200))  # Zalo / Telegram / … link or number
    days: Mapped[str] = mapped_column(String(16))  # mon-fri | mon-sat | sat-wed | every-day
    opens: Mapped[str] = mapped_column(String(5))  # HH:MM, local to ``timezone``
    closes: Mapped[str] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(40))  # IANA zone, e.g. Asia/Shanghai
    help_url: Mapped[str | None] = mapped_column(String(300))
    download_url: Mapped[str | None] = mapped_column(String(300))  # the latest panel (after a key rotation)


class Order(Base):
    """A purchase for one licence; every item names one ledger and fiscal year, except a line of the whole licence
    (a seat pack), which names neither. Amounts in minor units."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id", ondelete="CASCADE"), index=True)
    # pending_payment | paid | expired | refund_requested | refunded
    status: Mapped[str] = mapped_column(String(24), default="pending_payment")
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    created_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]

    items: Mapped[list[OrderItem]] = relationship(back_populates="order", order_by="OrderItem.id")
    payments: Mapped[list[Payment]] = relationship(back_populates="order", order_by="Payment.created_at")


class OrderItem(Base):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    sku: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))  # module | vouchers | ledgers | renewal | seats
    # The ledger-year a line buys for; both None on a line of the whole licence (a seat pack, LICENCE_KINDS).
    ledger_id: Mapped[int | None] = mapped_column(ForeignKey("ledgers.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int | None] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_amount_minor: Mapped[int] = mapped_column(Integer)
    amount_minor: Mapped[int] = mapped_column(Integer)

    order: Mapped[Order] = relationship(back_populates="items")
    ledger: Mapped[Ledger | None] = relationship()


class Payment(Base):
    """A sandbox-provider payment for an order; the id is unguessable because the pay page needs no login."""

    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    method: Mapped[str | None] = mapped_column(String(16))  # wechat | alipay, chosen on the pay page
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | paid | expired | refunded
    provider_txn_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    order: Mapped[Order] = relationship(back_populates="payments")


class PaymentCallback(Base):
    """Every provider callback received, whatever its outcome: the audit trail behind idempotent crediting."""

    __tablename__ = "payment_callbacks"
    __table_args__ = (Index("ix_payment_callbacks_payment_at", "payment_id", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[str] = mapped_column(String(40))  # no foreign key: forged callbacks name unknown ids too
    provider_txn_id: Mapped[str] = mapped_column(String(64), default="")
    signature_valid: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str] = mapped_column(String(32))  # CREDITED | DUPLICATE | an error code
    body: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime]


class RechargeCode(Base):
    """A 充值码: extends a licence's expiry by ``months`` when redeemed (产品充值)."""

    __tablename__ = "recharge_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Kept readable: the buyer copies it from the order details, like a gift card number.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    months: Mapped[int] = mapped_column(Integer, default=12)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    redeemed_licence_id: Mapped[int | None] = mapped_column(ForeignKey("licences.id", ondelete="SET NULL"))
    redeemed_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    redeemed_at: Mapped[datetime | None]
    voided_at: Mapped[datetime | None]  # set when the order that issued it is refunded
    created_at: Mapped[datetime]


class InvoiceRequest(Base):
    __tablename__ = "invoice_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    tax_id: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="requested")  # requested | issued
    requested_at: Mapped[datetime]
    issued_at: Mapped[datetime | None]


class ServiceCustomer(Base):
    """A customer organisation a service accountant (代账会计) looks after and may renew."""

    __tablename__ = "service_customers"
    __table_args__ = (UniqueConstraint("accountant_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    accountant_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]


class RenewalOrder(Base):
    """What makes an order a renewal: who receives the invoice and who receives the order notifications."""

    __tablename__ = "renewal_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    # {"kind": "customer"} or {"kind": "other", "name", "tax_id", "email", "address"}
    invoice_recipient: Mapped[dict[str, Any]] = mapped_column(JSON)
    # {"kind": "self"|"other", "name", "email", "phone"}; "self" is resolved to the ordering account's contact
    notify_recipient: Mapped[dict[str, Any]] = mapped_column(JSON)

    lines: Mapped[list[RenewalLine]] = relationship(order_by="RenewalLine.id")


class RenewalLine(Base):
    """One licence renewed by an order. Quoted values are from order time; applied ones from payment time."""

    __tablename__ = "renewal_lines"
    __table_args__ = (UniqueConstraint("renewal_order_id", "licence_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    renewal_order_id: Mapped[int] = mapped_column(ForeignKey("renewal_orders.id", ondelete="CASCADE"), index=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id", ondelete="CASCADE"), index=True)
    months: Mapped[int] = mapped_column(Integer)
    ledgers: Mapped[int] = mapped_column(Integer)  # ledgers covered (cloud); the unchanged count otherwise
    unit_amount_minor: Mapped[int] = mapped_column(Integer)  # per ledger (cloud) or per licence, per 12 months
    amount_minor: Mapped[int] = mapped_column(Integer)
    quoted_expiry: Mapped[datetime | None]  # the expiry when ordered
    quoted_new_expiry: Mapped[datetime]
    invoice_title: Mapped[str] = mapped_column(String(200))
    invoice_tax_id: Mapped[str] = mapped_column(String(40), default="")
    invoice_email: Mapped[str] = mapped_column(String(200), default="")
    invoice_address: Mapped[str] = mapped_column(String(300), default="")
    # Set when the payment is credited (and kept for a refund to take back exactly this renewal).
    applied_at: Mapped[datetime | None]
    previous_expiry: Mapped[datetime | None]
    new_expiry: Mapped[datetime | None]
    previous_ledgers: Mapped[int | None]
    revoked_at: Mapped[datetime | None]

    licence: Mapped[Licence] = relationship()
