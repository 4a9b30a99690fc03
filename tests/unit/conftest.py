"""Unit-level helpers: Beijing times, the official 2025/2026 calendars, a case driver."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.actions import parse_action
from domain.calendar import WorkingCalendar
from domain.case import Case
from domain.policy import SHIPPED_LIMITS, DeadlinePolicy, Deadlines
from domain.service import CaseService

BJ = ZoneInfo("Asia/Shanghai")
DEPARTMENTS = ("D1", "D2", "D3")
# The 2025 default limits (working days, a 1-day claim limit): most unit tests were written
# against them and they stay a shipped policy (old stored deadlines were made by them).
POLICY = DeadlinePolicy(SHIPPED_LIMITS["2025-default"], WorkingCalendar())

# The State Council's notices (国办发明电〔2024〕12号 for 2025, 2025年11月4日 for 2026), written
# out by hand: weekdays off, and weekend days that are working days (调休).
OFFICIAL_WEEKDAYS_OFF = {
    date(2025, 1, 1), *(date(2025, 1, d) for d in (28, 29, 30, 31)),
    date(2025, 2, 3), date(2025, 2, 4), date(2025, 4, 4), date(2025, 5, 1), date(2025, 5, 2),
    date(2025, 5, 5), date(2025, 6, 2), *(date(2025, 10, d) for d in (1, 2, 3, 6, 7, 8)),
    date(2026, 1, 1), date(2026, 1, 2), *(date(2026, 2, d) for d in (16, 17, 18, 19, 20, 23)),
    date(2026, 4, 6), date(2026, 5, 1), date(2026, 5, 4), date(2026, 5, 5), date(2026, 6, 19),
    date(2026, 9, 25), *(date(2026, 10, d) for d in (1, 2, 5, 6, 7)),
}
OFFICIAL_MAKEUP_DAYS = {
    date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28),
    date(2025, 10, 11), date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28),
    date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10),
}


def bj(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment in Beijing time."""
    return datetime(year, month, day, hour, minute, tzinfo=BJ)


def eod(day: date) -> datetime:
    """The last moment of a day in Beijing, written independently of domain.calendar."""
    return datetime.combine(day, time(23, 59, 59, 999999), BJ)


def official_is_working(day: date) -> bool:
    """Working day per the hand-written 2025/2026 notices above."""
    assert day.year in (2025, 2026), day
    if day in OFFICIAL_MAKEUP_DAYS:
        return True
    return day.weekday() < 5 and day not in OFFICIAL_WEEKDAYS_OFF


class Chain:
    """Drives one Case aggregate through the chain; each step is one hour after the last."""

    def __init__(
        self, priority: str = "一般", number: str = "C-1", start: datetime | None = None,
        policy: DeadlinePolicy = POLICY,
    ) -> None:
        self.clock = start or bj(2025, 9, 1, 9)
        self.policy = policy
        self.steps = 0
        self.case = Case(
            number=number, source="人民网留言板", title="路灯不亮", content="小区路灯坏了",
            category="投诉", priority=priority, region="示范区",
            citizen={"name": "张三", "phone": "13800000000"},
            at=self.clock, by="office-1", action_id="a-register",
        )

    def tick(self, hours: float = 1) -> datetime:
        """Move the clock on and return it."""
        self.clock += timedelta(hours=hours)
        return self.clock

    def common(self, at: datetime | None) -> dict[str, Any]:
        """at/by/action_id for the next command."""
        self.steps += 1
        return {"at": at or self.tick(), "by": "op", "action_id": f"a-{self.steps}"}

    def do(self, action: str, at: datetime | None = None, **kw: Any) -> None:
        """Run one command of the chain with sensible defaults (overridable by keywords)."""
        c, priority = self.case, self.case.priority
        common = self.common(at)
        moment = common["at"]
        if action == "assign":
            deadlines = kw.pop("deadlines", None)
            if deadlines is None:
                deadlines = self.policy.on_assign(priority, moment).to_dict()
            c.assign(kw.get("department", "D1"), kw.get("co_departments", ["D2"]), deadlines,
                     **common)
        elif action == "claim":
            c.claim(kw.get("department", c.holder), **common)
        elif action == "dispute":
            c.dispute(kw.get("reason", "不属于本单位职责"), kw.get("department", c.holder),
                      **common)
        elif action == "extend":
            days = kw.get("working_days", 3)
            current = Deadlines.from_dict(c.deadlines)
            deadlines = self.policy.on_extend(current, days).to_dict() if current.reply else {}
            c.extend(days, "情况复杂", deadlines, kw.get("max_days", 15), **common)
        elif action == "opinion":
            c.give_opinion("拟于三日内修复", kw.get("department", c.holder), **common)
        elif action == "submit_reply":
            c.submit_reply("已修复", kw.get("department", c.holder), **common)
        elif action == "publish_reply":
            c.publish_reply("您反映的路灯已修复", **common)
        elif action == "return":
            deadlines = self.policy.on_return(priority, moment).to_dict()
            c.send_back("答复不具体", deadlines, **common)
        elif action == "supervise":
            c.supervise("督办", "请加快办理", self.policy.supervision_due(moment), **common)
        elif action == "rate":
            c.rate(kw.get("rating", "满意"), "网民评议", kw.get("default", False), **common)
        elif action == "close":
            c.close(**common)
        elif action == "archive":
            c.archive(**common)
        elif action == "refer_accountability":
            c.refer_accountability(kw.get("department", "D1"), "逾期未办", **common)
        else:
            raise AssertionError(f"unknown action {action}")


CHAIN_ACTIONS = (
    "assign", "claim", "dispute", "extend", "opinion", "submit_reply", "publish_reply",
    "return", "supervise", "rate", "close", "archive", "refer_accountability",
)
STATUSES = (
    "registered", "assigned", "claimed", "disputed", "reply_submitted", "published", "closed",
    "archived",
)
PATH_TO: dict[str, tuple[str, ...]] = {
    "registered": (),
    "assigned": ("assign",),
    "claimed": ("assign", "claim"),
    "disputed": ("assign", "dispute"),
    "reply_submitted": ("assign", "claim", "submit_reply"),
    "published": ("assign", "claim", "submit_reply", "publish_reply"),
    "closed": ("assign", "claim", "submit_reply", "publish_reply", "close"),
    "archived": ("assign", "claim", "submit_reply", "publish_reply", "close", "archive"),
}


def pending(case: Case) -> list[Any]:
    """Collect the aggregate's new events (typed loosely: each event class has its own fields)."""
    return list(case.collect_events())


def chain_in(status: str, priority: str = "一般") -> Chain:
    """A case driven to the given status, its events already collected."""
    chain = Chain(priority)
    for action in PATH_TO[status]:
        if action == "submit_reply" and priority == "重大":
            chain.do("opinion")
        chain.do(action)
    assert chain.case.status == status
    chain.case.collect_events()
    return chain


def new_service(policy: DeadlinePolicy = POLICY) -> CaseService:
    """A CaseService on eventsourcing's own in-memory store (plain Python objects)."""
    return CaseService(policy, DEPARTMENTS, env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


class ServiceClock:
    """Builds action lines for one case on a service, each an hour after the previous."""

    def __init__(self, service: CaseService, number: str = "S-1",
                 start: datetime | None = None) -> None:
        self.service, self.number = service, number
        self.clock = start or bj(2025, 9, 1, 9)

    def line(self, action: str, at: datetime | None = None, **fields: Any) -> dict[str, Any]:
        """One action line (as a dict) with defaults for its required fields."""
        if at is None:
            self.clock += timedelta(hours=1)
            at = self.clock
        defaults: dict[str, dict[str, Any]] = {
            "register": {"source": "12345", "title": "噪音扰民", "content": "夜间施工",
                         "category": "投诉", "priority": "一般",
                         "citizen": {"name": "李四", "phone": "13900000000"}},
            "assign": {"department": "D1", "co_departments": ["D2"]},
            "dispute": {"reason": "非本单位职责"}, "extend": {"working_days": 2, "reason": "复杂"},
            "opinion": {"text": "意见"}, "submit_reply": {"text": "结果"},
            "publish_reply": {"text": "回复"}, "return": {"reason": "不合格"},
            "supervise": {"level": "督办", "note": "加快"}, "rate": {"rating": "满意"},
            "refer_accountability": {"department": "D1", "reason": "逾期"},
        }
        return {"action": action, "case": self.number, "at": at.isoformat(), "by": "op",
                **defaults.get(action, {}), **fields}

    def apply(self, action: str, at: datetime | None = None, **fields: Any) -> Any:
        """Apply one action line; return its Outcome."""
        return self.service.apply(parse_action(self.line(action, at, **fields)))


@pytest.fixture
def service() -> CaseService:
    """A fresh in-memory CaseService."""
    return new_service()
