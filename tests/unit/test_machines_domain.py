"""A licence's machines as typed values: good answers, missing fields, wrong types."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain.machines import Machine, MachineList, Seats
from app.domain.wire import ResponseFormatError

MACHINE = {
    "id": 5,
    "name": "财务-PC",
    "fingerprint": "A1B2-C3D4",
    "activated_at": "2025-01-01T08:00:00",
    "last_seen_at": "2025-01-05T08:00:00Z",
    "public_ip": "203.0.113.7",
}


def test_machines_read_with_the_seats_they_hold() -> None:
    listing = MachineList.from_json({"seats": {"used": 1, "max": 3}, "machines": [MACHINE]})
    assert listing.seats == Seats(1, 3)
    assert listing.machines == (
        Machine(5, "财务-PC", "A1B2-C3D4", datetime(2025, 1, 1, 8, tzinfo=UTC), datetime(2025, 1, 5, 8, tzinfo=UTC)),
    )


def test_no_machines_is_an_empty_list_not_an_error() -> None:
    assert MachineList.from_json({"seats": {"used": 0, "max": 3}, "machines": []}).machines == ()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"machines": []}, r"machines\.seats is missing"),
        ({"seats": {"used": 0, "max": 3}}, r"machines\.machines is missing"),
        ({"seats": {"used": 0, "max": 3}, "machines": [{**MACHINE, "id": None}]}, r"machines\[0\]\.id is not"),
        ({"seats": {"used": 0, "max": 3}, "machines": [{"id": 5}]}, r"machines\[0\]\.fingerprint is missing"),
        (
            {"seats": {"used": 0, "max": 3}, "machines": [{**MACHINE, "activated_at": 1735718400}]},
            r"machines\[0\]\.activated_at is not an ISO 8601 date-time",
        ),
    ],
)
def test_a_listing_of_another_shape_is_refused_naming_the_field(data: object, message: str) -> None:
    with pytest.raises(ResponseFormatError, match=message):
        MachineList.from_json(data)
