"""The audit view of one case, read from the history projection: holders, deadlines, delay."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from projections import charges as ch
from projections.caserow import WorkingDays
from projections.db import Database
from projections.schema import HISTORY_COLUMNS, from_micros, micros, to_micros
from projections.tables import HISTORY
from scorecards.overdue import charged_to, overdue_stage


@dataclass(frozen=True)
class AuditEvent:
    """One event as the audit shows it."""

    version: int
    type: str
    at: datetime
    by: str
    holder: str
    status: str
    deadline: datetime | None
    overdue_stage: str | None
    held_days: float
    detail: str


@dataclass(frozen=True)
class CaseAudit:
    """A case's events plus the time each holder held it while the citizen waited."""

    events: list[AuditEvent]
    as_of: datetime
    held_days: dict[str, float] = field(default_factory=dict)
    overdue_days: dict[str, float] = field(default_factory=dict)
    overdue_holder: str | None = None
    overdue_stage_now: str | None = None


def load_history(db: Database, case_id: str) -> list[dict[str, Any]]:
    """The case's history rows (its state after each event), oldest first, times as datetimes."""
    rows = db.fetchall(f"SELECT {', '.join(HISTORY_COLUMNS)} FROM {HISTORY} "
                       "WHERE case_id = ? ORDER BY version", (case_id,))
    out = []
    for values in rows:
        s = dict(zip(HISTORY_COLUMNS, values, strict=True))
        for k, v in s.items():
            if k.endswith(("_at", "_due")) or k == "at":
                s[k] = from_micros(v) if isinstance(v, int) else v
        out.append(s)
    return out


def audit(history: Sequence[dict[str, Any]], as_of: datetime,
          calendar: WorkingDays) -> CaseAudit:
    """Per event: holder, reply deadline, overdue stage at that moment; time per holder."""
    events: list[AuditEvent] = []
    held: dict[str, float] = {}
    late: dict[str, float] = {}
    previous: dict[str, Any] | None = None
    for s in history:
        if s["at"] > as_of:
            break
        end = min(s["next_at"] or as_of, as_of)
        span, _ = ch.period(s["status"], micros(s["at"]), micros(end),
                            to_micros(s["reply_due"]), calendar)
        events.append(AuditEvent(
            version=s["version"], type=s["event_type"], at=s["at"], by=s["by_op"] or "",
            holder=s["holder"], status=s["status"], deadline=s["reply_due"],
            overdue_stage=overdue_stage(previous, s["at"]) if previous else None,
            held_days=round(span, 2), detail=s["detail"] or "{}"))
        previous = s
    last = previous
    now_stage = overdue_stage(last, as_of) if last else None
    holder = None
    if last and last["published_late"]:
        holder = last["late_holder"]
    elif last and now_stage:
        holder = charged_to(last)
    if last is not None:  # the same charges the figures read: stored ones plus the open period
        charges = ch.as_of(last["charges"], last["holder"], last["status"], micros(last["at"]),
                           micros(as_of), to_micros(last["reply_due"]),
                           calendar)
        held = {k: c["held"] for k, c in charges.items() if c["held"]}
        late = {k: c["overdue"] for k, c in charges.items() if c["overdue"]}
    return CaseAudit(events, as_of, {k: round(v, 2) for k, v in held.items()},
                     {k: round(v, 2) for k, v in late.items()}, holder, now_stage)
