"""增购台数 (buy more seats): the licence's own catalogue and what a seat order changes.

Seats belong to the licence, not to a ledger-year: ``GET /licences/{id}/catalogue`` answers the seats now
(the edition's plus those bought) and the seat packs for sale; ``POST /licences/{id}/seat-orders`` places the
order, paid like any other. Pure Python over the typed answers (docs/PROTOCOL.md "Purchase"); no Qt, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.domain.purchase import ItemRow, ServerVerdict
from app.domain.wire import JsonReader

SEAT_SKU = "seats_1"
SEATS_KIND = "seats"
MAX_SEATS_PER_ORDER = 100  # the server's limit on one order's quantity


@dataclass(frozen=True)
class Seats:
    used: int
    max: int
    included: int  # the edition's seats
    extra: int  # bought as seat packs

    @property
    def full(self) -> bool:
        return self.used >= self.max

    @classmethod
    def read(cls, r: JsonReader) -> Seats:
        return cls(r.integer("used"), r.integer("max"), r.integer("included"), r.integer("extra"))


@dataclass(frozen=True)
class LicenceCatalogue:
    licence_id: int
    edition: str
    seats: Seats
    purchase: ServerVerdict
    items: tuple[ItemRow, ...]

    @property
    def seat_item(self) -> ItemRow | None:
        """The seat pack on sale for this licence; None for an edition without seats to add (free)."""
        return next((item for item in self.items if item.kind == SEATS_KIND), None)

    @property
    def can_buy_seats(self) -> bool:
        item = self.seat_item
        return item is not None and item.server_purchasable and SEATS_KIND in self.purchase.kinds

    @classmethod
    def from_json(cls, data: Any) -> LicenceCatalogue:
        r = JsonReader(data, "licence catalogue")
        return cls(
            licence_id=r.integer("licence_id"),
            edition=r.text("edition"),
            seats=Seats.read(r.child("seats")),
            purchase=ServerVerdict.read(r.child("purchase")),
            items=tuple(ItemRow.read(x) for x in r.required_items("items")),
        )


def seats_after(seats: Seats, item: ItemRow, quantity: int) -> int:
    """The seat maximum once ``quantity`` packs of ``item`` are paid."""
    return seats.max + (item.pack_size or 1) * max(0, quantity)


def seat_total(item: ItemRow, quantity: int) -> int:
    """The expected amount in minor units; the server's order amount is what is paid."""
    return item.price_minor * max(0, quantity)
