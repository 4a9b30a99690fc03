"""Every action of the case chain in every status, on the aggregate and through the service."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.actions import InvalidAction, parse_action
from domain.calendar import WorkingCalendar
from domain.case import AFTER_ARCHIVE, OFFICE, Case
from domain.errors import (
    ActionBeforePreviousEvent,
    AlreadyRated,
    CaseAlreadyRegistered,
    CaseArchived,
    CaseError,
    ClaimBeforeAssign,
    CloseBeforeReply,
    CoDepartmentIsLead,
    DeadlineNotComputable,
    DepartmentNotHolder,
    ExtensionTooLong,
    IllegalTransition,
    InvalidDefaultRating,
    InvalidRating,
    NotAssignedYet,
    OpinionRequired,
    PublishBeforeReply,
    RateBeforeReply,
    UnknownCase,
    UnknownDepartment,
)
from domain.policy import DeadlinePolicy, TimeLimits
from domain.service import APPLIED, DUPLICATE, REJECTED, CaseService, Outcome
from tests.unit.conftest import (
    CHAIN_ACTIONS,
    PATH_TO,
    STATUSES,
    Chain,
    ServiceClock,
    bj,
    chain_in,
    eod,
    new_service,
    pending,
)

OK = None
POLICY_FOR_DEFAULTS = DeadlinePolicy(TimeLimits(), WorkingCalendar())
I = IllegalTransition  # noqa: E741
ROW_ARCHIVED: dict[str, type[CaseError] | None] = {
    **dict.fromkeys(CHAIN_ACTIONS, CaseArchived), "refer_accountability": None}
# status → action → None (applied) or the error class the command raises
TABLE: dict[str, dict[str, type[CaseError] | None]] = {
    "registered": dict(
        assign=OK, claim=ClaimBeforeAssign, dispute=I, extend=I, opinion=I, submit_reply=I,
        publish_reply=PublishBeforeReply, supervise=NotAssignedYet, rate=RateBeforeReply,
        close=CloseBeforeReply, archive=I, refer_accountability=NotAssignedYet,
        **{"return": I}),
    "assigned": dict(
        assign=OK, claim=OK, dispute=OK, extend=OK, opinion=I, submit_reply=I,
        publish_reply=PublishBeforeReply, supervise=OK, rate=RateBeforeReply,
        close=CloseBeforeReply, archive=I, refer_accountability=OK, **{"return": I}),
    "claimed": dict(
        assign=I, claim=I, dispute=OK, extend=OK, opinion=OK, submit_reply=OK,
        publish_reply=PublishBeforeReply, supervise=OK, rate=RateBeforeReply,
        close=CloseBeforeReply, archive=I, refer_accountability=OK, **{"return": I}),
    "disputed": dict(
        assign=OK, claim=ClaimBeforeAssign, dispute=I, extend=I, opinion=I, submit_reply=I,
        publish_reply=PublishBeforeReply, supervise=OK, rate=RateBeforeReply,
        close=CloseBeforeReply, archive=I, refer_accountability=OK, **{"return": I}),
    "reply_submitted": dict(
        assign=I, claim=I, dispute=I, extend=I, opinion=I, submit_reply=I, publish_reply=OK,
        supervise=OK, rate=RateBeforeReply, close=CloseBeforeReply, archive=I,
        refer_accountability=OK, **{"return": OK}),
    "published": dict(
        assign=I, claim=I, dispute=I, extend=I, opinion=I, submit_reply=I,
        publish_reply=PublishBeforeReply, supervise=OK, rate=OK, close=OK, archive=I,
        refer_accountability=OK, **{"return": OK}),
    "closed": dict(
        assign=I, claim=I, dispute=I, extend=I, opinion=I, submit_reply=I,
        publish_reply=PublishBeforeReply, supervise=I, rate=OK, close=CloseBeforeReply,
        archive=OK, refer_accountability=OK, **{"return": I}),
    "archived": ROW_ARCHIVED,
}
EVENT = {
    "assign": "Assigned", "claim": "Claimed", "dispute": "Disputed", "extend": "Extended",
    "opinion": "OpinionGiven", "submit_reply": "ReplySubmitted",
    "publish_reply": "ReplyPublished", "return": "Returned", "supervise": "Supervised",
    "rate": "Rated", "close": "Closed", "archive": "Archived",
    "refer_accountability": "ReferredForAccountability",
}
STATUS_AFTER = {"assign": "assigned", "claim": "claimed", "dispute": "disputed",
                "submit_reply": "reply_submitted", "publish_reply": "published",
                "return": "claimed", "close": "closed", "archive": "archived"}
HOLDER_AFTER = {"assign": "D1", "dispute": OFFICE, "submit_reply": OFFICE,
                "publish_reply": OFFICE, "return": "D1", "close": OFFICE, "archive": OFFICE}
CELLS = [(s, a) for s in STATUSES for a in CHAIN_ACTIONS]


def rejected_with(outcome: Outcome, error: type[CaseError]) -> bool:
    """The service rejected the action, and the reason names this error class."""
    return outcome.status == REJECTED and outcome.reason.startswith(f"{error.__name__}: ")


def test_the_table_covers_every_status_and_action() -> None:
    assert set(TABLE) == set(STATUSES)
    assert all(set(row) == set(CHAIN_ACTIONS) for row in TABLE.values())


@pytest.mark.parametrize(("status", "action"), CELLS)
def test_each_action_in_each_status_on_the_aggregate(status: str, action: str) -> None:
    chain = chain_in(status)
    case, expected = chain.case, TABLE[status][action]
    before = (case.version, case.status, case.holder, dict(case.deadlines))
    if expected is not None:
        with pytest.raises(expected) as caught:
            chain.do(action)
        assert type(caught.value) is expected
        assert (case.version, case.status, case.holder, case.deadlines) == before
        assert pending(case) == []
        return
    chain.do(action)
    (event,) = pending(case)
    assert type(event).__name__ == EVENT[action]
    assert event.originator_version == before[0] + 1 == case.version
    assert (event.at, event.by, event.action_id) == (chain.clock, "op", f"a-{chain.steps}")
    assert event.status == case.status == STATUS_AFTER.get(action, before[1])
    assert event.holder == case.holder == HOLDER_AFTER.get(action, before[2])
    assert event.deadlines == case.deadlines


@pytest.mark.parametrize(("status", "action"), CELLS)
def test_each_action_in_each_status_through_the_service(status: str, action: str) -> None:
    service = new_service()
    clock = ServiceClock(service)
    for step in ("register", *PATH_TO[status]):
        assert clock.apply(step).status == APPLIED
    stored = len(service.history("S-1"))
    outcome = clock.apply(action)
    expected = TABLE[status][action]
    if expected is None:
        assert (outcome.status, outcome.version) == (APPLIED, stored + 1)
        assert service.history("S-1")[-1]["type"] == EVENT[action]
    else:
        assert outcome.status == REJECTED
        assert rejected_with(outcome, expected), outcome.reason
        assert len(service.history("S-1")) == stored


@pytest.mark.parametrize("status", STATUSES)
def test_registering_a_registered_case_again_is_rejected(status: str) -> None:
    service = new_service()
    clock = ServiceClock(service)
    for step in ("register", *PATH_TO[status]):
        clock.apply(step)
    outcome = clock.apply("register", title="另一条留言")
    assert outcome.status == REJECTED
    assert rejected_with(outcome, CaseAlreadyRegistered)


def test_re_applying_the_same_register_line_is_a_duplicate(service: CaseService) -> None:
    line = ServiceClock(service).line("register")
    assert service.apply(parse_action(line)).status == APPLIED
    assert service.apply(parse_action(line)).status == DUPLICATE
    assert len(service.history("S-1")) == 1


def test_an_action_on_an_unregistered_case_is_rejected(service: CaseService) -> None:
    outcome = ServiceClock(service, "NEVER").apply("claim")
    assert rejected_with(outcome, UnknownCase)
    with pytest.raises(UnknownCase):
        service.history("NEVER")
    with pytest.raises(UnknownCase):
        service.state("NEVER")


@pytest.mark.parametrize(("action", "fields"), [
    ("assign", {"department": "D9"}),
    ("assign", {"department": "D1", "co_departments": ["D2", "D9"]}),
    ("refer_accountability", {"department": "D9"}),
])
def test_an_unknown_department_is_rejected(action: str, fields: dict[str, Any]) -> None:
    service = new_service()
    clock = ServiceClock(service)
    clock.apply("register")
    if action != "assign":
        clock.apply("assign")
    outcome = clock.apply(action, **fields)
    assert rejected_with(outcome, UnknownDepartment)
    assert "D9" in outcome.reason


def test_the_lead_may_not_also_be_a_co_department() -> None:
    chain = chain_in("registered")
    with pytest.raises(CoDepartmentIsLead):
        chain.do("assign", department="D1", co_departments=["D2", "D1"])
    assert chain.case.version == 1 and pending(chain.case) == []


@pytest.mark.parametrize("action", ["claim", "dispute", "opinion", "submit_reply"])
def test_a_department_that_does_not_hold_the_case_may_not_act(action: str) -> None:
    chain = chain_in("claimed" if action in ("opinion", "submit_reply") else "assigned")
    version = chain.case.version
    with pytest.raises(DepartmentNotHolder):
        chain.do(action, department="D2")  # D2 is a co-department, not the lead
    assert chain.case.version == version and pending(chain.case) == []


def test_a_claim_on_a_disputed_case_waits_for_reassignment() -> None:
    with pytest.raises(ClaimBeforeAssign):
        chain_in("disputed").do("claim", department="D1")


def test_dispute_hands_the_case_to_the_office_and_drops_its_deadlines() -> None:
    chain = chain_in("claimed")
    chain.do("dispute")
    (event,) = pending(chain.case)
    assert (event.holder, event.status, event.department) == (OFFICE, "disputed", "D1")
    assert event.deadlines == {}


def test_reassignment_after_a_dispute_gives_fresh_deadlines() -> None:
    chain = chain_in("disputed")
    at = bj(2025, 9, 30, 10)
    chain.do("assign", at=at, department="D3", co_departments=[])
    (event,) = pending(chain.case)
    assert (event.holder, event.department, event.co_departments) == ("D3", "D3", [])
    assert event.deadlines["reply"] == eod(date(2025, 10, 16)).isoformat()
    assert event.deadlines["claim"] == eod(date(2025, 10, 9)).isoformat()


def test_submitting_a_reply_hands_the_case_to_the_office() -> None:
    chain = chain_in("claimed")
    chain.do("submit_reply")
    (event,) = pending(chain.case)
    assert (event.holder, event.department, event.status) == (OFFICE, "D1", "reply_submitted")


@pytest.mark.parametrize("status", ["reply_submitted", "published"])
def test_return_gives_the_lead_a_new_reply_deadline(status: str) -> None:
    chain = chain_in(status)
    chain.do("return", at=bj(2025, 9, 30, 10))
    (event,) = pending(chain.case)
    assert (event.holder, event.status) == ("D1", "claimed")
    assert event.deadlines["reply"] == eod(date(2025, 10, 16)).isoformat()
    assert chain.case.rework_count == 1


def test_a_major_case_needs_its_opinion_before_the_result() -> None:
    chain = chain_in("claimed", priority="重大")
    with pytest.raises(OpinionRequired):
        chain.do("submit_reply")
    chain.do("opinion")
    chain.do("submit_reply")
    assert chain.case.status == "reply_submitted"


def test_a_returned_major_case_needs_a_new_opinion() -> None:
    chain = chain_in("claimed", priority="重大")
    for step in ("opinion", "submit_reply", "return"):
        chain.do(step)
    with pytest.raises(OpinionRequired):
        chain.do("submit_reply")


def test_a_rating_outside_the_three_values_is_rejected_by_the_aggregate() -> None:
    chain = chain_in("published")
    with pytest.raises(InvalidRating):
        chain.do("rate", rating="非常满意")
    assert pending(chain.case) == []


def test_a_rating_outside_the_three_values_is_rejected_by_the_action_format() -> None:
    line = ServiceClock(new_service()).line("rate", rating="非常满意")
    with pytest.raises(InvalidAction, match="字段 rating"):
        parse_action(line)


def test_the_same_reply_cannot_be_rated_twice() -> None:
    chain = chain_in("published")
    chain.do("rate", rating="不满意")
    with pytest.raises(AlreadyRated):
        chain.do("rate", rating="满意")
    chain.do("close")
    with pytest.raises(AlreadyRated):
        chain.do("rate", rating="满意")


def test_a_new_reply_after_rework_can_be_rated_again() -> None:
    chain = chain_in("published")
    chain.do("rate", rating="不满意")
    for step in ("return", "submit_reply", "publish_reply"):
        chain.do(step)
    chain.do("rate", rating="满意")
    assert chain.case.rating == "满意"


def test_a_default_rating_is_recorded_as_a_default() -> None:
    chain = chain_in("closed")
    chain.do("rate", rating="满意", default=True)
    (event,) = pending(chain.case)
    assert (event.rating, event.default, event.status, event.holder) == (
        "满意", True, "closed", OFFICE)


def test_the_citizens_own_rating_replaces_a_default_and_both_stay_in_the_history() -> None:
    service = new_service()
    clock = ServiceClock(service)
    for step in ("register", *PATH_TO["closed"]):
        clock.apply(step)
    assert clock.apply("rate", rating="满意", default=True, channel="系统").status == APPLIED
    outcome = clock.apply("rate", rating="不满意", channel="电话回访", resolved=False)
    assert outcome.status == APPLIED, outcome.reason
    rated = [e for e in service.history("S-1") if e["type"] == "Rated"]
    assert [(e["rating"], e["default"], e["resolved"]) for e in rated] == [
        ("满意", True, None), ("不满意", False, False)]
    assert service.state("S-1")["rating"] == "不满意"


def test_a_second_citizen_rating_after_a_replaced_default_is_already_rated() -> None:
    chain = chain_in("published")
    chain.do("rate", rating="满意", default=True)
    chain.do("rate", rating="基本满意")
    with pytest.raises(AlreadyRated):
        chain.do("rate", rating="满意")
    with pytest.raises(AlreadyRated):
        chain.do("rate", rating="满意", default=True)


def test_a_default_may_not_replace_the_citizens_rating_or_another_default() -> None:
    chain = chain_in("published")
    chain.do("rate", rating="满意", default=True)
    with pytest.raises(AlreadyRated):
        chain.do("rate", rating="满意", default=True)
    other = chain_in("published")
    other.do("rate", rating="不满意")
    with pytest.raises(AlreadyRated):
        other.do("rate", rating="满意", default=True)


def test_a_default_dissatisfied_rating_is_refused_in_chinese() -> None:
    service = new_service()
    clock = ServiceClock(service)
    for step in ("register", *PATH_TO["published"]):
        clock.apply(step)
    outcome = clock.apply("rate", rating="不满意", default=True)
    assert rejected_with(outcome, InvalidDefaultRating)
    assert "默认评价只能是“满意”" in outcome.reason and "不满意" in outcome.reason
    assert [e["type"] for e in service.history("S-1")].count("Rated") == 0


def test_a_default_rating_may_not_claim_the_citizens_resolved_answer() -> None:
    chain = chain_in("published")
    with pytest.raises(InvalidDefaultRating, match="是否解决"):
        chain.case.rate("满意", "系统", True, at=chain.tick(), by="op", action_id="d",
                        resolved=True)
    assert pending(chain.case) == []


def test_the_configured_default_rating_is_the_only_default_accepted() -> None:
    service = CaseService(POLICY_FOR_DEFAULTS, ["D1", "D2"], default_rating="基本满意",
                          env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    clock = ServiceClock(service)
    for step in ("register", *PATH_TO["published"]):
        clock.apply(step)
    assert rejected_with(clock.apply("rate", rating="满意", default=True), InvalidDefaultRating)
    assert clock.apply("rate", rating="基本满意", default=True).status == APPLIED


def test_the_citizens_resolved_answer_is_recorded_with_the_rating() -> None:
    chain = chain_in("published")
    chain.case.rate("基本满意", "电话回访", False, at=chain.tick(), by="op", action_id="r",
                    resolved=True)
    (event,) = pending(chain.case)
    assert (event.rating, event.resolved, event.default) == ("基本满意", True, False)


def test_an_archived_case_can_still_be_referred_for_accountability() -> None:
    chain = chain_in("archived")
    chain.do("refer_accountability", department="D1")
    (event,) = pending(chain.case)
    assert (type(event).__name__, event.status, event.department) == (
        "ReferredForAccountability", "archived", "D1")


@pytest.mark.parametrize("action", [a for a in CHAIN_ACTIONS if a != "refer_accountability"])
def test_an_archived_case_refuses_every_other_action_naming_it_in_chinese(action: str) -> None:
    service = new_service()
    clock = ServiceClock(service)
    for step in ("register", *PATH_TO["archived"]):
        clock.apply(step)
    outcome = clock.apply(action)
    assert rejected_with(outcome, CaseArchived)
    zh = outcome.reason.split(": ", 1)[1]
    assert action not in zh and "已归档" in zh


def test_an_illegal_transition_names_status_and_action_in_chinese() -> None:
    with pytest.raises(IllegalTransition) as caught:
        chain_in("published").do("archive")
    text = str(caught.value).split(": ", 1)[1]
    assert "当前状态为“已回复”，不能执行“归档”" in text
    assert "published" not in text and "archive" not in text


@pytest.mark.parametrize(("status", "action"), [
    (s, a) for s in STATUSES for a in CHAIN_ACTIONS if TABLE[s][a] is not None])
def test_every_refusal_reads_in_chinese(status: str, action: str) -> None:
    chain = chain_in(status)
    with pytest.raises(CaseError) as caught:
        chain.do(action)
    text = str(caught.value).split(": ", 1)[1]
    words = {*STATUSES, *CHAIN_ACTIONS, "OFFICE"} - {"D1", "D2"}
    assert not [w for w in words if w in text], text


def test_extensions_are_limited_cumulatively() -> None:
    chain = chain_in("claimed")
    chain.do("extend", working_days=10)
    with pytest.raises(ExtensionTooLong):
        chain.do("extend", working_days=6)
    chain.do("extend", working_days=5)
    with pytest.raises(ExtensionTooLong):
        chain.do("extend", working_days=1)
    assert chain.case.extended_days == 15


def test_the_service_applies_the_configured_extension_maximum() -> None:
    policy = DeadlinePolicy(TimeLimits(extension_max_days=4), WorkingCalendar())
    service = CaseService(policy, ["D1", "D2"], env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    clock = ServiceClock(service)
    for step in ("register", "assign", "claim"):
        clock.apply(step)
    assert clock.apply("extend", working_days=3).status == APPLIED
    outcome = clock.apply("extend", working_days=2)
    assert rejected_with(outcome, ExtensionTooLong)


def test_an_extension_moves_the_reply_deadline_in_the_event() -> None:
    chain = chain_in("registered")
    chain.do("assign", at=bj(2025, 9, 30, 10))
    chain.do("extend", at=bj(2025, 10, 9, 9), working_days=3)
    events = pending(chain.case)
    assert events[-1].deadlines["reply"] == eod(date(2025, 10, 21)).isoformat()
    assert events[-1].deadlines["claim"] == events[0].deadlines["claim"]


def test_time_may_not_go_backwards_within_a_case() -> None:
    chain = chain_in("assigned")
    with pytest.raises(ActionBeforePreviousEvent):
        chain.do("claim", at=chain.clock - timedelta(seconds=1))
    chain.do("claim", at=chain.clock)  # the same moment is not going backwards
    assert chain.case.status == "claimed"


def test_a_deadline_in_an_uncovered_year_is_rejected_when_provisional_is_switched_off() -> None:
    policy = DeadlinePolicy(TimeLimits(), WorkingCalendar(allow_provisional=False))
    service = CaseService(policy, ["D1", "D2"], env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    clock = ServiceClock(service, start=bj(2026, 12, 28, 9))
    clock.apply("register")
    outcome = clock.apply("assign")
    assert outcome.status == REJECTED
    assert rejected_with(outcome, DeadlineNotComputable) and "2027" in outcome.reason
    assert service.state("S-1")["status"] == "registered"


def test_an_uncovered_year_gives_provisional_deadlines_by_default(service: CaseService) -> None:
    clock = ServiceClock(service, start=bj(2026, 12, 28, 9))
    clock.apply("register")
    assert clock.apply("assign").status == APPLIED
    assert service.state("S-1")["deadlines"]["provisional"] is True


def test_a_deadline_error_class_is_a_case_error() -> None:
    assert issubclass(DeadlineNotComputable, CaseError)


def test_registration_records_office_as_holder_and_no_deadlines() -> None:
    chain = Chain()
    (event,) = pending(chain.case)
    assert type(event).__name__ == "Registered" and isinstance(chain.case, Case)
    assert (event.holder, event.status, event.deadlines) == (OFFICE, "registered", None)
    assert (event.at, event.by, event.number) == (chain.clock, "office-1", "C-1")


def test_every_stored_event_carries_time_operator_holder_status_and_deadlines(
    service: CaseService,
) -> None:
    clock = ServiceClock(service)
    for step in ("register", "assign", "claim", "submit_reply", "publish_reply", "rate",
                 "close", "archive"):
        clock.apply(step)
    history = service.history("S-1")
    assert [h["version"] for h in history] == list(range(1, 9))
    for h in history:
        assert {"at", "by", "holder", "status", "deadlines", "action_id"} <= h.keys()
        assert h["at"].utcoffset() is not None and h["by"] == "op"
    assert [h["holder"] for h in history] == [OFFICE, "D1", "D1", *[OFFICE] * 5]
    assert all(h["deadlines"]["reply"] for h in history[1:])


def test_a_rejected_action_in_a_group_leaves_nothing_of_the_group(
    service: CaseService,
) -> None:
    clock = ServiceClock(service)
    group = [parse_action(clock.line(a)) for a in ("register", "assign", "publish_reply")]
    outcomes = service.apply_groups([group])[0]
    assert [o.status for o in outcomes] == [REJECTED] * 3
    with pytest.raises(UnknownCase):
        service.history("S-1")


STEP = st.tuples(
    st.sampled_from(CHAIN_ACTIONS),
    st.sampled_from(["D1", "D2", None]),
    st.integers(min_value=-2, max_value=30),
)


@settings(max_examples=150, deadline=None)
@given(
    start=st.sampled_from(STATUSES), priority=st.sampled_from(["一般", "重要", "重大"]),
    steps=st.lists(STEP, max_size=25),
)
def test_random_action_sequences_keep_the_chain_rules(
    start: str, priority: str, steps: list[tuple[str, str | None, int]]
) -> None:
    chain = chain_in(start, priority)
    case = chain.case
    archived = case.status == "archived"
    for action, department, hours in steps:
        version = case.version
        kw: dict[str, Any] = {"department": department} if department else {}
        try:
            chain.do(action, at=chain.clock + timedelta(hours=hours), **kw)
        except CaseError:
            assert case.version == version and pending(case) == []
            continue
        assert not archived or action in AFTER_ARCHIVE, "a refused action was recorded"
        assert hours >= 0, "an event was recorded earlier than the previous one"
        chain.clock += timedelta(hours=hours)
        (event,) = pending(case)
        assert case.version == version + 1 == event.originator_version
        assert (event.status, event.holder) == (case.status, case.holder)
        assert (case.holder != OFFICE) == (case.status in ("assigned", "claimed"))
        assert case.status not in ("assigned", "claimed") or case.deadlines.get("reply")
        archived = case.status == "archived"


@pytest.mark.parametrize("action", ["assign", "return", "supervise", "extend"])
def test_an_archived_case_says_archived_even_when_no_deadline_could_be_computed(
    action: str,
) -> None:
    service = new_service()
    clock = ServiceClock(service, start=bj(2026, 12, 20, 9))
    for step in ("register", *PATH_TO["archived"]):
        clock.apply(step)
    extra = {"working_days": 15} if action == "extend" else {}
    outcome = clock.apply(action, at=bj(2026, 12, 29, 9), **extra)
    assert rejected_with(outcome, CaseArchived), outcome.reason


def test_an_illegal_assignment_says_illegal_even_when_no_deadline_could_be_computed() -> None:
    service = new_service()
    clock = ServiceClock(service, start=bj(2026, 12, 20, 9))
    for step in ("register", *PATH_TO["claimed"]):
        clock.apply(step)
    outcome = clock.apply("assign", at=bj(2026, 12, 28, 9))
    assert rejected_with(outcome, IllegalTransition), outcome.reason
