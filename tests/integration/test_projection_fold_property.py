"""Property: incremental read models equal a from-scratch fold; replays change nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.actions import parse_action
from domain.calendar import BUSINESS_TZ, WorkingCalendar
from domain.policy import DeadlinePolicy, TimeLimits
from domain.service import CaseService
from projections.caserow import fold_all
from projections.db import Database
from projections.follower import StoreSource
from projections.record import EventRecord
from projections.writer import CaseProjection

CAL = WorkingCalendar()
T0 = datetime(2025, 9, 1, 9, 0, tzinfo=BUSINESS_TZ)
DEPTS = ("CGJ", "HBJ", "GAJ")
KINDS = ("assign", "claim", "dispute", "extend", "opinion", "submit_reply", "publish_reply",
         "return", "supervise", "rate", "close", "archive", "refer_accountability")

NEXT = {"registered": ("assign",), "assigned": ("claim", "claim", "extend", "claim", "dispute"),
        "claimed": ("opinion", "submit_reply", "submit_reply"),
        "reply_submitted": ("publish_reply", "publish_reply", "publish_reply", "return"),
        "published": ("rate", "close", "return"), "closed": ("archive", "rate"),
        "disputed": ("assign",), "archived": ("archive",)}
# None: the natural next step of the case's chain (so long legal sequences are common).
step = st.tuples(st.integers(0, 2), st.one_of(st.none(), st.none(), st.sampled_from(KINDS)),
                 st.integers(0, 96),
                 st.sampled_from(DEPTS), st.sampled_from(("满意", "基本满意", "不满意")),
                 st.booleans())


def action(case: int, kind: str, at: datetime, dept: str, rating: str, flag: bool) -> Any:
    """A case action of the given kind (it may well be illegal in the case's state)."""
    data: dict[str, Any] = {"case": f"P-{case}", "action": kind, "at": at.isoformat(),
                            "by": "op"}
    extra: dict[str, dict[str, Any]] = {
        "assign": {"department": dept}, "dispute": {"reason": "非本单位职责"},
        "extend": {"working_days": 3, "reason": "需要协调"}, "opinion": {"text": "意见"},
        "submit_reply": {"text": "结果"}, "publish_reply": {"text": "回复"},
        "return": {"reason": "不合格"}, "supervise": {"level": "督办"},
        "rate": {"rating": rating, "channel": "网民评议", "default": flag},
        "refer_accountability": {"department": dept, "reason": "超期"},
    }
    return parse_action({**data, **extra.get(kind, {})})


def events_of(steps: list[tuple[int, str | None, int, str, str, bool]]) -> list[EventRecord]:
    """Apply registrations and the random steps; return the stored events in log order."""
    service = CaseService(DeadlinePolicy(TimeLimits(), CAL), DEPTS,
                          env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    at = T0
    actions: list[Any] = []
    for i in range(3):
        actions.append(parse_action({
            "case": f"P-{i}", "action": "register", "at": at.isoformat(), "by": "op",
            "source": "留言板", "title": f"诉求{i}", "content": "内容", "category": "投诉",
            "priority": ("一般", "重要", "重大")[i]}))
    for a in actions:
        service.apply(a)
    for n, (case, kind, hours, dept, rating, flag) in enumerate(steps):
        at += timedelta(hours=hours)
        if kind is None:
            choices = NEXT[service.state(f"P-{case}")["status"]]
            kind = choices[n % len(choices)]
        service.apply(action(case, kind, at, dept, rating, flag))
    records, _ = StoreSource(service).read(0, 10_000)
    return records


def fresh_projection() -> CaseProjection:
    """The SQL case projection on an in-memory SQLite database."""
    return CaseProjection(Database.sqlite(":memory:"), CAL)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=5, max_size=60), cuts=st.lists(st.integers(1, 7)),
       replay=st.lists(st.integers(0, 200), max_size=10))
def test_incremental_read_models_equal_a_fold_from_scratch_and_replays_change_nothing(
        steps: list[tuple[int, str | None, int, str, str, bool]], cuts: list[int],
        replay: list[int]) -> None:
    records = events_of(steps)
    expected = fold_all(records, CAL)
    projection = fresh_projection()
    i, sizes = 0, iter(cuts)
    while i < len(records):
        size = next(sizes, 5)
        projection.apply(records[i:i + size], records[min(i + size, len(records)) - 1].position)
        i += size
    assert projection.all_rows() == expected
    history = projection.db.fetchall("SELECT count(*) FROM rm_history")
    assert history == [(len(records),)]
    before = projection.db.fetchall("SELECT * FROM rm_history ORDER BY case_id, version")

    again = [records[k % len(records)] for k in replay]
    projection.apply(again)  # replayed positions: tracking skips them
    projection.apply_untracked(again)  # duplicates by (case, version): skipped too
    assert projection.all_rows() == expected
    assert projection.db.fetchall("SELECT * FROM rm_history ORDER BY case_id, version") == before
