"""Rates and Wilson intervals."""

from __future__ import annotations

from scorecards.metrics import Counts, figures
from scorecards.wilson import rate, wilson


def test_a_rate_with_no_denominator_is_none() -> None:
    assert rate(0, 0) is None and wilson(0, 0) is None


def test_the_wilson_interval_contains_the_rate_and_stays_within_0_and_1() -> None:
    lo, hi = wilson(1833, 2211) or (0.0, 0.0)
    assert lo < 1833 / 2211 < hi
    assert round(lo, 3) == 0.813 and round(hi, 3) == 0.844
    assert wilson(5, 5) is not None and wilson(5, 5)[1] == 1.0  # type: ignore[index]


def test_open_overdue_cases_count_against_the_on_time_rate() -> None:
    c = Counts(received=10, replied=6, replied_late=1, overdue_open=2)
    assert figures(c)["on_time_rate"] == round(5 / 8, 4)


def test_the_office_delay_is_not_charged_to_the_department_but_is_to_the_city() -> None:
    c = Counts(received=4, replied=4, replied_late_office=2)
    assert figures(c)["on_time_rate"] == 1.0
    assert figures(c, whole_city=True)["on_time_rate"] == 0.5
