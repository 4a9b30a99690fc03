"""The home's clock: `[demo] now` in wenzheng.toml fixes "now" for a demonstration home."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import tomlkit

from domain.calendar import BUSINESS_TZ
from wenzheng.config import ConfigError, Settings


@dataclass(frozen=True)
class HomeClock:
    """What "now" is for a home: the wall clock, or the demonstration's fixed moment."""

    now: datetime
    fixed: bool

    def note(self) -> str:
        """How the moment was chosen, in words ("" for the wall clock)."""
        if not self.fixed:
            return ""
        shown = self.now.astimezone(BUSINESS_TZ).strftime("%Y-%m-%d %H:%M:%S")
        return f"按示范数据的时钟（wenzheng.toml 的 [demo] now），截至 {shown}"


def demo_now(settings: Settings) -> datetime | None:
    """`[demo] now` as a moment (Beijing time when it has no offset), or None."""
    value = settings.section("demo").get("now")
    if value is None:
        return None
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        moment = None
    if moment is None or (isinstance(value, date) and not isinstance(value, datetime)):
        raise ConfigError(f"[demo] now：应为日期时间，例如 2026-01-31T23:59:59+08:00，"
                          f"而不是 {value!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=BUSINESS_TZ)


def home_clock(settings: Settings) -> HomeClock:
    """The home's "now": `[demo] now` when set, else the wall clock (Beijing time)."""
    fixed = demo_now(settings)
    if fixed is not None:
        return HomeClock(fixed.astimezone(BUSINESS_TZ), True)
    return HomeClock(datetime.now(BUSINESS_TZ), False)


def default_moment(settings: Settings) -> datetime:
    """A command's default --as-of: the home's now; says so on stderr when it is the demo's."""
    clock = home_clock(settings)
    if clock.fixed:
        print(clock.note(), file=sys.stderr)
    return clock.now


def write_demo_now(config: Path, moment: datetime) -> bool:
    """Set `[demo] now` in wenzheng.toml (keeping the rest as written); True if it changed."""
    text = config.read_text(encoding="utf-8")
    document = tomlkit.parse(text)
    value = moment.astimezone(BUSINESS_TZ).replace(microsecond=0)
    table = document.get("demo")
    if table is None:
        table = tomlkit.table()
        document["demo"] = table
    if table.get("now") == value:
        return False
    table["now"] = value
    config.write_text(tomlkit.dumps(document), encoding="utf-8")
    return True
