"""Scoring (pure): case facts + exposure entries + rules → frozen scorecards with explanations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from domain.labels import RULE_ZH
from domain.vocabulary import Rating
from scorecards.casefacts import CaseFact
from scorecards.rules import Rules

RATE_LABELS = {"response": "响应率（按时认领）", "resolution": "解决率（办结）",
               "satisfaction": "满意率"}
DEDUCTION_LABELS = {"overdue": "超期", "exposure": "曝光台条目", "supervision": "被督办",
                    "accountability": "移送问责"}
KINDS = tuple(DEDUCTION_LABELS)
# The exposure rules' Chinese names (domain/labels.py); never show a rule's key.
def rule_name(rule: str) -> str:
    """An exposure rule's Chinese name."""
    return RULE_ZH.get(rule, "其他曝光规则")


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
    citizen: int = 0  # answers behind the rate that were the citizen's own (满意度, 是否解决)
    defaults: int = 0  # default ratings among the cases (counted or not, as the rules say)
    defaults_counted: bool = True


@dataclass(frozen=True)
class Deduction:
    """One kind of deduction: points per item and the cases (or entries) behind it.

    `per` says how `each` applies: "item" (per case or entry) or "percent" (per 1% of the
    unit's cases); `raw` is before the kind's `cap` (0: none); `merged` lists cases of this
    kind already charged under a heavier kind (one incident, one charge).
    """

    key: str
    label: str
    each: float
    items: tuple[str, ...]
    points: float
    per: str = "item"
    cap: float = 0.0
    raw: float = 0.0
    merged: tuple[str, ...] = ()

    def line(self, received: int, limit: int | None = None) -> str:
        """The deduction in words: count, how it is charged, points, and the cases."""
        n = len(self.items)
        if not n:
            return (f"{self.label} {len(self.merged)} 件已按更重的扣分项计算，不重复扣分："
                    f"{listed(self.merged, limit)}")
        head = f"扣分·{self.label} {n} {'条' if self.key == 'exposure' else '件'}"
        capped = f"（本项上限 {_num(self.cap)} 分）" if self.cap and self.raw > self.cap else ""
        if self.per == "percent":
            share = _num(round(100 * n / max(received, 1), 2))
            head += (f"，占受理 {share}%，每 1% 扣 {_num(self.each)} 分，计 {_num(self.points)} 分"
                     f"{capped}")
        else:
            head += f" × {_num(self.each)} = {_num(self.points)} 分{capped}"
        text = f"{head}：{listed(self.items, limit)}"
        if self.merged:
            text += f"；另有 {len(self.merged)} 件已按更重的扣分项计算，不重复扣分"
        return text


def listed(items: Sequence[str], limit: int | None = None) -> str:
    """Items joined by '、', the first `limit` of them and "…及另外 N 件" for the rest."""
    if limit is None or len(items) <= limit:
        return "、".join(items)
    return f"{'、'.join(items[:limit])}…及另外 {len(items) - limit} 件"


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

    def explanation(self, limit: int | None = None) -> list[str]:
        """Every rate and every deduction in words, naming the cases behind it (the first
        `limit` of each list when given, with how many more)."""
        lines = []
        for r in self.rates:
            shown = "—" if r.value is None else f"{r.value * 100:.2f}%"
            miss = f"；未计入：{listed(r.misses, limit)}" if r.misses else ""
            lines.append(f"{r.label} {shown}（{_num(r.hits)}/{r.total}，权重 {_num(r.weight)}）"
                         f"{answers_note(r)}{miss}")
        for d in self.deductions:
            if d.items or d.merged:
                lines.append(d.line(self.received, limit))
        if self.base is not None and self.score is not None:
            parts = "".join(f" − {d.label} {_num(d.points)}" for d in self.deductions
                            if d.points)
            capped = "（扣分总额已达上限）" if parts and round(
                sum(d.points for d in self.deductions), 2) > self.deducted else ""
            lines.append(f"得分 = 三率基础分 {self.base:.2f}{parts}{capped} = {self.score:.2f}")
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


def answers_note(r: RateTrace) -> str:
    """Whose word a satisfaction or (citizen-based) resolution rate rests on."""
    if r.key == "satisfaction":
        how = "计入" if r.defaults_counted else "不计入"
        return f"，群众本人评价 {r.citizen} 件、默认评价 {r.defaults} 件（默认评价{how}）"
    if r.key == "resolution" and r.citizen:
        return f"，群众本人答复“是否解决” {r.citizen} 件、默认 0 件"
    return ""


def rate_traces(facts: Sequence[CaseFact], rules: Rules) -> tuple[RateTrace, ...]:
    """The three rates of one department's cases, each with the cases that missed."""
    w, how = rules.weights, rules.answers

    def satisfied(f: CaseFact) -> float:
        credit: dict[str, float] = {Rating.SATISFIED: 1.0,
                                    Rating.BASICALLY_SATISFIED: w.basic_satisfied}
        return credit.get(f.rating or "", 0.0)

    def claimed(f: CaseFact) -> float:
        return 1.0 if f.claimed_on_time else 0.0

    def closed(f: CaseFact) -> float:
        return 1.0 if f.closed else 0.0

    def resolved(f: CaseFact) -> float:
        return 1.0 if f.resolved else 0.0

    rated = [f for f in facts if f.rating is not None]
    own = sum(1 for f in rated if not f.rating_default)
    counted = how.default_ratings == "count"
    by_citizen = how.resolution == "citizen"
    answered = [f for f in facts if f.resolved is not None] if by_citizen else list(facts)
    specs = (
        ("response", w.response, facts, claimed, 0, 0),
        ("resolution", w.resolution, answered, resolved if by_citizen else closed,
         len(answered) if by_citizen else 0, 0),
        ("satisfaction", w.satisfaction,
         rated if counted else [f for f in rated if not f.rating_default], satisfied, own,
         len(rated) - own),
    )
    out = []
    for key, weight, pool, hit, mine, defaults in specs:
        hits = sum(hit(f) for f in pool)
        misses = tuple(f.number for f in pool if hit(f) < 1.0)
        out.append(RateTrace(key, rate_label(key, rules), round(hits, 4), len(pool),
                             round(hits / len(pool), 6) if pool else None, weight, misses,
                             mine, defaults, counted))
    return tuple(out)


def rate_label(key: str, rules: Rules) -> str:
    """A rate's Chinese label; 解决率 says what it rests on."""
    if key == "resolution" and rules.answers.resolution == "citizen":
        return "解决率（群众答复）"
    return RATE_LABELS[key]


def deductions(code: str, facts: Sequence[CaseFact], entries: Iterable[Flagged],
               rules: Rules, received: int = 0) -> tuple[Deduction, ...]:
    """What a department loses: overdue time charged to it, exposure, supervision, referrals."""
    return DeductionIndex(facts, entries).of(code, rules, received)


class DeductionIndex:
    """Every department's deduction items, gathered in one pass over the facts and entries."""

    def __init__(self, facts: Sequence[CaseFact], entries: Iterable[Flagged]) -> None:
        numbers = {f.number for f in facts}
        # kind → department → case → what it is charged for (exposure: the rules' names)
        self.found: dict[str, dict[str, dict[str, list[str]]]] = {k: {} for k in KINDS}

        def add(kind: str, code: str, case: str, what: str) -> None:
            self.found[kind].setdefault(code, {}).setdefault(case, []).append(what)

        for f in facts:
            if f.overdue_charged_to is not None:
                add("overdue", f.overdue_charged_to, f.number, f.number)
            if f.replied_late_by is not None and f.replied_late_by != f.overdue_charged_to:
                add("overdue", f.replied_late_by, f.number, f.number)
            # A penalty names the unit it was aimed at, not the case's holder now.
            for unit in f.supervised_units or ((f.department,) if f.supervised else ()):
                add("supervision", unit, f.number, f.number)
            for unit in f.referred_units or ((f.department,) if f.referred else ()):
                add("accountability", unit, f.number, f.number)
        for e in entries:
            if e.case in numbers:
                add("exposure", e.department, e.case, rule_name(e.rule))

    def of(self, code: str, rules: Rules, received: int = 0) -> tuple[Deduction, ...]:
        """One department's deductions under the rules (`received`: its cases, for "percent")."""
        d = rules.deductions
        own = {k: dict(self.found[k].get(code, {})) for k in KINDS}
        merged: dict[str, list[str]] = {k: [] for k in KINDS}
        if d.once_per_case:  # one incident, one charge: the heaviest kind that applies
            for case in set().union(*own.values()):
                having = [k for k in KINDS if case in own[k]]
                top = max(having, key=d.each)
                for k in having:
                    if k != top:
                        del own[k][case]
                        merged[k].append(case)
        scale = 100 / max(received, 1) if d.per == "percent" else 1.0
        out = []
        for k in KINDS:
            items = tuple(sorted(_items(k, own[k], d.once_per_case)))
            raw = round(d.each(k) * len(items) * scale, 4)
            cap = d.cap_of(k)
            out.append(Deduction(k, DEDUCTION_LABELS[k], d.each(k), items,
                                 round(min(raw, cap) if cap else raw, 4), d.per, cap, raw,
                                 tuple(sorted(merged[k]))))
        return tuple(out)


def _items(kind: str, cases: dict[str, list[str]], once: bool) -> list[str]:
    """The items of a kind: case numbers; exposure entries as "case（rule names）"."""
    if kind != "exposure":
        return list(cases)
    if once:
        return [f"{case}（{'、'.join(sorted(set(rules)))}）" for case, rules in cases.items()]
    return [f"{case}（{rule}）" for case, rules in cases.items() for rule in rules]


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
        cuts = index.of(u.code, rules, len(own))
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

