"""Property: working days are charged to the holders, add up, and lateness is never erased."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.calendar import WorkingCalendar
from projections import charges as ch
from projections.fold import LATE_HOLDER, fold_stored
from projections.record import EventRecord
from projections.schema import CASE_COLUMNS
from tests.integration.test_projection_fold_property import events_of, step

CAL = WorkingCalendar()
CHARGES = CASE_COLUMNS.index("charges")


def by_case(records: list[EventRecord]) -> dict[str, list[EventRecord]]:
    """Each case's events in order."""
    out: dict[str, list[EventRecord]] = defaultdict(list)
    for rec in records:
        out[rec.case_id].append(rec)
    return out


def held_periods(events: list[EventRecord]) -> list[tuple[str, str, datetime, datetime]]:
    """(holder, status, start, end) of each period between two events, from the events alone."""
    out = []
    for rec, nxt in pairwise(events):
        out.append((str(rec.fields.get("holder", "OFFICE")), str(rec.fields.get("status")),
                    rec.at, nxt.at))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=5, max_size=45))
def test_days_charged_to_all_holders_add_up_to_the_case_s_waiting_time_and_no_more(
        steps: list[tuple[int, str | None, int, str, str, bool]]) -> None:
    for events in by_case(events_of(steps)).values():
        row = None
        late_seen = False
        for rec in events:
            row = fold_stored(row, rec, CAL)
            late_seen = late_seen or row[LATE_HOLDER] is not None
            assert (row[LATE_HOLDER] is not None) == late_seen  # once late, always late
        assert row is not None
        charges = ch.load(row[CHARGES])
        periods = held_periods(events)
        elapsed = CAL.working_days_between(events[0].at, events[-1].at) - sum(
            CAL.working_days_between(s, e) for _, status, s, e in periods
            if status not in ch.WAITING)
        assert sum(c["held"] for c in charges.values()) == pytest.approx(elapsed, abs=1e-6)
        held: dict[str, float] = defaultdict(float)
        for holder, status, s, e in periods:
            if status in ch.WAITING:
                held[holder] += CAL.working_days_between(s, e)
        for unit, c in charges.items():
            assert c["held"] == pytest.approx(held[unit], abs=1e-6)  # only what it held
            assert c["overdue"] <= c["held"] + 1e-9

