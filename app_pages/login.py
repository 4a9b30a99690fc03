"""登录: the sign-in form (keys login_user, login_password, login_submit) and OIDC."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from wenzheng.webapp import auth
from wenzheng.webapp.resources import home_key
from wenzheng.webapp.users import DEMO_USERS, demo_active, users_path

auth.require("login")
root = Path(home_key()[0])
st.title("登录")
st.caption("领导、纪检监察和管理员登录后可查看考核、审计、通报和系统状态。")

name = st.text_input("用户名", key="login_user")
password = st.text_input("密码", type="password", key="login_password")
if st.button("登录", key="login_submit", type="primary"):
    problem = auth.sign_in(root, name, password)
    if problem:
        st.error(problem)
    else:
        st.rerun()

if auth.oidc_configured():
    st.divider()
    st.button("使用统一身份认证登录", key="oidc_login", on_click=st.login)

if demo_active(users_path(root)):  # only in a home made by `wenzheng demo`, never in production
    st.info("演示环境账号（仅供演示，生产环境中停用）："
            + "；".join(f"{n} / {p}" for n, p, _ in DEMO_USERS))
