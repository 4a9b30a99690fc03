"""部门考核: the leader's first page: ranking over grade bands, red and black lists, score
parts, the full table, charts per measure, the monthly trend, drill-down."""

from __future__ import annotations

from datetime import date

import streamlit as st

from scorecards.inert import md_escape
from wenzheng.bootstrap.scorer import rules_for
from wenzheng.config import ConfigError
from wenzheng.democlock import home_clock
from wenzheng.webapp import auth, cached, leaderview, moments, scoreview
from wenzheng.webapp.resources import home_key, home_of

auth.require("scorecards")
key = home_key()
settings = home_of(key).settings()
calendar = settings.deadline_policy().calendar
st.title("部门考核")

clock = home_clock(settings)  # a demonstration home reads as of its own "now" ([demo] now)
years = moments.years_between(*cached.assigned_days(key))
if not years:
    st.info("读模型中还没有已交办的案件。")
    st.stop()
left, middle, right = st.columns(3)
year = left.selectbox("考核年度", years, index=moments.default_year_index(years, clock.now),
                      key="score_year")
peer_groups = [scoreview.ALL_GROUPS, *dict.fromkeys(d.group for d in settings.departments)]
group = middle.selectbox("同类单位分组", peer_groups, key="score_group")
day = right.date_input("数据截至", value=moments.default_day(calendar, clock.now),
                       min_value=date(year, 1, 1),
                       max_value=moments.last_covered_day(calendar), key="score_as_of")
as_of = moments.page_moment(calendar, clock) if day == clock.now.date() else \
    moments.as_of_day(day, clock.now)
try:
    snap = cached.score_snapshot(key, year, as_of)
    rules = rules_for(home_of(key), year, None)
except ConfigError as exc:
    st.error(f"考核规则配置错误：{exc}")
    st.stop()
sheet = snap.summary  # the figures; a department's case lists are read when it is opened
last_year = None
first_day = cached.assigned_days(key)[0]
if first_day is not None and first_day.year < year:
    last_year = cached.score_snapshot(key, year - 1, as_of.replace(year=as_of.year - 1)).summary
st.caption(f"统计 {year} 年交办的案件，数据截至 {moments.shown(sheet.as_of)}，"
           f"计算于 {moments.shown(snap.computed_at)}；考核规则版本 "
           f"{md_escape(sheet.rules_version)}；年受理少于 {sheet.min_volume} 件的单位列示但不排名。"
           "比率旁为 95% Wilson 置信区间。"
           + ("" if last_year is not None else f"{year - 1} 年无数据，不作同比。")
           + (f"“数据截至”默认{clock.note()}。" if clock.fixed else ""))

bands = [(b.name, b.min) for b in rules.bands]
shown_groups = [g for g in peer_groups[1:] if group in (scoreview.ALL_GROUPS, g)]
st.subheader("同类单位排名")
for name in shown_groups:
    in_group = scoreview.cards_in(sheet, name)
    spec = leaderview.ranking_spec(in_group, bands)
    st.markdown(f"**{name}**")
    if spec is None:
        st.info("无得分。")
        continue
    st.vega_lite_chart(spec, width="stretch")
    top, bottom = leaderview.red_and_black(in_group)
    red, black = st.columns(2)
    red.markdown(":red[**红榜（前 5 名）**]\n\n" + "\n".join(
        f"{i}. {c.name} {c.score:.2f}（{c.grade}）" for i, c in enumerate(top, start=1))
        if top else ":red[**红榜**]：本组无参与排名的单位")
    black.markdown("**黑榜（后 5 名）**\n\n" + "\n".join(
        f"{i}. {c.name} {c.score:.2f}（{c.grade}）" for i, c in enumerate(bottom, start=1))
        if bottom else "**黑榜**：参与排名的单位不足 6 个")

st.subheader("得分构成")
st.caption("每个单位：得分 + 各项扣分 = 三率基础分"
           "（扣分按规则分项计算、分项封顶，同一案件只扣一次）。")
parts = leaderview.parts_spec(scoreview.cards_in(sheet, group))
if parts is not None:
    st.vega_lite_chart(parts, width="stretch")

st.subheader("全部单位")
frame = scoreview.ranking_frame(sheet, group, leaderview.change_against(sheet, last_year))
percent = {label: st.column_config.ProgressColumn(label, min_value=0.0, max_value=1.0,
                                                  format="percent")
           for label in scoreview.RATE_ZH.values()}
st.dataframe(frame, hide_index=True, column_config={
    **percent, **{c: st.column_config.NumberColumn(c, format="%.2f") for c in frame.columns
                  if c in ("得分", "基础分", "扣分") or c.startswith("扣分·")},
    "较上年": st.column_config.NumberColumn("较上年", format="%+.2f")})

# The files are made when a button is clicked (deferred), not on every render.
full = lambda: cached.full_sheet(key, snap, year)  # noqa: E731  (only when clicked)
one, two, _ = st.columns([1, 1, 4])
one.download_button("下载 CSV", lambda: scoreview.csv_bytes(full()),
                    file_name=f"scorecard-{year}.csv", mime="text/csv", key="score_csv",
                    on_click="ignore")
two.download_button("下载 Excel", lambda: scoreview.xlsx_bytes(full(), year),
                    file_name=f"scorecard-{year}.xlsx",
                    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    key="score_xlsx", on_click="ignore")

st.subheader("各项指标")
for tab, measure in zip(st.tabs(list(scoreview.MEASURES.values())), scoreview.MEASURES,
                        strict=True):
    spec = cached.chart_spec(key, snap.snapshot_id, group, measure, sheet)
    if spec is None:
        tab.info("无可比较的数据。")
    else:
        tab.vega_lite_chart(spec, width="stretch")

st.subheader("月度趋势")
measure = st.radio("指标", list(leaderview.TREND_MEASURES), horizontal=True,
                   format_func=lambda m: leaderview.TREND_MEASURES[m], key="trend_measure")
trend = leaderview.trend_spec(snap.trend, scoreview.cards_in(sheet, group), measure)
if trend is None:
    st.info("无月度数据。")
else:
    st.caption(f"按交办月份分月计算（数据截至同上，月受理少于 {rules.min_volume_month} 件的格子"
               "样本小，仅供参考）；颜色越绿越好。")
    st.vega_lite_chart(trend, width="stretch")

st.subheader("单位明细")
cards = scoreview.cards_in(sheet, group)
names = {c.code: f"{c.name}（{c.code}）" for c in cards}
code = st.selectbox("选择单位，查看得分说明和扣分所涉案件", list(names),
                    format_func=lambda c: names[c], index=None, placeholder="选择单位",
                    key="score_unit")
card = cached.score_card(key, snap.snapshot_id, code) if code else None
if code and card is None:  # the stored assessment was replaced since this page was drawn
    cached.score_snapshot.clear()
    st.rerun()
if card is not None:
    a, b, c, d = st.columns(4)
    a.metric("得分", "—" if card.score is None else f"{card.score:.2f}")
    b.metric("组内排名", leaderview.rank_text(card))
    c.metric("等级", card.grade or "—")
    d.metric("扣分", f"{card.deducted:g}")
    st.markdown("\n".join(f"- {md_escape(line)}" for line in scoreview.explanation(card))
                or "（无）")  # lines name cases by number only: escaped, nothing to mask
    st.markdown("**扣分所涉案件**")
    deductions = scoreview.deduction_frame(card)
    if deductions.empty:
        st.write("无扣分。")
    else:
        st.dataframe(deductions, hide_index=True)
    unit_trend = leaderview.unit_trend_spec(snap.trend, card)
    if unit_trend is not None:
        st.markdown("**本单位月度得分与三率**")
        st.vega_lite_chart(unit_trend, width="stretch")
    with st.expander("未计入各比率的案件"):
        st.dataframe(scoreview.misses_frame(card), hide_index=True)
