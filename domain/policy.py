"""The time-limit policy (默认时限): deadlines for claim, opinion and reply, in working days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.calendar import WorkingCalendar, business_date, end_of_day

Priority = Literal["一般", "重要", "重大"]
PRIORITIES: tuple[str, ...] = ("一般", "重要", "重大")


class TimeLimits(BaseModel):
    """Time limits in working days, versioned; read from `[time_limits]` in wenzheng.toml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = "2025-default"
    claim_days: int = Field(1, ge=0, le=30)
    general_days: int = Field(7, ge=1, le=60)
    important_days: int = Field(3, ge=1, le=60)
    major_claim_days: int = Field(1, ge=0, le=30)
    major_opinion_days: int = Field(3, ge=0, le=30)
    major_feedback_days: int = Field(1, ge=1, le=30)
    rework_days: int | None = Field(None, ge=1, le=60)
    extension_max_days: int = Field(15, ge=0, le=60)
    supervision_response_days: int = Field(3, ge=1, le=30)

    def reply_days(self, priority: str) -> int:
        """Working days from assignment to the published reply."""
        if priority == "重大":
            return self.major_claim_days + self.major_opinion_days + self.major_feedback_days
        return self.important_days if priority == "重要" else self.general_days


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

    def _due(self, start: datetime, days: int) -> tuple[datetime, bool]:
        """End of the working day `days` working days after the start's business date."""
        day, provisional = self.calendar.add_working_days(business_date(start), days)
        return end_of_day(day), provisional

    def _stamp(self, **dues: tuple[datetime, bool] | None) -> Deadlines:
        """Bundle computed dues with the policy and calendar versions."""
        provisional = any(d[1] for d in dues.values() if d is not None)
        values = {k: (d[0] if d is not None else None) for k, d in dues.items()}
        return Deadlines(
            **values,
            policy=self.limits.version,
            calendar=self.calendar.version,
            provisional=provisional,
        )

    def on_assign(self, priority: str, at: datetime) -> Deadlines:
        """Deadlines when a case is assigned (major cases follow the 1-3-1 procedure)."""
        lim = self.limits
        if priority == "重大":
            return self._stamp(
                claim=self._due(at, lim.major_claim_days),
                opinion=self._due(at, lim.major_claim_days + lim.major_opinion_days),
                reply=self._due(at, lim.reply_days(priority)),
            )
        return self._stamp(
            claim=self._due(at, lim.claim_days),
            opinion=None,
            reply=self._due(at, lim.reply_days(priority)),
        )

    def on_return(self, priority: str, at: datetime) -> Deadlines:
        """Rework restarts the clock for the reply."""
        days = self.limits.rework_days or self.limits.reply_days(priority)
        return self._stamp(claim=None, opinion=None, reply=self._due(at, days))

    def on_extend(self, current: Deadlines, working_days: int) -> Deadlines:
        """Move the reply deadline on by `working_days` working days."""
        if current.reply is None:
            raise ValueError("no reply deadline to extend")
        day, provisional = self.calendar.add_working_days(
            business_date(current.reply), working_days
        )
        return Deadlines(
            claim=current.claim,
            opinion=current.opinion,
            reply=end_of_day(day),
            policy=self.limits.version,
            calendar=self.calendar.version,
            provisional=current.provisional or provisional,
        )

    def supervision_due(self, at: datetime) -> datetime:
        """When a supervision notice must have been answered."""
        return self._due(at, self.limits.supervision_response_days)[0]


def _iso(value: datetime | None) -> str | None:
    """ISO 8601 text or None."""
    return value.isoformat() if value is not None else None


def _parse(value: Any) -> datetime | None:
    """Parse ISO 8601 text (or pass a datetime through)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
