"""Fuzzing the action format: every input parses or is rejected with a message naming the field."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from domain.actions import ACTION_NAMES, MAX_TEXT, ActionBase, InvalidAction, parse_action

BASE = {"id": "fz-1", "case": "WZ-2025-0001", "at": "2025-09-30T10:00:00+08:00", "by": "office-1"}
REQUIRED: dict[str, dict[str, Any]] = {
    "register": {"source": "人民网", "title": "路灯", "content": "路灯不亮", "category": "投诉"},
    "assign": {"department": "D1"}, "claim": {}, "dispute": {"reason": "非本单位职责"},
    "extend": {"working_days": 3, "reason": "情况复杂"}, "opinion": {"text": "拟三日内修复"},
    "submit_reply": {"text": "已修复"}, "publish_reply": {"text": "您反映的问题已解决"},
    "return": {"reason": "答复不具体"}, "supervise": {}, "rate": {"rating": "满意"},
    "close": {}, "archive": {}, "refer_accountability": {"department": "D1", "reason": "逾期"},
}
# Text fields of each action: (field, maximum length).
TEXTS: dict[str, list[tuple[str, int]]] = {
    action: [("by", 200), ("note", MAX_TEXT)] + [
        (f, MAX_TEXT if f in ("content", "text") else 200)
        for f, v in fields.items() if isinstance(v, str) and f not in (
            "category", "rating", "department")]
    for action, fields in REQUIRED.items()
}
CONTROL = [chr(c) for c in range(32) if chr(c) not in "\t\n\r"] + ["\x7f"]
FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

actions = st.sampled_from(ACTION_NAMES)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=4),
    max_leaves=12)


def line(action: str, **fields: Any) -> dict[str, Any]:
    """A valid line of the action with fields replaced."""
    return {"action": action, **BASE, **REQUIRED[action], **fields}


def outcome(data: str | bytes | dict[str, Any]) -> ActionBase | str:
    """The parsed action, or the rejection message; anything else raised fails the test."""
    try:
        parsed: ActionBase = parse_action(data)
    except InvalidAction as exc:
        message = str(exc)
        assert message.startswith("字段 "), message
        return message
    return parsed


def rejected_naming(data: str | bytes | dict[str, Any], field: str) -> str:
    """The rejection message, which must name the field."""
    result = outcome(data)
    assert isinstance(result, str), f"accepted: {data!r}"
    assert f"字段 {field}: " in result, result
    return result


def strings_of(action: ActionBase) -> list[str]:
    """Every text value held by a parsed action (nested ones included)."""
    out: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(action.model_dump())
    return out


@FUZZ
@given(st.binary(max_size=400))
def test_any_bytes_parse_or_are_rejected_with_a_message(data: bytes) -> None:
    outcome(data)


@FUZZ
@given(st.binary(max_size=40), actions, st.integers(0, 200))
def test_poison_bytes_inside_a_valid_line_are_rejected_as_bad_json(
    poison: bytes, action: str, where: int
) -> None:
    good = json.dumps(line(action), ensure_ascii=False).encode()
    cut = min(where, len(good))
    data = good[:cut] + poison + good[cut:]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        assert "JSON" in str(outcome(data))
    else:
        outcome(data)


@FUZZ
@given(json_values)
def test_any_json_value_parses_or_is_rejected_with_a_message(value: Any) -> None:
    outcome(value if isinstance(value, dict) else {"v": value})
    outcome(json.dumps(value))


@FUZZ
@given(actions, st.dictionaries(st.sampled_from(
    ["id", "case", "at", "by", "note", "department", "text", "reason", "working_days", "rating",
     "title", "content", "source", "category", "priority", "region", "citizen", "level",
     "channel", "default", "co_departments", "colour"]), json_values, max_size=4))
def test_a_line_with_arbitrary_field_values_parses_or_names_a_field(
    action: str, fields: dict[str, Any]
) -> None:
    result = outcome(json.dumps(line(action, **fields), ensure_ascii=False))
    if isinstance(result, str):
        named = {part.split(":")[0].removeprefix("字段 ").split(".")[0]
                 for part in result.split("；")}
        assert named & {*fields, "action", "(整行)"}, (result, fields)


WRONG_TYPES = st.sampled_from([123, -1.5, True, [], ["x"], {}, {"a": 1}])


@FUZZ
@given(actions, st.data(), WRONG_TYPES)
def test_a_text_field_of_the_wrong_type_is_rejected_and_named(
    action: str, data: st.DataObject, value: Any
) -> None:
    field, _ = data.draw(st.sampled_from(TEXTS[action]))
    rejected_naming(line(action, **{field: value}), field)
    rejected_naming(json.dumps(line(action, **{field: value})), field)


@FUZZ
@given(actions, st.data())
def test_missing_required_fields_are_each_named(action: str, data: st.DataObject) -> None:
    required = ["case", "at", "by", *(f for f in REQUIRED[action])]
    gone = data.draw(st.sets(st.sampled_from(required), min_size=1))
    body = {k: v for k, v in line(action).items() if k not in gone}
    result = outcome(body)
    assert isinstance(result, str)
    for field in gone:
        assert f"字段 {field}: 缺少此字段" in result, result


@FUZZ
@given(actions, st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
       st.sampled_from(["T", " "]))
def test_a_time_without_an_offset_is_rejected_and_named(
    action: str, moment: datetime, sep: str
) -> None:
    rejected_naming(line(action, at=moment.isoformat(sep=sep)), "at")


@FUZZ
@given(actions, st.one_of(st.integers(1, 1999), st.integers(2100, 9999)),
       st.integers(-12 * 60, 14 * 60))
def test_absurd_years_are_rejected_and_named(action: str, year: int, minutes: int) -> None:
    zone = timezone(timedelta(minutes=minutes))
    moment = datetime(year, 6, 15, 12, 0, tzinfo=zone)
    assert str(year).zfill(4) in rejected_naming(line(action, at=moment.isoformat()), "at")


@FUZZ
@given(actions, st.data(), st.integers(1, 300))
def test_oversized_text_is_rejected_and_named(
    action: str, data: st.DataObject, extra: int
) -> None:
    field, limit = data.draw(st.sampled_from(TEXTS[action]))
    rejected_naming(line(action, **{field: "长" * (limit + extra)}), field)


@FUZZ
@given(actions, st.data(), st.sampled_from(CONTROL), st.text(min_size=1, max_size=20).filter(
    lambda t: t.strip() == t and t.isprintable()))
def test_a_control_character_inside_text_is_rejected_and_named(
    action: str, data: st.DataObject, char: str, text: str
) -> None:
    field, limit = data.draw(st.sampled_from(TEXTS[action]))
    assume(len(text) * 2 + 1 <= limit)
    assert "控制字符" in rejected_naming(line(action, **{field: text + char + text}), field)


@FUZZ
@given(actions, st.data(), st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_accepted_text_never_holds_an_ascii_control_character(
    action: str, data: st.DataObject, text: str
) -> None:
    field, _ = data.draw(st.sampled_from(TEXTS[action]))
    result = outcome(line(action, **{field: text}))
    if isinstance(result, str):
        return
    for value in strings_of(result):
        assert not any(c in CONTROL for c in value), (field, value)


@FUZZ
@given(st.sampled_from(["assign", "refer_accountability", "claim", "dispute"]),
       st.text(max_size=70))
def test_a_department_code_is_a_plain_code_or_is_named(action: str, code: str) -> None:
    result = outcome(line(action, department=code))
    if isinstance(result, str):
        assert "字段 department: " in result
    else:
        # surrounding whitespace (a CRLF file's \r) is stripped, as for every text field
        assert getattr(result, "department", None) == code.strip()


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\ud83d"])
def test_a_lone_surrogate_escape_is_rejected(escape: str) -> None:
    text = json.dumps(line("publish_reply")).replace("\"text\": \"", f"\"text\": \"{escape}")
    assert isinstance(outcome(text), str)


def test_deeply_nested_json_is_rejected_not_crashing() -> None:
    assert "JSON" in str(outcome("[" * 100_000))
    assert isinstance(outcome('{"a":' * 5000 + "1" + "}" * 5000), str)
