"""Holiday arrangements the office enters itself, and the provisional rule for other years."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

# 《全国年节及纪念日放假办法》(2024 年修订，2025-01-01 起施行) 第二条: the holidays of every
# citizen that fall on a fixed Gregorian date, so need no announcement: 元旦 1 月 1 日; 劳动节
# 5 月 1 日、2 日; 国庆节 10 月 1 日、2 日、3 日. 第六条: such a day falling on a Saturday or
# Sunday is made up on a working day (补假); the provisional rule takes the next weekdays.
FIXED_DATE_HOLIDAYS: tuple[tuple[tuple[int, int], ...], ...] = (
    ((1, 1),),
    ((5, 1), (5, 2)),
    ((10, 1), (10, 2), (10, 3)),
)
PROVISIONAL_RULE = "provisional-2025"  # the rule's own version, stored in deadline versions


@dataclass(frozen=True)
class Arrangement:
    """One year's State Council arrangement as the office entered it in wenzheng.toml."""

    year: int
    source: str
    holidays: frozenset[date]
    workdays: frozenset[date]

    @property
    def version(self) -> str:
        """Content version: the year and a digest of its source, days off and days worked."""
        content = json.dumps({
            "year": self.year, "source": self.source,
            "holidays": sorted(d.isoformat() for d in self.holidays),
            "workdays": sorted(d.isoformat() for d in self.workdays),
        }, ensure_ascii=False, sort_keys=True)
        digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:12]
        return f"office-{self.year}@{digest}"

    def is_working_day(self, day: date) -> bool:
        """A listed make-up workday, or a weekday not listed as a day off."""
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def problems(self) -> list[str]:
        """What is wrong with the arrangement, in Chinese (empty when it is sound)."""
        found = []
        for name, days in (("放假日 holidays", self.holidays), ("调休上班日 workdays",
                                                                  self.workdays)):
            found += [f"{self.year} 年安排的{name}中 {d.isoformat()} 不在 {self.year} 年内"
                      for d in sorted(days) if d.year != self.year]
        for d in sorted(self.holidays & self.workdays):
            found.append(f"{self.year} 年安排中 {d.isoformat()} 既列为放假又列为调休上班")
        for d in sorted(self.workdays):
            if d.weekday() < 5:
                found.append(f"{self.year} 年安排的调休上班日 workdays 中 {d.isoformat()} 是工作日"
                             "（星期一至星期五），无需列为调休上班")
        if not self.source.strip():
            found.append(f"{self.year} 年安排缺少 source（发布文号）")
        return found


@lru_cache(maxsize=64)
def provisional_days_off(year: int) -> frozenset[date]:
    """The fixed-date statutory holidays of a year, with weekend ones made up on weekdays."""
    off: set[date] = set()
    for group in FIXED_DATE_HOLIDAYS:
        days = [date(year, m, d) for m, d in group]
        off.update(days)
        owed = sum(1 for d in days if d.weekday() >= 5)
        day = days[-1]
        while owed:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in off:
                off.add(day)
                owed -= 1
    return frozenset(off)


def provisional_is_working_day(day: date) -> bool:
    """The provisional rule: weekdays except fixed-date statutory holidays and their 补假."""
    return day.weekday() < 5 and day not in provisional_days_off(day.year)
