"""CaseRow: one case's facts for figures, and what the fold needs of the calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.vocabulary import OFFICE, EventType

__all__ = ["ANSWERS_SUPERVISION", "OFFICE", "SUMMARY_CHARS", "CaseRow", "ProjectionGap",
           "WorkingDays"]
SUMMARY_CHARS = 200
# Department actions (or the matter being settled) that answer a supervision notice.
ANSWERS_SUPERVISION = frozenset({
    EventType.CLAIMED, EventType.OPINION_GIVEN, EventType.REPLY_SUBMITTED, EventType.DISPUTED,
    EventType.REPLY_PUBLISHED, EventType.CLOSED})


class WorkingDays(Protocol):
    """What the fold needs of the working-day calendar."""

    def working_days_between(self, start: datetime, end: datetime) -> float:
        """Elapsed working time in working days."""
        ...

    def working_days_between_micros(self, start: int, end: int) -> float:
        """The same for moments in microseconds since the epoch."""
        ...


class ProjectionGap(RuntimeError):
    """An event arrived whose predecessor was never applied: an event was lost."""


@dataclass(frozen=True)
class CaseRow:
    """One case's current facts; every time is the business time of the event that set it."""

    case_id: str
    version: int
    at: datetime
    number: str = ""
    title: str = ""
    category: str = ""
    priority: str = ""
    source: str = ""
    region: str = ""
    status: str = ""
    holder: str = OFFICE
    lead: str | None = None
    co_departments: tuple[str, ...] = ()
    first_department: str | None = None
    first_assigned_at: datetime | None = None
    first_assigned_day: str | None = None
    assigned_at: datetime | None = None
    claim_due: datetime | None = None
    opinion_due: datetime | None = None
    reply_due: datetime | None = None
    claimed_at: datetime | None = None
    claimed_on_time: bool | None = None
    opinion_at: datetime | None = None
    first_submitted_at: datetime | None = None
    submitted_at: datetime | None = None
    published_at: datetime | None = None
    published_late: bool | None = None
    late_days: float | None = None
    late_holder: str | None = None
    overdue_holder: str | None = None
    handling_days: float | None = None
    closed_at: datetime | None = None
    archived_at: datetime | None = None
    rework_count: int = 0
    dispute_count: int = 0
    last_disputed_by: str | None = None
    extension_days: int = 0
    supervision_count: int = 0
    supervision_due: datetime | None = None
    supervision_late: int = 0
    supervision_late_due: datetime | None = None
    accountability_count: int = 0
    rating: str | None = None
    rating_default: bool | None = None
    rated_at: datetime | None = None
    rated_after_rework: bool | None = None
    dissatisfied_after_rework_at: datetime | None = None
    reply_summary: str = ""
    # The citizen's answers at the callback (issue 18): 是否解决, None when not answered.
    resolved: bool | None = None
    registered_day: str | None = None
    charges: str = "{}"
    supervision_unit: str | None = None
    supervision_late_unit: str | None = None
