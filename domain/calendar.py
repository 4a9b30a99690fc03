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

from domain.arrangement import PROVISIONAL_RULE, Arrangement, provisional_is_working_day

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
    """Working days in mainland China: the office's arrangements, then the `holidays` data,
    then the provisional rule (domain/arrangement.py) for years neither covers. Never raises.

    `allow_provisional` is read by the deadline policy only (False: refuse to set a
    provisional deadline); every working-day answer of the calendar itself is given.
    """

    allow_provisional: bool = True
    covered: range = field(default_factory=published_years)
    arrangements: tuple[Arrangement, ...] = ()

    @cached_property
    def _holidays(self) -> holidays.HolidayBase:
        """The holidays library's China calendar over its published years."""
        return holidays.China(years=self.covered)

    @cached_property
    def _by_year(self) -> dict[int, Arrangement]:
        """The office's arrangements by year (a year given twice: the last one wins)."""
        return {a.year: a for a in self.arrangements}

    @cached_property
    def years(self) -> frozenset[int]:
        """Every year with an official arrangement (library or office)."""
        return frozenset(self.covered) | frozenset(self._by_year)

    @property
    def library_version(self) -> str:
        """The `holidays` data's version and the years it publishes."""
        return f"holidays-{holidays.__version__}:CN:{self.covered.start}-{self.covered.stop - 1}"

    @property
    def version(self) -> str:
        """Identifies the data that produced a deadline: library and every office arrangement."""
        extra = "".join(f"+{a.version}" for _, a in sorted(self._by_year.items()))
        return self.library_version + extra

    def version_for(self, start: date, end: date) -> str:
        """The version of the data a span of days rests on: the library, the arrangements of
        the years it touches, and the provisional rule for years nothing covers."""
        parts = [self.library_version]
        for year in range(start.year, end.year + 1):
            if year in self._by_year:
                parts.append(self._by_year[year].version)
            elif year not in self.covered:
                parts.append(f"{PROVISIONAL_RULE}:{year}")
        return "+".join(parts)

    def source_of(self, year: int) -> str:
        """Where a year's arrangement comes from, in Chinese."""
        if year in self._by_year:
            return self._by_year[year].source
        if year in self.covered:
            return f"holidays 库 {holidays.__version__}"
        return "暂定规则（周末与固定日期法定节假日）"

    def covers(self, day: date) -> bool:
        """Whether an official arrangement for this day's year is known."""
        return day.year in self.years

    def covered_until(self) -> date:
        """The last day of the unbroken run of covered years that starts with the library's."""
        year = self.covered.start
        while year + 1 in self.years:
            year += 1
        return date(year, 12, 31)

    def is_working_day(self, day: date) -> bool:
        """A weekday that is not a holiday, or a make-up Saturday/Sunday (调休)."""
        found = self._by_year.get(day.year)
        if found is not None:
            return found.is_working_day(day)
        if day.year in self.covered:
            return bool(self._holidays.is_working_day(day))
        return provisional_is_working_day(day)

    @cached_property
    def _counts(self) -> tuple[int, list[int], bool, list[int]]:
        """The first day ordinal, running working-day counts, whether every day starts at
        UTC+8 (so business days are plain 86,400-second steps), and running counts of the
        provisional days; from the library's first year to three years past the last covered.

        counts[i] is the number of working days among the i days before ordinal first + i, so
        the working days of a span are one subtraction (no per-day loop).
        """
        first = date(self.covered.start, 1, 1).toordinal()
        last = date(max(self.years) + 3, 12, 31).toordinal()
        counts, steady, unsure = [0], True, [0]
        for n in range(first, last + 1):
            day = date.fromordinal(n)
            counts.append(counts[-1] + self.is_working_day(day))
            unsure.append(unsure[-1] + (day.year not in self.years))
            steady = steady and datetime.combine(day, time(0), BUSINESS_TZ).utcoffset() == UTC8
        return first, counts, steady, unsure

    def _index(self, day: date) -> int | None:
        """The day's index into the running counts, or None outside them."""
        first, counts, _, _ = self._counts
        i = day.toordinal() - first
        return i if 0 <= i < len(counts) - 1 else None

    def provisional_between(self, start: date, end: date) -> bool:
        """Whether any day in (start, end] lies in a year no arrangement covers."""
        i, k = self._index(start), self._index(end)
        if i is None or k is None:
            day = start + timedelta(days=1)
            return any(not self.covers(day + timedelta(days=n))
                       for n in range(0, (end - start).days))
        unsure = self._counts[3]
        return unsure[k + 1] > unsure[i + 1]

    def add_working_days(self, start: date, days: int) -> tuple[date, bool]:
        """The date `days` working days after `start` (start itself not counted).

        Returns the date and whether it is provisional (a day counted in a year without an
        official arrangement).
        """
        if days < 0:
            raise ValueError("days must not be negative")
        if days == 0:
            return start, False
        i = self._index(start)
        if i is not None:
            first, counts, _, _ = self._counts
            j = bisect_left(counts, counts[i + 1] + days, i + 1)
            if j < len(counts):
                found = date.fromordinal(first + j - 1)
                return found, self.provisional_between(start, found)
        return self._add_working_days_by_day(start, days)

    def _add_working_days_by_day(self, start: date, days: int) -> tuple[date, bool]:
        """add_working_days one day at a time (beyond the running counts)."""
        day, provisional, counted = start, False, 0
        while counted < days:
            day += timedelta(days=1)
            provisional = provisional or not self.covers(day)
            if self.is_working_day(day):
                counted += 1
        return day, provisional

    def add_calendar_days(self, start: date, days: int) -> tuple[date, bool]:
        """The date `days` calendar days after `start`; never provisional (no holiday moves it)."""
        if days < 0:
            raise ValueError("days must not be negative")
        return start + timedelta(days=days), False

    def working_days_between(self, start: datetime, end: datetime) -> float:
        """Elapsed working time from start to end, in working days (fractional)."""
        if end <= start:
            return 0.0
        return self.working_days_between_micros(micros(start), micros(end))

    def working_days_between_micros(self, start: int, end: int) -> float:
        """working_days_between for moments in microseconds since the epoch (UTC).

        The sum runs day by day (first day's part, whole days, last day's part); inside the
        covered years the whole days come from the running counts, added with the same
        floating-point rounding as the day-by-day sum.
        """
        if end <= start:
            return 0.0
        first, counts, steady, _ = self._counts
        a, b = start + UTC8_US, end + UTC8_US  # Beijing wall time in microseconds
        i, k = a // DAY_US + EPOCH_ORDINAL - first, b // DAY_US + EPOCH_ORDINAL - first
        if not steady or i < 0 or k >= len(counts) - 1:
            return self._working_days_by_day(moment_at(start), moment_at(end))
        if i == k:
            return (b - a) / 10**6 / DAY_SECONDS if counts[i + 1] > counts[i] else 0.0
        total = ((a // DAY_US + 1) * DAY_US - a) / 10**6 / DAY_SECONDS \
            if counts[i + 1] > counts[i] else 0.0
        total = _add_ones(total, counts[k] - counts[i + 1])
        if counts[k + 1] > counts[k]:
            total += (b - b // DAY_US * DAY_US) / 10**6 / DAY_SECONDS
        return total

    def _working_days_by_day(self, start: datetime, end: datetime) -> float:
        """working_days_between one day at a time (beyond the running counts)."""
        a, b = start.astimezone(BUSINESS_TZ), end.astimezone(BUSINESS_TZ)
        total, day = 0.0, a.date()
        while day <= b.date():
            if self.is_working_day(day):
                lo = max(a, datetime.combine(day, time(0), BUSINESS_TZ))
                hi = min(b, datetime.combine(day + timedelta(days=1), time(0), BUSINESS_TZ))
                total += max((hi - lo).total_seconds(), 0.0) / DAY_SECONDS
            day += timedelta(days=1)
        return total


def micros(moment: datetime) -> int:
    """An aware moment as integer microseconds since the epoch (how read models store times)."""
    delta = moment - EPOCH
    return (delta.days * 86400 + delta.seconds) * 10**6 + delta.microseconds


def moment_at(value: int) -> datetime:
    """Back from microseconds since the epoch (UTC)."""
    return EPOCH + timedelta(microseconds=value)


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
    """A provisional deadline was refused (`[calendar] allow_provisional = false`)."""

    def __init__(self, day: date, covered: range) -> None:
        self.day = day
        super().__init__(
            f"工作日历未覆盖 {day.year} 年"
            f"（已知 {covered.start}–{covered.stop - 1} 年的国务院放假安排）；"
            f"无法为 {day.isoformat()} 计算正式期限。请在 wenzheng.toml 中加入该年的 "
            "[[calendar.arrangement]]，或删去 [calendar] 中的 allow_provisional = false "
            "以生成标注为“暂定”的期限。"
        )
