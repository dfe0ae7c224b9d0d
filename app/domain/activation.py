"""What the activation checklist reads from the server: an organisation's licences and a serial's preview.

Parsed once by LicenceService (tolerant of extra fields, strict on the ones read: ``ResponseFormatError``).
An ``expires_at`` of null means perpetual, so a missing one is an error rather than silently "perpetual" too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from licence_protocol.document import Product, Seats

from app.domain.accounts import Organisation
from app.domain.wire import JsonReader, ResponseFormatError

__all__ = ["ActivationPreview", "LicenceSummary", "Product", "Seats", "read_product", "read_seats"]


def read_product(r: JsonReader) -> Product:
    return Product(r.text("code"), r.text("name"), r.text_or_empty("version"))


def read_seats(r: JsonReader) -> Seats:
    return Seats(r.integer("used"), r.integer("max"))


def read_expiry(r: JsonReader, key: str = "expires_at") -> datetime | None:
    """A required key whose null means "never expires"."""
    if key not in r.data:
        raise ResponseFormatError(f"{r.where}.{key} is missing")
    return r.optional_moment(key)


@dataclass(frozen=True)
class LicenceSummary:
    """One licence of an organisation (``GET /orgs/{id}/licences``), as listed before activating another."""

    id: int
    serial_masked: str
    product: Product
    edition: str  # free | standard | cloud
    seats: Seats
    expires_at: datetime | None  # None: perpetual
    status: str = ""

    @classmethod
    def from_json(cls, data: Any, where: str = "licence") -> LicenceSummary:
        return cls.read(JsonReader(data, where))

    @classmethod
    def read(cls, r: JsonReader) -> LicenceSummary:
        return cls(
            id=r.integer("id"),
            serial_masked=r.text("serial_masked"),
            product=read_product(r.child("product")),
            edition=r.text("edition"),
            seats=read_seats(r.child("seats")),
            expires_at=read_expiry(r),
            status=r.text_or_empty("status"),
        )

    @staticmethod
    def list_from_json(data: Any) -> tuple[LicenceSummary, ...]:
        return tuple(LicenceSummary.read(item) for item in JsonReader(data, "licences").required_items("licences"))


@dataclass(frozen=True)
class ActivationPreview:
    """``POST /activations/preview``: what a serial + CDkey would activate, shown for review before activating."""

    serial_masked: str
    product: Product
    edition: str
    seats: Seats
    expires_at: datetime | None  # None: perpetual, or counted from activation (``duration_days``)
    duration_days: int | None
    organisation: Organisation | None  # the organisation it is already bound to, if any

    @property
    def perpetual(self) -> bool:
        return self.expires_at is None and not self.duration_days

    @classmethod
    def from_json(cls, data: Any, where: str = "preview") -> ActivationPreview:
        r = JsonReader(data, where)
        bound = r.optional_child("organisation")
        return cls(
            serial_masked=r.text("serial_masked"),
            product=read_product(r.child("product")),
            edition=r.text("edition"),
            seats=read_seats(r.child("seats")),
            expires_at=read_expiry(r),
            duration_days=r.optional_integer("duration_days"),
            organisation=Organisation.read(bound) if bound is not None else None,
        )
