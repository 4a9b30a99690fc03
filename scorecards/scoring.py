"""Scoring (pure): case facts + exposure entries + rules → frozen scorecards with explanations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from scorecards.casefacts import CaseFact
from scorecards.rules import Rules

RATE_LABELS = {"response": "响应率（按时认领）", "resolution": "解决率（办结）",
               "satisfaction": "满意率"}
DEDUCTION_LABELS = {"overdue": "超期", "exposure": "曝光台条目", "supervision": "被督办",
                    "accountability": "移送问责"}


class Flagged(Protocol):
    """An exposure entry as scoring sees it."""

    @property
    def case(self) -> str:
        """The case number."""
        ...

    @property
    def department(self) -> str:
        """The department it names."""
        ...

    @property
    def rule(self) -> str:
        """The rule that put it there."""
        ...


@dataclass(frozen=True)
class Unit:
    """A department to score: code, name and peer group."""

    code: str
    name: str
    group: str


@dataclass(frozen=True)
class RateTrace:
    """One rate: hits over total, its weight, and the cases that did not count as hits."""

    key: str
    label: str
    hits: float
    total: int
    value: float | None
    weight: float
    misses: tuple[str, ...]


@dataclass(frozen=True)
class Deduction:
    """One kind of deduction: points per item and the cases (or entries) behind it."""

    key: str
    label: str
    each: float
    items: tuple[str, ...]
    points: float


@dataclass(frozen=True)
class Scorecard:
    """A department's result: score, rank in its peer group, grade, and the explanation."""

    code: str
    name: str
    group: str
    received: int
    base: float | None
    deducted: float
    score: float | None
    ranked: bool
    rank: int | None
    grade: str | None
    small_sample: bool
    rates: tuple[RateTrace, ...]
    deductions: tuple[Deduction, ...]

    def explanation(self) -> list[str]:
        """Every rate and every deduction in words, naming the cases behind it."""
        lines = []
        for r in self.rates:
            shown = "—" if r.value is None else f"{r.value * 100:.2f}%"
            miss = f"；未计入：{'、'.join(r.misses)}" if r.misses else ""
            lines.append(f"{r.label} {shown}（{_num(r.hits)}/{r.total}，权重 {_num(r.weight)}）"
                         f"{miss}")
        for d in self.deductions:
            if d.items:
                lines.append(f"扣分·{d.label} {len(d.items)} 项 × {_num(d.each)} = "
                             f"{_num(d.points)} 分：{'、'.join(d.items)}")
        if self.small_sample:
            lines.append(f"受理 {self.received} 件，低于最低件数，本期不参与排名")
        return lines


@dataclass(frozen=True)
class ScoreSheet:
    """Every department's scorecard for a period under one rules version."""

    period_from: str
    period_to: str
    as_of: str
    rules_version: str
    min_volume: int
    cards: tuple[Scorecard, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with each card's explanation lines."""
        out = asdict(self)
        out["cards"] = [{**asdict(c), "explanation": c.explanation()} for c in self.cards]
        return out

    def card(self, code: str) -> Scorecard:
        """The card of one department."""
        return next(c for c in self.cards if c.code == code)


def _num(value: float) -> str:
    """A number without a needless '.0'."""
    return f"{value:g}" if float(value).is_integer() else f"{value:.2f}".rstrip("0")


def rate_traces(facts: Sequence[CaseFact], rules: Rules) -> tuple[RateTrace, ...]:
    """The three rates of one department's cases, each with the cases that missed."""
    w = rules.weights

    def satisfied(f: CaseFact) -> float:
        return {"满意": 1.0, "基本满意": w.basic_satisfied}.get(f.rating or "", 0.0)

    rated = [f for f in facts if f.rating is not None]
    specs = (
        ("response", w.response, facts, lambda f: 1.0 if f.claimed_on_time else 0.0),
        ("resolution", w.resolution, facts, lambda f: 1.0 if f.closed else 0.0),
        ("satisfaction", w.satisfaction, rated, satisfied),
    )
    out = []
    for key, weight, pool, hit in specs:
        hits = sum(hit(f) for f in pool)
        misses = tuple(f.number for f in pool if hit(f) < 1.0)
        out.append(RateTrace(key, RATE_LABELS[key], round(hits, 4), len(pool),
                             round(hits / len(pool), 6) if pool else None, weight, misses))
    return tuple(out)


def deductions(code: str, facts: Sequence[CaseFact], entries: Iterable[Flagged],
               rules: Rules) -> tuple[Deduction, ...]:
    """What a department loses: overdue time charged to it, exposure, supervision, referrals."""
    return DeductionIndex(facts, entries).of(code, rules)


class DeductionIndex:
    """Every department's deduction items, gathered in one pass over the facts and entries."""

    def __init__(self, facts: Sequence[CaseFact], entries: Iterable[Flagged]) -> None:
        numbers = {f.number for f in facts}
        self.overdue: dict[str, set[str]] = {}
        self.exposed: dict[str, list[str]] = {}
        self.supervised: dict[str, list[str]] = {}
        self.referred: dict[str, list[str]] = {}
        for f in facts:
            if f.overdue_charged_to is not None:
                self.overdue.setdefault(f.overdue_charged_to, set()).add(f.number)
            if f.replied_late_by is not None:
                self.overdue.setdefault(f.replied_late_by, set()).add(f.number)
            # A penalty names the unit it was aimed at, not the case's holder now.
            for unit in f.supervised_units or ((f.department,) if f.supervised else ()):
                self.supervised.setdefault(unit, []).append(f.number)
            for unit in f.referred_units or ((f.department,) if f.referred else ()):
                self.referred.setdefault(unit, []).append(f.number)
        for e in entries:
            if e.case in numbers:
                self.exposed.setdefault(e.department, []).append(f"{e.case}（{e.rule}）")

    def of(self, code: str, rules: Rules) -> tuple[Deduction, ...]:
        """One department's deductions under the rules."""
        d = rules.deductions
        kinds = (("overdue", d.overdue, sorted(self.overdue.get(code, ()))),
                 ("exposure", d.exposure, sorted(self.exposed.get(code, ()))),
                 ("supervision", d.supervision, sorted(self.supervised.get(code, ()))),
                 ("accountability", d.accountability, sorted(self.referred.get(code, ()))))
        return tuple(Deduction(k, DEDUCTION_LABELS[k], each, tuple(items),
                               round(each * len(items), 4)) for k, each, items in kinds)


def base_score(rates: Sequence[RateTrace]) -> float | None:
    """100 × the weighted mean of the rates that are defined; None when none is."""
    defined = [r for r in rates if r.value is not None and r.weight > 0]
    weight = sum(r.weight for r in defined)
    if not defined or weight <= 0:
        return None
    return 100 * sum(r.weight * (r.value or 0.0) for r in defined) / weight


def rank_within(scores: Sequence[tuple[str, float]]) -> dict[str, int]:
    """Competition ranking (1, 1, 3): equal scores (to 0.01) share a rank."""
    ordered = sorted(scores, key=lambda s: (-round(s[1], 2), s[0]))
    ranks: dict[str, int] = {}
    for i, (code, score) in enumerate(ordered):
        if i and round(score, 2) == round(ordered[i - 1][1], 2):
            ranks[code] = ranks[ordered[i - 1][0]]
        else:
            ranks[code] = i + 1
    return ranks


def score_units(units: Sequence[Unit], facts: Sequence[CaseFact], entries: Sequence[Flagged],
                rules: Rules, min_volume: int, period: tuple[str, str],
                as_of: str) -> ScoreSheet:
    """Score every unit, rank the units with enough cases within their peer groups."""
    by_unit: dict[str, list[CaseFact]] = {}
    for f in facts:
        by_unit.setdefault(f.department, []).append(f)
    index = DeductionIndex(facts, entries)
    unscored = []
    for u in units:
        own = by_unit.get(u.code, [])
        rates = rate_traces(own, rules)
        cuts = index.of(u.code, rules)
        lost = sum(c.points for c in cuts)
        if rules.deductions.cap:
            lost = min(lost, rules.deductions.cap)
        base = base_score(rates)
        score = None if base is None else round(max(base - lost, 0.0), 2)
        unscored.append((u, len(own), base, round(lost, 2), score, rates, cuts))
    ranks: dict[str, int] = {}
    for group in dict.fromkeys(u.group for u in units):
        ranks |= rank_within([(u.code, s) for u, n, _, _, s, _, _ in unscored
                              if u.group == group and s is not None and n >= min_volume])
    cards = tuple(Scorecard(
        code=u.code, name=u.name, group=u.group, received=n,
        base=None if base is None else round(base, 2), deducted=lost, score=score,
        ranked=u.code in ranks, rank=ranks.get(u.code),
        grade=rules.grade(score) if score is not None else None, small_sample=n < min_volume,
        rates=rates, deductions=cuts) for u, n, base, lost, score, rates, cuts in unscored)
    return ScoreSheet(period[0], period[1], as_of, rules.version, min_volume, cards)

