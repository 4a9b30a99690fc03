"""Reading a home's settings writes nothing and reads wenzheng.toml once per version."""

from __future__ import annotations

from pathlib import Path

from wenzheng.config import default_settings
from wenzheng.home import Home


def test_a_home_without_settings_reads_the_demonstration_city_and_writes_nothing(
        tmp_path: Path) -> None:
    home = Home(tmp_path / "fresh")
    settings = home.settings()
    assert settings == default_settings()
    assert settings.city == "示范市"
    assert not home.root.exists()


def test_the_file_init_writes_reads_as_the_defaults(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    assert home.init()
    assert home.settings() == default_settings()


def test_settings_are_read_once_until_the_file_changes(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    home.init()
    first = home.settings()
    assert Home(home.root).settings() is first
    assert first.deadline_policy() is first.deadline_policy()  # the calendar is built once
    text = home.config_path.read_text(encoding="utf-8")
    home.config_path.write_text(text.replace('city = "示范市"', 'city = "另一市"'),
                                encoding="utf-8")
    assert home.settings().city == "另一市"
