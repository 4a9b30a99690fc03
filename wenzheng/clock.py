"""The clock, read at the command-line edge: the latest time an action may carry, moments given."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from domain.calendar import BUSINESS_TZ
from wenzheng.config import ConfigError, Settings

SECTION, KEY = "actions", "future_tolerance_minutes"
DEFAULT_TOLERANCE_MINUTES = 10
MAX_TOLERANCE_MINUTES = 366 * 24 * 60  # a year: trials and rehearsals date actions ahead


def tolerance(settings: Settings) -> timedelta:
    """How far after the clock an action may be dated ([actions] future_tolerance_minutes)."""
    value = settings.section(SECTION).get(KEY, DEFAULT_TOLERANCE_MINUTES)
    if isinstance(value, bool) or not isinstance(value, int) \
            or not 0 <= value <= MAX_TOLERANCE_MINUTES:
        raise ConfigError(f"[{SECTION}] {KEY} 应为 0 到 {MAX_TOLERANCE_MINUTES} 之间的整数"
                          f"（分钟），现为 {value!r}")
    return timedelta(minutes=value)


def latest_allowed(settings: Settings, now: datetime | None = None) -> datetime:
    """The clock (now, UTC) plus the tolerance."""
    return (now or datetime.now(UTC)) + tolerance(settings)


def parse_moment(text: str) -> datetime:
    """A moment argument; a bare date means the end of that day, Beijing time."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.max.time(), BUSINESS_TZ)
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"时间 {text!r} 应为 ISO 8601，如 2025-12-31 或 "
                         "2025-12-31T23:59:59+08:00") from None
    return value if value.tzinfo else value.replace(tzinfo=BUSINESS_TZ)
