"""The case read model: a pure fold of a case's events into one row of facts for figures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from domain.calendar import business_date
from projections.record import EventRecord

OFFICE = "OFFICE"
SUMMARY_CHARS = 200
# Department actions (or the matter being settled) that answer a supervision notice.
ANSWERS_SUPERVISION = frozenset(
    {"Claimed", "OpinionGiven", "ReplySubmitted", "Disputed", "ReplyPublished", "Closed"}
)


class WorkingDays(Protocol):
    """What the fold needs of the working-day calendar."""

    def working_days_between(self, start: datetime, end: datetime) -> float:
        """Elapsed working time in working days."""
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


def fold(row: CaseRow | None, rec: EventRecord, calendar: WorkingDays) -> CaseRow:
    """The case row after one more event (version must follow the row's)."""
    if row is None:
        if rec.type != "Registered" or rec.version != 1:
            raise ProjectionGap(f"case {rec.case_id}: first event is {rec.type} v{rec.version}")
        return CaseRow(
            case_id=rec.case_id, version=1, at=rec.at, number=str(rec.get("number", "")),
            title=str(rec.get("title", "")), category=str(rec.get("category", "")),
            priority=str(rec.get("priority", "")), source=str(rec.get("source", "")),
            region=str(rec.get("region", "")), status=str(rec.get("status", "registered")),
            holder=str(rec.get("holder", OFFICE)),
        )
    if rec.version != row.version + 1:
        raise ProjectionGap(f"case {rec.case_id}: v{rec.version} after v{row.version}")
    t = rec.at
    changes: dict[str, Any] = {"version": rec.version, "at": t,
                               "status": str(rec.get("status", row.status)),
                               "holder": str(rec.get("holder", row.holder))}
    overdue_holder = row.overdue_holder
    if (overdue_holder is None and row.reply_due is not None and row.published_at is None
            and row.reply_due < t):
        overdue_holder = row.holder  # it held the case the moment the reply went overdue
    changes["overdue_holder"] = overdue_holder
    due = _deadlines(rec.get("deadlines"))
    if rec.type in ANSWERS_SUPERVISION and row.supervision_due is not None:
        changes["supervision_due"] = None
        if row.supervision_due < t:
            changes["supervision_late"] = row.supervision_late + 1
            changes["supervision_late_due"] = row.supervision_late_due or row.supervision_due
    changes.update(_changes(row, rec, due, overdue_holder, calendar))
    if "reply_due" in changes and changes["reply_due"] != row.reply_due:
        changes["overdue_holder"] = None  # a new reply deadline starts a new episode
    return replace(row, **changes)


def _changes(row: CaseRow, rec: EventRecord, due: dict[str, datetime | None],
             overdue_holder: str | None, calendar: WorkingDays) -> dict[str, Any]:
    """The type-specific part of the fold."""
    t, kind = rec.at, rec.type
    if kind == "Assigned":
        return {
            "lead": rec.get("department"), "co_departments": tuple(rec.get("co_departments", ())),
            "first_department": row.first_department or rec.get("department"),
            "first_assigned_at": row.first_assigned_at or t,
            "first_assigned_day": row.first_assigned_day or business_date(t).isoformat(),
            "assigned_at": t, "claim_due": due["claim"], "opinion_due": due["opinion"],
            "reply_due": due["reply"], "claimed_at": None, "claimed_on_time": None,
            "opinion_at": None,
        }
    if kind == "Claimed":
        return {"claimed_at": t, "claimed_on_time": row.claim_due is None or t <= row.claim_due}
    if kind == "Disputed":
        return {"dispute_count": row.dispute_count + 1, "lead": None,
                "last_disputed_by": rec.get("department"), "claim_due": None,
                "opinion_due": None}
    if kind == "Extended":
        return {"extension_days": row.extension_days + int(rec.get("working_days", 0)),
                "reply_due": due["reply"] or row.reply_due}
    if kind == "OpinionGiven":
        return {"opinion_at": t}
    if kind == "ReplySubmitted":
        return {"submitted_at": t, "first_submitted_at": row.first_submitted_at or t}
    if kind == "ReplyPublished":
        out: dict[str, Any] = {"reply_summary": str(rec.get("text", ""))[:SUMMARY_CHARS]}
        if row.published_at is None:
            late = row.reply_due is not None and t > row.reply_due
            out.update(published_at=t, published_late=late,
                       late_days=calendar.working_days_between(row.reply_due, t)
                       if late and row.reply_due else None,
                       late_holder=(overdue_holder or row.holder) if late else None,
                       handling_days=calendar.working_days_between(row.first_assigned_at, t)
                       if row.first_assigned_at else None)
        return out
    if kind == "Returned":
        return {"rework_count": row.rework_count + 1, "reply_due": due["reply"],
                "claim_due": None, "opinion_due": None, "opinion_at": None}
    if kind == "Supervised":
        response = _moment(rec.get("response_due"))
        return {"supervision_count": row.supervision_count + 1,
                "supervision_due": row.supervision_due or response}
    if kind == "Rated":
        after = row.rework_count > 0
        out = {"rating": rec.get("rating"), "rating_default": bool(rec.get("default", False)),
               "rated_at": t, "rated_after_rework": after}
        if after and rec.get("rating") == "不满意" and row.dissatisfied_after_rework_at is None:
            out["dissatisfied_after_rework_at"] = t
        return out
    if kind == "Closed":
        return {"closed_at": row.closed_at or t}
    if kind == "Archived":
        return {"archived_at": t}
    if kind == "ReferredForAccountability":
        return {"accountability_count": row.accountability_count + 1}
    return {}


def fold_all(records: Iterable[EventRecord], calendar: WorkingDays) -> dict[str, CaseRow]:
    """A from-scratch fold of events in order: case id -> row."""
    rows: dict[str, CaseRow] = {}
    for rec in records:
        rows[rec.case_id] = fold(rows.get(rec.case_id), rec, calendar)
    return rows


def _deadlines(data: Any) -> dict[str, datetime | None]:
    """claim/opinion/reply deadlines from an event's deadlines dict."""
    data = data if isinstance(data, dict) else {}
    return {k: _moment(data.get(k)) for k in ("claim", "opinion", "reply")}


def _moment(value: Any) -> datetime | None:
    """ISO text to datetime; None stays None."""
    if value is None or value == "":
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
