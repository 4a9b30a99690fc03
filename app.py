"""The Streamlit app: a router whose navigation is built from the signed-in user's role."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from projections.schema import ReadModelsOutdated
from scorecards.inert import md_escape
from wenzheng.config import ConfigError
from wenzheng.runout import runout_warning
from wenzheng.webapp import auth, moments, roles
from wenzheng.webapp.resources import home_key, home_of, readmodels
from wenzheng.webapp.signins import IDLE_MINUTES
from wenzheng.webapp.users import in_production

st.set_page_config(page_title="问政 · 网络问政考核", page_icon=":material/account_balance:",
                   layout="wide")
APP_DIR = Path(__file__).resolve().parent  # the page scripts are found from here (roles.py)
key = home_key()
root = Path(key[0])
try:
    settings = home_of(key).settings()
except ConfigError as exc:
    st.error(f"配置错误：{exc}")
    st.stop()
try:
    readmodels(key)
except ReadModelsOutdated as exc:  # made by an older version: rebuild from the events
    st.error(str(exc))
    st.stop()
# Demonstration users come only from `wenzheng demo`; the app never writes users.
idle = float(settings.section("app").get("session_idle_minutes", IDLE_MINUTES))
idle_message = auth.keep_session(root, idle)
oidc_message = auth.adopt_oidc_user(root)
user = auth.current(root)

# The exposure platform is every role's default page (served at "/"), so each other page keeps
# its own url path; after signing in the user is taken to the role's landing page.
pages = {spec.key: st.Page(spec.path(APP_DIR), title=spec.title, icon=spec.icon,
                           url_path=spec.key, default=spec.key == roles.HOME_PAGE)
         for spec in roles.pages_for(user.role)}
current = st.navigation(list(pages.values()))

with st.sidebar:
    st.markdown(f"**{md_escape(settings.city)}网络问政考核系统**")
    if user.role == roles.PUBLIC:
        st.caption("公众访问：仅可查看曝光台。工作人员请登录。")
    else:
        st.caption(f"当前用户：{md_escape(user.name)}（{user.role_zh}）")
        if st.button("退出登录", key="logout"):
            auth.sign_out(root)
            st.rerun()
    if in_production():
        st.caption("生产环境")
    if oidc_message:
        st.warning(md_escape(oidc_message))
    if idle_message:
        st.info(idle_message)
    script = auth.cookie_script()
    if script:  # keeps the session across a reload (see wenzheng/webapp/auth.py)
        st.html(script, unsafe_allow_javascript=True, width="content")

# The office's administrators enter the holiday arrangements (系统状态 lists it itself).
if user.role == roles.ADMIN and current.url_path != "status":
    runout = runout_warning(settings.deadline_policy().calendar, moments.now().date())
    if runout:
        st.warning(runout, icon=":material/event_busy:")

landing = auth.landing_page()
if landing in pages:  # right after signing in: the role's landing page
    st.switch_page(pages[landing])
current.run()
