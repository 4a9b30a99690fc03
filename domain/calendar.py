"""Mainland-China working days: statutory holidays and 调休 make-up workdays."""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays
from holidays.countries.china import ChinaStaticHolidays

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59, 999999)
DAY_SECONDS = 86400.0
DAY_US = 86_400_000_000
UTC8 = timedelta(hours=8)
UTC8_US = 8 * 3_600_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = EPOCH.date().toordinal()


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

    @cached_property
    def _counts(self) -> tuple[int, list[int], bool]:
        """The covered years' first day ordinal, running working-day counts, and whether every
        covered day starts at UTC+8 (so business days are plain 86,400-second steps).

        counts[i] is the number of working days among the i days before ordinal first + i, so
        the working days of a covered span are one subtraction (no per-day loop).
        """
        first = date(self.covered.start, 1, 1).toordinal()
        last = date(self.covered.stop - 1, 12, 31).toordinal()
        counts, steady = [0], True
        for n in range(first, last + 1):
            day = date.fromordinal(n)
            counts.append(counts[-1] + bool(self._holidays.is_working_day(day)))
            steady = steady and datetime.combine(day, time(0), BUSINESS_TZ).utcoffset() == UTC8
        return first, counts, steady

    def _index(self, day: date) -> int | None:
        """The day's index into the running counts, or None outside the covered years."""
        first, counts, _ = self._counts
        i = day.toordinal() - first
        return i if 0 <= i < len(counts) - 1 else None

    def add_working_days(self, start: date, days: int) -> tuple[date, bool]:
        """The date `days` working days after `start` (start itself not counted).

        Returns the date and whether it is provisional (a year without official data).
        """
        if days < 0:
            raise ValueError("days must not be negative")
        if days == 0:
            return start, False
        i = self._index(start)
        if i is not None:
            first, counts, _ = self._counts
            j = bisect_left(counts, counts[i + 1] + days, i + 1)
            if j < len(counts):  # the answer lies in the covered years: certain
                return date.fromordinal(first + j - 1), False
        return self._add_working_days_by_day(start, days)

    def _add_working_days_by_day(self, start: date, days: int) -> tuple[date, bool]:
        """add_working_days one day at a time (beyond the covered years)."""
        day, certain, counted = start, self.covers(start), 0
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
        return self.working_days_between_micros(_micros(start), _micros(end))

    def working_days_between_micros(self, start: int, end: int) -> float:
        """working_days_between for moments in microseconds since the epoch (UTC).

        The sum runs day by day (first day's part, whole days, last day's part); inside the
        covered years the whole days come from the running counts, added with the same
        floating-point rounding as the day-by-day sum.
        """
        if end <= start:
            return 0.0
        first, counts, steady = self._counts
        a, b = start + UTC8_US, end + UTC8_US  # Beijing wall time in microseconds
        i, k = a // DAY_US + EPOCH_ORDINAL - first, b // DAY_US + EPOCH_ORDINAL - first
        if not steady or i < 0 or k >= len(counts) - 1:
            return self._working_days_by_day(_moment(start), _moment(end))
        if i == k:
            return (b - a) / 10**6 / DAY_SECONDS if counts[i + 1] > counts[i] else 0.0
        total = ((a // DAY_US + 1) * DAY_US - a) / 10**6 / DAY_SECONDS \
            if counts[i + 1] > counts[i] else 0.0
        total = _add_ones(total, counts[k] - counts[i + 1])
        if counts[k + 1] > counts[k]:
            total += (b - b // DAY_US * DAY_US) / 10**6 / DAY_SECONDS
        return total

    def _working_days_by_day(self, start: datetime, end: datetime) -> float:
        """working_days_between one day at a time (beyond the covered years)."""
        a, b = start.astimezone(BUSINESS_TZ), end.astimezone(BUSINESS_TZ)
        total, day = 0.0, a.date()
        while day <= b.date():
            self.check_covered(day)
            if self._holidays.is_working_day(day):
                lo = max(a, datetime.combine(day, time(0), BUSINESS_TZ))
                hi = min(b, datetime.combine(day + timedelta(days=1), time(0), BUSINESS_TZ))
                total += max((hi - lo).total_seconds(), 0.0) / DAY_SECONDS
            day += timedelta(days=1)
        return total


def _micros(moment: datetime) -> int:
    """An aware moment as integer microseconds since the epoch."""
    delta = moment - EPOCH
    return (delta.days * 86400 + delta.seconds) * 10**6 + delta.microseconds


def _moment(micros: int) -> datetime:
    """Back from microseconds since the epoch (UTC)."""
    return EPOCH + timedelta(microseconds=micros)


def _add_ones(total: float, n: int) -> float:
    """total + 1.0 + 1.0 + … (n times), rounded exactly as n separate additions.

    Adding 1.0 is exact while the sum stays below the next power of two, so whole runs are
    added at once and only the steps that cross a power of two are added one by one.
    """
    while n > 0:
        if total < 1.0:
            total += 1.0
            n -= 1
            continue
        bound = 2.0 ** math.frexp(total)[1]  # total < bound, same exponent below it
        run = min(n, math.ceil(bound - total) - 1)
        total += run
        n -= run
        if n > 0:
            total += 1.0
            n -= 1
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
