"""The leader's first view of 部门考核: ranking with grade bands, red and black lists, the
parts of each score, and the month-by-month trend (altair specs and frames; no Streamlit)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

from scorecards.scoring import DEDUCTION_LABELS, KINDS, Scorecard, ScoreSheet
from scorecards.trend import MonthPoint

LIST_SIZE = 5  # Yulin's practice: the top five (红榜) and the bottom five (黑榜)
UNRANKED = "不参与排名"
BAND_COLOURS = ("#d8f0d8", "#e6f2fb", "#fdf3d8", "#fbe1e1", "#eeeeee")
TREND_MEASURES = {"score": "得分", "response": "响应率", "resolution": "解决率",
                  "satisfaction": "满意率"}


def rank_text(card: Scorecard) -> str:
    """The rank as shown: a number, "不参与排名", or "—" for a unit without cases."""
    if card.rank is not None:
        return str(card.rank)
    return UNRANKED if card.received else "—"


def red_and_black(cards: Sequence[Scorecard]) -> tuple[list[Scorecard], list[Scorecard]]:
    """The top and bottom ranked units of one peer group (the lists never overlap)."""
    ranked = sorted((c for c in cards if c.ranked), key=lambda c: (-(c.score or 0), c.code))
    top = ranked[:LIST_SIZE]
    bottom = list(reversed(ranked[LIST_SIZE:]))[:LIST_SIZE]
    return top, bottom


def band_frame(bands: Sequence[tuple[str, float]], low: float) -> pd.DataFrame:
    """Grade bands as intervals on the score axis, from `low` to 100."""
    ordered = sorted(bands, key=lambda b: -b[1])
    rows, upper = [], 100.0
    for name, minimum in ordered:
        start = max(minimum, low)
        if start < upper:
            rows.append({"等级": name, "起": start, "止": upper})
        upper = min(upper, start)
    return pd.DataFrame(rows, columns=["等级", "起", "止"])


def ranking_spec(cards: Sequence[Scorecard], bands: Sequence[tuple[str, float]]
                 ) -> dict[str, Any] | None:
    """The peer group's scores as sorted bars over the grade bands (Vega-Lite spec)."""
    scored = [c for c in cards if c.score is not None]
    if not scored:
        return None
    low = max(0.0, min(60.0, (min(c.score or 0 for c in scored) // 10) * 10))
    frame = pd.DataFrame([{"单位": c.name, "得分": c.score, "排名": rank_text(c),
                           "等级": c.grade or "—"} for c in scored])
    names = [n for n, _ in sorted(bands, key=lambda b: -b[1])]
    colour = alt.Color("等级:N", scale=alt.Scale(domain=names,
                                               range=list(BAND_COLOURS[:len(names)])),
                       title="等级区间")
    x = alt.X("得分:Q", scale=alt.Scale(domain=[low, 100]), title="得分")
    y = alt.Y("单位:N", sort=alt.EncodingSortField("得分", order="descending"), title=None,
              axis=alt.Axis(labelOverlap=False))
    height = max(160, 24 * len(frame))
    back = alt.Chart(band_frame(bands, low)).mark_rect(clip=True).encode(
        x=alt.X("起:Q", scale=alt.Scale(domain=[low, 100]), title=None), x2="止:Q",
        color=colour)
    bars = alt.Chart(frame).mark_bar(color="#3b6ea8", height=14, clip=True).encode(
        x=x, y=y, tooltip=["单位", "排名", alt.Tooltip("得分:Q", format=".2f"), "等级"])
    text = bars.mark_text(align="right", dx=-3, color="white", clip=True).encode(
        text=alt.Text("得分:Q", format=".1f"))
    spec: dict[str, Any] = alt.layer(back, bars, text).properties(height=height).to_dict()
    spec.pop("config", None)
    return spec


def parts_frame(cards: Sequence[Scorecard]) -> pd.DataFrame:
    """Each scored unit's score split into its parts: the score and each kind's deduction."""
    rows = []
    for c in cards:
        if c.score is None:
            continue
        rows.append({"单位": c.name, "部分": "得分", "分": c.score, "序": 0})
        for i, d in enumerate(c.deductions, start=1):
            if d.points:
                rows.append({"单位": c.name, "部分": f"扣分·{d.label}", "分": d.points, "序": i})
    return pd.DataFrame(rows, columns=["单位", "部分", "分", "序"])


def parts_spec(cards: Sequence[Scorecard]) -> dict[str, Any] | None:
    """Stacked bars: score plus each deduction kind adds up to the rates' base score."""
    frame = parts_frame(cards)
    if frame.empty:
        return None
    labels = ["得分", *(f"扣分·{DEDUCTION_LABELS[k]}" for k in KINDS)]
    colour = alt.Color("部分:N", scale=alt.Scale(domain=labels, range=[
        "#3b6ea8", "#d9534f", "#f0ad4e", "#9b59b6", "#555555"]), title="构成")
    order = [c.name for c in sorted(cards, key=lambda c: -(c.score or -1))]
    chart = alt.Chart(frame).mark_bar().encode(
        x=alt.X("sum(分):Q", title="三率基础分 = 得分 + 各项扣分",
                scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("单位:N", sort=order, title=None), color=colour, order=alt.Order("序:Q"),
        tooltip=["单位", "部分", alt.Tooltip("分:Q", format=".2f")],
    ).properties(height=max(160, 22 * frame["单位"].nunique()))
    spec: dict[str, Any] = chart.to_dict()
    spec.pop("config", None)
    return spec


def trend_frame(points: Sequence[MonthPoint], cards: Sequence[Scorecard],
                measure: str) -> pd.DataFrame:
    """Month × unit values of one measure for the given units."""
    names = {c.code: c.name for c in cards}
    rows = [{"单位": names[p.code], "月份": p.month, "值": getattr(p, measure),
             "受理": p.received} for p in points
            if p.code in names and getattr(p, measure) is not None]
    return pd.DataFrame(rows, columns=["单位", "月份", "值", "受理"])


def trend_spec(points: Sequence[MonthPoint], cards: Sequence[Scorecard],
               measure: str) -> dict[str, Any] | None:
    """A heat map: each unit's row, each month's cell coloured by the measure."""
    frame = trend_frame(points, cards, measure)
    if frame.empty:
        return None
    label = TREND_MEASURES[measure]
    rate = measure != "score"
    scale = alt.Scale(scheme="redyellowgreen", domain=[0.8, 1.0] if rate else [60, 100],
                      clamp=True)
    order = [c.name for c in sorted(cards, key=lambda c: -(c.score or -1))]
    fmt = ".1%" if rate else ".1f"
    chart = alt.Chart(frame).mark_rect().encode(
        x=alt.X("月份:O", title=None),
        y=alt.Y("单位:N", sort=order, title=None, axis=alt.Axis(labelOverlap=False)),
        color=alt.Color("值:Q", scale=scale, title=label,
                        legend=alt.Legend(format=".0%" if rate else "d")),
        tooltip=["单位", "月份", alt.Tooltip("值:Q", title=label, format=fmt), "受理"],
    ).properties(height=max(160, 24 * frame["单位"].nunique()))
    spec: dict[str, Any] = chart.to_dict()
    spec.pop("config", None)
    return spec


def unit_trend_spec(points: Sequence[MonthPoint], card: Scorecard) -> dict[str, Any] | None:
    """One unit's score (left axis) and three rates (right axis) month by month."""
    mine = [p for p in points if p.code == card.code]
    if not mine:
        return None
    score = pd.DataFrame([{"月份": p.month, "得分": p.score} for p in mine if p.score is not None])
    rates = pd.DataFrame([{"月份": p.month, "指标": TREND_MEASURES[k], "值": getattr(p, k)}
                          for p in mine for k in ("response", "resolution", "satisfaction")
                          if getattr(p, k) is not None])
    left = alt.Chart(score).mark_line(point=True, color="#222222", strokeWidth=3).encode(
        x=alt.X("月份:O", title=None),
        y=alt.Y("得分:Q", title="得分（黑色实线）", scale=alt.Scale(zero=False)),
        tooltip=["月份", alt.Tooltip("得分:Q", format=".2f")])
    right = alt.Chart(rates).mark_line(point=True, strokeDash=[4, 3]).encode(
        x="月份:O", y=alt.Y("值:Q", axis=alt.Axis(format=".0%", title="三率"),
                            scale=alt.Scale(zero=False)),
        color=alt.Color("指标:N", title="三率"),
        tooltip=["月份", "指标", alt.Tooltip("值:Q", format=".1%")])
    spec: dict[str, Any] = alt.layer(left, right).resolve_scale(y="independent") \
        .properties(height=260).to_dict()
    spec.pop("config", None)
    return spec


def change_against(sheet: ScoreSheet, last: ScoreSheet | None) -> dict[str, float | None]:
    """Each unit's score change against last year's (None when either is missing)."""
    before = {c.code: c.score for c in last.cards} if last is not None else {}
    out: dict[str, float | None] = {}
    for c in sheet.cards:
        old = before.get(c.code)
        out[c.code] = None if c.score is None or old is None else round(c.score - old, 2)
    return out
