"""Fuzzing the case service: random, often illegal action sequences never half-apply anything."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain.actions import InvalidAction, parse_action
from domain.calendar import WorkingCalendar
from domain.errors import UnknownCase
from domain.service import APPLIED, DUPLICATE, REJECTED, CaseService
from projections.caserow import fold_all
from projections.record import from_domain_event
from tests.unit.conftest import DEPARTMENTS, new_service

CAL = WorkingCalendar()
KINDS = ("register", "assign", "claim", "dispute", "extend", "opinion", "submit_reply",
         "publish_reply", "return", "supervise", "rate", "close", "archive",
         "refer_accountability")
# The natural next step by status, so that long legal chains are common among the illegal ones.
NEXT = {"registered": "assign", "assigned": "claim", "claimed": "submit_reply",
        "reply_submitted": "publish_reply", "published": "rate", "closed": "archive",
        "disputed": "assign", "archived": "archive"}
STARTS = (datetime(2025, 9, 1, 9), datetime(2026, 12, 20, 9), datetime(2001, 1, 1, 0, 30),
          datetime(2000, 12, 31, 20), datetime(2099, 12, 1, 20))
step = st.tuples(
    st.integers(0, 2),                                      # which case
    st.one_of(st.none(), st.none(), st.sampled_from(KINDS)),  # None: the natural next step
    st.integers(-48, 24 * 20),                              # hours after the previous action
    st.sampled_from(["D1", "D1", "D2", "D3", "NOWHERE"]),   # department (one unknown)
    st.integers(1, 20),                                     # working days, priority, flags
    st.sampled_from(["满意", "基本满意", "不满意"]),
    st.sampled_from([8.0, 8.0, 0.0, -12.0, 14.0, 5.5]),     # UTC offset of the time given
)


def fields_of(kind: str, dept: str, n: int, rating: str) -> dict[str, Any]:
    """The action-specific fields, varied by the drawn numbers."""
    others = [d for d in DEPARTMENTS if d != dept][: n % 3]
    table: dict[str, dict[str, Any]] = {
        "register": {"source": "12345", "title": "噪音", "content": "夜间施工",
                     "category": "投诉", "priority": ("一般", "重要", "重大")[n % 3]},
        "assign": {"department": dept, "co_departments": others},
        "claim": {"department": dept} if n % 2 else {},
        "dispute": {"reason": "非本单位职责"}, "extend": {"working_days": n, "reason": "复杂"},
        "opinion": {"text": "意见"}, "submit_reply": {"text": "结果"},
        "publish_reply": {"text": "回复"}, "return": {"reason": "不合格"},
        "supervise": {"level": "督办"}, "rate": {"rating": rating, "default": n % 2 == 0},
        "refer_accountability": {"department": dept, "reason": "逾期"},
    }
    return table.get(kind, {})


def version_of(service: CaseService, number: str) -> tuple[int, str] | None:
    """(version, status) of the case, or None before it is registered."""
    try:
        state = service.state(number)
    except UnknownCase:
        return None
    return state["version"], state["status"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=10, max_size=60), st.sampled_from(STARTS))
def test_every_action_applies_whole_or_is_rejected_with_a_reason_and_changes_nothing(
    steps: list[tuple[int, str | None, int, str, int, str, float]], start: datetime
) -> None:
    service = new_service()
    at = start.replace(tzinfo=timezone(timedelta(hours=8)))
    lines: list[Any] = []
    applied: set[str] = set()
    for c, kind, hours, dept, n, rating, offset in [(c, "register", 1, "D1", 2, "满意", 8.0)
                                                    for c in range(3)] + steps:
        number = f"F-{c}"
        at += timedelta(hours=hours)
        before = version_of(service, number)
        kind = kind or NEXT[before[1]] if before else kind or "register"
        data = {"action": kind, "case": number, "by": "op", "id": f"a{len(lines)}",
                "at": at.astimezone(timezone(timedelta(hours=offset))).isoformat(),
                **fields_of(kind, dept, n, rating)}
        try:
            action = parse_action(data)
        except InvalidAction as exc:
            assert str(exc).startswith("字段 at: ")  # only times outside 2000–2099 fail here
            continue
        lines.append(action)
        outcome = service.apply(action)
        event(outcome.status if outcome.status != REJECTED else outcome.reason.split(":")[0])
        after = version_of(service, number)
        if outcome.status == REJECTED:
            assert outcome.reason and (number in outcome.reason or dept in outcome.reason)
            assert after == before, (outcome, before, after)
        elif outcome.status == APPLIED:
            applied.add(outcome.action_id)
            assert after is not None and after[0] == (before[0] if before else 0) + 1
        else:
            assert outcome.status == DUPLICATE and after == before
    replay = {o.action_id: o.status for o in service.apply_batch(lines)}
    assert all(replay[a] == DUPLICATE for a in applied)
    notes = service.recorder.select_notifications(1, 100_000)
    rows = fold_all([from_domain_event(service.mapper.to_domain_event(n), n.id)
                     for n in notes], CAL)
    for c in range(3):
        state = service.state(f"F-{c}")
        row = next(r for r in rows.values() if r.number == f"F-{c}")
        assert (row.version, row.status, row.holder) == (
            state["version"], state["status"], state["holder"])
