"""The calendar's running counts give exactly the day-by-day answers, float rounding included."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import BUSINESS_TZ, DAY_SECONDS, WorkingCalendar, _add_ones

CAL = WorkingCalendar()
PROVISIONAL = WorkingCalendar(allow_provisional=True)

moments = st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2026, 12, 31),
                       timezones=st.sampled_from([BUSINESS_TZ, UTC]))


def day_by_day(cal: WorkingCalendar, start: datetime, end: datetime) -> float:
    """The plain definition: each working day's overlap with [start, end], summed in order."""
    if end <= start:
        return 0.0
    a, b = start.astimezone(BUSINESS_TZ), end.astimezone(BUSINESS_TZ)
    total, day = 0.0, a.date()
    while day <= b.date():
        if cal.is_working_day(day):
            lo = max(a, datetime.combine(day, datetime.min.time(), BUSINESS_TZ))
            hi = min(b, datetime.combine(day + timedelta(days=1), datetime.min.time(),
                                         BUSINESS_TZ))
            total += max((hi - lo).total_seconds(), 0.0) / DAY_SECONDS
        day += timedelta(days=1)
    return total


def add_by_day(cal: WorkingCalendar, start: date, days: int) -> date:
    """The plain definition: step a day at a time, counting working days."""
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        counted += cal.is_working_day(day)
    return day


@settings(max_examples=400, deadline=None)
@given(moments, st.integers(0, 400 * 86400 * 10**6))
def test_working_days_between_equals_the_day_by_day_sum_bit_for_bit(
    start: datetime, micros: int
) -> None:
    end = start + timedelta(microseconds=micros)
    if end.astimezone(BUSINESS_TZ).year > 2026:
        return
    assert CAL.working_days_between(start, end) == day_by_day(CAL, start, end)


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2026, 10, 31)), st.integers(0, 40))
def test_add_working_days_equals_stepping_a_day_at_a_time(start: date, days: int) -> None:
    assert CAL.add_working_days(start, days) == (add_by_day(CAL, start, days), False)


def test_a_span_of_years_adds_whole_days_with_the_same_rounding_as_one_by_one() -> None:
    for first in (0.0, 1e-9, 0.1, 0.3, 0.7, 0.999999988):
        expected = first
        for n in range(1, 3000):
            expected += 1.0
            assert _add_ones(first, n) == expected


def test_a_provisional_calendar_still_counts_2027_day_by_day() -> None:
    start = datetime(2026, 12, 30, 9, tzinfo=BUSINESS_TZ)
    end = datetime(2027, 1, 6, 9, tzinfo=BUSINESS_TZ)
    assert PROVISIONAL.working_days_between(start, end) == day_by_day(PROVISIONAL, start, end)
    assert PROVISIONAL.add_working_days(date(2026, 12, 30), 5)[1] is True
