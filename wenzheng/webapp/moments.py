"""The app's "as of" moments: the app may read the clock; figures take the moment as a value."""

from __future__ import annotations

from datetime import date, datetime

from domain.calendar import BUSINESS_TZ, WorkingCalendar, end_of_day
from wenzheng.democlock import HomeClock

QUANTUM_MINUTES = 5  # "now" is rounded down, so cached figures are reused for a few minutes


def now() -> datetime:
    """The current moment, Beijing time."""
    return datetime.now(BUSINESS_TZ)


def rounded(moment: datetime, minutes: int = QUANTUM_MINUTES) -> datetime:
    """A moment rounded down to a multiple of `minutes`."""
    moment = moment.astimezone(BUSINESS_TZ)
    return moment.replace(minute=moment.minute - moment.minute % minutes, second=0,
                          microsecond=0)


def last_covered_day(calendar: WorkingCalendar) -> date:
    """The last day the app offers: a year past the covered range (measured provisionally,
    so figures go on after the calendar runs out while the office enters the arrangement)."""
    return date(calendar.covered_until().year + 1, 12, 31)


def as_of_day(day: date, current: datetime) -> datetime:
    """The end of a past day, or the rounded current moment for today (never the future)."""
    if day < current.astimezone(BUSINESS_TZ).date():
        return end_of_day(day)
    return rounded(current)


def current_moment(calendar: WorkingCalendar, current: datetime) -> datetime:
    """The rounded current moment, or the last day the app offers when now is beyond it."""
    last = last_covered_day(calendar)
    if current.astimezone(BUSINESS_TZ).date() > last:
        return end_of_day(last)
    return rounded(current)


def page_moment(calendar: WorkingCalendar, clock: HomeClock) -> datetime:
    """The moment a page shows "now": the demo's fixed moment as it is, else the rounded
    current moment (see current_moment)."""
    return clock.now if clock.fixed else current_moment(calendar, clock.now)


def default_day(calendar: WorkingCalendar, current: datetime) -> date:
    """Today, or the last day the app offers."""
    return min(current.astimezone(BUSINESS_TZ).date(), last_covered_day(calendar))


def years_between(first: date | None, last: date | None) -> list[int]:
    """Years with assigned cases, newest first (empty when there is none)."""
    if first is None or last is None:
        return []
    return list(range(last.year, first.year - 1, -1))


def default_year_index(years: list[int], current: datetime) -> int:
    """The latest finished year among `years` (newest first), else the newest."""
    this_year = current.astimezone(BUSINESS_TZ).year
    return next((i for i, y in enumerate(years) if y < this_year), 0)



def shown(moment: str) -> str:
    """An ISO moment as 'YYYY-MM-DD HH:MM' (Beijing time)."""
    return datetime.fromisoformat(moment).astimezone(BUSINESS_TZ).strftime("%Y-%m-%d %H:%M")
