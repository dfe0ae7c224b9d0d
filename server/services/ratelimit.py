"""Counted events in a sliding window (``RateEvent`` rows) and the exponential back-off built on them.

Keys name what is counted, e.g. ``guess:account:7`` or ``guess:ip:203.0.113.9``. Rows live in the
database, so several server instances sharing one database share the limits too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta

from licence_protocol.errors import ErrorCode
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.errors import ApiError
from server.models import RateEvent


def hit(session: Session, key: str, now: datetime) -> None:
    """Record one event under ``key``."""
    session.add(RateEvent(key=key, at=now))
    session.flush()


def count(session: Session, key: str, since: datetime) -> int:
    """Events recorded under ``key`` at or after ``since``."""
    stmt = select(func.count()).select_from(RateEvent).where(RateEvent.key == key, RateEvent.at >= since)
    return int(session.scalar(stmt) or 0)


def backoff_retry_after(session: Session, keys: Iterable[str], now: datetime, *, free: int, window_s: int) -> int:
    """Seconds to wait before the next attempt (0 = go ahead), the longest over ``keys``.

    The first ``free`` failures in the window cost nothing; each one after doubles the wait
    (2 s, 4 s, 8 s…), never beyond the window itself.
    """
    since = now - timedelta(seconds=window_s)
    longest = 0
    for key in keys:
        failures = count(session, key, since)
        if failures < free:
            continue
        last = session.scalar(select(func.max(RateEvent.at)).where(RateEvent.key == key, RateEvent.at >= since))
        if last is None:
            continue
        delay = min(2 ** (failures - free + 1), window_s)
        longest = max(longest, math.ceil((last + timedelta(seconds=delay) - now).total_seconds()))
    return longest


def rate_limited(retry_after: int, message: str = "too many attempts, try again later") -> ApiError:
    """The RATE_LIMITED answer: 429 with ``Retry-After`` and ``details.retry_after`` in seconds."""
    seconds = max(1, int(retry_after))
    return ApiError(ErrorCode.RATE_LIMITED, message, {"retry_after": seconds}, {"Retry-After": str(seconds)})
