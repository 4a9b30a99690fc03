"""`calendar revise` on the in-memory store: provisional deadlines revised once, by events."""

from __future__ import annotations

from datetime import date

from domain.arrangement import Arrangement
from domain.calendar import WorkingCalendar
from domain.policy import DeadlinePolicy, TimeLimits
from domain.service import APPLIED, SKIPPED, CaseService
from tests.unit.conftest import ServiceClock, bj, eod, new_service

# A made-up 2027 arrangement that differs from the provisional rule in January.
ARRANGEMENT = Arrangement(
    2027, "国办发明电〔2026〕99号（测试）",
    frozenset({date(2027, 1, 1), date(2027, 1, 7), date(2027, 1, 8)}),
    frozenset({date(2027, 1, 9)}))
CURRENT = DeadlinePolicy(TimeLimits(), WorkingCalendar())
ARRANGED = DeadlinePolicy(TimeLimits(), WorkingCalendar(arrangements=(ARRANGEMENT,)))


def december_case(service: CaseService, number: str = "S-1") -> ServiceClock:
    """A general case assigned 2026-12-30 10:00."""
    clock = ServiceClock(service, number, start=bj(2026, 12, 30, 9))
    clock.apply("register")
    assert clock.apply("assign", at=bj(2026, 12, 30, 10)).status == APPLIED
    return clock


def test_a_general_case_assigned_on_2026_12_30_gets_a_provisional_deadline() -> None:
    service = new_service(CURRENT)
    december_case(service)
    deadlines = service.state("S-1")["deadlines"]
    assert deadlines["provisional"] is True
    assert deadlines["reply"] == eod(date(2027, 1, 11)).isoformat()


def test_revise_records_one_revision_following_the_arrangement() -> None:
    service = new_service(CURRENT)
    december_case(service)
    service.policy = ARRANGED
    outcomes = service.revise_deadlines(bj(2026, 12, 31, 9), "办公室")
    assert [(o.status, o.case) for o in outcomes] == [(APPLIED, "S-1")]
    event = service.history("S-1")[-1]
    assert event["type"] == "DeadlinesRevised"
    assert event["old"]["reply"] == eod(date(2027, 1, 11)).isoformat()
    assert event["new"]["reply"] == eod(date(2027, 1, 12)).isoformat()
    assert event["new"]["provisional"] is False and event["old"]["provisional"] is True
    assert event["arrangements"] == [{"year": 2027, "version": ARRANGEMENT.version,
                                      "source": ARRANGEMENT.source}]
    assert ARRANGEMENT.version in event["calendar"]
    assert service.state("S-1")["deadlines"]["reply"] == eod(date(2027, 1, 12)).isoformat()


def test_revising_twice_records_nothing_new() -> None:
    service = new_service(CURRENT)
    december_case(service)
    service.policy = ARRANGED
    service.revise_deadlines(bj(2026, 12, 31, 9), "办公室")
    before = len(service.history("S-1"))
    assert service.revise_deadlines(bj(2026, 12, 31, 10), "办公室") == []
    assert len(service.history("S-1")) == before


def test_deadlines_inside_the_library_years_are_left_alone() -> None:
    service = new_service(CURRENT)
    clock = ServiceClock(service, "S-2", start=bj(2025, 9, 30, 9))
    clock.apply("register")
    clock.apply("assign", at=bj(2025, 9, 30, 10))
    service.policy = ARRANGED
    assert service.revise_deadlines(bj(2026, 12, 31, 9), "办公室") == []


def test_a_published_case_is_not_revised() -> None:
    service = new_service(CURRENT)
    clock = december_case(service)
    clock.apply("claim", department="D1")
    clock.apply("submit_reply", department="D1")
    clock.apply("publish_reply")
    service.policy = ARRANGED
    assert service.revise_deadlines(bj(2026, 12, 31, 9), "办公室") == []


def test_a_deadline_from_an_unknown_policy_version_is_skipped_with_a_reason() -> None:
    service = new_service(DeadlinePolicy(TimeLimits(version="本地-2026"), WorkingCalendar()))
    december_case(service)
    service.policy = ARRANGED
    (outcome,) = service.revise_deadlines(bj(2026, 12, 31, 9), "办公室")
    assert outcome.status == SKIPPED and "本地-2026" in outcome.reason


def test_a_revision_before_the_last_event_is_dated_at_that_event() -> None:
    service = new_service(CURRENT)
    december_case(service)
    service.policy = ARRANGED
    service.revise_deadlines(bj(2026, 12, 1, 9), "办公室")
    assert service.history("S-1")[-1]["at"] == bj(2026, 12, 30, 10)
