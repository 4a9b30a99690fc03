"""Working-day arithmetic for the generator: cached calendar look-ups and office hours."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from domain.calendar import BUSINESS_TZ, business_date
from domain.policy import DeadlinePolicy, Deadlines

MORNING = (time(8, 30), time(12, 0))
AFTERNOON = (time(14, 30), time(18, 0))


class Clock:
    """The city's working calendar as the generator needs it; deadlines come from the policy."""

    def __init__(self, policy: DeadlinePolicy) -> None:
        self.policy = policy
        self._working: dict[date, bool] = {}
        self._assign: dict[tuple[str, date], Deadlines] = {}
        self._return: dict[tuple[str, date], Deadlines] = {}

    def is_working(self, day: date) -> bool:
        """Whether the day is a working day (raises CalendarNotCovered for unknown years)."""
        known = self._working.get(day)
        if known is None:
            known = self._working[day] = self.policy.calendar.is_working_day(day)
        return known

    def add_working_days(self, day: date, days: int) -> date:
        """The working day `days` working days after `day` (0: `day` or the next working day)."""
        while not self.is_working(day):
            day += timedelta(days=1)
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working(day):
                counted += 1
        return day

    def working_days_from(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_working(day):
                count += 1
        return count

    def office_time(self, day: date, rng: random.Random) -> datetime:
        """A random moment within office hours on the day, Beijing time."""
        lo, hi = MORNING if rng.random() < 0.55 else AFTERNOON
        span = (hi.hour * 60 + hi.minute) - (lo.hour * 60 + lo.minute)
        minute = lo.hour * 60 + lo.minute + rng.randrange(span)
        return datetime.combine(day, time(minute // 60, minute % 60, rng.randrange(60)),
                                BUSINESS_TZ)

    def on_working_day(self, after: datetime, days: int, rng: random.Random) -> datetime:
        """A moment in office hours `days` working days after `after`, never before it."""
        day = self.add_working_days(business_date(after), days)
        moment = self.office_time(day, rng)
        if moment <= after:
            moment = after + timedelta(minutes=rng.randrange(5, 90))
        return moment

    def on_assign(self, priority: str, at: datetime) -> Deadlines:
        """The policy's deadlines for an assignment at `at` (cached per business date)."""
        key = (priority, business_date(at))
        found = self._assign.get(key)
        if found is None:
            found = self._assign[key] = self.policy.on_assign(priority, at)
        return found

    def on_return(self, priority: str, at: datetime) -> Deadlines:
        """The policy's deadlines when a case is sent back at `at` (cached per date)."""
        key = (priority, business_date(at))
        found = self._return.get(key)
        if found is None:
            found = self._return[key] = self.policy.on_return(priority, at)
        return found

    def on_extend(self, current: Deadlines, working_days: int) -> Deadlines:
        """The policy's deadlines after an extension."""
        return self.policy.on_extend(current, working_days)

    def supervision_due(self, at: datetime) -> datetime:
        """When a supervision notice given at `at` must be answered."""
        return self.policy.supervision_due(at)
