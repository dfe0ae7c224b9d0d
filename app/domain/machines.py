"""The computers a licence is activated on (``GET /licences/{id}/machines``), as typed values.

Parsed once by LicenceService (tolerant of extra fields, strict on the ones read: ``ResponseFormatError``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from licence_protocol.document import Seats

from app.domain.activation import read_seats
from app.domain.wire import JsonReader

__all__ = ["Machine", "MachineList", "Seats"]


@dataclass(frozen=True)
class Machine:
    id: int
    name: str  # may be empty: the computer's name as it was given at activation
    feature_code: str  # 特征码: what the server calls the machine's ``fingerprint``
    activated_at: datetime | None
    last_seen_at: datetime | None

    @classmethod
    def from_json(cls, data: Any, where: str = "machine") -> Machine:
        return cls.read(JsonReader(data, where))

    @classmethod
    def read(cls, r: JsonReader) -> Machine:
        return cls(
            id=r.integer("id"),
            name=r.text_or_empty("name"),
            feature_code=r.text("fingerprint"),
            activated_at=r.optional_moment("activated_at"),
            last_seen_at=r.optional_moment("last_seen_at"),
        )


@dataclass(frozen=True)
class MachineList:
    """A licence's seats and the machines holding them."""

    seats: Seats
    machines: tuple[Machine, ...]

    @classmethod
    def from_json(cls, data: Any, where: str = "machines") -> MachineList:
        r = JsonReader(data, where)
        return cls(
            seats=read_seats(r.child("seats")),
            machines=tuple(Machine.read(m) for m in r.required_items("machines")),
        )
