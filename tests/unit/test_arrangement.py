"""Office arrangements in wenzheng.toml and the provisional rule from the holiday law."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from domain.arrangement import Arrangement, provisional_days_off, provisional_is_working_day
from domain.calendar import WorkingCalendar
from wenzheng.config import ConfigError, load_settings

DEPARTMENT = '[[departments]]\ncode = "D1"\nname = "一局"\n'


def settings_from(tmp_path: Path, text: str) -> WorkingCalendar:
    """The calendar a wenzheng.toml gives."""
    path = tmp_path / "wenzheng.toml"
    path.write_text(text + DEPARTMENT, encoding="utf-8")
    return load_settings(path).deadline_policy().calendar


def test_the_provisional_rule_keeps_the_fixed_date_holidays_and_makes_up_weekend_ones() -> None:
    # 2027-05-01/02 are Saturday and Sunday: made up on Monday 05-03 and Tuesday 05-04.
    assert provisional_days_off(2027) == {
        date(2027, 1, 1), date(2027, 5, 1), date(2027, 5, 2), date(2027, 5, 3), date(2027, 5, 4),
        date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3), date(2027, 10, 4),
        date(2027, 10, 5)}
    assert provisional_is_working_day(date(2027, 2, 8)) is True  # lunar holidays are not guessed
    assert provisional_is_working_day(date(2027, 2, 6)) is False  # a plain Saturday


def test_an_arrangement_in_wenzheng_toml_wins_over_the_provisional_rule(tmp_path: Path) -> None:
    cal = settings_from(tmp_path, '[[calendar.arrangement]]\nyear = 2027\nsource = "国办"\n'
                                  'holidays = ["2027-01-01", "2027-02-08"]\n'
                                  'workdays = ["2027-02-20"]\n')
    assert cal.is_working_day(date(2027, 2, 8)) is False
    assert cal.is_working_day(date(2027, 2, 20)) is True
    assert cal.covers(date(2027, 6, 1)) and cal.source_of(2027) == "国办"
    assert cal.add_working_days(date(2027, 2, 5), 1) == (date(2027, 2, 9), False)


def test_an_arrangement_may_override_a_library_year(tmp_path: Path) -> None:
    cal = settings_from(tmp_path, '[[calendar.arrangement]]\nyear = 2026\nsource = "更正"\n'
                                  'holidays = ["2026-03-02"]\n')
    assert cal.is_working_day(date(2026, 3, 2)) is False
    assert cal.is_working_day(date(2026, 2, 16)) is True  # the whole year is the office's now
    assert WorkingCalendar().is_working_day(date(2026, 3, 2)) is True


@pytest.mark.parametrize(("block", "message"), [
    ('year = 2027\nsource = "x"\nholidays = ["2028-01-01"]\n', "2028-01-01 不在 2027 年内"),
    ('year = 2027\nsource = "x"\nholidays = ["2027-02-06"]\nworkdays = ["2027-02-06"]\n',
     "既列为放假又列为调休上班"),
    ('year = 2027\nsource = "x"\nholidays = ["2027-13-01"]\n', "calendar.arrangement.0.holidays"),
])
def test_a_bad_arrangement_is_refused_naming_the_field(tmp_path: Path, block: str,
                                                         message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        settings_from(tmp_path, "[[calendar.arrangement]]\n" + block)


def test_a_year_given_twice_is_refused(tmp_path: Path) -> None:
    block = '[[calendar.arrangement]]\nyear = 2027\nsource = "x"\n'
    with pytest.raises(ConfigError, match="2027 年的放假安排重复给出"):
        settings_from(tmp_path, block + block)


def test_a_weekday_listed_as_a_workday_is_flagged_but_accepted() -> None:
    found = Arrangement(2027, "x", frozenset(), frozenset({date(2027, 2, 3)})).problems()
    assert found == ["2027 年安排的调休上班日 workdays 中 2027-02-03 是工作日"
                     "（星期一至星期五），无需列为调休上班"]


def test_the_content_version_changes_with_the_content() -> None:
    one = Arrangement(2027, "x", frozenset({date(2027, 1, 1)}), frozenset())
    two = Arrangement(2027, "x", frozenset({date(2027, 1, 1), date(2027, 1, 4)}), frozenset())
    assert one.version.startswith("office-2027@") and one.version != two.version
    assert one.version == Arrangement(2027, "x", frozenset({date(2027, 1, 1)}),
                                      frozenset()).version


def test_provisional_deadlines_are_the_default(tmp_path: Path) -> None:
    assert settings_from(tmp_path, "").allow_provisional is True
