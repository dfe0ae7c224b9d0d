"""Counted events in a sliding window (``RateEvent`` rows) and the exponential back-off built on them.

Keys name what is counted, e.g. ``guess:account:7`` or ``guess:ip:203.0.113.9``. Rows live in the
database, so several server instances sharing one database share the limits too; ``lock`` makes a
check-then-record sequence atomic across them.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from licence_protocol.dates import as_utc
from licence_protocol.errors import ErrorCode
from sqlalchemy import delete, func, select
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


@dataclass(frozen=True)
class Limit:
    """Failures counted under ``key``; the first ``free`` of them in the window cost nothing."""

    key: str
    free: int


def lock(session: Session, key: str, now: datetime, *, window_s: int) -> None:
    """Hold a lock named ``key`` until the session's transaction ends, in every instance sharing the database.

    Attempts made under the lock are checked one at a time, so no more than the free ones are ever let
    through, however many arrive at once on however many servers. Events older than the window are pruned
    here too; on SQLite that write holds the database's write lock (a session that writes begins with
    ``BEGIN IMMEDIATE`` and holds it already, see server/db.py).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_lock_id(key))))
    session.execute(delete(RateEvent).where(RateEvent.key == key, RateEvent.at < now - timedelta(seconds=window_s)))


def _lock_id(key: str) -> int:
    # PostgreSQL's advisory locks are named by a signed 64-bit integer.
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big", signed=True)


def backoff_retry_after(session: Session, limits: Iterable[Limit], now: datetime, *, window_s: int) -> int:
    """Seconds to wait before the next attempt (0 = go ahead), the longest over ``limits``.

    The first ``free`` failures in the window cost nothing; each one after doubles the wait
    (2 s, 4 s, 8 s…), never beyond the window itself.
    """
    since = now - timedelta(seconds=window_s)
    limits = list(limits)
    # Every limit's count and latest event in one round trip (each attempt to activate asks this).
    stmt = (
        select(RateEvent.key, func.count(), func.max(RateEvent.at))
        .where(RateEvent.key.in_([limit.key for limit in limits]), RateEvent.at >= since)
        .group_by(RateEvent.key)
    )
    seen = {key: (int(failures), last) for key, failures, last in session.execute(stmt)}
    longest = 0
    for limit in limits:
        failures, last = seen.get(limit.key, (0, None))
        if failures < limit.free or last is None:
            continue
        delay = min(2 ** (failures - limit.free + 1), window_s)
        longest = max(longest, math.ceil((as_utc(last) + timedelta(seconds=delay) - now).total_seconds()))
    return longest


def rate_limited(retry_after: int, message: str = "too many attempts, try again later") -> ApiError:
    """The RATE_LIMITED answer: 429 with ``Retry-After`` and ``details.retry_after`` in seconds."""
    seconds = max(1, int(retry_after))
    return ApiError(ErrorCode.RATE_LIMITED, message, {"retry_after": seconds}, {"Retry-After": str(seconds)})
