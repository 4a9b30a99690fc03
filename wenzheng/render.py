"""Plain-text and JSON rendering of command results."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from domain.calendar import BUSINESS_TZ
from domain.labels import ACTION_NAMES_ZH, OVERDUE_STAGE_ZH, RULE_ZH, STATUS_ZH
from scorecards.masking import mask_text


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


def case_text(state: dict[str, Any], history: list[dict[str, Any]], names: dict[str, str]) -> str:
    """The case's state and history as a readable Chinese table."""
    def who(code: Any) -> str:
        return f"{code} {names.get(str(code), '')}".strip() if code else ""

    dl = state.get("deadlines") or {}
    as_of = (state.get("audit") or {}).get("as_of")
    lines = [
        f"案件 {state['case']}  《{state['title']}》"
        + (f"  （截至 {short_time(as_of)} 的情况）" if as_of else ""),
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
            f"{who(e.get('holder')):<16} "
            f"{short_time(edl.get('reply')) + ('（暂定）' if edl.get('provisional') else ''):<18}"
            f"{OVERDUE_STAGE_ZH.get(e.get('overdue_stage') or '', ''):<8}"
            f"{'' if e.get('held_working_days') is None else e['held_working_days']}"
        )
    lines.extend(_audit_lines(state.get("audit") or {}, who))
    return "\n".join(lines)


def _audit_lines(audit: dict[str, Any], who: Any) -> list[str]:
    """The audit summary: time and overdue time charged to each holder."""
    if not audit:
        return []
    lines = ["", f"审计（截至 {short_time(audit.get('as_of'))}，只计群众等待期间的工作日）："]
    for code, days in (audit.get("held_working_days") or {}).items():
        late = (audit.get("overdue_working_days") or {}).get(code, 0)
        lines.append(f"  {who(code)}：持有 {days} 个工作日，其中超期 {late} 个工作日")
    if audit.get("overdue_stage_now"):
        lines.append(f"  当前{OVERDUE_STAGE_ZH[audit['overdue_stage_now']]}")
    if audit.get("overdue_holder"):
        lines.append(f"  超期时持有单位：{who(audit['overdue_holder'])}")
    return lines


def _pct(value: Any) -> str:
    """A rate as a percentage; '—' when undefined."""
    return "—" if value is None else f"{value * 100:.1f}%"


METRIC_COLUMNS = (
    ("received", "受理", None), ("replied", "已回复", None), ("reply_rate", "回复率", _pct),
    ("on_time_rate", "按时率", _pct), ("completion_rate", "办结率", _pct),
    ("satisfaction_rate", "满意率", _pct), ("ratings_citizen", "群众评价", None),
    ("ratings_default", "默认评价", None), ("resolution_rate", "解决率", _pct),
    ("resolved_answers", "群众答是否解决", None), ("rework_rate", "返工率", _pct),
    ("overdue_open", "在办超期", None), ("replied_late", "超期回复", None),
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
    lines.append("满意率计入默认评价（逾期未评按规定记为默认评价），件数分列“群众评价”“默认评价”；"
                 "解决率只计群众本人对“是否解决”的回答（默认评价不回答是否解决）；"
                 "办结率为协调办公室办结件数 ÷ 受理件数。")
    return "\n".join(lines)


def _width(text: str) -> int:
    """Display width: CJK characters count double."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    """Left-align to a display width."""
    return text + " " * (width - _width(text))


def exposure_text(as_of: str, entries: list[dict[str, Any]]) -> str:
    """The exposure list as plain Chinese text."""
    lines = [f"曝光台（截至 {short_time(as_of)}），共 {len(entries)} 条", ""]
    for e in entries:
        lines.append(f"【{RULE_ZH.get(e['rule'], e['rule'])}】{e['case']}  "
                     f"{e['department']} {e['department_name']}")
        lines.append(f"  诉求：{mask_text(e['demand'])}")
        lines.append(f"  办理：{mask_text(e['handling'])}")
        lines.append(f"  问题：{mask_text(e['reason'])}")
        lines.append(f"  交办 {short_time(e['assigned_at'])}  期限 {short_time(e['deadline'])}"
                     f"  发生 {short_time(e['event_at'])}")
        lines.append("")
    return "\n".join(lines)


def summary_text(counts: list[tuple[str, int]], rejected: list[str],
                 dead: Path | None) -> str:
    """A write command's text summary: `name: count` lines, the rejected items, the dead letter."""
    lines = [f"{name}: {count}" for name, count in counts]
    lines += [f"  {item}" for item in rejected]
    if dead:
        lines.append(f"被拒绝的行已另存：{dead}")
    return "\n".join(lines)
