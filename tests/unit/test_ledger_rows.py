"""Ledger rows become the actions they imply; a row's problems reject it with a reason."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from wenzheng.democity import DEPARTMENTS, OFFICE_NAME
from wenzheng.ledger.importer import department_resolver
from wenzheng.ledger.mapping import MappingError, load_mapping
from wenzheng.ledger.rows import RowConverter, RowProblem, parse_time

BEIJING = timezone(timedelta(hours=8))
NAMES = {"OFFICE": OFFICE_NAME, **{code: name for code, name, _ in DEPARTMENTS}}
CONVERTER = RowConverter(load_mapping(None), department_resolver(NAMES))


def full_row(**changes: Any) -> dict[str, Any]:
    """A complete ledger row with the default headers."""
    row: dict[str, Any] = {
        "编号": "TZ-2025-001", "来源": "12345热线", "标题": "路灯不亮", "内容": "某路段路灯不亮",
        "类别": "反映", "登记时间": "2025-03-03 09:00", "交办时间": "2025-03-03 10:00",
        "承办单位": "市城市管理和综合执法局", "认领时间": "2025-03-03 15:00",
        "回复时间": "2025-03-06 10:00", "回复内容": "已修复", "满意度": "满意",
        "办结时间": "2025-03-07 09:00",
    }
    row.update(changes)
    return {k: v for k, v in row.items() if v is not None}


def test_naive_ledger_times_are_beijing_time() -> None:
    assert parse_time("2025-03-03 09:00") == datetime(2025, 3, 3, 9, 0, tzinfo=BEIJING)
    assert parse_time(datetime(2025, 3, 3, 9)) == datetime(2025, 3, 3, 9, tzinfo=BEIJING)


def test_ledger_times_accept_common_spellings() -> None:
    expected = datetime(2025, 3, 3, 9, 5, 7, tzinfo=BEIJING)
    for text in ("2025/3/3 9:05:07", "2025年3月3日 09:05:07", "2025-03-03T09:05:07+08:00",
                 "2025-03-03T01:05:07Z"):
        assert parse_time(text) == expected
    assert parse_time("2025-03-03") == datetime(2025, 3, 3, tzinfo=BEIJING)
    assert parse_time("") is None and parse_time(None) is None


def test_an_unreadable_time_is_an_error() -> None:
    with pytest.raises(ValueError, match="无法识别"):
        parse_time("上周三")


def test_a_complete_row_becomes_the_whole_chain_with_stable_ids() -> None:
    actions = CONVERTER.actions(full_row())
    assert [a["action"] for a in actions] == [
        "register", "assign", "claim", "submit_reply", "publish_reply", "rate", "close"]
    assert [a["id"] for a in actions][:2] == ["ledger:TZ-2025-001:register",
                                              "ledger:TZ-2025-001:assign"]
    assert actions[1]["department"] == "CGJ"
    assert actions[0]["at"] == "2025-03-03T09:00:00+08:00"
    assert actions[5]["rating"] == "满意" and not actions[5].get("default")


def test_a_department_may_be_named_by_code() -> None:
    assert CONVERTER.actions(full_row(承办单位="CGJ"))[1]["department"] == "CGJ"


def test_a_default_rating_is_recorded_as_a_default() -> None:
    rate = CONVERTER.actions(full_row(满意度="默认满意"))[5]
    assert rate["rating"] == "满意" and rate["default"] is True and rate["channel"] == "系统默认"


def test_an_open_row_stops_where_the_ledger_stops() -> None:
    actions = CONVERTER.actions(full_row(回复时间=None, 回复内容=None, 满意度=None, 办结时间=None))
    assert [a["action"] for a in actions] == ["register", "assign", "claim"]


def test_a_rating_after_the_close_comes_after_it() -> None:
    row = full_row(评价时间="2025-03-10 08:00")
    assert [a["action"] for a in CONVERTER.actions(row)][-2:] == ["close", "rate"]


@pytest.mark.parametrize(("changes", "reason"), [
    ({"编号": None}, "缺少编号"),
    ({"登记时间": "昨天"}, "登记时间"),
    ({"承办单位": "市不存在局"}, "不在 wenzheng.toml"),
    ({"认领时间": "2025-03-02 15:00"}, "时间倒序"),
    ({"认领时间": None}, "缺少认领时间"),
    ({"交办时间": None}, "缺少交办时间"),
    ({"类别": "闲聊"}, "类别"),
    ({"满意度": "很好"}, "满意度"),
    ({"编号": "郴网〔2025〕1号"}, "登记"),
])
def test_a_row_with_a_problem_is_rejected_with_the_reason(changes: dict[str, Any],
                                                          reason: str) -> None:
    with pytest.raises(RowProblem, match=reason):
        CONVERTER.actions(full_row(**changes))


def test_a_mapping_file_renames_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "map.toml"
    path.write_text('operator = "wgzx.import"\n[columns]\nnumber = "留言编号"\n'
                    'department = "责任单位"\n[defaults]\ncategory = "其他"\n', encoding="utf-8")
    mapping = load_mapping(path)
    converter = RowConverter(mapping, department_resolver(NAMES))
    row = full_row()
    row["留言编号"], row["责任单位"] = row.pop("编号"), row.pop("承办单位")
    del row["类别"]
    actions = converter.actions(row)
    assert actions[0]["case"] == "TZ-2025-001" and actions[0]["category"] == "其他"
    assert actions[1]["department"] == "CGJ" and actions[0]["by"] == "wgzx.import"


def test_a_mapping_naming_an_unknown_field_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "map.toml"
    path.write_text('[columns]\nnumbr = "编号"\n', encoding="utf-8")
    with pytest.raises(MappingError, match="numbr"):
        load_mapping(path)


@pytest.mark.parametrize(("word", "expected"), [("是", True), ("已解决", True), ("否", False),
                                                ("未解决", False)])
def test_the_citizens_resolved_answer_is_read_from_its_column(word: str, expected: bool) -> None:
    rate = next(a for a in CONVERTER.actions(full_row(是否解决=word)) if a["action"] == "rate")
    assert rate["resolved"] is expected


def test_an_empty_resolved_cell_records_no_answer() -> None:
    rate = next(a for a in CONVERTER.actions(full_row()) if a["action"] == "rate")
    assert "resolved" not in rate


@pytest.mark.parametrize(("changes", "reason"), [
    ({"是否解决": "差不多"}, "是否解决 '差不多' 无效"),
    ({"满意度": "默认满意", "是否解决": "是"}, "默认评价时不能填写是否解决"),
])
def test_a_bad_or_impossible_resolved_answer_rejects_the_row(changes: dict[str, Any],
                                                             reason: str) -> None:
    with pytest.raises(RowProblem, match=reason):
        CONVERTER.actions(full_row(**changes))
