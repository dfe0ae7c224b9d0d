"""What a connection test found: the clock skew is mentioned only when the server answered and it matters."""

from __future__ import annotations

from datetime import timedelta

from app.domain.connection import ConnectionReport


def test_a_clock_more_than_five_minutes_off_is_worth_telling_in_whole_minutes() -> None:
    assert ConnectionReport("ok", clock_skew=timedelta(minutes=-7, seconds=-30)).clock_off_by_minutes == 7
    assert ConnectionReport("ok", clock_skew=timedelta(minutes=5)).clock_off_by_minutes is None
    assert ConnectionReport("ok").clock_off_by_minutes is None


def test_without_an_answer_there_is_no_clock_to_compare() -> None:
    report = ConnectionReport("proxy", clock_skew=timedelta(hours=1))
    assert report.clock_off_by_minutes is None and report.network_problem and not report.ok
