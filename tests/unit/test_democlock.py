"""The home's clock: `[demo] now` read, refused in Chinese when malformed, written in place."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.unit.conftest import BJ
from wenzheng.config import ConfigError, load_settings
from wenzheng.democity import default_toml
from wenzheng.democlock import home_clock, write_demo_now


def settings_with(tmp_path: Path, extra: str) -> Path:
    """A wenzheng.toml of the demonstration city with extra lines."""
    path = tmp_path / "wenzheng.toml"
    path.write_text(default_toml() + extra, encoding="utf-8")
    return path


def test_a_home_without_a_demo_clock_uses_the_wall_clock(tmp_path: Path) -> None:
    clock = home_clock(load_settings(settings_with(tmp_path, "")))
    assert not clock.fixed and clock.note() == ""
    assert abs((clock.now - datetime.now(BJ)).total_seconds()) < 60


def test_the_demo_clock_is_written_once_and_read_back_with_a_note(tmp_path: Path) -> None:
    path = settings_with(tmp_path, "\n# 备注保留\n")
    moment = datetime(2026, 1, 31, 23, 59, 59, 999999, tzinfo=BJ)
    assert write_demo_now(path, moment) and not write_demo_now(path, moment)
    text = path.read_text(encoding="utf-8")
    assert "# 备注保留" in text and "now = 2026-01-31T23:59:59+08:00" in text
    clock = home_clock(load_settings(path))
    assert clock.fixed and clock.now == moment.replace(microsecond=0)
    assert "[demo] now" in clock.note() and "2026-01-31 23:59:59" in clock.note()


@pytest.mark.parametrize("value", ['"明天"', "2026-01-31", '"2026-13-01T00:00:00"'])
def test_a_malformed_demo_clock_is_refused_in_chinese_naming_the_field(
        tmp_path: Path, value: str) -> None:
    settings = load_settings(settings_with(tmp_path, f"\n[demo]\nnow = {value}\n"))
    with pytest.raises(ConfigError, match=r"\[demo\] now：应为日期时间"):
        home_clock(settings)
