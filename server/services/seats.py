"""Seats: how many computers a licence may hold, and seat packs bought for the licence (not for a ledger-year).

Every place that enforces or reports the seat limit reads ``seats_max``: the edition's ``max_machines`` plus
the seats the licence bought (``Licence.extra_seats``, raised when a seat order is paid, lowered on refund).
A seat order is an ordinary Order with one OrderItem of kind "seats" whose ledger and fiscal year are NULL.
"""

from __future__ import annotations

from sqlalchemy import case, update
from sqlalchemy.orm import Session

from server.models import Licence
from server.services.licence_fields import LicenceFields


def seats_max(licence: LicenceFields) -> int:
    """The most computers the licence may hold: its edition's seats plus the seat packs it bought."""
    return licence.policy.max_machines + (licence.extra_seats or 0)


def shift_extra_seats(session: Session, licence_id: int, delta: int) -> None:
    # One UPDATE with arithmetic in SQL: two seat orders paid at once cannot lose one another; never below 0.
    new_count = case((Licence.extra_seats + delta > 0, Licence.extra_seats + delta), else_=0)
    session.execute(
        update(Licence)
        .where(Licence.id == licence_id)
        .values(extra_seats=new_count)
        .execution_options(synchronize_session=False)
    )
