"""The fold keeps lateness a fact, even through an extension recorded after the deadline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.calendar import BUSINESS_TZ, WorkingCalendar
from projections.caserow import fold_all
from projections.record import EventRecord

CAL = WorkingCalendar()


def at(text: str) -> datetime:
    """A Beijing time 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=BUSINESS_TZ)


def history(*steps: tuple[str, str, dict[str, Any]]) -> list[EventRecord]:
    """Events of one case: (type, time, fields); holder and status as the domain sets them."""
    return [EventRecord("c", i + 1, kind, at(when), at(when), i + 1, fields)
            for i, (kind, when, fields) in enumerate(steps)]


def test_an_extension_recorded_after_the_deadline_does_not_make_a_late_case_on_time() -> None:
    row = fold_all(history(
        ("Registered", "2025-11-03 09:00", {"number": "X-1", "holder": "OFFICE",
                                            "status": "registered"}),
        ("Assigned", "2025-11-03 10:00", {"department": "GAJ", "holder": "GAJ",
                                          "status": "assigned", "deadlines": {
                                              "reply": "2025-11-12T23:59:59.999999+08:00"}}),
        ("Claimed", "2025-11-03 11:00", {"holder": "GAJ", "status": "claimed"}),
        ("Extended", "2025-11-14 23:59", {"working_days": 5, "holder": "GAJ",
                                          "status": "claimed", "deadlines": {
                                              "reply": "2025-11-21T23:59:59.999999+08:00"}}),
        ("ReplySubmitted", "2025-11-17 10:00", {"department": "GAJ", "holder": "OFFICE",
                                                "status": "reply_submitted"}),
        ("ReplyPublished", "2025-11-17 11:00", {"text": "已处理", "holder": "OFFICE",
                                                "status": "published"}),
    ), CAL)["c"]
    assert row.published_late is True and row.late_holder == "GAJ"
    assert row.late_days is not None and abs(row.late_days - 2.0) < 0.01  # 11-13, 11-14
