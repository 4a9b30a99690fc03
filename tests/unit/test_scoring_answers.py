"""How the citizen's answers count in a scorecard: defaults as the rules table says, 是否解决."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scorecards.rules import Answers, Rules, load_scoring
from scorecards.scoring import RateTrace, rate_traces
from tests.unit.test_scoring import GOOD, cases, sheet

DEFAULTED = cases("D1", 3, "默", rating="满意", rating_default=True, closed=False)
OWN = [*cases("D1", 1, "甲", rating="不满意", resolved=False),
       *cases("D1", 1, "乙", rating="满意", resolved=True)]


def traces(rules: Rules) -> dict[str, RateTrace]:
    """The department's rate traces by key."""
    return {t.key: t for t in rate_traces([*DEFAULTED, *OWN], rules)}


def test_by_default_a_default_rating_counts_as_now_and_the_counts_say_so() -> None:
    satisfaction = traces(Rules())["satisfaction"]
    assert (satisfaction.hits, satisfaction.total) == (4, 5)
    assert (satisfaction.citizen, satisfaction.defaults) == (2, 3)
    line = next(x for x in sheet([*DEFAULTED, *OWN]).card("D1").explanation()
                if x.startswith("满意率"))
    assert "群众本人评价 2 件、默认评价 3 件（默认评价计入）" in line


def test_the_rules_table_can_exclude_default_ratings_from_satisfaction() -> None:
    rules = Rules(answers=Answers(default_ratings="exclude"))
    satisfaction = traces(rules)["satisfaction"]
    assert (satisfaction.hits, satisfaction.total) == (1, 2)
    assert satisfaction.defaults == 3
    line = next(x for x in sheet([*DEFAULTED, *OWN], rules).card("D1").explanation()
                if x.startswith("满意率"))
    assert "（默认评价不计入）" in line and "默-00" not in line


def test_resolution_stays_closure_unless_the_rules_table_takes_the_citizens_word() -> None:
    as_now = traces(Rules())["resolution"]
    assert (as_now.hits, as_now.total, as_now.label) == (
        2, 5, "解决率（办结）")
    rules = Rules(answers=Answers(resolution="citizen"))
    citizen = traces(rules)["resolution"]
    assert (citizen.hits, citizen.total, citizen.citizen) == (
        1, 2, 2)
    assert citizen.label == "解决率（群众答复）"
    line = next(x for x in sheet([*DEFAULTED, *OWN], rules).card("D1").explanation()
                if x.startswith("解决率"))
    assert "群众本人答复“是否解决” 2 件、默认 0 件" in line


def test_the_answers_setting_is_read_from_the_rules_table_and_checked() -> None:
    table = load_scoring({"rules": [{"version": "v", "answers": {
        "default_ratings": "exclude", "resolution": "citizen"}}]})
    assert table.rules[0].answers == Answers(default_ratings="exclude", resolution="citizen")
    with pytest.raises(ValueError, match=r"answers\.default_ratings"):
        load_scoring({"rules": [{"version": "v", "answers": {"default_ratings": "maybe"}}]})


def test_a_fact_without_an_answer_is_not_resolved_or_unresolved() -> None:
    assert replace(GOOD).resolved is None
