"""WorkingCalendar against chinesecalendar (oracle) and the State Council notices."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest

from domain.calendar import WorkingCalendar, business_date
from tests.unit.conftest import OFFICIAL_MAKEUP_DAYS, bj, official_is_working

# Days on which chinesecalendar 1.11.0 is wrong, with the notice that says so. Each entry is
# checked both ways: our calendar must follow the notice, and the oracle must still disagree
# (when a chinesecalendar upgrade fixes it, the entry has to go).
ORACLE_ERRATA = {
    # 国办发明电〔2005〕35号《国务院办公厅关于2006年部分节假日安排的通知》: "元旦：1月1日—3日
    # 放假……12月31日（星期六）上班。" chinesecalendar lists 2005-12-31 as a rest day.
    date(2005, 12, 31): True,
}


def oracle_years() -> range:
    """Years chinesecalendar knows (it raises NotImplementedError outside them)."""
    known = [y for y in range(1990, 2100) if _oracle_knows(date(y, 6, 1))]
    return range(min(known), max(known) + 1)


def _oracle_knows(day: date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def common_days() -> list[date]:
    """Every day both calendars cover."""
    ours, theirs = WorkingCalendar().covered, oracle_years()
    first = date(max(ours.start, theirs.start), 1, 1)
    last = date(min(ours.stop, theirs.stop) - 1, 12, 31)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_the_oracle_and_our_calendar_overlap_on_more_than_twenty_years() -> None:
    days = common_days()
    assert days[0] <= date(2004, 1, 1) and days[-1] >= date(2026, 12, 31)


def test_every_common_day_agrees_with_chinesecalendar_except_documented_errata() -> None:
    cal = WorkingCalendar()
    disagreements = {
        d: cal.is_working_day(d) for d in common_days()
        if cal.is_working_day(d) != chinese_calendar.is_workday(d)
    }
    unexplained = {d: v for d, v in disagreements.items() if d not in ORACLE_ERRATA}
    listing = "\n".join(
        f"  {d.isoformat()} ({d:%a}): WorkingCalendar={v}, chinesecalendar={not v}"
        for d, v in sorted(unexplained.items())
    )
    assert not unexplained, f"{len(unexplained)} day(s) disagree with the oracle:\n{listing}"
    assert disagreements == ORACLE_ERRATA, "an erratum no longer applies; update ORACLE_ERRATA"


@pytest.mark.parametrize("day", sorted(ORACLE_ERRATA))
def test_errata_days_follow_the_state_council_notice(day: date) -> None:
    assert WorkingCalendar().is_working_day(day) is ORACLE_ERRATA[day]


def test_2025_and_2026_match_the_notices_written_out_by_hand() -> None:
    cal, day, wrong = WorkingCalendar(), date(2025, 1, 1), []
    while day.year < 2027:
        if cal.is_working_day(day) != official_is_working(day):
            wrong.append(day.isoformat())
        day += timedelta(days=1)
    assert wrong == []


@pytest.mark.parametrize("day", [
    date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28),
    date(2025, 10, 11), date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28),
    date(2026, 9, 20), date(2026, 10, 10),
])
def test_make_up_weekend_days_are_working_days(day: date) -> None:
    assert day.weekday() >= 5 and day in OFFICIAL_MAKEUP_DAYS
    assert WorkingCalendar().is_working_day(day)


@pytest.mark.parametrize("day", [
    date(2025, 1, 28), date(2025, 2, 4), date(2025, 10, 1), date(2025, 10, 8),
    date(2026, 2, 16), date(2026, 2, 23), date(2026, 9, 25), date(2026, 10, 7),
    date(2025, 10, 12), date(2026, 10, 11),
])
def test_holidays_and_plain_weekends_are_not_working_days(day: date) -> None:
    assert not WorkingCalendar().is_working_day(day)


def test_2027_is_answered_by_the_provisional_rule_not_refused() -> None:
    cal = WorkingCalendar()
    assert cal.is_working_day(date(2027, 3, 1)) is True
    assert cal.is_working_day(date(2027, 1, 1)) is False
    assert cal.covers(date(2027, 3, 1)) is False


def test_a_deadline_running_into_2027_is_computed_and_marked_provisional() -> None:
    assert WorkingCalendar().add_working_days(date(2026, 12, 30), 5) == (date(2027, 1, 7), True)


def test_working_days_entirely_in_2026_need_no_2027_data() -> None:
    assert WorkingCalendar().add_working_days(date(2026, 12, 28), 3) == (date(2026, 12, 31), False)


def test_provisional_calendar_answers_for_2027_and_says_so() -> None:
    cal = WorkingCalendar(allow_provisional=True)
    day, provisional = cal.add_working_days(date(2026, 12, 30), 5)
    assert day.year == 2027 and provisional is True
    assert cal.add_working_days(date(2026, 10, 9), 1) == (date(2026, 10, 10), False)


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError):
        WorkingCalendar().add_working_days(date(2025, 3, 3), -1)


def test_zero_working_days_is_the_start_date_itself() -> None:
    assert WorkingCalendar().add_working_days(date(2025, 10, 3), 0) == (date(2025, 10, 3), False)


@pytest.mark.parametrize(("start", "days", "expected"), [
    (date(2025, 9, 30), 1, date(2025, 10, 9)),
    (date(2025, 10, 10), 1, date(2025, 10, 11)),
    (date(2025, 10, 11), 1, date(2025, 10, 13)),
    (date(2025, 1, 24), 1, date(2025, 1, 26)),
    (date(2025, 1, 27), 1, date(2025, 2, 5)),
    (date(2026, 2, 13), 1, date(2026, 2, 14)),
    (date(2026, 2, 14), 1, date(2026, 2, 24)),
    (date(2026, 9, 30), 3, date(2026, 10, 10)),
])
def test_add_working_days_skips_holidays_and_counts_make_up_days(
    start: date, days: int, expected: date
) -> None:
    assert WorkingCalendar().add_working_days(start, days) == (expected, False)


def test_a_weekend_contributes_no_working_time() -> None:
    cal = WorkingCalendar()
    assert cal.working_days_between(bj(2025, 10, 18, 0), bj(2025, 10, 20, 0)) == 0.0


def test_a_full_working_day_counts_as_one() -> None:
    cal = WorkingCalendar()
    assert cal.working_days_between(bj(2025, 10, 20, 0), bj(2025, 10, 21, 0)) == 1.0


def test_half_a_working_day_counts_as_one_half() -> None:
    assert WorkingCalendar().working_days_between(bj(2025, 10, 20, 6), bj(2025, 10, 20, 18)) == 0.5


def test_the_national_day_week_counts_only_the_make_up_saturday() -> None:
    cal = WorkingCalendar()
    assert cal.working_days_between(bj(2025, 10, 1, 0), bj(2025, 10, 13, 0)) == 3.0


def test_working_time_in_an_uncovered_year_is_measured_and_the_span_marked_provisional() -> None:
    cal = WorkingCalendar()
    assert cal.working_days_between(bj(2027, 3, 1, 0), bj(2027, 3, 2, 0)) == 1.0
    assert cal.provisional_between(date(2027, 2, 28), date(2027, 3, 1)) is True
    assert cal.provisional_between(date(2026, 2, 28), date(2026, 3, 1)) is False


def test_end_before_start_is_zero_working_time() -> None:
    assert WorkingCalendar().working_days_between(bj(2025, 10, 21), bj(2025, 10, 20)) == 0.0


def test_working_time_is_measured_in_beijing_days() -> None:
    start = datetime.fromisoformat("2025-10-19T16:00:00+00:00")  # Monday 00:00 in Beijing
    end = datetime.fromisoformat("2025-10-20T16:00:00+00:00")
    assert WorkingCalendar().working_days_between(start, end) == 1.0


def test_business_date_is_the_date_in_beijing() -> None:
    moment = datetime.fromisoformat("2025-09-30T20:00:00-04:00")
    assert business_date(moment) == date(2025, 10, 1)


def test_the_calendar_version_names_the_data_and_the_covered_years() -> None:
    version = WorkingCalendar().version
    assert "CN" in version and version.endswith("2001-2026")
