"""Plain-text and JSON rendering of command results."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from domain.calendar import BUSINESS_TZ

ACTION_NAMES_ZH = {
    "Registered": "登记", "Assigned": "交办", "Claimed": "认领", "Disputed": "申请退回",
    "Extended": "延期", "OpinionGiven": "办理意见", "ReplySubmitted": "结果上报",
    "ReplyPublished": "公开回复", "Returned": "发回重办", "Supervised": "督办",
    "Rated": "满意度评价", "Closed": "办结", "Archived": "归档",
    "ReferredForAccountability": "问责", "PersonalDataErased": "个人信息删除",
}
STATUS_ZH = {
    "registered": "已登记", "assigned": "已交办", "claimed": "办理中", "disputed": "退回待改派",
    "reply_submitted": "待审定", "published": "已回复", "closed": "已办结", "archived": "已归档",
}


def to_json(value: Any) -> str:
    """JSON with datetimes as ISO 8601 and Chinese kept readable."""
    return json.dumps(value, ensure_ascii=False, indent=2, default=_default)


def _default(value: Any) -> Any:
    """Encode values json does not know."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


def short_time(value: Any) -> str:
    """A moment as 'YYYY-MM-DD HH:MM' in Beijing time; '' for none."""
    if value is None or value == "":
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.astimezone(BUSINESS_TZ).strftime("%Y-%m-%d %H:%M")


def mask_phone(phone: str | None) -> str | None:
    """138****5678 style masking."""
    if not phone:
        return phone
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


def mask_text(text: str) -> str:
    """Free text with every run of 7 or more digits (phone, ID numbers) masked."""
    return re.sub(r"\d{7,}", lambda m: mask_phone(m.group()) or "", text)


def case_text(state: dict[str, Any], history: list[dict[str, Any]], names: dict[str, str]) -> str:
    """The case's state and history as a readable Chinese table."""
    def who(code: Any) -> str:
        return f"{code} {names.get(str(code), '')}".strip() if code else ""

    dl = state.get("deadlines") or {}
    lines = [
        f"案件 {state['case']}  《{state['title']}》",
        f"状态：{STATUS_ZH.get(state['status'], state['status'])}  持有：{who(state['holder'])}"
        f"  主办：{who(state.get('lead'))}  优先级：{state['priority']}  类别：{state['category']}",
        f"期限：认领 {short_time(dl.get('claim')) or '—'}"
        f"  意见 {short_time(dl.get('opinion')) or '—'}"
        f"  答复 {short_time(dl.get('reply')) or '—'}"
        + ("（暂定）" if dl.get("provisional") else ""),
        "",
        f"{'版本':<4} {'时间':<17} {'操作':<8} {'操作人':<12} {'持有':<16} {'答复期限':<14}"
        " 当时超期  持有(工作日)",
    ]
    for e in history:
        edl = e.get("deadlines") or {}
        lines.append(
            f"{e['version']:<6} {short_time(e.get('at')):<19} "
            f"{ACTION_NAMES_ZH.get(e['type'], e['type']):<8} {e.get('by', ''):<14} "
            f"{who(e.get('holder')):<16} {short_time(edl.get('reply')):<18}"
            f"{STAGE_ZH.get(e.get('overdue_stage') or '', ''):<8}"
            f"{'' if e.get('held_working_days') is None else e['held_working_days']}"
        )
    lines.extend(_audit_lines(state.get("audit") or {}, who))
    return "\n".join(lines)


STAGE_ZH = {"claim": "认领超期", "opinion": "意见超期", "reply": "答复超期",
            "approval": "待审定超期", "reassignment": "待改派超期"}


def _audit_lines(audit: dict[str, Any], who: Any) -> list[str]:
    """The audit summary: time and overdue time charged to each holder."""
    if not audit:
        return []
    lines = ["", f"审计（截至 {short_time(audit.get('as_of'))}，只计群众等待期间的工作日）："]
    for code, days in (audit.get("held_working_days") or {}).items():
        late = (audit.get("overdue_working_days") or {}).get(code, 0)
        lines.append(f"  {who(code)}：持有 {days} 个工作日，其中超期 {late} 个工作日")
    if audit.get("overdue_stage_now"):
        lines.append(f"  当前{STAGE_ZH[audit['overdue_stage_now']]}")
    if audit.get("overdue_holder"):
        lines.append(f"  超期时持有单位：{who(audit['overdue_holder'])}")
    return lines


def _pct(value: Any) -> str:
    """A rate as a percentage; '—' when undefined."""
    return "—" if value is None else f"{value * 100:.1f}%"


METRIC_COLUMNS = (
    ("received", "受理", None), ("replied", "已回复", None), ("reply_rate", "回复率", _pct),
    ("on_time_rate", "按时率", _pct), ("completion_rate", "办结率", _pct),
    ("satisfaction_rate", "满意率", _pct), ("rework_rate", "返工率", _pct),
    ("overdue_open", "在办超期", None), ("replied_late", "超期回复", None),
    ("rated_explicit", "实评", None), ("rated_default", "默认评", None),
    ("mean_handling_days", "平均办理(工作日)", None),
    ("late_results", "迟交结果", None), ("disputes_made", "退回改派", None),
    ("held_days_overdue", "超期占用(工作日)", None),
)


def metrics_table(result: dict[str, Any]) -> str:
    """Per-department figures as a readable Chinese table."""
    head = ["单位"] + [title for _, title, _ in METRIC_COLUMNS]
    body = []
    for row in [*result["departments"], result["total"]]:
        cells = [f"{row['code']} {row['name']}" + ("*" if row.get("small_sample") else "")]
        for key, _, fmt in METRIC_COLUMNS:
            value = row.get(key)
            cells.append(fmt(value) if fmt else ("—" if value is None else str(value)))
        body.append(cells)
    widths = [max(_width(r[i]) for r in [head, *body]) for i in range(len(head))]
    lines = [f"统计期（按交办日期）：{result['from']} 至 {result['to']}，"
             f"截至 {short_time(result['as_of'])}"]
    for r in [head, *body]:
        lines.append("  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)))
    lines.append("* 样本不足 20 件，不参与排名；按时率只计入本单位持有期间的超期。")
    return "\n".join(lines)


def _width(text: str) -> int:
    """Display width: CJK characters count double."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    """Left-align to a display width."""
    return text + " " * (width - _width(text))


RULE_ZH = {"overdue": "超期", "returned": "多次发回重办", "dissatisfied_after_rework":
           "重办后仍不满意", "supervision_unanswered": "督办未回应", "passed_on": "推诿"}


def exposure_text(as_of: str, entries: list[dict[str, Any]]) -> str:
    """The exposure list as plain Chinese text."""
    lines = [f"曝光台（截至 {short_time(as_of)}），共 {len(entries)} 条", ""]
    for e in entries:
        lines.append(f"【{RULE_ZH.get(e['rule'], e['rule'])}】{e['case']}  "
                     f"{e['department']} {e['department_name']}")
        lines.append(f"  诉求：{e['demand']}")
        lines.append(f"  办理：{e['handling']}")
        lines.append(f"  问题：{e['reason']}")
        lines.append(f"  交办 {short_time(e['assigned_at'])}  期限 {short_time(e['deadline'])}"
                     f"  发生 {short_time(e['event_at'])}")
        lines.append("")
    return "\n".join(lines)
