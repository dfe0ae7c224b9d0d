"""增购台数 in pure Python: the licence catalogue as the server answers it, and what a seat order changes."""

from __future__ import annotations

from typing import Any

from app.domain.seats import LicenceCatalogue, seat_total, seats_after


def answer(state: str = "ACTIVE", kinds: tuple[str, ...] = ("module", "seats"), items: bool = True) -> dict[str, Any]:
    seat = {
        "sku": "seats_1",
        "kind": "seats",
        "name_zh": "增购台数 +1 台",
        "name_en": "One more computer (seat)",
        "pack_size": 1,
        "price": {"amount_minor": 29_900, "currency": "CNY"},
        "state": "available",
        "purchasable": "seats" in kinds,
        "name": "One more computer (seat)",  # a newer server's extra field is ignored
    }
    return {
        "licence_id": 7,
        "edition": "standard",
        "seats": {"used": 3, "max": 3, "included": 3, "extra": 0},
        "purchase": {"allowed": state == "ACTIVE", "state": state, "kinds": list(kinds)},
        "items": [seat] if items else [],
    }


def test_a_standard_licence_sells_seats_and_the_maximum_follows_the_quantity() -> None:
    catalogue = LicenceCatalogue.from_json(answer())
    item = catalogue.seat_item
    assert item is not None and catalogue.can_buy_seats and catalogue.seats.full
    assert seats_after(catalogue.seats, item, 2) == 5
    assert seat_total(item, 2) == 59_800


def test_no_seat_item_or_a_state_without_seats_sells_none() -> None:
    assert not LicenceCatalogue.from_json(answer(items=False)).can_buy_seats
    expired = LicenceCatalogue.from_json(answer("EXPIRED", ("renewal",)))
    assert expired.seat_item is not None and not expired.can_buy_seats
    assert LicenceCatalogue.from_json(answer("TOO_MANY_MACHINES", ("seats",))).can_buy_seats
