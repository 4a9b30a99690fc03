"""The time-limit policy (默认时限): deadlines for claim, opinion and reply.

Each stage counts working days, except the major-case "一三一" stages, whose unit is part of
the versioned policy (default: calendar days, so a fast case is not stretched over a holiday).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.calendar import CalendarNotCovered, WorkingCalendar, business_date, end_of_day

Unit = Literal["calendar", "working"]
DEFAULT_VERSION = "2026-12-default"


class TimeLimits(BaseModel):
    """Time limits, versioned; read from `[time_limits]` in wenzheng.toml.

    `claim_days` (a claim limit for general and important cases) has no source in the
    customer's pages and is off (None) by default; the 一三一 stages carry their unit.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = DEFAULT_VERSION
    claim_days: int | None = Field(None, ge=0, le=30)
    general_days: int = Field(7, ge=1, le=60)
    important_days: int = Field(3, ge=1, le=60)
    major_claim_days: int = Field(1, ge=0, le=30)
    major_opinion_days: int = Field(3, ge=0, le=30)
    major_feedback_days: int = Field(1, ge=1, le=30)
    major_claim_unit: Unit = "calendar"
    major_opinion_unit: Unit = "calendar"
    major_feedback_unit: Unit = "calendar"
    rework_days: int | None = Field(None, ge=1, le=60)
    extension_max_days: int = Field(15, ge=0, le=60)
    supervision_response_days: int = Field(3, ge=1, le=30)

    def major_stages(self) -> tuple[tuple[int, Unit], tuple[int, Unit], tuple[int, Unit]]:
        """The 一三一 stages (claim, opinion, feedback) as (days, unit), counted in turn."""
        return ((self.major_claim_days, self.major_claim_unit),
                (self.major_opinion_days, self.major_opinion_unit),
                (self.major_feedback_days, self.major_feedback_unit))

    def reply_days(self, priority: str) -> int:
        """Days from assignment to the published reply (in the stages' units)."""
        if priority == "重大":
            return self.major_claim_days + self.major_opinion_days + self.major_feedback_days
        return self.important_days if priority == "重要" else self.general_days


# Policies this code has shipped as its default, by version: a stored deadline names one, and
# `wenzheng calendar revise` recomputes it under the same limits (only the calendar changes).
SHIPPED_LIMITS: dict[str, TimeLimits] = {
    "2025-default": TimeLimits(
        version="2025-default", claim_days=1, major_claim_unit="working",
        major_opinion_unit="working", major_feedback_unit="working"),
    DEFAULT_VERSION: TimeLimits(),
}


def limits_for(version: str, configured: TimeLimits) -> TimeLimits | None:
    """The limits that produced a stored deadline: the configured ones or a shipped default."""
    if version == configured.version:
        return configured
    return SHIPPED_LIMITS.get(version)


@dataclass(frozen=True)
class Deadlines:
    """The deadlines in force for a case, with the versions that produced them."""

    claim: datetime | None = None
    opinion: datetime | None = None
    reply: datetime | None = None
    policy: str = ""
    calendar: str = ""
    provisional: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain form stored in events (ISO 8601 strings)."""
        return {
            "claim": _iso(self.claim),
            "opinion": _iso(self.opinion),
            "reply": _iso(self.reply),
            "policy": self.policy,
            "calendar": self.calendar,
            "provisional": self.provisional,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Deadlines:
        """Read the plain form back."""
        if not data:
            return cls()
        return cls(
            claim=_parse(data.get("claim")),
            opinion=_parse(data.get("opinion")),
            reply=_parse(data.get("reply")),
            policy=str(data.get("policy", "")),
            calendar=str(data.get("calendar", "")),
            provisional=bool(data.get("provisional", False)),
        )


@dataclass(frozen=True)
class DeadlinePolicy:
    """Computes deadlines from the time limits and the working-day calendar."""

    limits: TimeLimits
    calendar: WorkingCalendar

    def _day(self, start: date, days: int, unit: Unit = "working") -> tuple[date, bool]:
        """The day `days` days (of the unit) after `start`, and whether it is provisional."""
        if unit == "calendar":
            return self.calendar.add_calendar_days(start, days)
        day, provisional = self.calendar.add_working_days(start, days)
        if provisional and not self.calendar.allow_provisional:
            raise CalendarNotCovered(day, self.calendar.covered)
        return day, provisional

    def _stamp(self, start: date, **dues: tuple[date, bool] | None) -> Deadlines:
        """Bundle computed due days with the policy and calendar versions."""
        found = [d for d in dues.values() if d is not None]
        last = max((d[0] for d in found), default=start)
        return Deadlines(
            **{k: (end_of_day(d[0]) if d is not None else None) for k, d in dues.items()},
            policy=self.limits.version,
            calendar=self.calendar.version_for(start, max(last, start)),
            provisional=any(d[1] for d in found),
        )

    def _major(self, start: date) -> tuple[tuple[date, bool], ...]:
        """The 一三一 due days (claim, opinion, reply), each stage counted from the last."""
        dues, day, provisional = [], start, False
        for days, unit in self.limits.major_stages():
            day, unsure = self._day(day, days, unit)
            provisional = provisional or unsure
            dues.append((day, provisional))
        return tuple(dues)

    def on_assign(self, priority: str, at: datetime) -> Deadlines:
        """Deadlines when a case is assigned (major cases follow the 1-3-1 procedure)."""
        lim, start = self.limits, business_date(at)
        if priority == "重大":
            claim, opinion, reply = self._major(start)
            return self._stamp(start, claim=claim, opinion=opinion, reply=reply)
        claim_due = self._day(start, lim.claim_days) if lim.claim_days is not None else None
        return self._stamp(start, claim=claim_due, opinion=None,
                           reply=self._day(start, lim.reply_days(priority)))

    def on_return(self, priority: str, at: datetime) -> Deadlines:
        """Rework restarts the clock for the reply (a major case: the 一三一 stages again)."""
        start = business_date(at)
        if self.limits.rework_days is None and priority == "重大":
            return self._stamp(start, claim=None, opinion=None, reply=self._major(start)[-1])
        days = self.limits.rework_days or self.limits.reply_days(priority)
        return self._stamp(start, claim=None, opinion=None, reply=self._day(start, days))

    def on_extend(self, current: Deadlines, working_days: int) -> Deadlines:
        """Move the reply deadline on by `working_days` working days."""
        if current.reply is None:
            raise ValueError("no reply deadline to extend")
        start = business_date(current.reply)
        day, provisional = self._day(start, working_days)
        return Deadlines(
            claim=current.claim,
            opinion=current.opinion,
            reply=end_of_day(day),
            policy=self.limits.version,
            calendar=self.calendar.version_for(start, day),
            provisional=current.provisional or provisional,
        )

    def supervision_due(self, at: datetime) -> datetime:
        """When a supervision notice must have been answered."""
        return end_of_day(self._day(business_date(at), self.limits.supervision_response_days)[0])


def _iso(value: datetime | None) -> str | None:
    """ISO 8601 text or None."""
    return value.isoformat() if value is not None else None


def _parse(value: Any) -> datetime | None:
    """Parse ISO 8601 text (or pass a datetime through)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
