"""系统状态: store head, transport, relay and projection positions, lag; recent case views."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from scorecards.inert import md_escape
from wenzheng import checklog
from wenzheng.render import short_time
from wenzheng.webapp import auth, cached, health
from wenzheng.webapp.resources import home_key, readmodels
from wenzheng.webapp.roles import ROLE_ZH
from wenzheng.webapp.viewlog import recent_views

auth.require("status")
key = home_key()
st.title("系统状态")
if st.button("刷新", key="status_refresh"):
    cached.pipeline_status.clear()
result = cached.pipeline_status(key)
a, b, c = st.columns(3)
a.metric("事件库位置", result["store_head"])
b.metric("投影落后（事件）", "—" if result["projection_lag"] is None else result["projection_lag"])
c.metric("传输方式", result["transport"])
for warning in result["warnings"]:
    st.warning(warning)  # the system's own words
checks = checklog.last(Path(key[0]))
if checklog.warnings(checks):
    st.error("最近一次完整性校验发现问题：页面上的数字或案件历史可能不可信，见下方「完整性校验」。")
st.dataframe(pd.DataFrame(health.status_rows(result)), hide_index=True)
st.caption(f"主目录：{md_escape(key[0])}")

st.subheader("最近的案件查阅记录")
with readmodels(key).use() as db:
    views = recent_views(db, 50)
if not views:
    st.caption("暂无案件查阅记录。")
else:
    st.dataframe(pd.DataFrame([{"查阅时间": short_time(v.viewed_at), "查阅人": v.username,
                                "角色": ROLE_ZH.get(v.role, v.role), "案件编号": v.case_number,
                                "含个人信息": "是" if v.cleared else "否"} for v in views]),
                 hide_index=True)

st.subheader("完整性校验")
st.dataframe(pd.DataFrame({"最近一次校验": checklog.describe(checks)}), hide_index=True)
problems = checklog.findings(checks)
if problems:
    st.dataframe(pd.DataFrame({"发现的问题（前几条）": problems}), hide_index=True)
st.caption("校验由 wenzheng verify（日志、已签发锚点）与 wenzheng verify --read-models"
           "（读模型）运行并记录；建议每日定时运行。")
