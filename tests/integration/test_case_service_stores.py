"""The CaseService behaves the same on the embedded SQLite store and on the real PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from domain.actions import ActionBase, parse_action
from domain.calendar import WorkingCalendar
from domain.case import case_id
from domain.errors import UnknownCase
from domain.policy import DeadlinePolicy, TimeLimits
from domain.service import APPLIED, DUPLICATE, REJECTED, CaseService, Outcome
from wenzheng.store.env import postgres_env, sqlite_env

DEPARTMENTS = ("CGJ", "HBJ", "ZJJ")
OpenService = Callable[..., CaseService]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """eventsourcing's environment for a fresh store, as bootstrap.service.store_env builds it."""
    if request.param == "sqlite":
        return sqlite_env(tmp_path / "events.sqlite")
    url: str = request.getfixturevalue("postgres_schema_url")
    return postgres_env(url)


@pytest.fixture
def open_service(store_env: dict[str, str]) -> Iterator[OpenService]:
    """CaseService instances on the store, as bootstrap.service.open_service builds them."""
    opened: list[CaseService] = []

    def build(limits: TimeLimits | None = None) -> CaseService:
        policy = DeadlinePolicy(limits or TimeLimits(), WorkingCalendar())
        service = CaseService(policy, DEPARTMENTS, env=dict(store_env))
        opened.append(service)
        return service

    yield build
    for service in opened:
        service.close()


def act(action: str, case: str, at: str, **fields: Any) -> ActionBase:
    """A validated action; `at` is a time on 2025-10-xx in Beijing time, e.g. '13T09:00'."""
    data = {"action": action, "case": case, "at": f"2025-10-{at}:00+08:00", "by": "tester",
            **fields}
    return parse_action(data)


def register(case: str, at: str = "09T09:00", priority: str = "一般") -> ActionBase:
    """A registration with a citizen's contact data."""
    return act("register", case, at, id=f"{case}-reg", source="人民网留言板", title="路灯不亮",
               content="某路段路灯连续一周不亮。", category="反映", priority=priority,
               region="清河区", citizen={"name": "李四", "phone": "13900001111"})


def lifecycle(case: str) -> list[ActionBase]:
    """register → assign → claim → submit_reply → publish_reply → rate → close → archive."""
    return [
        register(case),
        act("assign", case, "09T10:00", id=f"{case}-assign", department="CGJ"),
        act("claim", case, "10T08:30", id=f"{case}-claim", department="CGJ"),
        act("submit_reply", case, "13T16:00", id=f"{case}-submit", text="已修复路灯。"),
        act("publish_reply", case, "14T09:00", id=f"{case}-publish", text="路灯已修复。"),
        act("rate", case, "15T09:00", id=f"{case}-rate", rating="满意", channel="电话回访"),
        act("close", case, "16T09:00", id=f"{case}-close"),
        act("archive", case, "17T09:00", id=f"{case}-archive"),
    ]


def statuses(outcomes: Sequence[Outcome]) -> list[str]:
    """The status of each outcome."""
    return [o.status for o in outcomes]


def event_count(service: CaseService) -> int:
    """How many events the whole store holds."""
    return len(service.recorder.select_notifications(start=None, limit=100_000))


LIFECYCLE_TYPES = ["Registered", "Assigned", "Claimed", "ReplySubmitted", "ReplyPublished",
                   "Rated", "Closed", "Archived"]


class TestCaseServiceOnEachStore:
    """One test class, run on SQLite and on PostgreSQL."""

    def test_a_full_lifecycle_reads_back_the_same_from_a_new_service(
        self, open_service: OpenService
    ) -> None:
        writer = open_service()
        outcomes = writer.apply_batch(lifecycle("WZ-1"))
        assert statuses(outcomes) == [APPLIED] * 8
        assert [o.version for o in outcomes] == [8] * 8
        written_state, written_history = writer.state("WZ-1"), writer.history("WZ-1")

        reader = open_service()
        state, history = reader.state("WZ-1"), reader.history("WZ-1")
        assert state == written_state
        assert (state["status"], state["holder"], state["lead"]) == ("archived", "OFFICE", "CGJ")
        assert (state["version"], state["rating"]) == (8, "满意")
        assert [e["type"] for e in history] == LIFECYCLE_TYPES
        assert [e["version"] for e in history] == list(range(1, 9))
        assert [e["action_id"] for e in history] == [a.action_id() for a in lifecycle("WZ-1")]
        assert [e["holder"] for e in history] == ["OFFICE", "CGJ", "CGJ", "OFFICE", "OFFICE",
                                                  "OFFICE", "OFFICE", "OFFICE"]
        assert history[0]["number"] == "WZ-1"
        assert history[0]["citizen"]["sealed"].startswith("wz-sealed-v1:")
        assert "13900001111" not in str(history[0])
        personal = reader.personal_data("WZ-1")
        assert personal is not None
        assert personal["citizen"] == {"name": "李四", "phone": "13900001111"}
        assert history[1]["deadlines"]["reply"] == "2025-10-17T23:59:59.999999+08:00"
        assert history == written_history

    def test_applying_the_same_actions_again_records_duplicates_and_no_new_events(
        self, open_service: OpenService
    ) -> None:
        first = open_service()
        first.apply_batch(lifecycle("WZ-2")[:4])
        events_before, state_before = event_count(first), first.state("WZ-2")

        again = open_service()
        outcomes = again.apply_batch(lifecycle("WZ-2")[:4])
        assert statuses(outcomes) == [DUPLICATE] * 4
        assert [o.version for o in outcomes] == [None] * 4
        assert event_count(again) == events_before == 4
        assert again.state("WZ-2") == state_before
        assert state_before["version"] == 4

    def test_a_rejected_action_in_a_batch_leaves_the_others_applied_and_adds_no_event(
        self, open_service: OpenService
    ) -> None:
        service = open_service()
        outcomes = service.apply_batch([
            register("WZ-3"),
            act("claim", "WZ-3", "09T09:30", department="CGJ"),
            register("WZ-4"),
            act("assign", "WZ-3", "09T10:00", department="CGJ"),
            act("assign", "WZ-4", "09T10:00", department="NOPE"),
        ])
        assert statuses(outcomes) == [APPLIED, REJECTED, APPLIED, APPLIED, REJECTED]
        assert "ClaimBeforeAssign" in outcomes[1].reason
        assert "NOPE" in outcomes[4].reason and "department" in outcomes[4].reason
        reader = open_service()
        assert [e["type"] for e in reader.history("WZ-3")] == ["Registered", "Assigned"]
        assert [e["type"] for e in reader.history("WZ-4")] == ["Registered"]
        assert event_count(reader) == 3

    def test_a_group_with_a_bad_third_action_stores_nothing_of_that_group(
        self, open_service: OpenService
    ) -> None:
        service = open_service()
        bad_group = [register("WZ-5"),
                     act("assign", "WZ-5", "09T10:00", department="CGJ"),
                     act("submit_reply", "WZ-5", "09T11:00", text="未认领就上报")]
        good_group = [register("WZ-6"), act("assign", "WZ-6", "09T10:00", department="HBJ")]
        bad, good = service.apply_groups([bad_group, good_group])
        assert statuses(bad) == [REJECTED] * 3
        assert all("第 3 个" in o.reason for o in bad[:2])
        assert "须先认领" in bad[2].reason
        assert statuses(good) == [APPLIED, APPLIED]
        reader = open_service()
        with pytest.raises(UnknownCase):
            reader.history("WZ-5")
        assert [e["type"] for e in reader.history("WZ-6")] == ["Registered", "Assigned"]
        assert event_count(reader) == 2

    def test_stored_deadlines_do_not_move_when_the_policy_changes(
        self, open_service: OpenService
    ) -> None:
        old = open_service()
        old.apply_batch([register("WZ-7"), act("assign", "WZ-7", "09T10:00", department="CGJ")])
        stored = [e["deadlines"] for e in old.history("WZ-7")]

        strict = TimeLimits(version="2026-strict", claim_days=0, general_days=2)
        new = open_service(strict)
        assert [e["deadlines"] for e in new.history("WZ-7")] == stored
        assert new.state("WZ-7")["deadlines"] == stored[1]
        assert stored[1]["policy"] == TimeLimits().version
        assert stored[1]["reply"] == "2025-10-17T23:59:59.999999+08:00"
        new.apply_batch([register("WZ-8"), act("assign", "WZ-8", "09T10:00", department="CGJ")])
        fresh = new.state("WZ-8")["deadlines"]
        assert (fresh["policy"], fresh["reply"]) == ("2026-strict",
                                                     "2025-10-11T23:59:59.999999+08:00")

    def test_loading_many_cases_at_once_gives_each_case_its_events_once_in_version_order(
        self, open_service: OpenService
    ) -> None:
        service = open_service()
        for case, steps in (("WZ-A", 8), ("WZ-B", 3), ("WZ-C", 5)):
            service.apply_batch(lifecycle(case)[:steps])
        wanted = [case_id(n) for n in ("WZ-C", "WZ-A", "WZ-NONE", "WZ-C", "WZ-B")]

        stored = service.recorder.select_events_of(wanted)

        versions: dict[Any, list[int]] = {}
        for event in stored:
            versions.setdefault(event.originator_id, []).append(event.originator_version)
        assert versions == {case_id("WZ-A"): list(range(1, 9)), case_id("WZ-B"): [1, 2, 3],
                            case_id("WZ-C"): [1, 2, 3, 4, 5]}
        assert service.recorder.select_events_of([]) == []

    def test_two_writers_racing_on_one_case_never_lose_or_duplicate_a_write(
        self, open_service: OpenService
    ) -> None:
        _, outcomes = race_two_writers(open_service, per_writer=15)
        every = outcomes[0] + outcomes[1]
        applied = [o for o in every if o.status == APPLIED]
        assert all("ConcurrentUpdate" in o.reason for o in every if o.status != APPLIED)
        assert sorted(o.version or 0 for o in applied) == list(range(3, 3 + len(applied)))

        history = open_service().history("WZ-9")
        assert [e["version"] for e in history] == list(range(1, 3 + len(applied)))
        assert sorted(e["action_id"] for e in history[2:]) == sorted(o.action_id for o in applied)

    def test_two_writers_racing_on_one_case_apply_every_action_exactly_once(
        self, open_service: OpenService
    ) -> None:
        plans, outcomes = race_two_writers(open_service, per_writer=15)
        every = outcomes[0] + outcomes[1]
        assert [o.reason for o in every if o.status != APPLIED] == []
        expected = 2 + 1 + 2 * 15
        assert sorted(o.version or 0 for o in every) == list(range(3, expected + 1))

        history = open_service().history("WZ-9")
        assert [e["version"] for e in history] == list(range(1, expected + 1))
        ids = [e["action_id"] for e in history[2:]]
        assert sorted(ids) == sorted(a.action_id() for plan in plans for a in plan)
        assert history[-1]["status"] == "claimed"


def race_two_writers(
    open_service: OpenService, per_writer: int
) -> tuple[list[list[ActionBase]], list[list[Outcome]]]:
    """Two services on one store race on case WZ-9: a claim plus many supervisions each."""
    setup = open_service()
    setup.apply_batch([register("WZ-9"), act("assign", "WZ-9", "09T10:00", department="CGJ")])
    writers = [open_service(), open_service()]
    plans = [
        [act("claim", "WZ-9", "10T09:00", id="claim", department="CGJ")]
        + [act("supervise", "WZ-9", "10T09:00", id=f"a-{i}") for i in range(per_writer)],
        [act("supervise", "WZ-9", "10T09:00", id=f"b-{i}") for i in range(per_writer)],
    ]
    outcomes: list[list[Outcome]] = [[], []]
    errors: list[str] = []
    barrier = threading.Barrier(2)

    def write(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            for action in plans[index]:
                outcomes[index].append(writers[index].apply(action))
        except Exception as exc:  # a store error must fail the test, naming its type
            errors.append(f"writer {index}: {type(exc).__module__}.{type(exc).__qualname__}: {exc}")

    threads = [threading.Thread(target=write, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert [len(o) for o in outcomes] == [len(p) for p in plans]
    return plans, outcomes
