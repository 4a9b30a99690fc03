"""Charges: per unit, what a case cost while that unit held it, and the penalties aimed at it.

A case row keeps, in its `charges` column (JSON text), one entry per unit (a department code
or OFFICE) for the periods already closed by a later event: working days held while the
citizen waited, the part of it after the reply deadline in force, results reported late,
disputes made, supervision notices received while holding the case and those it answered
late (unheeded), referrals naming it.
The period still running (from the row's last event to a moment) is added by `as_of`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from domain.calendar import CalendarNotCovered, WorkingCalendar
from domain.vocabulary import WAITING
from projections.row import WorkingDays

KEYS = ("held", "overdue", "late", "disputes", "notices", "unheeded", "referrals")
Charges = dict[str, dict[str, float]]
# A year the calendar does not cover is counted provisionally (weekends and fixed holidays):
# the read side never stops on it; a rebuild after the arrangement is entered corrects it.
_PROVISIONAL = WorkingCalendar(allow_provisional=True)


def load(text: str | None) -> Charges:
    """The charges stored in a row ('{}' or NULL: none)."""
    return json.loads(text) if text and text != "{}" else {}


def dump(charges: Charges) -> str:
    """Stored form: compact, keys sorted, so both stores hold the same text."""
    return json.dumps(charges, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def add(charges: Charges, unit: str, **amounts: float) -> None:
    """Add amounts to a unit's entry (created with zeros)."""
    entry = charges.setdefault(unit, dict.fromkeys(KEYS, 0))
    for key, value in amounts.items():
        entry[key] = entry.get(key, 0) + value


def period(status: str, start: int, end: int, reply_due: int | None,
           calendar: WorkingDays) -> tuple[float, float]:
    """(held, overdue) working days of one holding period [start, end] in a status."""
    if status not in WAITING or end <= start:
        return 0.0, 0.0
    held = working_days(calendar, start, end)
    overdue = 0.0
    if reply_due is not None and reply_due < end:
        overdue = working_days(calendar, max(reply_due, start), end)
    return held, overdue


def working_days(calendar: WorkingDays, start: int, end: int) -> float:
    """Working days between two moments, provisional where the calendar has no data."""
    try:
        return calendar.working_days_between_micros(start, end)
    except CalendarNotCovered:
        return _PROVISIONAL.working_days_between_micros(start, end)


def as_of(stored: str | None, holder: str, status: str, since: int, moment: int,
          reply_due: int | None, calendar: WorkingDays) -> Charges:
    """The charges as of a moment: the stored ones plus the running period of the holder."""
    charges = load(stored)
    held, overdue = period(status, since, moment, reply_due, calendar)
    if held or overdue:
        add(charges, holder, held=held, overdue=overdue)
    return charges


def total(charges: Iterable[Mapping[str, Mapping[str, float]]]) -> dict[str, dict[str, float]]:
    """Per unit sums over many cases' charges."""
    out: dict[str, dict[str, float]] = {}
    for case in charges:
        for unit, entry in case.items():
            into = out.setdefault(unit, dict.fromkeys(KEYS, 0))
            for key in KEYS:
                into[key] = into[key] + entry.get(key, 0)
    return out
