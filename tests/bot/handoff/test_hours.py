from datetime import datetime, time, timezone

import pytest

from bot.handoff.hours import BusinessHours, parse_span

KST_9AM_UTC = datetime(2026, 11, 30, 0, 0, tzinfo=timezone.utc)  # Monday 09:00 KST


def hours(daily="09:00-18:00", holiday=None):
    d = parse_span(daily)
    return BusinessHours(d, parse_span(holiday) if holiday else d, "Asia/Seoul", "KR")


def test_parse_span():
    assert parse_span("09:00-18:00") == (time(9), time(18))
    assert parse_span("00:00-24:00") == (time(0), time.max)
    assert parse_span("closed") is None
    for bad in ("9-6", "18:00-09:00", "abc"):
        with pytest.raises(ValueError):
            parse_span(bad)


def test_open_every_day_in_korean_time():
    h = hours()
    assert h.is_open(KST_9AM_UTC)
    assert not h.is_open(datetime(2026, 11, 29, 23, 59, tzinfo=timezone.utc))  # 08:59 KST
    assert h.is_open(datetime(2026, 11, 29, 0, 30, tzinfo=timezone.utc))  # Sunday 09:30 KST
    assert not h.is_open(datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc))  # 18:00 KST


def test_public_holidays_follow_the_kr_calendar():
    new_year_10am = datetime(2027, 1, 1, 1, 0, tzinfo=timezone.utc)
    assert hours().is_open(new_year_10am)  # 365 days: holidays keep the daily hours by default
    assert not hours(holiday="closed").is_open(new_year_10am)
    assert hours(holiday="10:00-16:00").is_open(new_year_10am)
    assert hours().is_holiday(datetime(2027, 2, 7).date())  # 설날 2027 (Feb 6–8)


def test_next_opening_and_description():
    h = hours(holiday="closed")
    evening = datetime(2026, 12, 31, 10, 0, tzinfo=timezone.utc)  # 19:00 KST on Dec 31
    assert h.next_opening(evening).isoformat() == "2027-01-02T09:00:00+09:00"  # Jan 1 closed
    assert h.describe() == "매일 09:00~18:00 (공휴일 휴무)"
    assert hours("00:00-24:00").describe() == "매일 00:00~24:00"
