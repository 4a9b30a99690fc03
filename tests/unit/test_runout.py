"""The calendar-runs-out warning: from 60 days before the covered range ends, and after it."""

from __future__ import annotations

from datetime import date

from domain.arrangement import Arrangement
from domain.calendar import WorkingCalendar
from wenzheng.runout import add_calendar_part, days_left, runout_warning

CAL = WorkingCalendar()
WITH_2027 = WorkingCalendar(arrangements=(
    Arrangement(2027, "国办发明电〔2026〕99号", frozenset({date(2027, 1, 1)}), frozenset()),))


def test_no_warning_more_than_sixty_days_before_the_end() -> None:
    assert runout_warning(CAL, date(2026, 10, 31)) is None


def test_the_warning_starts_sixty_days_before_the_end_and_counts_the_days() -> None:
    assert days_left(CAL, date(2026, 11, 1)) == 60
    warning = runout_warning(CAL, date(2026, 11, 1))
    assert warning is not None and "60 天" in warning and "2027" in warning


def test_after_the_end_the_warning_says_deadlines_are_provisional() -> None:
    warning = runout_warning(CAL, date(2027, 1, 5))
    assert warning is not None and "暂定" in warning and "已于 2026-12-31 用完" in warning


def test_an_office_arrangement_extends_the_covered_range() -> None:
    assert WITH_2027.covered_until() == date(2027, 12, 31)
    assert runout_warning(WITH_2027, date(2026, 12, 3)) is None


def test_the_status_result_gains_the_figures_and_the_warning() -> None:
    result: dict[str, object] = {"warnings": []}
    add_calendar_part(result, CAL, date(2026, 12, 3))
    assert result["calendar_covered_until"] == "2026-12-31"
    assert result["calendar_days_left"] == 28
    assert len(result["warnings"]) == 1  # type: ignore[arg-type]
