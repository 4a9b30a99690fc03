"""The audit page's data: a case's timeline, time per holder, personal data and integrity."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from domain.case import case_id
from domain.errors import UnknownCase
from domain.labels import ACTION_NAMES_ZH, OVERDUE_STAGE_ZH, STATUS_ZH
from domain.vocabulary import EventType
from projections.caserow import WorkingDays
from projections.db import Database
from scorecards.audit import CaseAudit, audit, load_history
from wenzheng.render import short_time
from wenzheng.store.kek import KekError
from wenzheng.webapp.masking import mask_personal, shown_text

DETAIL_ZH = {"department": "单位", "co_departments": "协办", "reason": "理由",
             "working_days": "延期工作日", "level": "督办级别", "note": "督办意见",
             "response_due": "回应期限", "rating": "评价", "channel": "渠道", "default": "默认评价",
             "text": "内容", "source": "来源", "category": "类别", "priority": "优先级",
             "region": "区域", "title": "诉求", "resolved": "是否解决", "old_reply": "原答复期限",
             "arrangement_sources": "依据放假安排"}


@dataclass(frozen=True)
class Integrity:
    """The integrity state of a case's history: ok, and the problems found."""

    ok: bool
    problems: tuple[str, ...] = ()

    def label(self) -> str:
        """A short Chinese label."""
        return "完整（哈希链校验通过）" if self.ok else "发现异常"


def case_audit(db: Database, number: str, as_of: datetime, calendar: WorkingDays) -> CaseAudit:
    """The audit of a case from the history projection (UnknownCase when it has none)."""
    history = load_history(db, str(case_id(number)))
    if not history:
        raise UnknownCase(number)
    return audit(history, as_of, calendar)


def _detail_text(detail: str) -> str:
    """The event's key fields as '理由：…；单位：…' (deadlines and ids left out)."""
    try:
        data = json.loads(detail or "{}")
    except ValueError:
        return ""
    parts = []
    for key, label in DETAIL_ZH.items():
        value = data.get(key)
        if value in (None, "", [], {}):
            continue
        if isinstance(value, list):
            value = "、".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "是" if value else "否"
        elif key == "old_reply":
            value = short_time(value)
        parts.append(f"{label}：{value}")
    return "；".join(parts)


def _provisional_mark(detail: str) -> str:
    """'（暂定）' when the event's deadlines rest on the provisional calendar."""
    try:
        deadlines = json.loads(detail or "{}").get("deadlines") or {}
    except (ValueError, AttributeError):
        return ""
    return "（暂定）" if deadlines.get("provisional") else ""


def timeline_frame(found: CaseAudit, names: dict[str, str], cleared: bool = True
                   ) -> pd.DataFrame:
    """One row an event: action, time, operator, holder, deadline, overdue mark, days held.

    Without clearance, contact patterns in the events' free text are masked.
    """
    rows = [{"版本": e.version, "时间": short_time(e.at),
             "操作": ACTION_NAMES_ZH.get(e.type, e.type), "操作人": e.by,
             "持有单位": names.get(e.holder, e.holder), "状态": STATUS_ZH.get(e.status, e.status),
             "答复期限": short_time(e.deadline) + _provisional_mark(e.detail),
             "当时超期": OVERDUE_STAGE_ZH.get(e.overdue_stage or "", ""),
             "持有工作日": e.held_days, "要点": shown_text(_detail_text(e.detail), cleared)}
            for e in found.events]
    return pd.DataFrame(rows, columns=["版本", "时间", "操作", "操作人", "持有单位", "状态",
                                       "答复期限", "当时超期", "持有工作日", "要点"])


def holders_frame(found: CaseAudit, names: dict[str, str]) -> pd.DataFrame:
    """Working days each holder held the case while the citizen waited, and of them overdue."""
    rows = [{"持有单位": names.get(code, code), "代码": code, "持有工作日": days,
             "其中超期工作日": found.overdue_days.get(code, 0.0)}
            for code, days in found.held_days.items()]
    return pd.DataFrame(rows, columns=["持有单位", "代码", "持有工作日", "其中超期工作日"])


def personal_data(service: Any, number: str, cleared: bool) -> dict[str, Any] | None:
    """The citizen's data (masked unless cleared); None when erased or unavailable.

    Uses CaseService.personal_data when the store provides it; before that, the registration
    event's plain fields.
    """
    reader = getattr(service, "personal_data", None)
    if reader is not None:
        try:
            data = reader(number)
        except KekError:  # no key-encryption key in this process: the data stays sealed
            return None
    else:
        history = service.history(number)
        first = next((e for e in history if e.get("type") == EventType.REGISTERED), None)
        data = None if first is None else {"citizen": first.get("citizen"),
                                           "content": first.get("content")}
        if data is not None and not isinstance(data["citizen"], dict):
            data = None  # sealed: only CaseService.personal_data can open it
    if data is None:
        return None
    return dict(data) if cleared else mask_personal(dict(data))


def integrity(env: dict[str, str], number: str) -> Integrity:
    """The case's integrity state: its hash chain checked by wenzheng.store.verify."""
    from wenzheng.store.verify import verify_case

    result = verify_case(env, number)
    problems = tuple(p.describe() for p in result.problems)
    return Integrity(result.ok and not problems, problems)
