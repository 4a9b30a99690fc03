"""Bad input is refused as its own line with a Chinese reason; errors end in one safe line."""

from __future__ import annotations

import errno
import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from domain.actions import InvalidAction, check_not_after, parse_action
from wenzheng.clock import latest_allowed, tolerance
from wenzheng.config import ConfigError, Settings
from wenzheng.failures import (
    DISK,
    INTERNAL,
    INTERRUPTED,
    REJECTED,
    STORE,
    USAGE,
    explain,
    hide_secrets,
)
from wenzheng.redact import redact_line
from wenzheng.store.kek import KekError
from wenzheng.store.pgconnect import StoreUnavailable

AT = "2025-10-09T09:00:00+08:00"


def close_line(**fields: object) -> str:
    """A close action with the given fields replaced."""
    return json.dumps({"action": "close", "case": "A1", "at": AT, "by": "x", **fields})


def reason(text: str) -> str:
    """The reason parse_action gives for a line."""
    with pytest.raises(InvalidAction) as caught:
        parse_action(text)
    return str(caught.value)


def test_a_lone_surrogate_is_refused_in_chinese() -> None:
    assert "不成对的 Unicode 代理字符" in reason('{"action":"close","case":"A1","at":"' + AT
                                               + '","by":"x","note":"\\udc80"}')


def test_hundred_thousand_deep_nesting_is_refused_in_chinese() -> None:
    assert "嵌套层数过多" in reason('{"a":' * 100_000 + "1" + "}" * 100_000)


def test_a_duplicate_key_is_refused_naming_it() -> None:
    text = '{"action":"close","case":"A1","case":"B2","at":"' + AT + '","by":"x"}'
    assert reason(text) == "字段 case: 同一行中重复出现"


def test_a_time_given_as_numeric_text_is_refused() -> None:
    assert "不能是数字" in reason(close_line(at="1760000000"))
    assert "不能是数字" in reason(close_line(at=" 1760000000.5 "))


def test_working_days_given_as_text_is_refused() -> None:
    line = json.dumps({"action": "extend", "case": "A1", "at": AT, "by": "x",
                       "working_days": "5", "reason": "复杂"})
    assert "working_days" in reason(line)


def test_an_action_dated_after_the_tolerance_is_refused_and_one_within_is_not() -> None:
    now = datetime(2025, 10, 9, 1, 0, tzinfo=UTC)
    limit = now + timedelta(minutes=10)
    check_not_after(parse_action(close_line(at="2025-10-09T09:05:00+08:00")), limit)
    with pytest.raises(InvalidAction, match="晚于当前时间"):
        check_not_after(parse_action(close_line(at="2099-01-01T09:00:00+08:00")), limit)


def settings(**actions: object) -> Settings:
    """Settings with an [actions] table."""
    return Settings.model_validate({"departments": [{"code": "D1", "name": "一局"}],
                                    "actions": actions})


def test_the_tolerance_defaults_to_ten_minutes_and_is_configurable() -> None:
    assert tolerance(settings()) == timedelta(minutes=10)
    assert tolerance(settings(future_tolerance_minutes=0)) == timedelta(0)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert latest_allowed(settings(future_tolerance_minutes=30), now) == now + timedelta(
        minutes=30)
    with pytest.raises(ConfigError, match="future_tolerance_minutes"):
        tolerance(settings(future_tolerance_minutes="10"))


def test_an_unreadable_register_line_keeps_no_name_or_phone() -> None:
    text = '{"action":"register","case":"S4","citizen":{"name":"李四","phone":"13900001111"} oops'
    kept = redact_line(text)
    assert "李四" not in kept and "13900001111" not in kept and "已隐去" in kept


def test_a_readable_line_keeps_only_fields_without_personal_data() -> None:
    text = json.dumps({"action": "register", "case": "S5", "title": "我的电话13812345678",
                       "content": "住在某小区", "citizen": {"name": "王五", "phone": "1"},
                       "by": "接线员 13700001111"}, ensure_ascii=False)
    kept = json.loads(redact_line(text))
    assert kept["case"] == "S5" and kept["action"] == "register"
    assert kept["title"] == kept["content"] == kept["citizen"] == "（已隐去）"
    assert "13700001111" not in kept["by"]


def test_a_password_in_a_database_url_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WENZHENG_DATABASE_URL", "postgresql://u:S3cret!pw@db:5432/x")
    shown = hide_secrets("failed for postgresql://u:S3cret!pw@db:5432/x and S3cret!pw")
    assert "S3cret" not in shown and "***" in shown


@pytest.mark.parametrize(("exc", "status"), [
    (OSError(errno.ENOSPC, "No space left on device"), DISK),
    (OSError(errno.EFBIG, "File too large"), DISK),
    (sqlite3.OperationalError("database or disk is full"), DISK),
    (sqlite3.DatabaseError("file is not a database"), STORE),
    (StoreUnavailable("无法连接 PostgreSQL（u@h:5432/x）：用户名或密码不对"), STORE),
    (ConfigError("坏配置"), USAGE),
    (KekError("未配置密钥加密密钥"), USAGE),
    (ValueError("Invalid isoformat string: 'yesterday'"), USAGE),
    (KeyboardInterrupt(), INTERRUPTED),
    (RuntimeError("boom"), INTERNAL),
])
def test_every_error_becomes_one_chinese_line_with_its_exit_status(
        exc: BaseException, status: int) -> None:
    got, line = explain(exc)
    assert got == status
    assert "\n" not in line and "Traceback" not in line
    assert any("\u4e00" <= ch <= "\u9fff" for ch in line)


def test_a_domain_error_is_a_rejection() -> None:
    from domain.errors import UnknownCase

    assert explain(UnknownCase("NOPE-1"))[0] == REJECTED
