"""The calibrated default table 默认-2: one charge per incident, volume-scaled, capped parts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scorecards.casefacts import CaseFact
from scorecards.rules import DEFAULT_RULES, Deductions, Rules
from scorecards.scoring import listed
from tests.unit.test_scoring import GOOD, Entry, cases, sheet

LATE = {"overdue_stage": "reply", "overdue_charged_to": "D1", "supervised": 1}


def test_an_overdue_supervised_exposed_case_is_one_incident_charged_once_at_the_heaviest() -> None:
    facts = cases("D1", 1, **LATE) + cases("D1", 99, "Y")
    entries = (Entry("D1-00", "D1", "overdue"), Entry("D1-00", "D1", "supervision_unanswered"))
    card = sheet(facts, DEFAULT_RULES, entries=entries).card("D1")
    charged = {d.key: d for d in card.deductions}
    assert charged["overdue"].items == ("D1-00",) and charged["overdue"].points == 0.5
    assert charged["exposure"].items == () and charged["exposure"].merged == ("D1-00",)
    assert charged["supervision"].items == () and charged["supervision"].merged == ("D1-00",)
    assert card.deducted == 0.5
    assert any("不重复扣分" in line for line in card.explanation())


def test_the_first_table_still_charges_every_kind_when_asked_by_name() -> None:
    facts = cases("D1", 1, **LATE) + cases("D1", 99, "Y")
    card = sheet(facts, Rules(), entries=(Entry("D1-00", "D1", "overdue"),)).card("D1")
    assert card.deducted == 1.0 + 0.5 + 0.5


def test_percent_deductions_do_not_punish_a_unit_for_its_size() -> None:
    small = cases("D1", 2, **LATE) + cases("D1", 98, "S")
    large = cases("D2", 36, **{**LATE, "overdue_charged_to": "D2"}) + cases("D2", 1764, "L")
    result = sheet(small + large, DEFAULT_RULES)
    assert result.card("D1").deducted == pytest.approx(result.card("D2").deducted) == 1.0


def test_each_kind_is_capped_on_its_own() -> None:
    facts = cases("D1", 50, **LATE) + cases("D1", 50, "Y", referred=1)
    card = sheet(facts, DEFAULT_RULES).card("D1")
    charged = {d.key: d for d in card.deductions}
    assert charged["overdue"].raw == 25 and charged["overdue"].points == 10
    assert charged["accountability"].raw == 50 and charged["accountability"].points == 5
    assert card.deducted == 15
    assert any("本项上限 10 分" in line for line in card.explanation())


def test_the_parts_of_the_score_add_up_in_the_explanation() -> None:
    facts = cases("D1", 3, **LATE) + cases("D1", 97, "Y", closed=False)
    card = sheet(facts, DEFAULT_RULES).card("D1")
    total = card.explanation()[-1]
    assert total.startswith("得分 = 三率基础分")
    assert card.score == pytest.approx(card.base - sum(d.points for d in card.deductions))
    assert total.endswith(f"= {card.score:.2f}")


def unit_like(received: int, not_replied: float, late_claims: float, unhappy: float,
              overdue: float) -> list[CaseFact]:
    """A unit's year with given shares of cases not closed, claimed late, unhappy, overdue."""
    out = []
    for i in range(received):
        out.append(replace(
            GOOD, number=f"U-{i:05d}", closed=i >= received * not_replied,
            claimed_on_time=(i + 7) % received >= received * late_claims,
            rating="不满意" if (i + 13) % received < received * unhappy else "满意",
            overdue_stage="reply" if (i + 29) % received < received * overdue else None,
            overdue_charged_to="D1" if (i + 29) % received < received * overdue else None))
    return out


def test_a_chenzhou_unit_with_every_rate_above_99_percent_is_excellent() -> None:
    card = sheet(unit_like(1000, 0.005, 0.005, 0.005, 0.005), DEFAULT_RULES).card("D1")
    assert card.score is not None and card.score >= 98 and card.grade == "优秀"


def test_a_fuzhou_unit_replying_to_83_percent_is_clearly_lower_but_far_from_zero() -> None:
    card = sheet(unit_like(2211, 0.17, 0.05, 0.05, 0.17), DEFAULT_RULES).card("D1")
    assert card.score is not None and 70 <= card.score < 90 and card.grade in ("合格", "不合格")


def test_a_unit_with_every_rate_at_90_percent_cannot_score_near_zero() -> None:
    worst = Deductions(**{**DEFAULT_RULES.deductions.model_dump()})
    card = sheet(unit_like(100, 0.10, 0.10, 0.10, 1.0), DEFAULT_RULES).card("D1")
    caps = worst.overdue_cap + worst.exposure_cap + worst.supervision_cap + \
        worst.accountability_cap
    assert card.score is not None and card.score >= 90 - caps >= 60


def test_long_case_lists_are_shortened_for_reading_and_say_how_many_more() -> None:
    items = [f"C{i}" for i in range(46)]
    assert listed(items, 5) == "C0、C1、C2、C3、C4…及另外 41 件"
    assert listed(items[:5], 5) == "C0、C1、C2、C3、C4"
    card = sheet(cases("D1", 46, claimed_on_time=False), DEFAULT_RULES).card("D1")
    assert "…及另外 41 件" in card.explanation(limit=5)[0]
    assert "…" not in card.explanation()[0] and "D1-45" in card.explanation()[0]


def test_the_scorecard_table_shows_five_cases_a_line_and_the_csv_keeps_every_case() -> None:
    from wenzheng.commands.scoring import scorecard_csv, scorecard_table

    result = sheet(cases("D1", 46, claimed_on_time=False) + cases("D2", 3), DEFAULT_RULES,
                   min_volume=10)
    table = scorecard_table(2026, result)
    assert "…及另外 41 件" in table and "D1-45" not in table
    assert "不参与排名" in table  # D2: three cases, under the minimum
    assert "D1-45" in scorecard_csv(result)
