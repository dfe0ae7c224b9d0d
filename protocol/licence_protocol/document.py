"""The licence document payload (docs/PROTOCOL.md "Licence document", ``format: 1``) as typed, immutable values.

Tolerant of fields a newer server adds, strict on the ones the client relies on: anything missing or
of the wrong type raises ``DocumentFormatError`` (a ``ValueError``), never ``KeyError``/``TypeError``.
Datetimes become aware UTC; a timestamp without offset is read as UTC (the server works in UTC).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

SUPPORTED_FORMAT = 1


class DocumentFormatError(ValueError):
    """The payload is not a licence document this client understands."""


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    version: str


@dataclass(frozen=True)
class AccountRef:
    id: int
    display: str  # masked by the server, e.g. 138****0001


@dataclass(frozen=True)
class OrganisationRef:
    id: int
    name: str
    tax_id: str
    # The market (CN, VN, IR) whose tax-id rule applies; documents from servers before markets are CN.
    market: str = "CN"


@dataclass(frozen=True)
class MachineRef:
    id: int | None
    feature_code: str
    components: Mapping[str, str] = field(hash=False)  # component name → hash, as recorded at activation
    name: str


@dataclass(frozen=True)
class Seats:
    used: int
    max: int


@dataclass(frozen=True)
class LedgerCount:
    purchased: int
    in_use: int


@dataclass(frozen=True)
class Entitlement:
    module: str
    ledger_id: int
    fiscal_year: int


@dataclass(frozen=True)
class VoucherUsage:
    ledger_id: int
    fiscal_year: int
    used: int
    quota: int
    # Vouchers one machine may post for this ledger-year while it cannot reach the server (never more than
    # the quota left when the document was signed); 0 from a server that does not send it.
    offline_allowance: int = 0

    @property
    def remaining(self) -> int:
        return max(self.quota - self.used, 0)


@dataclass(frozen=True)
class Addon:
    code: str
    name: str
    expires_at: datetime | None


@dataclass(frozen=True)
class Certification:
    status: str  # none | pending | certified | overdue
    deadline: datetime | None


@dataclass(frozen=True)
class LicenceDocument:
    format: int
    licence_id: int
    serial_masked: str
    product: Product
    edition: str  # free | standard | cloud
    policy: str
    status: str  # active | suspended | revoked | …
    account: AccountRef
    organisation: OrganisationRef
    machine: MachineRef
    seats: Seats
    ledgers: LedgerCount
    entitlements: tuple[Entitlement, ...]
    vouchers: tuple[VoucherUsage, ...]
    addons: tuple[Addon, ...]
    certification: Certification
    expires_at: datetime | None  # None = perpetual
    issued_at: datetime
    lease_expires_at: datetime
    server_time: datetime
    nonce: str | None

    @property
    def perpetual(self) -> bool:
        return self.expires_at is None

    def modules_for(self, ledger_id: int, fiscal_year: int) -> frozenset[str]:
        """Modules opened for exactly this ledger and fiscal year."""
        return frozenset(
            e.module for e in self.entitlements if e.ledger_id == ledger_id and e.fiscal_year == fiscal_year
        )

    def voucher_usage(self, ledger_id: int, fiscal_year: int) -> VoucherUsage | None:
        for usage in self.vouchers:
            if usage.ledger_id == ledger_id and usage.fiscal_year == fiscal_year:
                return usage
        return None

    @classmethod
    def from_payload(cls, payload: Any) -> LicenceDocument:
        return _parse_document(_Reader(payload, "payload"))


# --- parsing -------------------------------------------------------------------------------------------

_MISSING = object()


class _Reader:
    """Typed access to one JSON object, naming the field path in every error."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, Mapping):
            raise DocumentFormatError(f"{where} is not an object")
        self.data = data
        self.where = where

    def _get(self, key: str, optional: bool) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING and not optional:
            raise DocumentFormatError(f"{self.where}.{key} is missing")
        return None if value is _MISSING else value

    def _fail(self, key: str, expected: str) -> DocumentFormatError:
        return DocumentFormatError(f"{self.where}.{key} is not {expected}")

    def integer(self, key: str, *, optional: bool = False, default: int | None = None) -> Any:
        value = self._get(key, optional)
        if value is None and optional:
            return default
        # bool is an int in Python, but never a count or an id in a document.
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._fail(key, "an integer")
        return value

    def text(self, key: str, *, optional: bool = False, default: str | None = None) -> Any:
        value = self._get(key, optional)
        if value is None and optional:
            return default
        if not isinstance(value, str):
            raise self._fail(key, "a string")
        return value

    def moment(self, key: str, *, nullable: bool = False, optional: bool = False) -> datetime | None:
        value = self._get(key, optional)
        if value is None and (nullable or optional):
            return None
        if not isinstance(value, str):
            raise self._fail(key, "a date-time")
        try:
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC)
        except (ValueError, OverflowError):
            raise self._fail(key, "an ISO 8601 date-time") from None

    def required_moment(self, key: str) -> datetime:
        value = self.moment(key)
        assert value is not None
        return value

    def child(self, key: str, *, optional: bool = False) -> _Reader | None:
        value = self._get(key, optional)
        if value is None and optional:
            return None
        return _Reader(value, f"{self.where}.{key}")

    def required_child(self, key: str) -> _Reader:
        reader = self.child(key)
        assert reader is not None
        return reader

    def items(self, key: str) -> list[_Reader]:
        value = self._get(key, optional=True)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._fail(key, "a list")
        return [_Reader(item, f"{self.where}.{key}[{i}]") for i, item in enumerate(value)]


def _parse_components(reader: _Reader) -> Mapping[str, str]:
    value = reader._get("components", optional=False)
    if not isinstance(value, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise reader._fail("components", "an object of strings")
    return MappingProxyType(dict(value))


def _parse_document(r: _Reader) -> LicenceDocument:
    fmt = r.integer("format")
    if fmt > SUPPORTED_FORMAT or fmt < 1:
        raise DocumentFormatError(f"document format {fmt} is not supported (this client reads {SUPPORTED_FORMAT})")
    product, account, org, machine = (r.required_child(k) for k in ("product", "account", "organisation", "machine"))
    seats = r.required_child("seats")
    ledgers = r.child("ledgers", optional=True)
    cert = r.child("certification", optional=True)
    return LicenceDocument(
        format=fmt,
        licence_id=r.integer("licence_id"),
        serial_masked=r.text("serial_masked", optional=True, default=""),
        product=Product(product.text("code"), product.text("name"), product.text("version", optional=True, default="")),
        edition=r.text("edition"),
        policy=r.text("policy", optional=True, default=""),
        status=r.text("status"),
        account=AccountRef(account.integer("id"), account.text("display", optional=True, default="")),
        organisation=OrganisationRef(
            org.integer("id"),
            org.text("name"),
            org.text("tax_id", optional=True, default=""),
            org.text("market", optional=True, default="CN"),
        ),
        machine=MachineRef(
            id=machine.integer("id", optional=True),
            feature_code=machine.text("feature_code"),
            components=_parse_components(machine),
            name=machine.text("name", optional=True, default=""),
        ),
        seats=Seats(seats.integer("used"), seats.integer("max")),
        ledgers=LedgerCount(ledgers.integer("purchased"), ledgers.integer("in_use")) if ledgers else LedgerCount(0, 0),
        entitlements=tuple(
            Entitlement(e.text("module"), e.integer("ledger_id"), e.integer("fiscal_year"))
            for e in r.items("entitlements")
        ),
        vouchers=tuple(
            VoucherUsage(
                v.integer("ledger_id"),
                v.integer("fiscal_year"),
                v.integer("used"),
                v.integer("quota"),
                v.integer("offline_allowance", optional=True, default=0),
            )
            for v in r.items("vouchers")
        ),
        addons=tuple(
            Addon(a.text("code"), a.text("name", optional=True, default=""), a.moment("expires_at", optional=True))
            for a in r.items("addons")
        ),
        certification=(
            Certification(cert.text("status"), cert.moment("deadline", optional=True))
            if cert
            else Certification("none", None)
        ),
        # null means perpetual, so a missing key is an error rather than silently "perpetual" too.
        expires_at=r.moment("expires_at", nullable=True),
        issued_at=r.required_moment("issued_at"),
        lease_expires_at=r.required_moment("lease_expires_at"),
        server_time=r.required_moment("server_time"),
        nonce=r.text("nonce", optional=True),
    )
