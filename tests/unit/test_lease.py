"""The offline lease, background-check timing, maintenance retry times and the announcement banner rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.lease import (
    CHECK_INTERVAL,
    MAINTENANCE_MARGIN,
    MAX_WAIT,
    OFFLINE_RETRY,
    LeaseLevel,
    MaintenanceWindow,
    banner_announcements,
    lease,
    maintenance_retry_at,
    maintenance_retry_delay,
    next_check_at,
    parse_announcements,
)

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("left", "days", "level"),
    [
        (timedelta(days=14), 14, LeaseLevel.NORMAL),
        (timedelta(days=3, seconds=1), 3, LeaseLevel.NORMAL),
        (timedelta(days=3), 3, LeaseLevel.STRONG),
        (timedelta(hours=36), 1, LeaseLevel.STRONG),
        (timedelta(minutes=5), 0, LeaseLevel.STRONG),
        (timedelta(0), 0, LeaseLevel.EXPIRED),
        (-timedelta(days=2), 0, LeaseLevel.EXPIRED),
    ],
)
def test_lease_days_left_and_the_warning_level(left: timedelta, days: int, level: LeaseLevel) -> None:
    result = lease(NOW + left, NOW)
    assert (result.days_left, result.level) == (days, level)
    assert result.remaining >= timedelta(0)


def test_a_naive_end_is_read_as_utc() -> None:
    assert lease((NOW + timedelta(days=5)).replace(tzinfo=None), NOW).days_left == 5


def test_the_first_check_is_due_at_once_then_every_interval() -> None:
    assert next_check_at(None, NOW, online=None) == NOW
    assert next_check_at(NOW, NOW, online=True) == NOW + CHECK_INTERVAL
    assert next_check_at(NOW - timedelta(hours=2), NOW, online=True) == NOW + CHECK_INTERVAL - timedelta(hours=2)


def test_an_overdue_check_is_due_now_not_in_the_past() -> None:
    assert next_check_at(NOW - timedelta(days=3), NOW, online=True) == NOW


def test_offline_retries_sooner() -> None:
    assert next_check_at(NOW - timedelta(minutes=1), NOW, online=False) == NOW + OFFLINE_RETRY
    assert OFFLINE_RETRY < CHECK_INTERVAL


def test_maintenance_retry_follows_retry_after_from_when_it_was_said() -> None:
    window = MaintenanceWindow("升级", NOW + timedelta(hours=5), retry_after=600, seen_at=NOW)
    assert maintenance_retry_delay(window, NOW) == timedelta(seconds=600) + MAINTENANCE_MARGIN
    later = NOW + timedelta(seconds=200)
    assert maintenance_retry_delay(window, later) == timedelta(seconds=400) + MAINTENANCE_MARGIN
    assert maintenance_retry_at(window, later) == NOW + timedelta(seconds=600) + MAINTENANCE_MARGIN


def test_maintenance_retry_uses_the_end_time_without_retry_after_and_is_bounded() -> None:
    by_end = MaintenanceWindow("", NOW + timedelta(minutes=30), retry_after=None, seen_at=NOW)
    assert maintenance_retry_delay(by_end, NOW) == timedelta(minutes=30) + MAINTENANCE_MARGIN
    past = MaintenanceWindow("", None, retry_after=10, seen_at=NOW - timedelta(hours=1))
    assert maintenance_retry_delay(past, NOW) == MAINTENANCE_MARGIN, "never a negative wait"
    absurd = MaintenanceWindow("", None, retry_after=10**9, seen_at=NOW)
    assert maintenance_retry_delay(absurd, NOW) == MAX_WAIT
    nothing = MaintenanceWindow("", None, retry_after=None, seen_at=NOW)
    assert timedelta(0) < maintenance_retry_delay(nothing, NOW) <= timedelta(minutes=10)


def test_a_maintenance_error_becomes_a_window() -> None:
    details = {"ends_at": (NOW + timedelta(hours=1)).isoformat(), "title": "系统升级", "retry_after": 3600}
    window = MaintenanceWindow.from_error(details, 3600.0, NOW)
    assert window.title == "系统升级" and window.ends_at == NOW + timedelta(hours=1) and window.retry_after == 3600
    assert MaintenanceWindow.from_error({"ends_at": "garbage", "title": 5}, None, NOW).ends_at is None


def _raw(kind: str, starts: timedelta, ends: timedelta | None, title: str = "t") -> dict[str, object]:
    return {
        "id": 1,
        "kind": kind,
        "title": title,
        "body": "b",
        "starts_at": (NOW + starts).isoformat(),
        "ends_at": (NOW + ends).isoformat() if ends is not None else None,
    }


def test_announcements_are_parsed_tolerantly() -> None:
    body = {"announcements": [_raw("notice", -timedelta(hours=1), None), {"title": 1}, "junk", {"kind": "x"}]}
    [one] = parse_announcements(body)
    assert one.kind == "notice" and one.ends_at is None and one.in_force(NOW)
    assert parse_announcements(None) == [] and parse_announcements({"announcements": "no"}) == []


def test_the_banner_shows_maintenance_first_and_upcoming_windows_within_a_week() -> None:
    items = parse_announcements(
        {
            "announcements": [
                _raw("notice", -timedelta(days=1), None, "news"),
                _raw("maintenance", timedelta(days=2), timedelta(days=2, hours=2), "soon"),
                _raw("maintenance", timedelta(days=20), timedelta(days=20, hours=2), "far"),
                _raw("notice", timedelta(days=1), None, "not yet"),
                _raw("maintenance", -timedelta(hours=3), -timedelta(hours=1), "over"),
            ]
        }
    )
    assert [a.title for a in banner_announcements(items, NOW)] == ["soon", "news"]
