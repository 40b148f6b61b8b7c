"""Business hours: adding a number of working hours to a moment, on a configured calendar.

A :class:`Calendar` is a timezone, the working days, the opening hours and the
public holidays of a country (from the ``holidays`` library). Complaint deadlines
count on it: "4 business hours" from Friday 16:00 in Paris, with hours 09:00-17:00
and Monday a holiday, ends on Tuesday 12:00.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DAYS = 3660  # ten years of days without a working hour: a calendar that cannot work


@dataclass(frozen=True)
class Calendar:
    """When work happens: timezone, working days (0 = Monday), opening hours, holidays."""

    timezone: str = "UTC"
    working_days: frozenset[int] = frozenset(range(5))
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    country: str | None = None
    subdivision: str | None = None
    _holidays: dict[int, holidays.HolidayBase] = field(default_factory=dict, compare=False,
                                                        repr=False)

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise ValueError("business hours must open before they close")
        if not self.working_days:
            raise ValueError("there must be at least one working day")

    @cached_property
    def zone(self) -> ZoneInfo:
        """Return the calendar's timezone."""
        return ZoneInfo(self.timezone)

    def is_holiday(self, day: date) -> bool:
        """Tell whether ``day`` is a public holiday of the calendar's country."""
        if self.country is None:
            return False
        year = self._holidays.get(day.year)
        if year is None:
            year = holidays.country_holidays(self.country, subdiv=self.subdivision,
                                             years=day.year)
            self._holidays[day.year] = year
        return day in year

    def is_working_day(self, day: date) -> bool:
        """Tell whether people work on ``day``."""
        return day.weekday() in self.working_days and not self.is_holiday(day)

    def add(self, start: datetime, hours: float) -> datetime:
        """Return the moment ``hours`` business hours after ``start`` (aware, in UTC's zone)."""
        left = timedelta(hours=hours)
        local = start.astimezone(self.zone)
        day = local.date()
        for _ in range(MAX_DAYS):
            if self.is_working_day(day):
                opens = datetime.combine(day, self.opens, self.zone)
                closes = datetime.combine(day, self.closes, self.zone)
                begin = max(opens, local)
                if begin < closes:
                    if begin + left <= closes:
                        return (begin + left).astimezone(start.tzinfo)
                    left -= closes - begin
            day += timedelta(days=1)
        raise ValueError("no working hours within ten years on this calendar")

    def business_hours_between(self, start: datetime, end: datetime) -> float:
        """Return how many business hours lie between two moments (0 when ``end`` is earlier)."""
        total = timedelta()
        local, stop = start.astimezone(self.zone), end.astimezone(self.zone)
        day = local.date()
        while day <= stop.date():
            if self.is_working_day(day):
                opens = max(datetime.combine(day, self.opens, self.zone), local)
                closes = min(datetime.combine(day, self.closes, self.zone), stop)
                if opens < closes:
                    total += closes - opens
            day += timedelta(days=1)
        return total.total_seconds() / 3600
