"""Dates on the wire: ISO 8601 parsing with one time-zone rule, and calendar-month arithmetic.

The rule: a timestamp without an offset is UTC (the server works in UTC), so every parsed value is an
aware datetime in UTC and two sides never disagree about the same text.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Any


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive value is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_iso(value: Any) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 string or a datetime; None for anything else (never raises)."""
    if isinstance(value, datetime):
        return as_utc(value)
    if not isinstance(value, str) or not value:
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except (ValueError, OverflowError):
        return None


def add_months(moment: datetime, months: int) -> datetime:
    """Calendar months, the day clamped to the month's end (31 Jan + 1 → 28/29 Feb; 29 Feb + 12 → 28 Feb)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
