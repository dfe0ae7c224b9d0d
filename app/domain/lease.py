"""Offline lease, background-check timing, maintenance windows and announcements: pure rules, no Qt, no I/O.

The signed document is trusted offline until ``lease_expires_at``; the last 3 days get a stronger warning.
Background re-authentication runs at start-up, every ``CHECK_INTERVAL`` while the server answers, and
more often while it does not (so a returning network is noticed soon). During a maintenance window the
server answers 503 MAINTENANCE with Retry-After; the client waits exactly that long before asking again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

STRONG_WARNING = timedelta(days=3)  # a stronger warning in the lease's last 3 days
CHECK_INTERVAL = timedelta(hours=6)  # while the server answers, a silent re-authentication this often
OFFLINE_RETRY = timedelta(minutes=15)  # while it does not: try again sooner, the network may be back
MAINTENANCE_FALLBACK = timedelta(minutes=5)  # a 503 MAINTENANCE without Retry-After or end time
MAINTENANCE_MARGIN = timedelta(seconds=1)  # ask just after the window ends, not on its last second
MAX_WAIT = timedelta(hours=24)  # a Retry-After beyond this is treated as a mistake: ask again then
UPCOMING = timedelta(days=7)  # a maintenance window starting within this is announced in the banner


class LeaseLevel(StrEnum):
    NORMAL = "normal"
    STRONG = "strong"  # the last STRONG_WARNING of the lease
    EXPIRED = "expired"


@dataclass(frozen=True)
class Lease:
    ends_at: datetime
    remaining: timedelta  # never negative
    days_left: int  # whole days, rounded down (36 hours → 1), never negative
    level: LeaseLevel


def lease(ends_at: datetime, now: datetime) -> Lease:
    """How much of the offline lease is left at ``now`` and how loudly to say so."""
    remaining = max(_aware(ends_at) - _aware(now), timedelta(0))
    if remaining <= timedelta(0):
        level = LeaseLevel.EXPIRED
    elif remaining <= STRONG_WARNING:
        level = LeaseLevel.STRONG
    else:
        level = LeaseLevel.NORMAL
    return Lease(_aware(ends_at), remaining, remaining.days, level)


def next_check_at(
    last_check: datetime | None,
    now: datetime,
    *,
    online: bool | None,
    interval: timedelta = CHECK_INTERVAL,
    offline_retry: timedelta = OFFLINE_RETRY,
) -> datetime:
    """When the next silent re-authentication is due: never in the past, sooner while offline."""
    now = _aware(now)
    if last_check is None:
        return now
    if online is False:
        return now + offline_retry
    return max(_aware(last_check) + interval, now)


def delay_until(moment: datetime, now: datetime) -> timedelta:
    return max(_aware(moment) - _aware(now), timedelta(0))


@dataclass(frozen=True)
class MaintenanceWindow:
    """What a 503 MAINTENANCE said (or an announcement in force): shown in the banner while waiting."""

    title: str
    ends_at: datetime | None
    retry_after: float | None  # seconds, from the Retry-After header (or details.retry_after)
    seen_at: datetime  # the client clock when the answer came

    @classmethod
    def from_error(cls, details: Mapping[str, Any], retry_after: float | None, now: datetime) -> MaintenanceWindow:
        title = details.get("title")
        return cls(
            title=title if isinstance(title, str) else "",
            ends_at=_moment(details.get("ends_at")),
            retry_after=retry_after,
            seen_at=_aware(now),
        )


def maintenance_retry_delay(window: MaintenanceWindow, now: datetime) -> timedelta:
    """How long to wait before asking again: Retry-After (counted from when it was said), else the end time.

    Retry-After is relative, so it does not depend on this computer's clock being right; ``ends_at`` is
    the server's clock and only used without it. Always at least the margin, never more than MAX_WAIT.
    """
    now = _aware(now)
    if window.retry_after is not None:
        wait = window.seen_at + timedelta(seconds=window.retry_after) - now
    elif window.ends_at is not None:
        wait = window.ends_at - now
    else:
        wait = MAINTENANCE_FALLBACK
    return min(max(wait, timedelta(0)) + MAINTENANCE_MARGIN, MAX_WAIT)


def maintenance_retry_at(window: MaintenanceWindow, now: datetime) -> datetime:
    return _aware(now) + maintenance_retry_delay(window, now)


# -- announcements (GET /api/v1/announcements) ------------------------------------------------------------


@dataclass(frozen=True)
class Announcement:
    id: int
    kind: str  # "maintenance" or anything else (news, notices)
    title: str
    body: str
    starts_at: datetime
    ends_at: datetime | None

    @property
    def is_maintenance(self) -> bool:
        return self.kind == "maintenance"

    def in_force(self, now: datetime) -> bool:
        now = _aware(now)
        return self.starts_at <= now and (self.ends_at is None or now < self.ends_at)


def parse_announcements(body: Any) -> list[Announcement]:
    """The announcements of a server answer; malformed entries are skipped, never fatal."""
    items = body.get("announcements") if isinstance(body, Mapping) else None
    out: list[Announcement] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping):
            continue
        starts = _moment(item.get("starts_at"))
        title = item.get("title")
        if starts is None or not isinstance(title, str):
            continue
        ident = item.get("id")
        body_text = item.get("body")
        out.append(
            Announcement(
                id=ident if isinstance(ident, int) else 0,
                kind=str(item.get("kind") or "notice"),
                title=title,
                body=body_text if isinstance(body_text, str) else "",
                starts_at=starts,
                ends_at=_moment(item.get("ends_at")),
            )
        )
    return out


def banner_announcements(announcements: Iterable[Announcement], now: datetime) -> list[Announcement]:
    """What the banner shows: notices in force, and maintenance in force or starting within UPCOMING."""
    now = _aware(now)
    shown = [
        a
        for a in announcements
        if (a.ends_at is None or now < a.ends_at)
        and (a.in_force(now) or (a.is_maintenance and a.starts_at - now <= UPCOMING))
    ]
    # Maintenance first (it stops the panel from working), then by start.
    return sorted(shown, key=lambda a: (not a.is_maintenance, a.starts_at))


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return _aware(value)
    if not isinstance(value, str) or not value:
        return None
    try:
        return _aware(datetime.fromisoformat(value))
    except ValueError:
        return None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
