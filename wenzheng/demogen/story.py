"""One case's life in the demonstration city, as the actions that record it."""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.calendar import CalendarNotCovered, business_date
from domain.policy import Deadlines
from wenzheng.demogen import texts as T
from wenzheng.demogen.clock import Clock
from wenzheng.demogen.profiles import Profile

DEFAULT_RATING_DAYS = 7  # no rating within 7 days counts as satisfied (recorded as a default)
DEFAULT_CHANNEL = "系统默认"


@dataclass(frozen=True)
class Unit:
    """A department as the generator sees it."""

    code: str
    name: str
    group: str
    profile: Profile
    volume: float


class Beyond(Exception):
    """The story reached the demonstration's "now" (or a year the calendar does not cover)."""


class Story:
    """The actions of one case, with non-decreasing business times, cut at `as_of`."""

    def __init__(self, number: str, seed: int, as_of: datetime) -> None:
        self.number, self.seed, self.as_of = number, seed, as_of
        self.actions: list[tuple[datetime, dict[str, Any]]] = []
        self.t: datetime | None = None

    def add(self, action: str, at: datetime, by: str, **fields: Any) -> datetime:
        """Record an action (never before the previous one); stop the story past `as_of`."""
        if self.t is not None and at < self.t:
            at = self.t + timedelta(minutes=1)
        if at > self.as_of:
            raise Beyond
        self.t = at
        step = len(self.actions) + 1
        self.actions.append((at, {
            "id": f"demo-{self.seed}-{self.number}-{step}", "action": action, "case": self.number,
            "at": at.isoformat(timespec="seconds"), "by": by, **fields,
        }))
        return at


class Teller:
    """Tells case stories for one city: its clock, units and the demonstration's "now"."""

    def __init__(self, clock: Clock, units: list[Unit], seed: int, as_of: datetime) -> None:
        self.clock, self.units, self.seed, self.as_of = clock, units, seed, as_of
        self.weights = [u.volume for u in units]
        self.districts = [u.name for u in units if u.group == "县市区"] or ["市区"]

    def tell(self, index: int, number: str, arrival: datetime) -> list[tuple[datetime, dict]]:
        """The case's actions up to `as_of`, each with its business time."""
        rng = random.Random(f"{self.seed}:{index}")
        story = Story(number, self.seed, self.as_of)
        with contextlib.suppress(Beyond, CalendarNotCovered):
            self._run(story, rng, arrival)
        return story.actions

    def pick_unit(self, rng: random.Random, exclude: str | None = None) -> Unit:
        """A unit chosen by volume."""
        while True:
            unit = rng.choices(self.units, weights=self.weights)[0]
            if unit.code != exclude or len(self.units) == 1:
                return unit

    def region_of(self, unit: Unit, rng: random.Random) -> str:
        """The district a message is about."""
        if unit.group == "县市区":
            return unit.name
        if unit.group == "乡镇街道":
            return next((d for d in self.districts if unit.name.startswith(d)), unit.name)
        return rng.choice(self.districts)

    def _run(self, story: Story, rng: random.Random, arrival: datetime) -> None:
        """Register, assign and hand over to the department's handling."""
        category, priority = T.pick(rng, T.CATEGORIES), T.pick(rng, T.PRIORITIES)
        unit = self.pick_unit(rng)
        region, topic = self.region_of(unit, rng), T.topic_for(unit.code, rng)
        office = rng.choice(T.OFFICE_STAFF)
        story.add(
            "register", arrival, office, source=T.pick(rng, T.SOURCES),
            title=T.title(category, region, topic, rng),
            content=T.content(category, region, topic, rng), category=category,
            priority=priority, region=region, citizen=T.citizen(rng),
        )
        working = self.clock.is_working(business_date(arrival))
        same_day = not working or (arrival.hour < 16 and rng.random() < 0.7)
        at = self.clock.on_working_day(arrival, 0 if same_day else 1, rng)
        Handling(self, story, rng, priority, topic, office).run(unit, at, may_dispute=True)


class Handling:
    """A department's handling of one case, from assignment to archive."""

    def __init__(self, teller: Teller, story: Story, rng: random.Random, priority: str,
                 topic: str, office: str) -> None:
        self.teller, self.clock, self.story, self.rng = teller, teller.clock, story, rng
        self.priority, self.topic, self.office = priority, topic, office

    def run(self, unit: Unit, at: datetime, may_dispute: bool) -> None:
        """Assign to the unit and follow its behaviour profile."""
        rng, clock, p = self.rng, self.clock, unit.profile
        co = [self.teller.pick_unit(rng, unit.code).code] if rng.random() < 0.05 else []
        self.story.add("assign", at, self.office, department=unit.code, co_departments=co)
        deadlines = clock.on_assign(self.priority, at)
        op = T.dept_operator(unit.code, rng)
        if may_dispute and rng.random() < p.dispute:
            t = self.story.add("dispute", clock.on_working_day(at, rng.choice((0, 1)), rng), op,
                               reason="经核实不属于本单位职责范围，申请退回改派",
                               department=unit.code)
            other = self.teller.pick_unit(rng, unit.code)
            self.run(other, clock.on_working_day(t, rng.choice((0, 1, 1, 2)), rng), False)
            return
        claim_after = 0 if self.priority == "重大" else _choose(rng, p.claim_days)
        claimed = self.story.add("claim", clock.on_working_day(at, claim_after, rng), op,
                                 department=unit.code)
        stuck = rng.random() < p.stuck
        if not stuck and self.priority != "重大" and rng.random() < p.extend:
            days = rng.randint(3, 10)
            t = clock.on_working_day(claimed, rng.randint(0, 2), rng)
            if deadlines.reply is not None and t <= deadlines.reply:
                self.story.add("extend", t, self.office, working_days=days,
                               reason="案情复杂，需实地核查，经审批延期")
                deadlines = clock.on_extend(deadlines, days)
        if self.priority == "重大":
            self.story.add("opinion", clock.on_working_day(claimed, rng.randint(0, 2), rng), op,
                           text=f"已成立专班，{self.topic}问题正在调查处置。",
                           department=unit.code)
        reply_day = self._reply_day(p, claimed, deadlines, stuck)
        reply_day = self._supervision(unit, op, deadlines, reply_day)
        if reply_day is None:
            return
        self._finish(unit, op, clock.office_time(reply_day, rng))

    def _reply_day(self, p: Profile, claimed: datetime, deadlines: Deadlines,
                   stuck: bool) -> Any:
        """The business date the department submits its result (None: not before "now")."""
        if stuck or deadlines.reply is None:
            return None
        due = business_date(deadlines.reply)
        if self.rng.random() < p.late:
            return self.clock.add_working_days(due, self.rng.randint(*p.late_days))
        start = business_date(claimed)
        span = self.clock.working_days_from(start, due)
        return self.clock.add_working_days(start, round(span * self.rng.uniform(*p.reply_share)))

    def _supervision(self, unit: Unit, op: str, deadlines: Deadlines, reply_day: Any) -> Any:
        """Supervise an overdue case; heeding units answer, others are escalated."""
        rng, clock = self.rng, self.clock
        if deadlines.reply is None or (reply_day is not None
                                       and reply_day <= business_date(deadlines.reply)):
            return reply_day
        first = self.story.add("supervise", clock.on_working_day(deadlines.reply, 1, rng),
                               self.office, level="督办", note="已超过办理时限，请立即办理并报告")
        due = business_date(clock.supervision_due(first))
        if unit.profile.heeds_supervision:
            answer = clock.add_working_days(business_date(first), rng.randint(1, 2))
            if reply_day is None and rng.random() < 0.8:
                return None
            return answer if reply_day is None else min(reply_day, answer)
        if reply_day is not None and reply_day <= due:
            return reply_day
        second = self.story.add("supervise", clock.on_working_day(first, 4, rng), self.office,
                                level="挂牌督办", note="督办逾期未回复，挂牌督办")
        if rng.random() < 0.35:
            self.story.add("refer_accountability",
                           clock.on_working_day(second, rng.randint(2, 4), rng), "jw.supervisor",
                           department=unit.code, reason="督办逾期未回复，启动问责程序")
        return reply_day

    def _finish(self, unit: Unit, op: str, submit_at: datetime) -> None:
        """Submit, review (maybe send back), publish, rate, close and archive."""
        rng, clock, p = self.rng, self.clock, unit.profile
        t = self._submit(unit, op, submit_at)
        if rng.random() < p.rework:
            t = self._rework(unit, op, t, "答复内容不完整、未回应诉求，发回重新办理")
        t = self.story.add("publish_reply", clock.on_working_day(t, rng.choice((0, 0, 1)), rng),
                           self.office, text=T.reply_text(unit.name, self.topic))
        t, rating = self._rate(p, t)
        if rating == "不满意" and rng.random() < 0.5:
            t = self._rework(unit, op, t, "网民不满意，回访核实后发回重新办理")
            t = self.story.add("publish_reply", clock.on_working_day(t, rng.choice((0, 1)), rng),
                               self.office, text=T.reply_text(unit.name, self.topic) + "（重办）")
            t, rating = self._rate(p, t)
        t = self.story.add("close", clock.on_working_day(t, rng.choice((0, 1, 2)), rng),
                           self.office)
        self.story.add("archive", clock.on_working_day(t, rng.randint(5, 20), rng), self.office)

    def _submit(self, unit: Unit, op: str, at: datetime) -> datetime:
        """The department's result (a major case needs its opinion first)."""
        return self.story.add("submit_reply", at, op, department=unit.code,
                              text=f"关于{self.topic}问题，我单位已核实处理，结果如下。")

    def _rework(self, unit: Unit, op: str, after: datetime, reason: str) -> datetime:
        """The office sends the result back; the department resubmits in the new time."""
        rng, clock = self.rng, self.clock
        t = self.story.add("return", clock.on_working_day(after, rng.choice((0, 1)), rng),
                           self.office, reason=reason)
        due = business_date(clock.on_return(self.priority, t).reply or t)
        late = rng.random() < unit.profile.late
        days = clock.working_days_from(business_date(t), due)
        day = (clock.add_working_days(due, rng.randint(*unit.profile.late_days)) if late
               else clock.add_working_days(business_date(t), rng.randint(1, max(days, 1))))
        if self.priority == "重大":
            self.story.add("opinion", clock.on_working_day(t, 0, rng), op, department=unit.code,
                           text="重新调查，提出新的办理意见。")
        return self._submit(unit, op, clock.office_time(day, rng))

    def _resolved(self, rating: str, at: datetime) -> bool:
        """The citizen's 是否解决 at a phone callback (its own draw: the rest stays as it was)."""
        draw = random.Random(f"{self.story.seed}:{self.story.number}:{at.isoformat()}")
        return draw.random() < RESOLVED_CHANCE[rating]

    def _rate(self, p: Profile, published: datetime) -> tuple[datetime, str]:
        """The citizen's rating, or the default one after DEFAULT_RATING_DAYS days."""
        rng = self.rng
        if rng.random() < p.explicit:
            rating = T.pick(rng, tuple(zip(T.RATINGS, p.ratings, strict=True)))
            at = published + timedelta(minutes=rng.randrange(60, 5 * 24 * 60))
            channel = rng.choice(("网民评议", "网民评议", "电话回访"))
            by = "citizen" if channel == "网民评议" else self.office
            extra = {"resolved": self._resolved(rating, at)} if channel == "电话回访" else {}
            return self.story.add("rate", at, by, rating=rating, channel=channel,
                                  **extra), rating
        at = published + timedelta(days=DEFAULT_RATING_DAYS)
        return self.story.add("rate", at, "system", rating="满意", channel=DEFAULT_CHANNEL,
                              default=True), "满意"


RESOLVED_CHANCE = {"满意": 0.97, "基本满意": 0.8, "不满意": 0.25}  # 电话回访：是否解决


def _choose(rng: random.Random, weights: tuple[float, ...]) -> int:
    """An index drawn with the given weights."""
    return rng.choices(range(len(weights)), weights=weights)[0]
