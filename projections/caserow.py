"""The case read model: a pure fold of a case's events into one row of facts for figures.

`fold` works on CaseRow values; it is `projections.fold.fold_stored` (the one implementation,
on rows in stored form) seen through the dataclass. Times in a folded CaseRow are UTC.
"""

from __future__ import annotations

from collections.abc import Iterable

from projections.fold import Row, fold_stored
from projections.record import EventRecord
from projections.row import (
    ANSWERS_SUPERVISION,
    OFFICE,
    SUMMARY_CHARS,
    CaseRow,
    ProjectionGap,
    WorkingDays,
)
from projections.schema import row_from_values, row_values

__all__ = ["ANSWERS_SUPERVISION", "OFFICE", "SUMMARY_CHARS", "CaseRow", "ProjectionGap",
           "WorkingDays", "fold", "fold_all"]


def fold(row: CaseRow | None, rec: EventRecord, calendar: WorkingDays) -> CaseRow:
    """The case row after one more event (version must follow the row's)."""
    return row_from_values(tuple(fold_stored(
        None if row is None else row_values(row), rec, calendar)))


def fold_all(records: Iterable[EventRecord], calendar: WorkingDays) -> dict[str, CaseRow]:
    """A from-scratch fold of events in order: case id -> row."""
    rows: dict[str, Row] = {}
    for rec in records:
        rows[rec.case_id] = fold_stored(rows.get(rec.case_id), rec, calendar)
    return {case: row_from_values(tuple(row)) for case, row in rows.items()}
