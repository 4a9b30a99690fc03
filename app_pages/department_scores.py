"""部门考核: year and peer-group filters, ranking with rates and intervals, charts, drill-down."""

from __future__ import annotations

from datetime import date

import streamlit as st

from scorecards.inert import md_escape
from wenzheng.config import ConfigError
from wenzheng.webapp import auth, cached, moments, scoreview
from wenzheng.webapp.resources import home_key, home_of

auth.require("scorecards")
key = home_key()
settings = home_of(key).settings()
calendar = settings.deadline_policy().calendar
st.title("部门考核")

years = moments.years_between(*cached.assigned_days(key))
if not years:
    st.info("读模型中还没有已交办的案件。")
    st.stop()
left, middle, right = st.columns(3)
year = left.selectbox("考核年度", years, index=moments.default_year_index(years, moments.now()),
                      key="score_year")
peer_groups = [scoreview.ALL_GROUPS, *dict.fromkeys(d.group for d in settings.departments)]
group = middle.selectbox("同类单位分组", peer_groups, key="score_group")
day = right.date_input("数据截至", value=moments.default_day(calendar, moments.now()),
                       min_value=date(year, 1, 1),
                       max_value=moments.last_covered_day(calendar), key="score_as_of")
as_of = moments.as_of_day(day, moments.now())
try:
    snap = cached.score_snapshot(key, year, as_of)
except ConfigError as exc:
    st.error(f"考核规则配置错误：{exc}")
    st.stop()
sheet = snap.summary  # the figures; a department's case lists are read when it is opened
st.caption(f"统计 {year} 年交办的案件，数据截至 {moments.shown(sheet.as_of)}，"
           f"计算于 {moments.shown(snap.computed_at)}；考核规则版本 "
           f"{md_escape(sheet.rules_version)}；年受理少于 {sheet.min_volume} 件的单位列示但不排名。"
           "比率旁为 95% Wilson 置信区间。")

frame = scoreview.ranking_frame(sheet, group)
percent = {label: st.column_config.ProgressColumn(label, min_value=0.0, max_value=1.0,
                                                  format="percent")
           for label in scoreview.RATE_ZH.values()}
st.dataframe(frame, hide_index=True, column_config={
    **percent, "得分": st.column_config.NumberColumn("得分", format="%.2f"),
    "排名": st.column_config.NumberColumn("排名", format="%d")})

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
    b.metric("组内排名", "不排名" if card.rank is None else str(card.rank))
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
    with st.expander("未计入各比率的案件"):
        st.dataframe(scoreview.misses_frame(card), hide_index=True)
