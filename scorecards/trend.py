"""Month-by-month scores and rates of each unit over a year (pure: facts and entries in)."""

from __future__ import annotations

import calendar as _cal
from collections.abc import Sequence
from dataclasses import dataclass

from scorecards.casefacts import CaseFact
from scorecards.rules import Rules
from scorecards.scoring import Flagged, Unit, score_units


@dataclass(frozen=True)
class MonthPoint:
    """One unit's score and three rates for the cases first assigned in one month."""

    code: str
    month: str
    received: int
    score: float | None
    response: float | None
    resolution: float | None
    satisfaction: float | None


def monthly(units: Sequence[Unit], facts: Sequence[CaseFact], entries: Sequence[Flagged],
            rules: Rules, as_of: str) -> tuple[MonthPoint, ...]:
    """Each month's scorecards (as of the same moment, under the same rules), unit by unit."""
    by_month: dict[str, list[CaseFact]] = {}
    for f in facts:
        if f.assigned_day:
            by_month.setdefault(f.assigned_day[:7], []).append(f)
    out: list[MonthPoint] = []
    for month in sorted(by_month):
        year, mon = int(month[:4]), int(month[5:])
        period = (f"{month}-01", f"{month}-{_cal.monthrange(year, mon)[1]:02d}")
        sheet = score_units(units, by_month[month], entries, rules, rules.min_volume_month,
                            period, as_of)
        for c in sheet.cards:
            if c.received:
                rates = {r.key: r.value for r in c.rates}
                out.append(MonthPoint(c.code, month, c.received, c.score, rates.get("response"),
                                      rates.get("resolution"), rates.get("satisfaction")))
    return tuple(out)
