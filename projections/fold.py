"""The case fold on rows in stored form: one list of SQL values per case, in column order.

This is the only implementation of the fold. Times are integer microseconds since the epoch,
flags 0/1, co-departments JSON text, exactly as `rm_cases` stores them, so the writers copy
rows to and from the database without converting each value. `projections.caserow.fold` is
the same fold seen through the CaseRow dataclass.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from enum import IntEnum, auto
from typing import Any

from domain.calendar import business_date
from domain.vocabulary import WAITING, EventType, Rating, Status
from projections import charges as ch
from projections.record import EventRecord
from projections.row import (
    ANSWERS_SUPERVISION,
    OFFICE,
    SUMMARY_CHARS,
    CaseRow,
    ProjectionGap,
    WorkingDays,
)
from projections.schema import CASE_COLUMNS, micros, row_values, to_micros

Row = list[Any]


class Col(IntEnum):
    """A stored case row's column index; each member is its column's name upper-cased."""

    @staticmethod
    def _generate_next_value_(name: str, start: int, count: int, last: list[Any]) -> int:
        return CASE_COLUMNS.index(name.lower())  # an unknown name fails here, at import

    CASE_ID = auto()
    VERSION = auto()
    AT = auto()
    NUMBER = auto()
    TITLE = auto()
    CATEGORY = auto()
    PRIORITY = auto()
    SOURCE = auto()
    REGION = auto()
    STATUS = auto()
    HOLDER = auto()
    LEAD = auto()
    CO_DEPARTMENTS = auto()
    FIRST_DEPARTMENT = auto()
    FIRST_ASSIGNED_AT = auto()
    FIRST_ASSIGNED_DAY = auto()
    ASSIGNED_AT = auto()
    CLAIM_DUE = auto()
    OPINION_DUE = auto()
    REPLY_DUE = auto()
    CLAIMED_AT = auto()
    CLAIMED_ON_TIME = auto()
    OPINION_AT = auto()
    FIRST_SUBMITTED_AT = auto()
    SUBMITTED_AT = auto()
    PUBLISHED_AT = auto()
    PUBLISHED_LATE = auto()
    LATE_DAYS = auto()
    LATE_HOLDER = auto()
    OVERDUE_HOLDER = auto()
    HANDLING_DAYS = auto()
    CLOSED_AT = auto()
    ARCHIVED_AT = auto()
    REWORK_COUNT = auto()
    DISPUTE_COUNT = auto()
    LAST_DISPUTED_BY = auto()
    EXTENSION_DAYS = auto()
    SUPERVISION_COUNT = auto()
    SUPERVISION_DUE = auto()
    SUPERVISION_LATE = auto()
    SUPERVISION_LATE_DUE = auto()
    ACCOUNTABILITY_COUNT = auto()
    RATING = auto()
    RATING_DEFAULT = auto()
    RATED_AT = auto()
    RATED_AFTER_REWORK = auto()
    DISSATISFIED_AFTER_REWORK_AT = auto()
    REPLY_SUMMARY = auto()
    RESOLVED = auto()
    REGISTERED_DAY = auto()
    CHARGES = auto()
    SUPERVISION_UNIT = auto()
    SUPERVISION_LATE_UNIT = auto()


# The hot path reads plain ints (an enum member's lookup costs several times more).
(CASE_ID, VERSION, AT, NUMBER, TITLE, CATEGORY, PRIORITY, SOURCE, REGION, STATUS, HOLDER, LEAD,
 CO_DEPARTMENTS, FIRST_DEPARTMENT, FIRST_ASSIGNED_AT, FIRST_ASSIGNED_DAY, ASSIGNED_AT, CLAIM_DUE,
 OPINION_DUE, REPLY_DUE, CLAIMED_AT, CLAIMED_ON_TIME, OPINION_AT, FIRST_SUBMITTED_AT,
 SUBMITTED_AT, PUBLISHED_AT, PUBLISHED_LATE, LATE_DAYS, LATE_HOLDER, OVERDUE_HOLDER,
 HANDLING_DAYS, CLOSED_AT, ARCHIVED_AT, REWORK_COUNT, DISPUTE_COUNT, LAST_DISPUTED_BY,
 EXTENSION_DAYS, SUPERVISION_COUNT, SUPERVISION_DUE, SUPERVISION_LATE, SUPERVISION_LATE_DUE,
 ACCOUNTABILITY_COUNT, RATING, RATING_DEFAULT, RATED_AT, RATED_AFTER_REWORK,
 DISSATISFIED_AFTER_REWORK_AT, REPLY_SUMMARY, RESOLVED, REGISTERED_DAY, CHARGES, SUPERVISION_UNIT,
 SUPERVISION_LATE_UNIT) = (int(c) for c in Col)  # in Col's order: tests/unit/test_fold.py
_EMPTY = row_values(CaseRow(case_id="", version=0, at=datetime.fromtimestamp(0).astimezone()))
_MOMENTS: dict[str, int | None] = {}
_MOMENTS_KEPT = 100_000


def moment(value: Any) -> int | None:
    """ISO text (or a datetime) as microseconds since the epoch; None and '' stay None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_micros(value)
    text = str(value)
    found = _MOMENTS.get(text)
    if found is None:
        if len(_MOMENTS) >= _MOMENTS_KEPT:
            _MOMENTS.clear()
        found = _MOMENTS[text] = to_micros(datetime.fromisoformat(text))
    return found


def fold_stored(row: Row | None, rec: EventRecord, calendar: WorkingDays) -> Row:
    """The stored row after one more event (a new list; version must follow the row's)."""
    t = micros(rec.at)
    if row is None:
        if rec.type != EventType.REGISTERED or rec.version != 1:
            raise ProjectionGap(f"case {rec.case_id}: first event is {rec.type} v{rec.version}")
        new = _EMPTY[:]
        get = rec.fields.get
        new[CASE_ID], new[VERSION], new[AT] = rec.case_id, 1, t
        new[NUMBER], new[TITLE] = str(get("number", "")), str(get("title", ""))
        new[CATEGORY], new[PRIORITY] = str(get("category", "")), str(get("priority", ""))
        new[SOURCE], new[REGION] = str(get("source", "")), str(get("region", ""))
        new[STATUS] = str(get("status", Status.REGISTERED.value))
        new[HOLDER] = str(get("holder", OFFICE))
        new[REGISTERED_DAY] = business_date(rec.at).isoformat()
        return new
    if rec.version != row[VERSION] + 1:
        raise ProjectionGap(f"case {rec.case_id}: v{rec.version} after v{row[VERSION]}")
    new = row[:]
    fields = rec.fields
    new[VERSION], new[AT] = rec.version, t
    new[STATUS] = str(fields.get("status", row[STATUS]))
    new[HOLDER] = str(fields.get("holder", row[HOLDER]))
    overdue_holder = row[OVERDUE_HOLDER]
    reply_due = row[REPLY_DUE]
    if (overdue_holder is None and reply_due is not None and row[STATUS] in WAITING
            and reply_due < t):
        overdue_holder = new[OVERDUE_HOLDER] = row[HOLDER]  # it held the case then
    _charge_period(new, row, t, calendar)
    kind = rec.type
    if kind in ANSWERS_SUPERVISION and row[SUPERVISION_DUE] is not None:
        new[SUPERVISION_DUE] = new[SUPERVISION_UNIT] = None
        if row[SUPERVISION_DUE] < t:
            new[SUPERVISION_LATE] = row[SUPERVISION_LATE] + 1
            if row[SUPERVISION_LATE_DUE] is None:
                new[SUPERVISION_LATE_DUE] = row[SUPERVISION_DUE]
                new[SUPERVISION_LATE_UNIT] = row[SUPERVISION_UNIT]
            if row[SUPERVISION_UNIT] is not None:
                _charge(new, row[SUPERVISION_UNIT], unheeded=1)
    step = _STEPS.get(kind)
    if step is not None:
        step(new, row, rec, t, overdue_holder, calendar)
        if new[REPLY_DUE] != reply_due and kind not in KEEPS_EPISODE:
            new[OVERDUE_HOLDER] = None  # a new reply deadline starts a new episode
    return new


def _charge_period(new: Row, row: Row, t: int, calendar: WorkingDays) -> None:
    """Charge the holding period the event ends to the unit that held the case during it.

    Lateness stays a fact: the first unit charged time after the reply deadline, before the
    first publication, is `late_holder` whatever later returns, extensions or reassignments do.
    """
    held, overdue = ch.period(row[STATUS], row[AT], t, row[REPLY_DUE], calendar)
    if not held and not overdue:
        return
    charges = ch.load(row[CHARGES])
    ch.add(charges, row[HOLDER], held=held, overdue=overdue)
    new[CHARGES] = ch.dump(charges)
    if overdue and row[PUBLISHED_AT] is None and row[LATE_HOLDER] is None:
        new[LATE_HOLDER] = row[HOLDER]


def _charge(new: Row, unit: str, **amounts: float) -> None:
    """Add a count (late result, dispute, notice, referral) to a unit's charges."""
    charges = ch.load(new[CHARGES])
    ch.add(charges, unit, **amounts)
    new[CHARGES] = ch.dump(charges)


def _due(rec: EventRecord, stage: str) -> int | None:
    """One deadline of the event's deadlines dict."""
    data = rec.fields.get("deadlines")
    return moment(data.get(stage)) if isinstance(data, dict) else None


def _assigned(new: Row, row: Row, rec: EventRecord, t: int, _h: str | None,
              _c: WorkingDays) -> None:
    department = rec.fields.get("department")
    new[LEAD] = department
    co = list(rec.fields.get("co_departments", ()))
    new[CO_DEPARTMENTS] = json.dumps(co, ensure_ascii=False) if co else "[]"
    new[FIRST_DEPARTMENT] = row[FIRST_DEPARTMENT] or department
    if row[FIRST_ASSIGNED_AT] is None:
        new[FIRST_ASSIGNED_AT] = t
    new[FIRST_ASSIGNED_DAY] = row[FIRST_ASSIGNED_DAY] or business_date(rec.at).isoformat()
    new[ASSIGNED_AT] = t
    new[CLAIM_DUE], new[OPINION_DUE] = _due(rec, "claim"), _due(rec, "opinion")
    new[REPLY_DUE] = _due(rec, "reply")
    new[CLAIMED_AT] = new[CLAIMED_ON_TIME] = new[OPINION_AT] = None


def _claimed(new: Row, row: Row, rec: EventRecord, t: int, _h: str | None,
             _c: WorkingDays) -> None:
    new[CLAIMED_AT] = t
    new[CLAIMED_ON_TIME] = int(row[CLAIM_DUE] is None or t <= row[CLAIM_DUE])


def _disputed(new: Row, row: Row, rec: EventRecord, _t: int, _h: str | None,
              _c: WorkingDays) -> None:
    new[DISPUTE_COUNT] = row[DISPUTE_COUNT] + 1
    new[LEAD] = None
    new[LAST_DISPUTED_BY] = rec.fields.get("department")
    _charge(new, str(rec.fields.get("department") or row[HOLDER]), disputes=1)
    new[CLAIM_DUE] = new[OPINION_DUE] = None


def _extended(new: Row, row: Row, rec: EventRecord, _t: int, _h: str | None,
              _c: WorkingDays) -> None:
    new[EXTENSION_DAYS] = row[EXTENSION_DAYS] + int(rec.fields.get("working_days", 0))
    reply = _due(rec, "reply")
    if reply is not None:
        new[REPLY_DUE] = reply


def _opinion(new: Row, _r: Row, _e: EventRecord, t: int, _h: str | None,
             _c: WorkingDays) -> None:
    new[OPINION_AT] = t


def _submitted(new: Row, row: Row, _e: EventRecord, t: int, _h: str | None,
               _c: WorkingDays) -> None:
    new[SUBMITTED_AT] = t
    if row[REPLY_DUE] is not None and row[REPLY_DUE] < t:
        _charge(new, row[HOLDER], late=1)
    if row[FIRST_SUBMITTED_AT] is None:
        new[FIRST_SUBMITTED_AT] = t


def _published(new: Row, row: Row, rec: EventRecord, t: int, _h: str | None,
               calendar: WorkingDays) -> None:
    new[REPLY_SUMMARY] = str(rec.fields.get("text", ""))[:SUMMARY_CHARS]
    if row[PUBLISHED_AT] is not None:
        return
    late = new[LATE_HOLDER] is not None
    new[PUBLISHED_AT], new[PUBLISHED_LATE] = t, int(late)
    new[LATE_DAYS] = (sum(c["overdue"] for c in ch.load(new[CHARGES]).values())
                      if late else None)
    start = row[ASSIGNED_AT]  # the lead's own assignment: earlier holders' days are theirs
    new[HANDLING_DAYS] = ch.working_days(calendar, start, t) if start is not None else None


def _returned(new: Row, row: Row, rec: EventRecord, _t: int, _h: str | None,
              _c: WorkingDays) -> None:
    new[REWORK_COUNT] = row[REWORK_COUNT] + 1
    new[REPLY_DUE] = _due(rec, "reply")
    new[CLAIM_DUE] = new[OPINION_DUE] = new[OPINION_AT] = None


def _supervised(new: Row, row: Row, rec: EventRecord, _t: int, _h: str | None,
                _c: WorkingDays) -> None:
    new[SUPERVISION_COUNT] = row[SUPERVISION_COUNT] + 1
    _charge(new, row[HOLDER], notices=1)  # aimed at the unit holding the case when issued
    if new[SUPERVISION_DUE] is None:
        new[SUPERVISION_DUE] = moment(rec.fields.get("response_due"))
        new[SUPERVISION_UNIT] = row[HOLDER]


def _rated(new: Row, row: Row, rec: EventRecord, t: int, _h: str | None,
           _c: WorkingDays) -> None:
    after = row[REWORK_COUNT] > 0
    rating = rec.fields.get("rating")
    new[RATING], new[RATING_DEFAULT] = rating, int(bool(rec.fields.get("default", False)))
    resolved = rec.fields.get("resolved")  # a later rating (the citizen's) replaces it too
    new[RESOLVED] = None if resolved is None else int(bool(resolved))
    new[RATED_AT], new[RATED_AFTER_REWORK] = t, int(after)
    if after and rating == Rating.DISSATISFIED and row[DISSATISFIED_AFTER_REWORK_AT] is None:
        new[DISSATISFIED_AFTER_REWORK_AT] = t


def _closed(new: Row, row: Row, _e: EventRecord, t: int, _h: str | None,
            _c: WorkingDays) -> None:
    if row[CLOSED_AT] is None:
        new[CLOSED_AT] = t


def _archived(new: Row, _r: Row, _e: EventRecord, t: int, _h: str | None,
              _c: WorkingDays) -> None:
    new[ARCHIVED_AT] = t


def _referred(new: Row, row: Row, rec: EventRecord, _t: int, _h: str | None,
              _c: WorkingDays) -> None:
    new[ACCOUNTABILITY_COUNT] = row[ACCOUNTABILITY_COUNT] + 1
    _charge(new, str(rec.fields.get("department") or row[LEAD] or OFFICE), referrals=1)


def _revised(new: Row, _r: Row, rec: EventRecord, _t: int, _h: str | None,
             _c: WorkingDays) -> None:
    """期限修订: the revised deadlines hold from the revision on; lateness already incurred
    (the overdue episode, late replies) stays as it was."""
    new[CLAIM_DUE], new[OPINION_DUE] = _due(rec, "claim"), _due(rec, "opinion")
    new[REPLY_DUE] = _due(rec, "reply")


Step = Callable[[Row, Row, EventRecord, int, str | None, WorkingDays], None]
# Events that move a deadline without starting a new overdue episode.
KEEPS_EPISODE = frozenset({EventType.DEADLINES_REVISED})
_STEPS: dict[str, Step] = {EventType.ASSIGNED: _assigned, EventType.CLAIMED: _claimed,
          EventType.DISPUTED: _disputed, EventType.EXTENDED: _extended,
          EventType.OPINION_GIVEN: _opinion, EventType.REPLY_SUBMITTED: _submitted,
          EventType.REPLY_PUBLISHED: _published, EventType.RETURNED: _returned,
          EventType.SUPERVISED: _supervised, EventType.RATED: _rated, EventType.CLOSED: _closed,
          EventType.ARCHIVED: _archived, EventType.REFERRED_FOR_ACCOUNTABILITY: _referred,
          EventType.DEADLINES_REVISED: _revised}
