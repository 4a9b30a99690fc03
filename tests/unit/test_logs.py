"""The services' one log format: time, level, service, message, key=value fields, no secrets."""

from __future__ import annotations

import re

import pytest

from wenzheng.logs import fields, service_logger, setup_logging


def test_a_service_line_names_time_level_service_message_and_fields(
        capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging()
    service_logger("relay").info("已发布 %s 条，位置 %s", 500, 1200,
                                 extra=fields(count=500, position=1200))
    line = capsys.readouterr().err.strip()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ INFO relay 已发布 500 条，位置 1200 "
                        r"count=500 position=1200", line), line


def test_a_field_value_with_spaces_stays_one_greppable_token(
        capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging()
    service_logger("intake").warning("提交位移失败", extra=fields(case="2025 001", reason=None))
    assert capsys.readouterr().err.rstrip().endswith("WARNING intake 提交位移失败 case=2025_001 "
                                                     "reason=-")


def test_the_database_password_never_reaches_the_log(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WENZHENG_DATABASE_URL", "postgresql://wz:s3cret-pw@db:5432/wz")
    setup_logging()
    service_logger("projector").error("无法连接 postgresql://wz:s3cret-pw@db:5432/wz")
    err = capsys.readouterr().err
    assert "s3cret-pw" not in err and "***" in err


def test_setting_up_twice_writes_each_line_once(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging()
    setup_logging()
    service_logger("follow").info("持续跟踪事件库（Ctrl-C 停止）…")
    assert capsys.readouterr().err.count("持续跟踪事件库") == 1


def test_the_level_comes_from_the_environment(capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WENZHENG_LOG_LEVEL", "warning")
    setup_logging()
    service_logger("relay").info("已发布 1 条，位置 1")
    assert capsys.readouterr().err == ""
    monkeypatch.delenv("WENZHENG_LOG_LEVEL")
    setup_logging()
