"""The action format: one JSON object a line, validated with pydantic."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.actions import ACTION_NAMES, MAX_TEXT, InvalidAction, Rate, parse_action

BASE = {"case": "WZ-2025-0001", "at": "2025-09-30T10:00:00+08:00", "by": "office-1"}
# action → its required fields with valid values
REQUIRED: dict[str, dict[str, Any]] = {
    "register": {"source": "人民网", "title": "路灯", "content": "路灯不亮", "category": "投诉"},
    "assign": {"department": "D1"},
    "claim": {},
    "dispute": {"reason": "非本单位职责"},
    "extend": {"working_days": 3, "reason": "情况复杂"},
    "opinion": {"text": "拟三日内修复"},
    "submit_reply": {"text": "已修复"},
    "publish_reply": {"text": "您反映的问题已解决"},
    "return": {"reason": "答复不具体"},
    "supervise": {},
    "rate": {"rating": "满意"},
    "close": {},
    "archive": {},
    "refer_accountability": {"department": "D1", "reason": "逾期未办"},
}
PER_ACTION = [(a, f) for a, fields in REQUIRED.items() for f in fields]


def line(action: str, **fields: Any) -> dict[str, Any]:
    """A valid line of this action, with fields replaced or added."""
    return {"action": action, **BASE, **REQUIRED[action], **fields}


def error_of(data: Any) -> str:
    """The InvalidAction message for a line that must be rejected."""
    with pytest.raises(InvalidAction) as caught:
        parse_action(data)
    return str(caught.value)


def test_every_action_name_has_its_required_fields_listed() -> None:
    assert set(REQUIRED) == set(ACTION_NAMES)


@pytest.mark.parametrize("action", ACTION_NAMES)
def test_a_complete_line_of_each_action_is_accepted(action: str) -> None:
    parsed = parse_action(json.dumps(line(action), ensure_ascii=False))
    assert parsed.action == action
    assert parsed.case == BASE["case"] and parsed.at.utcoffset() is not None


@pytest.mark.parametrize(("action", "field"), PER_ACTION)
def test_a_missing_action_field_is_named(action: str, field: str) -> None:
    data = line(action)
    del data[field]
    assert f"字段 {field}: 缺少此字段" in error_of(data)


@pytest.mark.parametrize("field", ["case", "at", "by"])
@pytest.mark.parametrize("action", ["claim", "register"])
def test_a_missing_common_field_is_named(action: str, field: str) -> None:
    data = line(action)
    del data[field]
    assert f"字段 {field}: 缺少此字段" in error_of(data)


@pytest.mark.parametrize("at", ["2025-09-30T10:00:00", "2025-09-30 10:00", "2025-09-30"])
def test_a_time_without_offset_is_rejected_with_advice(at: str) -> None:
    message = error_of(line("claim", at=at))
    assert message.startswith("字段 at: ")
    assert "时区偏移" in message or "offset" in message


def test_a_time_with_an_offset_keeps_its_instant() -> None:
    parsed = parse_action(line("claim", at="2025-09-30T20:00:00-04:00"))
    assert parsed.at.isoformat() == "2025-09-30T20:00:00-04:00"


def test_a_missing_action_is_named() -> None:
    assert "字段 action: " in error_of(dict(BASE))


def test_an_unknown_action_is_named_as_the_action_field() -> None:
    message = error_of({**BASE, "action": "fly"})
    assert "未知的 action" in message
    assert message.startswith("字段 action: "), message


@pytest.mark.parametrize("action", ["claim", "register", "rate"])
def test_an_unknown_field_is_named(action: str) -> None:
    assert "字段 colour: 不认识的字段" in error_of(line(action, colour="red"))


def test_an_unknown_field_inside_the_citizen_is_named() -> None:
    assert "字段 citizen.email: " in error_of(line("register", citizen={"email": "a@b.c"}))


@pytest.mark.parametrize(("action", "field"), [
    ("register", "title"), ("register", "content"), ("return", "reason"),
    ("publish_reply", "text"), ("claim", "by"), ("claim", "note"),
])
@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f"])
def test_control_characters_are_rejected(action: str, field: str, char: str) -> None:
    message = error_of(line(action, **{field: f"正常{char}文本"}))
    assert message.startswith(f"字段 {field}: ") and "控制字符" in message


def test_tabs_and_newlines_are_allowed_in_text() -> None:
    parsed = parse_action(line("publish_reply", text="第一段\n\t第二段"))
    assert parsed.text == "第一段\n\t第二段"  # type: ignore[union-attr]


@pytest.mark.parametrize(("action", "field", "size"), [
    ("publish_reply", "text", MAX_TEXT + 1), ("register", "content", MAX_TEXT + 1),
    ("register", "title", 201), ("dispute", "reason", 201), ("claim", "case", 65),
])
def test_oversized_text_is_rejected(action: str, field: str, size: int) -> None:
    message = error_of(line(action, **{field: "长" * size if field != "case" else "A" * size}))
    assert message.startswith(f"字段 {field}: ")


def test_text_of_the_maximum_size_is_accepted() -> None:
    parsed = parse_action(line("publish_reply", text="长" * MAX_TEXT))
    assert len(parsed.text) == MAX_TEXT  # type: ignore[union-attr]


@pytest.mark.parametrize("at", [
    "1900-01-01T10:00:00+08:00", "1999-12-31T23:59:59+08:00",
    "2100-01-01T00:00:00+08:00", "2200-06-01T10:00:00+08:00",
])
def test_absurd_years_are_rejected(at: str) -> None:
    message = error_of(line("claim", at=at))
    assert message.startswith("字段 at: ") and at[:4] in message


@pytest.mark.parametrize("priority", ["重大", "重大敏感"])
def test_major_and_major_sensitive_both_mean_major(priority: str) -> None:
    assert parse_action(line("register", priority=priority)).priority == "重大"  # type: ignore[union-attr]


def test_priority_defaults_to_general() -> None:
    assert parse_action(line("register")).priority == "一般"  # type: ignore[union-attr]


@pytest.mark.parametrize(("field", "value"), [
    ("priority", "紧急"), ("category", "表扬"), ("rating", "非常满意"),
])
def test_values_outside_the_lists_are_rejected_and_named(field: str, value: str) -> None:
    action = "rate" if field == "rating" else "register"
    message = error_of(line(action, **{field: value}))
    assert message.startswith(f"字段 {field}: ") and value in message


@pytest.mark.parametrize("days", [0, -1, 61])
def test_extension_days_out_of_range_are_rejected(days: int) -> None:
    assert error_of(line("extend", working_days=days)).startswith("字段 working_days: ")


@pytest.mark.parametrize("code", ["D 1", "单位", "", "D1;drop"])
def test_department_codes_must_be_plain_codes(code: str) -> None:
    assert error_of(line("assign", department=code)).startswith("字段 department: ")


def test_a_bad_phone_number_is_named_inside_the_citizen() -> None:
    message = error_of(line("register", citizen={"name": "张三", "phone": "call me"}))
    assert message.startswith("字段 citizen.phone: ")


def test_several_errors_are_all_reported() -> None:
    message = error_of({"action": "extend", **BASE, "at": "2025-09-30T10:00:00"})
    assert "字段 at: " in message and "字段 working_days: " in message
    assert "字段 reason: " in message


def test_a_line_that_is_not_json_is_rejected() -> None:
    assert "不是合法的 JSON" in error_of('{"action": "claim", ')


def test_the_content_hash_is_stable_for_identical_lines() -> None:
    data = line("register", citizen={"name": "张三", "phone": "13800000000"})
    reordered = dict(reversed(list(data.items())))
    first = parse_action(json.dumps(data, ensure_ascii=False)).action_id()
    assert first == parse_action(data).action_id() == parse_action(reordered).action_id()
    assert first.startswith("h:")


def test_a_given_id_is_the_action_id() -> None:
    assert parse_action(line("claim", id="batch-7/line-3")).action_id() == "batch-7/line-3"


VARIANTS: dict[str, Any] = {
    "case": "WZ-2025-0002", "at": "2025-09-30T10:00:01+08:00", "by": "office-2",
    "note": "备注", "source": "12345", "title": "路灯2", "content": "路灯不亮了",
    "category": "反映", "priority": "重要", "region": "东区",
    "citizen": {"name": "李四"},
}


@pytest.mark.parametrize("field", sorted(VARIANTS))
def test_the_content_hash_differs_when_any_field_differs(field: str) -> None:
    data = line("register")
    changed = {**data, field: VARIANTS[field]}
    assert parse_action(data).action_id() != parse_action(changed).action_id()


@pytest.mark.parametrize(("field", "value"), [
    ("rating", "不满意"), ("channel", "电话回访"), ("default", True), ("note", "回访"),
    ("resolved", True), ("resolved", False),
])
def test_the_rating_hash_differs_when_a_rating_field_differs(field: str, value: Any) -> None:
    first, second = parse_action(line("rate")), parse_action(line("rate", **{field: value}))
    assert first.action_id() != second.action_id()


@pytest.mark.parametrize("action", ["claim", "close", "archive"])
def test_the_same_command_on_another_action_differs(action: str) -> None:
    assert parse_action(line("supervise")).action_id() != parse_action(line(action)).action_id()


@given(st.text(min_size=1, max_size=40).filter(lambda t: t.strip() == t and t.isprintable()))
def test_any_printable_reason_hashes_deterministically_and_distinctly(reason: str) -> None:
    a = parse_action(line("dispute", reason=reason))
    assert a.action_id() == parse_action(line("dispute", reason=reason)).action_id()
    if reason != REQUIRED["dispute"]["reason"]:
        assert a.action_id() != parse_action(line("dispute")).action_id()


@pytest.mark.parametrize("at", [1700000000, 1700000000.5])
def test_a_number_is_not_an_iso_8601_time(at: object) -> None:
    with pytest.raises(InvalidAction, match="字段 at: "):
        parse_action({"id": "q-1", "case": "Q-1", "by": "op", "action": "claim", "at": at})


@pytest.mark.parametrize("char", ["\x85", "\x9b", "\x80", "\x9f", "\u202e", "\u2067"])
def test_c1_controls_and_bidi_overrides_are_rejected(char: str) -> None:
    with pytest.raises(InvalidAction, match="控制字符"):
        parse_action({"id": "q-1", "case": "Q-1", "by": "op", "action": "dispute",
                      "at": "2025-03-03T10:00:00+08:00", "reason": f"不是{char}我们"})


def test_the_region_refuses_control_characters() -> None:
    with pytest.raises(InvalidAction, match="字段 region: "):
        parse_action({"id": "q-1", "case": "Q-1", "by": "op", "action": "register",
                      "at": "2025-03-03T10:00:00+08:00", "source": "s", "title": "t",
                      "content": "c", "category": "投诉", "region": "东区\x1b[2J\x00"})


@pytest.mark.parametrize("text", [
    '{"action":"extend","case":"A","at":"2025-01-01T00:00:00+08:00","by":"x","reason":"r",'
    '"working_days":1e400}',
    '{"action":"extend","case":"A","at":"2025-01-01T00:00:00+08:00","by":"x","reason":"r",'
    '"working_days":"' + "9" * 5000 + '"}',
])
def test_every_format_message_is_in_chinese(text: str) -> None:
    with pytest.raises(InvalidAction) as caught:
        parse_action(text)
    assert "Input should" not in str(caught.value) and "Unable" not in str(caught.value)


def test_a_value_outside_a_list_names_the_allowed_values_in_chinese() -> None:
    message = error_of(line("rate", rating="很好"))
    assert message == "字段 rating: 取值 '很好' 无效，应为 “满意”、“基本满意”、“不满意” 之一"
    assert " or " not in error_of(line("register", category="表扬"))


def test_a_rating_line_without_resolved_keeps_the_id_it_had_before_resolved_existed() -> None:
    assert parse_action(line("rate")).action_id() == "h:a71ed9479e3550abcecfd92a369990cf"


def test_resolved_is_the_citizens_yes_or_no() -> None:
    rated = parse_action(line("rate", resolved=False))
    assert isinstance(rated, Rate) and rated.resolved is False
    assert parse_action(line("rate")).model_dump()["resolved"] is None
    assert error_of(line("rate", resolved="也许")) == "字段 resolved: 应为 true 或 false"
