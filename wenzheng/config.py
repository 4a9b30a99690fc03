"""wenzheng.toml: departments, time limits and the other rules, validated with pydantic."""

from __future__ import annotations

import tomllib
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from domain.arrangement import Arrangement
from domain.calendar import WorkingCalendar
from domain.policy import DeadlinePolicy, TimeLimits
from domain.vocabulary import OFFICE
from wenzheng.democity import default_toml

CONFIG_NAME = "wenzheng.toml"


class Department(BaseModel):
    """A handling unit (承办单位) and its peer group for ranking."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    name: str = Field(min_length=1, max_length=100)
    group: str = Field("市直部门", min_length=1, max_length=50)


class ArrangementEntry(BaseModel):
    """One `[[calendar.arrangement]]`: a year's State Council holiday arrangement."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    year: int = Field(ge=2000, le=2100)
    source: str = Field(min_length=1, max_length=200)
    holidays: list[date] = Field(default_factory=list)
    workdays: list[date] = Field(default_factory=list)

    def arrangement(self) -> Arrangement:
        """The domain's arrangement."""
        return Arrangement(self.year, self.source, frozenset(self.holidays),
                           frozenset(self.workdays))

    @model_validator(mode="after")
    def _sound(self) -> ArrangementEntry:
        """Dates inside the year, no day both off and worked (weekday workdays only warn)."""
        errors = [p for p in self.arrangement().problems() if "无需列为调休上班" not in p]
        if errors:
            raise ValueError("；".join(errors))
        return self


class CalendarSettings(BaseModel):
    """The office's holiday arrangements and whether provisional deadlines may be set."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    allow_provisional: bool = True
    arrangement: list[ArrangementEntry] = Field(default_factory=list)

    @field_validator("arrangement")
    @classmethod
    def _one_per_year(cls, value: list[ArrangementEntry]) -> list[ArrangementEntry]:
        """Each year is arranged once."""
        years = [a.year for a in value]
        twice = sorted({y for y in years if years.count(y) > 1})
        if twice:
            raise ValueError(f"{'、'.join(map(str, twice))} 年的放假安排重复给出")
        return value

    def calendar(self) -> WorkingCalendar:
        """The working-day calendar with these arrangements."""
        return WorkingCalendar(allow_provisional=self.allow_provisional,
                               arrangements=tuple(a.arrangement() for a in self.arrangement))


class RatingSettings(BaseModel):
    """`[rating]`: the rating recorded when the citizen does not rate in time (默认评价)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default: Literal["满意", "基本满意"] = "满意"


class Settings(BaseModel):
    """The whole configuration; sections of later parts are kept as plain tables."""

    model_config = ConfigDict(extra="allow", frozen=True)

    city: str = "示范市"
    office_name: str = "网络问政工作协调小组办公室"
    departments: list[Department] = Field(min_length=1)
    calendar: CalendarSettings = CalendarSettings()
    time_limits: TimeLimits = TimeLimits()
    rating: RatingSettings = RatingSettings()

    @field_validator("departments")
    @classmethod
    def _unique_codes(cls, value: list[Department]) -> list[Department]:
        """Department codes must be unique."""
        seen: set[str] = set()
        for d in value:
            if d.code in seen or d.code == OFFICE:
                raise ValueError(f"单位代码 {d.code} 重复或为保留字")
            seen.add(d.code)
        return value

    def section(self, name: str) -> dict[str, Any]:
        """A table this model does not type itself (exposure, scoring, …), or {}."""
        extra = self.model_extra or {}
        value = extra.get(name, {})
        return dict(value) if isinstance(value, dict) else {}

    def department_codes(self) -> list[str]:
        """Codes of every configured department."""
        return [d.code for d in self.departments]

    def department_names(self) -> dict[str, str]:
        """Code → name, with the coordination office."""
        return {OFFICE: self.office_name, **{d.code: d.name for d in self.departments}}

    def deadline_policy(self) -> DeadlinePolicy:
        """The policy that computes deadlines from these settings (built once per settings)."""
        return self._policy

    @cached_property
    def _policy(self) -> DeadlinePolicy:
        """The policy and its working-day calendar, built on first use."""
        return DeadlinePolicy(self.time_limits, self.calendar.calendar())


class ConfigError(ValueError):
    """wenzheng.toml is missing, unreadable or invalid; the message names the field."""


def load_settings(path: Path) -> Settings:
    """Read and validate a wenzheng.toml."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"找不到配置文件 {path}；请先运行 wenzheng init") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: TOML 格式错误：{exc}") from None
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = "；".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from None


def read_settings(path: Path) -> Settings:
    """The settings in `path`, read once until the file changes; the demonstration city's when
    there is no file (nothing is written: `wenzheng init` writes it)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return default_settings()
    return _read_once(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _read_once(path: Path, mtime_ns: int, size: int) -> Settings:
    """load_settings, remembered for one version of the file."""
    return load_settings(path)


@lru_cache(maxsize=1)
def default_settings() -> Settings:
    """The demonstration city's configuration, as `wenzheng init` writes it."""
    return Settings.model_validate(tomllib.loads(default_toml()))


def write_default(path: Path) -> bool:
    """Write the demonstration city's configuration unless one exists; True if written."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(default_toml(), encoding="utf-8")
    return True
