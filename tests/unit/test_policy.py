"""Deadline rules across the 2025 and 2026 Spring Festival and National Day holidays.

Expected dates are counted by hand from the State Council notices (see conftest):
the start's Beijing date is not counted, each later working day counts one, make-up
weekend days count, and a deadline is the end of its last working day in Beijing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from domain.calendar import CalendarNotCovered, WorkingCalendar
from domain.policy import SHIPPED_LIMITS, DeadlinePolicy, Deadlines, TimeLimits
from tests.unit.conftest import POLICY, bj, eod, official_is_working

# The 2025 default (working days throughout, a 1-day claim limit): the table below is its
# answer, and a deadline it stored must never move.
LEGACY = DeadlinePolicy(SHIPPED_LIMITS["2025-default"], WorkingCalendar(allow_provisional=False))
CURRENT = DeadlinePolicy(TimeLimits(), WorkingCalendar())

D = date

# (what, assigned at, priority, claim due, opinion due, reply due)
ASSIGN_CASES: list[tuple[str, str, str, date, date | None, date]] = [
    # 2025 National Day + Mid-Autumn: 10-01..10-08 off; 09-28 (Sun) and 10-11 (Sat) worked.
    ("general before national day 2025", "2025-09-30T10:00:00+08:00", "一般",
     D(2025, 10, 9), None, D(2025, 10, 16)),
    ("important before national day 2025", "2025-09-30T10:00:00+08:00", "重要",
     D(2025, 10, 9), None, D(2025, 10, 11)),
    ("major before national day 2025", "2025-09-30T10:00:00+08:00", "重大",
     D(2025, 10, 9), D(2025, 10, 13), D(2025, 10, 14)),
    ("general on a friday before the make-up sunday", "2025-09-26T10:00:00+08:00", "一般",
     D(2025, 9, 28), None, D(2025, 10, 13)),
    ("important on a friday before the make-up sunday", "2025-09-26T10:00:00+08:00", "重要",
     D(2025, 9, 28), None, D(2025, 9, 30)),
    ("major on a friday before the make-up sunday", "2025-09-26T10:00:00+08:00", "重大",
     D(2025, 9, 28), D(2025, 10, 9), D(2025, 10, 10)),
    ("general on the make-up sunday 2025-09-28", "2025-09-28T10:00:00+08:00", "一般",
     D(2025, 9, 29), None, D(2025, 10, 14)),
    ("important on the make-up sunday 2025-09-28", "2025-09-28T10:00:00+08:00", "重要",
     D(2025, 9, 29), None, D(2025, 10, 9)),
    ("major ends on the make-up saturday 2025-10-11", "2025-09-28T10:00:00+08:00", "重大",
     D(2025, 9, 29), D(2025, 10, 10), D(2025, 10, 11)),
    ("general on the holiday 2025-10-03", "2025-10-03T10:00:00+08:00", "一般",
     D(2025, 10, 9), None, D(2025, 10, 16)),
    ("major on the holiday 2025-10-03", "2025-10-03T10:00:00+08:00", "重大",
     D(2025, 10, 9), D(2025, 10, 13), D(2025, 10, 14)),
    ("general on the make-up saturday 2025-10-11", "2025-10-11T10:00:00+08:00", "一般",
     D(2025, 10, 13), None, D(2025, 10, 21)),
    ("important on a plain sunday 2025-10-12", "2025-10-12T10:00:00+08:00", "重要",
     D(2025, 10, 13), None, D(2025, 10, 15)),
    ("major on a plain saturday 2025-10-18", "2025-10-18T10:00:00+08:00", "重大",
     D(2025, 10, 20), D(2025, 10, 23), D(2025, 10, 24)),
    ("general on a plain saturday 2025-10-18", "2025-10-18T10:00:00+08:00", "一般",
     D(2025, 10, 20), None, D(2025, 10, 28)),
    # Late at night and other offsets: the Beijing business date decides.
    ("general late at night in beijing", "2025-10-09T23:30:00+08:00", "一般",
     D(2025, 10, 10), None, D(2025, 10, 17)),
    ("general late at night in new york is next morning in beijing",
     "2025-10-09T23:30:00-04:00", "一般", D(2025, 10, 11), None, D(2025, 10, 20)),
    ("general given in utc after beijing midnight", "2025-10-09T16:30:00+00:00", "一般",
     D(2025, 10, 11), None, D(2025, 10, 20)),
    ("general 2025-09-29 evening in new york is 09-30 in beijing",
     "2025-09-29T20:00:00-04:00", "一般", D(2025, 10, 9), None, D(2025, 10, 16)),
    ("general 2025-09-30 evening in new york is the holiday 10-01 in beijing",
     "2025-09-30T20:00:00-04:00", "一般", D(2025, 10, 9), None, D(2025, 10, 16)),
    ("general 2025-09-29 in beijing", "2025-09-29T20:00:00+08:00", "一般",
     D(2025, 9, 30), None, D(2025, 10, 15)),
    # 2025 Spring Festival: 01-28..02-04 off; 01-26 (Sun) and 02-08 (Sat) worked.
    ("general before spring festival 2025", "2025-01-24T10:00:00+08:00", "一般",
     D(2025, 1, 26), None, D(2025, 2, 10)),
    ("important before spring festival 2025", "2025-01-24T10:00:00+08:00", "重要",
     D(2025, 1, 26), None, D(2025, 2, 5)),
    ("major before spring festival 2025", "2025-01-24T10:00:00+08:00", "重大",
     D(2025, 1, 26), D(2025, 2, 6), D(2025, 2, 7)),
    ("general on the holiday 2025-01-30", "2025-01-30T10:00:00+08:00", "一般",
     D(2025, 2, 5), None, D(2025, 2, 12)),
    ("important on the holiday 2025-01-30", "2025-01-30T10:00:00+08:00", "重要",
     D(2025, 2, 5), None, D(2025, 2, 7)),
    ("major on the holiday 2025-01-30 ends on make-up 02-08", "2025-01-30T10:00:00+08:00",
     "重大", D(2025, 2, 5), D(2025, 2, 8), D(2025, 2, 10)),
    ("general on the make-up sunday 2025-01-26", "2025-01-26T10:00:00+08:00", "一般",
     D(2025, 1, 27), None, D(2025, 2, 11)),
    ("major on the make-up sunday 2025-01-26", "2025-01-26T10:00:00+08:00", "重大",
     D(2025, 1, 27), D(2025, 2, 7), D(2025, 2, 8)),
    # 2026 Spring Festival: 02-15..02-23 off; 02-14 (Sat) and 02-28 (Sat) worked.
    ("general before spring festival 2026", "2026-02-13T10:00:00+08:00", "一般",
     D(2026, 2, 14), None, D(2026, 3, 2)),
    ("important before spring festival 2026", "2026-02-13T10:00:00+08:00", "重要",
     D(2026, 2, 14), None, D(2026, 2, 25)),
    ("major before spring festival 2026", "2026-02-13T10:00:00+08:00", "重大",
     D(2026, 2, 14), D(2026, 2, 26), D(2026, 2, 27)),
    ("general late on 2026-02-13 in beijing", "2026-02-13T23:30:00+08:00", "一般",
     D(2026, 2, 14), None, D(2026, 3, 2)),
    ("general late on 2026-02-13 in new york is the make-up saturday",
     "2026-02-13T23:30:00-04:00", "一般", D(2026, 2, 24), None, D(2026, 3, 3)),
    ("general on the make-up saturday 2026-02-14", "2026-02-14T15:00:00+08:00", "一般",
     D(2026, 2, 24), None, D(2026, 3, 3)),
    ("important on the make-up saturday 2026-02-14", "2026-02-14T15:00:00+08:00", "重要",
     D(2026, 2, 24), None, D(2026, 2, 26)),
    ("major on the make-up saturday 2026-02-14 ends on make-up 02-28",
     "2026-02-14T15:00:00+08:00", "重大", D(2026, 2, 24), D(2026, 2, 27), D(2026, 2, 28)),
    ("major on the holiday 2026-02-18", "2026-02-18T10:00:00+08:00", "重大",
     D(2026, 2, 24), D(2026, 2, 27), D(2026, 2, 28)),
    # 2026 Mid-Autumn 09-25 and National Day 10-01..10-07; 09-20 (Sun), 10-10 (Sat) worked.
    ("general before national day 2026", "2026-09-30T10:00:00+08:00", "一般",
     D(2026, 10, 8), None, D(2026, 10, 15)),
    ("important before national day 2026 ends on make-up 10-10",
     "2026-09-30T10:00:00+08:00", "重要", D(2026, 10, 8), None, D(2026, 10, 10)),
    ("major before national day 2026", "2026-09-30T10:00:00+08:00", "重大",
     D(2026, 10, 8), D(2026, 10, 12), D(2026, 10, 13)),
    ("general on a friday before the make-up sunday 2026-09-20",
     "2026-09-18T10:00:00+08:00", "一般", D(2026, 9, 20), None, D(2026, 9, 29)),
    ("major on a friday before the make-up sunday 2026-09-20",
     "2026-09-18T10:00:00+08:00", "重大", D(2026, 9, 20), D(2026, 9, 23), D(2026, 9, 24)),
    ("general on the make-up sunday 2026-09-20", "2026-09-20T09:00:00+08:00", "一般",
     D(2026, 9, 21), None, D(2026, 9, 30)),
    ("major on the make-up sunday 2026-09-20 skips mid-autumn", "2026-09-20T09:00:00+08:00",
     "重大", D(2026, 9, 21), D(2026, 9, 24), D(2026, 9, 28)),
    ("general on the holiday 2026-10-03", "2026-10-03T10:00:00+08:00", "一般",
     D(2026, 10, 8), None, D(2026, 10, 15)),
    ("important on a plain sunday 2026-10-11", "2026-10-11T10:00:00+08:00", "重要",
     D(2026, 10, 12), None, D(2026, 10, 14)),
    ("major on a plain sunday 2026-10-11", "2026-10-11T10:00:00+08:00", "重大",
     D(2026, 10, 12), D(2026, 10, 15), D(2026, 10, 16)),
    ("general on a plain sunday 2026-10-11", "2026-10-11T10:00:00+08:00", "一般",
     D(2026, 10, 12), None, D(2026, 10, 20)),
]


@pytest.mark.parametrize(
    ("at", "priority", "claim", "opinion", "reply"),
    [c[1:] for c in ASSIGN_CASES], ids=[c[0] for c in ASSIGN_CASES],
)
def test_assignment_deadlines_follow_the_official_calendar(
    at: str, priority: str, claim: date, opinion: date | None, reply: date
) -> None:
    deadlines = LEGACY.on_assign(priority, datetime.fromisoformat(at))
    assert deadlines.claim == eod(claim)
    assert deadlines.opinion == (eod(opinion) if opinion else None)
    assert deadlines.reply == eod(reply)
    assert deadlines.provisional is False


@pytest.mark.parametrize("case", ASSIGN_CASES, ids=[c[0] for c in ASSIGN_CASES])
def test_every_expected_deadline_is_a_working_day_by_the_notices(
    case: tuple[str, str, str, date, date | None, date],
) -> None:
    for due in case[3:]:
        assert due is None or official_is_working(due), due


def test_a_general_case_assigned_on_2025_09_30_is_due_at_the_end_of_2025_10_16() -> None:
    reply = POLICY.on_assign("一般", bj(2025, 9, 30, 10)).reply
    assert reply is not None
    assert reply.isoformat() == "2025-10-16T23:59:59.999999+08:00"


def test_a_deadline_is_the_last_microsecond_of_the_beijing_day() -> None:
    reply = POLICY.on_assign("重要", bj(2025, 9, 30)).reply
    assert reply is not None
    assert reply.utcoffset() == timedelta(hours=8)
    assert (reply.hour, reply.minute, reply.second, reply.microsecond) == (23, 59, 59, 999999)


@pytest.mark.parametrize(("at", "priority", "reply"), [
    ("2025-09-30T10:00:00+08:00", "一般", D(2025, 10, 16)),
    ("2025-09-30T10:00:00+08:00", "重要", D(2025, 10, 11)),
    ("2025-09-30T10:00:00+08:00", "重大", D(2025, 10, 14)),
    ("2026-02-13T10:00:00+08:00", "重要", D(2026, 2, 25)),
    ("2026-02-13T23:30:00-04:00", "一般", D(2026, 3, 3)),
])
def test_rework_restarts_the_reply_clock_from_the_return(
    at: str, priority: str, reply: date
) -> None:
    deadlines = LEGACY.on_return(priority, datetime.fromisoformat(at))
    assert deadlines == Deadlines(
        claim=None, opinion=None, reply=eod(reply), policy=LEGACY.limits.version,
        calendar=LEGACY.calendar.version, provisional=False,
    )


def test_configured_rework_days_replace_the_priority_limit() -> None:
    policy = DeadlinePolicy(TimeLimits(rework_days=5), WorkingCalendar())
    assert policy.on_return("一般", bj(2025, 9, 30)).reply == eod(D(2025, 10, 14))


@pytest.mark.parametrize(("reply", "days", "expected"), [
    (D(2025, 9, 30), 3, D(2025, 10, 11)),
    (D(2025, 10, 16), 5, D(2025, 10, 23)),
    (D(2025, 1, 27), 2, D(2025, 2, 6)),
    (D(2026, 2, 13), 1, D(2026, 2, 14)),
    (D(2026, 2, 14), 6, D(2026, 3, 2)),
    (D(2026, 9, 24), 2, D(2026, 9, 29)),
])
def test_an_extension_moves_only_the_reply_deadline_by_working_days(
    reply: date, days: int, expected: date
) -> None:
    current = Deadlines(claim=eod(D(2025, 1, 2)), opinion=eod(D(2025, 1, 3)), reply=eod(reply),
                        policy="old-policy", calendar="old-calendar")
    extended = POLICY.on_extend(current, days)
    assert extended.reply == eod(expected)
    assert (extended.claim, extended.opinion) == (current.claim, current.opinion)
    assert (extended.policy, extended.calendar) == (POLICY.limits.version, POLICY.calendar.version)
    assert extended.provisional is False


def test_extending_without_a_reply_deadline_is_refused() -> None:
    with pytest.raises(ValueError):
        POLICY.on_extend(Deadlines(), 2)


def test_an_extension_keeps_an_earlier_provisional_mark() -> None:
    current = Deadlines(reply=eod(D(2025, 10, 16)), provisional=True)
    assert POLICY.on_extend(current, 1).provisional is True


def test_supervision_response_is_due_three_working_days_later() -> None:
    assert POLICY.supervision_due(bj(2025, 9, 30, 18)) == eod(D(2025, 10, 11))


def test_the_policy_and_calendar_versions_are_recorded_in_the_deadlines() -> None:
    policy = DeadlinePolicy(TimeLimits(version="2026-市政府令"), WorkingCalendar())
    deadlines = policy.on_assign("一般", bj(2026, 3, 2))
    assert deadlines.policy == "2026-市政府令"
    assert deadlines.calendar == WorkingCalendar().version
    assert deadlines.to_dict()["policy"] == "2026-市政府令"
    assert deadlines.to_dict()["calendar"] == WorkingCalendar().version


def test_changed_time_limits_change_the_deadline() -> None:
    policy = DeadlinePolicy(TimeLimits(general_days=5, claim_days=2), WorkingCalendar())
    deadlines = policy.on_assign("一般", bj(2025, 9, 30))
    assert (deadlines.claim, deadlines.reply) == (eod(D(2025, 10, 10)), eod(D(2025, 10, 14)))


@pytest.mark.parametrize("priority", ["一般", "重要", "重大"])
def test_deadlines_round_trip_through_their_plain_form(priority: str) -> None:
    deadlines = POLICY.on_assign(priority, bj(2026, 2, 13))
    plain = deadlines.to_dict()
    assert all(v is None or isinstance(v, (str, bool)) for v in plain.values())
    assert Deadlines.from_dict(plain) == deadlines


def test_the_plain_form_holds_iso_strings_with_the_beijing_offset() -> None:
    plain = LEGACY.on_assign("重大", bj(2025, 9, 30)).to_dict()
    assert plain["claim"] == "2025-10-09T23:59:59.999999+08:00"
    assert plain["opinion"] == "2025-10-13T23:59:59.999999+08:00"
    assert plain["reply"] == "2025-10-14T23:59:59.999999+08:00"
    assert plain["provisional"] is False


def test_no_deadlines_read_back_as_empty() -> None:
    assert Deadlines.from_dict(None) == Deadlines() == Deadlines.from_dict({})
    assert Deadlines().to_dict()["reply"] is None


def test_a_deadline_in_2027_is_refused_when_provisional_deadlines_are_switched_off() -> None:
    with pytest.raises(CalendarNotCovered, match="2027"):
        LEGACY.on_assign("一般", bj(2026, 12, 28))


def test_a_deadline_in_2027_is_provisional_by_default() -> None:
    deadlines = CURRENT.on_assign("一般", bj(2026, 12, 30))
    assert deadlines.reply == eod(D(2027, 1, 11)) and deadlines.provisional is True
    assert deadlines.calendar.endswith("+provisional-2025:2027")


def test_a_deadline_in_2027_is_marked_provisional_when_allowed() -> None:
    policy = DeadlinePolicy(TimeLimits(), WorkingCalendar(allow_provisional=True))
    deadlines = policy.on_assign("一般", bj(2026, 12, 28))
    assert deadlines.provisional is True
    assert deadlines.reply is not None and deadlines.reply.year == 2027
    assert deadlines.to_dict()["provisional"] is True


def test_a_deadline_still_in_2026_is_not_provisional_even_when_allowed() -> None:
    policy = DeadlinePolicy(TimeLimits(), WorkingCalendar(allow_provisional=True))
    deadlines = policy.on_assign("重要", bj(2026, 12, 28))
    assert deadlines.reply == eod(D(2026, 12, 31)) and deadlines.provisional is False


@pytest.mark.parametrize(("priority", "days"), [("一般", 7), ("重要", 3), ("重大", 5)])
def test_reply_days_by_priority(priority: str, days: int) -> None:
    assert TimeLimits().reply_days(priority) == days


def test_a_major_case_assigned_before_national_day_2025_is_due_in_calendar_days() -> None:
    deadlines = CURRENT.on_assign("重大", bj(2025, 9, 30, 10))
    assert (deadlines.claim, deadlines.opinion, deadlines.reply) == (
        eod(D(2025, 10, 1)), eod(D(2025, 10, 4)), eod(D(2025, 10, 5)))
    assert deadlines.policy == "2026-12-default" and deadlines.provisional is False


def test_the_one_three_one_unit_per_stage_is_configurable() -> None:
    limits = TimeLimits(version="2026-mixed", major_claim_unit="working")
    deadlines = DeadlinePolicy(limits, WorkingCalendar()).on_assign("重大", bj(2025, 9, 30))
    assert (deadlines.claim, deadlines.opinion, deadlines.reply) == (
        eod(D(2025, 10, 9)), eod(D(2025, 10, 12)), eod(D(2025, 10, 13)))


def test_a_returned_major_case_runs_the_one_three_one_stages_again_in_calendar_days() -> None:
    assert CURRENT.on_return("重大", bj(2026, 9, 30)).reply == eod(D(2026, 10, 5))


def test_calendar_day_stages_in_an_uncovered_year_are_not_provisional() -> None:
    deadlines = CURRENT.on_assign("重大", bj(2027, 2, 5))
    assert deadlines.reply == eod(D(2027, 2, 10)) and deadlines.provisional is False


@pytest.mark.parametrize(("at", "reply"), [
    ("2025-09-30T10:00:00+08:00", D(2025, 10, 16)),
    ("2026-02-13T10:00:00+08:00", D(2026, 3, 2)),
])
def test_general_cases_have_no_claim_limit_by_default_and_the_same_reply_deadline(
    at: str, reply: date
) -> None:
    deadlines = CURRENT.on_assign("一般", datetime.fromisoformat(at))
    assert deadlines.claim is None and deadlines.reply == eod(reply)


def test_a_claim_limit_can_be_switched_on_in_the_configuration() -> None:
    policy = DeadlinePolicy(TimeLimits(version="2026-claim", claim_days=1), WorkingCalendar())
    assert policy.on_assign("一般", bj(2025, 9, 30)).claim == eod(D(2025, 10, 9))


def test_the_shipped_2025_default_keeps_working_days_and_the_claim_limit() -> None:
    old = SHIPPED_LIMITS["2025-default"]
    assert old.claim_days == 1 and {u for _, u in old.major_stages()} == {"working"}
    assert TimeLimits().version != old.version


@pytest.mark.parametrize(
    ("at", "priority", "reply"),
    [(c[1], c[2], c[5]) for c in ASSIGN_CASES if c[2] != "重大"],
    ids=[c[0] for c in ASSIGN_CASES if c[2] != "重大"],
)
def test_the_new_default_keeps_every_general_and_important_reply_deadline_of_the_table(
    at: str, priority: str, reply: date
) -> None:
    deadlines = CURRENT.on_assign(priority, datetime.fromisoformat(at))
    assert deadlines.reply == eod(reply) and deadlines.provisional is False
    assert deadlines.calendar == WorkingCalendar().version
