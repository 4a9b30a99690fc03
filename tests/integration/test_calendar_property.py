"""Property: random histories running across the end of the covered calendar never stop the
read side (fold, metrics, exposure, case facts, audit), and provisional marks are honest."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.actions import parse_action
from domain.arrangement import Arrangement
from domain.calendar import BUSINESS_TZ, WorkingCalendar
from domain.policy import DeadlinePolicy, TimeLimits
from domain.service import CaseService
from projections.db import Database
from projections.follower import StoreSource
from projections.writer import CaseProjection
from scorecards.audit import audit, load_history
from scorecards.casefacts import case_facts
from scorecards.exposure import ExposureRules, exposure
from scorecards.metrics import metrics
from tests.integration.test_projection_fold_property import DEPTS, NEXT, action, step

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=BUSINESS_TZ)
ARRANGED = WorkingCalendar(arrangements=(Arrangement(
    2027, "国办发明电〔2026〕99号（测试）",
    frozenset({date(2027, 1, 1), date(2027, 1, 7), date(2027, 1, 8), date(2027, 2, 8)}),
    frozenset({date(2027, 1, 9)})),))
AS_OF = (datetime(2026, 12, 20, tzinfo=BUSINESS_TZ), datetime(2027, 3, 1, tzinfo=BUSINESS_TZ),
         datetime(2028, 6, 1, tzinfo=BUSINESS_TZ))


def run_history(steps: list[tuple[int, str | None, int, str, str, bool]],
                revise_after: int) -> CaseService:
    """Three cases driven through random steps a few days apart; the 2027 arrangement is
    entered and `revise` run after `revise_after` steps."""
    service = CaseService(DeadlinePolicy(TimeLimits(), WorkingCalendar()), DEPTS,
                          env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    at = T0
    for i in range(3):
        service.apply(parse_action({
            "case": f"P-{i}", "action": "register", "at": at.isoformat(), "by": "op",
            "source": "留言板", "title": f"诉求{i}", "content": "内容", "category": "投诉",
            "priority": ("一般", "重要", "重大")[i]}))
    for n, (case, kind, hours, dept, rating, flag) in enumerate(steps):
        at += timedelta(hours=hours * 2)
        if n == revise_after:
            service.policy = DeadlinePolicy(TimeLimits(), ARRANGED)
            service.revise_deadlines(at, "办公室")
        if kind is None:
            choices = NEXT[service.state(f"P-{case}")["status"]]
            kind = choices[n % len(choices)]
        service.apply(action(case, kind, at, dept, rating, flag))
    return service


def read_side(service: CaseService, calendar: WorkingCalendar) -> dict[datetime, Any]:
    """Every read the figures make, on an in-memory SQLite read model."""
    projection = CaseProjection(Database.sqlite(":memory:"), calendar)
    records, _ = StoreSource(service).read(0, 10_000)
    projection.apply(records, records[-1].position)
    db = projection.db
    out: dict[datetime, Any] = {}
    for as_of in AS_OF:
        out[as_of] = (metrics(db, date(2026, 12, 1), date(2028, 12, 31), as_of,
                              {d: d for d in DEPTS}, "办公室"),
                      exposure(db, as_of, ExposureRules(), calendar, {}),
                      case_facts(db, date(2026, 12, 1), date(2028, 12, 31), as_of),
                      [audit(load_history(db, r.case_id), as_of, calendar)
                       for r in projection.all_rows().values()])
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=5, max_size=50), revise_after=st.integers(0, 60))
def test_histories_across_the_end_of_the_calendar_never_stop_the_read_side(
        steps: list[tuple[int, str | None, int, str, str, bool]], revise_after: int) -> None:
    service = run_history(steps, revise_after)
    calendar = service.policy.calendar
    found = read_side(service, calendar)
    assert len(found) == len(AS_OF)
    for i in range(2):  # P-2 is major: its 一三一 stages count calendar days, never provisional
        deadlines = service.state(f"P-{i}")["deadlines"] or {}
        if not deadlines.get("reply"):
            continue
        due = datetime.fromisoformat(deadlines["reply"]).date()
        if due.year >= 2028 or (due.year == 2027 and not calendar.arrangements):
            assert deadlines["provisional"] is True, deadlines
        elif service.state(f"P-{i}")["status"] in ("assigned", "claimed", "reply_submitted") \
                and calendar.arrangements and due.year == 2027:
            assert deadlines["provisional"] is False, deadlines
