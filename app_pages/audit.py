"""案件审计: find cases, then a case's full timeline, time per holder, integrity and views."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from domain.errors import UnknownCase
from domain.labels import OVERDUE_STAGE_ZH, STATUS_ZH
from scorecards.inert import md_escape
from wenzheng.bootstrap.service import store_env
from wenzheng.democlock import home_clock
from wenzheng.render import short_time
from wenzheng.webapp import auditview, auth, cached, moments
from wenzheng.webapp.masking import personal_rows, shown_text
from wenzheng.webapp.resources import home_key, home_of, readmodels, service
from wenzheng.webapp.roles import ROLE_ZH, cleared
from wenzheng.webapp.search import STATUSES
from wenzheng.webapp.viewlog import record_view, views_of

user = auth.require("audit")
key = home_key()
home = home_of(key)
settings = home.settings()
names = settings.department_names()
calendar = settings.deadline_policy().calendar
clock = home_clock(settings)  # a demonstration home reads as of its own "now" ([demo] now)
st.title("案件审计")
st.caption("查找案件并查看其完整办理过程。每次查看案件历史都会记录查阅人和时间。")

top = st.columns([2, 2, 2, 2, 2])
number = top[0].text_input("案件编号（可输入部分）", key="audit_number", max_chars=64)
department = top[1].selectbox("承办单位", [d.code for d in settings.departments], index=None,
                              format_func=lambda c: f"{names.get(c, c)}（{c}）",
                              placeholder="全部单位", key="audit_department")
day_from = top[2].date_input("交办日期自", value=None, key="audit_from")
day_to = top[3].date_input("交办日期至", value=None, key="audit_to")
status = top[4].selectbox("状态", STATUSES, index=None, format_func=lambda s: STATUS_ZH[s],
                          placeholder="全部状态", key="audit_status")

found = cached.search(key, number, department, day_from, day_to, status)
may_see = cleared(user.role)  # contact numbers in free text: only cleared roles see them
more = "（只显示前 200 件，请缩小范围）" if len(found) >= 200 else ""
st.caption(f"找到 {len(found)} 件{more}")
if found:
    st.dataframe(pd.DataFrame([{
        "案件编号": r["number"], "诉求": shown_text(r["title"] or "", may_see),
        "承办单位": names.get(r["lead"] or "", r["lead"]),
        "状态": STATUS_ZH.get(r["status"], r["status"]), "交办日期": r["assigned_day"],
        "答复期限": short_time(r["reply_due"]), "公开回复": short_time(r["published_at"])}
        for r in found]), hide_index=True)

numbers = [r["number"] for r in found]
pick, when = st.columns([4, 2])
picked = pick.selectbox("查看案件历史", numbers, index=None,
                        placeholder="选择一件案件（输入完整编号时直接显示）", key="audit_case")
latest = moments.default_day(calendar, clock.now)
day = when.date_input("截至日期（查看当时的情况）", value=latest, max_value=latest,
                      key="audit_as_of")
chosen = picked or (number.strip() if number.strip() in numbers else None)
if not chosen:
    st.stop()

as_of = (moments.page_moment(calendar, clock) if day in (None, latest)
         else moments.as_of_day(day, clock.now))
try:
    with readmodels(key).use() as db:
        history = auditview.case_audit(db, chosen, as_of, calendar)
except UnknownCase:
    st.warning(f"案件 {md_escape(chosen)} 还没有进入读模型。")
    st.stop()

if st.session_state.get("wz_audit_logged") != chosen:  # one record per view, not per rerun
    with readmodels(key).use() as db:
        record_view(db, user.name, user.role, chosen, moments.now(), may_see)
    st.session_state["wz_audit_logged"] = chosen

st.subheader(f"案件 {md_escape(chosen)}")
last = history.events[-1] if history.events else None
if last is None:
    st.info(f"截至 {short_time(as_of)}，案件 {md_escape(chosen)} 尚未登记。")
else:
    holder = names.get(history.overdue_holder or "", history.overdue_holder or "无")
    st.markdown(f"**截至 {short_time(as_of)}**　"
                f"**状态**：{md_escape(STATUS_ZH.get(last.status, last.status))}　"
                f"**持有**：{md_escape(names.get(last.holder, last.holder))}　"
                f"**超期环节**：{OVERDUE_STAGE_ZH.get(history.overdue_stage_now or '', '无')}　"
                f"**超期责任单位**：{md_escape(holder)}")

with service(key).use() as app:
    state = auditview.integrity(store_env(home), chosen)
    personal = auditview.personal_data(app, chosen, may_see)
if state.ok:
    st.success(f"历史完整性：{state.label()}")
else:
    st.error(f"历史完整性：{state.label()}：" + md_escape("；".join(state.problems)))

st.markdown("**办理过程**（截至 " + short_time(as_of) + "）")
st.dataframe(auditview.timeline_frame(history, names, may_see), hide_index=True)
st.markdown("**各持有单位占用时间**（只计群众等待期间的工作日）")
st.dataframe(auditview.holders_frame(history, names), hide_index=True)

st.markdown("**群众个人信息**" + ("" if may_see else "（已遮蔽：当前角色无查阅权限）"))
if personal is None:
    st.write("无（个人信息已依申请销毁，或不可读取）。")
else:
    st.dataframe(pd.DataFrame(personal_rows(personal)), hide_index=True)

st.markdown("**本案查阅记录**")
with readmodels(key).use() as db:
    views = views_of(db, chosen)
st.dataframe(pd.DataFrame([{"查阅时间": short_time(v.viewed_at), "查阅人": v.username,
                            "角色": ROLE_ZH.get(v.role, v.role),
                            "含个人信息": "是" if v.cleared else "否"} for v in views],
                          columns=["查阅时间", "查阅人", "角色", "含个人信息"]), hide_index=True)
