"""The scorecard page's tables, charts and downloads, built from a ScoreSheet (no Streamlit)."""

from __future__ import annotations

import io
from typing import Any, cast

import altair as alt
import pandas as pd
import xlsxwriter

from scorecards.inert import write_cell, write_cells
from scorecards.scoring import Scorecard, ScoreSheet
from scorecards.wilson import wilson
from wenzheng.bootstrap.scorer import scorecard_csv
from wenzheng.webapp.leaderview import rank_text

ALL_GROUPS = "全部"
RATE_KEYS = ("response", "resolution", "satisfaction")
RATE_ZH = {"response": "响应率", "resolution": "解决率", "satisfaction": "满意率"}
MEASURES = {"score": "得分", **RATE_ZH}


def interval(hits: float, total: int) -> tuple[float, float] | None:
    """95% Wilson interval of a rate; satisfaction hits are weighted, hence fractional."""
    return wilson(cast(int, hits), total)


def _ci_text(ci: tuple[float, float] | None) -> str:
    """'[92.1%, 97.3%]' or '—'."""
    return "—" if ci is None else f"[{ci[0] * 100:.1f}%, {ci[1] * 100:.1f}%]"


def cards_in(sheet: ScoreSheet, group: str) -> list[Scorecard]:
    """The cards of a peer group (or all), ranked first by group order and rank."""
    order = {g: i for i, g in enumerate(dict.fromkeys(c.group for c in sheet.cards))}
    chosen = [c for c in sheet.cards if group in (ALL_GROUPS, c.group)]
    return sorted(chosen, key=lambda c: (order[c.group], c.rank is None, c.rank or 0,
                                         -(c.score or 0), c.code))


def groups(sheet: ScoreSheet) -> list[str]:
    """'全部' and every peer group, in configuration order."""
    return [ALL_GROUPS, *dict.fromkeys(c.group for c in sheet.cards)]


def ranking_frame(sheet: ScoreSheet, group: str = ALL_GROUPS,
                  change: dict[str, float | None] | None = None) -> pd.DataFrame:
    """One row a department: rank ("不参与排名" when unranked), score, grade, the score's
    parts (base and each deduction kind), the change against last year, the three rates
    and their intervals."""
    rows: list[dict[str, Any]] = []
    for c in cards_in(sheet, group):
        row: dict[str, Any] = {"分组": c.group, "排名": rank_text(c), "代码": c.code,
                               "单位": c.name, "受理": c.received, "基础分": c.base,
                               "扣分": c.deducted, "得分": c.score, "等级": c.grade or "—"}
        for d in c.deductions:
            row[f"扣分·{d.label}"] = d.points
        if change is not None:
            row["较上年"] = change.get(c.code)
        for r in c.rates:
            label = RATE_ZH.get(r.key, r.label)
            row[label] = r.value
            row[f"{label}区间"] = _ci_text(interval(r.hits, r.total))
        row["说明"] = "样本不足，不排名" if c.small_sample else ""
        rows.append(row)
    return pd.DataFrame(rows)


def measure_frame(sheet: ScoreSheet, measure: str, group: str = ALL_GROUPS) -> pd.DataFrame:
    """Per department: the value of one measure (score, or a rate with its interval)."""
    rows = []
    for c in cards_in(sheet, group):
        if measure == "score":
            if c.score is not None:
                rows.append({"单位": c.name, "代码": c.code, "分组": c.group, "值": c.score,
                             "下限": None, "上限": None})
            continue
        r = next(r for r in c.rates if r.key == measure)
        ci = interval(r.hits, r.total)
        if r.value is not None:
            rows.append({"单位": c.name, "代码": c.code, "分组": c.group, "值": r.value,
                         "下限": ci[0] if ci else None, "上限": ci[1] if ci else None})
    return pd.DataFrame(rows, columns=["单位", "代码", "分组", "值", "下限", "上限"])


def measure_chart(frame: pd.DataFrame, measure: str) -> alt.LayerChart | alt.Chart:
    """Scores as sorted bars (0–100); a rate as a dot with its Wilson interval as a line."""
    label = MEASURES[measure]
    order = alt.EncodingSortField("值", order="descending")
    y = alt.Y("单位:N", sort=order, title=None)
    colour = alt.Color("分组:N", title="分组")
    height = max(200, 22 * len(frame))
    if measure == "score":
        x = alt.X("值:Q", title=label, scale=alt.Scale(domain=[0, 100]))
        tooltip = ["代码", "单位", "分组", alt.Tooltip("值:Q", title=label, format=".2f")]
        return alt.Chart(frame).mark_bar().encode(x=x, y=y, color=colour, tooltip=tooltip) \
            .properties(height=height)
    axis = alt.Axis(format=".0%")
    x = alt.X("值:Q", title=f"{label}（线段为 95% 置信区间）", axis=axis,
              scale=alt.Scale(zero=False, domainMax=1))
    tooltip = ["代码", "单位", "分组", alt.Tooltip("值:Q", title=label, format=".1%"),
               alt.Tooltip("下限:Q", format=".1%"), alt.Tooltip("上限:Q", format=".1%")]
    base = alt.Chart(frame).properties(height=height)
    lines = base.mark_rule(strokeWidth=2).encode(x=alt.X("下限:Q", axis=axis), x2="上限:Q", y=y,
                                                  color=colour)
    dots = base.mark_circle(size=70, opacity=1).encode(x=x, y=y, color=colour, tooltip=tooltip)
    return alt.LayerChart(layer=[lines, dots])


def chart_spec(frame: pd.DataFrame, measure: str) -> dict[str, Any]:
    """The chart as a Vega-Lite spec with its data inline (cacheable, no altair per render)."""
    spec: dict[str, Any] = measure_chart(frame, measure).to_dict()
    spec.pop("config", None)  # altair's default view size; Streamlit sizes the chart
    return spec


SHOWN_CASES = 5  # case numbers per explanation line; the tables below list every case


def explanation(card: Scorecard) -> list[str]:
    """The card's explanation lines (rates and deductions in words, the first few cases)."""
    return card.explanation(limit=SHOWN_CASES)


def deduction_frame(card: Scorecard) -> pd.DataFrame:
    """Each deduction item (a case number, or an exposure entry) with its kind and points."""
    rows = [{"扣分项": d.label, "每项扣分": d.each, "案件": item}
            for d in card.deductions for item in d.items]
    return pd.DataFrame(rows, columns=["扣分项", "每项扣分", "案件"])


def misses_frame(card: Scorecard) -> pd.DataFrame:
    """The cases that did not count as hits for each rate."""
    rows = [{"指标": RATE_ZH.get(r.key, r.label), "未计入的案件": n}
            for r in card.rates for n in r.misses]
    return pd.DataFrame(rows, columns=["指标", "未计入的案件"])


def csv_bytes(sheet: ScoreSheet) -> bytes:
    """The scorecards as CSV (the `wenzheng scorecard --format csv` layout), UTF-8 with BOM."""
    return ("\ufeff" + scorecard_csv(sheet)).encode("utf-8")


def xlsx_bytes(sheet: ScoreSheet, year: int) -> bytes:
    """The scorecards as an Excel workbook in memory: results, deductions, provenance."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#DDDDDD", "border": 1})
    pct = book.add_format({"num_format": "0.0%"})
    frame = ranking_frame(sheet)
    results = book.add_worksheet("考核结果")
    results.write_row(0, 0, list(frame.columns), head)
    rate_columns = {i for i, name in enumerate(frame.columns) if name in RATE_ZH.values()}
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            if value is None or (isinstance(value, float) and pd.isna(value)):
                results.write_blank(i, j, None)
            else:  # text as strings (never formulas), numbers as numbers
                write_cell(results, i, j, value, pct if j in rate_columns else None)
    results.set_column(0, len(frame.columns) - 1, 14)
    details = book.add_worksheet("扣分明细")
    details.write_row(0, 0, ["代码", "单位", "扣分项", "每项扣分", "案件"], head)
    line = 1
    for c in sheet.cards:
        for d in c.deductions:
            for item in d.items:
                write_cells(details, line, 0, [c.code, c.name, d.label, d.each, item])
                line += 1
    notes = book.add_worksheet("说明")
    for i, (k, v) in enumerate((("年度", year), ("考核规则版本", sheet.rules_version),
                                ("统计期间", f"{sheet.period_from} 至 {sheet.period_to}"),
                                ("数据截至", sheet.as_of), ("最低件数", sheet.min_volume))):
        write_cells(notes, i, 0, [k, v])
    book.close()
    return out.getvalue()
