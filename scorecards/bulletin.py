"""The monthly bulletin (每月通报) as frozen content, built purely from a month's inputs."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from domain.labels import OVERDUE_STAGE_ZH
from domain.vocabulary import OFFICE
from scorecards.casefacts import CaseFact
from scorecards.exposure import Entry
from scorecards.masking import mask_text
from scorecards.rules import Rules
from scorecards.scoring import Scorecard, ScoreSheet

LIST_SIZE = 5
OVERALL = (("received", "受理件数"), ("replied", "公开回复件数"), ("reply_rate", "回复率"),
           ("on_time_rate", "按时率"), ("completion_rate", "办结率"),
           ("satisfaction_rate", "满意率"), ("rework_rate", "返工率"),
           ("overdue_open", "在办超期件数"),
           ("ratings_citizen", "满意度评价中群众本人评价件数"),
           ("ratings_default", "满意度评价中默认评价件数"),
           ("resolution_rate", "解决率（群众答复）"),
           ("resolved_answers", "群众答复“是否解决”件数"))


@dataclass(frozen=True)
class MonthInputs:
    """One month's figures as of its cut-off: metrics JSON, scorecards, case facts, exposure."""

    month: str
    as_of: str
    figures: dict[str, Any]
    sheet: ScoreSheet
    facts: tuple[CaseFact, ...]
    exposure: tuple[Entry, ...]
    names: dict[str, str]


@dataclass(frozen=True)
class Figure:
    """An overall figure this month, last month and the change."""

    key: str
    label: str
    this: float | None
    last: float | None
    change: float | None


@dataclass(frozen=True)
class RankRow:
    """A unit's line in a ranking."""

    group: str
    rank: int | None
    code: str
    name: str
    received: int
    score: float | None
    grade: str | None
    deducted: float


@dataclass(frozen=True)
class CaseLine:
    """A case named in the bulletin (no personal data: free text is masked when built)."""

    number: str
    department: str
    title: str
    note: str


@dataclass(frozen=True)
class BulletinContent:
    """The whole bulletin's content (domain/bulletin.py records it issued); its hash covers all."""

    month: str
    city: str
    office: str
    rules_version: str
    as_of: str
    previous_month: str
    overall: tuple[Figure, ...]
    rankings: tuple[RankRow, ...]
    unranked: tuple[RankRow, ...]
    praise: tuple[RankRow, ...]
    criticism: tuple[RankRow, ...]
    to_explain: tuple[CaseLine, ...]
    overdue: tuple[CaseLine, ...]
    supervised: tuple[CaseLine, ...]
    new_exposure: tuple[CaseLine, ...]
    categories: tuple[tuple[str, int], ...]
    provisional: tuple[str, ...] = ()  # cases whose figures rest on provisional deadlines

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready content (`provisional` only when there are such cases)."""
        content = asdict(self)
        if not self.provisional:
            del content["provisional"]
        return content

    def content_hash(self) -> str:
        """sha256 of the canonical JSON of the content."""
        text = json.dumps(self.as_dict(), ensure_ascii=False, sort_keys=True,
                          separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _change(this: Any, last: Any) -> float | None:
    """this − last (an int for counts), or None."""
    if this is None or last is None:
        return None
    if isinstance(this, int) and isinstance(last, int):
        return this - last
    return round(float(this) - float(last), 4)


def _row(card: Scorecard) -> RankRow:
    """A scorecard as a ranking line."""
    return RankRow(card.group, card.rank, card.code, card.name, card.received, card.score,
                   card.grade, card.deducted)


def _name(names: dict[str, str], code: str) -> str:
    """'name' of a code."""
    return names.get(code, code)


def build_bulletin(this: MonthInputs, last: MonthInputs, rules: Rules, city: str,
                   office: str) -> BulletinContent:
    """The bulletin of `this` month compared with `last` month."""
    now, before = this.figures["total"], last.figures["total"]
    overall = tuple(Figure(k, label, now.get(k), before.get(k), _change(now.get(k),
                                                                        before.get(k)))
                    for k, label in OVERALL)
    cards = this.sheet.cards
    order = {g: i for i, g in enumerate(dict.fromkeys(c.group for c in cards))}
    ranked = sorted((c for c in cards if c.ranked),
                    key=lambda c: (order[c.group], c.rank or 0, c.code))
    by_score = sorted((c for c in cards if c.ranked), key=lambda c: (-(c.score or 0), c.code))
    praise = by_score[:LIST_SIZE]
    bottom = [c for c in reversed(by_score[LIST_SIZE:])][:LIST_SIZE]
    names = this.names
    overdue = tuple(CaseLine(f.number, _name(names, f.overdue_charged_to or f.replied_late_by
                                             or f.department), mask_text(f.title),
                             OVERDUE_STAGE_ZH.get(f.overdue_stage or "", "超期后才公开回复"))
                    for f in this.facts if f.overdue_stage or f.replied_late_by)
    owing = sorted({f.overdue_charged_to or f.replied_late_by or "" for f in this.facts
                    if f.overdue_stage or f.replied_late_by} - {"", OFFICE})
    to_explain = tuple(CaseLine("", _name(names, code), "", "、".join(
        f.number for f in this.facts
        if code in (f.overdue_charged_to, f.replied_late_by))) for code in owing)
    supervised = tuple(CaseLine(f.number, "、".join(_name(names, u) for u in (
        f.supervised_units or (f.department,))), mask_text(f.title), f"督办 {f.supervised} 次")
        for f in this.facts if f.supervised)
    seen = {(e.rule, e.case, e.department) for e in last.exposure}
    fresh = tuple(CaseLine(e.case, e.department_name, mask_text(e.demand), mask_text(e.reason))
                  for e in this.exposure if (e.rule, e.case, e.department) not in seen)
    counts = Counter(f.category for f in this.facts)
    categories = tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:LIST_SIZE])
    return BulletinContent(
        month=this.month, city=city, office=office, rules_version=rules.version,
        as_of=this.as_of, previous_month=last.month, overall=overall,
        rankings=tuple(_row(c) for c in ranked),
        unranked=tuple(_row(c) for c in cards if not c.ranked and c.received),
        praise=tuple(_row(c) for c in praise), criticism=tuple(_row(c) for c in bottom),
        to_explain=to_explain, overdue=overdue, supervised=supervised, new_exposure=fresh,
        categories=categories)


def _flat(value: Any, path: str = "") -> dict[str, Any]:
    """Leaves of nested content by path; list items are named by key, code or number."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out |= _flat(v, f"{path}.{k}" if path else str(k))
        return out
    if isinstance(value, (list, tuple)):
        out = {}
        for i, item in enumerate(value):
            name = str(i)
            if isinstance(item, dict):
                name = str(item.get("key") or item.get("code") or item.get("number") or i)
                item = {k: v for k, v in item.items() if k not in ("key", "code")}
            out |= _flat(item, f"{path}.{name}")
        return out
    return {path: value}


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Every changed, added or removed figure between two bulletins' content, as text."""
    a, b = _flat(old), _flat(new)
    lines = []
    for path in sorted(a.keys() | b.keys()):
        if a.get(path, "∅") != b.get(path, "∅"):
            lines.append(f"{path}: {a.get(path, '∅')} → {b.get(path, '∅')}")
    return lines
