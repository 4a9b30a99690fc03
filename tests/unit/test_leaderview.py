"""The leader's first view: ranks as words, red and black lists, bands, parts, year change."""

from __future__ import annotations

from dataclasses import replace

from scorecards.rules import DEFAULT_RULES
from scorecards.scoring import ScoreSheet, Unit, score_units
from scorecards.trend import monthly
from tests.unit.test_scoring import GOOD, cases
from wenzheng.webapp import leaderview

UNITS = [Unit(f"D{i}", f"{i}局", "A") for i in range(1, 13)] + [Unit("S", "小镇", "A"),
                                                                  Unit("Z", "空局", "A")]


def twelve() -> ScoreSheet:
    """Twelve ranked units with falling scores, a small unit and an empty one."""
    facts = []
    for i in range(1, 13):
        facts += cases(f"D{i}", i, closed=False) + cases(f"D{i}", 40 - i, f"D{i}x")
    facts += cases("S", 3)
    return score_units(UNITS, facts, (), DEFAULT_RULES, 10, ("2025-01-01", "2025-12-31"), "x")


def test_an_unranked_unit_says_so_in_words_never_none() -> None:
    sheet = twelve()
    assert leaderview.rank_text(sheet.card("D1")) == "1"
    assert leaderview.rank_text(sheet.card("S")) == "不参与排名"
    assert leaderview.rank_text(sheet.card("Z")) == "—"


def test_the_red_and_black_lists_are_the_top_and_bottom_five_and_never_overlap() -> None:
    top, bottom = leaderview.red_and_black(twelve().cards)
    assert [c.code for c in top] == ["D1", "D2", "D3", "D4", "D5"]
    assert [c.code for c in bottom] == ["D12", "D11", "D10", "D9", "D8"]
    few_top, few_bottom = leaderview.red_and_black(twelve().cards[:7])
    assert len(few_top) == 5 and [c.code for c in few_bottom] == ["D7", "D6"]


def test_the_grade_bands_cover_the_axis_from_its_low_end_to_100() -> None:
    bands = [(b.name, b.min) for b in DEFAULT_RULES.bands]
    frame = leaderview.band_frame(bands, 60)
    assert list(frame["等级"]) == ["优秀", "良好", "合格", "不合格"]
    assert list(frame["起"]) == [95, 90, 80, 60] and list(frame["止"]) == [100, 95, 90, 80]
    spec = leaderview.ranking_spec(twelve().cards, bands)
    assert spec is not None and len(spec["layer"]) == 3


def test_each_units_parts_add_up_to_its_base_score() -> None:
    card = twelve().card("D12")
    frame = leaderview.parts_frame([card])
    assert abs(frame["分"].sum() - (card.base or 0)) < 0.02
    assert set(frame["部分"]) >= {"得分"}


def test_the_change_against_last_year_is_per_unit_and_none_without_last_year() -> None:
    now, before = twelve(), twelve()
    before = replace(before, cards=tuple(replace(c, score=(c.score or 0) - 2) if c.score
                                         is not None else c for c in before.cards))
    change = leaderview.change_against(now, before)
    assert change["D1"] == 2 and change["Z"] is None
    assert set(leaderview.change_against(now, None).values()) == {None}


def test_the_trend_has_a_point_per_unit_and_month_with_cases() -> None:
    facts = [replace(GOOD, number=f"N{m}-{i}", department="D1", assigned_day=f"2025-{m:02d}-03")
             for m in (1, 2) for i in range(3)]
    points = monthly(UNITS[:1], facts, (), DEFAULT_RULES, "x")
    assert [(p.month, p.received, p.score) for p in points] == [("2025-01", 3, 100.0),
                                                                ("2025-02", 3, 100.0)]
    assert leaderview.trend_spec(points, twelve().cards, "response") is not None
    assert leaderview.unit_trend_spec(points, twelve().card("D1")) is not None
