"""Scoring: weighted rates, deductions, grade bands, ties, minimum volume, explanations."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pytest

from scorecards.casefacts import CaseFact
from scorecards.rules import Band, Deductions, Rules, Weights, load_scoring
from scorecards.scoring import ScoreSheet, Unit, base_score, rank_within, rate_traces, score_units

GOOD = CaseFact(number="N", department="D1", category="投诉", title="t", claimed_on_time=True,
                replied=True, closed=True, rating="满意", rating_default=False,
                overdue_stage=None, overdue_charged_to=None, replied_late_by=None,
                supervised=0, referred=0)


@dataclass(frozen=True)
class Entry:
    """An exposure entry as scoring sees it."""

    case: str
    department: str
    rule: str


def cases(department: str, n: int, prefix: str = "", **changes: Any) -> list[CaseFact]:
    """n good cases of a department, with changes applied."""
    return [replace(GOOD, number=f"{prefix or department}-{i:02d}", department=department,
                    **changes) for i in range(n)]


DEFAULT_RULES = Rules()


def sheet(facts: list[CaseFact], rules: Rules = DEFAULT_RULES, units: list[Unit] | None = None,
          entries: tuple[Entry, ...] = (), min_volume: int = 1) -> ScoreSheet:
    """Score the units (default: D1, D2 in group A, D3 in group B)."""
    units = units or [Unit("D1", "一局", "A"), Unit("D2", "二局", "A"), Unit("D3", "三局", "B")]
    return score_units(units, facts, entries, rules, min_volume, ("2026-01-01", "2026-01-31"),
                       "2026-02-05T23:59:59+08:00")


@pytest.mark.parametrize(("weights", "facts", "expected"), [
    (Weights(), cases("D1", 4), 100.0),
    (Weights(), cases("D1", 4, claimed_on_time=False), 70.0),
    (Weights(), cases("D1", 4, closed=False), 70.0),
    (Weights(), cases("D1", 4, rating="不满意"), 60.0),
    (Weights(basic_satisfied=0.8), cases("D1", 4, rating="基本满意"), 92.0),
    (Weights(basic_satisfied=1.0), cases("D1", 4, rating="基本满意"), 100.0),
    (Weights(response=1, resolution=0, satisfaction=0),
     cases("D1", 1) + cases("D1", 3, "X", claimed_on_time=False), 25.0),
    (Weights(), cases("D1", 4, rating=None), 100.0),  # no ratings: weights of defined rates
    (Weights(), cases("D1", 2, rating=None, closed=False), 50.0),
])
def test_base_score_is_the_weighted_mean_of_the_defined_rates(
        weights: Weights, facts: list[CaseFact], expected: float) -> None:
    assert base_score(rate_traces(facts, Rules(weights=weights))) == pytest.approx(expected)


@pytest.mark.parametrize(("changes", "entries", "kind", "points"), [
    ({"overdue_stage": "reply", "overdue_charged_to": "D1"}, (), "overdue", 1.0),
    ({"replied_late_by": "D1"}, (), "overdue", 1.0),
    ({"supervised": 2}, (), "supervision", 0.5),
    ({"referred": 1}, (), "accountability", 2.0),
    ({}, (Entry("D1-00", "D1", "returned"),), "exposure", 0.5),
])
def test_each_deduction_costs_its_points_and_names_its_case(
        changes: dict[str, Any], entries: tuple[Entry, ...], kind: str, points: float) -> None:
    facts = cases("D1", 1, **changes) + cases("D1", 3, "Y")
    card = sheet(facts, entries=entries).card("D1")
    cut = next(d for d in card.deductions if d.key == kind)
    assert cut.points == points
    assert cut.items[0].startswith("D1-00")
    assert card.score == pytest.approx(100 - points)
    assert any("D1-00" in line and line.startswith("扣分") for line in card.explanation())


def test_overdue_time_charged_to_another_unit_is_deducted_from_that_unit() -> None:
    facts = cases("D1", 2, overdue_stage="reply", overdue_charged_to="D2") + cases("D2", 2)
    result = sheet(facts)
    assert result.card("D1").deducted == 0
    assert result.card("D2").deducted == 2.0


def test_the_deduction_cap_limits_the_loss() -> None:
    rules = Rules(deductions=Deductions(overdue=10, cap=15))
    card = sheet(cases("D1", 3, replied_late_by="D1"), rules).card("D1")
    assert card.deducted == 15 and card.score == 85


@pytest.mark.parametrize(("score", "grade"), [
    (100, "优秀"), (95, "优秀"), (94.99, "良好"), (90, "良好"), (89.9, "合格"), (80, "合格"),
    (79.99, "不合格"), (0, "不合格"),
])
def test_grade_bands_include_their_lower_bound(score: float, grade: str) -> None:
    assert Rules().grade(score) == grade


def test_a_score_below_every_band_has_no_grade() -> None:
    rules = Rules(bands=(Band(name="优秀", min=95), Band(name="合格", min=90)))
    assert rules.grade(89) is None


@pytest.mark.parametrize(("scores", "expected"), [
    ([("A", 90), ("B", 95), ("C", 80)], {"B": 1, "A": 2, "C": 3}),
    ([("A", 90), ("B", 90), ("C", 80)], {"A": 1, "B": 1, "C": 3}),
    ([("A", 90.001), ("B", 89.999), ("C", 95)], {"C": 1, "A": 2, "B": 2}),
    ([("A", 70), ("B", 70), ("C", 70)], {"A": 1, "B": 1, "C": 1}),
    ([], {}),
])
def test_equal_scores_share_a_rank_and_the_next_rank_is_skipped(
        scores: list[tuple[str, float]], expected: dict[str, int]) -> None:
    assert rank_within(scores) == expected


def test_peer_groups_are_ranked_separately() -> None:
    facts = cases("D1", 4) + cases("D2", 4, closed=False) + cases("D3", 4, closed=False)
    result = sheet(facts)
    assert [result.card(c).rank for c in ("D1", "D2", "D3")] == [1, 2, 1]


def test_a_unit_below_the_minimum_volume_is_shown_but_not_ranked() -> None:
    facts = cases("D1", 19) + cases("D2", 20, closed=False)
    result = sheet(facts, min_volume=20)
    small, big = result.card("D1"), result.card("D2")
    assert small.score == 100 and small.small_sample and not small.ranked and small.rank is None
    assert big.rank == 1 and big.ranked
    assert any("不参与排名" in line for line in small.explanation())


def test_a_unit_without_cases_has_no_score_and_no_rank() -> None:
    card = sheet(cases("D1", 3)).card("D3")
    assert card.score is None and card.rank is None and card.grade is None


def test_every_rate_in_the_explanation_names_the_cases_that_missed() -> None:
    facts = [*cases("D1", 3), replace(GOOD, number="MISS-1", department="D1",
                                      claimed_on_time=False, rating="基本满意")]
    card = sheet(facts).card("D1")
    response, _, satisfaction = card.rates
    assert (response.hits, response.total, response.misses) == (3, 4, ("MISS-1",))
    assert satisfaction.hits == pytest.approx(3.8) and satisfaction.misses == ("MISS-1",)
    lines = card.explanation()
    assert lines[0].startswith("响应率（按时认领） 75.00%（3/4") and "MISS-1" in lines[0]


def test_rules_tables_are_chosen_by_year_or_by_version() -> None:
    config = load_scoring({"rules": [
        {"version": "通用", "weights": {"response": 1}},
        {"version": "2025-1", "year": 2025, "bands": [{"name": "优秀", "min": 95}]},
        {"version": "2026-1", "year": 2026, "weights": {"basic_satisfied": 0.5}},
    ]})
    assert config.for_year(2026).version == "2026-1"
    assert config.for_year(2024).version == "通用"
    assert config.for_year(2026, "2025-1").version == "2025-1"
    with pytest.raises(KeyError):
        config.for_year(2026, "nope")
    assert load_scoring({}).for_year(2026).version == "默认-2"  # the calibrated default
    assert config.for_year(2026, "默认-1") == Rules()  # the first built-in table, by name
    assert config.for_year(2026, "默认-2").deductions.once_per_case


def test_duplicate_rule_versions_are_refused_in_chinese() -> None:
    with pytest.raises(ValueError, match="version 不能重复"):
        load_scoring({"rules": [{"version": "a"}, {"version": "a"}]})
