"""月度通报: the issued monthly bulletins, each downloadable as .docx and .xlsx."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from scorecards.inert import md_escape
from wenzheng.webapp import auth, bulletinview, cached
from wenzheng.webapp.resources import home_key

auth.require("bulletins")
key = home_key()
st.title("月度通报")
months = cached.issued_months(key)
if not months:
    st.info("尚未发布月度通报（由 wenzheng bulletins 在每月截数后自动发布）。")
    st.stop()

listed = [b for b in (cached.issued(key, m) for m in months) if b is not None]
st.dataframe(pd.DataFrame([{"月份": b.month, "考核规则版本": b.rules_version,
                            "数据截至": b.as_of[:16].replace("T", " "),
                            "事件库位置": b.position, "更正次数": b.corrections,
                            "内容摘要": b.content_hash[:16]} for b in listed]), hide_index=True)

month = st.selectbox("选择通报", months, key="bulletin_month")
found = cached.issued(key, month)
if found is None:
    st.stop()
bulletin = bulletinview.bulletin_from_content(found.content)
if bulletin.content_hash() == found.content_hash:
    st.success(f"内容摘要与发布记录一致：{found.content_hash}")
else:
    st.error("内容与发布记录的摘要不一致，请核查。")
# Rendered when a button is clicked (deferred), from the recorded content.
one, two, _ = st.columns([1, 1, 4])
one.download_button("下载 Word（.docx）", lambda: bulletinview.docx_bytes(bulletin),
                    file_name=f"bulletin-{month}.docx",
                    mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    key="bulletin_docx", on_click="ignore")
two.download_button("下载 Excel（.xlsx）", lambda: bulletinview.xlsx_bytes(bulletin),
                    file_name=f"bulletin-{month}.xlsx",
                    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    key="bulletin_xlsx", on_click="ignore")
# Shown as plain text and tables, never as Markdown: a case title is citizen-typed text.
heading, office, parts, foot = bulletinview.shown(bulletin)
with st.expander("通报全文", expanded=True):
    st.subheader(md_escape(heading))
    st.text(office)
    for part in parts:
        st.markdown(f"**{part.title}**")  # the section titles are the renderer's own words
        st.text(part.intro)
        if part.table is None:
            st.text("（无）")
        else:
            st.dataframe(part.table, hide_index=True)
    st.text(foot)
