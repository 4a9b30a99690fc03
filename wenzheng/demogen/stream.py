"""The demonstration city's year of cases as a stream of action dicts (no I/O)."""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from domain.calendar import end_of_day
from domain.policy import DeadlinePolicy
from wenzheng.demogen.arrivals import arrivals
from wenzheng.demogen.clock import Clock
from wenzheng.demogen.profiles import profile_for, volume_for
from wenzheng.demogen.story import Teller, Unit

Order = Literal["time", "case"]


@dataclass(frozen=True)
class DemoSpec:
    """What to generate: how many cases, from which seed, in which year and order."""

    cases: int = 30_000
    seed: int = 1
    year: int = 2025
    order: Order = "time"


class YearNotCovered(ValueError):
    """The working calendar does not cover the requested year."""


def demo_as_of(policy: DeadlinePolicy, year: int) -> datetime:
    """The demonstration's "now": 31 January of the next year, or 31 December of the last one."""
    covered = policy.calendar.covered
    if year not in covered:
        raise YearNotCovered(
            f"工作日历只覆盖 {covered.start}–{covered.stop - 1} 年，不能为 {year} 年生成示范数据"
        )
    if year + 1 in covered:
        return end_of_day(date(year + 1, 1, 31))
    return end_of_day(date(year, 12, 31))


def case_number(year: int, index: int, total: int) -> str:
    """The demonstration case number, e.g. SF2025-000123."""
    return f"SF{year}-{index:0{max(6, len(str(total)))}d}"


def units_of(departments: Iterable[tuple[str, str, str]], seed: int) -> list[Unit]:
    """Departments (code, name, group) with their behaviour profiles and volumes."""
    return [Unit(code, name, group, profile_for(code, seed), volume_for(code, group))
            for code, name, group in departments]


def stories(spec: DemoSpec, policy: DeadlinePolicy,
            departments: Iterable[tuple[str, str, str]]) -> Iterator[list[tuple[datetime, dict]]]:
    """Each case's actions (with business times), cases in arrival order; streams."""
    as_of = demo_as_of(policy, spec.year)
    clock = Clock(policy)
    teller = Teller(clock, units_of(departments, spec.seed), spec.seed, as_of)
    rng = random.Random(f"arrivals:{spec.seed}:{spec.year}")
    for index, arrival in enumerate(arrivals(clock, spec.year, spec.cases, rng), start=1):
        yield teller.tell(index, case_number(spec.year, index, spec.cases), arrival)


def generate(spec: DemoSpec, policy: DeadlinePolicy,
             departments: Iterable[tuple[str, str, str]]) -> Iterator[dict[str, Any]]:
    """Every action of the demonstration year, case by case or in global time order."""
    if spec.order == "case":
        for story in stories(spec, policy, departments):
            for _, action in story:
                yield action
        return
    pending: list[tuple[datetime, int, dict[str, Any]]] = []
    seq = 0
    for story in stories(spec, policy, departments):
        if not story:
            continue
        start = story[0][0]
        while pending and pending[0][0] <= start:
            yield heapq.heappop(pending)[2]
        for at, action in story:
            seq += 1
            heapq.heappush(pending, (at, seq, action))
    while pending:
        yield heapq.heappop(pending)[2]
