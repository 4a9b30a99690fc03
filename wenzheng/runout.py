"""The warning that the working-day calendar is about to run out (or has run out)."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.calendar import WorkingCalendar

WARN_DAYS = 60  # warn from this many days before the covered range ends
CALENDAR_LABELS = (("calendar_covered_until", "工作日历覆盖至"),
                   ("calendar_days_left", "工作日历剩余天数"))


def days_left(calendar: WorkingCalendar, today: date) -> int:
    """Days from today to the last covered day (0 on it, negative after it)."""
    return (calendar.covered_until() - today).days


def runout_warning(calendar: WorkingCalendar, today: date) -> str | None:
    """A Chinese warning from 60 days before the covered range ends, else None."""
    until = calendar.covered_until()
    left = days_left(calendar, today)
    advice = (f"国务院公布 {until.year + 1} 年放假安排后，请写入 wenzheng.toml 的 "
              "[[calendar.arrangement]]，再运行 wenzheng calendar revise")
    if left < 0:
        return (f"工作日历已于 {until.isoformat()} 用完：此后的期限均为暂定（周末与固定日期"
                f"法定节假日）。{advice}")
    if left <= WARN_DAYS:
        return f"工作日历还剩 {left} 天（覆盖至 {until.isoformat()}），之后的期限将为暂定。{advice}"
    return None


def calendar_part(calendar: WorkingCalendar, today: date) -> dict[str, Any]:
    """The status figures: last covered day, days left, and the warning (None if none)."""
    return {"calendar_covered_until": calendar.covered_until().isoformat(),
            "calendar_days_left": days_left(calendar, today),
            "calendar_warning": runout_warning(calendar, today)}


def add_calendar_part(result: dict[str, Any], calendar: WorkingCalendar, today: date) -> None:
    """Add the calendar figures to a status result, the warning to its warnings."""
    part = calendar_part(calendar, today)
    warning = part.pop("calendar_warning")
    result.update(part)
    if warning:
        result.setdefault("warnings", []).append(warning)
