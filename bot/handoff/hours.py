"""When human agents are available: daily hours, a public-holiday schedule, a time zone."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Optional, Tuple
from zoneinfo import ZoneInfo

from bot import settings

Span = Tuple[time, time]


def parse_span(text: str) -> Optional[Span]:
    """``"09:00-18:00"`` → (09:00, 18:00); ``"00:00-24:00"`` → all day; ``"closed"`` → None."""
    text = text.strip().lower()
    if text == "closed":
        return None
    try:
        start, end = (time.max if part.strip() == "24:00" else time.fromisoformat(part.strip())
                      for part in text.split("-"))
    except ValueError as exc:
        raise ValueError(f"hours must look like 09:00-18:00 or 'closed', got {text!r}") from exc
    if start >= end:
        raise ValueError(f"hours {text!r}: the start must be before the end")
    return start, end


@dataclass(frozen=True)
class BusinessHours:
    daily: Optional[Span]
    holiday: Optional[Span]
    timezone: str = "Asia/Seoul"
    holiday_country: str = "KR"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_holiday(self, day: date) -> bool:
        return _holiday_calendar(self.holiday_country, day.year).get(day) is not None

    def span_on(self, day: date) -> Optional[Span]:
        return self.holiday if self.is_holiday(day) else self.daily

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.zone)
        span = self.span_on(local.date())
        return span is not None and span[0] <= local.time() < span[1]

    def next_opening(self, at: datetime) -> Optional[datetime]:
        """The next moment agents start work after ``at`` (within two weeks), if any."""
        local = at.astimezone(self.zone)
        for offset in range(15):
            day = local.date() + timedelta(days=offset)
            span = self.span_on(day)
            if span is None:
                continue
            opening = datetime.combine(day, span[0], tzinfo=self.zone)
            if opening > local:
                return opening
        return None

    def describe(self) -> str:
        """Korean description for citizens, e.g. "매일 09:00~18:00"."""
        if self.daily is None:
            return "운영 시간 없음"
        text = "매일 " + _span_text(self.daily)
        if self.holiday != self.daily:
            text += f" (공휴일 {_span_text(self.holiday) if self.holiday else '휴무'})"
        return text


def _span_text(span: Span) -> str:
    end = "24:00" if span[1] == time.max else f"{span[1]:%H:%M}"
    return f"{span[0]:%H:%M}~{end}"


@lru_cache(maxsize=16)
def _holiday_calendar(country: str, year: int):
    import holidays

    return holidays.country_holidays(country, years=year)


def business_hours() -> BusinessHours:
    """The configured hours (``BUSINESS_HOURS``, ``HOLIDAY_HOURS``, ``HOLIDAY_COUNTRY``)."""
    daily = parse_span(settings.BUSINESS_HOURS)
    holiday = parse_span(settings.HOLIDAY_HOURS) if settings.HOLIDAY_HOURS else daily
    return BusinessHours(daily, holiday, settings.TIMEZONE, settings.HOLIDAY_COUNTRY)
