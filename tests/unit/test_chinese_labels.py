"""What a user reads is Chinese: rule names, statuses, actions and yes/no, never keys."""

from __future__ import annotations

import json

import pytest

from domain.labels import (
    ACTION_EVENT,
    ACTION_NAMES_ZH,
    RULE_ZH,
    STATUS_ZH,
    action_zh,
    status_zh,
)
from scorecards.rules import Rules
from scorecards.scoring import DeductionIndex
from tests.unit.test_case_transitions import STATUSES
from tests.unit.test_scoring import GOOD, Entry, sheet
from wenzheng.webapp.auditview import _detail_text


@pytest.mark.parametrize("rule", list(RULE_ZH))
def test_a_scorecard_names_an_exposure_rule_by_its_chinese_name(rule: str) -> None:
    exposure = DeductionIndex([GOOD], [Entry("N", "D1", rule)]).of("D1", Rules())[1]
    assert exposure.items == (f"N（{RULE_ZH[rule]}）",)
    card = sheet([GOOD], entries=(Entry("N", "D1", rule),)).card("D1")
    line = next(x for x in card.explanation() if x.startswith("扣分·曝光台条目"))
    assert RULE_ZH[rule] in line and rule not in line


def test_every_status_and_action_has_one_chinese_label() -> None:
    assert set(STATUS_ZH) == set(STATUSES)
    assert set(ACTION_EVENT.values()) <= set(ACTION_NAMES_ZH)
    assert (status_zh("published"), action_zh("archive"), action_zh("Archived")) == (
        "已回复", "归档", "归档")


def test_the_audit_detail_says_yes_or_no_in_chinese() -> None:
    text = _detail_text(json.dumps({"rating": "不满意", "default": False, "resolved": True}))
    assert text == "评价：不满意；默认评价：否；是否解决：是"
