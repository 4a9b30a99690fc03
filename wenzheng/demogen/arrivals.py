"""When citizens' messages arrive: a weekly and holiday rhythm, mostly in office hours."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from domain.calendar import BUSINESS_TZ
from wenzheng.demogen.clock import Clock

# Messages per hour of the day on a working day (relative); peaks mid-morning and afternoon.
WORKDAY_HOURS = (0.1, 0.05, 0.03, 0.03, 0.05, 0.1, 0.3, 0.8, 2.2, 3.2, 3.0, 2.2,
                 1.2, 1.6, 2.6, 3.0, 2.8, 2.0, 1.0, 0.8, 0.8, 0.7, 0.5, 0.25)
RESTDAY_HOURS = (0.1, 0.05, 0.03, 0.03, 0.05, 0.1, 0.3, 0.6, 1.0, 1.3, 1.4, 1.3,
                 1.0, 1.0, 1.2, 1.3, 1.3, 1.2, 1.0, 1.0, 1.0, 0.8, 0.5, 0.25)
WEEKDAY_FACTOR = (1.2, 1.05, 1.0, 1.0, 0.95, 1.0, 1.0)  # Monday catches up the weekend
REST_DAY_FACTOR = 0.35
SEASON = (0.9, 0.85, 1.0, 1.0, 1.05, 1.1, 1.15, 1.15, 1.05, 0.95, 1.0, 1.0)  # by month


def day_weights(clock: Clock, year: int) -> list[tuple[date, float]]:
    """Each day of the year with its relative share of messages."""
    day, out = date(year, 1, 1), []
    while day.year == year:
        factor = WEEKDAY_FACTOR[day.weekday()] if clock.is_working(day) else REST_DAY_FACTOR
        out.append((day, factor * SEASON[day.month - 1]))
        day += timedelta(days=1)
    return out


def daily_counts(weights: list[tuple[date, float]], total: int) -> Iterator[tuple[date, int]]:
    """Split `total` over the days by weight, exactly (cumulative rounding)."""
    whole = sum(w for _, w in weights)
    cumulative, given = 0.0, 0
    for day, weight in weights:
        cumulative += weight
        upto = round(total * cumulative / whole)
        yield day, upto - given
        given = upto


def arrivals(clock: Clock, year: int, total: int, rng: random.Random) -> Iterator[datetime]:
    """`total` arrival moments during the year, in time order, Beijing time."""
    for day, count in daily_counts(day_weights(clock, year), total):
        hours = WORKDAY_HOURS if clock.is_working(day) else RESTDAY_HOURS
        moments = sorted(
            datetime.combine(day, time(rng.choices(range(24), weights=hours)[0],
                                       rng.randrange(60), rng.randrange(60)), BUSINESS_TZ)
            for _ in range(count)
        )
        yield from moments
