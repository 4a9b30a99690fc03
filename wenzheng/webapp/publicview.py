"""The public exposure page's data: entries, praised cases and public figures (no personal data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from domain.labels import RULE_ZH
from domain.vocabulary import Rating
from projections.db import Database
from projections.schema import from_micros, to_micros
from projections.tables import CASES
from scorecards.exposure import Entry
from scorecards.masking import mask_text
from wenzheng.render import short_time

FAST_DAYS = 3.0  # a reply published within this many working days of assignment is "fast"
PRAISED_LIMIT = 30


@dataclass(frozen=True)
class Praised:
    """A case the citizen rated 满意 (explicitly) after a fast, on-time reply."""

    number: str
    department: str
    title: str
    reply: str
    handling_days: float
    published_at: datetime


_PRAISED = f"""
SELECT number, lead, title, reply_summary, handling_days, published_at FROM {CASES}
WHERE rating = '{Rating.SATISFIED}' AND rating_default = 0 AND published_at IS NOT NULL
  AND published_late = 0 AND handling_days <= ? AND first_assigned_day >= ?
  AND first_assigned_day <= ? AND published_at <= ?
ORDER BY published_at DESC, number LIMIT ?
"""


def praised_cases(db: Database, day_from: date, day_to: date, as_of: datetime,
                  limit: int = PRAISED_LIMIT) -> list[Praised]:
    """Fast replies the citizen rated 满意 themselves (a default rating does not count)."""
    rows = db.fetchall(_PRAISED, (FAST_DAYS, day_from.isoformat(), day_to.isoformat(),
                                  to_micros(as_of), limit))
    out = []
    for r in rows:
        at = from_micros(r[5])
        assert at is not None
        out.append(Praised(str(r[0]), str(r[1] or ""), str(r[2] or ""), str(r[3] or ""),
                           round(float(r[4] or 0.0), 2), at))
    return out


def entries_frame(entries: list[Entry]) -> pd.DataFrame:
    """The exposure list as a table: rule, unit, case, demand, problem, handling, times.

    Free text is masked (phones, ID numbers, e-mails): the page is public.
    """
    rows = [{"规则": RULE_ZH.get(e.rule, e.rule), "单位": e.department_name, "案件编号": e.case,
             "群众诉求": mask_text(e.demand), "问题": mask_text(e.reason),
             "办理情况": mask_text(e.handling),
             "交办时间": short_time(e.assigned_at), "期限": short_time(e.deadline)}
            for e in entries]
    return pd.DataFrame(rows, columns=["规则", "单位", "案件编号", "群众诉求", "问题", "办理情况",
                                       "交办时间", "期限"])


def praised_frame(cases: list[Praised], names: dict[str, str]) -> pd.DataFrame:
    """Praised cases as a table."""
    rows = [{"案件编号": p.number, "单位": names.get(p.department, p.department),
             "群众诉求": mask_text(p.title), "答复摘要": mask_text(p.reply),
             "办理用时（工作日）": p.handling_days,
             "公开回复": short_time(p.published_at)} for p in cases]
    return pd.DataFrame(rows, columns=["案件编号", "单位", "群众诉求", "答复摘要",
                                       "办理用时（工作日）", "公开回复"])


def figures_frame(result: dict[str, Any]) -> pd.DataFrame:
    """Per department: received, replied, reply rate, satisfaction and resolution, whose word."""
    rows = []
    for d in result["departments"]:
        if not d["received"]:
            continue
        rows.append({"单位": d["name"], "受理": d["received"], "公开回复": d["replied"],
                     "回复率": d["reply_rate"], "满意率": d["satisfaction_rate"],
                     "评价件数": d["rated"], "其中群众亲自评价": d["rated_explicit"],
                     "其中默认评价": d["ratings_default"], "解决率": d["resolution_rate"],
                     "群众答是否解决": d["resolved_answers"],
                     "说明": "样本较小" if d["small_sample"] else ""})
    return pd.DataFrame(rows, columns=["单位", "受理", "公开回复", "回复率", "满意率", "评价件数",
                                       "其中群众亲自评价", "其中默认评价", "解决率",
                                       "群众答是否解决", "说明"])
