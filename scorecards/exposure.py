"""The exposure list (曝光台): entries derived from the read models by published rules."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.calendar import BUSINESS_TZ
from domain.labels import STAGE_ZH, STANDING_ZH
from domain.vocabulary import OFFICE, ExposureRule
from projections import charges as ch
from projections.caserow import WorkingDays
from projections.db import Database
from projections.schema import STATE_COLUMNS, from_micros, to_micros
from projections.tables import CASES
from scorecards.asof import as_of_sql, bind
from scorecards.overdue import STAGE_DUE

# Version of the default rules; 2026-i16 added 推诿 (passed_on) and the charge to the unit aimed at.
RULES_VERSION = "2026-i16"


class ExposureRules(BaseModel):
    """`[exposure]` in wenzheng.toml; a rule is off when its threshold is 0 or it is false."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(RULES_VERSION, min_length=1, max_length=50)
    overdue_working_days: float = Field(5, ge=0)
    returned_times: int = Field(2, ge=0)
    dissatisfied_after_rework: bool = True
    supervision_unanswered: bool = True
    passed_on_times: int = Field(3, ge=0)  # 推诿: disputed this many times in one case


@dataclass(frozen=True)
class Entry:
    """One exposure entry; carries no personal data of the citizen."""

    rule: str
    reason: str
    case: str
    department: str
    department_name: str
    demand: str
    handling: str
    assigned_at: str | None
    deadline: str | None
    event_at: str | None


_QUERY = f"""
SELECT s.*, c.number, c.title, c.reply_summary FROM ({as_of_sql()}) s
JOIN {CASES} c ON c.case_id = s.case_id
WHERE s.first_assigned_at IS NOT NULL AND (s.overdue_stage IS NOT NULL OR s.published_late = 1
   OR s.rework_count >= :returned OR s.dissatisfied_after_rework_at IS NOT NULL
   OR s.supervision_due < :as_of OR s.supervision_late > 0 OR s.dispute_count >= :passed)
"""
_COLUMNS = (*STATE_COLUMNS, "overdue_stage", "charged_to", "number", "title", "reply_summary")


def exposure(db: Database, as_of: datetime, rules: ExposureRules, calendar: WorkingDays,
             names: dict[str, str]) -> list[Entry]:
    """Every entry the rules produce as of a moment, rule by rule, oldest first."""
    returned = rules.returned_times if rules.returned_times > 0 else 10**9
    passed = rules.passed_on_times if rules.passed_on_times > 0 else 10**9
    text, params = bind(_QUERY, as_of=to_micros(as_of), returned=returned, passed=passed)
    with db.consistent_read():
        rows = [dict(zip(_COLUMNS, r, strict=True)) for r in db.fetchall(text, params)]
    out: list[Entry] = []
    for r in rows:
        out.extend(_entries(r, as_of, rules, calendar, names))
    return sorted(out, key=lambda e: (e.rule, e.event_at or "", e.case))


def _entries(r: dict[str, Any], as_of: datetime, rules: ExposureRules, calendar: WorkingDays,
             names: dict[str, str]) -> list[Entry]:
    """The entries one case earns."""
    lead = r["lead"] or r["last_disputed_by"] or OFFICE
    found: list[tuple[ExposureRule, str, str, int | None, int | None]] = []
    if rules.overdue_working_days > 0:
        if r["overdue_stage"]:
            due = r[STAGE_DUE[r["overdue_stage"]]]
            days = calendar.working_days_between(from_micros(due) or as_of, as_of)
            if days >= rules.overdue_working_days:
                found.append((ExposureRule.OVERDUE, r["charged_to"],
                              f"{STAGE_ZH[r['overdue_stage']]}已超期 {days:.1f} 个工作日，尚未完成",
                              due, None))
        elif r["published_late"] and (r["late_days"] or 0) >= rules.overdue_working_days:
            found.append((ExposureRule.OVERDUE, r["late_holder"] or lead,
                          f"超过答复期限 {r['late_days']:.1f} 个工作日才公开回复",
                          r["reply_due"], r["published_at"]))
    if rules.returned_times > 0 and r["rework_count"] >= rules.returned_times:
        found.append((ExposureRule.RETURNED, lead,
                      f"办理结果不合格，被发回重办 {r['rework_count']} 次",
                      r["reply_due"], r["at"]))
    if rules.dissatisfied_after_rework and r["dissatisfied_after_rework_at"] is not None:
        found.append((ExposureRule.DISSATISFIED_AFTER_REWORK, lead,
                      "发回重办后群众评价仍为“不满意”", None, r["dissatisfied_after_rework_at"]))
    if rules.supervision_unanswered:
        due = r["supervision_due"]
        if due is not None and due < to_micros(as_of):  # the unit the notice was aimed at
            found.append((ExposureRule.SUPERVISION_UNANSWERED, r["supervision_unit"] or lead,
                          "督办通知超过回复时限仍未回应", due, None))
        elif r["supervision_late"]:
            unheeded = {u: int(c["unheeded"]) for u, c in ch.load(r["charges"]).items()
                        if c.get("unheeded")}
            for unit, times in sorted((unheeded or {r["supervision_late_unit"] or lead:
                                                    r["supervision_late"]}).items()):
                found.append((ExposureRule.SUPERVISION_UNANSWERED, unit,
                              f"{times} 次督办通知未在时限内回应",
                              r["supervision_late_due"], None))
    if rules.passed_on_times > 0 and r["dispute_count"] >= rules.passed_on_times:
        for unit, c in sorted(ch.load(r["charges"]).items()):  # each unit that passed it on
            if c.get("disputes"):
                found.append((ExposureRule.PASSED_ON, unit,
                              f"本案被相关单位相互推诿、退回改派 {r['dispute_count']} 次，"
                              f"本单位退回 {int(c['disputes'])} 次", None, None))
    return [Entry(rule=rule.value, reason=reason, case=r["number"], department=who,
                  department_name=names.get(who, who), demand=r["title"],
                  handling=_handling(r), assigned_at=_iso(r["first_assigned_at"]),
                  deadline=_iso(due), event_at=_iso(at))
            for rule, who, reason, due, at in found]


def _handling(r: dict[str, Any]) -> str:
    """A summary of the handling: the published reply, or where the case stands."""
    if r["published_at"] is not None and r["reply_summary"]:
        return str(r["reply_summary"])
    return STANDING_ZH.get(r["status"], r["status"])


def _iso(micros: int | None) -> str | None:
    """Beijing-time ISO text of a stored moment."""
    moment = from_micros(micros)
    return moment.astimezone(BUSINESS_TZ).isoformat() if moment else None


def entries_as_dicts(entries: list[Entry]) -> list[dict[str, Any]]:
    """JSON-ready entries."""
    return [asdict(e) for e in entries]
