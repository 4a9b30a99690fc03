"""曝光台 (public): current exposure entries with their rule, praised cases, public figures."""

from __future__ import annotations

import streamlit as st

from domain.labels import RULE_ZH
from scorecards.inert import md_escape
from wenzheng.democlock import home_clock
from wenzheng.render import short_time
from wenzheng.webapp import auth, cached, moments, publicview
from wenzheng.webapp.resources import home_key, home_of

auth.require("exposure")
key = home_key()
settings = home_of(key).settings()
names = settings.department_names()
calendar = settings.deadline_policy().calendar
clock = home_clock(settings)  # a demonstration home: the demo's own "now" ([demo] now)
as_of = moments.page_moment(calendar, clock)
st.title("曝光台")
st.caption(f"{md_escape(settings.city)}网络问政曝光台，截至 {short_time(as_of)}。"
           "每条均由公开规则自动生成，并注明所依据的规则；不含任何群众个人信息。"
           + (f"（{clock.note()}）" if clock.fixed else ""))

entries = cached.exposure_entries(key, as_of)
counts = {rule: sum(1 for e in entries if e.rule == rule) for rule in RULE_ZH}
for column, (rule, label) in zip(st.columns(len(RULE_ZH)), RULE_ZH.items(), strict=True):
    column.metric(label, counts[rule])
left, right = st.columns(2)
chosen_rule = left.selectbox("规则", list(RULE_ZH), index=None, format_func=lambda r: RULE_ZH[r],
                      placeholder="全部规则", key="expo_rule")
units = sorted({e.department for e in entries})
unit = right.selectbox("单位", units, index=None, format_func=lambda c: names.get(c, c),
                       placeholder="全部单位", key="expo_department")
shown = [e for e in entries
         if chosen_rule in (None, e.rule) and unit in (None, e.department)]
st.dataframe(publicview.entries_frame(shown), hide_index=True)

years = moments.years_between(*cached.assigned_days(key))
if not years:
    st.stop()
year = st.selectbox("年度", years, index=moments.default_year_index(years, clock.now),
                    key="expo_year")

st.subheader("群众点赞的案件")
st.caption(f"{publicview.FAST_DAYS:g} 个工作日内按时公开回复、群众亲自评价为“满意”的案件"
           "（系统默认满意不计入）。")
st.dataframe(publicview.praised_frame(cached.praised(key, year, as_of), names), hide_index=True)

st.subheader("公开回复与满意度")
figures = cached.year_figures(key, year, as_of)
total = figures["total"]


def _pct(value: float | None) -> str:
    """A rate as a percentage, or '—'."""
    return "—" if value is None else f"{value * 100:.1f}%"


a, b, c, d, e = st.columns(5)
a.metric("受理", total["received"])
b.metric("公开回复", total["replied"])
c.metric("回复率", _pct(total["reply_rate"]))
d.metric("满意率", _pct(total["satisfaction_rate"]),
         help=f"群众亲自评价的满意率：{_pct(total['satisfaction_rate_explicit'])}"
              f"（{total['ratings_citizen']} 件群众本人评价，"
              f"{total['ratings_default']} 件为默认评价）")
e.metric("解决率", _pct(total["resolution_rate"]),
         help=f"群众回访时回答“已解决”的比例：{total['resolved_answers']} 件群众本人回答，"
              f"默认评价 {total['resolved_default']} 件（默认评价不回答是否解决）；"
              f"办结率 {_pct(total['completion_rate'])} 是协调办公室办结的比例，另行统计")
st.caption(f"满意度评价 {total['rated']} 件：群众本人 {total['ratings_citizen']} 件，"
           f"默认 {total['ratings_default']} 件；“是否解决”群众本人回答 "
           f"{total['resolved_answers']} 件。")
rates = {label: st.column_config.ProgressColumn(label, min_value=0.0, max_value=1.0,
                                                format="percent")
         for label in ("回复率", "满意率", "解决率")}
st.dataframe(publicview.figures_frame(figures), hide_index=True, column_config=rates)
