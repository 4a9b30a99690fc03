"""Mainland-China working days: statutory holidays and 调休 make-up workdays."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays
from holidays.countries.china import ChinaStaticHolidays

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59, 999999)


def published_years() -> range:
    """Years for which the State Council's holiday arrangement is in the `holidays` data."""
    years = set(ChinaStaticHolidays.special_public_holidays)
    years |= set(getattr(ChinaStaticHolidays, "special_public_holidays_observed", {}))
    return range(min(years), max(years) + 1)


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days in mainland China; years without a published arrangement are refused."""

    allow_provisional: bool = False
    covered: range = field(default_factory=published_years)

    @cached_property
    def _holidays(self) -> holidays.HolidayBase:
        """The holidays library's China calendar over the covered years and the next two."""
        return holidays.China(years=range(self.covered.start, self.covered.stop + 2))

    @property
    def version(self) -> str:
        """Identifies the data that produced a deadline, stored with it."""
        return f"holidays-{holidays.__version__}:CN:{self.covered.start}-{self.covered.stop - 1}"

    def covers(self, day: date) -> bool:
        """Whether the official arrangement for this day's year is known."""
        return day.year in self.covered

    def check_covered(self, day: date) -> bool:
        """Return True when the day is covered; False (provisional) or raise otherwise."""
        if self.covers(day):
            return True
        if self.allow_provisional:
            return False
        raise CalendarNotCovered(day, self.covered)

    def is_working_day(self, day: date) -> bool:
        """A weekday that is not a holiday, or a make-up Saturday/Sunday (调休)."""
        self.check_covered(day)
        return bool(self._holidays.is_working_day(day))

    def add_working_days(self, start: date, days: int) -> tuple[date, bool]:
        """The date `days` working days after `start` (start itself not counted).

        Returns the date and whether it is provisional (a year without official data).
        """
        if days < 0:
            raise ValueError("days must not be negative")
        day, certain, counted = start, self.covers(start) or days == 0, 0
        while counted < days:
            day += timedelta(days=1)
            certain = self.check_covered(day) and certain
            if self._holidays.is_working_day(day):
                counted += 1
        return day, not certain

    def working_days_between(self, start: datetime, end: datetime) -> float:
        """Elapsed working time from start to end, in working days (fractional)."""
        if end <= start:
            return 0.0
        a, b = start.astimezone(BUSINESS_TZ), end.astimezone(BUSINESS_TZ)
        total, day = 0.0, a.date()
        while day <= b.date():
            self.check_covered(day)
            if self._holidays.is_working_day(day):
                lo = max(a, datetime.combine(day, time(0), BUSINESS_TZ))
                hi = min(b, datetime.combine(day + timedelta(days=1), time(0), BUSINESS_TZ))
                total += max((hi - lo).total_seconds(), 0.0) / 86400.0
            day += timedelta(days=1)
        return total


def end_of_day(day: date) -> datetime:
    """The last moment of a day in business time (Asia/Shanghai)."""
    return datetime.combine(day, END_OF_DAY, BUSINESS_TZ)


def business_date(moment: datetime) -> date:
    """The date of a moment in business time (Asia/Shanghai)."""
    return moment.astimezone(BUSINESS_TZ).date()


class CalendarNotCovered(ValueError):
    """A deadline would fall in a year whose holiday arrangement is not yet published."""

    def __init__(self, day: date, covered: range) -> None:
        self.day = day
        super().__init__(
            f"工作日历未覆盖 {day.year} 年"
            f"（已知 {covered.start}–{covered.stop - 1} 年的国务院放假安排）；"
            f"无法为 {day.isoformat()} 计算期限。请升级 holidays 数据，或在 wenzheng.toml 的 "
            "[calendar] 中设置 allow_provisional = true 以生成标注为“暂定”的期限。"
        )
