"""The Streamlit app (placeholder until the app issue): shows the home and its configuration."""

from __future__ import annotations

import streamlit as st

from wenzheng.home import Home

st.set_page_config(page_title="问政 · 网络问政考核", layout="wide")
home = Home.resolve()
settings = home.settings()
st.title(f"{settings.city} 网络问政考核系统")
st.caption(f"主目录：{home.root}")
st.subheader("承办单位")
st.dataframe(
    [{"代码": d.code, "名称": d.name, "类别": d.group} for d in settings.departments],
    hide_index=True,
)
