"""The demonstration city's generator: deterministic, valid, and shaped like the customer's."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

import pytest

from domain.actions import parse_action
from domain.calendar import WorkingCalendar
from domain.policy import DeadlinePolicy, TimeLimits
from wenzheng.democity import DEPARTMENTS
from wenzheng.demogen import DemoSpec, YearNotCovered, demo_as_of, generate
from wenzheng.demogen.profiles import KIND_OF
from wenzheng.demogen.texts import CATEGORY_GROUP

POLICY = DeadlinePolicy(TimeLimits(), WorkingCalendar())
SPEC = DemoSpec(cases=3000, seed=7, year=2025)


@pytest.fixture(scope="module")
def actions() -> list[dict[str, Any]]:
    """A small demonstration year, generated once for the module."""
    return list(generate(SPEC, POLICY, DEPARTMENTS))


@pytest.fixture(scope="module")
def cases(actions: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The actions grouped by case, in order."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in actions:
        grouped[a["case"]].append(a)
    return grouped


def _at(action: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(action["at"])


def test_the_same_seed_gives_the_same_actions(actions: list[dict[str, Any]]) -> None:
    assert list(generate(SPEC, POLICY, DEPARTMENTS)) == actions


def test_another_seed_gives_another_city(actions: list[dict[str, Any]]) -> None:
    other = list(itertools.islice(generate(DemoSpec(cases=3000, seed=8), POLICY, DEPARTMENTS),
                                  500))
    assert other != actions[:500]


def test_every_generated_action_is_valid_and_ids_are_unique(
        actions: list[dict[str, Any]]) -> None:
    for a in actions:
        parse_action(a)
    ids = [a["id"] for a in actions]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("demo-7-") for i in ids)


def test_the_requested_number_of_cases_arrives_during_the_year(
        cases: dict[str, list[dict[str, Any]]]) -> None:
    assert len(cases) == 3000
    registered = [_at(c[0]) for c in cases.values()]
    assert all(c[0]["action"] == "register" for c in cases.values())
    assert all(r.year == 2025 for r in registered)
    assert len({r.month for r in registered}) == 12


def test_business_times_never_go_backwards_within_a_case(
        cases: dict[str, list[dict[str, Any]]]) -> None:
    for acts in cases.values():
        times = [_at(a) for a in acts]
        assert times == sorted(times)


def test_time_order_is_global_and_holds_the_same_actions_as_case_order(
        actions: list[dict[str, Any]]) -> None:
    times = [_at(a) for a in actions]
    assert times == sorted(times)
    by_case = list(generate(DemoSpec(cases=3000, seed=7, order="case"), POLICY, DEPARTMENTS))
    assert sorted(a["id"] for a in by_case) == sorted(a["id"] for a in actions)


def test_nothing_happens_after_the_demonstration_now(actions: list[dict[str, Any]]) -> None:
    as_of = demo_as_of(POLICY, 2025)
    assert as_of.isoformat().startswith("2026-01-31T23:59:59")
    assert max(_at(a) for a in actions) <= as_of


def test_reply_rate_lies_between_80_and_99_percent(
        cases: dict[str, list[dict[str, Any]]]) -> None:
    replied = sum(any(a["action"] == "publish_reply" for a in c) for c in cases.values())
    assert 0.80 <= replied / len(cases) <= 0.99


def test_some_open_cases_are_past_their_reply_deadline(
        cases: dict[str, list[dict[str, Any]]]) -> None:
    as_of = demo_as_of(POLICY, 2025)
    overdue = 0
    for acts in cases.values():
        kinds = [a["action"] for a in acts]
        if "assign" not in kinds or "submit_reply" in kinds:
            continue
        last_assign = next(a for a in reversed(acts) if a["action"] == "assign")
        deadlines = POLICY.on_assign(acts[0]["priority"], _at(last_assign))
        overdue += bool(deadlines.reply and deadlines.reply < as_of)
    assert overdue >= 10


def test_categories_follow_the_seeds_proportions(cases: dict[str, list[dict[str, Any]]]) -> None:
    groups = Counter(CATEGORY_GROUP[c[0]["category"]] for c in cases.values())
    personal_and_policy = groups["个人利益诉求"] + groups["政策咨询"]
    assert 0.85 <= personal_and_policy / len(cases) <= 0.95
    assert groups["建言献策"] > 0


def test_messages_come_from_the_four_platforms(cases: dict[str, list[dict[str, Any]]]) -> None:
    sources = Counter(c[0]["source"] for c in cases.values())
    assert set(sources) == {"人民网留言板", "12345热线", "市长信箱", "问政湖南"}
    assert sources.most_common(1)[0][0] == "12345热线"


def test_departments_of_all_three_peer_groups_receive_cases(
        actions: list[dict[str, Any]]) -> None:
    group_of = {code: group for code, _, group in DEPARTMENTS}
    got = Counter(group_of[a["department"]] for a in actions if a["action"] == "assign")
    assert set(got) == {"市直部门", "县市区", "乡镇街道"}
    assert got["市直部门"] > got["县市区"] > got["乡镇街道"]


def _share_by_kind(cases: dict[str, list[dict[str, Any]]], action: str) -> dict[str, float]:
    """Share of a unit kind's assignments followed by the given action (same department)."""
    hits: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for acts in cases.values():
        for i, a in enumerate(acts):
            if a["action"] != "assign":
                continue
            kind = KIND_OF.get(a["department"], "normal")
            total[kind] += 1
            rest = acts[i + 1:]
            nxt = next((j for j, b in enumerate(rest) if b["action"] == "assign"), len(rest))
            hits[kind] += any(b["action"] == action for b in rest[:nxt])
    return {k: hits[k] / total[k] for k in total}


def test_departments_show_their_distinct_behaviour(
        cases: dict[str, list[dict[str, Any]]]) -> None:
    disputes = _share_by_kind(cases, "dispute")
    returns = _share_by_kind(cases, "return")
    supervised = _share_by_kind(cases, "supervise")
    assert disputes["disputes"] > 3 * disputes["fast"]
    assert returns["rework"] > 2 * returns["normal"]
    assert supervised["ignores"] > supervised["slow"] > supervised["fast"]


def test_units_that_ignore_supervision_are_referred_for_accountability(
        actions: list[dict[str, Any]]) -> None:
    referred = {a["department"] for a in actions if a["action"] == "refer_accountability"}
    assert referred
    assert referred <= {code for code, kind in KIND_OF.items() if kind == "ignores"}


def test_a_few_major_cases_give_an_opinion_before_the_reply(
        cases: dict[str, list[dict[str, Any]]]) -> None:
    major = [c for c in cases.values() if c[0]["priority"] == "重大"]
    assert 1 <= len(major) <= 0.02 * len(cases)
    for acts in major:
        kinds = [a["action"] for a in acts]
        if "submit_reply" in kinds:
            assert "opinion" in kinds[:kinds.index("submit_reply")]


def test_default_ratings_are_recorded_as_defaults(actions: list[dict[str, Any]]) -> None:
    ratings = [a for a in actions if a["action"] == "rate"]
    defaults = [a for a in ratings if a.get("default")]
    assert 0.2 < len(defaults) / len(ratings) < 0.7
    assert all(a["rating"] == "满意" and a["channel"] == "系统默认" for a in defaults)
    explicit = Counter(a["rating"] for a in ratings if not a.get("default"))
    assert explicit["不满意"] > 0 and explicit["满意"] > explicit["基本满意"]


def test_office_work_happens_mostly_in_working_hours_and_messages_also_at_night(
        actions: list[dict[str, Any]]) -> None:
    cal = WorkingCalendar()
    office = [a for a in actions if a["action"] in ("assign", "publish_reply", "close")]
    in_hours = sum(cal.is_working_day(_at(a).date()) and 8 <= _at(a).hour < 19 for a in office)
    assert in_hours / len(office) > 0.9
    registered = [_at(a) for a in actions if a["action"] == "register"]
    evenings = sum(r.hour >= 19 or r.hour < 8 for r in registered)
    rest_days = sum(not cal.is_working_day(r.date()) for r in registered)
    assert 0.03 < evenings / len(registered) < 0.3
    assert 0.03 < rest_days / len(registered) < 0.3


def test_a_year_the_calendar_does_not_cover_is_refused() -> None:
    with pytest.raises(YearNotCovered):
        next(generate(DemoSpec(cases=10, year=2027), POLICY, DEPARTMENTS))


def test_the_last_covered_year_stops_at_its_end() -> None:
    acts = list(generate(DemoSpec(cases=400, year=2026), POLICY, DEPARTMENTS))
    assert max(_at(a) for a in acts) <= demo_as_of(POLICY, 2026)
    assert demo_as_of(POLICY, 2026) < datetime(2027, 1, 1, tzinfo=_at(acts[0]).tzinfo)
    for a in acts:
        parse_action(a)


def test_a_million_cases_stream_without_being_built_first() -> None:
    stream = generate(DemoSpec(cases=1_000_000, seed=3), POLICY, DEPARTMENTS)
    first = list(itertools.islice(stream, 2000))
    assert first[0]["case"] == "SF2025-0000001"
    assert max(_at(a) for a in first) - _at(first[0]) < timedelta(days=10)


def test_phone_callbacks_answer_whether_the_problem_was_solved(
        actions: list[dict[str, Any]]) -> None:
    rates = [a for a in actions if a["action"] == "rate"]
    calls = [a for a in rates if a["channel"] == "电话回访"]
    assert calls and all(isinstance(a["resolved"], bool) for a in calls)
    assert all("resolved" not in a for a in rates if a["channel"] != "电话回访")
    solved = sum(a["resolved"] for a in calls) / len(calls)
    assert 0.8 < solved < 0.99
    unhappy = [a["resolved"] for a in calls if a["rating"] == "不满意"]
    assert sum(unhappy) < len(unhappy) / 2
