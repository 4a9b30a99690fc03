"""The case fold: pure, event by event, no I/O."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from domain.calendar import BUSINESS_TZ, WorkingCalendar
from projections.caserow import OFFICE, ProjectionGap, fold, fold_all
from projections.record import EventRecord

CAL = WorkingCalendar()
T0 = datetime(2025, 11, 3, 9, 0, tzinfo=BUSINESS_TZ)  # a Monday
DUE: dict[str, Any] = {"claim": "2025-11-04T23:59:59.999999+08:00", "opinion": None,
       "reply": "2025-11-12T23:59:59.999999+08:00"}


def ev(version: int, kind: str, at: datetime, **fields: Any) -> EventRecord:
    """An event of case C1."""
    return EventRecord("C1", version, kind, at, at, version, fields)


def life(*tail: tuple[str, datetime, dict[str, Any]]) -> list[EventRecord]:
    """Register and assign to CGJ, then the given events."""
    events = [
        ev(1, "Registered", T0, number="N1", title="噪音", priority="一般", holder=OFFICE,
           status="registered"),
        ev(2, "Assigned", T0 + timedelta(hours=1), department="CGJ", holder="CGJ",
           status="assigned", deadlines=DUE),
    ]
    for i, (kind, at, fields) in enumerate(tail, start=3):
        events.append(ev(i, kind, at, **fields))
    return events


def test_registration_starts_a_row_held_by_the_office() -> None:
    row = fold(None, ev(1, "Registered", T0, number="N1", title="t", holder=OFFICE), CAL)
    assert (row.number, row.holder, row.version, row.first_assigned_at) == ("N1", OFFICE, 1, None)


def test_a_version_gap_raises_instead_of_losing_an_event() -> None:
    row = fold(None, life()[0], CAL)
    with pytest.raises(ProjectionGap):
        fold(row, ev(3, "Claimed", T0, holder="CGJ"), CAL)


def test_assignment_sets_the_period_day_and_deadlines() -> None:
    row = fold_all(life(), CAL)["C1"]
    assert row.first_assigned_day == "2025-11-03"
    assert row.lead == "CGJ" and row.reply_due == datetime.fromisoformat(DUE["reply"])


def test_late_publication_after_a_timely_submission_is_charged_to_the_office() -> None:
    row = fold_all(life(
        ("Claimed", T0 + timedelta(hours=2), {"holder": "CGJ", "status": "claimed"}),
        ("ReplySubmitted", T0 + timedelta(days=8), {"holder": OFFICE,
                                                     "status": "reply_submitted"}),
        ("ReplyPublished", T0 + timedelta(days=11), {"holder": OFFICE, "status": "published",
                                                      "text": "答复"}),
    ), CAL)["C1"]
    assert row.published_late is True and row.late_holder == OFFICE
    assert row.late_days is not None and row.late_days > 0


def test_late_submission_is_charged_to_the_department() -> None:
    row = fold_all(life(
        ("Claimed", T0 + timedelta(hours=2), {"holder": "CGJ", "status": "claimed"}),
        ("ReplySubmitted", T0 + timedelta(days=12), {"holder": OFFICE,
                                                      "status": "reply_submitted"}),
        ("ReplyPublished", T0 + timedelta(days=12, hours=1), {"holder": OFFICE,
                                                               "status": "published"}),
    ), CAL)["C1"]
    assert row.published_late is True and row.late_holder == "CGJ"


def test_a_dispute_clears_the_lead_and_counts_against_the_disputing_department() -> None:
    row = fold_all(life(
        ("Disputed", T0 + timedelta(hours=3), {"holder": OFFICE, "status": "disputed",
                                                "department": "CGJ", "deadlines": {}}),
    ), CAL)["C1"]
    assert (row.lead, row.dispute_count, row.last_disputed_by) == (None, 1, "CGJ")


def test_dissatisfaction_after_rework_is_recorded_with_its_time() -> None:
    t = T0 + timedelta(days=1)
    row = fold_all(life(
        ("Claimed", t, {"holder": "CGJ", "status": "claimed"}),
        ("ReplySubmitted", t, {"holder": OFFICE, "status": "reply_submitted"}),
        ("Returned", t, {"holder": "CGJ", "status": "claimed", "deadlines": DUE}),
        ("ReplySubmitted", t, {"holder": OFFICE, "status": "reply_submitted"}),
        ("ReplyPublished", t, {"holder": OFFICE, "status": "published"}),
        ("Rated", t, {"rating": "不满意", "default": False, "holder": OFFICE}),
    ), CAL)["C1"]
    assert row.rework_count == 1 and row.dissatisfied_after_rework_at == t
    assert row.rating_default is False


def test_a_supervision_notice_answered_after_its_limit_counts_as_late() -> None:
    due = "2025-11-06T23:59:59.999999+08:00"
    row = fold_all(life(
        ("Supervised", T0 + timedelta(days=1), {"response_due": due, "holder": "CGJ"}),
        ("Claimed", T0 + timedelta(days=5), {"holder": "CGJ", "status": "claimed"}),
    ), CAL)["C1"]
    assert row.supervision_count == 1 and row.supervision_late == 1
    assert row.supervision_due is None


def test_event_records_round_trip_through_their_json_form() -> None:
    record = life()[1]
    assert EventRecord.from_dict(record.to_dict()) == record
