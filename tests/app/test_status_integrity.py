"""系统状态 shows when the last integrity checks ran and what they found."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.app.conftest import page_as
from wenzheng import checklog

STATUS = "app_pages/status.py"
AT = datetime(2026, 1, 31, 9, 30, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture
def checked(home: Path) -> Iterator[Path]:
    """The demo home with no check record before and none left after the test."""
    record = home / checklog.NAME
    record.unlink(missing_ok=True)
    yield home
    record.unlink(missing_ok=True)


def test_the_status_page_says_when_no_check_has_run(checked: Path) -> None:
    at = page_as(STATUS, "admin")
    assert not at.exception
    never = ["尚未运行过完整性校验（wenzheng verify）"]
    assert list(at.dataframe[2].value["最近一次校验"]) == never
    assert not at.error


def test_the_status_page_shows_the_last_checks_and_their_findings(checked: Path) -> None:
    checklog.record(checked, AT, {"kind": "log", "ok": True, "problems": 0, "anchors": 3})
    drift = "案件现状表（rm_cases）：主办单位 CGJ 的 4 件案件缺失"
    checklog.record(checked, AT, {"kind": "read_models", "ok": False, "problems": 2,
                                  "first": [drift]})
    at = page_as(STATUS, "admin")
    assert not at.exception
    last = list(at.dataframe[2].value["最近一次校验"])
    assert last == ["日志完整性校验：2026-01-31 09:30 通过，核对了 3 个已签发锚点",
                    "读模型核对：2026-01-31 09:30 发现 2 处问题"]
    assert list(at.dataframe[3].value["发现的问题（前几条）"]) == [drift]
    assert "完整性校验发现问题" in at.error[0].value
